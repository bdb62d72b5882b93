"""Erasing and batch mixing (torchvision.transforms.v2's): RandomErasing, MixUp and CutMix."""

from __future__ import annotations

import math
import numbers
import warnings

import ember

from . import functional as F
from ._image import describe, get_dimensions, is_pil_image
from ._transform import (
    RandomTransform,
    Transform,
    _flatten,
    _images_to_transform,
    _unflatten,
    attribute_repr,
    randint,
    uniform,
)

__all__ = ["RandomErasing", "MixUp", "CutMix"]


class RandomErasing(RandomTransform):
    """Erase a random rectangle of images with probability ``p`` ('Random Erasing Data
    Augmentation', Zhong et al., 2017).

    The rectangle covers a fraction of the area drawn uniformly from ``scale``, with an aspect
    ratio drawn log-uniformly from ``ratio``; up to ten draws are made until it fits inside the
    image, and the image is left unchanged when none does.

    Args:
        p (float): probability of erasing. Default: 0.5.
        scale (tuple of 2 floats): range of the erased area's fraction. Default: (0.02, 0.33).
        ratio (tuple of 2 floats): range of the aspect ratio (height / width).
            Default: (0.3, 3.3).
        value (number, sequence or ``"random"``): the value written: one for all channels, one
            per channel, or ``"random"`` for standard-normal noise per pixel. Default: 0.
        inplace (bool): erase tensor inputs in place. Default: False.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomErasing()
        RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=[0.0], inplace=False)
        >>> out = T.RandomErasing(p=1.0, scale=(0.25, 0.25), ratio=(1.0, 1.0))(ember.ones(1, 8, 8))
        >>> int((out == 0).sum())
        16
    """

    def __init__(
        self, p: float = 0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0, inplace=False
    ):
        super().__init__(p=p)
        if not isinstance(value, (numbers.Number, str, tuple, list)):
            raise TypeError(
                f"RandomErasing: argument value should be either a number or str or a sequence, "
                f"got {describe(value)}"
            )
        if isinstance(value, str) and value != "random":
            raise ValueError(
                f"RandomErasing: if value is str, it should be 'random', got {value!r}"
            )
        if not isinstance(scale, (tuple, list)) or len(scale) != 2:
            raise TypeError(f"RandomErasing: scale should be a sequence of 2 floats, got {scale!r}")
        if not isinstance(ratio, (tuple, list)) or len(ratio) != 2:
            raise TypeError(f"RandomErasing: ratio should be a sequence of 2 floats, got {ratio!r}")
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn(
                "RandomErasing: scale and ratio should be of kind (min, max)", stacklevel=2
            )
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError(f"RandomErasing: scale should be between 0 and 1, got {scale}")
        if ratio[0] <= 0:
            raise ValueError(f"RandomErasing: ratio values should be positive, got {ratio}")
        self.scale = scale
        self.ratio = ratio
        if isinstance(value, str):
            self.value = None
        elif isinstance(value, numbers.Number):
            self.value = [float(value)]
        else:
            self.value = [float(v) for v in value]
        self.inplace = inplace

    def make_params(self, flat_inputs):
        img_c, img_h, img_w = get_dimensions(flat_inputs[0])
        if self.value is not None and len(self.value) not in (1, img_c):
            raise ValueError(
                f"RandomErasing: if value is a sequence, it should have either a single value or "
                f"{img_c} (number of input channels), got {len(self.value)} values"
            )
        area = img_h * img_w
        log_ratio = (math.log(self.ratio[0]), math.log(self.ratio[1]))
        for _ in range(10):
            erase_area = area * uniform(self.scale[0], self.scale[1])
            aspect_ratio = math.exp(uniform(log_ratio[0], log_ratio[1]))
            h = round(math.sqrt(erase_area * aspect_ratio))
            w = round(math.sqrt(erase_area / aspect_ratio))
            if not (h < img_h and w < img_w):
                continue
            if self.value is None:
                v = ember.randn(img_c, h, w)
            else:
                v = ember.tensor(self.value, dtype=ember.float32)[:, None, None]
            i = randint(0, img_h - h + 1)
            j = randint(0, img_w - w + 1)
            return {"i": i, "j": j, "h": h, "w": w, "v": v}
        return {"i": 0, "j": 0, "h": img_h, "w": img_w, "v": None}

    def transform(self, inpt, params):
        if params["v"] is None:
            return inpt
        return F.erase(inpt, **params, inplace=self.inplace)

    def extra_repr(self) -> str:
        return attribute_repr(self)


