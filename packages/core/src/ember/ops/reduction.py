"""Reductions: sum, mean, prod, max/min, amax/amin, arg-reductions, var/std, logsumexp,
norm, all/any, count_nonzero.

Every reduction takes ``dim`` as None (all dimensions), an int or a tuple of ints, and
``keepdim``; NumPy's spellings ``axis=`` and ``keepdims=`` are accepted too (backward formulas
call these ops through the NumPy-named namespace, see Note [Two speeds of backward]).
``max``/``min``/``median``... with a ``dim`` return ``ember.return_types`` named tuples
``(values, indices)`` whose gradient flows to the selected positions; the full reductions
``max()``/``amax`` split the gradient evenly between ties, as PyTorch does.

Example:
    >>> import ember
    >>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> x.sum(dim=0)
    tensor([4., 6.], grad_fn=<SumBackward1>)
    >>> x.max(dim=1).indices
    tensor([1, 1])
"""

from __future__ import annotations

import builtins
import math
import operator

from .. import return_types as R
from ..amp import _state as _amp
from ._core import (
    D,
    Node,
    Tensor,
    attach,
    grad_state,
    method,
    new_tensor,
    np,
    saved_output,
    wrap_dim,
    xp_of,
)

__all__ = [
    "sum",
    "mean",
    "nansum",
    "nanmean",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "aminmax",
    "var",
    "std",
    "var_mean",
    "std_mean",
    "logsumexp",
    "norm",
    "all",
    "any",
    "count_nonzero",
]

_ndarray = np.ndarray
_INT_KINDS = "biu"
# PyTorch's ScalarType names, used in its dtype error messages.
_TORCH_NAMES = {
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "uint16": "UInt16",
    "uint32": "UInt32",
    "uint64": "UInt64",
    "bool": "Bool",
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
    "bfloat16": "BFloat16",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
}


# -- shared helpers ------------------------------------------------------------------------------


def torch_name(arr) -> str:
    """PyTorch's name of an array's dtype (``Long``, ``Float``...), for error messages."""
    name = D.from_numpy_dtype(arr.dtype).name
    return _TORCH_NAMES.get(name, name)


def reduce_axes(dim, ndim: int):
    """``dim`` (None, int or sequence) as None (every dim) or a sorted tuple of dims; a 0-d
    tensor accepts dim 0/-1 and reduces nothing."""
    if dim is None:
        return None
    if dim.__class__ is int:
        d = wrap_dim(dim, ndim)
        return (d,) if ndim else ()
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return None
        out = tuple(sorted(wrap_dim(operator.index(d), ndim) for d in dim))
        for i in range(1, len(out)):
            if out[i] == out[i - 1]:
                raise RuntimeError(f"dim {out[i]} appears multiple times in the list of dims")
        return out if ndim else ()
    return reduce_axes(operator.index(dim), ndim)


def all_axes(axes, ndim: int) -> tuple:
    return tuple(range(ndim)) if axes is None else axes


def as_array(res, like):
    """NumPy's full reductions return scalars; make them 0-d arrays again."""
    return res if res.__class__ is like.__class__ else np.asarray(res)


def _alias(dim, keepdim, axis, keepdims):
    if axis is not None:
        dim = axis
    if keepdims is not None:
        keepdim = keepdims
    return dim, keepdim


def _count(shape, axes) -> int:
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _check_nonempty(op: str, shape, axes) -> None:
    for a in axes:
        if shape[a] == 0:
            raise IndexError(f"{op}(): Expected reduction dim {a} to have non-zero size.")


def _expand_grad(F, grad, shape, axes, keepdim):
    """Bring a reduction's gradient back to the input's ``shape``."""
    if not keepdim and axes:
        grad = F.unsqueeze_dims(grad, axes, len(shape))
    if tuple(grad.shape) == tuple(shape):
        return grad
    return broadcast_grad(F, grad, shape)


def broadcast_grad(F, grad, shape):
    """``grad`` broadcast to ``shape``; plain backward fills a new array, which is several
    times faster than ``broadcast_to`` for small tensors and is materialised downstream
    anyway."""
    if F.graph:
        return F.broadcast_to(grad, shape)
    out = F.xp.empty(shape, dtype=grad.dtype)
    out[...] = grad
    return out


def dim_index(xp, idx, dim: int) -> tuple:
    """The advanced index that picks ``idx`` (same ndim as the input) along ``dim``: the
    positions of ``take_along_dim(input, idx, dim)``, for scattering gradients back."""
    nd = idx.ndim
    return tuple(
        idx if i == dim else xp.arange(idx.shape[i]).reshape((-1,) + (1,) * (nd - i - 1))
        for i in range(nd)
    )


