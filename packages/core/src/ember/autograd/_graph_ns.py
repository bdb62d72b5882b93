"""``G``: a NumPy-named namespace whose functions are Ember's differentiable ops.

Backward formulas receive ``G`` as ``F`` under ``create_graph=True`` (see
Note [Two speeds of backward] in ``ember.autograd.graph``). ``G.exp(t)`` is ``ember.exp(t)``;
NumPy's keyword names are translated (``axis -> dim``, ``keepdims -> keepdim``), NumPy
functions whose Ember name differs are mapped, and NumPy arrays among the arguments
(constants a formula saved, such as masks) are wrapped as tensors.
"""

from __future__ import annotations

import numpy as np

from . import _array_helpers

__all__ = ["G"]

# NumPy name -> Ember name, where they differ.
_ALIASES = {
    "power": "pow",
    "concatenate": "cat",
    "expand_dims": "unsqueeze",
    "arctan2": "atan2",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "take_along_axis": "take_along_dim",
    "moveaxis": "movedim",
    "absolute": "abs",
    "conjugate": "conj",
    "max": "amax",  # NumPy's max/min reduce like amax/amin (no indices)
    "min": "amin",
}
_KWARGS = {"axis": "dim", "keepdims": "keepdim", "axes": "dims", "ddof": "correction"}


def _convert(x):
    if isinstance(x, np.ndarray):
        from .._tensor import _wrap

        return _wrap(x)
    if isinstance(x, np.dtype):
        from .._dtype import from_numpy_dtype

        return from_numpy_dtype(x)
    if isinstance(x, (list, tuple)) and any(isinstance(v, np.ndarray) for v in x):
        return type(x)(_convert(v) for v in x)
    return x


def _adapt(fn):
    def call(*args, **kwargs):
        args = tuple(_convert(a) for a in args)
        if kwargs:
            kwargs = {_KWARGS.get(k, k): _convert(v) for k, v in kwargs.items()}
        return fn(*args, **kwargs)

    call.__name__ = getattr(fn, "__name__", "op")
    return call


class _GraphNS:
    graph = True

    def __getattr__(self, name):
        helper = getattr(_array_helpers, name, None)
        if helper is not None:
            value = helper.__get__(self)
        else:
            import ember

            target = getattr(ember, _ALIASES.get(name, name), None)
            if target is None:
                raise AttributeError(
                    f"ember: backward formula uses '{name}', which has no differentiable "
                    "counterpart for create_graph=True"
                )
            value = _adapt(target)
        setattr(self, name, value)
        return value

    # -- functions whose signature differs from NumPy's --------------------------------------
    def transpose(self, x, axes=None):
        if axes is None:
            axes = tuple(range(x.ndim - 1, -1, -1))
        return x.permute(*axes)

    def sum(self, x, axis=None, keepdims=False, dtype=None):
        import ember

        return ember.sum(x, dim=axis, keepdim=keepdims)

    def mean(self, x, axis=None, keepdims=False):
        import ember

        return ember.mean(x, dim=axis, keepdim=keepdims)

    def astype(self, x, dtype, copy=False):
        from .._dtype import to_dtype

        return x.to(to_dtype(dtype))

    def reshape(self, x, shape):
        return x.reshape(shape)

    def broadcast_to(self, x, shape):
        return _convert(x).expand(*shape)

    def zeros(self, shape, dtype=None):
        import ember

        return ember.zeros(shape, dtype=None if dtype is None else _convert(np.dtype(dtype)))

    def zeros_like(self, x, dtype=None):
        import ember

        return ember.zeros_like(_convert(x))

    def ones_like(self, x, dtype=None):
        import ember

        return ember.ones_like(_convert(x))

    def index_add_zeros(self, shape, index, values):
        from ..ops.indexing import index_add_zeros

        return index_add_zeros(shape, index, values)

    def index_put_zeros(self, shape, index, values):
        from ..ops.indexing import index_add_zeros

        return index_add_zeros(shape, index, values)

    def diagonal_scatter_zeros(self, grad, shape, offset, d1, d2):
        import ember

        zeros = ember.zeros(shape, dtype=grad.dtype, device=grad.device)
        return ember.diagonal_scatter(zeros, grad, offset, d1, d2)

    def pieces_backward(self, grads, shape, dim, sizes):
        import ember

        first = next(g for g in grads if g is not None)
        parts = []
        for i, g in enumerate(grads):
            if g is None:
                piece = tuple(shape[:dim]) + (() if sizes is None else (sizes[i],))
                piece += tuple(shape[dim + 1 :])
                g = ember.zeros(piece, dtype=first.dtype, device=first.device)
            parts.append(g)
        return ember.stack(parts, dim) if sizes is None else ember.cat(parts, dim)

    def zero_at(self, x, index):
        from ..ops.indexing import index_put_functional

        return index_put_functional(x, index, 0.0)

    def zero_diagonal(self, x, offset, d1, d2):
        import ember

        diag = x.diagonal(offset, d1, d2)
        zeros = ember.zeros(diag.shape, dtype=x.dtype, device=x.device)
        return ember.diagonal_scatter(x, zeros, offset, d1, d2)

    def to_device(self, x, device):
        return x.to(device)

    def repeat(self, x, repeats, axis=None):
        import ember

        return ember.repeat_interleave(_convert(x), _convert(repeats), dim=axis)

    def swapaxes(self, x, a, b):
        return x.transpose(a, b)

    def where(self, cond, a, b):
        import ember

        return ember.where(_convert(cond), _convert(a), _convert(b))

    def sigmoid(self, x):
        import ember

        return ember.sigmoid(_convert(x))


G = _GraphNS()


class _LinalgNS:
    """``G.linalg``: NumPy's ``linalg`` functions (``inv``, ``solve``, ``det``...) as
    ``ember.linalg``'s differentiable ops, for backward formulas that call ``F.linalg.*``."""

    def __getattr__(self, name):
        import ember.linalg

        value = _adapt(getattr(ember.linalg, name))
        setattr(self, name, value)
        return value


_GraphNS.linalg = _LinalgNS()


def _special_op(name):
    """Graph-namespace method for a special function that ``_array_helpers`` also defines
    (for arrays): here it is Ember's differentiable op."""

    def call(self, *args):
        from ..ops import special_math

        fn = special_math._i1 if name == "i1" else getattr(special_math, name)
        return fn(*(_convert(a) for a in args))

    call.__name__ = name
    return call


for _name in ("erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "i1"):
    setattr(_GraphNS, _name, _special_op(_name))
del _name
