"""ember.special: values against scipy.special (on the SciPy path and the NumPy-only path),
gradients, dtypes and PyTorch's special values."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp

import ember
from ember.ops import special_math

S = ember.special


@pytest.fixture(params=["scipy", "numpy"])
def path(request, monkeypatch):
    """Run a test with SciPy's kernels and again with the NumPy-only ones."""
    if request.param == "numpy":
        monkeypatch.setattr(special_math, "_scipy", None)
        monkeypatch.setattr(special_math, "_scipy_checked", True)
    return request.param


def _t(values):
    return ember.tensor(np.asarray(values, dtype=np.float64))


def _rng(seed=0):
    return np.random.default_rng(seed)


# name, reference, sample of inputs, rtol, atol (absolute for the oscillating functions)
_UNARY = [
    ("airy_ai", lambda x: sp.airy(x)[0], lambda r: r.uniform(-30, 30, 400), 1e-12, 1e-14),
    ("bessel_j0", sp.j0, lambda r: r.uniform(-60, 60, 400), 1e-12, 1e-14),
    ("bessel_j1", sp.j1, lambda r: r.uniform(-60, 60, 400), 1e-12, 1e-14),
    ("bessel_y0", sp.y0, lambda r: r.uniform(1e-3, 60, 400), 1e-12, 1e-14),
    ("bessel_y1", sp.y1, lambda r: r.uniform(1e-3, 60, 400), 1e-12, 1e-14),
    ("modified_bessel_i0", sp.i0, lambda r: r.uniform(-50, 50, 300), 1e-13, 0),
    ("modified_bessel_i1", sp.i1, lambda r: r.uniform(-50, 50, 300), 1e-13, 0),
    ("modified_bessel_k0", sp.k0, lambda r: r.uniform(1e-4, 60, 300), 1e-13, 0),
    ("modified_bessel_k1", sp.k1, lambda r: r.uniform(1e-4, 60, 300), 1e-13, 0),
    ("scaled_modified_bessel_k0", sp.k0e, lambda r: r.uniform(1e-4, 500, 300), 1e-13, 0),
    ("scaled_modified_bessel_k1", sp.k1e, lambda r: r.uniform(1e-4, 500, 300), 1e-13, 0),
    ("spherical_bessel_j0", lambda x: sp.spherical_jn(0, x), lambda r: r.uniform(-20, 20, 300),
     1e-13, 1e-16),
    ("i0", sp.i0, lambda r: r.uniform(-50, 50, 300), 1e-13, 0),
    ("i0e", sp.i0e, lambda r: r.uniform(-500, 500, 300), 1e-13, 0),
    ("i1", sp.i1, lambda r: r.uniform(-50, 50, 300), 1e-13, 0),
    ("i1e", sp.i1e, lambda r: r.uniform(-500, 500, 300), 1e-13, 0),
    ("entr", sp.entr, lambda r: r.uniform(0, 10, 300), 1e-14, 0),
    ("erf", sp.erf, lambda r: r.uniform(-6, 6, 300), 1e-13, 0),
    ("erfc", sp.erfc, lambda r: r.uniform(-6, 26, 300), 1e-13, 0),
    ("erfcx", sp.erfcx, lambda r: r.uniform(-20, 1e3, 300), 1e-13, 0),
    ("erfinv", sp.erfinv, lambda r: r.uniform(-1, 1, 300), 1e-12, 0),
    ("ndtr", sp.ndtr, lambda r: r.uniform(-30, 10, 300), 1e-12, 0),
    ("log_ndtr", sp.log_ndtr, lambda r: r.uniform(-100, 10, 300), 1e-12, 0),
    ("ndtri", sp.ndtri, lambda r: np.concatenate([r.uniform(0, 1, 200),
                                                  10 ** r.uniform(-300, -1, 100)]), 1e-12, 0),
    ("gammaln", sp.gammaln, lambda r: r.uniform(-10, 50, 300), 1e-12, 1e-14),
    ("digamma", sp.psi, lambda r: r.uniform(0.01, 50, 300), 1e-12, 0),
    ("psi", sp.psi, lambda r: r.uniform(0.01, 50, 300), 1e-12, 0),
    ("expit", sp.expit, lambda r: r.uniform(-30, 30, 100), 1e-14, 0),
    ("exp2", np.exp2, lambda r: r.uniform(-30, 30, 100), 1e-14, 0),
    ("expm1", np.expm1, lambda r: r.uniform(-3, 3, 100), 1e-14, 0),
    ("log1p", np.log1p, lambda r: r.uniform(-0.9, 3, 100), 1e-14, 0),
    ("sinc", np.sinc, lambda r: r.uniform(-3, 3, 100), 1e-14, 1e-16),
    ("logit", sp.logit, lambda r: r.uniform(0.01, 0.99, 100), 1e-13, 1e-15),
]  # fmt: skip


