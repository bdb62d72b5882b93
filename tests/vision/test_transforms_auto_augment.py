"""AutoAugment, RandAugment, TrivialAugmentWide and AugMix of ember_vision.transforms."""

import math

import numpy as np
import pytest
from PIL import Image

import ember
from ember_vision import transforms as T
from ember_vision.transforms import InterpolationMode
from ember_vision.transforms import functional as F
from ember_vision.transforms._auto_augment import _BASE_SPACE, _POLICIES, apply_op

NEAREST = InterpolationMode.NEAREST


def _uint8(seed=0, shape=(3, 9, 9)):
    return ember.tensor(np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8))


def _mid_float(seed=0, shape=(3, 6, 6)):
    """Float image in [0.2, 0.5]: brightness factors up to 2 never clamp."""
    return ember.tensor(0.2 + 0.3 * np.random.default_rng(seed).random(shape), dtype=ember.float32)


def _distinct(h=7, w=7):
    return ember.arange(1, h * w + 1, dtype=ember.float32).reshape(1, h, w)


# -- the operations ------------------------------------------------------------------------------

COLOR_OPS = [
    ("Brightness", 0.4, lambda x: F.adjust_brightness(x, 1.4)),
    ("Color", -0.3, lambda x: F.adjust_saturation(x, 0.7)),
    ("Contrast", 0.5, lambda x: F.adjust_contrast(x, 1.5)),
    ("Sharpness", 0.9, lambda x: F.adjust_sharpness(x, 1.9)),
    ("Posterize", 5.0, lambda x: F.posterize(x, 5)),
    ("AutoContrast", 0.0, F.autocontrast),
    ("Equalize", 0.0, F.equalize),
    ("Invert", 0.0, F.invert),
    ("Identity", 0.0, lambda x: x),
]


@pytest.mark.parametrize(("name", "magnitude", "fn"), COLOR_OPS, ids=[c[0] for c in COLOR_OPS])
def test_color_operations_are_the_functions(name, magnitude, fn):
    x = _uint8(1, (2, 3, 16, 16))
    np.testing.assert_array_equal(
        apply_op(x, name, magnitude, NEAREST, None).numpy(), fn(x).numpy()
    )


def test_solarize_threshold_scales_with_the_image_range():
    x8 = _uint8(2)
    out = apply_op(x8, "Solarize", 0.5, NEAREST, None).numpy()
    xn = x8.numpy()
    np.testing.assert_array_equal(out, np.where(xn >= 127.5, 255 - xn, xn))
    xf = _mid_float(2)
    out = apply_op(xf, "Solarize", 0.3, NEAREST, None).numpy()
    np.testing.assert_allclose(out, np.where(xf.numpy() >= 0.3, 1 - xf.numpy(), xf.numpy()))
    pil = Image.fromarray(xn.transpose(1, 2, 0))
    np.testing.assert_array_equal(
        np.asarray(apply_op(pil, "Solarize", 0.5, NEAREST, None)),
        np.where(np.asarray(pil) >= 127.5, 255 - np.asarray(pil), np.asarray(pil)),
    )
    with pytest.raises(ValueError, match="No transform available for 'Blur'"):
        apply_op(x8, "Blur", 1.0, NEAREST, None)


@pytest.mark.parametrize("magnitude", [2.7, -3.2])
def test_translate_shifts_by_whole_pixels_with_fill(magnitude):
    x = _distinct()
    shift = int(magnitude)  # truncated toward zero, as torchvision does
    out = apply_op(x, "TranslateX", magnitude, NEAREST, 0).numpy()[0]
    expected = np.zeros((7, 7), dtype=np.float32)
    src = x.numpy()[0]
    if shift > 0:
        expected[:, shift:] = src[:, :-shift]
    else:
        expected[:, :shift] = src[:, -shift:]
    np.testing.assert_array_equal(out, expected)
    out_y = apply_op(x, "TranslateY", magnitude, NEAREST, 0).numpy()[0]
    expected_y = np.zeros((7, 7), dtype=np.float32)
    if shift > 0:
        expected_y[shift:] = src[:-shift]
    else:
        expected_y[:shift] = src[-shift:]
    np.testing.assert_array_equal(out_y, expected_y)


