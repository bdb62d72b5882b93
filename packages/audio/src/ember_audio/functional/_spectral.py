"""Short-time spectra: spectrogram and its inverse, Griffin-Lim phase recovery, the phase
vocoder and the spectral centroid.

All functions take batches of any leading shape ``(..., time)`` (or ``(..., freq, time)``),
fold them into one batch dimension for ``ember.stft`` / ``ember.istft`` and unfold the result,
so they keep the device of their input and are differentiable where the ops they compose are.
"""

from __future__ import annotations

import math
import warnings

import ember
import ember.nn.functional as F

from ._checks import check_floating, check_tensor

__all__ = [
    "spectrogram",
    "inverse_spectrogram",
    "griffinlim",
    "phase_vocoder",
    "spectral_centroid",
]


def _get_spec_norms(normalized) -> tuple[bool, bool]:
    """``(frame_length_norm, window_norm)`` from ``normalized`` (a bool or a str)."""
    if isinstance(normalized, str):
        if normalized not in ("frame_length", "window"):
            raise ValueError(
                f"Invalid normalized parameter: {normalized!r}; expected 'window', "
                "'frame_length' or a bool"
            )
        return normalized == "frame_length", normalized == "window"
    if isinstance(normalized, bool):
        return False, normalized
    raise TypeError(f"normalized must be a bool or a str, got {type(normalized).__name__}")


def _power_of(spec: ember.Tensor, power: float) -> ember.Tensor:
    """``|spec| ** power`` (for ``power == 2``, ``re^2 + im^2``: exact and smooth at zero)."""
    if power == 2.0:
        return spec.real * spec.real + spec.imag * spec.imag
    if power == 1.0:
        return spec.abs()
    return spec.abs().pow(power)


def spectrogram(
    waveform: ember.Tensor,
    pad: int,
    window: ember.Tensor,
    n_fft: int,
    hop_length: int,
    win_length: int,
    power: float | None,
    normalized: bool | str,
    center: bool = True,
    pad_mode: str = "reflect",
    onesided: bool = True,
    return_complex: bool | None = None,
) -> ember.Tensor:
    r"""Create a spectrogram (or a batch of them) from a raw audio signal.

    The frames are windowed and Fourier transformed by ``ember.stft``; with ``power`` set the
    magnitude ``|STFT| ** power`` is returned, otherwise the complex spectrum.

    Args:
        waveform: audio of shape ``(..., time)``.
        pad: two-sided zero padding of the signal.
        window: the window applied to each frame, ``win_length`` samples.
        n_fft: the FFT size; ``n_fft // 2 + 1`` frequency bins when ``onesided``.
        hop_length: the hop between frames.
        win_length: the window size.
        power: exponent of the magnitude (1 for magnitude, 2 for power), or None for the
            complex spectrum.
        normalized: ``True`` or ``"window"`` divides by the window's L2 norm,
            ``"frame_length"`` by ``sqrt(n_fft)``; ``False`` does not normalize.
        center: pad the signal by ``n_fft // 2`` on both sides so that frame ``t`` is centred
            at ``t * hop_length``. Default: ``True``.
        pad_mode: the padding used when ``center``. Default: ``"reflect"``.
        onesided: keep only the non-negative frequencies. Default: ``True``.
        return_complex: deprecated and ignored (``power=None`` always returns a complex
            tensor).

    Returns:
        Tensor of shape ``(..., freq, frames)``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> x = ember.randn(2, 1600)
        >>> spec = AF.spectrogram(x, 0, ember.hann_window(400), 400, 160, 400, 2.0, False)
        >>> spec.shape
        ember.Size([2, 201, 11])
    """
    check_floating("spectrogram", "waveform", waveform)
    if return_complex is not None:
        warnings.warn(
            "spectrogram: `return_complex` is deprecated and has no effect; power=None always "
            "returns a complex tensor.",
            UserWarning,
            stacklevel=2,
        )
    if power is not None and power <= 0:
        raise ValueError(f"spectrogram: power must be positive or None, got {power}")
    if pad > 0:
        waveform = F.pad(waveform, (pad, pad), "constant")
    frame_length_norm, window_norm = _get_spec_norms(normalized)
    shape = tuple(waveform.shape)
    flat = waveform.reshape(-1, shape[-1])
    spec = ember.stft(
        flat,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
        normalized=frame_length_norm,
        onesided=onesided,
        return_complex=True,
    )
    spec = spec.reshape(*shape[:-1], *spec.shape[-2:])
    if window_norm:
        spec = spec / window.pow(2.0).sum().sqrt()
    if power is None:
        return spec
    return _power_of(spec, power)


