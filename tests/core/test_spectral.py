"""Window functions, stft and istft: against NumPy references, round trips, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import ember

# -- windows ------------------------------------------------------------------------------------


def _sym(formula, n):
    if n == 1:
        return np.ones(1)
    return formula(n)


WINDOWS = {
    "hann_window": (lambda n: np.hanning(n), {}),
    "hamming_window": (lambda n: np.hamming(n), {}),
    "blackman_window": (lambda n: np.blackman(n), {}),
    "bartlett_window": (lambda n: np.bartlett(n), {}),
    "kaiser_window": (lambda n: np.kaiser(n, 12.0), {}),
}


@pytest.mark.parametrize("name", sorted(WINDOWS))
@pytest.mark.parametrize("length", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match_numpy(name, length, periodic):
    formula = WINDOWS[name][0]
    if length == 0:
        expected = np.zeros(0)
    elif length == 1:
        expected = np.ones(1)
    elif periodic:
        expected = formula(length + 1)[:-1]
    else:
        expected = formula(length)
    w = getattr(ember, name)(length, periodic, dtype=ember.float64)
    assert w.dtype == ember.float64 and w.shape == (length,)
    np.testing.assert_allclose(w.numpy(), expected, atol=1e-12)


def test_window_parameters_and_options():
    np.testing.assert_allclose(
        ember.hamming_window(6, False, alpha=0.5, beta=0.5, dtype=ember.float64).numpy(),
        np.hanning(6),
        atol=1e-12,
    )
    np.testing.assert_allclose(
        ember.kaiser_window(7, periodic=False, beta=3.5, dtype=ember.float64).numpy(),
        np.kaiser(7, 3.5),
        atol=1e-12,
    )
    w = ember.hann_window(6)
    assert w.dtype == ember.float32 and not w.requires_grad
    w = ember.blackman_window(6, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    assert ember.bartlett_window(4, device="cpu").device == ember.device("cpu")


def test_window_errors():
    with pytest.raises(
        RuntimeError, match="hann_window requires non-negative window_length, got window_length=-1"
    ):
        ember.hann_window(-1)
    with pytest.raises(RuntimeError, match="kaiser_window expects floating point dtypes"):
        ember.kaiser_window(4, dtype=ember.int64)


# -- a NumPy stft ---------------------------------------------------------------------------


_NP_PAD = {"reflect": "reflect", "constant": "constant", "replicate": "edge", "circular": "wrap"}


def np_stft(
    x,
    n_fft,
    hop,
    win_length,
    window,
    center=True,
    pad_mode="reflect",
    normalized=False,
    onesided=True,
):
    if center:
        pad = [(0, 0)] * (x.ndim - 1) + [(n_fft // 2, n_fft // 2)]
        x = np.pad(x, pad, mode=_NP_PAD[pad_mode])
    w = np.zeros(n_fft, dtype=np.result_type(window.dtype, np.float64))
    left = (n_fft - win_length) // 2
    w[left : left + win_length] = window
    n_frames = 1 + (x.shape[-1] - n_fft) // hop
    frames = np.stack([x[..., t * hop : t * hop + n_fft] * w for t in range(n_frames)], axis=-2)
    spec = np.fft.rfft(frames) if onesided else np.fft.fft(frames)
    if normalized:
        spec = spec / np.sqrt(n_fft)
    return np.swapaxes(spec, -1, -2)


STFT_CASES = [
    dict(n_fft=8),
    dict(n_fft=8, hop_length=3),
    dict(n_fft=8, win_length=5),
    dict(n_fft=8, win_length=6, hop_length=2, center=False),
    dict(n_fft=7, hop_length=2, normalized=True),
    dict(n_fft=8, pad_mode="constant"),
    dict(n_fft=8, pad_mode="replicate"),
    dict(n_fft=8, pad_mode="circular"),
    dict(n_fft=8, onesided=False),
]


@pytest.mark.parametrize(
    "cfg", STFT_CASES, ids=lambda c: ",".join(f"{k}={v}" for k, v in c.items())
)
@pytest.mark.parametrize("batch", [False, True])
def test_stft_matches_numpy_reference(cfg, batch):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 21) if batch else (21,))
    n_fft = cfg["n_fft"]
    win_length = cfg.get("win_length", n_fft)
    wa = rng.uniform(0.2, 1.0, win_length)
    got = ember.stft(ember.tensor(a), window=ember.tensor(wa), return_complex=True, **cfg)
    expected = np_stft(
        a,
        n_fft,
        cfg.get("hop_length", n_fft // 4),
        win_length,
        wa,
        cfg.get("center", True),
        cfg.get("pad_mode", "reflect"),
        cfg.get("normalized", False),
        cfg.get("onesided", True),
    )
    assert got.dtype == ember.complex128
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-12)


def test_stft_complex_input_is_two_sided():
    rng = np.random.default_rng(1)
    a = rng.standard_normal(16) + 1j * rng.standard_normal(16)
    w = np.hanning(9)[:-1]
    got = ember.stft(ember.tensor(a), 8, 2, window=ember.tensor(w))
    assert got.shape == (8, 9)
    np.testing.assert_allclose(got.numpy(), np_stft(a, 8, 2, 8, w, onesided=False), atol=1e-12)


def test_stft_dtype_and_method():
    x = ember.tensor(np.random.default_rng(2).standard_normal(32).astype(np.float32))
    spec = x.stft(16, window=ember.hann_window(16), return_complex=True)
    assert spec.dtype == ember.complex64 and spec.shape == (9, 9)
    rect = ember.stft(x, 16, window=ember.ones(16), return_complex=True)
    with pytest.warns(UserWarning, match="window was not provided"):
        no_window = ember.stft(x, 16, return_complex=True)
    np.testing.assert_allclose(no_window.numpy(), rect.numpy())


def test_stft_return_complex_false_is_the_real_view():
    x = ember.tensor(np.random.default_rng(3).standard_normal(20))
    w = ember.hann_window(8, dtype=ember.float64)
    spec = ember.stft(x, 8, window=w, return_complex=True)
    with pytest.warns(UserWarning, match="deprecated"):
        old = ember.stft(x, 8, window=w, return_complex=False)
    assert old.shape == (5, 11, 2) and old.dtype == ember.float64
    np.testing.assert_allclose(old.numpy()[..., 0], spec.numpy().real)
    np.testing.assert_allclose(old.numpy()[..., 1], spec.numpy().imag)


def test_stft_errors():
    x = ember.ones(20)
    w = ember.ones(8)
    with pytest.raises(RuntimeError, match="requires the return_complex parameter"):
        ember.stft(x, 8, window=w)
    with pytest.raises(RuntimeError, match="expected a 1D or 2D tensor"):
        ember.stft(ember.ones(2, 2, 20), 8, window=w, return_complex=True)
    with pytest.raises(RuntimeError, match="n_fft=30"):
        ember.stft(x, 30, window=ember.ones(30), center=False, return_complex=True)
    with pytest.raises(RuntimeError, match="hop_length > 0"):
        ember.stft(x, 8, hop_length=0, window=w, return_complex=True)
    with pytest.raises(RuntimeError, match="win_length <= n_fft"):
        ember.stft(x, 8, win_length=9, return_complex=True)
    with pytest.raises(RuntimeError, match="window tensor of size equal to win_length=8"):
        ember.stft(x, 8, window=ember.ones(5), return_complex=True)
    with pytest.raises(RuntimeError, match="floating point or complex"):
        ember.stft(ember.arange(20), 8, window=w, return_complex=True)
    with pytest.raises(RuntimeError, match="onesided"):
        ember.stft(ember.ones(20, dtype=ember.complex64), 8, window=w, onesided=True)
    with pytest.raises(ValueError, match="pad_mode 'foo'"):
        ember.stft(x, 8, window=w, pad_mode="foo", return_complex=True)
    with pytest.raises(RuntimeError, match="reflect padding"):
        ember.stft(ember.ones(3), 8, window=w, return_complex=True)


# -- istft --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cfg",
    [
        dict(n_fft=8),
        dict(n_fft=8, hop_length=4),
        dict(n_fft=8, hop_length=1, center=False),
        dict(n_fft=7, hop_length=2, normalized=True),
        dict(n_fft=8, win_length=6, hop_length=2),
        dict(n_fft=8, onesided=False),
    ],
    ids=str,
)
@pytest.mark.parametrize("batch", [False, True])
def test_istft_inverts_stft(cfg, batch):
    rng = np.random.default_rng(4)
    a = rng.standard_normal((3, 40) if batch else (40,))
    win_length = cfg.get("win_length", cfg["n_fft"])
    w = ember.hann_window(win_length, dtype=ember.float64) + 0.1
    spec = ember.stft(ember.tensor(a), window=w, return_complex=True, **cfg)
    length = 40 if cfg.get("center", True) else None
    y = ember.istft(spec, window=w, length=length, **cfg)
    assert y.dtype == ember.float64
    if length is None:  # without centring the last samples may not be covered by a frame
        a = a[..., : y.shape[-1]]
    np.testing.assert_allclose(y.numpy(), a, atol=1e-10)


def test_istft_complex_signal_and_length_padding():
    rng = np.random.default_rng(5)
    a = rng.standard_normal(24) + 1j * rng.standard_normal(24)
    w = ember.hann_window(8, dtype=ember.float64)
    spec = ember.stft(ember.tensor(a), 8, 2, window=w)
    y = ember.istft(spec, 8, 2, window=w, return_complex=True)
    assert y.dtype == ember.complex128
    np.testing.assert_allclose(y.numpy(), a, atol=1e-10)
    real = ember.stft(ember.tensor(a.real), 8, 2, window=w, return_complex=True)
    with pytest.warns(UserWarning, match="padded with zeros"):
        z = ember.istft(real, 8, 2, window=w, length=30)
    # the signal, then the reflect padding stft added (28 samples were framed), then zeros
    np.testing.assert_allclose(z.numpy()[:28], np.pad(a.real, 4, mode="reflect")[4:32], atol=1e-10)
    np.testing.assert_array_equal(z.numpy()[28:], 0.0)


def test_istft_errors():
    w = ember.hann_window(8)
    spec = ember.stft(ember.ones(20), 8, window=w, return_complex=True)
    with pytest.raises(RuntimeError, match="complex-valued input"):
        ember.istft(ember.ones(5, 11), 8, window=w)
    with pytest.raises(RuntimeError, match="window overlap-add envelope"):
        ember.istft(spec, 8, window=w, center=False)
    with pytest.raises(RuntimeError, match="match n_fft when onesided=False"):
        ember.istft(spec, 8, window=w, onesided=False)
    with pytest.raises(RuntimeError, match="onesided output"):
        ember.istft(spec, 8, window=w, return_complex=True)
    with pytest.raises(RuntimeError, match=r"2D .* or 3D"):
        ember.istft(spec.reshape(1, 1, 5, 11), 8, window=w)


def test_stft_istft_on_every_device(device):
    a = np.random.default_rng(12).standard_normal(30)
    x = ember.tensor(a, device=device, requires_grad=True)
    w = ember.hann_window(8, dtype=ember.float64, device=device)
    spec = ember.stft(x, 8, 2, window=w, return_complex=True)
    y = ember.istft(spec, 8, 2, window=w, length=30)
    assert spec.device.type == device and y.device.type == device
    np.testing.assert_allclose(y.cpu().detach().numpy(), a, atol=1e-10)
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.cpu().numpy(), 2 * a, atol=1e-9)
    with pytest.warns(UserWarning, match="window was not provided"):
        rect = ember.stft(x, 8, win_length=6, return_complex=True, center=False)
    assert rect.device.type == device


# -- gradients ----------------------------------------------------------------------------------


def _parts(y):
    return y.real, y.imag


@pytest.mark.parametrize(
    "cfg",
    [
        dict(n_fft=6, hop_length=2),
        dict(n_fft=6, hop_length=3, win_length=4, pad_mode="replicate", normalized=True),
        dict(n_fft=5, hop_length=2, center=False, onesided=False),
    ],
    ids=str,
)
def test_stft_gradients(cfg, gradcheck, rand):
    x = rand(2, 14, seed=6)
    w = rand(cfg.get("win_length", cfg["n_fft"]), seed=7, low=0.2, high=1.0)
    gradcheck(
        lambda x, w: _parts(ember.stft(x, window=w, return_complex=True, **cfg)), x, w, atol=1e-6
    )


def test_stft_second_order(gradcheck, rand):
    w = ember.hann_window(6, dtype=ember.float64)
    gradcheck(
        lambda x: (lambda s: s.real * s.imag)(ember.stft(x, 6, 2, window=w, return_complex=True)),
        rand(12, seed=8),
        second_order=True,
    )


@pytest.mark.parametrize(
    "cfg",
    [dict(hop_length=2), dict(hop_length=3, center=False), dict(hop_length=2, length=11)],
    ids=str,
)
def test_istft_gradients(cfg, gradcheck, rand):
    re, im = rand(4, 5, seed=9), rand(4, 5, seed=10)
    w = rand(6, seed=11, low=0.5, high=1.0)
    gradcheck(lambda re, im, w: ember.istft(re + im * 1j, 6, window=w, **cfg), re, im, w, atol=1e-6)
