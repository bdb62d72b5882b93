"""Conversions between image kinds and dtypes: ``to_tensor``, ``pil_to_tensor``, ``to_image``,
``to_pil_image``, ``to_dtype``, ``convert_image_dtype``, and the v1 size queries.

Note [Dtype scaling]
    With ``scale=True`` (and in ``convert_image_dtype``) values move between the value ranges
    of the dtypes as torchvision moves them: an integer image covers ``[0, max]`` of its
    dtype, a float image ``[0, 1]``. Integer to float multiplies by ``1 / max``; float to
    integer multiplies by ``max + 1 - 0.001`` and truncates, so that the whole interval
    ``[0, 1]`` maps evenly onto the integers (``1.0`` gives ``max``); integer to integer shifts
    by the difference of value bits (uint8 has 8, int16 15, int32 31, int64 63).
"""

from __future__ import annotations

import sys

import numpy as np

import ember
from ember.ops._core import new_tensor

from .._image import array_module, describe, is_pil_image

__all__ = [
    "to_tensor",
    "pil_to_tensor",
    "to_image",
    "to_pil_image",
    "to_dtype",
    "convert_image_dtype",
    "get_image_size",
    "get_image_num_channels",
]

_VALUE_BITS = {
    np.dtype(np.uint8): 8,
    np.dtype(np.int8): 7,
    np.dtype(np.int16): 15,
    np.dtype(np.uint16): 16,
    np.dtype(np.int32): 31,
    np.dtype(np.uint32): 32,
    np.dtype(np.int64): 63,
    np.dtype(np.uint64): 64,
}


def _pil_array(pic) -> np.ndarray:
    """The pixels of a PIL image as a writable (H, W, C) array in Pillow's layout.

    ``np.asarray`` wraps Pillow's read-only pixel bytes; one contiguous copy (a memcpy, far
    cheaper than a transposing copy) makes the tensor safe for in-place changes."""
    arr = np.asarray(pic)
    if pic.mode == "1":
        arr = arr.astype(np.uint8) * 255
    elif not arr.flags.writeable:
        arr = arr.copy()
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return arr


def pil_to_tensor(pic) -> ember.Tensor:
    """A PIL image as a ``(C, H, W)`` tensor of its own dtype (uint8 for 8-bit modes), without
    rescaling: a channels-first view of a copy of its pixels.

    Example:
        >>> from PIL import Image
        >>> from ember_vision.transforms import functional as F
        >>> F.pil_to_tensor(Image.new("RGB", (4, 2), (10, 20, 30)))[:, 0, 0]
        tensor([10, 20, 30], dtype=ember.uint8)
    """
    if not is_pil_image(pic):
        raise TypeError(f"pil_to_tensor: pic should be a PIL image, got {describe(pic)}")
    return ember.from_numpy(_pil_array(pic).transpose(2, 0, 1))


def to_tensor(pic) -> ember.Tensor:
    """A PIL image or an ``(H, W[, C])`` ndarray as a ``(C, H, W)`` tensor; uint8 values are
    divided by 255 into the default float dtype (torchvision's ``ToTensor``).

    Example:
        >>> import numpy as np
        >>> from ember_vision.transforms import functional as F
        >>> F.to_tensor(np.full((1, 2, 3), 255, dtype=np.uint8))[:, 0, 0]
        tensor([1., 1., 1.])
    """
    if is_pil_image(pic):
        arr = _pil_array(pic)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"to_tensor: pic should be 2 or 3 dimensional, got {describe(pic)}")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"to_tensor: pic should be a PIL image or an ndarray, got {describe(pic)}")
    chw = arr.transpose(2, 0, 1)
    if chw.dtype == np.uint8:
        out = np.divide(chw, 255, dtype=ember.get_default_dtype().np, order="C")
        return new_tensor(out)
    if chw.dtype == np.bool_:
        return ember.tensor(np.ascontiguousarray(chw))
    return ember.from_numpy(np.ascontiguousarray(chw))


