"""Mel / linear filter banks and the DCT matrix against direct computations of their
definitions (and librosa's filter banks where librosa is installed)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember_audio import functional as AF


def hz_to_mel(f, scale):
    if scale == "htk":
        return 2595.0 * math.log10(1.0 + f / 700.0)
    if f < 1000.0:
        return 3.0 * f / 200.0
    return 15.0 + 27.0 * math.log(f / 1000.0) / math.log(6.4)


def mel_to_hz(m, scale):
    if scale == "htk":
        return 700.0 * (10.0 ** (m / 2595.0) - 1.0)
    if m < 15.0:
        return 200.0 * m / 3.0
    return 1000.0 * 6.4 ** ((m - 15.0) / 27.0)


def triangles(freqs, edges, slaney_norm=False):
    """Filter ``m`` rises linearly from ``edges[m]`` to 1 at ``edges[m+1]``, falls to 0 at
    ``edges[m+2]``."""
    fb = np.zeros((len(freqs), len(edges) - 2))
    for m in range(len(edges) - 2):
        lo, mid, hi = edges[m], edges[m + 1], edges[m + 2]
        for i, f in enumerate(freqs):
            if lo <= f <= mid:
                fb[i, m] = (f - lo) / (mid - lo)
            elif mid < f <= hi:
                fb[i, m] = (hi - f) / (hi - mid)
        if slaney_norm:
            fb[:, m] *= 2.0 / (hi - lo)
    return fb


def reference_mel(n_freqs, f_min, f_max, n_mels, sr, norm, scale):
    freqs = np.linspace(0, sr // 2, n_freqs)
    m_lo, m_hi = hz_to_mel(f_min, scale), hz_to_mel(f_max, scale)
    edges = [mel_to_hz(m_lo + (m_hi - m_lo) * k / (n_mels + 1), scale) for k in range(n_mels + 2)]
    return triangles(freqs, edges, norm == "slaney")


@pytest.mark.parametrize("mel_scale", ["htk", "slaney"])
@pytest.mark.parametrize("norm", [None, "slaney"])
@pytest.mark.parametrize("args", [(201, 0.0, 8000.0, 40, 16000), (257, 50.0, 7600.0, 23, 22050)])
def test_melscale_fbanks_match_definition(mel_scale, norm, args):
    fb = AF.melscale_fbanks(*args, norm=norm, mel_scale=mel_scale)
    ref = reference_mel(*args, norm, mel_scale)
    assert fb.dtype == ember.float32
    assert tuple(fb.shape) == (args[0], args[3])
    np.testing.assert_allclose(fb.numpy(), ref, rtol=1e-5, atol=1e-7 * ref.max())


def test_mel_scales_differ_and_slaney_norm_scales_by_width():
    htk = AF.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, mel_scale="htk").numpy()
    slaney = AF.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, mel_scale="slaney").numpy()
    assert np.abs(htk - slaney).max() > 0.1
    normed = AF.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, "slaney", "slaney").numpy()
    # area normalisation: each triangle integrates to ~1 over frequency (bin width 40 Hz)
    areas = normed.sum(0) * 40.0
    np.testing.assert_allclose(areas[5:], 1.0, rtol=0.05)


@pytest.mark.parametrize("use_slaney", [False, True])
def test_melscale_fbanks_match_librosa(use_slaney):
    librosa = pytest.importorskip("librosa")
    fb = AF.melscale_fbanks(
        1025,
        0.0,
        11025.0,
        64,
        22050,
        norm="slaney" if use_slaney else None,
        mel_scale="slaney" if use_slaney else "htk",
    )
    ref = librosa.filters.mel(
        sr=22050,
        n_fft=2048,
        n_mels=64,
        fmin=0.0,
        fmax=11025.0,
        htk=not use_slaney,
        norm="slaney" if use_slaney else None,
    )
    np.testing.assert_allclose(fb.numpy(), ref.T, rtol=1e-4, atol=1e-6)


def test_melscale_fbanks_errors_and_warning():
    with pytest.raises(ValueError, match='norm must be one of None or "slaney"'):
        AF.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, norm="area")
    with pytest.raises(ValueError, match="mel_scale should be one of"):
        AF.melscale_fbanks(201, 0.0, 8000.0, 40, 16000, mel_scale="bark")
    with pytest.raises(ValueError, match="f_min <= f_max"):
        AF.melscale_fbanks(201, 9000.0, 8000.0, 40, 16000)
    with pytest.raises(ValueError, match="n_mels must be a positive integer"):
        AF.melscale_fbanks(201, 0.0, 8000.0, 0, 16000)
    with pytest.warns(UserWarning, match="all zero values"):
        AF.melscale_fbanks(33, 0.0, 8000.0, 64, 16000)


def test_linear_fbanks_match_definition():
    fb = AF.linear_fbanks(129, 100.0, 7000.0, 20, 16000)
    freqs = np.linspace(0, 8000, 129)
    ref = triangles(freqs, np.linspace(100.0, 7000.0, 22))
    np.testing.assert_allclose(fb.numpy(), ref, rtol=1e-5, atol=1e-7)
    with pytest.raises(ValueError, match="f_min <= f_max"):
        AF.linear_fbanks(129, 7000.0, 100.0, 20, 16000)


@pytest.mark.parametrize("norm", ["ortho", None])
def test_create_dct_matches_scipy(norm):
    scipy_fft = pytest.importorskip("scipy.fft")
    dct = AF.create_dct(13, 40, norm)
    assert tuple(dct.shape) == (40, 13)
    x = np.random.default_rng(0).standard_normal((5, 40))
    ref = scipy_fft.dct(x, type=2, norm=norm, axis=-1)[:, :13]
    np.testing.assert_allclose(x @ dct.numpy().astype(np.float64), ref, rtol=1e-5, atol=1e-5)


def test_create_dct_errors():
    with pytest.raises(ValueError, match='norm must be either "ortho" or None'):
        AF.create_dct(13, 40, "forward")
