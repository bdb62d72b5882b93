"""Activation functions: ``relu``, ``gelu``, ``silu``, ``softmax``, ``log_softmax`` and the rest
of ``torch.nn.functional``'s activations, with PyTorch's names, defaults and numerics.

Each op computes on the input's array and, when a gradient is needed, attaches one node named
as in PyTorch (``GeluBackward0``, ``SoftmaxBackward0``...) whose backward is a closed-form
expression written once against ``F`` (see Note [Two speeds of backward] in
``ember.autograd.graph``), so second-order gradients work too. ``softmax`` and
``log_softmax`` subtract the row maximum before exponentiating, so large logits do not
overflow. Integer inputs raise a ``RuntimeError`` where PyTorch's kernels refuse them.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> x = ember.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    >>> F.gelu(x)
    tensor([-0.1587,  0.0000,  1.9545], grad_fn=<GeluBackward0>)
    >>> F.softmax(x, dim=0)
    tensor([0.0420, 0.1142, 0.8438], grad_fn=<SoftmaxBackward0>)
"""

from __future__ import annotations

import math
import warnings

from ...amp import _state as _amp
from ...backends import cuda_kernels
from ...ops._core import (
    Node,
    Tensor,
    attach,
    grad_state,
    np,
    saved_output,
    wrap_dim,
    xp_of,
)
from ...ops.inplace import apply_inplace
from ...ops.pointwise import _dtype_error, _quiet, _sigmoid_kernel, new_tensor
from ...ops.pointwise import relu as _relu
from ...ops.pointwise import sigmoid as _sigmoid
from ...ops.pointwise import tanh as _tanh
from ...ops.reduction import torch_name
from ...ops.special_math import erf_array

__all__ = [
    "threshold", "threshold_", "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "leaky_relu",
    "leaky_relu_", "prelu", "rrelu", "rrelu_", "elu", "elu_", "selu", "selu_", "celu", "celu_",
    "gelu", "silu", "mish", "softplus", "softsign", "softshrink", "hardshrink", "hardswish",
    "hardsigmoid", "sigmoid", "logsigmoid", "tanh", "tanhshrink", "glu", "softmax", "softmin",
    "log_softmax", "gumbel_softmax",
]  # fmt: skip

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# -- shared plumbing --------------------------------------------------------------------------


def _float_data(input, op: str):
    """The array of a floating-point tensor argument (PyTorch's errors otherwise)."""
    try:
        d = input._data
    except AttributeError:
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        ) from None
    if d.dtype.kind in "biu":
        raise _dtype_error(op, d)
    return d


def _result(input: Tensor, arr, node_cls, *saved) -> Tensor:
    """Wrap ``arr``; when a gradient is needed attach ``node_cls`` saving the input and
    ``saved`` (plain values)."""
    out = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        node = node_cls()
        attach(out, node, input)
        node.save(input, *saved)
    return out


def _inplace(fn, input: Tensor, name: str, *args) -> Tensor:
    """Run the out-of-place ``fn(input, *args)`` as an in-place update of ``input``."""
    return apply_inplace(input, lambda v: fn(v, *args), name)


# -- ReLU family ------------------------------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """Rectified linear unit, ``max(0, x)`` elementwise.

    Example:
        >>> import ember
        >>> ember.nn.functional.relu(ember.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    if inplace:
        return input.relu_()
    return _relu(input)


def relu_(input: Tensor) -> Tensor:
    """In-place ``relu``."""
    return input.relu_()


class ThresholdBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, threshold):
        return F.where(x > threshold, grad, 0.0)


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """``x`` where ``x > threshold``, else ``value``.

    Example:
        >>> import ember
        >>> ember.nn.functional.threshold(ember.tensor([0.5, 2.0]), 1.0, -1.0)
        tensor([-1.,  2.])
    """
    if inplace:
        return _inplace(_threshold, input, "threshold_", threshold, value)
    return _threshold(input, threshold, value)


