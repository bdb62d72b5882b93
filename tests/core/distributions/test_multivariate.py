"""Multivariate families, Independent, mixtures and the relaxed distributions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

import ember
import ember.distributions as D

N_SAMPLES = 20000


def _t(x):
    return ember.tensor(np.asarray(x, dtype=np.float64))


def _spd(rng, n):
    a = rng.normal(size=(n, n))
    return a @ a.T + n * np.eye(n)


@pytest.mark.parametrize("param", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_multivariate_normal_parameterisations(param):
    rng = np.random.default_rng(0)
    cov = _spd(rng, 3)
    loc = rng.normal(size=3)
    given = {"covariance_matrix": cov, "precision_matrix": np.linalg.inv(cov),
             "scale_tril": np.linalg.cholesky(cov)}[param]  # fmt: skip
    d = D.MultivariateNormal(_t(loc), **{param: _t(given)})
    ref = stats.multivariate_normal(loc, cov)
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), ref.logpdf(x), rtol=1e-10)
    np.testing.assert_allclose(d.entropy().item(), ref.entropy(), rtol=1e-10)
    np.testing.assert_allclose(d.covariance_matrix.numpy(), cov, rtol=1e-10)
    np.testing.assert_allclose(d.precision_matrix.numpy(), np.linalg.inv(cov), rtol=1e-9)
    np.testing.assert_allclose(d.scale_tril.numpy(), np.linalg.cholesky(cov), rtol=1e-10)
    np.testing.assert_allclose(d.variance.numpy(), np.diag(cov), rtol=1e-10)


def test_multivariate_normal_batches_and_samples():
    rng = np.random.default_rng(1)
    covs = np.stack([_spd(rng, 2) for _ in range(3)])
    loc = rng.normal(size=2)  # broadcast against the batch of covariances
    d = D.MultivariateNormal(_t(loc), covariance_matrix=_t(covs))
    assert d.batch_shape == (3,) and d.event_shape == (2,)
    x = rng.normal(size=(4, 3, 2))
    expected = np.stack([stats.multivariate_normal(loc, c).logpdf(x[:, i]) for i, c in
                         enumerate(covs)], -1)  # fmt: skip
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), expected, rtol=1e-10)
    ember.manual_seed(0)
    s = d.sample((N_SAMPLES,)).numpy()
    assert s.shape == (N_SAMPLES, 3, 2)
    for i in range(3):
        emp = np.cov(s[:, i].T)
        assert np.all(np.abs(emp - covs[i]) < 6 * np.sqrt(2 * np.diag(covs[i]).max() ** 2 /
                                                          N_SAMPLES))  # fmt: skip
        assert np.all(np.abs(s[:, i].mean(0) - loc) < 5 * np.sqrt(np.diag(covs[i]) / N_SAMPLES))


def test_multivariate_normal_rsample_gradient(gradcheck):
    rng = np.random.default_rng(2)
    loc = _t(rng.normal(size=2)).requires_grad_()
    tril = _t(np.linalg.cholesky(_spd(rng, 2))).requires_grad_()

    def logp(loc_, tril_):
        d = D.MultivariateNormal(loc_, scale_tril=tril_.tril())
        return d.log_prob(_t([[0.3, -0.2], [1.0, 0.5]]))

    gradcheck(logp, loc, tril)
    ember.manual_seed(1)
    d = D.MultivariateNormal(loc, scale_tril=tril)
    d.rsample((3,)).sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [3.0, 3.0])


def test_multivariate_normal_errors():
    with pytest.raises(ValueError, match="Exactly one of covariance_matrix or precision_matrix"):
        D.MultivariateNormal(ember.zeros(2))
    with pytest.raises(ValueError, match="loc must be at least one-dimensional"):
        D.MultivariateNormal(ember.tensor(0.0), covariance_matrix=ember.eye(1))
    with pytest.raises(ValueError, match=r"covariance_matrix.*PositiveDefinite"):
        D.MultivariateNormal(ember.zeros(2), covariance_matrix=_t([[1.0, 2.0], [2.0, 1.0]]))


def test_low_rank_multivariate_normal():
    rng = np.random.default_rng(3)
    loc, W, diag = rng.normal(size=4), rng.normal(size=(4, 2)), rng.uniform(0.5, 2, 4)
    cov = W @ W.T + np.diag(diag)
    d = D.LowRankMultivariateNormal(_t(loc), _t(W), _t(diag))
    ref = stats.multivariate_normal(loc, cov)
    x = rng.normal(size=(6, 4))
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), ref.logpdf(x), rtol=1e-10)
    np.testing.assert_allclose(d.entropy().item(), ref.entropy(), rtol=1e-10)
    np.testing.assert_allclose(d.covariance_matrix.numpy(), cov, rtol=1e-10)
    np.testing.assert_allclose(d.precision_matrix.numpy(), np.linalg.inv(cov), rtol=1e-9)
    np.testing.assert_allclose(d.scale_tril.numpy(), np.linalg.cholesky(cov), rtol=1e-9)
    np.testing.assert_allclose(d.variance.numpy(), np.diag(cov), rtol=1e-10)
    ember.manual_seed(2)
    s = d.rsample((N_SAMPLES,)).numpy()
    assert np.all(np.abs(s.mean(0) - loc) < 5 * np.sqrt(np.diag(cov) / N_SAMPLES))
    with pytest.raises(
        ValueError, match=r"cov_factor must be a batch of matrices with shape 4 x m"
    ):
        D.LowRankMultivariateNormal(_t(loc), _t(W[:3]), _t(diag))


def test_dirichlet():
    c = np.array([[0.7, 2.0, 3.5], [1.0, 1.0, 4.0]])
    d = D.Dirichlet(_t(c))
    x = np.array([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3]])
    expected = [stats.dirichlet(c[i]).logpdf(x[i]) for i in range(2)]
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), expected, rtol=1e-10)
    np.testing.assert_allclose(d.entropy().numpy(), [stats.dirichlet(ci).entropy() for ci in c],
                               rtol=1e-10)  # fmt: skip
    np.testing.assert_allclose(d.mean.numpy(), c / c.sum(-1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(d.variance.numpy(), np.stack([stats.dirichlet(ci).var()
                                                             for ci in c]), rtol=1e-10)  # fmt: skip
    np.testing.assert_allclose(D.Dirichlet(_t([3.0, 2.0, 5.0])).mode.numpy(),
                               [2 / 7, 1 / 7, 4 / 7], rtol=1e-12)  # fmt: skip
    np.testing.assert_allclose(D.Dirichlet(_t([0.5, 0.2, 0.3])).mode.numpy(), [1.0, 0.0, 0.0])
    ember.manual_seed(3)
    s = d.sample((N_SAMPLES,)).numpy()
    assert s.shape == (N_SAMPLES, 2, 3)
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-12)
    se = np.sqrt(np.stack([stats.dirichlet(ci).var() for ci in c]) / N_SAMPLES)
    assert np.all(np.abs(s.mean(0) - c / c.sum(-1, keepdims=True)) < 5 * se)


def test_independent():
    base = D.Normal(_t(np.zeros((2, 3))), _t(np.ones((2, 3))))
    d = D.Independent(base, 1)
    assert d.batch_shape == (2,) and d.event_shape == (3,)
    x = np.random.default_rng(4).normal(size=(2, 3))
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), stats.norm.logpdf(x).sum(-1))
    np.testing.assert_allclose(d.entropy().numpy(), [3 * stats.norm.entropy()] * 2)
    assert d.sample((5,)).shape == (5, 2, 3) and d.has_rsample
    assert repr(d.support) == "IndependentConstraint(Real(), 1)"
    with pytest.raises(ValueError, match="Expected reinterpreted_batch_ndims <= len"):
        D.Independent(base, 3)


def test_mixture_same_family():
    w = np.array([0.3, 0.7])
    mus, sds = np.array([-1.0, 2.0]), np.array([0.5, 1.5])
    d = D.MixtureSameFamily(D.Categorical(probs=_t(w)), D.Normal(_t(mus), _t(sds)))
    x = np.array([-1.0, 0.0, 2.5])
    expected = np.log((w * stats.norm.pdf(x[:, None], mus, sds)).sum(-1))
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(d.cdf(_t(x)).numpy(),
                               (w * stats.norm.cdf(x[:, None], mus, sds)).sum(-1))  # fmt: skip
    mean = (w * mus).sum()
    var = (w * (sds**2 + mus**2)).sum() - mean**2
    np.testing.assert_allclose(d.mean.item(), mean)
    np.testing.assert_allclose(d.variance.item(), var)
    ember.manual_seed(4)
    s = d.sample((N_SAMPLES,)).numpy()
    assert s.shape == (N_SAMPLES,)
    assert abs(s.mean() - mean) < 5 * np.sqrt(var / N_SAMPLES)
    # multivariate components (event dims) and batches
    comp = D.Independent(D.Normal(_t(np.zeros((4, 2, 3))), _t(np.ones((4, 2, 3)))), 1)
    md = D.MixtureSameFamily(D.Categorical(logits=_t(np.zeros((4, 2)))), comp)
    assert md.batch_shape == (4,) and md.event_shape == (3,)
    assert md.sample((5,)).shape == (5, 4, 3) and md.log_prob(_t(np.zeros((4, 3)))).shape == (4,)
    with pytest.raises(ValueError, match="does not equal"):
        D.MixtureSameFamily(D.Categorical(probs=_t([0.5, 0.5])), D.Normal(_t([0.0] * 3), 1.0))


def test_logistic_normal():
    loc, scale = np.array([0.3, -0.5]), np.array([1.0, 0.7])
    d = D.LogisticNormal(_t(loc), _t(scale))
    assert d.event_shape == (3,) and d.batch_shape == ()
    y = np.array([0.2, 0.3, 0.5])
    # the inverse of stick breaking and its Jacobian, by the definition
    x = np.log(y[:-1]) - np.log(1 - np.cumsum(y[:-1])) + np.log([2.0, 1.0])
    z = y[:-1] / (1 - np.concatenate([[0.0], np.cumsum(y[:-1])[:-1]]))
    remaining = 1 - np.concatenate([[0.0], np.cumsum(y[:-1])[:-1]])
    log_jac = np.sum(np.log(z * (1 - z) * remaining))
    expected = stats.norm(loc, scale).logpdf(x).sum() - log_jac
    np.testing.assert_allclose(d.log_prob(_t(y)).item(), expected, rtol=1e-10)
    ember.manual_seed(5)
    s = d.sample((100,)).numpy()
    assert s.shape == (100, 3) and np.allclose(s.sum(-1), 1.0) and np.all(s > 0)


def test_relaxed_distributions():
    temp = _t(0.5)
    rb = D.RelaxedBernoulli(temp, probs=_t([0.3, 0.8]))
    ember.manual_seed(6)
    s = rb.rsample((N_SAMPLES,)).numpy()
    assert s.shape == (N_SAMPLES, 2) and np.all((s > 0) & (s < 1))
    # P(sample > 1/2) = probs for the binary Concrete distribution
    np.testing.assert_allclose((s > 0.5).mean(0), [0.3, 0.8], atol=0.02)
    # density by the definition (Maddison et al. 2017, binary Concrete)
    p, t, y = 0.3, 0.5, 0.2
    alpha = p / (1 - p)
    dens = t * alpha * y ** (-t - 1) * (1 - y) ** (-t - 1) / (alpha * y**-t + (1 - y) ** -t) ** 2
    np.testing.assert_allclose(rb.log_prob(_t([y, y])).numpy()[0], np.log(dens), rtol=1e-10)
    rc = D.RelaxedOneHotCategorical(temp, probs=_t([0.2, 0.3, 0.5]))
    s = rc.rsample((N_SAMPLES,)).numpy()
    np.testing.assert_allclose(s.sum(-1), 1.0, rtol=1e-10)
    freq = np.bincount(s.argmax(-1), minlength=3) / N_SAMPLES
    np.testing.assert_allclose(freq, [0.2, 0.3, 0.5], atol=0.02)
    probs, y = np.array([0.2, 0.3, 0.5]), np.array([0.1, 0.3, 0.6])
    k = 3
    dens = (math.factorial(k - 1) * t ** (k - 1) * np.prod(probs * y ** (-t - 1))
            / np.sum(probs * y**-t) ** k)  # fmt: skip
    np.testing.assert_allclose(rc.log_prob(_t(y)).item(), np.log(dens), rtol=1e-10)


@pytest.mark.parametrize("param", ["covariance_matrix", "precision_matrix", "scale_tril"])
def test_wishart_against_scipy(param):
    rng = np.random.default_rng(7)
    cov = _spd(rng, 3)
    given = {"covariance_matrix": cov, "precision_matrix": np.linalg.inv(cov),
             "scale_tril": np.linalg.cholesky(cov)}[param]  # fmt: skip
    df = 5.5
    d = D.Wishart(_t(df), **{param: _t(given)})
    ref = stats.wishart(df, cov)
    x = ref.rvs(size=2, random_state=1)
    assert d.event_shape == (3, 3) and d.batch_shape == ()
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), ref.logpdf(np.moveaxis(x, 0, -1)),
                               rtol=1e-10)  # fmt: skip
    np.testing.assert_allclose(d.entropy().item(), ref.entropy(), rtol=1e-10)
    np.testing.assert_allclose(d.mean.numpy(), ref.mean(), rtol=1e-10)
    np.testing.assert_allclose(d.variance.numpy(), ref.var(), rtol=1e-10)
    np.testing.assert_allclose(d.mode.numpy(), ref.mode(), rtol=1e-10)


def test_wishart_samples_and_errors(gradcheck):
    cov = np.array([[2.0, 0.5], [0.5, 1.0]])
    d = D.Wishart(_t([4.0, 6.0]), covariance_matrix=_t(cov))
    assert d.batch_shape == (2,)
    ember.manual_seed(8)
    s = d.rsample((N_SAMPLES,)).numpy()
    assert s.shape == (N_SAMPLES, 2, 2, 2)
    np.testing.assert_allclose(s, np.swapaxes(s, -1, -2), atol=1e-12)
    for i, df in enumerate((4.0, 6.0)):
        ref = stats.wishart(df, cov)
        assert np.all(np.abs(s[:, i].mean(0) - ref.mean()) < 5 * np.sqrt(ref.var() / N_SAMPLES))
    assert d.expand((3, 2)).sample().shape == (3, 2, 2, 2)
    with pytest.raises(ValueError, match="expected to be greater than ndim - 1 = 1"):
        D.Wishart(_t(0.5), covariance_matrix=_t(cov))
    df = _t([3.5]).requires_grad_()
    tril = _t(np.linalg.cholesky(cov)).requires_grad_()
    x = _t(stats.wishart(3.5, cov).rvs(random_state=2))
    gradcheck(lambda v, t: D.Wishart(v, scale_tril=t.tril()).log_prob(x), df, tril)
