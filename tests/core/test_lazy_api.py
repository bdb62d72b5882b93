"""Names that ``import ember`` resolves on first use must all exist, and stay lazy."""

import subprocess
import sys

import numpy as np
import pytest

import ember
from ember import _lazy_api


@pytest.mark.parametrize("name", sorted(_lazy_api._WHERE))
def test_every_lazy_name_resolves(name):
    assert getattr(ember, name) is not None


def test_unknown_name_is_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'no_such_op'"):
        ember.no_such_op  # noqa: B018


def test_softmax_methods_and_functions():
    x = ember.tensor([[1.0, 2.0, 3.0]], dtype=ember.float64)
    expected = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
    np.testing.assert_allclose(x.softmax(1).numpy()[0], expected)
    np.testing.assert_allclose(ember.softmax(x, 1).numpy()[0], expected)
    np.testing.assert_allclose(x.log_softmax(-1).numpy()[0], np.log(expected))
    assert ember.log_softmax(x, 1, dtype=ember.float32).dtype is ember.float32


def test_import_ember_does_not_load_heavy_modules():
    code = (
        "import sys, ember\n"
        "heavy = [m for m in ('ember.nn', 'ember.random', 'ember.linalg', 'ember.fft', 'scipy',"
        " 'cupy', 'PIL') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
