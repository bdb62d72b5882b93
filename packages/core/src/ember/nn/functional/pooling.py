"""Pooling: max, average, adaptive, power-average (LP) pooling and max-unpooling, 1d/2d/3d.

Note [Pooling on strided views]
    A pooling window at kernel offset ``(i, j)`` touches, for every output position, the
    input element ``(o_h * stride_h + i * dil_h, o_w * stride_w + j * dil_w)`` of the padded
    input. For one offset those elements form a strided *view* of the input with the output's
    shape, so pooling is a reduction over ``kh * kw`` views: a loop over kernel offsets (4 for
    a 2x2 pool), each step one vectorised NumPy call over the whole batch. Max pooling keeps
    the running maximum and the offset that produced it (``uint8``); backward writes the
    gradient through the same views (``np.add(..., where=arg == offset)``), so overlapping
    windows accumulate without ``np.add.at``. Indices returned to the user are PyTorch's flat
    per-plane positions (``h * W + w``), computed from the offsets only when asked for.

Adaptive average pooling (and ``interpolate(mode='area')``) is separable: along each spatial
dim it is a small (out x in) averaging matrix, applied with one matmul per dim; its backward
is the transposed product, written with ``F`` so that double backward works.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> x = ember.arange(16.0).reshape(1, 1, 4, 4)
    >>> F.max_pool2d(x, 2)
    tensor([[[[ 5.,  7.],
              [13., 15.]]]])
    >>> F.avg_pool2d(x, 2)
    tensor([[[[ 2.5000,  4.5000],
              [10.5000, 12.5000]]]])
"""

from __future__ import annotations

import itertools
import math

from ...ops._core import Node, Tensor, attach, grad_state, new_tensor, np

__all__ = [
    "max_pool1d", "max_pool2d", "max_pool3d",
    "max_pool1d_with_indices", "max_pool2d_with_indices", "max_pool3d_with_indices",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "adaptive_max_pool1d", "adaptive_max_pool2d", "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "lp_pool1d", "lp_pool2d", "lp_pool3d",
    "fractional_max_pool2d", "fractional_max_pool2d_with_indices",
]  # fmt: skip


# -- arguments ------------------------------------------------------------------------------


def _tuple(v, n: int, name: str, op: str) -> tuple:
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return (int(v[0]),) * n
        if len(v) != n:
            raise RuntimeError(
                f"{op}: {name} must either be a single int, or a tuple of {n} ints"
                if n > 1
                else f"{op}: {name} must be a single int"
            )
        return tuple(int(a) for a in v)
    return (int(v),) * n


def _as_input(x, op: str, nd: int):
    """(tensor, batched) for a pooling input with ``nd`` spatial dims: PyTorch accepts
    ``(C, *spatial)`` and ``(N, C, *spatial)``."""
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}"
        )
    if x.ndim not in (nd + 1, nd + 2) or any(s == 0 for s in x.shape[-nd:]):
        raise RuntimeError(
            f"{op}(): Expected {nd + 1}D or {nd + 2}D (batch mode) tensor with non-zero spatial "
            f"dims for input, but got input of shape {list(x.shape)}"
        )
    return x


def _out_size(L, k, s, p, d, ceil_mode):
    """PyTorch's ``pooling_output_shape``."""
    num = L + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= L + p:
        out -= 1
    return out


def _geometry(x, op, nd, kernel_size, stride, padding, dilation, ceil_mode, half_msg):
    k = _tuple(kernel_size, nd, "kernel_size", op)
    s = (
        k
        if (stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0))
        else (_tuple(stride, nd, "stride", op))
    )
    p = _tuple(padding, nd, "padding", op)
    d = _tuple(dilation, nd, "dilation", op)
    if min(k) <= 0:
        raise RuntimeError(f"{op}: kernel_size should be greater than zero, but got {k}")
    if min(s) <= 0:
        raise RuntimeError(f"{op}: stride should be greater than zero, but got {s}")
    if min(d) <= 0:
        raise RuntimeError(f"{op}: dilation should be greater than zero, but got {d}")
    for ki, pi, di in zip(k, p, d):
        if pi < 0 or pi > ((ki - 1) * di + 1) // 2:
            if half_msg:
                raise RuntimeError(
                    f"pad should be at most half of effective kernel size, but got pad={pi}, "
                    f"kernel_size={ki} and dilation={di}"
                )
            raise RuntimeError(
                f"pad should be at most half of kernel size, but got pad={pi} and kernel_size={ki}"
            )
    L = tuple(x.shape[-nd:])
    out = tuple(_out_size(*a, ceil_mode) for a in zip(L, k, s, p, d))
    if min(out) < 1:
        c = x.shape[-nd - 1]
        raise RuntimeError(
            f"Given input size: ({'x'.join(str(v) for v in (c, *L))}). Calculated output size: "
            f"({'x'.join(str(v) for v in (c, *out))}). Output size is too small"
        )
    return k, s, p, d, L, out


def _pad_spatial(a, nd, p, need, fill):
    """``a`` with ``p`` before and enough after each of the last ``nd`` dims to hold ``need``
    elements (filled with ``fill``); ``a`` itself when nothing is added."""
    L = a.shape[-nd:]
    right = tuple(max(n - l - pi, 0) for n, l, pi in zip(need, L, p))
    if not any(p) and not any(right):
        return a
    lead = a.shape[:-nd]
    xp = _xp(a)
    out = xp.full(lead + tuple(l + pi + r for l, pi, r in zip(L, p, right)), fill, dtype=a.dtype)
    out[(Ellipsis, *(slice(pi, pi + l) for pi, l in zip(p, L)))] = a
    return out


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    from ...backends import array_module_of

    return array_module_of(a)


