"""Amplitude scales: decibels, mu-law companding and gain."""

from __future__ import annotations

import math

import ember

from ._checks import check_tensor

__all__ = ["amplitude_to_DB", "DB_to_amplitude", "mu_law_encoding", "mu_law_decoding", "gain"]


def amplitude_to_DB(
    x: ember.Tensor,
    multiplier: float,
    amin: float,
    db_multiplier: float,
    top_db: float | None = None,
) -> ember.Tensor:
    r"""Turn a power or amplitude spectrogram into decibels:
    ``multiplier * log10(max(x, amin)) - multiplier * db_multiplier``, then, with ``top_db``,
    floor each spectrogram at its maximum minus ``top_db``.

    With ``top_db``, the floor is taken per spectrogram: over the last 3 dimensions
    ``(channel, freq, time)`` for inputs of 3 or more dimensions (so 4D inputs get one floor
    per batch item), over the whole input for 2D ``(freq, time)``.

    Args:
        x: the spectrogram(s), ``(freq, time)``, ``(channel, freq, time)`` or
            ``(..., batch, channel, freq, time)``.
        multiplier: 10 for power, 20 for amplitude.
        amin: the value ``x`` is clamped to from below.
        db_multiplier: ``log10(max(ref, amin))``.
        top_db: the dynamic range kept below the maximum, in dB, or None.

    Returns:
        Tensor of the shape of ``x``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.amplitude_to_DB(ember.tensor([[1.0, 10.0, 100.0]]), 10.0, 1e-10, 0.0)
        tensor([[ 0., 10., 20.]])
    """
    check_tensor("amplitude_to_DB", "x", x)
    x_db = multiplier * ember.log10(ember.clamp(x, min=amin))
    x_db = x_db - multiplier * db_multiplier
    if top_db is not None:
        if x_db.dim() < 2:
            raise ValueError(
                "amplitude_to_DB(): top_db needs a spectrogram of at least 2 dimensions "
                f"(freq, time), got shape {list(x.shape)}"
            )
        shape = tuple(x_db.shape)
        channels = shape[-3] if x_db.dim() > 2 else 1
        packed = x_db.reshape(-1, channels, shape[-2], shape[-1])
        floor = (packed.amax(dim=(-3, -2, -1)) - top_db).reshape(-1, 1, 1, 1)
        x_db = ember.maximum(packed, floor).reshape(shape)
    return x_db


def DB_to_amplitude(x: ember.Tensor, ref: float, power: float) -> ember.Tensor:
    r"""Turn decibels back into the power or amplitude scale:
    ``ref * (10 ** (0.1 * x)) ** power``.

    Args:
        x: values in dB.
        ref: the reference the output is scaled by.
        power: 1 to get power, 0.5 to get amplitude.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.DB_to_amplitude(ember.tensor([0.0, 10.0, 20.0]), 1.0, 1.0)
        tensor([  1.,  10., 100.])
    """
    check_tensor("DB_to_amplitude", "x", x)
    return ref * ember.pow(ember.pow(10.0, 0.1 * x), power)


def mu_law_encoding(x: ember.Tensor, quantization_channels: int) -> ember.Tensor:
    r"""Encode a signal in ``[-1, 1]`` with mu-law companding into integers
    ``0 .. quantization_channels - 1``:
    ``sign(x) log(1 + mu |x|) / log(1 + mu)``, ``mu = quantization_channels - 1``, mapped to
    ``[0, mu]`` and rounded.

    Args:
        x: the signal, scaled to ``[-1, 1]``.
        quantization_channels: the number of levels.

    Returns:
        int64 tensor of the shape of ``x``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.mu_law_encoding(ember.tensor([-1.0, 0.0, 1.0]), 256)
        tensor([  0, 128, 255])
    """
    check_tensor("mu_law_encoding", "x", x)
    if quantization_channels < 2:
        raise ValueError(
            f"mu_law_encoding(): quantization_channels must be >= 2, got {quantization_channels}"
        )
    if not x.dtype.is_floating_point:
        x = x.to(ember.get_default_dtype())
    mu = quantization_channels - 1.0
    x_mu = ember.sign(x) * ember.log1p(mu * ember.abs(x)) / math.log1p(mu)
    return ((x_mu + 1) / 2 * mu + 0.5).to(ember.int64)


def mu_law_decoding(x_mu: ember.Tensor, quantization_channels: int) -> ember.Tensor:
    r"""Decode mu-law codes ``0 .. quantization_channels - 1`` back to a signal in
    ``[-1, 1]`` (the inverse of :func:`mu_law_encoding` up to quantization).

    Args:
        x_mu: the codes.
        quantization_channels: the number of levels.

    Returns:
        Floating point tensor of the shape of ``x_mu``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.mu_law_decoding(ember.tensor([0, 255]), 256)
        tensor([-1.,  1.])
    """
    check_tensor("mu_law_decoding", "x_mu", x_mu)
    if quantization_channels < 2:
        raise ValueError(
            f"mu_law_decoding(): quantization_channels must be >= 2, got {quantization_channels}"
        )
    if not x_mu.dtype.is_floating_point:
        x_mu = x_mu.to(ember.get_default_dtype())
    mu = quantization_channels - 1.0
    x = (x_mu / mu) * 2 - 1.0
    return ember.sign(x) * (ember.exp(ember.abs(x) * math.log1p(mu)) - 1.0) / mu


def gain(waveform: ember.Tensor, gain_db: float = 1.0) -> ember.Tensor:
    r"""Amplify (or attenuate) a waveform by ``gain_db`` decibels: ``x * 10 ** (gain_db / 20)``.

    Args:
        waveform: audio of shape ``(..., time)``.
        gain_db: the gain in dB. Default: 1.0.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> AF.gain(ember.tensor([0.1, -0.2]), 20.0)
        tensor([ 1., -2.])
    """
    check_tensor("gain", "waveform", waveform)
    if gain_db == 0:
        return waveform
    return waveform * (10 ** (gain_db / 20))
