"""Normalization: ``batch_norm``, ``instance_norm``, ``layer_norm``, ``group_norm``,
``rms_norm`` and ``local_response_norm``.

Note [Closed-form normalization backward]
    ``batch_norm``, ``layer_norm`` and ``group_norm`` each record one node
    (``NativeBatchNormBackward0``, ``NativeLayerNormBackward0``, ``NativeGroupNormBackward0``)
    that saves the input, the weight and the per-group ``mean`` and ``rstd = 1/sqrt(var+eps)``.
    With ``xhat = (x - mean) * rstd`` normalised over a group of ``n`` values, the input
    gradient is the closed form

        dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))

    with ``dxhat = grad * weight``; the weight and bias get ``sum(grad * xhat)`` and
    ``sum(grad)`` over the non-channel dimensions (batch norm folds this per channel, so it
    needs two reductions and four elementwise passes). In plain backward the saved
    statistics are used as they are; under ``create_graph=True`` they are recomputed from the
    input with differentiable ops, so the formula's second derivative is exact (in evaluation
    mode the running statistics are constants and are used as saved).

Computation stays in the input's dtype (float32 for float32 inputs).

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> x = ember.tensor([[1.0, 2.0, 3.0]])
    >>> F.layer_norm(x, (3,))
    tensor([[-1.2247,  0.0000,  1.2247]])
"""

from __future__ import annotations

import math

from ...amp import _state as _amp
from ...backends import cuda_kernels
from ...ops._core import Node, Tensor, attach, grad_state, np
from ...ops.inplace import bump_version
from ...ops.pointwise import _dtype_error, new_tensor

__all__ = [
    "batch_norm",
    "instance_norm",
    "layer_norm",
    "group_norm",
    "rms_norm",
    "local_response_norm",
]


# -- shared pieces ----------------------------------------------------------------------------


def _norm_stats(F, x, axes, eps):
    """``(mean, rstd)`` of ``x`` over ``axes`` (kept as size-1 dims), differentiable through
    ``F``."""
    mean = F.mean(x, axis=axes, keepdims=True)
    xc = x - mean
    var = F.mean(xc * xc, axis=axes, keepdims=True)
    return mean, 1.0 / F.sqrt(var + eps)


def _normalized_grad(F, gxhat, xhat, rstd, axes, count):
    """The input gradient of ``xhat = (x - mean(x)) * rstd(x)`` over ``axes`` given the
    gradient ``gxhat`` of ``xhat`` (see Note [Closed-form normalization backward])."""
    inv = 1.0 / count
    mean_g = F.sum(gxhat, axis=axes, keepdims=True) * inv
    mean_gx = F.sum(gxhat * xhat, axis=axes, keepdims=True) * inv
    return (gxhat - mean_g - xhat * mean_gx) * rstd


def _float_data(input, op: str):
    try:
        d = input._data
    except AttributeError:
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        ) from None
    if d.dtype.kind in "biu":
        raise _dtype_error(op, d)
    return d


def _const(arr) -> Tensor:
    """A saved statistic: a Tensor without history (an array in plain backward, a constant
    in a recorded one)."""
    return new_tensor(arr)


def _any_grad(*tensors) -> bool:
    if not grad_state.enabled:
        return False
    for t in tensors:  # noqa: SIM110
        if t is not None and t._requires_grad:
            return True
    return False


# -- batch norm -------------------------------------------------------------------------------


class NativeBatchNormBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, weight, mean, rstd, axes, bshape, training, eps):
        # The closed form folded per channel: with s1 = sum(g), s2 = sum(g * x) over the
        # reduced axes, sum(g * xhat) = (s2 - mean * s1) * rstd, and in training
        # dx = g * w * rstd + x * b + c with per-channel b and c, so x-hat is never formed.
        if training and F.graph:
            mean, rstd = _norm_stats(F, x, axes, eps)
        need_x, need_w, need_b = (e is not None for e in self._next)
        train_x = training and need_x
        s1 = F.sum(grad, axis=axes, keepdims=True) if (train_x or need_w or need_b) else None
        gw_full = None
        if train_x or need_w:
            gw_full = (F.sum(grad * x, axis=axes, keepdims=True) - mean * s1) * rstd
        gx = gw = gb = None
        if need_x:
            a = rstd if weight is None else rstd * weight.reshape(bshape)
            if training:
                count = 1
                for ax in axes:
                    count *= x.shape[ax]
                b = gw_full * (a * rstd) * (-1.0 / count)
                c = s1 * a * (-1.0 / count) - mean * b
                gx = grad * a + x * b + c
            else:
                gx = grad * a
        channels = (bshape[1],)
        if need_w:
            gw = gw_full.reshape(channels)
        if need_b:
            gb = s1.reshape(channels)
        return gx, gw, gb


