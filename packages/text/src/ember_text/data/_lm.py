"""Language-model blocks: a long token stream cut into ``(input, target)`` pairs."""

from __future__ import annotations

import numpy as np

from ember.utils.data import Dataset

__all__ = ["LMBlockDataset"]


class LMBlockDataset(Dataset):
    """Fixed-length blocks of a token stream for next-token prediction.

    Block ``i`` starts at token ``i * stride``: its input is the ``block_size`` tokens from
    there and its target the same span shifted one token on. Tokens too few for a last full
    block (input plus one target token) are left out.

    Args:
        tokens: the token ids, a 1-D sequence (list, NumPy array or Ember tensor).
        block_size: the length of each input and target.
        stride: the distance between block starts; ``block_size`` (the default) gives blocks
            that do not overlap, a smaller stride gives overlapping ones.

    Shape:
        Each item is ``(input, target)``, two ``int64`` tensors of shape ``(block_size,)``.

    Example:
        >>> from ember_text.data import LMBlockDataset
        >>> ds = LMBlockDataset(list(range(10)), block_size=4)
        >>> len(ds)
        2
        >>> x, y = ds[1]
        >>> x.tolist(), y.tolist()
        ([4, 5, 6, 7], [5, 6, 7, 8])
    """

    def __init__(self, tokens, block_size: int, stride: int | None = None):
        if hasattr(tokens, "numpy") and not isinstance(tokens, np.ndarray):
            tokens = tokens.numpy()
        array = np.asarray(tokens)
        if array.ndim != 1:
            raise ValueError(f"LMBlockDataset: tokens must be 1-D, got shape {tuple(array.shape)}")
        if array.size and not np.issubdtype(array.dtype, np.integer):
            raise TypeError(f"LMBlockDataset: tokens must be integer ids, got dtype {array.dtype}")
        for name, value in (("block_size", block_size), ("stride", stride)):
            if value is None and name == "stride":
                continue
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(
                    f"LMBlockDataset: {name} must be a positive integer, got {value!r}"
                )
        self.tokens = array.astype(np.int64, copy=False)
        self.block_size = block_size
        self.stride = block_size if stride is None else stride

    def __len__(self) -> int:
        usable = len(self.tokens) - self.block_size - 1
        return 0 if usable < 0 else usable // self.stride + 1

    def __getitem__(self, index: int):
        import ember

        n = len(self)
        position = index + n if index < 0 else index
        if not 0 <= position < n:
            raise IndexError(f"LMBlockDataset: index {index} is out of range for {n} blocks")
        start = position * self.stride
        chunk = self.tokens[start : start + self.block_size + 1]
        return ember.tensor(chunk[:-1], dtype=ember.int64), ember.tensor(
            chunk[1:], dtype=ember.int64
        )

    def __repr__(self) -> str:
        return (
            f"LMBlockDataset(num_tokens={len(self.tokens)}, block_size={self.block_size}, "
            f"stride={self.stride}, num_blocks={len(self)})"
        )
