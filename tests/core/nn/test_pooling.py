"""Pooling: forward against loop references written here, float64 gradient checks, PyTorch's
indices, node names, errors and module reprs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

# -- NumPy references (loops over output positions; tiny shapes) -----------------------------


def _out_size(L, k, s, p, d, ceil_mode):
    num = L + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= L + p:
        out -= 1
    return out


def ref_max_pool(x, k, s, p, d, ceil_mode):
    """Values and flat per-plane indices: PyTorch's scan (first strict max, NaN wins)."""
    nd = len(k)
    L = x.shape[-nd:]
    out = [_out_size(L[i], k[i], s[i], p[i], d[i], ceil_mode) for i in range(nd)]
    lead = x.shape[:-nd]
    vals = np.zeros(lead + tuple(out), x.dtype)
    idx = np.zeros(lead + tuple(out), np.int64)
    for b in itertools.product(*[range(n) for n in lead]):
        for o in itertools.product(*[range(n) for n in out]):
            best, bi = -np.inf, -1
            for off in itertools.product(*[range(n) for n in k]):
                pos = [o[i] * s[i] - p[i] + off[i] * d[i] for i in range(nd)]
                if any(q < 0 or q >= L[i] for i, q in enumerate(pos)):
                    continue
                v = x[b + tuple(pos)]
                if v > best or np.isnan(v) or bi < 0:
                    best, bi = v, int(np.ravel_multi_index(pos, L))
            vals[b + o] = best
            idx[b + o] = bi
    return vals, idx


def ref_avg_pool(x, k, s, p, ceil_mode, count_include_pad, divisor_override=None):
    nd = len(k)
    L = x.shape[-nd:]
    out = [_out_size(L[i], k[i], s[i], p[i], 1, ceil_mode) for i in range(nd)]
    lead = x.shape[:-nd]
    res = np.zeros(lead + tuple(out))
    for b in itertools.product(*[range(n) for n in lead]):
        for o in itertools.product(*[range(n) for n in out]):
            starts = [o[i] * s[i] - p[i] for i in range(nd)]
            ends = [min(starts[i] + k[i], L[i] + p[i]) for i in range(nd)]
            pool = math.prod(e - st for st, e in zip(starts, ends))
            cs = [max(st, 0) for st in starts]
            ce = [min(e, L[i]) for i, e in enumerate(ends)]
            window = x[b + tuple(slice(a, c) for a, c in zip(cs, ce))]
            if divisor_override:
                div = divisor_override
            elif count_include_pad:
                div = pool
            else:
                div = window.size
            res[b + o] = window.sum() / div
    return res


def _adaptive_bounds(L, O):
    return [((i * L) // O, -(-((i + 1) * L) // O)) for i in range(O)]


def ref_adaptive(x, out, reduce):
    nd = len(out)
    L = x.shape[-nd:]
    lead = x.shape[:-nd]
    bounds = [_adaptive_bounds(L[i], out[i]) for i in range(nd)]
    vals = np.zeros(lead + tuple(out))
    idx = np.zeros(lead + tuple(out), np.int64)
    for b in itertools.product(*[range(n) for n in lead]):
        for o in itertools.product(*[range(n) for n in out]):
            sl = tuple(slice(*bounds[i][o[i]]) for i in range(nd))
            w = x[b + sl]
            if reduce == "mean":
                vals[b + o] = w.mean()
            else:
                j = np.unravel_index(int(np.argmax(w)), w.shape)
                vals[b + o] = w[j]
                pos = [bounds[i][o[i]][0] + j[i] for i in range(nd)]
                idx[b + o] = np.ravel_multi_index(pos, L)
    return vals, idx


# -- max pooling -------------------------------------------------------------------------------

MAX_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=2, stride=1),
    dict(kernel_size=3, stride=1, padding=1, dilation=2),
    dict(kernel_size=3, stride=2, ceil_mode=True),
    dict(kernel_size=2, stride=3, padding=1, ceil_mode=True),
]


def _tuple(v, n):
    return tuple(v) if isinstance(v, tuple) else (v,) * n


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool_forward_and_indices(nd, case):
    shape = {1: (2, 3, 9), 2: (2, 2, 7, 8), 3: (1, 2, 5, 6, 7)}[nd]
    x = np.random.default_rng(nd).standard_normal(shape)
    fn = getattr(F, f"max_pool{nd}d")
    y, i = fn(ember.tensor(x), **case, return_indices=True)
    k = _tuple(case["kernel_size"], nd)
    s = _tuple(case.get("stride", case["kernel_size"]), nd)
    p = _tuple(case.get("padding", 0), nd)
    d = _tuple(case.get("dilation", 1), nd)
    rv, ri = ref_max_pool(x, k, s, p, d, case.get("ceil_mode", False))
    np.testing.assert_array_equal(y.numpy(), rv)
    np.testing.assert_array_equal(i.numpy(), ri)
    assert i.dtype == ember.int64


