"""Inverses and linear systems: inv, solve, solve_triangular, pinv, lstsq, matrix_power,
matrix_rank."""

from __future__ import annotations

import numpy as np

from .. import return_types
from .._tensor import Tensor
from ..ops._core import Node, attach, grad_state, new_tensor, saved_output, shape_str
from ._common import LinAlgError, batch_element, constant, matrix_data, mT, same_dtype, with_out, xp

__all__ = [
    "inv",
    "inv_ex",
    "solve",
    "solve_ex",
    "solve_triangular",
    "pinv",
    "lstsq",
    "matrix_power",
    "matrix_rank",
]


def _singular(m) -> bool:
    return np.linalg.matrix_rank(np.asarray(m)) < m.shape[-1]


# -- inv ---------------------------------------------------------------------------------------


class LinalgInvExBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, inverse):
        inv_t = mT(F, inverse)
        return -F.matmul(F.matmul(inv_t, grad), inv_t)


def _inv_array(op, A: Tensor, data):
    try:
        return xp(A).linalg.inv(data)
    except np.linalg.LinAlgError:
        where = batch_element(op, data, _singular)
        raise LinAlgError(
            f"{op}: {where}The input matrix is singular (not invertible), so the inversion "
            "could not be completed."
        ) from None


def _inv_result(data, A):
    out = new_tensor(data)
    if grad_state.enabled and A._requires_grad:
        node = LinalgInvExBackward0()
        attach(out, node, A)
        node.save(saved_output(out))
    return out


def inv(A: Tensor, *, out=None) -> Tensor:
    """The inverse of a square matrix (or of each matrix of a batch).

    Raises ``LinAlgError`` (a ``RuntimeError``) for a singular matrix.

    Example:
        >>> import ember
        >>> ember.linalg.inv(ember.tensor([[2.0, 0.0], [0.0, 4.0]]))
        tensor([[0.5000, 0.0000],
                [0.0000, 0.2500]])
    """
    data = matrix_data(A, "linalg.inv", square=True)
    res = _inv_result(_inv_array("linalg.inv", A, data), A)
    return with_out(res, out)
    return res


def inv_ex(A: Tensor, *, check_errors: bool = False):
    """``inv`` that reports failures in ``info`` (0 = success, per matrix) instead of
    raising, unless ``check_errors``. Failed matrices get nan inverses.

    Example:
        >>> import ember
        >>> ember.linalg.inv_ex(ember.eye(2)).info
        tensor(0, dtype=ember.int32)
    """
    data = matrix_data(A, "linalg.inv_ex", square=True)
    mod = xp(A)
    try:
        arr = mod.linalg.inv(data)
        info = mod.zeros(data.shape[:-2], dtype=np.int32)
    except np.linalg.LinAlgError:
        if check_errors:
            _inv_array("linalg.inv_ex", A, data)
        flat = data.reshape((-1, *data.shape[-2:]))
        outs, infos = [], []
        for m in flat:
            rank = int(np.linalg.matrix_rank(m))
            if rank < m.shape[-1]:
                outs.append(np.full(m.shape, np.nan, dtype=m.dtype))
                infos.append(rank + 1)
            else:
                outs.append(np.linalg.inv(m))
                infos.append(0)
        arr = np.stack(outs).reshape(data.shape)
        info = np.asarray(infos, dtype=np.int32).reshape(data.shape[:-2])
    return return_types.linalg_inv_ex(_inv_result(arr, A), new_tensor(info))


# -- solve ------------------------------------------------------------------------------------


class LinalgSolveExBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, A, X, b_shape, vector):
        if vector:
            grad = F.expand_dims(grad, -1)
            X = F.expand_dims(X, -1)
        gB = F.linalg.solve(mT(F, A), grad)
        gA = None
        if self._next[0] is not None:
            gA = -F.matmul(gB, mT(F, X))
            a_shape = tuple(A.shape)
            if tuple(gA.shape) != a_shape:
                gA = F.sum_to(gA, a_shape)
        if self._next[1] is None:
            return gA, None
        m_shape = (*b_shape, 1) if vector else b_shape
        if tuple(gB.shape) != m_shape:
            gB = F.sum_to(gB, m_shape)
        if vector:
            gB = gB.reshape(b_shape)
        return gA, gB