@pytest.mark.parametrize("name, ref, sample, rtol, atol", _UNARY, ids=[r[0] for r in _UNARY])
def test_unary_values_match_scipy(path, name, ref, sample, rtol, atol):
    x = sample(_rng())
    got = getattr(S, name)(_t(x))
    assert got.dtype == ember.float64
    np.testing.assert_allclose(got.numpy(), ref(x), rtol=rtol, atol=atol)


def test_numpy_path_is_really_used(monkeypatch):
    monkeypatch.setattr(special_math, "_scipy", None)
    monkeypatch.setattr(special_math, "_scipy_checked", True)
    calls = []

    def fake(*a, **k):  # pragma: no cover - must not be called
        calls.append(a)
        raise AssertionError("SciPy used on the NumPy-only path")

    monkeypatch.setattr(sp, "j0", fake)
    S.bessel_j0(_t([1.0, 2.0]))
    assert calls == []


_BINARY = [
    ("zeta", sp.zeta, lambda r: (r.uniform(1.05, 15, 300), r.uniform(0.05, 20, 300)), 1e-12),
    ("gammainc", sp.gammainc, lambda r: (r.uniform(0.05, 20, 300), r.uniform(0, 40, 300)), 1e-12),
    ("gammaincc", sp.gammaincc, lambda r: (r.uniform(0.05, 20, 300), r.uniform(0, 40, 300)),
     1e-12),
    ("xlogy", sp.xlogy, lambda r: (r.uniform(-3, 3, 100), r.uniform(0.01, 5, 100)), 1e-14),
    ("xlog1py", sp.xlog1py, lambda r: (r.uniform(-3, 3, 100), r.uniform(-0.9, 5, 100)), 1e-14),
]  # fmt: skip


@pytest.mark.parametrize("name, ref, sample, rtol", _BINARY, ids=[r[0] for r in _BINARY])
def test_binary_values_match_scipy(path, name, ref, sample, rtol):
    a, b = sample(_rng(1))
    got = getattr(S, name)(_t(a), _t(b))
    np.testing.assert_allclose(got.numpy(), ref(a, b), rtol=rtol, atol=1e-300)


def test_zeta_and_gammainc_take_python_numbers(path):
    q = np.array([0.5, 1.0, 3.0])
    np.testing.assert_allclose(S.zeta(2.0, _t(q)).numpy(), sp.zeta(2.0, q), rtol=1e-13)
    np.testing.assert_allclose(S.zeta(_t(q + 2), 1.5).numpy(), sp.zeta(q + 2, 1.5), rtol=1e-13)
    np.testing.assert_allclose(S.gammainc(2.5, _t(q)).numpy(), sp.gammainc(2.5, q), rtol=1e-13)


def test_multigammaln_matches_scipy(path):
    a = _rng(2).uniform(3.0, 20.0, 50)
    for p in (1, 2, 5):
        got = S.multigammaln(_t(a), p).numpy()
        np.testing.assert_allclose(got, [sp.multigammaln(v, p) for v in a], rtol=1e-12)
    with pytest.raises(RuntimeError, match="p has to be greater than or equal to 1"):
        S.multigammaln(_t(a), 0)


# -- orthogonal polynomials ---------------------------------------------------------------------

_POLY = [
    ("chebyshev_polynomial_t", sp.eval_chebyt, (-1, 1)),
    ("chebyshev_polynomial_u", sp.eval_chebyu, (-1, 1)),
    ("chebyshev_polynomial_v", None, (-1, 1)),
    ("chebyshev_polynomial_w", None, (-1, 1)),
    ("shifted_chebyshev_polynomial_t", sp.eval_sh_chebyt, (0, 1)),
    ("shifted_chebyshev_polynomial_u", sp.eval_sh_chebyu, (0, 1)),
    ("shifted_chebyshev_polynomial_v", None, (0, 1)),
    ("shifted_chebyshev_polynomial_w", None, (0, 1)),
    ("hermite_polynomial_h", sp.eval_hermite, (-3, 3)),
    ("hermite_polynomial_he", sp.eval_hermitenorm, (-3, 3)),
    ("laguerre_polynomial_l", sp.eval_laguerre, (-3, 10)),
    ("legendre_polynomial_p", sp.eval_legendre, (-1, 1)),
]


