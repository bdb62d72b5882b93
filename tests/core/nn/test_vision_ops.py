"""Vision ops: interpolate (every mode and option), grid_sample, affine_grid, pixel and
channel shuffles; forward against pointwise references written here (and a few values
computed with PyTorch 2.13, pinned as literals), float64 gradient checks, errors, reprs."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

# -- pointwise references ----------------------------------------------------------------------


def _scale(L, O, align_corners, sf):
    if align_corners:
        return (L - 1) / (O - 1) if O > 1 else 0.0
    return 1.0 / sf if sf else L / O


def _src(scale, o, align_corners, cubic=False):
    if align_corners:
        return scale * o
    s = scale * (o + 0.5) - 0.5
    return s if cubic else max(s, 0.0)


def _cub(t, A=-0.75):
    t = abs(t)
    if t <= 1:
        return ((A + 2) * t - (A + 3)) * t * t + 1
    if t < 2:
        return ((A * t - 5 * A) * t + 8 * A) * t - 4 * A
    return 0.0


def _taps(mode, L, O, align_corners, sf, o):
    """(index, weight) pairs of output ``o`` along one dim."""
    if mode in ("nearest", "nearest-exact"):
        s = np.float32(1.0 / sf if sf else L / O)
        d = np.float32(o) + (np.float32(0.5) if mode == "nearest-exact" else np.float32(0))
        return [(min(int(np.floor(d * s)), L - 1), 1.0)]
    scale = _scale(L, O, align_corners, sf)
    if mode == "cubic":
        src = _src(scale, o, align_corners, cubic=True)
        i0 = math.floor(src)
        t = src - i0
        return [(min(max(i0 - 1 + k, 0), L - 1), _cub(t + 1 - k)) for k in range(4)]
    src = _src(scale, o, align_corners)
    i0 = int(src)
    i1 = i0 + (1 if i0 < L - 1 else 0)
    lam = src - i0
    return [(i0, 1 - lam), (i1, lam)]


def _aa_taps(mode, L, O, align_corners, sf, o):
    interp = 2 if mode == "linear" else 4
    scale = _scale(L, O, align_corners, sf)
    support = interp / 2 * scale if scale >= 1 else interp / 2
    inv = 1 / scale if scale >= 1 else 1.0
    center = scale * (o + 0.5)
    lo = max(int(center - support + 0.5), 0)
    hi = min(int(center + support + 0.5), L)

    def filt(x):
        if mode == "linear":
            return max(0.0, 1 - abs(x))
        return _cub(x, -0.5)

    ws = [filt((j - center + 0.5) * inv) for j in range(lo, hi)]
    total = sum(ws)
    return [(j, w / total) for j, w in zip(range(lo, hi), ws)]


def ref_interpolate(x, out, mode, align_corners=False, sfs=None, antialias=False):
    """Direct (non-separable) sum over the product of every dim's taps."""
    nd = len(out)
    L = x.shape[2:]
    sfs = sfs or [None] * nd
    taps_fn = _aa_taps if antialias else _taps
    taps = [
        [taps_fn(mode, L[i], out[i], align_corners, sfs[i], o) for o in range(out[i])]
        for i in range(nd)
    ]
    res = np.zeros(x.shape[:2] + tuple(out))
    for o in itertools.product(*[range(n) for n in out]):
        acc = 0.0
        for combo in itertools.product(*[taps[i][o[i]] for i in range(nd)]):
            w = math.prod(c[1] for c in combo)
            acc = acc + w * x[(slice(None), slice(None)) + tuple(c[0] for c in combo)]
        res[(slice(None), slice(None)) + o] = acc
    return res


