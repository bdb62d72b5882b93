"""Decompositions: cholesky, qr, svd, svdvals, eigh, eigvalsh, eig, eigvals.

Backward formulas are the standard matrix-calculus results (as in PyTorch's
``FunctionsManual.cpp``); constant masks and identities they need are saved as Tensors, so
the same formula serves plain backward and ``create_graph=True``.

SVD and eigenvector gradients are only defined for distinct singular values / eigenvalues,
and only losses that do not depend on the arbitrary sign (phase) of each vector are
well-defined; ``svd`` gradients use ``full_matrices=False`` parts (extra columns of ``U`` or
rows of ``Vh`` get no gradient, as in PyTorch).
"""

from __future__ import annotations

import numpy as np

from .. import return_types
from .._tensor import Tensor
from ..ops._core import Node, attach, attach_outputs, grad_state, new_tensor, saved_output
from ._common import LinAlgError, batch_element, constant, matrix_data, mT, with_out, xp

__all__ = [
    "cholesky",
    "cholesky_ex",
    "qr",
    "svd",
    "svdvals",
    "eigh",
    "eigvalsh",
    "eig",
    "eigvals",
]


def _solve_right(F, X, M):
    """``X M^{-1}`` (as ``solve(M^T, X^T)^T``)."""
    return mT(F, F.linalg.solve(mT(F, M), mT(F, X)))


# -- cholesky ------------------------------------------------------------------------------------


class LinalgCholeskyExBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, L, tril, phi):
        # Murray (2016): gA = sym(L^{-H} Phi(L^H gL) L^{-1}), Phi = lower triangle, diagonal halved
        P = F.matmul(mT(F, L), grad * tril) * phi
        Y = F.linalg.solve(mT(F, L), P)
        S = _solve_right(F, Y, L)
        return (S + mT(F, S)) * 0.5


def _not_pd_message(op, data):
    def failed(m):
        return not _is_pd(m)

    where = batch_element(op, data, failed)
    first = data.reshape((-1, *data.shape[-2:]))
    order = None
    for m in first:
        for k in range(1, m.shape[-1] + 1):
            if not _is_pd(m[:k, :k]):
                order = k
                break
        if order is not None:
            break
    order = order or 1
    return (
        f"{op}: {where}The factorization could not be completed because the input is not "
        f"positive-definite (the leading minor of order {order} is not positive-definite)."
    )


def _is_pd(m) -> bool:
    try:
        np.linalg.cholesky(np.asarray(m))
        return True
    except np.linalg.LinAlgError:
        return False


def _cholesky(op, A, upper, check):
    data = matrix_data(A, op, square=True)
    mod = xp(A)
    info = None
    try:
        L = mod.linalg.cholesky(data)
    except np.linalg.LinAlgError:
        if check:
            raise LinAlgError(_not_pd_message(op, data)) from None
        flat = data.reshape((-1, *data.shape[-2:]))
        outs, infos = [], []
        for m in flat:
            if _is_pd(m):
                outs.append(np.linalg.cholesky(m))
                infos.append(0)
            else:
                k = next(k for k in range(1, m.shape[-1] + 1) if not _is_pd(m[:k, :k]))
                outs.append(np.full(m.shape, np.nan, dtype=m.dtype))
                infos.append(k)
        L = np.stack(outs).reshape(data.shape)
        info = np.asarray(infos, dtype=np.int32).reshape(data.shape[:-2])
    out = new_tensor(L)
    if grad_state.enabled and A._requires_grad:
        n = data.shape[-1]
        tril = mod.tril(mod.ones((n, n), dtype=data.dtype))
        phi = tril - 0.5 * mod.eye(n, dtype=data.dtype)
        node = LinalgCholeskyExBackward0()
        attach(out, node, A)
        node.save(saved_output(out), constant(tril), constant(phi))
    if upper:
        out = out.mT.conj() if out.is_complex() else out.mT
    if info is None:
        info = mod.zeros(data.shape[:-2], dtype=np.int32)
    return out, info


def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """The Cholesky factor ``L`` (lower triangular, ``A = L L^H``) of a symmetric
    (Hermitian) positive-definite matrix; ``upper=True`` gives ``L^H``. Only the lower
    triangle of ``A`` is read.

    Example:
        >>> import ember
        >>> ember.linalg.cholesky(ember.tensor([[4.0, 2.0], [2.0, 5.0]]))
        tensor([[2., 0.],
                [1., 2.]])
    """
    res = _cholesky("linalg.cholesky", A, upper, True)[0]
    return with_out(res, out)
    return res


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):
    """``cholesky`` returning ``(L, info)``; ``info`` is the order of the first leading
    minor that is not positive-definite (0 = success), instead of raising.

    Example:
        >>> import ember
        >>> ember.linalg.cholesky_ex(-ember.eye(2)).info
        tensor(1, dtype=ember.int32)
    """
    L, info = _cholesky("linalg.cholesky_ex", A, upper, check_errors)
    return return_types.linalg_cholesky_ex(L, new_tensor(info))


