"""Sorting, order statistics and counting ops: forward against NumPy, errors, gradients."""

from __future__ import annotations

import numpy as np
import pytest

import ember

RNG = np.random.default_rng(0)
NAN = float("nan")


def t(a, **kw):
    return ember.tensor(a, **kw)


# -- sort / argsort / msort ----------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("descending", [False, True])
def test_sort_matches_numpy(dim, descending):
    a = RNG.integers(0, 4, (5, 6)).astype(np.float64)  # many ties
    r = ember.sort(t(a), dim=dim, descending=descending, stable=True)
    assert isinstance(r, ember.return_types.sort)
    expected_idx = np.argsort(-a if descending else a, axis=dim, kind="stable")
    assert r.indices.tolist() == expected_idx.tolist()
    np.testing.assert_array_equal(r.values.numpy(), np.take_along_axis(a, expected_idx, dim))
    assert t(a).argsort(dim, descending=descending).tolist() == expected_idx.tolist()


def test_sort_nan_is_largest_and_stable():
    x = t([2.0, NAN, 1.0, 2.0])
    r = x.sort(descending=True)
    assert r.indices.tolist() == [1, 0, 3, 2]
    assert np.isnan(r.values[0].item())
    assert x.sort().indices.tolist() == [2, 0, 3, 1]


def test_sort_zero_dim_and_msort():
    r = t(3.0).sort()
    assert r.values.item() == 3.0 and r.indices.item() == 0
    assert ember.msort(t([[3, 1], [1, 2]])).tolist() == [[1, 1], [3, 2]]
    assert t([3, 1, 2]).argsort(descending=True).tolist() == [0, 2, 1]


# -- topk / kthvalue -----------------------------------------------------------------------------


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("dim", [0, -1])
def test_topk(largest, dim):
    a = RNG.permutation(24).reshape(4, 6).astype(np.float64)
    r = ember.topk(t(a), 3, dim=dim, largest=largest)
    order = np.argsort(-a if largest else a, axis=dim)
    idx = order[:3] if dim == 0 else order[:, :3]
    assert r.indices.tolist() == idx.tolist()
    np.testing.assert_array_equal(r.values.numpy(), np.take_along_axis(a, idx, dim))


def test_topk_ties_and_errors():
    r = t([1.0, 5.0, 3.0, 5.0]).topk(2)
    assert r.indices.tolist() == [1, 3]
    assert t([1.0, 5.0, 3.0]).topk(0).values.shape == (0,)
    with pytest.raises(RuntimeError, match="selected index k out of range"):
        t([1.0, 2.0]).topk(3)


def test_kthvalue():
    a = RNG.permutation(12).reshape(3, 4).astype(np.float64)
    r = ember.kthvalue(t(a), 2, dim=1, keepdim=True)
    np.testing.assert_array_equal(r.values.numpy(), np.sort(a, 1)[:, 1:2])
    assert r.indices.tolist() == np.argsort(a, 1)[:, 1:2].tolist()
    assert t([3.0, 1.0, 2.0]).kthvalue(2).indices.item() == 2
    with pytest.raises(RuntimeError, match="kthvalue\\(\\): selected number k out of range"):
        t([1.0, 2.0]).kthvalue(3)


# -- median / nanmedian / mode -------------------------------------------------------------------


def test_median_is_lower_median():
    assert ember.median(t([1.0, 4.0, 2.0, 3.0])).item() == 2.0
    assert t([[5, 1, 3]]).median().item() == 3
    a = RNG.standard_normal((4, 6))
    r = t(a).median(dim=1)
    expected = np.sort(a, 1)[:, 2]
    np.testing.assert_array_equal(r.values.numpy(), expected)
    np.testing.assert_array_equal(a[np.arange(4), r.indices.numpy()], expected)
    assert t(a).median(0, keepdim=True).values.shape == (1, 6)
    r = t([[1.0, 3.0, 2.0, 2.0]]).median(1)
    assert r.values.tolist() == [2.0] and r.indices.tolist() == [2]


def test_median_nan_handling():
    assert np.isnan(t([1.0, NAN, 3.0]).median().item())
    assert t([1.0, NAN, 3.0]).nanmedian().item() == 1.0
    assert np.isnan(t([NAN, NAN]).nanmedian().item())
    assert np.isnan(t([]).median().item())
    r = t([[1.0, NAN, NAN]]).median(1)
    assert np.isnan(r.values.item()) and r.indices.item() == 1
    r = ember.nanmedian(t([[NAN, NAN], [1.0, NAN]]), 1)
    assert np.isnan(r.values[0].item()) and r.values[1].item() == 1.0
    assert r.indices.tolist() == [0, 0]
    with pytest.raises(
        IndexError, match="median\\(\\): Expected reduction dim 0 to have non-zero size"
    ):
        ember.zeros(0, 2).median(0)


