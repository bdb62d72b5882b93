"""Geometric transforms: resizing, crops, flips, padding, rotations, affine and perspective."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence

from . import functional as F
from ._image import InterpolationMode, get_size
from ._transform import RandomTransform, Transform, attribute_repr, randint, uniform
from .functional._geometry import _PADDING_MODES, _get_perspective_coeffs, _interpolation

__all__ = [
    "Resize",
    "CenterCrop",
    "RandomCrop",
    "RandomResizedCrop",
    "FiveCrop",
    "TenCrop",
    "RandomHorizontalFlip",
    "RandomVerticalFlip",
    "Pad",
    "RandomRotation",
    "RandomAffine",
    "RandomPerspective",
]


def _query_size(flat_inputs, name: str) -> tuple[int, int]:
    """The common ``(height, width)`` of the images of one call."""
    sizes = {tuple(get_size(x)) for x in flat_inputs}
    if len(sizes) != 1:
        raise ValueError(f"{name}: found images of different sizes in one call: {sorted(sizes)}")
    return sizes.pop()


def _setup_size(size, name: str) -> tuple[int, int]:
    if isinstance(size, numbers.Integral) and not isinstance(size, bool):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return int(size[0]), int(size[0])
    if not isinstance(size, Sequence) or len(size) != 2:
        raise ValueError(
            f"{name}: size must be an int or a sequence of one or two ints (h, w), got {size!r}"
        )
    return int(size[0]), int(size[1])


def _setup_angle(x, name: str, what: str, req_sizes=(2,)) -> list[float]:
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"{name}: if {what} is a single number, it must be positive, got {x}")
        return [-float(x), float(x)]
    _check_sequence(x, name, what, req_sizes)
    return [float(d) for d in x]


def _check_sequence(x, name: str, what: str, req_sizes) -> None:
    msg = " or ".join(str(s) for s in req_sizes)
    if not isinstance(x, Sequence) or isinstance(x, str):
        raise TypeError(f"{name}: {what} should be a sequence of length {msg}, got {x!r}")
    if len(x) not in req_sizes:
        raise ValueError(f"{name}: {what} should be a sequence of length {msg}, got {x!r}")


def _check_fill(fill, name: str) -> None:
    if fill is not None and not isinstance(fill, (numbers.Number, tuple, list)):
        raise TypeError(
            f"{name}: fill must be a number, a sequence of numbers or None, got {fill!r}"
        )


class Resize(Transform):
    """Resize images to ``size`` (see :func:`~ember_vision.transforms.functional.resize`).

    Args:
        size: ``(h, w)``, or an int for the smaller edge (keeping the aspect ratio).
        interpolation: an :class:`InterpolationMode`. Default: ``BILINEAR``.
        max_size: the longer edge is at most this after resizing by the smaller edge.
        antialias: Pillow-like antialiasing of tensors when downscaling. Default: ``True``.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.Resize(16)(ember.zeros(3, 32, 48)).shape
        ember.Size([3, 16, 24])
    """

    def __init__(
        self,
        size,
        interpolation=InterpolationMode.BILINEAR,
        max_size: int | None = None,
        antialias: bool | None = True,
    ):
        super().__init__()
        if isinstance(size, numbers.Integral) and not isinstance(size, bool):
            size = [int(size)]
        elif isinstance(size, Sequence) and len(size) in (1, 2):
            size = list(size)
        elif size is None:
            if not isinstance(max_size, int):
                raise ValueError(
                    f"Resize: max_size must be an int when size is None, got {max_size!r}"
                )
        else:
            raise ValueError(
                f"Resize: size can be an int, a sequence of one or two ints, or None, got {size!r}"
            )
        self.size = size
        self.interpolation = _interpolation(interpolation, "Resize")
        self.max_size = max_size
        self.antialias = antialias

    def transform(self, inpt, params):
        return F.resize(inpt, self.size, self.interpolation, self.max_size, self.antialias)

    extra_repr = attribute_repr


class CenterCrop(Transform):
    """Crop the centre of images (padding with zeros where the crop is larger).

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.CenterCrop(2)(ember.arange(16).reshape(1, 4, 4))
        tensor([[[ 5,  6],
                 [ 9, 10]]])
    """

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, "CenterCrop")

    def transform(self, inpt, params):
        return F.center_crop(inpt, self.size)

    extra_repr = attribute_repr


class RandomCrop(Transform):
    """Crop images at a random position.

    Args:
        size: ``(h, w)`` or an int for a square crop.
        padding: pad first: an int, ``(left/right, top/bottom)`` or ``(left, top, right,
            bottom)``.
        pad_if_needed: pad images smaller than ``size`` (both sides by the shortfall).
        fill: the constant padding value (or one per channel).
        padding_mode: ``'constant'``, ``'edge'``, ``'reflect'`` or ``'symmetric'``.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomCrop(32, padding=4)(ember.zeros(3, 32, 32)).shape
        ember.Size([3, 32, 32])
    """

    def __init__(
        self,
        size,
        padding=None,
        pad_if_needed: bool = False,
        fill=0,
        padding_mode: str = "constant",
    ):
        super().__init__()
        self.size = _setup_size(size, "RandomCrop")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                "RandomCrop: padding_mode should be 'constant', 'edge', 'reflect' or "
                f"'symmetric', got {padding_mode!r}"
            )
        _check_fill(fill, "RandomCrop")
        self.padding = F._geometry._parse_padding(padding, "RandomCrop") if padding else None
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img, output_size) -> tuple[int, int, int, int]:
        """Draw ``(top, left, height, width)`` of a random crop of ``output_size`` (v1's API)."""
        h, w = get_size(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(
                f"RandomCrop: required crop size {(th, tw)} is larger than the input image size "
                f"{(h, w)}"
            )
        if (h, w) == (th, tw):
            return 0, 0, h, w
        return randint(0, h - th + 1), randint(0, w - tw + 1), th, tw

    def make_params(self, flat_inputs):
        padded_h, padded_w = _query_size(flat_inputs, "RandomCrop")
        if self.padding is not None:
            pad_l, pad_r, pad_t, pad_b = self.padding
            padded_h += pad_t + pad_b
            padded_w += pad_l + pad_r
        else:
            pad_l = pad_r = pad_t = pad_b = 0
        crop_h, crop_w = self.size
        if self.pad_if_needed:
            if padded_h < crop_h:
                diff = crop_h - padded_h
                pad_t, pad_b, padded_h = pad_t + diff, pad_b + diff, padded_h + 2 * diff
            if padded_w < crop_w:
                diff = crop_w - padded_w
                pad_l, pad_r, padded_w = pad_l + diff, pad_r + diff, padded_w + 2 * diff
        if padded_h < crop_h or padded_w < crop_w:
            padded = "padded " if self.padding is not None else ""
            raise ValueError(
                f"RandomCrop: required crop size {(crop_h, crop_w)} is larger than the "
                f"{padded}input image size {(padded_h, padded_w)}"
            )
        top = randint(0, padded_h - crop_h + 1) if padded_h > crop_h else 0
        left = randint(0, padded_w - crop_w + 1) if padded_w > crop_w else 0
        return dict(
            padding=[pad_l, pad_t, pad_r, pad_b],
            top=top,
            left=left,
            height=crop_h,
            width=crop_w,
            needs_crop=(padded_h, padded_w) != (crop_h, crop_w),
        )

    def transform(self, inpt, params):
        if any(params["padding"]):
            inpt = F.pad(inpt, params["padding"], fill=self.fill, padding_mode=self.padding_mode)
        if params["needs_crop"]:
            inpt = F.crop(inpt, params["top"], params["left"], params["height"], params["width"])
        return inpt

    extra_repr = attribute_repr


class RandomResizedCrop(Transform):
    """Crop a random part of images and resize it to ``size`` (the Inception-style crop).

    The crop covers a fraction of the area drawn uniformly from ``scale``, with an aspect
    ratio drawn log-uniformly from ``ratio``; after 10 draws that do not fit, the central crop
    with the ratio clamped into ``ratio`` is used (torchvision's rule).

    Args:
        size: ``(h, w)`` or an int for a square output.
        scale: range of the crop's area as a fraction of the image's. Default: (0.08, 1.0).
        ratio: range of the crop's aspect ratio (w / h). Default: (3/4, 4/3).
        interpolation: an :class:`InterpolationMode`. Default: ``BILINEAR``.
        antialias: Pillow-like antialiasing of tensors when downscaling. Default: ``True``.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomResizedCrop(8)(ember.zeros(3, 32, 32)).shape
        ember.Size([3, 8, 8])
    """

    def __init__(
        self,
        size,
        scale=(0.08, 1.0),
        ratio=(3.0 / 4.0, 4.0 / 3.0),
        interpolation=InterpolationMode.BILINEAR,
        antialias: bool | None = True,
    ):
        super().__init__()
        self.size = _setup_size(size, "RandomResizedCrop")
        if not isinstance(scale, Sequence) or len(scale) != 2:
            raise TypeError(
                f"RandomResizedCrop: scale should be a sequence of two floats, got {scale!r}"
            )
        if not isinstance(ratio, Sequence) or len(ratio) != 2:
            raise TypeError(
                f"RandomResizedCrop: ratio should be a sequence of two floats, got {ratio!r}"
            )
        if scale[0] > scale[1] or ratio[0] > ratio[1]:
            warnings.warn(
                "RandomResizedCrop: scale and ratio should be of kind (min, max)", stacklevel=2
            )
        self.scale = scale
        self.ratio = ratio
        self.interpolation = _interpolation(interpolation, "RandomResizedCrop")
        self.antialias = antialias

    @staticmethod
    def get_params(img, scale, ratio) -> tuple[int, int, int, int]:
        """Draw ``(top, left, height, width)`` of a random crop of ``img`` (v1's API)."""
        height, width = get_size(img)
        return RandomResizedCrop._draw(height, width, scale, ratio)

    @staticmethod
    def _draw(height, width, scale, ratio):
        area = height * width
        log_lo, log_hi = math.log(ratio[0]), math.log(ratio[1])
        for _ in range(10):
            target_area = area * uniform(scale[0], scale[1])
            aspect = math.exp(uniform(log_lo, log_hi))
            w = round(math.sqrt(target_area * aspect))
            h = round(math.sqrt(target_area / aspect))
            if 0 < w <= width and 0 < h <= height:
                top = randint(0, height - h + 1)
                left = randint(0, width - w + 1)
                return top, left, h, w
        in_ratio = float(width) / float(height)
        if in_ratio < min(ratio):
            w = width
            h = round(w / min(ratio))
        elif in_ratio > max(ratio):
            h = height
            w = round(h * max(ratio))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def make_params(self, flat_inputs):
        height, width = _query_size(flat_inputs, "RandomResizedCrop")
        top, left, h, w = self._draw(height, width, self.scale, self.ratio)
        return dict(top=top, left=left, height=h, width=w)

    def transform(self, inpt, params):
        return F.resized_crop(
            inpt,
            params["top"],
            params["left"],
            params["height"],
            params["width"],
            self.size,
            self.interpolation,
            antialias=self.antialias,
        )

    extra_repr = attribute_repr


class FiveCrop(Transform):
    """The four corner crops and the central crop of images: each image becomes a tuple of 5.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> crops = T.FiveCrop(2)(ember.zeros(1, 4, 4))
        >>> len(crops), crops[0].shape
        (5, ember.Size([1, 2, 2]))
    """

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, "FiveCrop")

    def transform(self, inpt, params):
        return F.five_crop(inpt, self.size)

    extra_repr = attribute_repr


class TenCrop(Transform):
    """:class:`FiveCrop` of images and of their flips (horizontal, or vertical when
    ``vertical_flip``): each image becomes a tuple of 10.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> len(T.TenCrop(2)(ember.zeros(1, 4, 4)))
        10
    """

    def __init__(self, size, vertical_flip: bool = False):
        super().__init__()
        self.size = _setup_size(size, "TenCrop")
        self.vertical_flip = vertical_flip

    def transform(self, inpt, params):
        return F.ten_crop(inpt, self.size, self.vertical_flip)

    extra_repr = attribute_repr


class RandomHorizontalFlip(RandomTransform):
    """Flip images left to right with probability ``p``.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomHorizontalFlip(p=1.0)(ember.tensor([[[1, 2, 3]]]))
        tensor([[[3, 2, 1]]])
    """

    def __init__(self, p: float = 0.5):
        super().__init__(p)

    def transform(self, inpt, params):
        return F.hflip(inpt)

    extra_repr = attribute_repr


class RandomVerticalFlip(RandomTransform):
    """Flip images top to bottom with probability ``p``.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomVerticalFlip(p=1.0)(ember.tensor([[[1], [2]]]))
        tensor([[[2],
                 [1]]])
    """

    def __init__(self, p: float = 0.5):
        super().__init__(p)

    def transform(self, inpt, params):
        return F.vflip(inpt)

    extra_repr = attribute_repr


class Pad(Transform):
    """Pad images on their four sides (see :func:`~ember_vision.transforms.functional.pad`).

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.Pad([1, 0], padding_mode="reflect")(ember.tensor([[[1, 2, 3]]]))
        tensor([[[2, 1, 2, 3, 2]]])
    """

    def __init__(self, padding, fill=0, padding_mode: str = "constant"):
        super().__init__()
        F._geometry._parse_padding(padding, "Pad")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                "Pad: padding_mode should be 'constant', 'edge', 'reflect' or 'symmetric', got "
                f"{padding_mode!r}"
            )
        _check_fill(fill, "Pad")
        self.padding = padding if isinstance(padding, int) else list(padding)
        self.fill = fill
        self.padding_mode = padding_mode

    def transform(self, inpt, params):
        return F.pad(inpt, self.padding, fill=self.fill, padding_mode=self.padding_mode)

    extra_repr = attribute_repr


