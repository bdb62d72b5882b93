"""Shape-building ops: joining, splitting, flipping, repeating, triangles and diagonals.

``cat``/``stack`` and their variants, ``split``/``chunk``/``tensor_split``/``unbind`` (which
return views, one graph node for all the pieces), ``flip``/``roll``/``rot90``,
``repeat``/``repeat_interleave``/``tile``, broadcasting helpers, ``tril``/``triu``,
``diag``/``diag_embed``/``diagflat``, ``meshgrid`` and the ``*_scatter`` ops that write a
slice, a selected index or a diagonal into a copy of the input.

Example:
    >>> import ember
    >>> a, b = ember.tensor([[1, 2]]), ember.tensor([[3, 4]])
    >>> ember.cat([a, b], dim=1)
    tensor([[1, 2, 3, 4]])
    >>> ember.stack([a, b]).shape
    ember.Size([2, 1, 2])
"""

from __future__ import annotations

import warnings

from .._size import Size
from ..amp import _state as _amp
from ..autograd._array_helpers import diagonal_scatter_zeros
from ..autograd.graph import _array_ns
from ._core import (
    D,
    Node,
    Tensor,
    attach,
    attach_outputs,
    broadcast_error,
    grad_state,
    method,
    new_tensor,
    np,
    wrap_dim,
    xp_of,
)
from .inplace import inplace_binary
from .views import _diagonal_view, expand, make_view, reshape, transpose
from .views import diagonal as _diagonal_op

__all__ = [
    "cat",
    "concat",
    "concatenate",
    "stack",
    "hstack",
    "vstack",
    "row_stack",
    "dstack",
    "column_stack",
    "split",
    "tensor_split",
    "chunk",
    "unbind",
    "hsplit",
    "vsplit",
    "dsplit",
    "flip",
    "fliplr",
    "flipud",
    "roll",
    "rot90",
    "repeat_interleave",
    "tile",
    "broadcast_to",
    "broadcast_tensors",
    "broadcast_shapes",
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "diag",
    "diag_embed",
    "diagflat",
    "tril",
    "triu",
    "tril_indices",
    "triu_indices",
    "meshgrid",
    "diagonal_scatter",
    "select_scatter",
    "slice_scatter",
    "ravel",
]


def _tensor_list(tensors, op: str) -> list:
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{op}(): expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return tensors


def _promote_all(tensors) -> list:
    """Cast ``tensors`` to their common dtype (differentiably, so grads keep each dtype)."""
    dt = tensors[0]._data.dtype
    if all(t._data.dtype == dt for t in tensors):
        return tensors
    common = tensors[0].dtype
    for t in tensors[1:]:
        common = D.promote_types(common, t.dtype)
    return [t if t._data.dtype == common.np else t.to(common) for t in tensors]


# -- cat / stack ---------------------------------------------------------------------------------


class CatBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, dim, sizes):
        lead = (slice(None),) * dim
        out = []
        start = 0
        for i, size in enumerate(sizes):
            out.append(None if self._next[i] is None else grad[(*lead, slice(start, start + size))])
            start += size
        return tuple(out)


