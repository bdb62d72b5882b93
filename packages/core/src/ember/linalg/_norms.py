"""Norms: vector_norm, matrix_norm, norm, cond."""

from __future__ import annotations

from .._tensor import Tensor
from ..ops._core import Node, attach, grad_state, new_tensor, saved_output, wrap_dim, wrap_dims
from ._common import check_floating, constant, matrix_data, with_out, xp

__all__ = ["vector_norm", "matrix_norm", "norm", "cond"]

_INF = float("inf")


def _vector_norm_array(mod, a, ord, dims, keepdim):
    """``a`` holds absolute values."""
    if ord == 2:
        return mod.sqrt((a * a).sum(axis=dims, keepdims=keepdim))
    if ord == 1:
        return a.sum(axis=dims, keepdims=keepdim)
    if ord == _INF:
        return a.max(axis=dims, keepdims=keepdim)
    if ord == -_INF:
        return a.min(axis=dims, keepdims=keepdim)
    if ord == 0:
        return (a != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype)
    return (a**ord).sum(axis=dims, keepdims=keepdim) ** (1.0 / ord)


class LinalgVectorNormBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, ord, dims, keepdim, norm):
        if not keepdim:
            grad = F.unsqueeze_dims(grad, dims, x.ndim)
            norm = F.unsqueeze_dims(norm, dims, x.ndim)
        if ord == 0:
            return x * 0
        if ord == 1:
            return grad * F.sign(x)
        if ord == 2:
            scale = F.where(norm > 0, grad / F.where(norm > 0, norm, 1), 0)
            return x * scale
        if ord == _INF or ord == -_INF:
            mask = F.abs(x) == norm
            count = F.sum(mask, axis=dims, keepdims=True)
            return F.sign(x) * mask * (grad / count)
        safe = F.where(norm > 0, norm, 1)
        coef = F.sign(x) * F.power(F.abs(x) / safe, ord - 1)
        return F.where(norm > 0, grad * coef, 0)


def vector_norm(
    x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None
) -> Tensor:
    """The vector ``ord``-norm over ``dim`` (all elements when None): ``sum(|x|^ord)^(1/ord)``,
    with ``inf``/``-inf`` (max/min of ``|x|``) and ``0`` (count of non-zeros).

    Example:
        >>> import ember
        >>> ember.linalg.vector_norm(ember.tensor([3.0, -4.0]))
        tensor(5.)
        >>> ember.linalg.vector_norm(ember.tensor([3.0, -4.0]), ord=float("inf"))
        tensor(4.)
    """
    if not isinstance(x, Tensor):
        raise TypeError(
            f"linalg.vector_norm(): argument 'x' must be Tensor, not {type(x).__name__}"
        )
    check_floating(x._data, "linalg.vector_norm", allow_half=True)
    if dtype is not None:
        x = x.to(dtype)
    data = x._data
    if isinstance(ord, Tensor):
        ord = ord.item()
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got '{ord}'")
    dims = wrap_dims(dim, data.ndim) if data.ndim else ()
    mod = xp(x)
    a = mod.abs(data)
    if a.size == 0 and ord in (_INF, -_INF) and any(data.shape[d] == 0 for d in dims):
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {ord} norm on an empty tensor because the "
            "operation does not have an identity"
        )
    res = new_tensor(mod.asarray(_vector_norm_array(mod, a, ord, dims, keepdim)))
    if grad_state.enabled and x._requires_grad:
        node = LinalgVectorNormBackward0()
        attach(res, node, x)
        node.save(x, ord, dims, keepdim, saved_output(res))
    return with_out(res, out)
    return res


class LinalgMatrixNormBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, A, ord, norm, U, w, Vh):
        if ord in ("nuc", 2, -2):
            coef = F.expand_dims(F.expand_dims(grad, -1) * w, -2)
            return F.matmul(U * coef, Vh)
        axis = -2 if ord in (1, -1) else -1
        sums = F.sum(F.abs(A), axis=axis)
        mask = sums == F.expand_dims(norm, -1)
        count = F.sum(mask, axis=-1, keepdims=True)
        coef = F.expand_dims(F.expand_dims(grad, -1) * mask / count, axis)
        return F.sign(A) * coef


