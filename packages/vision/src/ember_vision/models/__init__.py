"""Model architectures with torchvision's module names, so its published weights load.

Every builder takes ``weights=None`` (Ember ships no weights: load torchvision's ``.pth``
files with ``model.load_state_dict(ember.load(path))``) and forwards other keyword
arguments, such as ``num_classes``, to the model class.
"""

from . import efficientnet, lenet, mobilenetv2, mobilenetv3, resnet, vgg, vision_transformer
from ._registry import get_model, get_model_builder, list_models
from .efficientnet import *
from .lenet import *
from .mobilenetv2 import *
from .mobilenetv3 import *
from .resnet import *
from .vgg import *
from .vision_transformer import *

__all__ = ["get_model", "get_model_builder", "list_models"]
for _m in (lenet, resnet, vgg, mobilenetv2, mobilenetv3, efficientnet, vision_transformer):
    __all__ += _m.__all__
del _m