def _threshold(input, threshold, value):
    try:
        d = input._data
    except AttributeError:
        raise TypeError(
            f"threshold(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        ) from None
    arr = np.where(d > threshold, d, value).astype(d.dtype, copy=False)
    return _result(input, arr, ThresholdBackward0, threshold)


def threshold_(input: Tensor, threshold: float, value: float) -> Tensor:
    """In-place ``threshold``."""
    return _inplace(_threshold, input, "threshold_", threshold, value)


class HardtanhBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, lo, hi):
        return F.where((x > lo) & (x < hi), grad, 0.0)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """``x`` clamped to ``[min_val, max_val]``.

    Example:
        >>> import ember
        >>> ember.nn.functional.hardtanh(ember.tensor([-3.0, 0.5, 3.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return _inplace(_hardtanh, input, "hardtanh_", min_val, max_val)
    return _hardtanh(input, min_val, max_val)


def _hardtanh(input, min_val, max_val):
    try:
        d = input._data
    except AttributeError:
        raise TypeError(
            f"hardtanh(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        ) from None
    if d.dtype.kind == "b":
        raise _dtype_error("hardtanh", d)
    arr = np.clip(d, min_val, max_val).astype(d.dtype, copy=False)
    return _result(input, arr, HardtanhBackward0, min_val, max_val)


def hardtanh_(input: Tensor, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """In-place ``hardtanh``."""
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """``min(max(0, x), 6)``: ``hardtanh(x, 0, 6)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.relu6(ember.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """
    return hardtanh(input, 0.0, 6.0, inplace)


class LeakyReluBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, slope):
        return grad * ((x > 0) * (1.0 - slope) + slope)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` for positive values, ``negative_slope * x`` otherwise.

    Example:
        >>> import ember
        >>> ember.nn.functional.leaky_relu(ember.tensor([-2.0, 3.0]), 0.1)
        tensor([-0.2000,  3.0000])
    """
    if inplace:
        return _inplace(_leaky_relu, input, "leaky_relu_", negative_slope)
    return _leaky_relu(input, negative_slope)


def _leaky_relu(input, negative_slope):
    d = _float_data(input, "leaky_relu")
    arr = d * negative_slope
    if negative_slope <= 1:  # max/min instead of where: several times faster on large arrays
        np.maximum(d, arr, out=arr)
    else:
        np.minimum(d, arr, out=arr)
    return _result(input, arr, LeakyReluBackward0, negative_slope)


def leaky_relu_(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """In-place ``leaky_relu``."""
    return _inplace(_leaky_relu, input, "leaky_relu_", negative_slope)


class PreluKernelBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, weight, wshape):
        w = weight.reshape(wshape)
        pos = x > 0
        gx = F.where(pos, grad, grad * w) if self._next[0] is not None else None
        gw = None
        if self._next[1] is not None:
            gw = F.sum_to(F.where(pos, 0.0, grad * x), wshape).reshape(tuple(weight.shape))
        return gx, gw


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    """``x`` for positive values, ``weight * x`` otherwise, with one learnable slope per
    channel (dimension 1) or one shared slope.

    Example:
        >>> import ember
        >>> ember.nn.functional.prelu(ember.tensor([[-2.0, 3.0]]), ember.tensor([0.25]))
        tensor([[-0.5000,  3.0000]])
    """
    if _amp.active:
        input, weight = _amp.cast("prelu", input, weight)
    d = _float_data(input, "prelu")
    wd = weight._data
    n = wd.size
    channels = d.shape[1] if d.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{n} and channel size = {channels}."
        )
    if n == 1 or d.ndim < 2:
        wshape = (1,) * d.ndim
    else:
        wshape = (1, n) + (1,) * (d.ndim - 2)
    wb = wd.reshape(wshape)
    arr = np.where(d > 0, d, d * wb).astype(d.dtype, copy=False)
    out = new_tensor(arr)
    if grad_state.enabled and (input._requires_grad or weight._requires_grad):
        node = PreluKernelBackward0()
        attach(out, node, input, weight)
        node.save(input, weight, wshape)
    return out


class RreluWithNoiseBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, noise):
        return F.multiply(grad, noise)