class RandomRotation(Transform):
    """Rotate images by a random angle drawn uniformly from ``degrees``.

    Args:
        degrees: ``(min, max)`` in degrees, or a number d for ``(-d, d)``.
        interpolation: ``NEAREST`` (default) or ``BILINEAR``.
        expand: grow the output to hold the whole rotated image.
        center: the centre of rotation ``(x, y)``; default: the image centre.
        fill: the value (or one per channel) of pixels from outside the image.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomRotation(30)(ember.zeros(3, 16, 16)).shape
        ember.Size([3, 16, 16])
    """

    def __init__(
        self,
        degrees,
        interpolation=InterpolationMode.NEAREST,
        expand: bool = False,
        center=None,
        fill=0,
    ):
        super().__init__()
        self.degrees = _setup_angle(degrees, "RandomRotation", "degrees")
        self.interpolation = _interpolation(interpolation, "RandomRotation")
        self.expand = expand
        _check_fill(fill, "RandomRotation")
        self.fill = fill
        if center is not None:
            _check_sequence(center, "RandomRotation", "center", (2,))
        self.center = center

    @staticmethod
    def get_params(degrees) -> float:
        """Draw a rotation angle from ``degrees`` ``(min, max)`` (v1's API)."""
        return uniform(float(degrees[0]), float(degrees[1]))

    def make_params(self, flat_inputs):
        return dict(angle=self.get_params(self.degrees))

    def transform(self, inpt, params):
        return F.rotate(
            inpt, params["angle"], self.interpolation, self.expand, self.center, self.fill
        )

    extra_repr = attribute_repr


