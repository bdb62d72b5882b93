"""NumPy counterparts of the CUDA kernels (same names, same signatures, same results).

Conventions shared with ``ember.backends.cuda.kernels``:

* row ops (softmax family, cross-entropy, layer/RMS norm) work on a 2-D array ``(rows, n)``
  reduced along its last axis, except ``softmax_*``/``log_softmax_*`` which take any ``axis``;
* ``cross_entropy_*`` take logits ``(N, C)``, integer targets ``(N,)``, an optional class
  weight ``(C,)`` and return per-row values: the caller applies the reduction;
* the optimizer updates work in place on same-shaped arrays;
* ``im2col``/``col2im`` use the layout of ``ember.nn.functional.conv`` (``(C, *K, N, *OS)``);
* ``dropout_*`` draw the keep mask from a counter-based hash of ``(seed, element index)``, so
  a seed gives the same mask on both devices.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "supports",
    "softmax_forward",
    "softmax_backward",
    "log_softmax_forward",
    "log_softmax_backward",
    "cross_entropy_forward",
    "cross_entropy_backward",
    "layer_norm_forward",
    "layer_norm_backward",
    "rms_norm_forward",
    "rms_norm_backward",
    "gelu_forward",
    "gelu_backward",
    "silu_forward",
    "silu_backward",
    "dropout_mask",
    "dropout_forward",
    "sgd_update_",
    "adam_update_",
    "im2col",
    "col2im",
    "max_pool2d_with_indices",
    "max_pool2d_backward",
    "amp_unscale_",
]

_GELU_C = 0.044715
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def supports(arr) -> bool:
    """True for the dtypes the CUDA kernels are compiled for (float32 and float64)."""
    return arr.dtype in (np.float32, np.float64)


# -- softmax family ---------------------------------------------------------------------------


def softmax_forward(x, axis: int):
    """``exp(x - max) / sum(exp(x - max))`` along ``axis``."""
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def softmax_backward(grad, y, axis: int):
    """The input gradient of softmax, from its output ``y``: ``y * (g - sum(g * y))``."""
    return y * (grad - (grad * y).sum(axis=axis, keepdims=True))


def log_softmax_forward(x, axis: int):
    """``x - max - log(sum(exp(x - max)))`` along ``axis``."""
    s = x - x.max(axis=axis, keepdims=True)
    return s - np.log(np.exp(s).sum(axis=axis, keepdims=True))


def log_softmax_backward(grad, y, axis: int):
    """The input gradient of log-softmax, from its output ``y``: ``g - exp(y) * sum(g)``."""
    return grad - np.exp(y) * grad.sum(axis=axis, keepdims=True)


# -- cross-entropy with class indices ---------------------------------------------------------


def _class_weights(weight, C: int, dtype):
    return np.ones(C, dtype) if weight is None else weight.astype(dtype, copy=False)


def cross_entropy_forward(x, target, weight, ignore_index: int, label_smoothing: float):
    """Per-row cross-entropy of logits ``x`` ``(N, C)`` against class indices ``target``.

    Returns ``(loss, lse, w_row)``, each ``(N,)``: the row's loss (weighted, smoothed, 0 for
    an ignored row), ``logsumexp(x_row)`` and the row's weight ``weight[target]`` (0 when
    ignored), from which the caller's ``'mean'`` divides by ``w_row.sum()``.
    """
    N, C = x.shape
    m = x.max(axis=1, keepdims=True)
    lse = np.log(np.exp(x - m).sum(axis=1)) + m[:, 0]
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    w = _class_weights(weight, C, x.dtype)
    w_row = np.where(valid, w[safe], 0).astype(x.dtype)
    loss = w_row * (lse - x[np.arange(N), safe])
    if label_smoothing > 0:
        smooth = (w.sum() * lse - x @ w) * valid
        loss = loss * (1 - label_smoothing) + smooth * (label_smoothing / C)
    return loss.astype(x.dtype, copy=False), lse.astype(x.dtype), w_row


def cross_entropy_backward(
    grad_rows, x, target, lse, w_row, weight, ignore_index: int, label_smoothing: float
):
    """The logits' gradient given the upstream gradient of each row's loss ``grad_rows``
    ``(N,)`` (already divided by the summed weights for ``'mean'``)."""
    N, C = x.shape
    p = np.exp(x - lse[:, None])
    valid = (target != ignore_index).astype(x.dtype)
    w = _class_weights(weight, C, x.dtype)
    onehot = np.zeros_like(x)
    onehot[np.arange(N), np.where(target != ignore_index, target, 0)] = 1
    eps = label_smoothing
    g = (1 - eps) * w_row[:, None] * (p - onehot)
    g = g + (eps / C) * valid[:, None] * (w.sum() * p - w[None, :])
    return (grad_rows[:, None] * g).astype(x.dtype, copy=False)


# -- layer norm and RMS norm over the last axis of (rows, n) ----------------------------------


def layer_norm_forward(x, weight, bias, eps: float):
    """``((x - mean) * rstd) * weight + bias`` per row; returns ``(y, mean, rstd)``, the
    statistics ``(rows,)``."""
    mean = x.mean(axis=1)
    xc = x - mean[:, None]
    rstd = 1.0 / np.sqrt((xc * xc).mean(axis=1) + eps)
    y = xc * rstd[:, None]
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y.astype(x.dtype, copy=False), mean, rstd.astype(x.dtype, copy=False)


def layer_norm_backward(grad, x, mean, rstd, weight):
    """``(grad_input, grad_weight, grad_bias)`` of ``layer_norm_forward`` (the last two
    None without a weight)."""
    n = x.shape[1]
    xhat = (x - mean[:, None]) * rstd[:, None]
    gxhat = grad if weight is None else grad * weight
    s1 = gxhat.sum(axis=1, keepdims=True) / n
    s2 = (gxhat * xhat).sum(axis=1, keepdims=True) / n
    gx = (gxhat - s1 - xhat * s2) * rstd[:, None]
    if weight is None:
        return gx, None, None
    return gx, (grad * xhat).sum(axis=0), grad.sum(axis=0)


def rms_norm_forward(x, weight, eps: float):
    """``x * rstd * weight`` with ``rstd = 1 / sqrt(mean(x**2) + eps)`` per row; returns
    ``(y, rstd)``."""
    rstd = 1.0 / np.sqrt((x * x).mean(axis=1) + eps)
    y = x * rstd[:, None]
    if weight is not None:
        y = y * weight
    return y.astype(x.dtype, copy=False), rstd.astype(x.dtype, copy=False)


def rms_norm_backward(grad, x, rstd, weight):
    """``(grad_input, grad_weight)`` of ``rms_norm_forward`` (None without a weight)."""
    n = x.shape[1]
    xhat = x * rstd[:, None]
    gxhat = grad if weight is None else grad * weight
    s2 = (gxhat * xhat).sum(axis=1, keepdims=True) / n
    gx = (gxhat - xhat * s2) * rstd[:, None]
    return gx, (None if weight is None else (grad * xhat).sum(axis=0))


# -- GELU and SiLU ----------------------------------------------------------------------------


def _erf(z):
    return np.vectorize(math.erf, otypes=[np.float64])(z)


def gelu_forward(x, approximate: str = "none"):
    """``x * Phi(x)`` (``approximate='tanh'``: the tanh formula)."""
    xd = x.astype(np.float64)
    if approximate == "tanh":
        y = 0.5 * xd * (1.0 + np.tanh(_SQRT_2_OVER_PI * (xd + _GELU_C * xd**3)))
    else:
        y = 0.5 * xd * (1.0 + _erf(xd / math.sqrt(2.0)))
    return y.astype(x.dtype)


def gelu_backward(grad, x, approximate: str = "none"):
    """``grad * d gelu / dx``."""
    xd = x.astype(np.float64)
    if approximate == "tanh":
        t = np.tanh(_SQRT_2_OVER_PI * (xd + _GELU_C * xd**3))
        d = 0.5 * (1 + t) + 0.5 * xd * (1 - t * t) * _SQRT_2_OVER_PI * (1 + 3 * _GELU_C * xd**2)
    else:
        d = 0.5 * (1.0 + _erf(xd / math.sqrt(2.0))) + xd * np.exp(-0.5 * xd * xd) * _INV_SQRT_2PI
    return (grad * d).astype(x.dtype)


def silu_forward(x):
    """``x * sigmoid(x)``."""
    with np.errstate(over="ignore"):
        return x / (1 + np.exp(-x))


def silu_backward(grad, x):
    """``grad * s * (1 + x * (1 - s))`` with ``s = sigmoid(x)``."""
    with np.errstate(over="ignore"):
        s = 1 / (1 + np.exp(-x))
    return grad * s * (1 + x * (1 - s))


# -- dropout ----------------------------------------------------------------------------------

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _uniform(n: int, seed: int):
    """``n`` uniform float32 numbers in [0, 1): splitmix64 of ``seed + (i + 1) * golden``,
    top 24 bits (the same arithmetic as the CUDA kernel)."""
    z = np.uint64(seed) + (np.arange(n, dtype=np.uint64) + np.uint64(1)) * _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    z ^= z >> np.uint64(31)
    return (z >> np.uint64(40)).astype(np.float32) * np.float32(2.0**-24)


def dropout_mask(shape, p: float, seed: int, dtype):
    """``keep / (1 - p)`` of ``shape`` (0 where dropped), keeping with probability ``1 - p``."""
    n = math.prod(shape)
    keep = _uniform(n, seed) >= np.float32(p)
    scale = np.asarray(1.0 / (1.0 - p), dtype) if p < 1 else np.asarray(0, dtype)
    return (keep.astype(dtype) * scale).reshape(shape)


def dropout_forward(x, p: float, seed: int):
    """``(x * mask, mask)`` with ``mask = dropout_mask(x.shape, p, seed, x.dtype)``."""
    mask = dropout_mask(x.shape, p, seed, x.dtype)
    return x * mask, mask


# -- optimizer updates (in place) -------------------------------------------------------------


def sgd_update_(
    param, grad, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov, maximize, first
):
    """One SGD step on ``param`` (and ``momentum_buffer`` when ``momentum != 0``), in place,
    as ``ember.optim.SGD`` computes it; ``first``: the buffer starts as the gradient."""
    d = -grad if maximize else grad
    if weight_decay:
        d = d + weight_decay * param
    if momentum:
        if first:
            momentum_buffer[...] = d
        else:
            momentum_buffer *= momentum
            momentum_buffer += (1 - dampening) * d
        d = d + momentum * momentum_buffer if nesterov else momentum_buffer
    param -= lr * d


def adam_update_(
    param,
    grad,
    exp_avg,
    exp_avg_sq,
    max_exp_avg_sq,
    lr,
    beta1,
    beta2,
    eps,
    weight_decay,
    amsgrad,
    maximize,
    decoupled,
    step_size,
    bias_correction2_sqrt,
):
    """One Adam (``decoupled=True``: AdamW) step in place; ``step_size = lr / (1 - beta1**t)``
    and ``bias_correction2_sqrt = sqrt(1 - beta2**t)`` come from the step count ``t``."""
    d = -grad if maximize else grad
    if weight_decay:
        if decoupled:
            param *= 1 - lr * weight_decay
        else:
            d = d + weight_decay * param
    w1 = 1 - beta1
    if abs(w1) < 0.5:
        exp_avg += (d - exp_avg) * w1
    else:
        exp_avg[...] = d - (d - exp_avg) * (1 - w1)
    exp_avg_sq *= beta2
    exp_avg_sq += (1 - beta2) * d * d
    v = exp_avg_sq
    if amsgrad:
        np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
        v = max_exp_avg_sq
    denom = np.sqrt(v) / bias_correction2_sqrt + eps
    param += (exp_avg * -step_size) / denom


# -- convolution and pooling ------------------------------------------------------------------


def im2col(x, K, stride, dilation, lo, hi, OS):
    """The ``(C, *K, N, *OS)`` patch matrix of ``x`` ``(N, C, *S)``."""
    from ...nn.functional.conv import _im2col_strided

    return _im2col_strided(x, K, stride, dilation, lo, hi, OS)


def col2im(col, S, stride, dilation, lo, hi):
    """The adjoint of ``im2col``: patches summed back into ``(N, C, *S)``."""
    from ...nn.functional.conv import _col2im_sliced

    return _col2im_sliced(col, S, stride, dilation, lo, hi)


def max_pool2d_with_indices(x, kernel_size, stride, padding, dilation, out_size):
    """Max over the 2-D windows of ``x`` ``(B, H, W)``: ``(values, indices)``, each
    ``(B, OH, OW)``; an index is the winner's flat position ``h * W + w`` in its plane. The
    first maximum in row-major order wins; a NaN beats everything (the last NaN wins)."""
    B, H, W = x.shape
    kh, kw = kernel_size
    sh, sw = stride
    ph, pw = padding
    dh, dw = dilation
    OH, OW = out_size
    Hp = max(H + 2 * ph, (OH - 1) * sh + (kh - 1) * dh + 1)
    Wp = max(W + 2 * pw, (OW - 1) * sw + (kw - 1) * dw + 1)
    padded = np.full((B, Hp, Wp), -np.inf, dtype=x.dtype)
    padded[:, ph : ph + H, pw : pw + W] = x
    # padded coordinates of each window element, (OH, OW, kh * kw) in row-major scan order
    rows = (np.arange(OH) * sh)[:, None, None, None] + (np.arange(kh) * dh)[None, None, :, None]
    cols = (np.arange(OW) * sw)[None, :, None, None] + (np.arange(kw) * dw)[None, None, None, :]
    rows, cols = (np.broadcast_to(a, (OH, OW, kh, kw)).reshape(OH, OW, -1) for a in (rows, cols))
    win = padded[:, rows, cols]  # (B, OH, OW, kh * kw)
    nan = np.isnan(win)
    last_nan = kh * kw - 1 - np.argmax(nan[..., ::-1], axis=-1)
    arg = np.where(nan.any(axis=-1), last_nan, np.argmax(win, axis=-1))[..., None]
    values = np.take_along_axis(win, arg, axis=-1)[..., 0]
    h = np.take_along_axis(rows[None], arg, axis=-1)[..., 0] - ph
    w = np.take_along_axis(cols[None], arg, axis=-1)[..., 0] - pw
    return values, (h * W + w).astype(np.int64)


def max_pool2d_backward(grad, indices, in_shape):
    """The input gradient of max pooling: ``grad`` ``(B, OH, OW)`` added at ``indices`` into
    planes of ``in_shape`` ``(B, H, W)``."""
    B, H, W = in_shape
    gx = np.zeros((B, H * W), dtype=grad.dtype)
    rows = np.broadcast_to(np.arange(B)[:, None], (B, indices[0].size)).reshape(B, -1)
    np.add.at(gx, (rows, indices.reshape(B, -1)), grad.reshape(B, -1))
    return gx.reshape(in_shape)


# -- mixed precision --------------------------------------------------------------------------


def amp_unscale_(grads, inv_scale: float):
    """Multiply each array of ``grads`` by ``inv_scale`` in place and return a 0-d float64
    array that is non-finite exactly when some gradient holds an inf or a NaN."""
    total = np.zeros((), np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # infs and NaNs are what we look for
        for g in grads:
            np.multiply(g, g.dtype.type(inv_scale), out=g)
            if g.dtype == np.float64:
                total = total + (0.0 if np.isfinite(g).all() else np.inf)
            else:
                total = total + g.sum(dtype=np.float64)
    return total