def to_image(inpt) -> ember.Tensor:
    """Any image as a ``(C, H, W)`` (or batched) tensor, keeping its dtype: a PIL image or an
    ``(H, W[, C])`` ndarray becomes a channels-first view of its pixels; a tensor is returned
    as it is.

    Example:
        >>> import numpy as np
        >>> from ember_vision.transforms import functional as F
        >>> F.to_image(np.zeros((4, 5, 3), dtype=np.uint8)).shape
        ember.Size([3, 4, 5])
    """
    if isinstance(inpt, ember.Tensor):
        return inpt
    if is_pil_image(inpt):
        arr = _pil_array(inpt)
    elif isinstance(inpt, np.ndarray):
        arr = np.atleast_3d(inpt) if inpt.ndim == 2 else inpt
        if arr.ndim != 3:
            raise ValueError(f"to_image: expected an (H, W[, C]) ndarray, got {describe(inpt)}")
    else:
        raise TypeError(
            f"to_image: expected a PIL image, an ndarray or an ember.Tensor, got {describe(inpt)}"
        )
    chw = arr.transpose(2, 0, 1)
    if chw.dtype == np.bool_:
        return ember.tensor(np.ascontiguousarray(chw))
    return ember.from_numpy(chw)


def to_pil_image(pic, mode: str | None = None):
    """A ``(C, H, W)`` tensor or an ``(H, W[, C])`` ndarray as a PIL image.

    Float tensors are scaled by 255 to uint8 (unless ``mode='F'``). Without ``mode``, the
    mode follows the channels and dtype: 1 channel gives ``L`` (uint8), ``I;16`` (int16),
    ``I`` (int32) or ``F`` (float32); 2 gives ``LA``, 3 ``RGB``, 4 ``RGBA`` (uint8).

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.to_pil_image(ember.zeros(3, 2, 4)).size
        (4, 2)
    """
    from PIL import Image

    if isinstance(pic, ember.Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(
                f"to_pil_image: pic should be 2 or 3 dimensional, got {pic.ndim} dimensions "
                f"({describe(pic)})"
            )
        t = pic.detach().cpu()
        if t.ndim == 2:
            t = t.unsqueeze(0)
        if t.shape[0] > 4:
            raise ValueError(f"to_pil_image: pic should not have > 4 channels, got {t.shape[0]}")
        arr = t.numpy()
        if t.is_floating_point() and mode != "F":
            arr = (arr * 255).astype(np.uint8)
        npimg = arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(
                f"to_pil_image: pic should be 2 or 3 dimensional, got {pic.ndim} dimensions "
                f"({describe(pic)})"
            )
        npimg = pic[:, :, None] if pic.ndim == 2 else pic
        if npimg.shape[-1] > 4:
            raise ValueError(
                f"to_pil_image: pic should not have > 4 channels, got {npimg.shape[-1]}"
            )
    else:
        raise TypeError(
            f"to_pil_image: pic should be an ember.Tensor or an ndarray, got {describe(pic)}"
        )
    channels = npimg.shape[2]
    if channels == 1:
        npimg = npimg[:, :, 0]
        expected = {
            np.dtype(np.uint8): "L",
            np.dtype(np.int16): "I;16" if sys.byteorder == "little" else "I;16B",
            np.dtype(np.int32): "I",
            np.dtype(np.float32): "F",
        }.get(npimg.dtype)
        if mode is not None and mode != expected:
            raise ValueError(
                f"to_pil_image: incorrect mode ({mode}) supplied for input type {npimg.dtype}; "
                f"should be {expected}"
            )
        mode = expected
    else:
        permitted = {2: ["LA"], 3: ["RGB", "YCbCr", "HSV"], 4: ["RGBA", "CMYK", "RGBX"]}
        if mode is not None and mode not in permitted[channels]:
            raise ValueError(
                f"to_pil_image: only modes {permitted[channels]} are supported for "
                f"{channels}-channel inputs, got {mode!r}"
            )
        if mode is None and npimg.dtype == np.uint8:
            mode = permitted[channels][0]
    if mode is None:
        raise TypeError(f"to_pil_image: input type {npimg.dtype} is not supported")
    npimg = np.ascontiguousarray(npimg)
    if mode in ("I;16", "I;16B"):
        return Image.frombytes(mode, (npimg.shape[1], npimg.shape[0]), npimg.tobytes())
    if npimg.dtype == np.uint8 and mode not in ("L", "LA", "RGB", "RGBA"):
        return Image.frombytes(mode, (npimg.shape[1], npimg.shape[0]), npimg.tobytes())
    return Image.fromarray(npimg)


def _max_value(dt: np.dtype) -> float:
    if dt.kind == "f":
        return 1.0
    if dt == np.bool_:
        return 1
    return int(np.iinfo(dt).max)


def _to_dtype_array(a, dt: np.dtype, scale: bool, xp):
    src = a.dtype
    if src == dt:
        return a
    if not scale:
        return a.astype(dt)
    float_in, float_out = src.kind == "f", dt.kind == "f"
    if float_in and float_out:
        return a.astype(dt)
    if float_in:
        if (src == np.float32 and dt in (np.int32, np.int64)) or (
            src == np.float64 and dt == np.int64
        ):
            raise RuntimeError(
                f"to_dtype: the conversion from {src} to {dt} cannot be performed safely"
            )
        work = np.promote_types(src, np.float32)
        return xp.multiply(a, _max_value(dt) + 1.0 - 1e-3, dtype=work).astype(dt)
    if float_out:
        # Cast and scale in one pass in the input's memory order, then make the result
        # channels-first in memory: transposing 4-byte floats is several times faster than
        # transposing the bytes of a channels-last uint8 image.
        work = np.promote_types(dt, np.float32)
        out = xp.multiply(a, work.type(1.0 / _max_value(src)), dtype=work)
        if work != dt:
            out = out.astype(dt)
        return out if out.flags.c_contiguous else xp.ascontiguousarray(out)
    if src == np.bool_ or dt == np.bool_:
        return a.astype(dt)
    bits_in, bits_out = _VALUE_BITS[src], _VALUE_BITS[dt]
    if bits_in > bits_out:
        return (a >> (bits_in - bits_out)).astype(dt)
    return a.astype(dt) << (bits_out - bits_in)


def to_dtype(inpt, dtype=ember.float32, scale: bool = False):
    """Convert an image to ``dtype``, rescaling the values with ``scale=True`` (Note [Dtype
    scaling]). PIL images are returned unchanged.

    Args:
        inpt: a tensor ``(..., C, H, W)``, an ndarray ``(H, W[, C])`` or a PIL image.
        dtype: the ember dtype wanted.
        scale: move the values into the new dtype's value range.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.to_dtype(ember.tensor([[[0, 51, 255]]], dtype=ember.uint8), ember.float32, True)
        tensor([[[0.0000, 0.2000, 1.0000]]])
    """
    if not isinstance(dtype, ember.dtype):
        raise TypeError(f"to_dtype: dtype must be an ember.dtype, got {dtype!r}")
    if is_pil_image(inpt):
        return inpt
    if isinstance(inpt, np.ndarray):
        if inpt.ndim not in (2, 3):
            raise TypeError(f"to_dtype: expected an (H, W[, C]) ndarray, got {describe(inpt)}")
        return _to_dtype_array(inpt, dtype.np, scale, np)
    if not isinstance(inpt, ember.Tensor):
        raise TypeError(
            f"to_dtype: expected an ember.Tensor, an ndarray or a PIL image, got {describe(inpt)}"
        )
    if inpt.dtype == dtype:
        return inpt
    if inpt.requires_grad and ember.is_grad_enabled() and dtype.is_floating_point:
        out = inpt.to(dtype)
        if scale and not inpt.is_floating_point():
            out = out * (1.0 / _max_value(inpt._data.dtype))
        return out
    return new_tensor(_to_dtype_array(inpt._data, dtype.np, scale, array_module(inpt)))


def convert_image_dtype(image, dtype=ember.float32):
    """Convert a tensor image to ``dtype`` with value rescaling (``to_dtype(..., scale=True)``).

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.convert_image_dtype(ember.tensor([[[0.0, 1.0]]]), ember.uint8)
        tensor([[[  0, 255]]], dtype=ember.uint8)
    """
    if not isinstance(image, ember.Tensor):
        raise TypeError(f"convert_image_dtype: expected an ember.Tensor, got {describe(image)}")
    return to_dtype(image, dtype, scale=True)


def get_image_size(img) -> list[int]:
    """``[width, height]`` of an image (torchvision v1's order; ``get_size`` gives ``[h, w]``).

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.get_image_size(ember.zeros(3, 4, 5))
        [5, 4]
    """
    from .._image import get_dimensions

    _, height, width = get_dimensions(img)
    return [width, height]


def get_image_num_channels(img) -> int:
    """The number of channels of an image.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.get_image_num_channels(ember.zeros(3, 4, 5))
        3
    """
    from .._image import get_num_channels

    return get_num_channels(img)
