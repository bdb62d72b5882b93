"""ember_audio.functional spectra: spectrogram, inverse_spectrogram, griffinlim, phase_vocoder,
spectral_centroid, against NumPy computations of the definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember_audio import functional as AF


def reference_stft(x, n_fft, hop, window, center=True, pad_mode="reflect", pad=0):
    """Framed, windowed rFFT of ``x (..., T)`` -> ``(..., n_fft // 2 + 1, frames)``."""
    x = np.asarray(x, dtype=np.float64)
    if pad:
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(pad, pad)])
    win = np.zeros(n_fft)
    left = (n_fft - len(window)) // 2
    win[left : left + len(window)] = window
    if center:
        mode = {"reflect": "reflect", "constant": "constant", "replicate": "edge"}[pad_mode]
        x = np.pad(x, [(0, 0)] * (x.ndim - 1) + [(n_fft // 2, n_fft // 2)], mode=mode)
    n_frames = 1 + (x.shape[-1] - n_fft) // hop
    frames = np.stack([x[..., t * hop : t * hop + n_fft] for t in range(n_frames)], axis=-2)
    return np.swapaxes(np.fft.rfft(frames * win, axis=-1), -1, -2)


def hann(n):
    return 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)


@pytest.mark.parametrize("power", [None, 1.0, 2.0, 0.5])
@pytest.mark.parametrize("shape", [(300,), (2, 300), (2, 3, 300)])
def test_spectrogram_matches_reference(power, shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    out = AF.spectrogram(
        ember.tensor(x), 0, ember.hann_window(64, dtype=ember.float64), 64, 16, 64, power, False
    )
    ref = reference_stft(x, 64, 16, hann(64))
    expected = ref if power is None else np.abs(ref) ** power
    assert tuple(out.shape) == shape[:-1] + (33, 1 + 300 // 16)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize(
    "win_length,pad,center,pad_mode",
    [(48, 0, True, "reflect"), (64, 5, False, "reflect"), (64, 0, True, "constant")],
)
def test_spectrogram_options(win_length, pad, center, pad_mode):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 257)).astype(np.float32)
    window = ember.hann_window(win_length)
    out = AF.spectrogram(
        ember.tensor(x), pad, window, 64, 20, win_length, 2.0, False, center, pad_mode
    )
    ref = np.abs(reference_stft(x, 64, 20, hann(win_length), center, pad_mode, pad)) ** 2
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-4, atol=1e-3)


@pytest.mark.parametrize(
    "normalized,scale",
    [(True, "window"), ("window", "window"), ("frame_length", "frame"), (False, None)],
)
def test_spectrogram_normalization(normalized, scale):
    x = np.random.default_rng(2).standard_normal(200)
    w = hann(32)
    out = AF.spectrogram(ember.tensor(x), 0, ember.tensor(w), 32, 8, 32, 1.0, normalized).numpy()
    ref = np.abs(reference_stft(x, 32, 8, w))
    if scale == "window":
        ref = ref / np.sqrt((w**2).sum())
    elif scale == "frame":
        ref = ref / np.sqrt(32)
    np.testing.assert_allclose(out, ref, rtol=1e-9, atol=1e-10)


def test_spectrogram_bad_arguments():
    w = ember.hann_window(32)
    with pytest.raises(ValueError, match="Invalid normalized parameter"):
        AF.spectrogram(ember.randn(100), 0, w, 32, 8, 32, 2.0, "energy")
    with pytest.raises(ValueError, match="power must be positive"):
        AF.spectrogram(ember.randn(100), 0, w, 32, 8, 32, -1.0, False)
    with pytest.raises(TypeError, match="floating point"):
        AF.spectrogram(ember.arange(100), 0, w, 32, 8, 32, 2.0, False)
    with pytest.raises(TypeError, match="must be Tensor"):
        AF.spectrogram(np.zeros(100), 0, w, 32, 8, 32, 2.0, False)
    with pytest.warns(UserWarning, match="return_complex"):
        AF.spectrogram(ember.randn(100), 0, w, 32, 8, 32, 2.0, False, return_complex=True)


def test_spectrogram_gradcheck():
    x = ember.randn(2, 40, dtype=ember.float64, requires_grad=True)
    w = ember.hann_window(16, dtype=ember.float64)
    for power in (2.0, 1.0):
        assert ember.autograd.gradcheck(
            lambda t, p=power: AF.spectrogram(t, 0, w, 16, 4, 16, p, False), (x,)
        )


