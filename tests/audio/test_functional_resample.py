"""resample: the windowed-sinc definition, and behaviour on sinusoids beside
scipy.signal.resample_poly (passband kept, aliases suppressed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember_audio import functional as AF

signal = pytest.importorskip("scipy.signal")


def direct_resample(x, orig, new, width=6, rolloff=0.99, method="hann", beta=14.769656459379492):
    """``y[j] = sum_i x[i] h(i / orig - j / new)`` evaluated term by term."""
    g = math.gcd(orig, new)
    orig, new = orig // g, new // g
    base = rolloff * min(orig, new)
    n_out = math.ceil(new * len(x) / orig)
    i = np.arange(len(x))
    y = np.zeros(n_out)
    for j in range(n_out):
        tau = np.clip((i / orig - j / new) * base, -width, width)
        if method == "hann":
            window = np.cos(np.pi * tau / width / 2) ** 2
        else:
            window = np.i0(beta * np.sqrt(1 - (tau / width) ** 2)) / np.i0(beta)
        y[j] = (x * np.sinc(tau) * window).sum() * base / orig
    return y


@pytest.mark.parametrize(
    "orig,new,method",
    [(3, 2, "hann"), (2, 3, "hann"), (16000, 12000, "kaiser"), (5, 7, "kaiser")],
)
def test_resample_matches_definition(orig, new, method):
    x = np.random.default_rng(0).standard_normal(60)
    name = "sinc_interp_hann" if method == "hann" else "sinc_interp_kaiser"
    out = AF.resample(ember.tensor(x), orig, new, resampling_method=name)
    ref = direct_resample(x, orig, new, method=method)
    assert out.shape[-1] == math.ceil(len(x) * new / orig)
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-12)


def test_resample_filter_parameters_change_the_result():
    x = np.random.default_rng(1).standard_normal(50)
    out = AF.resample(ember.tensor(x), 3, 2, lowpass_filter_width=3, rolloff=0.8)
    np.testing.assert_allclose(out.numpy(), direct_resample(x, 3, 2, 3, 0.8), atol=1e-12)
    kaiser = AF.resample(ember.tensor(x), 3, 2, resampling_method="sinc_interp_kaiser", beta=6.0)
    np.testing.assert_allclose(
        kaiser.numpy(), direct_resample(x, 3, 2, method="kaiser", beta=6.0), atol=1e-12
    )


def tone(freq, sr, seconds=0.25):
    t = np.arange(int(sr * seconds)) / sr
    return np.sin(2 * np.pi * freq * t)


@pytest.mark.parametrize("orig,new", [(16000, 8000), (8000, 16000), (44100, 16000), (16000, 22050)])
def test_resample_keeps_passband_tones(orig, new):
    low = min(orig, new) / 2
    for freq in (0.1 * low, 0.5 * low, 0.8 * low):
        x = tone(freq, orig)
        out = AF.resample(ember.tensor(x[None]), orig, new)[0].numpy()
        ref = signal.resample_poly(x, new // math.gcd(orig, new), orig // math.gcd(orig, new))
        assert len(out) == math.ceil(len(x) * new / orig)
        ideal = tone(freq, new)
        n = min(len(out), len(ideal))
        inner = slice(n // 8, n - n // 8)  # away from the zero-padded edges
        out, ref, ideal = out[inner], ref[inner], ideal[inner]
        gain = np.sqrt(np.mean(out**2) / np.mean(ideal**2))
        ref_gain = np.sqrt(np.mean(ref**2) / np.mean(ideal**2))
        correlation = (out * ideal).sum() / np.sqrt((out**2).sum() * (ideal**2).sum())
        assert correlation > 0.999  # no phase shift, little distortion
        if freq <= 0.5 * low:
            assert correlation > 0.99999
            np.testing.assert_allclose(out, ideal, atol=0.01)
            np.testing.assert_allclose(out, ref, atol=0.01)
        else:  # the transition band starts early: within 1 dB, as the reference filter is
            assert 10 ** (-1 / 20) < gain < 1.01
            assert 10 ** (-1 / 20) < ref_gain < 1.01


@pytest.mark.parametrize("orig,new", [(16000, 8000), (44100, 16000), (48000, 22050)])
def test_resample_suppresses_aliases(orig, new):
    nyquist = new / 2
    for freq in (1.3 * nyquist, 1.8 * nyquist):
        x = tone(freq, orig)
        out = AF.resample(ember.tensor(x), orig, new).numpy()
        ref = signal.resample_poly(x, new // math.gcd(orig, new), orig // math.gcd(orig, new))
        inner = slice(len(out) // 8, -len(out) // 8)
        level = 20 * np.log10(np.sqrt(np.mean(out[inner] ** 2)) / np.sqrt(0.5))
        ref_level = 20 * np.log10(np.sqrt(np.mean(ref[inner] ** 2)) / np.sqrt(0.5))
        assert level < -40.0, f"{freq} Hz alias at {level:.1f} dB"
        assert ref_level < -40.0  # the reference filter suppresses it too


def test_resample_batched_shape_dtype_identity():
    x = ember.randn(2, 3, 300)
    out = AF.resample(x, 3, 2)
    assert tuple(out.shape) == (2, 3, 200)
    assert out.dtype == ember.float32
    np.testing.assert_allclose(
        out.numpy()[1, 2], AF.resample(x[1, 2], 3, 2).numpy(), rtol=1e-6, atol=1e-6
    )
    assert AF.resample(x, 16000, 16000) is x


def test_resample_gradcheck():
    x = ember.randn(2, 14, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: AF.resample(t, 3, 2, lowpass_filter_width=2), (x,))
    assert ember.autograd.gradcheck(lambda t: AF.resample(t, 2, 3, lowpass_filter_width=2), (x,))


def test_resample_errors():
    x = ember.randn(100)
    with pytest.raises(ValueError, match="must be positive"):
        AF.resample(x, 0, 8000)
    with pytest.raises(ValueError, match="must be integers"):
        AF.resample(x, 44100, 5512.5)
    with pytest.raises(ValueError, match="Invalid resampling method"):
        AF.resample(x, 3, 2, resampling_method="linear")
    with pytest.raises(ValueError, match="lowpass_filter_width must be positive"):
        AF.resample(x, 3, 2, lowpass_filter_width=0)
    with pytest.raises(TypeError, match="floating point"):
        AF.resample(ember.arange(100), 3, 2)
    with pytest.warns(UserWarning, match="deprecated"):
        AF.resample(x, 3, 2, resampling_method="sinc_interpolation")


def test_speed_resamples_and_scales_lengths():
    x = ember.randn(2, 900, dtype=ember.float64)
    y, lengths = AF.speed(x, 16000, 1.5, ember.tensor([900, 451]))
    np.testing.assert_allclose(y.numpy(), AF.resample(x, 3, 2).numpy(), atol=1e-12)
    np.testing.assert_array_equal(lengths.numpy(), [600, 301])
    assert lengths.dtype == ember.int64
    slow, none = AF.speed(x, 16000, 0.5)
    assert tuple(slow.shape) == (2, 1800) and none is None
    with pytest.raises(ValueError, match="factor must be positive"):
        AF.speed(x, 16000, 0.0)