def _views(k, s, d, out):
    """The index tuple of the strided view of each kernel offset (Note [Pooling on ...])."""
    ranges = [range(ki) for ki in k]
    views = []
    for off in itertools.product(*ranges):
        views.append(
            (Ellipsis,)
            + tuple(
                slice(o * di, o * di + (oi - 1) * si + 1, si)
                for o, di, si, oi in zip(off, d, s, out)
            )
        )
    return views


def _need(k, s, d, out):
    return tuple((oi - 1) * si + (ki - 1) * di + 1 for ki, si, di, oi in zip(k, s, d, out))


# -- max pooling ----------------------------------------------------------------------------


class _MaxPoolNode(Node):
    """Saves the per-dim winning offsets (Note [Separable max pooling]) and the geometry."""

    __slots__ = ()

    def backward(self, F, grad, args, geom):
        if args.__class__ is _FlatIndices:
            return _flat_scatter(F, grad, args.idx, geom)
        if F.graph:
            return _max_scatter_graph(F, grad, args, geom)
        return _max_scatter(grad, args, geom)


class MaxPool1DWithIndicesBackward0(_MaxPoolNode):
    __slots__ = ()


class MaxPool2DWithIndicesBackward0(_MaxPoolNode):
    __slots__ = ()


class MaxPool3DWithIndicesBackward0(_MaxPoolNode):
    __slots__ = ()


_MAX_NODES = {
    1: MaxPool1DWithIndicesBackward0,
    2: MaxPool2DWithIndicesBackward0,
    3: MaxPool3DWithIndicesBackward0,
}

# Note [Separable max pooling]
#     The max over a (kh, kw) window is the max over kh of the row maxima over kw, and the
#     first maximum in PyTorch's row-major scan is found the same way: the first row whose
#     maximum is the largest (strictly greater wins), and in it the first column. So max
#     pooling runs one dim at a time, last dim first: each stage reduces k strided views
#     along one dim with ``np.maximum`` (fast, NaN-propagating) and records the winning
#     offset of that stage (``uint8``). Backward expands the gradient back one stage at a
#     time (``g * (arg == offset)`` into each offset's view). Inputs holding NaN take an
#     exact scan instead (NaN wins, the last NaN in scan order, as in PyTorch).


def _dim_view(nd_total, axis, o, d, s, out):
    """Index of the strided view of kernel offset ``o`` along ``axis``."""
    return (slice(None),) * axis + (slice(o * d, o * d + (out - 1) * s + 1, s),)


def _stage_max(xp, a, axis, k, s, d, out, exact, want_arg=True):
    """Max over kernel offsets along ``axis``: (values, winning offset or None)."""
    views = [a[_dim_view(a.ndim, axis, o, d, s, out)] for o in range(k)]
    if k == 1:
        return views[0], None
    if exact:
        best = views[0].copy()
        arg = xp.zeros(best.shape, dtype=np.uint8)
        for n in range(1, k):
            v = views[n]
            mask = (v > best) | xp.isnan(v)
            xp.copyto(best, v, where=mask)
            xp.copyto(arg, n, where=mask)
        return best, arg
    best = xp.maximum(views[0], views[1])
    for v in views[2:]:
        xp.maximum(best, v, out=best)
    if not want_arg:
        return best, None
    later = views[0] != best  # the first offset that reaches the max wins
    if k == 2:
        return best, later.view(np.uint8)
    arg = later.view(np.uint8).copy()
    for v in views[1:-1]:
        later &= v != best
        arg += later
    return best, arg


def _max_forward(a, nd, k, s, p, d, out, want_args=True):
    """(max, per-dim winning offsets) over the pooling windows of array ``a``."""
    kind = a.dtype.kind
    if kind == "f":
        fill = -np.inf
    elif kind in "iu":
        fill = np.iinfo(a.dtype).min
    else:
        raise RuntimeError(f"max_pool{nd}d: not implemented for '{a.dtype}' inputs")
    xp = _xp(a)
    ap = _pad_spatial(a, nd, p, _need(k, s, d, out), fill)
    exact = want_args and kind == "f" and a.size > 0 and bool(xp.isnan(a.max()))
    args = [None] * nd
    m = ap
    lead = a.ndim - nd
    for i in range(nd - 1, -1, -1):
        m, args[i] = _stage_max(xp, m, lead + i, k[i], s[i], d[i], out[i], exact, want_args)
    if m.base is not None or m is a:  # a kernel of ones leaves a view of the input
        m = m.copy()
    return m, args


def _max_scatter(g, args, geom):
    """Gradient of max pooling on arrays: ``g`` expanded back through the stages."""
    shape, nd, k, s, p, d, out = geom
    xp = _xp(g)
    L = shape[-nd:]
    lead = len(shape) - nd
    need = _need(k, s, d, out)
    padded = tuple(max(n, l + pi) for n, l, pi in zip(need, L, p))
    for i in range(nd):
        axis = lead + i
        gshape = list(g.shape)
        gshape[axis] = padded[i]
        exact_cover = s[i] == k[i] and d[i] == 1 and need[i] == padded[i]
        res = (xp.empty if exact_cover else xp.zeros)(tuple(gshape), dtype=g.dtype)
        overlap = s[i] < (k[i] - 1) * d[i] + 1
        arg = args[i]
        for o in range(k[i]):
            target = res[_dim_view(res.ndim, axis, o, d[i], s[i], out[i])]
            if arg is None:
                target[...] = g
            elif overlap:
                target += g * (arg == o)
            else:
                xp.multiply(g, arg == o, out=target)
        g = res
    if padded != tuple(L):
        g = xp.ascontiguousarray(g[(Ellipsis, *(slice(pi, pi + l) for pi, l in zip(p, L)))])
    return g


