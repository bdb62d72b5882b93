"""The geometric transform classes: parameters, structures, seeds, reprs and errors."""

import math

import numpy as np
import pytest
from PIL import Image

import ember
from ember_vision import transforms as T
from ember_vision.transforms import InterpolationMode as I
from ember_vision.transforms import functional as F


def _img(h=24, w=32, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def _chw(arr):
    return ember.tensor(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def test_resize_and_center_crop_on_every_kind():
    arr = _img()
    for t, want in [
        (T.Resize(12), (12, 16)),
        (T.Resize([10, 11]), (10, 11)),
        (T.CenterCrop(8), (8, 8)),
    ]:
        assert tuple(t(_chw(arr)).shape[-2:]) == want
        assert t(Image.fromarray(arr)).size == want[::-1]
        assert t(arr).shape[:2] == want
        assert tuple(t(ember.zeros(2, 3, 24, 32)).shape) == (2, 3, *want)
    pil = T.Resize(12, interpolation=I.BICUBIC)(Image.fromarray(arr))
    np.testing.assert_array_equal(
        np.asarray(pil), np.asarray(Image.fromarray(arr).resize((16, 12), 3))
    )


def test_reprs_follow_torchvision_v2():
    assert repr(T.Resize(224)) == ("Resize(size=[224], interpolation=bilinear, antialias=True)")
    assert repr(T.CenterCrop(5)) == "CenterCrop(size=(5, 5))"
    assert repr(T.RandomHorizontalFlip()) == "RandomHorizontalFlip(p=0.5)"
    assert repr(T.RandomResizedCrop(8)) == (
        "RandomResizedCrop(size=(8, 8), scale=(0.08, 1.0), ratio=(0.75, 1.3333333333333333), "
        "interpolation=bilinear, antialias=True)"
    )
    assert repr(T.RandomCrop(4, padding=2)) == (
        "RandomCrop(size=(4, 4), padding=[2, 2, 2, 2], pad_if_needed=False, fill=0, "
        "padding_mode=constant)"
    )
    assert repr(T.Pad(3)) == "Pad(padding=3, fill=0, padding_mode=constant)"
    assert repr(T.RandomRotation(10)).startswith("RandomRotation(degrees=[-10.0, 10.0]")


def test_random_crop_draws_and_pads():
    arr = _img(10, 12)
    t = _chw(arr)
    ember.manual_seed(0)
    out = T.RandomCrop([4, 5])(t)
    ember.manual_seed(0)
    again = T.RandomCrop([4, 5])(t)
    np.testing.assert_array_equal(out.numpy(), again.numpy())
    # the crop is a window of the image
    windows = np.lib.stride_tricks.sliding_window_view(t.numpy(), (3, 4, 5))[0]
    assert any((w == out.numpy()).all() for row in windows for w in row)
    padded = T.RandomCrop(12, padding=2, fill=7)(ember.zeros(1, 12, 12, dtype=ember.uint8))
    assert tuple(padded.shape) == (1, 12, 12)
    assert set(np.unique(padded.numpy())) <= {0, 7}
    grown = T.RandomCrop([14, 12], pad_if_needed=True)(t)
    assert tuple(grown.shape) == (3, 14, 12)
    with pytest.raises(ValueError, match=r"required crop size \(20, 20\) is larger"):
        T.RandomCrop(20)(t)


def test_random_crop_pil_matches_tensor_for_same_seed():
    arr = _img(10, 12)
    ember.manual_seed(5)
    a = T.RandomCrop(6, padding=[1, 2], padding_mode="reflect")(Image.fromarray(arr))
    ember.manual_seed(5)
    b = T.RandomCrop(6, padding=[1, 2], padding_mode="reflect")(_chw(arr))
    np.testing.assert_array_equal(np.asarray(a), b.numpy().transpose(1, 2, 0))


def _reference_rrc_params(height, width, scale, ratio, draws):
    """torchvision's algorithm, fed with an explicit stream of uniform draws."""
    area = height * width
    log_ratio = (math.log(ratio[0]), math.log(ratio[1]))
    it = iter(draws)
    for _ in range(10):
        target = area * (scale[0] + (scale[1] - scale[0]) * next(it))
        aspect = math.exp(log_ratio[0] + (log_ratio[1] - log_ratio[0]) * next(it))
        w = round(math.sqrt(target * aspect))
        h = round(math.sqrt(target / aspect))
        if 0 < w <= width and 0 < h <= height:
            return h, w
    return None


def test_random_resized_crop_params_follow_torchvision(monkeypatch):
    from ember_vision.transforms import _geometry

    draws = list(np.random.default_rng(3).random(200))
    stream, replay = iter(draws), iter(draws)
    monkeypatch.setattr(_geometry, "uniform", lambda lo, hi: lo + (hi - lo) * next(stream))
    monkeypatch.setattr(_geometry, "randint", lambda lo, hi: hi - 1)
    img = ember.zeros(1, 30, 40)
    for _ in range(8):
        top, left, h, w = T.RandomResizedCrop.get_params(img, (0.08, 1.0), (0.75, 4 / 3))
        assert (h, w) == _reference_rrc_params(30, 40, (0.08, 1.0), (0.75, 4 / 3), replay)
        assert (top, left) == (30 - h, 40 - w)


def test_random_resized_crop_fallback_is_central():
    # scale > 1 never fits: after 10 tries, the central crop with the ratio clamped
    top, left, h, w = T.RandomResizedCrop.get_params(ember.zeros(1, 20, 60), (2.0, 3.0), (0.5, 2.0))
    assert (h, w) == (20, 40) and (top, left) == (0, 10)
    top, left, h, w = T.RandomResizedCrop.get_params(ember.zeros(1, 30, 40), (2.0, 3.0), (0.5, 2.0))
    assert (top, left, h, w) == (0, 0, 30, 40)


def test_random_resized_crop_statistics_and_seed():
    ember.manual_seed(1)
    for _ in range(50):
        top, left, h, w = T.RandomResizedCrop.get_params(
            ember.zeros(1, 50, 60), (0.2, 0.5), (0.75, 4 / 3)
        )
        assert 0 <= top <= 50 - h and 0 <= left <= 60 - w
        assert 0.2 * 3000 * 0.8 <= h * w <= 0.5 * 3000 * 1.2
        assert 0.6 <= w / h <= 1.6
    arr = _img(40, 50)
    ember.manual_seed(9)
    a = T.RandomResizedCrop(16)(Image.fromarray(arr))
    ember.manual_seed(9)
    b = T.RandomResizedCrop(16)(_chw(arr))
    assert a.size == (16, 16) and tuple(b.shape) == (3, 16, 16)
    assert np.abs(np.asarray(a).astype(int) - b.numpy().transpose(1, 2, 0).astype(int)).max() <= 1


def test_flips_with_probability():
    t = ember.tensor([[[1, 2, 3]]])
    assert T.RandomHorizontalFlip(p=1.0)(t).tolist() == [[[3, 2, 1]]]
    assert T.RandomHorizontalFlip(p=0.0)(t) is t
    assert T.RandomVerticalFlip(p=1.0)(ember.tensor([[[1], [2]]])).tolist() == [[[2], [1]]]
    ember.manual_seed(0)
    flips = [T.RandomHorizontalFlip()(t).tolist()[0][0][0] == 3 for _ in range(200)]
    assert 60 < sum(flips) < 140
    with pytest.raises(ValueError, match="p must be in"):
        T.RandomHorizontalFlip(p=1.5)


def test_structures_pass_through():
    arr = _img(8, 8)
    label = ember.tensor([3])
    img, lab = T.RandomHorizontalFlip(p=1.0)((_chw(arr), label))
    np.testing.assert_array_equal(img.numpy(), _chw(arr).numpy()[:, :, ::-1])
    assert lab is label
    out = T.CenterCrop(4)(
        {"image": Image.fromarray(arr), "label": 7, "mask": Image.fromarray(arr[:, :, 0])}
    )
    assert out["image"].size == (4, 4) and out["mask"].size == (4, 4) and out["label"] == 7
    # two images in one call share the random parameters
    ember.manual_seed(2)
    a, b = T.RandomResizedCrop(6)(Image.fromarray(arr), Image.fromarray(arr))
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_five_ten_crop_and_pad_classes():
    arr = _img(10, 12)
    crops = T.FiveCrop(4)(_chw(arr))
    assert len(crops) == 5 and all(tuple(c.shape) == (3, 4, 4) for c in crops)
    assert len(T.TenCrop([4, 5], vertical_flip=True)(Image.fromarray(arr))) == 10
    out = T.Pad([1, 2], fill=9)(_chw(arr))
    np.testing.assert_array_equal(
        out.numpy(), np.pad(_chw(arr).numpy(), ((0, 0), (2, 2), (1, 1)), constant_values=9)
    )
    with pytest.raises(ValueError, match="padding_mode"):
        T.Pad(1, padding_mode="circular")


def test_random_rotation_uses_drawn_angle():
    arr = _img(16, 16)
    ember.manual_seed(4)
    out = T.RandomRotation([10, 50], fill=1)(_chw(arr))
    ember.manual_seed(4)
    angle = T.RandomRotation([10, 50]).make_params([arr])["angle"]
    assert 10 <= angle <= 50
    np.testing.assert_array_equal(out.numpy(), F.rotate(_chw(arr), angle, fill=1).numpy())
    with pytest.raises(ValueError, match="must be positive"):
        T.RandomRotation(-5)
    with pytest.raises(ValueError, match="length 2"):
        T.RandomRotation([1, 2, 3])


def test_random_affine_params_and_result():
    t = T.RandomAffine(20, translate=(0.1, 0.2), scale=(0.8, 1.2), shear=(-5, 5, -3, 3))
    ember.manual_seed(6)
    p = t.make_params([ember.zeros(3, 20, 30)])
    assert -20 <= p["angle"] <= 20 and 0.8 <= p["scale"] <= 1.2
    assert abs(p["translate"][0]) <= 3 and abs(p["translate"][1]) <= 4
    assert -5 <= p["shear"][0] <= 5 and -3 <= p["shear"][1] <= 3
    x = _chw(_img(20, 30))
    ember.manual_seed(6)
    out = t(x)
    ref = F.affine(x, p["angle"], list(p["translate"]), p["scale"], list(p["shear"]), fill=0)
    np.testing.assert_array_equal(out.numpy(), ref.numpy())
    with pytest.raises(ValueError, match="between 0 and 1"):
        T.RandomAffine(0, translate=(2, 0))
    with pytest.raises(ValueError, match="positive"):
        T.RandomAffine(0, scale=(0, 1))


def test_random_perspective_reproducible_and_bounded():
    arr = _img(16, 20)
    t = T.RandomPerspective(0.4, p=1.0, interpolation=I.NEAREST, fill=5)
    ember.manual_seed(3)
    a = t(_chw(arr))
    ember.manual_seed(3)
    b = t(Image.fromarray(arr))
    assert (a.numpy().transpose(1, 2, 0) == np.asarray(b)).all(axis=-1).mean() > 0.97
    assert T.RandomPerspective(p=0.0)(_chw(arr)).numpy().tolist() == _chw(arr).numpy().tolist()
    with pytest.raises(ValueError, match="distortion_scale"):
        T.RandomPerspective(1.5)


def test_errors_name_the_transform():
    with pytest.raises(ValueError, match="Resize: size"):
        T.Resize("big")
    with pytest.raises(TypeError, match="RandomResizedCrop: scale"):
        T.RandomResizedCrop(8, scale=0.5)
    with pytest.raises(TypeError, match="found no image"):
        T.CenterCrop(2)(("label", 3))
    with pytest.raises(ValueError, match="different sizes"):
        T.RandomCrop(2)(ember.zeros(1, 4, 4), np.zeros((5, 5), np.uint8))


def test_v1_get_params():
    img = ember.zeros(1, 10, 12)
    ember.manual_seed(0)
    top, left, h, w = T.RandomCrop.get_params(img, (4, 5))
    assert (h, w) == (4, 5) and 0 <= top <= 6 and 0 <= left <= 7
    assert T.RandomCrop.get_params(img, (10, 12)) == (0, 0, 10, 12)
    with pytest.raises(ValueError, match="larger than the input"):
        T.RandomCrop.get_params(img, (11, 12))
    assert 5 <= T.RandomRotation.get_params([5, 6]) <= 6
    angle, (dx, dy), scale, (sx, sy) = T.RandomAffine.get_params(
        [-3, 3], (0.5, 0.0), (1.0, 2.0), [-4, 4, 1, 2], [12, 10]
    )
    assert -3 <= angle <= 3 and abs(dx) <= 6 and dy == 0 and 1 <= scale <= 2
    assert -4 <= sx <= 4 and 1 <= sy <= 2
    start, end = T.RandomPerspective.get_params(12, 10, 0.5)
    assert start == [[0, 0], [11, 0], [11, 9], [0, 9]]
    for (x, y), (ex, ey) in zip(start, end):
        assert abs(x - ex) <= 3 and abs(y - ey) <= 3
    # the drawn corners are what the transform applies
    ember.manual_seed(4)
    start, end = T.RandomPerspective.get_params(12, 10, 0.5)
    x = ember.tensor(np.random.default_rng(0).integers(0, 255, (3, 10, 12), dtype=np.uint8))
    ember.manual_seed(4)
    out = T.RandomPerspective(0.5, p=1.0)(x)
    np.testing.assert_array_equal(out.numpy(), F.perspective(x, start, end, fill=0).numpy())