class SelectValuesBackward(Node):
    """Gradient of ops that pick one input element per output (max(dim), sort, topk...):
    the gradient is written at the picked positions (added, when positions repeat)."""

    __slots__ = ()

    def backward(self, F, grad, shape, index, grad_shape, repeats):
        if shape is None:  # a 0-d input: the single element was picked
            return grad
        if tuple(grad.shape) != grad_shape:
            grad = grad.reshape(grad_shape)
        if repeats:
            return F.index_add_zeros(shape, index, grad)
        return F.index_put_zeros(shape, index, grad)


def attach_select(out, node, input, idx_keep, dim, repeats=False):
    """Attach a ``SelectValuesBackward`` node; ``idx_keep`` holds the picked indices with the
    reduced dim kept (shape of the gradient once reshaped)."""
    attach(out, node, input)
    d = input._data
    if d.ndim == 0:
        node.save(None, None, None, False)
        return out
    index = dim_index(xp_of(input), idx_keep, dim)
    node.save(d.shape, index, idx_keep.shape, repeats)
    return out


class EvenlyDistributeBackward(Node):
    """Gradient of a reduction that selects values (amax, max(), median()): the gradient is
    shared evenly by the elements equal to the result; ``weights`` holds that share."""

    __slots__ = ()

    def backward(self, F, grad, shape, axes, keepdim, weights):
        return F.multiply(_expand_grad(F, grad, shape, axes, keepdim), weights)


def attach_even(out, node, input, res_keep, axes, keepdim):
    """Attach an evenly-distributing node; ``res_keep`` is the result with reduced dims kept."""
    d = input._data
    xp = xp_of(input)
    if d.dtype.kind == "f" and bool(xp.isnan(res_keep).any()):
        mask = (d == res_keep) | (xp.isnan(d) & xp.isnan(res_keep))
    else:
        mask = d == res_keep
    count = mask.sum(axis=all_axes(axes, d.ndim), keepdims=True)
    weights = mask / count.astype(d.dtype)
    attach(out, node, input)
    node.save(d.shape, all_axes(axes, d.ndim), keepdim, weights.astype(d.dtype, copy=False))
    return out


# -- sum / mean ----------------------------------------------------------------------------------


class SumBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, in_dtype):
        if in_dtype is not None:
            grad = F.astype(grad, in_dtype)
        if tuple(grad.shape) == tuple(shape):
            return grad
        return broadcast_grad(F, grad, shape)


class SumBackward1(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, axes, keepdim, in_dtype):
        if in_dtype is not None:
            grad = F.astype(grad, in_dtype)
        return _expand_grad(F, grad, shape, axes, keepdim)


def _sum_dtype(d, dtype):
    if dtype is not None:
        return D.to_dtype(dtype).np
    if d.dtype.kind in _INT_KINDS:
        return np.int64
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None, out=None):
    """Sum of elements over ``dim`` (None: all; an int or a tuple of ints).

    Integer and bool tensors sum to int64 unless ``dtype`` says otherwise.

    Args:
        dim: the dimension(s) to reduce (alias ``axis``); None reduces all.
        keepdim: keep reduced dimensions with size 1 (alias ``keepdims``).
        dtype: compute and return in this dtype.

    Example:
        >>> import ember
        >>> x = ember.tensor([[1, 2], [3, 4]])
        >>> x.sum()
        tensor(10)
        >>> ember.sum(x, dim=1, keepdim=True)
        tensor([[3],
                [7]])
    """
    if _amp.active and dtype is None:
        (input,) = _amp.cast("sum", input)
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    d = input._data
    np_dtype = _sum_dtype(d, dtype) if dtype is not None or d.dtype.kind in _INT_KINDS else None
    if dim is None and not keepdim:
        res = new_tensor(as_array(d.sum(dtype=np_dtype), d))
        if grad_state.enabled and input._requires_grad:
            node = SumBackward0()
            attach(res, node, input)
            node.save(d.shape, None if np_dtype is None else d.dtype)
        return res if out is None else _write_out(out, res)
    axes = reduce_axes(dim, d.ndim)
    res = new_tensor(as_array(d.sum(axis=axes, dtype=np_dtype, keepdims=keepdim), d))
    if grad_state.enabled and input._requires_grad:
        node = SumBackward1()
        attach(res, node, input)
        node.save(d.shape, all_axes(axes, d.ndim), keepdim, None if np_dtype is None else d.dtype)
    return res if out is None else _write_out(out, res)


class MeanBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, axes, keepdim, count, in_dtype):
        if in_dtype is not None:
            grad = F.astype(grad, in_dtype)
        return _expand_grad(F, grad, shape, axes, keepdim) / count


MeanBackward1 = type("MeanBackward1", (MeanBackward0,), {"__slots__": ()})


def _check_float(op: str, d, dtype) -> None:
    if dtype is None and d.dtype.kind not in "fc":
        raise RuntimeError(
            f"{op}(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {torch_name(d)}"
        )


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None, out=None):
    """Mean of elements over ``dim``; floating point and complex tensors only (or give
    ``dtype``).

    Example:
        >>> import ember
        >>> ember.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=0)
        tensor([2., 3.])
        >>> ember.tensor([1, 2]).mean(dtype=ember.float32)
        tensor(1.5000)
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    d = in_d = input._data
    _check_float("mean", d, dtype)
    if dtype is not None:
        d = d.astype(D.to_dtype(dtype).np, copy=False)
    axes = reduce_axes(dim, d.ndim)
    full = all_axes(axes, d.ndim)
    count = _count(d.shape, full)
    if count:
        acc = np.float32 if d.dtype == np.float16 else None  # as NumPy's mean does
        arr = as_array(d.sum(axis=axes, dtype=acc, keepdims=keepdim) / count, d)
        if acc is not None:
            arr = arr.astype(d.dtype)
    else:
        arr = _empty_mean(d, axes, keepdim)
    res = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        node = MeanBackward0() if axes is None else MeanBackward1()
        attach(res, node, input)
        node.save(d.shape, full, keepdim, count, None if d is in_d else in_d.dtype)
    return res if out is None else _write_out(out, res)


def _empty_mean(d, axes, keepdim):
    """The NaN result of a mean over no elements (NumPy would warn)."""
    s = as_array(d.sum(axis=axes, keepdims=keepdim), d)
    return as_array(s * float("nan"), d)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero.

    Example:
        >>> import ember
        >>> ember.nansum(ember.tensor([1.0, float("nan"), 2.0]))
        tensor(3.)
    """
    d = input._data
    if d.dtype.kind != "f" or not bool(xp_of(input).isnan(d).any()):
        return sum(input, dim, keepdim, dtype=dtype)
    mask = ~xp_of(input).isnan(d)
    return _masked_sum(input, mask, dim, keepdim, dtype)


class NansumBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, axes, keepdim, mask):
        return F.multiply(_expand_grad(F, grad, shape, axes, keepdim), mask)


def _masked_sum(input, mask, dim, keepdim, dtype):
    d = input._data
    axes = reduce_axes(dim, d.ndim)
    np_dtype = _sum_dtype(d, dtype)
    arr = xp_of(input).where(mask, d, 0)
    res = new_tensor(as_array(arr.sum(axis=axes, dtype=np_dtype, keepdims=keepdim), d))
    if grad_state.enabled and input._requires_grad:
        node = NansumBackward0()
        attach(res, node, input)
        node.save(d.shape, all_axes(axes, d.ndim), keepdim, mask.astype(d.dtype))
    return res


