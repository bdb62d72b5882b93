"""RandomErasing, MixUp and CutMix of ember_vision.transforms (torchvision v2 behaviour)."""

import warnings

import numpy as np
import pytest
from PIL import Image

import ember
from ember_vision import transforms as T
from ember_vision.transforms import functional as F


def _distinct_batch(n=4, c=3, h=8, w=10):
    """A float batch whose every pixel value is distinct, so that sources can be traced."""
    return ember.arange(n * c * h * w, dtype=ember.float64).reshape(n, c, h, w) + 1.0


# -- erase ---------------------------------------------------------------------------------------


def test_erase_function_on_every_kind():
    x = ember.rand(2, 3, 6, 6)
    out = F.erase(x, 1, 2, 3, 2, ember.tensor([0.1, 0.2, 0.3])[:, None, None])
    expected = x.numpy().copy()
    expected[..., 1:4, 2:4] = np.array([0.1, 0.2, 0.3], dtype=np.float32)[:, None, None]
    np.testing.assert_array_equal(out.numpy(), expected)
    assert not np.array_equal(x.numpy(), out.numpy())  # not in place by default
    same = F.erase(x, 0, 0, 1, 1, ember.tensor(0.0), inplace=True)
    assert same is x and x[0, 0, 0, 0].item() == 0.0
    arr = np.full((5, 5, 3), 9, dtype=np.uint8)
    out = F.erase(arr, 1, 1, 2, 3, ember.tensor(200.7))
    assert out.dtype == np.uint8 and (out[1:3, 1:4] == 200).all() and out.sum() > 0
    assert (arr == 9).all()
    pil = F.erase(Image.fromarray(arr), 0, 0, 2, 2, ember.tensor(255.0))
    assert (np.asarray(pil)[:2, :2] == 255).all() and (np.asarray(pil)[2:] == 9).all()
    with pytest.raises(RuntimeError, match="does not broadcast to the erased region"):
        F.erase(x, 0, 0, 2, 2, ember.zeros(4, 1, 1))


# -- RandomErasing -------------------------------------------------------------------------------


def _erased_box(before, after):
    changed = np.argwhere((before != after).any(axis=tuple(range(before.ndim - 2))))
    (i0, j0), (i1, j1) = changed.min(0), changed.max(0)
    return i0, j0, i1 - i0 + 1, j1 - j0 + 1


def test_random_erasing_erases_a_rectangle_of_the_drawn_size():
    h, w = 20, 30
    x = ember.rand(2, 3, h, w) + 1.0  # no zero, so the erased pixels are the zeros
    erasing = T.RandomErasing(p=1.0, scale=(0.1, 0.2), ratio=(0.5, 2.0))
    for seed in range(10):
        ember.manual_seed(seed)
        out = erasing(x).numpy()
        zeros = out == 0
        # the same rectangle in every channel and every image of the batch
        assert (zeros == zeros[0, 0]).all()
        _, _, eh, ew = _erased_box(x.numpy(), out)
        assert zeros[0, 0].sum() == eh * ew
        assert 0.1 * h * w - eh - ew <= eh * ew <= 0.2 * h * w + eh + ew  # rounding of h, w
        assert 0.5 * 0.7 <= eh / ew <= 2.0 / 0.7


def test_random_erasing_values_and_reproducibility():
    x = ember.ones(3, 16, 16)
    per_channel = T.RandomErasing(p=1.0, value=(0.2, 0.4, 0.6))
    ember.manual_seed(1)
    out = per_channel(x).numpy()
    mask = out[0] != 1
    assert mask.any()
    for c, v in enumerate((0.2, 0.4, 0.6)):
        np.testing.assert_allclose(out[c][mask], v)
    noisy = T.RandomErasing(p=1.0, value="random")
    ember.manual_seed(2)
    a = noisy(x).numpy()
    ember.manual_seed(2)
    b = noisy(x).numpy()
    np.testing.assert_array_equal(a, b)
    erased = a[a != 1]
    assert erased.std() > 0.5  # standard-normal noise, not a constant
    uint8 = T.RandomErasing(p=1.0, value=7)(ember.full((1, 12, 12), 100, dtype=ember.uint8))
    assert uint8.dtype == ember.uint8 and set(np.unique(uint8.numpy())) == {7, 100}


