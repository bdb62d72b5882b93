"""Transforms (forward, inverse, log|det J| against finite differences), constraints, and
TransformedDistribution."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import ember
import ember.distributions as D
from ember.distributions import constraints
from ember.distributions import transforms as T


def _t(x):
    return ember.tensor(np.asarray(x, dtype=np.float64))


_SCALAR = [
    ("exp", T.ExpTransform(), np.linspace(-2, 2, 7)),
    ("sigmoid", T.SigmoidTransform(), np.linspace(-4, 4, 7)),
    ("tanh", T.TanhTransform(), np.linspace(-3, 3, 7)),
    ("power", T.PowerTransform(_t(2.5)), np.linspace(0.2, 3, 7)),
    ("affine", T.AffineTransform(_t(1.5), _t(-2.0)), np.linspace(-2, 2, 7)),
    ("affine-number", T.AffineTransform(0.5, 3.0), np.linspace(-2, 2, 7)),
    ("compose", T.ComposeTransform([T.AffineTransform(0.5, 2.0), T.TanhTransform()]),
     np.linspace(-1, 1, 7)),
]  # fmt: skip


@pytest.mark.parametrize("name, t, x", _SCALAR, ids=[s[0] for s in _SCALAR])
def test_scalar_transforms(name, t, x):
    xt = _t(x)
    y = t(xt)
    np.testing.assert_allclose(t.inv(y).numpy(), x, rtol=1e-9, atol=1e-9)
    h = 1e-6
    slope = (t(_t(x + h)).numpy() - t(_t(x - h)).numpy()) / (2 * h)
    np.testing.assert_allclose(t.log_abs_det_jacobian(xt, y).numpy(), np.log(np.abs(slope)),
                               rtol=1e-6, atol=1e-7)  # fmt: skip
    assert t.bijective
    # the inverse's log-Jacobian is the negative
    np.testing.assert_allclose(t.inv.log_abs_det_jacobian(y, xt).numpy(),
                               -t.log_abs_det_jacobian(xt, y).numpy())  # fmt: skip
    assert t.inv.inv is t


def _numeric_jacobian(fn, x, h=1e-6):
    cols = []
    for i in range(len(x)):
        e = np.zeros_like(x)
        e[i] = h
        cols.append((fn(x + e) - fn(x - e)) / (2 * h))
    return np.stack(cols, -1)


def test_stick_breaking_transform():
    t = T.StickBreakingTransform()
    x = np.array([0.3, -1.2, 0.8])
    y = t(_t(x))
    assert y.shape == (4,) and abs(y.sum().item() - 1) < 1e-12 and bool((y > 0).all())
    np.testing.assert_allclose(t.inv(y).numpy(), x, rtol=1e-10)
    jac = _numeric_jacobian(lambda v: t(_t(v)).numpy()[:-1], x)
    expected = np.linalg.slogdet(jac)[1]
    np.testing.assert_allclose(t.log_abs_det_jacobian(_t(x), y).item(), expected, rtol=1e-7)
    assert t.forward_shape((2, 3)) == (2, 4) and t.inverse_shape((2, 4)) == (2, 3)


def test_affine_with_event_dim_and_softmax_and_abs():
    t = T.AffineTransform(_t([1.0, 2.0]), _t([2.0, -3.0]), event_dim=1)
    x = _t([[0.5, 1.0], [1.0, 2.0]])
    np.testing.assert_allclose(t(x).numpy(), [[2.0, -1.0], [3.0, -4.0]])
    np.testing.assert_allclose(t.log_abs_det_jacobian(x, t(x)).numpy(), [np.log(6.0)] * 2)
    s = T.SoftmaxTransform()
    y = s(_t([1.0, 2.0, 3.0]))
    np.testing.assert_allclose(y.numpy(), np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    assert not s.bijective and s.codomain is constraints.simplex
    a = T.AbsTransform()
    np.testing.assert_array_equal(a(_t([-2.0, 3.0])).numpy(), [2.0, 3.0])
    np.testing.assert_array_equal(a.inv(_t([2.0])).numpy(), [2.0])


def test_transform_caching():
    t = T.ExpTransform().with_cache()
    x = _t([0.5])
    y = t(x)
    assert t.inv(y) is x
    uncached = T.ExpTransform()
    assert uncached.inv(uncached(x)) is not x


def test_transform_gradients(gradcheck, rand):
    x = rand(3, seed=0)
    for t in (T.TanhTransform(), T.SigmoidTransform(), T.ExpTransform()):
        gradcheck(lambda v, t=t: t.log_abs_det_jacobian(v, t(v)), x)
    gradcheck(lambda v: T.StickBreakingTransform()(v), x)


def test_transformed_distribution():
    base = D.Normal(_t([0.0, 0.5]), _t([1.0, 0.5]))
    d = D.TransformedDistribution(base, [T.AffineTransform(1.0, 2.0), T.ExpTransform()])
    ref = stats.lognorm(np.array([2.0, 1.0]), scale=np.exp([1.0, 2.0]))
    x = np.array([0.5, 3.0])
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), ref.logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(d.cdf(_t(x)).numpy(), ref.cdf(x), rtol=1e-12)
    np.testing.assert_allclose(d.icdf(_t([0.3, 0.8])).numpy(), ref.ppf([0.3, 0.8]), rtol=1e-10)
    assert d.has_rsample and d.batch_shape == (2,) and d.support is constraints.positive
    # a decreasing transform flips the CDF
    neg = D.TransformedDistribution(base, T.AffineTransform(0.0, -1.0))
    expected = stats.norm([0.0, -0.5], [1.0, 0.5]).cdf(0.2)  # P(-X <= 0.2)
    np.testing.assert_allclose(neg.cdf(_t([0.2, 0.2])).numpy(), expected, rtol=1e-12)
    # event dims grow through a vector transform
    sb = D.TransformedDistribution(D.Normal(_t(np.zeros(3)), 1.0), T.StickBreakingTransform())
    assert sb.event_shape == (4,) and sb.batch_shape == ()
    ember.manual_seed(0)
    assert sb.sample((5,)).shape == (5, 4)
    with pytest.raises(ValueError, match="transforms must be a Transform or"):
        D.TransformedDistribution(base, "exp")


_CONSTRAINTS = [
    (constraints.real, [0.0, np.inf, np.nan], [True, True, False]),
    (constraints.positive, [1.0, 0.0, -1.0], [True, False, False]),
    (constraints.nonnegative, [1.0, 0.0, -1.0], [True, True, False]),
    (constraints.unit_interval, [0.0, 1.0, 1.5], [True, True, False]),
    (constraints.half_open_interval(0.0, 1.0), [0.0, 1.0, 0.5], [True, False, True]),
    (constraints.boolean, [0.0, 1.0, 0.5], [True, True, False]),
    (constraints.nonnegative_integer, [0.0, 3.0, 1.5], [True, True, False]),
    (constraints.positive_integer, [0.0, 3.0, -1.0], [False, True, False]),
    (constraints.integer_interval(0, 3), [0.0, 3.0, 4.0], [True, True, False]),
    (constraints.greater_than(2.0), [3.0, 2.0, 1.0], [True, False, False]),
    (constraints.greater_than_eq(2.0), [3.0, 2.0, 1.0], [True, True, False]),
    (constraints.less_than(2.0), [3.0, 2.0, 1.0], [False, False, True]),
]


@pytest.mark.parametrize("constraint, values, expected", _CONSTRAINTS,
                         ids=[repr(c[0]) for c in _CONSTRAINTS])  # fmt: skip
def test_scalar_constraints(constraint, values, expected):
    np.testing.assert_array_equal(constraint.check(_t(values)).numpy(), expected)
    assert constraint.event_dim == 0


def test_event_constraints_and_reprs():
    np.testing.assert_array_equal(
        constraints.simplex.check(_t([[0.2, 0.8], [0.5, 0.6], [-0.1, 1.1]])).numpy(),
        [True, False, False],
    )
    np.testing.assert_array_equal(
        constraints.one_hot.check(_t([[0.0, 1.0], [1.0, 1.0]])).numpy(), [True, False]
    )
    pd = _t([[2.0, 0.5], [0.5, 1.0]])
    not_pd = _t([[1.0, 2.0], [2.0, 1.0]])
    assert constraints.positive_definite.check(pd).item()
    assert not constraints.positive_definite.check(not_pd).item()
    assert constraints.lower_cholesky.check(_t([[1.0, 0.0], [2.0, 3.0]])).item()
    assert not constraints.lower_cholesky.check(_t([[1.0, 1.0], [2.0, 3.0]])).item()
    assert not constraints.lower_cholesky.check(_t([[-1.0, 0.0], [2.0, 3.0]])).item()
    assert constraints.real_vector.check(_t([[1.0, np.nan], [1.0, 2.0]])).tolist() == [False, True]
    assert constraints.real_vector.event_dim == 1
    assert repr(constraints.positive) == "GreaterThan(lower_bound=0.0)"
    assert repr(constraints.unit_interval) == "Interval(lower_bound=0.0, upper_bound=1.0)"
    assert repr(constraints.simplex) == "Simplex()"
    assert (
        repr(constraints.integer_interval(0, 3)) == "IntegerInterval(lower_bound=0, upper_bound=3)"
    )
    assert constraints.is_dependent(constraints.dependent)
    with pytest.raises(ValueError, match="Cannot determine validity of dependent constraint"):
        constraints.dependent.check(_t([1.0]))


_REGISTRY_CASES = [
    (constraints.real, [-3.0, 0.0, 2.0]),
    (constraints.positive, [-3.0, 0.0, 2.0]),
    (constraints.greater_than(1.5), [-3.0, 0.0, 2.0]),
    (constraints.less_than(-1.0), [-3.0, 0.0, 2.0]),
    (constraints.unit_interval, [-3.0, 0.0, 2.0]),
    (constraints.interval(-2.0, 5.0), [-3.0, 0.0, 2.0]),
    (constraints.simplex, [-3.0, 0.0, 2.0]),
    (constraints.independent(constraints.positive, 1), [-3.0, 0.0, 2.0]),
]


@pytest.mark.parametrize(
    "constraint, x", _REGISTRY_CASES, ids=[repr(c[0]) for c in _REGISTRY_CASES]
)
def test_biject_to_and_transform_to_land_in_the_constraint(constraint, x):
    for registry in (D.biject_to, D.transform_to):
        t = registry(constraint)
        y = t(_t(x))
        assert bool(constraint.check(y).all())
    t = D.biject_to(constraint)
    assert t.bijective
    np.testing.assert_allclose(t.inv(t(_t(x))).numpy(), x, rtol=1e-9, atol=1e-12)


def test_registry_errors_and_custom_registration():
    with pytest.raises(NotImplementedError, match="Cannot transform _Boolean constraints"):
        D.biject_to(constraints.boolean)
    registry = D.constraint_registry.ConstraintRegistry()
    registry.register(constraints.positive, lambda c: T.ExpTransform())
    assert isinstance(registry(constraints.positive), T.ExpTransform)
    with pytest.raises(TypeError, match="Expected constraint to be either a Constraint"):
        registry.register(int, lambda c: None)
