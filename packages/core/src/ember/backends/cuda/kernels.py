"""CUDA kernels for the hot fused ops, on CuPy arrays (compiled lazily, on first use).

Each function has the name and signature of its NumPy counterpart in
``ember.backends.cpu.kernels`` and computes the same function; see that module for the
conventions. Row kernels (softmax family, cross-entropy, layer/RMS norm, the GradScaler's
unscale) are ``RawModule`` kernels with one 256-thread block per row, compiled for float32
and float64; ``supports(arr)`` says whether an array's dtype has them (callers keep their
generic CuPy code for other dtypes). Elementwise kernels (GELU, SiLU, dropout, the optimizer
updates, im2col/col2im, max pooling) are ``ElementwiseKernel``s.
"""

from __future__ import annotations

import math

import numpy as np

from ._source import BLOCK, ROW_KERNELS

_CTYPE = {np.dtype(np.float32): "float", np.dtype(np.float64): "double"}
_modules: dict = {}
_elementwise: dict = {}


def _cupy():
    import cupy

    return cupy


def supports(arr) -> bool:
    """True when the kernels handle ``arr``'s dtype (float32 and float64)."""
    return arr.dtype in _CTYPE


def _row_fn(dtype, name: str):
    """Kernel ``name`` of the row-kernel module compiled for ``dtype`` (compiled once)."""
    key = np.dtype(dtype)
    module = _modules.get(key)
    if module is None:
        cp = _cupy()
        module = cp.RawModule(code="#define T " + _CTYPE[key] + "\n" + ROW_KERNELS)
        _modules[key] = module
    return module.get_function(name)


def _kernel(name: str, build):
    k = _elementwise.get(name)
    if k is None:
        k = _elementwise[name] = build(_cupy())
    return k


def _rows(x):
    """``x`` as a C-contiguous 2-D array ``(rows, last)``."""
    cp = _cupy()
    return cp.ascontiguousarray(x).reshape(-1, x.shape[-1]) if x.ndim else x.reshape(1, 1)


def _launch_rows(name, x2, *args):
    rows = x2.shape[0]
    if rows:
        _row_fn(x2.dtype, name)((rows,), (BLOCK,), args)


# -- softmax family ---------------------------------------------------------------------------


def _softmax_like(x, axis: int, log_mode: int):
    cp = _cupy()
    moved = cp.moveaxis(x, axis, -1)
    x2 = _rows(moved)
    y2 = cp.empty_like(x2)
    _launch_rows("softmax_fwd", x2, x2, y2, np.int64(x2.shape[1]), np.int32(log_mode))
    return cp.moveaxis(y2.reshape(moved.shape), -1, axis)


def _softmax_like_backward(grad, y, axis: int, log_mode: int):
    cp = _cupy()
    moved = cp.moveaxis(y, axis, -1)
    g2 = _rows(cp.moveaxis(grad, axis, -1))
    y2 = _rows(moved)
    gx = cp.empty_like(y2)
    _launch_rows("softmax_bwd", y2, g2, y2, gx, np.int64(y2.shape[1]), np.int32(log_mode))
    return cp.moveaxis(gx.reshape(moved.shape), -1, axis)


def softmax_forward(x, axis: int):
    return _softmax_like(x, axis, 0)


def softmax_backward(grad, y, axis: int):
    return _softmax_like_backward(grad, y, axis, 0)


def log_softmax_forward(x, axis: int):
    return _softmax_like(x, axis, 1)


def log_softmax_backward(grad, y, axis: int):
    return _softmax_like_backward(grad, y, axis, 1)


# -- cross-entropy with class indices ---------------------------------------------------------


def cross_entropy_forward(x, target, weight, ignore_index: int, label_smoothing: float):
    cp = _cupy()
    x = cp.ascontiguousarray(x)
    N, C = x.shape
    t = cp.ascontiguousarray(target, dtype=cp.int64)
    w = x if weight is None else cp.ascontiguousarray(weight, dtype=x.dtype)
    wsum = float(C) if weight is None else float(w.sum())
    loss = cp.empty(N, x.dtype)
    lse = cp.empty(N, x.dtype)
    w_row = cp.empty(N, x.dtype)
    dt = x.dtype.type
    _launch_rows(
        "ce_fwd",
        x,
        x,
        t,
        w,
        loss,
        lse,
        w_row,
        np.int64(C),
        np.int64(ignore_index),
        dt(label_smoothing),
        dt(wsum),
        np.int32(weight is not None),
    )
    return loss, lse, w_row