def _flat_indices(args, nd, k, s, p, d, L, out):
    """PyTorch's flat per-plane indices (int64) of the winners, from the stage offsets;
    shape ``(B, *out)`` with ``B`` the product of the leading dims (or ``(1, *out)``)."""
    first = next((a for a in args if a is not None), None)
    xp = np if first is None else _xp(first)
    B = 1 if first is None else int(np.prod(first.shape[: first.ndim - nd], dtype=np.int64))

    def grid(j):
        return xp.arange(out[j], dtype=np.int64).reshape(
            [1] + [out[j] if t == j else 1 for t in range(nd)]
        )

    offs = []
    for i in range(nd):
        arg = args[i]
        if arg is None:
            offs.append(0)
            continue
        a2 = arg.reshape((B,) + arg.shape[arg.ndim - nd :])
        index = [xp.arange(B).reshape((B,) + (1,) * nd)]
        index += [grid(j) * s[j] + offs[j] * d[j] for j in range(i)]  # rows chosen earlier
        index += [grid(j) for j in range(i, nd)]
        offs.append(a2[tuple(index)].astype(np.int64))
    plane = [1] * nd
    for i in range(nd - 2, -1, -1):
        plane[i] = plane[i + 1] * L[i + 1]
    idx = 0
    for i in range(nd):
        idx = idx + (grid(i) * s[i] - p[i] + offs[i] * d[i]) * plane[i]
    return xp.broadcast_to(idx, (B,) + tuple(out))


def _max_scatter_graph(F, grad, args, geom):
    shape, nd, k, s, p, d, out = geom
    L = shape[-nd:]
    lead = int(np.prod(shape[:-nd], dtype=np.int64))
    idx = np.broadcast_to(_flat_indices(args, nd, k, s, p, d, L, out), (lead,) + tuple(out))
    plane = int(np.prod(L, dtype=np.int64))
    idx2 = np.ascontiguousarray(idx).reshape(lead, -1)
    rows = np.arange(lead).reshape(lead, 1)
    g2 = grad.reshape((lead, idx2.shape[1]))
    return F.index_add_zeros((lead, plane), (rows, idx2), g2).reshape(tuple(shape))


class _FlatIndices:
    """Saved by the CUDA path of 2-D max pooling: the winners' flat indices per plane."""

    __slots__ = ("idx",)

    def __init__(self, idx):
        self.idx = idx


def _flat_scatter(F, grad, idx, geom):
    """The input gradient from flat per-plane winner indices ``idx`` ``(B, *out)``."""
    shape, nd = geom[0], geom[1]
    B = idx.shape[0]
    L = tuple(shape[-nd:])
    if not F.graph:
        from ...backends import cuda_kernels

        g = grad.reshape((B, *idx.shape[1:]))
        return cuda_kernels().max_pool2d_backward(g, idx, (B, *L)).reshape(tuple(shape))
    xp = _xp(idx)
    idx2 = idx.reshape(B, -1)
    rows = xp.arange(B).reshape(B, 1)
    g2 = grad.reshape((B, idx2.shape[1]))
    plane = int(np.prod(L, dtype=np.int64))
    return F.index_add_zeros((B, plane), (rows, idx2), g2).reshape(tuple(shape))


def _max_pool2d_cuda(x, a, k, s, p, d, out, return_indices):
    """2-D max pooling with the CUDA kernel: values and flat indices in one pass."""
    from ...backends import cuda_kernels

    lead = a.shape[:-2]
    B = int(np.prod(lead, dtype=np.int64))
    values, idx = cuda_kernels().max_pool2d_with_indices(
        a.reshape(B, *a.shape[-2:]), k, s, p, d, out
    )
    res = new_tensor(values.reshape(*lead, *out))
    if grad_state.enabled and x._requires_grad:
        node = MaxPool2DWithIndicesBackward0()
        attach(res, node, x)
        node.save(_FlatIndices(idx), (a.shape, 2, k, s, p, d, out))
    if return_indices:
        return res, new_tensor(idx.reshape(res._data.shape))
    return res


