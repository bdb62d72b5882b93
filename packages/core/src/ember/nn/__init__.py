"""``ember.nn``: modules, layers, functional ops, initialisation and utilities.

Example:
    >>> import ember
    >>> from ember import nn
    >>> isinstance(nn.Parameter(ember.zeros(1)), ember.Tensor)
    True
"""

from . import functional, init, utils
from .modules import *
from .parameter import Buffer, Parameter, UninitializedBuffer, UninitializedParameter