# -- qr --------------------------------------------------------------------------------------------


def _qr_square_grad(F, Q, R, gQ, gR, triu, eye):
    """Gradient for ``A = Q R`` with ``m >= n`` (reduced): ``(gQ + Q copyltu(M)) R^{-H}``."""
    M = None
    if gR is not None:
        M = F.matmul(gR, mT(F, R))
    if gQ is not None:
        t = F.matmul(mT(F, Q), gQ)
        M = -t if M is None else M - t
    X = M * triu
    S = X + mT(F, X) - X * eye
    B = F.matmul(Q, S)
    if gQ is not None:
        B = B + gQ
    return _solve_right(F, B, mT(F, R))


class LinalgQrBackward0(Node):
    __slots__ = ()

    def backward(self, F, grads, A, Q, R, mode, triu, eye):
        gQ, gR = grads
        if mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when "
                "mode='r'. Please use linalg.qr(A, mode='reduced') if you are going to "
                "differentiate through linalg.qr."
            )
        m, n = A.shape[-2], A.shape[-1]
        if mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        if gQ is None and gR is None:
            return None
        if m >= n:
            return _qr_square_grad(F, Q, R, gQ, gR, triu, eye)
        # m < n: A = [X | Y] with X = Q R1 square and Y = Q R2
        R1, _R2 = R[..., :, :m], R[..., :, m:]
        Y = A[..., :, m:]
        gR1 = None if gR is None else gR[..., :, :m]
        gR2 = None if gR is None else gR[..., :, m:]
        gQ2 = gQ
        if gR2 is not None:
            t = F.matmul(Y, mT(F, gR2))
            gQ2 = t if gQ2 is None else gQ2 + t
        gX = _qr_square_grad(F, Q, R1, gQ2, gR1, triu, eye)
        gY = F.matmul(Q, gR2) if gR2 is not None else F.zeros_like(Y)
        return F.concatenate([gX, gY], axis=-1)


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """QR decomposition ``A = Q R`` as ``(Q, R)``; ``mode`` is ``'reduced'``,
    ``'complete'`` or ``'r'`` (``Q`` empty).

    Example:
        >>> import ember
        >>> Q, R = ember.linalg.qr(ember.tensor([[3.0, 1.0], [4.0, 2.0]]))
        >>> R
        tensor([[-5.0000, -2.2000],
                [ 0.0000,  0.4000]])
    """
    data = matrix_data(A, "linalg.qr")
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            f"'r', or 'complete'"
        )
    mod = xp(A)
    if mode == "r":
        R = mod.linalg.qr(data, mode="r")
        Q = mod.zeros((0,), dtype=data.dtype)
    else:
        Q, R = mod.linalg.qr(data, mode=mode)
    Qt, Rt = new_tensor(Q), new_tensor(R)
    if grad_state.enabled and A._requires_grad:
        k = min(data.shape[-2], data.shape[-1])
        triu = mod.triu(mod.ones((k, k), dtype=data.dtype))
        node = LinalgQrBackward0()
        attach_outputs((None if mode == "r" else Qt, Rt), node, A)
        node.save(
            A,
            saved_output(Qt),
            saved_output(Rt),
            mode,
            constant(triu),
            constant(mod.eye(k, dtype=data.dtype)),
        )
    return with_out(return_types.linalg_qr(Qt, Rt), out)


# -- svd -------------------------------------------------------------------------------------------


def _svd_grad(F, U, S, Vh, gU, gS, gVh, eye):
    m, n = U.shape[-2], Vh.shape[-1]
    k = S.shape[-1]
    if gU is None and gVh is None:
        return F.matmul(U * F.expand_dims(gS, -2), Vh)
    S_row = F.expand_dims(S, -2)
    S_col = F.expand_dims(S, -1)
    S2 = S * S
    E = F.expand_dims(S2, -2) - F.expand_dims(S2, -1) + eye
    gA = None
    if gU is not None:
        UhgU = F.matmul(mT(F, U), gU)
        gA = (UhgU - mT(F, UhgU)) * S_row
    if gVh is not None:
        gV = mT(F, gVh)
        VhgV = F.matmul(Vh, gV)
        t = S_col * (VhgV - mT(F, VhgV))
        gA = t if gA is None else gA + t
    gA = gA / E
    if gS is not None:
        gA = gA + F.expand_dims(gS, -2) * eye
    if m > k and gU is not None:
        gA = F.matmul(U, gA)
        gUSinv = gU / S_row
        gA = gA + gUSinv - F.matmul(U, F.matmul(mT(F, U), gUSinv))
        return F.matmul(gA, Vh)
    if n > k and gVh is not None:
        gA = F.matmul(gA, Vh)
        gVSinv = mT(F, gVh) / S_row
        gVSinvH = mT(F, gVSinv)
        gA = gA + gVSinvH - F.matmul(F.matmul(gVSinvH, mT(F, Vh)), Vh)
        return F.matmul(U, gA)
    return F.matmul(F.matmul(U, gA), Vh)