def cat(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Concatenate tensors along an existing dim ``dim`` (dtypes are promoted).

    All tensors must have the same shape except in ``dim``; 1-D empty tensors are skipped,
    as in PyTorch.

    Example:
        >>> import ember
        >>> ember.cat([ember.tensor([1, 2]), ember.tensor([3.5])])
        tensor([1.0000, 2.0000, 3.5000])
    """
    if _amp.active:
        (tensors,) = _amp.cast("cat", tensors)
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("cat(): expected a non-empty list of Tensors")
    tensors = _promote_all(tensors)
    used = [t for t in tensors if t._data.shape != (0,)] or tensors[:1]
    ref = used[0]._data.shape
    if not ref:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = wrap_dim(dim, len(ref))
    for i, t in enumerate(tensors):
        shape = t._data.shape
        if (shape == (0,) and len(used) < len(tensors)) or t is used[0]:
            continue
        if len(shape) != len(ref):
            if not shape:
                raise RuntimeError(
                    f"zero-dimensional tensor (at position {i}) cannot be concatenated"
                )
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {len(ref)} and {len(shape)}"
            )
        for k, (a, b) in enumerate(zip(ref, shape, strict=True)):
            if k != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} but "
                    f"got size {b} for tensor number {i} in the list."
                )
    arrays = [t._data for t in used]
    res = new_tensor(xp_of(used[0]).concatenate(arrays, axis=d))
    if grad_state.enabled and any(t._requires_grad for t in used):
        node = CatBackward0()
        attach(res, node, *used)
        node.save(d, [a.shape[d] for a in arrays])
    if out is not None:
        from .inplace import write_out

        return write_out(out, res)
    return res


concat = concatenate = cat


class StackBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, dim, count):
        lead = (slice(None),) * dim
        return tuple(None if self._next[i] is None else grad[(*lead, i)] for i in range(count))


def stack(tensors, dim: int = 0, *, out=None) -> Tensor:
    """Join same-shaped tensors along a new dim ``dim``.

    Example:
        >>> import ember
        >>> ember.stack([ember.tensor([1, 2]), ember.tensor([3, 4])], dim=1)
        tensor([[1, 3],
                [2, 4]])
    """
    if _amp.active:
        (tensors,) = _amp.cast("stack", tensors)
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    tensors = _promote_all(tensors)
    ref = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != ref:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(ref)} at entry 0 and "
                f"{list(t._data.shape)} at entry {i}"
            )
    d = wrap_dim(dim, len(ref) + 1)
    res = new_tensor(xp_of(tensors[0]).stack([t._data for t in tensors], axis=d))
    if grad_state.enabled and any(t._requires_grad for t in tensors):
        node = StackBackward0()
        attach(res, node, *tensors)
        node.save(d, len(tensors))
    if out is not None:
        from .inplace import write_out

        return write_out(out, res)
    return res


def hstack(tensors) -> Tensor:
    """Concatenate horizontally: along dim 1, or dim 0 for 1-D tensors.

    Example:
        >>> import ember
        >>> ember.hstack([ember.tensor([1, 2]), ember.tensor([3])])
        tensor([1, 2, 3])
    """
    ts = atleast_1d(*_tensor_list(tensors, "hstack"))
    ts = ts if isinstance(ts, tuple) else (ts,)
    return cat(ts, 0 if ts and ts[0]._data.ndim == 1 else 1)


def vstack(tensors) -> Tensor:
    """Concatenate vertically (dim 0), after making every tensor at least 2-D.

    Example:
        >>> import ember
        >>> ember.vstack([ember.tensor([1, 2]), ember.tensor([3, 4])])
        tensor([[1, 2],
                [3, 4]])
    """
    ts = atleast_2d(*_tensor_list(tensors, "vstack"))
    return cat(ts if isinstance(ts, tuple) else (ts,), 0)


row_stack = vstack


def dstack(tensors) -> Tensor:
    """Concatenate depth-wise (dim 2), after making every tensor at least 3-D.

    Example:
        >>> import ember
        >>> ember.dstack([ember.tensor([1, 2]), ember.tensor([3, 4])]).shape
        ember.Size([1, 2, 2])
    """
    ts = atleast_3d(*_tensor_list(tensors, "dstack"))
    return cat(ts if isinstance(ts, tuple) else (ts,), 2)


def column_stack(tensors) -> Tensor:
    """Stack 0-D/1-D tensors as columns (and 2-D ones as they are) along dim 1.

    Example:
        >>> import ember
        >>> ember.column_stack([ember.tensor([1, 2]), ember.tensor([3, 4])])
        tensor([[1, 3],
                [2, 4]])
    """
    ts = _tensor_list(tensors, "column_stack")
    cols = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in ts]
    return cat(cols, 1)


# -- splitting (views) ---------------------------------------------------------------------------


class SplitBackward0(Node):
    __slots__ = ()

    def backward(self, F, grads, shape, dim, sizes):
        return F.pieces_backward(grads, shape, dim, sizes)


class SplitWithSizesBackward0(SplitBackward0):
    __slots__ = ()


class UnbindBackward0(SplitBackward0):
    __slots__ = ()


def _piece_view(input: Tensor, key) -> Tensor:
    return make_view(input, input._data[key], lambda b: b[key])


def _split_views(input: Tensor, dim: int, sizes, node_cls) -> tuple:
    """Views of consecutive pieces of ``sizes`` along ``dim`` with one shared node (``sizes``
    None: one view per index, the dim removed, as ``unbind``)."""
    lead = (slice(None),) * dim
    if sizes is None:
        keys = [(*lead, i) for i in range(input._data.shape[dim])]
    else:
        keys = []
        start = 0
        for s in sizes:
            keys.append((*lead, slice(start, start + s)))
            start += s
    outs = tuple(_piece_view(input, k) for k in keys)
    if grad_state.enabled and input._requires_grad and outs:
        node = node_cls()
        attach_outputs(outs, node, input)
        node.save(input._data.shape, dim, None if sizes is None else tuple(sizes))
    return outs


@method()
def split(tensor: Tensor, split_size_or_sections, dim: int = 0) -> tuple:
    """Split into pieces of ``split_size_or_sections`` (an int: equal pieces, the last maybe
    smaller; a list: those sizes) along ``dim``. The pieces are views.

    Example:
        >>> import ember
        >>> ember.split(ember.arange(5), 2)
        (tensor([0, 1]), tensor([2, 3]), tensor([4]))
        >>> ember.split(ember.arange(5), [1, 4])
        (tensor([0]), tensor([1, 2, 3, 4]))
    """
    data = tensor._data
    if data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, data.ndim)
    n = data.shape[d]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size "
                f"at dimension {d}), but got split_sizes={sizes}"
            )
        return _split_views(tensor, d, sizes, SplitWithSizesBackward0)
    size = int(split_size_or_sections)
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0:
        if n != 0:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        return _split_views(tensor, d, [0], SplitBackward0)
    sizes = [size] * (n // size) + ([n % size] if n % size or n == 0 else [])
    return _split_views(tensor, d, sizes, SplitBackward0)


@method()
def tensor_split(input: Tensor, indices_or_sections, dim: int = 0) -> tuple:
    """Split into ``indices_or_sections`` nearly equal pieces (an int), or at the given
    indices (a list or 1-D tensor), along ``dim``. The pieces are views.

    Example:
        >>> import ember
        >>> ember.tensor_split(ember.arange(7), 3)
        (tensor([0, 1, 2]), tensor([3, 4]), tensor([5, 6]))
        >>> ember.tensor_split(ember.arange(7), [1, 5])
        (tensor([0]), tensor([1, 2, 3, 4]), tensor([5, 6]))
    """
    data = input._data
    if data.ndim == 0:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = wrap_dim(dim, data.ndim)
    n = data.shape[d]
    spec = indices_or_sections
    if isinstance(spec, Tensor):
        if spec._data.dtype.kind not in "iu":
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have integer dtype, but got "
                f"{spec.dtype}"
            )
        spec = int(spec.item()) if spec._data.ndim == 0 else spec.tolist()
    if isinstance(spec, (list, tuple)):
        sizes = []
        prev = 0
        for idx in [*list(spec), n]:
            idx = max(0, min(int(idx), n)) if idx >= 0 else max(0, n + int(idx))
            sizes.append(max(0, idx - prev))
            prev = max(prev, idx)
        return _split_views(input, d, sizes, SplitWithSizesBackward0)
    sections = int(spec)
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    q, r = divmod(n, sections)
    sizes = [q + 1] * r + [q] * (sections - r)
    return _split_views(input, d, sizes, SplitWithSizesBackward0)


@method()
def chunk(input: Tensor, chunks: int, dim: int = 0) -> tuple:
    """Split into at most ``chunks`` equal pieces (the last maybe smaller) along ``dim``.

    Example:
        >>> import ember
        >>> ember.chunk(ember.arange(5), 3)
        (tensor([0, 1]), tensor([2, 3]), tensor([4]))
    """
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    data = input._data
    if data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    n = data.shape[wrap_dim(dim, data.ndim)]
    return split(input, max(1, -(-n // chunks)) if n else 0, dim)


@method()
def unbind(input: Tensor, dim: int = 0) -> tuple:
    """The slices along ``dim`` (that dim removed), as views.

    Example:
        >>> import ember
        >>> ember.unbind(ember.tensor([[1, 2], [3, 4]]), 1)
        (tensor([1, 3]), tensor([2, 4]))
    """
    data = input._data
    if data.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return _split_views(input, wrap_dim(dim, data.ndim), None, UnbindBackward0)


def _split_along(input: Tensor, spec, dim: int, op: str) -> tuple:
    if isinstance(spec, int):
        n = input._data.shape[dim]
        if spec == 0 or n % spec:
            raise RuntimeError(
                f"torch.{op} attempted to split along dimension {dim}, but the size of the "
                f"dimension {n} is not divisible by the split_size {spec}!"
            )
    return tensor_split(input, spec, dim)


@method()
def hsplit(input: Tensor, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 1 (dim 0 for 1-D tensors); an int must divide the size.

    Example:
        >>> import ember
        >>> ember.hsplit(ember.arange(4), 2)
        (tensor([0, 1]), tensor([2, 3]))
    """
    n = input._data.ndim
    if n == 0:
        raise RuntimeError(
            "torch.hsplit requires a tensor with at least 1 dimension, but got a tensor with 0 "
            "dimensions!"
        )
    return _split_along(input, indices_or_sections, 0 if n == 1 else 1, "hsplit")


@method()
def vsplit(input: Tensor, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 0 of a tensor with at least 2 dims."""
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(
            f"torch.vsplit requires a tensor with at least 2 dimension, but got a tensor with {n} "
            "dimensions!"
        )
    return _split_along(input, indices_or_sections, 0, "vsplit")


@method()
def dsplit(input: Tensor, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 2 of a tensor with at least 3 dims."""
    n = input._data.ndim
    if n < 3:
        raise RuntimeError(
            f"torch.dsplit requires a tensor with at least 3 dimension, but got a tensor with {n} "
            "dimensions!"
        )
    return _split_along(input, indices_or_sections, 2, "dsplit")


# -- flip / roll / rot90 -------------------------------------------------------------------------


def _dims_tuple(dims) -> tuple:
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        return tuple(dims[0])
    return tuple(dims)


class FlipBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, dims):
        return F.flip(grad, dims)


def flip(input: Tensor, dims) -> Tensor:
    """A copy with the order of elements reversed along ``dims``.

    Example:
        >>> import ember
        >>> ember.flip(ember.tensor([[1, 2], [3, 4]]), [1])
        tensor([[2, 1],
                [4, 3]])
    """
    data = input._data
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    n = data.ndim
    wrapped = tuple(wrap_dim(d, n) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        dup = next(d for d in wrapped if wrapped.count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    if not wrapped or not n:
        res = new_tensor(data.copy())
    else:
        res = new_tensor(xp_of(input).flip(data, axis=wrapped).copy())
    if grad_state.enabled and input._requires_grad:
        node = FlipBackward0()
        attach(res, node, input)
        node.save(wrapped if n else ())
    return res


def _flip_method(self: Tensor, *dims) -> Tensor:
    return flip(self, _dims_tuple(dims))


_flip_method.__name__ = "flip"
_flip_method.__doc__ = flip.__doc__
Tensor.flip = _flip_method


@method()
def fliplr(input: Tensor) -> Tensor:
    """Flip left/right (dim 1) a tensor with at least 2 dims."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@method()
def flipud(input: Tensor) -> Tensor:
    """Flip up/down (dim 0) a tensor with at least 1 dim."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class RollBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shifts, dims):
        neg = -shifts if dims is None else tuple(-s for s in shifts)
        return F.roll(grad, neg, dims)


@method()
def roll(input: Tensor, shifts, dims=None) -> Tensor:
    """Rotate elements by ``shifts`` along ``dims`` (ints or tuples of the same length); with
    ``dims=None`` the flattened tensor is rolled and the shape restored.

    Example:
        >>> import ember
        >>> ember.roll(ember.tensor([[1, 2, 3], [4, 5, 6]]), 1, 1)
        tensor([[3, 1, 2],
                [6, 4, 5]])
        >>> ember.roll(ember.tensor([[1, 2, 3], [4, 5, 6]]), 1)
        tensor([[6, 1, 2],
                [3, 4, 5]])
    """
    data = input._data
    shifts_t = (shifts,) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts_t) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts_t)}, dims:0")
        sh, dm = shifts_t[0], None
    else:
        dims_t = (dims,) if isinstance(dims, int) else tuple(dims)
        if len(dims_t) != len(shifts_t):
            raise RuntimeError(
                f"shifts and dimensions must align. shifts: {len(shifts_t)}, dims:{len(dims_t)}"
            )
        sh = shifts_t
        dm = tuple(wrap_dim(d, data.ndim) for d in dims_t)
    res = new_tensor(xp_of(input).roll(data, sh, dm))
    if grad_state.enabled and input._requires_grad:
        node = RollBackward0()
        attach(res, node, input)
        node.save(sh, dm)
    return res


