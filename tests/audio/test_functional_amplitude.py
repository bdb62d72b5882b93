"""Decibels, mu-law and gain against their formulas."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember_audio import functional as AF


def reference_db(x, multiplier, amin, db_multiplier, top_db, per):
    db = multiplier * np.log10(np.maximum(x, amin)) - multiplier * db_multiplier
    if top_db is None:
        return db
    flat = db.reshape(-1, *db.shape[-per:]) if per else db[None]
    floors = flat.reshape(flat.shape[0], -1).max(-1) - top_db
    out = np.maximum(flat, floors.reshape(-1, *([1] * (flat.ndim - 1))))
    return out.reshape(db.shape)


@pytest.mark.parametrize("multiplier", [10.0, 20.0])
@pytest.mark.parametrize("top_db", [None, 40.0])
@pytest.mark.parametrize("shape,per", [((6, 7), 2), ((3, 6, 7), 3), ((2, 3, 6, 7), 3)])
def test_amplitude_to_db_matches_formula(multiplier, top_db, shape, per):
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, shape) ** 8  # a wide dynamic range, some values tiny
    x.reshape(-1)[::5] = 0.0
    out = AF.amplitude_to_DB(ember.tensor(x), multiplier, 1e-10, 0.0, top_db)
    ref = reference_db(x, multiplier, 1e-10, 0.0, top_db, per if len(shape) > 2 else 0)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-12, atol=1e-9)


def test_amplitude_to_db_reference_shift_and_gradcheck():
    x = ember.rand(2, 4, 5, dtype=ember.float64) + 0.1
    out = AF.amplitude_to_DB(x, 10.0, 1e-10, 0.5, None)
    np.testing.assert_allclose(out.numpy(), 10 * np.log10(x.numpy()) - 5.0, rtol=1e-12)
    x.requires_grad_(True)
    assert ember.autograd.gradcheck(lambda t: AF.amplitude_to_DB(t, 10.0, 1e-10, 0.0, 80.0), (x,))


def test_db_to_amplitude_inverts_amplitude_to_db():
    x = ember.rand(3, 8, dtype=ember.float64) + 1e-3
    for multiplier, power in ((10.0, 1.0), (20.0, 0.5)):
        db = AF.amplitude_to_DB(x, multiplier, 1e-10, 0.0)
        np.testing.assert_allclose(
            AF.DB_to_amplitude(db, 1.0, power).numpy(), x.numpy(), rtol=1e-10
        )
    np.testing.assert_allclose(
        AF.DB_to_amplitude(ember.tensor([3.0]), 2.0, 1.0).numpy(), [2 * 10**0.3]
    )


def test_amplitude_to_db_top_db_needs_2d():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        AF.amplitude_to_DB(ember.rand(5), 10.0, 1e-10, 0.0, 80.0)


@pytest.mark.parametrize("channels", [256, 16])
def test_mu_law_matches_formula_and_round_trips(channels):
    x = np.linspace(-1, 1, 101)
    mu = channels - 1
    ref = np.sign(x) * np.log1p(mu * np.abs(x)) / np.log1p(mu)
    ref_codes = ((ref + 1) / 2 * mu + 0.5).astype(np.int64)
    codes = AF.mu_law_encoding(ember.tensor(x), channels)
    assert codes.dtype == ember.int64
    np.testing.assert_array_equal(codes.numpy(), ref_codes)
    assert codes.numpy().min() == 0 and codes.numpy().max() == mu
    decoded = AF.mu_law_decoding(codes, channels).numpy()
    y = codes.numpy() / mu * 2 - 1
    np.testing.assert_allclose(
        decoded, np.sign(y) * ((1 + mu) ** np.abs(y) - 1) / mu, rtol=1e-6, atol=1e-7
    )
    # quantization error is small where the companding is fine (near zero)
    assert np.abs(decoded - x)[np.abs(x) < 0.1].max() < 0.02 * (256 / channels)


def test_mu_law_errors():
    with pytest.raises(ValueError, match="quantization_channels"):
        AF.mu_law_encoding(ember.rand(3), 1)
    with pytest.raises(TypeError, match="must be Tensor"):
        AF.mu_law_decoding([1, 2], 256)


def test_gain():
    x = ember.randn(2, 10, dtype=ember.float64)
    np.testing.assert_allclose(AF.gain(x, 6.0).numpy(), x.numpy() * 10**0.3)
    assert AF.gain(x, 0.0) is x
