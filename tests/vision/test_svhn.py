"""ember_vision.datasets.SVHN: .mat files written with SciPy in SVHN's layout."""

import numpy as np
import pytest
from PIL import Image
from scipy.io import savemat

from ember_vision import datasets


def _write(tmp_path, name, n, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(32, 32, 3, n), dtype=np.uint8)
    y = rng.integers(1, 11, size=(n, 1)).astype(np.uint8)
    y[0, 0] = 10  # the digit 0 is stored as 10
    savemat(tmp_path / name, {"X": x, "y": y})
    return x, y


@pytest.mark.parametrize("split", ["train", "test", "extra"])
def test_svhn_reads_mat(tmp_path, split):
    x, y = _write(tmp_path, f"{split}_32x32.mat", 5)
    ds = datasets.SVHN(tmp_path, split=split)
    assert len(ds) == 5
    assert ds.data.shape == (5, 3, 32, 32) and ds.data.dtype == np.uint8
    expected_labels = y.reshape(-1).astype(np.int64) % 10
    np.testing.assert_array_equal(ds.labels, expected_labels)
    for i in range(5):
        img, label = ds[i]
        assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (32, 32)
        np.testing.assert_array_equal(np.asarray(img), x[..., i])
        assert label == expected_labels[i]
    assert ds[0][1] == 0
    assert f"Split: {split}" in repr(ds)


def test_svhn_transforms(tmp_path):
    _write(tmp_path, "test_32x32.mat", 2)
    ds = datasets.SVHN(
        tmp_path, split="test", transform=np.asarray, target_transform=lambda t: t + 100
    )
    img, label = ds[1]
    assert img.shape == (32, 32, 3) and label >= 100


def test_svhn_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown split 'valid'"):
        datasets.SVHN(tmp_path, split="valid")
    with pytest.raises(RuntimeError, match=r"train_32x32\.mat"):
        datasets.SVHN(tmp_path)
    (tmp_path / "test_32x32.mat").write_bytes(b"not a mat file at all" * 10)
    with pytest.raises(RuntimeError, match=r"test_32x32\.mat"):
        datasets.SVHN(tmp_path, split="test")
    savemat(tmp_path / "extra_32x32.mat", {"X": np.zeros((4, 4)), "y": np.zeros(3)})
    with pytest.raises(RuntimeError, match=r"expected X of shape \(32, 32, 3, N\)"):
        datasets.SVHN(tmp_path, split="extra")


def test_svhn_download_failure_names_folder(tmp_path, monkeypatch):
    monkeypatch.setitem(
        datasets.SVHN.split_list, "test", ("file:///nonexistent/x.mat", "test_32x32.mat", None)
    )
    with pytest.raises(RuntimeError, match=r"Could not download .test_32x32\.mat."):
        datasets.SVHN(tmp_path, split="test", download=True)
