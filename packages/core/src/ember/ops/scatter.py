"""Index and scatter ops: gather/scatter, index_*, masked_*, take/put, nonzero.

Every op checks its index tensor once (dtype, shape, range) and names itself, the dim and
the size in its errors. Gradients of the gathering ops are scatter-adds into zeros
(``F.index_add_zeros``), and those of the writing ops zero the written region
(``F.zero_at``), so the same formulas serve plain and ``create_graph`` backward.

Example:
    >>> import ember
    >>> x = ember.tensor([[1, 2], [3, 4]])
    >>> ember.gather(x, 1, ember.tensor([[0, 0], [1, 0]]))
    tensor([[1, 1],
            [4, 3]])
    >>> ember.zeros(3).scatter_add(0, ember.tensor([0, 0, 2]), ember.ones(3))
    tensor([2., 0., 1.])
"""

from __future__ import annotations

from ._core import (
    Node,
    Tensor,
    attach,
    broadcast_error,
    grad_state,
    method,
    new_tensor,
    np,
    saved_output,
    wrap_dim,
    xp_of,
)
from .indexing import index_put_functional, normalize_index
from .inplace import apply_inplace
from .views import expand, reshape

__all__ = [
    "gather",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "index_select",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "index_put_",
    "masked_fill",
    "masked_select",
    "masked_scatter",
    "take",
    "take_along_dim",
    "put",
    "nonzero",
    "argwhere",
    "where_nonzero",
]

_TORCH_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
}


def _tname(arr) -> str:
    return _TORCH_NAMES.get(arr.dtype.name, arr.dtype.name)


def _index_arg(index, op: str, long_only: bool, msg: str | None = None, exc=RuntimeError):
    """The array of an index tensor, after PyTorch's dtype check."""
    if not isinstance(index, Tensor):
        raise TypeError(f"{op}(): argument 'index' must be Tensor, not {type(index).__name__}")
    arr = index._data
    name = arr.dtype.name
    if name == "int64" or (name == "int32" and not long_only):
        return arr
    if msg is None:
        msg = f"{op}(): Expected dtype int32/int64 for index"
    raise exc(msg.format(t=_tname(arr)))


def _check_range(idx, size: int, op: str, dim, exc=RuntimeError, negative: bool = False):
    if idx.size == 0:
        return
    lo, hi = int(idx.min()), int(idx.max())
    low = -size if negative else 0
    if hi >= size or lo < low:
        bad = hi if hi >= size else lo
        where = f"dimension {dim} with size {size}" if dim is not None else f"size {size}"
        raise exc(f"{op}(): index {bad} is out of bounds for {where}")


def _pad_to(F, g, shape):
    """``g`` (a leading block of ``shape``) padded with zeros to ``shape``."""
    if tuple(g.shape) == tuple(shape):
        return g
    return F.index_put_zeros(tuple(shape), tuple(slice(0, s) for s in g.shape), g)


# -- gather / scatter ----------------------------------------------------------------------------


def _full_index(idx, dim: int, xp) -> tuple:
    """The advanced index that ``gather``/``scatter`` address along ``dim`` with ``idx``."""
    nd = idx.ndim
    out = []
    for k in range(nd):
        if k == dim:
            out.append(idx.astype(np.intp, copy=False))
        else:
            shape = [1] * nd
            shape[k] = idx.shape[k]
            out.append(xp.arange(idx.shape[k]).reshape(shape))
    return tuple(out)


def _gather_checks(data, idx, d: int, op: str, src=None):
    if idx.ndim != data.ndim and not (idx.ndim <= 1 and data.ndim <= 1):
        raise RuntimeError(
            f"{op}(): Index tensor must have the same number of dimensions as input tensor"
        )
    for k in range(idx.ndim):
        if k != d and idx.shape[k] > data.shape[k]:
            raise RuntimeError(
                f"{op}(): Size does not match at dimension {k} expected index "
                f"{list(idx.shape)} to be no larger than self {list(data.shape)} apart from "
                f"dimension {d}"
            )
        if src is not None and idx.shape[k] > src.shape[k]:
            raise RuntimeError(
                f"{op}(): Expected index {list(idx.shape)} to be no larger than src "
                f"{list(src.shape)} in every dimension"
            )
    _check_range(idx, data.shape[d], op, d)


class GatherBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, key):
        return F.index_add_zeros(shape, key, grad)