class RandomAffine(Transform):
    """Random affine transformation of images keeping the centre fixed.

    Args:
        degrees: rotation range ``(min, max)``, or d for ``(-d, d)``.
        translate: maximal fractions ``(a, b)`` of the width and height to shift by: dx is
            drawn in ``(-a * w, a * w)``, dy in ``(-b * h, b * h)``. Default: no shift.
        scale: scale range ``(min, max)``. Default: 1.
        shear: x-shear range ``(min, max)`` (or s for ``(-s, s)``), or four values for x and
            y ranges. Default: none.
        interpolation: ``NEAREST`` (default) or ``BILINEAR``.
        fill: the value (or one per channel) of pixels from outside the image.
        center: the centre ``(x, y)``; default: the image centre.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomAffine(10, translate=(0.1, 0.1))(ember.zeros(3, 16, 16)).shape
        ember.Size([3, 16, 16])
    """

    def __init__(
        self,
        degrees,
        translate=None,
        scale=None,
        shear=None,
        interpolation=InterpolationMode.NEAREST,
        fill=0,
        center=None,
    ):
        super().__init__()
        self.degrees = _setup_angle(degrees, "RandomAffine", "degrees")
        if translate is not None:
            _check_sequence(translate, "RandomAffine", "translate", (2,))
            if not all(0.0 <= t <= 1.0 for t in translate):
                raise ValueError(
                    f"RandomAffine: translation values should be between 0 and 1, got {translate}"
                )
        self.translate = translate
        if scale is not None:
            _check_sequence(scale, "RandomAffine", "scale", (2,))
            if not all(s > 0 for s in scale):
                raise ValueError(f"RandomAffine: scale values should be positive, got {scale}")
        self.scale = scale
        self.shear = None if shear is None else _setup_angle(shear, "RandomAffine", "shear", (2, 4))
        self.interpolation = _interpolation(interpolation, "RandomAffine")
        _check_fill(fill, "RandomAffine")
        self.fill = fill
        if center is not None:
            _check_sequence(center, "RandomAffine", "center", (2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """Draw ``(angle, (dx, dy), scale, (shear_x, shear_y))`` for an image of ``img_size``
        ``[width, height]`` (v1's API)."""
        width, height = img_size
        angle = uniform(float(degrees[0]), float(degrees[1]))
        if translate is not None:
            max_dx = float(translate[0] * width)
            max_dy = float(translate[1] * height)
            shift = (round(uniform(-max_dx, max_dx)), round(uniform(-max_dy, max_dy)))
        else:
            shift = (0, 0)
        scale = uniform(scale_ranges[0], scale_ranges[1]) if scale_ranges is not None else 1.0
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = uniform(shears[2], shears[3])
        return angle, shift, scale, (shear_x, shear_y)

    def make_params(self, flat_inputs):
        height, width = _query_size(flat_inputs, "RandomAffine")
        angle, translate, scale, shear = self.get_params(
            self.degrees, self.translate, self.scale, self.shear, [width, height]
        )
        return dict(angle=angle, translate=translate, scale=scale, shear=shear)

    def transform(self, inpt, params):
        return F.affine(
            inpt,
            params["angle"],
            list(params["translate"]),
            params["scale"],
            list(params["shear"]),
            self.interpolation,
            self.fill,
            self.center,
        )

    extra_repr = attribute_repr


class RandomPerspective(RandomTransform):
    """Random perspective transformation of images, with probability ``p``.

    Each corner moves inwards by up to ``distortion_scale`` times half the width (and height).

    Args:
        distortion_scale: how far corners may move, in [0, 1]. Default: 0.5.
        p: probability of applying the transform. Default: 0.5.
        interpolation: ``BILINEAR`` (default) or ``NEAREST``.
        fill: the value (or one per channel) of pixels from outside the image.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomPerspective(p=1.0)(ember.zeros(3, 16, 16)).shape
        ember.Size([3, 16, 16])
    """

    def __init__(
        self,
        distortion_scale: float = 0.5,
        p: float = 0.5,
        interpolation=InterpolationMode.BILINEAR,
        fill=0,
    ):
        super().__init__(p)
        if not 0 <= distortion_scale <= 1:
            raise ValueError(
                "RandomPerspective: distortion_scale value should be between 0 and 1, got "
                f"{distortion_scale}"
            )
        self.distortion_scale = distortion_scale
        self.interpolation = _interpolation(interpolation, "RandomPerspective")
        _check_fill(fill, "RandomPerspective")
        self.fill = fill

    @staticmethod
    def get_params(width: int, height: int, distortion_scale: float):
        """Draw the four moved corners: ``(startpoints, endpoints)``, each ``[[x, y], ...]``
        from the top-left corner clockwise (v1's API)."""
        half_h, half_w = height // 2, width // 2
        bound_h = int(distortion_scale * half_h) + 1
        bound_w = int(distortion_scale * half_w) + 1
        topleft = [randint(0, bound_w), randint(0, bound_h)]
        topright = [randint(width - bound_w, width), randint(0, bound_h)]
        botright = [randint(width - bound_w, width), randint(height - bound_h, height)]
        botleft = [randint(0, bound_w), randint(height - bound_h, height)]
        startpoints = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return startpoints, [topleft, topright, botright, botleft]

    def make_params(self, flat_inputs):
        height, width = _query_size(flat_inputs, "RandomPerspective")
        startpoints, endpoints = self.get_params(width, height, self.distortion_scale)
        return dict(coefficients=_get_perspective_coeffs(startpoints, endpoints))

    def transform(self, inpt, params):
        return F.perspective(
            inpt, None, None, self.interpolation, self.fill, coefficients=params["coefficients"]
        )

    extra_repr = attribute_repr
