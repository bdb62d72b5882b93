"""Spectral ops: window functions and the short-time Fourier transform (``stft``/``istft``).

The windows are creation functions (computed in float64 with NumPy, then cast). ``stft`` and
``istft`` are compositions of differentiable ops (padding by indexing, ``unfold`` into
frames, the window product, ``ember.fft.rfft``/``irfft``, overlap-add by a scatter-add), so
they are differentiable in the signal and in the window, and serve ``create_graph=True``.

Example:
    >>> import ember
    >>> x = ember.arange(8.0)
    >>> spec = ember.stft(x, 4, window=ember.hann_window(4), return_complex=True)
    >>> spec.shape
    ember.Size([3, 9])
    >>> ember.istft(spec, 4, window=ember.hann_window(4), length=8)
    tensor([0., 1., 2., 3., 4., 5., 6., 7.])
"""

from __future__ import annotations

import math
import warnings

from .._creation import _move
from ._core import D, Tensor, method, new_tensor, np, xp_of

__all__ = [
    "hann_window",
    "hamming_window",
    "blackman_window",
    "bartlett_window",
    "kaiser_window",
    "stft",
    "istft",
]

# -- windows ---------------------------------------------------------------------------------


def _window(op, window_length, periodic, dtype, device, requires_grad, formula) -> Tensor:
    """A window of ``window_length`` samples from ``formula(k, m)`` (``k = 0 .. m``, the
    symmetric window of ``m + 1`` samples); a periodic window is the symmetric one of
    ``window_length + 1`` samples without its last sample."""
    if window_length < 0:
        raise RuntimeError(
            f"{op} requires non-negative window_length, got window_length={window_length}"
        )
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not dt.is_floating_point:
        raise RuntimeError(f"{op} expects floating point dtypes, got: {dt}")
    if window_length <= 1:
        arr = np.ones(window_length, dtype=np.float64)
    else:
        n = window_length + 1 if periodic else window_length
        arr = formula(np.arange(n, dtype=np.float64), n - 1)[:window_length]
    t = new_tensor(_move(arr.astype(dt.np), device))
    if requires_grad:
        t.requires_grad_(True)
    return t


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Hann window ``0.5 - 0.5 cos(2 pi k / (N - 1))``.

    Args:
        window_length: the number of samples.
        periodic: True (default) gives a window for spectral analysis (the symmetric window
            of ``window_length + 1`` samples, last one dropped); False the symmetric window.
        dtype: a floating dtype (default: the default dtype).

    Example:
        >>> import ember
        >>> ember.hann_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    return _window(
        "hann_window",
        window_length,
        periodic,
        dtype,
        device,
        requires_grad,
        lambda k, m: 0.5 - 0.5 * np.cos(2 * math.pi * k / m),
    )


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Hamming window ``alpha - beta cos(2 pi k / (N - 1))``.

    Example:
        >>> import ember
        >>> ember.hamming_window(4)
        tensor([0.0800, 0.5400, 1.0000, 0.5400])
    """
    return _window(
        "hamming_window",
        window_length,
        periodic,
        dtype,
        device,
        requires_grad,
        lambda k, m: alpha - beta * np.cos(2 * math.pi * k / m),
    )


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Blackman window ``0.42 - 0.5 cos(2 pi k / (N - 1)) + 0.08 cos(4 pi k / (N - 1))``.

    Example:
        >>> import ember
        >>> ember.blackman_window(4)[1:]
        tensor([0.3400, 1.0000, 0.3400])
    """
    return _window(
        "blackman_window",
        window_length,
        periodic,
        dtype,
        device,
        requires_grad,
        lambda k, m: 0.42 - 0.5 * np.cos(2 * math.pi * k / m) + 0.08 * np.cos(4 * math.pi * k / m),
    )


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Bartlett (triangular) window ``1 - |2k / (N - 1) - 1|``.

    Example:
        >>> import ember
        >>> ember.bartlett_window(4)
        tensor([0.0000, 0.5000, 1.0000, 0.5000])
    """
    return _window(
        "bartlett_window",
        window_length,
        periodic,
        dtype,
        device,
        requires_grad,
        lambda k, m: 1.0 - np.abs(2.0 * k / m - 1.0),
    )


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The Kaiser window ``I0(beta sqrt(1 - (2k / (N - 1) - 1)^2)) / I0(beta)``, with ``I0``
    the modified Bessel function of the first kind of order zero.

    Example:
        >>> import ember
        >>> ember.kaiser_window(4, beta=2.0)
        tensor([0.4387, 0.8348, 1.0000, 0.8348])
    """
    return _window(
        "kaiser_window",
        window_length,
        periodic,
        dtype,
        device,
        requires_grad,
        lambda k, m: (
            np.i0(beta * np.sqrt(np.clip(1.0 - (2.0 * k / m - 1.0) ** 2, 0.0, None))) / np.i0(beta)
        ),
    )