@method()
def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the
    second).

    Example:
        >>> import ember
        >>> ember.rot90(ember.tensor([[1, 2], [3, 4]]))
        tensor([[2, 4],
                [1, 3]])
    """
    dims = tuple(dims)
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = wrap_dim(dims[0], n), wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return input.clone()


# -- repeat / tile / repeat_interleave -----------------------------------------------------------


class RepeatBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, padded, repeats, shape):
        split = []
        for r, s in zip(repeats, padded, strict=True):
            split += [r, s]
        g = F.sum(grad.reshape(tuple(split)), axis=tuple(range(0, len(split), 2)))
        return g.reshape(shape)


def _repeat(self: Tensor, *sizes) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along each dim (leading new dims allowed).

    Example:
        >>> import ember
        >>> ember.tensor([1, 2]).repeat(2, 2)
        tensor([[1, 2, 1, 2],
                [1, 2, 1, 2]])
    """
    sizes = tuple(int(s) for s in _dims_tuple(sizes))
    data = self._data
    if len(sizes) < data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    if any(s < 0 for s in sizes):
        raise RuntimeError(f"Trying to create tensor with negative dimension: {list(sizes)}")
    padded = (1,) * (len(sizes) - data.ndim) + data.shape
    res = new_tensor(xp_of(self).tile(data.reshape(padded), sizes))
    if grad_state.enabled and self._requires_grad:
        node = RepeatBackward0()
        attach(res, node, self)
        node.save(padded, sizes, data.shape)
    return res


