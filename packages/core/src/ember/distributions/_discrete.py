"""Helpers for the discrete families: parameters given as ``probs`` or ``logits``, and
sampling arrays from the Ember generator."""

from __future__ import annotations

import numbers

import numpy as np

import ember

from .._size import Size
from .utils import broadcast_all


def probs_or_logits(dist, probs, logits, event_dims: int = 0):
    """Store whichever of ``probs``/``logits`` is given (exactly one) on ``dist`` and return
    ``(param, batch_shape)``."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")
    given = probs if probs is not None else logits
    name = "probs" if probs is not None else "logits"
    if event_dims == 0:
        is_scalar = isinstance(given, numbers.Number)
        (param,) = broadcast_all(given)
        batch_shape = Size() if is_scalar else param.size()
    else:
        if given.dim() < 1:
            raise ValueError(f"`{name}` parameter must be at least one-dimensional.")
        if name == "probs":
            param = given / given.sum(-1, keepdim=True)
        else:
            param = given - given.logsumexp(dim=-1, keepdim=True)
        batch_shape = param.size()[:-1] if param.dim() > 1 else Size()
    dist.__dict__[name] = param
    dist._param = param
    return param, batch_shape


def host_array(t) -> np.ndarray:
    """A tensor's values as a float64 NumPy array (no gradient)."""
    return np.asarray(t.detach().numpy(), dtype=np.float64)


def from_host(arr, like) -> ember.Tensor:
    """A sampled array as a tensor of ``like``'s dtype and device."""
    return ember.tensor(np.asarray(arr), dtype=like.dtype, device=like.device)


def rng():
    from ..random import numpy_generator

    return numpy_generator()
