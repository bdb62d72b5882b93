"""Audio transforms as Modules (torchaudio.transforms' names, arguments and state dicts).

Windows, filter banks, DCT matrices and resampling kernels are computed once and registered
as buffers under torchaudio's names (``Spectrogram.window``, ``MelScale.fb``,
``MFCC.dct_mat``, ``Resample.kernel``, ...), so ``module.to(device)`` moves them and state
dicts line up.

Example:
    >>> import ember
    >>> from ember_audio import transforms as T
    >>> features = ember.nn.Sequential(
    ...     T.MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=80),
    ...     T.AmplitudeToDB(top_db=80.0),
    ... )
    >>> features(ember.randn(8, 16000)).shape
    ember.Size([8, 80, 101])
"""

from ._augment import AddNoise, Fade, FrequencyMasking, SpecAugment, TimeMasking, TimeStretch, Vol
from ._mel import LFCC, MFCC, AmplitudeToDB, InverseMelScale, MelScale, MelSpectrogram
from ._resample import Resample, Speed, SpeedPerturbation
from ._simple import (
    ComputeDeltas,
    Convolve,
    Deemphasis,
    FFTConvolve,
    MuLawDecoding,
    MuLawEncoding,
    Preemphasis,
)
from ._spectrogram import GriffinLim, InverseSpectrogram, Spectrogram

__all__ = [
    "Spectrogram",
    "InverseSpectrogram",
    "GriffinLim",
    "AmplitudeToDB",
    "MelScale",
    "InverseMelScale",
    "MelSpectrogram",
    "MFCC",
    "LFCC",
    "Resample",
    "Speed",
    "SpeedPerturbation",
    "MuLawEncoding",
    "MuLawDecoding",
    "ComputeDeltas",
    "Convolve",
    "FFTConvolve",
    "Preemphasis",
    "Deemphasis",
    "FrequencyMasking",
    "TimeMasking",
    "SpecAugment",
    "TimeStretch",
    "Fade",
    "Vol",
    "AddNoise",
]