def _default_labels(inputs):
    """The labels in ``(images, labels)`` or in a dict under a key named like "labels"."""
    if isinstance(inputs, tuple) and len(inputs) > 1:
        inputs = inputs[1]
    if isinstance(inputs, ember.Tensor):
        return inputs
    if not isinstance(inputs, dict):
        raise ValueError(
            "When using the default labels_getter, the input passed to forward must be a "
            "dictionary or a two-tuple whose second item is a dict or a tensor, but got "
            f"{describe(inputs)} instead."
        )
    keys = [k for k in inputs if isinstance(k, str) and k.lower() == "labels"]
    keys = keys or [k for k in inputs if isinstance(k, str) and "label" in k.lower()]
    if not keys:
        raise ValueError(
            "Could not infer where the labels are in the sample. Try passing a callable as the "
            "labels_getter parameter? If there are no labels in the sample by design, pass "
            "labels_getter=None."
        )
    return inputs[keys[0]]


def _parse_labels_getter(labels_getter):
    if isinstance(labels_getter, str) and labels_getter == "default":
        return _default_labels
    if callable(labels_getter):
        return labels_getter
    if labels_getter is None:
        return lambda _: None
    raise ValueError(
        f"labels_getter should either be 'default', a callable, or None, but got {labels_getter}."
    )


class _MixBase(Transform):
    def __init__(self, *, alpha: float = 1.0, num_classes=None, labels_getter="default"):
        super().__init__()
        name = type(self).__name__
        if not isinstance(alpha, numbers.Real) or not alpha > 0:
            raise ValueError(f"{name}: alpha must be a positive number, got {alpha!r}")
        if num_classes is not None and (
            isinstance(num_classes, bool) or not isinstance(num_classes, int) or num_classes < 1
        ):
            raise ValueError(f"{name}: num_classes must be a positive integer, got {num_classes!r}")
        self.alpha = float(alpha)
        self.num_classes = num_classes
        self._labels_getter = _parse_labels_getter(labels_getter)

    def _sample_lambda(self) -> float:
        """One draw from Beta(alpha, alpha), from Ember's default generator."""
        from ember.random import numpy_generator

        return float(numpy_generator().beta(self.alpha, self.alpha))

    def forward(self, *inputs):
        name = type(self).__name__
        inputs = inputs if len(inputs) > 1 else inputs[0]
        leaves = []
        spec = _flatten(inputs, leaves)
        if any(is_pil_image(x) for x in leaves):
            raise ValueError(f"{name}() does not support PIL images.")
        labels = self._labels_getter(inputs)
        if not isinstance(labels, ember.Tensor):
            raise ValueError(f"{name}: the labels must be a tensor, but got {describe(labels)}.")
        if labels.ndim not in (1, 2):
            raise ValueError(
                f"{name}: labels should be index based with shape (batch_size,) or probability "
                f"based with shape (batch_size, num_classes), but got a tensor of shape "
                f"{tuple(labels.shape)} instead."
            )
        if (
            labels.ndim == 2
            and self.num_classes is not None
            and labels.shape[-1] != self.num_classes
        ):
            raise ValueError(
                f"{name}: when passing 2D labels, the number of elements in last dimension must "
                f"match num_classes: {labels.shape[-1]} != {self.num_classes}. You can leave "
                f"num_classes to None."
            )
        if labels.ndim == 1 and self.num_classes is None:
            raise ValueError(
                f"{name}: num_classes must be passed if the labels are index-based (1D)"
            )
        flags = _images_to_transform(leaves)
        label_idx = next(k for k, x in enumerate(leaves) if x is labels)
        flags[label_idx] = False
        images = [x for x, f in zip(leaves, flags) if f]
        if not images:
            raise TypeError(f"{name}: found no batch of images in the input {describe(inputs)}")
        params = {"labels": labels, "batch_size": labels.shape[0], **self.make_params(images)}
        out = []
        for k, (x, f) in enumerate(zip(leaves, flags)):
            if k == label_idx:
                out.append(self._mix_labels(x, params["lam"]))
            elif f:
                out.append(self.transform(self._check_batch(x, params["batch_size"]), params))
            else:
                out.append(x)
        return _unflatten(spec, iter(out))

    def _check_batch(self, inpt, batch_size: int):
        name = type(self).__name__
        if not isinstance(inpt, ember.Tensor) or inpt.ndim != 4:
            raise ValueError(
                f"{name}: expected a batched input with 4 dims (N, C, H, W), got {describe(inpt)}"
            )
        if inpt.shape[0] != batch_size:
            raise ValueError(
                f"{name}: the batch size of the image or video does not match the batch size of "
                f"the labels: {inpt.shape[0]} != {batch_size}."
            )
        return inpt

    def _mix_labels(self, label, lam: float):
        if label.ndim == 1:
            if label.numel() and (int(label.min()) < 0 or int(label.max()) >= self.num_classes):
                raise ValueError(
                    f"{type(self).__name__}: labels must be in [0, {self.num_classes}), got "
                    f"values in [{int(label.min())}, {int(label.max())}]"
                )
            from ember.nn.functional import one_hot

            label = one_hot(label.long(), num_classes=self.num_classes)
        if not label.dtype.is_floating_point:
            label = label.float()
        return label.roll(1, 0) * (1.0 - lam) + label * lam

    def extra_repr(self) -> str:
        return attribute_repr(self)


