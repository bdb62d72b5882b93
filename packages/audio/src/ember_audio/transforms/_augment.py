"""Augmentations: SpecAugment masks, time stretching, fades, volume, additive noise."""

from __future__ import annotations

import math

import ember
from ember import nn

from .. import functional as AF

__all__ = [
    "FrequencyMasking",
    "TimeMasking",
    "SpecAugment",
    "TimeStretch",
    "Fade",
    "Vol",
    "AddNoise",
]


class _AxisMasking(nn.Module):
    """Mask a band along ``axis`` (1: frequency, 2: time, counted for a 3D input)."""

    def __init__(self, mask_param: int, axis: int, iid_masks: bool, p: float = 1.0) -> None:
        super().__init__()
        if mask_param < 0:
            raise ValueError(f"{type(self).__name__}: mask_param must be >= 0, got {mask_param}")
        self.mask_param = mask_param
        self.axis = axis
        self.iid_masks = iid_masks
        self.p = p

    def forward(self, specgram: ember.Tensor, mask_value: float = 0.0) -> ember.Tensor:
        axis = self.axis + specgram.dim() - 3
        if self.iid_masks and specgram.dim() >= 3:
            return AF.mask_along_axis_iid(specgram, self.mask_param, mask_value, axis, p=self.p)
        return AF.mask_along_axis(specgram, self.mask_param, mask_value, axis, p=self.p)


class FrequencyMasking(_AxisMasking):
    r"""Mask a random band of frequencies of a spectrogram (SpecAugment).

    Args:
        freq_mask_param: the largest mask width; widths are drawn from
            ``[0, freq_mask_param)``.
        iid_masks: draw a different mask for every spectrogram of a batch (inputs of 3 or
            more dimensions). Default: False.

    Shape:
        - Input: ``(..., freq, time)``; ``forward(specgram, mask_value=0.0)``
        - Output: same shape

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.FrequencyMasking(freq_mask_param=8)(ember.ones(2, 40, 100)).shape
        ember.Size([2, 40, 100])
    """

    def __init__(self, freq_mask_param: int, iid_masks: bool = False) -> None:
        super().__init__(freq_mask_param, 1, iid_masks)


class TimeMasking(_AxisMasking):
    r"""Mask a random span of time steps of a spectrogram (SpecAugment).

    Args:
        time_mask_param: the largest mask width; widths are drawn from
            ``[0, time_mask_param)``.
        iid_masks: draw a different mask for every spectrogram of a batch. Default: False.
        p: the largest fraction of the time steps that may be masked. Default: 1.0.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.TimeMasking(time_mask_param=20, p=0.5)(ember.ones(2, 40, 100)).shape
        ember.Size([2, 40, 100])
    """

    def __init__(self, time_mask_param: int, iid_masks: bool = False, p: float = 1.0) -> None:
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"TimeMasking: the value of p must be between 0.0 and 1.0, got {p}")
        super().__init__(time_mask_param, 2, iid_masks, p=p)


class SpecAugment(nn.Module):
    r"""Apply ``n_time_masks`` time masks and ``n_freq_masks`` frequency masks.

    Args:
        n_time_masks: number of time masks (0: none).
        time_mask_param: the largest time-mask width.
        n_freq_masks: number of frequency masks (0: none).
        freq_mask_param: the largest frequency-mask width.
        iid_masks: independent masks per spectrogram of a batch (inputs of 3 or more
            dimensions). Default: True.
        p: the largest fraction of the axis one mask may cover. Default: 1.0.
        zero_masking: fill with 0 (True) or with the mean of the input (False).
            Default: False.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.SpecAugment(2, 10, 2, 5)(ember.rand(4, 40, 100)).shape
        ember.Size([4, 40, 100])
    """

    def __init__(
        self,
        n_time_masks: int,
        time_mask_param: int,
        n_freq_masks: int,
        freq_mask_param: int,
        iid_masks: bool = True,
        p: float = 1.0,
        zero_masking: bool = False,
    ) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"SpecAugment: the value of p must be between 0.0 and 1.0, got {p}")
        self.n_time_masks = n_time_masks
        self.time_mask_param = time_mask_param
        self.n_freq_masks = n_freq_masks
        self.freq_mask_param = freq_mask_param
        self.iid_masks = iid_masks
        self.p = p
        self.zero_masking = zero_masking

    def forward(self, specgram: ember.Tensor) -> ember.Tensor:
        mask_value = 0.0 if self.zero_masking else specgram.mean()
        time_dim = specgram.dim() - 1
        freq_dim = time_dim - 1
        mask = (
            AF.mask_along_axis_iid if specgram.dim() > 2 and self.iid_masks else AF.mask_along_axis
        )
        for _ in range(self.n_time_masks):
            specgram = mask(specgram, self.time_mask_param, mask_value, time_dim, p=self.p)
        for _ in range(self.n_freq_masks):
            specgram = mask(specgram, self.freq_mask_param, mask_value, freq_dim, p=self.p)
        return specgram


