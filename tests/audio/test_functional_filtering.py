"""lfilter and the biquads against scipy.signal.lfilter, convolution against np.convolve,
deltas and pitch against their definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember_audio import functional as AF

signal = pytest.importorskip("scipy.signal")


def f64(x):
    return ember.tensor(np.asarray(x, dtype=np.float64))


def test_lfilter_matches_scipy():
    rng = np.random.default_rng(0)
    x = 0.2 * rng.standard_normal((2, 3, 200))
    a = np.array([1.5, -1.2, 0.5])
    b = np.array([0.3, 0.25, 0.1])
    out = AF.lfilter(f64(x), f64(a), f64(b), clamp=False)
    np.testing.assert_allclose(out.numpy(), signal.lfilter(b, a, x, axis=-1), atol=1e-12)


def test_lfilter_clamps_by_default():
    x = f64(np.ones(20))
    out = AF.lfilter(x, f64([1.0, -0.9]), f64([1.0, 0.0])).numpy()
    assert out.max() == 1.0 and out.min() >= -1.0
    unclamped = AF.lfilter(x, f64([1.0, -0.9]), f64([1.0, 0.0]), clamp=False).numpy()
    assert unclamped.max() > 5.0


def test_lfilter_filter_banks():
    rng = np.random.default_rng(1)
    a = np.array([[1.0, -0.5, 0.1], [1.0, 0.3, 0.0]])
    b = np.array([[0.5, 0.2, 0.0], [1.0, -1.0, 0.5]])
    x = 0.1 * rng.standard_normal((4, 2, 50))
    batched = AF.lfilter(f64(x), f64(a), f64(b), clamp=False).numpy()
    for i in range(2):
        ref = signal.lfilter(b[i], a[i], x[:, i], axis=-1)
        np.testing.assert_allclose(batched[:, i], ref, atol=1e-12)
    y = x[:, 0]
    every = AF.lfilter(f64(y), f64(a), f64(b), clamp=False, batching=False).numpy()
    assert every.shape == (4, 2, 50)
    for i in range(2):
        np.testing.assert_allclose(every[:, i], signal.lfilter(b[i], a[i], y, axis=-1), atol=1e-12)


def test_lfilter_float32_and_loop_fallback(monkeypatch):
    from ember_audio.functional import _lfilter

    rng = np.random.default_rng(2)
    x = (0.3 * rng.standard_normal((3, 80))).astype(np.float32)
    a, b = np.array([1.0, -1.1, 0.4]), np.array([0.2, 0.3, 0.2])
    ref = signal.lfilter(b, a, x.astype(np.float64), axis=-1)
    out = AF.lfilter(ember.tensor(x), ember.tensor(a), ember.tensor(b), clamp=False)
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-5)
    monkeypatch.setattr(_lfilter, "_signal_lfilter", lambda xp: None)
    looped = AF.lfilter(f64(x), f64(a), f64(b), clamp=False)
    np.testing.assert_allclose(looped.numpy(), ref, atol=1e-12)


def test_lfilter_gradcheck_signal_and_coefficients():
    x = ember.randn(2, 15, dtype=ember.float64, requires_grad=True)
    a = ember.tensor([1.2, -0.5, 0.2], dtype=ember.float64, requires_grad=True)
    b = ember.tensor([0.4, 0.3, -0.1], dtype=ember.float64, requires_grad=True)
    fn = lambda x, a, b: AF.lfilter(x, a, b, clamp=False)  # noqa: E731
    assert ember.autograd.gradcheck(fn, (x, a, b))
    assert ember.autograd.gradgradcheck(fn, (x, a, b))
    banks_a = ember.tensor([[1.0, -0.3], [1.0, 0.6]], dtype=ember.float64, requires_grad=True)
    banks_b = ember.tensor([[0.5, 0.5], [1.0, -0.2]], dtype=ember.float64, requires_grad=True)
    x2 = ember.randn(3, 2, 10, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x2, banks_a, banks_b))


def test_lfilter_errors():
    x = ember.randn(10)
    with pytest.raises(ValueError, match="same shape"):
        AF.lfilter(x, ember.tensor([1.0, 0.5]), ember.tensor([1.0, 0.5, 0.2]))
    with pytest.raises(ValueError, match="expected a waveform of shape"):
        AF.lfilter(ember.randn(3, 10), ember.ones(2, 2), ember.ones(2, 2))
    with pytest.raises(TypeError, match="floating point"):
        AF.lfilter(ember.arange(10), ember.ones(2), ember.ones(2))


def cookbook(kind, sr, freq, Q, const_skirt_gain=False):
    """Audio EQ Cookbook biquad coefficients (b, a)."""
    w0 = 2 * math.pi * freq / sr
    alpha = math.sin(w0) / (2 * Q)
    c = math.cos(w0)
    a = [1 + alpha, -2 * c, 1 - alpha]
    if kind == "lowpass":
        b = [(1 - c) / 2, 1 - c, (1 - c) / 2]
    elif kind == "highpass":
        b = [(1 + c) / 2, -(1 + c), (1 + c) / 2]
    elif kind == "bandpass":
        g = math.sin(w0) / 2 if const_skirt_gain else alpha
        b = [g, 0.0, -g]
    elif kind == "bandreject":
        b = [1.0, -2 * c, 1.0]
    else:  # allpass
        b = [1 - alpha, -2 * c, 1 + alpha]
    return np.array(b), np.array(a)


@pytest.mark.parametrize(
    "kind,fn",
    [
        ("lowpass", AF.lowpass_biquad),
        ("highpass", AF.highpass_biquad),
        ("bandpass", AF.bandpass_biquad),
        ("bandreject", AF.bandreject_biquad),
        ("allpass", AF.allpass_biquad),
    ],
)
def test_biquads_match_scipy(kind, fn):
    x = 0.3 * np.random.default_rng(3).standard_normal((2, 300))
    out = fn(f64(x), 16000, 1500.0, 0.9).numpy()
    b, a = cookbook(kind, 16000, 1500.0, 0.9)
    np.testing.assert_allclose(out, signal.lfilter(b, a, x, axis=-1), atol=1e-12)


def test_bandpass_const_skirt_gain_and_equalizer():
    x = 0.3 * np.random.default_rng(4).standard_normal(200)
    b, a = cookbook("bandpass", 8000, 1000.0, 2.0, const_skirt_gain=True)
    out = AF.bandpass_biquad(f64(x), 8000, 1000.0, 2.0, const_skirt_gain=True)
    np.testing.assert_allclose(out.numpy(), signal.lfilter(b, a, x), atol=1e-12)
    A = 10 ** (6.0 / 40)
    w0 = 2 * math.pi * 1000 / 8000
    alpha = math.sin(w0) / 2 / 0.707
    b = [1 + alpha * A, -2 * math.cos(w0), 1 - alpha * A]
    a = [1 + alpha / A, -2 * math.cos(w0), 1 - alpha / A]
    eq = AF.equalizer_biquad(f64(x), 8000, 1000.0, 6.0)
    np.testing.assert_allclose(eq.numpy(), np.clip(signal.lfilter(b, a, x), -1, 1), atol=1e-12)


def test_lowpass_attenuates_high_tones():
    sr = 16000
    t = np.arange(4000) / sr
    low = 0.5 * np.sin(2 * np.pi * 200 * t)
    high = 0.5 * np.sin(2 * np.pi * 6000 * t)
    rms = lambda v: np.sqrt(np.mean(v[1000:] ** 2))  # noqa: E731
    assert rms(AF.lowpass_biquad(f64(low), sr, 1000.0).numpy()) > 0.95 * rms(low)
    assert rms(AF.lowpass_biquad(f64(high), sr, 1000.0).numpy()) < 0.05 * rms(high)


def test_biquad_gradients_reach_the_design_parameters():
    x = ember.randn(30, dtype=ember.float64) * 0.1
    cutoff = ember.tensor(2000.0, dtype=ember.float64, requires_grad=True)
    q = ember.tensor(0.8, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(
        lambda c, q: AF.lowpass_biquad(x, 16000, c, q), (cutoff, q), eps=1e-4, atol=1e-5
    )


def test_filtfilt_is_zero_phase():
    x = 0.2 * np.random.default_rng(5).standard_normal(100)
    a, b = np.array([1.0, -0.6]), np.array([0.4, 0.0])
    out = AF.filtfilt(f64(x), f64(a), f64(b)).numpy()
    ref = signal.lfilter(b, a, signal.lfilter(b, a, x)[::-1])[::-1]
    np.testing.assert_allclose(out, np.clip(ref, -1, 1), atol=1e-12)


def test_preemphasis_and_deemphasis():
    x = 0.3 * np.random.default_rng(6).standard_normal((2, 50))
    pre = AF.preemphasis(f64(x), 0.9).numpy()
    ref = x.copy()
    ref[:, 1:] -= 0.9 * x[:, :-1]
    np.testing.assert_allclose(pre, ref, atol=1e-15)
    np.testing.assert_allclose(AF.deemphasis(f64(pre), 0.9).numpy(), x, atol=1e-12)
    xt = ember.randn(2, 12, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: AF.preemphasis(t, 0.97), (xt,))


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("fn", [AF.convolve, AF.fftconvolve])
def test_convolutions_match_numpy(mode, fn):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 20))
    y = rng.standard_normal((1, 3, 7))
    out = fn(f64(x), f64(y), mode).numpy()
    for i in range(2):
        for j in range(3):
            np.testing.assert_allclose(out[i, j], np.convolve(x[i, j], y[0, j], mode), atol=1e-10)
    swapped = fn(f64(y[0]), f64(x[0]), mode).numpy()  # the shorter operand first
    for j in range(3):
        full = np.convolve(y[0, j], x[0, j])
        if mode == "same":  # the centre samples, as many as the first operand has
            start = (len(full) - 7) // 2
            ref = full[start : start + 7]
        else:
            ref = np.convolve(y[0, j], x[0, j], mode)
        np.testing.assert_allclose(swapped[j], ref, atol=1e-10)


def test_convolution_gradcheck_and_errors():
    x = ember.randn(2, 9, dtype=ember.float64, requires_grad=True)
    y = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(AF.convolve, (x, y))
    assert ember.autograd.gradcheck(AF.fftconvolve, (x, y))
    with pytest.raises(ValueError, match="Unrecognized mode"):
        AF.convolve(x, y, "circular")
    with pytest.raises(ValueError, match="not broadcastable"):
        AF.fftconvolve(ember.randn(2, 9), ember.randn(3, 4))
    with pytest.raises(ValueError, match="same number of dimensions"):
        AF.convolve(ember.randn(2, 9), ember.randn(4))


@pytest.mark.parametrize("win_length", [3, 5, 9])
def test_compute_deltas_matches_formula(win_length):
    c = np.random.default_rng(8).standard_normal((2, 4, 12))
    out = AF.compute_deltas(f64(c), win_length).numpy()
    n = (win_length - 1) // 2
    padded = np.pad(c, [(0, 0), (0, 0), (n, n)], mode="edge")
    ref = np.zeros_like(c)
    for t in range(12):
        for k in range(1, n + 1):
            ref[..., t] += k * (padded[..., t + n + k] - padded[..., t + n - k])
    ref /= 2 * sum(k * k for k in range(1, n + 1))
    np.testing.assert_allclose(out, ref, atol=1e-12)
    with pytest.raises(ValueError, match="greater than or equal to 3"):
        AF.compute_deltas(f64(c), 2)
    ct = ember.randn(3, 8, dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: AF.compute_deltas(t), (ct,))


@pytest.mark.parametrize("freq", [100.0, 150.0, 250.0, 320.0])
def test_detect_pitch_frequency_of_tones(freq):
    sr = 8000
    t = np.arange(sr // 2) / sr
    x = np.stack([np.sin(2 * np.pi * freq * t), 0.5 * np.sin(2 * np.pi * freq * t + 1.0)])
    pitch = AF.detect_pitch_frequency(ember.tensor(x), sr).numpy()
    frames = math.ceil(len(t) / 80)
    assert pitch.shape == (2, frames + 14 - 30 + 1)
    # the estimate is sr / lag for an integer lag: within one lag step of the tone
    step = freq * freq / sr * 1.5
    assert np.all(np.abs(pitch - freq) <= step)
