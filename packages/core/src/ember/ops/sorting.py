"""Sorting and order statistics: sort, argsort, msort, topk, kthvalue, median, nanmedian,
mode, quantile, nanquantile; and counting: unique, unique_consecutive, bincount, histc,
histogram.

Sorts are stable where PyTorch's are (``stable=True``), and always here: equal elements keep
their order, NaN sorts as the largest value. Ops that pick elements return
``ember.return_types`` named tuples ``(values, indices)``; the gradient of ``values`` flows
to the picked positions.

Example:
    >>> import ember
    >>> ember.sort(ember.tensor([3, 1, 2]), descending=True)
    ember.return_types.sort(
    values=tensor([3, 2, 1]),
    indices=tensor([0, 2, 1]))
"""

from __future__ import annotations

import operator

from .. import return_types as R
from ._core import Tensor, grad_state, new_tensor, np, wrap_dim, xp_of
from .reduction import (
    EvenlyDistributeBackward,
    SelectValuesBackward,
    attach_even,
    attach_select,
    torch_name,
)

__all__ = [
    "sort",
    "argsort",
    "msort",
    "topk",
    "kthvalue",
    "median",
    "nanmedian",
    "mode",
    "quantile",
    "nanquantile",
    "unique",
    "unique_consecutive",
    "bincount",
    "histc",
    "histogram",
]


def sort_indices(xp, d, dim: int, descending: bool):
    """Stable argsort along ``dim`` (NaN largest); descending keeps equal elements in order."""
    if not descending:
        return xp.argsort(d, axis=dim, kind="stable")
    idx = xp.argsort(xp.flip(d, axis=dim), axis=dim, kind="stable")
    return (d.shape[dim] - 1) - xp.flip(idx, axis=dim)


def _take(xp, d, idx, dim):
    return xp.take_along_axis(d, idx, axis=dim)


def _pick(input, idx, dim, keepdim, node_cls, result_type):
    """``(values, indices)`` of the elements at ``idx`` (the picked dim kept) along ``dim``."""
    d = input._data
    xp = xp_of(input)
    if d.ndim == 0:
        values = new_tensor(d.copy())
        indices = new_tensor(xp.zeros((), dtype=np.int64))
    else:
        vals = _take(xp, d, idx, dim)
        if not keepdim:
            vals, out_idx = vals.squeeze(dim), idx.squeeze(dim)
        else:
            out_idx = idx
        values = new_tensor(vals)
        indices = new_tensor(out_idx.astype(np.int64, copy=False))
    if grad_state.enabled and input._requires_grad:
        attach_select(values, node_cls(), input, idx, dim)
    return result_type(values, indices)


def _dim(dim, ndim):
    return wrap_dim(dim if dim.__class__ is int else operator.index(dim), ndim)


# -- sort ----------------------------------------------------------------------------------------


class SortBackward0(SelectValuesBackward):
    __slots__ = ()


def sort(input, dim=-1, descending=False, stable=False):
    """Sort along ``dim``; returns ``(values, indices)``. The sort is always stable (equal
    elements keep their order) and NaN sorts as the largest value.

    Example:
        >>> import ember
        >>> ember.tensor([[2.0, 1.0, 3.0]]).sort()
        ember.return_types.sort(
        values=tensor([[1., 2., 3.]]),
        indices=tensor([[1, 0, 2]]))
    """
    d = input._data
    dim = _dim(dim, d.ndim)
    idx = None if d.ndim == 0 else sort_indices(xp_of(input), d, dim, descending)
    return _pick(input, idx, dim, True, SortBackward0, R.sort)


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim`` (int64), as ``sort(...).indices``.

    Example:
        >>> import ember
        >>> ember.argsort(ember.tensor([3, 1, 2]))
        tensor([1, 2, 0])
    """
    d = input._data
    dim = _dim(dim, d.ndim)
    if d.ndim == 0:
        return new_tensor(xp_of(input).zeros((), dtype=np.int64))
    return new_tensor(sort_indices(xp_of(input), d, dim, descending).astype(np.int64, copy=False))


def msort(input):
    """``input`` sorted along its first dimension (the values of ``sort(input, 0)``).

    Example:
        >>> import ember
        >>> ember.msort(ember.tensor([[3, 1], [1, 2]]))
        tensor([[1, 1],
                [3, 2]])
    """
    return sort(input, 0).values


# -- topk / kthvalue -----------------------------------------------------------------------------


class TopkBackward0(SelectValuesBackward):
    __slots__ = ()


class KthvalueBackward0(SelectValuesBackward):
    __slots__ = ()


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or, with ``largest=False``, smallest) elements along ``dim``, as
    ``(values, indices)``, in sorted order.

    Example:
        >>> import ember
        >>> ember.topk(ember.tensor([1.0, 5.0, 3.0, 4.0]), 2)
        ember.return_types.topk(
        values=tensor([5., 4.]),
        indices=tensor([1, 3]))
    """
    d = input._data
    dim = _dim(dim, d.ndim)
    n = d.shape[dim] if d.ndim else 1
    k = operator.index(k)
    if k < 0 or k > n:
        raise RuntimeError(f"selected index k out of range (k={k}, dimension {dim} has size {n})")
    if d.ndim == 0:
        return _pick(input, None, 0, True, TopkBackward0, R.topk)
    idx = sort_indices(xp_of(input), d, dim, largest)
    idx = idx[(slice(None),) * dim + (slice(0, k),)]
    return _pick(input, idx, dim, True, TopkBackward0, R.topk)