def test_rotate_by_half_turn_and_fill():
    x = _distinct(5, 5)
    out = apply_op(x, "Rotate", 180.0, NEAREST, None).numpy()[0]
    np.testing.assert_array_equal(out, x.numpy()[0, ::-1, ::-1])
    tilted = apply_op(x, "Rotate", 45.0, NEAREST, 99.0).numpy()[0]
    assert tilted[0, 0] == 99.0 and tilted[2, 2] == x.numpy()[0, 2, 2]


def _row_shift(src_row, out_row):
    """The integer shift k with out_row[j] == src_row[j - k] wherever both exist."""
    n = len(src_row)
    for k in range(-n + 1, n):
        lo, hi = max(0, k), min(n, n + k)
        if hi > lo and np.array_equal(out_row[lo:hi], src_row[lo - k : hi - k]):
            return k
    return None


@pytest.mark.parametrize("op", ["ShearX", "ShearY"])
def test_shear_about_the_top_left_corner(op):
    # shear magnitude m is a shear of atan(m): row y (column x for ShearY) moves by about m * y
    m = 0.5
    x = _distinct(9, 9)
    out = apply_op(x, op, m, NEAREST, 0).numpy()[0]
    src = x.numpy()[0]
    if op == "ShearY":
        out, src = out.T, src.T
    shifts = [_row_shift(src[y], out[y]) for y in range(9)]
    assert shifts[0] == 0  # the corner row stays
    assert all(s is not None for s in shifts)
    assert all(abs(abs(s) - m * y) <= 1 for y, s in enumerate(shifts))
    assert abs(shifts[-1]) >= 3


# -- policies ------------------------------------------------------------------------------------


@pytest.mark.parametrize("policy", list(T.AutoAugmentPolicy))
def test_policies_are_well_formed(policy):
    subs = _POLICIES[policy]
    assert len(subs) == 25
    for sub in subs:
        assert len(sub) == 2
        for name, prob, idx in sub:
            assert name in T.AutoAugment._AUGMENTATION_SPACE
            assert 0.0 <= prob <= 1.0
            if name in ("AutoContrast", "Equalize", "Invert"):
                assert idx is None
            else:
                assert isinstance(idx, int) and 0 <= idx <= 9


def test_policies_spot_checks_against_the_paper():
    imagenet, cifar, svhn = (_POLICIES[p] for p in T.AutoAugmentPolicy)
    assert imagenet[0] == (("Posterize", 0.4, 8), ("Rotate", 0.6, 9))
    assert imagenet[14] == (("Color", 0.6, 4), ("Contrast", 1.0, 8))
    assert cifar[0] == (("Invert", 0.1, None), ("Contrast", 0.2, 6))
    assert cifar[21] == (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9))
    assert svhn[0] == (("ShearX", 0.9, 4), ("Invert", 0.2, None))
    assert svhn[24] == (("ShearX", 0.7, 2), ("Invert", 0.1, None))


def test_magnitude_tables():
    np.testing.assert_allclose(_BASE_SPACE["Rotate"][0](10, 0, 0), np.linspace(0, 30, 10), 1e-6)
    assert _BASE_SPACE["Posterize"][0](10, 0, 0).tolist() == [8, 8, 7, 7, 6, 6, 5, 5, 4, 4]
    translate = _BASE_SPACE["TranslateX"][0](10, 50, 331)
    assert math.isclose(translate[-1], 150.0, rel_tol=1e-6)


# -- AutoAugment ---------------------------------------------------------------------------------