def _ce_backward_kernel(cp):
    return cp.ElementwiseKernel(
        "T x, T lse, int64 t, T wt, T grow, T wc, int64 C, int64 ignore, T eps, T W",
        "T gx",
        """
        const long long c = i % C;
        const T p = exp(x - lse);
        const T onehot = (c == t) ? (T)1 : (T)0;
        const T valid = (t == ignore) ? (T)0 : (T)1;
        gx = grow * (((T)1 - eps) * wt * (p - onehot) + eps / (T)C * valid * (W * p - wc));
        """,
        "ember_cross_entropy_backward",
    )


def cross_entropy_backward(
    grad_rows, x, target, lse, w_row, weight, ignore_index: int, label_smoothing: float
):
    cp = _cupy()
    N, C = x.shape
    dt = x.dtype.type
    wc = cp.ones((1, C), x.dtype) if weight is None else weight.astype(x.dtype).reshape(1, C)
    W = float(C) if weight is None else float(weight.sum())
    gx = cp.empty((N, C), x.dtype)
    _kernel("ce_bwd", _ce_backward_kernel)(
        x,
        lse.reshape(N, 1),
        target.astype(cp.int64).reshape(N, 1),
        w_row.reshape(N, 1),
        grad_rows.astype(x.dtype).reshape(N, 1),
        wc,
        np.int64(C),
        np.int64(ignore_index),
        dt(label_smoothing),
        dt(W),
        gx,
    )
    return gx


# -- layer norm and RMS norm ------------------------------------------------------------------


def _norm_forward(x, weight, bias, eps, rms: int):
    cp = _cupy()
    x = cp.ascontiguousarray(x)
    rows, n = x.shape
    y = cp.empty_like(x)
    mean = cp.zeros(rows, x.dtype)
    rstd = cp.empty(rows, x.dtype)
    w = x if weight is None else cp.ascontiguousarray(weight, dtype=x.dtype)
    b = x if bias is None else cp.ascontiguousarray(bias, dtype=x.dtype)
    _launch_rows(
        "norm_fwd",
        x,
        x,
        w,
        b,
        y,
        mean,
        rstd,
        np.int64(n),
        x.dtype.type(eps),
        np.int32(weight is not None),
        np.int32(bias is not None),
        np.int32(rms),
    )
    return y, mean, rstd


def _norm_backward(grad, x, mean, rstd, weight, rms: int):
    cp = _cupy()
    x = cp.ascontiguousarray(x)
    g = cp.ascontiguousarray(grad, dtype=x.dtype)
    n = x.shape[1]
    gx = cp.empty_like(x)
    w = x if weight is None else cp.ascontiguousarray(weight, dtype=x.dtype)
    _launch_rows(
        "norm_bwd",
        x,
        g,
        x,
        w,
        mean,
        rstd,
        gx,
        np.int64(n),
        np.int32(weight is not None),
        np.int32(rms),
    )
    return gx


def layer_norm_forward(x, weight, bias, eps: float):
    return _norm_forward(x, weight, bias, eps, 0)


def layer_norm_backward(grad, x, mean, rstd, weight):
    gx = _norm_backward(grad, x, mean, rstd, weight, 0)
    if weight is None:
        return gx, None, None
    xhat = (x - mean[:, None]) * rstd[:, None]
    return gx, (grad * xhat).sum(axis=0), grad.sum(axis=0)


def rms_norm_forward(x, weight, eps: float):
    y, _, rstd = _norm_forward(x, weight, None, eps, 1)
    return y, rstd


def rms_norm_backward(grad, x, rstd, weight):
    gx = _norm_backward(grad, x, rstd, rstd, weight, 1)
    return gx, (None if weight is None else (grad * (x * rstd[:, None])).sum(axis=0))


# -- GELU and SiLU ----------------------------------------------------------------------------

_GELU_PRE = """
#define GELU_K0 0.7978845608028654
#define GELU_K1 0.044715
#define INV_SQRT2 0.7071067811865476
#define INV_SQRT_2PI 0.3989422804014327
"""