class NanmeanBackward0(NansumBackward0):
    __slots__ = ()


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean over the non-NaN elements.

    Example:
        >>> import ember
        >>> ember.nanmean(ember.tensor([1.0, float("nan"), 3.0]))
        tensor(2.)
    """
    d = input._data
    _check_float("nanmean", d, dtype)
    if dtype is not None:
        d = d.astype(D.to_dtype(dtype).np, copy=False)
    xp = xp_of(input)
    mask = ~xp.isnan(d)
    axes = reduce_axes(dim, d.ndim)
    count = mask.sum(axis=axes, keepdims=True).astype(d.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):
        arr = xp.where(mask, d, 0).sum(axis=axes, keepdims=True) / count
    res = new_tensor(arr if keepdim else _squeeze(arr, axes, d.ndim))
    if grad_state.enabled and input._requires_grad:
        node = NanmeanBackward0()
        attach(res, node, input)
        with np.errstate(invalid="ignore", divide="ignore"):
            weights = mask / count
        node.save(d.shape, all_axes(axes, d.ndim), keepdim, weights.astype(input._data.dtype))
    return res


# -- prod ----------------------------------------------------------------------------------------


class ProdBackward0(Node):
    """Gradient of a product, correct when the input holds zeros: at a single zero the
    gradient is the product of the other elements; with two or more zeros it is zero."""

    __slots__ = ()

    def backward(self, F, grad, x, result, axes, keepdim, zeros):
        shape = x.shape
        g = _expand_grad(F, grad, shape, axes, keepdim)
        r = result if keepdim else F.unsqueeze_dims(result, axes, len(shape))
        if zeros is None:
            return g * r / x
        zero_mask, single = zeros
        # x with its zeros replaced by one (a constant, so that the product of "the others"
        # at a single zero does not depend on that zero).
        x_safe = F.where(zero_mask, 1.0, x)
        others = F.prod(x_safe, axis=axes, keepdims=True)
        at_zero = F.multiply(others, single)
        return g * F.where(zero_mask, at_zero, r / x_safe)


ProdBackward1 = type("ProdBackward1", (ProdBackward0,), {"__slots__": ()})


def prod(input, dim=None, keepdim=False, *, dtype=None, axis=None, keepdims=None):
    """Product of elements over ``dim`` (None: all). Integer and bool tensors give int64.

    Example:
        >>> import ember
        >>> ember.tensor([[1.0, 2.0], [3.0, 4.0]]).prod(1)
        tensor([ 2., 12.])
        >>> ember.tensor([1, 2, 3]).prod()
        tensor(6)
    """
    if _amp.active and dtype is None:
        (input,) = _amp.cast("prod", input)
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    d = input._data
    np_dtype = _sum_dtype(d, dtype)
    axes = reduce_axes(dim, d.ndim)
    res = new_tensor(as_array(d.prod(axis=axes, dtype=np_dtype, keepdims=keepdim), d))
    if grad_state.enabled and input._requires_grad:
        node = ProdBackward0() if dim is None else ProdBackward1()
        attach(res, node, input)
        full = all_axes(axes, d.ndim)
        zeros = None
        zero_mask = d == 0
        if bool(zero_mask.any()):
            n_zero = zero_mask.sum(axis=full, keepdims=True)
            zeros = (zero_mask, (n_zero == 1).astype(d.dtype))
        node.save(input, saved_output(res), full, keepdim, zeros)
    return res


# -- max / min / amax / amin ---------------------------------------------------------------------


class AmaxBackward0(EvenlyDistributeBackward):
    __slots__ = ()


class AminBackward0(EvenlyDistributeBackward):
    __slots__ = ()


def _extreme(input, dim, keepdim, op, largest, node_cls):
    d = input._data
    axes = reduce_axes(dim, d.ndim)
    if d.size == 0:
        _check_nonempty(op, d.shape, all_axes(axes, d.ndim))
    arr = (d.max if largest else d.min)(axis=axes, keepdims=True)
    res_keep = as_array(arr, d)
    res = new_tensor(res_keep if keepdim else _squeeze(res_keep, axes, d.ndim))
    if grad_state.enabled and input._requires_grad:
        attach_even(res, node_cls(), input, res_keep, axes, keepdim)
    return res


def _squeeze(arr, axes, ndim):
    if axes is None:
        return arr.reshape(())
    return arr.reshape(tuple(s for i, s in enumerate(arr.shape) if i not in axes))


def amax(input, dim=(), keepdim=False, *, axis=None, keepdims=None, out=None):
    """Maximum over ``dim`` (an int or a tuple; the default ``()`` reduces all). The
    gradient is split evenly between equal maxima.

    Example:
        >>> import ember
        >>> ember.amax(ember.tensor([[1, 7], [5, 3]]), dim=0)
        tensor([5, 7])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    res = _extreme(input, dim, keepdim, "amax", True, AmaxBackward0)
    return res if out is None else _write_out(out, res)


def amin(input, dim=(), keepdim=False, *, axis=None, keepdims=None, out=None):
    """Minimum over ``dim`` (an int or a tuple; the default ``()`` reduces all). The
    gradient is split evenly between equal minima.

    Example:
        >>> import ember
        >>> ember.amin(ember.tensor([[1, 7], [5, 3]]), dim=1)
        tensor([1, 3])
    """
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    res = _extreme(input, dim, keepdim, "amin", False, AminBackward0)
    return res if out is None else _write_out(out, res)


class MaxBackward0(SelectValuesBackward):
    __slots__ = ()


class MinBackward0(SelectValuesBackward):
    __slots__ = ()


class MaxBackward1(EvenlyDistributeBackward):
    __slots__ = ()


class MinBackward1(EvenlyDistributeBackward):
    __slots__ = ()


def _arg_extreme(d, dim, largest):
    """Indices (reduced dim kept) of the max/min along ``dim``; NaN counts as the extreme."""
    return (d.argmax if largest else d.argmin)(axis=dim, keepdims=True)


