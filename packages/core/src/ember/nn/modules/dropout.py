"""Dropout layers: ``Dropout``, the channel-wise ``Dropout1d/2d/3d``, ``AlphaDropout`` and
``FeatureAlphaDropout``. Active in training mode only; in evaluation mode they return the
input unchanged.

Example:
    >>> import ember
    >>> from ember import nn
    >>> drop = nn.Dropout(p=0.2)
    >>> drop
    Dropout(p=0.2, inplace=False)
    >>> drop.eval()(ember.ones(3))
    tensor([1., 1., 1.])
"""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = [
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
    "FeatureAlphaDropout",
]


class _DropoutNd(Module):
    """Base of the dropout layers: ``p`` (probability of zeroing) and ``inplace``."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """Zero each element with probability ``p`` during training and scale the others by
    ``1 / (1 - p)``.

    Args:
        p: probability of an element to be zeroed (default 0.5).
        inplace: do the operation in place (default False).

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(0)
        >>> y = ember.nn.Dropout(0.5)(ember.ones(8))
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    """Zero whole channels of ``(N, C, L)`` or ``(C, L)`` inputs with probability ``p``.

    Example:
        >>> import ember
        >>> ember.nn.Dropout1d(0.3)
        Dropout1d(p=0.3, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zero whole channels of ``(N, C, H, W)`` inputs with probability ``p``.

    Example:
        >>> import ember
        >>> ember.nn.Dropout2d()
        Dropout2d(p=0.5, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zero whole channels of ``(N, C, D, H, W)`` or ``(C, D, H, W)`` inputs with
    probability ``p``.

    Example:
        >>> import ember
        >>> ember.nn.Dropout3d()
        Dropout3d(p=0.5, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Alpha dropout for SELU networks: keeps zero mean and unit variance.

    Example:
        >>> import ember
        >>> ember.nn.AlphaDropout(0.1)
        AlphaDropout(p=0.1, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.alpha_dropout(input, self.p, self.training, self.inplace)


class FeatureAlphaDropout(_DropoutNd):
    """Alpha dropout of whole channels.

    Example:
        >>> import ember
        >>> ember.nn.FeatureAlphaDropout(0.2)
        FeatureAlphaDropout(p=0.2, inplace=False)
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.feature_alpha_dropout(input, self.p, self.training, self.inplace)
