"""RoIAlign (Mask R-CNN): bilinear sampling of regions of interest.

The sampling positions and bilinear weights depend only on the boxes (which, as in
torchvision, receive no gradient); the features are gathered with Ember indexing, so the
result is differentiable with respect to ``input``.
"""

from __future__ import annotations

import math

import numpy as np

import ember
from ember import nn

from ._utils import check_input, pair, rois_array

__all__ = ["RoIAlign", "roi_align"]


def _axis_samples(start, size, bins, grid, length):
    """Low/high indices and weights along one axis: arrays of shape (bins * grid,)."""
    p = np.arange(bins)[:, None]
    i = np.arange(grid)[None, :]
    pos = (start + p * (size / bins) + (i + 0.5) * (size / bins) / grid).reshape(-1)
    valid = (pos >= -1.0) & (pos <= length)
    pos = np.where(pos <= 0, 0.0, pos)
    low = pos.astype(np.int64)
    edge = low >= length - 1
    low = np.where(edge, length - 1, low)
    high = np.where(edge, length - 1, low + 1)
    pos = np.where(edge, low.astype(np.float64), pos)
    frac = pos - low
    return low, high, (1.0 - frac) * valid, frac * valid


def roi_align(
    input, boxes, output_size, spatial_scale: float = 1.0, sampling_ratio: int = -1, aligned=False
):
    """Pool each box of ``boxes`` to ``output_size`` by averaging bilinear samples.

    Args:
        input: ``(N, C, H, W)`` features.
        boxes: ``(K, 5)`` tensor of ``[batch_index, x1, y1, x2, y2]`` or a list of ``(L, 4)``.
        output_size: ``int`` or ``(h, w)``.
        spatial_scale: factor mapping box coordinates to the input's.
        sampling_ratio: samples per bin side; ``<= 0`` picks ``ceil(box_size / output_size)``.
        aligned: shift boxes by half a pixel (the corrected, pixel-centred version).

    Example:
        >>> import ember
        >>> x = ember.arange(16.).reshape(1, 1, 4, 4)
        >>> roi_align(x, ember.tensor([[0., 0., 0., 2., 2.]]), 1, aligned=True)
        tensor([[[[2.5000]]]])
    """
    check_input(input, "roi_align")
    rois = rois_array(boxes)
    ph, pw = pair(output_size)
    _, c, h, w = input.shape
    offset = 0.5 if aligned else 0.0
    outs = []
    for b, x1, y1, x2, y2 in rois:
        sx, sy = x1 * spatial_scale - offset, y1 * spatial_scale - offset
        rw, rh = x2 * spatial_scale - offset - sx, y2 * spatial_scale - offset - sy
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        gh = sampling_ratio if sampling_ratio > 0 else math.ceil(rh / ph)
        gw = sampling_ratio if sampling_ratio > 0 else math.ceil(rw / pw)
        if gh <= 0 or gw <= 0:
            outs.append(ember.zeros(c, ph, pw, dtype=input.dtype, device=input.device))
            continue
        yl, yh, wyl, wyh = _axis_samples(sy, rh, ph, gh, h)
        xl, xh, wxl, wxh = _axis_samples(sx, rw, pw, gw, w)
        feat = input[int(b)]
        val = 0
        for yi, wy in ((yl, wyl), (yh, wyh)):
            for xi, wx in ((xl, wxl), (xh, wxh)):
                weight = ember.tensor(
                    wy[:, None] * wx[None, :], dtype=input.dtype, device=input.device
                )
                val = val + feat[:, yi[:, None], xi[None, :]] * weight
        outs.append(val.reshape(c, ph, gh, pw, gw).sum(dim=(2, 4)) / (gh * gw))
    if not outs:
        return ember.zeros(0, c, ph, pw, dtype=input.dtype, device=input.device)
    return ember.stack(outs)


class RoIAlign(nn.Module):
    """Module form of :func:`roi_align`."""

    def __init__(self, output_size, spatial_scale: float, sampling_ratio: int, aligned=False):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio
        self.aligned = aligned

    def forward(self, input, rois):
        return roi_align(
            input, rois, self.output_size, self.spatial_scale, self.sampling_ratio, self.aligned
        )

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(output_size={self.output_size}, "
            f"spatial_scale={self.spatial_scale}, sampling_ratio={self.sampling_ratio}, "
            f"aligned={self.aligned})"
        )
