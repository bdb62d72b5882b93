"""Reductions: forward against NumPy, dtypes, errors, gradients (first and second order)."""

from __future__ import annotations

import math
import pickle

import numpy as np
import pytest

import ember
from ember.autograd._graph_ns import G

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2, 3, 4))
DIMS = [None, 0, -1, 1, (0, 2), (-1, 0)]


def t(a, **kw):
    return ember.tensor(a, **kw)


# -- forward against NumPy -----------------------------------------------------------------------

FORWARD = {
    "sum": (lambda x, d, k: ember.sum(x, d, k), lambda a, d, k: np.sum(a, axis=d, keepdims=k)),
    "mean": (lambda x, d, k: x.mean(d, k), lambda a, d, k: np.mean(a, axis=d, keepdims=k)),
    "nansum": (
        lambda x, d, k: ember.nansum(x, d, k),
        lambda a, d, k: np.nansum(a, axis=d, keepdims=k),
    ),
    "nanmean": (
        lambda x, d, k: ember.nanmean(x, d, k),
        lambda a, d, k: np.nanmean(a, axis=d, keepdims=k),
    ),
    "amax": (
        lambda x, d, k: ember.amax(x, () if d is None else d, k),
        lambda a, d, k: np.amax(a, axis=d, keepdims=k),
    ),
    "amin": (
        lambda x, d, k: x.amin(() if d is None else d, k),
        lambda a, d, k: np.amin(a, axis=d, keepdims=k),
    ),
    "var": (
        lambda x, d, k: x.var(d, keepdim=k),
        lambda a, d, k: np.var(a, axis=d, ddof=1, keepdims=k),
    ),
    "std": (
        lambda x, d, k: ember.std(x, d, keepdim=k, correction=0),
        lambda a, d, k: np.std(a, axis=d, keepdims=k),
    ),
    "logsumexp": (
        lambda x, d, k: ember.logsumexp(x, d, k),
        lambda a, d, k: np.log(np.sum(np.exp(a), axis=d, keepdims=k)),
    ),
    "norm2": (
        lambda x, d, k: x.norm(2, d, k),
        lambda a, d, k: np.sqrt(np.sum(a * a, axis=d, keepdims=k)),
    ),
    "norm3": (
        lambda x, d, k: x.norm(3, d, k),
        lambda a, d, k: np.sum(np.abs(a) ** 3, axis=d, keepdims=k) ** (1 / 3),
    ),
    "norm_inf": (
        lambda x, d, k: x.norm(math.inf, d, k),
        lambda a, d, k: np.max(np.abs(a), axis=d, keepdims=k),
    ),
    "norm0": (
        lambda x, d, k: x.norm(0, d, k),
        lambda a, d, k: np.sum(a != 0, axis=d, keepdims=k).astype(a.dtype),
    ),
    "all": (lambda x, d, k: ember.all(x, d, k), lambda a, d, k: np.all(a, axis=d, keepdims=k)),
    "any": (lambda x, d, k: x.any(d, k), lambda a, d, k: np.any(a, axis=d, keepdims=k)),
}


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", DIMS)
@pytest.mark.parametrize("name", list(FORWARD))
def test_forward_matches_numpy(name, dim, keepdim):
    ours, ref = FORWARD[name]
    a = A.copy()
    if name in ("all", "any"):
        a = (A > -0.5).astype(np.float64)
    if name == "norm0":
        a[0, 0, :2] = 0
    out = ours(t(a), dim, keepdim)
    expected = ref(a, dim if not isinstance(dim, tuple) else tuple(dim), keepdim)
    assert tuple(out.shape) == np.shape(expected)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-10, atol=1e-12)


def test_prod_forward_and_dtypes():
    a = RNG.uniform(0.5, 1.5, (3, 4))
    np.testing.assert_allclose(t(a).prod().numpy(), np.prod(a))
    np.testing.assert_allclose(t(a).prod(1, keepdim=True).numpy(), np.prod(a, 1, keepdims=True))
    np.testing.assert_allclose(ember.prod(t(a), -2).numpy(), np.prod(a, 0))
    assert t([1, 2, 3], dtype=ember.int32).prod().dtype is ember.int64
    assert t([True, True]).prod().item() == 1
    assert t([2, 3]).prod(dtype=ember.float64).dtype is ember.float64