_repeat.__name__ = "repeat"
Tensor.repeat = _repeat


def tile(input: Tensor, dims) -> Tensor:
    """Repeat ``input`` ``dims[i]`` times along each dim; missing leading dims count as 1.

    Example:
        >>> import ember
        >>> ember.tile(ember.tensor([[1, 2]]), (2,))
        tensor([[1, 2, 1, 2]])
    """
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    n = input._data.ndim
    if len(dims) < n:
        dims = (1,) * (n - len(dims)) + dims
    return _repeat(input, dims)


def _tile_method(self: Tensor, *dims) -> Tensor:
    return tile(self, _dims_tuple(dims))


_tile_method.__name__ = "tile"
Tensor.tile = _tile_method


@method()
def repeat_interleave(input: Tensor, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or a tensor with one count per element)
    along ``dim`` (the flattened input when ``dim`` is None). With only a tensor of counts,
    returns the indices repeated by those counts.

    Example:
        >>> import ember
        >>> ember.repeat_interleave(ember.tensor([1, 2]), 2)
        tensor([1, 1, 2, 2])
        >>> ember.tensor([[1, 2], [3, 4]]).repeat_interleave(ember.tensor([1, 2]), dim=0)
        tensor([[1, 2],
                [3, 4],
                [3, 4]])
    """
    from .scatter import index_select

    if repeats is None:
        counts = input
        if counts._data.ndim != 1 or counts._data.dtype.kind not in "iu":
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        arr = counts._data
        if arr.size and arr.min() < 0:
            raise RuntimeError("repeats can not be negative")
        idx = np.repeat(np.arange(arr.size, dtype=np.int64), np.asarray(arr))
        return new_tensor(idx if arr.__class__ is np.ndarray else xp_of(counts).asarray(idx))
    if dim is None:
        input = reshape(input, (-1,))
        d = 0
    else:
        d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d] if input._data.ndim else 1
    if isinstance(repeats, Tensor):
        rarr = repeats._data
        if rarr.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        counts = np.asarray(rarr.get() if rarr.__class__ is not np.ndarray else rarr).reshape(-1)
        if counts.size == 1:
            counts = np.full(n, int(counts[0]))
        elif counts.size != n:
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got repeats.size(0) = "
                f"{counts.size} and input.size({d}) = {n}"
            )
    else:
        counts = np.full(n, int(repeats))
    if counts.size and counts.min() < 0:
        raise RuntimeError("repeats can not be negative")
    idx = np.repeat(np.arange(n, dtype=np.int64), counts)
    if output_size is not None and output_size != idx.size:
        raise RuntimeError(
            f"repeat_interleave: output_size ({output_size}) does not match the sum of repeats "
            f"({idx.size})"
        )
    if input._data.ndim == 0:
        input = reshape(input, (1,))
    return index_select(input, d, new_tensor(idx))


# -- broadcasting --------------------------------------------------------------------------------


def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of ``shapes`` broadcast to.

    Example:
        >>> import ember
        >>> ember.broadcast_shapes((2, 1), (3,))
        ember.Size([2, 3])
    """
    norm = [(s,) if isinstance(s, int) else tuple(int(x) for x in s) for s in shapes]
    n = max((len(s) for s in norm), default=0)
    result = [1] * n
    for i, s in enumerate(norm):
        for k, size in enumerate(s):
            pos = n - len(s) + k
            if size < 0:
                raise RuntimeError(
                    f"Trying to create tensor with negative dimension {size}: {list(s)}"
                )
            cur = result[pos]
            if size != cur and size != 1 and cur != 1:
                raise RuntimeError(
                    f"Shape mismatch: objects cannot be broadcast to a single shape: argument {i} "
                    f"has shape {list(s)}, which does not broadcast to {result}"
                )
            if size != 1:
                result[pos] = size
    return Size(result)