@method()
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """Values of ``input`` along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]``
    for ``dim=0``. ``index`` has ``input``'s number of dims and is no larger in the others.

    Example:
        >>> import ember
        >>> ember.gather(ember.tensor([10, 20, 30]), 0, ember.tensor([2, 0]))
        tensor([30, 10])
    """
    data = input._data
    idx = _index_arg(index, "gather", False)
    if data.ndim == 0:
        data = data.reshape(1)
    if idx.ndim == 0:
        idx = idx.reshape(1)
    d = wrap_dim(dim, data.ndim)
    _gather_checks(data, idx, d, "gather")
    key = _full_index(idx, d, xp_of(input))
    res = new_tensor(data[key].reshape(index._data.shape))
    if grad_state.enabled and input._requires_grad:
        node = GatherBackward0()
        attach(res, node, input)
        node.save(input._data.shape, key)
    return res


class ScatterBackward0(Node):
    """``scatter`` with a ``src`` tensor: the written places get their gradient from src."""

    __slots__ = ()

    def backward(self, F, grad, key, src_shape):
        g_in = None if self._next[0] is None else F.zero_at(grad, key)
        g_src = None if self._next[1] is None else _pad_to(F, grad[key], src_shape)
        return g_in, g_src


class ScatterBackward1(Node):
    """``scatter`` with a scalar value."""

    __slots__ = ()

    def backward(self, F, grad, key):
        return F.zero_at(grad, key)


class ScatterAddBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, key, src_shape):
        g_src = None if self._next[1] is None else _pad_to(F, grad[key], src_shape)
        return grad, g_src


class ScatterMultiplyBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, *saved):
        raise RuntimeError(
            "the derivative of scatter with reduce='multiply' is not implemented (as in "
            "PyTorch); use scatter_reduce(..., reduce='prod'), which has one"
        )


def _scatter_prepare(input: Tensor, dim, index, src, op: str):
    data = input._data
    idx = _index_arg(index, "scatter", False)
    if data.ndim == 0:
        data = data.reshape(1)
    if idx.ndim == 0:
        idx = idx.reshape(1)
    d = wrap_dim(dim, data.ndim)
    src_arr = None
    if src is not None:
        src_arr = src._data.reshape(1) if src._data.ndim == 0 else src._data
    _gather_checks(data, idx, d, op, src_arr)
    key = _full_index(idx, d, xp_of(input))
    part = None
    if src_arr is not None:
        part = src_arr[tuple(slice(0, s) for s in idx.shape)]
        if part.dtype != data.dtype:
            raise RuntimeError(
                f"{op}(): Expected self.dtype to be equal to src.dtype, got "
                f"{_tname(data)} and {_tname(part)}"
            )
    return data, key, part


@method()
def scatter(input: Tensor, dim: int, index: Tensor, src=None, *, value=None, reduce=None) -> Tensor:
    """A copy of ``input`` with ``src`` (a tensor, or a number ``value``) written along ``dim``
    at ``index``: ``out[index[i][j]][j] = src[i][j]`` for ``dim=0``. ``reduce='add'`` or
    ``'multiply'`` combines instead of overwriting.

    Example:
        >>> import ember
        >>> ember.zeros(2, 3).scatter(0, ember.tensor([[1, 0, 1]]), 5.0)
        tensor([[0., 5., 0.],
                [5., 0., 5.]])
    """
    if src is not None and not isinstance(src, Tensor):
        src, value = None, src
    if src is None and value is None:
        raise TypeError("scatter(): expected a src tensor or a value")
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError(f"reduce argument must be either add or multiply, got {reduce}")
    if src is not None and reduce == "add":
        return scatter_add(input, dim, index, src)
    data, key, part = _scatter_prepare(input, dim, index, src, "scatter")
    arr = data.copy()
    v = part if src is not None else value
    if reduce is None:
        arr[key] = v
    else:
        ufunc = xp_of(input).add if reduce == "add" else xp_of(input).multiply
        ufunc.at(arr, key, v)
    res = new_tensor(arr.reshape(input._data.shape))
    if src is not None:
        needs = grad_state.enabled and (input._requires_grad or src._requires_grad)
    else:
        needs = grad_state.enabled and input._requires_grad
    if needs:
        if reduce == "add":
            node = ScatterAddBackward0()
            attach(res, node, input, None)
            node.save(key, None)
        elif reduce == "multiply":
            node = ScatterMultiplyBackward0()
            attach(res, node, input, src)
        elif src is not None:
            node = ScatterBackward0()
            attach(res, node, input, src)
            node.save(key, src._data.shape)
        else:
            node = ScatterBackward1()
            attach(res, node, input)
            node.save(key)
    return res


