"""The layers of ``ember.nn``, one family per module."""

from .activation import *
from .container import *
from .conv import *
from .distance import *
from .dropout import *
from .lazy import *
from .linear import *
from .loss import *
from .module import Module
from .normalization import *
from .padding import *
from .pooling import *
from .rnn import *
from .sparse import *
from .sync_batchnorm import *
from .transformer import *
from .vision import *