@method()
def broadcast_to(input: Tensor, size) -> Tensor:
    """``input`` broadcast to ``size`` (a view; -1 keeps a dim), like ``expand``.

    Example:
        >>> import ember
        >>> ember.broadcast_to(ember.tensor([1, 2]), (2, 2))
        tensor([[1, 2],
                [1, 2]])
    """
    return expand(input, tuple(size))


def broadcast_tensors(*tensors) -> tuple:
    """Expand ``tensors`` to their common broadcast shape (views).

    Example:
        >>> import ember
        >>> a, b = ember.broadcast_tensors(ember.zeros(2, 1), ember.zeros(3))
        >>> a.shape, b.shape
        (ember.Size([2, 3]), ember.Size([2, 3]))
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = _tensor_list(tensors, "broadcast_tensors")
    shapes = [t._data.shape for t in tensors]
    try:
        target = tuple(broadcast_shapes(*shapes))
    except RuntimeError:
        for i in range(1, len(shapes)):
            try:
                broadcast_shapes(*shapes[: i + 1])
            except RuntimeError:
                first = tuple(broadcast_shapes(*shapes[:i]))
                raise broadcast_error("broadcast_tensors", first, shapes[i]) from None
        raise
    return tuple(t if t._data.shape == target else expand(t, target) for t in tensors)


# -- at least n-d --------------------------------------------------------------------------------


def _atleast(tensors, n: int, op: str):
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    out = []
    for t in _tensor_list(tensors, op):
        shape = t._data.shape
        if len(shape) >= n:
            out.append(t)
            continue
        if n == 3 and len(shape) == 1:
            new = (1, shape[0], 1)
        elif n == 3 and len(shape) == 2:
            new = (*shape, 1)
        else:
            new = (1,) * (n - len(shape)) + shape
        out.append(reshape(t, new))
    return out[0] if single else tuple(out)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim (0-D ones become shape ``(1,)``).

    Example:
        >>> import ember
        >>> ember.atleast_1d(ember.tensor(1.0))
        tensor([1.])
    """
    return _atleast(tensors, 1, "atleast_1d")


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims (new dims in front).

    Example:
        >>> import ember
        >>> ember.atleast_2d(ember.tensor([1, 2])).shape
        ember.Size([1, 2])
    """
    return _atleast(tensors, 2, "atleast_2d")


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims (``(n,)`` becomes ``(1, n, 1)``, ``(m, n)`` becomes
    ``(m, n, 1)``).

    Example:
        >>> import ember
        >>> ember.atleast_3d(ember.zeros(2, 3)).shape
        ember.Size([2, 3, 1])
    """
    return _atleast(tensors, 3, "atleast_3d")


