"""Padding layers: zero, constant, reflection, replication and circular padding in 1, 2 and
3 dims, as thin modules over ``ember.nn.functional.pad``.

Example:
    >>> import ember
    >>> from ember import nn
    >>> nn.ZeroPad2d((1, 1, 2, 0))
    ZeroPad2d((1, 1, 2, 0))
    >>> nn.ReflectionPad1d(2)(ember.tensor([[0.0, 1.0, 2.0]]))
    tensor([[2., 1., 0., 1., 2., 1., 0.]])
"""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = [
    "ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
    "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d",
    "ReplicationPad2d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d",
]  # fmt: skip


def _pads(padding, n: int) -> tuple:
    """An int repeated ``2 * n`` times, or the given sequence as a tuple."""
    if isinstance(padding, (list, tuple)):
        if len(padding) != 2 * n:
            raise ValueError(
                f"padding must be an int or a tuple of {2 * n} ints, got {tuple(padding)}"
            )
        return tuple(int(p) for p in padding)
    return (int(padding),) * (2 * n)


class _ConstantPadNd(Module):
    _n = 1

    def __init__(self, padding, value: float) -> None:
        super().__init__()
        self.padding = _pads(padding, self._n)
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``; ``padding`` is an int or ``(left, right)``.

    Example:
        >>> import ember
        >>> ember.nn.ConstantPad1d((1, 2), 3.5)(ember.tensor([[1.0]]))
        tensor([[3.5000, 1.0000, 3.5000, 3.5000]])
    """

    _n = 1


class ConstantPad2d(_ConstantPadNd):
    """Pad the last 2 dims with ``value``; ``padding`` is an int or
    ``(left, right, top, bottom)``.

    Example:
        >>> import ember
        >>> ember.nn.ConstantPad2d(1, 0)
        ConstantPad2d(padding=(1, 1, 1, 1), value=0)
    """

    _n = 2


class ConstantPad3d(_ConstantPadNd):
    """Pad the last 3 dims with ``value``; ``padding`` is an int or a 6-tuple.

    Example:
        >>> import ember
        >>> ember.nn.ConstantPad3d(1, 2.0)(ember.ones(1, 1, 1, 1)).shape
        ember.Size([1, 3, 3, 3])
    """

    _n = 3


class _ZeroPadNd(_ConstantPadNd):
    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad1d(_ZeroPadNd):
    """Pad the last dim with zeros.

    Example:
        >>> import ember
        >>> ember.nn.ZeroPad1d(1)(ember.tensor([[1.0]]))
        tensor([[0., 1., 0.]])
    """

    _n = 1


class ZeroPad2d(_ZeroPadNd):
    """Pad the last 2 dims with zeros; ``padding`` is an int or ``(left, right, top, bottom)``.

    Example:
        >>> import ember
        >>> ember.nn.ZeroPad2d(2)
        ZeroPad2d((2, 2, 2, 2))
    """

    _n = 2


class ZeroPad3d(_ZeroPadNd):
    """Pad the last 3 dims with zeros.

    Example:
        >>> import ember
        >>> ember.nn.ZeroPad3d(1)
        ZeroPad3d((1, 1, 1, 1, 1, 1))
    """

    _n = 3


class _ModePadNd(Module):
    _n = 1
    _mode = "reflect"

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _pads(padding, self._n)

    def forward(self, input: Tensor) -> Tensor:
        n = self._n
        if input.ndim not in (n + 1, n + 2):
            raise ValueError(f"expected {n + 1}D or {n + 2}D input (got {input.ndim}D input)")
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_ModePadNd):
    """Pad the last dim with the reflection of the input (the edge not repeated).

    Example:
        >>> import ember
        >>> ember.nn.ReflectionPad1d((2, 1))(ember.tensor([[0.0, 1.0, 2.0]]))
        tensor([[2., 1., 0., 1., 2., 1.]])
    """

    _n, _mode = 1, "reflect"


class ReflectionPad2d(_ModePadNd):
    """Pad the last 2 dims by reflection.

    Example:
        >>> import ember
        >>> ember.nn.ReflectionPad2d(1)
        ReflectionPad2d((1, 1, 1, 1))
    """

    _n, _mode = 2, "reflect"


class ReflectionPad3d(_ModePadNd):
    """Pad the last 3 dims by reflection.

    Example:
        >>> import ember
        >>> ember.nn.ReflectionPad3d(1)(ember.ones(1, 2, 2, 2)).shape
        ember.Size([1, 4, 4, 4])
    """

    _n, _mode = 3, "reflect"


class ReplicationPad1d(_ModePadNd):
    """Pad the last dim by repeating the edge values.

    Example:
        >>> import ember
        >>> ember.nn.ReplicationPad1d((2, 1))(ember.tensor([[0.0, 1.0]]))
        tensor([[0., 0., 0., 1., 1.]])
    """

    _n, _mode = 1, "replicate"


class ReplicationPad2d(_ModePadNd):
    """Pad the last 2 dims by repeating the edges.

    Example:
        >>> import ember
        >>> ember.nn.ReplicationPad2d(2)
        ReplicationPad2d((2, 2, 2, 2))
    """

    _n, _mode = 2, "replicate"


class ReplicationPad3d(_ModePadNd):
    """Pad the last 3 dims by repeating the edges.

    Example:
        >>> import ember
        >>> ember.nn.ReplicationPad3d(1)(ember.ones(1, 1, 1, 1)).shape
        ember.Size([1, 3, 3, 3])
    """

    _n, _mode = 3, "replicate"


class CircularPad1d(_ModePadNd):
    """Pad the last dim by wrapping around.

    Example:
        >>> import ember
        >>> ember.nn.CircularPad1d(1)(ember.tensor([[0.0, 1.0, 2.0]]))
        tensor([[2., 0., 1., 2., 0.]])
    """

    _n, _mode = 1, "circular"


class CircularPad2d(_ModePadNd):
    """Pad the last 2 dims by wrapping around.

    Example:
        >>> import ember
        >>> ember.nn.CircularPad2d(1)
        CircularPad2d((1, 1, 1, 1))
    """

    _n, _mode = 2, "circular"


class CircularPad3d(_ModePadNd):
    """Pad the last 3 dims by wrapping around.

    Example:
        >>> import ember
        >>> ember.nn.CircularPad3d(1)(ember.ones(1, 1, 1, 1)).shape
        ember.Size([1, 3, 3, 3])
    """

    _n, _mode = 3, "circular"
