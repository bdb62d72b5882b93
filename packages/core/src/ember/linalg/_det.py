"""Determinants: det, slogdet, logdet.

The gradient of ``det`` is ``det(A) * inv(A)^T``; for a singular matrix (where the inverse
does not exist) plain backward uses the cofactor matrix from the SVD instead,
``det(U) det(Vh) * U diag(prod_{j != i} s_j) Vh``, which is the same function and is finite.
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from .._tensor import Tensor
from ..ops._core import Node, attach, attach_outputs, grad_state, new_tensor, saved_output
from ._common import matrix_data, mT, with_out, xp

__all__ = ["det", "slogdet", "logdet"]


def _cofactor(F, A):
    """The cofactor matrix (gradient of det) of arrays ``A``, singular or not."""
    xp_ = F.xp
    U, S, Vh = xp_.linalg.svd(A)
    n = S.shape[-1]
    others = xp_.where(xp_.eye(n, dtype=bool), 1, S[..., None, :])
    p = others.prod(-1)
    sign = xp_.linalg.det(U) * xp_.linalg.det(Vh)
    return sign[..., None, None] * ((U * p[..., None, :]) @ Vh)


def _inv_t(F, A):
    """``inv(A)^T`` inside a formula, or None in plain backward when ``A`` is singular."""
    if F.graph:
        return mT(F, F.linalg.inv(A))
    try:
        return mT(F, F.linalg.inv(A))
    except np.linalg.LinAlgError:
        return None


def _scale(g, shape):
    return g.reshape((*tuple(shape), 1, 1))


class LinalgDetBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, A, d):
        batch = tuple(A.shape[:-2])
        inv_t = _inv_t(F, A)
        if inv_t is None:
            return _scale(grad, batch) * _cofactor(F, A)
        return _scale(grad * d, batch) * inv_t


def det(A: Tensor, *, out=None) -> Tensor:
    """The determinant of a square matrix (or of each matrix of a batch).

    Example:
        >>> import ember
        >>> ember.linalg.det(ember.tensor([[2.0, 0.0], [0.0, 3.0]]))
        tensor(6.)
    """
    data = matrix_data(A, "linalg.det", square=True)
    res = new_tensor(xp(A).asarray(xp(A).linalg.det(data)))
    if grad_state.enabled and A._requires_grad:
        node = LinalgDetBackward0()
        attach(res, node, A)
        node.save(A, saved_output(res))
    return with_out(res, out)
    return res


class LinalgSlogdetBackward0(Node):
    __slots__ = ()

    def backward(self, F, grads, A):
        g = grads[1]
        if g is None:
            return None
        inv_t = mT(F, F.linalg.inv(A))
        return _scale(g, tuple(A.shape[:-2])) * inv_t


def slogdet(A: Tensor, *, out=None):
    """Sign and log of the absolute value of the determinant, as ``(sign, logabsdet)``
    (a singular matrix gives ``sign = 0`` and ``logabsdet = -inf``).

    Example:
        >>> import ember
        >>> r = ember.linalg.slogdet(ember.tensor([[-2.0, 0.0], [0.0, 1.0]]))
        >>> r.sign, r.logabsdet
        (tensor(-1.), tensor(0.6931))
    """
    data = matrix_data(A, "linalg.slogdet", square=True)
    mod = xp(A)
    sign, lad = mod.linalg.slogdet(data)
    sign_t, lad_t = new_tensor(mod.asarray(sign)), new_tensor(mod.asarray(lad))
    if grad_state.enabled and A._requires_grad:
        node = LinalgSlogdetBackward0()
        attach_outputs((None, lad_t), node, A)
        node.save(A)
    return with_out(return_types.linalg_slogdet(sign_t, lad_t), out)


class LogdetBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, A):
        return _scale(grad, tuple(A.shape[:-2])) * mT(F, F.linalg.inv(A))


def logdet(A: Tensor) -> Tensor:
    """Log of the determinant: nan where it is negative, -inf where it is zero.

    Example:
        >>> import ember
        >>> ember.logdet(ember.tensor([[2.0, 0.0], [0.0, 3.0]]))
        tensor(1.7918)
    """
    data = matrix_data(A, "logdet", square=True)
    mod = xp(A)
    sign, lad = mod.linalg.slogdet(data)
    res = new_tensor(mod.asarray(mod.where(sign < 0, np.nan, lad).astype(lad.dtype)))
    if grad_state.enabled and A._requires_grad:
        node = LogdetBackward0()
        attach(res, node, A)
        node.save(A)
    return res
