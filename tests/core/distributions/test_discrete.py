"""Discrete families against scipy.stats: log_prob, entropy, mean, variance, samples."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import ember
import ember.distributions as D

N_SAMPLES = 20000


def _t(x):
    return ember.tensor(np.asarray(x, dtype=np.float64))


# name, ember distribution, scipy reference, values to score, entropy available
_FAMILIES = [
    ("Bernoulli", lambda: D.Bernoulli(probs=_t([0.1, 0.5, 0.8])),
     stats.bernoulli(np.array([0.1, 0.5, 0.8])), np.array([0.0, 1.0, 1.0]), True),
    ("Bernoulli-logits", lambda: D.Bernoulli(logits=_t([-2.0, 0.3, 1.5])),
     stats.bernoulli(1 / (1 + np.exp(-np.array([-2.0, 0.3, 1.5])))), np.array([1.0, 0, 1]), True),
    ("Binomial", lambda: D.Binomial(10, probs=_t([0.1, 0.5, 0.8])),
     stats.binom(10, np.array([0.1, 0.5, 0.8])), np.array([0.0, 4.0, 9.0]), True),
    ("Binomial-counts", lambda: D.Binomial(_t([3.0, 7.0, 12.0]), logits=_t([-1.0, 0.0, 2.0])),
     stats.binom(np.array([3, 7, 12]), 1 / (1 + np.exp(-np.array([-1.0, 0.0, 2.0])))),
     np.array([1.0, 7.0, 3.0]), False),
    ("Poisson", lambda: D.Poisson(_t([0.5, 3.0, 12.0])), stats.poisson(np.array([0.5, 3, 12])),
     np.array([0.0, 2.0, 15.0]), False),
    ("Geometric", lambda: D.Geometric(probs=_t([0.2, 0.5, 0.9])),
     stats.geom(np.array([0.2, 0.5, 0.9]), loc=-1), np.array([0.0, 3.0, 1.0]), True),
    ("NegativeBinomial", lambda: D.NegativeBinomial(_t([2.0, 5.0, 1.5]), probs=_t([0.3, 0.6, 0.1])),
     stats.nbinom(np.array([2.0, 5.0, 1.5]), 1 - np.array([0.3, 0.6, 0.1])),
     np.array([0.0, 4.0, 2.0]), False),
]  # fmt: skip
_IDS = [f[0] for f in _FAMILIES]


@pytest.mark.parametrize("name, make, ref, x, has_entropy", _FAMILIES, ids=_IDS)
def test_discrete_against_scipy(name, make, ref, x, has_entropy):
    d = make()
    np.testing.assert_allclose(d.log_prob(_t(x)).numpy(), ref.logpmf(x), rtol=1e-10)
    np.testing.assert_allclose(d.mean.numpy(), ref.mean(), rtol=1e-10)
    np.testing.assert_allclose(d.variance.numpy(), ref.var(), rtol=1e-10)
    if has_entropy:
        np.testing.assert_allclose(d.entropy().numpy(), ref.entropy(), rtol=1e-9)


@pytest.mark.parametrize("name, make, ref, x, has_entropy", _FAMILIES, ids=_IDS)
def test_discrete_samples(name, make, ref, x, has_entropy):
    d = make()
    ember.manual_seed(3)
    s = d.sample((N_SAMPLES,))
    assert s.shape == (N_SAMPLES, 3) and s.dtype == ember.float64
    arr = s.numpy()
    assert np.all(arr == np.floor(arr)) and np.all(arr >= 0)
    se = np.sqrt(ref.var() / N_SAMPLES)
    assert np.all(np.abs(arr.mean(0) - ref.mean()) < 5 * se + 1e-12)
    # frequencies of the most likely values against the pmf (chi-square-like bound)
    for i in range(3):
        k = np.arange(0, int(ref.mean()[i] + 4 * np.sqrt(ref.var()[i])) + 1)
        pmf = ref.pmf(np.full((len(k), 3), k[:, None]))[:, i]
        freq = np.array([(arr[:, i] == kk).mean() for kk in k])
        assert np.all(np.abs(freq - pmf) < 5 * np.sqrt(pmf * (1 - pmf) / N_SAMPLES) + 1e-3)


def test_binomial_entropy_requires_homogeneous_total_count():
    with pytest.raises(RuntimeError, match="Inhomogeneous total count"):
        D.Binomial(_t([3.0, 4.0]), probs=_t([0.5, 0.5])).entropy()


def test_enumerate_support():
    b = D.Bernoulli(probs=_t([0.3, 0.6]))
    np.testing.assert_array_equal(b.enumerate_support().numpy(), [[0, 0], [1, 1]])
    assert b.enumerate_support(expand=False).shape == (2, 1)
    c = D.Categorical(probs=_t([[0.2, 0.3, 0.5]]))
    np.testing.assert_array_equal(c.enumerate_support().numpy(), [[0], [1], [2]])
    assert D.Binomial(3, probs=_t([0.2])).enumerate_support().shape == (4, 1)
    o = D.OneHotCategorical(probs=_t([0.2, 0.8]))
    np.testing.assert_array_equal(o.enumerate_support().numpy(), np.eye(2))


def test_categorical():
    probs = np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]])
    d = D.Categorical(probs=_t(probs * 3.0))  # normalised along the last dim
    assert d.batch_shape == (2,) and d.event_shape == ()
    np.testing.assert_allclose(d.probs.numpy(), probs, rtol=1e-12)
    np.testing.assert_allclose(d.log_prob(ember.tensor([2, 0])).numpy(),
                               np.log([0.7, 0.5]), rtol=1e-12)  # fmt: skip
    np.testing.assert_allclose(d.entropy().numpy(), stats.entropy(probs, axis=-1), rtol=1e-12)
    np.testing.assert_array_equal(d.mode.numpy(), [2, 0])
    assert np.all(np.isnan(d.mean.numpy()))
    logits = np.log(probs) + 5.0
    dl = D.Categorical(logits=_t(logits))
    np.testing.assert_allclose(dl.probs.numpy(), probs, rtol=1e-12)
    ember.manual_seed(4)
    s = d.sample((N_SAMPLES,))
    assert s.shape == (N_SAMPLES, 2) and s.dtype == ember.int64
    for i in range(2):
        freq = np.bincount(s.numpy()[:, i], minlength=3) / N_SAMPLES
        assert np.all(np.abs(freq - probs[i]) < 5 * np.sqrt(probs[i] / N_SAMPLES))
    # log_prob broadcasts a sample shape against the batch
    assert d.log_prob(ember.tensor([[0, 1], [2, 2], [1, 0]])).shape == (3, 2)


def test_one_hot_categorical():
    probs = np.array([0.2, 0.3, 0.5])
    d = D.OneHotCategorical(probs=_t(probs))
    assert d.event_shape == (3,)
    np.testing.assert_allclose(d.log_prob(_t([0.0, 0.0, 1.0])).item(), np.log(0.5))
    np.testing.assert_allclose(d.variance.numpy(), probs * (1 - probs))
    np.testing.assert_array_equal(d.mode.numpy(), [0.0, 0.0, 1.0])
    ember.manual_seed(5)
    s = d.sample((N_SAMPLES,)).numpy()
    assert s.shape == (N_SAMPLES, 3) and np.all(s.sum(-1) == 1)
    assert np.all(np.abs(s.mean(0) - probs) < 5 * np.sqrt(probs / N_SAMPLES))


def test_multinomial():
    probs = np.array([0.2, 0.3, 0.5])
    d = D.Multinomial(6, probs=_t(probs))
    ref = stats.multinomial(6, probs)
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(d.log_prob(_t(x)).item(), ref.logpmf(x), rtol=1e-12)
    np.testing.assert_allclose(d.entropy().item(), ref.entropy(), rtol=1e-10)
    np.testing.assert_allclose(d.mean.numpy(), 6 * probs)
    np.testing.assert_allclose(d.variance.numpy(), 6 * probs * (1 - probs))
    ember.manual_seed(6)
    s = d.sample((N_SAMPLES,)).numpy()
    assert s.shape == (N_SAMPLES, 3) and np.all(s.sum(-1) == 6)
    se = np.sqrt(6 * probs * (1 - probs) / N_SAMPLES)
    assert np.all(np.abs(s.mean(0) - 6 * probs) < 5 * se)
    batched = D.Multinomial(4, logits=_t([[0.0, 1.0], [2.0, -1.0]]))
    assert batched.sample((5,)).shape == (5, 2, 2)
    with pytest.raises(RuntimeError, match="inhomogeneous total_count"):
        D.Multinomial(_t([2.0]), probs=_t(probs))


def test_bernoulli_mode_and_logits():
    d = D.Bernoulli(probs=_t([0.2, 0.5, 0.9]))
    m = d.mode.numpy()
    assert m[0] == 0 and np.isnan(m[1]) and m[2] == 1
    np.testing.assert_allclose(d.logits.numpy(), np.log([0.25, 1.0, 9.0]), rtol=1e-12)