def _gelu_kernels(cp):
    fwd_none = cp.ElementwiseKernel(
        "T x",
        "T y",
        "y = (T)0.5 * x * ((T)1 + erf(x * (T)INV_SQRT2));",
        "ember_gelu_fwd",
        preamble=_GELU_PRE,
    )
    fwd_tanh = cp.ElementwiseKernel(
        "T x",
        "T y",
        "y = (T)0.5 * x * ((T)1 + tanh((T)GELU_K0 * (x + (T)GELU_K1 * x * x * x)));",
        "ember_gelu_tanh_fwd",
        preamble=_GELU_PRE,
    )
    bwd_none = cp.ElementwiseKernel(
        "T g, T x",
        "T gx",
        """
        const T cdf = (T)0.5 * ((T)1 + erf(x * (T)INV_SQRT2));
        gx = g * (cdf + x * exp((T)-0.5 * x * x) * (T)INV_SQRT_2PI);
        """,
        "ember_gelu_bwd",
        preamble=_GELU_PRE,
    )
    bwd_tanh = cp.ElementwiseKernel(
        "T g, T x",
        "T gx",
        """
        const T t = tanh((T)GELU_K0 * (x + (T)GELU_K1 * x * x * x));
        gx = g * ((T)0.5 * ((T)1 + t)
                  + (T)0.5 * x * ((T)1 - t * t) * (T)GELU_K0 * ((T)1 + (T)3 * (T)GELU_K1 * x * x));
        """,
        "ember_gelu_tanh_bwd",
        preamble=_GELU_PRE,
    )
    return {"none": (fwd_none, bwd_none), "tanh": (fwd_tanh, bwd_tanh)}


def gelu_forward(x, approximate: str = "none"):
    return _kernel("gelu", _gelu_kernels)[approximate][0](x)


def gelu_backward(grad, x, approximate: str = "none"):
    return _kernel("gelu", _gelu_kernels)[approximate][1](grad, x)


def _silu_kernels(cp):
    fwd = cp.ElementwiseKernel("T x", "T y", "y = x / ((T)1 + exp(-x));", "ember_silu_fwd")
    bwd = cp.ElementwiseKernel(
        "T g, T x",
        "T gx",
        "const T s = (T)1 / ((T)1 + exp(-x)); gx = g * s * ((T)1 + x * ((T)1 - s));",
        "ember_silu_bwd",
    )
    return fwd, bwd


def silu_forward(x):
    return _kernel("silu", _silu_kernels)[0](x)


def silu_backward(grad, x):
    return _kernel("silu", _silu_kernels)[1](grad, x)


# -- dropout ----------------------------------------------------------------------------------


def _dropout_kernel(cp):
    return cp.ElementwiseKernel(
        "uint64 seed, float32 p, T scale",
        "T mask",
        """
        unsigned long long z = seed + ((unsigned long long)i + 1ULL) * 0x9E3779B97F4A7C15ULL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z = z ^ (z >> 31);
        const float u = (float)(z >> 40) * 5.9604644775390625e-08f;
        mask = (u >= p) ? scale : (T)0;
        """,
        "ember_dropout_mask",
    )


def dropout_mask(shape, p: float, seed: int, dtype):
    cp = _cupy()
    mask = cp.empty(shape, dtype)
    scale = np.dtype(dtype).type(1.0 / (1.0 - p) if p < 1 else 0.0)
    _kernel("dropout", _dropout_kernel)(np.uint64(seed), np.float32(p), scale, mask)
    return mask


def dropout_forward(x, p: float, seed: int):
    mask = dropout_mask(x.shape, p, seed, x.dtype)
    return x * mask, mask


# -- optimizer updates ------------------------------------------------------------------------


def _sgd_kernels(cp):
    params = "T g, T lr, T momentum, T dampening, T wd, int32 nesterov, int32 maximize"
    plain = cp.ElementwiseKernel(
        params,
        "T p",
        "T d = maximize ? -g : g; if (wd != (T)0) d += wd * p; p = p - lr * d;",
        "ember_sgd",
    )
    with_momentum = cp.ElementwiseKernel(
        params + ", int32 first",
        "T p, T buf",
        """
        T d = maximize ? -g : g;
        if (wd != (T)0) d += wd * p;
        if (first) buf = d;
        else buf = buf * momentum + ((T)1 - dampening) * d;
        d = nesterov ? d + momentum * buf : buf;
        p = p - lr * d;
        """,
        "ember_sgd_momentum",
    )
    return plain, with_momentum


def sgd_update_(
    param, grad, momentum_buffer, lr, momentum, dampening, weight_decay, nesterov, maximize, first
):
    dt = param.dtype.type
    plain, with_momentum = _kernel("sgd", _sgd_kernels)
    args = (
        grad,
        dt(lr),
        dt(momentum),
        dt(dampening),
        dt(weight_decay),
        np.int32(nesterov),
        np.int32(maximize),
    )
    if momentum:
        with_momentum(*args, np.int32(first), param, momentum_buffer)
    else:
        plain(*args, param)