def test_count_nonzero_and_logical_dtypes():
    x = t([[1, 0], [2, 3]])
    assert ember.count_nonzero(x).item() == 3
    assert ember.count_nonzero(x, dim=0).tolist() == [2, 1]
    assert ember.count_nonzero(x, dim=(0, 1)).dtype is ember.int64
    assert t([1, 2], dtype=ember.uint8).all().dtype is ember.uint8
    assert t([1.0, 0.0]).any(0).dtype is ember.bool
    assert t([[True, False]]).all(dim=1, keepdim=True).tolist() == [[False]]


# -- dtypes, aliases and signatures --------------------------------------------------------------


@pytest.mark.parametrize("dt", [ember.int8, ember.int32, ember.int64, ember.uint8, ember.bool])
def test_sum_of_integers_is_int64(dt):
    x = t([1, 1, 0], dtype=dt)
    assert x.sum().dtype is ember.int64
    assert x.sum(0).dtype is ember.int64
    assert x.sum().item() == 2


def test_sum_dtype_argument_and_float_dtypes():
    assert t([1, 2]).sum(dtype=ember.float32).dtype is ember.float32
    assert t([1.0], dtype=ember.float16).sum().dtype is ember.float16
    x = t([1.0, 2.0], requires_grad=True)
    x.sum(dtype=ember.float64).backward()
    assert x.grad.dtype is ember.float32


def test_numpy_keyword_aliases():
    x = t(A)
    np.testing.assert_allclose(
        ember.sum(x, axis=(0, 1), keepdims=True).numpy(), A.sum((0, 1), keepdims=True)
    )
    np.testing.assert_allclose(ember.mean(x, axis=0).numpy(), A.mean(0))
    np.testing.assert_allclose(
        ember.amax(x, axis=-1, keepdims=True).numpy(), A.max(-1, keepdims=True)
    )
    np.testing.assert_allclose(ember.amin(x, axis=1).numpy(), A.min(1))
    np.testing.assert_allclose(ember.prod(x, axis=2).numpy(), A.prod(2))
    np.testing.assert_allclose(ember.logsumexp(x, axis=1).numpy(), np.log(np.exp(A).sum(1)))


def test_graph_namespace_reductions():
    x = t(A)
    np.testing.assert_allclose(
        G.sum(x, axis=(0, 2), keepdims=True).numpy(), A.sum((0, 2), keepdims=True)
    )
    np.testing.assert_allclose(G.max(x, axis=1).numpy(), A.max(1))
    np.testing.assert_allclose(G.min(x, axis=1, keepdims=True).numpy(), A.min(1, keepdims=True))
    np.testing.assert_allclose(G.mean(x, axis=None).numpy(), A.mean())
    np.testing.assert_allclose(G.amax(x, axis=(0, 1)).numpy(), A.max((0, 1)))
    np.testing.assert_allclose(G.cumsum(x, axis=1).numpy(), A.cumsum(1))
    np.testing.assert_allclose(G.var(x, axis=0, ddof=0).numpy(), A.var(0))


def test_mean_of_integers_raises_naming_dtype():
    with pytest.raises(RuntimeError, match=r"mean\(\).*floating point.*Got: Long"):
        t([1, 2]).mean()
    with pytest.raises(RuntimeError, match="Got: Int"):
        ember.mean(t([1, 2], dtype=ember.int32), 0)
    assert t([1, 2]).mean(dtype=ember.float32).item() == 1.5
    with pytest.raises(RuntimeError, match="std and var only support floating point"):
        t([1, 2]).var()
    with pytest.raises(RuntimeError, match=r"Expected a floating point or complex tensor.*Long"):
        t([1, 2]).norm()


