"""``ember.amp``: automatic mixed precision: ``autocast`` regions and ``GradScaler``.

Example:
    >>> import ember
    >>> with ember.amp.autocast("cpu", dtype=ember.float16):
    ...     y = ember.nn.functional.linear(ember.ones(2, 3), ember.ones(4, 3))
    >>> y.dtype
    ember.float16
"""

from __future__ import annotations

import importlib

_WHERE = {
    "autocast": "autocast_mode",
    "is_autocast_enabled": "autocast_mode",
    "set_autocast_enabled": "autocast_mode",
    "get_autocast_dtype": "autocast_mode",
    "set_autocast_dtype": "autocast_mode",
    "is_autocast_cache_enabled": "autocast_mode",
    "set_autocast_cache_enabled": "autocast_mode",
    "clear_autocast_cache": "autocast_mode",
    "is_autocast_available": "autocast_mode",
    "GradScaler": "grad_scaler",
    "OptState": "grad_scaler",
    "autocast_mode": None,
    "grad_scaler": None,
}

__all__ = [n for n, m in _WHERE.items() if m is not None]


def __getattr__(name):
    if name not in _WHERE:
        raise AttributeError(f"module 'ember.amp' has no attribute '{name}'")
    module = importlib.import_module(f"{__name__}.{_WHERE[name] or name}")
    return module if _WHERE[name] is None else getattr(module, name)
