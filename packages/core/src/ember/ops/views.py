"""View ops: results share memory with their input, like PyTorch's views.

``view``, ``reshape`` (when the layout allows), indexing with ints/slices/None/Ellipsis,
``transpose``, ``permute``, ``t``, ``expand``, ``unsqueeze``, ``squeeze``, ``flatten``,
``unflatten``, ``narrow``, ``select``, ``movedim``, ``diagonal``, ``unfold``, ``as_strided``.
Every view records its root base and a function that recomputes it from the base (used by
in-place ops on views, see Note [In-place ops and autograd]) and shares the base's version
counter. Indexing with tensors, lists or masks (advanced indexing) copies, as in PyTorch.

Example:
    >>> import ember
    >>> x = ember.zeros(2, 3)
    >>> row = x[0]
    >>> row.fill_(1.0)
    tensor([1., 1., 1.])
    >>> x
    tensor([[1., 1., 1.],
            [0., 0., 0.]])
"""

from __future__ import annotations

from ._core import (
    Node,
    Tensor,
    attach,
    grad_state,
    method,
    new_tensor,
    np,
    shape_str,
    wrap_dim,
)

__all__ = [
    "reshape",
    "transpose",
    "swapaxes",
    "swapdims",
    "permute",
    "t",
    "unsqueeze",
    "squeeze",
    "flatten",
    "unflatten",
    "narrow",
    "select",
    "movedim",
    "moveaxis",
    "diagonal",
    "as_strided",
    "expand_copy",
]


def make_view(input: Tensor, arr, view_fn) -> Tensor:
    """Wrap ``arr`` (a view of ``input``'s array) as a view Tensor of ``input``'s base."""
    out = new_tensor(arr)
    base = input._base
    if base is None:
        base = input
        out._view_fn = view_fn
    else:
        parent = input._view_fn
        out._view_fn = lambda b: view_fn(parent(b))
    vc = base._vc
    if vc is None:
        vc = base._vc = [0]
    out._vc = vc
    out._base = base
    return out


# -- reshape family ------------------------------------------------------------------------------


class ViewBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape):
        return grad.reshape(shape)


def _infer_shape(shape, numel: int, op: str, src_shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError(f"{op}: only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"{op}: invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(
                f"{op}: shape '{list(shape)}' is invalid for input of size {numel} "
                f"(input shape {shape_str(src_shape)})"
            )
        shape = shape[: neg[0]] + (numel // known,) + shape[neg[0] + 1 :]
    elif known != numel:
        raise RuntimeError(
            f"{op}: shape '{list(shape)}' is invalid for input of size {numel} "
            f"(input shape {shape_str(src_shape)})"
        )
    return shape


def _reshape_result(input: Tensor, arr, node_name_view: bool) -> Tensor:
    shape = arr.shape
    if np.shares_memory(arr, input._data) if arr.size else True:
        out = make_view(input, arr, lambda b: b.reshape(shape))
    else:
        out = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        node = ViewBackward0() if node_name_view else ReshapeAliasBackward0()
        attach(out, node, input)
        node.save(input._data.shape)
    return out


class ReshapeAliasBackward0(ViewBackward0):
    __slots__ = ()


@method("view")
def view(self: Tensor, *shape) -> Tensor:
    """A view with another shape (one dim may be -1); ``view(dtype)`` reinterprets the bytes.

    Raises RuntimeError when the memory layout does not allow a view (use ``reshape``).
    """
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list)):
        from .. import _dtype as D

        dt = D.to_dtype(shape[0])
        return make_view(self, self._data.view(dt.np), lambda b: b.view(dt))
    data = self._data
    new_shape = _infer_shape(shape, data.size, "view", data.shape)
    arr = data.view()
    try:
        arr.shape = new_shape
    except AttributeError:
        raise RuntimeError(
            f"view size is not compatible with input tensor's size and stride (at least one "
            f"dimension spans across two contiguous subspaces): input shape "
            f"{shape_str(data.shape)}, requested {shape_str(new_shape)}. Use .reshape(...) instead."
        ) from None
    out = make_view(self, arr, lambda b: b.view(new_shape))
    if grad_state.enabled and self._requires_grad:
        node = ViewBackward0()
        attach(out, node, self)
        node.save(data.shape)
    return out


@method()
def reshape(input: Tensor, *shape) -> Tensor:
    """``input`` with another shape: a view when the layout allows, else a copy.

    Example:
        >>> import ember
        >>> ember.arange(6).reshape(2, -1)
        tensor([[0, 1, 2],
                [3, 4, 5]])
    """
    data = input._data
    new_shape = _infer_shape(shape, data.size, "reshape", data.shape)
    if new_shape == data.shape:
        return input if not input._requires_grad else view(input, new_shape)
    return _reshape_result(input, data.reshape(new_shape), False)


@method()
def view_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.view(other.shape)``."""
    return view(self, other._data.shape)


@method()
def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.reshape(other.shape)``."""
    return reshape(self, other._data.shape)


@method()
def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge dims ``start_dim..end_dim`` into one.

    Example:
        >>> import ember
        >>> ember.zeros(2, 3, 4).flatten(1).shape
        ember.Size([2, 12])
    """
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s = wrap_dim(start_dim, len(shape))
    e = wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for d in shape[s : e + 1]:
        n *= d
    return reshape(input, shape[:s] + (n,) + shape[e + 1 :])


@method()
def unflatten(input: Tensor, dim: int, sizes) -> Tensor:
    """Split dim ``dim`` into ``sizes`` (one may be -1)."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = _infer_shape(tuple(sizes), shape[d], "unflatten", (shape[d],))
    return reshape(input, shape[:d] + sizes + shape[d + 1 :])


# -- dimension permutations ----------------------------------------------------------------------


class PermuteBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, dims):
        inverse = [0] * len(dims)
        for i, d in enumerate(dims):
            inverse[d] = i
        return F.transpose(grad, tuple(inverse))


class TransposeBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, d0, d1):
        return F.swapaxes(grad, d0, d1)


@method()
def permute(input: Tensor, *dims) -> Tensor:
    """A view with dimensions reordered.

    Example:
        >>> import ember
        >>> ember.zeros(2, 3, 4).permute(2, 0, 1).shape
        ember.Size([4, 2, 3])
    """
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {n} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, n) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    out = make_view(input, input._data.transpose(dims), lambda b: b.permute(dims))
    if grad_state.enabled and input._requires_grad:
        node = PermuteBackward0()
        attach(out, node, input)
        node.save(dims)
    return out


@method()
def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """A view with dims ``dim0`` and ``dim1`` swapped.

    Example:
        >>> import ember
        >>> ember.zeros(2, 3).transpose(0, 1).shape
        ember.Size([3, 2])
    """
    n = input._data.ndim
    d0, d1 = wrap_dim(dim0, n), wrap_dim(dim1, n)
    arr = input._data.swapaxes(d0, d1) if n else input._data
    out = make_view(input, arr, lambda b: b.transpose(d0, d1))
    if grad_state.enabled and input._requires_grad:
        node = TransposeBackward0()
        attach(out, node, input)
        node.save(d0, d1)
    return out


swapaxes = swapdims = transpose
Tensor.swapaxes = Tensor.swapdims = transpose


@method()
def t(input: Tensor) -> Tensor:
    """Transpose of a tensor with at most 2 dims."""
    if input._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D"
        )
    return transpose(input, 0, 1) if input._data.ndim == 2 else input


def _T(self):
    n = self._data.ndim
    return permute(self, tuple(range(n - 1, -1, -1))) if n >= 2 else self


def _mT(self):
    if self._data.ndim < 2:
        raise RuntimeError(
            "tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor."
        )
    return transpose(self, -2, -1)


def _mH(self):
    out = _mT(self)
    return out.conj() if self.is_complex() else out


Tensor.T = property(_T, doc="The tensor with its dimensions reversed.")
Tensor.mT = property(_mT, doc="The tensor with its last two dimensions swapped.")
Tensor.mH = Tensor.H = property(_mH, doc="The conjugate transpose of the last two dimensions.")


@method()
def movedim(input: Tensor, source, destination) -> Tensor:
    """Move dims ``source`` to positions ``destination`` (ints or sequences)."""
    n = input._data.ndim
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain "
            f"the same number of dims as destination ({dst} dims)"
        )
    src = [wrap_dim(d, n) for d in src]
    dst = [wrap_dim(d, n) for d in dst]
    order = [d for d in range(n) if d not in src]
    perm = [0] * n
    for s, d in sorted(zip(dst, src)):
        order.insert(s, d)
    perm = order
    return permute(input, tuple(perm))


moveaxis = movedim
Tensor.moveaxis = movedim