@method()
def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of ``input`` with ``src`` added along ``dim`` at ``index`` (repeated indices
    accumulate).

    Example:
        >>> import ember
        >>> ember.zeros(3).scatter_add(0, ember.tensor([1, 1]), ember.tensor([1.0, 2.0]))
        tensor([0., 3., 0.])
    """
    data, key, part = _scatter_prepare(input, dim, index, src, "scatter_add")
    arr = data.copy()
    xp_of(input).add.at(arr, key, part)
    res = new_tensor(arr.reshape(input._data.shape))
    if grad_state.enabled and (input._requires_grad or src._requires_grad):
        node = ScatterAddBackward0()
        attach(res, node, input, src)
        node.save(key, src._data.shape)
    return res


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


class ScatterReduceBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, how, key, part_key, src_shape, w_self, w_src, input, src, result):
        g_in = g_src = None
        need_in, need_src = self._next[0] is not None, self._next[1] is not None
        if how == "prod" and w_self is None:  # no zeros: differentiable to any order
            if need_in:
                g_in = grad * result / input
            if need_src:
                g_src = (grad * result)[key] / src[part_key]
        else:  # weights fixed by the forward values
            if need_in:
                g_in = grad if w_self is None else F.multiply(grad, w_self)
            if need_src:
                g_src = grad[key] if w_src is None else F.multiply(grad[key], w_src)
        if g_src is not None:
            g_src = _pad_to(F, g_src, src_shape)
        return g_in, g_src


def _identity(how: str, dtype):
    if how in ("sum", "mean"):
        return 0
    if how == "prod":
        return 1
    if dtype.kind == "f":
        return -np.inf if how == "amax" else np.inf
    info = np.iinfo(dtype) if dtype.kind in "iu" else None
    if info is None:
        return how == "amin"
    return info.min if how == "amax" else info.max


@method()
def scatter_reduce(
    input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str, *, include_self: bool = True
) -> Tensor:
    """A copy of ``input`` where the ``src`` values scattered along ``dim`` at ``index`` are
    reduced (``'sum'``, ``'prod'``, ``'mean'``, ``'amax'``, ``'amin'``) with each other and,
    if ``include_self``, with the value already there.

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, 2.0, 3.0])
        >>> x.scatter_reduce(0, ember.tensor([0, 0, 2]), ember.tensor([5.0, 7.0, 1.0]), "amax")
        tensor([7., 2., 3.])
        >>> x.scatter_reduce(0, ember.tensor([0, 0]), ember.tensor([5.0, 7.0]), "mean",
        ...                  include_self=False)
        tensor([6., 2., 3.])
    """
    if reduce not in _REDUCES:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    data, key, part = _scatter_prepare(input, dim, index, src, "scatter_reduce")
    xp = xp_of(input)
    arr = data.copy()
    hit = None
    if not include_self or reduce in ("mean", "amax", "amin"):
        hit = xp.zeros(data.shape, dtype=bool)
        hit[key] = True
    if not include_self:
        arr[key] = _identity(reduce, data.dtype)
    ufunc = {
        "sum": xp.add,
        "mean": xp.add,
        "prod": xp.multiply,
        "amax": xp.maximum,
        "amin": xp.minimum,
    }[reduce]
    ufunc.at(arr, key, part)
    counts = None
    if reduce == "mean":
        counts = xp.ones(data.shape) if include_self else xp.zeros(data.shape)
        xp.add.at(counts, key, 1.0)
        counts[counts == 0] = 1.0
        if arr.dtype.kind in "iu":
            arr = arr // counts.astype(arr.dtype)
        else:
            arr = arr / counts.astype(arr.dtype)
    shape = input._data.shape
    res = new_tensor(arr.reshape(shape))
    if not (grad_state.enabled and (input._requires_grad or src._requires_grad)):
        return res
    w_self = w_src = None
    if reduce == "mean":
        inv = (1.0 / counts).astype(data.dtype)
        w_self = inv if include_self else xp.where(hit, 0.0, inv).astype(data.dtype)
        w_src = inv[key]
    elif reduce == "sum":
        if not include_self:
            w_self = (~hit).astype(data.dtype)
    elif reduce in ("amax", "amin"):
        self_is = data == arr
        if not include_self:
            self_is &= ~hit
        src_is = part == arr[key]
        n = self_is.astype(data.dtype)
        xp.add.at(n, key, src_is.astype(data.dtype))
        n[n == 0] = 1
        w_self = self_is / n
        w_src = src_is / n[key]
    elif (data == 0).any() or (part == 0).any() or not include_self:
        w_self, w_src = _prod_weights(xp, data, key, part, include_self, hit)
    node = ScatterReduceBackward0()
    attach(res, node, input, src)
    sshape = src._data.shape
    part_key = tuple(slice(0, s) for s in part.shape)

    if reduce == "prod" and w_self is None:
        node.save(reduce, key, part_key, sshape, None, None, input, src, saved_output(res))
    else:
        node.save(reduce, key, part_key, sshape, w_self, w_src, None, None, None)
    return res


def _prod_weights(xp, data, key, part, include_self, hit):
    """d(prod)/d(each factor) = the product of the other factors, with zeros handled."""
    one = data.dtype.type(1)
    nz_self = xp.where(data == 0, one, data) if include_self else xp.where(hit, one, data)
    zeros = (data == 0).astype(np.int64) if include_self else ((data == 0) & ~hit).astype(np.int64)
    prod_nz = nz_self.copy()
    xp.multiply.at(prod_nz, key, xp.where(part == 0, one, part))
    xp.add.at(zeros, key, (part == 0).astype(np.int64))

    def weight(values, p, z):
        safe = xp.where(values == 0, one, values)
        return xp.where(z == 0, p / safe, xp.where((z == 1) & (values == 0), p, 0)).astype(
            data.dtype
        )

    w_self = weight(data, prod_nz, zeros)
    if not include_self:
        w_self = xp.where(hit, 0, w_self).astype(data.dtype)
    w_src = weight(part, prod_nz[key], zeros[key])
    return w_self, w_src


# -- index_select / index_add / index_copy / index_fill ------------------------------------------

_SELECT_MSG = "index_select(): Expected dtype int32 or int64 for index"
_ADD_MSG = "index_add_(): Expected dtype int32/int64 for index but got: {t}"
_FILL_MSG = "index_fill_(): Expected dtype int64 for index."


def _dim_index(input: Tensor, dim, index, op: str, long_only: bool, msg=None, exc=RuntimeError):
    """Checked ``(data, d, idx, key)`` for the ``index_*`` ops (``key`` indexes dim ``d``)."""
    data = input._data
    idx = _index_arg(index, op, long_only, msg, exc)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    idx = idx.reshape(-1)
    n = max(data.ndim, 1)
    d = wrap_dim(dim, n)
    size = data.shape[d] if data.ndim else 1
    _check_range(idx, size, op, d, IndexError if op != "index_add" else RuntimeError, negative=True)
    idx = idx.astype(np.intp, copy=False)
    if idx.size and int(idx.min()) < 0:
        idx = idx % size
    key = (slice(None),) * d + (idx,)
    return data, d, idx, key


class IndexSelectBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, key):
        return F.index_add_zeros(shape, key, grad)


@method()
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries of ``input`` at ``index`` (a 1-D integer tensor) along ``dim``.

    Example:
        >>> import ember
        >>> ember.tensor([[1, 2], [3, 4]]).index_select(1, ember.tensor([1, 1, 0]))
        tensor([[2, 2, 1],
                [4, 4, 3]])
    """
    data, d, idx, key = _dim_index(
        input,
        dim,
        index,
        "index_select",
        False,
        _SELECT_MSG,
    )
    if data.ndim == 0:
        arr = data.reshape(1)[idx].reshape(index._data.shape if index._data.ndim else ())
        key = (idx,)
    else:
        arr = xp_of(input).take(data, idx, axis=d)
    res = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        node = IndexSelectBackward0()
        attach(res, node, input)
        node.save(data.shape if data.ndim else (1,), key)
        if data.ndim == 0:
            return reshape(res, ())
    return res


