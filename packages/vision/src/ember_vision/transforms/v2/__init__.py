"""``torchvision.transforms.v2``'s import path: the same transforms as ``ember_vision.transforms``."""

from .. import *
from .. import functional
from .._transform import RandomTransform, Transform
