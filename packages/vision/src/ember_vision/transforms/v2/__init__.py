"""``torchvision.transforms.v2``'s import path: the transforms of ``ember_vision.transforms``."""

from .. import *
from .. import functional
from .._transform import RandomTransform, Transform