def _is_vector_rhs(a_shape, b_shape) -> bool:
    return len(b_shape) == 1 or (len(b_shape) == len(a_shape) - 1 and b_shape == a_shape[:-1])


def _solve(op: str, A: Tensor, B: Tensor, check: bool):
    ad = matrix_data(A, op, square=True)
    if not isinstance(B, Tensor):
        raise TypeError(f"{op}(): argument 'B' must be Tensor, not {type(B).__name__}")
    bd = B._data
    same_dtype(op, ad, bd)
    vector = _is_vector_rhs(ad.shape, bd.shape)
    bm = bd[..., None] if vector else bd
    n = ad.shape[-1]
    if bm.ndim < 2 or bm.shape[-2] != n:
        raise RuntimeError(
            f"{op}: Incompatible shapes of A and B for the equation AX = B "
            f"({ad.shape[-2]}x{ad.shape[-1]} and {'x'.join(str(s) for s in bd.shape)})"
        )
    try:
        res = xp(A).linalg.solve(ad, bm)
        info = None
    except np.linalg.LinAlgError:
        if check:
            where = batch_element(op, ad, _singular)
            raise LinAlgError(
                f"{op}: {where}The solver failed because the input matrix is singular."
            ) from None
        res, info = _solve_each(ad, bm)
    except ValueError:
        raise RuntimeError(
            f"{op}: batch dimensions of A {shape_str(ad.shape[:-2])} and B "
            f"{shape_str(bm.shape[:-2])} do not broadcast"
        ) from None
    if vector:
        res = res[..., 0]
    out = new_tensor(res)
    if grad_state.enabled and (A._requires_grad or B._requires_grad):
        node = LinalgSolveExBackward0()
        attach(out, node, A, B)
        node.save(A, saved_output(out), bd.shape, vector)
    return out, info


def _solve_each(ad, bm):
    shape = np.broadcast_shapes(ad.shape[:-2], bm.shape[:-2])
    a = np.broadcast_to(ad, shape + ad.shape[-2:]).reshape((-1, *ad.shape[-2:]))
    b = np.broadcast_to(bm, shape + bm.shape[-2:]).reshape((-1, *bm.shape[-2:]))
    outs, infos = [], []
    for m, r in zip(a, b, strict=False):
        rank = int(np.linalg.matrix_rank(m))
        if rank < m.shape[-1]:
            outs.append(np.full(r.shape, np.nan, dtype=r.dtype))
            infos.append(rank + 1)
        else:
            outs.append(np.linalg.solve(m, r))
            infos.append(0)
    res = np.stack(outs).reshape(shape + bm.shape[-2:])
    return res, np.asarray(infos, dtype=np.int32).reshape(shape)


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """Solve ``A X = B`` (or ``X A = B`` with ``left=False``) for square ``A``.

    ``B`` is a batch of vectors when it is 1-D or has ``A``'s shape without the last dim;
    otherwise a batch of matrices. Batch dims broadcast.

    Example:
        >>> import ember
        >>> A = ember.tensor([[3.0, 1.0], [1.0, 2.0]])
        >>> ember.linalg.solve(A, ember.tensor([9.0, 8.0]))
        tensor([2., 3.])
    """
    if not left:
        if isinstance(B, Tensor) and _is_vector_rhs(tuple(A.shape), tuple(B.shape)):
            res = solve(A.mT, B)
        else:
            res = solve(A.mT, B.mT).mT
    else:
        res = _solve("linalg.solve", A, B, check=True)[0]
    return with_out(res, out)
    return res


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):
    """``solve`` that reports singular matrices in ``info`` (0 = success) instead of raising.

    Example:
        >>> import ember
        >>> ember.linalg.solve_ex(ember.eye(2), ember.ones(2)).result
        tensor([1., 1.])
    """
    if not left:
        A = A.mT
        if not _is_vector_rhs(tuple(A.shape), tuple(B.shape)):
            r = solve_ex(A, B.mT, check_errors=check_errors)
            return return_types.linalg_solve_ex(r.result.mT, r.info)
    res, info = _solve("linalg.solve_ex", A, B, check=check_errors)
    if info is None:
        info = xp(A).zeros(A._data.shape[:-2], dtype=np.int32)
    return return_types.linalg_solve_ex(res, new_tensor(info))


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False, out=None
) -> Tensor:
    """Solve ``A X = B`` (or ``X A = B``) for a triangular ``A``; only the triangle named by
    ``upper`` is read (and not its diagonal when ``unitriangular``).

    Example:
        >>> import ember
        >>> L = ember.tensor([[2.0, 0.0], [1.0, 1.0]])
        >>> ember.linalg.solve_triangular(L, ember.tensor([[2.0], [3.0]]), upper=False)
        tensor([[1.],
                [2.]])
    """
    ad = matrix_data(A, "linalg.solve_triangular", square=True)
    matrix_data(B, "linalg.solve_triangular", name="B")
    n = ad.shape[-1]
    mod = xp(A)
    ones = mod.ones((n, n), dtype=ad.dtype)
    mask = (
        mod.triu(ones, 1 if unitriangular else 0)
        if upper
        else mod.tril(ones, -1 if unitriangular else 0)
    )
    T = A * constant(mask)
    if unitriangular:
        T = T + constant(mod.eye(n, dtype=ad.dtype))
    res = solve(T, B) if left else solve(T.mT, B.mT).mT
    return with_out(res, out)
    return res


