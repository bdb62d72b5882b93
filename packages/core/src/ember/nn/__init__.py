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


def __getattr__(name):
    if name == "parallel":  # loaded on first use (it brings in ember.distributed)
        import importlib

        return importlib.import_module(f"{__name__}.parallel")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
