"""``ember.cpu.amp``: the deprecated spelling ``ember.cpu.amp.autocast(...)``; use
``ember.amp.autocast('cpu', ...)``."""

from __future__ import annotations

from .. import _dtype as D
from ..amp.autocast_mode import _deprecated_autocast

__all__ = ["autocast"]

autocast = _deprecated_autocast("cpu", D.bfloat16)