def _max_pool(op, nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x = _as_input(input, op, nd)
    k, s, p, d, L, out = _geometry(
        x, op, nd, kernel_size, stride, padding, dilation, ceil_mode, True
    )
    a = x._data
    if nd == 2 and a.__class__ is not np.ndarray and a.dtype.kind == "f" and a.size:
        from ...backends import cuda_kernels

        if cuda_kernels().supports(a):
            return _max_pool2d_cuda(x, a, k, s, p, d, out, return_indices)
    want = return_indices or (grad_state.enabled and x._requires_grad)
    best, args = _max_forward(a, nd, k, s, p, d, out, want)
    res = new_tensor(best)
    if grad_state.enabled and x._requires_grad:
        node = _MAX_NODES[nd]()
        attach(res, node, x)
        node.save(args, (a.shape, nd, k, s, p, d, out))
    if return_indices:
        B = int(np.prod(best.shape[: best.ndim - nd], dtype=np.int64))
        idx = _xp(a).broadcast_to(_flat_indices(args, nd, k, s, p, d, L, out), (B,) + out)
        return res, new_tensor(idx.reshape(best.shape).copy())
    return res


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """1D max pooling over ``(N, C, L)`` or ``(C, L)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.max_pool1d(ember.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
        tensor([[3., 2.]])
    """
    return _max_pool("max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)  # fmt: skip


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """2D max pooling over ``(N, C, H, W)`` or ``(C, H, W)``; with ``return_indices`` also the
    flat per-plane positions of the maxima (for ``max_unpool2d``).

    Example:
        >>> import ember
        >>> x = ember.tensor([[[1.0, 2.0], [4.0, 3.0]]])
        >>> ember.nn.functional.max_pool2d(x, 2, return_indices=True)
        (tensor([[[4.]]]), tensor([[[2]]]))
    """
    return _max_pool("max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)  # fmt: skip


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):  # fmt: skip
    """3D max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.max_pool3d(ember.arange(8.0).reshape(1, 2, 2, 2), 2)
        tensor([[[[7.]]]])
    """
    return _max_pool("max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)  # fmt: skip


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):  # fmt: skip
    """``max_pool1d`` returning ``(values, indices)``."""
    return _max_pool(
        "max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, True
    )


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):  # fmt: skip
    """``max_pool2d`` returning ``(values, indices)``."""
    return _max_pool(
        "max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, True
    )


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1,
                            ceil_mode=False, return_indices=True):  # fmt: skip
    """``max_pool3d`` returning ``(values, indices)``."""
    return _max_pool(
        "max_pool3d", 3, input, kernel_size, stride, padding, dilation, ceil_mode, True
    )


# -- average pooling ------------------------------------------------------------------------


def _window_sum(a, geom):
    """Sum of each pooling window of array ``a`` (zero padding)."""
    _shape, nd, k, s, p, d, out = geom
    views = _views(k, s, d, out)
    ap = _pad_spatial(a, nd, p, _need(k, s, d, out), 0)
    if len(views) == 1:
        return ap[views[0]].copy()
    total = ap[views[0]] + ap[views[1]]
    for view in views[2:]:
        total += ap[view]
    return total


def _window_spread(g, geom):
    """The transpose of ``_window_sum``: each output's value added to its window."""
    shape, nd, k, s, p, d, out = geom
    xp = _xp(g)
    views = _views(k, s, d, out)
    need = _need(k, s, d, out)
    L = shape[-nd:]
    padded = tuple(max(n, l + pi) + pi for n, l, pi in zip(need, L, p))
    gp = xp.zeros(tuple(shape[:-nd]) + padded, dtype=g.dtype)
    for view in views:
        gp[view] += g
    if gp.shape[-nd:] != tuple(L):
        gp = xp.ascontiguousarray(gp[(Ellipsis, *(slice(pi, pi + l) for pi, l in zip(p, L)))])
    return gp


class _LinearPairNode(Node):
    """Node of a linear map on arrays; saves the map (``fwd``) and its transpose (``bwd``)
    so that the graph form of its backward is the paired op (double backward of avg pool)."""

    __slots__ = ()

    def backward(self, F, grad, geom, fwd, bwd):
        if F.graph:
            return _linear_op(grad, geom, bwd, fwd, _PAIR[type(self)])
        return bwd(grad, geom)


def _linear_op(x, geom, fwd, bwd, node_cls):
    """Apply the array map ``fwd`` to tensor ``x`` with a node whose backward is ``bwd``."""
    out = new_tensor(fwd(x._data, geom))
    if grad_state.enabled and x._requires_grad:
        node = node_cls()
        attach(out, node, x)
        node.save(geom, fwd, bwd)
    return out


def _window_spread_F(F, g, geom):
    if F.graph:
        return _linear_op(g, geom, _window_spread, _window_sum, _SPREAD_NODES[geom[1]])
    return _window_spread(g, geom)


class _AvgPoolNode(Node):
    __slots__ = ()

    def backward(self, F, grad, scale, geom):
        return _window_spread_F(
            F, grad * scale if scale.__class__ is float else F.multiply(grad, scale), geom
        )


def _named(base, name):
    return type(name, (base,), {"__slots__": ()})


_AVG_NODES = {n: _named(_AvgPoolNode, f"AvgPool{n}DBackward0") for n in (1, 2, 3)}
_SPREAD_NODES = {n: _named(_LinearPairNode, f"AvgPool{n}DBackwardBackward0") for n in (1, 2, 3)}
_SUM_NODES = {n: _named(_LinearPairNode, f"AvgPool{n}DBackward0") for n in (1, 2, 3)}
_PAIR = {}
for _n in (1, 2, 3):
    _PAIR[_SPREAD_NODES[_n]] = _SUM_NODES[_n]
    _PAIR[_SUM_NODES[_n]] = _SPREAD_NODES[_n]
del _n


def _avg_scale(dtype, nd, k, s, p, L, out, ceil_mode, count_include_pad, divisor_override):
    """1 / divisor for every output position (a Python float when it is the same for all)."""
    if divisor_override is not None:
        return 1.0 / divisor_override
    counts = []
    uniform = True
    for ki, si, pi, li, oi in zip(k, s, p, L, out):
        start = np.arange(oi) * si - pi
        end = np.minimum(start + ki, li + pi)
        if count_include_pad:
            c = end - start
        else:
            c = np.minimum(end, li) - np.maximum(start, 0)
        if (c != ki).any():
            uniform = False
        counts.append(c)
    if uniform:
        return 1.0 / math.prod(k)
    total = np.ones((1,) * 0)
    for i, c in enumerate(counts):
        shape = [1] * nd
        shape[i] = len(c)
        total = total * c.reshape(shape)
    return (1.0 / total).astype(dtype)


