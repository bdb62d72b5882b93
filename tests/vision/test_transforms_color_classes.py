"""Colour and blur transform classes of ember_vision.transforms (torchvision v2 behaviour)."""

import numpy as np
import pytest
from PIL import Image

import ember
from ember_vision import transforms as T
from ember_vision.transforms import functional as F
from ember_vision.transforms import v2


def _rgb(seed=0, h=6, w=8):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _chw(arr):
    return ember.tensor(np.ascontiguousarray(arr.transpose(2, 0, 1)))


# -- reprs and the v2 namespace -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("transform", "text"),
    [
        (
            T.ColorJitter(brightness=0.5, hue=0.1),
            "ColorJitter(brightness=(0.5, 1.5), hue=(-0.1, 0.1))",
        ),
        (T.ColorJitter(contrast=(0.2, 0.9)), "ColorJitter(contrast=(0.2, 0.9))"),
        (T.ColorJitter(brightness=0, saturation=0), "ColorJitter()"),
        (T.Grayscale(3), "Grayscale(num_output_channels=3)"),
        (T.RandomGrayscale(), "RandomGrayscale(p=0.1)"),
        (T.RandomInvert(), "RandomInvert(p=0.5)"),
        (T.RandomPosterize(2, p=0.3), "RandomPosterize(p=0.3, bits=2)"),
        (T.RandomSolarize(128), "RandomSolarize(p=0.5, threshold=128)"),
        (T.RandomAdjustSharpness(2.0), "RandomAdjustSharpness(p=0.5, sharpness_factor=2.0)"),
        (T.RandomAutocontrast(), "RandomAutocontrast(p=0.5)"),
        (T.RandomEqualize(p=1.0), "RandomEqualize(p=1.0)"),
        (T.GaussianBlur(3), "GaussianBlur(kernel_size=(3, 3), sigma=[0.1, 2.0])"),
        (T.GaussianBlur((3, 5), 1.5), "GaussianBlur(kernel_size=(3, 5), sigma=[1.5, 1.5])"),
    ],
)
def test_reprs(transform, text):
    assert repr(transform) == text


def test_v2_namespace_exposes_the_same_classes():
    assert v2.ColorJitter is T.ColorJitter and v2.GaussianBlur is T.GaussianBlur
    assert v2.functional.adjust_hue is F.adjust_hue


# -- ColorJitter ---------------------------------------------------------------------------------


def test_color_jitter_brightness_factor_drawn_in_range():
    x = ember.full((3, 4, 4), 0.4)
    jitter = T.ColorJitter(brightness=0.5)
    factors = []
    for seed in range(20):
        ember.manual_seed(seed)
        out = jitter(x)
        ratio = out.numpy() / 0.4
        assert np.allclose(ratio, ratio.flat[0])  # one factor for the whole image
        factors.append(ratio.flat[0])
    assert min(factors) >= 0.5 - 1e-6 and max(factors) <= 1.5 + 1e-6
    assert max(factors) - min(factors) > 0.3  # really drawn


def test_color_jitter_applies_the_drawn_factors_in_the_drawn_order():
    x = ember.rand(2, 3, 5, 5)
    jitter = T.ColorJitter(brightness=0.4, contrast=0.4, saturation=0.4, hue=0.2)
    orders = set()
    for seed in range(12):
        ember.manual_seed(seed)
        params = jitter.make_params([x])
        ember.manual_seed(seed)
        out = jitter(x)
        order = params["fn_idx"]
        assert sorted(order) == [0, 1, 2, 3]
        orders.add(tuple(order))
        lo_hi = {"brightness": (0.6, 1.4), "contrast": (0.6, 1.4), "saturation": (0.6, 1.4)}
        for name, (lo, hi) in lo_hi.items():
            assert lo <= params[f"{name}_factor"] <= hi
        assert -0.2 <= params["hue_factor"] <= 0.2
        fns = [
            lambda y, p=params: F.adjust_brightness(y, p["brightness_factor"]),
            lambda y, p=params: F.adjust_contrast(y, p["contrast_factor"]),
            lambda y, p=params: F.adjust_saturation(y, p["saturation_factor"]),
            lambda y, p=params: F.adjust_hue(y, p["hue_factor"]),
        ]
        expected = x
        for k in order:
            expected = fns[k](expected)
        np.testing.assert_allclose(out.numpy(), expected.numpy(), atol=1e-6)
    assert len(orders) > 3


def test_color_jitter_is_reproducible_and_works_on_every_kind():
    arr = _rgb(1)
    jitter = T.ColorJitter(0.3, 0.3, 0.3, 0.1)
    ember.manual_seed(5)
    a = jitter(_chw(arr))
    ember.manual_seed(5)
    b = jitter(_chw(arr))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    ember.manual_seed(5)
    c = jitter(arr)
    np.testing.assert_array_equal(c, a.numpy().transpose(1, 2, 0))
    out = jitter(Image.fromarray(arr))
    assert isinstance(out, Image.Image) and out.size == (8, 6)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"brightness": -0.1},
            ValueError,
            "brightness is a single number, it must be non negative",
        ),
        ({"contrast": (1.5, 0.5)}, ValueError, r"contrast values should be between \(0.0, inf\)"),
        ({"saturation": (-1.0, 1.0)}, ValueError, "saturation values should be between"),
        ({"hue": 0.6}, ValueError, "hue values should be between"),
        ({"hue": (-0.7, 0.1)}, ValueError, "hue values"),
        ({"brightness": (1, 2, 3)}, TypeError, "single number or a sequence with length 2"),
        ({"contrast": "high"}, TypeError, "contrast=high should be a single number"),
    ],
)
def test_color_jitter_argument_checks(kwargs, error, match):
    with pytest.raises(error, match=match):
        T.ColorJitter(**kwargs)


