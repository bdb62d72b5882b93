"""Indexing: ``x[index]`` and ``x[index] = value``, with autograd.

Indices may be ints, slices, None, Ellipsis, integer or bool tensors, lists and NumPy
arrays, with NumPy's (and PyTorch's) semantics. Basic indices (ints, slices, None, Ellipsis)
give views; tensors, lists and masks (advanced indexing) give copies. Assignment works on
tensors in the graph too (see Note [In-place ops and autograd]).

Example:
    >>> import ember
    >>> x = ember.arange(6.0).reshape(2, 3)
    >>> x[:, 1]
    tensor([1., 4.])
    >>> x[x > 3]
    tensor([4., 5.])
    >>> x[0, ember.tensor([0, 2])] = -1.0
    >>> x
    tensor([[-1.,  1., -1.],
            [ 3.,  4.,  5.]])
"""

from __future__ import annotations

from ._core import Node, Tensor, attach, grad_state, new_tensor, np
from .inplace import apply_inplace, bump_version
from .views import make_view

__all__ = ["index_add_zeros", "index_put_functional", "normalize_index"]


def normalize_index(index, op: str = "index"):
    """Turn a user index into one NumPy accepts; returns ``(index, is_advanced)``."""
    if index.__class__ is not tuple:
        index = (index,)
    out = []
    advanced = False
    for item in index:
        cls = item.__class__
        if cls is int or cls is slice or item is None or item is Ellipsis:
            if cls is slice and item.step is not None and item.step <= 0:
                raise ValueError(
                    f"{op}: step must be greater than zero (got slice step {item.step})"
                )
            out.append(item)
        elif isinstance(item, Tensor):
            arr = item._data
            kind = arr.dtype.kind
            if kind == "b":
                advanced = True
                out.append(arr)
            elif kind in "iu":
                if arr.ndim == 0:
                    out.append(int(arr))
                else:
                    advanced = True
                    out.append(arr.astype(np.intp, copy=False))
            else:
                raise IndexError(
                    f"{op}: tensors used as indices must be long, int, byte or bool tensors, "
                    f"got {item.dtype}"
                )
        elif cls is bool:
            advanced = True
            out.append(item)
        elif isinstance(item, (int, np.integer)):
            out.append(int(item))
        elif isinstance(item, (list, np.ndarray)):
            arr = _list_index(item, op)
            advanced = True
            out.append(arr)
        elif isinstance(item, tuple):
            advanced = True
            out.append(_list_index(list(item), op))
        else:
            raise IndexError(
                f"{op}: only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                f"Variables are valid indices (got {type(item).__name__})"
            )
    return tuple(out), advanced


def _list_index(item, op):
    if isinstance(item, list) and any(isinstance(v, Tensor) for v in item):
        item = [v._data if isinstance(v, Tensor) else v for v in item]
    arr = np.asarray(item)
    if arr.dtype.kind == "b":
        return arr
    if arr.size == 0:
        return arr.astype(np.intp)
    if arr.dtype.kind not in "iu":
        raise IndexError(f"{op}: index arrays must hold integers or bools, got {arr.dtype}")
    return arr.astype(np.intp, copy=False)


def _to_device_index(index, data):
    if data.__class__ is np.ndarray:
        return index
    from ..backends import array_module_of

    xp = array_module_of(data)
    return tuple(xp.asarray(i) if isinstance(i, np.ndarray) else i for i in index)


def _index_error(exc, shape):
    msg = str(exc).replace("axis", "dimension")
    return IndexError(f"index: {msg} (tensor shape {list(shape)})")


class IndexBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, index, advanced):
        if advanced:
            return F.index_add_zeros(shape, index, grad)
        return F.index_put_zeros(shape, index, grad)


class SliceBackward0(IndexBackward0):
    __slots__ = ()


class SelectBackward0(IndexBackward0):
    __slots__ = ()


def getitem(self: Tensor, index) -> Tensor:
    data = self._data
    idx, advanced = normalize_index(index)
    if data.__class__ is not np.ndarray:
        idx = _to_device_index(idx, data)
    try:
        arr = data[idx]
    except IndexError as exc:
        raise _index_error(exc, data.shape) from None
    if advanced:
        out = new_tensor(arr)
        node_cls = IndexBackward0
    else:
        if arr.__class__ is not data.__class__:  # NumPy returns a scalar for full int indexing
            arr = data[idx + (Ellipsis,)]
        out = make_view(self, arr, lambda b: b[idx])
        node_cls = SliceBackward0 if any(i.__class__ is slice for i in idx) else SelectBackward0
    if grad_state.enabled and self._requires_grad:
        node = node_cls()
        attach(out, node, self)
        node.save(data.shape, idx, advanced)
    return out