_ADAM_BODY = """
T d = maximize ? -g : g;
if (wd != (T)0) {
    if (decoupled) p = p * ((T)1 - lr * wd);
    else d += wd * p;
}
const T w1 = (T)1 - beta1;
if (fabs((double)w1) < 0.5) m = m + (d - m) * w1;
else m = d - (d - m) * ((T)1 - w1);
v = v * beta2 + ((T)1 - beta2) * d * d;
"""


def _adam_kernels(cp):
    params = (
        "T g, T lr, T beta1, T beta2, T eps, T wd, int32 maximize, int32 decoupled, "
        "T step_size, T bc2"
    )
    plain = cp.ElementwiseKernel(
        params,
        "T p, T m, T v",
        _ADAM_BODY + "p = p + (m * -step_size) / (sqrt(v) / bc2 + eps);",
        "ember_adam",
    )
    amsgrad = cp.ElementwiseKernel(
        params,
        "T p, T m, T v, T vmax",
        _ADAM_BODY
        + "vmax = vmax > v ? vmax : v; p = p + (m * -step_size) / (sqrt(vmax) / bc2 + eps);",
        "ember_adam_amsgrad",
    )
    return plain, amsgrad


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
    dt = param.dtype.type
    plain, with_max = _kernel("adam", _adam_kernels)
    args = (
        grad,
        dt(lr),
        dt(beta1),
        dt(beta2),
        dt(eps),
        dt(weight_decay),
        np.int32(maximize),
        np.int32(decoupled),
        dt(step_size),
        dt(bias_correction2_sqrt),
    )
    if amsgrad:
        with_max(*args, param, exp_avg, exp_avg_sq, max_exp_avg_sq)
    else:
        plain(*args, param, exp_avg, exp_avg_sq)


# -- convolution and pooling ------------------------------------------------------------------

_GEOM = "int64 N, int64 C, int64 H, int64 W, int64 KH, int64 KW, int64 OH, int64 OW, "
_GEOM += "int64 sh, int64 sw, int64 dh, int64 dw, int64 ph, int64 pw"


def _im2col_kernel(cp):
    return cp.ElementwiseKernel(
        "raw T x, " + _GEOM,
        "T col",
        """
        long long r = i;
        const long long ow = r % OW; r /= OW;
        const long long oh = r % OH; r /= OH;
        const long long n = r % N; r /= N;
        const long long kw = r % KW; r /= KW;
        const long long kh = r % KH; r /= KH;
        const long long c = r;
        const long long h = oh * sh - ph + kh * dh;
        const long long w = ow * sw - pw + kw * dw;
        col = (h >= 0 && h < H && w >= 0 && w < W) ? x[((n * C + c) * H + h) * W + w] : (T)0;
        """,
        "ember_im2col",
    )


def _col2im_kernel(cp):
    return cp.ElementwiseKernel(
        "raw T col, " + _GEOM,
        "T x",
        """
        long long r = i;
        const long long w = r % W; r /= W;
        const long long h = r % H; r /= H;
        const long long c = r % C; r /= C;
        const long long n = r;
        T acc = (T)0;
        for (long long kh = 0; kh < KH; ++kh) {
            const long long hh = h + ph - kh * dh;
            if (hh < 0 || hh % sh != 0 || hh / sh >= OH) continue;
            const long long oh = hh / sh;
            for (long long kw = 0; kw < KW; ++kw) {
                const long long ww = w + pw - kw * dw;
                if (ww < 0 || ww % sw != 0 || ww / sw >= OW) continue;
                const long long ow = ww / sw;
                acc += col[((((c * KH + kh) * KW + kw) * N + n) * OH + oh) * OW + ow];
            }
        }
        x = acc;
        """,
        "ember_col2im",
    )


def _as_2d_geometry(K, stride, dilation, lo, OS):
    """1-D geometry as 2-D with a height of one."""
    if len(K) == 1:
        return (1, K[0]), (1, stride[0]), (1, dilation[0]), (0, lo[0]), (1, OS[0])
    return tuple(K), tuple(stride), tuple(dilation), tuple(lo), tuple(OS)


