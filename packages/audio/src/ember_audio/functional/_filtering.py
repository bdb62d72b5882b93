"""Biquad (second-order IIR) filters from the Audio EQ Cookbook, as SoX designs them, and
pre-/de-emphasis. All run through :func:`lfilter`, so they are differentiable in the waveform
and in tensor-valued design parameters (cutoff, Q, gain)."""

from __future__ import annotations

import math

import ember

from ._checks import as_tensor_like, check_floating
from ._lfilter import lfilter

__all__ = [
    "biquad",
    "lowpass_biquad",
    "highpass_biquad",
    "bandpass_biquad",
    "bandreject_biquad",
    "allpass_biquad",
    "equalizer_biquad",
    "filtfilt",
    "preemphasis",
    "deemphasis",
]


def biquad(waveform: ember.Tensor, b0, b1, b2, a0, a1, a2) -> ember.Tensor:
    r"""Filter with the biquad ``(b0 + b1 z^-1 + b2 z^-2) / (a0 + a1 z^-1 + a2 z^-2)``, zero
    initial conditions; the output is clamped to ``[-1, 1]`` (as :func:`lfilter` by default).

    Args:
        waveform: audio of shape ``(..., time)``.
        b0, b1, b2: numerator coefficients (floats or 0-d Tensors).
        a0, a1, a2: denominator coefficients (floats or 0-d Tensors).

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.biquad(ember.tensor([0.5, 0.0, 0.0]), 1.0, 0.0, 0.0, 1.0, -0.5, 0.0)
        tensor([0.5000, 0.2500, 0.1250])
    """
    check_floating("biquad", "waveform", waveform)
    coeffs = [as_tensor_like(c, waveform).reshape(1) for c in (b0, b1, b2, a0, a1, a2)]
    return lfilter(waveform, ember.cat(coeffs[3:]), ember.cat(coeffs[:3]))


def _design(op, waveform, sample_rate, freq, Q):
    """``(w0, alpha, freq, Q)`` as tensors of ``waveform``'s dtype and device."""
    check_floating(op, "waveform", waveform)
    if sample_rate <= 0:
        raise ValueError(f"{op}(): sample_rate must be positive, got {sample_rate}")
    freq = as_tensor_like(freq, waveform)
    Q = as_tensor_like(Q, waveform)
    w0 = 2 * math.pi * freq / sample_rate
    alpha = ember.sin(w0) / 2 / Q
    return w0, alpha


def lowpass_biquad(
    waveform: ember.Tensor, sample_rate: int, cutoff_freq: float, Q: float = 0.707
) -> ember.Tensor:
    r"""Second-order low-pass filter (-3 dB at ``cutoff_freq`` for ``Q = 1/sqrt(2)``).

    Args:
        waveform: audio of shape ``(..., time)``.
        sample_rate: the sample rate (Hz).
        cutoff_freq: the cutoff frequency (Hz), a float or a Tensor.
        Q: the quality factor. Default: 0.707.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.lowpass_biquad(ember.zeros(2, 100), 16000, 1000.0).shape
        ember.Size([2, 100])
    """
    w0, alpha = _design("lowpass_biquad", waveform, sample_rate, cutoff_freq, Q)
    cos_w0 = ember.cos(w0)
    b0 = (1 - cos_w0) / 2
    return biquad(waveform, b0, 1 - cos_w0, b0, 1 + alpha, -2 * cos_w0, 1 - alpha)


def highpass_biquad(
    waveform: ember.Tensor, sample_rate: int, cutoff_freq: float, Q: float = 0.707
) -> ember.Tensor:
    r"""Second-order high-pass filter.

    Args:
        waveform: audio of shape ``(..., time)``.
        sample_rate: the sample rate (Hz).
        cutoff_freq: the cutoff frequency (Hz), a float or a Tensor.
        Q: the quality factor. Default: 0.707.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.highpass_biquad(ember.zeros(100), 16000, 300.0).shape
        ember.Size([100])
    """
    w0, alpha = _design("highpass_biquad", waveform, sample_rate, cutoff_freq, Q)
    cos_w0 = ember.cos(w0)
    b0 = (1 + cos_w0) / 2
    return biquad(waveform, b0, -1 - cos_w0, b0, 1 + alpha, -2 * cos_w0, 1 - alpha)


def bandpass_biquad(
    waveform: ember.Tensor,
    sample_rate: int,
    central_freq: float,
    Q: float = 0.707,
    const_skirt_gain: bool = False,
) -> ember.Tensor:
    r"""Second-order band-pass filter around ``central_freq``.

    Args:
        waveform: audio of shape ``(..., time)``.
        sample_rate: the sample rate (Hz).
        central_freq: the centre frequency (Hz), a float or a Tensor.
        Q: the quality factor. Default: 0.707.
        const_skirt_gain: True gives a constant skirt gain (peak gain ``Q``), False a 0 dB
            peak. Default: False.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.bandpass_biquad(ember.zeros(100), 16000, 1000.0, 2.0).shape
        ember.Size([100])
    """
    w0, alpha = _design("bandpass_biquad", waveform, sample_rate, central_freq, Q)
    temp = ember.sin(w0) / 2 if const_skirt_gain else alpha
    return biquad(waveform, temp, 0.0, -temp, 1 + alpha, -2 * ember.cos(w0), 1 - alpha)


