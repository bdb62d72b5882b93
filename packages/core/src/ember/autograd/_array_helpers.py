"""Helpers for backward formulas that NumPy lacks, written once for both speeds.

Each function takes the namespace ``F`` first (see Note [Two speeds of backward] in
``ember.autograd.graph``) and uses only NumPy-named functions of ``F``, operators and
``.shape``/``.ndim``/``.reshape``, so the same code serves raw arrays and Tensors. Functions
that must differ between the two (``astype``, ``index_add_zeros``) are overridden by the
graph namespace.
"""

from __future__ import annotations


def sum_to(F, grad, shape):
    """Sum ``grad`` over the dimensions broadcasting added, so it gets ``shape`` back."""
    shape = tuple(shape)
    gshape = tuple(grad.shape)
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and gshape[i + lead] != 1
    )
    if axes:
        grad = F.sum(grad, axis=axes, keepdims=True)
    if lead or tuple(grad.shape) != shape:
        grad = grad.reshape(shape)
    return grad


def astype(F, x, dtype):
    """Cast array ``x`` to a NumPy dtype (no copy when it already has it)."""
    return x.astype(dtype, copy=False)


def index_add_zeros(F, shape, index, values):
    """Zeros of ``shape`` with ``values`` added at ``index`` (repeated indices accumulate)."""
    out = F.xp.zeros(shape, dtype=values.dtype)
    F.xp.add.at(out, index, values)
    return out


def unsqueeze_dims(F, x, dims, ndim):
    """Re-insert reduced ``dims`` (sorted, non-negative) so ``x`` broadcasts against the input."""
    if not dims:
        return x
    shape = list(x.shape)
    for d in dims:
        shape.insert(d, 1)
    return x.reshape(tuple(shape))


def is_graph(F) -> bool:
    return F.graph


def index_put_zeros(F, shape, index, values):
    """Zeros of ``shape`` with ``values`` written at a basic (non-repeating) ``index``."""
    out = F.xp.zeros(shape, dtype=values.dtype)
    out[index] = values
    return out


def to_device(F, x, device):
    """Move array ``x`` to ``device`` (an ``ember.device``)."""
    from .._creation import _move

    return _move(x, device)


def diagonal_scatter_zeros(F, grad, shape, offset, d1, d2):
    """Zeros of ``shape`` with ``grad`` on the diagonal (``offset``, dims ``d1``, ``d2``)."""
    from ..ops.views import _diagonal_view

    out = F.xp.zeros(shape, dtype=grad.dtype)
    if F.xp.__name__ == "numpy":
        _diagonal_view(out, offset, d1, d2)[...] = grad
    else:  # CuPy's diagonal is a writable view
        out.diagonal(offset, d1, d2)[...] = grad
    return out


def unfold_backward(F, grad, shape, dim, size, step):
    """Gradient of ``Tensor.unfold``: windows of ``grad`` added back into ``shape``."""
    import numpy as np

    count = grad.shape[dim]
    idx = (np.arange(count)[:, None] * step + np.arange(size)[None, :]).reshape(-1)
    g = F.moveaxis(grad, -1, dim + 1)
    g = g.reshape(tuple(shape[:dim]) + (count * size,) + tuple(shape[dim + 1 :]))
    return F.index_add_zeros(tuple(shape), (slice(None),) * dim + (idx,), g)


def as_strided_scatter_zeros(F, grad, shape, size, stride, offset):
    """Gradient of ``as_strided``: each output element added back at its memory position."""
    import numpy as np

    numel = 1
    for s in shape:
        numel *= s
    positions = np.arange(numel, dtype=np.int64)[offset:]
    item = positions.itemsize
    idx = np.lib.stride_tricks.as_strided(positions, size, tuple(s * item for s in stride))
    return F.index_add_zeros((numel,), (np.ascontiguousarray(idx),), grad).reshape(tuple(shape))