def test_max_pool2d_rectangular_and_unbatched():
    x = np.random.default_rng(0).standard_normal((3, 7, 9))
    y, i = F.max_pool2d(
        ember.tensor(x), (2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1),
        ceil_mode=True, return_indices=True,
    )  # fmt: skip
    rv, ri = ref_max_pool(x, (2, 3), (1, 2), (1, 1), (2, 1), True)
    np.testing.assert_array_equal(y.numpy(), rv)
    np.testing.assert_array_equal(i.numpy(), ri)


def test_max_pool_ties_go_to_the_first_position():
    # After a ReLU, whole windows are zero: PyTorch sends the gradient to the first one only.
    x = ember.zeros(1, 1, 4, 4, dtype=ember.float64, requires_grad=True)
    y, i = F.max_pool2d(x, 2, return_indices=True)
    y.sum().backward()
    np.testing.assert_array_equal(i.numpy()[0, 0], [[0, 2], [8, 10]])
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 1
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], expected)


def test_max_pool_nan_propagates():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 0, 1] = np.nan
    x[0, 0, 1, 0] = np.nan
    y, i = F.max_pool2d(ember.tensor(x), 2, return_indices=True)
    rv, ri = ref_max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), False)
    assert np.isnan(y.numpy()[0, 0, 0, 0])
    np.testing.assert_array_equal(y.numpy(), rv)
    np.testing.assert_array_equal(i.numpy(), ri)  # the last NaN in scan order, like PyTorch
    assert ri[0, 0, 0, 0] == 4


def test_max_pool_without_grad_and_unit_kernel():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    x[0, 0, 1, 1] = np.nan
    with ember.no_grad():
        y = F.max_pool2d(ember.tensor(x), 2)
    np.testing.assert_array_equal(
        y.numpy(), ref_max_pool(x, (2, 2), (2, 2), (0, 0), (1, 1), False)[0]
    )
    t = ember.arange(4.0).reshape(1, 2, 2)
    same = F.max_pool2d(t, 1)
    same.add_(1.0)  # a fresh tensor, not a view of the input
    assert t.tolist() == [[[0.0, 1.0], [2.0, 3.0]]]


def test_max_pool_integer_input():
    x = ember.tensor([[[1, 5, 2, -3]]])
    y = F.max_pool1d(x, 2)
    assert y.dtype == ember.int64
    assert y.tolist() == [[[5, 2]]]


def test_max_pool_node_names():
    x = ember.ones(1, 1, 4, 4, 4, requires_grad=True)
    assert type(F.max_pool3d(x, 2).grad_fn).__name__ == "MaxPool3DWithIndicesBackward0"
    assert type(F.max_pool2d(x[0], 2).grad_fn).__name__ == "MaxPool2DWithIndicesBackward0"
    assert type(F.avg_pool2d(x[0], 2).grad_fn).__name__ == "AvgPool2DBackward0"


@pytest.mark.parametrize("case", MAX_CASES)
def test_max_pool2d_gradcheck(gradcheck, rand, case):
    gradcheck(lambda t: F.max_pool2d(t, **case), rand(1, 2, 6, 7, seed=1))


@pytest.mark.parametrize("nd", [1, 3])
def test_max_pool_1d_3d_gradcheck(gradcheck, rand, nd):
    shape = (2, 7) if nd == 1 else (1, 4, 4, 5)
    fn = getattr(F, f"max_pool{nd}d")
    gradcheck(lambda t: fn(t, 3, stride=2, padding=1), rand(*shape, seed=2))


def test_max_pool2d_second_order(gradcheck, rand):
    gradcheck(lambda t: F.max_pool2d(t, 3, 2, 1) ** 2, rand(1, 2, 5, 5, seed=3), second_order=True)


