"""``lfilter``: IIR filtering by the difference equation, differentiable in the signal and in
both coefficient vectors.

Note [Differentiable lfilter]
    ``a0 y[n] = sum_k b_k x[n - k] - sum_{k>=1} a_k y[n - k]`` is split into an FIR part,
    ``u = conv(x, b) / a0`` (a grouped ``conv1d``, differentiable as usual), and an all-pole
    recursion ``y[n] = u[n] - sum_{k>=1} alpha_k y[n - k]`` with ``alpha = a[1:] / a0``. Only
    the recursion runs on raw arrays (SciPy's / CuPy's ``lfilter`` where importable, else a
    loop over time vectorised over the batch), inside an ``autograd.Function`` whose backward
    is the same recursion run on the time-reversed output gradient:
    ``g_u = flip(allpole(flip(g_y), alpha))``, and ``dL/dalpha_k = -sum_n g_u[n] y[n - k]``.
    The backward is written with Tensors and calls the Function again, so it can itself be
    differentiated (``create_graph=True``).
"""

from __future__ import annotations

import ember
import ember.nn.functional as F
from ember._tensor import _wrap
from ember.backends import array_module_of

from ._checks import check_floating, check_tensor

__all__ = ["lfilter"]


def _all_pole_loop(xp, u, alpha):
    """``y[n] = u[n] - sum_k alpha[:, k - 1] y[n - k]`` for ``u (B, C, T)``, ``alpha (C, p)``."""
    batch, channels, length = u.shape
    order = alpha.shape[1]
    out = xp.zeros((batch, channels, length + order), dtype=u.dtype)
    alpha_flipped = alpha[:, ::-1]
    for n in range(length):
        out[:, :, n + order] = u[:, :, n] - (out[:, :, n : n + order] * alpha_flipped).sum(-1)
    return out[:, :, order:]


def _signal_lfilter(xp):
    """SciPy's (NumPy arrays) or CuPy's (CuPy arrays) ``lfilter``, or None."""
    try:
        if xp.__name__ == "numpy":
            from scipy.signal import lfilter
        else:
            from cupyx.scipy.signal import lfilter
    except ImportError:
        return None
    return lfilter


def _all_pole_array(u, alpha):
    """The all-pole recursion on arrays (see Note [Differentiable lfilter])."""
    xp = array_module_of(u)
    alpha = alpha.astype(u.dtype, copy=False)
    if alpha.shape[1] == 0:
        return u.copy()
    lfilter = _signal_lfilter(xp)
    if lfilter is None:
        return _all_pole_loop(xp, u, alpha)
    out = xp.empty_like(u)
    one = xp.ones(1, dtype=u.dtype)
    for c in range(u.shape[1]):
        denominator = xp.concatenate([one, alpha[c]])
        out[:, c, :] = lfilter(one, denominator, u[:, c, :], axis=-1)
    return out


class _AllPole(ember.autograd.Function):
    """``y = allpole(u, alpha)`` for ``u (B, C, T)`` and ``alpha (C, p)``."""

    @staticmethod
    def forward(ctx, u, alpha):
        y = _wrap(_all_pole_array(u._data, alpha._data))
        ctx.save_for_backward(alpha, y)
        return y

    @staticmethod
    def backward(ctx, grad):
        alpha, y = ctx.saved_tensors
        grad_u = _AllPole.apply(grad.flip(-1), alpha).flip(-1)
        grad_alpha = None
        if ctx.needs_input_grad[1]:
            length = y.shape[-1]
            columns = [
                -(grad_u[..., k:] * y[..., : length - k]).sum(dim=(0, 2))
                for k in range(1, alpha.shape[1] + 1)
            ]
            grad_alpha = ember.stack(columns, dim=-1)
        return grad_u, grad_alpha


def _filter_core(waveform, a_coeffs, b_coeffs):
    """Filter ``waveform (B, C, T)`` with coefficients ``(C, order + 1)``."""
    channels = waveform.shape[1]
    order = a_coeffs.shape[1] - 1
    padded = F.pad(waveform, (order, 0))
    fir = F.conv1d(padded, b_coeffs.flip(1).unsqueeze(1), groups=channels)
    a0 = a_coeffs[:, :1]
    return _AllPole.apply(fir / a0, a_coeffs[:, 1:] / a0)


