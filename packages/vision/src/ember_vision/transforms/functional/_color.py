"""Colour functions: brightness, contrast, saturation, hue, gamma, sharpness, greyscale,
inversion, posterisation, solarisation, autocontrast and histogram equalisation.

Every function takes a Pillow image, an Ember tensor ``(..., C, H, W)`` (uint8 with values in
[0, 255] or floating point with values in [0, 1], batched or not, on any device) or a NumPy
``(H, W[, C])`` array, and returns the same kind. Pillow images go through Pillow
(``ImageEnhance``, ``ImageOps``) as torchvision does; tensors go through torchvision's tensor
formulas, so the two kinds may differ by a grey level or two where they round differently.

On floating-point tensors, brightness, contrast, saturation, gamma and greyscale are built from
Ember ops, so gradients flow through them; the other kernels work on the raw arrays.
"""

from __future__ import annotations

import numpy as np

import ember
from ember._tensor import _wrap

from .._image import array_module, chw_to_ndarray, describe, is_pil_image, ndarray_to_chw

__all__ = [
    "adjust_brightness",
    "adjust_contrast",
    "adjust_saturation",
    "adjust_hue",
    "adjust_gamma",
    "adjust_sharpness",
    "rgb_to_grayscale",
    "to_grayscale",
    "grayscale_to_rgb",
    "invert",
    "posterize",
    "solarize",
    "autocontrast",
    "equalize",
]

# ITU-R 601-2 luma weights, as torchvision uses them.
_LUMA = (0.2989, 0.587, 0.114)


# -- dispatch ------------------------------------------------------------------------------------


def apply_image_kernel(img, op: str, tensor_kernel, pil_kernel=None):
    """Run ``tensor_kernel`` on a tensor (NumPy arrays through a (C, H, W) view), or
    ``pil_kernel`` on a Pillow image (through the tensor kernel when it is None)."""
    if isinstance(img, ember.Tensor):
        if img.ndim < 2:
            raise TypeError(
                f"{op}: expected an image tensor of shape (..., C, H, W), got {describe(img)}"
            )
        if img.ndim == 2:
            return tensor_kernel(img.unsqueeze(0)).squeeze(0)
        return tensor_kernel(img)
    if isinstance(img, np.ndarray):
        if img.ndim not in (2, 3):
            raise TypeError(f"{op}: expected an (H, W) or (H, W, C) ndarray, got {describe(img)}")
        return chw_to_ndarray(tensor_kernel(ndarray_to_chw(img)), img)
    if is_pil_image(img):
        if pil_kernel is not None:
            return pil_kernel(img)
        return pil_through_tensor(img, tensor_kernel)
    raise TypeError(
        f"{op}: expected a PIL image, an ember.Tensor (..., C, H, W) or an ndarray (H, W[, C]), "
        f"got {describe(img)}"
    )


def pil_through_tensor(img, tensor_kernel):
    """Apply a tensor kernel to a Pillow image (as uint8 (C, H, W)) and convert back."""
    from PIL import Image

    arr = np.asarray(img)
    out = chw_to_ndarray(tensor_kernel(ndarray_to_chw(arr)), arr)
    return Image.fromarray(out)


def max_value(dtype) -> float:
    """The value of full intensity for a dtype: 255 for uint8, 1.0 for floating point."""
    return 1.0 if dtype.is_floating_point else 255


def _check_dtype(t, op: str) -> bool:
    """True for a floating-point image, False for uint8; a clear error otherwise."""
    if t.dtype.is_floating_point:
        return True
    if t.dtype == ember.uint8:
        return False
    raise TypeError(f"{op}: expected a uint8 or floating-point image tensor, got dtype {t.dtype}")


def _check_channels(t, op: str) -> int:
    c = t.shape[-3]
    if c not in (1, 3):
        raise TypeError(
            f"{op}: input image tensor permitted channel values are 1 or 3, but found {c} "
            f"(shape {tuple(t.shape)})"
        )
    return c


def _check_factor(value, name: str, op: str) -> float:
    if value < 0:
        raise ValueError(f"{op}: {name} ({value}) is not non-negative.")
    return float(value)


def _uint8_result(arr, xp):
    """Clamp a float array to [0, 255] and truncate it to uint8, as ``Tensor.to(uint8)`` does."""
    return _wrap(xp.clip(arr, 0, 255).astype(xp.uint8))


