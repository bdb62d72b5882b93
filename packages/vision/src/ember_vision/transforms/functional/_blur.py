"""Gaussian blur (``torchvision.transforms.v2.functional.gaussian_blur``)."""

from __future__ import annotations

import math
import numbers

import ember

from ._color import _check_dtype, apply_image_kernel

__all__ = ["gaussian_blur"]


def _pair(value, name: str, op: str) -> list:
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        return [value, value]
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return [value[0], value[0]]
        if len(value) == 2:
            return list(value)
        raise ValueError(f"{op}: if {name} is a sequence its length should be 1 or 2, got {value}")
    raise TypeError(f"{op}: {name} should be a number or a sequence of numbers, got {value!r}")


def gaussian_kernel1d(kernel_size: int, sigma: float, dtype=None, device=None):
    """The normalised 1-D Gaussian ``exp(-x**2 / (2 sigma**2))`` on ``kernel_size`` integer
    offsets centred on 0.

    Example:
        >>> gaussian_kernel1d(3, 1.0).sum().item()
        1.0
    """
    half = (kernel_size - 1) * 0.5
    x = ember.linspace(-half, half, kernel_size, dtype=dtype or ember.float32, device=device)
    pdf = ember.exp(-0.5 * (x / sigma) ** 2)
    return pdf / pdf.sum()


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur an image with a Gaussian kernel (reflect padding at the borders, so the output has
    the input's size).

    Args:
        img: PIL image, tensor ``(..., C, H, W)`` or ndarray.
        kernel_size (int or sequence of 2 ints): kernel size ``[width, height]``, odd and
            positive.
        sigma (float or sequence of 2 floats, optional): standard deviation ``[x, y]``; by
            default ``0.3 * ((kernel_size - 1) * 0.5 - 1) + 0.8`` for each direction.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.gaussian_blur(ember.ones(1, 4, 4), 3, 1.0).allclose(ember.ones(1, 4, 4))
        True
    """
    op = "gaussian_blur"
    ksize = _pair(kernel_size, "kernel_size", op)
    for k in ksize:
        if not isinstance(k, int) or isinstance(k, bool) or k <= 0 or k % 2 == 0:
            raise ValueError(
                f"{op}: kernel_size should have odd and positive integers, got {ksize}"
            )
    if sigma is None:
        sig = [k * 0.15 + 0.35 for k in ksize]
    else:
        sig = [float(s) for s in _pair(sigma, "sigma", op)]
    for s in sig:
        if s <= 0.0 or not math.isfinite(s):
            raise ValueError(f"{op}: sigma should have positive values, got {sig}")

    def kernel(t):
        fp = _check_dtype(t, op)
        if t.numel() == 0:
            return t
        from ember.nn import functional as nnf

        c, h, w = t.shape[-3:]
        pad_x, pad_y = ksize[0] // 2, ksize[1] // 2
        if pad_x >= w or pad_y >= h:
            raise ValueError(
                f"{op}: kernel_size {ksize} needs an image larger than half of it for reflect "
                f"padding, got an image of size {h}x{w}"
            )
        dtype = t.dtype if fp else ember.float32
        kx = gaussian_kernel1d(ksize[0], sig[0], dtype, t.device)
        ky = gaussian_kernel1d(ksize[1], sig[1], dtype, t.device)
        weight = (ky[:, None] * kx[None, :]).expand(c, 1, ksize[1], ksize[0])
        x = (t if fp else t.to(ember.float32)).reshape(-1, c, h, w)
        x = nnf.pad(x, [pad_x, pad_x, pad_y, pad_y], mode="reflect")
        out = nnf.conv2d(x, weight, groups=c).reshape(t.shape)
        return out if fp else out.round().clamp(0, 255).to(ember.uint8)

    return apply_image_kernel(img, op, kernel)
