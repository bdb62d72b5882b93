"""``ember.Size``: the shape of a tensor, a tuple subclass as in PyTorch."""

from __future__ import annotations

__all__ = ["Size"]


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``ember.Size([2, 3])``.

    Example:
        >>> import ember
        >>> ember.zeros(2, 3).shape
        ember.Size([2, 3])
        >>> ember.zeros(2, 3).shape.numel()
        6
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return f"ember.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))

    def __reduce__(self):
        return (Size, (tuple(self),))
