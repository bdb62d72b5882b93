"""Elementwise math ops: forward against NumPy/SciPy, result dtypes, gradients (first and
second order), in-place forms, and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.special as sp

import ember
from ember.ops import special_math

RNG = np.random.default_rng(1234)


def T(x, **kw):
    return ember.tensor(np.asarray(x), **kw)


# -- unary forward vs NumPy/SciPy ---------------------------------------------------------------

# name, reference, (low, high) domain of the test inputs
UNARY = [
    ("abs", np.abs, (-2, 2)),
    ("sqrt", np.sqrt, (0.1, 3)),
    ("rsqrt", lambda x: 1 / np.sqrt(x), (0.1, 3)),
    ("exp", np.exp, (-2, 2)),
    ("exp2", np.exp2, (-2, 2)),
    ("expm1", np.expm1, (-2, 2)),
    ("log", np.log, (0.1, 3)),
    ("log2", np.log2, (0.1, 3)),
    ("log10", np.log10, (0.1, 3)),
    ("log1p", np.log1p, (-0.5, 2)),
    ("sin", np.sin, (-3, 3)),
    ("cos", np.cos, (-3, 3)),
    ("tan", np.tan, (-1.2, 1.2)),
    ("asin", np.arcsin, (-0.9, 0.9)),
    ("acos", np.arccos, (-0.9, 0.9)),
    ("atan", np.arctan, (-3, 3)),
    ("sinh", np.sinh, (-2, 2)),
    ("cosh", np.cosh, (-2, 2)),
    ("tanh", np.tanh, (-2, 2)),
    ("asinh", np.arcsinh, (-2, 2)),
    ("acosh", np.arccosh, (1.1, 3)),
    ("atanh", np.arctanh, (-0.9, 0.9)),
    ("sigmoid", sp.expit, (-5, 5)),
    ("logit", sp.logit, (0.05, 0.95)),
    ("erf", sp.erf, (-2, 2)),
    ("erfc", sp.erfc, (-2, 2)),
    ("erfinv", sp.erfinv, (-0.9, 0.9)),
    ("lgamma", sp.gammaln, (0.1, 5)),
    ("digamma", sp.psi, (0.1, 5)),
    ("i0", sp.i0, (-3, 3)),
    ("sinc", np.sinc, (-2, 2)),
    ("reciprocal", np.reciprocal, (0.5, 2)),
    ("square", np.square, (-2, 2)),
    ("sign", np.sign, (-2, 2)),
    ("sgn", np.sign, (-2, 2)),
    ("floor", np.floor, (-3, 3)),
    ("ceil", np.ceil, (-3, 3)),
    ("round", np.round, (-3, 3)),
    ("trunc", np.trunc, (-3, 3)),
    ("fix", np.trunc, (-3, 3)),
    ("frac", lambda x: x - np.trunc(x), (-3, 3)),
    ("relu", lambda x: np.maximum(x, 0), (-2, 2)),
    ("deg2rad", np.deg2rad, (-180, 180)),
    ("rad2deg", np.rad2deg, (-3, 3)),
    ("angle", lambda x: np.where(x < 0, np.pi, 0.0), (-2, 2)),
    ("absolute", np.abs, (-2, 2)),
    ("arcsin", np.arcsin, (-0.9, 0.9)),
    ("arccos", np.arccos, (-0.9, 0.9)),
    ("arctan", np.arctan, (-3, 3)),
    ("arcsinh", np.arcsinh, (-2, 2)),
    ("arccosh", np.arccosh, (1.1, 3)),
    ("arctanh", np.arctanh, (-0.9, 0.9)),
]


@pytest.mark.parametrize("name,ref,domain", UNARY, ids=[u[0] for u in UNARY])
def test_unary_forward_matches_reference(name, ref, domain):
    x = RNG.uniform(*domain, size=(3, 4))
    out = getattr(ember, name)(T(x))
    assert out.dtype == ember.float64
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-12, atol=1e-12)
    out32 = getattr(ember, name)(T(x.astype(np.float32)))
    assert out32.dtype == ember.float32
    np.testing.assert_allclose(out32.numpy(), ref(x.astype(np.float32)), rtol=2e-5, atol=2e-5)
    # the Tensor method computes the same
    np.testing.assert_allclose(getattr(T(x), name)().numpy(), ref(x), rtol=1e-12, atol=1e-12)


def test_unary_zero_dim_inputs_give_zero_dim_tensors():
    out = ember.exp(ember.tensor(1.0))
    assert out.shape == () and isinstance(out._data, np.ndarray)
    assert ember.sqrt(ember.tensor(4)).item() == 2.0
    assert ember.isnan(ember.tensor(float("nan"))).item() is True


FLOAT_VALUED = ["sqrt", "rsqrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin",
                "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh",
                "atanh", "sigmoid", "logit", "erf", "erfc", "erfinv", "lgamma", "digamma", "i0",
                "sinc", "reciprocal", "deg2rad", "rad2deg", "angle"]  # fmt: skip


@pytest.mark.parametrize("name", FLOAT_VALUED)
def test_integer_and_bool_inputs_give_default_float(name):
    fn = getattr(ember, name)
    assert fn(T([1, 2, 3])).dtype == ember.float32
    assert fn(T([True, False])).dtype == ember.float32
    ember.set_default_dtype(ember.float64)
    try:
        assert fn(T([1, 2])).dtype == ember.float64
    finally:
        ember.set_default_dtype(ember.float32)
    assert fn(T([0.5], dtype=ember.float16)).dtype == ember.float16


@pytest.mark.parametrize(
    "name,data,expected,dtype",
    [
        ("abs", [-1, 2], [1, 2], ember.int64),
        ("floor", [-1, 2], [-1, 2], ember.int64),
        ("ceil", [-1, 2], [-1, 2], ember.int64),
        ("round", [-1, 2], [-1, 2], ember.int64),
        ("trunc", [-1, 2], [-1, 2], ember.int64),
        ("relu", [-1, 2], [0, 2], ember.int64),
        ("sign", [-3, 0, 2], [-1, 0, 1], ember.int64),
        ("sign", [True, False], [True, False], ember.bool),
        ("sgn", [-3, 5], [-1, 1], ember.int64),
        ("square", [-3, 2], [9, 4], ember.int64),
        ("square", [True, False], [1, 0], ember.int64),
        ("nan_to_num", [1, 2], [1, 2], ember.int64),
        ("signbit", [-1, 2], [True, False], ember.bool),
        ("signbit", [-0.0, 1.0], [True, False], ember.bool),
    ],
)
def test_integer_preserving_ops(name, data, expected, dtype):
    out = getattr(ember, name)(T(data))
    assert out.dtype == dtype
    assert out.tolist() == expected


@pytest.mark.parametrize("name", ["abs", "floor", "ceil", "round", "trunc", "frac"])
def test_bool_inputs_rejected(name):
    with pytest.raises(RuntimeError, match=f"{name}.*bool"):
        getattr(ember, name)(T([True, False]))


def test_frac_rejects_integers_and_relu_rejects_bool():
    with pytest.raises(RuntimeError, match=r"frac.*int64"):
        ember.frac(T([1, 2]))
    with pytest.raises(RuntimeError, match="Boolean inputs not supported for relu"):
        ember.relu(T([True]))


def test_non_tensor_argument_is_type_error():
    with pytest.raises(
        TypeError, match=r"exp\(\): argument 'input' \(position 1\) must be Tensor, not float"
    ):
        ember.exp(1.0)


def test_special_values_follow_pytorch():
    nan, inf = float("nan"), float("inf")
    assert ember.sign(T([nan, -2.0, 0.0])).tolist() == [0.0, -1.0, 0.0]
    assert ember.angle(T([-0.0, -1.0, nan])).numpy()[:2].tolist() == [0.0, math.pi]
    assert math.isnan(ember.angle(T([nan])).item())
    d = ember.digamma(T([0.0, -0.0, -1.0])).tolist()
    assert d[0] == -inf and d[1] == inf and math.isnan(d[2])
    assert ember.lgamma(T([0.0, -1.0])).tolist() == [inf, inf]
    assert ember.log(T([0.0])).item() == -inf  # and no RuntimeWarning (see below)
    assert ember.sigmoid(T([-1000.0, 1000.0])).tolist() == [0.0, 1.0]
    assert ember.sinc(T([0.0])).item() == 1.0
    assert ember.erfinv(T([1.0, -1.0])).tolist() == [inf, -inf]
    assert ember.round(T([0.5, 1.5, 2.5, -0.5])).tolist() == [0.0, 2.0, 2.0, -0.0]
    assert ember.round(T([1.2345, 15.0]), decimals=2).tolist() == [1.23, 15.0]
    assert ember.round(T([15.0, 25.0]), decimals=-1).tolist() == [20.0, 20.0]


def test_kernels_do_not_warn():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.log(T([0.0, -1.0]))
        ember.sqrt(T([-1.0]))
        ember.exp(T([1000.0]))
        ember.sin(T([float("inf")]))
        ember.fmod(T([1.0]), 0.0)
        ember.xlogy(T([1.0]), T([0.0]))
        ember.atanh(T([1.0]))


def test_logit_eps_and_nan_to_num():
    x = T([0.0, 0.3, 1.0, -0.2])
    np.testing.assert_allclose(
        ember.logit(x, eps=0.1).numpy()[:3], sp.logit(np.array([0.1, 0.3, 0.9])), rtol=1e-6
    )
    assert math.isnan(ember.logit(x).tolist()[3])
    y = T([float("nan"), float("inf"), -float("inf"), 2.0], dtype=ember.float16)
    out = ember.nan_to_num(y)
    assert out.tolist() == [0.0, 65504.0, -65504.0, 2.0] and out.dtype == ember.float16
    assert ember.nan_to_num(y, nan=1.0, posinf=3.0, neginf=-3.0).tolist() == [1.0, 3.0, -3.0, 2.0]


def test_polygamma_matches_scipy():
    x = RNG.uniform(0.2, 4, size=(5,))
    for n in range(4):
        np.testing.assert_allclose(ember.polygamma(n, T(x)).numpy(), sp.polygamma(n, x), rtol=1e-10)
    np.testing.assert_allclose(T(x).polygamma(2).numpy(), sp.polygamma(2, x), rtol=1e-10)
    with pytest.raises(RuntimeError, match="negative n"):
        ember.polygamma(-1, T(x))


# -- unary gradients ----------------------------------------------------------------------------

GRAD_UNARY = [
    (name, domain)
    for name, _, domain in UNARY
    if name not in ("sign", "sgn", "floor", "ceil", "round", "trunc", "fix", "angle")
]


@pytest.mark.parametrize("name,domain", GRAD_UNARY, ids=[g[0] for g in GRAD_UNARY])
def test_unary_gradcheck(name, domain, gradcheck, rand):
    low, high = domain
    if name in ("abs", "absolute", "relu", "frac", "sign"):  # keep away from the kinks
        x = rand(2, 3, low=0.2, high=0.8, seed=1) * T(np.array([1.0, -1.0, 1.0]))
        x = x.detach().requires_grad_(True)
    else:
        x = rand(2, 3, low=low, high=high, seed=2)
    gradcheck(getattr(ember, name), x, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize(
    "name,domain",
    [("exp", (-1, 1)), ("log", (0.3, 2)), ("sin", (-2, 2)), ("tanh", (-1, 1)), ("sigmoid", (-2, 2)),
     ("sqrt", (0.3, 2)), ("erf", (-1, 1)), ("erfinv", (-0.8, 0.8)), ("lgamma", (0.5, 3)),
     ("digamma", (0.5, 3)), ("i0", (-2, 2)), ("atan", (-2, 2)), ("reciprocal", (0.5, 2)),
     ("sinc", (0.2, 1.5)), ("rsqrt", (0.5, 2)), ("asin", (-0.7, 0.7)), ("logit", (0.2, 0.8))],
)  # fmt: skip
def test_unary_second_order(name, domain, gradcheck, rand):
    x = rand(4, low=domain[0], high=domain[1], seed=3)
    gradcheck(getattr(ember, name), x, second_order=True, atol=1e-5, rtol=1e-4)


def test_more_unary_gradients(gradcheck, rand):
    x = rand(3, low=0.2, high=0.8, seed=4)
    gradcheck(lambda v: ember.polygamma(1, v), x, second_order=True)
    gradcheck(lambda v: ember.logit(v, eps=0.3), x)
    gradcheck(lambda v: ember.nan_to_num(v), x)
    gradcheck(lambda v: ember.round(v, decimals=1) + v, x)
    gradcheck(lambda v: ember.square(v), x, second_order=True)
    gradcheck(lambda v: ember.pow(v, 3), x, second_order=True)
    gradcheck(lambda v: ember.pow(v, v), x, second_order=True)
    gradcheck(lambda v: ember.relu(v - 0.5), x, second_order=True)
    gradcheck(lambda v: ember.abs(v - 0.5), x, second_order=True)


def test_unary_node_names_and_zero_gradients():
    x = T([0.5, 1.5], requires_grad=True)
    names = {"exp": "ExpBackward0", "log1p": "Log1PBackward0", "sqrt": "SqrtBackward0",
             "sigmoid": "SigmoidBackward0", "erfinv": "ErfinvBackward0", "floor": "FloorBackward0",
             "square": "PowBackward0", "abs": "AbsBackward0", "relu": "ReluBackward0",
             "deg2rad": "Deg2RadBackward0", "sgn": "SgnBackward0"}  # fmt: skip
    for name, node in names.items():
        assert type(getattr(ember, name)(x).grad_fn).__name__ == node
    assert type(ember.round(x, decimals=1).grad_fn).__name__ == "RoundBackward1"
    for name in ("floor", "ceil", "round", "trunc", "sign"):
        (g,) = ember.autograd.grad(getattr(ember, name)(x).sum(), x)
        assert g.tolist() == [0.0, 0.0]
    with ember.no_grad():
        assert ember.exp(x).grad_fn is None


def test_relu_gradient_is_zero_at_zero():
    x = T([-1.0, 0.0, 2.0], requires_grad=True)
    ember.relu(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 1.0]


# -- binary ops ---------------------------------------------------------------------------------

BINARY = [
    ("atan2", np.arctan2, (-2, 2), (-2, 2)),
    ("hypot", np.hypot, (-2, 2), (-2, 2)),
    ("fmod", np.fmod, (-5, 5), (0.5, 2)),
    ("remainder", np.remainder, (-5, 5), (0.5, 2)),
    ("floor_divide", np.floor_divide, (-5, 5), (0.5, 2)),
    ("maximum", np.maximum, (-2, 2), (-2, 2)),
    ("minimum", np.minimum, (-2, 2), (-2, 2)),
    ("fmax", np.fmax, (-2, 2), (-2, 2)),
    ("fmin", np.fmin, (-2, 2), (-2, 2)),
    ("copysign", np.copysign, (-2, 2), (-2, 2)),
    ("nextafter", np.nextafter, (-2, 2), (-2, 2)),
    ("logaddexp", np.logaddexp, (-3, 3), (-3, 3)),
    ("logaddexp2", np.logaddexp2, (-3, 3), (-3, 3)),
    ("xlogy", sp.xlogy, (-2, 2), (0.1, 3)),
    ("heaviside", np.heaviside, (-2, 2), (0, 1)),
    ("arctan2", np.arctan2, (-2, 2), (-2, 2)),
]


@pytest.mark.parametrize("name,ref,da,db", BINARY, ids=[b[0] for b in BINARY])
def test_binary_forward_with_broadcasting(name, ref, da, db):
    a = RNG.uniform(*da, size=(3, 1, 4))
    b = RNG.uniform(*db, size=(2, 1))
    out = getattr(ember, name)(T(a), T(b))
    assert out.shape == (3, 2, 4) and out.dtype == ember.float64
    np.testing.assert_allclose(out.numpy(), ref(a, b), rtol=1e-12, atol=1e-12)
    assert np.allclose(getattr(T(a), name)(T(b)).numpy(), ref(a, b))


def test_ldexp_and_special_xlog1py():
    a, e = RNG.uniform(-2, 2, 4), np.array([1, -2, 3, 0])
    np.testing.assert_allclose(ember.ldexp(T(a), T(e)).numpy(), np.ldexp(a, e))
    assert ember.ldexp(T([1, 2]), T([1, 2])).dtype == ember.float32
    from ember.ops.special_math import xlog1py

    x, y = RNG.uniform(-2, 2, 4), RNG.uniform(-0.5, 2, 4)
    np.testing.assert_allclose(xlog1py(T(x), T(y)).numpy(), sp.xlog1py(x, y), rtol=1e-12)
    assert xlog1py(T([0.0]), T([-1.0])).tolist() == [0.0]


@pytest.mark.parametrize(
    "name,a,b,dtype",
    [
        ("atan2", [1, 2], [3, 4], ember.float32),
        ("copysign", [1, 2], [-1, 1], ember.float32),
        ("xlogy", [1, 2], 2, ember.float32),
        ("xlogy", 2, [1, 2], ember.float32),
        ("fmod", [5, -5], 3, ember.int64),
        ("fmod", [5, -5], 2.5, ember.float32),
        ("remainder", [5, -5], 3, ember.int64),
        ("floor_divide", [5, -5], 3, ember.int64),
        ("maximum", [1, 5], [2.0, 3.0], ember.float64),
        ("maximum", [True, False], [False, False], ember.bool),
        ("minimum", [1, 5], [2, 3], ember.int64),
        ("heaviside", [1, 0, -1], [7], ember.int64),
    ],
)
def test_binary_result_dtypes(name, a, b, dtype):
    a = T(a) if isinstance(a, list) else a
    b = T(b) if isinstance(b, list) else b
    assert getattr(ember, name)(a, b).dtype == dtype


def test_float32_with_python_scalar_stays_float32():
    x = T([1.0, 2.0], dtype=ember.float32)
    for fn in (
        ember.atan2,
        ember.xlogy,
        ember.copysign,
        ember.fmod,
        ember.remainder,
        ember.maximum,
    ):
        assert fn(x, 2).dtype == ember.float32
        assert fn(x, 2.5).dtype == ember.float32


def test_binary_errors():
    with pytest.raises(RuntimeError, match=r"hypot.*int64"):
        ember.hypot(T([1]), T([2]))
    with pytest.raises(RuntimeError, match=r"logaddexp.*int64"):
        ember.logaddexp(T([1]), T([2]))
    with pytest.raises(RuntimeError, match="maximum not implemented for complex"):
        ember.maximum(T([1j]), T([1j]))
    with pytest.raises(RuntimeError, match=r"heaviside.*different dtypes"):
        ember.heaviside(T([1.0]), T([1]))
    with pytest.raises(
        RuntimeError,
        match=r"atan2: the size of tensor a \(3\) must match the size of tensor b \(2\)",
    ):
        ember.atan2(T([1.0, 2.0, 3.0]), T([1.0, 2.0]))
    with pytest.raises(TypeError, match="expected at least one Tensor"):
        ember.atan2(1.0, 2.0)


def test_rounded_division_semantics():
    a, b = T([7, -7, 7, -7]), T([2, 2, -2, -2])
    assert ember.div(a, b, rounding_mode="trunc").tolist() == [3, -3, -3, 3]
    assert ember.div(a, b, rounding_mode="floor").tolist() == [3, -4, -4, 3]
    assert ember.div(a, b, rounding_mode="floor").dtype == ember.int64
    assert (a // b).tolist() == [3, -4, -4, 3]
    assert (7 // T([2, -2])).tolist() == [3, -4]
    assert (a % b).tolist() == [1, 1, -1, -1]
    assert (-7 % T([2, -2])).tolist() == [1, -1]
    assert ember.fmod(a, b).tolist() == [1, -1, 1, -1]
    f = T([7.5, -7.5])
    assert ember.div(f, 2, rounding_mode="trunc").tolist() == [3.0, -3.0]
    assert ember.div(f, 2, rounding_mode="floor").tolist() == [3.0, -4.0]
    assert ember.div(T([-3.0, 3.0, 0.0]), 0.0, rounding_mode="floor").tolist()[:2] == [
        -math.inf,
        math.inf,
    ]
    assert ember.remainder(T([-3.0, 3.0]), 2).tolist() == [1.0, 1.0]
    assert ember.fmod(T([-3.0, 3.0]), 2).tolist() == [-1.0, 1.0]
    for fn in (lambda: a // 0, lambda: a % 0, lambda: ember.fmod(a, T([0, 1, 1, 1])),
               lambda: ember.div(a, 0, rounding_mode="trunc")):  # fmt: skip
        with pytest.raises(RuntimeError, match="ZeroDivisionError"):
            fn()
    with pytest.raises(
        RuntimeError, match="rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'"
    ):
        ember.div(f, 2, rounding_mode="round")
    with pytest.raises(RuntimeError, match=r"floor_divide.*bool"):
        T([True]) // T([True])


def test_rounded_division_gradient_is_zero():
    x = T([1.5, 2.5], requires_grad=True)
    y = ember.div(x, 2, rounding_mode="floor")
    assert type(y.grad_fn).__name__ == "DivBackward2"
    (g,) = ember.autograd.grad(y.sum() + (x // 1.0).sum(), x)
    assert g.tolist() == [0.0, 0.0]


BINARY_GRAD = [
    ("atan2", (-2, 2), (0.5, 2)),
    ("hypot", (0.3, 2), (0.3, 2)),
    ("fmod", (0.5, 5), (0.7, 2)),
    ("remainder", (0.5, 5), (0.7, 2)),
    ("maximum", (-2, 2), (-2, 2)),
    ("minimum", (-2, 2), (-2, 2)),
    ("fmax", (-2, 2), (-2, 2)),
    ("fmin", (-2, 2), (-2, 2)),
    ("copysign", (0.3, 2), (-2, 2)),
    ("logaddexp", (-2, 2), (-2, 2)),
    ("logaddexp2", (-2, 2), (-2, 2)),
    ("xlogy", (-2, 2), (0.3, 3)),
    ("ldexp", (-2, 2), (-2, 2)),
    ("pow", (0.5, 2), (-1, 2)),
]


@pytest.mark.parametrize("name,da,db", BINARY_GRAD, ids=[b[0] for b in BINARY_GRAD])
def test_binary_gradcheck_with_broadcasting(name, da, db, gradcheck, rand):
    a = rand(2, 3, low=da[0], high=da[1], seed=5)
    b = rand(3, low=db[0], high=db[1], seed=6)
    fn = getattr(ember, name)
    gradcheck(fn, a, b)
    gradcheck(lambda v: fn(v, 1.5), a)


@pytest.mark.parametrize("name", ["atan2", "hypot", "maximum", "xlogy", "logaddexp", "pow", "fmod"])
def test_binary_second_order(name, gradcheck, rand):
    a = rand(3, low=0.5, high=2, seed=7)
    b = rand(3, low=0.6, high=2.5, seed=8)
    gradcheck(getattr(ember, name), a, b, second_order=True)


def test_scalar_first_operand_gradients(gradcheck, rand):
    b = rand(3, low=0.5, high=2, seed=9)
    gradcheck(lambda v: ember.xlogy(2.0, v), b, second_order=True)
    gradcheck(lambda v: ember.remainder(5.0, v), b)
    assert type(ember.xlogy(2.0, b).grad_fn).__name__ == "XlogyBackward1"
    assert type(ember.xlogy(b, 2.0).grad_fn).__name__ == "XlogyBackward2"
    assert type(ember.fmod(b, 2.0).grad_fn).__name__ == "FmodBackward0"
    assert type(ember.fmod(b, b).grad_fn).__name__ == "FmodBackward1"


def test_maximum_ties_split_gradient_and_fmax_nan():
    x = T([1.0, 2.0, 3.0], requires_grad=True)
    y = T([1.0, 1.0, 4.0], requires_grad=True)
    ember.maximum(x, y).sum().backward()
    assert x.grad.tolist() == [0.5, 1.0, 0.0] and y.grad.tolist() == [0.5, 0.0, 1.0]
    a = T([1.0, 2.0, float("nan")], requires_grad=True)
    b = T([1.0, float("nan"), 4.0], requires_grad=True)
    out = ember.fmax(a, b)
    assert out.tolist() == [1.0, 2.0, 4.0]
    out.sum().backward()
    assert a.grad.tolist() == [1.0, 1.0, 0.0] and b.grad.tolist() == [0.0, 0.0, 1.0]
    assert math.isnan(ember.maximum(T([float("nan")]), T([1.0])).item())


# -- lerp, addcmul, addcdiv ---------------------------------------------------------------------


def test_lerp_addcmul_addcdiv_forward():
    s, e, w = RNG.uniform(-1, 1, (2, 3)), RNG.uniform(-1, 1, 3), RNG.uniform(0, 1, (2, 1))
    np.testing.assert_allclose(ember.lerp(T(s), T(e), 0.3).numpy(), s + 0.3 * (e - s))
    np.testing.assert_allclose(ember.lerp(T(s), T(e), T(w)).numpy(), s + w * (e - s))
    np.testing.assert_allclose(ember.addcmul(T(s), T(e), T(w), value=2).numpy(), s + 2 * e * w)
    np.testing.assert_allclose(ember.addcdiv(T(s), T(e), T(w), value=-0.5).numpy(), s - 0.5 * e / w)
    assert ember.addcmul(T([1, 2]), T([3, 4]), T([5, 6]), value=2).tolist() == [31, 50]
    assert ember.addcmul(T([1, 2]), ember.tensor([0.5, 1.0]), T([2, 2])).dtype == ember.float32


def test_lerp_addcdiv_errors():
    with pytest.raises(
        RuntimeError, match="expected dtype float32 for `end` but got dtype float64"
    ):
        ember.lerp(T([1.0], dtype=ember.float32), T([1.0]), 0.5)
    with pytest.raises(RuntimeError, match=r"lerp.*int64"):
        ember.lerp(T([1]), T([2]), 0.5)
    with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
        ember.addcdiv(T([1]), T([1]), T([2]))
    with pytest.raises(RuntimeError, match=r"addcmul.*do not broadcast"):
        ember.addcmul(T([1.0, 2.0]), T([1.0, 2.0, 3.0]), T([1.0]))


def test_lerp_addcmul_addcdiv_gradients(gradcheck, rand):
    s, e = rand(2, 3, seed=10), rand(3, seed=11)
    w = rand(2, 1, low=0.1, high=0.9, seed=12)
    d = rand(3, low=0.5, high=2, seed=13)
    gradcheck(lambda a, b: ember.lerp(a, b, 0.3), s, e, second_order=True)
    gradcheck(ember.lerp, s, e, w, second_order=True)
    gradcheck(lambda a, b, c: ember.addcmul(a, b, c, value=-1.5), s, e, w, second_order=True)
    gradcheck(lambda a, b, c: ember.addcdiv(a, b, c, value=0.5), s, e, d, second_order=True)
    assert type(ember.lerp(s, e, 0.3).grad_fn).__name__ == "LerpBackward0"
    assert type(ember.lerp(s, e, w).grad_fn).__name__ == "LerpBackward1"


# -- clamp --------------------------------------------------------------------------------------


def test_clamp_forward_and_dtypes():
    x = T([-2.0, 0.5, 3.0, float("nan")])
    assert ember.clamp(x, -1, 1).tolist()[:3] == [-1.0, 0.5, 1.0]
    assert math.isnan(ember.clamp(x, -1, 1).tolist()[3])
    assert ember.clamp(x, min=0.0).tolist()[:3] == [0.0, 0.5, 3.0]
    assert ember.clip(x, max=0.0).tolist()[:3] == [-2.0, 0.0, 0.0]
    assert ember.clamp(T([1.0, 2.0, 3.0]), 2.5, 1.5).tolist() == [1.5, 1.5, 1.5]
    assert ember.clamp(T([1, 2, 3]), 2).dtype == ember.int64
    assert ember.clamp(T([1, 2, 3]), 0.5).dtype == ember.float32
    assert ember.clamp(T([1, 2, 3]), 1, 2.5).tolist() == [1.0, 2.0, 2.5]
    lo, hi = T([0.0, 1.0, 2.0]), T([1.0])
    assert ember.clamp(T([-1.0, 5.0, 1.5]), lo, hi).tolist() == [0.0, 1.0, 1.0]
    assert ember.clamp_min(T([-1.0, 5.0]), T([0.0, 6.0])).tolist() == [0.0, 6.0]
    assert ember.clamp_max(T([-1.0, 5.0]), 0.0).tolist() == [-1.0, 0.0]
    with pytest.raises(RuntimeError, match="At least one of 'min' or 'max' must not be None"):
        ember.clamp(x)


def test_clamp_gradient_convention_at_bounds():
    x = T([1.0, 2.0, 3.0], requires_grad=True)
    ember.clamp(x, 1.0, 3.0).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]  # bounds included
    x = T([1.0, 2.0, 3.0], requires_grad=True)
    lo = T([1.0, 1.0, 4.0], requires_grad=True)
    hi = T([0.0, 2.0, 5.0], requires_grad=True)
    out = ember.clamp(x, lo, hi)
    assert out.tolist() == [0.0, 2.0, 4.0]
    assert type(out.grad_fn).__name__ == "ClampBackward0"
    out.sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    assert lo.grad.tolist() == [0.0, 0.0, 1.0]
    assert hi.grad.tolist() == [1.0, 0.0, 0.0]
    assert type(ember.clamp(x, 0.0, 1.0).grad_fn).__name__ == "ClampBackward1"
    assert type(ember.clamp_min(x, 0.0).grad_fn).__name__ == "ClampMinBackward0"
    assert type(ember.clamp_max(x, lo).grad_fn).__name__ == "ClampMaxBackward1"


def test_clamp_gradcheck(gradcheck, rand):
    x = rand(2, 3, low=-2, high=2, seed=14)
    lo = rand(3, low=-1.5, high=-0.2, seed=15)
    hi = rand(2, 1, low=0.2, high=1.5, seed=16)
    gradcheck(lambda v: ember.clamp(v, -0.5, 0.7), x, second_order=True)
    gradcheck(ember.clamp, x, lo, hi, second_order=True)
    gradcheck(lambda v, m: ember.clamp_min(v, m), x, lo)
    gradcheck(lambda v, m: ember.clamp(v, max=m), x, hi)


# -- where --------------------------------------------------------------------------------------


def test_where_forward_dtypes_and_errors():
    c = T([True, False, True])
    assert ember.where(c, T([1.0, 2.0, 3.0]), 0.0).tolist() == [1.0, 0.0, 3.0]
    assert ember.where(c, 1.0, T([5.0, 6.0, 7.0])).tolist() == [1.0, 6.0, 1.0]
    assert ember.where(c, T([1, 2, 3]), 2.5).dtype == ember.float32
    assert ember.where(c, T([1, 2, 3], dtype=ember.int32), 2).dtype == ember.int32
    assert ember.where(c, 1, 2.5).dtype == ember.float32
    assert ember.where(T([[True], [False]]), T([1, 2]), T([7])).tolist() == [[1, 2], [7, 7]]
    assert T([1.0, 2.0, 3.0]).where(c, 0.0).tolist() == [1.0, 0.0, 3.0]
    rows, cols = ember.where(T([[True, False], [False, True]]))
    assert rows.tolist() == [0, 1] and cols.tolist() == [0, 1] and rows.dtype == ember.int64
    with pytest.raises(
        RuntimeError,
        match="where expected condition to be a boolean tensor, but got a tensor with dtype "
        "float32",
    ):
        ember.where(ember.tensor([1.0, 0.0]), T([1.0, 2.0]), T([3.0, 4.0]))


def test_where_gradcheck(gradcheck, rand):
    c = T(np.array([[True, False, True], [False, False, True]]))
    a, b = rand(2, 3, seed=17), rand(3, seed=18)
    gradcheck(lambda x, y: ember.where(c, x, y), a, b, second_order=True)
    gradcheck(lambda x: ember.where(c, x * x, 0.0), a, second_order=True)
    assert type(ember.where(c, a, b).grad_fn).__name__ == "WhereBackward0"


# -- complex ------------------------------------------------------------------------------------


def test_complex_helpers_forward():
    z = ember.tensor([1 + 2j, -3 - 1j])
    assert ember.real(z).tolist() == [1.0, -3.0] and z.imag.tolist() == [2.0, -1.0]
    assert ember.conj(z).tolist() == [1 - 2j, -3 + 1j]
    assert ember.abs(z).dtype == ember.float32
    np.testing.assert_allclose(ember.angle(z).numpy(), np.angle(z.numpy()), rtol=1e-6)
    np.testing.assert_allclose(ember.sgn(z).numpy(), z.numpy() / np.abs(z.numpy()), rtol=1e-6)
    assert ember.isreal(T([1 + 0j, 1j])).tolist() == [True, False]
    assert ember.isreal(T([1.0])).tolist() == [True]
    r = ember.view_as_real(z)
    assert r.tolist() == [[1.0, 2.0], [-3.0, -1.0]] and r.dtype == ember.float32
    assert ember.view_as_complex(r).tolist() == z.tolist()
    x = T([1.0, 2.0])
    assert ember.real(x) is x and ember.conj(x) is x
    c = ember.complex(ember.tensor([1.0]), ember.tensor([2.0]))
    assert c.dtype == ember.complex64 and c.tolist() == [1 + 2j]
    p = ember.polar(T([2.0], dtype=ember.float64), T([math.pi / 2], dtype=ember.float64))
    assert p.dtype == ember.complex128 and abs(p.item() - 2j) < 1e-12


def test_complex_views_share_memory():
    z = T([1 + 2j, 3 + 4j])
    re = ember.real(z)
    re[0] = 10.0
    assert z.tolist()[0] == 10 + 2j
    r = ember.view_as_real(z)
    r[1, 1] = -1.0
    assert z.tolist()[1] == 3 - 1j
    assert z._version > 0


def test_complex_errors():
    with pytest.raises(
        RuntimeError, match="imag is not implemented for tensors with non-complex dtypes"
    ):
        ember.imag(T([1.0]))
    with pytest.raises(RuntimeError, match="view_as_real is only supported for complex tensors"):
        ember.view_as_real(T([1.0]))
    with pytest.raises(RuntimeError, match="last dimension of size 2"):
        ember.view_as_complex(T([1.0, 2.0, 3.0]))
    with pytest.raises(RuntimeError, match=r"complex.*Half, Float or Double.*int64"):
        ember.complex(T([1]), T([2]))
    with pytest.raises(RuntimeError, match=r"polar.*same dtype"):
        ember.polar(T([1.0]), T([1.0], dtype=ember.float32))
    with pytest.raises(RuntimeError, match="sign is not intended to support complex"):
        ember.sign(T([1j]))


def test_complex_gradients(gradcheck, rand):
    a, b = rand(3, seed=19), rand(3, seed=20)
    gradcheck(
        lambda x, y: ember.view_as_real(ember.complex(x, y) * ember.complex(y, x)),
        a,
        b,
        second_order=True,
    )
    gradcheck(
        lambda r, t: ember.view_as_real(ember.polar(r, t)),
        a.abs().detach().requires_grad_(True) + 0.5,
        b,
    )
    gradcheck(lambda x, y: ember.abs(ember.complex(x, y)), a, b)
    gradcheck(lambda x, y: ember.angle(ember.complex(x, y)), a, b)
    gradcheck(lambda x, y: ember.view_as_real(ember.exp(ember.complex(x, y))), a, b)
    gradcheck(lambda x, y: ember.view_as_real(ember.sgn(ember.complex(x, y))), a, b)
    gradcheck(lambda x, y: ember.real(ember.conj(ember.complex(x, y)) * ember.complex(y, y)), a, b)
    gradcheck(lambda x, y: ember.imag(ember.sin(ember.complex(x, y))), a, b)
    m = rand(3, 2, seed=21)
    gradcheck(lambda v: ember.abs(ember.view_as_complex(v)), m)


# -- in-place forms -----------------------------------------------------------------------------


def test_inplace_updates_and_bumps_version():
    x = T([0.0, 1.0])
    v0 = x._version
    assert x.exp_() is x
    np.testing.assert_allclose(x.numpy(), np.exp([0.0, 1.0]))
    assert x._version == v0 + 1
    x.clamp_(max=2.0)
    assert x.tolist()[1] == 2.0
    y = T([7, -7])
    y //= 2
    assert y.tolist() == [3, -4]
    y %= 2
    assert y.tolist() == [1, 0]
    z = T([1.0, 2.0])
    z.lerp_(T([3.0, 4.0]), 0.5)
    assert z.tolist() == [2.0, 3.0]
    z.addcmul_(T([1.0, 1.0]), T([2.0, 2.0]), value=0.5)
    assert z.tolist() == [3.0, 4.0]
    z.polygamma_(0)
    np.testing.assert_allclose(z.numpy(), sp.psi([3.0, 4.0]), rtol=1e-6)
    row = T([[4.0, 9.0], [1.0, 1.0]])[0]
    row.sqrt_()
    assert row.tolist() == [2.0, 3.0]
    with pytest.raises(
        RuntimeError, match="result type float32 can't be cast to the desired output type int64"
    ):
        T([1, 2]).exp_()


def test_inplace_autograd():
    a = T([0.5, 1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        a.sin_()
    b = a * 2
    b.tanh_()
    assert type(b.grad_fn).__name__ == "TanhBackward0"
    b.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * (1 - np.tanh([1.0, 2.0]) ** 2), rtol=1e-6)
    # a saved output modified in place is detected at backward
    c = T([0.5, 1.0], requires_grad=True)
    d = c.exp()
    d.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        d.sum().backward()
    # in-place with a tensor argument that requires grad
    e = T([1.0, 2.0])
    w = T([0.5, 0.5], requires_grad=True)
    e.clamp_(min=w)
    e.lerp_(w, 0.5)
    e.sum().backward()
    assert w.grad.tolist() == [0.5, 0.5]


def test_abs_operator_and_out():
    assert abs(T([-1.0, 2.0])).tolist() == [1.0, 2.0]
    out = ember.empty(2)
    ember.exp(T([0.0, 0.0]), out=out)
    assert out.tolist() == [1.0, 1.0]
    ember.atan2(T([0.0, 0.0]), T([1.0, 1.0]), out=out)
    assert out.tolist() == [0.0, 0.0]


# -- special functions: NumPy fallbacks against SciPy ------------------------------------------


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the private kernels run unguarded here
def test_numpy_fallbacks_match_scipy():
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-6, 6, 2000), rng.uniform(-30, 30, 200),
                        [0.0, 0.46875, -0.46875, 4.0, 26.0, 30.0, np.inf, -np.inf, np.nan,
                         1e-300]])  # fmt: skip
    np.testing.assert_allclose(special_math._np_erf(x), sp.erf(x), rtol=1e-13, atol=0)
    np.testing.assert_allclose(special_math._np_erfc(x), sp.erfc(x), rtol=1e-12, atol=1e-300)
    xp = np.concatenate([x[np.isfinite(x)], [np.inf, np.nan]])
    np.testing.assert_allclose(special_math._np_lgamma(xp), sp.gammaln(xp), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(special_math._np_digamma(xp), sp.psi(xp), rtol=1e-12, atol=1e-12)
    xz = np.concatenate([rng.uniform(0.05, 20, 500), [-0.5, -1.5, -2.3, -7.7]])
    for n in (1, 2, 3, 5):
        np.testing.assert_allclose(
            special_math._np_polygamma(n, xz), sp.polygamma(n, xz), rtol=1e-12
        )
    y = np.concatenate([rng.uniform(-1, 1, 2000), 1 - np.logspace(-16, -1, 50),
                        -1 + np.logspace(-16, -1, 50),
                        [0.0, 1.0, -1.0, 1.5, np.nan, 1e-300]])  # fmt: skip
    np.testing.assert_allclose(special_math._np_erfinv(y), sp.erfinv(y), rtol=1e-13, atol=0)
    xb = np.concatenate([x, np.linspace(-700, 700, 301)])
    np.testing.assert_allclose(special_math._np_i1(xb), sp.i1(xb), rtol=1e-13, atol=0)


def test_ops_without_scipy(monkeypatch, gradcheck, rand):
    monkeypatch.setattr(special_math, "_scipy_special", lambda: None)
    x = RNG.uniform(0.1, 0.9, 6)
    for name, ref in (("erf", sp.erf), ("erfc", sp.erfc), ("erfinv", sp.erfinv),
                      ("lgamma", sp.gammaln), ("digamma", sp.psi), ("i0", sp.i0)):  # fmt: skip
        out = getattr(ember, name)(T(x))
        np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-12)
        assert getattr(ember, name)(T(x, dtype=ember.float32)).dtype == ember.float32
    np.testing.assert_allclose(ember.polygamma(2, T(x)).numpy(), sp.polygamma(2, x), rtol=1e-12)
    assert ember.digamma(T([0.0])).item() == -math.inf
    v = rand(3, low=0.5, high=2, seed=22)
    gradcheck(ember.lgamma, v, second_order=True)
    gradcheck(ember.i0, v, second_order=True)
