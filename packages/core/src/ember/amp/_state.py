"""The one flag that ops read on their hot path, and the entry to the autocast casts.

Note [Autocast on the hot path]
    Every op that autocast affects begins with ``if _amp.active:``: one module attribute
    read, false unless some thread is inside an enabled ``ember.autocast`` region. Only then
    does ``cast(op, *args)`` look at this thread's state (enabled? which dtype?), the device
    of the arguments and the op's policy in ``ember.amp._policy``, and return the arguments
    cast as PyTorch's autocast would. Outside autocast an affected op pays for one attribute
    read and nothing else.

This module imports nothing from Ember at import time, so the op modules can import it while
``import ember`` runs.
"""

from __future__ import annotations

from _thread import _local as _ThreadLocal  # threading.local, without importing threading
from _thread import allocate_lock

active = False  # True while any thread has autocast enabled for any device type

_lock = allocate_lock()
_enabled_count = 0  # (thread, device type) pairs with autocast enabled


class _ThreadState(_ThreadLocal):
    """This thread's autocast settings (PyTorch keeps them thread-local too)."""

    def __init__(self):
        self.enabled = {"cpu": False, "cuda": False}
        self.dtype = {}  # device type -> ember dtype; defaults filled in by autocast_mode
        self.cache_enabled = True
        self.nesting = 0
        self.cache = {}  # id(leaf parameter) -> (parameter, its cast copy)


tls = _ThreadState()


def set_enabled(device_type: str, enabled: bool) -> None:
    """Turn autocast on or off for ``device_type`` in this thread, keeping ``active`` exact."""
    global active, _enabled_count
    enabled = bool(enabled)
    with _lock:
        before = tls.enabled.get(device_type, False)
        tls.enabled[device_type] = enabled
        _enabled_count += int(enabled) - int(before)
        active = _enabled_count > 0


def cast(op: str, *args):
    """``args`` cast for ``op`` under this thread's autocast state (see the Note above).

    The first call imports ``ember.amp._cast``, which rebinds this name to its ``cast``.
    """
    from . import _cast

    return _cast.cast(op, *args)