# -- stft / istft ----------------------------------------------------------------------------


def _pad_signal(x: Tensor, pad: int, mode: str) -> Tensor:
    """Pad the last dim of ``x`` by ``pad`` samples on both sides (differentiably)."""
    length = x._data.shape[-1]
    if mode == "constant":
        from ..fft._transforms import pad_zeros

        return pad_zeros(x, ((0, 0),) * (x._data.ndim - 1) + ((pad, pad),))
    k = np.arange(-pad, length + pad)
    if mode == "reflect":
        if pad >= length:
            raise RuntimeError(
                f"stft: reflect padding by n_fft // 2 = {pad} needs a signal longer than {pad} "
                f"samples, got {length} (use center=False or another pad_mode)"
            )
        k = np.abs(k)
        idx = np.where(k > length - 1, 2 * (length - 1) - k, k)
    elif mode == "replicate":
        idx = np.clip(k, 0, length - 1)
    elif mode == "circular":
        if pad > length:
            raise RuntimeError(
                f"stft: circular padding by {pad} needs a signal of at least {pad} samples, "
                f"got {length}"
            )
        idx = k % length
    else:
        raise ValueError(
            f"stft: unrecognised pad_mode {mode!r}; expected 'constant', 'reflect', 'replicate' "
            "or 'circular'"
        )
    return x[..., idx]


def _rectangular(n: int, like: Tensor) -> Tensor:
    """A window of ones in the real dtype of ``like``, on its device."""
    data = like._data
    return new_tensor(xp_of(like).ones(n, dtype=data.real.dtype))


def _padded_window(window, n_fft: int, win_length: int, op: str, like: Tensor):
    """The window (``None``: rectangular) zero-padded on both sides to ``n_fft`` samples."""
    if window is None:
        if win_length == n_fft:
            return None
        window = _rectangular(win_length, like)
    if not isinstance(window, Tensor):
        raise TypeError(f"{op}(): argument 'window' must be Tensor, not {type(window).__name__}")
    if window._data.ndim != 1 or window._data.shape[0] != win_length:
        raise RuntimeError(
            f"{op}: expected a 1D window tensor of size equal to win_length={win_length}, but got "
            f"window with size {list(window._data.shape)}"
        )
    if win_length == n_fft:
        return window
    from ..fft._transforms import pad_zeros

    left = (n_fft - win_length) // 2
    return pad_zeros(window, ((left, n_fft - win_length - left),))