def _chebyshev_vw(kind, x, n):
    """V_n and W_n by their trigonometric definitions."""
    theta = np.arccos(x)
    if kind == "v":
        return np.cos((n + 0.5) * theta) / np.cos(theta / 2)
    return np.sin((n + 0.5) * theta) / np.sin(theta / 2)


def _poly_reference(name, ref, x, n):
    if ref is not None:
        return ref(n, x)
    kind = name[-1]
    y = 2 * x - 1 if name.startswith("shifted") else x
    return _chebyshev_vw(kind, y, n)


@pytest.mark.parametrize("name, ref, interval", _POLY, ids=[p[0] for p in _POLY])
def test_polynomials_match_definitions(name, ref, interval):
    r = _rng(3)
    x = r.uniform(*interval, 200) * 0.999
    n = r.integers(0, 14, 200)
    got = getattr(S, name)(_t(x), ember.tensor(n)).numpy()
    np.testing.assert_allclose(got, _poly_reference(name, ref, x, n), rtol=1e-9, atol=1e-9)
    # a Python number as the degree; negative degrees give 0; fractional degrees truncate
    np.testing.assert_allclose(getattr(S, name)(_t(x), 3).numpy(),
                               _poly_reference(name, ref, x, 3), rtol=1e-9, atol=1e-12)  # fmt: skip
    assert np.all(getattr(S, name)(_t(x), -2).numpy() == 0)
    np.testing.assert_array_equal(
        getattr(S, name)(_t(x), 4.7).numpy(), getattr(S, name)(_t(x), 4).numpy()
    )


def test_polynomial_edges_follow_pytorch():
    x = _t([1.0, -1.0, 1.0, -1.0])
    n = _t([3.0, 3.0, 4.0, 4.0])
    np.testing.assert_array_equal(S.chebyshev_polynomial_t(x, n).numpy(), [1, -1, 1, 1])
    np.testing.assert_array_equal(S.chebyshev_polynomial_u(x, n).numpy(), [4, -4, 5, 5])
    np.testing.assert_array_equal(S.chebyshev_polynomial_v(x, n).numpy(), [1, -7, 1, 9])
    np.testing.assert_array_equal(S.chebyshev_polynomial_w(x, n).numpy(), [7, -1, 9, 1])
    np.testing.assert_array_equal(S.legendre_polynomial_p(x, n).numpy(), [1, -1, 1, 1])
    # above the recursion limit (512 in float64) Hermite polynomials are NaN, as in PyTorch
    assert math.isnan(S.hermite_polynomial_h(_t([0.5]), 600).item())
    assert S.laguerre_polynomial_l(_t([0.0]), 7).item() == 1.0


def test_polynomial_dtypes():
    x32 = ember.tensor([0.3, 0.7])
    ni = ember.tensor([1, 2])
    assert S.chebyshev_polynomial_t(x32, ni).dtype == ember.float32
    assert S.chebyshev_polynomial_t(ni, ni).dtype == ember.float32
    assert S.chebyshev_polynomial_t(x32, ni.double()).dtype == ember.float64
    assert S.chebyshev_polynomial_t(x32, 3).dtype == ember.float32


# -- special values (PyTorch's) ----------------------------------------------------------------