# -- pinv, lstsq ------------------------------------------------------------------------------


class LinalgPinvBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, A, pinvA):
        m, n = A.shape[-2], A.shape[-1]
        pinvAh = mT(F, pinvA)
        gradh = mT(F, grad)
        mm = F.matmul
        if m <= n:
            K = mm(gradh, pinvA)
            KpinvAh = mm(K, pinvAh)
            gA = (
                -mT(F, mm(pinvA, K))
                + KpinvAh
                - mm(mm(A, pinvA), KpinvAh)
                + mm(mm(pinvAh, pinvA), gradh - mm(K, A))
            )
        else:
            K = mm(pinvA, gradh)
            pinvAhK = mm(pinvAh, K)
            gA = (
                -mT(F, mm(K, pinvA))
                + mm(mm(gradh - mm(A, K), pinvA), pinvAh)
                + pinvAhK
                - mm(mm(pinvAhK, pinvA), A)
            )
        return gA


def _tolerances(data, atol, rtol, smax):
    """PyTorch's cut-off ``max(atol, rtol * smax)`` with its defaults."""
    if isinstance(atol, Tensor):
        atol = atol._data
    if isinstance(rtol, Tensor):
        rtol = rtol._data
    if rtol is None:
        eps = np.finfo(data.dtype).eps
        rtol = (
            eps * max(data.shape[-2], data.shape[-1])
            if (atol is None or np.all(np.asarray(atol) <= 0))
            else 0.0
        )
    atol = 0.0 if atol is None else atol
    return np.maximum(atol, rtol * smax)


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse, from the SVD (or ``eigh`` when ``hermitian``),
    dropping singular values below ``max(atol, rtol * largest)``.

    Example:
        >>> import ember
        >>> ember.linalg.pinv(ember.tensor([[1.0, 0.0], [0.0, 0.0]]))
        tensor([[1., 0.],
                [0., 0.]])
    """
    data = matrix_data(A, "linalg.pinv")
    mod = xp(A)
    if hermitian:
        w, V = mod.linalg.eigh(data)
        aw = mod.abs(w)
        cut = _tolerances(data, atol, rtol, aw.max(-1, keepdims=True) if aw.shape[-1] else 0)
        winv = mod.where(aw > cut, 1 / mod.where(aw > cut, w, 1), 0).astype(w.dtype)
        Vh = mod.conj(mod.swapaxes(V, -1, -2))
        res = V @ (winv[..., :, None] * Vh)
    else:
        U, S, Vh = mod.linalg.svd(data, full_matrices=False)
        cut = _tolerances(data, atol, rtol, S[..., :1] if S.shape[-1] else 0)
        sinv = mod.where(cut < S, 1 / mod.where(cut < S, S, 1), 0).astype(S.dtype)
        res = mod.conj(mod.swapaxes(Vh, -1, -2)) @ (
            sinv[..., :, None] * mod.conj(mod.swapaxes(U, -1, -2))
        )
    res = new_tensor(res.astype(data.dtype, copy=False))
    if grad_state.enabled and A._requires_grad:
        node = LinalgPinvBackward0()
        attach(res, node, A)
        node.save(A, saved_output(res))
    return with_out(res, out)
    return res


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B``: returns ``(solution, residuals, rank,
    singular_values)`` like PyTorch, with gradients through ``solution``.

    As in PyTorch on the CPU, ``driver`` is one of ``'gelsy'`` (the default; residuals and
    singular values come back empty), ``'gels'``, ``'gelsd'`` and ``'gelss'``; residuals are
    the squared residual norms, given when ``m > n`` and every matrix has full rank.

    Example:
        >>> import ember
        >>> A = ember.tensor([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]])
        >>> ember.linalg.lstsq(A, ember.tensor([[1.0], [4.0], [5.0]])).solution
        tensor([[1.],
                [2.]])
    """
    ad = matrix_data(A, "linalg.lstsq")
    bd = matrix_data(B, "linalg.lstsq", name="B")
    same_dtype("linalg.lstsq", ad, bd)
    driver = "gelsy" if driver is None else driver
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(
            f"linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss), got "
            f"{driver}"
        )
    m, n = ad.shape[-2], ad.shape[-1]
    if bd.shape[-2] != m:
        raise RuntimeError(
            f"linalg.lstsq: input.size(-2) should match other.size(-2), got {m} and {bd.shape[-2]}"
        )
    mod = xp(A)
    S = mod.linalg.svd(ad, compute_uv=False)
    rtol = np.finfo(ad.dtype).eps * max(m, n) if rcond is None or rcond < 0 else rcond
    solution = pinv(A, rtol=rtol) @ B
    rank = (
        (rtol * S[..., :1] < S).sum(-1).astype(np.int64)
        if S.shape[-1]
        else mod.zeros(S.shape[:-1], np.int64)
    )
    empty = mod.zeros((0,), dtype=ad.dtype)
    residuals = empty
    if driver != "gelsy" and m > n and bool((rank == n).all()):
        r = ad @ solution._data - bd
        residuals = (mod.abs(r) ** 2).sum(-2).astype(ad.dtype)
    return return_types.linalg_lstsq(
        solution,
        new_tensor(residuals),
        new_tensor(rank) if driver != "gels" else new_tensor(mod.zeros((0,), dtype=np.int64)),
        new_tensor(S) if driver in ("gelsd", "gelss") else new_tensor(empty),
    )


