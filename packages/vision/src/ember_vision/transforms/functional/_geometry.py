"""Geometric kernels: resize, crops, padding, flips, rotation, affine and perspective warps.

Every function takes a Pillow image, an Ember tensor ``(..., C, H, W)`` or a NumPy
``(H, W[, C])`` array and returns the same kind; arrays go through the tensor kernels.

Note [Resampling matrices]
    Resizing is separable: along each axis the output is a fixed linear map of the input, an
    ``(out x in)`` matrix. With ``antialias=True`` (and always for box, hamming and lanczos)
    the rows hold Pillow's filter taps: the filter is stretched by the downscaling factor,
    centred on ``start + (i + 0.5) * scale``, cut where Pillow cuts it and normalised per row,
    so a uint8 tensor resizes like Pillow: two passes rounded to uint8 in between, the rows
    first when they shrink while the columns grow, else the columns first. That gives Pillow's
    pixels to within 1 (rarely 2) for bilinear, box and hamming; for bicubic and lanczos,
    whose negative lobes overshoot and get clipped between the passes, a few pixels of noisy
    images can differ more when both axes shrink (Pillow's pass order there is not
    reproduced exactly).
    With ``antialias=False`` the rows are PyTorch's ``interpolate``
    weights (bicubic with ``a = -0.75``, ``align_corners=False``). A tensor is resized with one
    matmul per axis, batched over the leading dimensions, and float tensors keep autograd.
    ``resized_crop`` crops first and resizes the crop, as torchvision does.

Note [Warps]
    ``rotate``, ``affine`` and ``perspective`` map each output pixel centre to an input
    position with the inverse transform that torchvision computes, then sample there:
    nearest (rounding half to even, as ``grid_sample``) or bilinear with zeros outside; with
    a ``fill``, the fraction of each sample that fell outside the image is blended with the
    fill colour, as torchvision does. Pillow images are warped by Pillow itself with the same
    matrix.
"""

from __future__ import annotations

import functools
import math
import numbers
import warnings

import numpy as np

import ember
from ember.ops._core import new_tensor

from .._image import (
    InterpolationMode,
    array_module,
    check_tensor_image,
    chw_to_ndarray,
    describe,
    get_dimensions,
    is_pil_image,
    ndarray_to_chw,
)

__all__ = [
    "resize",
    "crop",
    "center_crop",
    "resized_crop",
    "pad",
    "hflip",
    "vflip",
    "horizontal_flip",
    "vertical_flip",
    "five_crop",
    "ten_crop",
    "rotate",
    "affine",
    "perspective",
]

_PIL_FILTERS = {
    InterpolationMode.NEAREST: 0,
    InterpolationMode.NEAREST_EXACT: 0,
    InterpolationMode.BILINEAR: 2,
    InterpolationMode.BICUBIC: 3,
    InterpolationMode.BOX: 4,
    InterpolationMode.HAMMING: 5,
    InterpolationMode.LANCZOS: 1,
}
_FROM_PIL_CODE = {
    0: InterpolationMode.NEAREST,
    2: InterpolationMode.BILINEAR,
    3: InterpolationMode.BICUBIC,
    4: InterpolationMode.BOX,
    5: InterpolationMode.HAMMING,
    1: InterpolationMode.LANCZOS,
}
_PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


# -- shared helpers -------------------------------------------------------------------------


def _interpolation(interpolation, op: str) -> InterpolationMode:
    """An InterpolationMode from a mode, its string value or a Pillow filter number."""
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, str):
        try:
            return InterpolationMode(interpolation)
        except ValueError:
            pass
    elif isinstance(interpolation, int) and interpolation in _FROM_PIL_CODE:
        return _FROM_PIL_CODE[interpolation]
    raise TypeError(
        f"{op}: interpolation must be an InterpolationMode (or its Pillow filter number), "
        f"got {interpolation!r}"
    )


def _apply(img, op: str, pil_kernel, tensor_kernel):
    """Run the kernel for ``img``'s kind; NumPy arrays go through the tensor kernel."""
    if isinstance(img, ember.Tensor):
        check_tensor_image(img, op)
        return tensor_kernel(img)
    if is_pil_image(img):
        return pil_kernel(img)
    if isinstance(img, np.ndarray) and img.ndim in (2, 3):
        return chw_to_ndarray(tensor_kernel(ndarray_to_chw(img)), img)
    raise TypeError(
        f"{op}: expected a PIL image, an ember.Tensor (..., C, H, W) or an ndarray (H, W[, C]), "
        f"got {describe(img)}"
    )


def _needs_grad(t) -> bool:
    return t.requires_grad and ember.is_grad_enabled()


def _pil_fill(fill, img, op: str):
    """Pillow's fill colour for ``img`` (torchvision's rules: a number or one value per band)."""
    bands = len(img.getbands())
    if fill is None:
        fill = 0
    if isinstance(fill, numbers.Number) and bands > 1:
        fill = (fill,) * bands
    if isinstance(fill, (list, tuple)):
        if len(fill) == 1:
            fill = tuple(fill) * bands
        elif len(fill) != bands:
            raise ValueError(
                f"{op}: fill has {len(fill)} values but the image has {bands} channels"
            )
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(v) for v in fill) if isinstance(fill, tuple) else int(fill)
    return fill