def test_max_pool_errors():
    with pytest.raises(
        RuntimeError,
        match=r"Given input size: \(1x2x2\). Calculated output size: \(1x0x0\). "
        "Output size is too small",
    ):
        F.max_pool2d(ember.ones(1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="pad should be at most half of effective kernel size"):
        F.max_pool2d(ember.ones(1, 5, 5), 2, padding=2)
    with pytest.raises(RuntimeError, match="3D or 4D"):
        F.max_pool2d(ember.ones(5, 5), 2)
    with pytest.raises(RuntimeError, match="stride should be greater than zero"):
        F.max_pool2d(ember.ones(1, 5, 5), 2, stride=0)


# -- average pooling ---------------------------------------------------------------------------

AVG_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1),
    dict(kernel_size=3, stride=2, padding=1, count_include_pad=False),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=2, stride=1, divisor_override=3),
]


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool_forward(nd, case):
    if nd == 1 and "divisor_override" in case:
        pytest.skip("avg_pool1d has no divisor_override (as in PyTorch)")
    shape = {1: (2, 3, 9), 2: (2, 2, 7, 8), 3: (1, 2, 5, 6, 7)}[nd]
    x = np.random.default_rng(nd).standard_normal(shape)
    y = getattr(F, f"avg_pool{nd}d")(ember.tensor(x), **case)
    k = _tuple(case["kernel_size"], nd)
    s = _tuple(case.get("stride", case["kernel_size"]), nd)
    p = _tuple(case.get("padding", 0), nd)
    ref = ref_avg_pool(
        x, k, s, p, case.get("ceil_mode", False), case.get("count_include_pad", True),
        case.get("divisor_override"),
    )  # fmt: skip
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("case", AVG_CASES)
def test_avg_pool2d_gradcheck_second_order(gradcheck, rand, case):
    gradcheck(lambda t: F.avg_pool2d(t, **case) ** 2, rand(1, 2, 5, 6, seed=4), second_order=True)


@pytest.mark.parametrize("nd", [1, 3])
def test_avg_pool_1d_3d_gradcheck(gradcheck, rand, nd):
    shape = (2, 7) if nd == 1 else (1, 4, 4, 5)
    fn = getattr(F, f"avg_pool{nd}d")
    gradcheck(lambda t: fn(t, 3, 2, 1, True, False), rand(*shape, seed=5))


def test_avg_pool_double_backward_node_names():
    x = ember.ones(1, 1, 4, 4, dtype=ember.float64, requires_grad=True)
    (g,) = ember.autograd.grad((F.avg_pool2d(x, 2) ** 2).sum(), x, create_graph=True)
    assert type(g.grad_fn).__name__ == "AvgPool2DBackwardBackward0"
    np.testing.assert_allclose(g.detach().numpy(), np.full((1, 1, 4, 4), 0.5))


def test_avg_pool_errors():
    with pytest.raises(RuntimeError, match="Output size is too small"):
        F.avg_pool2d(ember.ones(1, 2, 2), 3)
    with pytest.raises(RuntimeError, match="pad should be at most half of kernel size"):
        F.avg_pool2d(ember.ones(1, 5, 5), 2, padding=2)
    with pytest.raises(RuntimeError, match="divisor must be not zero"):
        F.avg_pool2d(ember.ones(1, 4, 4), 2, divisor_override=0)


# -- adaptive pooling --------------------------------------------------------------------------


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("out", [1, 2, 3, 5])
def test_adaptive_pools_forward(nd, out):
    shape = {1: (2, 3, 7), 2: (2, 2, 7, 5), 3: (1, 2, 5, 4, 7)}[nd]
    x = np.random.default_rng(out).standard_normal(shape)
    o = (out,) * nd
    ya = getattr(F, f"adaptive_avg_pool{nd}d")(ember.tensor(x), out)
    ym, im = getattr(F, f"adaptive_max_pool{nd}d")(ember.tensor(x), out, return_indices=True)
    np.testing.assert_allclose(ya.numpy(), ref_adaptive(x, o, "mean")[0], rtol=1e-12, atol=1e-12)
    rv, ri = ref_adaptive(x, o, "max")
    np.testing.assert_array_equal(ym.numpy(), rv)
    np.testing.assert_array_equal(im.numpy(), ri)


def test_adaptive_none_keeps_size_and_unbatched():
    x = np.random.default_rng(0).standard_normal((3, 6, 5))
    y = F.adaptive_avg_pool2d(ember.tensor(x), (None, 2))
    assert y.shape == (3, 6, 2)
    np.testing.assert_allclose(y.numpy(), ref_adaptive(x, (6, 2), "mean")[0], rtol=1e-12)


