"""ember.fft: forward against NumPy's pocketfft, gradients by central differences."""

from __future__ import annotations

import numpy as np
import pytest

import ember

NORMS = [None, "backward", "ortho", "forward"]
_DUAL = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}


def _np_hfftn(a, s=None, axes=None, norm=None):
    return np.fft.irfftn(np.conj(a), s, axes, norm=_DUAL[norm])


def _np_ihfftn(a, s=None, axes=None, norm=None):
    return np.conj(np.fft.rfftn(a, s, axes, norm=_DUAL[norm]))


# name -> (NumPy reference taking (array, s, axes, norm), kind of input, 1-D op)
REFERENCES = {
    "fft": (np.fft.fftn, "any", True),
    "ifft": (np.fft.ifftn, "any", True),
    "rfft": (np.fft.rfftn, "real", True),
    "irfft": (np.fft.irfftn, "any", True),
    "hfft": (_np_hfftn, "any", True),
    "ihfft": (_np_ihfftn, "real", True),
    "fft2": (np.fft.fftn, "any", False),
    "ifft2": (np.fft.ifftn, "any", False),
    "rfft2": (np.fft.rfftn, "real", False),
    "irfft2": (np.fft.irfftn, "any", False),
    "hfft2": (_np_hfftn, "any", False),
    "ihfft2": (_np_ihfftn, "real", False),
    "fftn": (np.fft.fftn, "any", False),
    "ifftn": (np.fft.ifftn, "any", False),
    "rfftn": (np.fft.rfftn, "real", False),
    "irfftn": (np.fft.irfftn, "any", False),
    "hfftn": (_np_hfftn, "any", False),
    "ihfftn": (_np_ihfftn, "real", False),
}
C2R = {"irfft", "irfft2", "irfftn", "hfft", "hfft2", "hfftn"}

# (Ember kwargs, NumPy (s, axes)) for the 1-D ops and for the N-D ops; sizes both pad and crop.
ONE_D = [
    ({}, (None, (-1,))),
    ({"n": 8}, ((8,), (-1,))),
    ({"n": 3, "dim": 0}, ((3,), (0,))),
    ({"n": 7, "dim": -2}, ((7,), (1,))),
]
N_D = {
    "2": [
        ({}, (None, (-2, -1))),
        ({"s": (5, 3)}, ((5, 3), (-2, -1))),
        ({"dim": (2, 0)}, (None, (2, 0))),
    ],
    "n": [
        ({}, (None, None)),
        ({"s": (2, 7)}, ((2, 7), (-2, -1))),
        ({"s": (5, 4), "dim": (0, 2)}, ((5, 4), (0, 2))),
        ({"dim": (1,)}, (None, (1,))),
    ],
}


