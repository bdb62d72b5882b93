"""Geometric kernels of ember_vision.transforms.functional, checked against Pillow and NumPy."""

import numpy as np
import pytest
from PIL import Image

import ember
import ember.nn.functional as NF
from ember_vision.transforms import InterpolationMode as I
from ember_vision.transforms import functional as F

PIL_CODES = {I.NEAREST: 0, I.BILINEAR: 2, I.BICUBIC: 3, I.BOX: 4, I.HAMMING: 5, I.LANCZOS: 1}


def _rgb(h=23, w=29, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _chw(arr):
    return ember.tensor(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def _hwc(t):
    return t.numpy().transpose(1, 2, 0)


# -- resize ----------------------------------------------------------------------------------

# (out_h, out_w) for a 23 x 29 input: down, up, and the mixed cases
SIZES = [(11, 13), (40, 47), (31, 17), (12, 52)]


@pytest.mark.parametrize("mode", [I.BILINEAR, I.BOX, I.HAMMING, I.BICUBIC, I.LANCZOS])
@pytest.mark.parametrize("size", SIZES)
def test_resize_uint8_tensor_matches_pillow(mode, size):
    arr = _rgb()
    ref = np.asarray(Image.fromarray(arr).resize(size[::-1], PIL_CODES[mode])).astype(int)
    out = F.resize(_chw(arr), list(size), mode)
    assert out.dtype == ember.uint8 and tuple(out.shape) == (3, *size)
    assert np.abs(_hwc(out).astype(int) - ref).max() <= 1


@pytest.mark.parametrize("size", SIZES)
def test_resize_nearest_exact_matches_pillow_nearest(size):
    arr = _rgb()
    ref = np.asarray(Image.fromarray(arr).resize(size[::-1], 0))
    np.testing.assert_array_equal(_hwc(F.resize(_chw(arr), list(size), I.NEAREST_EXACT)), ref)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
def test_resize_nearest_matches_interpolate(size, mode):
    x = ember.tensor(np.random.default_rng(1).random((2, 3, 23, 29), dtype=np.float32))
    ref = NF.interpolate(x, size=size, mode=mode)
    np.testing.assert_array_equal(F.resize(x, list(size), I(mode)).numpy(), ref.numpy())
    # uint8 nearest is an exact gather too
    xu = (x * 255).to(ember.uint8)
    np.testing.assert_array_equal(
        F.resize(xu, list(size), I(mode)).numpy(), NF.interpolate(xu, size=size, mode=mode).numpy()
    )


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("size", SIZES)
def test_resize_without_antialias_matches_interpolate(mode, size):
    x = ember.tensor(np.random.default_rng(2).random((2, 3, 23, 29)).astype(np.float32))
    out = F.resize(x, list(size), I(mode), antialias=False)
    ref = NF.interpolate(x, size=size, mode=mode, align_corners=False)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)
    # uint8: computed in float32, rounded and clamped
    xu = ember.tensor(_rgb().transpose(2, 0, 1).copy())
    ref_u = NF.interpolate(xu.float()[None], size=size, mode=mode, align_corners=False)[0]
    want = np.clip(np.rint(ref_u.numpy()), 0, 255)
    got = F.resize(xu, list(size), I(mode), antialias=False).numpy()
    assert np.abs(got.astype(int) - want.astype(int)).max() <= 1


def test_resize_float_antialias_matches_interpolate_antialias():
    # PyTorch's antialiased bilinear uses Pillow's weights, so both must agree on floats
    x = ember.tensor(np.random.default_rng(3).random((1, 2, 30, 40)).astype(np.float64))
    out = F.resize(x, [13, 9], I.BILINEAR, antialias=True)
    ref = NF.interpolate(x, size=(13, 9), mode="bilinear", antialias=True, align_corners=False)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-10, atol=1e-10)


def test_resize_size_rules():
    t = ember.zeros(3, 20, 40)
    assert tuple(F.resize(t, 10).shape) == (3, 10, 20)
    assert tuple(F.resize(t, [10]).shape) == (3, 10, 20)
    assert tuple(F.resize(t, [7, 9]).shape) == (3, 7, 9)
    assert tuple(F.resize(t, 10, max_size=15).shape) == (3, 7, 15)
    assert tuple(F.resize(t, None, max_size=20).shape) == (3, 10, 20)
    tall = ember.zeros(1, 40, 20)
    assert tuple(F.resize(tall, 10).shape) == (1, 20, 10)
    assert F.resize(t, [20, 40]) is t  # unchanged size: the input itself


