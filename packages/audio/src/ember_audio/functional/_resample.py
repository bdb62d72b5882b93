"""Band-limited resampling by windowed-sinc interpolation (torchaudio's definition).

Note [Resampling kernel]
    With both rates divided by their gcd (``orig``, ``new``), output sample ``j`` is
    ``y[j] = sum_i x[i] h(i / orig - j / new)``, with ``h`` a sinc low-pass at
    ``base = rolloff * min(orig, new)`` (in units of the reduced rates) truncated to
    ``lowpass_filter_width`` zero crossings on each side and tapered by a Hann
    (``cos^2``) or Kaiser window. Output samples ``j`` and ``j + new`` use the same weights
    on input shifted by ``orig``, so the whole resampling is one strided ``conv1d`` with
    ``new`` output channels (one filter per output phase) and stride ``orig``; the output
    is interleaved back into time order. The kernel depends only on the rates and the
    filter parameters: ``transforms.Resample`` computes it once and keeps it as a buffer.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

import ember
import ember.nn.functional as F

from ._checks import check_floating

__all__ = ["resample", "speed"]

_METHODS = ("sinc_interp_hann", "sinc_interp_kaiser")
_DEPRECATED_METHODS = {
    "sinc_interpolation": "sinc_interp_hann",
    "kaiser_window": "sinc_interp_kaiser",
}
_DEFAULT_KAISER_BETA = 14.769656459379492


def _resampling_method(method: str) -> str:
    if method in _DEPRECATED_METHODS:
        new = _DEPRECATED_METHODS[method]
        warnings.warn(
            f'resampling method "{method}" is deprecated; use "{new}" (same behaviour)',
            UserWarning,
            stacklevel=4,
        )
        return new
    if method not in _METHODS:
        raise ValueError(
            f"Invalid resampling method: {method!r}; expected 'sinc_interp_hann' or "
            "'sinc_interp_kaiser'"
        )
    return method


def _check_freqs(orig_freq, new_freq) -> None:
    if orig_freq <= 0 or new_freq <= 0:
        raise ValueError(
            "resample(): original and new frequencies must be positive, got "
            f"orig_freq={orig_freq}, new_freq={new_freq}"
        )
    if int(orig_freq) != orig_freq or int(new_freq) != new_freq:
        raise ValueError(
            "resample(): frequencies must be integers for exact rational resampling, got "
            f"orig_freq={orig_freq}, new_freq={new_freq}; scale both to integers with the same "
            "ratio (e.g. orig_freq=8, new_freq=1 for 44100 -> 5512.5)"
        )


def _sinc_resample_kernel(
    orig_freq: int,
    new_freq: int,
    gcd: int,
    lowpass_filter_width: int = 6,
    rolloff: float = 0.99,
    resampling_method: str = "sinc_interp_hann",
    beta: float | None = None,
) -> tuple[np.ndarray, int]:
    """The float64 kernel ``(new, 1, 2 * width + orig)`` and ``width`` (see Note
    [Resampling kernel])."""
    _check_freqs(orig_freq, new_freq)
    resampling_method = _resampling_method(resampling_method)
    if lowpass_filter_width <= 0:
        raise ValueError(
            f"resample(): lowpass_filter_width must be positive, got {lowpass_filter_width}"
        )
    if not 0 < rolloff <= 1:
        raise ValueError(f"resample(): rolloff must be in (0, 1], got {rolloff}")
    orig = int(orig_freq) // gcd
    new = int(new_freq) // gcd
    base_freq = min(orig, new) * rolloff
    width = math.ceil(lowpass_filter_width * orig / base_freq)
    idx = np.arange(-width, width + orig, dtype=np.float64)[None, None] / orig
    t = np.arange(0, -new, -1, dtype=np.float64)[:, None, None] / new + idx
    t = np.clip(t * base_freq, -lowpass_filter_width, lowpass_filter_width)
    if resampling_method == "sinc_interp_hann":
        window = np.cos(t * math.pi / lowpass_filter_width / 2) ** 2
    else:
        beta = _DEFAULT_KAISER_BETA if beta is None else float(beta)
        window = np.i0(beta * np.sqrt(1 - (t / lowpass_filter_width) ** 2)) / np.i0(beta)
    t = t * math.pi
    safe_t = np.where(t == 0, 1.0, t)
    kernels = np.where(t == 0, 1.0, np.sin(safe_t) / safe_t)
    kernels *= window * (base_freq / orig)
    return kernels, width


def _apply_sinc_resample_kernel(
    waveform: ember.Tensor,
    orig_freq: int,
    new_freq: int,
    gcd: int,
    kernel: ember.Tensor,
    width: int,
) -> ember.Tensor:
    """Resample ``waveform (..., time)`` with a kernel from :func:`_sinc_resample_kernel`."""
    check_floating("resample", "waveform", waveform)
    orig = int(orig_freq) // gcd
    new = int(new_freq) // gcd
    if kernel.dtype != waveform.dtype or kernel.device != waveform.device:
        kernel = kernel.to(dtype=waveform.dtype, device=waveform.device)
    shape = tuple(waveform.shape)
    length = shape[-1]
    flat = waveform.reshape(-1, length)
    padded = F.pad(flat, (width, width + orig))
    out = F.conv1d(padded.unsqueeze(1), kernel, stride=orig)  # (N, new, frames)
    out = out.transpose(1, 2).reshape(flat.shape[0], -1)
    target_length = math.ceil(new * length / orig)
    return out[..., :target_length].reshape(*shape[:-1], -1)


def resample(
    waveform: ember.Tensor,
    orig_freq: int,
    new_freq: int,
    lowpass_filter_width: int = 6,
    rolloff: float = 0.99,
    resampling_method: str = "sinc_interp_hann",
    beta: float | None = None,
) -> ember.Tensor:
    r"""Resample a waveform to a new sample rate by band-limited (windowed-sinc)
    interpolation.

    The output has ``ceil(new_freq * time / orig_freq)`` samples (rates reduced by their
    gcd). See Note [Resampling kernel] in this module for the definition.
    :class:`ember_audio.transforms.Resample` caches the kernel, which is faster when many
    waveforms share the rates.

    Args:
        waveform: audio of shape ``(..., time)``.
        orig_freq: the original sample rate (an integer).
        new_freq: the new sample rate (an integer).
        lowpass_filter_width: zero crossings of the sinc kept on each side; larger is
            sharper and slower. Default: 6.
        rolloff: the cutoff as a fraction of the lower Nyquist frequency. Default: 0.99.
        resampling_method: ``"sinc_interp_hann"`` (default) or ``"sinc_interp_kaiser"``.
        beta: the Kaiser window's shape parameter (default 14.77).

    Returns:
        Tensor of shape ``(..., ceil(new_freq * time / orig_freq))``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.resample(ember.randn(2, 16000), 16000, 8000).shape
        ember.Size([2, 8000])
    """
    check_floating("resample", "waveform", waveform)
    _check_freqs(orig_freq, new_freq)
    if orig_freq == new_freq:
        return waveform
    gcd = math.gcd(int(orig_freq), int(new_freq))
    kernel, width = _sinc_resample_kernel(
        orig_freq, new_freq, gcd, lowpass_filter_width, rolloff, resampling_method, beta
    )
    kernel_t = ember.tensor(kernel, dtype=waveform.dtype, device=waveform.device)
    return _apply_sinc_resample_kernel(waveform, orig_freq, new_freq, gcd, kernel_t, width)


def _speed_rates(orig_freq: int, factor: float) -> tuple[int, int]:
    """The gcd-reduced ``(source, target)`` rates that change the speed by ``factor``."""
    if factor <= 0:
        raise ValueError(f"speed(): factor must be positive, got {factor}")
    source = int(factor * orig_freq)
    target = int(orig_freq)
    gcd = math.gcd(source, target)
    return source // gcd, target // gcd


def speed(
    waveform: ember.Tensor,
    orig_freq: int,
    factor: float,
    lengths: ember.Tensor | None = None,
) -> tuple[ember.Tensor, ember.Tensor | None]:
    r"""Change the speed of a signal by ``factor`` (the pitch changes with it): resample it
    from ``factor * orig_freq`` to ``orig_freq``.

    Args:
        waveform: audio of shape ``(..., time)``.
        orig_freq: the sample rate of the signal.
        factor: > 1 shortens (speeds up), < 1 lengthens.
        lengths: valid lengths of the signals, shape ``(...)``, or None.

    Returns:
        ``(waveform (..., new_time), new_lengths or None)``, with
        ``new_lengths = ceil(lengths * target / source)``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> y, lengths = AF.speed(ember.randn(2, 1000), 16000, 2.0, ember.tensor([1000, 600]))
        >>> y.shape, lengths
        (ember.Size([2, 500]), tensor([500, 300]))
    """
    source, target = _speed_rates(orig_freq, factor)
    out_lengths = None
    if lengths is not None:
        out_lengths = ember.ceil(lengths * target / source).to(lengths.dtype)
    return resample(waveform, source, target), out_lengths
