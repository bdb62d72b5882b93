"""A GPT-style causal language model with a key/value cache for generation."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import NamedTuple

import ember
import ember.nn.functional as F
from ember import Tensor, nn

from ..generation import _as_token_set, build_logits_processors, select_next_tokens
from .gpt_config import GPTConfig

__all__ = ["GPT", "CausalLMOutput", "KVCache"]

# One (key, value) pair per block, each of shape (N, n_head, T, head_dim).
KVCache = tuple[tuple[Tensor, Tensor], ...]


class CausalLMOutput(NamedTuple):
    """What :meth:`GPT.forward` returns; unpacks as ``logits, loss, past_key_values``.

    Attributes:
        logits: :math:`(N, T, V)` next-token scores at every position.
        loss: the mean cross-entropy against ``targets`` (None without targets).
        past_key_values: the key/value cache covering every position seen so far (None
            unless ``use_cache=True``).
    """

    logits: Tensor
    loss: Tensor | None = None
    past_key_values: KVCache | None = None


def _offset_causal_mask(query_len: int, key_len: int, device) -> Tensor | None:
    """True where query ``i`` (absolute position ``key_len - query_len + i``) may attend."""
    if query_len == 1:
        return None  # the newest token sees every cached one
    full = ember.ones(query_len, key_len, dtype=ember.bool, device=device)
    return full.tril(diagonal=key_len - query_len)


class CausalSelfAttention(nn.Module):
    """Multi-head self-attention in which each position sees itself and earlier positions,
    with the keys and values of earlier calls taken from a cache."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.n_head = config.n_head
        self.n_embd = config.n_embd
        self.dropout = config.dropout
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(
        self, x: Tensor, past: tuple[Tensor, Tensor] | None = None, use_cache: bool = False
    ) -> tuple[Tensor, tuple[Tensor, Tensor] | None]:
        n, t, c = x.shape
        head_dim = c // self.n_head
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        q = q.reshape(n, t, self.n_head, head_dim).transpose(1, 2)
        k = k.reshape(n, t, self.n_head, head_dim).transpose(1, 2)
        v = v.reshape(n, t, self.n_head, head_dim).transpose(1, 2)
        if past is not None:
            k = ember.cat([past[0], k], dim=2)
            v = ember.cat([past[1], v], dim=2)
        present = (k, v) if use_cache else None
        dropout_p = self.dropout if self.training else 0.0
        if past is None:
            y = F.scaled_dot_product_attention(q, k, v, dropout_p=dropout_p, is_causal=True)
        else:
            mask = _offset_causal_mask(t, k.shape[2], x.device)
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout_p)
        y = y.transpose(1, 2).reshape(n, t, c)
        return self.resid_dropout(self.c_proj(y)), present


