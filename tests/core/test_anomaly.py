"""Anomaly mode: forward tracebacks for failing backward nodes, NaN detection, modes."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember.autograd import (
    Function,
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)

needs_sqrt = pytest.mark.skipif(not hasattr(ember, "sqrt"), reason="ember.sqrt not available")
needs_exp = pytest.mark.skipif(not hasattr(ember, "exp"), reason="ember.exp not available")


class Failing(Function):
    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        raise ValueError("boom in backward")


def forward_site_for_failing(x):
    return Failing.apply(x)  # the line the warning must point to


def test_failing_backward_warns_with_forward_traceback():
    x = ember.tensor([1.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with detect_anomaly():
            y = forward_site_for_failing(x)
            with pytest.raises(ValueError, match="boom in backward"):
                y.sum().backward()
    messages = [str(w.message) for w in caught if "Error detected in" in str(w.message)]
    assert len(messages) == 1
    msg = messages[0]
    assert msg.startswith(
        "Error detected in FailingBackward. Traceback of forward call that caused the error:"
    )
    assert "forward_site_for_failing" in msg
    assert "return Failing.apply(x)  # the line the warning must point to" in msg


@needs_exp
def test_inplace_error_names_op_and_warning_shows_forward_line():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with detect_anomaly():
            y = x.exp()  # exp forward line
            y.add_(1)
            with pytest.raises(RuntimeError, match="output 0 of ExpBackward0"):
                y.sum().backward()
    msg = next(str(w.message) for w in caught if "Error detected in" in str(w.message))
    assert "Error detected in ExpBackward0" in msg
    assert "y = x.exp()  # exp forward line" in msg


def test_no_traceback_recorded_outside_anomaly_mode():
    x = ember.tensor([1.0], requires_grad=True)
    y = x * 2
    assert y.grad_fn._trace is None
    with set_detect_anomaly(True):
        z = x * 2
    assert z.grad_fn._trace is not None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(ValueError):
            Failing.apply(x).sum().backward()
    assert not [w for w in caught if "Error detected" in str(w.message)]


def test_nan_detection_names_the_node():
    # d/dx x**0.5 at 0 is inf; times a zero upstream gradient it is NaN.
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with detect_anomaly():
            y = (x**0.5) * 0
            with pytest.raises(
                RuntimeError,
                match=r"Function 'PowBackward0' returned nan values in its 0th output\.",
            ):
                y.sum().backward()


@needs_sqrt
def test_nan_detection_sqrt_at_zero():
    x = ember.tensor([0.0, 4.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with detect_anomaly():
            y = ember.sqrt(x) * 0
            with pytest.raises(
                RuntimeError, match="Function 'SqrtBackward0' returned nan values in its 0th output"
            ):
                y.sum().backward()


def test_nan_check_can_be_disabled():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with detect_anomaly(check_nan=False):
            assert not is_anomaly_check_nan_enabled()
            ((x**0.5) * 0).sum().backward()
    assert np.isnan(x.grad.numpy()[0])


def test_modes_and_restoration():
    assert not is_anomaly_enabled()
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        mgr = detect_anomaly()
    with mgr:
        assert is_anomaly_enabled() and is_anomaly_check_nan_enabled()
    assert not is_anomaly_enabled()
    set_detect_anomaly(True, check_nan=False)
    try:
        assert is_anomaly_enabled() and not is_anomaly_check_nan_enabled()
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled() and is_anomaly_check_nan_enabled()


def test_detect_anomaly_as_decorator():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")

        @detect_anomaly()
        def f():
            return is_anomaly_enabled()

    assert f() is True
    assert not is_anomaly_enabled()
