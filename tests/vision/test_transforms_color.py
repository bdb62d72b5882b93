"""Colour and blur functions of ember_vision.transforms.functional.

References: Pillow (ImageEnhance / ImageOps) on the same images, and direct NumPy / colorsys /
SciPy computations of each definition. Where Pillow rounds differently from torchvision's
tensor formulas (Pillow rounds greyscale values and blends in fixed point; the tensor kernels
truncate, as torchvision's do), the uint8 comparisons allow a difference of 1 or 2 grey levels,
stated per test.
"""

import colorsys

import numpy as np
import pytest
from PIL import Image

import ember
from ember_vision.transforms import functional as F

LUMA = np.array([0.2989, 0.587, 0.114])


def _rgb(seed=0, h=7, w=9):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _chw(arr):
    """HWC uint8 ndarray to a (C, H, W) ember tensor."""
    return ember.tensor(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def _hwc(t):
    return t.numpy().transpose(1, 2, 0)


def _max_diff(a, b):
    return int(np.abs(np.asarray(a, dtype=np.int64) - np.asarray(b, dtype=np.int64)).max())


# -- tensor kernels against Pillow on uint8 RGB images -------------------------------------------

PIL_CASES = [
    # (function, argument, largest allowed difference in grey levels)
    (F.adjust_brightness, 0.6, 1),
    (F.adjust_brightness, 1.7, 1),
    (F.adjust_contrast, 0.3, 2),
    (F.adjust_contrast, 1.6, 2),
    (F.adjust_saturation, 0.4, 2),
    (F.adjust_saturation, 1.8, 2),
    (F.adjust_sharpness, 0.3, 1),
    (F.adjust_sharpness, 2.5, 2),
    (F.adjust_gamma, 0.5, 1),
    (F.adjust_gamma, 2.2, 1),
    (F.posterize, 3, 0),
    (F.posterize, 1, 0),
    (F.solarize, 100, 0),
    (F.invert, None, 0),
    (F.equalize, None, 0),
    (F.autocontrast, None, 1),
    (F.rgb_to_grayscale, None, 1),
]


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize(("fn", "arg", "tol"), PIL_CASES, ids=lambda x: getattr(x, "__name__", x))
def test_tensor_kernel_matches_pillow(fn, arg, tol, seed):
    arr = _rgb(seed)
    args = () if arg is None else (arg,)
    expected = np.asarray(fn(Image.fromarray(arr), *args))
    out = fn(_chw(arr), *args)
    assert out.dtype == ember.uint8
    actual = out.numpy()[0] if expected.ndim == 2 else _hwc(out)
    assert actual.shape == expected.shape
    assert _max_diff(actual, expected) <= tol


def test_pil_outputs_keep_mode_and_size():
    im = Image.fromarray(_rgb())
    for out in (F.adjust_brightness(im, 1.2), F.adjust_hue(im, 0.1), F.equalize(im)):
        assert isinstance(out, Image.Image) and out.mode == "RGB" and out.size == im.size
    gray = F.rgb_to_grayscale(im)
    assert gray.mode == "L"
    gray3 = F.rgb_to_grayscale(im, num_output_channels=3)
    assert gray3.mode == "RGB"
    g = np.asarray(gray3)
    assert (g[..., 0] == g[..., 1]).all() and (g[..., 1] == g[..., 2]).all()
    assert F.adjust_hue(gray, 0.3) is gray  # greyscale images have no hue
    assert not np.asarray(F.posterize(im, 0)).any()  # no bit kept: black


def test_hue_tensor_close_to_pillow_on_average():
    # Pillow quantises the hue to 256 levels and shifts it by int(255 * factor); the tensor
    # kernel works in float. torchvision's own check allows a large maximum difference; the
    # mean difference stays small.
    arr = _rgb(3, 16, 16)
    for factor in (-0.3, 0.1, 0.45):
        expected = np.asarray(F.adjust_hue(Image.fromarray(arr), factor)).astype(float)
        actual = _hwc(F.adjust_hue(_chw(arr), factor)).astype(float)
        assert np.abs(actual - expected).mean() < 3.0


# -- tensor kernels against direct NumPy formulas on float images --------------------------------


def _float_img(seed=0, shape=(3, 6, 7)):
    return np.random.default_rng(seed).random(shape)


def test_brightness_contrast_saturation_formulas():
    x = _float_img()
    t = ember.tensor(x)
    gray = np.tensordot(LUMA, x, axes=(0, 0))
    np.testing.assert_allclose(F.adjust_brightness(t, 1.4).numpy(), np.clip(x * 1.4, 0, 1))
    mean = gray.mean()
    np.testing.assert_allclose(
        F.adjust_contrast(t, 0.7).numpy(), np.clip(0.7 * x + 0.3 * mean, 0, 1), atol=1e-12
    )
    np.testing.assert_allclose(
        F.adjust_saturation(t, 1.5).numpy(), np.clip(1.5 * x - 0.5 * gray, 0, 1), atol=1e-12
    )
    np.testing.assert_allclose(F.rgb_to_grayscale(t).numpy()[0], gray, atol=1e-12)
    assert t.dtype == F.adjust_contrast(t, 0.7).dtype == ember.float64


def test_contrast_single_channel_uses_its_mean():
    x = _float_img(1, (1, 5, 5))
    out = F.adjust_contrast(ember.tensor(x), 0.25).numpy()
    np.testing.assert_allclose(out, np.clip(0.25 * x + 0.75 * x.mean(), 0, 1), atol=1e-12)
    assert F.adjust_saturation(ember.tensor(x), 3.0).numpy().tolist() == x.tolist()


def test_uint8_brightness_and_grayscale_truncate_like_torchvision():
    arr = _rgb(4)
    x = arr.transpose(2, 0, 1).astype(np.float32)
    out = F.adjust_brightness(_chw(arr), 1.3).numpy()
    np.testing.assert_array_equal(out, np.clip(x * np.float32(1.3), 0, 255).astype(np.uint8))
    gray = F.rgb_to_grayscale(_chw(arr)).numpy()[0]
    ref = (x[0] * np.float32(0.2989) + x[1] * np.float32(0.587) + x[2] * np.float32(0.114)).astype(
        np.uint8
    )
    assert _max_diff(gray, ref) == 0


def test_hue_against_colorsys():
    x = _float_img(2, (3, 4, 5)).astype(np.float32)
    factor = 0.23
    out = F.adjust_hue(ember.tensor(x), factor).numpy()
    for r in range(4):
        for c in range(5):
            h, s, v = colorsys.rgb_to_hsv(*x[:, r, c])
            expected = colorsys.hsv_to_rgb((h + factor) % 1.0, s, v)
            np.testing.assert_allclose(out[:, r, c], expected, atol=1e-5)
    # a full turn in two half steps gives the image back; zero shift is the identity
    back = F.adjust_hue(F.adjust_hue(ember.tensor(x), 0.5), -0.5).numpy()
    np.testing.assert_allclose(back, x, atol=1e-5)
    np.testing.assert_allclose(F.adjust_hue(ember.tensor(x), 0.0).numpy(), x, atol=1e-6)


def test_gamma_formula_float_and_uint8():
    x = _float_img(5)
    out = F.adjust_gamma(ember.tensor(x), 0.7, gain=1.2).numpy()
    np.testing.assert_allclose(out, np.clip(1.2 * x**0.7, 0, 1), atol=1e-12)
    arr = _rgb(5)
    out8 = F.adjust_gamma(_chw(arr), 2.0).numpy()
    ref = (255.999 * (arr.transpose(2, 0, 1) / 255.0) ** 2.0).astype(np.uint8)
    assert _max_diff(out8, ref) <= 1


def test_sharpness_formula_against_convolution():
    x = _float_img(6, (3, 6, 8))
    factor = 1.8
    out = F.adjust_sharpness(ember.tensor(x), factor).numpy()
    kernel = np.array([[1, 1, 1], [1, 5, 1], [1, 1, 1]]) / 13.0
    expected = x.copy()
    for c in range(3):
        windows = np.lib.stride_tricks.sliding_window_view(x[c], (3, 3))
        blurred = np.einsum("ijkl,kl->ij", windows, kernel)
        inner = x[c, 1:-1, 1:-1]
        expected[c, 1:-1, 1:-1] = factor * inner + (1 - factor) * blurred
    np.testing.assert_allclose(out, np.clip(expected, 0, 1), atol=1e-12)
    np.testing.assert_array_equal(F.adjust_sharpness(ember.tensor(x[:, :2]), 0.0).numpy(), x[:, :2])


def test_posterize_solarize_invert_autocontrast_float():
    x = _float_img(7)
    t = ember.tensor(x)
    np.testing.assert_allclose(
        F.posterize(t, 2).numpy(), np.clip(np.floor(x * 4), 0, 3) / 4, atol=1e-12
    )
    np.testing.assert_allclose(F.solarize(t, 0.4).numpy(), np.where(x >= 0.4, 1 - x, x))
    np.testing.assert_allclose(F.invert(t).numpy(), 1 - x)
    lo = x.min(axis=(1, 2), keepdims=True)
    hi = x.max(axis=(1, 2), keepdims=True)
    np.testing.assert_allclose(F.autocontrast(t).numpy(), (x - lo) / (hi - lo), atol=1e-12)
    flat = ember.full((1, 3, 3), 0.3, dtype=ember.float64)
    np.testing.assert_allclose(F.autocontrast(flat).numpy(), 0.3)


def test_equalize_matches_pillow_on_skewed_histograms():
    rng = np.random.default_rng(8)
    arr = (rng.beta(2, 5, (20, 24, 3)) * 255).astype(np.uint8)
    expected = np.asarray(F.equalize(Image.fromarray(arr)))
    np.testing.assert_array_equal(_hwc(F.equalize(_chw(arr))), expected)
    # a constant image cannot be equalised and comes back unchanged
    const = ember.full((3, 4, 4), 77, dtype=ember.uint8)
    np.testing.assert_array_equal(F.equalize(const).numpy(), 77)


# -- batches, float/uint8 consistency, the ndarray path -----------------------------------------

BATCH_CASES = [
    (F.adjust_brightness, (1.3,)),
    (F.adjust_contrast, (0.5,)),
    (F.adjust_saturation, (1.7,)),
    (F.adjust_hue, (0.2,)),
    (F.adjust_gamma, (1.5,)),
    (F.adjust_sharpness, (2.0,)),
    (F.posterize, (4,)),
    (F.solarize, (128,)),
    (F.invert, ()),
    (F.autocontrast, ()),
    (F.equalize, ()),
    (F.rgb_to_grayscale, (3,)),
]


@pytest.mark.parametrize(("fn", "args"), BATCH_CASES, ids=lambda x: getattr(x, "__name__", ""))
def test_batched_inputs_give_per_image_results(fn, args):
    imgs = [_chw(_rgb(s, 6, 5)) for s in range(4)]
    batch = ember.stack(imgs).reshape(2, 2, 3, 6, 5)
    out = fn(batch, *args)
    assert out.shape[:2] == (2, 2) and out.dtype == ember.uint8
    for k, img in enumerate(imgs):
        np.testing.assert_array_equal(out[k // 2, k % 2].numpy(), fn(img, *args).numpy())


FLOAT_UINT8_CASES = [
    (F.adjust_brightness, (0.8,), 1),
    (F.adjust_contrast, (1.4,), 2),
    (F.adjust_saturation, (0.6,), 2),
    (F.adjust_hue, (-0.2,), 1),
    (F.adjust_gamma, (0.8,), 1),
    (F.adjust_sharpness, (1.5,), 1),
    (F.equalize, (), 0),
    (F.autocontrast, (), 1),
    (F.invert, (), 0),
]


@pytest.mark.parametrize(
    ("fn", "args", "tol"), FLOAT_UINT8_CASES, ids=lambda x: getattr(x, "__name__", x)
)
def test_float_and_uint8_agree(fn, args, tol):
    t8 = _chw(_rgb(9))
    tf = t8.float() / 255
    out8 = fn(t8, *args).numpy().astype(np.float64)
    outf = fn(tf, *args).numpy().astype(np.float64) * 255
    assert np.abs(out8 - outf).max() <= tol + 1e-3


@pytest.mark.parametrize(("fn", "args"), BATCH_CASES, ids=lambda x: getattr(x, "__name__", ""))
def test_ndarray_path_equals_tensor_path(fn, args):
    arr = _rgb(10)
    out = fn(arr, *args)
    assert isinstance(out, np.ndarray) and out.dtype == np.uint8 and out.shape == arr.shape
    np.testing.assert_array_equal(out, _hwc(fn(_chw(arr), *args)))
    np.testing.assert_array_equal(arr, _rgb(10))  # the input is left alone


def test_grayscale_ndarray_and_single_channel():
    arr = _rgb(11)
    assert F.rgb_to_grayscale(arr).shape == (7, 9, 1)
    one = ember.rand(1, 3, 3)
    np.testing.assert_array_equal(F.rgb_to_grayscale(one, 3).numpy(), np.repeat(one.numpy(), 3, 0))
    np.testing.assert_array_equal(F.to_grayscale(one).numpy(), one.numpy())
    assert F.grayscale_to_rgb(Image.fromarray(arr[..., 0])).mode == "RGB"


# -- gradients -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn",
    [
        lambda t: F.adjust_brightness(t, 0.7),
        lambda t: F.adjust_contrast(t, 0.6),
        lambda t: F.adjust_saturation(t, 0.5),
        lambda t: F.adjust_gamma(t, 1.7),
        lambda t: F.rgb_to_grayscale(t, 3),
        lambda t: F.gaussian_blur(t, [3, 5], [0.8, 1.3]),
    ],
    ids=["brightness", "contrast", "saturation", "gamma", "grayscale", "gaussian_blur"],
)
def test_gradcheck_float_ops(fn):
    # values in (0.2, 0.8) keep every op away from its clamping bounds
    x = ember.tensor(0.2 + 0.6 * _float_img(12, (2, 3, 5, 6)), requires_grad=True)
    assert ember.autograd.gradcheck(fn, (x,), eps=1e-6, atol=1e-5)


# -- gaussian blur -------------------------------------------------------------------------------


def _gaussian_ref(x, kx, ky, sx, sy):
    def k1(n, s):
        d = np.arange(n) - (n - 1) / 2
        w = np.exp(-0.5 * (d / s) ** 2)
        return w / w.sum()

    kernel = np.outer(k1(ky, sy), k1(kx, sx))
    pad = [(0, 0)] * (x.ndim - 2) + [(ky // 2, ky // 2), (kx // 2, kx // 2)]
    xp = np.pad(x, pad, mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(xp, (ky, kx), axis=(-2, -1))
    return np.einsum("...ij,ij->...", windows, kernel)


def test_gaussian_blur_against_numpy_reference():
    x = _float_img(13, (2, 3, 8, 9))
    out = F.gaussian_blur(ember.tensor(x), [3, 5], [0.7, 1.6]).numpy()
    np.testing.assert_allclose(out, _gaussian_ref(x, 3, 5, 0.7, 1.6), atol=1e-12)
    # default sigma: 0.3 * ((k - 1) * 0.5 - 1) + 0.8
    out = F.gaussian_blur(ember.tensor(x), 5).numpy()
    np.testing.assert_allclose(out, _gaussian_ref(x, 5, 5, 1.1, 1.1), atol=1e-12)


def test_gaussian_blur_uint8_pil_and_ndarray():
    arr = _rgb(14, 10, 12)
    ref = _gaussian_ref(arr.transpose(2, 0, 1).astype(np.float64), 5, 3, 1.5, 0.9)
    out = F.gaussian_blur(_chw(arr), (5, 3), (1.5, 0.9))
    assert out.dtype == ember.uint8
    assert _max_diff(out.numpy(), np.round(ref)) <= 1  # float32 rounding at .5
    pil = F.gaussian_blur(Image.fromarray(arr), (5, 3), (1.5, 0.9))
    assert isinstance(pil, Image.Image)
    np.testing.assert_array_equal(np.asarray(pil), _hwc(out))
    np.testing.assert_array_equal(F.gaussian_blur(arr, (5, 3), (1.5, 0.9)), _hwc(out))


def test_gaussian_blur_errors():
    x = ember.rand(3, 8, 8)
    with pytest.raises(ValueError, match="odd and positive"):
        F.gaussian_blur(x, 4)
    with pytest.raises(ValueError, match="odd and positive"):
        F.gaussian_blur(x, [3, -1])
    with pytest.raises(ValueError, match="sigma should have positive values"):
        F.gaussian_blur(x, 3, 0.0)
    with pytest.raises(ValueError, match="length should be 1 or 2"):
        F.gaussian_blur(x, 3, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="larger than half"):
        F.gaussian_blur(ember.rand(3, 2, 2), 5)


# -- errors --------------------------------------------------------------------------------------


def test_bad_arguments_raise_clear_errors():
    x = ember.rand(3, 4, 4)
    with pytest.raises(ValueError, match=r"brightness_factor \(-0.5\) is not non-negative"):
        F.adjust_brightness(x, -0.5)
    with pytest.raises(ValueError, match="contrast_factor"):
        F.adjust_contrast(x, -1)
    with pytest.raises(ValueError, match="saturation_factor"):
        F.adjust_saturation(x, -1)
    with pytest.raises(ValueError, match="sharpness_factor"):
        F.adjust_sharpness(x, -1)
    with pytest.raises(ValueError, match=r"hue_factor \(0.6\) is not in \[-0.5, 0.5\]"):
        F.adjust_hue(x, 0.6)
    with pytest.raises(ValueError, match="gamma should be a non-negative"):
        F.adjust_gamma(x, -1.0)
    with pytest.raises(TypeError, match=r"bits must be an integer in the range \[0, 8\]"):
        F.posterize(x, 9)
    with pytest.raises(TypeError, match="bits"):
        F.posterize(x, 2.5)
    with pytest.raises(TypeError, match="threshold should be less than or equal"):
        F.solarize(ember.zeros(3, 2, 2, dtype=ember.uint8), 300)
    with pytest.raises(TypeError, match="threshold"):
        F.solarize(x, 1.5)
    with pytest.raises(ValueError, match="num_output_channels must be 1 or 3, got 2"):
        F.rgb_to_grayscale(x, 2)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(
        TypeError, match=r"adjust_brightness: .*channel values are 1 or 3, but found 4"
    ):
        F.adjust_brightness(ember.rand(4, 3, 3), 1.0)
    with pytest.raises(TypeError, match="uint8 or floating-point image tensor, got dtype"):
        F.invert(ember.zeros(3, 2, 2, dtype=ember.int32))
    with pytest.raises(TypeError, match=r"equalize: expected a PIL image, an ember\.Tensor"):
        F.equalize([[1, 2]])
    with pytest.raises(TypeError, match=r"expected an image tensor of shape \(\.\.\., C, H, W\)"):
        F.autocontrast(ember.rand(5))