class TimeStretch(nn.Module):
    r"""Stretch a complex spectrogram in time without changing its pitch (phase vocoder).

    Args:
        hop_length: the STFT hop. Default: ``n_fft // 2`` with ``n_fft = (n_freq - 1) * 2``.
        n_freq: number of frequency bins. Default: 201.
        fixed_rate: the rate used when ``forward`` gets none. Default: None.

    Attributes:
        phase_advance: ``linspace(0, pi * hop_length, n_freq)[..., None]`` (a buffer).

    Shape:
        - Input: ``(..., n_freq, frames)`` complex; ``forward(specgram, overriding_rate=None)``
        - Output: ``(..., n_freq, ceil(frames / rate))``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> spec = T.Spectrogram(power=None)(ember.randn(1, 8000))
        >>> T.TimeStretch(fixed_rate=2.0)(spec).shape
        ember.Size([1, 201, 21])
    """

    def __init__(
        self, hop_length: int | None = None, n_freq: int = 201, fixed_rate: float | None = None
    ) -> None:
        super().__init__()
        self.fixed_rate = fixed_rate
        n_fft = (n_freq - 1) * 2
        hop_length = hop_length if hop_length is not None else n_fft // 2
        self.register_buffer(
            "phase_advance", ember.linspace(0, math.pi * hop_length, n_freq)[..., None]
        )

    def forward(
        self, complex_specgrams: ember.Tensor, overriding_rate: float | None = None
    ) -> ember.Tensor:
        if overriding_rate is None:
            if self.fixed_rate is None:
                raise ValueError(
                    "TimeStretch: no fixed_rate was given at construction, so forward needs a rate"
                )
            rate = self.fixed_rate
        else:
            rate = overriding_rate
        return AF.phase_vocoder(complex_specgrams, rate, self.phase_advance)


_FADE_SHAPES = ("quarter_sine", "half_sine", "linear", "logarithmic", "exponential")


