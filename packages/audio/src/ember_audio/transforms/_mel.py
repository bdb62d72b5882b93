"""Mel and linear filter-bank features: MelScale, InverseMelScale, MelSpectrogram, MFCC, LFCC,
and AmplitudeToDB. Filter banks and DCT matrices are buffers, computed once."""

from __future__ import annotations

import math
from collections.abc import Callable

import ember
from ember import nn

from .. import functional as AF
from ._spectrogram import Spectrogram

__all__ = ["AmplitudeToDB", "MelScale", "InverseMelScale", "MelSpectrogram", "MFCC", "LFCC"]


def _apply_matrix(specgram: ember.Tensor, matrix: ember.Tensor) -> ember.Tensor:
    """``(..., a, time) -> (..., b, time)`` by ``matrix (a, b)``: one 2D matmul.

    The batch and time dimensions are folded into the rows of a single GEMM (a spectrogram
    from ``ember.stft`` is laid out ``(..., time, freq)`` in memory, so the fold is a view);
    a stack of per-example GEMMs is several times slower with a multi-threaded BLAS.
    """
    if matrix.dtype != specgram.dtype:
        matrix = matrix.to(specgram.dtype)
    rows = specgram.transpose(-1, -2)
    lead = tuple(rows.shape[:-1])
    out = ember.matmul(rows.reshape(-1, rows.shape[-1]), matrix)
    return out.reshape(*lead, matrix.shape[-1]).transpose(-1, -2)


def _check_rows(op: str, specgram: ember.Tensor, expected: int, what: str) -> None:
    if not isinstance(specgram, ember.Tensor):
        raise TypeError(f"{op}: expected a Tensor, got {type(specgram).__name__}")
    if specgram.dim() < 2 or specgram.shape[-2] != expected:
        raise ValueError(
            f"{op}: expected an input of shape (..., {expected}, time) ({what}), but got "
            f"{list(specgram.shape)}"
        )


class AmplitudeToDB(nn.Module):
    r"""Turn a power or amplitude spectrogram into decibels (see
    :func:`ember_audio.functional.amplitude_to_DB`), with ``amin = 1e-10`` and reference 1.

    Args:
        stype: ``"power"`` (10 log10) or ``"magnitude"`` (20 log10). Default: ``"power"``.
        top_db: the dynamic range kept below the maximum, in dB, or None. Default: None.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.AmplitudeToDB()(ember.tensor([[1.0, 100.0]]))
        tensor([[ 0., 20.]])
    """

    def __init__(self, stype: str = "power", top_db: float | None = None) -> None:
        super().__init__()
        if stype not in ("power", "magnitude"):
            raise ValueError(f"AmplitudeToDB: stype must be 'power' or 'magnitude', got {stype!r}")
        if top_db is not None and top_db < 0:
            raise ValueError(f"AmplitudeToDB: top_db must be a positive value, got {top_db}")
        self.stype = stype
        self.top_db = top_db
        self.multiplier = 10.0 if stype == "power" else 20.0
        self.amin = 1e-10
        self.ref_value = 1.0
        self.db_multiplier = math.log10(max(self.amin, self.ref_value))

    def forward(self, x: ember.Tensor) -> ember.Tensor:
        return AF.amplitude_to_DB(x, self.multiplier, self.amin, self.db_multiplier, self.top_db)


