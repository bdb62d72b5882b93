"""Matrix functions and small helpers: matrix_exp, multi_dot, cross, vecdot, diagonal."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..ops._core import Node, attach, grad_state, new_tensor, shape_str
from ._common import matrix_data, mT, with_out, xp

__all__ = ["matrix_exp", "multi_dot", "cross", "vecdot", "diagonal"]

# Pade [13/13] coefficients (Higham, "The scaling and squaring method for the matrix
# exponential revisited", 2005).
_PADE13 = (
    64764752532480000.0,
    32382376266240000.0,
    7771770303897600.0,
    1187353796428800.0,
    129060195264000.0,
    10559470521600.0,
    670442572800.0,
    33522128640.0,
    1323241920.0,
    40840800.0,
    960960.0,
    16380.0,
    182.0,
    1.0,
)
_THETA13 = 5.371920351148152


def expm_array(mod, A):
    """``exp(A)`` for arrays of (batches of) square matrices: scaling and squaring with a
    Pade [13/13] approximant, the scaling chosen for the batch's largest 1-norm."""
    n = A.shape[-1]
    if A.size == 0:
        return A.copy()
    norm1 = float(mod.abs(A).sum(-2).max())
    s = max(0, int(np.ceil(np.log2(norm1 / _THETA13)))) if norm1 > _THETA13 else 0
    if s:
        A = A / (2.0**s)
    b = _PADE13
    ident = mod.eye(n, dtype=A.dtype)
    A2 = A @ A
    A4 = A2 @ A2
    A6 = A4 @ A2
    U = A @ (
        A6 @ (b[13] * A6 + b[11] * A4 + b[9] * A2)
        + b[7] * A6
        + b[5] * A4
        + b[3] * A2
        + b[1] * ident
    )
    V = (
        A6 @ (b[12] * A6 + b[10] * A4 + b[8] * A2)
        + b[6] * A6
        + b[4] * A4
        + b[2] * A2
        + b[0] * ident
    )
    R = mod.linalg.solve(V - U, V + U)
    for _ in range(s):
        R = R @ R
    return R


class LinalgMatrixExpBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, A):
        # d/dA <G, exp(A)> is the top-right block of exp([[A^H, G], [0, A^H]]).
        n = A.shape[-1]
        At = mT(F, A)
        if F.graph:
            import ember

            zeros = ember.zeros_like(At)
            block = ember.cat([ember.cat([At, grad], -1), ember.cat([zeros, At], -1)], -2)
            return ember.linalg.matrix_exp(block)[..., :n, n:]
        mod = F.xp
        block = mod.zeros((*tuple(grad.shape[:-2]), 2 * n, 2 * n), dtype=grad.dtype)
        block[..., :n, :n] = At
        block[..., n:, n:] = At
        block[..., :n, n:] = grad
        return expm_array(mod, block)[..., :n, n:]


def matrix_exp(A: Tensor) -> Tensor:
    """The matrix exponential ``sum_k A^k / k!`` of a square matrix (or batch).

    Example:
        >>> import ember
        >>> ember.linalg.matrix_exp(ember.zeros(2, 2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    data = matrix_data(A, "linalg.matrix_exp", square=True)
    res = new_tensor(expm_array(xp(A), data))
    if grad_state.enabled and A._requires_grad:
        node = LinalgMatrixExpBackward0()
        attach(res, node, A)
        node.save(A)
    return res


def multi_dot(tensors, *, out=None) -> Tensor:
    """Product of two or more matrices in the cheapest order; the first may be a 1-D row
    vector and the last a 1-D column vector.

    Example:
        >>> import ember
        >>> ember.linalg.multi_dot([ember.ones(3), ember.ones(3, 4), ember.ones(4)])
        tensor(12.)
    """
    from ..ops.linalg_ops import _multi_dot

    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    res = _multi_dot(tensors, "linalg.multi_dot")
    return with_out(res, out)
    return res


def cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (inputs broadcast).

    Example:
        >>> import ember
        >>> ember.linalg.cross(ember.tensor([0.0, 1.0, 0.0]), ember.tensor([0.0, 0.0, 1.0]))
        tensor([1., 0., 0.])
    """
    from ..ops.linalg_ops import cross as _cross

    if (
        isinstance(input, Tensor)
        and isinstance(other, Tensor)
        and input._data.ndim != other._data.ndim
    ):
        raise RuntimeError(
            f"linalg.cross: inputs must have the same number of dimensions, got "
            f"{shape_str(input._data.shape)} and {shape_str(other._data.shape)}"
        )
    return _cross(input, other, dim=dim, out=out)


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """Dot product of vectors along ``dim`` (``sum(conj(x) * y, dim)``), broadcasting.

    Example:
        >>> import ember
        >>> ember.linalg.vecdot(ember.tensor([[1.0, 2.0], [3.0, 4.0]]), ember.tensor([1.0, 1.0]))
        tensor([3., 7.])
    """
    from ..ops.linalg_ops import einsum

    n = max(x._data.ndim, y._data.ndim)
    if dim >= 0:
        dim -= n
    if x._data.ndim < -dim or y._data.ndim < -dim:
        raise IndexError(
            f"linalg.vecdot: dim {dim} out of range for shapes {shape_str(x._data.shape)} and "
            f"{shape_str(y._data.shape)}"
        )
    if x._data.shape[dim] != y._data.shape[dim]:
        raise RuntimeError(
            f"linalg.vecdot: sizes {x._data.shape[dim]} and {y._data.shape[dim]} of dim {dim} "
            f"differ "
            f"(shapes {shape_str(x._data.shape)} and {shape_str(y._data.shape)})"
        )
    if x._data.dtype.kind == "c":
        x = x.conj()
    if dim != -1:
        x, y = x.movedim(dim, -1), y.movedim(dim, -1)
    res = einsum("...i,...i->...", x, y)
    return with_out(res, out)
    return res


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """A view of the diagonals of the matrices of ``A`` (``ember.diagonal`` with dims
    defaulting to the last two).

    Example:
        >>> import ember
        >>> ember.linalg.diagonal(ember.arange(8).reshape(2, 2, 2))
        tensor([[0, 3],
                [4, 7]])
    """
    return A.diagonal(offset, dim1, dim2)
