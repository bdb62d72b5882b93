"""Image transforms in torchvision's v2 style, on Pillow images, tensors and NumPy arrays.

``ember_vision.transforms`` and ``ember_vision.transforms.v2`` are the same API: every
transform accepts a Pillow image, an Ember tensor ``(..., C, H, W)`` (uint8 or float, batched
too) or a NumPy ``(H, W[, C])`` array, returns the same kind, and also accepts a tuple, list
or dict holding images and labels (see :class:`Transform`).

Example:
    >>> import ember
    >>> from ember_vision import transforms as T
    >>> t = T.Compose([T.RandomHorizontalFlip(p=1.0), T.ToDtype(ember.float32, scale=True)])
    >>> t(ember.tensor([[[0, 255]]], dtype=ember.uint8))
    tensor([[[1., 0.]]])
"""

from . import functional
from ._augment import *
from ._auto_augment import *
from ._blur import *
from ._color import *
from ._container import *
from ._geometry import *
from ._image import InterpolationMode
from ._misc import *
from ._transform import RandomTransform, Transform
from ._type_conversion import *
