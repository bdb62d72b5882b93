"""The per-image functions behind the transforms (``torchvision.transforms.functional``).

Each function takes a Pillow image, an Ember tensor ``(..., C, H, W)`` or a NumPy HWC array
and returns the same kind.
"""

from .._image import InterpolationMode, get_dimensions, get_num_channels, get_size
from ._blur import *
from ._color import *
from ._erase import *
from ._geometry import *
from ._misc import *
from ._type_conversion import *
