"""Attention layers: ``MultiheadAttention``, the Transformer encoder/decoder layers and stacks,
and ``Transformer``.

Submodule and parameter names follow PyTorch's, so state dicts have the same keys. PyTorch's
inference fast paths (nested tensors, ``_transformer_encoder_layer_fwd``) have no counterpart:
every call takes the reference path, whose attention core is one fused node (see
``ember.nn.functional.attention``). ``enable_nested_tensor`` is accepted and recorded only.

Example:
    >>> import ember
    >>> from ember import nn
    >>> layer = nn.TransformerEncoderLayer(d_model=16, nhead=4, dim_feedforward=32,
    ...                                    batch_first=True)
    >>> encoder = nn.TransformerEncoder(layer, num_layers=2)
    >>> x = ember.randn(3, 5, 16)
    >>> mask = nn.Transformer.generate_square_subsequent_mask(5)
    >>> encoder(x, mask=mask).shape
    ember.Size([3, 5, 16])
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import ember

from ..._creation import empty
from ..._tensor import Tensor
from .. import functional as F
from .. import init
from ..functional.attention import _mha
from ..parameter import Parameter
from . import container as _container
from . import dropout as _dropout
from . import normalization as _normalization
from .linear import Linear
from .module import Module

__all__ = [
    "MultiheadAttention",
    "NonDynamicallyQuantizableLinear",
    "Transformer",
    "TransformerEncoder",
    "TransformerDecoder",
    "TransformerEncoderLayer",
    "TransformerDecoderLayer",
]


class NonDynamicallyQuantizableLinear(Linear):
    """The ``Linear`` used as ``MultiheadAttention.out_proj`` (named as in PyTorch, where it
    marks the layer for quantization tools; here it is a plain ``Linear``)."""


class MultiheadAttention(Module):
    r"""Multi-head attention: ``concat(head_1, ..., head_h) W_O`` with
    ``head_i = softmax(Q W_Q^i (K W_K^i)^T / sqrt(d_head) + mask) V W_V^i``.

    Args:
        embed_dim: model dimension ``E``.
        num_heads: number of heads (must divide ``embed_dim``).
        dropout: dropout on the attention probabilities (training only). Default 0.0.
        bias: learn biases on the input and output projections. Default True.
        add_bias_kv: add learnt biases ``bias_k``/``bias_v`` as one more key/value position.
        add_zero_attn: add a zero key/value position.
        kdim, vdim: feature sizes of ``key`` and ``value`` (default ``embed_dim``); when they
            differ from ``embed_dim`` the projections are separate parameters
            ``q_proj_weight``, ``k_proj_weight``, ``v_proj_weight``.
        batch_first: inputs and output are (N, L, E) instead of (L, N, E).

    Attributes:
        in_proj_weight: (3E, E), ``xavier_uniform_``; in_proj_bias: (3E), zeros;
        out_proj: ``NonDynamicallyQuantizableLinear(E, E)`` (bias zeros).

    Example:
        >>> import ember
        >>> from ember import nn
        >>> mha = nn.MultiheadAttention(8, 2, batch_first=True)
        >>> x = ember.randn(4, 5, 8)
        >>> out, weights = mha(x, x, x)
        >>> out.shape, weights.shape
        (ember.Size([4, 5, 8]), ember.Size([4, 5, 5]))
    """

    __constants__ = ["batch_first"]

    def __init__(
        self,
        embed_dim: int,
        num_heads: int,
        dropout: float = 0.0,
        bias: bool = True,
        add_bias_kv: bool = False,
        add_zero_attn: bool = False,
        kdim: int | None = None,
        vdim: int | None = None,
        batch_first: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        if embed_dim <= 0 or num_heads <= 0:
            raise ValueError(
                f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                f"num_heads={num_heads} instead"
            )
        super().__init__()
        fk = {"device": device, "dtype": dtype}
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != self.embed_dim:
            raise AssertionError("embed_dim must be divisible by num_heads")

        if not self._qkv_same_embed_dim:
            self.q_proj_weight = Parameter(empty((embed_dim, embed_dim), **fk))
            self.k_proj_weight = Parameter(empty((embed_dim, self.kdim), **fk))
            self.v_proj_weight = Parameter(empty((embed_dim, self.vdim), **fk))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = Parameter(empty((3 * embed_dim, embed_dim), **fk))
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = Parameter(empty(3 * embed_dim, **fk))
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias, **fk)
        if add_bias_kv:
            self.bias_k = Parameter(empty((1, 1, embed_dim), **fk))
            self.bias_v = Parameter(empty((1, 1, embed_dim), **fk))
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        if self._qkv_same_embed_dim:
            init.xavier_uniform_(self.in_proj_weight)
        else:
            init.xavier_uniform_(self.q_proj_weight)
            init.xavier_uniform_(self.k_proj_weight)
            init.xavier_uniform_(self.v_proj_weight)
        if self.in_proj_bias is not None:
            init.constant_(self.in_proj_bias, 0.0)
            init.constant_(self.out_proj.bias, 0.0)
        if self.bias_k is not None:
            init.xavier_normal_(self.bias_k)
        if self.bias_v is not None:
            init.xavier_normal_(self.bias_v)

    def __setstate__(self, state):
        state.setdefault("_qkv_same_embed_dim", True)
        super().__setstate__(state)

    def forward(
        self,
        query: Tensor,
        key: Tensor,
        value: Tensor,
        key_padding_mask: Tensor | None = None,
        need_weights: bool = True,
        attn_mask: Tensor | None = None,
        average_attn_weights: bool = True,
        is_causal: bool = False,
    ) -> tuple[Tensor, Tensor | None]:
        """Attend from ``query`` to ``key``/``value``.

        Args:
            query: (L, N, E), (N, L, E) with ``batch_first``, or unbatched (L, E).
            key, value: (S, N, kdim/vdim) likewise.
            key_padding_mask: (N, S) or (S); bool (True = ignore this key) or float (added).
            need_weights: also return the attention weights (default True).
            attn_mask: (L, S) or (N * num_heads, L, S); bool (True = not allowed to attend)
                or float (added to the scores).
            average_attn_weights: average the returned weights over heads (default True).
            is_causal: hint that ``attn_mask`` is the causal mask.

        Returns:
            ``(attn_output, attn_weights)``; ``attn_weights`` is (N, L, S), or
            (N, num_heads, L, S) without averaging, or None when ``need_weights=False``.
        """
        same = self._qkv_same_embed_dim
        return _mha(
            query,
            key,
            value,
            self.embed_dim,
            self.num_heads,
            self.in_proj_weight,
            self.in_proj_bias,
            self.bias_k,
            self.bias_v,
            self.add_zero_attn,
            self.dropout,
            self.out_proj.weight,
            self.out_proj.bias,
            self.training,
            key_padding_mask,
            need_weights,
            attn_mask,
            not same,
            None if same else self.q_proj_weight,
            None if same else self.k_proj_weight,
            None if same else self.v_proj_weight,
            None,
            None,
            average_attn_weights,
            is_causal,
            self.batch_first and query.dim() == 3,
        )


# -- helpers ------------------------------------------------------------------------------------


def _generate_square_subsequent_mask(sz: int, device=None, dtype=None) -> Tensor:
    return ember.triu(ember.full((sz, sz), float("-inf"), dtype=dtype, device=device), diagonal=1)


def _get_clones(module: Module, n: int):
    return _container.ModuleList([copy.deepcopy(module) for _ in range(n)])


def _get_activation_fn(activation: str) -> Callable[[Tensor], Tensor]:
    if activation == "relu":
        return F.relu
    if activation == "gelu":
        return F.gelu
    raise RuntimeError(f"activation should be relu/gelu, not {activation}")


def _get_seq_len(src: Tensor, batch_first: bool) -> int:
    shape = src.shape
    if len(shape) == 2:
        return shape[0]
    return shape[1 if batch_first else 0]


def _detect_is_causal_mask(mask: Tensor | None, is_causal: bool | None = None, size=None) -> bool:
    """``is_causal`` when given; else whether ``mask`` equals the causal mask of ``size``."""
    make_causal = is_causal is True
    if is_causal is None and mask is not None:
        sz = size if size is not None else mask.shape[-2]
        if tuple(mask.shape) == (sz, sz):
            causal = _generate_square_subsequent_mask(sz, device=mask.device, dtype=mask.dtype)
            make_causal = bool((mask == causal).all())
        else:
            make_causal = False
    return make_causal


def _stack_batch_first(layers) -> bool:
    """The ``batch_first`` of a stack's first layer (False for a layer without ``self_attn``)."""
    first = layers[0]
    return first.self_attn.batch_first if hasattr(first, "self_attn") else False


