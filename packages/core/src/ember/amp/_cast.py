"""The casts autocast applies to an op's arguments (the slow path behind ``_state.active``)."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ..autograd import grad_mode
from ..ops.conversion import _convert
from . import _state
from ._policy import POLICIES

_tls = _state.tls
_grad_state = grad_mode._state
_ndarray = np.ndarray


def _device_type(args) -> str | None:
    for a in args:
        if isinstance(a, Tensor):
            return "cpu" if a._data.__class__ is _ndarray else "cuda"
        if isinstance(a, (list, tuple)):
            found = _device_type(a)
            if found is not None:
                return found
    return None


def _eligible(t: Tensor) -> bool:
    """Floating tensors other than float64 are cast (PyTorch leaves doubles alone)."""
    dt = t.dtype
    return dt.is_floating_point and dt is not D.float64


def _lower(t: Tensor, target):
    if t.dtype is target or not _eligible(t):
        return t
    cacheable = (
        _tls.cache_enabled
        and t._requires_grad
        and t.grad_fn is None
        and t.dtype is D.float32
        and _grad_state.enabled
    )
    if cacheable:
        hit = _tls.cache.get(id(t))
        if hit is not None and hit[0] is t:
            return hit[1]
        out = _convert(t, target, None, False)
        _tls.cache[id(t)] = (t, out)  # holds ``t``: its id cannot be reused while cached
        return out
    return _convert(t, target, None, False)


def _to(t: Tensor, target):
    """``t.to(target)`` (differentiable) for an eligible ``t``."""
    return t if t.dtype is target or not _eligible(t) else _convert(t, target, None, False)


def _map(args, fn):
    out = []
    for a in args:
        if isinstance(a, Tensor):
            a = fn(a)
        elif isinstance(a, (list, tuple)) and a and any(isinstance(x, Tensor) for x in a):
            a = type(a)(_map(a, fn))
        out.append(a)
    return out


def _widest(args, acc=None):
    for a in args:
        if isinstance(a, Tensor):
            if a.dtype.is_floating_point:
                acc = a.dtype if acc is None else D.promote_types(acc, a.dtype)
        elif isinstance(a, (list, tuple)):
            acc = _widest(a, acc)
    return acc


def cast(op: str, *args):
    """``args`` as ``op`` receives them under this thread's autocast state."""
    device_type = _device_type(args)
    if device_type is None or not _tls.enabled.get(device_type, False):
        return args
    policy = POLICIES[device_type].get(op)
    if policy is None:
        return args
    if policy == "lower":
        target = _tls.dtype[device_type]
        return tuple(_map(args, lambda t: _lower(t, target)))
    if policy == "fp32" or policy == "fp32_opt":
        return tuple(_map(args, lambda t: _to(t, D.float32)))
    if policy == "promote":
        widest = _widest(args)
        if widest is None:
            return args
        return tuple(
            _map(
                args, lambda t: _convert(t, widest, None, False) if t.dtype.is_floating_point else t
            )
        )
    raise RuntimeError(
        f"ember.nn.functional.{op} and its module are unsafe to autocast: the float16 result "
        "may not be representable. Use binary_cross_entropy_with_logits (BCEWithLogitsLoss), "
        "which combines the sigmoid and the loss and is safe to autocast, or disable autocast "
        "for this op with ember.autocast(device_type='cuda', enabled=False)."
    )


_state.cast = cast  # later calls skip the lazy import in ``_state.cast``