def _signal(shape, complex_input, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    if complex_input:
        a = a + 1j * rng.standard_normal(shape)
    return a.astype(np.result_type(dtype, a.dtype))


def _configs(name):
    one_d = REFERENCES[name][2]
    if one_d:
        return ONE_D
    return N_D["2"] if name.endswith("2") else N_D["n"]


def _np_expected(name, a, kwargs, np_args, norm):
    ref = REFERENCES[name][0]
    s, axes = np_args
    if axes is None and s is None:
        axes = tuple(range(a.ndim))
    return ref(a, s, axes, norm=norm if norm is not None else "backward")


@pytest.mark.parametrize("name", sorted(REFERENCES))
@pytest.mark.parametrize("norm", NORMS)
def test_forward_matches_numpy(name, norm):
    complex_ok = REFERENCES[name][1] == "any"
    for complex_input in (False, True) if complex_ok else (False,):
        a = _signal((4, 5, 6), complex_input)
        for kwargs, np_args in _configs(name):
            got = getattr(ember.fft, name)(ember.tensor(a), norm=norm, **kwargs)
            expected = _np_expected(name, a, kwargs, np_args, norm)
            assert got.shape == expected.shape, (kwargs, got.shape, expected.shape)
            np.testing.assert_allclose(
                got.numpy(), expected, rtol=1e-10, atol=1e-10, err_msg=str(kwargs)
            )


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_output_dtypes(name):
    c2r = name in C2R
    for real, cplx in ((ember.float32, ember.complex64), (ember.float64, ember.complex128)):
        x = ember.ones(2, 4, dtype=real)
        out = getattr(ember.fft, name)(x)
        assert out.dtype == (real if c2r else cplx)
        if REFERENCES[name][1] == "any":
            assert getattr(ember.fft, name)(ember.ones(2, 4, dtype=cplx)).dtype == (
                real if c2r else cplx
            )


def test_integer_inputs_use_the_default_dtype():
    assert ember.fft.fft(ember.arange(4)).dtype == ember.complex64
    assert ember.fft.rfft(ember.tensor([True, False, True])).dtype == ember.complex64
    assert ember.fft.irfft(ember.arange(4)).dtype == ember.float32
    np.testing.assert_allclose(
        ember.fft.fft(ember.arange(4)).numpy(), np.fft.fft(np.arange(4)), atol=1e-6
    )


def test_norm_modes_scale():
    x = ember.tensor(_signal((8,), False))
    base = ember.fft.fft(x).numpy()
    np.testing.assert_allclose(
        ember.fft.fft(x, norm="ortho").numpy(), base / np.sqrt(8), rtol=1e-12
    )
    np.testing.assert_allclose(ember.fft.fft(x, norm="forward").numpy(), base / 8, rtol=1e-12)
    np.testing.assert_allclose(
        ember.fft.ifft(x, norm="forward").numpy(), np.fft.ifft(x.numpy()) * 8, rtol=1e-12
    )


@pytest.mark.parametrize("norm", NORMS)
def test_round_trips(norm):
    a = _signal((3, 6, 5), False)
    x = ember.tensor(a)
    np.testing.assert_allclose(
        ember.fft.ifft(ember.fft.fft(x, norm=norm), norm=norm).numpy(), a, atol=1e-12
    )
    np.testing.assert_allclose(
        ember.fft.irfft(ember.fft.rfft(x, norm=norm), n=5, norm=norm).numpy(), a, atol=1e-12
    )
    np.testing.assert_allclose(
        ember.fft.irfftn(ember.fft.rfftn(x, norm=norm), s=(3, 6, 5), norm=norm).numpy(),
        a,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        ember.fft.hfft(ember.fft.ihfft(x, norm=norm), n=5, norm=norm).numpy(), a, atol=1e-12
    )
    np.testing.assert_allclose(
        ember.fft.hfftn(ember.fft.ihfftn(x, norm=norm), s=(3, 6, 5), norm=norm).numpy(),
        a,
        atol=1e-12,
    )


def test_fftn_without_dims_is_a_complex_copy():
    x = ember.tensor([[1.0, 2.0]])
    y = ember.fft.fftn(x, dim=())
    assert y.dtype == ember.complex64
    np.testing.assert_array_equal(y.numpy(), [[1.0, 2.0]])


def test_out_argument():
    x = ember.tensor([1.0, 2.0, 3.0, 4.0])
    out = ember.empty(0, dtype=ember.complex64)
    res = ember.fft.rfft(x, out=out)
    assert res is out
    np.testing.assert_allclose(out.numpy(), np.fft.rfft([1.0, 2.0, 3.0, 4.0]), rtol=1e-6)


# -- gradients ---------------------------------------------------------------------------------


def _real_view(y):
    """A complex result as two real outputs (gradcheck compares real outputs only)."""
    if y.is_complex():
        return y.real, y.imag
    return y


def _grad_cases():
    for name in sorted(REFERENCES):
        configs = _configs(name)
        for kwargs, _ in configs[:3]:
            for norm in ("backward", "ortho", "forward"):
                yield pytest.param(name, kwargs, norm, id=f"{name}-{kwargs}-{norm}")


@pytest.mark.parametrize("name,kwargs,norm", list(_grad_cases()))
def test_gradients_real_input(name, kwargs, norm, gradcheck, rand):
    x = rand(2, 3, 4, seed=1)
    fn = getattr(ember.fft, name)
    gradcheck(lambda x: _real_view(fn(x, norm=norm, **kwargs)), x, atol=1e-6)


@pytest.mark.parametrize("name", sorted(n for n, ref in REFERENCES.items() if ref[1] == "any"))
@pytest.mark.parametrize("norm", ["backward", "ortho", "forward"])
def test_gradients_complex_input(name, norm, gradcheck, rand):
    re, im = rand(2, 3, 4, seed=2), rand(2, 3, 4, seed=3)
    fn = getattr(ember.fft, name)
    for kwargs, _ in _configs(name)[:3]:

        def f(re, im, kwargs=kwargs):
            return _real_view(fn(re + im * 1j, norm=norm, **kwargs))

        gradcheck(f, re, im, atol=1e-6)


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: ember.fft.irfft(ember.fft.rfft(x * x, n=7), n=6),
        lambda x: ember.fft.hfft(ember.fft.fft(x * x, norm="ortho"), n=5),
        lambda x: _real_view(ember.fft.ihfftn(x * x, s=(3, 6), norm="forward")),
        lambda x: _real_view(ember.fft.fft2(x * x, s=(4, 3))),
        lambda x: ember.fft.irfftn(ember.fft.ifftn(x * x), s=(2, 5)),
    ],
    ids=["rfft-irfft", "fft-hfft", "ihfftn", "fft2", "ifftn-irfftn"],
)
def test_second_order(fn, gradcheck, rand):
    gradcheck(fn, rand(2, 4, seed=4), second_order=True)


