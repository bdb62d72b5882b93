"""Spectrogram, its inverse, and Griffin-Lim, as Modules holding their window as a buffer."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import ember
from ember import nn

from .. import functional as AF

__all__ = ["Spectrogram", "InverseSpectrogram", "GriffinLim"]


def _frame_sizes(op: str, n_fft: int, win_length, hop_length) -> tuple[int, int]:
    """``(win_length, hop_length)`` with torchaudio's defaults (``n_fft``, ``win // 2``),
    checked."""
    if not isinstance(n_fft, int) or n_fft <= 0:
        raise ValueError(f"{op}: n_fft must be a positive integer, got {n_fft!r}")
    win = n_fft if win_length is None else win_length
    if not 0 < win <= n_fft:
        raise ValueError(f"{op}: expected 0 < win_length <= n_fft ({n_fft}), got {win}")
    hop = win // 2 if hop_length is None else hop_length
    if hop <= 0:
        raise ValueError(f"{op}: hop_length must be positive, got {hop}")
    return win, hop


def _make_window(window_fn: Callable[..., ember.Tensor], win_length: int, wkwargs):
    return window_fn(win_length) if wkwargs is None else window_fn(win_length, **wkwargs)


class Spectrogram(nn.Module):
    r"""Create a spectrogram from an audio signal (see :func:`ember_audio.functional.spectrogram`).

    Args:
        n_fft: the FFT size; ``n_fft // 2 + 1`` bins. Default: 400.
        win_length: the window size. Default: ``n_fft``.
        hop_length: the hop between frames. Default: ``win_length // 2``.
        pad: two-sided zero padding of the signal. Default: 0.
        window_fn: makes the window from its length. Default: ``ember.hann_window``.
        power: exponent of the magnitude (1: magnitude, 2: power), or None for the complex
            spectrum. Default: 2.
        normalized: ``True``/``"window"`` divides by the window's L2 norm, ``"frame_length"``
            by ``sqrt(n_fft)``. Default: False.
        wkwargs: keyword arguments for ``window_fn``. Default: None.
        center: pad so that frame ``t`` is centred at ``t * hop_length``. Default: True.
        pad_mode: the padding used when ``center``. Default: ``"reflect"``.
        onesided: keep only the non-negative frequencies. Default: True.
        return_complex: deprecated and ignored.

    Attributes:
        window: the window (a buffer, in the state dict).

    Shape:
        - Input: ``(..., time)``
        - Output: ``(..., n_fft // 2 + 1, frames)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.Spectrogram(n_fft=400, hop_length=160)(ember.randn(2, 16000)).shape
        ember.Size([2, 201, 101])
    """

    def __init__(
        self,
        n_fft: int = 400,
        win_length: int | None = None,
        hop_length: int | None = None,
        pad: int = 0,
        window_fn: Callable[..., ember.Tensor] = ember.hann_window,
        power: float | None = 2.0,
        normalized: bool | str = False,
        wkwargs: dict | None = None,
        center: bool = True,
        pad_mode: str = "reflect",
        onesided: bool = True,
        return_complex: bool | None = None,
    ) -> None:
        super().__init__()
        self.n_fft = n_fft
        self.win_length, self.hop_length = _frame_sizes(
            "Spectrogram", n_fft, win_length, hop_length
        )
        if power is not None and power <= 0:
            raise ValueError(f"Spectrogram: power must be positive or None, got {power}")
        self.register_buffer("window", _make_window(window_fn, self.win_length, wkwargs))
        self.pad = pad
        self.power = power
        self.normalized = normalized
        self.center = center
        self.pad_mode = pad_mode
        self.onesided = onesided
        if return_complex is not None:
            warnings.warn(
                "Spectrogram: `return_complex` is deprecated and has no effect; power=None "
                "always returns a complex tensor.",
                UserWarning,
                stacklevel=2,
            )

    def forward(self, waveform: ember.Tensor) -> ember.Tensor:
        return AF.spectrogram(
            waveform,
            self.pad,
            self.window,
            self.n_fft,
            self.hop_length,
            self.win_length,
            self.power,
            self.normalized,
            self.center,
            self.pad_mode,
            self.onesided,
        )


class InverseSpectrogram(nn.Module):
    r"""Recover a waveform from a complex spectrogram (see
    :func:`ember_audio.functional.inverse_spectrogram`).

    ``n_fft``, ``win_length``, ``hop_length``, ``pad``, ``window_fn``, ``normalized``,
    ``wkwargs``, ``center``, ``pad_mode`` and ``onesided`` are as for :class:`Spectrogram`.

    Shape:
        - Input: ``(..., freq, frames)`` complex, and an optional ``length``
        - Output: ``(..., time)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> spec = T.Spectrogram(n_fft=64, power=None)(ember.randn(3, 640))
        >>> T.InverseSpectrogram(n_fft=64)(spec, 640).shape
        ember.Size([3, 640])
    """

    def __init__(
        self,
        n_fft: int = 400,
        win_length: int | None = None,
        hop_length: int | None = None,
        pad: int = 0,
        window_fn: Callable[..., ember.Tensor] = ember.hann_window,
        normalized: bool | str = False,
        wkwargs: dict | None = None,
        center: bool = True,
        pad_mode: str = "reflect",
        onesided: bool = True,
    ) -> None:
        super().__init__()
        self.n_fft = n_fft
        self.win_length, self.hop_length = _frame_sizes(
            "InverseSpectrogram", n_fft, win_length, hop_length
        )
        self.register_buffer("window", _make_window(window_fn, self.win_length, wkwargs))
        self.pad = pad
        self.normalized = normalized
        self.center = center
        self.pad_mode = pad_mode
        self.onesided = onesided

    def forward(self, spectrogram: ember.Tensor, length: int | None = None) -> ember.Tensor:
        return AF.inverse_spectrogram(
            spectrogram,
            length,
            self.pad,
            self.window,
            self.n_fft,
            self.hop_length,
            self.win_length,
            self.normalized,
            self.center,
            self.pad_mode,
            self.onesided,
        )


class GriffinLim(nn.Module):
    r"""Estimate a waveform from a magnitude spectrogram with the fast Griffin-Lim algorithm
    (see :func:`ember_audio.functional.griffinlim`).

    Args:
        n_fft: the FFT size. Default: 400.
        n_iter: phase-recovery iterations. Default: 32.
        win_length: the window size. Default: ``n_fft``.
        hop_length: the hop between frames. Default: ``win_length // 2``.
        window_fn: makes the window. Default: ``ember.hann_window``.
        power: the exponent the magnitudes were raised to. Default: 2.
        wkwargs: keyword arguments for ``window_fn``. Default: None.
        momentum: the fast Griffin-Lim momentum, in ``[0, 1)``. Default: 0.99.
        length: the output length. Default: None.
        rand_init: start from random phases. Default: True.

    Shape:
        - Input: ``(..., n_fft // 2 + 1, frames)``
        - Output: ``(..., time)``

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> spec = T.Spectrogram(n_fft=64)(ember.randn(640))
        >>> T.GriffinLim(n_fft=64, n_iter=4, length=640)(spec).shape
        ember.Size([640])
    """

    def __init__(
        self,
        n_fft: int = 400,
        n_iter: int = 32,
        win_length: int | None = None,
        hop_length: int | None = None,
        window_fn: Callable[..., ember.Tensor] = ember.hann_window,
        power: float = 2.0,
        wkwargs: dict | None = None,
        momentum: float = 0.99,
        length: int | None = None,
        rand_init: bool = True,
    ) -> None:
        super().__init__()
        if not 0 <= momentum < 1:
            raise ValueError(f"GriffinLim: momentum must be in the range [0, 1), got {momentum}")
        self.n_fft = n_fft
        self.n_iter = n_iter
        self.win_length, self.hop_length = _frame_sizes("GriffinLim", n_fft, win_length, hop_length)
        self.register_buffer("window", _make_window(window_fn, self.win_length, wkwargs))
        self.length = length
        self.power = power
        self.momentum = momentum
        self.rand_init = rand_init

    def forward(self, specgram: ember.Tensor) -> ember.Tensor:
        return AF.griffinlim(
            specgram,
            self.window,
            self.n_fft,
            self.hop_length,
            self.win_length,
            self.power,
            self.n_iter,
            self.momentum,
            self.length,
            self.rand_init,
        )
