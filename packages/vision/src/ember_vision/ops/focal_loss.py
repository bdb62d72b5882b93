"""Sigmoid focal loss (Lin et al., RetinaNet)."""

from __future__ import annotations

import ember.nn.functional as F

__all__ = ["sigmoid_focal_loss"]


def sigmoid_focal_loss(inputs, targets, alpha: float = 0.25, gamma: float = 2, reduction="none"):
    """Focal loss on logits ``inputs`` against binary ``targets`` of the same shape.

    Args:
        alpha: weight of positives in ``[0, 1]``; negative disables weighting.
        gamma: focusing exponent.
        reduction: ``"none"``, ``"mean"`` or ``"sum"``.

    Example:
        >>> import ember
        >>> sigmoid_focal_loss(ember.tensor([0.]), ember.tensor([1.]))
        tensor([0.0433])
    """
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(
            f"Invalid Value for arg 'reduction': '{reduction}' \n "
            "Supported reduction modes: 'none', 'mean', 'sum'"
        )
    p = inputs.sigmoid()
    ce = F.binary_cross_entropy_with_logits(inputs, targets, reduction="none")
    p_t = p * targets + (1 - p) * (1 - targets)
    loss = ce * ((1 - p_t) ** gamma)
    if alpha >= 0:
        loss = (alpha * targets + (1 - alpha) * (1 - targets)) * loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss
