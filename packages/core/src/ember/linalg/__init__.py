"""``ember.linalg``: linear algebra with PyTorch's ``torch.linalg`` API, on NumPy (or CuPy).

Every function works on batches (``(*, m, n)``), returns PyTorch's named result tuples
(``slogdet(A).logabsdet``, ``qr(A).Q``, ``svd(A).Vh``, ``eigh(A).eigenvectors``...), raises
:class:`LinAlgError` (a ``RuntimeError``) for singular or non-positive-definite input, and is
differentiable, including under ``create_graph=True`` for the products, ``inv``, ``det`` and
``solve``. This package loads on first use of ``ember.linalg``.

Example:
    >>> import ember
    >>> A = ember.tensor([[4.0, 1.0], [1.0, 3.0]], requires_grad=True)
    >>> ember.linalg.det(A).backward()
    >>> A.grad
    tensor([[ 3., -1.],
            [-1.,  4.]])
"""

from __future__ import annotations

from ..ops.linalg_ops import matmul
from ._common import LinAlgError
from ._decompositions import cholesky, cholesky_ex, eig, eigh, eigvals, eigvalsh, qr, svd, svdvals
from ._det import det, slogdet
from ._functions import cross, diagonal, matrix_exp, multi_dot, vecdot
from ._norms import cond, matrix_norm, norm, vector_norm
from ._solve import (
    inv,
    inv_ex,
    lstsq,
    matrix_power,
    matrix_rank,
    pinv,
    solve,
    solve_ex,
    solve_triangular,
)

__all__ = [
    "LinAlgError",
    "matmul",
    "norm",
    "vector_norm",
    "matrix_norm",
    "cond",
    "inv",
    "inv_ex",
    "det",
    "slogdet",
    "solve",
    "solve_ex",
    "solve_triangular",
    "cholesky",
    "cholesky_ex",
    "qr",
    "svd",
    "svdvals",
    "eig",
    "eigvals",
    "eigh",
    "eigvalsh",
    "pinv",
    "lstsq",
    "matrix_power",
    "matrix_exp",
    "matrix_rank",
    "cross",
    "multi_dot",
    "vecdot",
    "diagonal",
]
