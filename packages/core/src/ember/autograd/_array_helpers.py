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


def pieces_backward(F, grads, shape, dim, sizes):
    """Gradient of ``split``-like ops: the pieces' grads (None = zeros) put back together
    along ``dim``; ``sizes`` None means one piece per index (``unbind``)."""
    first = next(g for g in grads if g is not None)
    out = F.xp.zeros(shape, dtype=first.dtype)
    lead = (slice(None),) * dim
    start = 0
    for i, g in enumerate(grads):
        if sizes is None:
            key = (*lead, i)
        else:
            key = (*lead, slice(start, start + sizes[i]))
            start += sizes[i]
        if g is not None:
            out[key] = g
    return out


def zero_at(F, x, index):
    """A copy of ``x`` with zeros written at ``index`` (a NumPy-ready index)."""
    out = x.copy()
    out[index] = 0
    return out


def zero_diagonal(F, x, offset, d1, d2):
    """A copy of ``x`` with zeros on its diagonal (``offset``, dims ``d1``, ``d2``)."""
    from ..ops.views import _diagonal_view

    out = x.copy()
    if F.xp.__name__ == "numpy":
        _diagonal_view(out, offset, d1, d2)[...] = 0
    else:
        out.diagonal(offset, d1, d2)[...] = 0
    return out


# -- special functions NumPy lacks (ember.ops.special_math; the graph namespace overrides them)


def erf(F, x):
    from ..ops.special_math import erf_array

    return erf_array(x)


def erfc(F, x):
    from ..ops.special_math import erfc_array

    return erfc_array(x)


def erfinv(F, x):
    from ..ops.special_math import erfinv_array

    return erfinv_array(x)


def lgamma(F, x):
    from ..ops.special_math import lgamma_array

    return lgamma_array(x)


def digamma(F, x):
    from ..ops.special_math import digamma_array

    return digamma_array(x)


def polygamma(F, n, x):
    from ..ops.special_math import polygamma_array

    return polygamma_array(n, x)


def i1(F, x):
    from ..ops.special_math import i1_array

    return i1_array(x)


_sigmoid_kernel = None


def sigmoid(F, x):
    """The logistic function ``1 / (1 + exp(-x))`` (NumPy lacks it); ``exp`` overflowing to
    inf for large ``-x`` gives the right limit, 0, so its warning is silenced."""
    global _sigmoid_kernel
    if _sigmoid_kernel is None:
        import numpy as np

        from ..ops.pointwise import _quiet

        _sigmoid_kernel = _quiet(lambda v: 1.0 / (np.exp(-v) + 1.0))
    return _sigmoid_kernel(x)