def _select_reduce(input, dim, keepdim, op, largest, node_cls, result_type):
    d = input._data
    if dim.__class__ is not int:
        dim = operator.index(dim)
    dim = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        vals = new_tensor(d.copy())
        if grad_state.enabled and input._requires_grad:
            attach_select(vals, node_cls(), input, None, 0)
        return result_type(vals, new_tensor(xp_of(input).zeros((), dtype=np.int64)))
    if d.shape[dim] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
    idx = _arg_extreme(d, dim, largest)
    vals = xp_of(input).take_along_axis(d, idx, axis=dim)
    out_idx = idx if keepdim else idx.squeeze(dim)
    values = new_tensor(vals if keepdim else vals.squeeze(dim))
    if grad_state.enabled and input._requires_grad:
        attach_select(values, node_cls(), input, idx, dim)
    return result_type(values, new_tensor(out_idx.astype(np.int64, copy=False)))


def _full_extreme(input, op, largest, node_cls):
    d = input._data
    if d.size == 0:
        raise RuntimeError(
            f"{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )
    arr = as_array((d.max if largest else d.min)(keepdims=True), d)
    res = new_tensor(arr.reshape(()))
    if grad_state.enabled and input._requires_grad:
        attach_even(res, node_cls(), input, arr, None, False)
    return res


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element; with ``dim``, ``(values, indices)`` of the maxima along it; with
    a tensor as second argument, the elementwise :func:`ember.maximum`.

    Example:
        >>> import ember
        >>> x = ember.tensor([[1, 5, 2], [4, 0, 4]])
        >>> ember.max(x)
        tensor(5)
        >>> ember.max(x, dim=1)
        ember.return_types.max(
        values=tensor([5, 4]),
        indices=tensor([1, 0]))
    """
    if dim is None:
        if keepdim:
            raise TypeError("max(): keepdim=True needs a dim")
        res = _full_extreme(input, "max", True, MaxBackward1)
    elif isinstance(dim, Tensor):
        from .pointwise import maximum

        res = maximum(input, dim)
    else:
        res = _select_reduce(input, dim, keepdim, "max", True, MaxBackward0, R.max)
    return res if out is None else _write_out(out, res)


def min(input, dim=None, keepdim=False, *, out=None):
    """The smallest element; with ``dim``, ``(values, indices)`` of the minima along it; with
    a tensor as second argument, the elementwise :func:`ember.minimum`.

    Example:
        >>> import ember
        >>> x = ember.tensor([[1, 5, 2], [4, 0, 4]])
        >>> ember.min(x)
        tensor(0)
        >>> x.min(dim=0).values
        tensor([1, 0, 2])
    """
    if dim is None:
        if keepdim:
            raise TypeError("min(): keepdim=True needs a dim")
        res = _full_extreme(input, "min", False, MinBackward1)
    elif isinstance(dim, Tensor):
        from .pointwise import minimum

        res = minimum(input, dim)
    else:
        res = _select_reduce(input, dim, keepdim, "min", False, MinBackward0, R.min)
    return res if out is None else _write_out(out, res)


def _arg(input, dim, keepdim, op, largest):
    d = input._data
    if dim is None:
        if d.size == 0:
            raise IndexError(
                f"{op}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        arr = (d.argmax if largest else d.argmin)()
        arr = as_array(arr, d).astype(np.int64)
        return new_tensor(arr.reshape((1,) * d.ndim) if keepdim else arr.reshape(()))
    dim = wrap_dim(operator.index(dim), d.ndim)
    if d.ndim == 0:
        return new_tensor(xp_of(input).zeros((), dtype=np.int64))
    if d.shape[dim] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
    idx = _arg_extreme(d, dim, largest).astype(np.int64, copy=False)
    return new_tensor(idx if keepdim else idx.squeeze(dim))


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when ``dim`` is None); int64.

    Example:
        >>> import ember
        >>> ember.argmax(ember.tensor([[1, 5], [7, 2]]), dim=1)
        tensor([1, 0])
    """
    return _arg(input, dim, keepdim, "argmax", True)


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element (of the flattened tensor when ``dim`` is None); int64.

    Example:
        >>> import ember
        >>> ember.argmin(ember.tensor([[1, 5], [7, 2]]))
        tensor(0)
    """
    return _arg(input, dim, keepdim, "argmin", False)


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (None: all elements) in one call.

    Example:
        >>> import ember
        >>> ember.aminmax(ember.tensor([3, 1, 4]))
        ember.return_types.aminmax(
        min=tensor(1),
        max=tensor(4))
    """
    d = input._data
    if dim is None:
        if d.size == 0:
            raise RuntimeError(
                "aminmax(): cannot compute aminmax over an empty dimension as the operation "
                "has no identity."
            )
        lo = _extreme(input, None, False, "aminmax", False, AminBackward0)
        hi = _extreme(input, None, False, "aminmax", True, AmaxBackward0)
        if keepdim:
            lo, hi = lo.reshape((1,) * d.ndim), hi.reshape((1,) * d.ndim)
        return R.aminmax(lo, hi)
    dim = operator.index(dim)
    return R.aminmax(
        _extreme(input, dim, keepdim, "aminmax", False, AminBackward0),
        _extreme(input, dim, keepdim, "aminmax", True, AmaxBackward0),
    )


# -- var / std -----------------------------------------------------------------------------------


def _correction(dim, unbiased, correction, op):
    if dim.__class__ is bool:  # var(input, unbiased)
        if unbiased is not None:
            raise TypeError(f"{op}(): got both a bool dim and unbiased")
        dim, unbiased = None, dim
    if correction is not None:
        if unbiased is not None:
            raise RuntimeError(f"{op}(): cannot specify both unbiased and correction")
        return dim, correction
    return dim, (1 if unbiased is None or unbiased else 0)


class VarBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, axes, keepdim, divisor):
        g = _expand_grad(F, grad, x.shape, axes, keepdim)
        centred = x - F.mean(x, axis=axes, keepdims=True)
        return g * centred * (2.0 / divisor)


class StdBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, result, axes, keepdim, divisor, zero):
        r = result
        if zero is not None:  # std == 0: PyTorch gives a zero gradient there
            nonzero, one_at_zero = zero
            grad = F.multiply(grad, nonzero)
            r = F.add(r, one_at_zero)
        return VarBackward0.backward(self, F, grad / (2.0 * r), x, axes, keepdim, divisor)


def _var_forward(input, dim, correction, keepdim, op):
    d = input._data
    if d.dtype.kind not in "fc":
        raise RuntimeError(
            f"{op}(): std and var only support floating point and complex dtypes, got "
            f"{torch_name(d)}"
        )
    axes = reduce_axes(dim, d.ndim)
    n = _count(d.shape, all_axes(axes, d.ndim))
    divisor = builtins.max(n - correction, 0)
    if divisor == 0:
        import warnings

        warnings.warn(
            f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            stacklevel=3,
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        if n == 0:
            arr = _empty_mean(d.real if d.dtype.kind == "c" else d, axes, keepdim)
        else:
            arr = d.var(axis=axes, ddof=correction, keepdims=keepdim)
    return d, axes, divisor, as_array(arr, d)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's ``correction`` (default 1; ``unbiased=False`` is
    ``correction=0``). Signatures: ``var(input, dim=None, *, correction=1, keepdim=False)``,
    ``var(input, dim, unbiased, keepdim=False)`` and ``var(input, unbiased)``.

    Example:
        >>> import ember
        >>> x = ember.tensor([[1.0, 2.0, 3.0, 4.0]])
        >>> x.var()
        tensor(1.6667)
        >>> ember.var(x, dim=1, correction=0)
        tensor([1.2500])
    """
    dim, correction = _correction(dim, unbiased, correction, "var")
    d, axes, divisor, arr = _var_forward(input, dim, correction, keepdim, "var")
    res = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        node = VarBackward0()
        attach(res, node, input)
        node.save(input, all_axes(axes, d.ndim), keepdim, divisor)
    return res if out is None else _write_out(out, res)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim``; arguments as :func:`var`.

    Example:
        >>> import ember
        >>> ember.tensor([1.0, 2.0, 3.0, 4.0]).std(unbiased=False)
        tensor(1.1180)
    """
    dim, correction = _correction(dim, unbiased, correction, "std")
    d, axes, divisor, arr = _var_forward(input, dim, correction, keepdim, "std")
    res = new_tensor(as_array(xp_of(input).sqrt(arr), d))
    if grad_state.enabled and input._requires_grad:
        node = StdBackward0()
        attach(res, node, input)
        r = res._data
        zero = None
        is_zero = r == 0
        if bool(is_zero.any()):
            zero = ((~is_zero).astype(r.dtype), is_zero.astype(r.dtype))
        node.save(input, saved_output(res), all_axes(axes, d.ndim), keepdim, divisor, zero)
    return res if out is None else _write_out(out, res)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``; arguments as :func:`var`.

    Example:
        >>> import ember
        >>> ember.var_mean(ember.tensor([1.0, 2.0, 3.0]))
        (tensor(1.), tensor(2.))
    """
    dim, correction = _correction(dim, unbiased, correction, "var_mean")
    return (
        var(input, dim, keepdim=keepdim, correction=correction),
        mean(input, dim, keepdim),
    )


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``; arguments as :func:`var`.

    Example:
        >>> import ember
        >>> ember.std_mean(ember.tensor([1.0, 2.0, 3.0]))
        (tensor(1.), tensor(2.))
    """
    dim, correction = _correction(dim, unbiased, correction, "std_mean")
    return (
        std(input, dim, keepdim=keepdim, correction=correction),
        mean(input, dim, keepdim),
    )