def _fill_array(fill, channels: int, xp, dtype, op: str):
    """A fill value as an array broadcastable against (..., C, H, W)."""
    values = [float(v) for v in fill] if isinstance(fill, (list, tuple)) else [float(fill)]
    if len(values) not in (1, channels):
        raise ValueError(
            f"{op}: fill has {len(values)} values but the image has {channels} channels"
        )
    arr = np.asarray(values, dtype=np.float64).reshape(-1, 1, 1)
    if np.dtype(dtype).kind in "iub":
        info = np.iinfo(dtype) if np.dtype(dtype).kind != "b" else None
        arr = np.trunc(arr) if info is None else np.clip(np.trunc(arr), info.min, info.max)
    return xp.asarray(arr.astype(dtype))


def _to_output_dtype(a, dtype, xp):
    """Round and clamp a float result back to an integer image dtype."""
    if np.dtype(dtype).kind in "fc":
        return a.astype(dtype, copy=False)
    if np.dtype(dtype) == np.bool_:
        return a >= 0.5
    info = np.iinfo(dtype)
    a = xp.rint(a)
    return xp.clip(a, info.min, info.max, out=a).astype(dtype)


def _compute_dtype(dtype):
    return dtype if np.dtype(dtype).kind == "f" and np.dtype(dtype).itemsize >= 4 else np.float32


# -- resize ---------------------------------------------------------------------------------


def _filter_box(x):
    return ((x > -0.5) & (x <= 0.5)).astype(np.float64)


def _filter_bilinear(x):
    return np.maximum(1.0 - np.abs(x), 0.0)


def _filter_hamming(x):
    x = np.abs(x)
    px = np.pi * x
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.sin(px) / px * (0.54 + 0.46 * np.cos(px))
    return np.where(x == 0.0, 1.0, np.where(x >= 1.0, 0.0, w))


def _filter_bicubic(x):
    a = -0.5  # Pillow's cubic
    x = np.abs(x)
    near = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    far = (((x - 5.0) * x + 8.0) * x - 4.0) * a
    return np.where(x < 1.0, near, np.where(x < 2.0, far, 0.0))


def _filter_lanczos(x):
    return np.where(np.abs(x) < 3.0, np.sinc(x) * np.sinc(x / 3.0), 0.0)


_PIL_KERNELS = {
    InterpolationMode.BOX: (_filter_box, 0.5),
    InterpolationMode.BILINEAR: (_filter_bilinear, 1.0),
    InterpolationMode.HAMMING: (_filter_hamming, 1.0),
    InterpolationMode.BICUBIC: (_filter_bicubic, 2.0),
    InterpolationMode.LANCZOS: (_filter_lanczos, 3.0),
}


@functools.lru_cache(maxsize=256)
def _pillow_matrix(in_size: int, out_size: int, start: float, end: float, mode, dtype):
    """Pillow's resampling weights for the input span [start, end) of an axis of ``in_size``
    pixels: an (out_size x (hi - lo)) matrix over input pixels lo..hi-1 (Note [Resampling
    matrices])."""
    filt, support = _PIL_KERNELS[mode]
    scale = (end - start) / out_size
    filterscale = max(scale, 1.0)
    support = support * filterscale
    centers = start + (np.arange(out_size) + 0.5) * scale
    xmin = np.maximum((centers - support + 0.5).astype(np.int64), 0)
    xmax = np.minimum((centers + support + 0.5).astype(np.int64), in_size)
    taps = math.ceil(support) * 2 + 1
    j = xmin[:, None] + np.arange(taps)
    w = filt((j - centers[:, None] + 0.5) * (1.0 / filterscale))
    w = np.where(j < xmax[:, None], w, 0.0)
    total = w.sum(axis=1, keepdims=True)
    w = np.divide(w, total, out=w, where=total != 0.0)
    lo, hi = int(xmin.min()), int(xmax.max())
    m = np.zeros((out_size, hi - lo), dtype=np.float64)
    rows = np.broadcast_to(np.arange(out_size)[:, None], j.shape)
    keep = j < xmax[:, None]
    np.add.at(m, (rows[keep], j[keep] - lo), w[keep])
    m = m.astype(dtype)
    m.flags.writeable = False
    return m, lo, hi


@functools.lru_cache(maxsize=256)
def _interpolate_matrix(in_size: int, out_size: int, mode, dtype):
    """PyTorch ``interpolate``'s weights without antialiasing (``align_corners=False``)."""
    from ember.nn.functional.vision import _cubic_matrix, _linear_matrix

    build = _cubic_matrix if mode is InterpolationMode.BICUBIC else _linear_matrix
    m = build(in_size, out_size, False, None, np.float64).astype(dtype)
    m.flags.writeable = False
    return m


@functools.lru_cache(maxsize=256)
def _nearest_indices(in_size: int, out_size: int, exact: bool, start: int = 0):
    """Source pixel of each output pixel: PyTorch's legacy ``floor(i * in / out)`` rule, or
    ``floor((i + 0.5) * in / out)`` for nearest-exact (float32 maths, as PyTorch does)."""
    s = np.float32(in_size / out_size)
    dst = np.arange(out_size, dtype=np.float32)
    if exact:
        dst = dst + np.float32(0.5)
    idx = np.minimum(np.floor(dst * s).astype(np.int64), in_size - 1) + start
    idx.flags.writeable = False
    return idx


def _axis_weights(in_size, out_size, box, mode, antialias, dtype):
    """(matrix, lo, hi) resampling one axis; matrix None when the axis is unchanged."""
    start, end = box
    if out_size == in_size and start == 0 and end == in_size:
        return None, 0, in_size
    if mode in (InterpolationMode.BILINEAR, InterpolationMode.BICUBIC) and not antialias:
        m = _interpolate_matrix(end - start, out_size, mode, dtype)
        return m, start, end
    return _pillow_matrix(in_size, out_size, float(start), float(end), mode, dtype)