def _layer_norm(d_model, eps, bias, fk):
    return _normalization.LayerNorm(d_model, eps=eps, bias=bias, **fk)


# -- layers -------------------------------------------------------------------------------------


class _TransformerLayer(Module):
    """What the encoder and decoder layers share: their submodules, built in PyTorch's order
    (so state dict keys and the random initialisation match), and the self-attention block.
    ``_cross_attention`` adds the decoder's attention over the encoder's output (``memory``)
    with its own layer norm and dropout."""

    __constants__ = ["norm_first"]
    _cross_attention = False

    def __init__(
        self,
        d_model: int,
        nhead: int,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        fk = {"device": device, "dtype": dtype}
        Dropout = _dropout.Dropout
        cross = self._cross_attention
        self.self_attn = MultiheadAttention(
            d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **fk
        )
        if cross:
            self.multihead_attn = MultiheadAttention(
                d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first, **fk
            )
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias, **fk)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias, **fk)
        self.norm_first = norm_first
        self.norm1 = _layer_norm(d_model, layer_norm_eps, bias, fk)
        self.norm2 = _layer_norm(d_model, layer_norm_eps, bias, fk)
        if cross:
            self.norm3 = _layer_norm(d_model, layer_norm_eps, bias, fk)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        if cross:
            self.dropout3 = Dropout(dropout)
        if isinstance(activation, str):
            activation = _get_activation_fn(activation)
        if not cross:  # the encoder layer's record of its activation, as in PyTorch
            if activation is F.relu or type(activation).__name__ == "ReLU":
                self.activation_relu_or_gelu = 1
            elif activation is F.gelu or type(activation).__name__ == "GELU":
                self.activation_relu_or_gelu = 2
            else:
                self.activation_relu_or_gelu = 0
        self.activation = activation

    def __setstate__(self, state):
        state.setdefault("activation", F.relu)
        super().__setstate__(state)

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(
            x,
            x,
            x,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            need_weights=False,
            is_causal=is_causal,
        )[0]
        return self.dropout1(x)