def _to_float01(arr, xp):
    """uint8 array to float32 in [0, 1] (torchvision's ``to_dtype(scale=True)``)."""
    return arr.astype(xp.float32) * xp.float32(1.0 / 255)


def _float01_to_uint8(arr, xp):
    """Float array in [0, 1] to uint8 (torchvision's ``to_dtype(scale=True)``)."""
    return (arr * arr.dtype.type(255 + 1.0 - 1e-3)).astype(xp.uint8)


def _blend_arrays(a, b, ratio: float, xp):
    f32 = xp.float32
    return _uint8_result(a.astype(f32) * f32(ratio) + b.astype(f32) * f32(1.0 - ratio), xp)


def _blend_tensors(a, b, ratio: float):
    return (a * ratio + b * (1.0 - ratio)).clamp(0.0, 1.0)


# -- greyscale -----------------------------------------------------------------------------------


def _gray_float_array(a, xp):
    """Luma of a (..., 3, H, W) array in float32, keeping the channel dimension."""
    f32 = xp.float32
    r, g, b = (a[..., i : i + 1, :, :].astype(f32) for i in range(3))
    return r * f32(_LUMA[0]) + g * f32(_LUMA[1]) + b * f32(_LUMA[2])


def _gray_tensor(t):
    r, g, b = (t[..., i : i + 1, :, :] for i in range(3))
    return r * _LUMA[0] + g * _LUMA[1] + b * _LUMA[2]


def _grayscale_kernel(t, num_output_channels: int, op: str):
    fp = _check_dtype(t, op)
    c = t.shape[-3]
    if c == 1:
        out = t.clone()
    elif c == 3:
        if fp:
            out = _gray_tensor(t)
        else:
            xp = array_module(t)
            out = _wrap(_gray_float_array(t._data, xp).astype(xp.uint8))
    else:
        raise TypeError(f"{op}: expected an image with 1 or 3 channels, got shape {tuple(t.shape)}")
    if num_output_channels == 3:
        out = out.expand(*out.shape[:-3], 3, *out.shape[-2:]).contiguous()
    return out


def _check_num_output_channels(num_output_channels, op: str) -> None:
    if num_output_channels not in (1, 3):
        raise ValueError(f"{op}: num_output_channels must be 1 or 3, got {num_output_channels}.")


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """Convert an RGB image to greyscale with the ITU-R 601-2 luma transform
    ``L = 0.2989 R + 0.587 G + 0.114 B`` (uint8 results truncated, as torchvision does).

    Args:
        img: PIL image, tensor ``(..., 1 or 3, H, W)`` or ndarray ``(H, W[, C])``.
        num_output_channels (int): 1, or 3 to repeat the luma in three channels. Default: 1.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.rgb_to_grayscale(ember.tensor([[[1.0]], [[0.0]], [[0.0]]]))
        tensor([[[0.2989]]])
    """
    op = "rgb_to_grayscale"
    _check_num_output_channels(num_output_channels, op)

    def pil_kernel(im):
        from PIL import Image

        gray = im.convert("L")
        if num_output_channels == 1:
            return gray
        return Image.merge("RGB", (gray, gray, gray))

    return apply_image_kernel(
        img, op, lambda t: _grayscale_kernel(t, num_output_channels, op), pil_kernel
    )


def to_grayscale(img, num_output_channels: int = 1):
    """Alias of :func:`rgb_to_grayscale` (torchvision's older name).

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.to_grayscale(ember.ones(3, 2, 2), num_output_channels=3).shape
        ember.Size([3, 2, 2])
    """
    return rgb_to_grayscale(img, num_output_channels=num_output_channels)


def grayscale_to_rgb(img):
    """Repeat a single-channel image into three channels (RGB images are returned as they are).

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.grayscale_to_rgb(ember.zeros(1, 2, 2)).shape
        ember.Size([3, 2, 2])
    """

    def kernel(t):
        if t.shape[-3] >= 3:
            return t
        return _grayscale_kernel(t, 3, "grayscale_to_rgb")

    return apply_image_kernel(img, "grayscale_to_rgb", kernel, lambda im: im.convert("RGB"))


# -- brightness, contrast, saturation -----------------------------------------------------------