def _verify_batch_size(size) -> None:
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size {list(size)}"
        )


def _check_channels(name, t, channels):
    if t is not None and t._data.size != channels:
        raise RuntimeError(f"{name} should contain {channels} elements not {t._data.size}")


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization over every dimension but the channels (dimension 1).

    In training, the batch statistics normalise the input and, when given, ``running_mean``
    and ``running_var`` are updated in place: ``(1 - momentum) * running + momentum * batch``
    (the unbiased variance for ``running_var``). In evaluation the running statistics are used.

    Args:
        input: ``(N, C)`` or ``(N, C, *)``.
        running_mean, running_var: ``(C,)`` running statistics, or None.
        weight, bias: ``(C,)`` affine parameters, or None.
        training: use batch statistics (default False).
        momentum: the running-statistics update factor (default 0.1).
        eps: added to the variance (default 1e-5).

    Example:
        >>> import ember
        >>> x = ember.tensor([[1.0], [3.0]])
        >>> rm, rv = ember.zeros(1), ember.ones(1)
        >>> ember.nn.functional.batch_norm(x, rm, rv, training=True)
        tensor([[-1.0000],
                [ 1.0000]])
        >>> rm, rv
        (tensor([0.2000]), tensor([1.1000]))
    """
    if _amp.active:
        input, weight, bias = _amp.cast("batch_norm", input, weight, bias)
    d = _float_data(input, "batch_norm")
    ndim = d.ndim
    if ndim < 2:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-max(ndim, 1)}, "
            f"{max(ndim, 1) - 1}], but got 1)"
        )
    shape = d.shape
    if training:
        _verify_batch_size(shape)
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    channels = shape[1]
    _check_channels("weight", weight, channels)
    _check_channels("bias", bias, channels)
    _check_channels("running_mean", running_mean, channels)
    _check_channels("running_var", running_var, channels)
    if not training and (running_mean is None or running_var is None):
        which = "running_mean" if running_mean is None else "running_var"
        raise RuntimeError(f"{which} must be defined in evaluation mode")

    axes = (0, *range(2, ndim))
    bshape = (1, channels) + (1,) * (ndim - 2)
    dt = d.dtype
    if training:
        mean = d.mean(axis=axes, keepdims=True)
        xc = d - mean
        var = np.mean(xc * xc, axis=axes, keepdims=True)
        rstd = 1.0 / np.sqrt(var + eps)
        scale = rstd if weight is None else rstd * weight._data.reshape(bshape)
        xc *= scale
        out = xc
        if bias is not None:
            out += bias._data.reshape(bshape)
        if running_mean is not None or running_var is not None:
            _update_running(running_mean, running_var, mean, var, momentum, d.size // channels)
    else:
        mean = running_mean._data.reshape(bshape).astype(dt, copy=False)
        rstd = 1.0 / np.sqrt(running_var._data.reshape(bshape).astype(dt, copy=False) + eps)
        scale = rstd if weight is None else rstd * weight._data.reshape(bshape)
        shift = -mean * scale
        if bias is not None:
            shift += bias._data.reshape(bshape)
        out = d * scale
        out += shift
    res = new_tensor(out)
    if _any_grad(input, weight, bias):
        node = NativeBatchNormBackward0()
        attach(res, node, input, weight, bias)
        node.save(input, weight, _const(mean), _const(rstd), axes, bshape, bool(training), eps)
    return res


def _update_running(running_mean, running_var, mean, var, momentum, count):
    if momentum is None:
        momentum = 0.0
    keep = 1.0 - momentum
    if running_mean is not None:
        rm = running_mean._data
        rm *= keep
        rm += (momentum * mean.reshape(rm.shape)).astype(rm.dtype, copy=False)
        bump_version(running_mean)
    if running_var is not None:
        rv = running_var._data
        unbiased = var.reshape(rv.shape) * (count / max(count - 1, 1))
        rv *= keep
        rv += (momentum * unbiased).astype(rv.dtype, copy=False)
        bump_version(running_var)


# -- instance norm ----------------------------------------------------------------------------


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel of each sample over its spatial dimensions.

    Computed, as in PyTorch, as ``batch_norm`` of the input viewed as ``(1, N * C, *)``; the
    running statistics (when given) are updated with the mean over the batch.

    Example:
        >>> import ember
        >>> ember.nn.functional.instance_norm(ember.tensor([[[1.0, 3.0]]]))
        tensor([[[-1.0000,  1.0000]]])
    """
    d = _float_data(input, "instance_norm")
    shape = tuple(d.shape)
    if use_input_stats:
        prod = 1
        for s in shape[2:]:
            prod *= s
        if prod == 1:
            raise ValueError(
                f"Expected more than 1 spatial element when training, got input size {list(shape)}"
            )
    n, c = shape[0], shape[1]
    flat = input.reshape((1, n * c) + shape[2:])
    w = weight.repeat(n) if weight is not None else None
    b = bias.repeat(n) if bias is not None else None
    rm = rv = None
    if running_mean is not None:
        rm = new_tensor(np.tile(running_mean._data, n))
    if running_var is not None:
        rv = new_tensor(np.tile(running_var._data, n))
    out = batch_norm(flat, rm, rv, w, b, use_input_stats, momentum, eps)
    if use_input_stats:
        if running_mean is not None:
            running_mean._data[...] = rm._data.reshape(n, c).mean(axis=0)
            bump_version(running_mean)
        if running_var is not None:
            running_var._data[...] = rv._data.reshape(n, c).mean(axis=0)
            bump_version(running_var)
    return out.reshape(shape)