# -- adding and removing size-1 dims -------------------------------------------------------------


class UnsqueezeBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape):
        return grad.reshape(shape)


SqueezeBackward0 = type("SqueezeBackward0", (UnsqueezeBackward0,), {"__slots__": ()})
ExpandBackward0 = None  # defined below


@method()
def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """A view with a size-1 dim inserted at ``dim``.

    Example:
        >>> import ember
        >>> ember.zeros(3).unsqueeze(0).shape
        ember.Size([1, 3])
    """
    data = input._data
    d = wrap_dim(dim, data.ndim + 1)
    arr = np.expand_dims(data, d)
    out = make_view(input, arr, lambda b: b.unsqueeze(d))
    if grad_state.enabled and input._requires_grad:
        node = UnsqueezeBackward0()
        attach(out, node, input)
        node.save(data.shape)
    return out


@method()
def squeeze(input: Tensor, dim=None) -> Tensor:
    """A view without size-1 dims (all of them, or those in ``dim``, int or tuple)."""
    data = input._data
    if dim is None:
        axes = tuple(i for i, s in enumerate(data.shape) if s == 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = tuple(
            d for d in (wrap_dim(x, data.ndim) for x in dims) if data.ndim and data.shape[d] == 1
        )
    if not axes:
        return input if not input._requires_grad else view(input, data.shape)
    arr = np.squeeze(data, axes)
    out = make_view(input, arr, lambda b: b.squeeze(axes))
    if grad_state.enabled and input._requires_grad:
        node = SqueezeBackward0()
        attach(out, node, input)
        node.save(data.shape)
    return out


# -- expand --------------------------------------------------------------------------------------


class ExpandBackward0(Node):  # noqa: F811
    __slots__ = ()

    def backward(self, F, grad, shape):
        return F.sum_to(grad, shape)


@method()
def expand(input: Tensor, *sizes) -> Tensor:
    """A view broadcasting size-1 dims to ``sizes`` (-1 keeps a dim); no memory is copied.

    Example:
        >>> import ember
        >>> ember.tensor([[1], [2]]).expand(2, 3)
        tensor([[1, 1, 1],
                [2, 2, 2]])
    """
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    data = input._data
    lead = len(sizes) - data.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to "
            f"the number of dimensions in the tensor ({data.ndim})"
        )
    target = []
    for i, s in enumerate(sizes):
        s = int(s)
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"expand: -1 is not allowed in a leading, non-existing dimension {i}"
                )
            target.append(s)
            continue
        cur = data.shape[i - lead]
        if s == -1:
            target.append(cur)
        elif cur == 1 or cur == s:
            target.append(s)
        else:
            raise RuntimeError(
                f"expand: the expanded size of the tensor ({s}) must match the existing size "
                f"({cur}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor "
                f"sizes: {list(data.shape)}"
            )
    target = tuple(target)
    if target == data.shape:
        return input if not input._requires_grad else view(input, target)
    arr = (
        np.broadcast_to(data, target)
        if data.__class__ is np.ndarray
        else _xp_broadcast(data, target)
    )
    out = make_view(input, arr, lambda b: b.expand(target))
    if grad_state.enabled and input._requires_grad:
        node = ExpandBackward0()
        attach(out, node, input)
        node.save(data.shape)
    return out


def _xp_broadcast(data, target):
    from ..backends import array_module_of

    return array_module_of(data).broadcast_to(data, target)


@method()
def expand_as(self: Tensor, other: Tensor) -> Tensor:
    """``self.expand(other.shape)``."""
    return expand(self, other._data.shape)


def expand_copy(input: Tensor, size) -> Tensor:
    """Like ``expand`` but returns a contiguous copy."""
    return expand(input, size).clone()


# -- narrow / select / diagonal ------------------------------------------------------------------


@method()
def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """A view of ``length`` elements of dim ``dim`` from ``start``.

    Example:
        >>> import ember
        >>> ember.arange(5).narrow(0, 1, 3)
        tensor([1, 2, 3])
    """
    n = input._data.ndim
    d = wrap_dim(dim, n)
    size = input._data.shape[d]
    start = int(start)
    if start < 0:
        start += size
    if start < 0 or start + length > size or length < 0:
        raise RuntimeError(
            f"narrow: start ({start}) + length ({length}) exceeds dimension size ({size})."
        )
    index = (slice(None),) * d + (slice(start, start + length),)
    return input[index]