def _matrix_norm_last(A: Tensor, ord) -> Tensor:
    """A matrix norm over the last two dims, without keepdim."""
    if ord == "fro":
        return vector_norm(A, 2, dim=(-2, -1))
    data = A._data
    mod = xp(A)
    U = w = Vh = None
    if ord in ("nuc", 2, -2):
        if A._requires_grad and grad_state.enabled:
            U, S, Vh = mod.linalg.svd(data, full_matrices=False)
        else:
            S = mod.linalg.svd(data, compute_uv=False)
        k = S.shape[-1]
        if ord == "nuc":
            val = S.sum(-1)
            w = mod.ones(k, dtype=S.dtype)
        else:
            idx = 0 if ord == 2 else k - 1
            val = S[..., idx]
            w = mod.zeros(k, dtype=S.dtype)
            w[idx] = 1
    elif ord in (1, -1, _INF, -_INF):
        sums = mod.abs(data).sum(-2 if ord in (1, -1) else -1)
        val = sums.max(-1) if ord in (1, _INF) else sums.min(-1)
    else:
        raise RuntimeError(
            f"linalg.matrix_norm: Order {ord} not supported. Expected one of 'fro', 'nuc', "
            "inf, -inf, 1, -1, 2, -2"
        )
    res = new_tensor(mod.asarray(val))
    if grad_state.enabled and A._requires_grad:
        node = LinalgMatrixNormBackward0()
        attach(res, node, A)
        node.save(
            A,
            ord,
            saved_output(res),
            None if U is None else constant(U),
            None if w is None else constant(w),
            None if Vh is None else constant(Vh),
        )
    return res


def matrix_norm(
    A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None, out=None
) -> Tensor:
    """A matrix norm over the two dims ``dim``: ``'fro'``, ``'nuc'`` (sum of singular
    values), ``2``/``-2`` (largest/smallest singular value), ``1``/``-1`` (max/min column
    abs-sum), ``inf``/``-inf`` (max/min row abs-sum).

    Example:
        >>> import ember
        >>> A = ember.tensor([[1.0, -2.0], [3.0, 4.0]])
        >>> ember.linalg.matrix_norm(A, ord=1)
        tensor(6.)
        >>> ember.linalg.matrix_norm(A, ord=float("inf"))
        tensor(7.)
    """
    matrix_data(A, "linalg.matrix_norm")
    if dtype is not None:
        A = A.to(dtype)
    n = A._data.ndim
    if len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {dim}")
    d0, d1 = wrap_dim(dim[0], n), wrap_dim(dim[1], n)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    moved = A if (d0, d1) == (n - 2, n - 1) else A.movedim((d0, d1), (-2, -1))
    res = _matrix_norm_last(moved, ord)
    if keepdim:
        for d in sorted((d0, d1)):
            res = res.unsqueeze(d)
    return with_out(res, out)
    return res


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """A vector or matrix norm: a vector norm when ``dim`` is an int (or ``A`` is 1-D), a
    matrix norm when ``dim`` has two dims (or ``A`` is 2-D and ``ord`` is given); with
    neither, the 2-norm of all elements.

    Example:
        >>> import ember
        >>> ember.linalg.norm(ember.tensor([[3.0, 0.0], [0.0, 4.0]]))
        tensor(5.)
        >>> ember.linalg.norm(ember.tensor([[3.0, 0.0], [0.0, 4.0]]), ord=2)
        tensor(4.)
    """
    if not isinstance(A, Tensor):
        raise TypeError(f"linalg.norm(): argument 'A' must be Tensor, not {type(A).__name__}")
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        dim = tuple(dim)
        if len(dim) == 1:
            res = vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        elif len(dim) == 2:
            res = matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
        else:
            raise RuntimeError(
                f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}"
            )
    elif ord is None:
        res = vector_norm(A, 2, None, keepdim, dtype=dtype)
    else:
        n = A._data.ndim
        if n == 1:
            res = vector_norm(A, ord, None, keepdim, dtype=dtype)
        elif n == 2:
            res = matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)
        else:
            raise RuntimeError(
                f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                f"Got {n}D."
            )
    return with_out(res, out)
    return res


def cond(A: Tensor, p=None, *, out=None) -> Tensor:
    """The condition number ``norm(A, p) * norm(inv(A), p)`` (``p=None`` or 2: the ratio of
    the largest to the smallest singular value).

    Example:
        >>> import ember
        >>> ember.linalg.cond(ember.tensor([[2.0, 0.0], [0.0, 0.5]]))
        tensor(4.)
    """
    from ._decompositions import svdvals
    from ._solve import inv

    matrix_data(A, "linalg.cond")
    if p is None or p == 2 or p == -2:
        S = svdvals(A)
        k = S._data.shape[-1]
        big, small = S.select(-1, 0), S.select(-1, k - 1)
        res = big / small if p != -2 else small / big
    else:
        res = matrix_norm(A, p) * matrix_norm(inv(A), p)
    return with_out(res, out)
    return res