def test_random_erasing_on_pil_ndarray_and_tuples():
    arr = np.full((16, 16, 3), 50, dtype=np.uint8)
    ember.manual_seed(3)
    out = T.RandomErasing(p=1.0, value=255)(arr)
    assert isinstance(out, np.ndarray) and out.shape == arr.shape and (out == 255).any()
    pil = T.RandomErasing(p=1.0, value=0)(Image.fromarray(arr))
    assert isinstance(pil, Image.Image) and (np.asarray(pil) == 0).any()
    img, label = T.RandomErasing(p=1.0)((ember.ones(1, 8, 8), 3))
    assert label == 3 and (img.numpy() == 0).any()
    x = ember.ones(1, 8, 8)
    assert T.RandomErasing(p=0.0)(x) is x
    inplace = T.RandomErasing(p=1.0, inplace=True)
    y = ember.ones(1, 8, 8)
    assert inplace(y) is y and (y.numpy() == 0).any()


def test_random_erasing_gives_up_when_no_rectangle_fits():
    x = ember.ones(1, 4, 4)
    # the whole image is the smallest allowed area: never strictly inside, left unchanged
    out = T.RandomErasing(p=1.0, scale=(1.0, 1.0), ratio=(1.0, 1.0))(x)
    np.testing.assert_array_equal(out.numpy(), x.numpy())


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"value": "noise"}, ValueError, "it should be 'random'"),
        ({"value": {1: 2}}, TypeError, "either a number or str or a sequence"),
        ({"scale": 0.5}, TypeError, "scale should be a sequence"),
        ({"ratio": 2.0}, TypeError, "ratio should be a sequence"),
        ({"scale": (-0.1, 0.5)}, ValueError, "scale should be between 0 and 1"),
        ({"scale": (0.1, 1.5)}, ValueError, "scale should be between 0 and 1"),
        ({"ratio": (0.0, 1.0)}, ValueError, "ratio values should be positive"),
        ({"p": 2.0}, ValueError, r"p must be in \[0, 1\]"),
    ],
)
def test_random_erasing_argument_checks(kwargs, error, match):
    with pytest.raises(error, match=match):
        T.RandomErasing(**kwargs)


def test_random_erasing_warnings_and_call_time_errors():
    with pytest.warns(UserWarning, match=r"should be of kind \(min, max\)"):
        T.RandomErasing(scale=(0.3, 0.1))
    with pytest.raises(ValueError, match=r"single value or 3 \(number of input channels\)"):
        T.RandomErasing(p=1.0, value=(1, 2))(ember.ones(3, 8, 8))
    assert repr(T.RandomErasing(value="random")) == (
        "RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), inplace=False)"
    )


# -- MixUp ---------------------------------------------------------------------------------------


def test_mixup_mixes_images_and_labels_with_one_lambda():
    x = ember.rand(5, 3, 4, 4, dtype=ember.float64)
    y = ember.tensor([0, 3, 1, 3, 2])
    ember.manual_seed(0)
    images, labels = T.MixUp(num_classes=4)(x, y)
    assert labels.shape == (5, 4) and labels.dtype == ember.float32
    onehot = np.eye(4)[y.numpy()]
    # recover lambda from the first label row: lam * onehot[0] + (1 - lam) * onehot[4]
    lam = labels.numpy()[0, 0]
    np.testing.assert_allclose(
        labels.numpy(), lam * onehot + (1 - lam) * np.roll(onehot, 1, 0), atol=1e-6
    )
    xn = x.numpy()
    np.testing.assert_allclose(images.numpy(), lam * xn + (1 - lam) * np.roll(xn, 1, 0), atol=1e-6)


def test_mixup_lambda_follows_beta_distribution():
    from scipy.special import betainc

    mixup = T.MixUp(alpha=0.4, num_classes=2)
    ember.manual_seed(0)
    lams = np.sort([mixup.make_params([])["lam"] for _ in range(400)])
    # Kolmogorov-Smirnov statistic against the Beta(0.4, 0.4) CDF; 1.63 / sqrt(n) is the 1% level
    cdf = betainc(0.4, 0.4, lams)
    n = len(lams)
    ks = max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max())
    assert ks < 1.63 / np.sqrt(n)
    ember.manual_seed(0)
    first = mixup.make_params([])["lam"]
    ember.manual_seed(0)
    assert mixup.make_params([])["lam"] == first  # reproducible with manual_seed


