"""The hyperparameters of :class:`~ember_text.models.GPT`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GPTConfig"]


@dataclass
class GPTConfig:
    """The size and shape of a :class:`~ember_text.models.GPT`.

    Args:
        vocab_size: number of token ids (default 50304, GPT-2's 50257 rounded up to a
            multiple of 64).
        block_size: the longest context, in tokens (default 1024).
        n_layer: Transformer blocks (default 12).
        n_head: attention heads per block (default 12).
        n_embd: model width (default 768); a multiple of ``n_head``.
        dropout: dropout probability on embeddings, attention and residuals (default 0.0).
        bias: biases in the linear layers and layer norms (default True).

    Example:
        >>> from ember_text.models import GPTConfig
        >>> config = GPTConfig(vocab_size=65, block_size=32, n_layer=2, n_head=2, n_embd=16)
        >>> config.n_embd // config.n_head, config.dropout, config.bias
        (8, 0.0, True)
    """

    vocab_size: int = 50304
    block_size: int = 1024
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"GPTConfig: {name} must be a positive int, got {value!r}")
        if self.n_embd % self.n_head != 0:
            raise ValueError(
                f"GPTConfig: n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})"
            )
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig: dropout must be in [0, 1), got {self.dropout!r}")
