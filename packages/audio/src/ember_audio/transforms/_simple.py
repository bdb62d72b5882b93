"""Thin Modules over single functional ops: mu-law, deltas, convolution, (de-)emphasis."""

from __future__ import annotations

import ember
from ember import nn

from .. import functional as AF
from ..functional._convolution import _check_mode

__all__ = [
    "MuLawEncoding",
    "MuLawDecoding",
    "ComputeDeltas",
    "Convolve",
    "FFTConvolve",
    "Preemphasis",
    "Deemphasis",
]


class MuLawEncoding(nn.Module):
    r"""Encode a signal in ``[-1, 1]`` with mu-law companding into
    ``0 .. quantization_channels - 1`` (see :func:`ember_audio.functional.mu_law_encoding`).

    Args:
        quantization_channels: number of levels. Default: 256.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.MuLawEncoding()(ember.tensor([-1.0, 0.0, 1.0]))
        tensor([  0, 128, 255])
    """

    def __init__(self, quantization_channels: int = 256) -> None:
        super().__init__()
        self.quantization_channels = quantization_channels

    def forward(self, x: ember.Tensor) -> ember.Tensor:
        return AF.mu_law_encoding(x, self.quantization_channels)


class MuLawDecoding(nn.Module):
    r"""Decode mu-law codes back to a signal in ``[-1, 1]`` (see
    :func:`ember_audio.functional.mu_law_decoding`).

    Args:
        quantization_channels: number of levels. Default: 256.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.MuLawDecoding()(ember.tensor([0, 255]))
        tensor([-1.,  1.])
    """

    def __init__(self, quantization_channels: int = 256) -> None:
        super().__init__()
        self.quantization_channels = quantization_channels

    def forward(self, x_mu: ember.Tensor) -> ember.Tensor:
        return AF.mu_law_decoding(x_mu, self.quantization_channels)


class ComputeDeltas(nn.Module):
    r"""Delta coefficients of a spectrogram (see :func:`ember_audio.functional.compute_deltas`).

    Args:
        win_length: the window length (>= 3). Default: 5.
        mode: the edge padding. Default: ``"replicate"``.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.ComputeDeltas()(ember.randn(2, 13, 50)).shape
        ember.Size([2, 13, 50])
    """

    def __init__(self, win_length: int = 5, mode: str = "replicate") -> None:
        super().__init__()
        if win_length < 3:
            raise ValueError(f"ComputeDeltas: win_length must be >= 3, got {win_length}")
        self.win_length = win_length
        self.mode = mode

    def forward(self, specgram: ember.Tensor) -> ember.Tensor:
        return AF.compute_deltas(specgram, win_length=self.win_length, mode=self.mode)


class Convolve(nn.Module):
    r"""Convolve two inputs along their last dimension directly (see
    :func:`ember_audio.functional.convolve`).

    Args:
        mode: ``"full"``, ``"valid"`` or ``"same"``. Default: ``"full"``.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.Convolve("valid")(ember.randn(2, 10), ember.randn(2, 3)).shape
        ember.Size([2, 8])
    """

    def __init__(self, mode: str = "full") -> None:
        _check_mode(mode)
        super().__init__()
        self.mode = mode

    def forward(self, x: ember.Tensor, y: ember.Tensor) -> ember.Tensor:
        return AF.convolve(x, y, mode=self.mode)


class FFTConvolve(nn.Module):
    r"""Convolve two inputs along their last dimension with FFTs (see
    :func:`ember_audio.functional.fftconvolve`).

    Args:
        mode: ``"full"``, ``"valid"`` or ``"same"``. Default: ``"full"``.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.FFTConvolve()(ember.randn(2, 10), ember.randn(2, 3)).shape
        ember.Size([2, 12])
    """

    def __init__(self, mode: str = "full") -> None:
        _check_mode(mode)
        super().__init__()
        self.mode = mode

    def forward(self, x: ember.Tensor, y: ember.Tensor) -> ember.Tensor:
        return AF.fftconvolve(x, y, mode=self.mode)


class Preemphasis(nn.Module):
    r"""Pre-emphasize a waveform: ``y[i] = x[i] - coeff * x[i - 1]``.

    Args:
        coeff: the pre-emphasis coefficient. Default: 0.97.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.Preemphasis(0.5)(ember.tensor([1.0, 1.0]))
        tensor([1.0000, 0.5000])
    """

    def __init__(self, coeff: float = 0.97) -> None:
        super().__init__()
        self.coeff = coeff

    def forward(self, waveform: ember.Tensor) -> ember.Tensor:
        return AF.preemphasis(waveform, coeff=self.coeff)


class Deemphasis(nn.Module):
    r"""De-emphasize a waveform: ``y[i] = x[i] + coeff * y[i - 1]``.

    Args:
        coeff: the de-emphasis coefficient. Default: 0.97.

    Example:
        >>> import ember
        >>> from ember_audio import transforms as T
        >>> T.Deemphasis(0.5)(ember.tensor([0.5, 0.25]))
        tensor([0.5000, 0.5000])
    """

    def __init__(self, coeff: float = 0.97) -> None:
        super().__init__()
        self.coeff = coeff

    def forward(self, waveform: ember.Tensor) -> ember.Tensor:
        return AF.deemphasis(waveform, coeff=self.coeff)