class Fade(nn.Module):
    r"""Fade a waveform in and/or out.

    Args:
        fade_in_len: length of the fade-in, in samples. Default: 0.
        fade_out_len: length of the fade-out, in samples. Default: 0.
        fade_shape: ``"quarter_sine"``, ``"half_sine"``, ``"linear"``, ``"logarithmic"`` or
            ``"exponential"``. Default: ``"linear"``.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.Fade(fade_in_len=3, fade_out_len=2)(ember.ones(6))
        tensor([0.0000, 0.5000, 1.0000, 1.0000, 1.0000, 0.0000])
    """

    def __init__(
        self, fade_in_len: int = 0, fade_out_len: int = 0, fade_shape: str = "linear"
    ) -> None:
        super().__init__()
        if fade_shape not in _FADE_SHAPES:
            raise ValueError(
                f"Fade: fade_shape must be one of {list(_FADE_SHAPES)}, got {fade_shape!r}"
            )
        if fade_in_len < 0 or fade_out_len < 0:
            raise ValueError(
                f"Fade: fade lengths must be >= 0, got fade_in_len={fade_in_len}, "
                f"fade_out_len={fade_out_len}"
            )
        self.fade_in_len = fade_in_len
        self.fade_out_len = fade_out_len
        self.fade_shape = fade_shape

    def forward(self, waveform: ember.Tensor) -> ember.Tensor:
        length = waveform.shape[-1]
        if self.fade_in_len > length or self.fade_out_len > length:
            raise ValueError(
                f"Fade: fade_in_len ({self.fade_in_len}) and fade_out_len ({self.fade_out_len}) "
                f"must not exceed the waveform length ({length})"
            )
        options = dict(dtype=waveform.dtype, device=waveform.device)
        return self._fade_in(length, options) * self._fade_out(length, options) * waveform

    def _fade_in(self, length: int, options: dict) -> ember.Tensor:
        fade = ember.linspace(0, 1, self.fade_in_len, **options)
        ones = ember.ones(length - self.fade_in_len, **options)
        shape = self.fade_shape
        if shape == "exponential":
            fade = ember.pow(2, fade - 1) * fade
        elif shape == "logarithmic":
            fade = ember.log10(0.1 + fade) + 1
        elif shape == "quarter_sine":
            fade = ember.sin(fade * math.pi / 2)
        elif shape == "half_sine":
            fade = ember.sin(fade * math.pi - math.pi / 2) / 2 + 0.5
        return ember.cat([fade, ones]).clamp(0, 1)

    def _fade_out(self, length: int, options: dict) -> ember.Tensor:
        fade = ember.linspace(0, 1, self.fade_out_len, **options)
        ones = ember.ones(length - self.fade_out_len, **options)
        shape = self.fade_shape
        if shape == "linear":
            fade = -fade + 1
        elif shape == "exponential":
            fade = ember.pow(2, -fade) * (1 - fade)
        elif shape == "logarithmic":
            fade = ember.log10(1.1 - fade) + 1
        elif shape == "quarter_sine":
            fade = ember.sin(fade * math.pi / 2 + math.pi / 2)
        elif shape == "half_sine":
            fade = ember.sin(fade * math.pi + math.pi / 2) / 2 + 0.5
        return ember.cat([ones, fade]).clamp(0, 1)


class Vol(nn.Module):
    r"""Scale the volume of a waveform, then clamp it to ``[-1, 1]``.

    Args:
        gain: an amplitude ratio, a power ratio or decibels, by ``gain_type``.
        gain_type: ``"amplitude"``, ``"power"`` or ``"db"``. Default: ``"amplitude"``.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.Vol(2.0)(ember.tensor([0.25, -0.75]))
        tensor([ 0.5000, -1.0000])
    """

    def __init__(self, gain: float, gain_type: str = "amplitude") -> None:
        super().__init__()
        if gain_type not in ("amplitude", "power", "db"):
            raise ValueError(
                f"Vol: gain_type must be 'amplitude', 'power' or 'db', got {gain_type!r}"
            )
        if gain_type in ("amplitude", "power") and gain < 0:
            raise ValueError(
                f"Vol: if gain_type = amplitude or power, gain must be positive, got {gain}"
            )
        self.gain = gain
        self.gain_type = gain_type

    def forward(self, waveform: ember.Tensor) -> ember.Tensor:
        if self.gain_type == "amplitude":
            waveform = waveform * self.gain
        elif self.gain_type == "db":
            waveform = AF.gain(waveform, self.gain)
        else:
            waveform = AF.gain(waveform, 10 * math.log10(self.gain))
        return ember.clamp(waveform, -1, 1)


class AddNoise(nn.Module):
    r"""Scale noise to a signal-to-noise ratio and add it (see
    :func:`ember_audio.functional.add_noise`).

    Shape:
        - Input: ``forward(waveform (..., L), noise (..., L), snr (...), lengths=None)``
        - Output: ``(..., L)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.AddNoise()(ember.ones(2, 50), ember.randn(2, 50), ember.tensor([5.0, 5.0])).shape
        ember.Size([2, 50])
    """

    def forward(
        self,
        waveform: ember.Tensor,
        noise: ember.Tensor,
        snr: ember.Tensor,
        lengths: ember.Tensor | None = None,
    ) -> ember.Tensor:
        return AF.add_noise(waveform, noise, snr, lengths)