@pytest.mark.parametrize("pad,normalized", [(0, False), (3, True), (0, "frame_length")])
def test_inverse_spectrogram_round_trip(pad, normalized):
    x = ember.randn(2, 3, 500, dtype=ember.float64)
    w = ember.hann_window(64, dtype=ember.float64)
    spec = AF.spectrogram(x, pad, w, 64, 16, 64, None, normalized)
    y = AF.inverse_spectrogram(spec, 500, pad, w, 64, 16, 64, normalized)
    assert tuple(y.shape) == (2, 3, 500)
    np.testing.assert_allclose(y.numpy(), x.numpy(), atol=1e-10)


def test_inverse_spectrogram_needs_complex():
    w = ember.hann_window(64)
    with pytest.raises(ValueError, match="complex dtype"):
        AF.inverse_spectrogram(ember.rand(33, 10), None, 0, w, 64, 16, 64, False)


def _spectral_convergence(estimate, reference):
    return float(np.linalg.norm(estimate - reference) / np.linalg.norm(reference))


def test_griffinlim_reduces_spectral_convergence():
    t = np.arange(4000) / 8000
    x = np.sin(2 * np.pi * 440 * t) + 0.5 * np.sin(2 * np.pi * 1250 * t * (1 + t))
    w = ember.hann_window(256, dtype=ember.float64)
    mag = AF.spectrogram(ember.tensor(x), 0, w, 256, 64, 256, 1.0, False)

    def convergence(n_iter):
        ember.manual_seed(0)
        y = AF.griffinlim(mag, w, 256, 64, 256, 1.0, n_iter, 0.99, 4000, True)
        rebuilt = AF.spectrogram(y, 0, w, 256, 64, 256, 1.0, False)
        return _spectral_convergence(rebuilt.numpy(), mag.numpy())

    initial, after = convergence(0), convergence(24)
    assert after < 0.5 * initial
    assert after < 0.15


def test_griffinlim_shapes_and_errors():
    w = ember.hann_window(64)
    spec = ember.rand(2, 3, 33, 20)
    out = AF.griffinlim(spec, w, 64, 16, 64, 2.0, 2, 0.0, None, False)
    assert tuple(out.shape[:2]) == (2, 3)
    with pytest.raises(ValueError, match="momentum"):
        AF.griffinlim(spec, w, 64, 16, 64, 2.0, 2, 1.0, None, False)


def test_phase_vocoder_stretches_and_keeps_magnitudes():
    rng = np.random.default_rng(3)
    mag = rng.uniform(0.5, 1.0, (2, 9, 12))
    phase = rng.uniform(-np.pi, np.pi, (2, 9, 12))
    spec = ember.tensor(mag * np.exp(1j * phase))
    advance = ember.linspace(0, math.pi * 4, 9, dtype=ember.float64)[..., None]
    out = AF.phase_vocoder(spec, 2.0, advance)
    assert tuple(out.shape) == (2, 9, 6)
    # rate 2: output frame k reads input frame 2k with weight 1 (alpha = 0)
    np.testing.assert_allclose(np.abs(out.numpy()), mag[..., ::2], rtol=1e-12)
    np.testing.assert_allclose(np.angle(out.numpy()[..., 0]), phase[..., 0], atol=1e-12)
    slow = AF.phase_vocoder(spec, 0.5, advance)
    assert tuple(slow.shape) == (2, 9, 24)
    # halfway frames interpolate the magnitudes linearly
    np.testing.assert_allclose(
        np.abs(slow.numpy()[..., 1]), 0.5 * (mag[..., 0] + mag[..., 1]), rtol=1e-12
    )
    assert AF.phase_vocoder(spec, 1.0, advance) is spec
    with pytest.raises(ValueError, match="complex"):
        AF.phase_vocoder(ember.rand(9, 12), 2.0, advance)


def test_spectral_centroid_of_tones():
    sr = 8000
    t = np.arange(sr) / sr
    x = np.stack([np.sin(2 * np.pi * 500 * t), np.sin(2 * np.pi * 2000 * t)])
    w = ember.hann_window(256, dtype=ember.float64)
    out = AF.spectral_centroid(ember.tensor(x), sr, 0, w, 256, 128, 256).numpy()
    mag = np.abs(reference_stft(x, 256, 128, hann(256)))
    freqs = np.linspace(0, sr // 2, 129)[:, None]
    np.testing.assert_allclose(out, (freqs * mag).sum(-2) / mag.sum(-2), rtol=1e-10)
    np.testing.assert_allclose(out[:, 2:-2].mean(-1), [500, 2000], rtol=0.01)
