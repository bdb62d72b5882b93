"""Distances and vector utilities: ``cosine_similarity``, ``pairwise_distance``, ``pdist``,
``normalize`` and ``one_hot``.

They are compositions of Ember's differentiable ops (so higher-order gradients come for
free), with PyTorch's numerics: ``cosine_similarity`` divides each input by its own norm
clamped to ``eps`` (the clamp is not differentiated, as in PyTorch), ``pairwise_distance``
is ``norm(x1 - x2 + eps)`` over the last dimension, and ``pdist``'s gradient is 0 for
coincident rows.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.cosine_similarity(ember.tensor([[1.0, 0.0]]), ember.tensor([[1.0, 1.0]]))
    tensor([0.7071])
    >>> F.one_hot(ember.tensor([0, 2]))
    tensor([[1, 0, 0],
            [0, 0, 1]])
"""

from __future__ import annotations

import ember

from ...amp import _state as _amp
from ...ops._core import Tensor, new_tensor, np, xp_of
from ...ops.reduction import torch_name

__all__ = ["cosine_similarity", "pairwise_distance", "pdist", "normalize", "one_hot"]


def _clamped_norm(x: Tensor, dim: int, eps: float) -> Tensor:
    """``||x||`` over ``dim`` (kept) whose value is clamped to ``eps`` while its gradient is
    the unclamped norm's (PyTorch clamps the norm in place under no_grad)."""
    n = ember.linalg.vector_norm(x, 2, dim, keepdim=True)
    nd = n.detach()
    return n + (ember.clamp_min(nd, eps) - nd)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Cosine similarity of ``x1`` and ``x2`` (broadcast together) along ``dim``:
    ``sum(x1 / max(||x1||, eps) * x2 / max(||x2||, eps))``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.cosine_similarity(ember.tensor([3.0, 4.0]), ember.tensor([4.0, 3.0]), dim=0)
        tensor(0.9600)
    """
    if _amp.active:
        x1, x2 = _amp.cast("cosine_similarity", x1, x2)
    if x1.dtype.is_floating_point is False or x2.dtype.is_floating_point is False:
        dt = ember.promote_types(x1.dtype, x2.dtype)
        if not dt.is_floating_point:
            dt = ember.get_default_dtype()
        x1, x2 = x1.to(dt), x2.to(dt)
    try:
        x1, x2 = ember.broadcast_tensors(x1, x2)
    except RuntimeError:
        from ...ops._core import broadcast_error

        raise broadcast_error("cosine_similarity", x1.shape, x2.shape) from None
    return ((x1 / _clamped_norm(x1, dim, eps)) * (x2 / _clamped_norm(x2, dim, eps))).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """p-norm distance between the rows of ``x1`` and ``x2`` (broadcast together), over the
    last dimension: ``||x1 - x2 + eps||_p``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.pairwise_distance(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0]]), eps=0.0)
        tensor([5.])
    """
    ndim = max(x1.ndim, x2.ndim)
    diff = x1 - x2 + eps
    if ndim == 0:
        return ember.abs(diff) if p != 0 else (diff != 0).to(diff.dtype)
    return ember.linalg.vector_norm(diff, p, ndim - 1, keepdim=keepdim)


def pdist(input: Tensor, p: float = 2) -> Tensor:
    """The p-norm distances between each pair of the N rows of ``input`` (N, M): the upper
    triangle of the distance matrix, row by row, as a vector of N (N - 1) / 2 values.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.pdist(ember.tensor([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0]]))
        tensor([5.0000, 1.0000, 4.2426])
    """
    if _amp.active:
        (input,) = _amp.cast("pdist", input)
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"pdist only supports floating-point dtypes, got {torch_name(input._data)}"
        )
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    if i.size == 0:
        return new_tensor(xp_of(input).zeros(0, dtype=input._data.dtype)) * input.sum()
    diff = input[ember.tensor(i)] - input[ember.tensor(j)]
    return ember.linalg.vector_norm(diff, p, 1)


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None
) -> Tensor:
    """``input / max(||input||_p, eps)`` along ``dim`` (an int or a tuple of ints).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.normalize(ember.tensor([[3.0, 4.0], [0.0, 0.0]]))
        tensor([[0.6000, 0.8000],
                [0.0000, 0.0000]])
    """
    denom = ember.clamp_min(ember.linalg.vector_norm(input, p, dim, keepdim=True), eps)
    if out is None:
        return input / denom
    return ember.div(input, denom.detach(), out=out)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """One-hot encoding of int64 class indices: a new last dimension of ``num_classes``
    (-1: the largest index + 1), as int64.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.one_hot(ember.tensor([1, 0]), num_classes=3)
        tensor([[0, 1, 0],
                [1, 0, 0]])
    """
    d = tensor._data
    if d.dtype != np.int64:
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type LongTensor "
            f"(got {torch_name(d)}; convert it with .long())."
        )
    xp = xp_of(tensor)
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if int(d.min()) < 0:
            raise RuntimeError("Class values must be non-negative.")
        if int(d.max()) >= num_classes:
            raise RuntimeError(
                f"Class values must be smaller than num_classes (got {int(d.max())} for "
                f"num_classes={num_classes})."
            )
    out = xp.zeros(d.shape + (num_classes,), dtype=np.int64)
    if d.size:
        flat = out.reshape(-1, num_classes)
        flat[xp.arange(d.size), d.reshape(-1)] = 1
    return new_tensor(out)
