"""Colour transforms (torchvision.transforms.v2's): ColorJitter, Grayscale, RandomGrayscale,
RandomInvert, RandomPosterize, RandomSolarize, RandomAdjustSharpness, RandomAutocontrast and
RandomEqualize."""

from __future__ import annotations

import numbers

import ember

from . import functional as F
from ._image import get_dimensions
from ._transform import RandomTransform, Transform, attribute_repr, uniform

__all__ = [
    "ColorJitter",
    "Grayscale",
    "RandomGrayscale",
    "RGB",
    "RandomInvert",
    "RandomPosterize",
    "RandomSolarize",
    "RandomAdjustSharpness",
    "RandomAutocontrast",
    "RandomEqualize",
]


class Grayscale(Transform):
    """Convert images to greyscale (ITU-R 601-2 luma).

    Args:
        num_output_channels (int): 1, or 3 to repeat the luma in three channels. Default: 1.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.Grayscale()(ember.rand(3, 4, 4)).shape
        ember.Size([1, 4, 4])
    """

    def __init__(self, num_output_channels: int = 1):
        super().__init__()
        if num_output_channels not in (1, 3):
            raise ValueError(
                f"Grayscale: num_output_channels must be 1 or 3, got {num_output_channels}"
            )
        self.num_output_channels = num_output_channels

    def transform(self, inpt, params):
        return F.rgb_to_grayscale(inpt, num_output_channels=self.num_output_channels)

    def extra_repr(self) -> str:
        return attribute_repr(self)


class RandomGrayscale(RandomTransform):
    """Convert images to greyscale with probability ``p``, keeping their number of channels.

    Args:
        p (float): probability of the conversion. Default: 0.1.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> out = T.RandomGrayscale(p=1.0)(ember.rand(3, 2, 2))
        >>> bool((out[0] == out[1]).all() and (out[1] == out[2]).all())
        True
    """

    def __init__(self, p: float = 0.1):
        super().__init__(p=p)

    def make_params(self, flat_inputs):
        return {"num_input_channels": get_dimensions(flat_inputs[0])[0]}

    def transform(self, inpt, params):
        return F.rgb_to_grayscale(inpt, num_output_channels=params["num_input_channels"])


class RGB(Transform):
    """Convert single-channel images to RGB (RGB images pass unchanged).

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RGB()(ember.rand(1, 2, 2)).shape
        ember.Size([3, 2, 2])
    """

    def transform(self, inpt, params):
        return F.grayscale_to_rgb(inpt)


def _jitter_range(value, name, center=1.0, bound=(0.0, float("inf")), clip_first_on_zero=True):
    if value is None:
        return None
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(
                f"ColorJitter: if {name} is a single number, it must be non negative, got {value}"
            )
        value = [center - value, center + value]
        if clip_first_on_zero:
            value[0] = max(value[0], 0.0)
    elif isinstance(value, (list, tuple)) and len(value) == 2:
        value = [float(v) for v in value]
    else:
        raise TypeError(
            f"ColorJitter: {name}={value} should be a single number or a sequence with length 2."
        )
    if not bound[0] <= value[0] <= value[1] <= bound[1]:
        raise ValueError(f"ColorJitter: {name} values should be between {bound}, but got {value}.")
    return None if value[0] == value[1] == center else (float(value[0]), float(value[1]))


class ColorJitter(Transform):
    """Randomly change the brightness, contrast, saturation and hue of images, applying the four
    adjustments in a random order (one order and one set of factors per call).

    Args:
        brightness (float or (min, max), optional): the factor is drawn uniformly from
            ``[max(0, 1 - brightness), 1 + brightness]`` or ``[min, max]``. Non-negative.
        contrast (float or (min, max), optional): likewise for the contrast factor.
        saturation (float or (min, max), optional): likewise for the saturation factor.
        hue (float or (min, max), optional): the hue shift is drawn from ``[-hue, hue]`` or
            ``[min, max]``, with ``0 <= hue <= 0.5`` or ``-0.5 <= min <= max <= 0.5``.

    A value of None or 0 leaves that property alone.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.ColorJitter(brightness=0.5, hue=0.1)
        ColorJitter(brightness=(0.5, 1.5), hue=(-0.1, 0.1))
        >>> T.ColorJitter(brightness=0.5)(ember.rand(2, 3, 4, 4)).shape
        ember.Size([2, 3, 4, 4])
    """

    def __init__(self, brightness=None, contrast=None, saturation=None, hue=None):
        super().__init__()
        self.brightness = _jitter_range(brightness, "brightness")
        self.contrast = _jitter_range(contrast, "contrast")
        self.saturation = _jitter_range(saturation, "saturation")
        self.hue = _jitter_range(hue, "hue", 0.0, (-0.5, 0.5), clip_first_on_zero=False)

    def make_params(self, flat_inputs):
        order = ember.randperm(4).tolist()

        def draw(bounds):
            return None if bounds is None else uniform(bounds[0], bounds[1])

        return {
            "fn_idx": order,
            "brightness_factor": draw(self.brightness),
            "contrast_factor": draw(self.contrast),
            "saturation_factor": draw(self.saturation),
            "hue_factor": draw(self.hue),
        }

    def transform(self, inpt, params):
        steps = (
            (F.adjust_brightness, params["brightness_factor"]),
            (F.adjust_contrast, params["contrast_factor"]),
            (F.adjust_saturation, params["saturation_factor"]),
            (F.adjust_hue, params["hue_factor"]),
        )
        out = inpt
        for idx in params["fn_idx"]:
            fn, factor = steps[idx]
            if factor is not None:
                out = fn(out, factor)
        return out

    def extra_repr(self) -> str:
        return attribute_repr(self)


