"""MNIST, FashionMNIST, KMNIST and EMNIST, read from IDX files (gzipped or not) in
torchvision's layout ``root/<ClassName>/raw/``."""

from __future__ import annotations

import gzip
import os
import string

import numpy as np
from PIL import Image

import ember

from . import _download
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "KMNIST", "EMNIST", "read_idx"]

# IDX type byte -> big-endian NumPy dtype.
_IDX_TYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path) -> np.ndarray:
    """Read an IDX file (``.gz`` or plain) into a NumPy array in native byte order.

    Raises:
        RuntimeError: naming the file when it is not a well-formed IDX file.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            raw = f.read()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
    except (OSError, EOFError) as exc:
        raise RuntimeError(f"Could not read IDX file {path!r}: {exc}") from exc
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise RuntimeError(f"{path!r} is not an IDX file (bad magic number {raw[:4]!r})")
    dtype, ndim = _IDX_TYPES[raw[2]], raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise RuntimeError(f"{path!r}: IDX header is truncated")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">i4", count=ndim, offset=4))
    count = int(np.prod(shape, dtype=np.int64))
    if len(raw) - header != count * dtype.itemsize:
        raise RuntimeError(
            f"{path!r}: IDX header says shape {shape} ({count * dtype.itemsize} bytes of data) "
            f"but the file holds {len(raw) - header} bytes"
        )
    arr = np.frombuffer(raw, dtype=dtype, count=count, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="), copy=True)


class MNIST(VisionDataset):
    """The MNIST handwritten digits (28x28 grayscale, 10 classes).

    Args:
        root: folder holding ``MNIST/raw/`` with the four IDX files (``.gz`` or not).
        train: the 60,000-image training set if True, else the 10,000-image test set.
        transform: applied to the PIL image.
        target_transform: applied to the int target.
        download: fetch the files from ``mirrors`` (MD5-verified) if they are missing.

    Samples are ``(PIL.Image of mode 'L', int)``.
    """

    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = [
        "0 - zero", "1 - one", "2 - two", "3 - three", "4 - four",
        "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine",
    ]  # fmt: skip

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(
                f"Dataset not found: expected the IDX files {self._file_names()} (optionally .gz) "
                f"in {self.raw_folder!r}. You can use download=True to download it"
            )
        images, labels = self._file_names()
        self._images = read_idx(self._find(images))
        self._labels = read_idx(self._find(labels)).astype(np.int64)
        if (
            self._images.ndim != 3
            or self._labels.ndim != 1
            or len(self._images) != len(self._labels)
        ):
            raise RuntimeError(
                f"{self.raw_folder!r}: images of shape {self._images.shape} do not match labels of "
                f"shape {self._labels.shape} (expected (N, H, W) and (N,))"
            )
        self.data = ember.from_numpy(self._images)
        self.targets = ember.from_numpy(self._labels)

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, type(self).__name__, "raw")

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

    def _file_names(self):
        prefix = "train" if self.train else "t10k"
        return [f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"]

    def _find(self, name):
        for candidate in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _check_exists(self) -> bool:
        return all(self._find(n) is not None for n in self._file_names())

    def download(self) -> None:
        """Fetch the missing IDX files into ``raw_folder`` (MD5-verified), trying each mirror."""
        if self._check_exists():
            return
        for filename, md5 in self.resources:
            if self._find(filename[: -len(".gz")]) is None:
                urls = [m + filename for m in self.mirrors]
                _download.download_url(urls, self.raw_folder, filename, md5)

    def __len__(self) -> int:
        return len(self._images)

    def __getitem__(self, index):
        img = Image.fromarray(self._images[index], mode="L")
        target = int(self._labels[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self) -> str:
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST (28x28 grayscale clothing images, 10 classes), read from
    ``root/FashionMNIST/raw/``; same arguments as :class:`MNIST`."""

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]  # fmt: skip


class KMNIST(MNIST):
    """Kuzushiji-MNIST (28x28 grayscale cursive Japanese characters, 10 classes), read from
    ``root/KMNIST/raw/``; same arguments as :class:`MNIST`."""

    mirrors = ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "bdb82020997e1d708af4cf47b453dcf7"),
        ("train-labels-idx1-ubyte.gz", "e144d726b3acfaa3e44228e80efcd344"),
        ("t10k-images-idx3-ubyte.gz", "5c965bf0a639b31b8f53240b1b52f4d7"),
        ("t10k-labels-idx1-ubyte.gz", "7320c461ea6c1c855c0b718fb2a4b134"),
    ]
    classes = ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"]


_ALL = set(string.digits + string.ascii_letters)
_MERGED = set("cijklmopsuvwxyz")


class EMNIST(MNIST):
    """Extended MNIST, read from ``root/EMNIST/raw/emnist-<split>-<train|test>-...-ubyte[.gz]``.

    Args:
        root: folder holding ``EMNIST/raw/``.
        split: one of ``"byclass"``, ``"bymerge"``, ``"balanced"``, ``"letters"``,
            ``"digits"``, ``"mnist"``.
        train, transform, target_transform, download: as for :class:`MNIST`.

    As in torchvision, the images are returned as stored in the files (transposed).
    """

    mirrors = ["https://biometrics.nist.gov/cs_links/EMNIST/"]
    url = "https://biometrics.nist.gov/cs_links/EMNIST/gzip.zip"
    md5 = "58c8d27c78d21e728a6bc7b3cc06412e"
    splits = ("byclass", "bymerge", "balanced", "letters", "digits", "mnist")
    classes_split_dict = {
        "byclass": sorted(_ALL),
        "bymerge": sorted(_ALL - _MERGED),
        "balanced": sorted(_ALL - _MERGED),
        "letters": ["N/A"] + list(string.ascii_lowercase),
        "digits": list(string.digits),
        "mnist": list(string.digits),
    }

    def __init__(
        self, root, split, train=True, transform=None, target_transform=None, download=False
    ):
        if split not in self.splits:
            raise ValueError(
                f"EMNIST: unknown split {split!r}; expected one of {', '.join(self.splits)}"
            )
        self.split = split
        self.classes = self.classes_split_dict[split]
        super().__init__(root, train, transform, target_transform, download)

    def _file_names(self):
        kind = "train" if self.train else "test"
        return [
            f"emnist-{self.split}-{kind}-images-idx3-ubyte",
            f"emnist-{self.split}-{kind}-labels-idx1-ubyte",
        ]

    def download(self) -> None:
        """Fetch gzip.zip (MD5-verified); unpack its ``gzip/emnist-*.gz`` into raw_folder."""
        if self._check_exists():
            return
        urls = [m + "gzip.zip" for m in self.mirrors]
        path = _download.download_url(urls, self.raw_folder, "gzip.zip", self.md5)
        import zipfile

        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                base = os.path.basename(name)
                if base.startswith("emnist-") and base.endswith(".gz"):
                    with (
                        z.open(name) as src,
                        open(os.path.join(self.raw_folder, base), "wb") as dst,
                    ):
                        dst.write(src.read())
        os.remove(path)

    def extra_repr(self) -> str:
        return f"Split: {self.split}"
