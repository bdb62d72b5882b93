"""Pooling layers: max, average, adaptive, power-average and fractional max pooling, and
max-unpooling, as thin modules over ``ember.nn.functional``'s pooling ops.

Example:
    >>> import ember
    >>> from ember import nn
    >>> nn.MaxPool2d(2)
    MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
    >>> nn.AdaptiveAvgPool2d((1, 1))(ember.ones(2, 3, 5, 5)).shape
    ember.Size([2, 3, 1, 1])
"""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = [
    "MaxPool1d", "MaxPool2d", "MaxPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d",
    "AvgPool1d", "AvgPool2d", "AvgPool3d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "AdaptiveAvgPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "AdaptiveMaxPool3d",
    "LPPool1d", "LPPool2d", "LPPool3d", "FractionalMaxPool2d",
]  # fmt: skip


def _ntuple(v, n):
    if isinstance(v, (list, tuple)):
        return tuple(v)
    return (v,) * n


class _MaxPoolNd(Module):
    _fn = None

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor):
        return type(self)._fn(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )

    def extra_repr(self) -> str:
        return (
            f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
            f"dilation={self.dilation}, ceil_mode={self.ceil_mode}"
        )


class MaxPool1d(_MaxPoolNd):
    """1D max pooling over ``(N, C, L)`` or ``(C, L)`` (see ``F.max_pool1d``).

    Example:
        >>> import ember
        >>> ember.nn.MaxPool1d(2)(ember.tensor([[1.0, 3.0, 2.0, 0.0]]))
        tensor([[3., 2.]])
    """

    _fn = staticmethod(F.max_pool1d)


class MaxPool2d(_MaxPoolNd):
    """2D max pooling over ``(N, C, H, W)`` or ``(C, H, W)``.

    Args:
        kernel_size: window size; stride: default ``kernel_size``; padding: implicit
            ``-inf`` padding on both sides; dilation: spacing of the window's elements;
        return_indices: also return the flat per-plane argmax positions;
        ceil_mode: use ceil instead of floor for the output size.

    Example:
        >>> import ember
        >>> ember.nn.MaxPool2d(2)(ember.arange(16.0).reshape(1, 4, 4))
        tensor([[[ 5.,  7.],
                 [13., 15.]]])
    """

    _fn = staticmethod(F.max_pool2d)


class MaxPool3d(_MaxPoolNd):
    """3D max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example:
        >>> import ember
        >>> ember.nn.MaxPool3d(2)(ember.arange(8.0).reshape(1, 2, 2, 2))
        tensor([[[[7.]]]])
    """

    _fn = staticmethod(F.max_pool3d)


