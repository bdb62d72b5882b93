"""Erasing a rectangle of an image (``torchvision.transforms.v2.functional.erase``)."""

from __future__ import annotations

import ember

from .._image import describe
from ._color import apply_image_kernel

__all__ = ["erase"]


def erase(img, i: int, j: int, h: int, w: int, v, inplace: bool = False):
    """Overwrite the rectangle of top-left corner ``(i, j)``, height ``h`` and width ``w``
    with ``v``.

    Args:
        img: PIL image, tensor ``(..., C, H, W)`` or ndarray.
        i, j (int): row and column of the top-left corner.
        h, w (int): height and width of the rectangle.
        v (Tensor or number): the values written, broadcast to ``(..., C, h, w)``; cast to the
            image's dtype (truncated for integer images).
        inplace (bool): write into a tensor input instead of a copy. Default: False.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.erase(ember.ones(1, 3, 3), 1, 1, 2, 2, ember.tensor(0.0))
        tensor([[[1., 1., 1.],
                 [1., 0., 0.],
                 [1., 0., 0.]]])
    """
    if not isinstance(v, ember.Tensor):
        try:
            v = ember.tensor(v, dtype=ember.float32)
        except (TypeError, ValueError):
            raise TypeError(f"erase: v must be a tensor or a number, got {describe(v)}") from None

    def kernel(t):
        out = t if inplace else t.clone()
        region = out[..., i : i + h, j : j + w]
        value = v.to(device=t.device, dtype=t.dtype)
        try:
            out[..., i : i + h, j : j + w] = value.expand(region.shape)
        except RuntimeError as e:
            raise RuntimeError(
                f"erase: v of shape {tuple(v.shape)} does not broadcast to the erased region of "
                f"shape {tuple(region.shape)}"
            ) from e
        return out

    return apply_image_kernel(img, "erase", kernel)