def rrelu(
    input: Tensor,
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
) -> Tensor:
    """Randomized leaky ReLU: in training, negative values are scaled by a slope drawn
    uniformly from ``[lower, upper]`` per element; in evaluation by ``(lower + upper) / 2``.

    Example:
        >>> import ember
        >>> ember.nn.functional.rrelu(ember.tensor([-1.0, 2.0]), 0.1, 0.3)
        tensor([-0.2000,  2.0000])
    """
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if inplace:
        return _inplace(_rrelu, input, "rrelu_", lower, upper, training)
    return _rrelu(input, lower, upper, training)


def _rrelu(input, lower, upper, training):
    d = _float_data(input, "rrelu")
    neg = d <= 0
    if training:
        from ...random import numpy_generator

        rdt = np.float32 if d.dtype == np.float32 else np.float64
        slopes = numpy_generator().random(d.shape, dtype=rdt) * (upper - lower) + lower
        if d.__class__ is not np.ndarray:
            slopes = xp_of(input).asarray(slopes)
        noise = np.where(neg, slopes, 1.0).astype(d.dtype, copy=False)
    else:
        noise = np.where(neg, (lower + upper) / 2.0, 1.0).astype(d.dtype, copy=False)
    return _result(input, d * noise, RreluWithNoiseBackward0, noise)


def rrelu_(
    input: Tensor, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False
) -> Tensor:
    """In-place ``rrelu``."""
    return rrelu(input, lower, upper, training, inplace=True)


# -- exponential units ------------------------------------------------------------------------


class EluBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, alpha, scale, input_scale):
        neg = F.exp(F.minimum(x, 0.0) * input_scale) * (alpha * scale * input_scale)
        return F.where(x > 0, grad * scale, grad * neg)


class CeluBackward0(EluBackward0):
    __slots__ = ()


def _elu_array(d, alpha, scale, input_scale):
    neg = np.expm1(np.minimum(d, 0) * input_scale) * (alpha * scale)
    return np.where(d > 0, d * scale if scale != 1.0 else d, neg)


def _elu(input, alpha, scale, input_scale, op, node_cls):
    d = _float_data(input, op)
    arr = _elu_array(d, alpha, scale, input_scale)
    return _result(input, arr, node_cls, alpha, scale, input_scale)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.elu(ember.tensor([-1.0, 2.0]))
        tensor([-0.6321,  2.0000])
    """
    if inplace:
        return _inplace(_elu, input, "elu_", alpha, 1.0, 1.0, "elu", EluBackward0)
    return _elu(input, alpha, 1.0, 1.0, "elu", EluBackward0)


def elu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``elu``."""
    return elu(input, alpha, inplace=True)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Scaled ELU with the self-normalising constants (alpha 1.6733, scale 1.0507).

    Example:
        >>> import ember
        >>> ember.nn.functional.selu(ember.tensor([-1.0, 2.0]))
        tensor([-1.1113,  2.1014])
    """
    args = (_SELU_ALPHA, _SELU_SCALE, 1.0, "selu", EluBackward0)
    if inplace:
        return _inplace(_elu, input, "selu_", *args)
    return _elu(input, *args)


def selu_(input: Tensor) -> Tensor:
    """In-place ``selu``."""
    return selu(input, inplace=True)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Continuously differentiable ELU: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``.

    Example:
        >>> import ember
        >>> ember.nn.functional.celu(ember.tensor([-1.0, 2.0]), alpha=2.0)
        tensor([-0.7869,  2.0000])
    """
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    args = (alpha, 1.0, 1.0 / alpha, "celu", CeluBackward0)
    if inplace:
        return _inplace(_elu, input, "celu_", *args)
    return _elu(input, *args)


def celu_(input: Tensor, alpha: float = 1.0) -> Tensor:
    """In-place ``celu``."""
    return celu(input, alpha, inplace=True)


# -- smooth gates -----------------------------------------------------------------------------


# Abramowitz & Stegun 7.1.26: erfc(z) ~ poly(t) * exp(-z*z), t = 1 / (1 + p z), z >= 0, with an
# absolute error below 1.5e-7: float32's resolution, at a fraction of SciPy's float32 erf cost.
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _normal_cdf_and_gauss(d):
    """``(Phi(d), exp(-d*d/2))`` for an array: the standard normal CDF and the unnormalised
    density, sharing one ``exp``. Float64 arrays use the exact ``erf``; lower precisions the
    A&S 7.1.26 approximation, accurate to float32 resolution."""
    if d.dtype == np.float64 or d.dtype.kind == "c":
        cdf = erf_array(d * _SQRT1_2)
        cdf += 1.0
        cdf *= 0.5
        return cdf, np.exp(d * d * -0.5)
    z = np.abs(d) * _SQRT1_2
    t = z * _AS_P
    t += 1.0
    t = 1.0 / t
    half = t * (_AS_A[4] * 0.5)
    for a in _AS_A[3::-1]:
        half += a * 0.5
        half *= t
    gauss = np.exp(z * z * -1.0)
    half *= gauss  # 0.5 * erfc(|d| / sqrt(2)): Phi(d) below zero, 1 - Phi(d) above
    cdf = 1.0 - 2.0 * half
    cdf *= d > 0
    cdf += half
    return cdf, gauss


class GeluBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, approximate):
        if not F.graph and x.__class__ is not np.ndarray and cuda_kernels().supports(x):
            return cuda_kernels().gelu_backward(grad, x, approximate)
        if approximate == "tanh":
            x2 = x * x
            t = F.tanh((x + x2 * x * _GELU_C) * _SQRT_2_OVER_PI)
            dt = (1.0 - t * t) * ((x2 * (3.0 * _GELU_C) + 1.0) * _SQRT_2_OVER_PI)
            return grad * ((t + 1.0) * 0.5 + x * dt * 0.5)
        if F.graph:
            cdf = (F.erf(x * _SQRT1_2) + 1.0) * 0.5
            gauss = F.exp(x * x * -0.5)
        else:
            cdf, gauss = _normal_cdf_and_gauss(x)
        return grad * (cdf + x * gauss * _INV_SQRT_2PI)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Gaussian error linear unit, ``x * Phi(x)``; ``approximate='tanh'`` uses
    ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``.

    Example:
        >>> import ember
        >>> ember.nn.functional.gelu(ember.tensor([-1.0, 1.0]), approximate="tanh")
        tensor([-0.1588,  0.8412])
    """
    d = _float_data(input, "gelu")
    cuda = d.__class__ is not np.ndarray and approximate in ("none", "tanh")
    if cuda and cuda_kernels().supports(d):
        return _result(
            input, cuda_kernels().gelu_forward(d, approximate), GeluBackward0, approximate
        )
    if approximate == "none":
        arr = _normal_cdf_and_gauss(d)[0]
        arr *= d
    elif approximate == "tanh":
        arr = np.tanh((d + d * d * d * _GELU_C) * _SQRT_2_OVER_PI)
        arr += 1.0
        arr *= d
        arr *= 0.5
    else:
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _result(input, arr, GeluBackward0, approximate)


class SiluBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x):
        if not F.graph and x.__class__ is not np.ndarray and cuda_kernels().supports(x):
            return cuda_kernels().silu_backward(grad, x)
        s = F.sigmoid(x)
        return grad * (s * (x * (1.0 - s) + 1.0))


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """Sigmoid linear unit (swish), ``x * sigmoid(x)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.silu(ember.tensor([-1.0, 2.0]))
        tensor([-0.2689,  1.7616])
    """
    if inplace:
        return _inplace(_silu, input, "silu_")
    return _silu(input)


@_quiet
def _silu_array(d):
    return d / (np.exp(-d) + 1.0)  # exp overflows to inf for large -d: the result is -0


def _silu(input):
    d = _float_data(input, "silu")
    if d.__class__ is not np.ndarray and cuda_kernels().supports(d):
        return _result(input, cuda_kernels().silu_forward(d), SiluBackward0)
    return _result(input, _silu_array(d), SiluBackward0)


def _softplus_array(F, x):
    """``log(1 + exp(x))`` without overflow (works on arrays and, through ``F``, tensors)."""
    return F.maximum(x, 0.0) + F.log1p(F.exp(-F.abs(x)))


_softplus_np = _quiet(lambda d: np.logaddexp(d, 0.0))


class MishBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x):
        t = F.tanh(_softplus_array(F, x))
        return grad * (t + x * F.sigmoid(x) * (1.0 - t * t))


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """Mish, ``x * tanh(softplus(x))``.

    Example:
        >>> import ember
        >>> ember.nn.functional.mish(ember.tensor([-1.0, 2.0]))
        tensor([-0.3034,  1.9440])
    """
    if inplace:
        return _inplace(_mish, input, "mish_")
    return _mish(input)


def _mish(input):
    d = _float_data(input, "mish")
    arr = np.tanh(_softplus_np(d))
    arr *= d
    return _result(input, arr, MishBackward0)


class SoftplusBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, beta, threshold):
        bx = x * beta
        return F.where(bx > threshold, grad, grad * F.sigmoid(bx))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, linear where ``beta * x > threshold``.

    Example:
        >>> import ember
        >>> ember.nn.functional.softplus(ember.tensor([-1.0, 0.0, 30.0]))
        tensor([ 0.3133,  0.6931, 30.0000])
    """
    if _amp.active:
        (input,) = _amp.cast("softplus", input)
    d = _float_data(input, "softplus")
    bx = d * beta if beta != 1 else d
    soft = _softplus_np(bx)
    if beta != 1:
        soft /= beta
    arr = np.where(bx > threshold, d, soft)
    return _result(input, arr, SoftplusBackward0, beta, threshold)


