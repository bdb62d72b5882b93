"""ember.nn.init: gains, fans, and each scheme's statistics and exact behaviours."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import ember
from ember.nn import init


@pytest.mark.parametrize(
    "name,param,expected",
    [
        ("linear", None, 1),
        ("conv2d", None, 1),
        ("conv_transpose3d", None, 1),
        ("sigmoid", None, 1),
        ("tanh", None, 5 / 3),
        ("relu", None, math.sqrt(2)),
        ("leaky_relu", None, math.sqrt(2 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2 / 1.04)),
        ("leaky_relu", 1, 1.0),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(name, param, expected):
    assert init.calculate_gain(name, param) == pytest.approx(expected)


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="Unsupported nonlinearity gelu"):
        init.calculate_gain("gelu")
    with pytest.raises(ValueError, match="negative_slope True not a valid number"):
        init.calculate_gain("leaky_relu", True)


def test_fans():
    assert init._calculate_fan_in_and_fan_out(ember.empty(3, 5)) == (5, 3)
    assert init._calculate_fan_in_and_fan_out(ember.empty(8, 4, 3, 2)) == (24, 48)
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init._calculate_fan_in_and_fan_out(ember.empty(5))
    with pytest.raises(ValueError, match="Mode fan_avg not supported"):
        init.kaiming_uniform_(ember.empty(3, 5), mode="fan_avg")


def _stats(t):
    a = t.detach().numpy().astype(np.float64)
    return a.mean(), a.std(), a.min(), a.max()


def test_uniform_normal_constant():
    mean, std, lo, hi = _stats(init.uniform_(ember.empty(100, 100), -2.0, 3.0))
    assert lo >= -2 and hi < 3 and abs(mean - 0.5) < 0.1
    mean, std, _, _ = _stats(init.normal_(ember.empty(100, 100), 1.0, 2.0))
    assert abs(mean - 1) < 0.1 and abs(std - 2) < 0.1
    assert init.constant_(ember.empty(2, 2), 0.5).tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert init.ones_(ember.empty(3)).tolist() == [1, 1, 1]
    assert init.zeros_(ember.ones(3)).tolist() == [0, 0, 0]


def test_xavier_and_kaiming_statistics():
    w = ember.empty(200, 300)
    a = math.sqrt(6 / 500)
    _, std, lo, hi = _stats(init.xavier_uniform_(w, gain=2.0))
    assert -2 * a <= lo and hi <= 2 * a and abs(std - 2 * a / math.sqrt(3)) < 0.02 * a
    _, std, _, _ = _stats(init.xavier_normal_(w))
    assert abs(std - math.sqrt(2 / 500)) < 0.02 * math.sqrt(2 / 500)
    bound = math.sqrt(2) * math.sqrt(3 / 300)
    _, std, lo, hi = _stats(init.kaiming_uniform_(w, nonlinearity="relu"))
    assert -bound <= lo and hi <= bound and hi > 0.99 * bound
    bound = math.sqrt(3 / 200) * init.calculate_gain("leaky_relu", 0.1)
    _, _, lo, hi = _stats(init.kaiming_uniform_(w, a=0.1, mode="fan_out"))
    assert -bound <= lo and hi <= bound and hi > 0.99 * bound
    _, std, _, _ = _stats(init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"))
    assert abs(std - math.sqrt(2 / 200)) < 0.02 * math.sqrt(2 / 200)


def test_kaiming_on_zero_element_tensor_warns():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(ember.empty(0, 3))


def test_trunc_normal():
    w = init.trunc_normal_(ember.empty(20000), mean=0.5, std=1.0, a=-1.0, b=1.5)
    a = w.numpy()
    assert a.min() >= -1.0 and a.max() <= 1.5
    # mean of N(0.5, 1) truncated to [-1, 1.5]
    phi = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    al, be = -1.5, 1.0
    expected = 0.5 + (phi(al) - phi(be)) / (cdf(be) - cdf(al))
    assert abs(a.mean() - expected) < 0.03
    with pytest.warns(UserWarning, match="mean is more than 2 std"):
        init.trunc_normal_(ember.empty(3), mean=10.0)


def test_eye_and_dirac():
    assert init.eye_(ember.empty(2, 3)).tolist() == [[1, 0, 0], [0, 1, 0]]
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.eye_(ember.empty(2, 2, 2))
    w = init.dirac_(ember.empty(4, 2, 3, 3), groups=2)
    a = w.numpy()
    expected = np.zeros((4, 2, 3, 3))
    for o, c in [(0, 0), (1, 1), (2, 0), (3, 1)]:
        expected[o, c, 1, 1] = 1
    np.testing.assert_array_equal(a, expected)
    # a dirac conv weight is the identity map
    x = ember.randn(1, 3, 5)
    y = ember.nn.functional.conv1d(x, init.dirac_(ember.empty(3, 3, 3)), padding=1)
    np.testing.assert_allclose(y.numpy(), x.numpy())
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions"):
        init.dirac_(ember.empty(2, 2))
    with pytest.raises(ValueError, match="dim 0 must be divisible by groups"):
        init.dirac_(ember.empty(3, 2, 3), groups=2)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3)])
def test_orthogonal(shape):
    w = init.orthogonal_(ember.empty(*shape, dtype=ember.float64), gain=2.0).numpy()
    m = w.reshape(shape[0], -1)
    small = min(m.shape)
    gram = m @ m.T if m.shape[0] == small else m.T @ m
    np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-10)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions"):
        init.orthogonal_(ember.empty(3))


def test_sparse():
    w = init.sparse_(ember.empty(10, 6), sparsity=0.3, std=0.5).numpy()
    assert ((w == 0).sum(axis=0) >= 3).all()
    assert abs(w[w != 0].std() - 0.5) < 0.25
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions"):
        init.sparse_(ember.empty(3), 0.1)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, g: init.uniform_(t, generator=g),
        lambda t, g: init.normal_(t, generator=g),
        lambda t, g: init.xavier_uniform_(t, generator=g),
        lambda t, g: init.kaiming_normal_(t, generator=g),
        lambda t, g: init.trunc_normal_(t, generator=g),
        lambda t, g: init.orthogonal_(t, generator=g),
        lambda t, g: init.sparse_(t, 0.5, generator=g),
    ],
)
def test_reproducible_with_generator_and_manual_seed(fn):
    a = fn(ember.empty(4, 5), ember.Generator().manual_seed(7)).numpy().copy()
    b = fn(ember.empty(4, 5), ember.Generator().manual_seed(7)).numpy()
    np.testing.assert_array_equal(a, b)
    ember.manual_seed(11)
    c = fn(ember.empty(4, 5), None).numpy().copy()
    ember.manual_seed(11)
    np.testing.assert_array_equal(c, fn(ember.empty(4, 5), None).numpy())


def test_in_place_on_parameter_without_graph():
    p = ember.nn.Parameter(ember.empty(3, 4))
    out = init.kaiming_uniform_(p)
    assert out is p and p.grad_fn is None and p.requires_grad
    init.orthogonal_(p)
    init.trunc_normal_(p)
    assert p.grad_fn is None and p.is_leaf


def test_deprecated_aliases_warn():
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        init.uniform(ember.empty(2))
    assert any("nn.init.uniform_" in str(r.message) for r in rec)