def test_auto_augment_applies_sub_policies_with_their_probabilities():
    x = _mid_float(3)
    aa = T.AutoAugment()
    aa._policies = [(("Invert", 1.0, None), ("Solarize", 0.0, 5))]
    np.testing.assert_allclose(aa(x).numpy(), 1 - x.numpy())
    aa._policies = [(("Brightness", 1.0, 9), ("Equalize", 0.0, None))]
    ratios = set()
    for seed in range(12):
        ember.manual_seed(seed)
        ratio = (aa(x).numpy() / x.numpy()).ravel()
        assert np.allclose(ratio, ratio[0], atol=1e-5)
        ratios.add(round(float(ratio[0]), 4))
    assert ratios == {1.9, 0.1}  # magnitude bin 9 of 0.9, with a random sign


@pytest.mark.parametrize(
    "transform",
    [
        T.AutoAugment(),
        T.AutoAugment(T.AutoAugmentPolicy.CIFAR10, fill=0),
        T.AutoAugment(T.AutoAugmentPolicy.SVHN, interpolation=InterpolationMode.BILINEAR),
        T.RandAugment(),
        T.TrivialAugmentWide(fill=[0, 0, 0]),
        T.AugMix(),
        T.AugMix(chain_depth=2, all_ops=False),
    ],
    ids=["imagenet", "cifar10", "svhn", "rand", "trivial", "augmix", "augmix-partial"],
)
def test_every_kind_in_every_kind_out_and_reproducible(transform):
    x = _uint8(4, (2, 3, 12, 12))
    for seed in range(4):
        ember.manual_seed(seed)
        a = transform(x)
        ember.manual_seed(seed)
        b = transform(x)
        assert a.shape == x.shape and a.dtype == ember.uint8
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    xf = x.float() / 255
    out = transform(xf)
    assert out.dtype == ember.float32 and out.shape == xf.shape
    arr = x.numpy()[0].transpose(1, 2, 0).copy()
    out = transform(arr)
    assert isinstance(out, np.ndarray) and out.shape == arr.shape and out.dtype == np.uint8
    pil = transform(Image.fromarray(arr))
    assert isinstance(pil, Image.Image) and pil.size == (12, 12) and pil.mode == "RGB"
    img, label = transform((x[0], 5))
    assert img.shape == (3, 12, 12) and label == 5


def test_random_draws_differ_between_calls():
    x = _uint8(5, (3, 16, 16))
    ember.manual_seed(0)
    outs = {T.RandAugment(num_ops=3)(x).numpy().tobytes() for _ in range(8)}
    assert len(outs) > 3


# -- RandAugment and TrivialAugmentWide ----------------------------------------------------------


def test_rand_augment_uses_the_fixed_magnitude():
    x = _mid_float(6)
    ra = T.RandAugment(num_ops=1, magnitude=15, num_magnitude_bins=31)
    ra._AUGMENTATION_SPACE = {"Brightness": _BASE_SPACE["Brightness"]}
    ratios = set()
    for seed in range(10):
        ember.manual_seed(seed)
        ratios.add(round(float((ra(x).numpy() / x.numpy()).mean()), 4))
    assert ratios == {1.45, 0.55}  # bin 15 of linspace(0, 0.9, 31) is 0.45
    assert T.RandAugment(num_ops=0)(x) is x


def test_trivial_augment_draws_the_magnitude_bin():
    x = _mid_float(7)
    ta = T.TrivialAugmentWide(num_magnitude_bins=31)
    ta._AUGMENTATION_SPACE = {"Brightness": T.TrivialAugmentWide._AUGMENTATION_SPACE["Brightness"]}
    bins = np.linspace(0, 0.99, 31)
    seen = set()
    for seed in range(20):
        ember.manual_seed(seed)
        m = abs(float((ta(x).numpy() / x.numpy()).mean()) - 1.0)
        k = int(np.argmin(np.abs(bins - m)))
        assert abs(bins[k] - m) < 1e-4
        seen.add(k)
    assert len(seen) > 8


# -- AugMix --------------------------------------------------------------------------------------


class _FixedAugMix(T.AugMix):
    """AugMix whose Dirichlet draws are fixed, with inversion as its only operation."""

    def __init__(self, weights, **kwargs):
        super().__init__(chain_depth=1, **kwargs)
        self._weights = list(weights)
        self._AUGMENTATION_SPACE = {"Invert": (lambda n, h, w: None, False)}

    def _sample_dirichlet(self, concentration, batch):
        return np.tile(np.asarray(self._weights.pop(0), dtype=np.float32), (batch, 1))