def adjust_brightness(img, brightness_factor: float):
    """Scale the intensities of an image by ``brightness_factor`` (clamped to the valid range).

    Args:
        img: PIL image, tensor ``(..., 1 or 3, H, W)`` or ndarray.
        brightness_factor (float): non-negative; 0 gives black, 1 the original image.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.adjust_brightness(ember.tensor([[[0.25, 0.75]]]), 2.0)
        tensor([[[0.5000, 1.0000]]])
    """
    op = "adjust_brightness"
    factor = _check_factor(brightness_factor, "brightness_factor", op)

    def kernel(t):
        _check_channels(t, op)
        if _check_dtype(t, op):
            return (t * factor).clamp(0.0, 1.0)
        xp = array_module(t)
        return _uint8_result(t._data.astype(xp.float32) * xp.float32(factor), xp)

    def pil_kernel(im):
        from PIL import ImageEnhance

        return ImageEnhance.Brightness(im).enhance(factor)

    return apply_image_kernel(img, op, kernel, pil_kernel)


def adjust_contrast(img, contrast_factor: float):
    """Blend an image with the mean of its greyscale version: ``factor * img + (1 - factor) *
    mean``; 0 gives a uniform grey image, 1 the original image.

    Args:
        img: PIL image, tensor ``(..., 1 or 3, H, W)`` or ndarray.
        contrast_factor (float): non-negative.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.adjust_contrast(ember.tensor([[[0.2, 0.6]]]), 0.5)
        tensor([[[0.3000, 0.5000]]])
    """
    op = "adjust_contrast"
    factor = _check_factor(contrast_factor, "contrast_factor", op)

    def kernel(t):
        c = _check_channels(t, op)
        if _check_dtype(t, op):
            gray = _gray_tensor(t) if c == 3 else t
            return _blend_tensors(t, gray.mean(dim=(-3, -2, -1), keepdim=True), factor)
        xp = array_module(t)
        a = t._data
        gray = xp.floor(_gray_float_array(a, xp)) if c == 3 else a.astype(xp.float32)
        return _blend_arrays(a, gray.mean(axis=(-3, -2, -1), keepdims=True), factor, xp)

    def pil_kernel(im):
        from PIL import ImageEnhance

        return ImageEnhance.Contrast(im).enhance(factor)

    return apply_image_kernel(img, op, kernel, pil_kernel)


def adjust_saturation(img, saturation_factor: float):
    """Blend an image with its greyscale version: 0 gives greyscale, 1 the original image, 2
    doubles the saturation. Single-channel images are returned unchanged.

    Args:
        img: PIL image, tensor ``(..., 1 or 3, H, W)`` or ndarray.
        saturation_factor (float): non-negative.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.adjust_saturation(ember.tensor([[[1.0]], [[0.0]], [[0.0]]]), 0.0).flatten()
        tensor([0.2989, 0.2989, 0.2989])
    """
    op = "adjust_saturation"
    factor = _check_factor(saturation_factor, "saturation_factor", op)

    def kernel(t):
        if _check_channels(t, op) == 1:
            return t
        if _check_dtype(t, op):
            return _blend_tensors(t, _gray_tensor(t), factor)
        xp = array_module(t)
        return _blend_arrays(t._data, xp.floor(_gray_float_array(t._data, xp)), factor, xp)

    def pil_kernel(im):
        from PIL import ImageEnhance

        return ImageEnhance.Color(im).enhance(factor)

    return apply_image_kernel(img, op, kernel, pil_kernel)


# -- hue -----------------------------------------------------------------------------------------


def _rgb_to_hsv(img, xp):
    """(..., 3, H, W) float RGB in [0, 1] to HSV, every channel in [0, 1]."""
    r, g = img[..., 0, :, :], img[..., 1, :, :]
    maxc = img.max(axis=-3)
    minc = img.min(axis=-3)
    same = maxc == minc
    spread = maxc - minc
    one = xp.ones_like(maxc)
    s = spread / xp.where(same, one, maxc)
    divisor = xp.where(same, one, spread)[..., None, :, :]
    rc, gc, bc = (((maxc[..., None, :, :] - img) / divisor)[..., i, :, :] for i in range(3))
    max_is_r = maxc == r
    max_is_g = (maxc == g) & ~max_is_r
    max_is_b = ~max_is_r & ~max_is_g
    h = (bc - gc) * max_is_r + (2.0 + rc - bc) * max_is_g + (4.0 + gc - rc) * max_is_b
    h = xp.fmod(h / 6.0 + 1.0, 1.0)
    return h, s, maxc


