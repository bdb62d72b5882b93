"""Filter bank and DCT matrices: mel (HTK and Slaney scales), linear, and the DCT-II.

The matrices are computed once in float64 with NumPy and returned as tensors of the default
dtype (transforms cache them as buffers), shaped to be right-multiplied by ``(..., freq)``
rows: ``spec.transpose(-1, -2) @ fb``.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

import ember

__all__ = ["melscale_fbanks", "linear_fbanks", "create_dct"]

_MEL_SCALES = ("htk", "slaney")

# The Slaney scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above.
_SLANEY_F_SP = 200.0 / 3
_SLANEY_MIN_LOG_HZ = 1000.0
_SLANEY_MIN_LOG_MEL = _SLANEY_MIN_LOG_HZ / _SLANEY_F_SP
_SLANEY_LOGSTEP = math.log(6.4) / 27.0


def _check_mel_scale(mel_scale: str) -> None:
    if mel_scale not in _MEL_SCALES:
        raise ValueError(f'mel_scale should be one of "htk" or "slaney", got {mel_scale!r}')


def _hz_to_mel(freq: float, mel_scale: str = "htk") -> float:
    """A frequency in Hz on the mel scale."""
    _check_mel_scale(mel_scale)
    if mel_scale == "htk":
        return 2595.0 * math.log10(1.0 + freq / 700.0)
    if freq >= _SLANEY_MIN_LOG_HZ:
        return _SLANEY_MIN_LOG_MEL + math.log(freq / _SLANEY_MIN_LOG_HZ) / _SLANEY_LOGSTEP
    return freq / _SLANEY_F_SP


def _mel_to_hz(mels: np.ndarray, mel_scale: str = "htk") -> np.ndarray:
    """Mel values (an array) back to Hz."""
    _check_mel_scale(mel_scale)
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    freqs = _SLANEY_F_SP * mels
    log_part = mels >= _SLANEY_MIN_LOG_MEL
    freqs[log_part] = _SLANEY_MIN_LOG_HZ * np.exp(
        _SLANEY_LOGSTEP * (mels[log_part] - _SLANEY_MIN_LOG_MEL)
    )
    return freqs


def _triangular_filterbank(all_freqs: np.ndarray, f_pts: np.ndarray) -> np.ndarray:
    """Overlapping triangles ``(n_freqs, n_filter)``: filter ``m`` rises from ``f_pts[m]`` to
    ``f_pts[m + 1]`` and falls to ``f_pts[m + 2]``."""
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return np.maximum(0.0, np.minimum(down, up))


def _check_counts(op: str, **counts: int) -> None:
    for name, value in counts.items():
        if not isinstance(value, (int, np.integer)) or value <= 0:
            raise ValueError(f"{op}(): {name} must be a positive integer, got {value!r}")


def melscale_fbanks(
    n_freqs: int,
    f_min: float,
    f_max: float,
    n_mels: int,
    sample_rate: int,
    norm: str | None = None,
    mel_scale: str = "htk",
) -> ember.Tensor:
    r"""A matrix of triangular mel filters, to turn linear-frequency spectra into mel spectra.

    The ``n_mels + 2`` filter edges are equally spaced on the mel scale between ``f_min`` and
    ``f_max``; the STFT bins are ``linspace(0, sample_rate // 2, n_freqs)`` Hz.

    Args:
        n_freqs: number of STFT frequency bins (``n_fft // 2 + 1``).
        f_min: lowest frequency (Hz).
        f_max: highest frequency (Hz).
        n_mels: number of mel filters.
        sample_rate: the sample rate of the audio (Hz).
        norm: ``"slaney"`` divides each triangle by its width in Hz (``2 / (f_{m+2} - f_m)``,
            constant energy per channel), None leaves peaks at 1. Default: None.
        mel_scale: ``"htk"`` (``2595 log10(1 + f / 700)``) or ``"slaney"`` (linear below
            1 kHz, logarithmic above). Default: ``"htk"``.

    Returns:
        Tensor of shape ``(n_freqs, n_mels)``: ``spec.transpose(-1, -2) @ fb`` applies it.

    Example:
        >>> from ember_audio import functional as AF
        >>> fb = AF.melscale_fbanks(201, 0.0, 8000.0, 40, 16000)
        >>> fb.shape
        ember.Size([201, 40])
        >>> float(fb.max()) <= 1.0
        True
    """
    _check_counts("melscale_fbanks", n_freqs=n_freqs, n_mels=n_mels)
    if norm is not None and norm != "slaney":
        raise ValueError(f'norm must be one of None or "slaney", got {norm!r}')
    _check_mel_scale(mel_scale)
    if f_min > f_max:
        raise ValueError(f"melscale_fbanks(): require f_min <= f_max, got {f_min} > {f_max}")
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    m_min = _hz_to_mel(f_min, mel_scale)
    m_max = _hz_to_mel(f_max, mel_scale)
    f_pts = _mel_to_hz(np.linspace(m_min, m_max, n_mels + 2), mel_scale)
    fb = _triangular_filterbank(all_freqs, f_pts)
    if norm == "slaney":
        fb *= (2.0 / (f_pts[2 : n_mels + 2] - f_pts[:n_mels]))[None, :]
    if (fb.max(axis=0) == 0.0).any():
        warnings.warn(
            "At least one mel filterbank has all zero values. "
            f"The value for `n_mels` ({n_mels}) may be set too high. "
            f"Or, the value for `n_freqs` ({n_freqs}) may be set too low.",
            UserWarning,
            stacklevel=2,
        )
    return ember.tensor(fb, dtype=ember.get_default_dtype())


def linear_fbanks(
    n_freqs: int,
    f_min: float,
    f_max: float,
    n_filter: int,
    sample_rate: int,
) -> ember.Tensor:
    r"""A matrix of triangular filters equally spaced in Hz between ``f_min`` and ``f_max``.

    Args:
        n_freqs: number of STFT frequency bins (``n_fft // 2 + 1``).
        f_min: lowest frequency (Hz).
        f_max: highest frequency (Hz).
        n_filter: number of filters.
        sample_rate: the sample rate of the audio (Hz).

    Returns:
        Tensor of shape ``(n_freqs, n_filter)``.

    Example:
        >>> from ember_audio import functional as AF
        >>> AF.linear_fbanks(201, 0.0, 8000.0, 20, 16000).shape
        ember.Size([201, 20])
    """
    _check_counts("linear_fbanks", n_freqs=n_freqs, n_filter=n_filter)
    if f_min > f_max:
        raise ValueError(f"linear_fbanks(): require f_min <= f_max, got {f_min} > {f_max}")
    all_freqs = np.linspace(0, sample_rate // 2, n_freqs)
    f_pts = np.linspace(f_min, f_max, n_filter + 2)
    fb = _triangular_filterbank(all_freqs, f_pts)
    return ember.tensor(fb, dtype=ember.get_default_dtype())


def create_dct(n_mfcc: int, n_mels: int, norm: str | None) -> ember.Tensor:
    r"""The DCT-II matrix of shape ``(n_mels, n_mfcc)``, to be right-multiplied by rows of
    ``n_mels`` values: ``dct[n, k] = cos(pi / n_mels * (n + 0.5) * k)``, times 2 without norm;
    with ``norm="ortho"`` the orthonormal scaling (``sqrt(1 / n_mels)`` for ``k = 0``,
    ``sqrt(2 / n_mels)`` otherwise), as ``scipy.fft.dct(x, type=2, norm="ortho")``.

    Args:
        n_mfcc: number of coefficients to keep.
        n_mels: number of input bands.
        norm: ``"ortho"`` or None.

    Returns:
        Tensor of shape ``(n_mels, n_mfcc)``.

    Example:
        >>> from ember_audio import functional as AF
        >>> AF.create_dct(13, 40, "ortho").shape
        ember.Size([40, 13])
    """
    _check_counts("create_dct", n_mfcc=n_mfcc, n_mels=n_mels)
    if norm is not None and norm != "ortho":
        raise ValueError(f'norm must be either "ortho" or None, got {norm!r}')
    n = np.arange(float(n_mels))
    k = np.arange(float(n_mfcc))[:, None]
    dct = np.cos(math.pi / float(n_mels) * (n + 0.5) * k)
    if norm is None:
        dct *= 2.0
    else:
        dct[0] *= 1.0 / math.sqrt(2.0)
        dct *= math.sqrt(2.0 / float(n_mels))
    return ember.tensor(dct.T.copy(), dtype=ember.get_default_dtype())
