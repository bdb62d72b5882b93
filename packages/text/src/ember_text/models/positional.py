"""Position embeddings: learned, or the fixed sinusoids of "Attention Is All You Need"."""

from __future__ import annotations

import math

import numpy as np

import ember
from ember import Tensor, nn

__all__ = ["LearnedPositionalEmbedding", "SinusoidalPositionalEmbedding"]


def _check_length(name: str, seq_len: int, max_len: int) -> None:
    if seq_len > max_len:
        raise RuntimeError(
            f"{name}: the sequence has {seq_len} positions but at most max_len={max_len} are "
            "supported; truncate the input or build the model with a larger max_len"
        )


class LearnedPositionalEmbedding(nn.Module):
    r"""One trained vector per position, added to nothing: returns the embeddings of
    positions ``offset, ..., offset + seq_len - 1``.

    Args:
        max_len: the number of positions.
        embedding_dim: size of each vector.

    Shape:
        - Output: :math:`(\text{seq\_len}, \text{embedding\_dim})`.

    Example:
        >>> from ember_text.models import LearnedPositionalEmbedding
        >>> LearnedPositionalEmbedding(16, 8)(5).shape
        ember.Size([5, 8])
    """

    def __init__(self, max_len: int, embedding_dim: int) -> None:
        super().__init__()
        self.max_len = max_len
        self.embedding = nn.Embedding(max_len, embedding_dim)

    def forward(self, seq_len: int, offset: int = 0) -> Tensor:
        _check_length(type(self).__name__, offset + seq_len, self.max_len)
        device = self.embedding.weight.device
        return self.embedding(ember.arange(offset, offset + seq_len, device=device))


class SinusoidalPositionalEmbedding(nn.Module):
    r"""Fixed sinusoidal position encodings:

    .. math::
        PE_{p, 2i} = \sin(p / 10000^{2i/d}), \qquad PE_{p, 2i+1} = \cos(p / 10000^{2i/d})

    kept as a (non-persistent) buffer, so nothing is trained and nothing is saved.

    Args:
        max_len: the number of positions.
        embedding_dim: size of each vector (``d``).

    Shape:
        - Output: :math:`(\text{seq\_len}, \text{embedding\_dim})`.

    Example:
        >>> from ember_text.models import SinusoidalPositionalEmbedding
        >>> pe = SinusoidalPositionalEmbedding(16, 4)
        >>> pe(2)
        tensor([[0.0000, 1.0000, 0.0000, 1.0000],
                [0.8415, 0.5403, 0.0100, 0.9999]])
    """

    def __init__(self, max_len: int, embedding_dim: int) -> None:
        super().__init__()
        self.max_len = max_len
        position = np.arange(max_len, dtype=np.float64)[:, None]
        div = np.exp(np.arange(0, embedding_dim, 2) * (-math.log(10000.0) / embedding_dim))
        table = np.zeros((max_len, embedding_dim))
        table[:, 0::2] = np.sin(position * div)
        table[:, 1::2] = np.cos(position * div[: embedding_dim // 2])
        self.register_buffer(
            "pe", ember.tensor(table, dtype=ember.get_default_dtype()), persistent=False
        )

    def forward(self, seq_len: int, offset: int = 0) -> Tensor:
        _check_length(type(self).__name__, offset + seq_len, self.max_len)
        return self.pe[offset : offset + seq_len]