def im2col(x, K, stride, dilation, lo, hi, OS):
    cp = _cupy()
    if len(K) > 2:
        from ...nn.functional.conv import _im2col_strided

        return _im2col_strided(x, K, stride, dilation, lo, hi, OS)
    N, C = x.shape[:2]
    H, W = (1, x.shape[2]) if len(K) == 1 else x.shape[2:]
    (KH, KW), (sh, sw), (dh, dw), (ph, pw), (OH, OW) = _as_2d_geometry(K, stride, dilation, lo, OS)
    col = cp.empty((C, *K, N, *OS), x.dtype)
    _kernel("im2col", _im2col_kernel)(
        cp.ascontiguousarray(x), N, C, H, W, KH, KW, OH, OW, sh, sw, dh, dw, ph, pw, col
    )
    return col


def col2im(col, S, stride, dilation, lo, hi):
    cp = _cupy()
    nd = len(S)
    if nd > 2:
        from ...nn.functional.conv import _col2im_sliced

        return _col2im_sliced(col, S, stride, dilation, lo, hi)
    C = col.shape[0]
    K = col.shape[1 : 1 + nd]
    N = col.shape[1 + nd]
    OS = col.shape[2 + nd :]
    H, W = (1, S[0]) if nd == 1 else S
    (KH, KW), (sh, sw), (dh, dw), (ph, pw), (OH, OW) = _as_2d_geometry(K, stride, dilation, lo, OS)
    x = cp.empty((N, C, *S), col.dtype)
    _kernel("col2im", _col2im_kernel)(
        cp.ascontiguousarray(col), N, C, H, W, KH, KW, OH, OW, sh, sw, dh, dw, ph, pw, x
    )
    return x


def _max_pool_kernels(cp):
    fwd = cp.ElementwiseKernel(
        "raw T x, int64 H, int64 W, int64 OH, int64 OW, int64 KH, int64 KW, int64 sh, "
        "int64 sw, int64 ph, int64 pw, int64 dh, int64 dw",
        "T y, int64 idx",
        """
        long long r = i;
        const long long ow = r % OW; r /= OW;
        const long long oh = r % OH;
        const long long b = r / OH;
        const long long base = b * H * W;
        T best = (T)0;
        long long arg = -1;
        for (long long kh = 0; kh < KH; ++kh) {
            const long long h = oh * sh - ph + kh * dh;
            if (h < 0 || h >= H) continue;
            for (long long kw = 0; kw < KW; ++kw) {
                const long long w = ow * sw - pw + kw * dw;
                if (w < 0 || w >= W) continue;
                const T v = x[base + h * W + w];
                if (arg < 0 || v > best || isnan(v)) { best = v; arg = h * W + w; }
            }
        }
        y = best;
        idx = arg;
        """,
        "ember_max_pool2d",
    )
    bwd = cp.ElementwiseKernel(
        "T g, int64 idx, int64 plane, int64 per_plane",
        "raw T gx",
        "atomicAdd(&gx[(i / per_plane) * plane + idx], g);",
        "ember_max_pool2d_backward",
    )
    return fwd, bwd


def max_pool2d_with_indices(x, kernel_size, stride, padding, dilation, out_size):
    cp = _cupy()
    B, H, W = x.shape
    OH, OW = out_size
    y = cp.empty((B, OH, OW), x.dtype)
    idx = cp.empty((B, OH, OW), cp.int64)
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel_size, stride, padding, dilation
    _kernel("max_pool", _max_pool_kernels)[0](
        cp.ascontiguousarray(x), H, W, OH, OW, kh, kw, sh, sw, ph, pw, dh, dw, y, idx
    )
    return y, idx


def max_pool2d_backward(grad, indices, in_shape):
    cp = _cupy()
    H, W = in_shape[1:]
    gx = cp.zeros(in_shape, grad.dtype)
    per_plane = int(math.prod(indices.shape[1:]))
    _kernel("max_pool", _max_pool_kernels)[1](
        cp.ascontiguousarray(grad), cp.ascontiguousarray(indices), H * W, per_plane, gx
    )
    return gx


# -- mixed precision --------------------------------------------------------------------------


def amp_unscale_(grads, inv_scale: float):
    """One pass per gradient: scale in place and add its float64 sum to one device total
    (Note [One pass to find infs] in ``ember.amp.grad_scaler``)."""
    cp = _cupy()
    total = cp.zeros((), cp.float64)
    for g in grads:
        if g.dtype in _CTYPE and g.flags.c_contiguous:
            n = g.size
            if n:
                blocks = min((n + BLOCK - 1) // BLOCK, 1024)
                _row_fn(g.dtype, "unscale_sum")(
                    (blocks,), (BLOCK,), (g, np.int64(n), g.dtype.type(inv_scale), total)
                )
        else:
            g *= g.dtype.type(inv_scale)
            total += g.sum(dtype=cp.float64)
    return total