def test_rfft_gradient_counts_each_bin_once():
    # d/dx sum(|rfft(x)|^2) = 2 * (x-weighted) sum over the kept bins only: compare to the
    # explicit matrix form of the transform.
    a = _signal((6,), False, seed=5)
    x = ember.tensor(a, requires_grad=True)
    y = ember.fft.rfft(x)
    (y.real * y.real + y.imag * y.imag).sum().backward()
    k = np.arange(4)[:, None]
    j = np.arange(6)[None, :]
    m = np.exp(-2j * np.pi * k * j / 6)
    expected = 2 * np.real(m.conj().T @ (m @ a))
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-10)


def _on(device, seed):
    a = _signal((3, 8), True, seed=seed)
    x = ember.tensor(a, device=device, requires_grad=True)
    y = ember.fft.rfft(ember.fft.ifft(x, norm="ortho").real, n=6)
    z = ember.fft.hfft2(y * y, s=(4, 5))
    (z * z).sum().backward()
    return z, x.grad


def test_transforms_on_every_device(device):
    z, grad = _on(device, 7)
    assert z.device.type == device and grad.device.type == device
    z_cpu, grad_cpu = _on("cpu", 7)
    np.testing.assert_allclose(z.cpu().detach().numpy(), z_cpu.detach().numpy(), rtol=1e-9)
    np.testing.assert_allclose(grad.cpu().numpy(), grad_cpu.numpy(), rtol=1e-9)
    assert ember.fft.fftfreq(4, device=device).device.type == device


# -- frequencies and shifts ----------------------------------------------------------------------


@pytest.mark.parametrize("n", [1, 4, 5])
@pytest.mark.parametrize("d", [1.0, 0.25])
def test_fftfreq_and_rfftfreq(n, d):
    np.testing.assert_allclose(ember.fft.fftfreq(n, d).numpy(), np.fft.fftfreq(n, d), rtol=1e-6)
    np.testing.assert_allclose(ember.fft.rfftfreq(n, d).numpy(), np.fft.rfftfreq(n, d), rtol=1e-6)
    assert ember.fft.fftfreq(n).dtype == ember.get_default_dtype()
    f = ember.fft.rfftfreq(n, d, dtype=ember.float64, requires_grad=True)
    assert f.dtype == ember.float64 and f.requires_grad and f.is_leaf
    np.testing.assert_allclose(f.detach().numpy(), np.fft.rfftfreq(n, d), rtol=1e-15)


def test_fftfreq_errors():
    with pytest.raises(RuntimeError, match="fftfreq"):
        ember.fft.fftfreq(-1)
    with pytest.raises(RuntimeError, match="floating point"):
        ember.fft.fftfreq(4, dtype=ember.int64)


