"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``,
``clip_grads_with_norm_``.

They work on the gradient arrays in place (no graph, no temporary Tensors), like an optimizer
step. ``foreach`` is accepted for PyTorch compatibility and ignored.

Example:
    >>> import ember
    >>> from ember.nn.utils import clip_grad_norm_
    >>> p = ember.nn.Parameter(ember.zeros(2))
    >>> p.grad = ember.tensor([3.0, 4.0])
    >>> clip_grad_norm_([p], max_norm=1.0)
    tensor(5.)
    >>> p.grad
    tensor([0.6000, 0.8000])
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ..._tensor import Tensor, _make

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_list(tensors) -> list:
    if isinstance(tensors, Tensor):
        return [tensors]
    return list(tensors)


def _xp(arr):
    if arr.__class__ is np.ndarray:
        return np
    from ...backends import array_module_of

    return array_module_of(arr)


def _vector_norm(xp, arr, p: float):
    """The ``p``-norm of ``arr`` flattened, as a 0-d array of ``arr``'s dtype."""
    a = arr.reshape(-1)
    if p == 2.0:
        if a.dtype.kind == "c":
            return xp.sqrt(xp.sum(xp.abs(a) ** 2))
        return xp.sqrt(xp.dot(a, a)) if a.size else xp.zeros((), a.dtype)
    if a.size == 0:
        return xp.zeros((), a.real.dtype if a.dtype.kind == "c" else a.dtype)
    mag = xp.abs(a)
    if p == math.inf:
        return mag.max()
    if p == -math.inf:
        return mag.min()
    if p == 0.0:
        return xp.asarray(xp.count_nonzero(a), dtype=mag.dtype)
    if p == 1.0:
        return mag.sum()
    return xp.sum(mag**p) ** (1.0 / p)


def get_total_norm(
    tensors: Tensor | Iterable[Tensor],
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """The ``norm_type``-norm of the norms of ``tensors`` (that is, of all their elements
    viewed as one vector).

    Args:
        tensors: a tensor or an iterable of tensors (None entries are skipped).
        norm_type: the order of the norm; ``inf`` for the largest absolute value.
        error_if_nonfinite: raise if the total norm is NaN or infinite.

    Example:
        >>> import ember
        >>> from ember.nn.utils import get_total_norm
        >>> get_total_norm([ember.tensor([3.0]), ember.tensor([-4.0])], norm_type=float("inf"))
        tensor(4.)
    """
    tensors = [t for t in _as_list(tensors) if t is not None]
    norm_type = float(norm_type)
    if not tensors:
        return _make(np.array(0.0, dtype=np.float32), False, None)
    first = tensors[0]._data
    xp = _xp(first)
    norms = []
    for t in tensors:
        arr = t._data
        n = _vector_norm(_xp(arr), arr, norm_type)
        if arr.__class__ is not first.__class__:
            n = xp.asarray(n.get() if hasattr(n, "get") else n)
        norms.append(n)
    dtype = np.result_type(*[n.dtype for n in norms])
    stacked = xp.stack([xp.asarray(n, dtype=dtype) for n in norms])
    total = xp.asarray(_vector_norm(xp, stacked, norm_type), dtype=dtype)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return _make(total, False, None)


def clip_grads_with_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    total_norm: Tensor,
    foreach: bool | None = None,
) -> None:
    """Scale the gradients of ``parameters`` in place by
    ``min(1, max_norm / (total_norm + 1e-6))`` (``total_norm`` from ``get_total_norm``)."""
    grads = [p._grad for p in _as_list(parameters) if p._grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    total = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    xp = _xp(total)
    with np.errstate(invalid="ignore", divide="ignore"):
        coef = xp.minimum(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        arr = g._data
        c = coef
        if arr.__class__ is not c.__class__:
            c = c.get() if hasattr(c, "get") else _xp(arr).asarray(c)
        with np.errstate(invalid="ignore"):  # a non-finite norm scales to NaN, as in PyTorch
            arr *= c.astype(arr.real.dtype if arr.dtype.kind == "c" else arr.dtype)
        if g._vc is not None:
            g._vc[0] += 1


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Rescale the gradients of ``parameters`` in place so that their total ``norm_type``-norm
    is at most ``max_norm``.

    Args:
        parameters: a tensor or an iterable of tensors whose ``.grad`` is clipped.
        max_norm: the largest allowed total norm.
        norm_type: the order of the norm (``inf`` for the largest absolute value).
        error_if_nonfinite: raise if the total norm is NaN or infinite.

    Returns:
        the total norm of the gradients before clipping (a 0-d tensor).
    """
    parameters = _as_list(parameters)
    grads = [p._grad for p in parameters if p._grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp the gradients of ``parameters`` in place to ``[-clip_value, clip_value]``.

    Example:
        >>> import ember
        >>> from ember.nn.utils import clip_grad_value_
        >>> p = ember.nn.Parameter(ember.zeros(3))
        >>> p.grad = ember.tensor([-2.0, 0.5, 3.0])
        >>> clip_grad_value_(p, 1.0)
        >>> p.grad
        tensor([-1.0000,  0.5000,  1.0000])
    """
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        g = p._grad
        if g is None:
            continue
        arr = g._data
        _xp(arr).clip(arr, -clip_value, clip_value, out=arr)
        if g._vc is not None:
            g._vc[0] += 1
