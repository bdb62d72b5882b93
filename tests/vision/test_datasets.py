"""ember_vision.datasets: files written in the real formats into tmp_path; no network."""

import gzip
import os
import pickle
import struct

import numpy as np
import pytest
from PIL import Image

from ember_vision import datasets
from ember_vision.datasets import _download

# ---------------------------------------------------------------- MNIST family


def _idx_bytes(arr):
    arr = np.asarray(arr)
    code = {np.uint8: 0x08, np.int32: 0x0C}[arr.dtype.type]
    header = struct.pack(">BBBB", 0, 0, code, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def _write_idx(path, arr, gz):
    data = _idx_bytes(arr)
    if gz:
        path = str(path) + ".gz"
        data = gzip.compress(data)
    with open(path, "wb") as f:
        f.write(data)


def _mnist_files(root, cls_name, n, gz, prefix="", names=("train", "t10k"), seed=0):
    raw = root / cls_name / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(seed)
    out = {}
    for split in names:
        imgs = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        _write_idx(raw / f"{prefix}{split}-images-idx3-ubyte", imgs, gz)
        _write_idx(raw / f"{prefix}{split}-labels-idx1-ubyte", labels, gz)
        out[split] = (imgs, labels)
    return out


@pytest.mark.parametrize("cls", [datasets.MNIST, datasets.FashionMNIST, datasets.KMNIST])
@pytest.mark.parametrize("gz", [True, False])
def test_mnist_family_reads_idx(tmp_path, cls, gz):
    ref = _mnist_files(tmp_path, cls.__name__, 5, gz)
    for train, key in [(True, "train"), (False, "t10k")]:
        ds = cls(tmp_path, train=train)
        imgs, labels = ref[key]
        assert len(ds) == 5
        img, target = ds[3]
        assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
        np.testing.assert_array_equal(np.asarray(img), imgs[3])
        assert type(target) is int and target == labels[3]
        np.testing.assert_array_equal(ds.data.numpy(), imgs)
        assert str(ds.targets.dtype) == "ember.int64"
        np.testing.assert_array_equal(ds.targets.numpy(), labels)
    assert len(cls.classes) == 10


def test_mnist_transforms_and_repr(tmp_path):
    _mnist_files(tmp_path, "MNIST", 4, True)
    ds = datasets.MNIST(
        str(tmp_path), train=False, transform=np.asarray, target_transform=lambda t: t + 100
    )
    img, target = ds[0]
    assert isinstance(img, np.ndarray) and img.shape == (28, 28)
    assert target >= 100
    text = repr(ds)
    assert text.splitlines()[:4] == [
        "Dataset MNIST",
        "    Number of datapoints: 4",
        f"    Root location: {tmp_path}",
        "    Split: Test",
    ]
    assert (
        "    StandardTransform" in text and "Transform: " in text and "Target transform: " in text
    )


def test_mnist_missing_files_message(tmp_path):
    with pytest.raises(RuntimeError, match="download=True") as info:
        datasets.MNIST(tmp_path)
    assert os.path.join(str(tmp_path), "MNIST", "raw") in str(info.value)


def test_mnist_corrupt_idx_names_file(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    _write_idx(raw / "train-labels-idx1-ubyte", np.zeros(3, np.uint8), False)
    (raw / "train-images-idx3-ubyte").write_bytes(
        b"\x00\x00\x08\x03" + struct.pack(">3I", 3, 28, 28) + b"xx"
    )
    with pytest.raises(RuntimeError, match="train-images-idx3-ubyte"):
        datasets.MNIST(tmp_path)


def test_emnist_split(tmp_path):
    ref = _mnist_files(
        tmp_path, "EMNIST", 3, True, prefix="emnist-letters-", names=("train", "test")
    )
    ds = datasets.EMNIST(tmp_path, split="letters", train=False)
    assert len(ds) == 3
    np.testing.assert_array_equal(np.asarray(ds[1][0]), ref["test"][0][1])
    assert ds.classes[0] == "N/A" and len(ds.classes) == 27
    assert len(datasets.EMNIST.classes_split_dict["byclass"]) == 62
    assert len(datasets.EMNIST.classes_split_dict["balanced"]) == 47
    with pytest.raises(ValueError, match="unknown split"):
        datasets.EMNIST(tmp_path, split="nope")


def test_read_idx_int32(tmp_path):
    arr = np.arange(-6, 6, dtype=np.int32).reshape(3, 4)
    _write_idx(tmp_path / "x", arr, True)
    got = datasets.mnist.read_idx(tmp_path / "x.gz")
    assert got.dtype == np.int32 and got.dtype.isnative
    np.testing.assert_array_equal(got, arr)


def test_download_failure_names_url_and_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets.MNIST, "mirrors", ["http://127.0.0.1:9/unreachable/"])
    import ember.utils._download as fetching

    monkeypatch.setattr(fetching, "TIMEOUT", 2.0)
    with pytest.raises(RuntimeError) as info:
        datasets.MNIST(tmp_path, download=True)
    msg = str(info.value)
    assert "http://127.0.0.1:9/unreachable/train-images-idx3-ubyte.gz" in msg
    assert os.path.abspath(os.path.join(str(tmp_path), "MNIST", "raw")) in msg
    assert "f68b3c2dcbeaaa9fbdd348bbdeb94873" in msg


def test_download_md5_verified(tmp_path, monkeypatch):
    # A local file:// "mirror" serves a file with the wrong checksum: it must be rejected.
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "train-images-idx3-ubyte.gz").write_bytes(b"not the real file")
    monkeypatch.setattr(datasets.MNIST, "mirrors", [mirror.as_uri() + "/"])
    with pytest.raises(RuntimeError, match="MD5 mismatch"):
        datasets.MNIST(tmp_path / "root", download=True)
    assert not (tmp_path / "root" / "MNIST" / "raw" / "train-images-idx3-ubyte.gz").exists()