def test_adaptive_avg_pool_global_is_mean():
    x = ember.randn(2, 3, 4, 4, requires_grad=True)
    y = F.adaptive_avg_pool2d(x, (1, 1))
    np.testing.assert_allclose(
        y.detach().numpy(), x.detach().numpy().mean((2, 3), keepdims=True), rtol=1e-6
    )
    assert type(y.grad_fn).__name__ == "MeanBackward1"


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_adaptive_gradcheck(gradcheck, rand, nd):
    shape = {1: (2, 7), 2: (1, 2, 5, 7), 3: (1, 4, 3, 5)}[nd]
    avg = getattr(F, f"adaptive_avg_pool{nd}d")
    mx = getattr(F, f"adaptive_max_pool{nd}d")
    gradcheck(lambda t: avg(t, 3) ** 2, rand(*shape, seed=6), second_order=True)
    gradcheck(lambda t: mx(t, 3), rand(*shape, seed=7))


def test_adaptive_errors():
    with pytest.raises(RuntimeError, match=r"Expected 3D or 4D tensor, but got \[5\]"):
        F.adaptive_avg_pool2d(ember.ones(5), 2)
    with pytest.raises(RuntimeError, match="output_size must be greater than 0"):
        F.adaptive_max_pool2d(ember.ones(1, 4, 4), 0)


# -- unpooling, LP pooling, fractional ---------------------------------------------------------


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_roundtrip_and_grad(nd, gradcheck, rand):
    shape = {1: (2, 3, 8), 2: (1, 2, 4, 6), 3: (1, 2, 4, 4, 2)}[nd]
    x = np.random.default_rng(nd).standard_normal(shape)
    pool = getattr(F, f"max_pool{nd}d")
    unpool = getattr(F, f"max_unpool{nd}d")
    y, i = pool(ember.tensor(x), 2, return_indices=True)
    u = unpool(y, i, 2).numpy()
    expected = np.zeros_like(x).reshape(-1, x[0, 0].size if x.ndim > nd + 1 else x[0].size)
    flat_i = i.numpy().reshape(expected.shape[0], -1)
    np.put_along_axis(expected, flat_i, y.numpy().reshape(expected.shape[0], -1), axis=1)
    np.testing.assert_array_equal(u, expected.reshape(x.shape))
    idx = i.detach()
    gradcheck(lambda t: unpool(t, idx, 2), rand(*y.shape, seed=8))


def test_max_unpool_output_size_and_errors():
    y, i = F.max_pool2d(ember.randn(1, 1, 5, 5), 2, return_indices=True)
    assert F.max_unpool2d(y, i, 2, output_size=(5, 5)).shape == (1, 1, 5, 5)
    assert F.max_unpool2d(y, i, 2, output_size=[1, 1, 5, 5]).shape == (1, 1, 5, 5)
    with pytest.raises(ValueError, match="invalid output_size"):
        F.max_unpool2d(y, i, 2, output_size=(7, 7))
    with pytest.raises(RuntimeError, match="Found an invalid max index: 9"):
        F.max_unpool2d(y, ember.full_like(i, 9), 2, output_size=(3, 3))


def test_lp_pool():
    x = np.abs(np.random.default_rng(0).standard_normal((1, 2, 5, 6))) + 0.1
    y = F.lp_pool2d(ember.tensor(x), 3.0, 2)
    ref = ref_avg_pool(x**3, (2, 2), (2, 2), (0, 0), False, True) * 4
    np.testing.assert_allclose(y.numpy(), ref ** (1 / 3), rtol=1e-12)
    y1 = F.lp_pool1d(ember.tensor(x[0]), 2, 3, stride=1)
    ref1 = np.sqrt(ref_avg_pool(x[0] ** 2, (3,), (1,), (0,), False, True) * 3)
    np.testing.assert_allclose(y1.numpy(), ref1, rtol=1e-12)


def test_lp_pool_gradcheck(gradcheck, rand):
    gradcheck(lambda t: F.lp_pool2d(t, 2.0, 2), rand(1, 4, 4, seed=9, low=0.2, high=1.0))


def test_fractional_max_pool2d_matches_reference(gradcheck, rand):
    x = np.random.default_rng(3).standard_normal((1, 2, 7, 8))
    u = np.array([[[0.3, 0.7], [0.9, 0.1]]])
    y, i = F.fractional_max_pool2d(
        ember.tensor(x), 2, output_size=(4, 5), return_indices=True, _random_samples=ember.tensor(u)
    )

    def intervals(sample, L, O, k):
        alpha = (L - k) / (O - 1)
        starts = [
            int(math.floor((j + sample) * alpha) - math.floor(sample * alpha)) for j in range(O - 1)
        ]
        return starts + [L - k]

    for c in range(2):
        hs = intervals(u[0, c, 1], 7, 4, 2)
        ws = intervals(u[0, c, 0], 8, 5, 2)
        for a, h in enumerate(hs):
            for b, w in enumerate(ws):
                win = x[0, c, h : h + 2, w : w + 2]
                assert y.numpy()[0, c, a, b] == win.max()
                j = np.unravel_index(np.argmax(win), win.shape)
                assert i.numpy()[0, c, a, b] == (h + j[0]) * 8 + w + j[1]
    samples = ember.tensor(u)
    gradcheck(
        lambda t: F.fractional_max_pool2d(t, 2, output_size=3, _random_samples=samples),
        rand(1, 2, 5, 5, seed=10),
    )