@method()
def ravel(input: Tensor) -> Tensor:
    """The elements as a 1-D tensor (a view when the layout allows).

    Example:
        >>> import ember
        >>> ember.ravel(ember.tensor([[1, 2], [3, 4]]))
        tensor([1, 2, 3, 4])
    """
    return reshape(input, (-1,))


# -- triangles -----------------------------------------------------------------------------------


class TrilBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, k):
        return F.tril(grad, k)


class TriuBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, k):
        return F.triu(grad, k)


def _triangle(input: Tensor, k: int, lower: bool) -> Tensor:
    data = input._data
    if data.ndim < 2:
        name = "tril" if lower else "triu"
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    xp = xp_of(input)
    k = int(k)
    res = new_tensor(xp.tril(data, k) if lower else xp.triu(data, k))
    if grad_state.enabled and input._requires_grad:
        node = TrilBackward0() if lower else TriuBackward0()
        attach(res, node, input)
        node.save(k)
    return res


@method()
def tril(input: Tensor, diagonal: int = 0) -> Tensor:
    """The lower triangle of the last two dims (elements above ``diagonal`` set to 0).

    Example:
        >>> import ember
        >>> ember.tril(ember.ones(2, 3))
        tensor([[1., 0., 0.],
                [1., 1., 0.]])
    """
    return _triangle(input, diagonal, True)