class RandomInvert(RandomTransform):
    """Invert the colours of images with probability ``p``.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomInvert(p=1.0)(ember.tensor([[[0.25]]]))
        tensor([[[0.7500]]])
    """

    def transform(self, inpt, params):
        return F.invert(inpt)


class RandomPosterize(RandomTransform):
    """Posterize images (keep ``bits`` bits per channel) with probability ``p``.

    Args:
        bits (int): bits to keep, 0 to 8.
        p (float): probability. Default: 0.5.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomPosterize(bits=1, p=1.0)(ember.tensor([[[200, 100]]], dtype=ember.uint8))
        tensor([[[128,   0]]], dtype=ember.uint8)
    """

    def __init__(self, bits: int, p: float = 0.5):
        super().__init__(p=p)
        if isinstance(bits, bool) or not isinstance(bits, int) or not 0 <= bits <= 8:
            raise TypeError(f"RandomPosterize: bits must be an integer in [0, 8], got {bits!r}")
        self.bits = bits

    def transform(self, inpt, params):
        return F.posterize(inpt, bits=self.bits)

    def extra_repr(self) -> str:
        return attribute_repr(self)


class RandomSolarize(RandomTransform):
    """Solarize images (invert the pixels at or above ``threshold``) with probability ``p``.

    Args:
        threshold (float): pixels ``>= threshold`` are inverted.
        p (float): probability. Default: 0.5.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomSolarize(threshold=0.5, p=1.0)(ember.tensor([[[0.25, 0.75]]]))
        tensor([[[0.2500, 0.2500]]])
    """

    def __init__(self, threshold: float, p: float = 0.5):
        super().__init__(p=p)
        if not isinstance(threshold, numbers.Real) or isinstance(threshold, bool):
            raise TypeError(f"RandomSolarize: threshold must be a number, got {threshold!r}")
        self.threshold = threshold

    def transform(self, inpt, params):
        return F.solarize(inpt, threshold=self.threshold)

    def extra_repr(self) -> str:
        return attribute_repr(self)


class RandomAdjustSharpness(RandomTransform):
    """Adjust the sharpness of images with probability ``p``.

    Args:
        sharpness_factor (float): non-negative; 0 blurs, 1 keeps, 2 doubles the sharpness.
        p (float): probability. Default: 0.5.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomAdjustSharpness(2.0)
        RandomAdjustSharpness(p=0.5, sharpness_factor=2.0)
    """

    def __init__(self, sharpness_factor: float, p: float = 0.5):
        super().__init__(p=p)
        if sharpness_factor < 0:
            raise ValueError(
                f"RandomAdjustSharpness: sharpness_factor must be non-negative, "
                f"got {sharpness_factor}"
            )
        self.sharpness_factor = sharpness_factor

    def transform(self, inpt, params):
        return F.adjust_sharpness(inpt, sharpness_factor=self.sharpness_factor)

    def extra_repr(self) -> str:
        return attribute_repr(self)


class RandomAutocontrast(RandomTransform):
    """Autocontrast images (stretch each channel to the full range) with probability ``p``.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomAutocontrast(p=1.0)(ember.tensor([[[0.25, 0.5]]]))
        tensor([[[0., 1.]]])
    """

    def transform(self, inpt, params):
        return F.autocontrast(inpt)


class RandomEqualize(RandomTransform):
    """Equalize the histogram of images with probability ``p``.

    Example:
        >>> from ember_vision import transforms as T
        >>> T.RandomEqualize(p=0.3)
        RandomEqualize(p=0.3)
    """

    def transform(self, inpt, params):
        return F.equalize(inpt)