def bandreject_biquad(
    waveform: ember.Tensor, sample_rate: int, central_freq: float, Q: float = 0.707
) -> ember.Tensor:
    r"""Second-order band-reject (notch) filter at ``central_freq``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.bandreject_biquad(ember.zeros(100), 16000, 1000.0).shape
        ember.Size([100])
    """
    w0, alpha = _design("bandreject_biquad", waveform, sample_rate, central_freq, Q)
    cos_w0 = ember.cos(w0)
    return biquad(waveform, 1.0, -2 * cos_w0, 1.0, 1 + alpha, -2 * cos_w0, 1 - alpha)


def allpass_biquad(
    waveform: ember.Tensor, sample_rate: int, central_freq: float, Q: float = 0.707
) -> ember.Tensor:
    r"""Second-order all-pass filter (unit gain, phase shift around ``central_freq``).

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.allpass_biquad(ember.zeros(100), 16000, 1000.0).shape
        ember.Size([100])
    """
    w0, alpha = _design("allpass_biquad", waveform, sample_rate, central_freq, Q)
    cos_w0 = ember.cos(w0)
    return biquad(waveform, 1 - alpha, -2 * cos_w0, 1 + alpha, 1 + alpha, -2 * cos_w0, 1 - alpha)


def equalizer_biquad(
    waveform: ember.Tensor, sample_rate: int, center_freq: float, gain: float, Q: float = 0.707
) -> ember.Tensor:
    r"""Peaking equalizer: ``gain`` dB of boost (or cut) around ``center_freq``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.equalizer_biquad(ember.zeros(100), 16000, 1000.0, 6.0).shape
        ember.Size([100])
    """
    w0, alpha = _design("equalizer_biquad", waveform, sample_rate, center_freq, Q)
    A = ember.exp(as_tensor_like(gain, waveform) / 40.0 * math.log(10))
    cos_w0 = ember.cos(w0)
    return biquad(
        waveform,
        1 + alpha * A,
        -2 * cos_w0,
        1 - alpha * A,
        1 + alpha / A,
        -2 * cos_w0,
        1 - alpha / A,
    )


def filtfilt(
    waveform: ember.Tensor, a_coeffs: ember.Tensor, b_coeffs: ember.Tensor, clamp: bool = True
) -> ember.Tensor:
    r"""Zero-phase filtering: :func:`lfilter` forward, then again on the time-reversed result.

    Args:
        waveform: audio of shape ``(..., time)``.
        a_coeffs, b_coeffs: as for :func:`lfilter` (1D, or 2D with ``batching=True``).
        clamp: clamp the output to ``[-1, 1]``. Default: True.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> a, b = ember.tensor([1.0, -0.5]), ember.tensor([0.5, 0.0])
        >>> AF.filtfilt(ember.zeros(10), a, b).shape
        ember.Size([10])
    """
    forward = lfilter(waveform, a_coeffs, b_coeffs, clamp=False, batching=True)
    return lfilter(forward.flip(-1), a_coeffs, b_coeffs, clamp=clamp, batching=True).flip(-1)


def preemphasis(waveform: ember.Tensor, coeff: float = 0.97) -> ember.Tensor:
    r"""Pre-emphasize a waveform along its last dimension: ``y[i] = x[i] - coeff * x[i - 1]``
    (``y[0] = x[0]``).

    Args:
        waveform: audio of shape ``(..., time)``.
        coeff: the pre-emphasis coefficient, typically in ``[0, 1]``. Default: 0.97.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.preemphasis(ember.tensor([1.0, 1.0, 1.0]), 0.5)
        tensor([1.0000, 0.5000, 0.5000])
    """
    check_floating("preemphasis", "waveform", waveform)
    if waveform.shape[-1] < 2:
        return waveform.clone()
    rest = waveform[..., 1:] - coeff * waveform[..., :-1]
    return ember.cat([waveform[..., :1], rest], dim=-1)


def deemphasis(waveform: ember.Tensor, coeff: float = 0.97) -> ember.Tensor:
    r"""De-emphasize a waveform (the inverse of :func:`preemphasis`):
    ``y[i] = x[i] + coeff * y[i - 1]``, through :func:`lfilter` (so clamped to ``[-1, 1]``).

    Args:
        waveform: audio of shape ``(..., time)``.
        coeff: the de-emphasis coefficient. Default: 0.97.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.deemphasis(ember.tensor([0.5, 0.25, 0.25]), 0.5)
        tensor([0.5000, 0.5000, 0.5000])
    """
    check_floating("deemphasis", "waveform", waveform)
    a = ember.tensor([1.0, -coeff], dtype=waveform.dtype, device=waveform.device)
    b = ember.tensor([1.0, 0.0], dtype=waveform.dtype, device=waveform.device)
    return lfilter(waveform, a, b)