# -- assignment ------------------------------------------------------------------------------------


class IndexPutBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, index, mask, value_shape):
        g_self = F.where(mask, grad, 0.0) if self._next[0] is not None else None
        g_value = None
        if self._next[1] is not None:
            g_value = F.sum_to(grad[index], value_shape)
        return g_self, g_value


def index_put_functional(input: Tensor, index, value, accumulate: bool = False) -> Tensor:
    """``input`` with ``value`` written (or added, with ``accumulate``) at ``index``; a new
    tensor in the graph. ``index`` is a NumPy-ready index (see ``normalize_index``)."""
    data = input._data
    v = value._data if isinstance(value, Tensor) else value
    out_arr = data.copy()
    try:
        if accumulate:
            np.add.at(out_arr, index, v) if out_arr.__class__ is np.ndarray else _xp_add_at(
                out_arr, index, v
            )
        else:
            out_arr[index] = v
    except IndexError as exc:
        raise _index_error(exc, data.shape) from None
    except ValueError as exc:
        raise RuntimeError(
            f"index_put: shape mismatch: value tensor of shape {list(np.shape(v))} cannot be "
            f"broadcast to indexing result of shape {list(np.shape(data[index]))}"
        ) from exc
    out = new_tensor(out_arr)
    val_t = value if isinstance(value, Tensor) else None
    if grad_state.enabled and (
        input._requires_grad or (val_t is not None and val_t._requires_grad)
    ):
        node = IndexPutBackward0() if not accumulate else IndexPutAccBackward0()
        attach(out, node, input, val_t)
        mask = None
        if not accumulate:
            mask = np.ones(data.shape, dtype=bool)
            mask[index] = False
        node.save(index, mask, None if val_t is None else val_t._data.shape)
    return out


class IndexPutAccBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, index, mask, value_shape):
        g_value = None
        if self._next[1] is not None:
            g_value = F.sum_to(grad[index], value_shape)
        return grad, g_value


def _xp_add_at(arr, index, values):
    from ..backends import array_module_of

    xp = array_module_of(arr)
    xp.add.at(arr, index, values)


def setitem(self: Tensor, index, value) -> None:
    data = self._data
    idx, _ = normalize_index(index, "setitem")
    if data.__class__ is not np.ndarray:
        idx = _to_device_index(idx, data)
    if isinstance(value, Tensor):
        if value._data.__class__ is not data.__class__ and value._data.ndim:
            raise RuntimeError(
                f"setitem: expected the value on {self.device}, got a tensor on {value.device}"
            )
        needs = grad_state.enabled and (
            self._requires_grad
            or value._requires_grad
            or (self._base is not None and self._base._requires_grad)
        )
    else:
        needs = grad_state.enabled and (
            self._requires_grad or (self._base is not None and self._base._requires_grad)
        )
        if isinstance(value, (list, tuple)):
            value = np.asarray(value)
    if not needs:
        v = value._data if isinstance(value, Tensor) else value
        try:
            data[idx] = v
        except IndexError as exc:
            raise _index_error(exc, data.shape) from None
        except ValueError as exc:
            raise RuntimeError(
                f"setitem: shape mismatch: value of shape {list(np.shape(v))} cannot be broadcast "
                f"to indexing result of shape {list(np.shape(data[idx]))}"
            ) from exc
        bump_version(self)
        return
    value_t = value if isinstance(value, Tensor) else None
    if value_t is not None and value_t.dtype is not self.dtype:
        value_t = value_t.to(self.dtype)
    apply_inplace(
        self,
        lambda s: index_put_functional(s, idx, value_t if value_t is not None else value),
        "setitem",
        (value_t,) if value_t is not None else (),
    )


Tensor.__getitem__ = getitem
Tensor.__setitem__ = setitem


# -- the scatter-add used by index backward formulas --------------------------------------------


class IndexAddZerosBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, index):
        return grad[index]


def index_add_zeros(shape, index, values: Tensor) -> Tensor:
    """Zeros of ``shape`` with ``values`` added at ``index`` (NumPy-ready); differentiable in
    ``values``. Used by the gradients of indexing ops under ``create_graph=True``."""
    data = values._data
    if data.__class__ is np.ndarray:
        arr = np.zeros(shape, dtype=data.dtype)
        np.add.at(arr, index, data)
    else:
        from ..backends import array_module_of

        xp = array_module_of(data)
        arr = xp.zeros(shape, dtype=data.dtype)
        xp.add.at(arr, _to_device_index(index, data), data)
    out = new_tensor(arr)
    if grad_state.enabled and values._requires_grad:
        node = IndexAddZerosBackward0()
        attach(out, node, values)
        node.save(index)
    return out
