"""``FakeData``: random images, the same for the same index every time."""

from __future__ import annotations

import numpy as np
from PIL import Image

from .vision import VisionDataset

__all__ = ["FakeData"]

_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


class FakeData(VisionDataset):
    """A dataset of random PIL images and int targets, deterministic per index.

    Args:
        size: number of samples.
        image_size: ``(C, H, W)`` with C in 1, 3, 4.
        num_classes: targets are drawn from ``range(num_classes)``.
        transform: applied to the PIL image.
        target_transform: applied to the int target.
        random_offset: added to the index to seed each sample's generator.
    """

    def __init__(self, size=1000, image_size=(3, 224, 224), num_classes=10, transform=None,
                 target_transform=None, random_offset=0):  # fmt: skip
        super().__init__(None, transform=transform, target_transform=target_transform)
        image_size = tuple(int(s) for s in image_size)
        if len(image_size) != 3 or image_size[0] not in _MODES:
            raise ValueError(
                f"FakeData: image_size must be (C, H, W) with C in 1, 3, 4, got {image_size}"
            )
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index):
        if not -self.size <= index < self.size:
            raise IndexError(f"{type(self).__name__} index out of range")
        index %= self.size
        rng = np.random.default_rng([index + self.random_offset, 0x5EED])
        c, h, w = self.image_size
        arr = rng.integers(0, 256, size=(h, w, c), dtype=np.uint8)
        target = int(rng.integers(0, self.num_classes))
        img = Image.fromarray(arr[:, :, 0] if c == 1 else arr, mode=_MODES[c])
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target
