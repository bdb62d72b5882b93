"""Scans (cumulative ops along a dimension): cumsum, cumprod, cummax, cummin,
logcumsumexp; and diff.

Example:
    >>> import ember
    >>> ember.cumsum(ember.tensor([1, 2, 3]), dim=0)
    tensor([1, 3, 6])
    >>> ember.cummax(ember.tensor([1.0, 3.0, 2.0]), dim=0).indices
    tensor([0, 1, 1])
"""

from __future__ import annotations

import operator

from .. import return_types as R
from ..amp import _state as _amp
from ._core import (
    D,
    Node,
    Tensor,
    attach,
    grad_state,
    new_tensor,
    np,
    saved_output,
    wrap_dim,
    xp_of,
)
from .inplace import inplace_binary
from .reduction import SelectValuesBackward, attach_select, torch_name

__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "diff"]

_INT_KINDS = "biu"


def _scan_dim(input, dim, op):
    if dim is None:
        raise TypeError(f"{op}(): missing required argument 'dim'")
    return wrap_dim(dim if dim.__class__ is int else operator.index(dim), input._data.ndim)


def _as_1d(d):
    """Scans work on at least 1-d arrays; a 0-d tensor scans as one element."""
    return d.reshape(1) if d.ndim == 0 else d


def reverse_cumsum(F, g, dim):
    """``out[k] = sum(g[k:])`` along ``dim``, for both speeds of backward."""
    if F.graph:
        return F.sum(g, axis=dim, keepdims=True) - F.cumsum(g, axis=dim) + g
    return F.flip(F.cumsum(F.flip(g, dim), axis=dim), dim)


# -- cumsum / cumprod ----------------------------------------------------------------------------


class CumsumBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, dim, in_dtype):
        if in_dtype is not None:
            grad = F.astype(grad, in_dtype)
        if grad.ndim == 0:
            return grad
        return reverse_cumsum(F, grad, dim)


def _scan_dtype(d, dtype):
    if dtype is not None:
        return D.to_dtype(dtype).np
    return np.int64 if d.dtype.kind in _INT_KINDS else None


def cumsum(input, dim=None, *, dtype=None, axis=None, out=None):
    """Cumulative sum along ``dim`` (alias ``axis``). Integer and bool tensors give int64.

    Example:
        >>> import ember
        >>> ember.tensor([[1.0, 2.0], [3.0, 4.0]]).cumsum(dim=1)
        tensor([[1., 3.],
                [3., 7.]])
    """
    if _amp.active and dtype is None:
        (input,) = _amp.cast("cumsum", input)
    if axis is not None:
        dim = axis
    dim = _scan_dim(input, dim, "cumsum")
    d = input._data
    np_dtype = _scan_dtype(d, dtype)
    arr = _as_1d(d).cumsum(axis=dim, dtype=np_dtype).reshape(d.shape)
    res = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        node = CumsumBackward0()
        attach(res, node, input)
        node.save(dim, None if arr.dtype == d.dtype else d.dtype)
    if out is not None:
        from .inplace import write_out

        return write_out(out, res)
    return res


class CumprodBackward0(Node):
    """Gradient of a cumulative product, correct with zeros in the input: before the first
    zero (along ``dim``) it is ``reverse_cumsum(grad * out) / x``; at the first zero it is
    ``reverse_cumsum(grad * cumprod(x with that zero set to 1))``; after it, zero."""

    __slots__ = ()

    def backward(self, F, grad, x, result, dim, in_dtype, zeros):
        if in_dtype is not None:
            grad = F.astype(grad, in_dtype)
        if x.ndim == 0:
            return grad
        if zeros is None:
            return reverse_cumsum(F, grad * result, dim) / x
        first_zero, is_zero = zeros
        before = reverse_cumsum(F, grad * result, dim) / F.where(is_zero, 1.0, x)
        skipped = F.cumprod(F.where(first_zero, 1.0, x), axis=dim)
        at_first = reverse_cumsum(F, grad * skipped, dim)
        return F.where(first_zero, at_first, before)


def cumprod(input, dim=None, *, dtype=None, axis=None, out=None):
    """Cumulative product along ``dim``. Integer and bool tensors give int64; the gradient
    is exact when the input holds zeros.

    Example:
        >>> import ember
        >>> ember.cumprod(ember.tensor([1.0, 2.0, 3.0]), dim=0)
        tensor([1., 2., 6.])
    """
    if _amp.active and dtype is None:
        (input,) = _amp.cast("cumprod", input)
    if axis is not None:
        dim = axis
    dim = _scan_dim(input, dim, "cumprod")
    d = input._data
    np_dtype = _scan_dtype(d, dtype)
    arr = _as_1d(d).cumprod(axis=dim, dtype=np_dtype).reshape(d.shape)
    res = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        node = CumprodBackward0()
        attach(res, node, input)
        zeros = None
        is_zero = d == 0
        if d.ndim and bool(is_zero.any()):
            first = is_zero & (is_zero.cumsum(axis=dim) == 1)
            zeros = (first, is_zero)
        node.save(input, saved_output(res), dim, None if arr.dtype == d.dtype else d.dtype, zeros)
    if out is not None:
        from .inplace import write_out

        return write_out(out, res)
    return res


# -- cummax / cummin -----------------------------------------------------------------------------


class CummaxBackward0(SelectValuesBackward):
    __slots__ = ()


class CumminBackward0(SelectValuesBackward):
    __slots__ = ()