def inverse_spectrogram(
    spectrogram: ember.Tensor,
    length: int | None,
    pad: int,
    window: ember.Tensor,
    n_fft: int,
    hop_length: int,
    win_length: int,
    normalized: bool | str,
    center: bool = True,
    pad_mode: str = "reflect",
    onesided: bool = True,
) -> ember.Tensor:
    r"""Recover a waveform from a complex spectrogram: the least-squares inverse of
    :func:`spectrogram` with ``power=None`` and the same arguments.

    Args:
        spectrogram: complex tensor of shape ``(..., freq, frames)``.
        length: the length of the output waveform (None: as many samples as the frames
            cover).
        pad: the two-sided padding given to :func:`spectrogram`, removed again (only when
            ``length`` is given).
        window, n_fft, hop_length, win_length, normalized, center, onesided: as given to
            :func:`spectrogram`.
        pad_mode: accepted for symmetry with :func:`spectrogram`; not used.

    Returns:
        Tensor of shape ``(..., time)``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> w = ember.hann_window(64)
        >>> x = ember.randn(3, 512)
        >>> spec = AF.spectrogram(x, 0, w, 64, 16, 64, None, False)
        >>> y = AF.inverse_spectrogram(spec, 512, 0, w, 64, 16, 64, False)
        >>> bool((x - y).abs().max() < 1e-4)
        True
    """
    check_tensor("inverse_spectrogram", "spectrogram", spectrogram)
    if not spectrogram.is_complex():
        raise ValueError(
            "inverse_spectrogram(): expected `spectrogram` of a complex dtype, but got "
            f"{spectrogram.dtype}"
        )
    frame_length_norm, window_norm = _get_spec_norms(normalized)
    if window_norm:
        spectrogram = spectrogram * window.pow(2.0).sum().sqrt()
    shape = tuple(spectrogram.shape)
    flat = spectrogram.reshape(-1, shape[-2], shape[-1])
    waveform = ember.istft(
        flat,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        normalized=frame_length_norm,
        onesided=onesided,
        length=length + 2 * pad if length is not None else None,
        return_complex=False,
    )
    if length is not None and pad > 0:
        waveform = waveform[:, pad:-pad]
    return waveform.reshape(*shape[:-2], waveform.shape[-1])


def _complex_dtype(real_dtype):
    if real_dtype == ember.float64:
        return ember.complex128
    if real_dtype == ember.float32:
        return ember.complex64
    raise ValueError(f"griffinlim(): expected a float32 or float64 spectrogram, got {real_dtype}")


def griffinlim(
    specgram: ember.Tensor,
    window: ember.Tensor,
    n_fft: int,
    hop_length: int,
    win_length: int,
    power: float,
    n_iter: int,
    momentum: float,
    length: int | None,
    rand_init: bool,
) -> ember.Tensor:
    r"""Estimate a waveform from a magnitude spectrogram with the (fast) Griffin-Lim algorithm.

    Starting from random (or zero) phases, each iteration inverts the spectrogram with the
    current phases, takes the STFT of the result and keeps its phases; ``momentum`` adds the
    acceleration of the fast Griffin-Lim algorithm (Perraudin et al., 2013).

    Args:
        specgram: magnitude spectrogram ``(..., freq, frames)``, ``freq = n_fft // 2 + 1``.
        window: the analysis window, ``win_length`` samples.
        n_fft, hop_length, win_length: the STFT parameters.
        power: the exponent the magnitudes were raised to (1: magnitude, 2: power).
        n_iter: number of phase-recovery iterations.
        momentum: in ``[0, 1)``; 0 gives the original Griffin-Lim.
        length: the length of the output waveform, or None.
        rand_init: start from random phases (True) or zero phases (False).

    Returns:
        Tensor of shape ``(..., time)``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> w = ember.hann_window(64)
        >>> spec = AF.spectrogram(ember.randn(400), 0, w, 64, 16, 64, 2.0, False)
        >>> AF.griffinlim(spec, w, 64, 16, 64, 2.0, 4, 0.99, 400, True).shape
        ember.Size([400])
    """
    check_floating("griffinlim", "specgram", specgram)
    if not 0 <= momentum < 1:
        raise ValueError(f"griffinlim(): momentum must be in the range [0, 1), got {momentum}")
    momentum = momentum / (1 + momentum)
    shape = tuple(specgram.shape)
    specgram = specgram.reshape(-1, shape[-2], shape[-1]).pow(1 / power)
    cdtype = _complex_dtype(specgram.dtype)
    if rand_init:
        size = tuple(specgram.shape)
        real = ember.rand(*size, dtype=specgram.dtype, device=specgram.device)
        imag = ember.rand(*size, dtype=specgram.dtype, device=specgram.device)
        angles = ember.complex(real, imag)
    else:
        angles = ember.ones(*specgram.shape, dtype=cdtype, device=specgram.device)
    stft_args = dict(n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window)
    previous = None
    for _ in range(n_iter):
        inverse = ember.istft(specgram * angles, **stft_args, length=length)
        rebuilt = ember.stft(
            inverse, **stft_args, center=True, pad_mode="reflect", return_complex=True
        )
        angles = rebuilt
        if momentum and previous is not None:
            angles = angles - previous * momentum
        angles = angles / (angles.abs() + 1e-16)
        previous = rebuilt
    waveform = ember.istft(specgram * angles, **stft_args, length=length)
    return waveform.reshape(*shape[:-2], waveform.shape[-1])