def ref_area(x, out):
    nd = len(out)
    L = x.shape[2:]
    res = np.zeros(x.shape[:2] + tuple(out))
    for o in itertools.product(*[range(n) for n in out]):
        sl = tuple(
            slice((o[i] * L[i]) // out[i], -(-((o[i] + 1) * L[i]) // out[i])) for i in range(nd)
        )
        res[(Ellipsis,) + o] = x[(slice(None), slice(None)) + sl].mean(axis=tuple(range(2, 2 + nd)))
    return res


_MODE_REF = {"linear": "linear", "bilinear": "linear", "trilinear": "linear", "bicubic": "cubic"}


def _shape_for(mode):
    return {
        "linear": (2, 2, 5),
        "bilinear": (1, 2, 4, 5),
        "bicubic": (1, 2, 4, 5),
        "trilinear": (1, 1, 3, 4, 3),
    }.get(mode)


SIZES = [
    dict(size=7),
    dict(size=3),
    dict(scale_factor=1.7),
    dict(scale_factor=0.6),
    dict(scale_factor=2.5, recompute_scale_factor=True),
    dict(scale_factor=3),
]


def _out_and_scales(L, kw):
    nd = len(L)
    if "size" in kw:
        size = kw["size"]
        return (tuple(size) if isinstance(size, tuple) else (size,) * nd), None
    sf = kw["scale_factor"]
    out = tuple(math.floor(l * sf) for l in L)
    return out, None if kw.get("recompute_scale_factor") else [float(sf)] * nd


@pytest.mark.parametrize("mode", ["linear", "bilinear", "bicubic", "trilinear"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("kw", SIZES)
def test_interpolate_linear_cubic(mode, align_corners, kw):
    x = np.random.default_rng(0).standard_normal(_shape_for(mode))
    y = F.interpolate(ember.tensor(x), mode=mode, align_corners=align_corners, **kw)
    out, sfs = _out_and_scales(x.shape[2:], kw)
    ref = ref_interpolate(x, out, _MODE_REF[mode], align_corners, sfs)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("shape", [(2, 2, 5), (1, 2, 4, 5), (1, 1, 3, 4, 3)])
@pytest.mark.parametrize("kw", SIZES)
def test_interpolate_nearest(mode, shape, kw):
    x = np.random.default_rng(1).standard_normal(shape)
    y = F.interpolate(ember.tensor(x), mode=mode, **kw)
    out, sfs = _out_and_scales(shape[2:], kw)
    np.testing.assert_array_equal(y.numpy(), ref_interpolate(x, out, mode, False, sfs))


def test_interpolate_nearest_integer_input():
    x = ember.tensor([[[1, 2, 3]]])
    y = F.interpolate(x, size=7)
    assert y.dtype == ember.int64
    assert y.tolist() == [[[1, 1, 1, 2, 2, 3, 3]]]


@pytest.mark.parametrize(
    "shape, out", [((2, 2, 7), (3,)), ((1, 2, 7, 9), (2, 4)), ((1, 1, 5, 4, 7), (2, 3, 3))]
)
def test_interpolate_area(shape, out):
    x = np.random.default_rng(2).standard_normal(shape)
    y = F.interpolate(ember.tensor(x), size=out, mode="area")
    np.testing.assert_allclose(y.numpy(), ref_area(x, out), rtol=1e-12)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize(
    "kw",
    [
        dict(size=(3, 2)),
        dict(scale_factor=0.37),
        dict(size=(8, 9)),
        dict(scale_factor=0.5, align_corners=True),
    ],
)
def test_interpolate_antialias(mode, kw):
    x = np.random.default_rng(3).standard_normal((1, 2, 11, 13))
    y = F.interpolate(ember.tensor(x), mode=mode, antialias=True, **kw)
    out, sfs = _out_and_scales(x.shape[2:], kw)
    ref_mode = "linear" if mode == "bilinear" else "cubic"
    ref = ref_interpolate(x, out, ref_mode, kw.get("align_corners", False), sfs, antialias=True)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-10, atol=1e-12)


def test_interpolate_pinned_pytorch_values():
    # computed with PyTorch 2.13 on x = arange(20.).reshape(1, 1, 4, 5) ** 1.5 (float64)
    x = ember.arange(20.0, dtype=ember.float64).reshape(1, 1, 4, 5) ** 1.5
    cases = {
        ("bilinear", True, (2, 3)): [10.436249984668212, 15.173166940561494, 20.827784452826975,
                                     42.24017042250649, 50.547867649403614, 59.336060033506435],
        ("bicubic", True, (2, 3)): [7.573064668258796, 12.202341811740718, 17.90432765328068,
                                    44.35630530268636, 53.35048329261849, 62.84435243476467],
    }  # fmt: skip
    for (mode, aa, size), expected in cases.items():
        y = F.interpolate(x, size=size, mode=mode, antialias=aa)
        np.testing.assert_allclose(y.numpy().ravel(), expected, rtol=1e-12)
    cubic = F.interpolate(x, size=(3, 7), mode="bicubic").numpy().ravel()
    np.testing.assert_allclose(
        cubic[:4], [1.1443702883320224, 1.8062188111079878, 3.1724318410506274, 4.680340054691256],
        rtol=1e-12,
    )  # fmt: skip
    near = F.interpolate(x[:, :, 0], size=7).numpy().ravel()
    np.testing.assert_allclose(
        near, [0, 0, 1, 2.8284271247461903, 2.8284271247461903, 5.196152422706632, 8]
    )
    exact = F.interpolate(x, scale_factor=1.5, mode="nearest-exact").numpy().ravel()
    np.testing.assert_allclose(
        exact[:7], [0, 1, 1, 2.8284271247461903, 5.196152422706632, 5.196152422706632, 8]
    )


@pytest.mark.parametrize(
    "mode, shape, kw, name",
    [
        ("nearest", (1, 1, 3, 4), dict(scale_factor=2), "UpsampleNearest2DBackward0"),
        ("nearest-exact", (1, 1, 3), dict(size=5), "UpsampleNearestExact1DBackward0"),
        ("linear", (1, 1, 3), dict(size=5), "UpsampleLinear1DBackward0"),
        ("bilinear", (1, 1, 3, 4), dict(size=5), "UpsampleBilinear2DBackward0"),
        ("bicubic", (1, 1, 3, 4), dict(size=5), "UpsampleBicubic2DBackward0"),
        ("trilinear", (1, 1, 3, 4, 2), dict(size=3), "UpsampleTrilinear3DBackward0"),
        ("area", (1, 1, 6, 4), dict(size=3), "AdaptiveAvgPool2DBackward0"),
    ],
)
def test_interpolate_gradcheck(gradcheck, rand, mode, shape, kw, name):
    x = rand(*shape, seed=4)
    assert type(F.interpolate(x, mode=mode, **kw).grad_fn).__name__ == name
    gradcheck(lambda t: F.interpolate(t, mode=mode, **kw), x)


@pytest.mark.parametrize("align_corners", [False, True])
def test_interpolate_bilinear_second_order(gradcheck, rand, align_corners):
    gradcheck(
        lambda t: F.interpolate(t, size=(5, 3), mode="bilinear", align_corners=align_corners) ** 2,
        rand(1, 2, 3, 4, seed=5),
        second_order=True,
    )


def test_interpolate_antialias_gradcheck(gradcheck, rand):
    x = rand(1, 1, 7, 6, seed=6)
    y = F.interpolate(x, size=(3, 2), mode="bilinear", antialias=True)
    assert type(y.grad_fn).__name__ == "UpsampleBilinear2DAaBackward0"
    gradcheck(lambda t: F.interpolate(t, size=(3, 2), mode="bicubic", antialias=True), x)


def test_interpolate_errors():
    x = ember.ones(1, 1, 3, 3)
    with pytest.raises(ValueError, match="only one of size or scale_factor should be defined"):
        F.interpolate(x, size=2, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor should be defined"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="Input and output must have the same number of spatial"):
        F.interpolate(x, size=(2,))
    with pytest.raises(ValueError, match="Input and scale_factor must have the same number"):
        F.interpolate(x, scale_factor=(2,))
    with pytest.raises(ValueError, match="align_corners option can only be set"):
        F.interpolate(x, size=3, align_corners=True)
    with pytest.raises(ValueError, match="Got 4D input, but linear mode needs 3D input"):
        F.interpolate(x, size=3, mode="linear")
    with pytest.raises(ValueError, match="Anti-alias option is restricted"):
        F.interpolate(x, size=3, antialias=True)
    with pytest.raises(ValueError, match="recompute_scale_factor is not meaningful"):
        F.interpolate(x, size=3, recompute_scale_factor=True)
    with pytest.raises(ValueError, match=r"Only 3D, 4D and 5D input Tensors supported \(got 2D\)"):
        F.interpolate(ember.ones(3, 3), size=3)
    with pytest.raises(RuntimeError, match=r"output \(H: 0, W: 0\)"):
        F.interpolate(x, scale_factor=0.1)


# -- grid_sample / affine_grid ---------------------------------------------------------------


def _reflect(c, lo2, hi2):
    if lo2 == hi2:
        return 0.0
    mn = lo2 / 2
    span = (hi2 - lo2) / 2
    c = abs(c - mn)
    extra = math.fmod(c, span)
    flips = math.floor(c / span)
    return extra + mn if flips % 2 == 0 else span - extra + mn


def _coord(c, size, pm, ac):
    if pm == "border":
        return min(max(c, 0), size - 1)
    if pm == "reflection":
        c = _reflect(c, 0, 2 * (size - 1)) if ac else _reflect(c, -1, 2 * size - 1)
        return min(max(c, 0), size - 1)
    return c


def ref_grid_sample(x, grid, mode, pm, ac):
    N, C, H, W = x.shape
    Ho, Wo = grid.shape[1:3]
    out = np.zeros((N, C, Ho, Wo))

    def read(n, yy, xx):
        if 0 <= yy < H and 0 <= xx < W:
            return x[n, :, yy, xx]
        return np.zeros(C)

    for n in range(N):
        for i in range(Ho):
            for j in range(Wo):
                gx, gy = grid[n, i, j]
                ix = (gx + 1) / 2 * (W - 1) if ac else ((gx + 1) * W - 1) / 2
                iy = (gy + 1) / 2 * (H - 1) if ac else ((gy + 1) * H - 1) / 2
                if mode == "bicubic":
                    x0, y0 = math.floor(ix), math.floor(iy)
                    tx, ty = ix - x0, iy - y0
                    acc = np.zeros(C)
                    for a in range(4):
                        for b in range(4):
                            py = _coord(y0 - 1 + a, H, pm, ac)
                            px = _coord(x0 - 1 + b, W, pm, ac)
                            w = _cub(ty + 1 - a) * _cub(tx + 1 - b)
                            acc += w * read(n, int(py), int(px))
                    out[n, :, i, j] = acc
                    continue
                ix, iy = _coord(ix, W, pm, ac), _coord(iy, H, pm, ac)
                if mode == "nearest":
                    out[n, :, i, j] = read(n, int(np.rint(iy)), int(np.rint(ix)))
                    continue
                x0, y0 = math.floor(ix), math.floor(iy)
                tx, ty = ix - x0, iy - y0
                out[n, :, i, j] = (
                    read(n, y0, x0) * (1 - tx) * (1 - ty)
                    + read(n, y0, x0 + 1) * tx * (1 - ty)
                    + read(n, y0 + 1, x0) * (1 - tx) * ty
                    + read(n, y0 + 1, x0 + 1) * tx * ty
                )
    return out


@pytest.mark.parametrize("mode", ["bilinear", "nearest", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [False, True])
def test_grid_sample_forward(mode, padding_mode, align_corners):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 4, 5))
    grid = rng.uniform(-1.3, 1.3, (2, 3, 4, 2))
    y = F.grid_sample(ember.tensor(x), ember.tensor(grid), mode, padding_mode, align_corners)
    ref = ref_grid_sample(x, grid, mode, padding_mode, align_corners)
    np.testing.assert_allclose(y.numpy(), ref, rtol=1e-10, atol=1e-12)


def test_grid_sample_pinned_pytorch_values():
    x = ember.arange(20.0, dtype=ember.float64).reshape(1, 1, 4, 5) ** 1.5
    g = ember.tensor([[[[-0.9, 0.3], [1.2, -1.3], [0.1, 0.95]]]], dtype=ember.float64)
    expected = {
        "zeros": (
            [25.702480470619907, 0.0, 42.99688789119718],
            [33.53817492544222, 1.687073019349659, 73.43215670617927],
        ),
        "border": (
            [34.26997396082654, 8.0, 71.66147981866195],
            [30.66363373191769, 6.345737215462587, 69.98481692385981],
        ),
        "reflection": (
            [34.26997396082654, 9.900000000000002, 71.66147981866195],
            [30.205100232779543, 11.669897671920353, 71.3694209702444],
        ),
    }  # fmt: skip
    for pm, (bil, bic) in expected.items():
        np.testing.assert_allclose(
            F.grid_sample(x, g, "bilinear", pm, False).numpy().ravel(), bil, rtol=1e-12
        )
        np.testing.assert_allclose(
            F.grid_sample(x, g, "bicubic", pm, True).numpy().ravel(), bic, rtol=1e-12
        )


def test_grid_sample_3d_matches_2d_on_a_flat_volume():
    rng = np.random.default_rng(8)
    x = rng.standard_normal((1, 2, 4, 5))
    grid = rng.uniform(-1, 1, (1, 3, 4, 2))
    g3 = np.concatenate([grid, np.zeros(grid.shape[:-1] + (1,))], -1)[:, None]
    x3 = np.repeat(x[:, :, None], 3, axis=2)  # depth 3, constant along depth
    y3 = F.grid_sample(ember.tensor(x3), ember.tensor(g3), align_corners=True)
    y2 = F.grid_sample(ember.tensor(x), ember.tensor(grid), align_corners=True)
    np.testing.assert_allclose(y3.numpy()[:, :, 0], y2.numpy(), rtol=1e-12)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
def test_grid_sample_gradcheck(gradcheck, rand, mode, padding_mode):
    x = rand(1, 2, 3, 4, seed=9)
    grid = rand(1, 2, 3, 2, seed=10, low=-1.2, high=1.2)
    gradcheck(lambda a, b: F.grid_sample(a, b, mode, padding_mode, align_corners=False), x, grid)


def test_grid_sample_nearest_gradcheck(gradcheck, rand):
    grid = rand(1, 2, 3, 2, seed=11, requires_grad=False)
    gradcheck(
        lambda a: F.grid_sample(a, grid, "nearest", align_corners=True), rand(1, 2, 3, 4, seed=12)
    )


def test_grid_sample_errors_and_warning():
    x = ember.ones(1, 1, 3, 3)
    with pytest.raises(ValueError, match="expected mode to be 'bilinear', 'nearest' or 'bicubic'"):
        F.grid_sample(x, ember.zeros(1, 2, 2, 2), mode="foo", align_corners=False)
    with pytest.raises(
        ValueError, match="expected padding_mode to be 'zeros', 'border', or 'reflection'"
    ):
        F.grid_sample(x, ember.zeros(1, 2, 2, 2), padding_mode="foo", align_corners=False)
    with pytest.raises(RuntimeError, match="expected grid to have size 2 in last dimension"):
        F.grid_sample(x, ember.zeros(1, 2, 2, 3), align_corners=False)
    with pytest.warns(UserWarning, match="align_corners=False"):
        F.grid_sample(x, ember.zeros(1, 2, 2, 2))


def ref_affine_grid(theta, size, ac):
    sp = size[2:]
    k = len(sp)

    def lin(n):
        c = np.linspace(-1, 1, n) if n > 1 else np.zeros(1)
        return c if ac else c * (n - 1) / n

    out = np.zeros((size[0],) + tuple(sp) + (k,))
    for n in range(size[0]):
        for pos in itertools.product(*[range(s) for s in sp]):
            pt = [lin(sp[k - 1 - i])[pos[k - 1 - i]] for i in range(k)] + [1.0]
            out[(n,) + pos] = theta[n] @ np.array(pt)
    return out


@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 3, 4, 2), (1, 1, 1, 3)])
def test_affine_grid(gradcheck, rand, align_corners, size):
    k = len(size) - 2
    theta = rand(size[0], k, k + 1, seed=13)
    y = F.affine_grid(theta, size, align_corners=align_corners)
    np.testing.assert_allclose(
        y.detach().numpy(),
        ref_affine_grid(theta.detach().numpy(), size, align_corners),
        rtol=1e-12,
        atol=1e-14,
    )
    assert type(y.grad_fn).__name__ == "AffineGridGeneratorBackward0"
    gradcheck(
        lambda t: F.affine_grid(t, size, align_corners=align_corners) ** 2, theta, second_order=True
    )