class _MaxUnpoolNd(Module):
    _n = 1
    _fn = None

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        n = self._n
        self.kernel_size = _ntuple(kernel_size, n)
        self.stride = _ntuple(stride if (stride is not None) else kernel_size, n)
        self.padding = _ntuple(padding, n)

    def forward(self, input: Tensor, indices: Tensor, output_size=None) -> Tensor:
        return type(self)._fn(
            input, indices, self.kernel_size, self.stride, self.padding, output_size
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool1d`` (see ``F.max_unpool1d``).

    Example:
        >>> import ember
        >>> ember.nn.MaxUnpool1d(2)
        MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """

    _n = 1
    _fn = staticmethod(F.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool2d``: values at the pooled indices, zeros elsewhere.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> y, i = nn.MaxPool2d(2, return_indices=True)(ember.tensor([[[1.0, 2.0], [4.0, 3.0]]]))
        >>> nn.MaxUnpool2d(2)(y, i)
        tensor([[[0., 0.],
                 [4., 0.]]])
    """

    _n = 2
    _fn = staticmethod(F.max_unpool2d)


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of ``MaxPool3d``.

    Example:
        >>> import ember
        >>> ember.nn.MaxUnpool3d(2)
        MaxUnpool3d(kernel_size=(2, 2, 2), stride=(2, 2, 2), padding=(0, 0, 0))
    """

    _n = 3
    _fn = staticmethod(F.max_unpool3d)


class AvgPool1d(Module):
    """1D average pooling (see ``F.avg_pool1d``).

    Example:
        >>> import ember
        >>> ember.nn.AvgPool1d(2)
        AvgPool1d(kernel_size=(2,), stride=(2,), padding=(0,))
    """

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 1)
        self.stride = _ntuple(stride if stride is not None else kernel_size, 1)
        self.padding = _ntuple(padding, 1)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input: Tensor) -> Tensor:
        return F.avg_pool1d(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
            self.count_include_pad,
        )  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class _AvgPoolNd(Module):
    _fn = None

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(
            input, self.kernel_size, self.stride, self.padding, self.ceil_mode,
            self.count_include_pad, self.divisor_override,
        )  # fmt: skip

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(_AvgPoolNd):
    """2D average pooling.

    Args:
        kernel_size, stride (default ``kernel_size``), padding: the windows;
        ceil_mode: ceil instead of floor for the output size;
        count_include_pad: count zero padding in the divisor;
        divisor_override: divide by this instead of the window size.

    Example:
        >>> import ember
        >>> ember.nn.AvgPool2d(2)(ember.arange(16.0).reshape(1, 4, 4))
        tensor([[[ 2.5000,  4.5000],
                 [10.5000, 12.5000]]])
    """

    _fn = staticmethod(F.avg_pool2d)


class AvgPool3d(_AvgPoolNd):
    """3D average pooling.

    Example:
        >>> import ember
        >>> ember.nn.AvgPool3d(2)(ember.arange(8.0).reshape(1, 2, 2, 2))
        tensor([[[[3.5000]]]])
    """

    _fn = staticmethod(F.avg_pool3d)


class _AdaptiveAvgPoolNd(Module):
    _fn = None

    def __init__(self, output_size) -> None:
        super().__init__()
        self.output_size = output_size

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, self.output_size)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveAvgPool1d(_AdaptiveAvgPoolNd):
    """Adaptive average pooling to ``output_size``.

    Example:
        >>> import ember
        >>> ember.nn.AdaptiveAvgPool1d(2)(ember.tensor([[1.0, 2.0, 3.0]]))
        tensor([[1.5000, 2.5000]])
    """

    _fn = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgPoolNd):
    """Adaptive average pooling to ``output_size`` (an int, or a pair where None keeps the
    input's size).

    Example:
        >>> import ember
        >>> ember.nn.AdaptiveAvgPool2d((None, 3))
        AdaptiveAvgPool2d(output_size=(None, 3))
    """

    _fn = staticmethod(F.adaptive_avg_pool2d)


class AdaptiveAvgPool3d(_AdaptiveAvgPoolNd):
    """Adaptive average pooling over 3 spatial dims.

    Example:
        >>> import ember
        >>> ember.nn.AdaptiveAvgPool3d(1)(ember.ones(1, 2, 2, 2)).shape
        ember.Size([1, 1, 1, 1])
    """

    _fn = staticmethod(F.adaptive_avg_pool3d)


class _AdaptiveMaxPoolNd(Module):
    _fn = None

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        self.return_indices = return_indices

    def forward(self, input: Tensor):
        return type(self)._fn(input, self.output_size, self.return_indices)

    def extra_repr(self) -> str:
        return f"output_size={self.output_size}"


class AdaptiveMaxPool1d(_AdaptiveMaxPoolNd):
    """Adaptive max pooling to ``output_size``.

    Example:
        >>> import ember
        >>> ember.nn.AdaptiveMaxPool1d(2)(ember.tensor([[1.0, 5.0, 3.0]]))
        tensor([[5., 5.]])
    """

    _fn = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxPoolNd):
    """Adaptive max pooling to ``output_size``.

    Example:
        >>> import ember
        >>> ember.nn.AdaptiveMaxPool2d(1)(ember.arange(9.0).reshape(1, 3, 3))
        tensor([[[8.]]])
    """

    _fn = staticmethod(F.adaptive_max_pool2d)


class AdaptiveMaxPool3d(_AdaptiveMaxPoolNd):
    """Adaptive max pooling over 3 spatial dims.

    Example:
        >>> import ember
        >>> ember.nn.AdaptiveMaxPool3d(1)(ember.arange(8.0).reshape(1, 2, 2, 2))
        tensor([[[[7.]]]])
    """

    _fn = staticmethod(F.adaptive_max_pool3d)


class _LPPoolNd(Module):
    _fn = None

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False):
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def forward(self, input: Tensor) -> Tensor:
        return type(self)._fn(input, float(self.norm_type), self.kernel_size, self.stride,
                              self.ceil_mode)  # fmt: skip

    def extra_repr(self) -> str:
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}, ceil_mode={self.ceil_mode}"
        )


class LPPool1d(_LPPoolNd):
    """Power-average pooling ``(sum x**p) ** (1/p)`` over windows.

    Example:
        >>> import ember
        >>> ember.nn.LPPool1d(2, 2)(ember.tensor([[3.0, 4.0]]))
        tensor([[5.]])
    """

    _fn = staticmethod(F.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """2D power-average pooling.

    Example:
        >>> import ember
        >>> ember.nn.LPPool2d(2.0, 3, 2)
        LPPool2d(norm_type=2.0, kernel_size=3, stride=2, ceil_mode=False)
    """

    _fn = staticmethod(F.lp_pool2d)


class LPPool3d(_LPPoolNd):
    """3D power-average pooling.

    Example:
        >>> import ember
        >>> ember.nn.LPPool3d(1, 2)(ember.ones(1, 2, 2, 2))
        tensor([[[[8.]]]])
    """

    _fn = staticmethod(F.lp_pool3d)


class FractionalMaxPool2d(Module):
    """Fractional max pooling (see ``F.fractional_max_pool2d``).

    Example:
        >>> import ember
        >>> ember.nn.FractionalMaxPool2d(2, output_size=3)(ember.ones(1, 1, 5, 5)).shape
        ember.Size([1, 1, 3, 3])
    """

    def __init__(
        self,
        kernel_size,
        output_size=None,
        output_ratio=None,
        return_indices: bool = False,
        _random_samples=None,
    ) -> None:
        super().__init__()
        self.kernel_size = _ntuple(kernel_size, 2)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _ntuple(output_size, 2) if output_size is not None else None
        self.output_ratio = _ntuple(output_ratio, 2) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(
                "FractionalMaxPool2d requires specifying either an output size, or a pooling ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not (
            0 < self.output_ratio[0] < 1 and 0 < self.output_ratio[1] < 1
        ):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input: Tensor):
        return F.fractional_max_pool2d(
            input, self.kernel_size, self.output_size, self.output_ratio,
            self.return_indices, _random_samples=self._random_samples,
        )  # fmt: skip