def test_resize_pil_and_ndarray_keep_their_kind():
    arr = _rgb()
    pil = F.resize(Image.fromarray(arr), [10, 12])
    assert pil.size == (12, 10)
    out = F.resize(arr, [10, 12])
    assert isinstance(out, np.ndarray) and out.shape == (10, 12, 3)
    assert np.abs(out.astype(int) - np.asarray(pil).astype(int)).max() <= 1
    gray = F.resize(arr[:, :, 0], [10, 12])
    assert gray.shape == (10, 12)


def test_resize_batched_equals_per_image():
    x = ember.tensor(np.random.default_rng(4).integers(0, 256, (2, 2, 3, 15, 17), dtype=np.uint8))
    out = F.resize(x, [9, 8])
    assert tuple(out.shape) == (2, 2, 3, 9, 8)
    np.testing.assert_array_equal(out[1, 0].numpy(), F.resize(x[1, 0], [9, 8]).numpy())


@pytest.mark.parametrize("mode", [I.BILINEAR, I.LANCZOS, I.NEAREST])
def test_resize_float_keeps_autograd(mode):
    x = ember.tensor(np.random.default_rng(5).random((1, 2, 6, 7)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: F.resize(t, [4, 9], mode), (x,))
    assert ember.autograd.gradcheck(lambda t: F.resized_crop(t, 1, 2, 4, 4, [3, 5], mode), (x,))


def test_resize_errors():
    t = ember.zeros(3, 8, 8)
    with pytest.raises(ValueError, match="1 or 2"):
        F.resize(t, [1, 2, 3])
    with pytest.raises(ValueError, match="positive"):
        F.resize(t, [0, 4])
    with pytest.raises(ValueError, match="max_size = 4 must be strictly greater"):
        F.resize(t, 4, max_size=4)
    with pytest.raises(TypeError, match="interpolation"):
        F.resize(t, 4, interpolation="cubic-ish")
    with pytest.raises(TypeError, match="got list"):
        F.resize([1, 2], 4)


# -- crops, resized crop ---------------------------------------------------------------------


def test_resized_crop_is_crop_then_resize():
    # as torchvision: the crop alone is resized (pixels outside the box never contribute)
    arr = _rgb(40, 50)
    box = (6, 9, 21, 30)  # top, left, height, width
    for mode in (I.BILINEAR, I.BICUBIC):
        crop = Image.fromarray(arr).crop((box[1], box[0], box[1] + box[3], box[0] + box[2]))
        pil = crop.resize((13, 11), PIL_CODES[mode])
        out = F.resized_crop(_chw(arr), *box, [11, 13], mode)
        assert np.abs(_hwc(out).astype(int) - np.asarray(pil).astype(int)).max() <= 1
        got = F.resized_crop(Image.fromarray(arr), *box, [11, 13], mode)
        np.testing.assert_array_equal(np.asarray(got), np.asarray(pil))


def test_resized_crop_without_antialias_is_crop_then_interpolate():
    x = ember.tensor(np.random.default_rng(8).random((2, 3, 20, 24)).astype(np.float32))
    out = F.resized_crop(x, 3, 5, 12, 10, [7, 15], I.BICUBIC, antialias=False)
    ref = NF.interpolate(x[..., 3:15, 5:15], size=(7, 15), mode="bicubic", align_corners=False)
    np.testing.assert_allclose(out.numpy(), ref.numpy(), rtol=1e-5, atol=1e-5)


def test_resized_crop_nearest_and_outside_box():
    arr = _rgb(20, 20)
    t = _chw(arr)
    out = F.resized_crop(t, 2, 3, 10, 8, [5, 4], I.NEAREST)
    np.testing.assert_array_equal(out.numpy(), t.numpy()[:, 2:12:2, 3:11:2])
    # a box reaching outside the image is zero-padded first
    out = F.resized_crop(t, -4, -4, 8, 8, [8, 8], I.NEAREST)
    np.testing.assert_array_equal(out.numpy()[:, :4, :4], 0)
    np.testing.assert_array_equal(out.numpy()[:, 4:, 4:], t.numpy()[:, :4, :4])


def test_crop_matches_slicing_and_pads_outside():
    arr = _rgb()
    t = _chw(arr)
    np.testing.assert_array_equal(F.crop(t, 3, 4, 10, 11).numpy(), t.numpy()[:, 3:13, 4:15])
    pil = F.crop(Image.fromarray(arr), -2, 25, 6, 8)
    out = F.crop(t, -2, 25, 6, 8)
    np.testing.assert_array_equal(_hwc(out), np.asarray(pil))
    np.testing.assert_array_equal(out.numpy()[:, :2], 0)
    np.testing.assert_array_equal(out.numpy()[:, 2:, :4], t.numpy()[:, :4, 25:])
    np.testing.assert_array_equal(F.crop(arr, 1, 2, 3, 4), arr[1:4, 2:6])


@pytest.mark.parametrize("size", [5, [6, 9], [30, 31]])
def test_center_crop_matches_pillow(size):
    arr = _rgb()
    s = [size, size] if isinstance(size, int) else size
    h, w = 23, 29
    top, left = round((h - s[0]) / 2.0), round((w - s[1]) / 2.0)
    ref = np.asarray(Image.fromarray(arr).crop((left, top, left + s[1], top + s[0])))
    if s[0] <= h and s[1] <= w:
        np.testing.assert_array_equal(_hwc(F.center_crop(_chw(arr), size)), ref)
    out = F.center_crop(_chw(arr), size)
    assert tuple(out.shape) == (3, *s)
    np.testing.assert_array_equal(np.asarray(F.center_crop(Image.fromarray(arr), size)), _hwc(out))


def test_center_crop_pads_with_zeros_like_torchvision():
    t = ember.ones(1, 2, 3, dtype=ember.uint8)
    out = F.center_crop(t, [5, 6]).numpy()[0]
    want = np.zeros((5, 6), np.uint8)
    want[1:3, 1:4] = 1  # left pad (6-3)//2 = 1, top pad (5-2)//2 = 1
    np.testing.assert_array_equal(out, want)


def test_five_and_ten_crop():
    arr = _rgb(10, 12)
    t = _chw(arr)
    tl, tr, bl, br, c = F.five_crop(t, [4, 5])
    a = t.numpy()
    np.testing.assert_array_equal(tl.numpy(), a[:, :4, :5])
    np.testing.assert_array_equal(tr.numpy(), a[:, :4, 7:])
    np.testing.assert_array_equal(bl.numpy(), a[:, 6:, :5])
    np.testing.assert_array_equal(br.numpy(), a[:, 6:, 7:])
    np.testing.assert_array_equal(c.numpy(), a[:, 3:7, 4:9])
    ten = F.ten_crop(t, [4, 5], vertical_flip=True)
    assert len(ten) == 10
    np.testing.assert_array_equal(ten[5].numpy(), a[:, ::-1][:, :4, :5])
    ten_h = F.ten_crop(Image.fromarray(arr), 4)
    np.testing.assert_array_equal(np.asarray(ten_h[5]), arr[:, ::-1][:4, :4])
    with pytest.raises(ValueError, match="bigger than the input size"):
        F.five_crop(t, 11)


# -- padding and flips -----------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "symmetric"])
@pytest.mark.parametrize("padding", [2, [1, 3], [1, 2, 3, 4]])
def test_pad_matches_numpy_on_all_kinds(mode, padding):
    arr = _rgb(7, 9)
    p = [padding] * 4 if isinstance(padding, int) else padding * 2 if len(padding) == 2 else padding
    left, top, right, bottom = p
    kw = {"constant_values": 5} if mode == "constant" else {}
    ref = np.pad(arr, ((top, bottom), (left, right), (0, 0)), mode=mode, **kw)
    np.testing.assert_array_equal(_hwc(F.pad(_chw(arr), padding, 5, mode)), ref)
    np.testing.assert_array_equal(np.asarray(F.pad(Image.fromarray(arr), padding, 5, mode)), ref)
    np.testing.assert_array_equal(F.pad(arr, padding, 5, mode), ref)
    batch = ember.tensor(np.stack([arr.transpose(2, 0, 1)] * 2))
    np.testing.assert_array_equal(F.pad(batch, padding, 5, mode)[1].numpy(), ref.transpose(2, 0, 1))


def test_pad_per_channel_fill_and_negative_padding():
    arr = _rgb(5, 6)
    out = F.pad(_chw(arr), 1, fill=[1, 2, 3])
    np.testing.assert_array_equal(out.numpy()[:, 0, 0], [1, 2, 3])
    pil = F.pad(Image.fromarray(arr), 1, fill=(1, 2, 3))
    np.testing.assert_array_equal(np.asarray(pil), _hwc(out))
    np.testing.assert_array_equal(
        F.pad(_chw(arr), [-1, -2]).numpy(), _chw(arr).numpy()[:, 2:3, 1:5]
    )


def test_pad_float_keeps_autograd():
    x = ember.tensor(np.random.default_rng(6).random((2, 3, 4)), requires_grad=True)
    for mode in ("constant", "reflect", "symmetric", "edge"):
        assert ember.autograd.gradcheck(lambda t, m=mode: F.pad(t, [1, 2], 0.5, m), (x,))


def test_pad_errors():
    t = ember.zeros(1, 3, 3)
    with pytest.raises(ValueError, match="padding_mode"):
        F.pad(t, 1, padding_mode="wrap")
    with pytest.raises(ValueError, match="3 element"):
        F.pad(t, [1, 2, 3])
    with pytest.raises(ValueError, match="fill has 2 values"):
        F.pad(ember.zeros(3, 2, 2), 1, fill=[1, 2])


def test_flips_all_kinds():
    arr = _rgb(4, 5)
    np.testing.assert_array_equal(_hwc(F.hflip(_chw(arr))), arr[:, ::-1])
    np.testing.assert_array_equal(_hwc(F.vflip(_chw(arr))), arr[::-1])
    np.testing.assert_array_equal(np.asarray(F.hflip(Image.fromarray(arr))), arr[:, ::-1])
    np.testing.assert_array_equal(np.asarray(F.vflip(Image.fromarray(arr))), arr[::-1])
    np.testing.assert_array_equal(F.hflip(arr), arr[:, ::-1])
    batch = ember.tensor(np.stack([arr.transpose(2, 0, 1)] * 2))
    np.testing.assert_array_equal(F.vflip(batch).numpy()[1], arr[::-1].transpose(2, 0, 1))


# -- rotate, affine, perspective -------------------------------------------------------------


@pytest.mark.parametrize("angle", [30, -45, 135, 180])
@pytest.mark.parametrize("expand", [False, True])
def test_rotate_nearest_matches_pillow(angle, expand):
    arr = _rgb(21, 26)
    ref = np.asarray(F.rotate(Image.fromarray(arr), angle, expand=expand, fill=[7, 8, 9]))
    out = _hwc(F.rotate(_chw(arr), angle, expand=expand, fill=[7, 8, 9]))
    assert out.shape == ref.shape
    assert (out == ref).all(axis=-1).mean() > 0.98


def test_rotate_by_right_angles_is_rot90():
    x = ember.tensor(np.arange(2 * 3 * 6 * 6).reshape(2, 3, 6, 6))
    np.testing.assert_array_equal(F.rotate(x, 90).numpy(), np.rot90(x.numpy(), 1, axes=(-2, -1)))
    np.testing.assert_array_equal(F.rotate(x, -90).numpy(), np.rot90(x.numpy(), -1, axes=(-2, -1)))
    rect = ember.tensor(np.arange(4 * 6).reshape(1, 4, 6))
    out = F.rotate(rect, 90, expand=True)
    np.testing.assert_array_equal(out.numpy(), np.rot90(rect.numpy(), 1, axes=(-2, -1)))
    img = Image.fromarray(_rgb(6, 6))
    np.testing.assert_array_equal(
        _hwc(F.rotate(_chw(np.asarray(img)), 90)), np.asarray(F.rotate(img, 90))
    )


def test_rotate_about_a_center():
    arr = _rgb(15, 17)
    ref = np.asarray(F.rotate(Image.fromarray(arr), 33, center=[4, 6]))
    out = _hwc(F.rotate(_chw(arr), 33, center=[4, 6]))
    assert (out == ref).all(axis=-1).mean() > 0.98


def test_affine_translation_is_a_shift():
    x = ember.tensor(np.arange(30.0).reshape(1, 5, 6))
    out = F.affine(x, 0.0, [2, -1], 1.0, 0.0).numpy()[0]
    want = np.zeros((5, 6))
    want[:4, 2:] = x.numpy()[0, 1:, :4]
    np.testing.assert_array_equal(out, want)


@pytest.mark.parametrize(
    "args", [(20, [3, -2], 1.2, [10, 5]), (-70, [0, 4], 0.7, 15), (0, [1, 1], 1.37, [0, -20])]
)
def test_affine_nearest_matches_pillow(args):
    arr = _rgb(19, 24)
    ref = np.asarray(F.affine(Image.fromarray(arr), *args, fill=3))
    out = _hwc(F.affine(_chw(arr), *args, fill=3))
    assert (out == ref).all(axis=-1).mean() > 0.98


def _inner_mask(matrix_pts_x, matrix_pts_y, h, w):
    return (
        (matrix_pts_x >= 0)
        & (matrix_pts_x <= w - 1)
        & (matrix_pts_y >= 0)
        & (matrix_pts_y <= h - 1)
    )


def test_affine_bilinear_close_to_pillow_inside():
    from ember_vision.transforms.functional._geometry import (
        _affine_coords,
        _inverse_affine_matrix,
    )

    arr = _rgb(19, 24)
    args = (25.0, [1.0, 2.0], 0.9, [5.0, 0.0])
    ref = np.asarray(F.affine(Image.fromarray(arr), *args, I.BILINEAR)).astype(int)
    out = _hwc(F.affine(_chw(arr), *args, I.BILINEAR)).astype(int)
    x, y = _affine_coords(_inverse_affine_matrix([0, 0], *args), 24, 19, 24, 19)
    inside = _inner_mask(x, y, 19, 24)
    assert inside.mean() > 0.5
    assert np.abs(out - ref)[inside].max() <= 1


def test_perspective_matches_pillow():
    arr = _rgb(20, 25)
    sp = [[0, 0], [24, 0], [24, 19], [0, 19]]
    ep = [[3, 2], [22, 0], [24, 17], [1, 19]]
    ref = np.asarray(F.perspective(Image.fromarray(arr), sp, ep, I.NEAREST))
    out = _hwc(F.perspective(_chw(arr), sp, ep, I.NEAREST))
    assert (out == ref).all(axis=-1).mean() > 0.98
    # the identity homography leaves the image as it is, also bilinear
    same = F.perspective(_chw(arr), sp, sp)
    np.testing.assert_array_equal(_hwc(same), arr)


def test_warps_on_ndarray_and_batches():
    arr = _rgb(12, 12)
    out = F.rotate(arr, 90)
    assert isinstance(out, np.ndarray)
    np.testing.assert_array_equal(out, np.rot90(arr, 1))
    batch = ember.tensor(np.stack([arr.transpose(2, 0, 1)] * 3))
    np.testing.assert_array_equal(F.affine(batch, 10, [1, 1], 1.0, 0).numpy()[2],
                                  F.affine(batch[2], 10, [1, 1], 1.0, 0).numpy())  # fmt: skip


def test_warp_float_keeps_autograd():
    x = ember.tensor(np.random.default_rng(7).random((1, 5, 5)), requires_grad=True)
    assert ember.autograd.gradcheck(
        lambda t: F.rotate(t, 17.0, I.BILINEAR, fill=[0.5]), (x,), atol=1e-5
    )


def test_warp_errors():
    t = ember.zeros(3, 4, 4)
    with pytest.raises(ValueError, match="not supported for tensors"):
        F.rotate(t, 10, I.BICUBIC)
    with pytest.raises(ValueError, match="scale must be a positive"):
        F.affine(t, 0, [0, 0], 0.0, 0)
    with pytest.raises(TypeError, match="translate"):
        F.affine(t, 0, 3, 1.0, 0)
    with pytest.raises(ValueError, match="four corners"):
        F.perspective(t, [[0, 0]], [[0, 0]])
    with pytest.raises(ValueError, match="fill has 2 values"):
        F.rotate(t, 10, fill=[1, 2])


def test_kernels_keep_the_device(device):
    x = ember.tensor(_rgb().transpose(2, 0, 1).copy()).to(device)
    sp = [[0, 0], [28, 0], [28, 22], [0, 22]]
    ep = [[2, 1], [27, 0], [28, 20], [0, 22]]
    kernels = [
        lambda t: F.resize(t, [11, 13]),
        lambda t: F.resize(t, [11, 13], I.NEAREST),
        lambda t: F.resized_crop(t, 2, 3, 15, 20, [8, 9]),
        lambda t: F.rotate(t, 30, fill=3),
        lambda t: F.affine(t, 10, [1, 2], 1.1, 5, I.BILINEAR),
        lambda t: F.perspective(t, sp, ep),
        lambda t: F.pad(t, [1, 2], fill=4),
        lambda t: F.pad(t, [1, 2], padding_mode="symmetric"),
        lambda t: F.center_crop(t, 30),
        lambda t: F.hflip(t),
        lambda t: F.normalize(F.to_dtype(t, ember.float32, scale=True), [0.5] * 3, [0.2] * 3),
    ]
    for kernel in kernels:
        out, ref = kernel(x), kernel(x.cpu())
        assert out.device == x.device
        np.testing.assert_allclose(out.cpu().numpy(), ref.numpy(), rtol=1e-5, atol=1)