# -- the probability-p transforms ----------------------------------------------------------------

APPLY_CASES = [
    (T.RandomInvert, {}, F.invert, ()),
    (T.RandomPosterize, {"bits": 3}, F.posterize, (3,)),
    (T.RandomSolarize, {"threshold": 100}, F.solarize, (100,)),
    (T.RandomAdjustSharpness, {"sharpness_factor": 2.0}, F.adjust_sharpness, (2.0,)),
    (T.RandomAutocontrast, {}, F.autocontrast, ()),
    (T.RandomEqualize, {}, F.equalize, ()),
    (T.RandomGrayscale, {}, F.rgb_to_grayscale, (3,)),
]


@pytest.mark.parametrize(
    ("cls", "kwargs", "fn", "args"), APPLY_CASES, ids=lambda x: getattr(x, "__name__", "")
)
def test_random_transforms_apply_the_function_with_probability_p(cls, kwargs, fn, args):
    arr = _rgb(2)
    always = cls(**kwargs, p=1.0)
    never = cls(**kwargs, p=0.0)
    # tensors, batches, PIL images and ndarrays all get the function's result
    batch = ember.stack([_chw(arr), _chw(_rgb(3))])
    np.testing.assert_array_equal(always(batch).numpy(), fn(batch, *args).numpy())
    pil_out = always(Image.fromarray(arr))
    np.testing.assert_array_equal(np.asarray(pil_out), np.asarray(fn(Image.fromarray(arr), *args)))
    np.testing.assert_array_equal(always(arr), fn(arr, *args))
    assert never(batch) is batch
    # the draw: about half of the calls apply it with p = 0.5
    half = cls(**kwargs, p=0.5)
    ember.manual_seed(0)
    x = _chw(_rgb(2, 20, 20))  # enough pixels for equalize to change it
    applied = sum(not np.array_equal(half(x).numpy(), x.numpy()) for _ in range(200))
    assert 70 < applied < 130


def test_grayscale_transforms_and_labels_pass_through():
    arr = _rgb(4)
    out = T.Grayscale()(Image.fromarray(arr))
    assert out.mode == "L"
    img, label = T.Grayscale(num_output_channels=3)((_chw(arr), 7))
    assert img.shape == (3, 6, 8) and label == 7
    np.testing.assert_array_equal(img[0].numpy(), F.rgb_to_grayscale(_chw(arr))[0].numpy())
    pil = T.RandomGrayscale(p=1.0)(Image.fromarray(arr))
    assert pil.mode == "RGB"  # keeps the number of channels
    one = T.RandomGrayscale(p=1.0)(ember.rand(1, 4, 4))
    assert one.shape == (1, 4, 4)
    assert T.RGB()(ember.rand(1, 2, 2)).shape == (3, 2, 2)


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: T.Grayscale(2), ValueError, "num_output_channels must be 1 or 3"),
        (lambda: T.RandomPosterize(9), TypeError, r"bits must be an integer in \[0, 8\]"),
        (lambda: T.RandomSolarize("x"), TypeError, "threshold must be a number"),
        (
            lambda: T.RandomAdjustSharpness(-1.0),
            ValueError,
            "sharpness_factor must be non-negative",
        ),
        (lambda: T.RandomInvert(p=1.5), ValueError, r"p must be in \[0, 1\]"),
    ],
)
def test_color_class_argument_checks(build, error, match):
    with pytest.raises(error, match=match):
        build()


# -- GaussianBlur --------------------------------------------------------------------------------


def test_gaussian_blur_draws_sigma_and_blurs_every_kind():
    arr = _rgb(6, 9, 9)
    blur = T.GaussianBlur(5, sigma=(0.5, 1.5))
    ember.manual_seed(3)
    params = blur.make_params([arr])
    sigma = params["sigma"]
    assert sigma[0] == sigma[1] and 0.5 <= sigma[0] <= 1.5
    ember.manual_seed(3)
    out = blur(_chw(arr))
    np.testing.assert_array_equal(out.numpy(), F.gaussian_blur(_chw(arr), 5, sigma).numpy())
    ember.manual_seed(3)
    pil = blur(Image.fromarray(arr))
    np.testing.assert_array_equal(np.asarray(pil), out.numpy().transpose(1, 2, 0))
    fixed = T.GaussianBlur(3, sigma=1.0)(ember.rand(2, 3, 6, 6))
    assert fixed.shape == (2, 3, 6, 6)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"kernel_size": 4}, ValueError, "odd and positive"),
        ({"kernel_size": (3, 0)}, ValueError, "odd and positive"),
        ({"kernel_size": (3, 3, 3)}, ValueError, "tuple/list of two integers"),
        ({"kernel_size": 3, "sigma": (2.0, 1.0)}, ValueError, r"of the form \(min, max\)"),
        ({"kernel_size": 3, "sigma": -1.0}, ValueError, "must be positive"),
        ({"kernel_size": 3, "sigma": "big"}, TypeError, "sigma should be a number"),
    ],
)
def test_gaussian_blur_argument_checks(kwargs, error, match):
    with pytest.raises(error, match=match):
        T.GaussianBlur(**kwargs)
