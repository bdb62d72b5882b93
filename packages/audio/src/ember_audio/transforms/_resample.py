"""Resampling Modules: Resample (kernel cached as a buffer), Speed and SpeedPerturbation."""

from __future__ import annotations

import math
from collections.abc import Sequence

import ember
from ember import nn

from ..functional._resample import (
    _apply_sinc_resample_kernel,
    _sinc_resample_kernel,
    _speed_rates,
)

__all__ = ["Resample", "Speed", "SpeedPerturbation"]


class Resample(nn.Module):
    r"""Resample a signal from one sample rate to another (see
    :func:`ember_audio.functional.resample`), with the interpolation kernel computed once (in
    float64) and kept as the buffer ``kernel``.

    Args:
        orig_freq: the original sample rate. Default: 16000.
        new_freq: the new sample rate. Default: 16000.
        resampling_method: ``"sinc_interp_hann"`` or ``"sinc_interp_kaiser"``.
            Default: ``"sinc_interp_hann"``.
        lowpass_filter_width: zero crossings kept on each side. Default: 6.
        rolloff: the cutoff as a fraction of the lower Nyquist frequency. Default: 0.99.
        beta: the Kaiser window's shape parameter. Default: None (14.77).
        dtype: the dtype the kernel is cached in. Default: None (float32). A waveform of
            another dtype uses the kernel cast to its dtype.

    Shape:
        - Input: ``(..., time)``
        - Output: ``(..., ceil(new_freq * time / orig_freq))``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> resampler = T.Resample(44100, 16000)
        >>> resampler(ember.randn(2, 44100)).shape
        ember.Size([2, 16000])
        >>> resampler.kernel.shape
        ember.Size([160, 1, 475])
    """

    def __init__(
        self,
        orig_freq: int = 16000,
        new_freq: int = 16000,
        resampling_method: str = "sinc_interp_hann",
        lowpass_filter_width: int = 6,
        rolloff: float = 0.99,
        beta: float | None = None,
        *,
        dtype=None,
    ) -> None:
        super().__init__()
        self.orig_freq = orig_freq
        self.new_freq = new_freq
        self.gcd = math.gcd(int(orig_freq), int(new_freq))
        self.resampling_method = resampling_method
        self.lowpass_filter_width = lowpass_filter_width
        self.rolloff = rolloff
        self.beta = beta
        if orig_freq != new_freq:
            kernel, self.width = _sinc_resample_kernel(
                orig_freq,
                new_freq,
                self.gcd,
                lowpass_filter_width,
                rolloff,
                resampling_method,
                beta,
            )
            dtype = ember.float32 if dtype is None else dtype
            self.register_buffer("kernel", ember.tensor(kernel, dtype=dtype))

    def forward(self, waveform: ember.Tensor) -> ember.Tensor:
        if self.orig_freq == self.new_freq:
            return waveform
        return _apply_sinc_resample_kernel(
            waveform, self.orig_freq, self.new_freq, self.gcd, self.kernel, self.width
        )


class Speed(nn.Module):
    r"""Change the speed of a signal by ``factor`` (and its pitch with it) by resampling it
    from ``factor * orig_freq`` to ``orig_freq``.

    Args:
        orig_freq: the sample rate of the signals.
        factor: > 1 shortens (speeds up), < 1 lengthens.

    Shape:
        - Input: ``(..., time)`` and optional ``lengths (...)``
        - Output: ``((..., new_time), new_lengths or None)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> y, lengths = T.Speed(16000, 2.0)(ember.randn(1, 1000), ember.tensor([800]))
        >>> y.shape, lengths
        (ember.Size([1, 500]), tensor([400]))
    """

    def __init__(self, orig_freq: int, factor: float) -> None:
        super().__init__()
        self.orig_freq = orig_freq
        self.factor = factor
        self.source_sample_rate, self.target_sample_rate = _speed_rates(orig_freq, factor)
        self.resampler = Resample(
            orig_freq=self.source_sample_rate, new_freq=self.target_sample_rate
        )

    def forward(
        self, waveform: ember.Tensor, lengths: ember.Tensor | None = None
    ) -> tuple[ember.Tensor, ember.Tensor | None]:
        out_lengths = None
        if lengths is not None:
            scaled = lengths * self.target_sample_rate / self.source_sample_rate
            out_lengths = ember.ceil(scaled).to(lengths.dtype)
        return self.resampler(waveform), out_lengths


class SpeedPerturbation(nn.Module):
    r"""Speed perturbation (Ko et al., 2015): each call adjusts the speed by a factor drawn
    uniformly from ``factors`` (with ``ember``'s global generator).

    Args:
        orig_freq: the sample rate of the signals.
        factors: the speed factors to draw from (repeat one to weight it).

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> perturb = T.SpeedPerturbation(16000, [0.9, 1.0, 1.1])
        >>> y, _ = perturb(ember.randn(1, 16000))
        >>> y.shape[-1] in (17778, 16000, 14546)
        True
    """

    def __init__(self, orig_freq: int, factors: Sequence[float]) -> None:
        super().__init__()
        if len(factors) == 0:
            raise ValueError("SpeedPerturbation: factors must not be empty")
        self.speeders = nn.ModuleList([Speed(orig_freq=orig_freq, factor=f) for f in factors])

    def forward(
        self, waveform: ember.Tensor, lengths: ember.Tensor | None = None
    ) -> tuple[ember.Tensor, ember.Tensor | None]:
        idx = int(ember.randint(len(self.speeders), ()))
        return self.speeders[idx](waveform, lengths)