def test_fractional_max_pool_reproducible_with_seed():
    x = ember.randn(1, 1, 9, 9)
    ember.manual_seed(0)
    a = nn.FractionalMaxPool2d(3, output_ratio=0.5)(x)
    ember.manual_seed(0)
    b = nn.FractionalMaxPool2d(3, output_ratio=0.5)(x)
    assert a.shape == (1, 1, 4, 4)
    assert ember.equal(a, b)


# -- modules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module, text",
    [
        (
            nn.MaxPool1d(3),
            "MaxPool1d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False)",
        ),
        (
            nn.MaxPool2d(
                (2, 3), stride=1, padding=1, dilation=2, return_indices=True, ceil_mode=True
            ),
            "MaxPool2d(kernel_size=(2, 3), stride=1, padding=1, dilation=2, ceil_mode=True)",
        ),
        (
            nn.MaxPool3d(2),
            "MaxPool3d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
        ),
        (nn.AvgPool1d(3), "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"),
        (nn.AvgPool2d(3, 2, 1, True, False, 2), "AvgPool2d(kernel_size=3, stride=2, padding=1)"),
        (nn.AvgPool3d(2, divisor_override=3), "AvgPool3d(kernel_size=2, stride=2, padding=0)"),
        (nn.AdaptiveAvgPool2d((None, 3)), "AdaptiveAvgPool2d(output_size=(None, 3))"),
        (nn.AdaptiveAvgPool3d(2), "AdaptiveAvgPool3d(output_size=2)"),
        (nn.AdaptiveMaxPool1d(2), "AdaptiveMaxPool1d(output_size=2)"),
        (nn.AdaptiveMaxPool2d(2, True), "AdaptiveMaxPool2d(output_size=2)"),
        (nn.LPPool1d(2, 3), "LPPool1d(norm_type=2, kernel_size=3, stride=None, ceil_mode=False)"),
        (
            nn.LPPool2d(2.0, 3, 2),
            "LPPool2d(norm_type=2.0, kernel_size=3, stride=2, ceil_mode=False)",
        ),
        (nn.MaxUnpool1d(2), "MaxUnpool1d(kernel_size=(2,), stride=(2,), padding=(0,))"),
        (
            nn.MaxUnpool3d(2, 1, 1),
            "MaxUnpool3d(kernel_size=(2, 2, 2), stride=(1, 1, 1), padding=(1, 1, 1))",
        ),
        (nn.FractionalMaxPool2d(2, output_size=3), "FractionalMaxPool2d()"),
    ],
)
def test_module_repr(module, text):
    assert repr(module) == text


def test_modules_forward_like_functional():
    x = ember.randn(2, 3, 8, 8)
    assert ember.equal(nn.MaxPool2d(3, 2, 1)(x), F.max_pool2d(x, 3, 2, 1))
    y, i = nn.MaxPool2d(2, return_indices=True)(x)
    assert ember.equal(nn.MaxUnpool2d(2)(y, i), F.max_unpool2d(y, i, 2))
    assert ember.allclose(
        nn.AvgPool2d(3, 2, 1, count_include_pad=False)(x), F.avg_pool2d(x, 3, 2, 1, False, False)
    )
    assert ember.allclose(nn.AdaptiveAvgPool2d(3)(x), F.adaptive_avg_pool2d(x, 3))
    assert len(nn.AdaptiveMaxPool2d(3, return_indices=True)(x)) == 2
    assert nn.AvgPool1d(2)(x[0]).shape == (3, 8, 4)
    assert nn.LPPool2d(2, 2)(x).shape == (2, 3, 4, 4)
    assert list(nn.MaxPool2d(2).state_dict()) == []


def test_fractional_module_errors():
    with pytest.raises(ValueError, match="requires specifying either an output size"):
        nn.FractionalMaxPool2d(2)
    with pytest.raises(ValueError, match="output_ratio must be between 0 and 1"):
        nn.FractionalMaxPool2d(2, output_ratio=1.5)
