"""Containers (Compose, RandomApply, RandomChoice, RandomOrder) and Lambda / Identity."""

import numpy as np
import pytest
from PIL import Image

import ember
from ember.utils.data import DataLoader, Dataset
from ember_vision import transforms as T
from ember_vision.transforms import v2


def _rgb(h=6, w=8, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_compose_applies_in_order_with_one_or_several_args():
    t = T.Compose([T.Lambda(lambda x: x + 1), T.Lambda(lambda x: x * 2)])
    assert t(ember.tensor([1.0])).tolist() == [4.0]
    flip = T.Compose([T.RandomHorizontalFlip(p=1.0), T.CenterCrop(2)])
    img, label = flip(ember.tensor([[[1, 2, 3, 4]] * 2]), 7)
    assert img.tolist() == [[[3, 2], [3, 2]]] and label == 7
    assert v2.Compose is T.Compose


def test_compose_imagenet_pipeline_matches_direct_computation():
    arr = _rgb(40, 50)
    pil = Image.fromarray(arr)
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    pipeline = T.Compose([
        T.RandomResizedCrop(16),
        T.RandomHorizontalFlip(),
        T.ToImage(),
        T.ToDtype(ember.float32, scale=True),
        T.Normalize(mean, std),
    ])  # fmt: skip
    ember.manual_seed(11)
    out = pipeline(pil)
    ember.manual_seed(11)
    top, left, h, w = T.RandomResizedCrop.get_params(pil, (0.08, 1.0), (3 / 4, 4 / 3))
    flip = T._transform.coin(0.5)
    ref = np.asarray(pil.crop((left, top, left + w, top + h)).resize((16, 16), 2))
    if flip:
        ref = ref[:, ::-1]
    want = ref.transpose(2, 0, 1) * np.float32(1 / 255) - np.float32(mean).reshape(3, 1, 1)
    want = want / np.float32(std).reshape(3, 1, 1)
    assert out.dtype == ember.float32 and tuple(out.shape) == (3, 16, 16)
    np.testing.assert_allclose(out.numpy(), want, rtol=1e-5, atol=1e-6)


def test_compose_normalize_never_overwrites_the_caller_s_tensor():
    x = ember.rand(3, 4, 4)
    before = x.numpy().copy()
    # ToDtype is a no-op here: Normalize must not write into x
    t = T.Compose([T.ToDtype(ember.float32, scale=True), T.Normalize([0.5] * 3, [0.5] * 3)])
    out = t(x)
    np.testing.assert_array_equal(x.numpy(), before)
    np.testing.assert_allclose(out.numpy(), (before - 0.5) / 0.5, rtol=1e-6)
    # an ndarray converted by ToDtype(scale=False) to the same dtype is not written either
    f = np.random.default_rng(0).random((4, 4, 3)).astype(np.float32)
    keep = f.copy()
    T.Compose([T.ToDtype(ember.float32), T.Normalize([0.5] * 3, [0.5] * 3)])(f)
    np.testing.assert_array_equal(f, keep)


def test_random_apply():
    t = ember.tensor([[[1, 2]]])
    assert T.RandomApply([T.RandomHorizontalFlip(1.0)], p=0.0)(t) is t
    assert T.RandomApply([T.RandomHorizontalFlip(1.0)], p=1.0)(t).tolist() == [[[2, 1]]]
    ember.manual_seed(0)
    hits = sum(T.RandomApply([T.RandomHorizontalFlip(1.0)], p=0.3)(t).tolist()[0][0][0] == 2
               for _ in range(300))  # fmt: skip
    assert 50 < hits < 130
    with pytest.raises(ValueError, match=r"p should be a number in \[0.0, 1.0\]"):
        T.RandomApply([], p=2)
    with pytest.raises(TypeError, match="sequence of callables"):
        T.RandomApply(T.RandomHorizontalFlip())


def test_random_choice_follows_weights_and_seed():
    add = [T.Lambda(lambda x, k=k: x + k) for k in (1, 2, 3)]
    choice = T.RandomChoice(add, p=[1, 0, 3])
    assert choice.p == [0.25, 0.0, 0.75]
    ember.manual_seed(1)
    picks = [choice(ember.tensor([0.0])).item() for _ in range(400)]
    assert 2.0 not in picks
    assert 0.65 < picks.count(3.0) / 400 < 0.85
    ember.manual_seed(1)
    assert [choice(ember.tensor([0.0])).item() for _ in range(400)] == picks
    with pytest.raises(ValueError, match="length of p"):
        T.RandomChoice(add, p=[1, 2])


def test_random_order_is_a_permutation():
    calls = []
    ts = [T.Lambda(lambda x, k=k: calls.append(k) or x) for k in range(4)]
    ember.manual_seed(2)
    orders = set()
    for _ in range(30):
        calls.clear()
        T.RandomOrder(ts)(ember.zeros(1))
        assert sorted(calls) == [0, 1, 2, 3]
        orders.add(tuple(calls))
    assert len(orders) > 3


def test_lambda_identity_and_pure_tensor():
    assert T.Lambda(lambda x: x * 3)(ember.tensor([2])).tolist() == [6]
    lam = T.Lambda(lambda x: x + 1, ember.Tensor)
    assert lam(5) == 5  # not of the listed types: unchanged
    img, label = T.Lambda(lambda x: x * 0)((ember.ones(1, 2, 2), 4))
    assert img.sum().item() == 0 and label == 4
    assert repr(T.Lambda(abs)) == "Lambda(abs, types=['object'])"
    with pytest.raises(TypeError, match="callable"):
        T.Lambda(3)
    pair = (ember.zeros(1), "x")
    assert T.Identity()(pair) is pair
    t = ember.zeros(2)
    assert T.ToPureTensor()(t) is t


def test_seeds_reproduce_a_whole_pipeline():
    arr = _rgb(30, 30)
    t = T.Compose([
        T.RandomResizedCrop(12),
        T.RandomHorizontalFlip(),
        T.RandomApply([T.RandomRotation(20)], p=0.5),
        T.RandomChoice([T.RandomVerticalFlip(1.0), T.Pad(1)]),
        T.ToImage(),
    ])  # fmt: skip
    ember.manual_seed(123)
    a = [t(arr).numpy() for _ in range(5)]
    ember.manual_seed(123)
    b = [t(arr).numpy() for _ in range(5)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x, y)
    assert any(not np.array_equal(a[0], x) for x in a[1:] if x.shape == a[0].shape)


def test_compose_repr_and_errors():
    t = T.Compose([T.CenterCrop(2), T.RandomHorizontalFlip()])
    assert repr(t) == (
        "Compose(\n      CenterCrop(size=(2, 2))\n      RandomHorizontalFlip(p=0.5)\n)"
    )
    with pytest.raises(ValueError, match="at least one"):
        T.Compose([])
    with pytest.raises(TypeError, match="sequence of callables"):
        T.Compose(T.CenterCrop(2))


class _SameImage(Dataset):
    """Every sample is the same image, so differences come from the random transform alone."""

    def __init__(self, transform):
        self.transform = transform
        self.image = ember.arange(3 * 16 * 16, dtype=ember.float32).reshape(3, 16, 16)

    def __len__(self):
        return 8

    def __getitem__(self, index):
        return self.transform(self.image)


def _crops(num_workers, seed):
    from ember_vision import transforms as T

    ember.manual_seed(seed)
    loader = DataLoader(_SameImage(T.RandomCrop(8)), batch_size=4, num_workers=num_workers)
    return ember.cat(list(loader)).numpy()


def test_dataloader_workers_draw_differently_and_seeds_reproduce():
    crops = _crops(num_workers=2, seed=0)
    # worker 0 made samples 0-3 and worker 1 samples 4-7: their draws must differ
    first, second = crops[:4], crops[4:]
    assert not np.array_equal(first, second)
    assert len({c.tobytes() for c in crops}) > 4  # not one crop repeated
    np.testing.assert_array_equal(crops, _crops(num_workers=2, seed=0))
    assert not np.array_equal(crops, _crops(num_workers=2, seed=1))