def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest element along ``dim`` (``k`` counts from 1), as
    ``(values, indices)``.

    Example:
        >>> import ember
        >>> ember.kthvalue(ember.tensor([3.0, 1.0, 2.0]), 2)
        ember.return_types.kthvalue(
        values=tensor(2.),
        indices=tensor(2))
    """
    d = input._data
    dim = _dim(dim, d.ndim)
    n = d.shape[dim] if d.ndim else 1
    k = operator.index(k)
    if k < 1 or k > n:
        raise RuntimeError(
            f"kthvalue(): selected number k out of range for dimension {dim} (k={k}, size {n})"
        )
    if d.ndim == 0:
        return _pick(input, None, 0, keepdim, KthvalueBackward0, R.kthvalue)
    idx = sort_indices(xp_of(input), d, dim, False)
    idx = idx[(slice(None),) * dim + (slice(k - 1, k),)]
    return _pick(input, idx, dim, keepdim, KthvalueBackward0, R.kthvalue)


# -- median / nanmedian / mode -------------------------------------------------------------------


class MedianBackward0(EvenlyDistributeBackward):
    __slots__ = ()


class MedianBackward1(SelectValuesBackward):
    __slots__ = ()


class NanmedianBackward0(EvenlyDistributeBackward):
    __slots__ = ()


class NanmedianBackward1(SelectValuesBackward):
    __slots__ = ()


class ModeBackward0(SelectValuesBackward):
    __slots__ = ()


def _full_median(input, ignore_nan, node_cls):
    d = input._data
    xp = xp_of(input)
    flat = xp.sort(d.reshape(-1))
    n_nan = int(xp.isnan(flat).sum()) if d.dtype.kind == "f" else 0
    if ignore_nan:
        m = flat.size - n_nan
        value = flat[(m - 1) // 2] if m else flat[:1].sum() * float("nan")
    elif n_nan or flat.size == 0:
        value = flat[:1].sum() * float("nan") if flat.size == 0 else flat[-1]
    else:
        value = flat[(flat.size - 1) // 2]
    keep = xp.asarray(value, dtype=d.dtype).reshape((1,) * d.ndim)
    res = new_tensor(keep.reshape(()))
    if grad_state.enabled and input._requires_grad:
        attach_even(res, node_cls(), input, keep, None, False)
    return res


def _median_dim(input, dim, keepdim, ignore_nan, op, node_cls, result_type):
    d = input._data
    xp = xp_of(input)
    dim = _dim(dim, d.ndim)
    if d.ndim == 0:
        return _pick(input, None, 0, keepdim, node_cls, result_type)
    n = d.shape[dim]
    if n == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dim} to have non-zero size.")
    order = sort_indices(xp, d, dim, False)
    if d.dtype.kind == "f":
        n_nan = xp.isnan(d).sum(axis=dim, keepdims=True)
        if ignore_nan:
            m = n - n_nan
            pos = xp.where(m > 0, (m - 1) // 2, 0)
        else:
            pos = xp.where(n_nan > 0, n - n_nan, (n - 1) // 2)
    else:
        shape = list(d.shape)
        shape[dim] = 1
        pos = xp.full(tuple(shape), (n - 1) // 2, dtype=np.int64)
    idx = xp.take_along_axis(order, pos.astype(order.dtype), axis=dim)
    return _pick(input, idx, dim, keepdim, node_cls, result_type)


def median(input, dim=None, keepdim=False):
    """The median (the lower of the two middle values for an even count; NaN if any element
    is NaN). With ``dim``, ``(values, indices)`` along it.

    Example:
        >>> import ember
        >>> ember.median(ember.tensor([1.0, 4.0, 2.0, 3.0]))
        tensor(2.)
        >>> ember.tensor([[1.0, 3.0, 2.0]]).median(dim=1)
        ember.return_types.median(
        values=tensor([2.]),
        indices=tensor([2]))
    """
    if dim is None:
        return _full_median(input, False, MedianBackward0)
    return _median_dim(input, dim, keepdim, False, "median", MedianBackward1, R.median)


def nanmedian(input, dim=None, keepdim=False):
    """The median ignoring NaN (NaN only where every element is NaN); see :func:`median`.

    Example:
        >>> import ember
        >>> ember.nanmedian(ember.tensor([1.0, float("nan"), 3.0]))
        tensor(1.)
    """
    if dim is None:
        return _full_median(input, True, NanmedianBackward0)
    return _median_dim(input, dim, keepdim, True, "nanmedian", NanmedianBackward1, R.nanmedian)


def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and
    the index of its last occurrence, as ``(values, indices)``.

    Example:
        >>> import ember
        >>> ember.mode(ember.tensor([1, 2, 2, 1, 3]))
        ember.return_types.mode(
        values=tensor(1),
        indices=tensor(3))
    """
    d = input._data
    xp = xp_of(input)
    dim = _dim(dim, d.ndim)
    if d.ndim == 0:
        return _pick(input, None, 0, keepdim, ModeBackward0, R.mode)
    n = d.shape[dim]
    if n == 0:
        raise IndexError(f"mode(): Expected reduction dim {dim} to have non-zero size.")
    rows = xp.moveaxis(d, dim, -1).reshape(-1, n)
    s = xp.sort(rows, axis=1)
    pos = xp.arange(n)
    start = xp.ones(s.shape, dtype=bool)
    start[:, 1:] = s[:, 1:] != s[:, :-1]
    end = xp.ones(s.shape, dtype=bool)
    end[:, :-1] = start[:, 1:]
    first = xp.maximum.accumulate(xp.where(start, pos, 0), axis=1)
    last = xp.flip(xp.minimum.accumulate(xp.flip(xp.where(end, pos, n), axis=1), axis=1), axis=1)
    best = (last - first).argmax(axis=1)
    value = s[xp.arange(s.shape[0]), best]
    last_idx = xp.where(rows == value[:, None], pos, -1).max(axis=1)
    shape = list(d.shape)
    shape[dim] = 1
    moved = shape[:dim] + shape[dim + 1 :] + [1]
    idx = xp.moveaxis(last_idx.reshape(moved), -1, dim)
    return _pick(input, idx, dim, keepdim, ModeBackward0, R.mode)


