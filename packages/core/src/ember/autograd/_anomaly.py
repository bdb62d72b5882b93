"""Anomaly detection: find the forward operation behind a failing or NaN-producing backward.

While anomaly mode is on, every graph node records the Python stack of the forward call that
created it. When a node's backward raises, a warning shows that stack before the error
propagates; with ``check_nan`` (the default), a node whose gradients contain NaN raises
``RuntimeError: Function 'XBackward0' returned nan values in its 0th output.``. Recording
stacks is slow, so use it for debugging only.

Example:
    >>> import ember
    >>> with ember.autograd.detect_anomaly():  # doctest: +SKIP
    ...     ember.tensor([-1.0], requires_grad=True).sqrt().sum().backward()
    Traceback (most recent call last):
    RuntimeError: Function 'SqrtBackward0' returned nan values in its 0th output.
"""

from __future__ import annotations

import warnings

from .grad_mode import _DecoratorContextManager
from .graph import anomaly_state

__all__ = [
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
]


def is_anomaly_enabled() -> bool:
    """True while anomaly detection is on."""
    return anomaly_state.enabled


def is_anomaly_check_nan_enabled() -> bool:
    """True while anomaly detection also checks gradients for NaN."""
    return anomaly_state.check_nan


def _set(mode: bool, check_nan: bool) -> None:
    anomaly_state.enabled = bool(mode)
    anomaly_state.check_nan = bool(check_nan)


class detect_anomaly(_DecoratorContextManager):
    """Context manager (and decorator) that turns anomaly detection on inside its block.

    Args:
        check_nan (bool): also raise when a backward produces NaN values (default True).

    Example:
        >>> import ember
        >>> with ember.autograd.detect_anomaly():
        ...     ember.autograd.is_anomaly_enabled()
        True
        >>> ember.autograd.is_anomaly_enabled()
        False
    """

    def __init__(self, check_nan: bool = True) -> None:
        self.prev = anomaly_state.enabled
        self.check_nan = check_nan
        self.prev_check_nan = anomaly_state.check_nan
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self.prev = anomaly_state.enabled
        self.prev_check_nan = anomaly_state.check_nan
        _set(True, self.check_nan)

    def __exit__(self, *exc) -> None:
        _set(self.prev, self.prev_check_nan)

    def clone(self):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return detect_anomaly(self.check_nan)


class set_detect_anomaly(_DecoratorContextManager):
    """Turn anomaly detection on or off at once; as a context manager it restores the
    previous setting on exit.

    Args:
        mode (bool): enable (True) or disable (False) anomaly detection.
        check_nan (bool): also raise when a backward produces NaN values (default True).

    Example:
        >>> import ember
        >>> with ember.autograd.set_detect_anomaly(True, check_nan=False):
        ...     ember.autograd.is_anomaly_check_nan_enabled()
        False
    """

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = anomaly_state.enabled
        self.prev_check_nan = anomaly_state.check_nan
        self.mode = mode
        self.check_nan = check_nan
        _set(mode, check_nan)

    def __call__(self, func):
        _set(self.prev, self.prev_check_nan)  # as a decorator, applies inside func only
        return super().__call__(func)

    def __enter__(self) -> None:
        _set(self.mode, self.check_nan)

    def __exit__(self, *exc) -> None:
        _set(self.prev, self.prev_check_nan)

    def clone(self):
        return set_detect_anomaly(self.mode, self.check_nan)