def _cum_extreme(input, dim, largest, node_cls, result_type, op):
    d = input._data
    dim = _scan_dim(input, dim, op)
    xp = xp_of(input)
    if d.ndim == 0:
        values = new_tensor(d.copy())
        if grad_state.enabled and input._requires_grad:
            attach_select(values, node_cls(), input, None, 0)
        return result_type(values, new_tensor(xp.zeros((), dtype=np.int64)))
    acc = (xp.maximum if largest else xp.minimum).accumulate(d, axis=dim)
    hit = d == acc
    if d.dtype.kind in "fc":
        hit |= xp.isnan(d)
    shape = [1] * d.ndim
    shape[dim] = d.shape[dim]
    pos = xp.arange(d.shape[dim], dtype=np.int64).reshape(shape)
    idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=dim)
    values = new_tensor(acc)
    if grad_state.enabled and input._requires_grad:
        attach_select(values, node_cls(), input, idx, dim, repeats=True)
    return result_type(values, new_tensor(idx))


def cummax(input, dim):
    """Running maximum along ``dim`` and the index where it was reached (the latest index
    among equal values), as ``(values, indices)``.

    Example:
        >>> import ember
        >>> ember.cummax(ember.tensor([1.0, 3.0, 3.0, 2.0]), 0)
        ember.return_types.cummax(
        values=tensor([1., 3., 3., 3.]),
        indices=tensor([0, 1, 2, 2]))
    """
    return _cum_extreme(input, dim, True, CummaxBackward0, R.cummax, "cummax")


def cummin(input, dim):
    """Running minimum along ``dim`` and the index where it was reached, as
    ``(values, indices)``.

    Example:
        >>> import ember
        >>> ember.cummin(ember.tensor([3, 1, 2]), 0).values
        tensor([3, 1, 1])
    """
    return _cum_extreme(input, dim, False, CumminBackward0, R.cummin, "cummin")


# -- logcumsumexp --------------------------------------------------------------------------------


def _logcumsumexp_array(xp, d, dim):
    if xp is np:
        return np.logaddexp.accumulate(d, axis=dim)
    m = d.max(axis=dim, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0)
    return xp.log(xp.exp(d - m).cumsum(axis=dim)) + m


class LogcumsumexpBackward0(Node):
    """``grad_in[k] = sum_{i >= k} grad[i] * exp(x[k] - out[i])``. Plain backward computes it
    in log space, split by the sign of ``grad`` (no overflow); under ``create_graph`` it is
    computed relative to the total ``out[-1]``."""

    __slots__ = ()

    def backward(self, F, grad, x, result, dim):
        if x.ndim == 0:
            return grad
        if F.graph:
            total = F.amax(result, axis=dim, keepdims=True)
            return F.exp(x - total) * reverse_cumsum(F, grad * F.exp(total - result), dim)
        xp = F.xp
        with np.errstate(divide="ignore", invalid="ignore"):
            log_pos = xp.where(grad > 0, xp.log(xp.where(grad > 0, grad, 1)), -np.inf)
            log_neg = xp.where(grad < 0, xp.log(xp.where(grad < 0, -grad, 1)), -np.inf)

            def rev(z):
                return xp.flip(_logcumsumexp_array(xp, xp.flip(z, dim), dim), dim)

            pos = xp.exp(rev(log_pos - result) + x)
            neg = xp.exp(rev(log_neg - result) + x)
        return pos - neg


def logcumsumexp(input, dim):
    """``log(cumsum(exp(input)))`` along ``dim``, computed stably. Floating point only.

    Example:
        >>> import ember
        >>> ember.logcumsumexp(ember.tensor([0.0, 1.0, 2.0]), 0)
        tensor([0.0000, 1.3133, 2.4076])
    """
    d = input._data
    if d.dtype.kind not in "f":
        raise RuntimeError(f"logcumsumexp(): expected a floating point input, got {torch_name(d)}")
    dim = _scan_dim(input, dim, "logcumsumexp")
    arr = _logcumsumexp_array(xp_of(input), _as_1d(d), dim).reshape(d.shape)
    res = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        node = LogcumsumexpBackward0()
        attach(res, node, input)
        node.save(input, saved_output(res), dim)
    return res


# -- diff ----------------------------------------------------------------------------------------


def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``out[i] = x[i + 1] - x[i]``), after
    concatenating ``prepend`` and ``append``; for bool tensors, ``x[i + 1] != x[i]``.

    Example:
        >>> import ember
        >>> ember.diff(ember.tensor([1, 3, 6, 10]))
        tensor([2, 3, 4])
        >>> ember.diff(ember.tensor([1, 3, 6, 10]), n=2)
        tensor([1, 1])
    """
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    n = operator.index(n)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = wrap_dim(operator.index(dim), input._data.ndim)
    x = input
    if prepend is not None or append is not None:
        import ember

        parts = [t for t in (prepend, input, append) if t is not None]
        parts = [t if t.ndim else t.reshape((1,) * input.ndim) for t in parts]
        x = ember.cat(parts, dim)
    for _ in range(n):
        length = x.shape[dim]
        if length == 0:
            break
        hi = x.narrow(dim, 1, length - 1)
        lo = x.narrow(dim, 0, length - 1)
        if x._data.dtype == np.bool_:
            x = new_tensor(hi._data != lo._data)
        else:
            x = hi - lo
    return x


for _name in __all__:
    setattr(Tensor, _name, globals()[_name])
Tensor.cumsum_ = inplace_binary(cumsum, "cumsum_", unary=True)
Tensor.cumprod_ = inplace_binary(cumprod, "cumprod_", unary=True)
del _name