# -- logsumexp -----------------------------------------------------------------------------------


class LogsumexpBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, result, axes, keepdim):
        shape = x.shape
        g = _expand_grad(F, grad, shape, axes, keepdim)
        r = result if keepdim else F.unsqueeze_dims(result, axes, len(shape))
        return g * F.exp(x - r)


def logsumexp(input, dim=None, keepdim=False, *, axis=None, keepdims=None):
    """``log(sum(exp(input)))`` over ``dim``, computed stably. Integer inputs give the
    default float dtype.

    Example:
        >>> import ember
        >>> ember.logsumexp(ember.tensor([1000.0, 1000.0], dtype=ember.float64), dim=0)
        tensor(1000.6931, dtype=ember.float64)
    """
    if _amp.active:
        (input,) = _amp.cast("logsumexp", input)
    if axis is not None or keepdims is not None:
        dim, keepdim = _alias(dim, keepdim, axis, keepdims)
    if input._data.dtype.kind in _INT_KINDS:
        input = input.to(D.get_default_dtype())
    d = input._data
    xp = xp_of(input)
    axes = reduce_axes(dim, d.ndim)
    if d.size == 0:
        s = as_array(d.sum(axis=axes, keepdims=True), d)
        m = xp.zeros_like(s)
    else:
        m = as_array(d.max(axis=axes, keepdims=True), d)
        m = as_array(xp.where(xp.isfinite(m), m, 0), d)
    with np.errstate(divide="ignore"):
        s = as_array(xp.log(xp.exp(d - m).sum(axis=axes, keepdims=True)) + m, d)
    res = new_tensor(s if keepdim else _squeeze(s, axes, d.ndim))
    if grad_state.enabled and input._requires_grad:
        node = LogsumexpBackward0()
        attach(res, node, input)
        node.save(input, saved_output(res), all_axes(axes, d.ndim), keepdim)
    return res


# -- norm ----------------------------------------------------------------------------------------


class LinalgVectorNormBackward0(Node):
    """Gradient of the vector p-norm. ``weights`` is a constant: the sign of the input (and,
    for p = inf, the share of each tied maximum); ``zero`` masks the outputs equal to 0,
    whose gradient is 0, and ``zero_in`` the zero inputs for p < 1."""

    __slots__ = ()

    def backward(self, F, grad, x, result, p, axes, keepdim, weights, zero, zero_in):
        shape = x.shape
        if p in (0.0, 1.0, math.inf, -math.inf):
            return F.multiply(_expand_grad(F, grad, shape, axes, keepdim), weights)
        r = result if keepdim else F.unsqueeze_dims(result, axes, len(shape))
        g = grad if keepdim else F.unsqueeze_dims(grad, axes, len(shape))
        if zero is not None:
            nonzero, one_at_zero = zero
            g = F.multiply(g, nonzero)
            r = F.add(r, one_at_zero)
        if p == 2:
            return (g / r) * x
        abs_x = F.multiply(x, weights)
        if zero_in is not None:
            abs_x = F.add(abs_x, zero_in)
        return F.multiply(abs_x ** (p - 1), weights) * (g / r ** (p - 1))


def _vector_norm(input, p, dim, keepdim, op):
    d = input._data
    if d.dtype.kind not in "fc":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got {torch_name(d)}"
        )
    xp = xp_of(input)
    axes = reduce_axes(dim, d.ndim)
    a = xp.abs(d)
    if p == 2:
        arr = as_array(xp.sqrt((a * a).sum(axis=axes, keepdims=keepdim)), d)
    elif p == math.inf or p == -math.inf:
        full = all_axes(axes, d.ndim)
        if d.size == 0 and p == -math.inf:
            _check_nonempty(op, d.shape, full)
        if d.size == 0:
            arr = as_array(a.sum(axis=axes, keepdims=keepdim), d)
        else:
            arr = as_array((a.max if p > 0 else a.min)(axis=axes, keepdims=keepdim), d)
    elif p == 0:
        arr = as_array((a != 0).sum(axis=axes, keepdims=keepdim), d).astype(a.dtype)
    elif p == 1:
        arr = as_array(a.sum(axis=axes, keepdims=keepdim), d)
    else:
        with np.errstate(divide="ignore"):
            arr = as_array((a**p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p), d)
    res = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        if d.dtype.kind == "c":
            raise RuntimeError(f"{op}: the gradient of complex inputs is not supported")
        node = LinalgVectorNormBackward0()
        attach(res, node, input)
        full = all_axes(axes, d.ndim)
        weights = xp.sign(d)
        zero = zero_in = None
        if p == 0:
            weights = xp.zeros_like(d)
        elif p == math.inf or p == -math.inf:
            mask = a == (arr if keepdim else _unsqueeze(arr, full, d.ndim))
            weights = weights * mask / mask.sum(axis=full, keepdims=True)
        elif p != 1:
            is_zero = (arr if keepdim else _unsqueeze(arr, full, d.ndim)) == 0
            if bool(is_zero.any()):
                zero = ((~is_zero).astype(d.dtype), is_zero.astype(d.dtype))
            if p < 1:
                zero_in = (d == 0).astype(d.dtype)
        node.save(
            input, saved_output(res), p, full, keepdim, weights.astype(d.dtype), zero, zero_in
        )
    return res