def test_download_accepts_matching_md5(tmp_path):
    src = tmp_path / "f.bin"
    src.write_bytes(b"payload")
    md5 = _download.md5_of(src)
    path = _download.download_url([src.as_uri()], str(tmp_path / "out"), "f.bin", md5)
    with open(path, "rb") as f:
        assert f.read() == b"payload"


# ---------------------------------------------------------------- CIFAR


def _cifar_batch(path, n, label_key, seed, protocol=2):
    rng = np.random.default_rng(seed)
    data = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8)
    labels = [int(x) for x in rng.integers(0, 10, size=n)]
    entry = {
        b"batch_label": b"batch",
        b"data": data,
        label_key: labels,
        b"filenames": [b"a.png"] * n,
    }
    with open(path, "wb") as f:
        pickle.dump(entry, f, protocol=protocol)
    return data, labels


def _cifar10_tree(root, protocol=2):
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    ref = {}
    for i, name in enumerate([f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]):
        ref[name] = _cifar_batch(folder / name, 2, b"labels", i, protocol)
    names = [
        b"airplane",
        b"automobile",
        b"bird",
        b"cat",
        b"deer",
        b"dog",
        b"frog",
        b"horse",
        b"ship",
        b"truck",
    ]
    with open(folder / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": names, b"num_vis": 3072}, f, protocol=2)
    return ref


@pytest.mark.parametrize("protocol", [2, 4])
def test_cifar10_reads_batches(tmp_path, protocol):
    ref = _cifar10_tree(tmp_path, protocol)
    train = datasets.CIFAR10(tmp_path)
    assert len(train) == 10 and train.data.shape == (10, 32, 32, 3)
    img, target = train[3]
    expected = ref["data_batch_2"][0][1].reshape(3, 32, 32).transpose(1, 2, 0)
    assert img.mode == "RGB" and img.size == (32, 32)
    np.testing.assert_array_equal(np.asarray(img), expected)
    assert target == ref["data_batch_2"][1][1]
    test = datasets.CIFAR10(tmp_path, train=False)
    assert len(test) == 2 and test.targets == ref["test_batch"][1]
    assert test.classes[0] == "airplane" and test.class_to_idx["truck"] == 9


def test_cifar100_fine_labels(tmp_path):
    folder = tmp_path / "cifar-100-python"
    folder.mkdir()
    data, labels = _cifar_batch(folder / "train", 3, b"fine_labels", 7)
    _cifar_batch(folder / "test", 2, b"fine_labels", 8)
    with open(folder / "meta", "wb") as f:
        pickle.dump({b"fine_label_names": [f"c{i}".encode() for i in range(100)]}, f, protocol=2)
    ds = datasets.CIFAR100(tmp_path)
    assert len(ds) == 3 and ds.targets == labels and len(ds.classes) == 100
    np.testing.assert_array_equal(
        np.asarray(ds[2][0]), data[2].reshape(3, 32, 32).transpose(1, 2, 0)
    )


class _Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.mkdir, (self.marker,))


