"""Functional audio ops (torchaudio.functional's names, signatures and definitions).

Everything takes Tensors with any leading batch shape, ``(..., time)`` for waveforms and
``(..., freq, time)`` for spectrograms, keeps their device, and is differentiable where the
definition is (spectrograms, filter banks applied by matmul, resampling, ``lfilter`` and the
biquads, deltas, convolution, noise mixing).

Example:
    >>> import ember
    >>> from ember_audio import functional as AF
    >>> wave = ember.randn(1, 16000)
    >>> spec = AF.spectrogram(wave, 0, ember.hann_window(400), 400, 160, 400, 2.0, False)
    >>> fb = AF.melscale_fbanks(201, 0.0, 8000.0, 80, 16000)
    >>> (spec.transpose(-1, -2) @ fb).transpose(-1, -2).shape
    ember.Size([1, 80, 101])
"""

from ._amplitude import DB_to_amplitude, amplitude_to_DB, gain, mu_law_decoding, mu_law_encoding
from ._convolution import convolve, fftconvolve
from ._features import compute_deltas, detect_pitch_frequency
from ._filterbanks import create_dct, linear_fbanks, melscale_fbanks
from ._filtering import (
    allpass_biquad,
    bandpass_biquad,
    bandreject_biquad,
    biquad,
    deemphasis,
    equalizer_biquad,
    filtfilt,
    highpass_biquad,
    lowpass_biquad,
    preemphasis,
)
from ._lfilter import lfilter
from ._masking import mask_along_axis, mask_along_axis_iid
from ._noise import add_noise
from ._resample import resample, speed
from ._spectral import (
    griffinlim,
    inverse_spectrogram,
    phase_vocoder,
    spectral_centroid,
    spectrogram,
)

__all__ = [
    "spectrogram",
    "inverse_spectrogram",
    "griffinlim",
    "phase_vocoder",
    "spectral_centroid",
    "melscale_fbanks",
    "linear_fbanks",
    "create_dct",
    "amplitude_to_DB",
    "DB_to_amplitude",
    "mu_law_encoding",
    "mu_law_decoding",
    "gain",
    "resample",
    "speed",
    "lfilter",
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
    "fftconvolve",
    "convolve",
    "compute_deltas",
    "detect_pitch_frequency",
    "mask_along_axis",
    "mask_along_axis_iid",
    "add_noise",
]