def _frame_args(op, n_fft, hop_length, win_length):
    hop = n_fft // 4 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if n_fft <= 0:
        raise RuntimeError(f"{op}: expected n_fft > 0, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(f"{op}: expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise RuntimeError(f"{op}: expected 0 < win_length <= n_fft, but got win_length={win}")
    return hop, win


@method()
def stft(
    input: Tensor,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    pad_mode: str = "reflect",
    normalized: bool = False,
    onesided: bool | None = None,
    return_complex: bool | None = None,
) -> Tensor:
    """The short-time Fourier transform: FFTs of windowed, overlapping frames of the signal.

    Args:
        input: a 1D signal ``(L,)`` or a batch ``(B, L)``, real or complex.
        n_fft: the FFT size (the frame length).
        hop_length: the distance between frames (default ``n_fft // 4``).
        win_length: the window size (default ``n_fft``); the window is zero-padded on both
            sides to ``n_fft``.
        window: a 1D tensor of ``win_length`` samples (default: rectangular, with a warning).
        center: pad the signal by ``n_fft // 2`` on both sides so that frame ``t`` is centred
            at sample ``t * hop_length``.
        pad_mode: ``"reflect"`` (default), ``"constant"``, ``"replicate"`` or ``"circular"``.
        normalized: scale by ``n_fft ** -0.5`` (an orthonormal FFT).
        onesided: keep only the ``n_fft // 2 + 1`` non-negative frequencies (default: True for
            real signals and windows).
        return_complex: required for real inputs, as in PyTorch; True returns a complex tensor,
            False (deprecated) the real view ``(..., 2)``.

    Returns:
        ``(n_freq, n_frames)``, or ``(B, n_freq, n_frames)`` for a batch, with ``n_frames =
        1 + (L' - n_fft) // hop_length`` (``L'``: the padded length).

    Example:
        >>> import ember
        >>> ember.stft(ember.ones(8), 4, hop_length=2, window=ember.ones(4), center=False,
        ...            return_complex=True)
        tensor([[4.+0.j, 4.+0.j, 4.+0.j],
                [0.+0.j, 0.+0.j, 0.+0.j],
                [0.+0.j, 0.+0.j, 0.+0.j]])
    """
    from .. import fft

    if not isinstance(input, Tensor):
        raise TypeError(f"stft(): argument 'input' must be Tensor, not {type(input).__name__}")
    data = input._data
    if data.dtype.kind not in "fc":
        raise RuntimeError(
            f"stft: expected a tensor of floating point or complex values, got {input.dtype}"
        )
    complex_fft = data.dtype.kind == "c" or (
        isinstance(window, Tensor) and window._data.dtype.kind == "c"
    )
    if return_complex is None:
        if not complex_fft:
            raise RuntimeError(
                "stft requires the return_complex parameter be given for real inputs, and will "
                "further require that return_complex=True in a future PyTorch release."
            )
        return_complex = True
    if data.ndim not in (1, 2):
        raise RuntimeError(f"stft: expected a 1D or 2D tensor, but got shape {list(data.shape)}")
    hop, win = _frame_args("stft", n_fft, hop_length, win_length)
    if window is None:
        warnings.warn(
            "stft: a window was not provided, so a rectangular window is applied, which causes "
            "spectral leakage; pass e.g. window=ember.hann_window(n_fft) (or ember.ones(n_fft) "
            "to keep the rectangular window without this warning).",
            UserWarning,
            stacklevel=2,
        )
    x = input if data.ndim == 2 else input.reshape(1, data.shape[0])
    if center:
        x = _pad_signal(x, n_fft // 2, pad_mode)
    length = x._data.shape[-1]
    if n_fft > length:
        raise RuntimeError(
            f"stft: expected 0 < n_fft <= {length} (the padded signal length), "
            f"but got n_fft={n_fft}"
        )
    w = _padded_window(window, n_fft, win, "stft", x)
    frames = x.unfold(-1, n_fft, hop)  # (B, n_frames, n_fft)
    if w is not None:
        frames = frames * w
    if onesided is None:
        onesided = not complex_fft
    elif onesided and complex_fft:
        raise RuntimeError("stft: cannot have onesided output if window or input is complex")
    norm = "ortho" if normalized else "backward"
    spec = fft.rfft(frames, dim=-1, norm=norm) if onesided else fft.fft(frames, dim=-1, norm=norm)
    spec = spec.transpose(1, 2)
    if data.ndim == 1:
        spec = spec[0]
    if return_complex:
        return spec
    warnings.warn(
        "stft with return_complex=False is deprecated (as in PyTorch); use return_complex=True "
        "and ember.view_as_real on the result to get the old format.",
        UserWarning,
        stacklevel=2,
    )
    from .. import view_as_real

    return view_as_real(spec)


def _overlap_add(frames: Tensor, hop: int, length: int) -> Tensor:
    """Sum frames ``(..., n_frames, n_fft)`` into a signal ``(..., length)``, frame ``t``
    starting at ``t * hop`` (the adjoint of ``unfold``)."""
    from .indexing import index_add_zeros

    shape = frames._data.shape
    n_frames, n_fft = shape[-2], shape[-1]
    idx = (np.arange(n_frames)[:, None] * hop + np.arange(n_fft)[None, :]).reshape(-1)
    lead = shape[:-2]
    flat = frames.reshape(*lead, n_frames * n_fft)
    return index_add_zeros((*lead, length), (Ellipsis, idx), flat)


@method()
def istft(
    input: Tensor,
    n_fft: int,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Tensor | None = None,
    center: bool = True,
    normalized: bool = False,
    onesided: bool | None = None,
    length: int | None = None,
    return_complex: bool = False,
) -> Tensor:
    """The inverse short-time Fourier transform: inverse FFTs of the frames, windowed again and
    overlap-added, divided by the overlap-added squared window (the least-squares inverse of
    :func:`stft` with the same arguments).

    Args:
        input: a complex spectrogram ``(n_freq, n_frames)`` or ``(B, n_freq, n_frames)``.
        n_fft, hop_length, win_length, window, center, normalized: as given to :func:`stft`.
        onesided: whether ``input`` holds only the non-negative frequencies (default: when
            ``n_freq != n_fft``).
        length: the length of the signal to return (trimmed, or zero-padded at the end).
        return_complex: return a complex signal (then the input must be two-sided).

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        >>> w = ember.hann_window(4)
        >>> ember.istft(ember.stft(x, 4, 1, window=w, return_complex=True), 4, 1, window=w)
        tensor([1., 2., 3., 4., 5., 6.])
    """
    from .. import fft

    if not isinstance(input, Tensor):
        raise TypeError(f"istft(): argument 'input' must be Tensor, not {type(input).__name__}")
    data = input._data
    if data.dtype.kind != "c":
        raise RuntimeError(
            "istft requires a complex-valued input tensor matching the output from stft with "
            "return_complex=True."
        )
    if data.ndim not in (2, 3):
        raise RuntimeError(
            "istft: expected a 2D (n_freq, n_frames) or 3D (batch, n_freq, n_frames) tensor, but "
            f"got shape {list(data.shape)}"
        )
    hop, win = _frame_args("istft", n_fft, hop_length, win_length)
    n_freq, n_frames = data.shape[-2], data.shape[-1]
    if onesided is None:
        onesided = n_freq != n_fft
    if onesided and n_freq != n_fft // 2 + 1:
        raise RuntimeError(
            "istft: expected the frequency dimension (3rd to the last) of the input tensor to "
            f"match n_fft / 2 + 1 when onesided=True, but got {n_freq}"
        )
    if not onesided and n_freq != n_fft:
        raise RuntimeError(
            "istft: expected the frequency dimension (3rd to the last) of the input tensor to "
            f"match n_fft when onesided=False, but got {n_freq}"
        )
    if window is None:
        warnings.warn(
            "istft: a window was not provided, so a rectangular window is applied; pass the window "
            "used by stft to make the inversion lossless.",
            UserWarning,
            stacklevel=2,
        )
    w = _padded_window(window, n_fft, win, "istft", input)
    if w is None:
        w = _rectangular(n_fft, input)
    norm = "ortho" if normalized else "backward"
    x = input if data.ndim == 3 else input.reshape(1, n_freq, n_frames)
    spec = x.transpose(1, 2)  # (B, n_frames, n_freq)
    if return_complex:
        if onesided:
            raise RuntimeError("istft: cannot have onesided output if window or input is complex")
        frames = fft.ifft(spec, n_fft, dim=-1, norm=norm)
    else:
        if w._data.dtype.kind == "c":
            raise RuntimeError("istft: complex windows are incompatible with return_complex=False")
        if not onesided:
            spec = spec[..., : n_fft // 2 + 1]
        frames = fft.irfft(spec, n_fft, dim=-1, norm=norm)
    frames = frames * w
    expected = n_fft + hop * (n_frames - 1)
    y = _overlap_add(frames, hop, expected)
    wsq = w * w
    envelope = _overlap_add(wsq.expand(n_frames, n_fft), hop, expected)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = expected - n_fft // 2 if center else expected
    y = y[:, start:end]
    envelope = envelope[start:end]
    env = envelope._data
    if env.size and float(abs(env).min()) < 1e-11:
        raise RuntimeError(
            f"istft: window overlap-add envelope is below 1e-11 (min {float(abs(env).min()):.3g}), "
            "so the signal cannot be recovered; use a window and hop_length whose squared windows "
            "overlap everywhere (the NOLA condition)"
        )
    y = y / envelope
    if end > expected:
        warnings.warn(
            "istft: the length of signal is shorter than the length parameter; the result is "
            "padded with zeros in the tail. Check your center and hop_length settings.",
            UserWarning,
            stacklevel=2,
        )
        from ..fft._transforms import pad_zeros

        y = pad_zeros(y, ((0, 0), (0, end - expected)))
    return y[0] if data.ndim == 2 else y
