"""RoIPool (Fast R-CNN): max pooling over a grid of bins inside each box."""

from __future__ import annotations

import math

import numpy as np

import ember
from ember import nn

from ._utils import check_input, pair, rois_array

__all__ = ["RoIPool", "roi_pool"]


def _round(v):
    """C's round(): halves away from zero."""
    return int(math.floor(abs(v) + 0.5) * (1 if v >= 0 else -1))


def roi_pool(input, boxes, output_size, spatial_scale: float = 1.0):
    """Max-pool each box of ``boxes`` to ``output_size`` (empty bins give 0).

    Differentiable with respect to ``input`` (the gradient goes to each bin's maximum).

    Example:
        >>> import ember
        >>> x = ember.arange(16.).reshape(1, 1, 4, 4)
        >>> roi_pool(x, ember.tensor([[0., 0., 0., 3., 3.]]), 2)
        tensor([[[[ 5.,  7.],
                  [13., 15.]]]])
    """
    check_input(input, "roi_pool")
    rois = rois_array(boxes)
    ph, pw = pair(output_size)
    _, c, h, w = input.shape
    outs = []
    for b, x1, y1, x2, y2 in rois:
        sw, sh = _round(x1 * spatial_scale), _round(y1 * spatial_scale)
        ew, eh = _round(x2 * spatial_scale), _round(y2 * spatial_scale)
        bh, bw = max(eh - sh + 1, 1) / ph, max(ew - sw + 1, 1) / pw
        feat = input[int(b)]
        cells = []
        for i in range(ph):
            hs = min(max(int(np.floor(i * bh)) + sh, 0), h)
            he = min(max(int(np.ceil((i + 1) * bh)) + sh, 0), h)
            for j in range(pw):
                ws = min(max(int(np.floor(j * bw)) + sw, 0), w)
                we = min(max(int(np.ceil((j + 1) * bw)) + sw, 0), w)
                if he <= hs or we <= ws:
                    cells.append(ember.zeros(c, dtype=input.dtype, device=input.device))
                else:
                    cells.append(feat[:, hs:he, ws:we].reshape(c, -1).amax(dim=1))
        outs.append(ember.stack(cells, dim=1).reshape(c, ph, pw))
    if not outs:
        return ember.zeros(0, c, ph, pw, dtype=input.dtype, device=input.device)
    return ember.stack(outs)


class RoIPool(nn.Module):
    """Module form of :func:`roi_pool`."""

    def __init__(self, output_size, spatial_scale: float):
        super().__init__()
        self.output_size = output_size
        self.spatial_scale = spatial_scale

    def forward(self, input, rois):
        return roi_pool(input, rois, self.output_size, self.spatial_scale)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}(output_size={self.output_size}, "
            f"spatial_scale={self.spatial_scale})"
        )
