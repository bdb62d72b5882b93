"""Detection and regularisation operators, the counterpart of ``torchvision.ops``."""

from .boxes import batched_nms, box_area, box_convert, box_iou, generalized_box_iou, nms
from .focal_loss import sigmoid_focal_loss
from .roi_align import RoIAlign, roi_align
from .roi_pool import RoIPool, roi_pool
from .stochastic_depth import StochasticDepth, stochastic_depth

__all__ = [
    "RoIAlign",
    "RoIPool",
    "StochasticDepth",
    "batched_nms",
    "box_area",
    "box_convert",
    "box_iou",
    "generalized_box_iou",
    "nms",
    "roi_align",
    "roi_pool",
    "sigmoid_focal_loss",
    "stochastic_depth",
]