def test_mixup_probability_labels_dicts_uint8_and_grad():
    x = ember.rand(3, 1, 2, 2, requires_grad=True)
    soft = ember.tensor([[0.5, 0.5], [1.0, 0.0], [0.2, 0.8]])
    images, labels = T.MixUp()(x, soft)  # num_classes may stay None with 2D labels
    assert labels.shape == (3, 2) and images.requires_grad
    np.testing.assert_allclose(labels.numpy().sum(1), 1.0, atol=1e-6)
    out = T.MixUp(num_classes=3)({"image": x, "labels": ember.tensor([0, 1, 2]), "id": 9})
    assert out["labels"].shape == (3, 3) and out["id"] == 9
    out = T.MixUp(num_classes=3, labels_getter=lambda d: d["target"])(
        {"pixels": x, "target": ember.tensor([2, 2, 0])}
    )
    assert out["target"].shape == (3, 3)
    x8 = ember.tensor(np.array([[[[0]]], [[[200]]]], dtype=np.uint8))
    ember.manual_seed(4)
    mixed, lab = T.MixUp(num_classes=2)(x8, ember.tensor([0, 1]))
    lam = lab.numpy()[0, 0]
    assert mixed.dtype == ember.uint8
    assert mixed.numpy().ravel().tolist() == [round(200 * (1 - lam)), round(200 * lam)]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda m: m(Image.new("RGB", (4, 4)), ember.tensor([0])), "does not support PIL images"),
        (lambda m: m(ember.rand(2, 3, 4, 4), [0, 1]), "second item is a dict or a tensor"),
        (lambda m: m(ember.rand(2, 3, 4, 4), ember.zeros(2, 2, 2)), "index based with shape"),
        (
            lambda m: m(ember.rand(3, 3, 4, 4), ember.tensor([0, 1])),
            "does not match the batch size",
        ),
        (lambda m: m(ember.rand(3, 4, 4), ember.tensor([0, 1, 1])), "batched input with 4 dims"),
        (lambda m: m(ember.rand(2, 3, 4, 4), ember.rand(2, 3)), "must match num_classes: 3 != 5"),
        (lambda m: m(ember.rand(2, 3, 4, 4), ember.tensor([0, 5])), r"labels must be in \[0, 5\)"),
        (lambda m: m({"image": ember.rand(2, 3, 4, 4)}), "Could not infer where the labels are"),
    ],
)
def test_mixup_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call(T.MixUp(num_classes=5))


def test_mix_constructor_errors():
    with pytest.raises(ValueError, match="num_classes must be passed"):
        T.MixUp()(ember.rand(2, 3, 4, 4), ember.tensor([0, 1]))
    with pytest.raises(ValueError, match="the labels must be a tensor, but got list"):
        T.MixUp(num_classes=2, labels_getter=lambda s: [0, 1])(ember.rand(2, 3, 4, 4))
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        T.MixUp(alpha=0.0)
    with pytest.raises(ValueError, match="num_classes must be a positive integer"):
        T.CutMix(num_classes=0)
    with pytest.raises(ValueError, match="labels_getter should either be 'default'"):
        T.CutMix(labels_getter="first")
    assert repr(T.MixUp(alpha=0.2, num_classes=10)) == "MixUp(alpha=0.2, num_classes=10)"
    assert repr(T.CutMix()) == "CutMix(alpha=1.0)"


# -- CutMix --------------------------------------------------------------------------------------


def test_cutmix_pastes_one_box_and_weights_labels_by_area():
    x = _distinct_batch(4, 3, 8, 10)
    y = ember.tensor([1, 0, 2, 1])
    xn = x.numpy()
    rolled = np.roll(xn, 1, 0)
    boxes = set()
    for seed in range(15):
        ember.manual_seed(seed)
        images, labels = T.CutMix(num_classes=3)(x, y)
        out = images.numpy()
        from_rolled = out == rolled
        assert ((out == xn) | from_rolled).all()  # every pixel from the image or its neighbour
        mask = from_rolled[0, 0]
        assert (from_rolled == mask).all()  # one box for the whole batch and every channel
        area = int(mask.sum())
        if area:
            rows, cols = np.nonzero(mask)
            assert area == (np.ptp(rows) + 1) * (np.ptp(cols) + 1)  # a rectangle
            boxes.add((rows.min(), cols.min(), area))
        lam = 1 - area / (8 * 10)
        onehot = np.eye(3)[y.numpy()]
        expected = lam * onehot + (1 - lam) * np.roll(onehot, 1, 0)
        np.testing.assert_allclose(labels.numpy(), expected, atol=1e-6)
    assert len(boxes) > 5


def test_cutmix_is_reproducible_and_leaves_input_alone():
    x = _distinct_batch(2, 1, 6, 6)
    before = x.numpy().copy()
    ember.manual_seed(11)
    a, la = T.CutMix(num_classes=2)(x, ember.tensor([0, 1]))
    ember.manual_seed(11)
    b, lb = T.CutMix(num_classes=2)(x, ember.tensor([0, 1]))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(la.numpy(), lb.numpy())
    np.testing.assert_array_equal(x.numpy(), before)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        T.CutMix(num_classes=2)((x, ember.tensor([0, 1])))
