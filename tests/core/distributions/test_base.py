"""The Distribution interface: shapes, expand, validation errors, reprs, reproducible
sampling, and reparameterised gradients (including the gamma sampler's)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp

import ember
import ember.distributions as D


def _t(x, grad=False):
    return ember.tensor(np.asarray(x, dtype=np.float64), requires_grad=grad)


# families with batch shape (2, 3), how to build them from a (2, 3) positive parameter
_BATCHED = [
    ("Normal", lambda p: D.Normal(p, p)),
    ("Uniform", lambda p: D.Uniform(-p, p)),
    ("Exponential", lambda p: D.Exponential(p)),
    ("Laplace", lambda p: D.Laplace(p, p)),
    ("Cauchy", lambda p: D.Cauchy(p, p)),
    ("Gumbel", lambda p: D.Gumbel(p, p)),
    ("HalfNormal", lambda p: D.HalfNormal(p)),
    ("HalfCauchy", lambda p: D.HalfCauchy(p)),
    ("LogNormal", lambda p: D.LogNormal(p, p)),
    ("StudentT", lambda p: D.StudentT(p + 2, p, p)),
    ("Gamma", lambda p: D.Gamma(p, p)),
    ("Chi2", lambda p: D.Chi2(p)),
    ("Beta", lambda p: D.Beta(p, p)),
    ("Weibull", lambda p: D.Weibull(p, p)),
    ("Pareto", lambda p: D.Pareto(p, p + 2)),
    ("Kumaraswamy", lambda p: D.Kumaraswamy(p, p)),
    ("FisherSnedecor", lambda p: D.FisherSnedecor(p + 1, p + 4)),
    ("VonMises", lambda p: D.VonMises(p, p)),
    ("ContinuousBernoulli", lambda p: D.ContinuousBernoulli(probs=p / 3)),
    ("Bernoulli", lambda p: D.Bernoulli(probs=p / 3)),
    ("Binomial", lambda p: D.Binomial(5, probs=p / 3)),
    ("Poisson", lambda p: D.Poisson(p)),
    ("Geometric", lambda p: D.Geometric(probs=p / 3)),
    ("NegativeBinomial", lambda p: D.NegativeBinomial(p, probs=p / 3)),
    ("RelaxedBernoulli", lambda p: D.RelaxedBernoulli(_t(0.5), probs=p / 3)),
]
_P = np.array([[0.5, 1.0, 1.5], [0.7, 0.9, 2.0]])


@pytest.mark.parametrize("name, make", _BATCHED, ids=[b[0] for b in _BATCHED])
def test_shapes_and_expand(name, make):
    d = make(_t(_P))
    assert d.batch_shape == (2, 3) and d.event_shape == ()
    ember.manual_seed(0)
    s = d.sample((4, 5))
    assert s.shape == (4, 5, 2, 3)
    assert d.log_prob(s).shape == (4, 5, 2, 3)
    e = d.expand((7, 2, 3))
    assert type(e) is type(d) and e.batch_shape == (7, 2, 3)
    assert e.sample().shape == (7, 2, 3)
    np.testing.assert_allclose(e.log_prob(s[0, 0]).numpy(),
                               np.broadcast_to(d.log_prob(s[0, 0]).numpy(), (7, 2, 3)))  # fmt: skip
    # same seed, same samples
    ember.manual_seed(11)
    a = d.sample((3,))
    ember.manual_seed(11)
    b = d.sample((3,))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert d.has_rsample == (name in {"Normal", "Uniform", "Exponential", "Laplace", "Cauchy",
                                      "Gumbel", "HalfNormal", "HalfCauchy", "LogNormal",
                                      "StudentT", "Gamma", "Chi2", "Beta", "Weibull", "Pareto",
                                      "Kumaraswamy", "FisherSnedecor", "ContinuousBernoulli",
                                      "RelaxedBernoulli"})  # fmt: skip


# reparameterised families: d E[x] / d theta by the pathwise estimator vs the analytic mean
_RSAMPLE = [
    ("Normal", lambda a, b: D.Normal(a, b)),
    ("Uniform", lambda a, b: D.Uniform(a - 1, a + b)),
    ("Exponential", lambda a, b: D.Exponential(a + b)),
    ("Laplace", lambda a, b: D.Laplace(a, b)),
    ("Gumbel", lambda a, b: D.Gumbel(a, b)),
    ("HalfNormal", lambda a, b: D.HalfNormal(a * b)),
    ("LogNormal", lambda a, b: D.LogNormal(a, b * 0.5)),
    ("StudentT", lambda a, b: D.StudentT(a * 6, a, b)),
    ("Gamma", lambda a, b: D.Gamma(a, b)),
    ("Chi2", lambda a, b: D.Chi2(a * 3)),
    ("Beta", lambda a, b: D.Beta(a, b)),
    ("Weibull", lambda a, b: D.Weibull(a, b + 1)),
    ("Pareto", lambda a, b: D.Pareto(a, b + 3)),
    ("Kumaraswamy", lambda a, b: D.Kumaraswamy(a + 1, b + 1)),
    ("FisherSnedecor", lambda a, b: D.FisherSnedecor(a * 4, b + 6)),
    ("ContinuousBernoulli", lambda a, b: D.ContinuousBernoulli(probs=a / (a + b))),
]


@pytest.mark.parametrize("name, make", _RSAMPLE, ids=[r[0] for r in _RSAMPLE])
def test_pathwise_gradient_of_the_mean(name, make):
    a, b = _t([1.2], grad=True), _t([1.7], grad=True)
    d = make(a, b)
    ember.manual_seed(7)
    n = 40000
    x = d.rsample((n,))
    assert x.requires_grad
    ga, gb = ember.autograd.grad(x.mean(), [a, b], allow_unused=True)
    ea, eb = ember.autograd.grad(make(a, b).mean.sum(), [a, b], allow_unused=True)
    for got, expected in ((ga, ea), (gb, eb)):
        value = 0.0 if got is None else got.item()
        target = 0.0 if expected is None else expected.item()  # the mean does not depend on it
        assert value == pytest.approx(target, rel=0.05, abs=0.02)


def test_standard_gamma_gradient_is_implicit_reparameterisation():
    alpha = _t([0.05, 0.4, 1.0, 3.0, 25.0, 400.0], grad=True)
    ember.manual_seed(3)
    x = ember._standard_gamma(alpha)
    assert x.shape == alpha.shape and x.dtype == ember.float64 and bool((x > 0).all())
    (grad,) = ember.autograd.grad(x.sum(), alpha)
    a, v = alpha.detach().numpy(), x.detach().numpy()
    u = sp.gammainc(a, v)  # hold the uniform fixed and move alpha
    h = 1e-6 * a
    expected = (sp.gammaincinv(a + h, u) - sp.gammaincinv(a - h, u)) / (2 * h)
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-5)


def test_standard_gamma_numpy_only_path(monkeypatch):
    from ember.ops import special_math

    monkeypatch.setattr(special_math, "_scipy", None)
    monkeypatch.setattr(special_math, "_scipy_checked", True)
    alpha = _t([0.3, 2.0, 9.0], grad=True)
    ember.manual_seed(4)
    x = ember._standard_gamma(alpha)
    (grad,) = ember.autograd.grad(x.sum(), alpha)
    a, v = alpha.detach().numpy(), x.detach().numpy()
    u = sp.gammainc(a, v)
    h = 1e-6 * a
    expected = (sp.gammaincinv(a + h, u) - sp.gammaincinv(a - h, u)) / (2 * h)
    np.testing.assert_allclose(grad.numpy(), expected, rtol=1e-5)


def test_standard_gamma_samples_and_float32():
    ember.manual_seed(5)
    x = ember._standard_gamma(ember.full((20000,), 2.5))
    assert x.dtype == ember.float32
    assert abs(x.mean().item() - 2.5) < 5 * np.sqrt(2.5 / 20000)
    ember.manual_seed(5)
    np.testing.assert_array_equal(ember._standard_gamma(ember.full((20000,), 2.5)).numpy(),
                                  x.numpy())  # fmt: skip
    with pytest.raises(TypeError, match=r"_standard_gamma\(\): argument 'input'"):
        ember._standard_gamma([1.0])


def test_sample_dirichlet_gradient_flows():
    c = _t([1.0, 2.0, 3.0], grad=True)
    ember.manual_seed(6)
    p = ember._sample_dirichlet(c.expand(20000, 3))
    np.testing.assert_allclose(p.sum(-1).detach().numpy(), 1.0, rtol=1e-12)
    # d E[p_0] / d c = d/dc (c_0 / sum c) = (e_0 sum c - c_0) / (sum c)^2
    (g,) = ember.autograd.grad(p[:, 0].mean(), c)
    expected = (np.array([1.0, 0.0, 0.0]) * 6.0 - 1.0) / 36.0
    np.testing.assert_allclose(g.numpy(), expected, atol=0.005)


_LOG_PROB_GRADS = [
    ("Normal", lambda a, b: D.Normal(a, b), 0.3),
    ("Gamma", lambda a, b: D.Gamma(a, b), 0.7),
    ("Beta", lambda a, b: D.Beta(a, b), 0.4),
    ("StudentT", lambda a, b: D.StudentT(a + 1, a, b), 0.2),
    ("Laplace", lambda a, b: D.Laplace(a, b), 0.6),
    ("Weibull", lambda a, b: D.Weibull(a, b), 0.8),
    ("Kumaraswamy", lambda a, b: D.Kumaraswamy(a, b), 0.4),
    ("VonMises", lambda a, b: D.VonMises(a, b), 0.4),
    ("Binomial", lambda a, b: D.Binomial(6, logits=a - b), 2.0),
    ("NegativeBinomial", lambda a, b: D.NegativeBinomial(a, logits=b - 1), 2.0),
]


@pytest.mark.parametrize("name, make, x", _LOG_PROB_GRADS, ids=[g[0] for g in _LOG_PROB_GRADS])
def test_log_prob_and_entropy_gradcheck(gradcheck, rand, name, make, x):
    a = rand(3, low=0.6, high=1.5, seed=1)
    b = rand(3, low=0.6, high=1.5, seed=2)
    gradcheck(lambda a_, b_: make(a_, b_).log_prob(_t([x] * 3)), a, b)
    if name not in ("VonMises", "NegativeBinomial", "Binomial"):
        gradcheck(lambda a_, b_: make(a_, b_).entropy(), a, b)


def test_validation_errors():
    expected = (
        r"Expected parameter scale \(Tensor of shape \(\)\) of distribution Normal\(loc: 0.0, "
        r"scale: -1.0\) to satisfy the constraint GreaterThan\(lower_bound=0.0\)"
    )
    with pytest.raises(ValueError, match=expected):
        D.Normal(0.0, -1.0)
    expected = (
        r"Expected value argument .* to be within the support \(Boolean\(\)\) of the "
        r"distribution Bernoulli"
    )
    with pytest.raises(ValueError, match=expected):
        D.Bernoulli(0.5).log_prob(ember.tensor(0.5))
    with pytest.raises(ValueError, match="The value argument to log_prob must be a Tensor"):
        D.Normal(0.0, 1.0).log_prob(3.0)
    with pytest.raises(ValueError, match="Value is not broadcastable with batch_shape"):
        D.Normal(ember.zeros(3), 1.0).log_prob(ember.zeros(2))
    with pytest.raises(ValueError, match="The right-most size of value must match event_shape"):
        D.Dirichlet(ember.ones(3)).log_prob(ember.ones(2) / 2)
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
        D.Bernoulli()
    with pytest.raises(ValueError, match="Either `probs` or `logits` must be specified"):
        D.Categorical(probs=ember.ones(2), logits=ember.ones(2))
    with pytest.raises(ValueError, match="Uniform is not defined when low >= high"):
        D.Uniform(1.0, 0.0)
    with pytest.raises(ValueError, match="satisfy the constraint Simplex"):
        D.Categorical(probs=_t([0.5, -0.2]))
    with pytest.raises(RuntimeError, match="does not support rsample"):
        D.Poisson(_t([1.0])).rsample()
    with pytest.raises(ValueError, match="Input arguments must all be instances of numbers"):
        D.Normal("a", 1.0)


def test_validate_args_switches():
    assert D.Normal(0.0, -1.0, validate_args=False).scale.item() == -1.0
    D.Distribution.set_default_validate_args(False)
    try:
        assert D.Normal(0.0, -1.0).scale.item() == -1.0
        assert np.isfinite(D.Bernoulli(0.5).log_prob(ember.tensor(0.5)).item())
    finally:
        D.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        D.Normal(0.0, -1.0)
    with pytest.raises(ValueError, match="expected True or False"):
        D.Distribution.set_default_validate_args("yes")


def test_reprs_and_properties():
    assert repr(D.Normal(0.0, 1.0)) == "Normal(loc: 0.0, scale: 1.0)"
    assert repr(D.Normal(ember.zeros(2), 1.0)) == (
        "Normal(loc: ember.Size([2]), scale: ember.Size([2]))"
    )
    d = D.Gamma(_t([2.0, 3.0]), _t([1.0, 2.0]))
    np.testing.assert_allclose(d.stddev.numpy(), np.sqrt([2.0, 0.75]))
    np.testing.assert_allclose(d.perplexity().numpy(), np.exp(d.entropy().numpy()))
    assert D.Exponential(_t([1.0])).support is D.constraints.nonnegative
    assert D.Normal.arg_constraints["scale"] is D.constraints.positive
    with pytest.raises(RuntimeError, match="StudentT does not implement cdf"):
        D.StudentT(_t([2.0])).cdf(_t([0.0]))


def test_scalar_parameters_give_the_default_dtype():
    assert D.Normal(0.0, 1.0).sample().dtype == ember.float32
    assert D.Normal(0.0, 1.0).batch_shape == ()
    assert D.Normal(_t(0.0), 1.0).sample().dtype == ember.float64
