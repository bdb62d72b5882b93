"""Tensor methods whose implementation lives in ``ember.nn.functional`` (softmax and friends).

They are registered when ``import ember`` runs, but ``ember.nn`` is imported only on the first
call, which keeps ``import ember`` fast.

Example:
    >>> import ember
    >>> ember.tensor([1.0, 1.0]).softmax(0)
    tensor([0.5000, 0.5000])
"""

from __future__ import annotations

from .._tensor import Tensor

__all__: list = []


def _functional():
    from ..nn import functional

    return functional


def softmax(self, dim, dtype=None):
    """``ember.nn.functional.softmax(self, dim, dtype=dtype)``."""
    return _functional().softmax(self, dim, dtype=dtype)


def log_softmax(self, dim, dtype=None):
    """``ember.nn.functional.log_softmax(self, dim, dtype=dtype)``."""
    return _functional().log_softmax(self, dim, dtype=dtype)


def hardshrink(self, lambd=0.5):
    """``ember.nn.functional.hardshrink(self, lambd)``."""
    return _functional().hardshrink(self, lambd)


def prelu(self, weight):
    """``ember.nn.functional.prelu(self, weight)``."""
    return _functional().prelu(self, weight)


Tensor.softmax = softmax
Tensor.log_softmax = log_softmax
Tensor.hardshrink = hardshrink
Tensor.prelu = prelu
