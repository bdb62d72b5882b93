"""``ember.nn.functional``: the functional form of every layer and loss, one family per
module (activation, dropout, normalization, loss, distance, linear, conv, pooling, padding,
vision, sparse, rnn, attention)."""

from .activation import *
from .attention import *
from .conv import *
from .distance import *
from .dropout import *
from .linear import *
from .loss import *
from .normalization import *
from .padding import *
from .pooling import *
from .rnn import *
from .sparse import *
from .vision import *