class MelScale(nn.Module):
    r"""Turn a linear-frequency spectrogram into a mel spectrogram with triangular filters
    (see :func:`ember_audio.functional.melscale_fbanks`).

    Args:
        n_mels: number of mel filters. Default: 128.
        sample_rate: the sample rate (Hz). Default: 16000.
        f_min: lowest frequency (Hz). Default: 0.
        f_max: highest frequency (Hz). Default: ``sample_rate // 2``.
        n_stft: number of STFT bins (``n_fft // 2 + 1``). Default: 201.
        norm: None or ``"slaney"``. Default: None.
        mel_scale: ``"htk"`` or ``"slaney"``. Default: ``"htk"``.

    Attributes:
        fb: the filter bank ``(n_stft, n_mels)`` (a buffer).

    Shape:
        - Input: ``(..., n_stft, time)``
        - Output: ``(..., n_mels, time)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.MelScale(n_mels=40, n_stft=201)(ember.rand(2, 201, 10)).shape
        ember.Size([2, 40, 10])
    """

    def __init__(
        self,
        n_mels: int = 128,
        sample_rate: int = 16000,
        f_min: float = 0.0,
        f_max: float | None = None,
        n_stft: int = 201,
        norm: str | None = None,
        mel_scale: str = "htk",
    ) -> None:
        super().__init__()
        self.n_mels = n_mels
        self.sample_rate = sample_rate
        self.f_max = f_max if f_max is not None else float(sample_rate // 2)
        self.f_min = f_min
        self.norm = norm
        self.mel_scale = mel_scale
        if f_min > self.f_max:
            raise ValueError(f"MelScale: require f_min: {f_min} <= f_max: {self.f_max}")
        fb = AF.melscale_fbanks(
            n_stft, self.f_min, self.f_max, self.n_mels, self.sample_rate, norm, mel_scale
        )
        self.register_buffer("fb", fb)

    def forward(self, specgram: ember.Tensor) -> ember.Tensor:
        _check_rows("MelScale", specgram, self.fb.shape[0], "n_stft frequency bins")
        return _apply_matrix(specgram, self.fb)


class InverseMelScale(nn.Module):
    r"""Estimate a linear-frequency spectrogram from a mel spectrogram: the least-squares
    solution of ``fb^T S = M``, clipped at zero.

    Args:
        n_stft: number of STFT bins (``n_fft // 2 + 1``).
        n_mels: number of mel filters. Default: 128.
        sample_rate: the sample rate (Hz). Default: 16000.
        f_min: lowest frequency (Hz). Default: 0.
        f_max: highest frequency (Hz). Default: ``sample_rate // 2``.
        norm: None or ``"slaney"``. Default: None.
        mel_scale: ``"htk"`` or ``"slaney"``. Default: ``"htk"``.
        driver: the least-squares driver (``"gels"``, ``"gelsy"``, ``"gelsd"``, ``"gelss"``).
            Default: ``"gels"``.

    Shape:
        - Input: ``(..., n_mels, time)``
        - Output: ``(..., n_stft, time)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.InverseMelScale(n_stft=201, n_mels=40)(ember.rand(40, 10)).shape
        ember.Size([201, 10])
    """

    def __init__(
        self,
        n_stft: int,
        n_mels: int = 128,
        sample_rate: int = 16000,
        f_min: float = 0.0,
        f_max: float | None = None,
        norm: str | None = None,
        mel_scale: str = "htk",
        driver: str = "gels",
    ) -> None:
        super().__init__()
        self.n_mels = n_mels
        self.sample_rate = sample_rate
        self.f_max = f_max or float(sample_rate // 2)
        self.f_min = f_min
        self.driver = driver
        if f_min > self.f_max:
            raise ValueError(f"InverseMelScale: require f_min: {f_min} <= f_max: {self.f_max}")
        if driver not in ("gels", "gelsy", "gelsd", "gelss"):
            raise ValueError(
                f'InverseMelScale: driver must be one of ["gels", "gelsy", "gelsd", "gelss"], got '
                f"{driver!r}"
            )
        fb = AF.melscale_fbanks(
            n_stft, self.f_min, self.f_max, self.n_mels, sample_rate, norm, mel_scale
        )
        self.register_buffer("fb", fb)

    def forward(self, melspec: ember.Tensor) -> ember.Tensor:
        _check_rows("InverseMelScale", melspec, self.n_mels, "n_mels mel bins")
        shape = tuple(melspec.shape)
        packed = melspec.reshape(-1, shape[-2], shape[-1])
        fb = self.fb if self.fb.dtype == melspec.dtype else self.fb.to(melspec.dtype)
        solution = ember.linalg.lstsq(fb.transpose(-1, -2)[None], packed, driver=self.driver)
        specgram = ember.relu(solution.solution)
        return specgram.reshape(*shape[:-2], fb.shape[0], shape[-1])


class MelSpectrogram(nn.Module):
    r"""A mel spectrogram of an audio signal: :class:`Spectrogram` then :class:`MelScale`
    (one STFT and one matmul).

    Args:
        sample_rate: the sample rate (Hz). Default: 16000.
        n_fft: the FFT size. Default: 400.
        win_length: the window size. Default: ``n_fft``.
        hop_length: the hop between frames. Default: ``win_length // 2``.
        f_min: lowest frequency (Hz). Default: 0.
        f_max: highest frequency (Hz). Default: None (``sample_rate // 2``).
        pad: two-sided zero padding. Default: 0.
        n_mels: number of mel filters. Default: 128.
        window_fn: makes the window. Default: ``ember.hann_window``.
        power: exponent of the magnitude. Default: 2.
        normalized: normalize by the window's L2 norm. Default: False.
        wkwargs: keyword arguments for ``window_fn``. Default: None.
        center: centre the frames. Default: True.
        pad_mode: the padding used when ``center``. Default: ``"reflect"``.
        onesided: deprecated and ignored.
        norm: None or ``"slaney"``. Default: None.
        mel_scale: ``"htk"`` or ``"slaney"``. Default: ``"htk"``.

    Shape:
        - Input: ``(..., time)``
        - Output: ``(..., n_mels, frames)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> mel = T.MelSpectrogram(16000, n_fft=400, hop_length=160, n_mels=80)
        >>> mel(ember.randn(4, 16000)).shape
        ember.Size([4, 80, 101])
        >>> sorted(mel.state_dict())
        ['mel_scale.fb', 'spectrogram.window']
    """

    def __init__(
        self,
        sample_rate: int = 16000,
        n_fft: int = 400,
        win_length: int | None = None,
        hop_length: int | None = None,
        f_min: float = 0.0,
        f_max: float | None = None,
        pad: int = 0,
        n_mels: int = 128,
        window_fn: Callable[..., ember.Tensor] = ember.hann_window,
        power: float = 2.0,
        normalized: bool = False,
        wkwargs: dict | None = None,
        center: bool = True,
        pad_mode: str = "reflect",
        onesided: bool | None = None,
        norm: str | None = None,
        mel_scale: str = "htk",
    ) -> None:
        super().__init__()
        if onesided is not None:
            import warnings

            warnings.warn(
                "MelSpectrogram: argument 'onesided' is deprecated and has no effect.",
                UserWarning,
                stacklevel=2,
            )
        self.sample_rate = sample_rate
        self.n_fft = n_fft
        self.win_length = win_length if win_length is not None else n_fft
        self.hop_length = hop_length if hop_length is not None else self.win_length // 2
        self.pad = pad
        self.power = power
        self.normalized = normalized
        self.n_mels = n_mels
        self.f_max = f_max
        self.f_min = f_min
        self.spectrogram = Spectrogram(
            n_fft=self.n_fft,
            win_length=self.win_length,
            hop_length=self.hop_length,
            pad=self.pad,
            window_fn=window_fn,
            power=self.power,
            normalized=self.normalized,
            wkwargs=wkwargs,
            center=center,
            pad_mode=pad_mode,
            onesided=True,
        )
        self.mel_scale = MelScale(
            self.n_mels,
            self.sample_rate,
            self.f_min,
            self.f_max,
            self.n_fft // 2 + 1,
            norm,
            mel_scale,
        )

    def forward(self, waveform: ember.Tensor) -> ember.Tensor:
        return self.mel_scale(self.spectrogram(waveform))


class MFCC(nn.Module):
    r"""Mel-frequency cepstral coefficients: the DCT-II of the dB-scaled (or log) mel
    spectrogram, as librosa computes them (dB with ``top_db = 80``).

    Args:
        sample_rate: the sample rate (Hz). Default: 16000.
        n_mfcc: number of coefficients. Default: 40.
        dct_type: the DCT type (only 2). Default: 2.
        norm: the DCT norm, ``"ortho"`` or None. Default: ``"ortho"``.
        log_mels: use ``log(mel + 1e-6)`` instead of decibels. Default: False.
        melkwargs: keyword arguments for :class:`MelSpectrogram`. Default: None.

    Attributes:
        dct_mat: the DCT matrix ``(n_mels, n_mfcc)`` (a buffer).

    Shape:
        - Input: ``(..., time)``
        - Output: ``(..., n_mfcc, frames)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> mfcc = T.MFCC(16000, n_mfcc=13, melkwargs={"n_fft": 400, "hop_length": 160,
        ...                                            "n_mels": 40})
        >>> mfcc(ember.randn(2, 16000)).shape
        ember.Size([2, 13, 101])
    """

    def __init__(
        self,
        sample_rate: int = 16000,
        n_mfcc: int = 40,
        dct_type: int = 2,
        norm: str = "ortho",
        log_mels: bool = False,
        melkwargs: dict | None = None,
    ) -> None:
        super().__init__()
        if dct_type != 2:
            raise ValueError(f"MFCC: DCT type not supported: {dct_type} (only 2)")
        self.sample_rate = sample_rate
        self.n_mfcc = n_mfcc
        self.dct_type = dct_type
        self.norm = norm
        self.top_db = 80.0
        self.amplitude_to_DB = AmplitudeToDB("power", self.top_db)
        self.MelSpectrogram = MelSpectrogram(sample_rate=self.sample_rate, **(melkwargs or {}))
        if self.n_mfcc > self.MelSpectrogram.n_mels:
            raise ValueError(
                f"MFCC: cannot select more MFCC coefficients ({n_mfcc}) than mel bins "
                f"({self.MelSpectrogram.n_mels})"
            )
        self.register_buffer(
            "dct_mat", AF.create_dct(self.n_mfcc, self.MelSpectrogram.n_mels, norm)
        )
        self.log_mels = log_mels

    def forward(self, waveform: ember.Tensor) -> ember.Tensor:
        mel_specgram = self.MelSpectrogram(waveform)
        if self.log_mels:
            mel_specgram = ember.log(mel_specgram + 1e-6)
        else:
            mel_specgram = self.amplitude_to_DB(mel_specgram)
        return _apply_matrix(mel_specgram, self.dct_mat)


class LFCC(nn.Module):
    r"""Linear-frequency cepstral coefficients: the DCT-II of the dB-scaled (or log) output of
    a linear triangular filter bank applied to the spectrogram.

    Args:
        sample_rate: the sample rate (Hz). Default: 16000.
        n_filter: number of linear filters. Default: 128.
        f_min: lowest frequency (Hz). Default: 0.
        f_max: highest frequency (Hz). Default: ``sample_rate // 2``.
        n_lfcc: number of coefficients. Default: 40.
        dct_type: the DCT type (only 2). Default: 2.
        norm: the DCT norm. Default: ``"ortho"``.
        log_lf: use ``log(x + 1e-6)`` instead of decibels. Default: False.
        speckwargs: keyword arguments for :class:`Spectrogram`. Default: None.

    Attributes:
        filter_mat: the filter bank ``(n_fft // 2 + 1, n_filter)`` (a buffer).
        dct_mat: the DCT matrix ``(n_filter, n_lfcc)`` (a buffer).

    Shape:
        - Input: ``(..., time)``
        - Output: ``(..., n_lfcc, frames)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> lfcc = T.LFCC(16000, n_filter=40, n_lfcc=13, speckwargs={"n_fft": 400,
        ...                                                          "hop_length": 160})
        >>> lfcc(ember.randn(2, 16000)).shape
        ember.Size([2, 13, 101])
    """

    def __init__(
        self,
        sample_rate: int = 16000,
        n_filter: int = 128,
        f_min: float = 0.0,
        f_max: float | None = None,
        n_lfcc: int = 40,
        dct_type: int = 2,
        norm: str = "ortho",
        log_lf: bool = False,
        speckwargs: dict | None = None,
    ) -> None:
        super().__init__()
        if dct_type != 2:
            raise ValueError(f"LFCC: DCT type not supported: {dct_type} (only 2)")
        self.sample_rate = sample_rate
        self.f_min = f_min
        self.f_max = f_max if f_max is not None else float(sample_rate // 2)
        self.n_filter = n_filter
        self.n_lfcc = n_lfcc
        self.dct_type = dct_type
        self.norm = norm
        self.top_db = 80.0
        self.amplitude_to_DB = AmplitudeToDB("power", self.top_db)
        self.Spectrogram = Spectrogram(**(speckwargs or {}))
        if self.n_lfcc > self.Spectrogram.n_fft:
            raise ValueError(
                f"LFCC: cannot select more LFCC coefficients ({n_lfcc}) than FFT bins "
                f"({self.Spectrogram.n_fft})"
            )
        filter_mat = AF.linear_fbanks(
            n_freqs=self.Spectrogram.n_fft // 2 + 1,
            f_min=self.f_min,
            f_max=self.f_max,
            n_filter=self.n_filter,
            sample_rate=self.sample_rate,
        )
        self.register_buffer("filter_mat", filter_mat)
        self.register_buffer("dct_mat", AF.create_dct(self.n_lfcc, self.n_filter, self.norm))
        self.log_lf = log_lf

    def forward(self, waveform: ember.Tensor) -> ember.Tensor:
        specgram = _apply_matrix(self.Spectrogram(waveform), self.filter_mat)
        if self.log_lf:
            specgram = ember.log(specgram + 1e-6)
        else:
            specgram = self.amplitude_to_DB(specgram)
        return _apply_matrix(specgram, self.dct_mat)