def softsign(input: Tensor) -> Tensor:
    """``x / (1 + |x|)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.softsign(ember.tensor([-1.0, 3.0]))
        tensor([-0.5000,  0.7500])
    """
    return input / (input.abs() + 1)


class LogSigmoidBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x):
        return grad * F.sigmoid(-x)


def logsigmoid(input: Tensor) -> Tensor:
    """``log(sigmoid(x))``, computed as ``-softplus(-x)`` without overflow.

    Example:
        >>> import ember
        >>> ember.nn.functional.logsigmoid(ember.tensor([-1.0, 2.0]))
        tensor([-1.3133, -0.1269])
    """
    d = _float_data(input, "log_sigmoid")
    arr = _softplus_np(-d)
    np.negative(arr, out=arr)
    return _result(input, arr, LogSigmoidBackward0)


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function ``1 / (1 + exp(-x))``.

    Example:
        >>> import ember
        >>> ember.nn.functional.sigmoid(ember.tensor([0.0]))
        tensor([0.5000])
    """
    return _sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """Hyperbolic tangent.

    Example:
        >>> import ember
        >>> ember.nn.functional.tanh(ember.tensor([0.0, 1.0]))
        tensor([0.0000, 0.7616])
    """
    return _tanh(input)


def tanhshrink(input: Tensor) -> Tensor:
    """``x - tanh(x)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.tanhshrink(ember.tensor([1.0]))
        tensor([0.2384])
    """
    return input - _tanh(input)


# -- hard approximations and shrinkage --------------------------------------------------------


class HardswishBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x):
        mid = F.where(x < -3.0, 0.0, grad * (x * (1.0 / 3.0) + 0.5))
        return F.where(x <= 3.0, mid, grad)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """``x * relu6(x + 3) / 6``.

    Example:
        >>> import ember
        >>> ember.nn.functional.hardswish(ember.tensor([-4.0, 1.0, 4.0]))
        tensor([-0.0000,  0.6667,  4.0000])
    """
    if inplace:
        return _inplace(_hardswish, input, "hardswish_")
    return _hardswish(input)


def _hardswish(input):
    d = _float_data(input, "hardswish")
    arr = np.clip(d + 3.0, 0.0, 6.0)
    arr *= d
    arr *= 1.0 / 6.0
    return _result(input, arr, HardswishBackward0)


class HardsigmoidBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x):
        return F.where((x > -3.0) & (x < 3.0), grad * (1.0 / 6.0), 0.0)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """``relu6(x + 3) / 6``.

    Example:
        >>> import ember
        >>> ember.nn.functional.hardsigmoid(ember.tensor([-4.0, 0.0, 4.0]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    if inplace:
        return _inplace(_hardsigmoid, input, "hardsigmoid_")
    return _hardsigmoid(input)


def _hardsigmoid(input):
    d = _float_data(input, "hardsigmoid")
    arr = np.clip(d + 3.0, 0.0, 6.0)
    arr *= 1.0 / 6.0
    return _result(input, arr, HardsigmoidBackward0)


class SoftshrinkBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, lambd):
        return F.where((x > lambd) | (x < -lambd), grad, 0.0)


def softshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between.

    Example:
        >>> import ember
        >>> ember.nn.functional.softshrink(ember.tensor([-1.0, 0.2, 2.0]))
        tensor([-0.5000,  0.0000,  1.5000])
    """
    d = _float_data(input, "softshrink")
    if lambd < 0:
        top = float(np.finfo(d.dtype).max) if d.dtype.kind == "f" else math.inf
        raise RuntimeError(
            f"lambda must be in range [0, {top:g}] for input dtype {torch_name(d)}, but found "
            f"{lambd:g}"
        )
    arr = d - np.clip(d, -lambd, lambd)
    return _result(input, arr, SoftshrinkBackward0, lambd)


class HardshrinkBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, lambd):
        return F.where((x > lambd) | (x < -lambd), grad, 0.0)


def hardshrink(input: Tensor, lambd: float = 0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, else 0.

    Example:
        >>> import ember
        >>> ember.nn.functional.hardshrink(ember.tensor([-1.0, 0.2, 2.0]))
        tensor([-1.,  0.,  2.])
    """
    d = _float_data(input, "hardshrink")
    arr = np.where((d > lambd) | (d < -lambd), d, 0.0).astype(d.dtype, copy=False)
    return _result(input, arr, HardshrinkBackward0, lambd)


# -- gated linear unit ------------------------------------------------------------------------


class GluBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, dim, half):
        lead = (slice(None),) * dim
        a = x[(*lead, slice(0, half))]
        b = x[(*lead, slice(half, None))]
        s = F.sigmoid(b)
        ga = grad * s
        return F.concatenate([ga, ga * a * (1.0 - s)], axis=dim)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Gated linear unit: splits ``input`` in halves ``a, b`` along ``dim`` and returns
    ``a * sigmoid(b)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.glu(ember.tensor([[1.0, 2.0, 0.0, 0.0]]))
        tensor([[0.5000, 1.0000]])
    """
    d = _float_data(input, "glu")
    if d.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    dim = wrap_dim(dim, d.ndim)
    size = d.shape[dim]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim} is size {size}")
    half = size // 2
    lead = (slice(None),) * dim
    arr = _sigmoid_kernel(d[(*lead, slice(half, None))])
    arr *= d[(*lead, slice(0, half))]
    return _result(input, arr, GluBackward0, dim, half)


# -- softmax family ---------------------------------------------------------------------------


def _get_softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. "
        "Change the call to include dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


class SoftmaxBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, y, dim):
        if not F.graph and y.ndim and y.__class__ is not np.ndarray and cuda_kernels().supports(y):
            return cuda_kernels().softmax_backward(grad, y, dim)
        return y * (grad - F.sum(grad * y, axis=dim, keepdims=True))


class LogSoftmaxBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, y, dim):
        if not F.graph and y.ndim and y.__class__ is not np.ndarray and cuda_kernels().supports(y):
            return cuda_kernels().log_softmax_backward(grad, y, dim)
        return grad - F.exp(y) * F.sum(grad, axis=dim, keepdims=True)


def _softmax_arrays(input, dim, op):
    """``(array, axis, xp)`` for the softmax family: the float array, ``dim`` wrapped, and its
    array module (0-d inputs are viewed as 1-d)."""
    d = _float_data(input, op)
    ndim = d.ndim
    axis = wrap_dim(dim, ndim)
    if ndim == 0:
        d = d.reshape(1)
    return d, axis, (np if d.__class__ is np.ndarray else xp_of(input))


def _softmax(input: Tensor, dim: int) -> Tensor:
    d, axis, xp = _softmax_arrays(input, dim, "softmax")
    if xp is not np and d.size and cuda_kernels().supports(d):
        e = cuda_kernels().softmax_forward(d, axis)
    elif d.size:
        e = d - d.max(axis=axis, keepdims=True)
        xp.exp(e, out=e)
        e /= e.sum(axis=axis, keepdims=True)
    else:
        e = d.copy()
    out = new_tensor(e.reshape(input._data.shape))
    if grad_state.enabled and input._requires_grad:
        node = SoftmaxBackward0()
        attach(out, node, input)
        node.save(saved_output(out), axis)
    return out


def _log_softmax(input: Tensor, dim: int) -> Tensor:
    d, axis, xp = _softmax_arrays(input, dim, "log_softmax")
    if xp is not np and d.size and cuda_kernels().supports(d):
        s = cuda_kernels().log_softmax_forward(d, axis)
    elif d.size:
        s = d - d.max(axis=axis, keepdims=True)
        s -= xp.log(xp.exp(s).sum(axis=axis, keepdims=True))
    else:
        s = d.copy()
    out = new_tensor(s.reshape(input._data.shape))
    if grad_state.enabled and input._requires_grad:
        node = LogSoftmaxBackward0()
        attach(out, node, input)
        node.save(saved_output(out), axis)
    return out


def softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``; ``dtype`` casts the input first.

    Example:
        >>> import ember
        >>> ember.nn.functional.softmax(ember.tensor([[1.0, 2.0], [0.0, 0.0]]), dim=1)
        tensor([[0.2689, 0.7311],
                [0.5000, 0.5000]])
    """
    if _amp.active and dtype is None:
        (input,) = _amp.cast("softmax", input)
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax(input, dim)