def test_affine_grid_errors():
    with pytest.raises(ValueError, match="affine_grid only supports 4D and 5D sizes"):
        F.affine_grid(ember.zeros(1, 2, 3), (1, 1, 2), align_corners=False)
    with pytest.raises(ValueError, match="Expected a batch of 2D affine matrices of shape Nx2x3"):
        F.affine_grid(ember.zeros(1, 3, 3), (1, 1, 2, 2), align_corners=False)


def test_affine_identity_grid_sample_is_identity():
    x = ember.randn(2, 3, 5, 4, dtype=ember.float64)
    theta = ember.tensor([[[1.0, 0, 0], [0, 1.0, 0]]] * 2, dtype=ember.float64)
    for ac in (False, True):
        grid = F.affine_grid(theta, x.shape, align_corners=ac)
        np.testing.assert_allclose(
            F.grid_sample(x, grid, align_corners=ac).numpy(), x.numpy(), atol=1e-12
        )


# -- shuffles --------------------------------------------------------------------------------


def test_pixel_shuffle_and_unshuffle(gradcheck, rand):
    r = 2
    x = np.random.default_rng(14).standard_normal((2, 8, 3, 4))
    y = F.pixel_shuffle(ember.tensor(x), r).numpy()
    ref = np.zeros((2, 2, 6, 8))
    for n, c, h, w, i, j in itertools.product(
        range(2), range(2), range(3), range(4), range(r), range(r)
    ):
        ref[n, c, h * r + i, w * r + j] = x[n, c * r * r + i * r + j, h, w]
    np.testing.assert_array_equal(y, ref)
    np.testing.assert_array_equal(F.pixel_unshuffle(ember.tensor(ref), r).numpy(), x)
    t = rand(1, 3, 4, 2, 2, seed=15)  # extra leading dims allowed
    assert F.pixel_shuffle(t, 2).shape == (1, 3, 1, 4, 4)
    assert type(F.pixel_shuffle(t, 2).grad_fn).__name__ == "PixelShuffleBackward0"
    gradcheck(lambda a: F.pixel_shuffle(a, 2) ** 2, t, second_order=True)
    gradcheck(lambda a: F.pixel_unshuffle(a, 2) ** 2, rand(1, 2, 4, 2, seed=16), second_order=True)