# -- quantile ------------------------------------------------------------------------------------

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, op):
    d = input._data
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{op}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            f"{op}() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}"
        )
    xp = xp_of(input)
    scalar_q = not isinstance(q, Tensor) or q.ndim == 0
    if isinstance(q, Tensor):
        if q.ndim > 1:
            raise RuntimeError(f"{op}() q must be a scalar or 1D tensor")
        if q._data.dtype != d.dtype:
            raise RuntimeError(f"{op}() q tensor must be same dtype as the input tensor")
        qs = np.asarray(q.detach().cpu().numpy() if q.is_cuda else q._data).reshape(-1)
    else:
        qs = np.asarray([float(q)])
    if ((qs < 0) | (qs > 1)).any():
        bad = qs[(qs < 0) | (qs > 1)][0]
        raise RuntimeError(f"{op}() q must be in the range [0, 1] but got {bad:g}")
    if dim is None:
        x = input.reshape(-1)
        dim = 0
        out_keep_shape = (1,) * d.ndim
    else:
        dim = _dim(dim, d.ndim)
        x = input if d.ndim else input.reshape(1)
        out_keep_shape = None
    x = x.movedim(dim, -1)
    n = x.shape[-1]
    if n == 0:
        raise IndexError(f"{op}() input tensor must be non-empty")
    batch = tuple(x.shape[:-1])
    rows = x.reshape(-1, n)
    srt = sort(rows, -1).values  # NaN last
    nan_count = np.asarray(xp.isnan(srt._data).sum(axis=1))
    if nan_count.__class__ is not np.ndarray:
        nan_count = nan_count.get()
    valid = n - nan_count if ignore_nan else np.full(nan_count.shape, n)
    pos = qs[:, None] * np.maximum(valid - 1, 0)[None, :]  # (Q, rows)
    lo = np.floor(pos)
    hi = np.ceil(pos)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = np.round(pos)
    weight = np.where(hi > lo, 0.5 if interpolation == "midpoint" else pos - lo, 0.0)
    row_idx = np.arange(rows.shape[0])[None, :]
    v_lo = srt[row_idx, lo.astype(np.intp)]
    v_hi = srt[row_idx, hi.astype(np.intp)]
    w = new_tensor(xp.asarray(weight.astype(d.dtype)))
    res = v_lo + w * (v_hi - v_lo)
    undefined = (valid == 0) if ignore_nan else (nan_count > 0)
    if undefined.any():
        res = res + new_tensor(xp.asarray(np.where(undefined, np.nan, 0.0).astype(d.dtype)))
    if out_keep_shape is not None:
        res = res.reshape((len(qs),) + (out_keep_shape if keepdim else ()))
    else:
        res = res.reshape((len(qs), *batch))
        if keepdim:
            res = res.unsqueeze(dim + 1) if d.ndim else res
    return res.reshape(tuple(res.shape[1:])) if scalar_q else res


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles (``q`` a number or 1-D tensor in [0, 1]) of ``input`` along
    ``dim`` (None: all elements). A 1-D ``q`` adds a leading dimension to the result.
    ``interpolation`` is one of ``linear``, ``lower``, ``higher``, ``midpoint``, ``nearest``.

    Example:
        >>> import ember
        >>> ember.quantile(ember.tensor([1.0, 2.0, 3.0, 4.0]), 0.25)
        tensor(1.7500)
    """
    return _maybe_out(_quantile(input, q, dim, keepdim, interpolation, False, "quantile"), out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """Like :func:`quantile`, ignoring NaN (NaN only where every element is NaN).

    Example:
        >>> import ember
        >>> ember.nanquantile(ember.tensor([1.0, float("nan"), 3.0]), 0.5)
        tensor(2.)
    """
    return _maybe_out(_quantile(input, q, dim, keepdim, interpolation, True, "nanquantile"), out)


# -- unique --------------------------------------------------------------------------------------


def _unique_result(xp, values, inverse, counts, return_inverse, return_counts):
    out = new_tensor(values)
    if not (return_inverse or return_counts):
        return out
    res = [out]
    if return_inverse:
        res.append(new_tensor(inverse.astype(np.int64, copy=False)))
    if return_counts:
        res.append(new_tensor(counts.astype(np.int64, copy=False)))
    return tuple(res)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The unique elements (sorted), or the unique slices along ``dim``; optionally also the
    index of each input element in the result (``return_inverse``) and the count of each
    unique value (``return_counts``), as a tuple.

    Example:
        >>> import ember
        >>> ember.unique(ember.tensor([3, 1, 2, 1]), return_counts=True)
        (tensor([1, 2, 3]), tensor([2, 1, 1]))
    """
    d = input._data
    xp = xp_of(input)
    if dim is None:
        flat = d.reshape(-1)
        order = xp.argsort(flat, kind="stable")
        s = flat[order]
        start = xp.ones(s.shape, dtype=bool)
        if s.size:
            start[1:] = s[1:] != s[:-1]
        values = s[start]
        group = xp.cumsum(start) - 1
        inverse = xp.empty(flat.shape, dtype=np.int64)
        inverse[order] = group
        counts = xp.bincount(group, minlength=values.size) if s.size else xp.zeros(0, np.int64)
        return _unique_result(
            xp, values, inverse.reshape(d.shape), counts, return_inverse, return_counts
        )
    dim = _dim(dim, d.ndim)
    if d.__class__ is not np.ndarray:
        host = d.get()
    else:
        host = d
    values, inverse, counts = np.unique(host, return_inverse=True, return_counts=True, axis=dim)
    values = xp.asarray(values.astype(d.dtype, copy=False))
    return _unique_result(
        xp,
        values,
        xp.asarray(inverse.reshape(-1)),
        xp.asarray(counts),
        return_inverse,
        return_counts,
    )


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive elements (or slices along ``dim``) into one;
    optionally with the inverse indices and the run lengths.

    Example:
        >>> import ember
        >>> ember.unique_consecutive(ember.tensor([1, 1, 2, 2, 3, 1]))
        tensor([1, 2, 3, 1])
    """
    d = input._data
    xp = xp_of(input)
    if dim is None:
        rows = d.reshape(-1, 1)
        n = rows.shape[0]
    else:
        dim = _dim(dim, d.ndim)
        n = d.shape[dim]
        rows = xp.moveaxis(d, dim, 0).reshape(n, -1)
    start = xp.ones(n, dtype=bool)
    if n > 1:
        start[1:] = (rows[1:] != rows[:-1]).any(axis=1)
    group = xp.cumsum(start) - 1
    starts = xp.nonzero(start)[0]
    counts = xp.diff(xp.concatenate([starts, xp.asarray([n])]))
    if dim is None:
        values = d.reshape(-1)[start]
        inverse = group.reshape(d.shape)
    else:
        values = xp.take(d, starts, axis=dim)
        inverse = group
    return _unique_result(xp, values, inverse, counts, return_inverse, return_counts)


# -- counting ------------------------------------------------------------------------------------


def bincount(input, weights=None, minlength=0):
    """Count the occurrences of each value in a 1-D tensor of non-negative integers (summing
    ``weights`` instead of ones when given); the result has length
    ``max(input.max() + 1, minlength)``.

    Example:
        >>> import ember
        >>> ember.bincount(ember.tensor([0, 1, 1, 3]))
        tensor([1, 2, 0, 1])
    """
    d = input._data
    xp = xp_of(input)
    if d.ndim != 1 or d.dtype.kind not in "iub" or (d.size and bool((d < 0).any())):
        raise RuntimeError(
            "bincount only supports 1-d non-negative integral inputs "
            f"(got a {d.ndim}-d {torch_name(d)} tensor)"
        )
    if minlength < 0:
        raise RuntimeError(f"bincount: minlength should be >= 0, got {minlength}")
    if weights is None:
        return new_tensor(xp.bincount(d, minlength=minlength).astype(np.int64, copy=False))
    w = weights._data
    if w.ndim != 1 or w.shape[0] != d.shape[0]:
        raise RuntimeError(
            "bincount: weights should be 1-d and have the same length as input (got weights "
            f"of shape {list(w.shape)} for input of shape {list(d.shape)})"
        )
    out_dtype = w.dtype if w.dtype in (np.float32, np.float64) else np.float64
    return new_tensor(xp.bincount(d, weights=w, minlength=minlength).astype(out_dtype))


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram of ``bins`` equal-width bins between ``min`` and ``max`` (the data's own
    range when both are equal); elements outside are ignored. Float tensors only.

    Example:
        >>> import ember
        >>> ember.histc(ember.tensor([1.0, 2.0, 1.0]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    d = input._data
    if d.dtype.kind != "f":
        raise RuntimeError(f"histc: expected a floating point input, got {torch_name(d)}")
    if bins <= 0:
        raise RuntimeError(f"histc: bins must be > 0, but got {bins}")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    xp = xp_of(input)
    if lo == hi and d.size:
        lo, hi = float(d.min()), float(d.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    inside = d[(d >= lo) & (d <= hi)]
    counts, _ = xp.histogram(inside, bins=bins, range=(lo, hi))
    return _maybe_out(new_tensor(counts.astype(d.dtype)), out)


def histogram(input, bins, *, range=None, weight=None, density=False):
    """Histogram of ``input`` with ``bins`` equal-width bins over ``range`` (default: the data's
    range) or with the bin edges given as a 1-D tensor. Returns ``(hist, bin_edges)``.

    Example:
        >>> import ember
        >>> ember.histogram(ember.tensor([1.0, 2.0, 1.0]), bins=2, range=(0.0, 2.0))
        ember.return_types.histogram(
        hist=tensor([0., 3.]),
        bin_edges=tensor([0., 1., 2.]))
    """
    d = input._data
    if d.dtype.kind != "f":
        raise RuntimeError(f"histogram: expected a floating point input, got {torch_name(d)}")
    xp = xp_of(input)
    w = None if weight is None else weight._data
    flat = d.reshape(-1)
    if w is not None:
        if w.shape != d.shape:
            raise RuntimeError(
                f"histogram: weight should have the same shape as input (got {list(w.shape)} "
                f"and {list(d.shape)})"
            )
        w = w.reshape(-1)
    if isinstance(bins, Tensor):
        edges = bins._data.astype(d.dtype)
        hist, edges = xp.histogram(flat, bins=edges, weights=w, density=density)
    else:
        if operator.index(bins) <= 0:
            raise RuntimeError(f"histogram(): bins must be > 0, but got {bins}")
        if range is None:
            lo = float(flat.min()) if flat.size else 0.0
            hi = float(flat.max()) if flat.size else 0.0
        else:
            lo, hi = (float(v) for v in range)
            if lo > hi:
                raise RuntimeError(f"histogram(): min should not exceed max, got {lo} and {hi}")
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        hist, edges = xp.histogram(flat, bins=bins, range=(lo, hi), weights=w, density=density)
    return R.histogram(new_tensor(hist.astype(d.dtype)), new_tensor(edges.astype(d.dtype)))


def _maybe_out(res, out):
    if out is None:
        return res
    from .inplace import write_out

    return write_out(out, res)


for _name in __all__:
    setattr(Tensor, _name, globals()[_name])
del _name