@method()
def triu(input: Tensor, diagonal: int = 0) -> Tensor:
    """The upper triangle of the last two dims (elements below ``diagonal`` set to 0).

    Example:
        >>> import ember
        >>> ember.triu(ember.ones(2, 3), 1)
        tensor([[0., 1., 1.],
                [0., 0., 1.]])
    """
    return _triangle(input, diagonal, False)


Tensor.tril_ = inplace_binary(tril, "tril_", unary=True)
Tensor.triu_ = inplace_binary(triu, "triu_", unary=True)


def _tri_indices(row, col, offset, dtype, device, lower):
    if row < 0 or col < 0:
        raise RuntimeError(
            f"row must be non-negative, got {row}"
            if row < 0
            else f"col must be non-negative, got {col}"
        )
    rows, cols = (np.tril_indices if lower else np.triu_indices)(row, offset, col)
    arr = np.stack([rows, cols]).astype((dtype or D.int64).np)
    if device is not None:
        from .._creation import _move
        from .._device import device as _device

        arr = _move(arr, _device(device))
    return new_tensor(arr)


def tril_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The ``(2, N)`` row/column coordinates of the lower triangle of a ``row x col`` matrix.

    Example:
        >>> import ember
        >>> ember.tril_indices(3, 3)
        tensor([[0, 1, 1, 2, 2, 2],
                [0, 0, 1, 0, 1, 2]])
    """
    return _tri_indices(row, col, offset, dtype, device, True)


def triu_indices(row: int, col: int, offset: int = 0, *, dtype=None, device=None) -> Tensor:
    """The ``(2, N)`` row/column coordinates of the upper triangle of a ``row x col`` matrix.

    Example:
        >>> import ember
        >>> ember.triu_indices(3, 3, 1)
        tensor([[0, 0, 1],
                [1, 2, 2]])
    """
    return _tri_indices(row, col, offset, dtype, device, False)


# -- diagonals -----------------------------------------------------------------------------------


class DiagEmbedBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, offset, d1, d2):
        return F.diagonal(grad, offset, d1, d2)


@method()
def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Tensor whose diagonals (``offset``, in the plane of ``dim1``/``dim2``) are filled by
    the last dim of ``input``; zeros elsewhere.

    Example:
        >>> import ember
        >>> ember.diag_embed(ember.tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
    """
    data = input._data
    if data.ndim == 0:
        data = data.reshape(1)
    n = data.ndim + 1
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    size = data.shape[-1] + abs(int(offset))
    shape = list(data.shape[:-1])
    for d in sorted((d1, d2)):
        shape.insert(d, size)
    arr = diagonal_scatter_zeros(_array_ns(data), data, tuple(shape), int(offset), d1, d2)
    res = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        node = DiagEmbedBackward0()
        attach(res, node, input)
        node.save(int(offset), d1, d2)
    return res


@method()
def diag(input: Tensor, diagonal: int = 0) -> Tensor:
    """A 1-D tensor as the ``diagonal``-th diagonal of a square matrix, or a copy of the
    ``diagonal``-th diagonal of a matrix.

    Example:
        >>> import ember
        >>> ember.diag(ember.tensor([1, 2]))
        tensor([[1, 0],
                [0, 2]])
        >>> ember.diag(ember.tensor([[1, 2], [3, 4]]), 1)
        tensor([2])
    """
    n = input._data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n == 2:
        return _diagonal_op(input, diagonal, 0, 1).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {n}D")


@method()
def diagflat(input: Tensor, offset: int = 0) -> Tensor:
    """The flattened ``input`` as the ``offset``-th diagonal of a square matrix.

    Example:
        >>> import ember
        >>> ember.diagflat(ember.tensor([[1, 2]]))
        tensor([[1, 0],
                [0, 2]])
    """
    return diag_embed(reshape(input, (-1,)), offset, 0, 1)


# -- *_scatter: write into a copy ----------------------------------------------------------------


class DiagonalScatterBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, offset, d1, d2):
        g_in = None if self._next[0] is None else F.zero_diagonal(grad, offset, d1, d2)
        g_src = None if self._next[1] is None else F.diagonal(grad, offset, d1, d2)
        return g_in, g_src


class SelectScatterBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, key):
        g_in = None if self._next[0] is None else F.zero_at(grad, key)
        g_src = None if self._next[1] is None else grad[key]
        return g_in, g_src


class SliceScatterBackward0(SelectScatterBackward0):
    __slots__ = ()


def _src_size_error(src_shape, slice_shape) -> RuntimeError:
    return RuntimeError(
        f"expected src to have a size equal to the slice of self. src size = {list(src_shape)}, "
        f"slice size = {list(slice_shape)}"
    )


def _scatter_into(input: Tensor, src: Tensor, region, write, node_cls, saved) -> Tensor:
    if src._data.shape != region.shape:
        raise _src_size_error(src._data.shape, region.shape)
    arr = input._data.copy()
    write(arr, src._data)
    res = new_tensor(arr)
    if grad_state.enabled and (input._requires_grad or src._requires_grad):
        node = node_cls()
        attach(res, node, input, src)
        node.save(*saved)
    return res


@method()
def diagonal_scatter(
    input: Tensor, src: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1
) -> Tensor:
    """A copy of ``input`` with ``src`` written on its diagonal (as ``diagonal`` selects it).

    Example:
        >>> import ember
        >>> ember.diagonal_scatter(ember.zeros(2, 2), ember.ones(2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    data = input._data
    n = data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    offset = int(offset)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")

    def write(arr, s):
        if arr.__class__ is np.ndarray:
            _diagonal_view(arr, offset, d1, d2)[...] = s
        else:
            arr.diagonal(offset, d1, d2)[...] = s

    region = data.diagonal(offset, d1, d2)
    return _scatter_into(input, src, region, write, DiagonalScatterBackward0, (offset, d1, d2))


@method()
def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:
    """A copy of ``input`` with ``src`` written at ``index`` of dim ``dim``.

    Example:
        >>> import ember
        >>> ember.select_scatter(ember.zeros(2, 2), ember.ones(2), 0, 1)
        tensor([[0., 0.],
                [1., 1.]])
    """
    data = input._data
    d = wrap_dim(dim, data.ndim)
    size = data.shape[d]
    if index < -size or index >= size:
        raise IndexError(
            f"select_scatter(): index {index} out of range for tensor of size {list(data.shape)} "
            f"at dimension {d}"
        )
    key = (slice(None),) * d + (int(index) % size,)

    def write(arr, s):
        arr[key] = s

    return _scatter_into(input, src, data[key], write, SelectScatterBackward0, (key,))


@method()
def slice_scatter(
    input: Tensor, src: Tensor, dim: int = 0, start=None, end=None, step: int = 1
) -> Tensor:
    """A copy of ``input`` with ``src`` written at ``start:end:step`` of dim ``dim``.

    Example:
        >>> import ember
        >>> ember.slice_scatter(ember.zeros(2, 4), ember.ones(2, 2), 1, 0, 4, 2)
        tensor([[1., 0., 1., 0.],
                [1., 0., 1., 0.]])
    """
    data = input._data
    d = wrap_dim(dim, data.ndim)
    if step is None:
        step = 1
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    key = (slice(None),) * d + (slice(start, end, step),)

    def write(arr, s):
        arr[key] = s

    return _scatter_into(input, src, data[key], write, SliceScatterBackward0, (key,))


# -- meshgrid ------------------------------------------------------------------------------------


def meshgrid(*tensors, indexing: str | None = None) -> tuple:
    """Coordinate grids from 1-D tensors (``indexing='ij'``: matrix, ``'xy'``: Cartesian,
    first two dims swapped). The grids are expanded views.

    Example:
        >>> import ember
        >>> xs, ys = ember.meshgrid(ember.tensor([1, 2]), ember.tensor([3, 4, 5]), indexing="ij")
        >>> xs
        tensor([[1, 1, 1],
                [2, 2, 2]])
        >>> ys
        tensor([[3, 4, 5],
                [3, 4, 5]])
    """
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    tensors = _tensor_list(tensors, "meshgrid")
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                "torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: "
                f"{_shape_list(t)}"
            )
    sizes = [t._data.size for t in tensors]
    swap = indexing == "xy" and len(tensors) >= 2
    if swap:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, t in enumerate(tensors):
        pos = (1 - i if i < 2 else i) if swap else i
        shape = [1] * len(tensors)
        shape[pos] = -1
        out.append(expand(reshape(t, tuple(shape)), tuple(sizes)))
    return tuple(out)


def _shape_list(t: Tensor) -> str:
    return str(list(t._data.shape))