def test_dim_errors():
    x = t(A)
    with pytest.raises(
        IndexError,
        match="Dimension out of range \\(expected to be in range of \\[-3, 2\\], but got 3\\)",
    ):
        x.sum(3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.max(-4)
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.amax(x, (0, 5))
    with pytest.raises(RuntimeError, match="appears multiple times"):
        x.sum((0, -3))


def test_var_signature_variants():
    x = t([[1.0, 2.0, 3.0, 4.0]])
    assert x.var().item() == pytest.approx(5 / 3)
    assert ember.var(x, False).item() == pytest.approx(1.25)
    assert ember.var(x, unbiased=False).item() == pytest.approx(1.25)
    assert ember.var(x, 1, True, True).shape == (1, 1)
    assert ember.var(x, 1, False).tolist() == [1.25]
    assert ember.var(x, dim=1, correction=2).tolist() == [pytest.approx(2.5)]
    assert ember.std(x, dim=(0, 1), keepdim=True, correction=0).shape == (1, 1)
    v, m = ember.var_mean(x, 1)
    np.testing.assert_allclose([v.item(), m.item()], [5 / 3, 2.5])
    s, m = ember.std_mean(x, dim=1, correction=0)
    np.testing.assert_allclose([s.item(), m.item()], [math.sqrt(1.25), 2.5])
    with pytest.raises(RuntimeError, match="both unbiased and correction"):
        ember.var(x, 1, True, correction=1)


# -- edge cases ----------------------------------------------------------------------------------


def test_empty_reductions():
    z = ember.zeros(0, 3)
    assert z.sum(0).tolist() == [0.0, 0.0, 0.0]
    assert np.isnan(z.mean(0).numpy()).all()
    assert z.prod(0).tolist() == [1.0, 1.0, 1.0]
    assert z.amax(1).shape == (0,)
    assert (z.logsumexp(0).numpy() == -np.inf).all()
    with pytest.warns(UserWarning, match="degrees of freedom"):
        assert np.isnan(z.var(0).numpy()).all()
    with pytest.raises(
        IndexError, match="amax\\(\\): Expected reduction dim 0 to have non-zero size"
    ):
        z.amax(0)
    with pytest.raises(
        IndexError, match="max\\(\\): Expected reduction dim 0 to have non-zero size"
    ):
        z.max(0)
    with pytest.raises(RuntimeError, match="max\\(\\): Expected reduction dim to be specified"):
        z.max()
    with pytest.raises(IndexError, match="argmax\\(\\): Expected reduction dim to be specified"):
        z.argmax()


def test_zero_dim_tensors():
    s = t(5.0)
    assert s.sum(0).item() == 5.0
    assert s.sum(-1, keepdim=True).shape == ()
    r = s.max(0)
    assert r.values.item() == 5.0 and r.indices.item() == 0
    assert s.argmax(0).item() == 0
    assert s.norm().item() == 5.0
    assert s.logsumexp(0).item() == 5.0
    x = t(3.0, requires_grad=True)
    x.max(0).values.backward()
    assert x.grad.item() == 1.0


def test_logsumexp_is_stable():
    x = t([[1000.0, 1000.0], [-1000.0, -1000.0]], dtype=ember.float64)
    np.testing.assert_allclose(x.logsumexp(1).numpy(), [1000 + np.log(2), -1000 + np.log(2)])
    ninf = t([-np.inf, -np.inf])
    assert ninf.logsumexp(0).item() == -np.inf
    assert t([1, 2]).logsumexp(0).dtype is ember.float32


def test_norm_variants():
    x = t([[3.0, -4.0], [0.0, 1.0]])
    assert x.norm().item() == pytest.approx(math.sqrt(26))
    assert ember.norm(x, "fro").item() == pytest.approx(math.sqrt(26))
    assert x.norm(p=1, dim=1).tolist() == [7.0, 1.0]
    assert x.norm(float("inf")).item() == 4.0
    assert x.norm(-math.inf, dim=0).tolist() == [0.0, 1.0]
    assert x.norm(0).item() == 3.0
    assert x.norm(2, dim=0, keepdim=True).shape == (1, 2)
    assert x.norm(dtype=ember.float64).dtype is ember.float64


# -- max / min / arg ops -------------------------------------------------------------------------


def test_max_min_with_dim_return_types():
    x = t([[1, 5, 5], [2, 0, 2]])
    r = ember.max(x, 1)
    assert isinstance(r, ember.return_types.max)
    assert r.values.tolist() == [5, 2] and r.indices.tolist() == [1, 0]
    values, indices = x.min(dim=0, keepdim=True)
    assert values.tolist() == [[1, 0, 2]] and indices.tolist() == [[0, 1, 1]]
    assert repr(r) == "ember.return_types.max(\nvalues=tensor([5, 2]),\nindices=tensor([1, 0]))"
    assert r == (r[0], r[1])
    back = pickle.loads(pickle.dumps(ember.return_types.max(1, 2)))
    assert type(back) is ember.return_types.max and back.indices == 2
    assert ember.max(x).item() == 5 and x.min().item() == 0


def test_max_binary_form_is_maximum():
    a = t([1.0, 4.0])
    b = t([3.0, 2.0])
    assert ember.max(a, b).tolist() == [3.0, 4.0]
    assert a.min(b).tolist() == [1.0, 2.0]


def test_max_propagates_nan():
    x = t([[1.0, np.nan, 3.0]])
    r = x.max(1)
    assert np.isnan(r.values.item()) and r.indices.item() == 1
    assert np.isnan(x.max().item()) and np.isnan(x.amin().item())
    assert x.argmin().item() == 1


@pytest.mark.parametrize("dim", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdim", [False, True])
def test_argmax_argmin(dim, keepdim):
    a = RNG.standard_normal((3, 4))
    for ours, ref in ((ember.argmax, np.argmax), (ember.argmin, np.argmin)):
        out = ours(t(a), dim, keepdim)
        expected = ref(a, axis=dim, keepdims=keepdim)
        assert out.dtype is ember.int64
        assert out.tolist() == np.asarray(expected).tolist()


def test_aminmax():
    x = t([[1, 5], [3, 2]])
    r = ember.aminmax(x, dim=0, keepdim=True)
    assert isinstance(r, ember.return_types.aminmax)
    assert r.min.tolist() == [[1, 2]] and r.max.tolist() == [[3, 5]]
    lo, hi = ember.aminmax(x)
    assert (lo.item(), hi.item()) == (1, 5)


# -- gradients -----------------------------------------------------------------------------------

GRAD_CASES = {
    "sum": lambda x: x.sum(),
    "sum_dims": lambda x: ember.sum(x, (0, 2), keepdim=True),
    "mean": lambda x: x.mean(),
    "mean_dim": lambda x: x.mean(-1),
    "nansum": lambda x: ember.nansum(x, 1),
    "nanmean": lambda x: ember.nanmean(x, 1),
    "prod": lambda x: x.prod(),
    "prod_dim": lambda x: x.prod(1, keepdim=True),
    "amax": lambda x: ember.amax(x, (0, 1)),
    "amin": lambda x: x.amin(-1),
    "max_dim": lambda x: x.max(1).values,
    "min_dim": lambda x: x.min(0, keepdim=True).values,
    "max_full": lambda x: x.max(),
    "var": lambda x: x.var(1),
    "var_all": lambda x: x.var(),
    "std": lambda x: x.std((0, 2), keepdim=True),
    "var_mean": lambda x: ember.var_mean(x, 1),
    "std_mean": lambda x: ember.std_mean(x, 2, correction=0),
    "logsumexp": lambda x: x.logsumexp(1),
    "logsumexp_all": lambda x: ember.logsumexp(x, (0, 1, 2)),
    "norm": lambda x: x.norm(),
    "norm1": lambda x: x.norm(1, dim=1),
    "norm3": lambda x: x.norm(3, dim=-1, keepdim=True),
    "norm_half": lambda x: x.norm(0.5, dim=0),
    "norm_inf": lambda x: x.norm(math.inf, dim=1),
    "norm_ninf": lambda x: x.norm(-math.inf),
    "norm0": lambda x: x.norm(0),
    "aminmax": lambda x: ember.aminmax(x, dim=1),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradcheck(name, gradcheck, rand):
    x = rand(2, 3, 4, seed=1, low=0.2, high=1.5) if "prod" in name else rand(2, 3, 4, seed=1)
    gradcheck(GRAD_CASES[name], x)


SECOND_ORDER = {
    "sum": lambda x: (x * x).sum(1),
    "mean": lambda x: (x * x).mean((0, 1)),
    "prod": lambda x: x.prod(1),
    "prod_all": lambda x: x.prod(),
    "amax": lambda x: ember.amax(x * x, 1),
    "var": lambda x: x.var(1),
    "std": lambda x: x.std(-1),
    "logsumexp": lambda x: x.logsumexp(1),
    "norm": lambda x: x.norm(dim=1),
    "norm3": lambda x: x.norm(3),
}


@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_second_order(name, gradcheck, rand):
    x = rand(2, 3, seed=2, low=0.3, high=1.2) if "prod" in name else rand(2, 3, seed=2)
    gradcheck(SECOND_ORDER[name], x, second_order=True)


def test_prod_gradient_with_zeros(gradcheck, rand):
    x = rand(3, 4, seed=3, low=0.5, high=1.5)
    with ember.no_grad():
        x[0, 1] = 0.0  # one zero in row 0
        x[1, 0] = 0.0  # two zeros in row 1
        x[1, 3] = 0.0
    x.requires_grad_(True)
    gradcheck(lambda v: v.prod(1), x)
    gradcheck(lambda v: v.prod(), x)
    y = t([2.0, 0.0, 3.0], requires_grad=True)
    y.prod().backward()
    assert y.grad.tolist() == [0.0, 6.0, 0.0]


def test_prod_second_order_with_single_zero(gradcheck, rand):
    x = rand(2, 3, seed=4, low=0.5, high=1.5)
    with ember.no_grad():
        x[0, 1] = 0.0
    x.requires_grad_(True)
    gradcheck(lambda v: v.prod(1), x, second_order=True)


def test_ties_share_gradient_evenly():
    x = t([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    ember.amax(x, 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    y = t([1.0, 3.0, 3.0], requires_grad=True)
    y.max().backward()
    assert y.grad.tolist() == [0.0, 0.5, 0.5]
    z = t([1.0, 3.0, 3.0], requires_grad=True)
    z.max(0).values.backward()
    assert z.grad.tolist() == [0.0, 1.0, 0.0]


def test_std_of_constant_has_zero_gradient():
    x = ember.ones(3, requires_grad=True)
    x.std().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    y = ember.zeros(3, requires_grad=True)
    y.norm().backward()
    assert y.grad.tolist() == [0.0, 0.0, 0.0]


def test_grad_fn_names():
    x = t(A, requires_grad=True)
    assert x.sum().grad_fn.name() == "SumBackward0"
    assert x.sum(1).grad_fn.name() == "SumBackward1"
    assert x.mean().grad_fn.name() == "MeanBackward0"
    assert x.max().grad_fn.name() == "MaxBackward1"
    assert x.max(1).values.grad_fn.name() == "MaxBackward0"
    assert x.prod(1).grad_fn.name() == "ProdBackward1"
    assert x.amax(1).grad_fn.name() == "AmaxBackward0"
    assert x.norm().grad_fn.name() == "LinalgVectorNormBackward0"


def test_out_arguments():
    x = t([[1.0, 5.0], [3.0, 2.0]])
    out = ember.empty(0)
    assert ember.sum(x, 1, out=out) is out and out.tolist() == [6.0, 5.0]
    values, indices = ember.empty(0), ember.empty(0, dtype=ember.int64)
    r = ember.max(x, 1, out=(values, indices))
    assert r.values is values and values.tolist() == [5.0, 3.0] and indices.tolist() == [1, 0]
    with pytest.raises(
        RuntimeError, match=r"out=\.\.\. arguments don't support automatic differentiation"
    ):
        ember.sum(t([1.0], requires_grad=True), out=ember.empty(0))