def lfilter(
    waveform: ember.Tensor,
    a_coeffs: ember.Tensor,
    b_coeffs: ember.Tensor,
    clamp: bool = True,
    batching: bool = True,
) -> ember.Tensor:
    r"""Filter a waveform with an IIR filter by its difference equation,
    ``a_0 y[n] = sum_{k=0}^{N} b_k x[n - k] - sum_{k=1}^{N} a_k y[n - k]``, zero initial
    conditions (as ``scipy.signal.lfilter(b, a, x)``). Differentiable in the waveform and in
    both coefficient tensors (see Note [Differentiable lfilter]).

    Args:
        waveform: audio of shape ``(..., time)``.
        a_coeffs: denominator coefficients ``[a0, a1, ...]``, shape ``(N + 1,)`` or
            ``(num_filters, N + 1)``.
        b_coeffs: numerator coefficients ``[b0, b1, ...]``, the same shape as ``a_coeffs``
            (pad the shorter one with zeros).
        clamp: clamp the output to ``[-1, 1]``. Default: True.
        batching: with 2D coefficients, True filters ``waveform[..., i, :]`` with filter
            ``i`` (``waveform.shape[-2] == num_filters``); False applies every filter to the
            whole waveform, adding a ``num_filters`` dimension before time. Default: True.

    Returns:
        Tensor of shape ``(..., time)``, or ``(..., num_filters, time)`` for 2D coefficients
        with ``batching=False``.

    Example:
        >>> import ember
        >>> from ember_audio import functional as AF
        >>> x = ember.tensor([1.0, 0.0, 0.0, 0.0])
        >>> AF.lfilter(x, ember.tensor([1.0, -0.5]), ember.tensor([1.0, 0.0]))
        tensor([1.0000, 0.5000, 0.2500, 0.1250])
    """
    check_floating("lfilter", "waveform", waveform)
    check_tensor("lfilter", "a_coeffs", a_coeffs)
    check_tensor("lfilter", "b_coeffs", b_coeffs)
    if tuple(a_coeffs.shape) != tuple(b_coeffs.shape):
        raise ValueError(
            "lfilter(): expected a_coeffs and b_coeffs of the same shape, but got a_coeffs "
            f"{list(a_coeffs.shape)} and b_coeffs {list(b_coeffs.shape)} (pad with zeros)"
        )
    if a_coeffs.dim() not in (1, 2) or a_coeffs.shape[-1] == 0:
        raise ValueError(
            "lfilter(): expected coefficients of shape (order + 1,) or (num_filters, order + 1), "
            f"but got {list(a_coeffs.shape)}"
        )
    if waveform.dim() == 0:
        raise ValueError("lfilter(): expected a waveform of shape (..., time), got a scalar")
    a_coeffs = a_coeffs.to(dtype=waveform.dtype, device=waveform.device)
    b_coeffs = b_coeffs.to(dtype=waveform.dtype, device=waveform.device)
    if a_coeffs.dim() == 2:
        if batching:
            if waveform.dim() < 2 or waveform.shape[-2] != a_coeffs.shape[0]:
                raise ValueError(
                    f"lfilter(): with {a_coeffs.shape[0]} filters and batching=True, expected a "
                    f"waveform of shape (..., {a_coeffs.shape[0]}, time), but got "
                    f"{list(waveform.shape)}"
                )
        else:
            waveform = ember.stack([waveform] * a_coeffs.shape[0], dim=-2)
    else:
        a_coeffs = a_coeffs.unsqueeze(0)
        b_coeffs = b_coeffs.unsqueeze(0)
    shape = tuple(waveform.shape)
    output = _filter_core(waveform.reshape(-1, a_coeffs.shape[0], shape[-1]), a_coeffs, b_coeffs)
    if clamp:
        output = ember.clamp(output, min=-1.0, max=1.0)
    return output.reshape(shape)
