"""Distance modules: :class:`PairwiseDistance` and :class:`CosineSimilarity`.

Example:
    >>> import ember
    >>> from ember import nn
    >>> nn.CosineSimilarity(dim=0)(ember.tensor([1.0, 0.0]), ember.tensor([1.0, 0.0]))
    tensor(1.)
"""

from __future__ import annotations

from ..._tensor import Tensor
from ..functional import distance as F
from .module import Module

__all__ = ["PairwiseDistance", "CosineSimilarity"]


class PairwiseDistance(Module):
    """p-norm distance between the rows of two inputs, over the last dimension
    (``||x1 - x2 + eps||_p``).

    Args:
        p: norm degree (default 2), stored as the attribute ``norm`` as in PyTorch.
        eps: added to the difference to avoid division by zero (default 1e-6).
        keepdim: keep the reduced dimension.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.PairwiseDistance(eps=0.0)(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0]]))
        tensor([5.])
    """

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        super().__init__()
        self.norm = p
        self.eps = eps
        self.keepdim = keepdim

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """Cosine similarity along ``dim`` (default 1), each norm clamped to ``eps``.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> nn.CosineSimilarity()(ember.tensor([[1.0, 1.0]]), ember.tensor([[1.0, 0.0]]))
        tensor([0.7071])
    """

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        super().__init__()
        self.dim = dim
        self.eps = eps

    def forward(self, x1: Tensor, x2: Tensor) -> Tensor:
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
