"""SVHN (Street View House Numbers, 32x32 RGB digits) from the ``*_32x32.mat`` files."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image

from . import _download
from .vision import VisionDataset

__all__ = ["SVHN"]


def _loadmat(path):
    try:
        from scipy.io import loadmat
    except ImportError as exc:
        raise ImportError(
            f"SVHN reads {path!r}, a MATLAB file, through SciPy: pip install scipy"
        ) from exc
    try:
        return loadmat(path)
    except Exception as exc:
        raise RuntimeError(f"Could not read the SVHN file {path!r}: {exc}") from exc


class SVHN(VisionDataset):
    """SVHN's cropped digits (format 2) from ``root/{split}_32x32.mat``, read through SciPy.

    Labels are 0..9: the files store the digit 0 as class 10, which is mapped to 0, as
    torchvision does.

    Args:
        root: folder holding the ``.mat`` files.
        split: ``"train"`` (73,257 images), ``"test"`` (26,032) or ``"extra"`` (531,131).
        transform: applied to the PIL image.
        target_transform: applied to the int target.
        download: fetch the split's file (MD5-verified) if missing.

    Samples are ``(PIL.Image of mode 'RGB', int)``; ``data`` is a uint8 array (N, 3, 32, 32)
    and ``labels`` an int64 array (N,), as in torchvision.

    Example:
        >>> ds = SVHN("data/svhn", split="test")  # doctest: +SKIP
        >>> img, label = ds[0]  # doctest: +SKIP
    """

    split_list = {
        "train": (
            "http://ufldl.stanford.edu/housenumbers/train_32x32.mat",
            "train_32x32.mat",
            "e26dedcc434d2e4c54c9b2d4a06d8373",
        ),
        "test": (
            "http://ufldl.stanford.edu/housenumbers/test_32x32.mat",
            "test_32x32.mat",
            "eb5a983be6a315427106f1b164d9cef3",
        ),
        "extra": (
            "http://ufldl.stanford.edu/housenumbers/extra_32x32.mat",
            "extra_32x32.mat",
            "a93ce644f1a588dc4d68dda5feec44a7",
        ),
    }

    def __init__(self, root, split="train", transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        if split not in self.split_list:
            raise ValueError(
                f"SVHN: unknown split {split!r}; expected one of {sorted(self.split_list)}"
            )
        self.split = split
        self.url, self.filename, self.file_md5 = self.split_list[split]
        if download:
            self.download()
        path = os.path.join(self.root, self.filename)
        if not os.path.isfile(path):
            raise RuntimeError(
                f"Dataset not found: expected {path!r}. You can use download=True to download it"
            )
        mat = _loadmat(path)
        if "X" not in mat or "y" not in mat:
            raise RuntimeError(f"{path!r}: an SVHN file needs the variables 'X' and 'y'")
        images, labels = np.asarray(mat["X"]), np.asarray(mat["y"]).reshape(-1)
        if images.ndim != 4 or images.shape[:3] != (32, 32, 3) or images.shape[3] != len(labels):
            raise RuntimeError(
                f"{path!r}: expected X of shape (32, 32, 3, N) and N labels, got "
                f"{images.shape} and {len(labels)} labels"
            )
        self.data = np.ascontiguousarray(images.transpose(3, 2, 0, 1), dtype=np.uint8)
        labels = labels.astype(np.int64)
        labels[labels == 10] = 0
        self.labels = labels

    def download(self) -> None:
        """Fetch this split's file (MD5-verified) into ``root``."""
        _download.download_url([self.url], self.root, self.filename, self.file_md5)

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index):
        img = Image.fromarray(self.data[index].transpose(1, 2, 0))
        target = int(self.labels[index])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def extra_repr(self) -> str:
        return f"Split: {self.split}"