def test_channel_shuffle(gradcheck, rand):
    x = np.random.default_rng(17).standard_normal((2, 6, 3))
    y = F.channel_shuffle(ember.tensor(x), 3).numpy()
    for k in range(6):
        np.testing.assert_array_equal(y[:, k], x[:, (k % 3) * 2 + k // 3])
    t = rand(1, 6, 2, 2, seed=18)
    assert type(F.channel_shuffle(t, 2).grad_fn).__name__ == "ChannelShuffleBackward0"
    gradcheck(lambda a: F.channel_shuffle(a, 2) ** 2, t, second_order=True)


def test_shuffle_errors():
    with pytest.raises(RuntimeError, match=r"input.size\(-3\)=5 is not divisible by 4"):
        F.pixel_shuffle(ember.ones(1, 5, 2, 2), 2)
    with pytest.raises(RuntimeError, match="expects input to have at least 3 dimensions"):
        F.pixel_shuffle(ember.ones(2, 2), 2)
    with pytest.raises(RuntimeError, match=r"input.size\(-2\)=3 is not divisible by 2"):
        F.pixel_unshuffle(ember.ones(1, 1, 3, 4), 2)
    with pytest.raises(RuntimeError, match="Got 5 channels and 2 groups"):
        F.channel_shuffle(ember.ones(1, 5, 2, 2), 2)
    with pytest.raises(
        RuntimeError, match=r"expects input with > 2 dims, but got input with sizes \[2, 6\]"
    ):
        F.channel_shuffle(ember.ones(2, 6), 2)


# -- modules ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "module, text",
    [
        (nn.Upsample(scale_factor=2), "Upsample(scale_factor=2.0, mode='nearest')"),
        (nn.Upsample(size=3, mode="bilinear"), "Upsample(size=3, mode='bilinear')"),
        (
            nn.Upsample(scale_factor=(2, 3), mode="bicubic"),
            "Upsample(scale_factor=(2.0, 3.0), mode='bicubic')",
        ),
        (
            nn.UpsamplingNearest2d(scale_factor=2),
            "UpsamplingNearest2d(scale_factor=2.0, mode='nearest')",
        ),
        (
            nn.UpsamplingBilinear2d(size=(3, 4)),
            "UpsamplingBilinear2d(size=(3, 4), mode='bilinear')",
        ),
        (nn.PixelShuffle(2), "PixelShuffle(upscale_factor=2)"),
        (nn.PixelUnshuffle(2), "PixelUnshuffle(downscale_factor=2)"),
        (nn.ChannelShuffle(2), "ChannelShuffle(groups=2)"),
    ],
)
def test_module_repr(module, text):
    assert repr(module) == text


def test_modules_forward():
    x = ember.randn(1, 4, 3, 5, dtype=ember.float64)
    up = nn.UpsamplingBilinear2d(scale_factor=2)(x)
    assert ember.allclose(up, F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=True))
    assert ember.equal(nn.Upsample(size=(4, 4))(x), F.interpolate(x, size=(4, 4)))
    assert ember.equal(nn.UpsamplingNearest2d(size=6)(x), F.interpolate(x, size=6))
    assert ember.equal(nn.PixelUnshuffle(1)(x), x)
    assert ember.equal(nn.ChannelShuffle(2)(x), F.channel_shuffle(x, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.Upsample(scale_factor=2, mode="bilinear")(x)  # no align_corners warning