def test_mode():
    r = ember.mode(t([[1, 2, 2, 1, 3], [4, 4, 0, 0, 0]]))
    assert isinstance(r, ember.return_types.mode)
    assert r.values.tolist() == [1, 0]  # ties: smallest value
    assert r.indices.tolist() == [3, 4]  # index of the last occurrence
    r = t([[1.0, 2.0], [1.0, 3.0], [2.0, 3.0]]).mode(0, keepdim=True)
    assert r.values.tolist() == [[1.0, 3.0]] and r.indices.tolist() == [[1, 2]]
    assert t(3.0).mode().values.item() == 3.0


# -- quantile ------------------------------------------------------------------------------------


@pytest.mark.parametrize("interpolation", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("dim", [None, 0, 1])
def test_quantile_matches_numpy(interpolation, dim):
    a = RNG.standard_normal((4, 5))
    q = np.array([0.0, 0.3, 0.5, 0.95, 1.0])
    out = ember.quantile(t(a), t(q), dim=dim, interpolation=interpolation)
    expected = np.quantile(a, q, axis=dim, method=interpolation)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12)
    out = t(a).quantile(0.3, dim=dim, keepdim=True, interpolation=interpolation)
    np.testing.assert_allclose(
        out.numpy(), np.quantile(a, 0.3, axis=dim, keepdims=True, method=interpolation)
    )


def test_nanquantile_and_nan_rows():
    a = np.array([[1.0, NAN, 3.0, 4.0], [NAN, NAN, NAN, NAN], [1.0, 2.0, 3.0, 4.0]])
    out = ember.nanquantile(t(a), 0.5, dim=1)
    np.testing.assert_allclose(out.numpy(), [3.0, NAN, 2.5])
    out = ember.quantile(t(a), t([0.25, 0.5], dtype=ember.float64), dim=1, keepdim=True)
    assert out.shape == (2, 3, 1)
    assert np.isnan(out[:, 0].numpy()).all() and out[0, 2, 0].item() == 1.75


def test_quantile_errors():
    with pytest.raises(RuntimeError, match="input tensor must be either float or double"):
        ember.quantile(t([1, 2]), 0.5)
    with pytest.raises(RuntimeError, match=r"q must be in the range \[0, 1\] but got 1\.5"):
        ember.quantile(t([1.0, 2.0]), 1.5)
    with pytest.raises(RuntimeError, match="interpolation must be one of"):
        ember.quantile(t([1.0, 2.0]), 0.5, interpolation="foo")
    with pytest.raises(RuntimeError, match="same dtype"):
        ember.quantile(t([1.0, 2.0]), t(0.5, dtype=ember.float64))


# -- unique / counting ---------------------------------------------------------------------------


def test_unique():
    x = t([[3, 1], [2, 1]])
    assert ember.unique(x).tolist() == [1, 2, 3]
    out, inv, counts = x.unique(return_inverse=True, return_counts=True)
    assert inv.tolist() == [[2, 0], [1, 0]] and counts.tolist() == [2, 1, 1]
    out, counts = ember.unique(t([3, 1, 1]), return_counts=True)
    assert counts.tolist() == [2, 1]
    out, inv, counts = ember.unique(
        t([[1, 2], [1, 2], [0, 1]]), dim=0, return_inverse=True, return_counts=True
    )
    assert (
        out.tolist() == [[0, 1], [1, 2]] and inv.tolist() == [1, 1, 0] and counts.tolist() == [1, 2]
    )
    assert ember.unique(t([1.0, NAN, NAN])).shape == (3,)  # NaNs are not equal to each other
    a = RNG.integers(0, 5, 30)
    np.testing.assert_array_equal(ember.unique(t(a)).numpy(), np.unique(a))