def _onehot(idx, in_size, dtype):
    m = np.zeros((len(idx), in_size), dtype=dtype)
    m[np.arange(len(idx)), idx] = 1
    return m


class _ResizeNode:
    """Autograd node classes for the resampling kernels, created on first use."""

    cls = None

    @classmethod
    def get(cls):
        if cls.cls is None:
            from ember.nn.functional.pooling import _SeparableNode

            cls.cls = type("ResizeBackward0", (_SeparableNode,), {"__slots__": ()})
        return cls.cls


def _resize_tensor_box(t, out_h, out_w, box, interpolation, antialias):
    """Resample the box ``(top, left, bottom, right)`` of ``t`` to ``(out_h, out_w)``."""
    from ember.nn.functional.pooling import separable_op

    H, W = t.shape[-2:]
    top, left, bottom, right = box
    a = t._data
    xp = array_module(t)
    if interpolation in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        exact = interpolation is InterpolationMode.NEAREST_EXACT
        ih = _nearest_indices(bottom - top, out_h, exact, top)
        iw = _nearest_indices(right - left, out_w, exact, left)
        if _needs_grad(t):
            mats = [_onehot(ih, H, a.dtype), _onehot(iw, W, a.dtype)]
            return separable_op(t, mats, 2, _ResizeNode.get(), gather=[ih, iw])
        return new_tensor(xp.ascontiguousarray(a[..., xp.asarray(ih)[:, None], xp.asarray(iw)]))
    dtype = _compute_dtype(a.dtype)
    mh, top0, bottom0 = _axis_weights(H, out_h, (top, bottom), interpolation, antialias, dtype)
    mw, left0, right0 = _axis_weights(W, out_w, (left, right), interpolation, antialias, dtype)
    if np.dtype(a.dtype).kind == "f" and a.dtype == dtype:
        sub = (
            t[..., top0:bottom0, left0:right0]
            if (top0, left0, bottom0, right0) != (0, 0, H, W)
            else t
        )
        return separable_op(sub, [mh, mw], 2, _ResizeNode.get())
    # integer images: two float32 passes rounded in between, in the order Pillow uses
    sub = a[..., top0:bottom0, left0:right0].astype(dtype)
    pillow = antialias or interpolation not in (
        InterpolationMode.BILINEAR,
        InterpolationMode.BICUBIC,
    )
    info = np.iinfo(a.dtype) if np.dtype(a.dtype).kind in "iu" else None
    passes = [(-1, mw), (-2, mh)]
    if out_h < bottom - top and out_w > right - left:
        passes.reverse()  # Pillow 13 reduces the rows first when it widens the columns
    passes = [(axis, m) for axis, m in passes if m is not None]
    for k, (axis, m) in enumerate(passes):
        sub = xp.matmul(sub, xp.asarray(m).T) if axis == -1 else xp.matmul(xp.asarray(m), sub)
        if pillow and info is not None and k + 1 < len(passes):
            sub = xp.clip(xp.rint(sub, out=sub), info.min, info.max, out=sub)
    out = _to_output_dtype(sub, a.dtype, xp)
    return new_tensor(out)


def _resized_output_size(height: int, width: int, size, max_size, op: str) -> list[int]:
    """torchvision's output size rule: an int (or one-element list) sets the smaller edge and
    keeps the aspect ratio, capped by ``max_size``; two values are ``(h, w)``."""
    if size is None:
        if not isinstance(max_size, int):
            raise ValueError(f"{op}: max_size must be an int when size is None, got {max_size!r}")
        short, long = (width, height) if width <= height else (height, width)
        new_short, new_long = int(max_size * short / long), max_size
        new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
        return [new_h, new_w]
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        size = [int(size)]
    elif not isinstance(size, (list, tuple)) or not all(
        isinstance(s, numbers.Integral) for s in size
    ):
        raise TypeError(f"{op}: size must be an int or a sequence of ints, got {size!r}")
    if len(size) not in (1, 2):
        raise ValueError(
            f"{op}: size must be an int or a sequence of 1 or 2 ints, got {len(size)} values "
            f"({list(size)})"
        )
    if any(s <= 0 for s in size):
        raise ValueError(f"{op}: size must be positive, got {list(size)}")
    if len(size) == 2:
        if max_size is not None:
            raise ValueError(
                f"{op}: max_size can only be given when size is an int or a one-element "
                f"sequence (the smaller edge), got size={list(size)}"
            )
        return [int(size[0]), int(size[1])]
    requested = int(size[0])
    short, long = (width, height) if width <= height else (height, width)
    new_short, new_long = requested, int(requested * long / short)
    if max_size is not None:
        if max_size <= requested:
            raise ValueError(
                f"{op}: max_size = {max_size} must be strictly greater than the requested size "
                f"for the smaller edge size = {size}"
            )
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if width <= height else (new_long, new_short)
    return [new_h, new_w]


