"""True convolution of signals along their last dimension, directly or through the FFT."""

from __future__ import annotations

import ember
import ember.nn.functional as F

from ._checks import check_tensor

__all__ = ["fftconvolve", "convolve"]

_MODES = ("full", "valid", "same")


def _check_mode(mode: str) -> None:
    if mode not in _MODES:
        raise ValueError(f"Unrecognized mode value {mode!r}. Please specify one of {list(_MODES)}.")


def _check_shapes(op: str, x, y) -> None:
    check_tensor(op, "x", x)
    check_tensor(op, "y", y)
    if x.dim() != y.dim():
        raise ValueError(
            f"{op}(): the operands must have the same number of dimensions, got {x.dim()} "
            f"({list(x.shape)}) and {y.dim()} ({list(y.shape)})"
        )
    for xi, yi in zip(x.shape[:-1], y.shape[:-1], strict=True):
        if xi != yi and xi != 1 and yi != 1:
            raise ValueError(
                f"{op}(): leading dimensions of x and y are not broadcastable, got "
                f"{list(x.shape)} and {list(y.shape)}"
            )


def _apply_mode(result, x_length: int, y_length: int, mode: str):
    if mode == "full":
        return result
    if mode == "valid":
        target = max(x_length, y_length) - min(x_length, y_length) + 1
    else:
        target = x_length
    start = (result.shape[-1] - target) // 2
    return result[..., start : start + target]


def fftconvolve(x: ember.Tensor, y: ember.Tensor, mode: str = "full") -> ember.Tensor:
    r"""Convolve ``x`` and ``y`` along their last dimension with FFTs (faster than
    :func:`convolve` for long inputs). This is the true convolution (``conv1d`` computes a
    cross-correlation).

    Args:
        x: the first operand ``(..., N)``.
        y: the second operand ``(..., M)``; leading dimensions broadcast with ``x``'s.
        mode: ``"full"`` (``N + M - 1`` samples, default), ``"valid"``
            (``max(N, M) - min(N, M) + 1``, where the inputs overlap fully) or ``"same"``
            (the centre ``N`` samples).

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> y = AF.fftconvolve(ember.tensor([1.0, 2.0, 3.0]), ember.tensor([0.0, 1.0, 0.5]))
        >>> bool((y - ember.tensor([0.0, 1.0, 2.5, 4.0, 1.5])).abs().max() < 1e-5)
        True
    """
    _check_shapes("fftconvolve", x, y)
    _check_mode(mode)
    n = x.shape[-1] + y.shape[-1] - 1
    spectrum = ember.fft.rfft(x, n=n) * ember.fft.rfft(y, n=n)
    result = ember.fft.irfft(spectrum, n=n)
    return _apply_mode(result, x.shape[-1], y.shape[-1], mode)


def convolve(x: ember.Tensor, y: ember.Tensor, mode: str = "full") -> ember.Tensor:
    r"""Convolve ``x`` and ``y`` along their last dimension directly (one grouped
    ``conv1d``). Same arguments and result as :func:`fftconvolve`.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.convolve(ember.tensor([1.0, 2.0, 3.0]), ember.tensor([0.0, 1.0, 0.5]), "same")
        tensor([1.0000, 2.5000, 4.0000])
    """
    _check_shapes("convolve", x, y)
    _check_mode(mode)
    x_length, y_length = x.shape[-1], y.shape[-1]
    if x_length < y_length:
        x, y = y, x
    if tuple(x.shape[:-1]) != tuple(y.shape[:-1]):
        lead = [max(i, j) for i, j in zip(x.shape[:-1], y.shape[:-1], strict=True)]
        x = x.broadcast_to((*lead, x.shape[-1]))
        y = y.broadcast_to((*lead, y.shape[-1]))
    lead = tuple(x.shape[:-1])
    signals = 1
    for size in lead:
        signals *= size
    flat_x = x.reshape(1, signals, x.shape[-1])
    flat_y = y.reshape(signals, 1, y.shape[-1]).flip(-1)
    out = F.conv1d(flat_x, flat_y, groups=signals, padding=y.shape[-1] - 1)
    return _apply_mode(out.reshape(*lead, -1), x_length, y_length, mode)
