"""``Digits``: scikit-learn's bundled UCI handwritten digits (1,797 8x8 images), offline."""

from __future__ import annotations

import numpy as np
from PIL import Image

import ember

from .vision import VisionDataset

__all__ = ["Digits"]

_N_TRAIN = 1437  # of 1,797; the remaining 360 are the test set
_SPLIT_SEED = 0


def _load():
    try:
        from sklearn.datasets import load_digits
    except ImportError as exc:
        raise ImportError(
            "Digits needs scikit-learn, which ships the data: pip install scikit-learn "
            "(or pip install 'ember-vision[digits]')"
        ) from exc
    bunch = load_digits()
    images = np.rint(bunch.images * (255.0 / 16.0)).clip(0, 255).astype(np.uint8)
    return images, bunch.target.astype(np.int64)


class Digits(VisionDataset):
    """The UCI handwritten digits that scikit-learn ships (no download needed).

    A fixed permutation splits the 1,797 images into 1,437 for training and 360 for testing.
    Samples are ``(PIL.Image of mode 'L', 8x8, values 0..255; int)`` like MNIST's.

    Args:
        root: unused (the data comes with scikit-learn); kept for torchvision's signature.
        train: the training split if True, else the test split.
        transform: applied to the PIL image.
        target_transform: applied to the int target.
        download: unused; the data is bundled.
    """

    classes = [str(i) for i in range(10)]

    def __init__(
        self, root=None, train=True, transform=None, target_transform=None, download=False
    ):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        images, labels = _load()
        perm = np.random.default_rng(_SPLIT_SEED).permutation(len(images))
        idx = np.sort(perm[:_N_TRAIN] if train else perm[_N_TRAIN:])
        self._images = np.ascontiguousarray(images[idx])
        self._labels = np.ascontiguousarray(labels[idx])
        self.data = ember.from_numpy(self._images)
        self.targets = ember.from_numpy(self._labels)

    @property
    def class_to_idx(self):
        return {c: i for i, c in enumerate(self.classes)}

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