def _unsqueeze(arr, axes, ndim):
    shape = list(arr.shape)
    for a in axes:
        shape.insert(a, 1)
    return arr.reshape(tuple(shape))


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The norm of ``input``: ``p`` a number (``inf``, ``-inf``, 0, 1, 2, ...) gives the vector
    p-norm over ``dim`` (None: all elements); ``'fro'`` is the 2-norm of the elements and
    ``'nuc'`` the nuclear norm (see :mod:`ember.linalg`).

    Example:
        >>> import ember
        >>> ember.tensor([3.0, -4.0]).norm()
        tensor(5.)
        >>> ember.norm(ember.tensor([[3.0, -4.0]]), p=1, dim=1)
        tensor([7.])
    """
    if _amp.active and dtype is None:
        (input,) = _amp.cast("norm", input)
    if dtype is not None:
        input = input.to(dtype)
    if isinstance(p, str):
        if p == "fro":
            p = 2
        elif p == "nuc":
            from .. import linalg

            res = linalg.matrix_norm(
                input, "nuc", dim=(-2, -1) if dim is None else dim, keepdim=keepdim
            )
            return res if out is None else _write_out(out, res)
        else:
            raise RuntimeError(f"norm(): unsupported p '{p}', expected a number, 'fro' or 'nuc'")
    res = _vector_norm(input, float(p), dim, keepdim, "linalg.vector_norm")
    return res if out is None else _write_out(out, res)


# -- all / any / count_nonzero -------------------------------------------------------------------


def _logical(input, dim, keepdim, op):
    d = input._data
    axes = reduce_axes(dim, d.ndim)
    arr = as_array((d.all if op == "all" else d.any)(axis=axes, keepdims=keepdim), d)
    return new_tensor(arr.astype(np.uint8) if d.dtype == np.uint8 else arr)


def all(input, dim=None, keepdim=False, *, out=None):
    """True if every element over ``dim`` is nonzero (a uint8 input gives uint8).

    Example:
        >>> import ember
        >>> ember.all(ember.tensor([[True, False], [True, True]]), dim=1)
        tensor([False,  True])
    """
    res = _logical(input, dim, keepdim, "all")
    return res if out is None else _write_out(out, res)


def any(input, dim=None, keepdim=False, *, out=None):
    """True if some element over ``dim`` is nonzero (a uint8 input gives uint8).

    Example:
        >>> import ember
        >>> ember.tensor([0.0, 2.0]).any()
        tensor(True)
    """
    res = _logical(input, dim, keepdim, "any")
    return res if out is None else _write_out(out, res)


def count_nonzero(input, dim=None):
    """The number of nonzero elements over ``dim`` (int64).

    Example:
        >>> import ember
        >>> ember.count_nonzero(ember.tensor([[1, 0], [2, 3]]), dim=0)
        tensor([2, 1])
    """
    d = input._data
    axes = reduce_axes(dim, d.ndim)
    return new_tensor(as_array((d != 0).sum(axis=axes), d).astype(np.int64))


def _write_out(out, res):
    from .inplace import write_out

    if isinstance(res, tuple):  # (values, indices): out is a pair of tensors
        if not isinstance(out, (tuple, list)) or len(out) != len(res):
            raise TypeError(f"out= must be a tuple of {len(res)} tensors for this op")
        return type(res)(*(write_out(o, r) for o, r in zip(out, res, strict=True)))
    return write_out(out, res)


for _name in __all__:
    if _name not in ("var_mean", "std_mean"):
        setattr(Tensor, _name, globals()[_name])
del _name, method