def test_cifar_refuses_malicious_batch(tmp_path):
    _cifar10_tree(tmp_path)
    marker = str(tmp_path / "pwned")
    path = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    with open(path, "wb") as f:
        pickle.dump({b"data": _Evil(marker), b"labels": []}, f, protocol=2)
    with pytest.raises(pickle.UnpicklingError, match="refusing to load the global") as info:
        datasets.CIFAR10(tmp_path)
    assert "data_batch_3" in str(info.value) and "mkdir" in str(info.value)
    assert not os.path.exists(marker)


# ---------------------------------------------------------------- folders


def _png(path, color, size=(5, 4)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)


def _tree(root):
    _png(root / "dog" / "b.png", (0, 255, 0))
    _png(root / "dog" / "a.png", (0, 0, 255))
    _png(root / "cat" / "sub" / "c.PNG", (255, 0, 0))
    (root / "cat" / "notes.txt").write_text("not an image")


def test_image_folder(tmp_path):
    _tree(tmp_path)
    ds = datasets.ImageFolder(tmp_path)
    assert ds.classes == ["cat", "dog"] and ds.class_to_idx == {"cat": 0, "dog": 1}
    assert [os.path.relpath(p, tmp_path) for p, _ in ds.samples] == [
        os.path.join("cat", "sub", "c.PNG"),
        os.path.join("dog", "a.png"),
        os.path.join("dog", "b.png"),
    ]
    assert ds.targets == [0, 1, 1] and ds.imgs == ds.samples and len(ds) == 3
    img, target = ds[1]
    assert img.mode == "RGB" and img.size == (5, 4) and target == 1
    assert np.asarray(img)[0, 0].tolist() == [0, 0, 255]


def test_image_folder_gray_png_loads_as_rgb(tmp_path):
    (tmp_path / "x").mkdir()
    Image.new("L", (3, 3), 77).save(tmp_path / "x" / "g.png")
    img, _ = datasets.ImageFolder(tmp_path)[0]
    assert img.mode == "RGB" and np.asarray(img)[0, 0].tolist() == [77, 77, 77]


def test_dataset_folder_options(tmp_path):
    _tree(tmp_path)

    def head(path):
        with open(path, "rb") as f:
            return f.read(4)

    ds = datasets.DatasetFolder(tmp_path, loader=head, extensions=(".txt",), allow_empty=True)
    assert [t for _, t in ds.samples] == [0] and ds[0][0] == b"not "
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes dog"):
        datasets.DatasetFolder(tmp_path, loader=open, extensions=(".txt",))
    ds = datasets.ImageFolder(
        tmp_path, is_valid_file=lambda p: p.endswith("b.png"), allow_empty=True
    )
    assert len(ds) == 1 and ds.targets == [1]
    with pytest.raises(ValueError, match="cannot be None or not None"):
        datasets.DatasetFolder(tmp_path, loader=open)
    ds = datasets.ImageFolder(tmp_path, transform=np.asarray, target_transform=str)
    arr, target = ds[0]
    assert arr.shape == (4, 5, 3) and target == "0"