class LinalgSvdBackward0(Node):
    __slots__ = ()

    def backward(self, F, grads, U, S, Vh, full, eye):
        gU, gS, gVh = grads
        if gU is None and gS is None and gVh is None:
            return None
        if full:
            k = S.shape[-1]
            U = U[..., :, :k]
            Vh = Vh[..., :k, :]
            gU = None if gU is None else gU[..., :, :k]
            gVh = None if gVh is None else gVh[..., :k, :]
        return _svd_grad(F, U, S, Vh, gU, gS, gVh, eye)


def _svd_arrays(op, A, data, full_matrices):
    try:
        return xp(A).linalg.svd(data, full_matrices=full_matrices)
    except np.linalg.LinAlgError:
        raise LinAlgError(
            f"{op}: The algorithm failed to converge because the input matrix is ill-conditioned "
            f"or has too many repeated singular values."
        ) from None


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """Singular value decomposition ``A = U diag(S) Vh`` as ``(U, S, Vh)``, singular values
    in descending order.

    Example:
        >>> import ember
        >>> ember.linalg.svd(ember.tensor([[3.0, 0.0], [0.0, -4.0]])).S
        tensor([4., 3.])
    """
    if driver is not None and A.is_cpu:
        raise RuntimeError(
            "linalg.svd: keyword argument `driver=` is only supported on CUDA inputs with "
            "cuSOLVER backend."
        )
    data = matrix_data(A, "linalg.svd")
    U, S, Vh = _svd_arrays("linalg.svd", A, data, full_matrices)
    Ut, St, Vht = new_tensor(U), new_tensor(S), new_tensor(Vh)
    if grad_state.enabled and A._requires_grad:
        k = S.shape[-1]
        node = LinalgSvdBackward0()
        attach_outputs((Ut, St, Vht), node, A)
        node.save(
            saved_output(Ut),
            saved_output(St),
            saved_output(Vht),
            full_matrices,
            constant(xp(A).eye(k, dtype=S.dtype)),
        )
    return with_out(return_types.linalg_svd(Ut, St, Vht), out)


class LinalgSvdvalsBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, U, Vh):
        return F.matmul(U * F.expand_dims(grad, -2), Vh)


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """The singular values of ``A``, in descending order.

    Example:
        >>> import ember
        >>> ember.linalg.svdvals(ember.tensor([[3.0, 0.0], [0.0, -4.0]]))
        tensor([4., 3.])
    """
    if driver is not None and A.is_cpu:
        raise RuntimeError(
            "linalg.svdvals: keyword argument `driver=` is only supported on CUDA inputs with "
            "cuSOLVER backend."
        )
    data = matrix_data(A, "linalg.svdvals")
    if grad_state.enabled and A._requires_grad:
        U, S, Vh = _svd_arrays("linalg.svdvals", A, data, False)
        res = new_tensor(S)
        node = LinalgSvdvalsBackward0()
        attach(res, node, A)
        node.save(new_tensor(U), new_tensor(Vh))
        return with_out(res, out)
    try:
        S = xp(A).linalg.svd(data, compute_uv=False)
    except np.linalg.LinAlgError:
        raise LinAlgError("linalg.svdvals: The algorithm failed to converge.") from None
    return with_out(new_tensor(S), out)


# -- eigh ------------------------------------------------------------------------------------------


def _eigh_grad(F, L, V, gL, gV, eye):
    Vt = mT(F, V)
    if gV is None:
        return F.matmul(V * F.expand_dims(gL, -2), Vt)
    VhgV = F.matmul(Vt, gV)
    VhgV = (VhgV - mT(F, VhgV)) * 0.5
    E = F.expand_dims(L, -2) - F.expand_dims(L, -1) + eye
    X = VhgV / E
    if gL is not None:
        X = X + F.expand_dims(gL, -2) * eye
    return F.matmul(F.matmul(V, X), Vt)


class LinalgEighBackward0(Node):
    __slots__ = ()

    def backward(self, F, grads, L, V, eye):
        gL, gV = grads
        if gL is None and gV is None:
            return None
        return _eigh_grad(F, L, V, gL, gV, eye)