def test_unique_consecutive():
    out, inv, counts = ember.unique_consecutive(
        t([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True, return_counts=True
    )
    assert out.tolist() == [1, 2, 3, 1, 2]
    assert inv.tolist() == [0, 0, 1, 1, 2, 3, 3, 4]
    assert counts.tolist() == [2, 2, 1, 2, 1]
    out, counts = t([[1, 1, 2], [1, 1, 3]]).unique_consecutive(dim=1, return_counts=True)
    assert out.tolist() == [[1, 2], [1, 3]] and counts.tolist() == [2, 1]


def test_bincount():
    assert ember.bincount(t([0, 1, 1, 3])).tolist() == [1, 2, 0, 1]
    assert t([0, 1]).bincount(minlength=4).tolist() == [1, 1, 0, 0]
    w = ember.bincount(t([0, 1, 1]), weights=t([1.0, 2.0, 3.0]))
    assert w.tolist() == [1.0, 5.0] and w.dtype is ember.float32
    assert ember.bincount(t([0, 1]), weights=t([1, 2])).dtype is ember.float64
    assert ember.bincount(t([], dtype=ember.int64)).tolist() == []
    with pytest.raises(
        RuntimeError, match="bincount only supports 1-d non-negative integral inputs"
    ):
        ember.bincount(t([-1, 2]))
    with pytest.raises(RuntimeError, match="bincount only supports"):
        ember.bincount(t([[1]]))


def test_histc_and_histogram():
    h = ember.histc(t([1.0, 2.0, 1.0, 5.0, 7.0]), bins=4, min=0, max=3)
    assert h.tolist() == [0.0, 2.0, 1.0, 0.0]
    assert t([1.0, 1.0]).histc(bins=4).tolist() == [0.0, 0.0, 2.0, 0.0]
    a = RNG.standard_normal(50)
    np.testing.assert_array_equal(t(a).histc(bins=7).numpy(), np.histogram(a, 7)[0])
    with pytest.raises(RuntimeError, match="max must be larger than min"):
        ember.histc(t([1.0]), min=3, max=1)
    with pytest.raises(RuntimeError, match="floating point"):
        ember.histc(t([1, 2]))
    r = ember.histogram(t([1.0, 2.0, 1.0]), bins=4, range=(0.0, 3.0), weight=t([1.0, 2.0, 4.0]))
    assert isinstance(r, ember.return_types.histogram)
    assert r.hist.tolist() == [0.0, 5.0, 2.0, 0.0]
    np.testing.assert_allclose(r.bin_edges.numpy(), [0.0, 0.75, 1.5, 2.25, 3.0])
    hist, edges = t(a).histogram(t([-3.0, 0.0, 1.0, 3.0], dtype=ember.float64), density=True)
    exp_hist, exp_edges = np.histogram(a, [-3.0, 0.0, 1.0, 3.0], density=True)
    np.testing.assert_allclose(hist.numpy(), exp_hist)
    np.testing.assert_allclose(edges.numpy(), exp_edges)


# -- gradients -----------------------------------------------------------------------------------

GRAD_CASES = {
    "sort": lambda x: x.sort(1).values,
    "sort_desc": lambda x: ember.sort(x, 0, descending=True).values,
    "msort": lambda x: ember.msort(x),
    "topk": lambda x: x.topk(2, dim=1).values,
    "topk_small": lambda x: x.topk(3, dim=0, largest=False).values,
    "kthvalue": lambda x: x.kthvalue(2, 1, keepdim=True).values,
    "median_dim": lambda x: x.median(1).values,
    "median": lambda x: x.median(),
    "nanmedian": lambda x: x.nanmedian(0).values,
    "nanmedian_all": lambda x: ember.nanmedian(x),
    "mode": lambda x: x.mode(1).values,
    "quantile": lambda x: ember.quantile(x, ember.tensor([0.2, 0.7], dtype=ember.float64), dim=1),
    "quantile_all": lambda x: x.quantile(0.4),
    "quantile_mid": lambda x: x.quantile(0.5, dim=0, interpolation="midpoint"),
    "nanquantile": lambda x: x.nanquantile(0.3, dim=1, keepdim=True),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_gradcheck(name, gradcheck, rand):
    gradcheck(GRAD_CASES[name], rand(3, 4, seed=5))


@pytest.mark.parametrize("name", ["sort", "sort_desc", "topk", "topk_small"])
def test_second_order(name, gradcheck, rand):
    f = GRAD_CASES[name]
    gradcheck(lambda x: f(x * x), rand(3, 4, seed=6), second_order=True)


def test_nanmedian_gradient_skips_nan():
    x = t([[1.0, NAN, 3.0, 2.0]], requires_grad=True)
    x.nanmedian(1).values.sum().backward()
    assert x.grad.tolist() == [[0.0, 0.0, 0.0, 1.0]]


def test_grad_fn_names():
    x = t(RNG.standard_normal((3, 4)), requires_grad=True)
    assert x.sort().values.grad_fn.name() == "SortBackward0"
    assert x.topk(2).values.grad_fn.name() == "TopkBackward0"
    assert x.median().grad_fn.name() == "MedianBackward0"
    assert x.median(0).values.grad_fn.name() == "MedianBackward1"
    assert x.kthvalue(1).values.grad_fn.name() == "KthvalueBackward0"
