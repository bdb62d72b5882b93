"""SpecAugment-style masking of bands of frequencies or time steps."""

from __future__ import annotations

import ember

from ._checks import check_tensor

__all__ = ["mask_along_axis", "mask_along_axis_iid"]


def _check_axis(op: str, dim: int, axis: int, p: float) -> None:
    if axis not in (dim - 2, dim - 1):
        raise ValueError(
            f"{op}(): only frequency and time masking are supported (axis {dim - 2} and axis "
            f"{dim - 1} for a {dim}D input), got axis={axis}"
        )
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{op}(): the value of p must be between 0.0 and 1.0, got {p}")


def _mask_param(mask_param: int, p: float, axis_length: int) -> int:
    if p == 1.0:
        return mask_param
    return min(mask_param, int(axis_length * p))


def mask_along_axis_iid(
    specgrams: ember.Tensor,
    mask_param: int,
    mask_value: float,
    axis: int,
    p: float = 1.0,
) -> ember.Tensor:
    r"""Mask a band ``[v_0, v_0 + v)`` along ``axis``, drawn independently for every
    spectrogram of the batch: ``v ~ U(0, max_v)`` and ``v_0 ~ U(0, size - v)`` (both floored),
    with ``max_v = mask_param`` for ``p = 1`` and ``min(mask_param, floor(size * p))``
    otherwise. Draws use ``ember``'s global generator (reproducible with
    ``ember.manual_seed``).

    Args:
        specgrams: real spectrograms ``(..., freq, time)``, at least 3D.
        mask_param: the largest mask width.
        mask_value: the value written in the masked band (a float or a Tensor).
        axis: ``dim - 2`` (frequency) or ``dim - 1`` (time).
        p: the largest fraction of the axis that may be masked. Default: 1.0.

    Returns:
        Tensor of the shape of ``specgrams``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> _ = ember.manual_seed(0)
        >>> AF.mask_along_axis_iid(ember.ones(4, 2, 20, 30), 10, 0.0, 3).shape
        ember.Size([4, 2, 20, 30])
    """
    check_tensor("mask_along_axis_iid", "specgrams", specgrams)
    dim = specgrams.dim()
    if dim < 3:
        raise ValueError(
            "mask_along_axis_iid(): expected spectrograms of at least 3 dimensions "
            f"(batch, freq, time), got shape {list(specgrams.shape)}"
        )
    _check_axis("mask_along_axis_iid", dim, axis, p)
    size = specgrams.shape[axis]
    mask_param = _mask_param(mask_param, p, size)
    if mask_param < 1:
        return specgrams
    lead = tuple(specgrams.shape[: dim - 2])
    options = dict(dtype=specgrams.dtype, device=specgrams.device)
    value = ember.rand(*lead, **options) * mask_param
    min_value = ember.rand(*lead, **options) * (size - value)
    mask_start = min_value.long()[..., None, None]
    mask_end = (min_value.long() + value.long())[..., None, None]
    positions = ember.arange(0, size, device=specgrams.device)
    mask = (positions >= mask_start) & (positions < mask_end)  # (..., 1, size)
    moved = specgrams.transpose(axis, -1)
    if isinstance(mask_value, ember.Tensor):
        fill = mask_value.to(dtype=specgrams.dtype, device=specgrams.device).expand_as(moved)
        moved = ember.where(mask, fill, moved)
    else:
        moved = moved.masked_fill(mask, mask_value)
    return moved.transpose(axis, -1)


def mask_along_axis(
    specgram: ember.Tensor,
    mask_param: int,
    mask_value: float,
    axis: int,
    p: float = 1.0,
) -> ember.Tensor:
    r"""Mask one band ``[v_0, v_0 + v)`` along ``axis``, the same for every spectrogram of
    the batch (see :func:`mask_along_axis_iid` for the draws).

    Args:
        specgram: real spectrograms ``(..., freq, time)``, at least 2D.
        mask_param: the largest mask width.
        mask_value: the value written in the masked band.
        axis: ``dim - 2`` (frequency) or ``dim - 1`` (time).
        p: the largest fraction of the axis that may be masked. Default: 1.0.

    Returns:
        Tensor of the shape of ``specgram``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> _ = ember.manual_seed(0)
        >>> AF.mask_along_axis(ember.ones(2, 20, 30), 10, 0.0, 1).shape
        ember.Size([2, 20, 30])
    """
    check_tensor("mask_along_axis", "specgram", specgram)
    dim = specgram.dim()
    if dim < 2:
        raise ValueError(
            "mask_along_axis(): expected a spectrogram of at least 2 dimensions (freq, time), "
            f"got shape {list(specgram.shape)}"
        )
    _check_axis("mask_along_axis", dim, axis, p)
    size = specgram.shape[axis]
    mask_param = _mask_param(mask_param, p, size)
    if mask_param < 1:
        return specgram
    value = float(ember.rand(1)) * mask_param
    min_value = float(ember.rand(1)) * (size - value)
    mask_start = int(min_value)
    mask_end = int(min_value) + int(value)
    positions = ember.arange(0, size, device=specgram.device)
    mask = (positions >= mask_start) & (positions < mask_end)
    if axis == dim - 2:
        mask = mask.unsqueeze(-1)
    if isinstance(mask_value, ember.Tensor):
        fill = mask_value.to(dtype=specgram.dtype, device=specgram.device)
        return ember.where(mask, fill, specgram)
    return specgram.masked_fill(mask, mask_value)