def _avg_pool(op, nd, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
              divisor_override):  # fmt: skip
    x = _as_input(input, op, nd)
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"\"{op}\" not implemented for '{x.dtype}'")
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError(f"{op}: divisor must be not zero")
    k, s, p, d, L, out = _geometry(x, op, nd, kernel_size, stride, padding, 1, ceil_mode, False)
    a = x._data
    geom = (a.shape, nd, k, s, p, d, out)
    scale = _avg_scale(a.dtype, nd, k, s, p, L, out, ceil_mode, count_include_pad, divisor_override)
    if scale.__class__ is not float and a.__class__ is not np.ndarray:
        scale = _xp(a).asarray(scale)
    total = _window_sum(a, geom)
    total *= scale
    res = new_tensor(total)
    if grad_state.enabled and x._requires_grad:
        node = _AVG_NODES[nd]()
        attach(res, node, x)
        node.save(scale, geom)
    return res


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):  # fmt: skip
    """1D average pooling over ``(N, C, L)`` or ``(C, L)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.avg_pool1d(ember.tensor([[1.0, 3.0, 2.0, 0.0]]), 2)
        tensor([[2., 1.]])
    """
    return _avg_pool("avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, None)  # fmt: skip


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):  # fmt: skip
    """2D average pooling over ``(N, C, H, W)`` or ``(C, H, W)``.

    Args:
        count_include_pad: count the zero padding in the divisor.
        divisor_override: divide every window's sum by this instead.

    Example:
        >>> import ember
        >>> x = ember.ones(1, 1, 2, 2)
        >>> ember.nn.functional.avg_pool2d(x, 2, padding=1, count_include_pad=False)
        tensor([[[[1., 1.],
                  [1., 1.]]]])
    """
    return _avg_pool("avg_pool2d", 2, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)  # fmt: skip


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):  # fmt: skip
    """3D average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.avg_pool3d(ember.arange(8.0).reshape(1, 2, 2, 2), 2)
        tensor([[[[3.5000]]]])
    """
    return _avg_pool("avg_pool3d", 3, input, kernel_size, stride, padding, ceil_mode,
                     count_include_pad, divisor_override)  # fmt: skip


# -- separable linear maps (adaptive average pooling, interpolation) -------------------------


def _apply_matrices(F, a, mats, nd):
    """Apply ``mats[i]`` (out_i x in_i) along spatial dim ``i`` of ``a`` (last ``nd`` dims).
    Works on arrays (``F`` an array namespace) and on tensors (``F`` the graph namespace)."""
    for i, m in enumerate(mats):
        if m is None:
            continue
        axis = a.ndim - nd + i
        if axis == a.ndim - 1:
            a = F.matmul(a, m.T)  # m is a constant array in both speeds
        elif axis == a.ndim - 2:
            a = F.matmul(m, a)
        else:
            a = F.moveaxis(F.matmul(m, F.moveaxis(a, axis, -2)), -2, axis)
    return a


class _SeparableNode(Node):
    """Node of a separable linear map: saves the transposed per-dim matrices."""

    __slots__ = ()

    def backward(self, F, grad, mats_t, nd):
        return _apply_matrices(F, grad, mats_t, nd)


def separable_op(x: Tensor, mats, nd: int, node_cls, gather=None) -> Tensor:
    """Apply per-dim matrices (NumPy arrays in x's dtype, None = identity) to the last ``nd``
    dims of ``x``, with a ``node_cls`` node. With ``gather`` (one index array per dim, the
    matrices then being one-hot), the forward indexes instead of multiplying: exact for any
    dtype (nearest interpolation)."""
    from ...autograd.graph import _array_ns

    a = x._data
    xp = _xp(a)
    if xp is not np:
        mats = [None if m is None else xp.asarray(m) for m in mats]
    if gather is not None:
        index = [Ellipsis]
        for i, g in enumerate(gather):
            shape = [1] * nd
            shape[i] = len(g)
            index.append(xp.asarray(g).reshape(shape))
        out = xp.ascontiguousarray(a[tuple(index)])
    else:
        out = _apply_matrices(_array_ns(a), a, mats, nd)
    res = new_tensor(out)
    if grad_state.enabled and x._requires_grad:
        node = node_cls()
        attach(res, node, x)
        node.save([None if m is None else xp.ascontiguousarray(m.T) for m in mats], nd)
    return res


def _adaptive_starts(L, O):
    i = np.arange(O)
    start = (i * L) // O
    end = -((-(i + 1) * L) // O)
    return start, end


def _adaptive_matrix(L, O, dtype):
    start, end = _adaptive_starts(L, O)
    cols = np.arange(L)
    m = ((cols >= start[:, None]) & (cols < end[:, None])).astype(dtype)
    m /= (end - start)[:, None].astype(dtype)
    return m


def _output_size(output_size, nd, x, op):
    sizes = list(output_size) if isinstance(output_size, (list, tuple)) else [output_size] * nd
    if len(sizes) != nd:
        raise ValueError(
            f"{op}: output_size must be an int or a tuple of {nd} ints, got {output_size!r}"
        )
    L = x.shape[-nd:]
    return tuple(int(L[i]) if v is None else int(v) for i, v in enumerate(sizes))


def _adaptive_input(x, op, nd):
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}"
        )
    if x.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(x.shape)}"
        )
    for i in range(1, x.ndim):
        if x.shape[i] == 0:
            raise RuntimeError(
                f"{op}(): Expected input to have non-zero size for non-batch dimensions, but "
                f"input has sizes {list(x.shape)} with dimension {i} being empty"
            )
    return x


