"""Global switches PyTorch scripts set: deterministic algorithms and thread counts.

Ember's CPU ops are deterministic; ``use_deterministic_algorithms`` is recorded so scripts run
and the GPU backend can honour it. Thread counts go to the BLAS library when threadpoolctl is
installed, and are recorded otherwise.
"""

from __future__ import annotations

import os

__all__ = [
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
    "is_deterministic_algorithms_warn_only_enabled",
    "set_num_threads",
    "get_num_threads",
]

_deterministic = False
_warn_only = False
_num_threads = None


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Ask for deterministic algorithms (always the case on the CPU)."""
    global _deterministic, _warn_only
    _deterministic = bool(mode)
    _warn_only = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _warn_only


def set_num_threads(n: int) -> None:
    """Limit the threads BLAS uses (through threadpoolctl when installed)."""
    global _num_threads
    if n < 1:
        raise RuntimeError(f"set_num_threads expects a positive integer, got {n}")
    _num_threads = int(n)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=_num_threads)


def get_num_threads() -> int:
    return _num_threads or os.cpu_count() or 1