def test_augmix_blends_the_chains_with_the_drawn_weights():
    x = _mid_float(8, (2, 3, 5, 5))
    aug = _FixedAugMix([[0.3, 0.7], [0.2, 0.3, 0.5]], mixture_width=3)
    out = aug(x).numpy()
    # 0.3 * x + 0.7 * (0.2 + 0.3 + 0.5) * invert(x)
    np.testing.assert_allclose(out, 0.3 * x.numpy() + 0.7 * (1 - x.numpy()), atol=1e-6)
    x8 = _uint8(8, (3, 5, 5))
    out8 = _FixedAugMix([[0.6, 0.4], [0.5, 0.5]], mixture_width=2)(x8).numpy().astype(int)
    xn = x8.numpy().astype(np.float64)
    expected = np.floor(0.6 * xn + 0.4 * (255 - xn))
    assert np.abs(out8 - expected).max() <= 1  # truncation after float32 arithmetic


def test_augmix_draws_weights_per_image_of_a_batch():
    x = _mid_float(9, (1, 3, 6, 6))
    batch = ember.cat([x, x])
    aug = T.AugMix(chain_depth=1)
    aug._AUGMENTATION_SPACE = {"Invert": (lambda n, h, w: None, False)}
    ember.manual_seed(0)
    out = aug(batch).numpy()
    assert not np.allclose(out[0], out[1])
    for k in range(2):  # each image is a * x + b * (1 - x) with a + b = 1
        slope, intercept = np.polyfit(batch.numpy()[k].ravel(), out[k].ravel(), 1)
        assert math.isclose(slope, 1 - 2 * intercept, abs_tol=1e-4)


# -- errors and reprs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: T.AutoAugment(policy="imagenet"), ValueError, "is not recognized"),
        (lambda: T.RandAugment(num_ops=-1), ValueError, "num_ops should be a non-negative integer"),
        (
            lambda: T.RandAugment(magnitude=31),
            ValueError,
            r"magnitude should be an integer in \[0, 31\)",
        ),
        (lambda: T.TrivialAugmentWide(num_magnitude_bins=1), ValueError, "num_magnitude_bins"),
        (lambda: T.AugMix(severity=11), ValueError, r"severity must be between \[1, 10\]"),
        (lambda: T.AugMix(mixture_width=0), ValueError, "mixture_width must be a positive integer"),
        (lambda: T.AugMix(alpha=0.0), ValueError, "alpha must be positive"),
        (lambda: T.RandAugment(interpolation="bilinear"), TypeError, "InterpolationMode"),
        (lambda: T.TrivialAugmentWide(fill="white"), TypeError, "fill should be None, a number"),
    ],
)
def test_argument_checks(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_input_checks_and_reprs():
    x = _uint8()
    pil = Image.fromarray(x.numpy().transpose(1, 2, 0))
    with pytest.raises(TypeError, match="only properly defined for a single image, but found 2"):
        T.AutoAugment()((pil, pil))
    with pytest.raises(TypeError, match="found no image"):
        T.RandAugment()({"label": 3})
    assert T.RandAugment(interpolation=2).interpolation is InterpolationMode.BILINEAR
    assert repr(T.AutoAugment(T.AutoAugmentPolicy.SVHN, fill=0)) == (
        "AutoAugment(interpolation=nearest, fill=0, policy=AutoAugmentPolicy.SVHN)"
    )
    assert repr(T.TrivialAugmentWide()) == (
        "TrivialAugmentWide(interpolation=nearest, num_magnitude_bins=31)"
    )
    assert repr(T.AugMix()) == (
        "AugMix(interpolation=bilinear, severity=3, mixture_width=3, "
        "chain_depth=-1, alpha=1.0, all_ops=True)"
    )
    from ember_vision.transforms import v2

    assert v2.AugMix is T.AugMix and v2.AutoAugmentPolicy is T.AutoAugmentPolicy