def phase_vocoder(
    complex_specgrams: ember.Tensor, rate: float, phase_advance: ember.Tensor
) -> ember.Tensor:
    r"""Speed a complex spectrogram up (``rate > 1``) or down in time without changing its
    pitch, by interpolating magnitudes and accumulating phase advances between frames.

    Args:
        complex_specgrams: complex tensor ``(..., freq, frames)``.
        rate: the speed-up factor.
        phase_advance: the expected phase advance per hop in each bin, shape ``(freq, 1)``
            (``linspace(0, pi * hop_length, freq)[..., None]``).

    Returns:
        Complex tensor ``(..., freq, ceil(frames / rate))``.

    Example:
        >>> import math
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> spec = ember.complex(ember.randn(2, 201, 30), ember.randn(2, 201, 30))
        >>> advance = ember.linspace(0, math.pi * 100, 201)[..., None]
        >>> AF.phase_vocoder(spec, 1.3, advance).shape
        ember.Size([2, 201, 24])
    """
    check_tensor("phase_vocoder", "complex_specgrams", complex_specgrams)
    if not complex_specgrams.is_complex():
        raise ValueError(
            f"phase_vocoder(): expected a complex spectrogram, but got {complex_specgrams.dtype}"
        )
    if rate <= 0:
        raise ValueError(f"phase_vocoder(): rate must be positive, got {rate}")
    if rate == 1.0:
        return complex_specgrams
    shape = tuple(complex_specgrams.shape)
    specs = complex_specgrams.reshape(-1, shape[-2], shape[-1])
    real_dtype = specs.real.dtype
    time_steps = ember.arange(0, shape[-1], rate, dtype=ember.float64, device=specs.device)
    alphas = (time_steps % 1.0).to(real_dtype)
    steps = time_steps.long()
    phase_0 = specs[..., :1].angle()
    specs = F.pad(specs, (0, 2))
    specs_0 = specs.index_select(-1, steps)
    specs_1 = specs.index_select(-1, steps + 1)
    angle_0 = specs_0.angle()
    angle_1 = specs_1.angle()
    norm_0 = specs_0.abs()
    norm_1 = specs_1.abs()
    phase_advance = phase_advance.to(dtype=real_dtype)
    phase = angle_1 - angle_0 - phase_advance
    phase = phase - 2 * math.pi * ember.round(phase / (2 * math.pi))
    phase = phase + phase_advance
    phase = ember.cat([phase_0, phase[..., :-1]], dim=-1)
    phase_acc = ember.cumsum(phase, -1)
    mag = alphas * norm_1 + (1 - alphas) * norm_0
    stretched = ember.polar(mag, phase_acc)
    return stretched.reshape(*shape[:-2], *stretched.shape[1:])


def spectral_centroid(
    waveform: ember.Tensor,
    sample_rate: int,
    pad: int,
    window: ember.Tensor,
    n_fft: int,
    hop_length: int,
    win_length: int,
) -> ember.Tensor:
    r"""The spectral centroid of each frame: the mean frequency weighted by the magnitude
    spectrum, ``sum_f f |X(f, t)| / sum_f |X(f, t)|``.

    Args:
        waveform: audio of shape ``(..., time)``.
        sample_rate: the sample rate in Hz.
        pad, window, n_fft, hop_length, win_length: as for :func:`spectrogram`.

    Returns:
        Tensor of shape ``(..., frames)``.

    Example:
        >>> import math
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> t = ember.arange(8000) / 8000
        >>> tone = ember.sin(2 * math.pi * 1000 * t)
        >>> c = AF.spectral_centroid(tone, 8000, 0, ember.hann_window(256), 256, 128, 256)
        >>> bool((c[2:-2] - 1000).abs().max() < 20)
        True
    """
    specgram = spectrogram(
        waveform,
        pad=pad,
        window=window,
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        power=1.0,
        normalized=False,
    )
    freqs = ember.linspace(
        0, sample_rate // 2, 1 + n_fft // 2, dtype=specgram.dtype, device=specgram.device
    ).reshape(-1, 1)
    return (freqs * specgram).sum(dim=-2) / specgram.sum(dim=-2)