_INF, _NAN = math.inf, math.nan
_SPECIAL = [
    ("bessel_j0", [0.0, _INF, _NAN], [1.0, _NAN, _NAN]),
    ("bessel_j1", [0.0, -_INF, _NAN], [0.0, _NAN, _NAN]),
    ("bessel_y0", [0.0, -1.0, _INF], [-_INF, _NAN, _NAN]),
    ("bessel_y1", [0.0, -1.0, _INF], [-_INF, _NAN, _NAN]),
    ("modified_bessel_k0", [0.0, -1.0, _INF], [_INF, _NAN, 0.0]),
    ("modified_bessel_k1", [0.0, -1.0, _INF], [_INF, _NAN, 0.0]),
    ("scaled_modified_bessel_k0", [0.0, -1.0, _INF], [_INF, _NAN, 0.0]),
    ("scaled_modified_bessel_k1", [0.0, -1.0, _INF], [_INF, _NAN, 0.0]),
    ("i1e", [0.0, _INF, -_INF], [0.0, 0.0, -0.0]),
    ("i0e", [0.0, _INF], [1.0, 0.0]),
    ("spherical_bessel_j0", [0.0, _INF], [1.0, 0.0]),
    ("airy_ai", [_INF, -_INF, 200.0, 1e10], [_NAN, _NAN, 0.0, 0.0]),
    ("entr", [0.0, -1.0, _INF, _NAN], [0.0, -_INF, -_INF, _NAN]),
    ("erfcx", [_INF, -_INF, -30.0, 0.0], [0.0, _INF, _INF, 1.0]),
    ("ndtri", [0.0, 1.0, -0.1, 1.1], [-_INF, _INF, _NAN, _NAN]),
    ("log_ndtr", [-_INF, _INF], [-_INF, 0.0]),
    ("ndtr", [-_INF, _INF], [0.0, 1.0]),
]  # fmt: skip


@pytest.mark.parametrize("name, x, expected", _SPECIAL, ids=[s[0] for s in _SPECIAL])
def test_special_values(path, name, x, expected):
    got = getattr(S, name)(_t(x)).numpy()
    np.testing.assert_array_equal(got, expected)


def test_binary_special_values(path):
    s = _t([1.0, 0.5, 2.0, 2.0, 3.0, 2.5, _INF])
    q = _t([1.0, 1.0, 0.0, -1.0, -1.5, -1.5, 1.0])
    got = S.zeta(s, q).numpy()
    np.testing.assert_array_equal(np.isnan(got), [False, True, False, False, False, True, False])
    np.testing.assert_array_equal(got[[0, 2, 3, 6]], [_INF, _INF, _INF, 1.0])
    np.testing.assert_allclose(got[4], sp.zeta(3.0, -1.5), rtol=1e-12)
    a = _t([0.0, 1.0, -1.0, 1.0, 0.0, 2.0])
    x = _t([1.0, 0.0, 1.0, -1.0, 0.0, _INF])
    np.testing.assert_array_equal(S.gammainc(a, x).numpy(), [1.0, 0.0, _NAN, _NAN, _NAN, 1.0])
    np.testing.assert_array_equal(S.gammaincc(a, x).numpy(), [0.0, 1.0, _NAN, _NAN, _NAN, 0.0])


# -- dtypes --------------------------------------------------------------------------------------

_ALL_UNARY = [u[0] for u in _UNARY]


@pytest.mark.parametrize("name", _ALL_UNARY)
def test_unary_dtypes(name):
    x = ember.tensor([0.25, 0.5])
    assert getattr(S, name)(x).dtype == ember.float32
    assert getattr(S, name)(x.double()).dtype == ember.float64
    assert getattr(S, name)(ember.tensor([1, 2])).dtype == ember.float32
    np.testing.assert_allclose(
        getattr(S, name)(x).numpy(), getattr(S, name)(x.double()).numpy(), rtol=2e-6, atol=1e-7
    )


def test_out_argument_and_type_error():
    out = ember.empty(2, dtype=ember.float64)
    res = S.ndtr(_t([0.0, 1.0]), out=out)
    assert res is out
    np.testing.assert_allclose(out.numpy(), sp.ndtr([0.0, 1.0]), rtol=1e-15)
    with pytest.raises(TypeError, match=r"special\.bessel_j0\(\).*must be Tensor, not list"):
        S.bessel_j0([1.0])
    with pytest.raises(RuntimeError, match=r"special\.erfcx\(\): not implemented for complex"):
        S.erfcx(ember.tensor([1j]))


# -- gradients ----------------------------------------------------------------------------------

_GRAD = [
    ("entr", 0.1, 3.0),
    ("erfcx", -2.0, 5.0),
    ("i0e", -4.0, 4.0),
    ("i1", -4.0, 4.0),
    ("i1e", -4.0, 4.0),
    ("ndtr", -3.0, 3.0),
    ("log_ndtr", -8.0, 3.0),
    ("ndtri", 0.02, 0.98),
    ("expit", -3.0, 3.0),
    ("gammaln", 0.5, 5.0),
    ("psi", 0.5, 5.0),
    ("erf", -2.0, 2.0),
    ("erfinv", -0.9, 0.9),
    ("i0", -3.0, 3.0),
    ("sinc", -2.0, 2.0),
    ("logit", 0.05, 0.95),
]


