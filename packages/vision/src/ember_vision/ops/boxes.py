"""Box operations: non-maximum suppression, IoU, format conversion, areas.

Boxes are ``(N, 4)`` tensors in ``(x1, y1, x2, y2)`` form unless stated otherwise. The IoU
functions and ``box_convert``/``box_area`` are built from Ember ops, so they are differentiable.
"""

from __future__ import annotations

import numpy as np

import ember

__all__ = ["batched_nms", "box_area", "box_convert", "box_iou", "generalized_box_iou", "nms"]


def _np(t):
    return t.detach().cpu().numpy() if isinstance(t, ember.Tensor) else np.asarray(t)


def nms(boxes, scores, iou_threshold: float):
    """Greedy non-maximum suppression; the kept indices (int64), by decreasing score.

    A box is dropped when its IoU with a higher-scoring kept box exceeds ``iou_threshold``.

    Example:
        >>> import ember
        >>> b = ember.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.], [20., 20., 30., 30.]])
        >>> nms(b, ember.tensor([0.9, 0.8, 0.7]), 0.5)
        tensor([0, 2])
    """
    b = _np(boxes).astype(np.float64)
    s = _np(scores)
    if b.ndim != 2 or b.shape[-1] != 4 or s.shape != (b.shape[0],):
        raise RuntimeError(
            f"nms: expected boxes of shape (N, 4) and scores of shape (N,), "
            f"got {tuple(b.shape)} and {tuple(s.shape)}"
        )
    order = np.argsort(-s, kind="stable")
    x1, y1, x2, y2 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    areas = (x2 - x1) * (y2 - y1)
    suppressed = np.zeros(b.shape[0], dtype=bool)
    keep = []
    for pos, i in enumerate(order):
        if suppressed[i]:
            continue
        keep.append(i)
        rest = order[pos + 1 :]
        w = np.clip(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0, None)
        h = np.clip(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0, None)
        inter = w * h
        with np.errstate(divide="ignore", invalid="ignore"):
            iou = inter / (areas[i] + areas[rest] - inter)
        suppressed[rest[iou > iou_threshold]] = True
    return ember.tensor(np.asarray(keep, dtype=np.int64))


def batched_nms(boxes, scores, idxs, iou_threshold: float):
    """NMS done independently per category ``idxs``; kept indices by decreasing score.

    Example:
        >>> import ember
        >>> b = ember.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.]])
        >>> batched_nms(b, ember.tensor([0.9, 0.8]), ember.tensor([0, 1]), 0.5)
        tensor([0, 1])
    """
    b = _np(boxes).astype(np.float64)
    if b.shape[0] == 0:
        return ember.tensor(np.zeros(0, dtype=np.int64))
    offsets = _np(idxs).astype(np.float64) * (b.max() + 1)
    return nms(b + offsets[:, None], scores, iou_threshold)


def box_area(boxes):
    """Areas of ``(x1, y1, x2, y2)`` boxes.

    Example:
        >>> import ember
        >>> box_area(ember.tensor([[0., 0., 2., 3.]]))
        tensor([6.])
    """
    return (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])


def _inter_union(boxes1, boxes2):
    area1 = box_area(boxes1)
    area2 = box_area(boxes2)
    lt = ember.maximum(boxes1[:, None, :2], boxes2[None, :, :2])
    rb = ember.minimum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    wh = (rb - lt).clamp(min=0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    union = area1[:, None] + area2[None, :] - inter
    return inter, union


def box_iou(boxes1, boxes2):
    """Pairwise IoU, an ``(N, M)`` tensor.

    Example:
        >>> import ember
        >>> box_iou(ember.tensor([[0., 0., 2., 2.]]), ember.tensor([[1., 0., 3., 2.]]))
        tensor([[0.3333]])
    """
    inter, union = _inter_union(boxes1, boxes2)
    return inter / union


def generalized_box_iou(boxes1, boxes2):
    """Pairwise generalized IoU, an ``(N, M)`` tensor in ``[-1, 1]``.

    Example:
        >>> import ember
        >>> generalized_box_iou(ember.tensor([[0., 0., 1., 1.]]), ember.tensor([[2., 0., 3., 1.]]))
        tensor([[-0.3333]])
    """
    inter, union = _inter_union(boxes1, boxes2)
    iou = inter / union
    lti = ember.minimum(boxes1[:, None, :2], boxes2[None, :, :2])
    rbi = ember.maximum(boxes1[:, None, 2:], boxes2[None, :, 2:])
    whi = (rbi - lti).clamp(min=0)
    areai = whi[:, :, 0] * whi[:, :, 1]
    return iou - (areai - union) / areai


_FORMATS = ("xyxy", "xywh", "cxcywh")


def box_convert(boxes, in_fmt: str, out_fmt: str):
    """Convert boxes between ``"xyxy"``, ``"xywh"`` and ``"cxcywh"``.

    Example:
        >>> import ember
        >>> box_convert(ember.tensor([[1., 2., 3., 4.]]), "xywh", "xyxy")
        tensor([[1., 2., 4., 6.]])
    """
    if in_fmt not in _FORMATS or out_fmt not in _FORMATS:
        raise ValueError(f"box_convert: unsupported format, expected one of {_FORMATS}")
    if in_fmt == out_fmt:
        return boxes.clone()
    a, b, c, d = boxes.unbind(-1)
    if in_fmt == "xywh":
        a, b, c, d = a, b, a + c, b + d
    elif in_fmt == "cxcywh":
        a, b, c, d = a - 0.5 * c, b - 0.5 * d, a + 0.5 * c, b + 0.5 * d
    if out_fmt == "xywh":
        a, b, c, d = a, b, c - a, d - b
    elif out_fmt == "cxcywh":
        a, b, c, d = (a + c) / 2, (b + d) / 2, c - a, d - b
    return ember.stack((a, b, c, d), dim=-1)