# -- layer norm -------------------------------------------------------------------------------


class NativeLayerNormBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, weight, mean, rstd, rows, size, wshape, eps):
        x2 = x.reshape((rows, size))
        if not F.graph and x2.__class__ is not np.ndarray and cuda_kernels().supports(x2):
            w = None if weight is None else weight.reshape(size)
            g2 = grad.reshape((rows, size))
            gx, gw, gb = cuda_kernels().layer_norm_backward(g2, x2, mean[:, 0], rstd[:, 0], w)
            nxt = self._next
            if nxt[2] is not None and gb is None:  # a bias without a weight
                gb = F.sum(g2, axis=0)
            return (
                gx.reshape(tuple(x.shape)) if nxt[0] is not None else None,
                gw.reshape(wshape) if nxt[1] is not None else None,
                gb.reshape(wshape) if nxt[2] is not None else None,
            )
        if F.graph:
            mean, rstd = _norm_stats(F, x2, (1,), eps)
        xhat = (x2 - mean) * rstd
        g2 = grad.reshape((rows, size))
        gx = gw = gb = None
        if self._next[0] is not None:
            gxhat = g2 if weight is None else g2 * weight.reshape((size,))
            gx = _normalized_grad(F, gxhat, xhat, rstd, (1,), size).reshape(tuple(x.shape))
        if self._next[1] is not None:
            gw = F.sum(g2 * xhat, axis=0).reshape(wshape)
        if self._next[2] is not None:
            gb = F.sum(g2, axis=0).reshape(wshape)
        return gx, gw, gb


def _check_normalized_shape(op, shape, normalized_shape, weight, bias, star_sep=", "):
    k = len(normalized_shape)
    if k == 0 or len(shape) < k or tuple(shape[len(shape) - k :]) != normalized_shape:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*{star_sep}{', '.join(str(s) for s in normalized_shape)}], but got input of "
            f"size{list(shape)}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t._data.shape) != normalized_shape:
            raise RuntimeError(
                f"Expected {name} to be of same shape as normalized_shape, but got {name} of "
                f"shape {list(t._data.shape)} and normalized_shape = {list(normalized_shape)}"
            )