_HSV_SELECT = ((0, 2, 1, 1, 3, 0), (3, 0, 0, 2, 1, 1), (1, 1, 3, 0, 0, 2))


def _hsv_to_rgb(h, s, v, xp):
    h6 = h * 6.0
    i = xp.floor(h6)
    f = h6 - i
    i = i.astype(xp.int64) % 6
    p = xp.clip(v * (1.0 - s), 0.0, 1.0)
    q = xp.clip(v * (1.0 - s * f), 0.0, 1.0)
    t = xp.clip(v * (1.0 - s + s * f), 0.0, 1.0)
    vpqt = xp.stack((v, p, q, t), axis=-3)
    select = xp.asarray(_HSV_SELECT)[:, i]  # (3, ..., H, W)
    select = xp.moveaxis(select, 0, -3)
    return xp.take_along_axis(vpqt, select, axis=-3)


def adjust_hue(img, hue_factor: float):
    """Shift the hue of an image by ``hue_factor`` (a fraction of the colour wheel) through
    RGB → HSV → RGB; single-channel images are returned unchanged.

    Args:
        img: PIL image, tensor ``(..., 1 or 3, H, W)`` or ndarray.
        hue_factor (float): in [-0.5, 0.5]; 0.5 and -0.5 give complementary colours.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.adjust_hue(ember.tensor([[[1.0]], [[0.0]], [[0.0]]]), 1 / 3).flatten()
        tensor([0., 1., 0.])
    """
    op = "adjust_hue"
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"{op}: hue_factor ({hue_factor}) is not in [-0.5, 0.5].")

    def kernel(t):
        if _check_channels(t, op) == 1 or t.numel() == 0:
            return t
        fp = _check_dtype(t, op)
        xp = array_module(t)
        a = t.detach()._data
        x = a.astype(xp.float32) if fp else _to_float01(a, xp)
        h, s, v = _rgb_to_hsv(x, xp)
        h = xp.remainder(h + xp.float32(hue_factor), 1.0).astype(xp.float32)
        rgb = _hsv_to_rgb(h, s, v, xp)
        return _wrap(rgb.astype(a.dtype) if fp else _float01_to_uint8(rgb, xp))

    def pil_kernel(im):
        from PIL import Image

        if im.mode in ("L", "1", "I", "F"):
            return im
        h, s, v = im.convert("HSV").split()
        hue = np.asarray(h, dtype=np.uint8) + np.uint8(int(hue_factor * 255) % 256)
        return Image.merge("HSV", (Image.fromarray(hue, "L"), s, v)).convert(im.mode)

    return apply_image_kernel(img, op, kernel, pil_kernel)


# -- gamma, sharpness ----------------------------------------------------------------------------


def adjust_gamma(img, gamma: float, gain: float = 1):
    """Gamma correction: ``out = 255 * gain * (in / 255) ** gamma`` (for float images,
    ``gain * in ** gamma``), clamped to the valid range.

    Args:
        img: PIL image, tensor ``(..., C, H, W)`` or ndarray.
        gamma (float): non-negative; below 1 brightens dark regions, above 1 darkens them.
        gain (float): multiplier. Default: 1.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.adjust_gamma(ember.tensor([[[0.25, 1.0]]]), 0.5)
        tensor([[[0.5000, 1.0000]]])
    """
    op = "adjust_gamma"
    if gamma < 0:
        raise ValueError(f"{op}: gamma should be a non-negative real number, got {gamma}")

    def kernel(t):
        if _check_dtype(t, op):
            out = t**gamma
            return (out * gain).clamp(0.0, 1.0) if gain != 1.0 else out
        xp = array_module(t)
        out = _to_float01(t._data, xp) ** xp.float32(gamma)
        if gain != 1.0:
            out = xp.clip(out * xp.float32(gain), 0.0, 1.0)
        return _wrap(_float01_to_uint8(out, xp))

    def pil_kernel(im):
        mode = im.mode
        table = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)]
        return im.convert("RGB").point([min(max(v, 0), 255) for v in table] * 3).convert(mode)

    return apply_image_kernel(img, op, kernel, pil_kernel)


