"""Continuous univariate families: log_prob, cdf, icdf, entropy, mean, variance against
scipy.stats (or direct formulas), and the distribution of samples (KS test, moments)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.integrate as integrate
import scipy.special as sp
from scipy import stats

import ember
import ember.distributions as D

N_SAMPLES = 20000


def _t(x):
    return ember.tensor(np.asarray(x, dtype=np.float64))


def _u(rng, low, high, n=4):
    return rng.uniform(low, high, n)


def _kumaraswamy_ref(a, b):
    class Ref:
        def logpdf(self, x):
            return np.log(a * b) + (a - 1) * np.log(x) + (b - 1) * np.log1p(-(x**a))

        def cdf(self, x):
            return 1 - (1 - x**a) ** b

        def ppf(self, q):
            return (1 - (1 - q) ** (1 / b)) ** (1 / a)

        def mean(self):
            return b * sp.beta(1 + 1 / a, b)

        def var(self):
            return b * sp.beta(1 + 2 / a, b) - self.mean() ** 2

        def entropy(self):
            return np.array([
                integrate.quad(lambda x, i=i: -np.exp(self.logpdf(x)[i]) * self.logpdf(x)[i],
                               0, 1)[0] for i in range(len(a))
            ])  # fmt: skip

    a = np.asarray(a)
    b = np.asarray(b)
    ref = Ref()
    ref.logpdf = lambda x: np.log(a * b) + (a - 1) * np.log(x) + (b - 1) * np.log1p(-(x**a))
    return ref


def _cb_ref(p):
    """The continuous Bernoulli by its definition (normaliser, moments by quadrature)."""
    p = np.asarray(p)
    log_c = np.log(2 * np.arctanh(1 - 2 * p) / (1 - 2 * p))

    class Ref:
        def logpdf(self, x):
            return log_c + x * np.log(p) + (1 - x) * np.log1p(-p)

        def _quad(self, f):
            return np.array([integrate.quad(lambda x, i=i: f(x, i), 0, 1)[0]
                             for i in range(len(p))])  # fmt: skip

        def cdf(self, x):
            return (p**x * (1 - p) ** (1 - x) + p - 1) / (2 * p - 1)

        def mean(self):
            return self._quad(lambda x, i: x * np.exp(self.logpdf(x)[i]))

        def var(self):
            m = self.mean()
            return self._quad(lambda x, i: (x - m[i]) ** 2 * np.exp(self.logpdf(x)[i]))

        def entropy(self):
            return self._quad(lambda x, i: -np.exp(self.logpdf(x)[i]) * self.logpdf(x)[i])

    return Ref()


# name, params(rng), ember constructor, scipy reference, support sampler, features
_FAMILIES = [
    ("Normal", lambda r: (_u(r, -2, 2), _u(r, 0.5, 2)), D.Normal,
     lambda a, b: stats.norm(a, b), lambda r: r.normal(0, 2, 4), "cdf icdf moments ks"),
    ("Uniform", lambda r: (_u(r, -2, 0), _u(r, 0.5, 2)), D.Uniform,
     lambda a, b: stats.uniform(a, b - a), lambda r: r.uniform(0, 0.5, 4), "cdf icdf moments ks"),
    ("Exponential", lambda r: (_u(r, 0.5, 3),), D.Exponential,
     lambda a: stats.expon(scale=1 / a), lambda r: r.uniform(0, 3, 4), "cdf icdf moments ks"),
    ("Laplace", lambda r: (_u(r, -2, 2), _u(r, 0.5, 2)), D.Laplace,
     lambda a, b: stats.laplace(a, b), lambda r: r.normal(0, 2, 4), "cdf icdf moments ks"),
    ("Cauchy", lambda r: (_u(r, -2, 2), _u(r, 0.5, 2)), D.Cauchy,
     lambda a, b: stats.cauchy(a, b), lambda r: r.normal(0, 2, 4), "cdf icdf ks"),
    ("Gumbel", lambda r: (_u(r, -2, 2), _u(r, 0.5, 2)), D.Gumbel,
     lambda a, b: stats.gumbel_r(a, b), lambda r: r.normal(0, 2, 4), "cdf icdf moments ks"),
    ("HalfNormal", lambda r: (_u(r, 0.5, 2),), D.HalfNormal,
     lambda a: stats.halfnorm(scale=a), lambda r: r.uniform(0, 3, 4), "cdf icdf moments ks"),
    ("HalfCauchy", lambda r: (_u(r, 0.5, 2),), D.HalfCauchy,
     lambda a: stats.halfcauchy(scale=a), lambda r: r.uniform(0, 3, 4), "cdf icdf ks"),
    ("LogNormal", lambda r: (_u(r, -1, 1), _u(r, 0.2, 0.6)), D.LogNormal,
     lambda a, b: stats.lognorm(b, scale=np.exp(a)), lambda r: r.uniform(0.1, 3, 4),
     "cdf icdf moments ks"),
    ("StudentT", lambda r: (_u(r, 5, 10), _u(r, -1, 1), _u(r, 0.5, 2)), D.StudentT,
     lambda a, b, c: stats.t(a, b, c), lambda r: r.normal(0, 2, 4), "moments ks"),
    ("Gamma", lambda r: (_u(r, 0.5, 5), _u(r, 0.5, 3)), D.Gamma,
     lambda a, b: stats.gamma(a, scale=1 / b), lambda r: r.uniform(0.1, 4, 4), "cdf moments ks"),
    ("Chi2", lambda r: (_u(r, 1, 8),), D.Chi2, lambda a: stats.chi2(a),
     lambda r: r.uniform(0.1, 8, 4), "cdf moments ks"),
    ("Beta", lambda r: (_u(r, 0.5, 4), _u(r, 0.5, 4)), D.Beta, lambda a, b: stats.beta(a, b),
     lambda r: r.uniform(0.05, 0.95, 4), "moments ks"),
    ("Weibull", lambda r: (_u(r, 0.5, 2), _u(r, 0.7, 3)), D.Weibull,
     lambda a, b: stats.weibull_min(b, scale=a), lambda r: r.uniform(0.1, 2, 4),
     "cdf icdf moments ks"),
    ("Pareto", lambda r: (_u(r, 0.5, 2), _u(r, 4.5, 6)), D.Pareto,
     lambda a, b: stats.pareto(b, scale=a), lambda r: r.uniform(2.0, 5, 4), "cdf icdf moments ks"),
    ("FisherSnedecor", lambda r: (_u(r, 2, 10), _u(r, 9, 15)), D.FisherSnedecor,
     lambda a, b: stats.f(a, b), lambda r: r.uniform(0.1, 3, 4), "moments ks noentropy"),
    ("Kumaraswamy", lambda r: (_u(r, 0.8, 3), _u(r, 0.8, 3)), D.Kumaraswamy, _kumaraswamy_ref,
     lambda r: r.uniform(0.05, 0.95, 4), "cdf icdf moments ks"),
    ("ContinuousBernoulli", lambda r: (np.array([0.2, 0.45, 0.7, 0.9]),),
     lambda p: D.ContinuousBernoulli(probs=p), _cb_ref, lambda r: r.uniform(0.05, 0.95, 4),
     "cdf moments ks"),
]  # fmt: skip
_IDS = [f[0] for f in _FAMILIES]


def _make(spec, seed=0):
    _, params, ctor, ref, values, features = spec
    rng = np.random.default_rng(seed)
    p = params(rng)
    return ctor(*[_t(v) for v in p]), ref(*p), values(rng), features


@pytest.mark.parametrize("spec", _FAMILIES, ids=_IDS)
def test_log_prob_matches_reference(spec):
    d, ref, x, _ = _make(spec)
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), ref.logpdf(x), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("spec", _FAMILIES, ids=_IDS)
def test_cdf_and_icdf_match_reference(spec):
    d, ref, x, features = _make(spec)
    if "cdf" in features:
        np.testing.assert_allclose(d.cdf(_t(x)).numpy(), ref.cdf(x), rtol=1e-9, atol=1e-12)
    if "icdf" in features:
        q = np.array([0.1, 0.35, 0.6, 0.9])
        np.testing.assert_allclose(d.icdf(_t(q)).numpy(), ref.ppf(q), rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("spec", _FAMILIES, ids=_IDS)
def test_entropy_mean_variance_match_reference(spec):
    d, ref, _, features = _make(spec)
    if "noentropy" not in features:
        np.testing.assert_allclose(d.entropy().numpy(), ref.entropy(), rtol=1e-7, atol=1e-9)
    if "moments" in features:
        np.testing.assert_allclose(d.mean.numpy(), ref.mean(), rtol=1e-8)
        np.testing.assert_allclose(d.variance.numpy(), ref.var(), rtol=1e-8)
        np.testing.assert_allclose(d.stddev.numpy(), np.sqrt(ref.var()), rtol=1e-8)


@pytest.mark.parametrize("spec", _FAMILIES, ids=_IDS)
def test_samples_follow_the_distribution(spec):
    d, ref, _, features = _make(spec)
    ember.manual_seed(1)
    s = d.sample((N_SAMPLES,))
    assert s.shape == (N_SAMPLES, 4) and s.dtype == ember.float64
    arr = s.numpy()
    assert not s.requires_grad
    if "ks" in features and hasattr(ref, "cdf"):
        for i in range(4):
            cdf_i = _column_cdf(spec, i)
            assert stats.kstest(arr[:, i], cdf_i).pvalue > 1e-3
    if "moments" in features:
        mean, var = ref.mean(), ref.var()
        se = np.sqrt(var / N_SAMPLES)
        assert np.all(np.abs(arr.mean(0) - mean) < 5 * se)


def _column_cdf(spec, i):
    """The reference CDF of batch member ``i`` as a function of an array of values."""
    params, ref_fn = spec[1], spec[3]
    p = params(np.random.default_rng(0))
    ref_i = ref_fn(*[np.asarray(v)[i : i + 1] for v in p])
    return lambda v: ref_i.cdf(np.asarray(v)[:, None])[:, 0] if np.ndim(v) else ref_i.cdf(v)


def test_von_mises_against_scipy():
    loc, k = np.array([0.3, -1.0, 2.0]), np.array([0.5, 2.0, 8.0])
    d = D.VonMises(_t(loc), _t(k))
    x = np.array([0.1, -2.0, 3.0])
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), stats.vonmises(k, loc).logpdf(x),
                               rtol=1e-10)  # fmt: skip
    np.testing.assert_allclose(d.variance.numpy(), 1 - sp.i1(k) / sp.i0(k), rtol=1e-10)
    ember.manual_seed(2)
    s = d.sample((N_SAMPLES,)).numpy()
    assert s.shape == (N_SAMPLES, 3) and np.all(np.abs(s) <= np.pi)
    centred = np.mod(s - loc + np.pi, 2 * np.pi) - np.pi  # SciPy's CDF is not periodic
    for i in range(3):
        assert stats.kstest(centred[:, i], stats.vonmises(k[i]).cdf).pvalue > 1e-3
    assert not d.has_rsample


def test_cauchy_and_half_cauchy_moments_do_not_exist():
    d = D.Cauchy(_t([0.0, 1.0]), _t([1.0, 2.0]))
    assert np.all(np.isnan(d.mean.numpy())) and np.all(np.isinf(d.variance.numpy()))
    h = D.HalfCauchy(_t([1.0]))
    assert np.isinf(h.mean.item()) and np.isinf(h.variance.item())
    assert D.HalfCauchy(_t([1.0]), validate_args=False).log_prob(_t([-1.0])).item() == -np.inf
    assert D.HalfNormal(_t([1.0]), validate_args=False).log_prob(_t([-1.0])).item() == -np.inf


def test_student_t_moments_by_df():
    d = D.StudentT(_t([0.5, 1.5, 3.0]), _t([1.0, 1.0, 1.0]), _t([2.0, 2.0, 2.0]))
    mean, var = d.mean.numpy(), d.variance.numpy()
    assert np.isnan(mean[0]) and mean[1] == 1.0 and mean[2] == 1.0
    assert np.isnan(var[0]) and np.isinf(var[1]) and var[2] == pytest.approx(4.0 * 3.0)


def test_modes():
    np.testing.assert_allclose(D.Gamma(_t([3.0, 0.5]), _t([2.0, 1.0])).mode.numpy(), [1.0, 0.0])
    np.testing.assert_allclose(D.Beta(_t([3.0]), _t([2.0])).mode.numpy(), [2.0 / 3.0])
    np.testing.assert_allclose(D.LogNormal(_t([0.5]), _t([0.5])).mode.numpy(),
                               [np.exp(0.5 - 0.25)])  # fmt: skip
    np.testing.assert_allclose(D.Gumbel(_t([1.5]), _t([2.0])).mode.numpy(), [1.5])
    assert np.isnan(D.Uniform(_t([0.0]), _t([1.0])).mode.item())
    np.testing.assert_allclose(D.Weibull(_t([2.0]), _t([3.0])).mode.numpy(),
                               [2.0 * (2.0 / 3.0) ** (1 / 3)])  # fmt: skip


def test_continuous_bernoulli_near_one_half_uses_taylor_expansions():
    p = np.array([0.4995, 0.5, 0.5008])
    d = D.ContinuousBernoulli(probs=_t(p))
    x = np.array([0.3, 0.6, 0.9])
    # the exact normaliser is 2 atanh(1 - 2p) / (1 - 2p) -> 2 at p = 1/2
    safe = np.where(p == 0.5, 0.4999999, p)
    ref = _cb_ref(safe)
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), ref.logpdf(x), rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(d.mean.numpy(), ref.mean(), rtol=1e-5)
    np.testing.assert_allclose(d.variance.numpy(), ref.var(), rtol=1e-5)
    # inside the unstable region the cdf and icdf are the uniform's, as in PyTorch
    np.testing.assert_allclose(d.cdf(_t(x)).numpy(), x, atol=1e-3)
