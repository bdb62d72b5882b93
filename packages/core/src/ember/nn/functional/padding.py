"""Padding: ``F.pad`` with modes constant, reflect, replicate and circular.

``pad`` lists (left, right) amounts starting from the last dim, as in PyTorch; negative amounts
crop. Constant padding is one slice copy; its gradient is constant padding with the amounts
negated, so double backward is the same op again. The other modes gather along each padded
dim with an index array (reflect, replicate or wrap-around positions); their gradient adds the
central run back with one slice and loops only over the few padded positions.

Unlike PyTorch, reflect/replicate/circular accept any number of padded dims (PyTorch limits
them to 1-3 trailing dims on inputs of matching rank), and an unknown mode is a ValueError.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> x = ember.tensor([[1.0, 2.0, 3.0]])
    >>> F.pad(x, (1, 2))
    tensor([[0., 1., 2., 3., 0., 0.]])
    >>> F.pad(x, (2, 1), mode="reflect")
    tensor([[3., 2., 1., 2., 3., 2.]])
"""

from __future__ import annotations

from ...ops._core import Node, Tensor, attach, grad_state, new_tensor, np

__all__ = ["pad"]

_MODES = ("constant", "reflect", "replicate", "circular")


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    from ...backends import array_module_of

    return array_module_of(a)


# -- constant -------------------------------------------------------------------------------


class ConstantPadNdBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, pads):
        neg = tuple(-p for p in pads)
        if F.graph:
            return _constant_pad(grad, neg, 0)
        return _constant_pad_array(grad, neg, 0)


def _constant_pad_array(a, pads, value):
    nd = len(pads) // 2
    shape = list(a.shape)
    src = [slice(None)] * a.ndim
    dst = [slice(None)] * a.ndim
    for i in range(nd):
        axis = a.ndim - 1 - i
        left, right = pads[2 * i], pads[2 * i + 1]
        L = a.shape[axis]
        n = L + left + right
        if n < 0:
            raise RuntimeError(
                f"The input size {L}, plus negative padding {left} and {right} resulted in a "
                f"negative output size, which is invalid. Check dimension {axis} of your input."
            )
        shape[axis] = n
        lo, hi = max(-left, 0), L - max(-right, 0)
        src[axis] = slice(lo, max(hi, lo))
        start = max(left, 0)
        dst[axis] = slice(start, start + max(hi - lo, 0))
    xp = _xp(a)
    if value == 0:
        out = xp.zeros(tuple(shape), dtype=a.dtype)
    else:
        out = xp.full(tuple(shape), value, dtype=a.dtype)
    out[tuple(dst)] = a[tuple(src)]
    return out


def _constant_pad(x: Tensor, pads, value) -> Tensor:
    a = x._data
    if value is None:
        value = 0
    elif a.dtype.kind in "iub":
        value = int(value) if a.dtype.kind != "b" else bool(value)
    out = new_tensor(_constant_pad_array(a, pads, value))
    if grad_state.enabled and x._requires_grad:
        node = ConstantPadNdBackward0()
        attach(out, node, x)
        node.save(tuple(pads))
    return out


# -- reflect, replicate, circular -----------------------------------------------------------


class _GatherPadNode(Node):
    """Saves ``(axis, index, size)`` per padded dim: the output gathered ``index`` along
    ``axis`` of an input dim of ``size``."""

    __slots__ = ()

    def backward(self, F, grad, plan):
        for axis, idx, L, run in plan:
            if F.graph:
                shape = tuple(grad.shape[:axis]) + (L,) + tuple(grad.shape[axis + 1 :])
                grad = F.index_add_zeros(shape, (slice(None),) * axis + (idx,), grad)
            else:
                grad = _scatter_axis(grad, axis, idx, L, run)
        return grad


def _scatter_axis(g, axis, idx, L, run):
    """Transpose of ``take(idx, axis)``: the identity ``run`` as one slice, the rest looped
    over the (few) padded positions."""
    xp = _xp(g)
    shape = g.shape[:axis] + (L,) + g.shape[axis + 1 :]
    out = xp.zeros(shape, dtype=g.dtype)
    lead = (slice(None),) * axis
    j0, j1, src0 = run
    if j1 > j0:
        out[lead + (slice(src0, src0 + j1 - j0),)] = g[lead + (slice(j0, j1),)]
    for j in range(len(idx)):
        if j0 <= j < j1:
            continue
        out[lead + (int(idx[j]),)] += g[lead + (j,)]
    return out


