"""Mixing noise into a signal at a given signal-to-noise ratio."""

from __future__ import annotations

import ember

from ._checks import check_tensor

__all__ = ["add_noise"]


def add_noise(
    waveform: ember.Tensor,
    noise: ember.Tensor,
    snr: ember.Tensor,
    lengths: ember.Tensor | None = None,
) -> ember.Tensor:
    r"""Scale ``noise`` to a signal-to-noise ratio and add it: ``y = x + a n`` with

    .. math::
        a = \sqrt{\frac{\|x\|_2^2}{\|n\|_2^2} \cdot 10^{-\text{SNR} / 10}}

    (energies over the first ``lengths`` samples when given). Singleton leading dimensions
    broadcast.

    Args:
        waveform: the signal ``(..., L)``.
        noise: the noise ``(..., L)``.
        snr: the signal-to-noise ratios in dB, shape ``(...)``.
        lengths: the valid lengths of the signals, shape ``(...)``, or None (all valid).

    Returns:
        Tensor of shape ``(..., L)``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> x, n = ember.ones(2, 100), ember.randn(2, 100)
        >>> y = AF.add_noise(x, n, ember.tensor([10.0, 20.0]))
        >>> y.shape
        ember.Size([2, 100])
    """
    for name, value in (("waveform", waveform), ("noise", noise), ("snr", snr)):
        check_tensor("add_noise", name, value)
    if lengths is not None:
        check_tensor("add_noise", "lengths", lengths)
    if not (
        waveform.dim() - 1 == noise.dim() - 1 == snr.dim()
        and (lengths is None or lengths.dim() == snr.dim())
    ):
        raise ValueError(
            "add_noise(): input leading dimensions don't match: waveform "
            f"{list(waveform.shape)}, noise {list(noise.shape)}, snr {list(snr.shape)}"
            + ("" if lengths is None else f", lengths {list(lengths.shape)}")
        )
    length = waveform.shape[-1]
    if length != noise.shape[-1]:
        raise ValueError(
            "add_noise(): length dimensions of waveform and noise don't match "
            f"(got {length} and {noise.shape[-1]})"
        )
    if lengths is not None:
        positions = ember.arange(0, length, device=waveform.device)
        mask = (positions < lengths.unsqueeze(-1)).to(waveform.dtype)
        masked_waveform = waveform * mask
        masked_noise = noise * mask
    else:
        masked_waveform, masked_noise = waveform, noise
    energy_signal = (masked_waveform * masked_waveform).sum(-1)
    energy_noise = (masked_noise * masked_noise).sum(-1)
    original_snr_db = 10 * (ember.log10(energy_signal) - ember.log10(energy_noise))
    scale = 10 ** ((original_snr_db - snr) / 20.0)
    return waveform + scale.unsqueeze(-1) * noise