def resize(
    img,
    size,
    interpolation=InterpolationMode.BILINEAR,
    max_size: int | None = None,
    antialias: bool | None = True,
):
    """Resize an image to ``size``.

    Args:
        img: a PIL image, a tensor ``(..., C, H, W)`` or an ndarray ``(H, W[, C])``.
        size: ``(h, w)``, or an int (or one-element sequence) for the smaller edge, keeping
            the aspect ratio; ``None`` together with ``max_size`` sets the longer edge.
        interpolation: an :class:`InterpolationMode`. Default: ``BILINEAR``.
        max_size: the longer edge after resizing by the smaller edge is at most this.
        antialias: filter like Pillow when downscaling a tensor (bilinear and bicubic);
            ``False`` gives ``ember.nn.functional.interpolate``'s result. Pillow images are
            always antialiased. Default: ``True``.

    Returns:
        The resized image, of the input's kind. Tensors of uint8 are computed in float32,
        rounded and clamped; float tensors keep autograd (Note [Resampling matrices]).

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.resize(ember.zeros(3, 40, 60), 20).shape
        ember.Size([3, 20, 30])
    """
    interpolation = _interpolation(interpolation, "resize")
    _, height, width = get_dimensions(img)
    out_h, out_w = _resized_output_size(height, width, size, max_size, "resize")
    if (out_h, out_w) == (height, width):
        return img

    def pil_kernel(im):
        return im.resize((out_w, out_h), resample=_PIL_FILTERS[interpolation])

    def tensor_kernel(t):
        box = (0, 0, height, width)
        return _resize_tensor_box(t, out_h, out_w, box, interpolation, bool(antialias))

    return _apply(img, "resize", pil_kernel, tensor_kernel)


# -- crops and padding ----------------------------------------------------------------------


def _parse_padding(padding, op: str) -> list[int]:
    """``[left, right, top, bottom]`` from an int or a 1-, 2- or 4-element sequence."""
    if isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        return [int(padding)] * 4
    if isinstance(padding, (list, tuple)) and all(isinstance(p, numbers.Integral) for p in padding):
        if len(padding) == 1:
            return [int(padding[0])] * 4
        if len(padding) == 2:
            return [int(padding[0])] * 2 + [int(padding[1])] * 2
        if len(padding) == 4:
            left, top, right, bottom = (int(p) for p in padding)
            return [left, right, top, bottom]
        raise ValueError(
            f"{op}: padding must be an int or a 1, 2 or 4 element sequence, not a "
            f"{len(padding)} element sequence"
        )
    raise TypeError(f"{op}: padding must be an int or a sequence of ints, got {padding!r}")