def softmin(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``softmax(-x)`` along ``dim``.

    Example:
        >>> import ember
        >>> ember.nn.functional.softmin(ember.tensor([1.0, 2.0]), dim=0)
        tensor([0.7311, 0.2689])
    """
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _softmax(-input, dim)


def log_softmax(input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype=None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed as ``x - max - log(sum(exp(x - max)))``.

    Example:
        >>> import ember
        >>> ember.nn.functional.log_softmax(ember.tensor([1.0, 2.0]), dim=0)
        tensor([-1.3133, -0.3133])
    """
    if _amp.active and dtype is None:
        (input,) = _amp.cast("log_softmax", input)
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _log_softmax(input, dim)


def gumbel_softmax(
    logits: Tensor, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1
) -> Tensor:
    """Samples from the Gumbel-softmax distribution: ``softmax((logits + g) / tau)`` with
    ``g ~ Gumbel(0, 1)``; ``hard=True`` returns one-hot samples whose gradient is the soft
    sample's (straight-through). Random numbers come from ``ember.random``.

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(0)
        >>> y = ember.nn.functional.gumbel_softmax(ember.zeros(2, 3), hard=True)
        >>> y.sum(dim=-1)
        tensor([1., 1.])
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    from ...random import numpy_generator

    d = _float_data(logits, "gumbel_softmax")
    rdt = np.float32 if d.dtype == np.float32 else np.float64
    g = -np.log(numpy_generator().standard_exponential(d.shape, dtype=rdt))
    if d.__class__ is not np.ndarray:
        g = xp_of(logits).asarray(g)
    y_soft = _softmax((logits + new_tensor(g.astype(d.dtype, copy=False))) / tau, dim)
    if not hard:
        return y_soft
    axis = wrap_dim(dim, d.ndim)
    ys = y_soft._data
    index = ys.argmax(axis=axis)
    y_hard = np.zeros_like(ys)
    np.put_along_axis(y_hard, np.expand_dims(index, axis), 1.0, axis=axis)
    return new_tensor(y_hard) - y_soft.detach() + y_soft