def _index(mode, L, left, right, axis, shape):
    """Source position of every output position along one dim, and the identity run."""
    n = L + left + right
    j = np.arange(n)
    if mode == "circular":
        lo, hi = max(-left, 0), L - max(-right, 0)
        Lc = hi - lo
        if Lc <= 0:
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        if max(left, 0) > Lc or max(right, 0) > Lc:
            raise RuntimeError("Padding value causes wrapping around more than once.")
        start = max(left, 0)
        idx = lo + (j - start) % Lc
        run = (start, start + Lc, lo)
    else:
        pos = j - left
        if mode == "reflect":
            if left >= L or right >= L:
                raise RuntimeError(
                    "Argument #4: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({left}, {right}) at dimension {axis} of "
                    f"input {list(shape)}"
                )
            if L == 1:
                idx = np.zeros(n, dtype=np.int64)
            else:
                period = 2 * (L - 1)
                m = np.mod(pos, period)
                idx = np.where(m < L, m, period - m)
        else:
            idx = np.clip(pos, 0, L - 1)
        a, b = max(left, 0), min(n, L + left)
        run = (a, max(a, b), a - left)
    if n <= 0:
        raise RuntimeError(
            f"input (W: {L}) is too small. Calculated output W: {n}"
            if mode == "reflect"
            else "Negative padding value is resulting in an empty dimension"
        )
    return idx.astype(np.int64), run


_NODES = {}


def _gather_node(mode, nd):
    key = (mode, nd)
    cls = _NODES.get(key)
    if cls is None:
        name = {
            "reflect": "ReflectionPad",
            "replicate": "ReplicationPad",
            "circular": "CircularPad",
        }
        label = f"{nd}D" if nd <= 3 else "Nd"
        cls = type(f"{name[mode]}{label}Backward0", (_GatherPadNode,), {"__slots__": ()})
        _NODES[key] = cls
    return cls


def _gather_pad(x: Tensor, pads, mode) -> Tensor:
    a = x._data
    nd = len(pads) // 2
    for i in range(nd):
        axis = a.ndim - 1 - i
        if a.shape[axis] == 0:
            raise RuntimeError(
                f"pad(): Expected non-zero sizes for the padded dims in mode '{mode}', but "
                f"got input of shape {list(a.shape)}"
            )
    plan = []
    xp = _xp(a)
    out = a
    for i in range(nd):
        axis = a.ndim - 1 - i
        left, right = pads[2 * i], pads[2 * i + 1]
        if left == 0 and right == 0:
            continue
        idx, run = _index(mode, a.shape[axis], left, right, axis, a.shape)
        out = xp.take(out, idx if xp is np else xp.asarray(idx), axis=axis)
        plan.append((axis, idx, a.shape[axis], run))
    if out is a:
        out = a.copy()
    res = new_tensor(out)
    if grad_state.enabled and x._requires_grad:
        node = _gather_node(mode, nd)()
        attach(res, node, x)
        node.save(tuple(plan))
    return res


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims of ``input``.

    Args:
        pad: ``(left_last, right_last, left_second_last, ...)``; negative values crop.
        mode: ``'constant'``, ``'reflect'``, ``'replicate'`` or ``'circular'``.
        value: fill value for ``'constant'`` (default 0).

    Example:
        >>> import ember
        >>> x = ember.arange(4.0).reshape(1, 2, 2)
        >>> ember.nn.functional.pad(x, (1, 0, 0, 1), mode="replicate")
        tensor([[[0., 0., 1.],
                 [2., 2., 3.],
                 [2., 2., 3.]]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    pads = tuple(int(p) for p in pad)
    if len(pads) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pads) // 2 > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pads)} and input of dimension {input.ndim}"
        )
    if mode == "constant":
        return _constant_pad(input, pads, value)
    if mode not in _MODES:
        raise ValueError(
            f"Unrecognised padding mode {mode}: expected one of 'constant', 'reflect', "
            "'replicate', 'circular'"
        )
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    return _gather_pad(input, pads, mode)