class TransformerEncoderLayer(_TransformerLayer):
    """Self-attention and a feed-forward network, each with a residual connection and layer
    norm (after each block, or before it with ``norm_first``).

    Args:
        d_model: model dimension. nhead: number of heads.
        dim_feedforward: hidden size of the feed-forward network (default 2048).
        dropout: dropout probability (default 0.1).
        activation: "relu", "gelu" or a unary callable (default relu).
        layer_norm_eps: eps of the layer norms (default 1e-5).
        batch_first: (N, L, E) inputs instead of (L, N, E) (default False).
        norm_first: pre-norm instead of post-norm (default False).
        bias: biases in the linear layers and layer norms (default True).

    Example:
        >>> import ember
        >>> layer = ember.nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> layer(ember.randn(5, 3, 8)).shape
        ember.Size([5, 3, 8])
    """

    def forward(
        self,
        src: Tensor,
        src_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool = False,
    ) -> Tensor:
        """Args: ``src`` (L, N, E) or (N, L, E); ``src_mask`` (L, S) or (N * nhead, L, S);
        ``src_key_padding_mask`` (N, S); ``is_causal``: hint that ``src_mask`` is causal."""
        x = src
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal)
            x = x + self._ff_block(self.norm2(x))
        else:
            x = self.norm1(x + self._sa_block(x, src_mask, src_key_padding_mask, is_causal))
            x = self.norm2(x + self._ff_block(x))
        return x

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout2(x)