# -- matrix_power, matrix_rank -----------------------------------------------------------------


def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
    """``A`` multiplied by itself ``n`` times (``n < 0`` uses ``inv(A)``; ``n = 0`` gives the
    identity), by repeated squaring.

    Example:
        >>> import ember
        >>> ember.linalg.matrix_power(ember.tensor([[1, 1], [0, 1]]), 3)
        tensor([[1, 3],
                [0, 1]])
    """
    data = matrix_data(A, "linalg.matrix_power", square=True, floating=n < 0)
    if not isinstance(n, int):
        raise TypeError(f"linalg.matrix_power: n must be an int, got {type(n).__name__}")
    if n == 0:
        eye = xp(A).broadcast_to(xp(A).eye(data.shape[-1], dtype=data.dtype), data.shape).copy()
        res = new_tensor(eye)
    else:
        if n < 0:
            A, n = inv(A), -n
        res = None
        base = A
        while n:
            if n & 1:
                res = base if res is None else res @ base
            n >>= 1
            if n:
                base = base @ base
    return with_out(res, out)
    return res


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """Number of singular values above ``max(atol, rtol * largest)`` (int64).

    Example:
        >>> import ember
        >>> ember.linalg.matrix_rank(ember.tensor([[1.0, 2.0], [2.0, 4.0]]))
        tensor(1)
    """
    data = matrix_data(A, "linalg.matrix_rank")
    mod = xp(A)
    if hermitian:
        S = mod.abs(mod.linalg.eigvalsh(data))
        S = -mod.sort(-S, axis=-1)
    else:
        S = mod.linalg.svd(data, compute_uv=False)
    cut = _tolerances(data, atol, rtol, S[..., :1] if S.shape[-1] else 0)
    res = new_tensor(mod.asarray((cut < S).sum(-1).astype(np.int64)))
    return with_out(res, out)
    return res