def _smooth3x3(x, xp):
    """Pillow's SMOOTH filter ([[1, 1, 1], [1, 5, 1], [1, 1, 1]] / 13) on the interior pixels."""
    h, w = x.shape[-2:]
    total = xp.zeros(x.shape[:-2] + (h - 2, w - 2), dtype=x.dtype)
    for dy in range(3):
        for dx in range(3):
            total += x[..., dy : dy + h - 2, dx : dx + w - 2]
    center = x[..., 1:-1, 1:-1]
    return (total - center) * x.dtype.type(1.0 / 13.0) + center * x.dtype.type(5.0 / 13.0)


def adjust_sharpness(img, sharpness_factor: float):
    """Blend an image with a smoothed copy of it: 0 gives the smoothed image, 1 the original,
    2 doubles the sharpness. The one-pixel border is left as it is (as Pillow does).

    Args:
        img: PIL image, tensor ``(..., 1 or 3, H, W)`` or ndarray.
        sharpness_factor (float): non-negative.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> x = ember.zeros(1, 3, 3); x[0, 1, 1] = 1.0
        >>> round(F.adjust_sharpness(x, 0.0)[0, 1, 1].item(), 4)  # 5 / 13
        0.3846
    """
    op = "adjust_sharpness"
    factor = _check_factor(sharpness_factor, "sharpness_factor", op)

    def kernel(t):
        _check_channels(t, op)
        fp = _check_dtype(t, op)
        height, width = t.shape[-2:]
        if t.numel() == 0 or height <= 2 or width <= 2:
            return t
        xp = array_module(t)
        x = t.detach()._data.astype(t._data.dtype if fp else xp.float32, copy=True)
        blurred = _smooth3x3(x, xp)
        if not fp:
            blurred = xp.round(blurred)
        view = x[..., 1:-1, 1:-1]
        view += (blurred - view) * x.dtype.type(1.0 - factor)
        return _wrap(xp.clip(x, 0.0, 1.0)) if fp else _uint8_result(x, xp)

    def pil_kernel(im):
        from PIL import ImageEnhance

        return ImageEnhance.Sharpness(im).enhance(factor)

    return apply_image_kernel(img, op, kernel, pil_kernel)


# -- invert, posterize, solarize -----------------------------------------------------------------


def _invert_tensor(t):
    if t.dtype.is_floating_point:
        return 1.0 - t
    return _wrap(255 - t._data)


def invert(img):
    """Invert the colours of an image: ``255 - x`` for uint8, ``1 - x`` for floats.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.invert(ember.tensor([[[0, 200]]], dtype=ember.uint8))
        tensor([[[255,  55]]], dtype=ember.uint8)
    """

    def kernel(t):
        _check_dtype(t, "invert")
        return _invert_tensor(t)

    def pil_kernel(im):
        from PIL import ImageOps

        return ImageOps.invert(im)

    return apply_image_kernel(img, "invert", kernel, pil_kernel)


def posterize(img, bits: int):
    """Keep the ``bits`` most significant bits of each channel (for float images: quantise to
    ``2 ** bits`` levels).

    Args:
        img: PIL image, tensor ``(..., C, H, W)`` or ndarray.
        bits (int): number of bits to keep, 0 to 8.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.posterize(ember.tensor([[[255, 100]]], dtype=ember.uint8), 2)
        tensor([[[192,  64]]], dtype=ember.uint8)
    """
    op = "posterize"
    if isinstance(bits, bool) or not isinstance(bits, (int, np.integer)) or not 0 <= bits <= 8:
        raise TypeError(f"{op}: bits must be an integer in the range [0, 8], got {bits!r} instead.")
    bits = int(bits)

    def kernel(t):
        if _check_dtype(t, op):
            levels = 1 << bits
            return ember.floor(t * levels).clamp(0, levels - 1) * (1.0 / levels)
        if bits >= 8:
            return t
        return _wrap(t._data & t._data.dtype.type(((1 << bits) - 1) << (8 - bits)))

    def pil_kernel(im):
        from PIL import ImageOps

        if bits == 0:  # Pillow accepts 1 to 8 bits; no bit kept gives black
            return pil_through_tensor(im, kernel)
        return ImageOps.posterize(im, bits)

    return apply_image_kernel(img, op, kernel, pil_kernel)


