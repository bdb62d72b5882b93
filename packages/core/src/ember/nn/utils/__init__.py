"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, parametrizations and
RNN sequence packing."""

from . import parametrizations, parametrize, rnn
from .clip_grad import *
from .convert_parameters import *
