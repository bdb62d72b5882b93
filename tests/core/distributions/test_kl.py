"""kl_divergence: closed forms against independent formulas and Monte Carlo estimates."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp

import ember
import ember.distributions as D

N_MC = 40000


def _t(x):
    return ember.tensor(np.asarray(x, dtype=np.float64))


_PAIRS = [
    ("Normal", lambda: D.Normal(_t([0.0, 1.0]), _t([1.0, 0.5])),
     lambda: D.Normal(_t([0.5, -1.0]), _t([2.0, 1.5]))),
    ("Bernoulli", lambda: D.Bernoulli(probs=_t([0.2, 0.7])),
     lambda: D.Bernoulli(probs=_t([0.5, 0.4]))),
    ("Categorical", lambda: D.Categorical(probs=_t([[0.2, 0.3, 0.5], [0.6, 0.2, 0.2]])),
     lambda: D.Categorical(probs=_t([[0.1, 0.6, 0.3], [0.3, 0.3, 0.4]]))),
    ("OneHotCategorical", lambda: D.OneHotCategorical(probs=_t([0.2, 0.3, 0.5])),
     lambda: D.OneHotCategorical(probs=_t([0.1, 0.6, 0.3]))),
    ("Beta", lambda: D.Beta(_t([2.0, 0.8]), _t([3.0, 1.5])),
     lambda: D.Beta(_t([1.5, 2.0]), _t([1.0, 2.5]))),
    ("Gamma", lambda: D.Gamma(_t([2.0, 0.8]), _t([3.0, 1.5])),
     lambda: D.Gamma(_t([1.5, 2.0]), _t([1.0, 2.5]))),
    ("Dirichlet", lambda: D.Dirichlet(_t([2.0, 3.0, 1.5])),
     lambda: D.Dirichlet(_t([1.0, 2.0, 4.0]))),
    ("Exponential", lambda: D.Exponential(_t([2.0, 0.5])), lambda: D.Exponential(_t([1.0, 3.0]))),
    ("Laplace", lambda: D.Laplace(_t([0.0, 1.0]), _t([1.0, 0.5])),
     lambda: D.Laplace(_t([0.5, -1.0]), _t([2.0, 1.5]))),
    ("MultivariateNormal",
     lambda: D.MultivariateNormal(_t([0.0, 1.0]), _t([[2.0, 0.3], [0.3, 1.0]])),
     lambda: D.MultivariateNormal(_t([1.0, 0.0]), _t([[1.0, -0.2], [-0.2, 1.5]]))),
    ("Uniform", lambda: D.Uniform(_t([0.0, 1.0]), _t([1.0, 2.0])),
     lambda: D.Uniform(_t([-1.0, 0.5]), _t([2.0, 3.0]))),
    ("Poisson", lambda: D.Poisson(_t([2.0, 5.0])), lambda: D.Poisson(_t([3.0, 4.0]))),
    ("Geometric", lambda: D.Geometric(probs=_t([0.3, 0.6])),
     lambda: D.Geometric(probs=_t([0.5, 0.2]))),
    ("Independent", lambda: D.Independent(D.Normal(_t([0.0, 1.0]), _t([1.0, 0.5])), 1),
     lambda: D.Independent(D.Normal(_t([0.5, -1.0]), _t([2.0, 1.5])), 1)),
]  # fmt: skip


@pytest.mark.parametrize("name, make_p, make_q", _PAIRS, ids=[p[0] for p in _PAIRS])
def test_kl_matches_monte_carlo(name, make_p, make_q):
    p, q = make_p(), make_q()
    kl = D.kl_divergence(p, q)
    assert kl.shape == p.batch_shape
    ember.manual_seed(0)
    x = p.sample((N_MC,))
    terms = (p.log_prob(x) - q.log_prob(x)).numpy()
    se = terms.std(0) / np.sqrt(N_MC)
    assert np.all(np.abs(terms.mean(0) - kl.numpy()) < 5 * se + 1e-12)
    assert np.all(kl.numpy() >= -1e-12)


def test_kl_closed_forms():
    # Normal: log(s2/s1) + (s1^2 + (m1 - m2)^2) / (2 s2^2) - 1/2
    m1, s1, m2, s2 = 0.3, 0.7, -0.4, 1.9
    expected = np.log(s2 / s1) + (s1**2 + (m1 - m2) ** 2) / (2 * s2**2) - 0.5
    got = D.kl_divergence(D.Normal(_t(m1), _t(s1)), D.Normal(_t(m2), _t(s2))).item()
    assert got == pytest.approx(expected, rel=1e-12)
    # Gamma (shape a, rate b)
    a1, b1, a2, b2 = 2.5, 1.5, 1.2, 0.7
    expected = (
        (a1 - a2) * sp.digamma(a1)
        - sp.gammaln(a1)
        + sp.gammaln(a2)
        + a2 * (np.log(b1) - np.log(b2))
        + a1 * (b2 - b1) / b1
    )
    assert D.kl_divergence(
        D.Gamma(_t(a1), _t(b1)), D.Gamma(_t(a2), _t(b2))
    ).item() == pytest.approx(expected, rel=1e-12)
    # Uniform with a support not covered by q: inf
    assert D.kl_divergence(D.Uniform(0.0, 2.0), D.Uniform(0.5, 3.0)).item() == np.inf
    np.testing.assert_allclose(D.kl_divergence(D.Uniform(0.5, 1.0), D.Uniform(0.0, 2.0)).item(),
                               np.log(4.0))  # fmt: skip
    # Bernoulli with q at an edge
    assert D.kl_divergence(D.Bernoulli(0.5), D.Bernoulli(0.0)).item() == np.inf


def test_kl_gradients(gradcheck, rand):
    loc = rand(3, seed=1)
    scale = rand(3, low=0.5, high=2.0, seed=2)

    def kl(loc_, scale_):
        return D.kl_divergence(D.Normal(loc_, scale_), D.Normal(0.3, 1.2))

    gradcheck(kl, loc, scale)


def test_register_kl_and_missing_pairs():
    class MyNormal(D.Normal):
        pass

    # the Normal-Normal rule applies to subclasses (Python numbers give float32, as torch)
    got = D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 1.0)).item()
    assert got == pytest.approx(0.5)

    @D.register_kl(MyNormal, MyNormal)
    def _kl(p, q):
        return ember.tensor(42.0)

    assert D.kl_divergence(MyNormal(0.0, 1.0), MyNormal(1.0, 1.0)).item() == 42.0
    assert D.kl_divergence(MyNormal(0.0, 1.0), D.Normal(1.0, 1.0)).item() == pytest.approx(0.5)
    with pytest.raises(NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p "
                                                  "type Normal and q type Gamma"):  # fmt: skip
        D.kl_divergence(D.Normal(0.0, 1.0), D.Gamma(1.0, 1.0))
    with pytest.raises(TypeError, match="Expected type_p to be a Distribution subclass"):
        D.register_kl(int, D.Normal)
