"""``normalize``: per-channel standardisation of float images."""

from __future__ import annotations

import functools
import numbers

import numpy as np

import ember
from ember.ops._core import new_tensor

from .._image import array_module, describe, is_pil_image

__all__ = ["normalize"]


def _as_tuple(values) -> tuple:
    if isinstance(values, ember.Tensor):
        values = values.tolist()
    if isinstance(values, numbers.Number):
        return (float(values),)
    return tuple(float(v) for v in values)


@functools.lru_cache(maxsize=64)
def _column(values: tuple, dtype) -> np.ndarray:
    """``values`` as a read-only (C, 1, 1) array (cached: pipelines reuse the same ones)."""
    arr = np.asarray(values, dtype=dtype).reshape(-1, 1, 1)
    arr.flags.writeable = False
    return arr


def _channel_values(values: tuple, name: str, channels: int, dtype, xp):
    if len(values) not in (1, channels):
        raise ValueError(
            f"normalize: {name} has {len(values)} values but the image has {channels} channels"
        )
    arr = _column(values, np.dtype(dtype))
    return arr if xp is np else xp.asarray(arr)


def _check_std(std):
    if any(s == 0.0 for s in _as_tuple(std)):
        raise ValueError(
            f"normalize: std evaluated to zero, leading to division by zero (std={std})"
        )


def normalize(tensor, mean, std, inplace: bool = False):
    """Standardise each channel: ``output[c] = (input[c] - mean[c]) / std[c]``.

    Args:
        tensor: a float tensor ``(..., C, H, W)`` (or a float ndarray ``(H, W, C)``).
        mean: one value per channel (or one for all).
        std: one value per channel (or one for all), none zero.
        inplace: write the result into ``tensor``.

    Example:
        >>> import ember
        >>> from ember_vision.transforms import functional as F
        >>> F.normalize(ember.ones(2, 1, 2), mean=[0.5, 0.0], std=[0.5, 2.0])
        tensor([[[1.0000, 1.0000]],
        <BLANKLINE>
                [[0.5000, 0.5000]]])
    """
    if is_pil_image(tensor):
        raise TypeError("normalize: PIL images are not supported; convert to a float tensor first")
    if isinstance(tensor, np.ndarray):
        if tensor.ndim not in (2, 3):
            raise TypeError(f"normalize: expected an (H, W[, C]) ndarray, got {describe(tensor)}")
        chw = tensor[None] if tensor.ndim == 2 else tensor.transpose(2, 0, 1)
        out = normalize(ember.from_numpy(chw), mean, std, inplace)
        arr = out.numpy()
        return arr[0] if tensor.ndim == 2 else arr.transpose(1, 2, 0)
    if not isinstance(tensor, ember.Tensor):
        raise TypeError(f"normalize: expected a float ember.Tensor, got {describe(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(
            f"normalize: input tensor should be a float tensor, got {tensor.dtype}; convert it "
            "with to_dtype(..., scale=True) first"
        )
    if tensor.ndim < 3:
        raise ValueError(
            "normalize: expected a tensor image of shape (..., C, H, W), got shape "
            f"{tuple(tensor.shape)}"
        )
    mean, std = _as_tuple(mean), _as_tuple(std)
    _check_std(std)
    xp = array_module(tensor)
    dtype = tensor._data.dtype
    channels = tensor.shape[-3]
    mean_a = _channel_values(mean, "mean", channels, dtype, xp)
    std_a = _channel_values(std, "std", channels, dtype, xp)
    if tensor.requires_grad and ember.is_grad_enabled():
        mean_t, std_t = new_tensor(mean_a), new_tensor(std_a)
        if inplace:
            return tensor.sub_(mean_t).div_(std_t)
        return (tensor - mean_t) / std_t
    if inplace:
        from ember.ops.inplace import bump_version

        a = tensor._data
        xp.subtract(a, mean_a, out=a)
        xp.divide(a, std_a, out=a)
        bump_version(tensor)
        return tensor
    out = xp.subtract(tensor._data, mean_a)
    xp.divide(out, std_a, out=out)
    return new_tensor(out)