def _as_shape(normalized_shape) -> tuple:
    if isinstance(normalized_shape, int):
        return (normalized_shape,)
    return tuple(int(s) for s in normalized_shape)


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dimensions, then scale by ``weight``
    and shift by ``bias`` (elementwise, of shape ``normalized_shape``).

    Example:
        >>> import ember
        >>> x = ember.tensor([[1.0, 3.0], [2.0, 2.0]], requires_grad=True)
        >>> ember.nn.functional.layer_norm(x, [2])
        tensor([[-1.0000,  1.0000],
                [ 0.0000,  0.0000]], grad_fn=<NativeLayerNormBackward0>)
    """
    if _amp.active:
        input, weight, bias = _amp.cast("layer_norm", input, weight, bias)
    d = _float_data(input, "layer_norm")
    normalized_shape = _as_shape(normalized_shape)
    shape = d.shape
    _check_normalized_shape("layer_norm", shape, normalized_shape, weight, bias)
    size = math.prod(normalized_shape)
    rows = d.size // size if size else 0
    x2 = d.reshape(rows, size)
    if x2.__class__ is not np.ndarray and rows and cuda_kernels().supports(x2):
        w = None if weight is None else weight._data.reshape(size)
        b = None if bias is None else bias._data.reshape(size)
        xc, mean, rstd = cuda_kernels().layer_norm_forward(x2, w, b, eps)
        mean, rstd = mean.reshape(rows, 1), rstd.reshape(rows, 1)
    else:
        mean = x2.mean(axis=1, keepdims=True)
        xc = x2 - mean
        var = np.mean(xc * xc, axis=1, keepdims=True)
        rstd = 1.0 / np.sqrt(var + eps)
        xc *= rstd
        if weight is not None:
            xc *= weight._data.reshape(size)
        if bias is not None:
            xc += bias._data.reshape(size)
    res = new_tensor(xc.reshape(shape))
    if _any_grad(input, weight, bias):
        node = NativeLayerNormBackward0()
        attach(res, node, input, weight, bias)
        node.save(input, weight, _const(mean), _const(rstd), rows, size, normalized_shape, eps)
    return res


# -- group norm -------------------------------------------------------------------------------


class NativeGroupNormBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, weight, mean, rstd, groups, bshape, eps):
        shape = tuple(x.shape)
        n = shape[0]
        xr = x.reshape((n, groups, -1))
        if F.graph:
            mean, rstd = _norm_stats(F, xr, (2,), eps)
        xhat = ((xr - mean) * rstd).reshape(shape)
        axes = (0, *range(2, len(shape)))
        gx = gw = gb = None
        if self._next[0] is not None:
            gxhat = grad if weight is None else grad * weight.reshape(bshape)
            count = xr.shape[2]
            gx = _normalized_grad(
                F, gxhat.reshape((n, groups, -1)), xhat.reshape((n, groups, -1)), rstd, (2,),
                count,
            ).reshape(shape)  # fmt: skip
        if self._next[1] is not None:
            gw = F.sum(grad * xhat, axis=axes)
        if self._next[2] is not None:
            gb = F.sum(grad, axis=axes)
        return gx, gw, gb


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each group of ``C // num_groups`` channels of each sample, then apply the
    per-channel ``weight`` and ``bias``.

    Example:
        >>> import ember
        >>> x = ember.tensor([[[1.0], [3.0], [5.0], [5.0]]])
        >>> ember.nn.functional.group_norm(x, 2).flatten()
        tensor([-1.0000,  1.0000,  0.0000,  0.0000])
    """
    if _amp.active:
        input, weight, bias = _amp.cast("group_norm", input, weight, bias)
    d = _float_data(input, "group_norm")
    ndim = d.ndim
    if ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {ndim}")
    shape = d.shape
    n, c = shape[0], shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(shape)} and num_groups={num_groups}"
        )
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t._data.ndim != 1 or t._data.size != c):
            raise RuntimeError(
                f"Expected {name} to be a vector of size equal to the number of channels in "
                f"input, but got {name} of shape {list(t._data.shape)} and input of shape "
                f"{list(shape)}"
            )
    _verify_batch_size([n * c // num_groups, num_groups, *shape[2:]])
    bshape = (1, c) + (1,) * (ndim - 2)
    xr = d.reshape(n, num_groups, -1)
    mean = xr.mean(axis=2, keepdims=True)
    xc = xr - mean
    var = np.mean(xc * xc, axis=2, keepdims=True)
    rstd = 1.0 / np.sqrt(var + eps)
    xc *= rstd
    out = xc.reshape(shape)
    if weight is not None:
        out *= weight._data.reshape(bshape)
    if bias is not None:
        out += bias._data.reshape(bshape)
    res = new_tensor(out)
    if _any_grad(input, weight, bias):
        node = NativeGroupNormBackward0()
        attach(res, node, input, weight, bias)
        node.save(input, weight, _const(mean), _const(rstd), num_groups, bshape, eps)
    return res


# -- RMS norm and local response norm (composites) --------------------------------------------


class FusedRmsNormBackward0(Node):
    """RMS norm as one node (the CUDA kernel's path; see ``_fused_rms_norm``)."""

    __slots__ = ()

    def backward(self, F, grad, x, weight, rstd, rows, size, wshape, eps):
        x2 = x.reshape((rows, size))
        g2 = grad.reshape((rows, size))
        w = None if weight is None else weight.reshape((size,))
        if not F.graph:
            gx, gw = cuda_kernels().rms_norm_backward(g2, x2, rstd, w)
        else:  # recomputed with differentiable ops
            r = 1.0 / F.sqrt(F.mean(x2 * x2, axis=1, keepdims=True) + eps)
            xhat = x2 * r
            gxhat = g2 if w is None else g2 * w
            gx = (gxhat - xhat * F.mean(gxhat * xhat, axis=1, keepdims=True)) * r
            gw = None if w is None else F.sum(g2 * xhat, axis=0)
        gx = gx.reshape(tuple(x.shape)) if self._next[0] is not None else None
        gw = gw.reshape(wshape) if (gw is not None and self._next[1] is not None) else None
        return gx, gw


def _fused_rms_norm(input: Tensor, normalized_shape, weight, eps: float) -> Tensor:
    d = input._data
    size = math.prod(normalized_shape)
    rows = d.size // size if size else 0
    x2 = d.reshape(rows, size)
    w = None if weight is None else weight._data.reshape(size)
    y, rstd = cuda_kernels().rms_norm_forward(x2, w, eps)
    res = new_tensor(y.reshape(d.shape))
    if _any_grad(input, weight):
        node = FusedRmsNormBackward0()
        attach(res, node, input, weight)
        node.save(input, weight, rstd, rows, size, normalized_shape, eps)
    return res


def rms_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Root-mean-square normalization over the trailing ``normalized_shape`` dimensions:
    ``x / sqrt(mean(x**2) + eps) * weight``; ``eps=None`` uses the dtype's machine epsilon.

    Example:
        >>> import ember
        >>> ember.nn.functional.rms_norm(ember.tensor([[3.0, 4.0]]), [2])
        tensor([[0.8485, 1.1314]])
    """
    if _amp.active:
        input, weight = _amp.cast("rms_norm", input, weight)
    d = _float_data(input, "rms_norm")
    normalized_shape = _as_shape(normalized_shape)
    _check_normalized_shape("rms_norm", d.shape, normalized_shape, weight, None, star_sep="")
    if eps is None:
        eps = float(np.finfo(d.dtype).eps)
    if d.__class__ is not np.ndarray and cuda_kernels().supports(d):
        return _fused_rms_norm(input, normalized_shape, weight, eps)
    dims = tuple(range(-len(normalized_shape), 0))
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    if weight is not None:
        out = out * weight
    return out


def local_response_norm(
    input: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0
) -> Tensor:
    """Normalise each value by the energy of its ``size`` neighbouring channels:
    ``x / (k + alpha * mean_window(x**2)) ** beta``, the window zero-padded at the edges.

    Example:
        >>> import ember
        >>> y = ember.nn.functional.local_response_norm(ember.ones(1, 3, 1), 2, alpha=1.0)
        >>> y.flatten()
        tensor([0.7378, 0.5946, 0.5946])
    """
    import ember

    d = _float_data(input, "local_response_norm")
    ndim = d.ndim
    if ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {ndim} dimensions)")
    if d.size == 0:
        return input
    shape = tuple(d.shape)
    sq = input * input
    front, back = size // 2, (size - 1) // 2
    pads = []
    if front:
        pads.append(ember.zeros((shape[0], front) + shape[2:], dtype=input.dtype,
                                device=input.device))  # fmt: skip
    pads.append(sq)
    if back:
        pads.append(ember.zeros((shape[0], back) + shape[2:], dtype=input.dtype,
                                device=input.device))  # fmt: skip
    padded = ember.cat(pads, dim=1) if len(pads) > 1 else sq
    c = shape[1]
    total = padded.narrow(1, 0, c)
    for i in range(1, size):
        total = total + padded.narrow(1, i, c)
    div = (total * (alpha / size) + k) ** beta
    return input / div
