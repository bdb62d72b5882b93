"""Convolutions: ``conv1d/2d/3d``, ``conv_transpose1d/2d/3d``, ``unfold`` (im2col) and ``fold``
(col2im), one N-d implementation for all of them.

Note [Convolution layout]
    A convolution is one GEMM over an im2col matrix. The matrix is laid out as
    ``(C, *K, N, *OS)`` -> ``(C*prod(K), N*prod(OS))`` (rows: input channel and kernel
    offset; columns: every output position of every image), and the product is
    ``weight.reshape(O, C*prod(K)) @ col``: the orientation in which OpenBLAS runs fastest on
    the narrow matrices of small CNNs (16-64 output channels), measured against the
    ``(N*OH*OW, C*KH*KW) @ (C*KH*KW, O)`` orientation. The copy that builds ``col`` reads the
    (zero-padded) input through a strided window view whose innermost axis walks along an
    input row, so it streams memory. The ``(O, N, *OS)`` product is transposed to
    ``(N, O, *OS)`` in one copy that also adds the bias. Groups add a leading ``G`` axis and
    make the GEMM a batched one.

Note [Three bilinear kernels]
    With ``y = conv(x, w)`` three kernels cover every derivative of every order:
    ``conv(x, w)``, its input gradient ``conv_input(gy, w)`` (a transposed convolution:
    the GEMM ``w^T @ gy`` then col2im, which adds each kernel offset's strided slice back:
    a loop over ``prod(K)`` offsets, never over pixels) and its weight gradient
    ``conv_weight(x, gy)`` (``gy @ col^T``, reusing the forward's ``col``). Each is bilinear,
    and the derivatives of each are the other two::

        conv(x, w)         -> dx = conv_input(gy, w),  dw = conv_weight(x, gy)
        conv_input(g, w)   -> dg = conv(gy, w),        dw = conv_weight(gy, g)
        conv_weight(x, g)  -> dx = conv_input(g, gy),  dg = conv(x, gy)

    So ``conv_transpose`` is ``conv_input`` with a bias, and ``create_graph=True`` is served
    by calling the differentiable forms of the same three kernels.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.conv2d(ember.ones(1, 1, 3, 3), ember.ones(1, 1, 2, 2))
    tensor([[[[4., 4.],
              [4., 4.]]]])
"""

from __future__ import annotations

import itertools

import numpy as np

from ...amp import _state as _amp
from ...ops._core import Node, Tensor, attach, grad_state, new_tensor

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "unfold",
    "fold",
]


# -- array kernels ---------------------------------------------------------------------------


def _xp(arr):
    if arr.__class__ is np.ndarray:
        return np
    from ...backends import array_module_of

    return array_module_of(arr)


def _as_strided(xp, arr, shape, strides):
    if xp is np:
        return np.lib.stride_tricks.as_strided(arr, shape, strides, writeable=False)
    return xp.lib.stride_tricks.as_strided(arr, shape, strides)


def _prod(xs) -> int:
    p = 1
    for v in xs:
        p *= v
    return p


def _im2col(x, K, stride, dilation, lo, hi, OS):
    """The im2col matrix of ``x`` ``(N, C, *S)`` as a contiguous ``(C, *K, N, *OS)`` array
    (see Note [Convolution layout]); 1-D and 2-D on the GPU: the CUDA kernel."""
    if x.__class__ is not np.ndarray and len(K) <= 2:
        from ...backends import cuda_kernels

        return cuda_kernels().im2col(x, K, stride, dilation, lo, hi, OS)
    return _im2col_strided(x, K, stride, dilation, lo, hi, OS)


def _im2col_strided(x, K, stride, dilation, lo, hi, OS):
    """``_im2col`` as one copy of a strided view (any number of spatial dims)."""
    xp = _xp(x)
    N, C = x.shape[:2]
    S = x.shape[2:]
    if any(lo) or any(hi):
        Sp = tuple(s + a + b for s, a, b in zip(S, lo, hi))
        padded = xp.zeros((C, N, *Sp), dtype=x.dtype)
        inner = tuple(slice(a, a + s) for a, s in zip(lo, S))
        padded[(slice(None), slice(None), *inner)] = x.swapaxes(0, 1)
        src = padded
        sC, sN = padded.strides[:2]
        sS = padded.strides[2:]
    else:
        src = x
        sN, sC = x.strides[:2]
        sS = x.strides[2:]
    shape = (C, *K, N, *OS)
    strides = (
        sC,
        *(st * d for st, d in zip(sS, dilation)),
        sN,
        *(st * s for st, s in zip(sS, stride)),
    )
    return xp.ascontiguousarray(_as_strided(xp, src, shape, strides))


