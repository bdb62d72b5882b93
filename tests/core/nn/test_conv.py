"""Convolutions: F.conv1d/2d/3d, F.conv_transpose1d/2d/3d, F.fold/F.unfold and the modules,
against naive NumPy loops."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

# -- naive references (loops over output positions; tiny shapes only) ------------------------


def ref_conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1, mode="zeros"):
    nd = x.ndim - 2
    st = (stride,) * nd if isinstance(stride, int) else tuple(stride)
    dl = (dilation,) * nd if isinstance(dilation, int) else tuple(dilation)
    K = w.shape[2:]
    if padding == "valid":
        lo = hi = (0,) * nd
    elif padding == "same":
        tot = [d * (k - 1) for d, k in zip(dl, K)]
        lo = tuple(t // 2 for t in tot)
        hi = tuple(t - t // 2 for t in tot)
    else:
        lo = hi = (padding,) * nd if isinstance(padding, int) else tuple(padding)
    np_mode = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}
    xp = np.pad(x, [(0, 0), (0, 0)] + list(zip(lo, hi)), mode=np_mode[mode])
    N, C = x.shape[:2]
    O = w.shape[0]
    Cg, Og = C // groups, O // groups
    OS = [(xp.shape[2 + i] - dl[i] * (K[i] - 1) - 1) // st[i] + 1 for i in range(nd)]
    out = np.zeros((N, O, *OS))
    for o in range(O):
        g = o // Og
        for pos in np.ndindex(*OS):
            acc = np.zeros(N)
            for k in np.ndindex(*K):
                idx = tuple(p * s + kk * d for p, s, kk, d in zip(pos, st, k, dl))
                acc += (
                    xp[(slice(None), slice(g * Cg, (g + 1) * Cg), *idx)] @ w[(o, slice(None), *k)]
                )
            out[(slice(None), o, *pos)] = acc
    if b is not None:
        out += b.reshape((1, O) + (1,) * nd)
    return out


def ref_conv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    nd = x.ndim - 2
    st = (stride,) * nd if isinstance(stride, int) else tuple(stride)
    dl = (dilation,) * nd if isinstance(dilation, int) else tuple(dilation)
    pd = (padding,) * nd if isinstance(padding, int) else tuple(padding)
    op = (output_padding,) * nd if isinstance(output_padding, int) else tuple(output_padding)
    N, Cin = x.shape[:2]
    K = w.shape[2:]
    Og = w.shape[1]
    Cg = Cin // groups
    I = x.shape[2:]
    full = [(i - 1) * s + d * (k - 1) + 1 + o for i, s, d, k, o in zip(I, st, dl, K, op)]
    out = np.zeros((N, Og * groups, *full))
    for c in range(Cin):
        g = c // Cg
        for pos in np.ndindex(*I):
            for k in np.ndindex(*K):
                idx = tuple(p * s + kk * d for p, s, kk, d in zip(pos, st, k, dl))
                out[(slice(None), slice(g * Og, (g + 1) * Og), *idx)] += (
                    x[(slice(None), c, *pos)][:, None] * w[(c, slice(None), *k)][None, :]
                )
    crop = tuple(slice(p, f - p) for p, f in zip(pd, full))
    out = out[(slice(None), slice(None), *crop)]
    if b is not None:
        out = out + b.reshape((1, -1) + (1,) * nd)
    return out


def ref_unfold(x, k, dilation, padding, stride):
    xp = np.pad(x, [(0, 0), (0, 0), (padding, padding), (padding, padding)])
    N, C, H, W = xp.shape
    oh = (H - dilation * (k - 1) - 1) // stride + 1
    ow = (W - dilation * (k - 1) - 1) // stride + 1
    out = np.zeros((N, C * k * k, oh * ow))
    for c, i, j in itertools.product(range(C), range(k), range(k)):
        for a, b in itertools.product(range(oh), range(ow)):
            out[:, (c * k + i) * k + j, a * ow + b] = xp[
                :, c, a * stride + i * dilation, b * stride + j * dilation
            ]
    return out


def t64(a, requires_grad=False):
    return ember.tensor(a, dtype=ember.float64, requires_grad=requires_grad)


rng = np.random.default_rng(0)

# -- forward vs reference ---------------------------------------------------------------------

CONV_CASES = [
    # (nd, stride, padding, dilation, groups)
    (1, 1, 0, 1, 1),
    (1, 2, 1, 2, 2),
    (1, 1, "same", 2, 1),
    (1, 3, "valid", 1, 1),
    (2, 1, 0, 1, 1),
    (2, 2, 1, 1, 1),
    (2, (2, 1), (1, 2), (1, 2), 2),
    (2, 1, "same", 1, 2),
    (2, 1, "same", (2, 1), 1),
    (2, 1, "valid", 1, 2),
    (3, 1, 0, 1, 1),
    (3, 2, 1, 1, 2),
    (3, 1, "same", 1, 1),
]


@pytest.mark.parametrize("nd,stride,padding,dilation,groups", CONV_CASES)
def test_conv_forward_matches_reference(nd, stride, padding, dilation, groups):
    S = (7, 6, 5)[:nd]
    K = (3, 2, 3)[:nd] if padding != "same" else (3, 4, 3)[:nd]
    x = rng.standard_normal((2, 4, *S))
    w = rng.standard_normal((6, 4 // groups, *K))
    b = rng.standard_normal(6)
    fn = getattr(F, f"conv{nd}d")
    got = fn(t64(x), t64(w), t64(b), stride, padding, dilation, groups)
    want = ref_conv(x, w, b, stride, padding, dilation, groups)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, atol=1e-10)


def test_conv_float32_and_unbatched():
    x = rng.standard_normal((3, 9, 8)).astype(np.float32)
    w = rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    y = F.conv2d(ember.tensor(x), ember.tensor(w), padding=1)
    assert y.dtype == ember.float32 and tuple(y.shape) == (5, 9, 8)
    np.testing.assert_allclose(y.numpy(), ref_conv(x[None], w, padding=1)[0], rtol=1e-4, atol=1e-4)


TRANSPOSE_CASES = [
    # (nd, stride, padding, output_padding, groups, dilation)
    (1, 1, 0, 0, 1, 1),
    (1, 2, 1, 1, 2, 1),
    (1, 1, 0, 1, 1, 2),
    (2, 1, 0, 0, 1, 1),
    (2, 2, 1, 1, 1, 1),
    (2, (2, 3), (0, 1), (1, 2), 2, 1),
    (2, 2, 0, 0, 1, 2),
    (3, 1, 0, 0, 1, 1),
    (3, 2, 1, 1, 2, 1),
]


@pytest.mark.parametrize("nd,stride,padding,output_padding,groups,dilation", TRANSPOSE_CASES)
def test_conv_transpose_forward_matches_reference(
    nd, stride, padding, output_padding, groups, dilation
):
    S = (4, 3, 3)[:nd]
    K = (3, 2, 3)[:nd]
    x = rng.standard_normal((2, 4, *S))
    w = rng.standard_normal((4, 3, *K))
    b = rng.standard_normal(3 * groups)
    fn = getattr(F, f"conv_transpose{nd}d")
    got = fn(t64(x), t64(w), t64(b), stride, padding, output_padding, groups, dilation)
    want = ref_conv_transpose(x, w, b, stride, padding, output_padding, groups, dilation)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want, atol=1e-10)


def test_conv_transpose_is_adjoint_of_conv():
    x = rng.standard_normal((2, 3, 7, 6))
    w = rng.standard_normal((4, 3, 3, 3))
    y = rng.standard_normal((2, 4, 4, 3))
    cx = F.conv2d(t64(x), t64(w), stride=2, padding=1).numpy()
    ty = F.conv_transpose2d(t64(y), t64(w), stride=2, padding=1, output_padding=(0, 1)).numpy()
    assert np.isclose(np.sum(cx * y), np.sum(x * ty))


@pytest.mark.parametrize("k,dilation,padding,stride", [(2, 1, 0, 1), (3, 2, 1, 2), (2, 1, 1, 3)])
def test_unfold_fold_match_reference(k, dilation, padding, stride):
    x = rng.standard_normal((2, 3, 7, 6))
    got = F.unfold(t64(x), k, dilation, padding, stride)
    want = ref_unfold(x, k, dilation, padding, stride)
    np.testing.assert_allclose(got.numpy(), want)
    # fold is the adjoint of unfold
    c = rng.standard_normal(want.shape)
    folded = F.fold(t64(c), (7, 6), k, dilation, padding, stride).numpy()
    assert np.isclose(np.sum(want * c), np.sum(x * folded))
    # unbatched forms
    assert tuple(F.unfold(t64(x[0]), k, dilation, padding, stride).shape) == want.shape[1:]
    assert tuple(F.fold(t64(c[0]), (7, 6), k, dilation, padding, stride).shape) == (3, 7, 6)


def test_fold_of_unfold_counts_overlaps():
    out = F.fold(F.unfold(ember.ones(1, 1, 3, 3), 2), (3, 3), 2)
    assert out[0, 0].tolist() == [[1, 2, 1], [2, 4, 2], [1, 2, 1]]


# -- gradients ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "nd,kw",
    [
        (1, dict(stride=2, padding=1, dilation=2, groups=2)),
        (1, dict(padding="same")),
        (2, dict(stride=(2, 1), padding=1, groups=2)),
        (2, dict(padding="same", dilation=2)),
        (3, dict(stride=2, padding=1)),
    ],
)
def test_conv_gradcheck(gradcheck, rand, nd, kw):
    S = (5, 4, 3)[:nd]
    K = (3, 2, 2)[:nd]
    x = rand(2, 4, *S, seed=1)
    w = rand(4, 4 // kw.get("groups", 1), *K, seed=2)
    b = rand(4, seed=3)
    fn = getattr(F, f"conv{nd}d")
    gradcheck(lambda x, w, b: fn(x, w, b, **kw), x, w, b)


@pytest.mark.parametrize(
    "nd,kw",
    [
        (1, dict(stride=2, padding=1, output_padding=1, groups=2)),
        (2, dict(stride=2, padding=1, output_padding=(1, 0), dilation=1)),
        (2, dict(dilation=2)),
        (3, dict(stride=(1, 2, 1))),
    ],
)
def test_conv_transpose_gradcheck(gradcheck, rand, nd, kw):
    S = (4, 3, 2)[:nd]
    K = (3, 2, 2)[:nd]
    groups = kw.get("groups", 1)
    x = rand(2, 4, *S, seed=1)
    w = rand(4, 2, *K, seed=2)
    b = rand(2 * groups, seed=3)
    fn = getattr(F, f"conv_transpose{nd}d")
    gradcheck(lambda x, w, b: fn(x, w, b, **kw), x, w, b)


def test_conv2d_second_order(gradcheck, rand):
    x = rand(1, 2, 4, 4, seed=1)
    w = rand(2, 1, 2, 2, seed=2)
    b = rand(2, seed=3)
    gradcheck(lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1, groups=2), x, w, b,
              second_order=True)  # fmt: skip
    gradcheck(lambda x, w: F.conv2d(x, w, padding="same") ** 2, x, rand(3, 2, 3, 3, seed=4),
              second_order=True)  # fmt: skip


def test_conv_transpose2d_second_order(gradcheck, rand):
    x = rand(1, 2, 3, 3, seed=1)
    w = rand(2, 2, 2, 2, seed=2)
    gradcheck(lambda x, w: F.conv_transpose2d(x, w, stride=2) ** 2, x, w, second_order=True)


def test_fold_unfold_gradcheck(gradcheck, rand):
    x = rand(1, 2, 4, 5, seed=1)
    gradcheck(lambda x: F.unfold(x, 2, 1, 1, 2), x, second_order=True)
    c = rand(1, 8, 9, seed=2)
    gradcheck(lambda c: F.fold(c, (4, 5), 2, 1, 1, 2), c, second_order=True)


def test_conv_float32_backward_matches_float64():
    x = rng.standard_normal((2, 3, 6, 6))
    w = rng.standard_normal((4, 3, 3, 3))
    grads = []
    for dt in (ember.float32, ember.float64):
        xt = ember.tensor(x, dtype=dt, requires_grad=True)
        wt = ember.tensor(w, dtype=dt, requires_grad=True)
        F.conv2d(xt, wt, stride=2, padding=1).square().sum().backward()
        assert xt.grad.dtype == dt and wt.grad.dtype == dt
        grads.append((xt.grad.numpy().astype(np.float64), wt.grad.numpy().astype(np.float64)))
    np.testing.assert_allclose(grads[0][0], grads[1][0], rtol=1e-4, atol=1e-3)
    np.testing.assert_allclose(grads[0][1], grads[1][1], rtol=1e-4, atol=1e-3)


def test_grad_fn_names():
    x = ember.randn(1, 2, 5, 5, requires_grad=True)
    assert F.conv2d(x, ember.randn(3, 2, 3, 3)).grad_fn.name() == "ConvolutionBackward0"
    assert F.conv_transpose2d(x, ember.randn(2, 3, 3, 3)).grad_fn.name() == "ConvolutionBackward0"
    assert F.unfold(x, 2).grad_fn.name() == "Im2ColBackward0"
    assert F.fold(F.unfold(x, 2), (5, 5), 2).grad_fn.name() == "Col2ImBackward0"


# -- errors -------------------------------------------------------------------------------------


def test_conv_errors():
    x = ember.randn(2, 4, 8, 8)
    with pytest.raises(
        RuntimeError,
        match=r"conv2d: given groups=1, weight of size \[8, 3, 3, 3\], expected "
        r"input\[2, 4, 8, 8\] to have 3 channels, but got 4",
    ):
        F.conv2d(x, ember.randn(8, 3, 3, 3))
    with pytest.raises(
        RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d"
    ):
        F.conv2d(ember.randn(4, 8), ember.randn(8, 4, 3, 3))
    with pytest.raises(RuntimeError, match="Kernel size can't be greater than actual input size"):
        F.conv2d(ember.randn(1, 1, 2, 2), ember.randn(1, 1, 3, 3))
    with pytest.raises(RuntimeError, match="padding='same' is not supported for strided"):
        F.conv2d(x, ember.randn(8, 4, 3, 3), stride=2, padding="same")
    with pytest.raises(RuntimeError, match="divisible by 3 at dimension 0"):
        F.conv2d(ember.randn(1, 6, 5, 5), ember.randn(4, 2, 3, 3), groups=3)
    with pytest.raises(RuntimeError, match="same dtype"):
        F.conv2d(x, ember.randn(8, 4, 3, 3, dtype=ember.float64))
    with pytest.raises(RuntimeError, match="bias to be 1-dimensional with 8 elements"):
        F.conv2d(x, ember.randn(8, 4, 3, 3), ember.randn(7))
    with pytest.raises(RuntimeError, match="non-positive stride"):
        F.conv1d(ember.randn(1, 1, 5), ember.randn(1, 1, 2), stride=0)
    with pytest.raises(RuntimeError, match=r"transposed=1, weight of size \[3, 2, 3, 3\]"):
        F.conv_transpose2d(x, ember.randn(3, 2, 3, 3))
    with pytest.raises(RuntimeError, match="output padding must be smaller than either stride"):
        F.conv_transpose2d(x, ember.randn(4, 2, 3, 3), output_padding=1)
    with pytest.raises(TypeError, match="argument 'weight' must be Tensor"):
        F.conv2d(x, np.ones((8, 4, 3, 3)))
    with pytest.raises(RuntimeError, match="number of sliding blocks"):
        F.fold(ember.randn(1, 4, 5), (3, 3), 2)


# -- modules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make,text",
    [
        (lambda: nn.Conv2d(3, 8, 3), "Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))"),
        (
            lambda: nn.Conv1d(2, 4, 3, padding=2, bias=False),
            "Conv1d(2, 4, kernel_size=(3,), stride=(1,), padding=(2,), bias=False)",
        ),
        (
            lambda: nn.Conv2d(16, 33, 3, padding="same", padding_mode="reflect"),
            "Conv2d(16, 33, kernel_size=(3, 3), stride=(1, 1), padding=same, padding_mode=reflect)",
        ),
        (
            lambda: nn.Conv3d(4, 8, (1, 2, 3), stride=2, dilation=2, groups=4),
            "Conv3d(4, 8, kernel_size=(1, 2, 3), stride=(2, 2, 2), dilation=(2, 2, 2), groups=4)",
        ),
        (
            lambda: nn.ConvTranspose2d(
                4, 8, 3, stride=2, output_padding=1, groups=2, bias=False, dilation=2
            ),
            "ConvTranspose2d(4, 8, kernel_size=(3, 3), stride=(2, 2), dilation=(2, 2), "
            "output_padding=(1, 1), groups=2, bias=False)",
        ),
        (
            lambda: nn.Fold((4, 5), (2, 2)),
            "Fold(output_size=(4, 5), kernel_size=(2, 2), dilation=1, padding=0, stride=1)",
        ),
        (
            lambda: nn.Unfold((2, 3)),
            "Unfold(kernel_size=(2, 3), dilation=1, padding=0, stride=1)",
        ),
    ],
)
def test_module_repr(make, text):
    assert repr(make()) == text


@pytest.mark.parametrize(
    "cls,args,wshape",
    [
        (nn.Conv1d, (4, 6, 3), (6, 4, 3)),
        (nn.Conv2d, (4, 6, (3, 2)), (6, 4, 3, 2)),
        (nn.Conv2d, dict(in_channels=4, out_channels=6, kernel_size=3, groups=2), (6, 2, 3, 3)),
        (nn.Conv3d, (4, 6, 2), (6, 4, 2, 2, 2)),
        (nn.ConvTranspose1d, (4, 6, 3), (4, 6, 3)),
        (
            nn.ConvTranspose2d,
            dict(in_channels=4, out_channels=6, kernel_size=3, groups=2),
            (4, 3, 3, 3),
        ),
        (nn.ConvTranspose3d, (4, 6, 2), (4, 6, 2, 2, 2)),
    ],
)
def test_module_parameters_and_default_init(cls, args, wshape):
    ember.manual_seed(0)
    m = cls(**args) if isinstance(args, dict) else cls(*args)
    assert tuple(m.weight.shape) == wshape
    assert tuple(m.bias.shape) == (6,)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    assert sorted(m.state_dict()) == ["bias", "weight"]
    fan_in = wshape[1] * math.prod(wshape[2:])
    bound = 1 / math.sqrt(fan_in)  # kaiming_uniform(a=sqrt(5)) gives the same bound
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.5 * bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound


def test_module_forward_and_dtype():
    m = nn.Conv2d(3, 4, 3, stride=2, padding=1, dtype=ember.float64)
    x = rng.standard_normal((2, 3, 7, 7))
    y = m(t64(x))
    want = ref_conv(x, m.weight.detach().numpy(), m.bias.detach().numpy(), 2, 1)
    np.testing.assert_allclose(y.detach().numpy(), want, atol=1e-10)
    y.sum().backward()
    assert m.weight.grad.shape == m.weight.shape and m.bias.grad.shape == (4,)


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_padding_modes(mode, gradcheck):
    m = nn.Conv2d(2, 3, 3, padding=(1, 2), padding_mode=mode, dtype=ember.float64)
    x = rng.standard_normal((1, 2, 5, 6))
    w, b = m.weight.detach().numpy(), m.bias.detach().numpy()
    want = ref_conv(x, w, b, 1, (1, 2), mode=mode)
    np.testing.assert_allclose(m(t64(x)).detach().numpy(), want, atol=1e-10)
    m1 = nn.Conv1d(1, 1, 3, padding="same", padding_mode=mode, dtype=ember.float64)
    x1 = t64(rng.standard_normal((1, 1, 4)), requires_grad=True)
    gradcheck(lambda x: m1(x), x1)


def test_conv_transpose_output_size():
    down = nn.Conv2d(2, 2, 3, stride=2, padding=1)
    up = nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
    x = ember.randn(1, 2, 12, 11)
    h = down(x)
    assert tuple(up(h).shape) == (1, 2, 11, 11)
    assert tuple(up(h, output_size=x.size()).shape) == (1, 2, 12, 11)
    assert tuple(up(h, output_size=[12, 12]).shape) == (1, 2, 12, 12)
    with pytest.raises(ValueError, match="requested an output size of"):
        up(h, output_size=[14, 12])


def test_module_constructor_errors():
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.Conv2d(3, 6, 3, groups=2)
    with pytest.raises(ValueError, match="out_channels must be divisible by groups"):
        nn.Conv2d(4, 6, 3, groups=4)
    with pytest.raises(ValueError, match="Invalid padding string 'full'"):
        nn.Conv2d(4, 6, 3, padding="full")
    with pytest.raises(ValueError, match="padding='same' is not supported for strided"):
        nn.Conv2d(4, 6, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match="padding_mode must be one of"):
        nn.Conv2d(4, 6, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match='Only "zeros" padding mode is supported'):
        nn.ConvTranspose2d(4, 6, 3, padding_mode="reflect")


def test_fold_unfold_modules():
    x = ember.randn(2, 3, 6, 6)
    cols = nn.Unfold(kernel_size=2, stride=2)(x)
    assert tuple(cols.shape) == (2, 12, 9)
    back = nn.Fold(output_size=(6, 6), kernel_size=2, stride=2)(cols)
    np.testing.assert_allclose(back.numpy(), x.numpy())  # non-overlapping blocks
