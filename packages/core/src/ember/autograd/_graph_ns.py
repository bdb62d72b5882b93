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
    "amax": "amax",
    "amin": "amin",
    "tril": "tril",
    "triu": "triu",
}
_KWARGS = {"axis": "dim", "keepdims": "keepdim", "axes": "dims"}


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


G = _GraphNS()