def _col2im(col, S, stride, dilation, lo, hi):
    """Adjoint of ``_im2col``: ``col`` ``(C, *K, N, *OS)`` summed back into ``(N, C, *S)``;
    1-D and 2-D float32/float64 on the GPU: the CUDA kernel."""
    if col.__class__ is not np.ndarray and len(S) <= 2:
        from ...backends import cuda_kernels

        if cuda_kernels().supports(col):
            return cuda_kernels().col2im(col, S, stride, dilation, lo, hi)
    return _col2im_sliced(col, S, stride, dilation, lo, hi)


def _col2im_sliced(col, S, stride, dilation, lo, hi):
    """``_col2im`` as one strided add per kernel offset (any number of spatial dims)."""
    xp = _xp(col)
    nd = len(S)
    C = col.shape[0]
    K = col.shape[1 : 1 + nd]
    N = col.shape[1 + nd]
    OS = col.shape[2 + nd :]
    Sp = tuple(s + a + b for s, a, b in zip(S, lo, hi))
    out = xp.zeros((C, N, *Sp), dtype=col.dtype)
    full = (slice(None), slice(None))
    for k in itertools.product(*(range(v) for v in K)):
        key = tuple(
            slice(ki * d, ki * d + s * (o - 1) + 1, s)
            for ki, d, s, o in zip(k, dilation, stride, OS)
        )
        out[full + key] += col[(slice(None), *k)]
    if any(lo) or any(hi):
        out = out[full + tuple(slice(a, a + s) for a, s in zip(lo, S))]
    return xp.ascontiguousarray(out.swapaxes(0, 1))