class TransformerDecoderLayer(_TransformerLayer):
    """Self-attention, attention over the encoder's output (``memory``) and a feed-forward
    network, each with a residual connection and layer norm.

    Arguments as for :class:`TransformerEncoderLayer`.

    Example:
        >>> import ember
        >>> layer = ember.nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> layer(ember.randn(4, 3, 8), ember.randn(6, 3, 8)).shape
        ember.Size([4, 3, 8])
    """

    _cross_attention = True

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool = False,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Args: ``tgt`` (T, N, E); ``memory`` (S, N, E) (batch first with ``batch_first``);
        masks and key padding masks for the target and the memory; causal hints."""
        x = tgt
        if self.norm_first:
            x = x + self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal)
            x = x + self._mha_block(
                self.norm2(x), memory, memory_mask, memory_key_padding_mask, memory_is_causal
            )
            x = x + self._ff_block(self.norm3(x))
        else:
            x = self.norm1(x + self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal))
            x = self.norm2(
                x
                + self._mha_block(x, memory, memory_mask, memory_key_padding_mask, memory_is_causal)
            )
            x = self.norm3(x + self._ff_block(x))
        return x

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(
            x,
            mem,
            mem,
            attn_mask=attn_mask,
            key_padding_mask=key_padding_mask,
            is_causal=is_causal,
            need_weights=False,
        )[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(self.activation(self.linear1(x))))
        return self.dropout3(x)


# -- stacks -------------------------------------------------------------------------------------


class TransformerEncoder(Module):
    """A stack of ``num_layers`` deep copies of ``encoder_layer``, then ``norm`` if given.

    Args:
        encoder_layer: a :class:`TransformerEncoderLayer` (copied ``num_layers`` times).
        num_layers: number of layers.
        norm: optional final layer norm.
        enable_nested_tensor: accepted for compatibility (Ember has no nested tensors).
        mask_check: accepted for compatibility.

    Example:
        >>> import ember
        >>> layer = ember.nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> enc = ember.nn.TransformerEncoder(layer, num_layers=3)
        >>> len(enc.layers), enc(ember.randn(5, 2, 8)).shape
        (3, ember.Size([5, 2, 8]))
    """

    __constants__ = ["norm"]

    def __init__(
        self,
        encoder_layer: Module,
        num_layers: int,
        norm: Module | None = None,
        enable_nested_tensor: bool = True,
        mask_check: bool = True,
    ) -> None:
        super().__init__()
        self.layers = _get_clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.use_nested_tensor = False
        self.mask_check = mask_check

    def forward(
        self,
        src: Tensor,
        mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        is_causal: bool | None = None,
    ) -> Tensor:
        """Args: ``src``; ``mask`` (L, S) or (N * nhead, L, S); ``src_key_padding_mask``
        (N, S); ``is_causal``: None detects whether ``mask`` is the causal mask."""
        batch_first = _stack_batch_first(self.layers)
        is_causal = _detect_is_causal_mask(mask, is_causal, _get_seq_len(src, batch_first))
        output = src
        for mod in self.layers:
            output = mod(
                output,
                src_mask=mask,
                is_causal=is_causal,
                src_key_padding_mask=src_key_padding_mask,
            )
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    """A stack of ``num_layers`` deep copies of ``decoder_layer``, then ``norm`` if given.

    Example:
        >>> import ember
        >>> layer = ember.nn.TransformerDecoderLayer(d_model=8, nhead=2, dim_feedforward=16)
        >>> dec = ember.nn.TransformerDecoder(layer, num_layers=2)
        >>> dec(ember.randn(4, 2, 8), ember.randn(6, 2, 8)).shape
        ember.Size([4, 2, 8])
    """

    __constants__ = ["norm"]

    def __init__(self, decoder_layer: Module, num_layers: int, norm: Module | None = None) -> None:
        super().__init__()
        self.layers = _get_clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(
        self,
        tgt: Tensor,
        memory: Tensor,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Args: ``tgt``, ``memory``, masks and key padding masks as for
        :class:`TransformerDecoderLayer`; ``tgt_is_causal`` None detects a causal
        ``tgt_mask``."""
        batch_first = _stack_batch_first(self.layers)
        tgt_is_causal = _detect_is_causal_mask(
            tgt_mask, tgt_is_causal, _get_seq_len(tgt, batch_first)
        )
        output = tgt
        for mod in self.layers:
            output = mod(
                output,
                memory,
                tgt_mask=tgt_mask,
                memory_mask=memory_mask,
                tgt_key_padding_mask=tgt_key_padding_mask,
                memory_key_padding_mask=memory_key_padding_mask,
                tgt_is_causal=tgt_is_causal,
                memory_is_causal=memory_is_causal,
            )
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    """The encoder-decoder Transformer of "Attention Is All You Need".

    Args:
        d_model (512), nhead (8), num_encoder_layers (6), num_decoder_layers (6),
        dim_feedforward (2048), dropout (0.1), activation (relu), custom_encoder,
        custom_decoder, layer_norm_eps (1e-5), batch_first (False), norm_first (False),
        bias (True): as in PyTorch. Every parameter with more than one dimension is
        re-initialised with ``xavier_uniform_``.

    Example:
        >>> import ember
        >>> model = ember.nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1,
        ...                              num_decoder_layers=1, dim_feedforward=16)
        >>> src, tgt = ember.randn(6, 2, 8), ember.randn(4, 2, 8)
        >>> mask = model.generate_square_subsequent_mask(4)
        >>> model(src, tgt, tgt_mask=mask).shape
        ember.Size([4, 2, 8])
    """

    def __init__(
        self,
        d_model: int = 512,
        nhead: int = 8,
        num_encoder_layers: int = 6,
        num_decoder_layers: int = 6,
        dim_feedforward: int = 2048,
        dropout: float = 0.1,
        activation: str | Callable[[Tensor], Tensor] = F.relu,
        custom_encoder: Module | None = None,
        custom_decoder: Module | None = None,
        layer_norm_eps: float = 1e-5,
        batch_first: bool = False,
        norm_first: bool = False,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        fk = {"device": device, "dtype": dtype}
        layer_args = (dim_feedforward, dropout, activation, layer_norm_eps, batch_first)
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            encoder_layer = TransformerEncoderLayer(
                d_model, nhead, *layer_args, norm_first, bias, **fk
            )
            encoder_norm = _layer_norm(d_model, layer_norm_eps, bias, fk)
            self.encoder = TransformerEncoder(encoder_layer, num_encoder_layers, encoder_norm)
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            decoder_layer = TransformerDecoderLayer(
                d_model, nhead, *layer_args, norm_first, bias, **fk
            )
            decoder_norm = _layer_norm(d_model, layer_norm_eps, bias, fk)
            self.decoder = TransformerDecoder(decoder_layer, num_decoder_layers, decoder_norm)
        self._reset_parameters()
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def forward(
        self,
        src: Tensor,
        tgt: Tensor,
        src_mask: Tensor | None = None,
        tgt_mask: Tensor | None = None,
        memory_mask: Tensor | None = None,
        src_key_padding_mask: Tensor | None = None,
        tgt_key_padding_mask: Tensor | None = None,
        memory_key_padding_mask: Tensor | None = None,
        src_is_causal: bool | None = None,
        tgt_is_causal: bool | None = None,
        memory_is_causal: bool = False,
    ) -> Tensor:
        """Encode ``src`` and decode ``tgt`` against it; masks are passed through."""
        is_batched = src.dim() == 3
        bd = 0 if self.batch_first else 1
        if is_batched and src.shape[bd] != tgt.shape[bd]:
            raise RuntimeError("the batch number of src and tgt must be equal")
        if src.shape[-1] != self.d_model or tgt.shape[-1] != self.d_model:
            raise RuntimeError("the feature number of src and tgt must be equal to d_model")
        memory = self.encoder(
            src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal
        )
        return self.decoder(
            tgt,
            memory,
            tgt_mask=tgt_mask,
            memory_mask=memory_mask,
            tgt_key_padding_mask=tgt_key_padding_mask,
            memory_key_padding_mask=memory_key_padding_mask,
            tgt_is_causal=tgt_is_causal,
            memory_is_causal=memory_is_causal,
        )

    @staticmethod
    def generate_square_subsequent_mask(sz: int, device=None, dtype=None) -> Tensor:
        """A float (sz, sz) mask: 0 on and below the diagonal, -inf above.

        Example:
            >>> import ember
            >>> ember.nn.Transformer.generate_square_subsequent_mask(3)
            tensor([[0., -inf, -inf],
                    [0., 0., -inf],
                    [0., 0., 0.]])
        """
        return _generate_square_subsequent_mask(sz, device=device, dtype=dtype)

    def _reset_parameters(self) -> None:
        for p in self.parameters():
            if p.dim() > 1:
                init.xavier_uniform_(p)