_ADAPTIVE_AVG_NODES = {
    n: _named(_SeparableNode, f"AdaptiveAvgPool{n}DBackward0") for n in (1, 2, 3)
}


def _adaptive_avg(op, nd, input, output_size):
    x = _adaptive_input(input, op, nd)
    out = _output_size(output_size, nd, x, op)
    if min(out) < 0 or (min(out) == 0 and x.numel() > 0):
        raise RuntimeError(f"{op}(): output_size must be positive, got {list(out)}")
    if x._data.dtype.kind not in "fc":
        raise RuntimeError(f"\"{op}\" not implemented for '{x.dtype}'")
    L = tuple(x.shape[-nd:])
    if all(o == 1 for o in out):  # global average pooling (ResNet's head): one mean
        from ...ops.reduction import mean

        return mean(x, dim=tuple(range(-nd, 0)), keepdim=True)
    dt = x._data.dtype
    mats = [None if o == l else _adaptive_matrix(l, o, dt) for l, o in zip(L, out)]
    return separable_op(x, mats, nd, _ADAPTIVE_AVG_NODES[nd])


def adaptive_avg_pool1d(input, output_size):
    """Adaptive average pooling to ``output_size`` over ``(N, C, L)`` or ``(C, L)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.adaptive_avg_pool1d(ember.tensor([[1.0, 2.0, 3.0]]), 2)
        tensor([[1.5000, 2.5000]])
    """
    return _adaptive_avg("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input, output_size):
    """Adaptive average pooling to ``output_size`` (int, or pair with None = keep).

    Example:
        >>> import ember
        >>> ember.nn.functional.adaptive_avg_pool2d(ember.ones(1, 2, 5, 5), 1).shape
        ember.Size([1, 2, 1, 1])
    """
    return _adaptive_avg("adaptive_avg_pool2d", 2, input, output_size)


def adaptive_avg_pool3d(input, output_size):
    """Adaptive average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.adaptive_avg_pool3d(ember.ones(1, 4, 4, 4), 2).shape
        ember.Size([1, 2, 2, 2])
    """
    return _adaptive_avg("adaptive_avg_pool3d", 3, input, output_size)


# -- adaptive max pooling -------------------------------------------------------------------


class _IndexedMaxNode(Node):
    """Gradient of a max over windows given flat per-plane indices of the winners."""

    __slots__ = ()

    def backward(self, F, grad, idx, shape, nd):
        return _scatter_flat(F, grad, idx, shape, nd)


def _scatter_flat(F, grad, idx, shape, nd):
    lead = int(np.prod(shape[:-nd], dtype=np.int64))
    plane = int(np.prod(shape[-nd:], dtype=np.int64))
    idx2 = idx.reshape(lead, -1)
    g2 = grad.reshape((lead, idx2.shape[1]))
    if not F.graph and idx.__class__ is np.ndarray:
        flat = (idx2 + (np.arange(lead, dtype=np.int64) * plane)[:, None]).reshape(-1)
        res = np.bincount(flat, weights=g2.reshape(-1).astype(np.float64, copy=False),
                          minlength=lead * plane)  # fmt: skip
        if g2.dtype.kind == "c":
            res = res + 1j * np.bincount(flat, weights=g2.reshape(-1).imag, minlength=lead * plane)
        return res.astype(g2.dtype).reshape(tuple(shape))
    rows = np.arange(lead).reshape(lead, 1)
    return F.index_add_zeros((lead, plane), (rows, idx2), g2).reshape(tuple(shape))


_ADAPTIVE_MAX_NODES = {
    n: _named(_IndexedMaxNode, f"AdaptiveMaxPool{n}DBackward0") for n in (1, 2, 3)
}


def _adaptive_max(op, nd, input, output_size, return_indices):
    x = _adaptive_input(input, op, nd)
    out = _output_size(output_size, nd, x, op)
    if min(out) <= 0:
        raise RuntimeError(f"{op}(): output_size must be greater than 0, got {list(out)}")
    a = x._data
    L = tuple(a.shape[-nd:])
    # Gather every window, padded to the longest by repeating its last element (a repeat never
    # changes the max nor the first position of it).
    pos = []
    for l, o in zip(L, out):
        start, end = _adaptive_starts(l, o)
        kmax = int((end - start).max())
        pos.append(np.minimum(start[:, None] + np.arange(kmax), end[:, None] - 1))
    index = [Ellipsis]
    for i, pi in enumerate(pos):  # dims: o_0, k_0, o_1, k_1, ...
        shape = [1] * (2 * nd)
        shape[2 * i : 2 * i + 2] = pi.shape
        index.append(pi.reshape(shape))
    win = a[tuple(index)]
    lead = a.ndim - nd
    perm = (
        list(range(lead))
        + [lead + 2 * i for i in range(nd)]
        + [lead + 2 * i + 1 for i in range(nd)]
    )
    win = win.transpose(perm).reshape(a.shape[:lead] + out + (-1,))
    if a.dtype.kind == "f":
        nanpos = np.isnan(win)
        arg = np.where(nanpos.any(-1), nanpos.argmax(-1), win.argmax(-1))
    else:
        arg = win.argmax(-1)
    vals = np.take_along_axis(win, arg[..., None], -1)[..., 0]
    # arg -> flat index in the plane
    ks = [pi.shape[1] for pi in pos]
    flat = 0
    rem = arg
    plane = 1
    parts = []
    for i in range(nd - 1, -1, -1):
        parts.append((i, rem % ks[i]))
        rem = rem // ks[i]
    for i, ki in sorted(parts):
        shape = [1] * nd
        shape[i] = out[i]
        p_i = pos[i][np.arange(out[i]).reshape(shape), ki]
        plane = int(np.prod(L[i + 1 :], dtype=np.int64))
        flat = flat + p_i.astype(np.int64) * plane
    idx = np.asarray(flat, dtype=np.int64)
    res = new_tensor(vals)
    if grad_state.enabled and x._requires_grad:
        node = _ADAPTIVE_MAX_NODES[nd]()
        attach(res, node, x)
        node.save(idx, a.shape, nd)
    if return_indices:
        return res, new_tensor(idx)
    return res


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Adaptive max pooling over ``(N, C, L)`` or ``(C, L)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.adaptive_max_pool1d(ember.tensor([[1.0, 5.0, 3.0]]), 2)
        tensor([[5., 5.]])
    """
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Adaptive max pooling to ``output_size`` over ``(N, C, H, W)`` or ``(C, H, W)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.adaptive_max_pool2d(ember.arange(9.0).reshape(1, 3, 3), 1)
        tensor([[[8.]]])
    """
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Adaptive max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.adaptive_max_pool3d(ember.arange(8.0).reshape(1, 2, 2, 2), 1)
        tensor([[[[7.]]]])
    """
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    """``adaptive_max_pool1d`` returning ``(values, indices)``."""
    return _adaptive_max("adaptive_max_pool1d", 1, input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    """``adaptive_max_pool2d`` returning ``(values, indices)``."""
    return _adaptive_max("adaptive_max_pool2d", 2, input, output_size, True)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    """``adaptive_max_pool3d`` returning ``(values, indices)``."""
    return _adaptive_max("adaptive_max_pool3d", 3, input, output_size, True)


# -- max unpooling --------------------------------------------------------------------------


class _UnpoolNode(Node):
    __slots__ = ()

    def backward(self, F, grad, idx, in_shape, nd):
        lead = int(np.prod(in_shape[:-nd], dtype=np.int64))
        g2 = grad.reshape((lead, -1))
        return F.take_along_axis(g2, idx.reshape(lead, -1), axis=1).reshape(tuple(in_shape))


_UNPOOL_NODES = {n: _named(_UnpoolNode, f"MaxUnpool{n}DBackward0") for n in (1, 2, 3)}


def _max_unpool(op, nd, input, indices, kernel_size, stride, padding, output_size):
    if not isinstance(input, Tensor) or not isinstance(indices, Tensor):
        raise TypeError(f"{op}(): input and indices must be Tensors")
    k = _tuple(kernel_size, nd, "kernel_size", op)
    s = k if stride is None else _tuple(stride, nd, "stride", op)
    p = _tuple(padding, nd, "padding", op)
    if input.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{op}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}"
        )
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            f"{op}(): Expected shape of indices to be same as that of the input tensor "
            f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}"
        )
    L = tuple(input.shape[-nd:])
    default = tuple((l - 1) * si - 2 * pi + ki for l, si, pi, ki in zip(L, s, p, k))
    if output_size is None:
        out = default
    else:
        out = tuple(int(v) for v in output_size)
        if len(out) == nd + 2 or (len(out) == nd + 1 and input.ndim == nd + 1):
            out = out[-nd:]
        if len(out) != nd:
            raise ValueError(
                f"output_size should be a sequence containing {nd} or {nd + 2} elements, but "
                f"it has a length of '{len(out)}'"
            )
        for i in range(nd):
            lo, hi = default[i] - s[i], default[i] + s[i]
            if not lo < out[i] < hi:
                raise ValueError(
                    f'invalid output_size "{list(out)}" (dim {i} must be between {lo} and {hi})'
                )
    a = input._data
    idx = indices._data.astype(np.int64, copy=False)
    lead_shape = a.shape[:-nd]
    lead = int(np.prod(lead_shape, dtype=np.int64))
    plane = int(np.prod(out, dtype=np.int64))
    idx2 = idx.reshape(lead, -1)
    if idx2.size and (idx2.min() < 0 or idx2.max() >= plane):
        bad = int(idx2.max()) if idx2.max() >= plane else int(idx2.min())
        raise RuntimeError(
            f"Found an invalid max index: {bad} (output volumes are of size "
            f"{'x'.join(str(o) for o in out)}"
        )
    xp = _xp(a)
    res = xp.zeros((lead, plane), dtype=a.dtype)
    xp.put_along_axis(res, idx2, a.reshape(lead, -1), axis=1)
    t = new_tensor(res.reshape(lead_shape + out))
    if grad_state.enabled and input._requires_grad:
        node = _UNPOOL_NODES[nd]()
        attach(t, node, input)
        node.save(idx, a.shape, nd)
    return t


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool1d``: values put back at ``indices``, zeros elsewhere.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> y, i = F.max_pool1d(ember.tensor([[1.0, 3.0, 2.0, 0.0]]), 2, return_indices=True)
        >>> F.max_unpool1d(y, i, 2)
        tensor([[0., 3., 2., 0.]])
    """
    return _max_unpool("max_unpool1d", 1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool2d``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> y, i = F.max_pool2d(ember.tensor([[[1.0, 2.0], [4.0, 3.0]]]), 2, return_indices=True)
        >>> F.max_unpool2d(y, i, 2)
        tensor([[[0., 0.],
                 [4., 0.]]])
    """
    return _max_unpool("max_unpool2d", 2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Partial inverse of ``max_pool3d``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> y, i = F.max_pool3d(ember.arange(8.0).reshape(1, 2, 2, 2), 2, return_indices=True)
        >>> F.max_unpool3d(y, i, 2).shape
        ember.Size([1, 2, 2, 2])
    """
    return _max_unpool("max_unpool3d", 3, input, indices, kernel_size, stride, padding, output_size)


# -- power-average pooling ------------------------------------------------------------------


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    import ember

    k = _tuple(kernel_size, nd, "kernel_size", f"lp_pool{nd}d")
    pool = (avg_pool1d, avg_pool2d, avg_pool3d)[nd - 1]
    out = pool(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (ember.sign(out) * ember.relu(ember.abs(out))).mul(math.prod(k)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """Power-average pooling: ``(sum over window of x**p) ** (1/p)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.lp_pool1d(ember.tensor([[3.0, 4.0]]), 2, 2)
        tensor([[5.]])
    """
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2D power-average pooling.

    Example:
        >>> import ember
        >>> ember.nn.functional.lp_pool2d(ember.ones(1, 2, 2), 1, 2)
        tensor([[[4.]]])
    """
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3D power-average pooling.

    Example:
        >>> import ember
        >>> ember.nn.functional.lp_pool3d(ember.ones(1, 2, 2, 2), 1, 2)
        tensor([[[[8.]]]])
    """
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# -- fractional max pooling -----------------------------------------------------------------


def _fractional_intervals(u, L, O, k):
    """PyTorch's ``generate_intervals``: window starts from one uniform sample ``u``."""
    if O == 1:
        return np.array([L - k], dtype=np.int64)
    alpha = (L - k) / (O - 1)
    i = np.arange(O - 1)
    starts = (np.floor((i + u) * alpha) - np.floor(u * alpha)).astype(np.int64)
    return np.concatenate([starts, [L - k]]).astype(np.int64)


class FractionalMaxPool2DBackward0(_IndexedMaxNode):
    __slots__ = ()


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=True, _random_samples=None):  # fmt: skip
    """``fractional_max_pool2d`` returning ``(values, indices)``."""
    return fractional_max_pool2d(input, kernel_size, output_size, output_ratio, True,
                                 _random_samples)  # fmt: skip


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None,
                          return_indices=False, _random_samples=None):  # fmt: skip
    """Fractional max pooling (Graham, 2014): windows of ``kernel_size`` at pseudo-random
    fractional strides so that the output has ``output_size`` (or ``output_ratio`` of the
    input). Samples are drawn from ``ember.random`` (``_random_samples`` of shape
    ``(N, C, 2)`` fixes them).

    Example:
        >>> import ember
        >>> x = ember.ones(1, 1, 5, 5)
        >>> ember.nn.functional.fractional_max_pool2d(x, 2, output_size=3).shape
        ember.Size([1, 1, 3, 3])
    """
    op = "fractional_max_pool2d"
    x = _as_input(input, op, 2)
    k = _tuple(kernel_size, 2, "kernel_size", op)
    if output_size is None:
        if output_ratio is None:
            raise ValueError(
                "fractional_max_pool2d requires specifying either an output_size or an output_ratio"
            )
        ratio = _tuple_float(output_ratio, 2)
        out = tuple(int(x.shape[-2 + i] * ratio[i]) for i in range(2))
    else:
        out = _tuple(output_size, 2, "output_size", op)
    L = tuple(x.shape[-2:])
    for i in range(2):
        if out[i] + k[i] - 1 > L[i]:
            raise RuntimeError(
                f"{op}(): pool height/width ({k[i]}) too large relative to input size "
                f"({L[i]}) for output size ({out[i]})"
            )
    a = x._data
    batched = a.ndim == 4
    a4 = a if batched else a[None]
    N, C = a4.shape[:2]
    if _random_samples is None:
        from ...random import numpy_generator

        samples = numpy_generator(None).random((N, C, 2)).astype(a.dtype)
    else:
        samples = np.asarray(
            _random_samples._data if isinstance(_random_samples, Tensor) else _random_samples
        )
    vals = np.empty((N, C) + out, dtype=a.dtype)
    idx = np.empty((N, C) + out, dtype=np.int64)
    ar = np.arange(k[0])[:, None] * L[1] + np.arange(k[1])[None, :]
    for n in range(N):  # one sample pair per plane: a loop over planes, vectorised within
        for c in range(C):
            hs = _fractional_intervals(float(samples[n, c, 1]), L[0], out[0], k[0])
            ws = _fractional_intervals(float(samples[n, c, 0]), L[1], out[1], k[1])
            base = hs[:, None] * L[1] + ws[None, :]
            flat = (base[..., None, None] + ar).reshape(out + (-1,))
            win = a4[n, c].reshape(-1)[flat]
            j = win.argmax(-1)
            idx[n, c] = np.take_along_axis(flat, j[..., None], -1)[..., 0]
            vals[n, c] = np.take_along_axis(win, j[..., None], -1)[..., 0]
    if not batched:
        vals, idx = vals[0], idx[0]
    res = new_tensor(vals)
    if grad_state.enabled and x._requires_grad:
        node = FractionalMaxPool2DBackward0()
        attach(res, node, x)
        node.save(idx, a.shape, 2)
    if return_indices:
        return res, new_tensor(idx)
    return res


def _tuple_float(v, n):
    if isinstance(v, (list, tuple)):
        return tuple(float(a) for a in v)
    return (float(v),) * n