def _check_uplo(UPLO, op):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"{op}: Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric (Hermitian)
    matrix, as ``(eigenvalues, eigenvectors)``; only the ``UPLO`` triangle is read.

    Example:
        >>> import ember
        >>> ember.linalg.eigh(ember.tensor([[2.0, 0.0], [0.0, 1.0]])).eigenvalues
        tensor([1., 2.])
    """
    data = matrix_data(A, "linalg.eigh", square=True)
    _check_uplo(UPLO, "linalg.eigh")
    mod = xp(A)
    L, V = mod.linalg.eigh(data, UPLO=UPLO)
    Lt, Vt = new_tensor(L), new_tensor(V)
    if grad_state.enabled and A._requires_grad:
        node = LinalgEighBackward0()
        attach_outputs((Lt, Vt), node, A)
        node.save(saved_output(Lt), saved_output(Vt), constant(mod.eye(L.shape[-1], dtype=L.dtype)))
    return with_out(return_types.linalg_eigh(Lt, Vt), out)


class LinalgEigvalshBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, V):
        return F.matmul(V * F.expand_dims(grad, -2), mT(F, V))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """Eigenvalues (ascending) of a symmetric (Hermitian) matrix.

    Example:
        >>> import ember
        >>> ember.linalg.eigvalsh(ember.tensor([[2.0, 1.0], [1.0, 2.0]]))
        tensor([1., 3.])
    """
    data = matrix_data(A, "linalg.eigvalsh", square=True)
    _check_uplo(UPLO, "linalg.eigvalsh")
    mod = xp(A)
    if grad_state.enabled and A._requires_grad:
        L, V = mod.linalg.eigh(data, UPLO=UPLO)
        res = new_tensor(L)
        node = LinalgEigvalshBackward0()
        attach(res, node, A)
        node.save(new_tensor(V))
        return with_out(res, out)
    return with_out(new_tensor(mod.linalg.eigvalsh(data, UPLO=UPLO)), out)


# -- eig (general matrices; complex results) -------------------------------------------------------


def _complex_dtype(data):
    return np.result_type(data.dtype, np.complex64)


class LinalgEigBackward0(Node):
    __slots__ = ()

    def backward(self, F, grads, A, L, V, eye):
        gL, gV = grads
        if gL is None and gV is None:
            return None
        Vh = F.conj(F.swapaxes(V, -1, -2))
        if gV is None:
            X = F.expand_dims(gL, -2) * eye
        else:
            VhgV = F.matmul(Vh, gV)
            diag = F.real(F.sum(VhgV * eye, axis=-1))
            X = VhgV - F.matmul(Vh, V * F.expand_dims(diag, -2))
            Lc = F.conj(L)
            E = F.expand_dims(Lc, -2) - F.expand_dims(Lc, -1) + eye
            X = X / E * (1 - eye)
            if gL is not None:
                X = X + F.expand_dims(gL, -2) * eye
        gA = F.linalg.solve(Vh, F.matmul(X, Vh))
        if not _is_complex_input(A):
            gA = F.real(gA)
        return gA


def _is_complex_input(A) -> bool:
    dt = A.dtype
    return getattr(dt, "kind", None) == "c" or getattr(dt, "is_complex", False) is True


def eig(A: Tensor, *, out=None):
    """Eigenvalues and eigenvectors of a general square matrix, as complex tensors
    ``(eigenvalues, eigenvectors)`` (eigenvectors of unit norm).

    Example:
        >>> import ember
        >>> ember.linalg.eig(ember.tensor([[2.0, 0.0], [0.0, 3.0]])).eigenvalues
        tensor([2.+0.j, 3.+0.j])
    """
    data = matrix_data(A, "linalg.eig", square=True)
    mod = xp(A)
    L, V = mod.linalg.eig(data)
    cdt = _complex_dtype(data)
    Lt, Vt = new_tensor(L.astype(cdt, copy=False)), new_tensor(V.astype(cdt, copy=False))
    if grad_state.enabled and A._requires_grad:
        node = LinalgEigBackward0()
        attach_outputs((Lt, Vt), node, A)
        node.save(A, saved_output(Lt), saved_output(Vt), constant(mod.eye(L.shape[-1], dtype=cdt)))
    return with_out(return_types.linalg_eig(Lt, Vt), out)


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """Eigenvalues of a general square matrix (complex).

    Example:
        >>> import ember
        >>> ember.linalg.eigvals(ember.tensor([[0.0, 1.0], [-1.0, 0.0]]))
        tensor([0.+1.j, 0.-1.j])
    """
    if grad_state.enabled and isinstance(A, Tensor) and A._requires_grad:
        return with_out(eig(A).eigenvalues, out)
    data = matrix_data(A, "linalg.eigvals", square=True)
    return with_out(
        new_tensor(xp(A).linalg.eigvals(data).astype(_complex_dtype(data), copy=False)), out
    )
