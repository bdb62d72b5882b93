"""The base classes of the transforms, and their random draws.

A transform is a ``Module`` whose ``forward`` takes one input or any nesting of tuples, lists
and dicts. It finds the images in it (see :func:`_images_to_transform`), draws its random
parameters once with ``make_params``, applies ``transform(image, params)`` to each image, and
returns the same structure; labels and other values pass through unchanged. So
``RandomResizedCrop(224)((img, target))`` crops ``img`` and returns ``(cropped, target)``,
and two images in one call get the same crop.

Random parameters come from Ember's default generator (``ember.manual_seed`` reproduces
them; each DataLoader worker has its own seed, so workers draw differently).
"""

from __future__ import annotations

import numpy as np

import ember
from ember.nn import Module
from ember.random._generator import numpy_generator

from ._image import InterpolationMode, describe, is_pil_image

__all__ = ["Transform", "RandomTransform", "rand", "uniform", "randint", "coin", "attribute_repr"]


def rand() -> float:
    """One uniform draw in [0, 1) from Ember's default generator (drawn from its NumPy
    generator directly: a tensor per draw would cost more than the draw)."""
    return float(numpy_generator().random())


def uniform(low: float, high: float) -> float:
    """One uniform draw in [low, high) from Ember's default generator."""
    return low + (high - low) * rand()


def randint(low: int, high: int) -> int:
    """One integer draw in [low, high) from Ember's default generator."""
    if high <= low:
        raise ValueError(f"randint: expected low < high, got low={low}, high={high}")
    return int(numpy_generator().integers(low, high))


def coin(p: float) -> bool:
    """True with probability ``p`` (one draw, as torchvision's ``torch.rand(1) < p``)."""
    return rand() < p


def attribute_repr(module) -> str:
    """torchvision v2's ``extra_repr``: the public attributes holding plain values (bools,
    numbers, strings, tuples, lists, enums), in the order they were set; None is left out."""
    import enum

    parts = []
    for name, value in vars(module).items():
        if name.startswith("_") or name == "training":
            continue
        if isinstance(value, InterpolationMode):
            value = value.value  # torchvision prints interpolation=bilinear
        if isinstance(value, (bool, int, float, str, tuple, list, enum.Enum)):
            parts.append(f"{name}={value}")
    return ", ".join(parts)


def _flatten(obj, leaves):
    if isinstance(obj, (tuple, list)):
        return (type(obj), [_flatten(x, leaves) for x in obj])
    if isinstance(obj, dict):
        return (dict, {k: _flatten(v, leaves) for k, v in obj.items()})
    leaves.append(obj)
    return None


def _unflatten(spec, leaves):
    if spec is None:
        return next(leaves)
    kind, children = spec
    if kind is dict:
        return {k: _unflatten(v, leaves) for k, v in children.items()}
    items = [_unflatten(c, leaves) for c in children]
    if kind is list:
        return items
    if kind is tuple:
        return tuple(items)
    return kind(*items)  # namedtuple


def _images_to_transform(leaves) -> list[bool]:
    """Which leaves are images: Pillow images and NumPy HW/HWC arrays always; among tensors,
    the first one only, and only when no Pillow image is present (torchvision v2's rule for
    plain tensors: in ``(image, label_tensor)`` the label passes through)."""
    flags = []
    seen_pil = any(is_pil_image(x) for x in leaves)
    tensor_taken = seen_pil
    for x in leaves:
        if isinstance(x, ember.Tensor):
            flags.append(not tensor_taken)
            tensor_taken = True
        else:
            flags.append(is_pil_image(x) or (isinstance(x, np.ndarray) and x.ndim in (2, 3)))
    return flags


class Transform(Module):
    """Base class of the transforms.

    Subclasses implement ``transform(inpt, params)`` for one image and, when random,
    ``make_params(flat_inputs)`` returning a dict drawn once per call.

    Example:
        >>> class Invert(Transform):
        ...     def transform(self, inpt, params):
        ...         return 255 - inpt
        >>> Invert()(ember.tensor([[[0, 10]]], dtype=ember.uint8))
        tensor([[[255, 245]]], dtype=ember.uint8)
    """

    def forward(self, *inputs):
        obj = inputs if len(inputs) > 1 else inputs[0]
        leaves = []
        spec = _flatten(obj, leaves)
        flags = _images_to_transform(leaves)
        images = [x for x, f in zip(leaves, flags) if f]
        if not images:
            raise TypeError(
                f"{type(self).__name__}: found no image in the input; expected a PIL image, "
                f"an ember.Tensor (..., C, H, W) or an ndarray (H, W[, C]), got {describe(obj)}"
            )
        params = self.make_params(images)
        out = [self.transform(x, params) if f else x for x, f in zip(leaves, flags)]
        return _unflatten(spec, iter(out))

    def make_params(self, flat_inputs: list) -> dict:
        """Draw the random parameters of one call (shared by all images in it)."""
        return {}

    def transform(self, inpt, params: dict):
        """Apply the transform to one image with the drawn parameters."""
        raise TypeError(f"{type(self).__name__} must define transform(inpt, params)")


class RandomTransform(Transform):
    """A transform applied with probability ``p`` (one draw per call, before its parameters).

    Example:
        >>> class Negate(RandomTransform):
        ...     def transform(self, inpt, params):
        ...         return -inpt
        >>> Negate(p=1.0)(ember.tensor([[[1.0]]]))
        tensor([[[-1.]]])
    """

    def __init__(self, p: float = 0.5):
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"{type(self).__name__}: p must be in [0, 1], got {p}")
        super().__init__()
        self.p = p

    def forward(self, *inputs):
        if self.p < 1.0 and not coin(self.p):
            return inputs if len(inputs) > 1 else inputs[0]
        return super().forward(*inputs)

    def extra_repr(self) -> str:
        return f"p={self.p}"