@pytest.mark.parametrize("dim", [None, 0, (1,), (0, -1)])
def test_fftshift_matches_numpy(dim, gradcheck, rand):
    a = np.arange(30.0).reshape(5, 6)
    axes = dim if dim is None or isinstance(dim, tuple) else (dim,)
    np.testing.assert_array_equal(
        ember.fft.fftshift(ember.tensor(a), dim).numpy(), np.fft.fftshift(a, axes)
    )
    np.testing.assert_array_equal(
        ember.fft.ifftshift(ember.tensor(a), dim).numpy(), np.fft.ifftshift(a, axes)
    )
    x = ember.tensor(a)
    np.testing.assert_array_equal(ember.fft.ifftshift(ember.fft.fftshift(x, dim), dim).numpy(), a)
    gradcheck(lambda x: ember.fft.fftshift(x, dim) * ember.tensor(a), rand(5, 6, seed=6))


# -- errors -------------------------------------------------------------------------------------


def test_errors():
    x = ember.ones(4, 6)
    with pytest.raises(RuntimeError, match='Invalid normalization mode: "foo"'):
        ember.fft.fft(x, norm="foo")
    with pytest.raises(RuntimeError, match=r"Invalid number of data points \(0\)"):
        ember.fft.fft(x, n=0)
    with pytest.raises(RuntimeError, match=r"Invalid number of data points \(0\)"):
        ember.fft.irfft(ember.ones(1, dtype=ember.complex64))
    with pytest.raises(
        RuntimeError, match=r"rfft expects a real input tensor, but got ember\.complex64"
    ):
        ember.fft.rfft(ember.ones(3, dtype=ember.complex64))
    with pytest.raises(RuntimeError, match="ihfftn expects a real input"):
        ember.fft.ihfftn(ember.ones(3, dtype=ember.complex128))
    with pytest.raises(RuntimeError, match="dim and shape arguments must have the same length"):
        ember.fft.fftn(x, s=(3,), dim=(0, 1))
    with pytest.raises(RuntimeError, match="FFT dims must be unique"):
        ember.fft.fftn(x, dim=(0, 0))
    with pytest.raises(
        RuntimeError, match="got shape with 3 values but input tensor only has 2 dimensions"
    ):
        ember.fft.fftn(x, s=(3, 3, 3))
    with pytest.raises(RuntimeError, match="rfftn must transform at least one axis"):
        ember.fft.rfftn(x, dim=())
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.fft.fft(x, dim=2)
    with pytest.raises(IndexError, match="no dimensions"):
        ember.fft.fft(ember.tensor(2.0))
    with pytest.raises(TypeError, match="must be Tensor"):
        ember.fft.fft([1.0, 2.0])


@pytest.mark.parametrize("backend", ["scipy", "numpy"])
def test_both_cpu_backends_match_numpy(backend, monkeypatch):
    # SciPy's pocketfft serves the CPU transforms when installed; NumPy's when not
    import ember.fft._transforms as transforms

    monkeypatch.setattr(transforms, "_scipy_fft", None if backend == "scipy" else False)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 10, 12)).astype(np.float32)
    z = x + 1j * rng.standard_normal((3, 10, 12))
    et, zt = ember.tensor(x), ember.tensor(z)
    np.testing.assert_allclose(ember.fft.rfft(et).numpy(), np.fft.rfft(x), rtol=1e-5, atol=1e-5)
    assert ember.fft.rfft(et).dtype == ember.complex64
    np.testing.assert_allclose(ember.fft.fftn(zt, dim=(0, 2)).numpy(), np.fft.fftn(z, axes=(0, 2)))
    np.testing.assert_allclose(
        ember.fft.irfft(ember.fft.rfft(et), n=12).numpy(), x, rtol=1e-5, atol=1e-5
    )
    np.testing.assert_allclose(
        ember.fft.ifft(zt, n=7, norm="ortho").numpy(), np.fft.ifft(z, n=7, norm="ortho")
    )
    used = transforms._fft_of(np)
    assert (used is np.fft) == (backend == "numpy")