def test_image_folder_no_classes(tmp_path):
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(tmp_path)


def test_corrupt_png_error_names_file(tmp_path):
    _png(tmp_path / "a" / "good.png", (1, 2, 3), size=(40, 40))
    data = (tmp_path / "a" / "good.png").read_bytes()
    (tmp_path / "a" / "trunc.png").write_bytes(data[: len(data) // 2])
    (tmp_path / "a" / "zgarbage.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10)
    ds = datasets.ImageFolder(tmp_path)
    assert ds[0][0].size == (40, 40)
    for i, name in [(1, "trunc.png"), (2, "zgarbage.png")]:
        with pytest.raises(OSError, match=name):
            ds[i]


# ---------------------------------------------------------------- FakeData


def test_fakedata_deterministic():
    ds = datasets.FakeData(size=6, image_size=(3, 7, 5), num_classes=4)
    assert len(ds) == 6
    img, target = ds[2]
    assert img.mode == "RGB" and img.size == (5, 7) and 0 <= target < 4
    again, target2 = datasets.FakeData(size=6, image_size=(3, 7, 5), num_classes=4)[2]
    np.testing.assert_array_equal(np.asarray(img), np.asarray(again))
    assert target == target2
    assert not np.array_equal(np.asarray(ds[3][0]), np.asarray(img))
    np.testing.assert_array_equal(np.asarray(ds[-4][0]), np.asarray(img))
    shifted = datasets.FakeData(size=6, image_size=(3, 7, 5), num_classes=4, random_offset=1)
    np.testing.assert_array_equal(np.asarray(shifted[1][0]), np.asarray(img))
    with pytest.raises(IndexError, match="FakeData index out of range"):
        ds[6]
    gray = datasets.FakeData(size=2, image_size=(1, 3, 3), transform=np.asarray)
    assert gray[0][0].shape == (3, 3)
    assert repr(ds).splitlines() == ["Dataset FakeData", "    Number of datapoints: 6"]


# ---------------------------------------------------------------- Digits


def test_digits_split_and_values():
    pytest.importorskip("sklearn")
    train, test = datasets.Digits(train=True), datasets.Digits(train=False)
    assert len(train) == 1437 and len(test) == 360
    img, target = train[0]
    assert img.mode == "L" and img.size == (8, 8) and type(target) is int and 0 <= target <= 9
    all_train, all_test = train.data.numpy(), test.data.numpy()
    assert all_train.dtype == np.uint8 and all_train.max() == 255 and all_train.min() == 0
    values = set(np.unique(np.concatenate([all_train.ravel(), all_test.ravel()])).tolist())
    assert values <= {round(v * 255 / 16) for v in range(17)}
    assert sorted(set(train.targets.numpy().tolist())) == list(range(10))
    # deterministic split, disjoint and covering all 1,797 images
    from sklearn.datasets import load_digits

    ref = load_digits()
    scaled = np.rint(ref.images * 255 / 16).astype(np.uint8).reshape(len(ref.images), -1)
    keys = {r.tobytes() + bytes([t]) for r, t in zip(scaled, ref.target)}
    got = [
        r.tobytes() + bytes([int(t)])
        for r, t in zip(all_train.reshape(-1, 64), train.targets.numpy())
    ]
    got += [
        r.tobytes() + bytes([int(t)])
        for r, t in zip(all_test.reshape(-1, 64), test.targets.numpy())
    ]
    assert set(got) <= keys
    np.testing.assert_array_equal(datasets.Digits(train=False).data.numpy(), all_test)


def test_digits_without_sklearn(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="pip install scikit-learn"):
        datasets.Digits()


def test_lazy_package_attribute():
    import ember_vision

    assert ember_vision.datasets is datasets