@pytest.mark.parametrize("name, low, high", _GRAD, ids=[g[0] for g in _GRAD])
def test_unary_gradients(path, gradcheck, rand, name, low, high):
    x = rand(6, low=low, high=high, seed=4)
    gradcheck(getattr(S, name), x, second_order=True, atol=1e-6, rtol=1e-5)


def test_binary_gradients(gradcheck, rand):
    s = rand(5, low=2.0, high=5.0, seed=5, requires_grad=False)
    q = rand(5, low=0.5, high=3.0, seed=6)
    gradcheck(S.zeta, s, q, second_order=True)
    a = rand(5, low=0.5, high=4.0, seed=7, requires_grad=False)
    x = rand(5, low=0.2, high=6.0, seed=8)
    gradcheck(S.gammainc, a, x, second_order=True)
    gradcheck(S.gammaincc, a, x, second_order=True)
    gradcheck(lambda v: S.multigammaln(v, 3), rand(4, low=2.0, high=6.0, seed=9))
    gradcheck(lambda v: S.xlog1py(v, v + 1.5), rand(4, seed=10))
    gradcheck(lambda v: S.softmax(v, 0), rand(4, seed=11))
    gradcheck(lambda v: S.log_softmax(v, 0), rand(4, seed=11))
    gradcheck(lambda v: S.logsumexp(v, 0), rand(4, seed=11))
    gradcheck(lambda v: S.polygamma(2, v), rand(4, low=0.5, high=3.0, seed=12))


@pytest.mark.parametrize("name", ["zeta", "gammainc", "gammaincc"])
def test_derivative_in_first_argument_is_not_implemented(name):
    a = _t([2.0, 3.0]).requires_grad_()
    y = getattr(S, name)(a, _t([1.5, 2.5]))
    assert y.requires_grad
    with pytest.raises(RuntimeError, match=f"the derivative for '{name}: input' is not impl"):
        y.sum().backward()


@pytest.mark.parametrize(
    "name", [r[0] for r in _UNARY[:12]] + [p[0] for p in _POLY], ids=lambda n: n
)
def test_functions_without_derivative_return_no_grad(name):
    x = _t([0.3, 0.6]).requires_grad_()
    fn = getattr(S, name)
    y = fn(x, 2) if "polynomial" in name else fn(x)
    assert not y.requires_grad and y.grad_fn is None


def test_aliases():
    x = _t([0.3, 1.7])
    np.testing.assert_array_equal(S.psi(x).numpy(), ember.digamma(x).numpy())
    np.testing.assert_array_equal(S.gammaln(x).numpy(), ember.lgamma(x).numpy())
    np.testing.assert_array_equal(S.expit(x).numpy(), ember.sigmoid(x).numpy())
    np.testing.assert_array_equal(S.round(_t([0.5, 1.5, 2.4])).numpy(), [0.0, 2.0, 2.0])
    np.testing.assert_allclose(
        S.softmax(ember.tensor([1, 2]), 0, dtype=ember.float64).numpy(), sp.softmax([1.0, 2.0])
    )
    assert S.softmax(ember.tensor([1, 2]), 0, dtype=ember.float64).dtype == ember.float64
    np.testing.assert_allclose(S.logsumexp(x, 0).item(), sp.logsumexp([0.3, 1.7]), rtol=1e-15)
    assert set(S.__all__) >= {"airy_ai", "zeta", "legendre_polynomial_p", "log_softmax"}


@pytest.mark.parametrize("name", _ALL_UNARY + ["bessel_y0", "entr"])
def test_zero_dim_and_empty_inputs(path, name):
    fn = getattr(S, name)
    x = ember.tensor(0.7, dtype=ember.float64)
    y = fn(x)
    assert y.shape == ()
    np.testing.assert_allclose(y.item(), fn(_t([0.7])).item(), rtol=1e-15)
    assert fn(ember.ones(2, 0, dtype=ember.float64)).shape == (2, 0)
    assert S.zeta(x + 1, 2.0).shape == () and S.polygamma(2, x).shape == ()