@method()
def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The slice at ``index`` along ``dim`` (that dim removed); a view."""
    n = input._data.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, n)
    size = input._data.shape[d]
    if index < -size or index >= size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input._data.shape)} "
            f"at dimension {d}"
        )
    return input[(slice(None),) * d + (int(index),)]


class DiagonalBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, offset, d1, d2):
        return F.diagonal_scatter_zeros(grad, shape, offset, d1, d2)


def _diagonal_view(data, offset, d1, d2):
    """A strided view of the diagonal, writable when ``data`` is (NumPy's is read-only)."""
    shape, strides = data.shape, data.strides
    n1, n2 = shape[d1], shape[d2]
    length = max(0, min(n1, n2 - offset) if offset >= 0 else min(n1 + offset, n2))
    keep = [i for i in range(len(shape)) if i not in (d1, d2)]
    new_shape = tuple(shape[i] for i in keep) + (length,)
    new_strides = tuple(strides[i] for i in keep) + (strides[d1] + strides[d2],)
    if length == 0:
        return np.zeros(new_shape, dtype=data.dtype)
    start = [0] * len(shape)
    if offset >= 0:
        start[d2] = offset
    else:
        start[d1] = -offset
    first = data[tuple(slice(s, None) for s in start)]
    return np.lib.stride_tricks.as_strided(
        first, new_shape, new_strides, writeable=bool(data.flags.writeable)
    )


@method()
def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """A view of the diagonal of dims ``dim1`` and ``dim2`` (appended as the last dim).

    Example:
        >>> import ember
        >>> ember.arange(9).reshape(3, 3).diagonal()
        tensor([0, 4, 8])
    """
    data = input._data
    n = data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if data.__class__ is np.ndarray:
        arr = _diagonal_view(data, offset, d1, d2)
    else:
        arr = data.diagonal(offset, d1, d2)
    out = make_view(input, arr, lambda b: b.diagonal(offset, d1, d2))
    if grad_state.enabled and input._requires_grad:
        node = DiagonalBackward0()
        attach(out, node, input)
        node.save(data.shape, offset, d1, d2)
    return out


class AsStridedBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, size, stride, offset):
        return F.as_strided_scatter_zeros(grad, shape, size, stride, offset)


@method()
def as_strided(input: Tensor, size, stride, storage_offset: int = 0) -> Tensor:
    """A view with explicit ``size`` and ``stride`` (in elements) over ``input``'s memory.

    Only for contiguous inputs; overlapping views are read-only.
    """
    data = input._data
    if not data.flags["C_CONTIGUOUS"]:
        data = np.ascontiguousarray(data)
    item = data.itemsize
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    flat = data.reshape(-1)[int(storage_offset) :]
    arr = np.lib.stride_tricks.as_strided(flat, size, tuple(s * item for s in stride))
    out = make_view(input, arr, lambda b: b.as_strided(size, stride, storage_offset))
    if grad_state.enabled and input._requires_grad:
        node = AsStridedBackward0()
        attach(out, node, input)
        node.save(input._data.shape, size, stride, int(storage_offset))
    return out


class UnfoldBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape, dim, size, step):
        return F.unfold_backward(grad, shape, dim, size, step)


@method("unfold")
def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """A view of all slices of length ``size`` along ``dimension``, ``step`` apart (appended
    as a new last dim).

    Example:
        >>> import ember
        >>> ember.arange(5).unfold(0, 2, 1)
        tensor([[0, 1],
                [1, 2],
                [2, 3],
                [3, 4]])
    """
    data = input._data
    d = wrap_dim(dimension, max(data.ndim, 1))
    if data.ndim == 0:
        data_v = data.reshape(1)
    else:
        data_v = data
    n = data_v.shape[d]
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    count = (n - size) // step + 1
    shape = data_v.shape[:d] + (count,) + data_v.shape[d + 1 :] + (size,)
    strides = (
        data_v.strides[:d]
        + (data_v.strides[d] * step,)
        + data_v.strides[d + 1 :]
        + (data_v.strides[d],)
    )
    arr = np.lib.stride_tricks.as_strided(data_v, shape, strides, writeable=False)
    out = make_view(input, arr, lambda b: b.unfold(d, size, step))
    if grad_state.enabled and input._requires_grad:
        node = UnfoldBackward0()
        attach(out, node, input)
        node.save(data_v.shape, d, size, step)
    return out