def _pad_tensor(t, left, right, top, bottom, fill, mode):
    H, W = t.shape[-2:]
    if min(left, right, top, bottom) < 0:  # negative padding crops
        t = t[..., max(-top, 0) : H - max(-bottom, 0), max(-left, 0) : W - max(-right, 0)]
        left, right, top, bottom = (max(p, 0) for p in (left, right, top, bottom))
        H, W = t.shape[-2:]
    if left == right == top == bottom == 0:
        return t
    if mode != "constant" and (H == 0 or W == 0):
        raise ValueError(f"pad: cannot pad an empty image of size {(H, W)} with mode {mode!r}")
    xp = array_module(t)
    a = t._data
    np_mode = {"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}.get(mode)
    if _needs_grad(t):
        if np_mode is not None:
            rows = np.pad(np.arange(H), (top, bottom), mode=np_mode)
            cols = np.pad(np.arange(W), (left, right), mode=np_mode)
            return t[..., ember.from_numpy(rows)[:, None], ember.from_numpy(cols)]
        out = ember.nn.functional.pad(t, (left, right, top, bottom), value=0.0)
        channels = 1 if t.ndim == 2 else t.shape[-3]
        f = _fill_array(fill if fill is not None else 0, channels, np, np.float64, "pad")
        mask = np.ones((H + top + bottom, W + left + right))
        mask[top : top + H, left : left + W] = 0.0
        border = (f * mask) if t.ndim > 2 else (f[0] * mask)
        return out + ember.tensor(border.astype(a.dtype), device=t.device)
    if np_mode is not None:
        widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
        return new_tensor(xp.pad(a, widths, mode=np_mode))
    out = xp.empty(a.shape[:-2] + (H + top + bottom, W + left + right), dtype=a.dtype)
    channels = 1 if a.ndim == 2 else a.shape[-3]
    f = _fill_array(fill if fill is not None else 0, channels, xp, a.dtype, "pad")
    out[...] = f if a.ndim > 2 else f[0]
    out[..., top : top + H, left : left + W] = a
    return new_tensor(out)


def _pil_from_array(arr: np.ndarray, like):
    """A PIL image of ``like``'s mode (and palette) from an array laid out as Pillow's."""
    from PIL import Image

    out = Image.fromarray(np.ascontiguousarray(arr))
    if out.mode != like.mode and like.mode != "P":
        out = Image.frombytes(like.mode, out.size, np.ascontiguousarray(arr).tobytes())
    if like.mode == "P":
        out = out.convert("L") if out.mode != "L" else out
        out.putpalette(like.getpalette())
    return out


def _pad_pil(img, left, right, top, bottom, fill, mode):
    from PIL import Image

    if min(left, right, top, bottom) < 0:
        crop_l, crop_t, crop_r, crop_b = (-min(p, 0) for p in (left, top, right, bottom))
        img = img.crop((crop_l, crop_t, img.width - crop_r, img.height - crop_b))
        left, right, top, bottom = (max(p, 0) for p in (left, right, top, bottom))
    if left == right == top == bottom == 0:
        return img
    if mode == "constant":
        size = (img.width + left + right, img.height + top + bottom)
        out = Image.new(img.mode, size, _pil_fill(fill, img, "pad"))
        if img.mode == "P":
            out.putpalette(img.getpalette())
        out.paste(img, (left, top))
        return out
    arr = np.asarray(img)
    widths = [(top, bottom), (left, right)] + [(0, 0)] * (arr.ndim - 2)
    return _pil_from_array(np.pad(arr, widths, mode=mode), img)


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Pad an image on its four sides.

    Args:
        img: a PIL image, a tensor ``(..., C, H, W)`` or an ndarray ``(H, W[, C])``.
        padding: an int for all sides, ``(left/right, top/bottom)`` or
            ``(left, top, right, bottom)``. Negative values crop.
        fill: the value (or one value per channel) of constant padding. Default: 0.
        padding_mode: ``'constant'``, ``'edge'`` (repeat the border pixel), ``'reflect'``
            (mirror without repeating the border) or ``'symmetric'`` (mirror repeating it).

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.pad(ember.tensor([[[1, 2]]]), [1, 0], padding_mode="edge")
        tensor([[[1, 1, 2, 2]]])
    """
    left, right, top, bottom = _parse_padding(padding, "pad")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(
            "pad: padding_mode must be one of 'constant', 'edge', 'reflect' or 'symmetric', "
            f"got {padding_mode!r}"
        )
    if fill is not None and not isinstance(fill, (numbers.Number, list, tuple)):
        raise TypeError(f"pad: fill must be a number or a sequence of numbers, got {fill!r}")
    return _apply(
        img,
        "pad",
        lambda im: _pad_pil(im, left, right, top, bottom, fill, padding_mode),
        lambda t: _pad_tensor(t, left, right, top, bottom, fill, padding_mode),
    )


def _crop_tensor(t, top, left, height, width):
    H, W = t.shape[-2:]
    bottom, right = top + height, left + width
    if left < 0 or top < 0 or right > W or bottom > H:
        inner = t[..., max(top, 0) : max(bottom, 0), max(left, 0) : max(right, 0)]
        h_in, w_in = inner.shape[-2:]
        pad_t, pad_l = max(-top, 0), max(-left, 0)
        return _pad_tensor(
            inner, pad_l, width - w_in - pad_l, pad_t, height - h_in - pad_t, 0, "constant"
        )
    return t[..., top:bottom, left:right]


def crop(img, top: int, left: int, height: int, width: int):
    """Crop the box of ``height x width`` pixels whose top-left corner is ``(top, left)``;
    the part of the box outside the image is zero.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.crop(ember.arange(9).reshape(1, 3, 3), 1, 1, 2, 2)
        tensor([[[4, 5],
                 [7, 8]]])
    """
    top, left, height, width = int(top), int(left), int(height), int(width)
    if height < 0 or width < 0:
        raise ValueError(f"crop: height and width must be >= 0, got {(height, width)}")
    return _apply(
        img,
        "crop",
        lambda im: im.crop((left, top, left + width, top + height)),
        lambda t: _crop_tensor(t, top, left, height, width),
    )


def _crop_size(size, op: str) -> tuple[int, int]:
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        return int(size), int(size)
    if isinstance(size, (list, tuple)) and len(size) in (1, 2):
        h, w = (size[0], size[0]) if len(size) == 1 else size
        return int(h), int(w)
    raise ValueError(f"{op}: size must be an int or a sequence of 1 or 2 ints, got {size!r}")


def center_crop(img, output_size):
    """Crop the centre of an image to ``output_size`` (an int for a square, or ``(h, w)``),
    padding with zeros where the crop is larger than the image.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.center_crop(ember.arange(16).reshape(1, 4, 4), 2)
        tensor([[[ 5,  6],
                 [ 9, 10]]])
    """
    crop_h, crop_w = _crop_size(output_size, "center_crop")
    _, height, width = get_dimensions(img)
    if crop_h > height or crop_w > width:
        pad_l = (crop_w - width) // 2 if crop_w > width else 0
        pad_t = (crop_h - height) // 2 if crop_h > height else 0
        pad_r = (crop_w - width + 1) // 2 if crop_w > width else 0
        pad_b = (crop_h - height + 1) // 2 if crop_h > height else 0
        img = pad(img, [pad_l, pad_t, pad_r, pad_b], fill=0)
        _, height, width = get_dimensions(img)
        if (crop_h, crop_w) == (height, width):
            return img
    top = round((height - crop_h) / 2.0)
    left = round((width - crop_w) / 2.0)
    return crop(img, top, left, crop_h, crop_w)


def resized_crop(
    img,
    top: int,
    left: int,
    height: int,
    width: int,
    size,
    interpolation=InterpolationMode.BILINEAR,
    antialias: bool | None = True,
):
    """Crop the box ``(top, left, height, width)`` and resize it to ``size``.

    As torchvision: the crop (zero-padded where the box leaves the image) is resized on its
    own, so pixels outside the box never reach the result.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.resized_crop(ember.zeros(3, 32, 32), 4, 4, 16, 8, [8, 4]).shape
        ember.Size([3, 8, 4])
    """
    top, left, height, width = int(top), int(left), int(height), int(width)
    if height <= 0 or width <= 0:
        raise ValueError(f"resized_crop: the crop box must be non-empty, got {(height, width)}")
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


# -- flips and multi-crops ------------------------------------------------------------------


def hflip(img):
    """Flip an image left to right.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.hflip(ember.tensor([[[1, 2, 3]]]))
        tensor([[[3, 2, 1]]])
    """
    return _apply(img, "hflip", lambda im: im.transpose(0), lambda t: t.flip(-1))


def vflip(img):
    """Flip an image top to bottom.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.vflip(ember.tensor([[[1], [2]]]))
        tensor([[[2],
                 [1]]])
    """
    return _apply(img, "vflip", lambda im: im.transpose(1), lambda t: t.flip(-2))


horizontal_flip = hflip
vertical_flip = vflip


def five_crop(img, size):
    """The four corner crops and the central crop of ``size`` (an int or ``(h, w)``).

    Returns:
        ``(top_left, top_right, bottom_left, bottom_right, center)``.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> [c.shape[-1] for c in F.five_crop(ember.zeros(1, 4, 5), 2)]
        [2, 2, 2, 2, 2]
    """
    crop_h, crop_w = _crop_size(size, "five_crop")
    _, height, width = get_dimensions(img)
    if crop_w > width or crop_h > height:
        raise ValueError(
            f"five_crop: requested crop size {(crop_h, crop_w)} is bigger than the input size "
            f"{(height, width)}"
        )
    tl = crop(img, 0, 0, crop_h, crop_w)
    tr = crop(img, 0, width - crop_w, crop_h, crop_w)
    bl = crop(img, height - crop_h, 0, crop_h, crop_w)
    br = crop(img, height - crop_h, width - crop_w, crop_h, crop_w)
    center = center_crop(img, [crop_h, crop_w])
    return tl, tr, bl, br, center


def ten_crop(img, size, vertical_flip: bool = False):
    """:func:`five_crop` of the image and of its flip (horizontal, or vertical when
    ``vertical_flip``): ten crops.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> len(F.ten_crop(ember.zeros(1, 4, 4), 2))
        10
    """
    first = five_crop(img, size)
    flipped = vflip(img) if vertical_flip else hflip(img)
    return first + five_crop(flipped, size)


# -- warps: rotate, affine, perspective -----------------------------------------------------


def _inverse_affine_matrix(center, angle, translate, scale, shear) -> list[float]:
    """torchvision's inverse of ``T * C * R * S * Sh * C^-1`` as a flat 2x3 matrix: maps output
    coordinates to input coordinates."""
    rot = math.radians(angle)
    sx, sy = math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [d / scale, -b / scale, 0.0, -c / scale, a / scale, 0.0]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty)
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty)
    m[2] += cx
    m[5] += cy
    return m


def _affine_output_size(matrix, width: int, height: int) -> tuple[int, int]:
    """``(w, h)`` of the canvas holding the whole transformed image (``expand=True``)."""
    hw, hh = 0.5 * width, 0.5 * height
    pts = np.array([[-hw, -hh, 1.0], [-hw, hh, 1.0], [hw, hh, 1.0], [hw, -hh, 1.0]], np.float32)
    theta = np.asarray(matrix, dtype=np.float32).reshape(2, 3)
    new = pts @ theta.T
    lo = new.min(axis=0) + np.array([hw, hh], np.float32)
    hi = new.max(axis=0) + np.array([hw, hh], np.float32)
    tol = 1e-4
    cmax = np.ceil(np.trunc(hi / tol) * tol)
    cmin = np.floor(np.trunc(lo / tol) * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def _affine_coords(matrix, in_w, in_h, out_w, out_h):
    """Input pixel coordinates (x, y), each ``(out_h, out_w)``, of the output pixel centres."""
    xo = np.arange(out_w, dtype=np.float64) + 0.5 - 0.5 * out_w
    yo = np.arange(out_h, dtype=np.float64)[:, None] + 0.5 - 0.5 * out_h
    m = matrix
    x = m[0] * xo + m[1] * yo + m[2] + 0.5 * in_w - 0.5
    y = m[3] * xo + m[4] * yo + m[5] + 0.5 * in_h - 0.5
    return x, y


def _perspective_coords(coeffs, width, height):
    xo = np.arange(width, dtype=np.float64) + 0.5
    yo = np.arange(height, dtype=np.float64)[:, None] + 0.5
    c = coeffs
    den = c[6] * xo + c[7] * yo + 1.0
    x = (c[0] * xo + c[1] * yo + c[2]) / den - 0.5
    y = (c[3] * xo + c[4] * yo + c[5]) / den - 0.5
    return x, y


def _sample_arrays(a, x, y, interpolation, fill, xp):
    """Sample ``a`` (..., C, H, W) at pixel coordinates ``x``, ``y`` (Note [Warps])."""
    H, W = a.shape[-2:]
    cdt = _compute_dtype(a.dtype)
    channels = 1 if a.ndim == 2 else a.shape[-3]
    if interpolation is InterpolationMode.NEAREST:
        ix, iy = np.rint(x).astype(np.int64), np.rint(y).astype(np.int64)
        valid = (ix >= 0) & (ix < W) & (iy >= 0) & (iy < H)
        vals = a[..., xp.asarray(np.clip(iy, 0, H - 1)), xp.asarray(np.clip(ix, 0, W - 1))]
        f = 0 if fill is None else _fill_array(fill, channels, xp, a.dtype, "warp")
        if a.ndim == 2 and fill is not None:
            f = f[0]
        return xp.where(xp.asarray(valid), vals, f)
    x0, y0 = np.floor(x), np.floor(y)
    fx, fy = (x - x0).astype(cdt), (y - y0).astype(cdt)
    x0, y0 = x0.astype(np.int64), y0.astype(np.int64)
    out = None
    mask = np.zeros(x.shape, dtype=cdt)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            ix, iy = x0 + dx, y0 + dy
            valid = (ix >= 0) & (ix < W) & (iy >= 0) & (iy < H)
            w = np.where(valid, wx * wy, 0).astype(cdt)
            mask += w
            vals = a[..., xp.asarray(np.clip(iy, 0, H - 1)), xp.asarray(np.clip(ix, 0, W - 1))]
            term = vals.astype(cdt) * xp.asarray(w)
            out = term if out is None else out + term
    if fill is not None:
        f = _fill_array(fill, channels, xp, cdt, "warp")
        if a.ndim == 2:
            f = f[0]
        m = xp.asarray(mask)
        out = (out - f) * m + f
    return _to_output_dtype(out, a.dtype, xp)


def _sample_autograd(t, x, y, interpolation, fill):
    """The differentiable version of :func:`_sample_arrays` (``grid_sample``)."""
    import ember.nn.functional as F

    H, W = t.shape[-2:]
    lead = tuple(t.shape[:-3])
    c = t.shape[-3] if t.ndim > 2 else 1
    t4 = t.reshape((-1, c, H, W))
    n = t4.shape[0]
    gx = (x + 0.5) * (2.0 / W) - 1.0
    gy = (y + 0.5) * (2.0 / H) - 1.0
    grid = np.broadcast_to(np.stack([gx, gy], -1)[None], (n,) + gx.shape + (2,))
    grid = ember.tensor(np.ascontiguousarray(grid), dtype=t.dtype, device=t.device)
    mode = interpolation.value
    out = F.grid_sample(t4, grid, mode=mode, padding_mode="zeros", align_corners=False)
    if fill is not None:
        ones = ember.ones((n, 1, H, W), dtype=t.dtype, device=t.device)
        mask = F.grid_sample(ones, grid, mode=mode, padding_mode="zeros", align_corners=False)
        f = ember.tensor(_fill_array(fill, c, np, np.float64, "warp"), dtype=t.dtype)
        f = f.to(t.device)
        if mode == "nearest":
            out = ember.where(mask < 0.5, f.expand(out.shape), out)
        else:
            out = (out - f) * mask + f
    shape = (lead + (c,) if t.ndim > 2 else ()) + tuple(out.shape[-2:])
    return out.reshape(shape)


def _warp_tensor(t, x, y, interpolation, fill, op):
    if interpolation not in (InterpolationMode.NEAREST, InterpolationMode.BILINEAR):
        raise ValueError(
            f"{op}: interpolation {interpolation} is not supported for tensors; use NEAREST or "
            "BILINEAR"
        )
    if _needs_grad(t) and t.is_floating_point():
        return _sample_autograd(t, x, y, interpolation, fill)
    return new_tensor(_sample_arrays(t._data, x, y, interpolation, fill, array_module(t)))


def _check_pil_interpolation(interpolation, op):
    if interpolation not in (
        InterpolationMode.NEAREST,
        InterpolationMode.BILINEAR,
        InterpolationMode.BICUBIC,
    ):
        raise ValueError(
            f"{op}: interpolation {interpolation} is not supported for PIL images; use "
            "NEAREST, BILINEAR or BICUBIC"
        )
    return _PIL_FILTERS[interpolation]


def _check_center(center, op):
    if center is not None and (not isinstance(center, (list, tuple)) or len(center) != 2):
        raise TypeError(f"{op}: center must be a sequence of two numbers (x, y), got {center!r}")


def rotate(
    img,
    angle: float,
    interpolation=InterpolationMode.NEAREST,
    expand: bool = False,
    center=None,
    fill=None,
):
    """Rotate an image by ``angle`` degrees counter-clockwise.

    Args:
        angle: the angle in degrees, counter-clockwise.
        interpolation: ``NEAREST`` or ``BILINEAR`` (``BICUBIC`` too for PIL images).
        expand: grow the output to hold the whole rotated image (about the image centre).
        center: the centre of rotation ``(x, y)`` in pixels; default: the image centre.
        fill: the value (or one value per channel) of pixels outside the source image.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.rotate(ember.tensor([[[1, 2], [3, 4]]]), 90)
        tensor([[[2, 4],
                 [1, 3]]])
    """
    interpolation = _interpolation(interpolation, "rotate")
    if not isinstance(angle, numbers.Real):
        raise TypeError(f"rotate: angle must be a number, got {angle!r}")
    _check_center(center, "rotate")

    def pil_kernel(im):
        resample = _check_pil_interpolation(interpolation, "rotate")
        fillcolor = _pil_fill(fill, im, "rotate")
        return im.rotate(
            angle, resample=resample, expand=expand, center=center, fillcolor=fillcolor
        )

    def tensor_kernel(t):
        if center is not None and expand:
            warnings.warn(
                "rotate: the center argument has no effect on the result when expand is True",
                stacklevel=3,
            )
        H, W = t.shape[-2:]
        center_f = [0.0, 0.0]
        if center is not None:
            center_f = [float(c) - s * 0.5 for c, s in zip(center, (W, H))]
        matrix = _inverse_affine_matrix(center_f, -float(angle) % 360, [0.0, 0.0], 1.0, [0, 0])
        out_w, out_h = _affine_output_size(matrix, W, H) if expand else (W, H)
        x, y = _affine_coords(matrix, W, H, out_w, out_h)
        return _warp_tensor(t, x, y, interpolation, fill, "rotate")

    return _apply(img, "rotate", pil_kernel, tensor_kernel)


def _affine_args(angle, translate, scale, shear):
    if not isinstance(angle, numbers.Real):
        raise TypeError(f"affine: angle must be a number, got {angle!r}")
    if not isinstance(translate, (list, tuple)) or len(translate) != 2:
        raise TypeError(f"affine: translate must be a sequence of two numbers, got {translate!r}")
    if not isinstance(scale, numbers.Real) or scale <= 0.0:
        raise ValueError(f"affine: scale must be a positive number, got {scale!r}")
    if isinstance(shear, numbers.Real):
        shear = [float(shear), 0.0]
    elif isinstance(shear, (list, tuple)) and len(shear) in (1, 2):
        shear = [float(shear[0])] * 2 if len(shear) == 1 else [float(s) for s in shear]
    else:
        raise TypeError(f"affine: shear must be a number or a sequence of two, got {shear!r}")
    return float(angle), [float(t) for t in translate], float(scale), shear


def affine(
    img,
    angle: float,
    translate,
    scale: float,
    shear,
    interpolation=InterpolationMode.NEAREST,
    fill=None,
    center=None,
):
    """Apply an affine transformation keeping the image centre fixed: rotate by ``angle``
    degrees (clockwise), scale by ``scale``, shear by ``shear`` degrees (x, then y) and
    translate by ``translate`` pixels.

    Args:
        angle: rotation in degrees, clockwise.
        translate: ``(dx, dy)`` in pixels.
        scale: overall scale (> 0).
        shear: a number (x shear) or ``(shear_x, shear_y)`` in degrees.
        interpolation: ``NEAREST`` or ``BILINEAR`` (``BICUBIC`` too for PIL images).
        fill: the value (or one value per channel) of pixels outside the source image.
        center: the centre ``(x, y)`` in pixels; default: the image centre.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.affine(ember.tensor([[[1, 2, 3]]]), 0.0, [1, 0], 1.0, 0.0)
        tensor([[[0, 1, 2]]])
    """
    interpolation = _interpolation(interpolation, "affine")
    angle, translate, scale, shear = _affine_args(angle, translate, scale, shear)
    _check_center(center, "affine")

    def pil_kernel(im):
        from PIL import Image

        resample = _check_pil_interpolation(interpolation, "affine")
        c = [im.width * 0.5, im.height * 0.5] if center is None else list(center)
        matrix = _inverse_affine_matrix(c, angle, translate, scale, shear)
        fillcolor = _pil_fill(fill, im, "affine")
        return im.transform(im.size, Image.AFFINE, matrix, resample, fillcolor=fillcolor)

    def tensor_kernel(t):
        H, W = t.shape[-2:]
        center_f = [0.0, 0.0]
        if center is not None:
            center_f = [float(c) - s * 0.5 for c, s in zip(center, (W, H))]
        matrix = _inverse_affine_matrix(center_f, angle, translate, scale, shear)
        x, y = _affine_coords(matrix, W, H, W, H)
        return _warp_tensor(t, x, y, interpolation, fill, "affine")

    return _apply(img, "affine", pil_kernel, tensor_kernel)


def _get_perspective_coeffs(startpoints, endpoints) -> list[float]:
    """The 8 coefficients of the homography mapping ``endpoints`` to ``startpoints`` (least
    squares in float64), as Pillow's ``Image.PERSPECTIVE`` takes them."""
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(
            f"perspective: expected exactly four corners, got {len(startpoints)} startpoints "
            f"and {len(endpoints)} endpoints"
        )
    a = np.zeros((8, 8), dtype=np.float64)
    for i, (p1, p2) in enumerate(zip(endpoints, startpoints)):
        a[2 * i] = [p1[0], p1[1], 1, 0, 0, 0, -p2[0] * p1[0], -p2[0] * p1[1]]
        a[2 * i + 1] = [0, 0, 0, p1[0], p1[1], 1, -p2[1] * p1[0], -p2[1] * p1[1]]
    b = np.asarray(startpoints, dtype=np.float64).reshape(8)
    res = np.linalg.lstsq(a, b, rcond=None)[0].astype(np.float32)
    return [float(v) for v in res]


def perspective(
    img,
    startpoints,
    endpoints,
    interpolation=InterpolationMode.BILINEAR,
    fill=None,
    coefficients=None,
):
    """Apply the perspective transformation moving the four ``startpoints`` (corners ``[x, y]``
    of the original image: top-left, top-right, bottom-right, bottom-left) to ``endpoints``.

    Args:
        interpolation: ``NEAREST`` or ``BILINEAR`` (``BICUBIC`` too for PIL images).
        fill: the value (or one value per channel) of pixels outside the source image.
        coefficients: the 8 homography coefficients, instead of the points.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> pts = [[0, 0], [3, 0], [3, 3], [0, 3]]
        >>> F.perspective(ember.ones(1, 4, 4), pts, pts).sum().item()
        16.0
    """
    interpolation = _interpolation(interpolation, "perspective")
    if coefficients is not None:
        if startpoints is not None or endpoints is not None:
            raise ValueError("perspective: give either the points or coefficients, not both")
        if len(coefficients) != 8:
            raise ValueError(
                f"perspective: coefficients must have 8 values, got {len(coefficients)}"
            )
        coeffs = [float(c) for c in coefficients]
    elif startpoints is None or endpoints is None:
        raise ValueError("perspective: give startpoints and endpoints, or coefficients")
    else:
        coeffs = _get_perspective_coeffs(startpoints, endpoints)

    def pil_kernel(im):
        from PIL import Image

        resample = _check_pil_interpolation(interpolation, "perspective")
        fillcolor = _pil_fill(fill, im, "perspective")
        return im.transform(im.size, Image.PERSPECTIVE, coeffs, resample, fillcolor=fillcolor)

    def tensor_kernel(t):
        H, W = t.shape[-2:]
        x, y = _perspective_coords(coeffs, W, H)
        return _warp_tensor(t, x, y, interpolation, fill, "perspective")

    return _apply(img, "perspective", pil_kernel, tensor_kernel)