def solarize(img, threshold: float):
    """Invert the pixels at or above ``threshold``.

    Args:
        img: PIL image, tensor ``(..., C, H, W)`` or ndarray.
        threshold (float): in the image's range (at most 255 for uint8, 1.0 for floats).

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.solarize(ember.tensor([[[10, 200]]], dtype=ember.uint8), 128)
        tensor([[[10, 55]]], dtype=ember.uint8)
    """
    op = "solarize"

    def kernel(t):
        bound = max_value(t.dtype) if _check_dtype(t, op) else 255
        if threshold > bound:
            raise TypeError(
                f"{op}: threshold should be less than or equal to the maximum value of the dtype "
                f"({bound} for {t.dtype}), but got {threshold}"
            )
        return ember.where(t >= threshold, _invert_tensor(t), t)

    def pil_kernel(im):
        from PIL import ImageOps

        if threshold > 255:
            raise TypeError(
                f"{op}: threshold should be less than or equal to 255 for a PIL image, "
                f"but got {threshold}"
            )
        return ImageOps.solarize(im, threshold)

    return apply_image_kernel(img, op, kernel, pil_kernel)


# -- autocontrast, equalize ----------------------------------------------------------------------


def autocontrast(img):
    """Stretch each channel so that its darkest pixel becomes black and its lightest white
    (channels with a single value are left as they are).

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.autocontrast(ember.tensor([[[0.25, 0.5, 0.75]]]))
        tensor([[[0.0000, 0.5000, 1.0000]]])
    """
    op = "autocontrast"

    def kernel(t):
        _check_channels(t, op)
        fp = _check_dtype(t, op)
        if t.numel() == 0:
            return t
        xp = array_module(t)
        bound = max_value(t.dtype)
        x = t.detach()._data
        x = x if fp else x.astype(xp.float32)
        lo = x.min(axis=(-2, -1), keepdims=True)
        hi = x.max(axis=(-2, -1), keepdims=True)
        flat = hi == lo
        inv_scale = xp.where(flat, x.dtype.type(1), (hi - lo) * x.dtype.type(1.0 / bound))
        lo = xp.where(flat, x.dtype.type(0), lo)
        out = xp.clip((x - lo) / inv_scale, 0, bound)
        return _wrap(out.astype(t._data.dtype))

    def pil_kernel(im):
        from PIL import ImageOps

        return ImageOps.autocontrast(im)

    return apply_image_kernel(img, op, kernel, pil_kernel)


def _equalize_uint8(a, xp):
    """Histogram equalisation of each (H, W) plane of a uint8 array, with Pillow's lookup
    table: ``lut[k] = (cumhist[k - 1] + step // 2) // step`` where ``step`` is the number of
    pixels that are not of the plane's largest value, divided by 255."""
    shape = a.shape
    planes = a.reshape(-1, shape[-2] * shape[-1]).astype(xp.int64)
    n, npix = planes.shape
    offsets = (xp.arange(n, dtype=xp.int64) * 256)[:, None]
    hist = xp.bincount((planes + offsets).ravel(), minlength=n * 256).reshape(n, 256)
    cum = xp.cumsum(hist, axis=-1)
    last = xp.argmax(cum, axis=-1)[:, None]
    step = (npix - xp.take_along_axis(hist, last, axis=-1)) // 255
    lut = xp.clip((cum[:, :-1] + step // 2) // xp.maximum(step, 1), 0, 255)
    lut = xp.concatenate([xp.zeros((n, 1), dtype=lut.dtype), lut], axis=-1).astype(xp.uint8)
    out = xp.take_along_axis(lut, planes, axis=-1)
    out = xp.where(step != 0, out, planes.astype(xp.uint8))
    return out.reshape(shape)


def equalize(img):
    """Equalise the histogram of each channel (as Pillow's ``ImageOps.equalize``); float
    images are quantised to uint8 for the histogram.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> x = ember.tensor([0] * 300 + [100] * 300 + [200], dtype=ember.uint8)
        >>> F.equalize(x.reshape(1, 1, -1)).unique()
        tensor([  0, 150, 255], dtype=ember.uint8)
    """

    def kernel(t):
        fp = _check_dtype(t, "equalize")
        if t.numel() == 0:
            return t
        xp = array_module(t)
        a = t.detach()._data
        if not fp:
            return _wrap(_equalize_uint8(a, xp))
        out = _equalize_uint8(_float01_to_uint8(a, xp), xp)
        return _wrap(out.astype(a.dtype) * a.dtype.type(1.0 / 255))

    def pil_kernel(im):
        from PIL import ImageOps

        return ImageOps.equalize(im)

    return apply_image_kernel(img, "equalize", kernel, pil_kernel)
