"""Shared helpers for the RoI operators."""

from __future__ import annotations

import numpy as np

import ember


def rois_array(boxes):
    """``(K, 5)`` float64 array ``[batch_index, x1, y1, x2, y2]`` from a tensor or a list."""
    if isinstance(boxes, (list, tuple)):
        parts = []
        for i, b in enumerate(boxes):
            a = b.detach().cpu().numpy().astype(np.float64).reshape(-1, 4)
            parts.append(np.concatenate([np.full((a.shape[0], 1), float(i)), a], axis=1))
        return np.concatenate(parts, axis=0) if parts else np.zeros((0, 5))
    if isinstance(boxes, ember.Tensor):
        a = boxes.detach().cpu().numpy().astype(np.float64)
    else:
        a = np.asarray(boxes, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 5:
        raise ValueError(
            f"boxes must be a (K, 5) tensor or a list of (L, 4) tensors, got {a.shape}"
        )
    return a


def pair(output_size):
    if isinstance(output_size, int):
        return output_size, output_size
    return int(output_size[0]), int(output_size[1])


def check_input(input, name):
    if input.ndim != 4:
        raise RuntimeError(
            f"{name}: expected a 4-D (N, C, H, W) input, got shape {tuple(input.shape)}"
        )