class MLP(nn.Module):
    """The block's feed-forward network: Linear(n_embd, 4 n_embd), GELU, Linear back."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout(self.c_proj(self.gelu(self.c_fc(x))))


class Block(nn.Module):
    """A pre-norm Transformer block: ``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``."""

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(
        self, x: Tensor, past: tuple[Tensor, Tensor] | None = None, use_cache: bool = False
    ) -> tuple[Tensor, tuple[Tensor, Tensor] | None]:
        attended, present = self.attn(self.ln_1(x), past, use_cache)
        x = x + attended
        x = x + self.mlp(self.ln_2(x))
        return x, present


class GPT(nn.Module):
    r"""A GPT-2-style decoder-only language model.

    Token and learned position embeddings, ``n_layer`` pre-norm blocks of causal
    self-attention (through :func:`ember.nn.functional.scaled_dot_product_attention`) and
    an MLP, a final layer norm, and a linear head that shares its weight with the token
    embedding. Weights start as GPT-2's: normal with std 0.02, the residual projections
    scaled by :math:`1/\sqrt{2\,n_\text{layer}}`, zero biases.

    Args:
        config: a :class:`GPTConfig`.

    Shape:
        - input_ids: :math:`(N, T)`, int64 token ids, with ``T`` plus the cached length at
          most ``block_size``.
        - targets: :math:`(N, T)`, the token that should follow each position; ``-100``
          marks positions left out of the loss.
        - Output: a :class:`CausalLMOutput` with logits :math:`(N, T, V)`.

    Example:
        >>> import ember
        >>> from ember_text.models import GPT, GPTConfig
        >>> _ = ember.manual_seed(0)
        >>> model = GPT(GPTConfig(vocab_size=20, block_size=16, n_layer=2, n_head=2, n_embd=8))
        >>> ids = ember.randint(0, 20, (3, 10))
        >>> logits, loss, _ = model(ids[:, :-1], targets=ids[:, 1:])
        >>> logits.shape, loss.shape
        (ember.Size([3, 9, 20]), ember.Size([]))
        >>> _ = model.eval()
        >>> model.generate(ids[:, :4], max_new_tokens=5).shape
        ember.Size([3, 9])
    """

    def __init__(self, config: GPTConfig) -> None:
        super().__init__()
        if not isinstance(config, GPTConfig):
            raise TypeError(f"GPT: config must be a GPTConfig, got {type(config).__name__}")
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Initialise as GPT-2 does (see the class docstring)."""
        with ember.no_grad():
            for module in self.modules():
                if isinstance(module, (nn.Linear, nn.Embedding)):
                    nn.init.normal_(module.weight, mean=0.0, std=0.02)
                    if isinstance(module, nn.Linear) and module.bias is not None:
                        nn.init.zeros_(module.bias)
                elif isinstance(module, nn.LayerNorm):
                    module.reset_parameters()
            residual_std = 0.02 / math.sqrt(2 * self.config.n_layer)
            for block in self.h:
                nn.init.normal_(block.attn.c_proj.weight, mean=0.0, std=residual_std)
                nn.init.normal_(block.mlp.c_proj.weight, mean=0.0, std=residual_std)

    def get_num_params(self, non_embedding: bool = True) -> int:
        """The number of parameters (the tied head counted once); without the position
        embeddings when ``non_embedding`` (the token embedding is counted, being the head)."""
        total = sum(p.numel() for p in self.parameters())
        if non_embedding:
            total -= self.wpe.weight.numel()
        return total

    def _hidden_states(
        self, input_ids: Tensor, past_key_values: KVCache | None, use_cache: bool
    ) -> tuple[Tensor, KVCache | None]:
        if input_ids.dim() != 2 or input_ids.dtype.is_floating_point:
            raise RuntimeError(
                "GPT: expected input_ids of shape (N, T) with integer token ids, got shape "
                f"{tuple(input_ids.shape)} and dtype {input_ids.dtype}"
            )
        if past_key_values is not None and len(past_key_values) != len(self.h):
            raise RuntimeError(
                f"GPT: past_key_values has {len(past_key_values)} entries, expected one per "
                f"block ({len(self.h)})"
            )
        past_len = 0 if past_key_values is None else past_key_values[0][0].shape[2]
        t = input_ids.shape[1]
        if past_len + t > self.config.block_size:
            raise RuntimeError(
                f"GPT: cannot attend over {past_len + t} positions ({past_len} cached + {t} "
                f"new); block_size is {self.config.block_size}"
            )
        positions = ember.arange(past_len, past_len + t, device=input_ids.device)
        x = self.drop(self.wte(input_ids) + self.wpe(positions))
        presents = []
        for i, block in enumerate(self.h):
            past = None if past_key_values is None else past_key_values[i]
            x, present = block(x, past, use_cache)
            presents.append(present)
        return self.ln_f(x), (tuple(presents) if use_cache else None)

    def forward(
        self,
        input_ids: Tensor,
        targets: Tensor | None = None,
        past_key_values: KVCache | None = None,
        use_cache: bool = False,
    ) -> CausalLMOutput:
        """Next-token logits at every position, with the loss against ``targets`` when
        given and the updated key/value cache when ``use_cache``.

        Args:
            input_ids: :math:`(N, T)` token ids (the new ones when a cache is passed).
            targets: :math:`(N, T)` next tokens (already shifted by one), ``-100`` to
                ignore a position; None for no loss.
            past_key_values: the cache a previous call returned; the new tokens continue
                those positions.
            use_cache: also return the cache covering the old and the new positions.
        """
        hidden, presents = self._hidden_states(input_ids, past_key_values, use_cache)
        logits = self.lm_head(hidden)
        loss = None
        if targets is not None:
            if tuple(targets.shape) != tuple(input_ids.shape):
                raise RuntimeError(
                    f"GPT: targets must have the shape of input_ids {tuple(input_ids.shape)}, "
                    f"got {tuple(targets.shape)}"
                )
            loss = F.cross_entropy(
                logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-100
            )
        return CausalLMOutput(logits, loss, presents)

    @ember.no_grad()
    def generate(
        self,
        input_ids: Tensor,
        max_new_tokens: int,
        do_sample: bool = False,
        temperature: float = 1.0,
        top_k: int | None = None,
        top_p: float | None = None,
        repetition_penalty: float | None = None,
        eos_token_id: int | Iterable[int] | None = None,
        pad_token_id: int | None = None,
        use_cache: bool = True,
        generator: ember.Generator | None = None,
    ) -> Tensor:
        """Continue each prompt by up to ``max_new_tokens`` tokens.

        Each step scores the next token from the last ``block_size`` tokens, applies the
        logits processors (see :mod:`ember_text.generation`) and picks the highest score
        (``do_sample=False``) or samples from the softmax. A sequence that produces one of
        ``eos_token_id`` stops: it keeps that token and gets ``pad_token_id`` afterwards;
        generation ends when every sequence has stopped (so the result may be shorter than
        ``prompt + max_new_tokens``).

        With ``use_cache`` the keys and values of earlier positions are kept and each step
        runs the model on one new token; the result is the same as without the cache. Once
        the sequence outgrows ``block_size``, the window of the last ``block_size`` tokens
        is run in full at each step, since shifting the window changes every position.

        The model's mode is left as it is: call ``model.eval()`` first so that dropout is
        off.

        Args:
            input_ids: :math:`(N, T)` prompts, all of the same length.
            max_new_tokens: the most tokens to add.
            do_sample: sample instead of taking the most likely token (default False).
            temperature: divides the logits when sampling (default 1.0).
            top_k: sample only among the ``top_k`` most likely tokens (default None: all).
            top_p: sample only from the smallest set of most likely tokens whose
                probability reaches ``top_p`` (default None: all).
            repetition_penalty: penalise tokens already present (default None: no penalty).
            eos_token_id: a token id or a list of them that end a sequence.
            pad_token_id: the filler after a sequence ends (default: the first eos id).
            use_cache: keep a key/value cache between steps (default True).
            generator: the random generator for sampling.

        Returns:
            :math:`(N, T + n)` int64 tensor: the prompts and their continuations.
        """
        if input_ids.dim() != 2:
            raise RuntimeError(
                f"GPT.generate: expected input_ids of shape (N, T), got {tuple(input_ids.shape)}"
            )
        if input_ids.shape[1] == 0:
            raise ValueError("GPT.generate: input_ids must hold at least one token per prompt")
        if isinstance(max_new_tokens, bool) or not isinstance(max_new_tokens, int):
            raise TypeError(
                f"GPT.generate: max_new_tokens must be an int, got {type(max_new_tokens).__name__}"
            )
        if max_new_tokens < 0:
            raise ValueError(f"GPT.generate: max_new_tokens must be >= 0, got {max_new_tokens}")
        processors = build_logits_processors(
            do_sample, temperature, top_k, top_p, repetition_penalty
        )
        eos = _as_token_set("GPT.generate", "eos_token_id", eos_token_id)
        if pad_token_id is None and eos:
            pad_token_id = eos[0]
        if eos and not 0 <= pad_token_id < self.config.vocab_size:
            raise ValueError(
                f"GPT.generate: pad_token_id must be a token id in [0, {self.config.vocab_size})"
                f", got {pad_token_id}"
            )
        ids = input_ids.long()
        block_size = self.config.block_size
        eos_tensor = ember.tensor(eos, dtype=ember.int64, device=ids.device) if eos else None
        unfinished = ember.ones(ids.shape[0], dtype=ember.bool, device=ids.device)
        past = None
        for _ in range(max_new_tokens):
            if use_cache and past is not None and ids.shape[1] <= block_size:
                step_ids = ids[:, -1:]
            else:
                step_ids, past = ids[:, -block_size:], None
            hidden, past = self._hidden_states(step_ids, past, use_cache)
            scores = self.lm_head(hidden[:, -1, :])
            scores = processors(ids, scores)
            next_tokens = select_next_tokens(scores, do_sample, generator)
            if eos_tensor is not None:
                next_tokens = ember.where(unfinished, next_tokens, pad_token_id)
                unfinished = unfinished & ~ember.isin(next_tokens, eos_tensor)
            ids = ember.cat([ids, next_tokens.unsqueeze(1)], dim=1)
            if eos_tensor is not None and not bool(unfinished.any()):
                break
        return ids
