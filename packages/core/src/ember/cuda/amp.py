"""``ember.cuda.amp``: the deprecated spellings ``ember.cuda.amp.autocast(...)`` and
``ember.cuda.amp.GradScaler(...)``; use ``ember.amp.autocast('cuda', ...)`` and
``ember.amp.GradScaler('cuda', ...)``."""

from __future__ import annotations

import warnings

from .. import _dtype as D
from ..amp.autocast_mode import _deprecated_autocast
from ..amp.grad_scaler import GradScaler as _GradScaler

__all__ = ["autocast", "GradScaler"]

autocast = _deprecated_autocast("cuda", D.float16)


class GradScaler(_GradScaler):
    """Deprecated: ``ember.cuda.amp.GradScaler(...)`` is ``ember.amp.GradScaler('cuda', ...)``."""

    def __init__(
        self,
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        warnings.warn(
            "`ember.cuda.amp.GradScaler(args...)` is deprecated. Please use "
            "`ember.amp.GradScaler('cuda', args...)` instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(
            "cuda", init_scale, growth_factor, backoff_factor, growth_interval, enabled
        )