def _grad_matrix(gy, G):
    """``gy`` ``(N, O, *OS)`` as the ``(G, O/G, N*prod(OS))`` matrix of the GEMMs."""
    xp = _xp(gy)
    O = gy.shape[1]
    return xp.ascontiguousarray(gy.swapaxes(0, 1)).reshape(G, O // G, -1)


def _conv_array(x, w, bias, P, OS):
    """Forward convolution on arrays; returns ``(y, col)``."""
    stride, dilation, lo, hi, G = P
    xp = _xp(x)
    N, _C = x.shape[:2]
    O = w.shape[0]
    K = w.shape[2:]
    col = _im2col(x, K, stride, dilation, lo, hi, OS)
    M = N * _prod(OS)
    if G == 1:
        y = w.reshape(O, -1) @ col.reshape(-1, M)
    else:
        y = xp.matmul(w.reshape(G, O // G, -1), col.reshape(G, -1, M))
    y = y.reshape(O, N, *OS).swapaxes(0, 1)
    out = xp.empty((N, O, *OS), dtype=y.dtype)
    if bias is None:
        out[...] = y
    else:
        xp.add(y, bias.reshape((O,) + (1,) * len(OS)), out=out)
    return out, col


def _conv_input_array(gmat, w, P, S, N, OS):
    """Input gradient (transposed convolution) from the grad matrix ``(G, O/G, M)``."""
    stride, dilation, lo, hi, G = P
    xp = _xp(gmat)
    O = w.shape[0]
    K = w.shape[2:]
    Cg = w.shape[1]
    ext = tuple(d * (k - 1) for d, k in zip(dilation, K))
    if (
        G * Cg >= O
        and all(s == 1 for s in stride)
        and all(a <= e and s + a >= o for a, e, s, o in zip(lo, ext, S, OS))
    ):
        # Stride 1 with no more output than input channels: a direct convolution of the
        # gradient with the flipped, transposed kernel (the GEMM's inner size is O*prod(K)
        # instead of O, and no col2im scatter is needed).
        nd = len(K)
        gy = gmat.reshape(O, N, *OS).swapaxes(0, 1)
        wt = w.reshape(G, O // G, Cg, *K).swapaxes(1, 2).reshape(G * Cg, O // G, *K)
        wt = xp.ascontiguousarray(wt[(Ellipsis, *(slice(None, None, -1),) * nd)])
        lo2 = tuple(e - a for e, a in zip(ext, lo))
        hi2 = tuple(s + a - o for s, a, o in zip(S, lo, OS))  # = ext - hi for a plain conv
        P2 = (stride, dilation, lo2, hi2, G)
        return _conv_array(gy, wt, None, P2, tuple(S))[0]
    if G == 1:
        gcol = w.reshape(O, -1).T @ gmat.reshape(O, -1)
    else:
        gcol = xp.matmul(w.reshape(G, O // G, -1).swapaxes(1, 2), gmat)
    gcol = gcol.reshape(G * Cg, *K, N, *OS)
    return _col2im(gcol, S, stride, dilation, lo, hi)


def _conv_weight_array(col, gmat, wshape, P):
    """Weight gradient from the forward's ``col`` and the grad matrix ``(G, O/G, M)``."""
    G = P[4]
    xp = _xp(col)
    M = gmat.shape[-1]
    if G == 1:
        gw = gmat.reshape(gmat.shape[1], M) @ col.reshape(-1, M).T
    else:
        gw = xp.matmul(gmat, col.reshape(G, -1, M).swapaxes(1, 2))
    return gw.reshape(wshape)


def _bias_grad(F, grad, nd):
    return F.sum(grad, axis=(0, *range(2, 2 + nd)))


# -- the three differentiable kernels ----------------------------------------------------------


class ConvolutionBackward0(Node):
    """Node of ``conv(x, w) + bias``."""

    __slots__ = ()

    def backward(self, F, grad, x, w, col, P, S, has_bias):
        nxt = self._next
        nd = len(S)
        gx = gw = gb = None
        if F.graph:
            if nxt[0] is not None:
                gx = _conv_input(grad, w, None, P, S)
            if nxt[1] is not None:
                gw = _conv_weight(x, grad, P, tuple(w.shape))
        else:
            G = P[4]
            gmat = _grad_matrix(grad, G)
            if nxt[0] is not None:
                gx = _conv_input_array(gmat, w, P, S, x.shape[0], grad.shape[2:])
            if nxt[1] is not None:
                if col is None:
                    col = _im2col(x, w.shape[2:], P[0], P[1], P[2], P[3], grad.shape[2:])
                gw = _conv_weight_array(col, gmat, w.shape, P)
            if has_bias and nxt[2] is not None:
                gb = gmat.reshape(grad.shape[1], -1).sum(axis=1)
                return gx, gw, gb
        if has_bias and nxt[2] is not None:
            gb = _bias_grad(F, grad, nd)
        return gx, gw, gb


class _ConvInputNode(Node):
    """Node of ``conv_input(g, w) + bias`` (a transposed convolution)."""

    __slots__ = ()

    def backward(self, F, grad, g, w, P, has_bias):
        nxt = self._next
        OS = tuple(g.shape[2:])
        nd = len(OS)
        gg = gw = gb = None
        if F.graph:
            if nxt[0] is not None:
                gg = _conv(grad, w, None, P, OS)
            if nxt[1] is not None:
                gw = _conv_weight(grad, g, P, tuple(w.shape))
        else:
            need_col = nxt[1] is not None
            y, col = _conv_array(grad, w, None, P, OS) if nxt[0] is not None else (None, None)
            gg = y
            if need_col:
                if col is None:
                    col = _im2col(grad, w.shape[2:], P[0], P[1], P[2], P[3], OS)
                gw = _conv_weight_array(col, _grad_matrix(g, P[4]), w.shape, P)
        if has_bias and nxt[2] is not None:
            gb = _bias_grad(F, grad, nd)
        return gg, gw, gb


_ConvInputNode.__name__ = _ConvInputNode.__qualname__ = "ConvolutionBackward0"


class ConvolutionBackwardBackward0(Node):
    """Node of ``conv_weight(x, g)`` (the weight gradient, seen in double backward)."""

    __slots__ = ()

    def backward(self, F, grad, x, g, P):
        nxt = self._next
        S = tuple(x.shape[2:])
        OS = tuple(g.shape[2:])
        gx = gg = None
        if F.graph:
            if nxt[0] is not None:
                gx = _conv_input(g, grad, None, P, S)
            if nxt[1] is not None:
                gg = _conv(x, grad, None, P, OS)
        else:
            if nxt[0] is not None:
                gx = _conv_input_array(_grad_matrix(g, P[4]), grad, P, S, x.shape[0], OS)
            if nxt[1] is not None:
                gg = _conv_array(x, grad, None, P, OS)[0]
        return gx, gg


def _conv(x: Tensor, w: Tensor, bias, P, OS) -> Tensor:
    need = grad_state.enabled and (
        x._requires_grad or w._requires_grad or (bias is not None and bias._requires_grad)
    )
    y, col = _conv_array(x._data, w._data, None if bias is None else bias._data, P, OS)
    out = new_tensor(y)
    if need:
        node = ConvolutionBackward0()
        attach(out, node, x, w, bias)
        node.save(x, w, col if w._requires_grad else None, P, tuple(x.shape[2:]), bias is not None)
    return out


def _conv_input(g: Tensor, w: Tensor, bias, P, S) -> Tensor:
    gd = g._data
    N = gd.shape[0]
    OS = gd.shape[2:]
    res = _conv_input_array(_grad_matrix(gd, P[4]), w._data, P, S, N, OS)
    if bias is not None:
        res += bias._data.reshape((-1,) + (1,) * len(S))
    out = new_tensor(res)
    if grad_state.enabled and (
        g._requires_grad or w._requires_grad or (bias is not None and bias._requires_grad)
    ):
        node = _ConvInputNode()
        attach(out, node, g, w, bias)
        node.save(g, w, P, bias is not None)
    return out


def _conv_weight(x: Tensor, g: Tensor, P, wshape) -> Tensor:
    xd, gd = x._data, g._data
    OS = gd.shape[2:]
    col = _im2col(xd, wshape[2:], P[0], P[1], P[2], P[3], OS)
    out = new_tensor(_conv_weight_array(col, _grad_matrix(gd, P[4]), wshape, P))
    if grad_state.enabled and (x._requires_grad or g._requires_grad):
        node = ConvolutionBackwardBackward0()
        attach(out, node, x, g)
        node.save(x, g, P)
    return out


# -- argument handling ---------------------------------------------------------------------------


def _tuple(v, nd: int, name: str, op: str) -> tuple:
    if isinstance(v, int):
        return (v,) * nd
    try:
        t = tuple(int(i) for i in v)
    except TypeError:
        raise TypeError(f"{op}: {name} must be an int or a tuple of ints, got {v!r}") from None
    if len(t) == 1:
        return t * nd
    if len(t) != nd:
        raise RuntimeError(f"{op}: expected {name} to be a single integer or a list of {nd} ints")
    return t


def _dims(shape) -> str:
    return " x ".join(str(s) for s in shape)


def _check_tensors(op, input, weight, bias):
    for name, t in (("input", input), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(t).__name__}")
    if bias is not None and not isinstance(bias, Tensor):
        raise TypeError(f"{op}(): argument 'bias' must be Tensor, not {type(bias).__name__}")
    xd, wd = input._data, weight._data
    if xd.dtype != wd.dtype or (bias is not None and bias._data.dtype != xd.dtype):
        kinds = f"input {input.dtype}, weight {weight.dtype}"
        if bias is not None:
            kinds += f", bias {bias.dtype}"
        raise RuntimeError(
            f"{op}: expected input, weight and bias to have the same dtype, got {kinds}"
        )
    if xd.dtype.kind not in "fc":
        raise RuntimeError(f"{op}: expected a floating-point input, got {input.dtype}")
    if xd.__class__ is not wd.__class__ or (
        bias is not None and bias._data.__class__ is not xd.__class__
    ):
        raise RuntimeError(f"{op}: expected input, weight and bias on the same device")


def _batched(op, input, nd):
    """``(input, unbatched)``: PyTorch accepts ``(C, *S)`` as a batch of one."""
    ndim = input.ndim
    if ndim == nd + 2:
        return input, False
    if ndim == nd + 1:
        return input.unsqueeze(0), True
    raise RuntimeError(
        f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {op}, but got input "
        f"of size: {list(input.shape)}"
    )


def _check_common(op, weight, nd, stride, dilation, groups):
    if weight.ndim != nd + 2:
        raise RuntimeError(
            f"{op}: expected weight to be {nd + 2}-D, got weight of size {list(weight.shape)}"
        )
    if any(s <= 0 for s in stride):
        raise RuntimeError(f"{op}: non-positive stride is not supported (stride={stride})")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"{op}: dilation should be greater than zero (dilation={dilation})")
    if groups <= 0:
        raise RuntimeError(f"{op}: non-positive groups is not supported (groups={groups})")


def _convnd(op, nd, input, weight, bias, stride, padding, dilation, groups):
    _check_tensors(op, input, weight, bias)
    stride = _tuple(stride, nd, "stride", op)
    dilation = _tuple(dilation, nd, "dilation", op)
    _check_common(op, weight, nd, stride, dilation, groups)
    x, unbatched = _batched(op, input, nd)
    wshape = tuple(weight.shape)
    xshape = tuple(x.shape)
    K = wshape[2:]
    if isinstance(padding, str):
        if padding == "valid":
            lo = hi = (0,) * nd
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError(
                    f"{op}: padding='same' is not supported for strided convolutions"
                )
            total = tuple(d * (k - 1) for d, k in zip(dilation, K))
            lo = tuple(t // 2 for t in total)
            hi = tuple(t - a for t, a in zip(total, lo))
        else:
            raise RuntimeError(
                f"{op}: invalid padding string '{padding}', should be one of 'same' or 'valid'"
            )
    else:
        lo = hi = _tuple(padding, nd, "padding", op)
        if any(p < 0 for p in lo):
            raise RuntimeError(f"{op}: negative padding is not supported (padding={lo})")
    if wshape[0] % groups != 0:
        raise RuntimeError(
            f"{op}: given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size {list(wshape)} instead"
        )
    if xshape[1] != wshape[1] * groups:
        raise RuntimeError(
            f"{op}: given groups={groups}, weight of size {list(wshape)}, expected "
            f"input{list(xshape)} to have {wshape[1] * groups} channels, but got {xshape[1]} "
            "channels instead"
        )
    if bias is not None and tuple(bias.shape) != (wshape[0],):
        raise RuntimeError(
            f"{op}: given weight of size {list(wshape)}, expected bias to be 1-dimensional "
            f"with {wshape[0]} elements, but got bias of size {list(bias.shape)} instead"
        )
    padded = tuple(s + a + b for s, a, b in zip(xshape[2:], lo, hi))
    ext = tuple(d * (k - 1) + 1 for d, k in zip(dilation, K))
    if any(e > p for e, p in zip(ext, padded)):
        raise RuntimeError(
            f"{op}: calculated padded input size per channel: ({_dims(padded)}). Kernel size: "
            f"({_dims(ext)}). Kernel size can't be greater than actual input size"
        )
    OS = tuple((p - e) // s + 1 for p, e, s in zip(padded, ext, stride))
    out = _conv(x, weight, bias, (stride, dilation, lo, hi, groups), OS)
    return out.squeeze(0) if unbatched else out


def _conv_transposend(
    op, nd, input, weight, bias, stride, padding, output_padding, groups, dilation
):
    _check_tensors(op, input, weight, bias)
    stride = _tuple(stride, nd, "stride", op)
    dilation = _tuple(dilation, nd, "dilation", op)
    _check_common(op, weight, nd, stride, dilation, groups)
    if isinstance(padding, str):
        raise RuntimeError(f"{op}: padding must be an int or a tuple of ints, got '{padding}'")
    pad = _tuple(padding, nd, "padding", op)
    opad = _tuple(output_padding, nd, "output_padding", op)
    if any(p < 0 for p in pad):
        raise RuntimeError(f"{op}: negative padding is not supported (padding={pad})")
    for o, s, d in zip(opad, stride, dilation):
        if o < 0 or (o >= s and o >= d):
            raise RuntimeError(
                f"{op}: output padding must be smaller than either stride or dilation, but got "
                f"output_padding={opad}, stride={stride}, dilation={dilation}"
            )
    x, unbatched = _batched(op, input, nd)
    wshape = tuple(weight.shape)
    xshape = tuple(x.shape)
    if xshape[1] != wshape[0]:
        raise RuntimeError(
            f"{op}: given transposed=1, weight of size {list(wshape)}, expected "
            f"input{list(xshape)} to have {wshape[0]} channels, but got {xshape[1]} channels "
            "instead"
        )
    if wshape[0] % groups != 0:
        raise RuntimeError(
            f"{op}: given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size {list(wshape)} instead"
        )
    out_ch = wshape[1] * groups
    if bias is not None and tuple(bias.shape) != (out_ch,):
        raise RuntimeError(
            f"{op}: given transposed=1, weight of size {list(wshape)}, expected bias to be "
            f"1-dimensional with {out_ch} elements, but got bias of size {list(bias.shape)} "
            "instead"
        )
    S = tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + o + 1
        for i, s, p, d, k, o in zip(xshape[2:], stride, pad, dilation, wshape[2:], opad)
    )
    if any(v <= 0 for v in S):
        raise RuntimeError(
            f"{op}: given input size per channel ({_dims(xshape[2:])}), calculated output size "
            f"({_dims(S)}) is too small"
        )
    out = _conv_input(x, weight, bias, (stride, dilation, pad, pad, groups), S)
    return out.squeeze(0) if unbatched else out


# -- public functions ----------------------------------------------------------------------------


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-D convolution (cross-correlation) of ``input`` ``(N, C_in, L)`` with ``weight``
    ``(C_out, C_in/groups, kW)``.

    Args:
        stride, dilation: int or 1-tuple.
        padding: int, 1-tuple, ``'valid'`` (none) or ``'same'`` (output as long as input).
        groups: split input and output channels into this many groups.

    Example:
        >>> import ember
        >>> ember.nn.functional.conv1d(ember.ones(1, 2, 5), ember.ones(3, 2, 3)).shape
        ember.Size([1, 3, 3])
    """
    if _amp.active:
        input, weight, bias = _amp.cast("conv1d", input, weight, bias)
    return _convnd("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-D convolution (cross-correlation) of ``input`` ``(N, C_in, H, W)`` with ``weight``
    ``(C_out, C_in/groups, kH, kW)``.

    Args:
        stride, dilation: int or pair.
        padding: int, pair, ``'valid'`` or ``'same'``.
        groups: split input and output channels into this many groups.

    Example:
        >>> import ember
        >>> x = ember.ones(2, 3, 8, 8)
        >>> ember.nn.functional.conv2d(x, ember.ones(4, 3, 3, 3), padding=1, stride=2).shape
        ember.Size([2, 4, 4, 4])
        >>> ember.nn.functional.conv2d(x, ember.ones(4, 2, 3, 3))
        Traceback (most recent call last):
        ...
        RuntimeError: conv2d: given groups=1, weight of size [4, 2, 3, 3], expected ...instead
    """
    if _amp.active:
        input, weight, bias = _amp.cast("conv2d", input, weight, bias)
    return _convnd("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3-D convolution (cross-correlation) of ``input`` ``(N, C_in, D, H, W)`` with ``weight``
    ``(C_out, C_in/groups, kD, kH, kW)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.conv3d(ember.ones(1, 2, 4, 4, 4), ember.ones(3, 2, 3, 3, 3)).shape
        ember.Size([1, 3, 2, 2, 2])
    """
    if _amp.active:
        input, weight, bias = _amp.cast("conv3d", input, weight, bias)
    return _convnd("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """1-D transposed convolution of ``input`` ``(N, C_in, L)`` with ``weight``
    ``(C_in, C_out/groups, kW)``: the gradient of ``conv1d`` with respect to its input.

    Example:
        >>> import ember
        >>> ember.nn.functional.conv_transpose1d(ember.ones(1, 2, 3), ember.ones(2, 1, 3))
        tensor([[[2., 4., 6., 4., 2.]]])
    """
    if _amp.active:
        input, weight, bias = _amp.cast("conv_transpose1d", input, weight, bias)
    return _conv_transposend(
        "conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups,
        dilation,
    )  # fmt: skip


def conv_transpose2d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """2-D transposed convolution of ``input`` ``(N, C_in, H, W)`` with ``weight``
    ``(C_in, C_out/groups, kH, kW)``.

    Output size per dim: ``(in - 1) * stride - 2 * padding + dilation * (k - 1)
    + output_padding + 1``.

    Example:
        >>> import ember
        >>> x = ember.ones(1, 4, 5, 5)
        >>> ember.nn.functional.conv_transpose2d(x, ember.ones(4, 2, 3, 3), stride=2).shape
        ember.Size([1, 2, 11, 11])
    """
    if _amp.active:
        input, weight, bias = _amp.cast("conv_transpose2d", input, weight, bias)
    return _conv_transposend(
        "conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups,
        dilation,
    )  # fmt: skip


def conv_transpose3d(
    input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1
) -> Tensor:
    """3-D transposed convolution of ``input`` ``(N, C_in, D, H, W)`` with ``weight``
    ``(C_in, C_out/groups, kD, kH, kW)``.

    Example:
        >>> import ember
        >>> x = ember.ones(1, 2, 2, 2, 2)
        >>> ember.nn.functional.conv_transpose3d(x, ember.ones(2, 1, 2, 2, 2)).shape
        ember.Size([1, 1, 3, 3, 3])
    """
    if _amp.active:
        input, weight, bias = _amp.cast("conv_transpose3d", input, weight, bias)
    return _conv_transposend(
        "conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups,
        dilation,
    )  # fmt: skip


# -- unfold / fold (im2col / col2im) ---------------------------------------------------------


class Im2ColBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, S, K, P):
        return _fold_impl(grad, S, K, P)


class Col2ImBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, S, K, P):
        return _unfold_impl(grad, K, P)


def _unfold_impl(x, K, P):
    """``(N, C, *S)`` -> ``(N, C*prod(K), L)``; ``x`` a Tensor or an array."""
    is_tensor = isinstance(x, Tensor)
    xd = x._data if is_tensor else x
    stride, dilation, lo, hi = P
    S = xd.shape[2:]
    OS = tuple(
        (s + a + b - d * (k - 1) - 1) // st + 1
        for s, a, b, d, k, st in zip(S, lo, hi, dilation, K, stride)
    )
    xp = _xp(xd)
    N, C = xd.shape[:2]
    col = _im2col(xd, K, stride, dilation, lo, hi, OS)  # (C, *K, N, *OS)
    res = xp.ascontiguousarray(xp.moveaxis(col.reshape(C * _prod(K), N, -1), 1, 0))
    if not is_tensor:
        return res
    out = new_tensor(res)
    if grad_state.enabled and x._requires_grad:
        node = Im2ColBackward0()
        attach(out, node, x)
        node.save(tuple(S), tuple(K), P)
    return out


def _fold_impl(c, S, K, P):
    """``(N, C*prod(K), L)`` -> ``(N, C, *S)``; ``c`` a Tensor or an array."""
    is_tensor = isinstance(c, Tensor)
    cd = c._data if is_tensor else c
    stride, dilation, lo, hi = P
    OS = tuple(
        (s + a + b - d * (k - 1) - 1) // st + 1
        for s, a, b, d, k, st in zip(S, lo, hi, dilation, K, stride)
    )
    xp = _xp(cd)
    N = cd.shape[0]
    C = cd.shape[1] // _prod(K)
    col = xp.moveaxis(cd, 0, 1).reshape(C, *K, N, *OS)
    res = _col2im(col, tuple(S), stride, dilation, lo, hi)
    if not is_tensor:
        return res
    out = new_tensor(res)
    if grad_state.enabled and c._requires_grad:
        node = Col2ImBackward0()
        attach(out, node, c)
        node.save(tuple(S), tuple(K), P)
    return out


def _fold_args(op, kernel_size, dilation, padding, stride):
    K = _tuple(kernel_size, 2, "kernel_size", op)
    d = _tuple(dilation, 2, "dilation", op)
    p = _tuple(padding, 2, "padding", op)
    s = _tuple(stride, 2, "stride", op)
    if any(v <= 0 for v in K):
        raise RuntimeError(f"{op}: kernel size should be greater than zero, but got {K}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got {d}")
    if any(v < 0 for v in p):
        raise RuntimeError(f"{op}: padding should be non-negative, but got {p}")
    if any(v <= 0 for v in s):
        raise RuntimeError(f"{op}: stride should be greater than zero, but got {s}")
    return K, (s, d, p, p)


def unfold(input: Tensor, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding local blocks (im2col): ``(N, C, H, W)`` -> ``(N, C*kH*kW, L)``.

    Example:
        >>> import ember
        >>> x = ember.arange(16.0).reshape(1, 1, 4, 4)
        >>> ember.nn.functional.unfold(x, 2, stride=2)
        tensor([[[ 0.,  2.,  8., 10.],
                 [ 1.,  3.,  9., 11.],
                 [ 4.,  6., 12., 14.],
                 [ 5.,  7., 13., 15.]]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"unfold(): argument 'input' must be Tensor, not {type(input).__name__}")
    K, P = _fold_args("unfold", kernel_size, dilation, padding, stride)
    if input.ndim not in (3, 4):
        raise RuntimeError(
            "unfold: expected 3D or 4D (batch mode) input, but got input of size "
            f"{list(input.shape)}"
        )
    x = input.unsqueeze(0) if input.ndim == 3 else input
    S = tuple(x.shape[2:])
    _, d, p, _ = P
    padded = tuple(s + 2 * q for s, q in zip(S, p))
    ext = tuple(dd * (k - 1) + 1 for dd, k in zip(d, K))
    if any(e > q for e, q in zip(ext, padded)):
        raise RuntimeError(
            f"unfold: calculated padded input size per channel: ({_dims(padded)}). Kernel "
            f"size: ({_dims(ext)}). Kernel size can't be greater than actual input size"
        )
    out = _unfold_impl(x, K, P)
    return out.squeeze(0) if input.ndim == 3 else out


def fold(input: Tensor, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Sum sliding local blocks back into an image (col2im): ``(N, C*kH*kW, L)`` ->
    ``(N, C, *output_size)``; overlapping values add up.

    Example:
        >>> import ember
        >>> ember.nn.functional.fold(ember.ones(1, 4, 4), (3, 3), 2)
        tensor([[[[1., 2., 1.],
                  [2., 4., 2.],
                  [1., 2., 1.]]]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"fold(): argument 'input' must be Tensor, not {type(input).__name__}")
    K, P = _fold_args("fold", kernel_size, dilation, padding, stride)
    S = _tuple(output_size, 2, "output_size", "fold")
    if input.ndim not in (2, 3):
        raise RuntimeError(
            f"fold: expected 2D or 3D (batch mode) input, but got input of size {list(input.shape)}"
        )
    c = input.unsqueeze(0) if input.ndim == 2 else input
    kk = K[0] * K[1]
    if c.shape[1] % kk != 0:
        raise RuntimeError(
            f"fold: expected size of input's dimension 1 to be divisible by the product of "
            f"kernel_size, but got input.size(1)={c.shape[1]} and kernel_size={K}"
        )
    s, d, p, _ = P
    blocks = tuple(
        (o + 2 * q - dd * (k - 1) - 1) // st + 1 for o, q, dd, k, st in zip(S, p, d, K, s)
    )
    if any(b <= 0 for b in blocks) or blocks[0] * blocks[1] != c.shape[2]:
        raise RuntimeError(
            f"fold: given output_size={S}, kernel_size={K}, dilation={d}, padding={p}, "
            f"stride={s}, expected size of input's dimension 2 to match the calculated number "
            f"of sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
            f"input.size(2)={c.shape[2]}"
        )
    out = _fold_impl(c, S, K, P)
    return out.squeeze(0) if input.ndim == 2 else out
