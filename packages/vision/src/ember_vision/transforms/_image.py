"""What an image is to the transforms, and the conversions between its three kinds.

A transform accepts:

- a Pillow image (``PIL.Image.Image``), any mode;
- an Ember tensor of shape ``(..., C, H, W)`` (uint8 or floating point; leading dimensions
  are a batch and get the same parameters), on any device;
- a NumPy array ``(H, W)`` or ``(H, W, C)``, as Pillow and OpenCV lay images out.

Each kernel works on one kind and returns the same kind it was given: NumPy arrays go through
the tensor kernels as ``(C, H, W)`` views and come back ``(H, W, C)`` (or ``(H, W)``).
"""

from __future__ import annotations

import enum
import sys

import numpy as np

import ember

__all__ = [
    "InterpolationMode",
    "is_pil_image",
    "is_image",
    "get_dimensions",
    "get_size",
    "get_num_channels",
    "array_module",
    "ndarray_to_chw",
    "chw_to_ndarray",
    "check_tensor_image",
    "describe",
]


class InterpolationMode(enum.Enum):
    """Interpolation modes, with torchvision's names and Pillow's filter numbers."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def is_pil_image(obj) -> bool:
    """True for a Pillow image (without importing Pillow when nothing imported it yet)."""
    pil = sys.modules.get("PIL.Image")
    return pil is not None and isinstance(obj, pil.Image)


def is_image(obj) -> bool:
    """True for the three kinds of image a transform accepts."""
    return (
        isinstance(obj, ember.Tensor)
        or is_pil_image(obj)
        or (isinstance(obj, np.ndarray) and obj.ndim in (2, 3))
    )


def describe(obj) -> str:
    """A short description of an input for error messages."""
    if isinstance(obj, ember.Tensor):
        return f"Tensor of shape {tuple(obj.shape)} and dtype {obj.dtype}"
    if isinstance(obj, np.ndarray):
        return f"ndarray of shape {obj.shape} and dtype {obj.dtype}"
    if is_pil_image(obj):
        return f"PIL image of mode {obj.mode!r} and size {obj.size}"
    return type(obj).__name__


def check_tensor_image(t, op: str):
    """Raise a clear error unless ``t`` is a tensor of shape (..., C, H, W) or (H, W)."""
    if t.ndim < 2:
        raise TypeError(
            f"{op}: expected an image tensor of shape (..., C, H, W), got shape {tuple(t.shape)}"
        )


def get_dimensions(img) -> list[int]:
    """``[channels, height, width]`` of an image of any kind."""
    if isinstance(img, ember.Tensor):
        check_tensor_image(img, "get_dimensions")
        channels = 1 if img.ndim == 2 else img.shape[-3]
        return [channels, img.shape[-2], img.shape[-1]]
    if isinstance(img, np.ndarray):
        if img.ndim not in (2, 3):
            raise TypeError(f"get_dimensions: expected an HW or HWC ndarray, got {describe(img)}")
        channels = 1 if img.ndim == 2 else img.shape[2]
        return [channels, img.shape[0], img.shape[1]]
    if is_pil_image(img):
        width, height = img.size
        return [len(img.getbands()), height, width]
    raise TypeError(f"expected a PIL image, an ember.Tensor or an ndarray, got {describe(img)}")


def get_size(img) -> list[int]:
    """``[height, width]`` of an image of any kind."""
    return get_dimensions(img)[1:]


def get_num_channels(img) -> int:
    """The number of channels of an image of any kind."""
    return get_dimensions(img)[0]


def array_module(t):
    """NumPy or CuPy: the array module of a tensor's data."""
    data = t._data
    if data.__class__ is np.ndarray:
        return np
    from ember.backends import array_module_of

    return array_module_of(data)


def ndarray_to_chw(arr: np.ndarray) -> ember.Tensor:
    """An HW or HWC ndarray as a (C, H, W) tensor sharing its memory."""
    if arr.ndim == 2:
        arr = arr[None]
    elif arr.ndim == 3:
        arr = arr.transpose(2, 0, 1)
    else:
        raise TypeError(f"expected an HW or HWC ndarray, got {describe(arr)}")
    return ember.from_numpy(arr) if arr.dtype != np.bool_ else ember.tensor(arr)


def chw_to_ndarray(t: ember.Tensor, like: np.ndarray) -> np.ndarray:
    """A (C, H, W) tensor back in the layout of ``like`` (HW or HWC)."""
    arr = t.detach().cpu().numpy()
    if like.ndim == 2:
        return np.ascontiguousarray(arr[0])
    return np.ascontiguousarray(arr.transpose(1, 2, 0))