def _source_checks(data, src, d: int, n_idx: int, op: str):
    sd = src._data
    if sd.dtype != data.dtype:
        raise RuntimeError(
            f"{op}_(): self ({_tname(data)}) and source ({_tname(sd)}) must have the same scalar "
            "type"
        )
    expected = (*data.shape[:d], n_idx, *data.shape[d + 1 :]) if data.ndim else (n_idx,)
    if sd.shape != expected and not (sd.size == n_idx and data.ndim <= 1):
        raise RuntimeError(
            f"{op}_(): source of shape {list(sd.shape)} does not match self of shape "
            f"{list(data.shape)} with {n_idx} indices along dim {d} (expected {list(expected)})"
        )
    return sd.reshape(expected) if sd.shape != expected else sd


class IndexAddBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, key, alpha, src_shape):
        g_src = None
        if self._next[1] is not None:
            g_src = grad[key]
            if alpha != 1:
                g_src = g_src * alpha
            g_src = g_src.reshape(src_shape)
        return grad, g_src


@method()
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim``.

    Example:
        >>> import ember
        >>> ember.zeros(3).index_add(0, ember.tensor([0, 0]), ember.tensor([1.0, 2.0]), alpha=2)
        tensor([6., 0., 0.])
    """
    data, d, idx, key = _dim_index(
        input,
        dim,
        index,
        "index_add",
        False,
        _ADD_MSG,
    )
    sd = _source_checks(data, source, d, idx.size, "index_add")
    arr = data.copy()
    xp_of(input).add.at(arr, key if data.ndim else (idx,), sd * alpha if alpha != 1 else sd)
    res = new_tensor(arr)
    if grad_state.enabled and (input._requires_grad or source._requires_grad):
        node = IndexAddBackward0()
        attach(res, node, input, source)
        node.save(key if data.ndim else (idx,), alpha, source._data.shape)
    return res


class IndexCopyBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, key, src_shape):
        g_in = None if self._next[0] is None else F.zero_at(grad, key)
        g_src = None if self._next[1] is None else grad[key].reshape(src_shape)
        return g_in, g_src


@method()
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the slices of ``source`` written at ``index`` along ``dim``.

    Example:
        >>> import ember
        >>> ember.zeros(2, 2).index_copy(0, ember.tensor([1]), ember.tensor([[1.0, 2.0]]))
        tensor([[0., 0.],
                [1., 2.]])
    """
    data, d, idx, key = _dim_index(
        input,
        dim,
        index,
        "index_copy",
        True,
        "index_copy_(): Expected a long tensor for index, but got {t}",
    )
    sd = _source_checks(data, source, d, idx.size, "index_copy")
    key = key if data.ndim else (idx,)
    arr = data.copy()
    if data.ndim == 0:
        arr = arr.reshape(1)
    arr[key] = sd
    res = new_tensor(arr.reshape(data.shape))
    if grad_state.enabled and (input._requires_grad or source._requires_grad):
        node = IndexCopyBackward0()
        attach(res, node, input, source)
        node.save(key, source._data.shape)
    return res


class IndexFillBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, key, unique_key):
        g_in = None if self._next[0] is None else F.zero_at(grad, key)
        g_value = None
        if len(self._next) > 1 and self._next[1] is not None:
            g_value = F.sum(grad[unique_key])
        return g_in, g_value


def _scalar_value(value, op: str):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                f"{op} only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        return value, value._data
    return None, value


@method()
def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` (a number or 0-D tensor) written at ``index`` along
    ``dim``.

    Example:
        >>> import ember
        >>> ember.zeros(2, 3).index_fill(1, ember.tensor([0, 2]), -1.0)
        tensor([[-1.,  0., -1.],
                [-1.,  0., -1.]])
    """
    data, _d, idx, key = _dim_index(
        input,
        dim,
        index,
        "index_fill",
        True,
        "index_fill_(): Expected dtype int64 for index.",
        IndexError,
    )
    vt, v = _scalar_value(value, "index_fill_")
    flat = data.ndim == 0
    key = (idx,) if flat else key
    arr = data.reshape(1).copy() if flat else data.copy()
    arr[key] = v
    res = new_tensor(arr.reshape(data.shape))
    if grad_state.enabled and (input._requires_grad or (vt is not None and vt._requires_grad)):
        node = IndexFillBackward0()
        attach(res, node, input, vt)
        uidx = np.unique(idx) if idx.__class__ is np.ndarray else xp_of(input).unique(idx)
        node.save(key, (*key[:-1], uidx))
    return res


# -- index_put -----------------------------------------------------------------------------------


def _index_put_key(input: Tensor, indices):
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(
            "index_put(): argument 'indices' must be tuple of Tensors, not "
            f"{type(indices).__name__}"
        )
    parts = tuple(slice(None) if i is None else i for i in indices)
    if len(parts) > input._data.ndim:
        raise IndexError(
            f"index_put(): too many indices for tensor of dimension {input._data.ndim} (got "
            f"{len(parts)})"
        )
    key, _ = normalize_index(parts, "index_put")
    return key


@method()
def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` written (or added, with ``accumulate``) at
    ``input[indices]``, ``indices`` a tuple of index tensors.

    Example:
        >>> import ember
        >>> ember.zeros(3).index_put((ember.tensor([0, 0]),), ember.tensor(1.0), accumulate=True)
        tensor([2., 0., 0.])
    """
    key = _index_put_key(input, indices)
    if isinstance(values, Tensor) and values._data.dtype != input._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_tname(input._data)} for the destination and {_tname(values._data)} for the source."
        )
    return index_put_functional(input, key, values, accumulate)


def index_put_(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:
    """In-place :func:`index_put`."""
    key = _index_put_key(input, indices)
    if isinstance(values, Tensor) and values._data.dtype != input._data.dtype:
        index_put(input, indices, values, accumulate)  # raises the dtype error
    return apply_inplace(
        input,
        lambda v: index_put_functional(v, key, values, accumulate),
        "index_put_",
        (values,),
    )


Tensor.index_put_ = index_put_


# -- masked ops ----------------------------------------------------------------------------------


def _mask_arg(mask, op: str):
    if not isinstance(mask, Tensor):
        raise TypeError(f"{op}(): argument 'mask' must be Tensor, not {type(mask).__name__}")
    if mask._data.dtype != np.bool_:
        raise RuntimeError(
            f"{op} only supports boolean masks, but got mask with dtype {mask.dtype.name}"
        )
    return mask._data


def _broadcast_pair(input: Tensor, mask, op: str):
    data = input._data
    if data.shape == mask.shape:
        return data, mask
    try:
        shape = np.broadcast_shapes(data.shape, mask.shape)
    except ValueError:
        raise broadcast_error(op, data.shape, mask.shape) from None
    xp = xp_of(input)
    return xp.broadcast_to(data, shape), xp.broadcast_to(mask, shape)


class MaskedFillBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, key, in_shape):
        g_in = None
        if self._next[0] is not None:
            g_in = F.sum_to(F.zero_at(grad, key), in_shape)
        g_value = None
        if len(self._next) > 1 and self._next[1] is not None:
            g_value = F.sum(grad[key])
        return g_in, g_value


class MaskedFillBackward1(MaskedFillBackward0):
    __slots__ = ()


@method()
def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:
    """A copy of ``input`` with ``value`` (a number or 0-D tensor) where ``mask`` is True
    (``mask`` broadcasts with ``input``).

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, -2.0, 3.0])
        >>> x.masked_fill(ember.tensor([False, True, False]), 0.0)
        tensor([1., 0., 3.])
    """
    m = _mask_arg(mask, "masked_fill_")
    vt, v = _scalar_value(value, "masked_fill_")
    data, m = _broadcast_pair(input, m, "masked_fill")
    arr = data.copy()
    key = xp_of(input).nonzero(m)
    arr[key] = v
    res = new_tensor(arr)
    if grad_state.enabled and (input._requires_grad or (vt is not None and vt._requires_grad)):
        node = MaskedFillBackward0() if vt is None else MaskedFillBackward1()
        attach(res, node, input, vt)
        node.save(key, input._data.shape)
    return res


class MaskedSelectBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, key, in_shape):
        return F.sum_to(F.index_add_zeros(shape, key, grad), in_shape)


@method()
def masked_select(input: Tensor, mask: Tensor) -> Tensor:
    """The 1-D tensor of the elements of ``input`` where ``mask`` (broadcast) is True.

    Example:
        >>> import ember
        >>> x = ember.tensor([[1, 2], [3, 4]])
        >>> ember.masked_select(x, ember.tensor([[False, True], [True, True]]))
        tensor([2, 3, 4])
    """
    m = _mask_arg(mask, "masked_select")
    data, m = _broadcast_pair(input, m, "masked_select")
    key = xp_of(input).nonzero(m)
    res = new_tensor(data[key])
    if grad_state.enabled and input._requires_grad:
        node = MaskedSelectBackward0()
        attach(res, node, input)
        node.save(data.shape, key, input._data.shape)
    return res


class MaskedScatterBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, key, in_shape, src_shape, n):
        g_in = None if self._next[0] is None else F.sum_to(F.zero_at(grad, key), in_shape)
        g_src = None
        if self._next[1] is not None:
            numel = 1
            for s in src_shape:
                numel *= s
            g_src = _pad_to(F, grad[key], (numel,)).reshape(src_shape)
        return g_in, g_src


@method()
def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """A copy of ``input`` with the elements of ``source``, in order, written where ``mask``
    is True.

    Example:
        >>> import ember
        >>> mask = ember.tensor([True, False, True, False])
        >>> ember.zeros(4).masked_scatter(mask, ember.tensor([1.0, 2.0, 3.0]))
        tensor([1., 0., 2., 0.])
    """
    m = _mask_arg(mask, "masked_scatter_")
    data, m = _broadcast_pair(input, m, "masked_scatter")
    key = xp_of(input).nonzero(m)
    n = int(key[0].size) if key else int(bool(m))
    sd = source._data
    if sd.dtype != data.dtype:
        raise RuntimeError(
            f"masked_scatter_: expected self and source to have same dtypes but got "
            f"{_tname(data)} and {_tname(sd)}"
        )
    if sd.size < n:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    arr = data.copy()
    arr[key] = sd.reshape(-1)[:n]
    res = new_tensor(arr)
    if grad_state.enabled and (input._requires_grad or source._requires_grad):
        node = MaskedScatterBackward0()
        attach(res, node, input, source)
        node.save(key, input._data.shape, sd.shape, n)
    return res


# -- take / put / take_along_dim -----------------------------------------------------------------


def _flat_index(input: Tensor, index, op: str):
    idx = _index_arg(index, op, True, f"{op}(): Expected a long tensor for index, but got {{t}}")
    numel = input._data.size
    if idx.size:
        lo, hi = int(idx.min()), int(idx.max())
        if hi >= numel or lo < -numel:
            bad = hi if hi >= numel else lo
            raise IndexError(
                f"{op}(): out of range: tried to access index {bad} on a tensor of {numel} "
                "elements."
            )
        if lo < 0:
            idx = idx % numel
    return idx.astype(np.intp, copy=False)


class TakeBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, idx, shape, numel):
        return F.index_add_zeros((numel,), (idx,), grad).reshape(shape)


@method()
def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements of the flattened ``input`` at ``index`` (result shaped like ``index``).

    Example:
        >>> import ember
        >>> ember.take(ember.tensor([[4, 3], [5, 6]]), ember.tensor([0, 3, -1]))
        tensor([4, 6, 6])
    """
    idx = _flat_index(input, index, "take")
    data = input._data
    res = new_tensor(data.reshape(-1)[idx])
    if grad_state.enabled and input._requires_grad:
        node = TakeBackward0()
        attach(res, node, input)
        node.save(idx, data.shape, data.size)
    return res


class PutBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, idx, accumulate, src_shape):
        g_in = None
        if self._next[0] is not None:
            g_in = grad if accumulate else F.zero_at(grad.reshape(-1), (idx,)).reshape(grad.shape)
        g_src = None if self._next[1] is None else grad.reshape(-1)[idx].reshape(src_shape)
        return g_in, g_src


@method()
def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``source`` written (or added) at ``index`` of its flattened
    elements.

    Example:
        >>> import ember
        >>> ember.zeros(2, 2).put(ember.tensor([0, 3]), ember.tensor([1.0, 2.0]))
        tensor([[1., 0.],
                [0., 2.]])
    """
    idx = _flat_index(input, index, "put_")
    sd = source._data
    if sd.size != idx.size:
        raise RuntimeError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {sd.size}, index.numel() = {idx.size}"
        )
    if sd.dtype != input._data.dtype:
        raise RuntimeError(
            f"put_(): self ({_tname(input._data)}) and source ({_tname(sd)}) must have the same "
            "scalar type"
        )
    arr = input._data.copy()
    flat = arr.reshape(-1)
    if accumulate:
        xp_of(input).add.at(flat, idx.reshape(-1), sd.reshape(-1))
    else:
        flat[idx.reshape(-1)] = sd.reshape(-1)
    res = new_tensor(arr)
    if grad_state.enabled and (input._requires_grad or source._requires_grad):
        node = PutBackward0()
        attach(res, node, input, source)
        node.save(idx.reshape(-1), bool(accumulate), sd.shape)
    return res


@method()
def take_along_dim(input: Tensor, indices: Tensor, dim=None) -> Tensor:
    """Values of ``input`` at ``indices`` along ``dim``, broadcasting the other dims (the
    flattened input when ``dim`` is None), like ``numpy.take_along_axis``.

    Example:
        >>> import ember
        >>> x = ember.tensor([[10, 30, 20], [60, 40, 50]])
        >>> ember.take_along_dim(x, ember.tensor([[1], [0]]), dim=1)
        tensor([[30],
                [60]])
    """
    if isinstance(indices, Tensor) and indices._data.dtype != np.int64:
        raise RuntimeError(
            f"torch.take_along_dim(): dtype of indices should be Long but got "
            f"{_tname(indices._data)}"
        )
    if dim is None:
        return gather(reshape(input, (-1,)), 0, reshape(indices, (-1,)))
    n = input._data.ndim
    if indices._data.ndim != n:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {n} dimensions for input, and {indices._data.ndim} dimensions "
            "for indices"
        )
    d = wrap_dim(dim, n)
    in_shape = list(input._data.shape)
    in_shape[d] = indices._data.shape[d]
    try:
        shape = list(np.broadcast_shapes(tuple(in_shape), indices._data.shape))
    except ValueError:
        raise broadcast_error("take_along_dim", tuple(in_shape), indices._data.shape) from None
    idx_b = indices if list(indices._data.shape) == shape else expand(indices, tuple(shape))
    shape[d] = input._data.shape[d]
    in_b = input if list(input._data.shape) == shape else expand(input, tuple(shape))
    if idx_b._data.size and int(idx_b._data.min()) < 0:
        idx_b = new_tensor(idx_b._data % max(shape[d], 1))
    return gather(in_b, d, idx_b)


# -- nonzero -------------------------------------------------------------------------------------


@method()
def nonzero(input: Tensor, *, as_tuple: bool = False):
    """Indices of the non-zero elements: a ``(count, ndim)`` int64 tensor, or with
    ``as_tuple`` one 1-D tensor per dim.

    Example:
        >>> import ember
        >>> ember.nonzero(ember.tensor([[0, 1], [1, 0]]))
        tensor([[0, 1],
                [1, 0]])
        >>> ember.nonzero(ember.tensor([0, 3, 4]), as_tuple=True)
        (tensor([1, 2]),)
    """
    data = input._data
    xp = xp_of(input)
    if data.ndim == 0:
        hit = xp.nonzero(data.reshape(1))[0].astype(np.int64)
        if as_tuple:
            return (new_tensor(hit),)
        return new_tensor(xp.zeros((hit.size, 0), dtype=np.int64))
    parts = [p.astype(np.int64) for p in xp.nonzero(data)]
    if as_tuple:
        return tuple(new_tensor(p) for p in parts)
    return new_tensor(xp.stack(parts, axis=1) if parts else xp.zeros((0, 0), dtype=np.int64))


@method()
def argwhere(input: Tensor) -> Tensor:
    """``nonzero(input)``: a ``(count, ndim)`` tensor of the indices of non-zero elements.

    Example:
        >>> import ember
        >>> ember.argwhere(ember.tensor([0, 5, 0, 7]))
        tensor([[1],
                [3]])
    """
    return nonzero(input)


def where_nonzero(condition: Tensor) -> tuple:
    """``where(condition)``: ``nonzero(condition, as_tuple=True)``.

    Example:
        >>> import ember
        >>> ember.where_nonzero(ember.tensor([[0, 1], [1, 0]]))
        (tensor([0, 1]), tensor([1, 0]))
    """
    return nonzero(condition, as_tuple=True)


# -- in-place variants ---------------------------------------------------------------------------


def _inplace(fn, name: str):
    def method(self, *args, **kwargs):
        others = args + tuple(kwargs.values())
        return apply_inplace(self, lambda v: fn(v, *args, **kwargs), name, others)

    method.__name__ = name
    method.__doc__ = f"In-place version of :func:`ember.{name[:-1]}`."
    return method


for _fn in (
    scatter,
    scatter_add,
    scatter_reduce,
    index_add,
    index_copy,
    index_fill,
    masked_fill,
    masked_scatter,
    put,
):
    setattr(Tensor, _fn.__name__ + "_", _inplace(_fn, _fn.__name__ + "_"))
del _fn