class MixUp(_MixBase):
    """MixUp on a batch ('mixup: Beyond Empirical Risk Minimization', Zhang et al., 2018):
    each image is blended with the previous one in the batch (the batch is rolled by one),
    ``lam * x + (1 - lam) * x.roll(1, 0)`` with ``lam ~ Beta(alpha, alpha)``, and so are the
    one-hot labels.

    Call it on ``(images, labels)`` with images ``(N, C, H, W)`` and labels ``(N,)`` (class
    indices) or ``(N, num_classes)`` (probabilities); it returns the mixed images and labels
    ``(N, num_classes)`` in float32. Shuffle the batch first (a DataLoader with
    ``shuffle=True`` does). uint8 images are mixed in float32 and rounded back to uint8.

    Args:
        alpha (float): parameter of the Beta distribution. Default: 1.0.
        num_classes (int, optional): number of classes, needed for index labels.
        labels_getter ("default", callable or None): where the labels are: by default the
            second item of a tuple, or the "labels" key of a dict.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> mixup = T.MixUp(num_classes=10)
        >>> images, labels = mixup(ember.rand(4, 3, 8, 8), ember.tensor([0, 1, 2, 3]))
        >>> labels.shape, bool(labels.sum(1).allclose(ember.ones(4)))
        (ember.Size([4, 10]), True)
    """

    def make_params(self, flat_inputs):
        return {"lam": self._sample_lambda()}

    def transform(self, inpt, params):
        lam = params["lam"]
        if inpt.dtype.is_floating_point:
            return inpt.roll(1, 0) * (1.0 - lam) + inpt * lam
        mixed = inpt.roll(1, 0).float() * (1.0 - lam) + inpt.float() * lam
        return mixed.round().clamp(0, 255).to(inpt.dtype)


class CutMix(_MixBase):
    """CutMix on a batch ('CutMix: Regularization Strategy to Train Strong Classifiers with
    Localizable Features', Yun et al., 2019): a random box of each image is replaced by the
    same box of the previous image in the batch, and the labels are mixed in proportion to
    the areas.

    The box is centred on a uniformly drawn pixel with sides ``sqrt(1 - lam)`` times the
    image's (clipped at the borders), ``lam ~ Beta(alpha, alpha)``; the labels are mixed with
    ``1 - box_area / image_area``. Arguments and calling convention as in :class:`MixUp`.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.CutMix(num_classes=3)
        CutMix(alpha=1.0, num_classes=3)
        >>> images, labels = T.CutMix(num_classes=3)(ember.rand(2, 3, 8, 8), ember.tensor([0, 2]))
        >>> labels.shape
        ember.Size([2, 3])
    """

    def make_params(self, flat_inputs):
        lam = self._sample_lambda()
        _, height, width = get_dimensions(flat_inputs[0])
        r_x = randint(0, width)
        r_y = randint(0, height)
        r = 0.5 * math.sqrt(1.0 - lam)
        r_w_half = int(r * width)
        r_h_half = int(r * height)
        x1 = max(r_x - r_w_half, 0)
        y1 = max(r_y - r_h_half, 0)
        x2 = min(r_x + r_w_half, width)
        y2 = min(r_y + r_h_half, height)
        lam_adjusted = float(1.0 - (x2 - x1) * (y2 - y1) / (width * height))
        return {"box": (x1, y1, x2, y2), "lam": lam_adjusted}

    def transform(self, inpt, params):
        x1, y1, x2, y2 = params["box"]
        out = inpt.clone()
        out[..., y1:y2, x1:x2] = inpt.roll(1, 0)[..., y1:y2, x1:x2]
        return out
