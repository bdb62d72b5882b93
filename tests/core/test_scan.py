"""Scans (cumsum, cumprod, cummax, cummin, logcumsumexp) and diff."""

from __future__ import annotations

import numpy as np
import pytest

import ember

RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4, 2))


def t(a, **kw):
    return ember.tensor(a, **kw)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cumsum_cumprod_match_numpy(dim):
    np.testing.assert_allclose(ember.cumsum(t(A), dim).numpy(), np.cumsum(A, dim))
    np.testing.assert_allclose(t(A).cumprod(dim).numpy(), np.cumprod(A, dim))
    np.testing.assert_allclose(ember.cumsum(t(A), axis=dim).numpy(), np.cumsum(A, dim))


def test_scan_dtypes_and_edge_cases():
    assert t([1, 2], dtype=ember.int32).cumsum(0).dtype is ember.int64
    assert t([True, True]).cumsum(0).tolist() == [1, 2]
    assert t([True, True]).cumprod(0).dtype is ember.int64
    assert t([1, 2]).cumsum(0, dtype=ember.float32).dtype is ember.float32
    assert t(2.0).cumsum(0).item() == 2.0
    assert ember.zeros(0, 2).cumsum(0).shape == (0, 2)
    with pytest.raises(IndexError, match="Dimension out of range"):
        t([1.0]).cumsum(1)
    x = t([1.0, 2.0, 3.0])
    x.cumsum_(0)
    assert x.tolist() == [1.0, 3.0, 6.0]


@pytest.mark.parametrize("dim", [0, 1])
def test_cummax_cummin(dim):
    a = RNG.integers(0, 4, (5, 6)).astype(np.float64)
    for op, acc in ((ember.cummax, np.maximum), (ember.cummin, np.minimum)):
        r = op(t(a), dim)
        expected = acc.accumulate(a, axis=dim)
        np.testing.assert_array_equal(r.values.numpy(), expected)
        # the index points at an element holding the running value, the latest such one
        np.testing.assert_array_equal(np.take_along_axis(a, r.indices.numpy(), dim), expected)
    r = ember.cummax(t([1.0, 3.0, 3.0, 2.0, 3.0]), 0)
    assert isinstance(r, ember.return_types.cummax)
    assert r.indices.tolist() == [0, 1, 2, 2, 4]
    r = t([3, 1, 1, 2, 1]).cummin(0)
    assert r.values.tolist() == [3, 1, 1, 1, 1] and r.indices.tolist() == [0, 1, 2, 2, 4]
    r = t([1.0, float("nan"), 2.0]).cummax(0)
    assert np.isnan(r.values[2].item()) and r.indices.tolist() == [0, 1, 1]


def test_logcumsumexp():
    for dim in (0, 1, 2):
        np.testing.assert_allclose(
            ember.logcumsumexp(t(A), dim).numpy(), np.log(np.cumsum(np.exp(A), dim)), rtol=1e-12
        )
    big = t([1000.0, 1000.0, -1000.0], dtype=ember.float64).logcumsumexp(0)
    np.testing.assert_allclose(big.numpy(), [1000.0, 1000 + np.log(2), 1000 + np.log(2)])
    with pytest.raises(
        RuntimeError, match="logcumsumexp\\(\\): expected a floating point input, got Long"
    ):
        t([1, 2]).logcumsumexp(0)


def test_diff():
    a = np.array([1, 3, 6, 10])
    assert ember.diff(t(a)).tolist() == np.diff(a).tolist()
    assert ember.diff(t(a), n=2).tolist() == np.diff(a, 2).tolist()
    assert t(a).diff(n=5).shape == (0,)
    out = ember.diff(t(a), prepend=t([0]), append=t([20, 30]))
    assert out.tolist() == np.diff(a, prepend=0, append=[20, 30]).tolist()
    np.testing.assert_allclose(ember.diff(t(A), dim=1).numpy(), np.diff(A, axis=1))
    assert ember.diff(t([True, False, False])).tolist() == [True, False]
    with pytest.raises(RuntimeError, match="at least one-dimensional"):
        ember.diff(t(1.0))


GRAD_CASES = {
    "cumsum": lambda x: x.cumsum(1),
    "cumsum0": lambda x: ember.cumsum(x, 0),
    "cumprod": lambda x: x.cumprod(1),
    "cummax": lambda x: x.cummax(1).values,
    "cummin": lambda x: ember.cummin(x, 0).values,
    "logcumsumexp": lambda x: x.logcumsumexp(1),
    "logcumsumexp0": lambda x: ember.logcumsumexp(x * 3, 0),
    "diff": lambda x: x.diff(dim=1),
    "diff2": lambda x: ember.diff(x, n=2, dim=0, prepend=x[:1] * 2),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradcheck(name, gradcheck, rand):
    gradcheck(GRAD_CASES[name], rand(3, 4, seed=7))


@pytest.mark.parametrize("name", ["cumsum", "cumsum0", "cumprod", "logcumsumexp"])
def test_second_order(name, gradcheck, rand):
    gradcheck(GRAD_CASES[name], rand(3, 4, seed=8, low=0.2, high=1.2), second_order=True)


def test_cumprod_gradient_with_zeros(gradcheck, rand):
    x = rand(3, 5, seed=9, low=0.5, high=1.5)
    with ember.no_grad():
        x[0, 0] = 0.0  # a zero first
        x[1, 2] = 0.0  # a zero in the middle
        x[2, 1] = 0.0  # two zeros
        x[2, 3] = 0.0
    x.requires_grad_(True)
    gradcheck(lambda v: v.cumprod(1), x)
    y = rand(4, seed=10, low=0.5, high=1.5)
    with ember.no_grad():
        y[1] = 0.0
    y.requires_grad_(True)
    gradcheck(lambda v: v.cumprod(0), y, second_order=True)


def test_cumprod_zero_gradient_values():
    x = t([2.0, 0.0, 3.0], requires_grad=True)
    x.cumprod(0).sum().backward()
    # d/dx of [x0, x0 x1, x0 x1 x2] summed, at x1 = 0
    assert x.grad.tolist() == [1.0, 2.0 + 6.0, 0.0]
