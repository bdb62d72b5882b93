"""CIFAR10 and CIFAR100 from the python batches, read with a restricted unpickler."""

from __future__ import annotations

import os
import pickle

import numpy as np
from PIL import Image

from . import _download
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "load_batch"]


def _reconstruct_fn():
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # NumPy < 2
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


def _codecs_encode():
    import codecs

    return codecs.encode


# The only globals a CIFAR batch may name: NumPy's array reconstruction, and the pure str ->
# bytes encoder that Python 3 writes for bytes objects under pickle protocol 2.
_ALLOWED = {
    ("_codecs", "encode"): _codecs_encode,
    ("numpy.core.multiarray", "_reconstruct"): _reconstruct_fn,
    ("numpy._core.multiarray", "_reconstruct"): _reconstruct_fn,
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
}


class _RestrictedUnpickler(pickle.Unpickler):
    def __init__(self, file, path):
        super().__init__(file, encoding="latin1")
        self._path = path

    def find_class(self, module, name):
        factory = _ALLOWED.get((module, name))
        if factory is None:
            raise pickle.UnpicklingError(
                f"{self._path!r}: refusing to load the global '{module}.{name}': CIFAR batches may "
                "hold only dicts, lists, strings, numbers and NumPy arrays "
                "(numpy.core.multiarray._reconstruct, numpy.ndarray, numpy.dtype, _codecs.encode)"
            )
        return factory()


def load_batch(path) -> dict:
    """Unpickle a CIFAR python batch safely; keys are returned as ``str``."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        try:
            entry = _RestrictedUnpickler(f, path).load()
        except pickle.UnpicklingError:
            raise
        except Exception as exc:
            raise RuntimeError(f"Could not read CIFAR batch {path!r}: {exc}") from exc
    if not isinstance(entry, dict):
        raise RuntimeError(
            f"{path!r}: expected a dict in a CIFAR batch, got {type(entry).__name__}"
        )
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in entry.items()}


class CIFAR10(VisionDataset):
    """CIFAR-10 (32x32 RGB, 10 classes) from ``root/cifar-10-batches-py/``.

    Args:
        root: folder holding ``cifar-10-batches-py``.
        train: the five training batches (50,000 images) if True, else ``test_batch``.
        transform: applied to the PIL image.
        target_transform: applied to the int target.
        download: fetch and unpack the archive (MD5-verified) if missing.

    Samples are ``(PIL.Image of mode 'RGB', int)``; ``data`` is a uint8 NumPy array (N, 32, 32, 3)
    and ``targets`` a list of ints, as in torchvision.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [f"data_batch_{i}" for i in range(1, 6)]
    test_list = ["test_batch"]
    meta = {"filename": "batches.meta", "key": "label_names"}
    label_key = "labels"

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        folder = os.path.join(self.root, self.base_folder)
        names = self.train_list if train else self.test_list
        if not self._check_exists():
            raise RuntimeError(
                f"Dataset not found: expected {names} in {folder!r}. "
                "You can use download=True to download it"
            )
        data, targets = [], []
        for name in names:
            path = os.path.join(folder, name)
            entry = load_batch(path)
            key = self.label_key if self.label_key in entry else "labels"
            if "data" not in entry or key not in entry:
                raise RuntimeError(f"{path!r}: a CIFAR batch needs the keys 'data' and {key!r}")
            arr = np.asarray(entry["data"], dtype=np.uint8)
            if arr.ndim != 2 or arr.shape[1] != 3072 or len(arr) != len(entry[key]):
                raise RuntimeError(
                    f"{path!r}: expected data of shape (N, 3072) and N labels, got {arr.shape} "
                    f"and {len(entry[key])} labels"
                )
            data.append(arr)
            targets.extend(int(t) for t in entry[key])
        self.data = np.concatenate(data).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy()
        self.targets = targets
        self._load_meta(folder)

    def _load_meta(self, folder):
        path = os.path.join(folder, self.meta["filename"])
        if os.path.isfile(path):
            names = load_batch(path)[self.meta["key"]]
            self.classes = [c.decode("latin1") if isinstance(c, bytes) else str(c) for c in names]
        else:
            self.classes = []
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}

    def _check_exists(self) -> bool:
        folder = os.path.join(self.root, self.base_folder)
        return all(
            os.path.isfile(os.path.join(folder, n)) for n in self.train_list + self.test_list
        )

    def download(self) -> None:
        """Fetch the archive (MD5-verified) into ``root`` and unpack it."""
        if self._check_exists():
            return
        path = _download.download_url([self.url], self.root, self.filename, self.tgz_md5)
        _download.extract_archive(path, self.root)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index):
        img = Image.fromarray(self.data[index])
        target = self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """CIFAR-100 (32x32 RGB, 100 fine classes) from ``root/cifar-100-python/`` (``train``,
    ``test``, ``meta``); targets are the ``fine_labels``. Same arguments as :class:`CIFAR10`."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = ["train"]
    test_list = ["test"]
    meta = {"filename": "meta", "key": "fine_label_names"}
    label_key = "fine_labels"
