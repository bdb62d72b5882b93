"""Frame-level features: delta coefficients and pitch detection."""

from __future__ import annotations

import math

import ember
import ember.nn.functional as F
from ember._tensor import _wrap
from ember.backends import array_module_of

from ._checks import check_floating

__all__ = ["compute_deltas", "detect_pitch_frequency"]


def compute_deltas(
    specgram: ember.Tensor, win_length: int = 5, mode: str = "replicate"
) -> ember.Tensor:
    r"""Delta (time-derivative) coefficients of a spectrogram along its last dimension:

    .. math::
        d_t = \frac{\sum_{n=1}^{N} n (c_{t+n} - c_{t-n})}{2 \sum_{n=1}^{N} n^2},
        \quad N = (\text{win\_length} - 1) // 2

    Args:
        specgram: tensor of shape ``(..., freq, time)``.
        win_length: the window length, at least 3. Default: 5.
        mode: the padding at the edges (``"replicate"``, ``"reflect"``, ``"constant"``,
            ``"circular"``). Default: ``"replicate"``.

    Returns:
        Tensor of the shape of ``specgram``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.compute_deltas(ember.arange(6.0).reshape(1, 6))
        tensor([[0.5000, 0.8000, 1.0000, 1.0000, 0.8000, 0.5000]])
    """
    check_floating("compute_deltas", "specgram", specgram)
    if win_length < 3:
        raise ValueError(
            f"compute_deltas(): win_length should be greater than or equal to 3, got {win_length}"
        )
    shape = tuple(specgram.shape)
    n = (win_length - 1) // 2
    denom = n * (n + 1) * (2 * n + 1) / 3
    length = shape[-1]
    padded = F.pad(specgram.reshape(1, -1, length), (n, n), mode=mode)
    out = None
    for k in range(1, n + 1):
        term = k * (padded[..., n + k : n + k + length] - padded[..., n - k : n - k + length])
        out = term if out is None else out + term
    return (out / denom).reshape(shape)


def _nccf(xp, waveform, sample_rate, frame_time, freq_low):
    """The normalized cross-correlation ``(batch, frames, lags)`` of each frame with the
    signal ``lag = 1 .. lags`` samples later."""
    eps = 1e-9
    lags = math.ceil(sample_rate / freq_low)
    frame_size = math.ceil(sample_rate * frame_time)
    length = waveform.shape[-1]
    num_frames = math.ceil(length / frame_size)
    pad = lags + num_frames * frame_size - length
    padded = xp.concatenate(
        [waveform, xp.zeros((waveform.shape[0], pad), dtype=waveform.dtype)], axis=-1
    )
    starts = xp.arange(num_frames)[:, None] * frame_size
    frames = padded[:, starts + xp.arange(frame_size)[None, :]]  # (B, F, S)
    # segment[b, f, j] = padded[b, f * S + j], j < S + lags: all the lagged frames of frame f
    segment = padded[:, starts + xp.arange(frame_size + lags)[None, :]]
    lag_idx = xp.arange(1, lags + 1)[:, None] + xp.arange(frame_size)[None, :]  # (L, S)
    lagged = segment[:, :, lag_idx]  # (B, F, L, S)
    dot = (lagged * frames[:, :, None, :]).sum(-1)
    norm_frames = xp.sqrt((frames * frames).sum(-1))[..., None]
    norm_lagged = xp.sqrt((lagged * lagged).sum(-1))
    return dot / (eps + norm_frames) ** 2 / (eps + norm_lagged) ** 2


def _best_lags(xp, nccf, sample_rate, freq_high):
    """The lag (in samples) of the NCCF peak of each frame, preferring a near-maximal peak in
    the first half of the lags (a guard against octave errors)."""
    lag_min = math.ceil(sample_rate / freq_high)
    best_val = nccf[..., lag_min:].max(-1)
    best_idx = nccf[..., lag_min:].argmax(-1)
    half = nccf.shape[-1] // 2
    if half > lag_min:
        half_val = nccf[..., lag_min:half].max(-1)
        half_idx = nccf[..., lag_min:half].argmax(-1)
        best_idx = xp.where(half_val > 0.99 * best_val, half_idx, best_idx)
    return best_idx + lag_min + 1


def _median_smoothing(xp, indices, win_length):
    """The lower median over a window of ``win_length`` frames, the first frame repeated
    ``(win_length - 1) // 2`` times on the left."""
    pad = (win_length - 1) // 2
    first = xp.repeat(indices[..., :1], pad, axis=-1)
    padded = xp.concatenate([first, indices], axis=-1)
    count = padded.shape[-1] - win_length + 1
    if count <= 0:
        return padded[..., :0]
    windows = padded[..., xp.arange(count)[:, None] + xp.arange(win_length)[None, :]]
    return xp.sort(windows, axis=-1)[..., (win_length - 1) // 2]


def detect_pitch_frequency(
    waveform: ember.Tensor,
    sample_rate: int,
    frame_time: float = 10 ** (-2),
    win_length: int = 30,
    freq_low: int = 85,
    freq_high: int = 3400,
) -> ember.Tensor:
    r"""Estimate the pitch of each frame from the peak of the normalized cross-correlation
    function, smoothed by a running median (torchaudio's algorithm; not differentiable).

    Args:
        waveform: audio of shape ``(..., time)``.
        sample_rate: the sample rate (Hz).
        frame_time: the frame duration (s). Default: 0.01.
        win_length: the median-smoothing window, in frames. Default: 30.
        freq_low: the lowest detectable frequency (Hz). Default: 85.
        freq_high: the highest detectable frequency (Hz). Default: 3400.

    Returns:
        Tensor of shape ``(..., frames)`` in Hz, with ``frames = ceil(time / frame_size) -
        win_length + 1 + (win_length - 1) // 2``.

    Example:
        >>> import math
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> t = ember.arange(8000) / 8000
        >>> pitch = AF.detect_pitch_frequency(ember.sin(2 * math.pi * 200 * t), 8000)
        >>> bool(((pitch - 200).abs() < 10).all())
        True
    """
    check_floating("detect_pitch_frequency", "waveform", waveform)
    if sample_rate <= 0 or freq_low <= 0 or freq_high <= 0:
        raise ValueError(
            "detect_pitch_frequency(): sample_rate, freq_low and freq_high must be positive, got "
            f"{sample_rate}, {freq_low}, {freq_high}"
        )
    shape = tuple(waveform.shape)
    data = waveform.detach().reshape(-1, shape[-1])._data
    xp = array_module_of(data)
    nccf = _nccf(xp, data, sample_rate, frame_time, freq_low)
    indices = _best_lags(xp, nccf, sample_rate, freq_high)
    indices = _median_smoothing(xp, indices, win_length)
    freq = sample_rate / (1e-9 + indices.astype(data.dtype))
    return _wrap(freq.astype(data.dtype)).reshape(*shape[:-1], -1)
