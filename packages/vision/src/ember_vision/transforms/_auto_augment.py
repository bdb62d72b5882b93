"""Automatic augmentation policies (torchvision.transforms.v2's): AutoAugment, RandAugment,
TrivialAugmentWide and AugMix.

Each works on one image per call (a PIL image, a tensor ``(..., C, H, W)`` — a batch gets the
same operations — or an ndarray); the operations draw from Ember's default generator.
"""

from __future__ import annotations

import enum
import math
import numbers

import numpy as np

import ember

from . import functional as F
from ._image import (
    InterpolationMode,
    chw_to_ndarray,
    describe,
    get_dimensions,
    ndarray_to_chw,
)
from ._transform import (
    Transform,
    _flatten,
    _images_to_transform,
    _unflatten,
    attribute_repr,
    rand,
    randint,
)

__all__ = ["AutoAugmentPolicy", "AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix"]


class AutoAugmentPolicy(enum.Enum):
    """The AutoAugment policies learned on ImageNet, CIFAR-10 and SVHN."""

    IMAGENET = "imagenet"
    CIFAR10 = "cifar10"
    SVHN = "svhn"


_PIL_INTERPOLATION = {
    0: InterpolationMode.NEAREST,
    2: InterpolationMode.BILINEAR,
    3: InterpolationMode.BICUBIC,
    4: InterpolationMode.BOX,
    5: InterpolationMode.HAMMING,
    1: InterpolationMode.LANCZOS,
}


def _check_interpolation(interpolation, name: str) -> InterpolationMode:
    if isinstance(interpolation, InterpolationMode):
        return interpolation
    if isinstance(interpolation, int) and interpolation in _PIL_INTERPOLATION:
        return _PIL_INTERPOLATION[interpolation]
    raise TypeError(
        f"{name}: argument interpolation should be an InterpolationMode or a corresponding "
        f"Pillow integer constant, but got {interpolation!r}."
    )


def _check_fill(fill, name: str):
    if fill is None or (isinstance(fill, numbers.Real) and not isinstance(fill, bool)):
        return fill
    if isinstance(fill, (list, tuple)) and all(isinstance(v, numbers.Real) for v in fill):
        return list(fill)
    raise TypeError(f"{name}: fill should be None, a number or a sequence of numbers, got {fill!r}")


# Magnitude ranges: name -> (function of (num_bins, height, width) giving the magnitudes or
# None, whether the sign is drawn at random).
def _linspace(start, end):
    return lambda n, h, w: np.linspace(start, end, n, dtype=np.float32)


def _posterize_bits(top, spread):
    return lambda n, h, w: np.round(top - np.arange(n) / ((n - 1) / spread)).astype(np.int64)


def _no_magnitude(n, h, w):
    return None


_BASE_SPACE = {
    "ShearX": (_linspace(0.0, 0.3), True),
    "ShearY": (_linspace(0.0, 0.3), True),
    "TranslateX": (lambda n, h, w: np.linspace(0.0, 150.0 / 331.0 * w, n, dtype=np.float32), True),
    "TranslateY": (lambda n, h, w: np.linspace(0.0, 150.0 / 331.0 * h, n, dtype=np.float32), True),
    "Rotate": (_linspace(0.0, 30.0), True),
    "Brightness": (_linspace(0.0, 0.9), True),
    "Color": (_linspace(0.0, 0.9), True),
    "Contrast": (_linspace(0.0, 0.9), True),
    "Sharpness": (_linspace(0.0, 0.9), True),
    "Posterize": (_posterize_bits(8, 4), False),
    "Solarize": (_linspace(1.0, 0.0), False),
    "AutoContrast": (_no_magnitude, False),
    "Equalize": (_no_magnitude, False),
}


def _solarize_bound(image) -> float:
    if isinstance(image, ember.Tensor):
        return 1.0 if image.dtype.is_floating_point else 255.0
    if isinstance(image, np.ndarray):
        return 1.0 if np.issubdtype(image.dtype, np.floating) else 255.0
    return 255.0


def apply_op(image, op_name: str, magnitude: float, interpolation, fill):
    """Apply one named augmentation with its magnitude (the operations of AutoAugment)."""
    from .functional import _geometry as G

    if op_name == "Identity":
        return image
    if op_name in ("ShearX", "ShearY"):
        shear = math.degrees(math.atan(magnitude))
        return G.affine(
            image,
            angle=0.0,
            translate=[0, 0],
            scale=1.0,
            shear=[shear, 0.0] if op_name == "ShearX" else [0.0, shear],
            interpolation=interpolation,
            fill=fill,
            center=[0, 0],
        )
    if op_name in ("TranslateX", "TranslateY"):
        shift = int(magnitude)
        return G.affine(
            image,
            angle=0.0,
            translate=[shift, 0] if op_name == "TranslateX" else [0, shift],
            scale=1.0,
            shear=[0.0, 0.0],
            interpolation=interpolation,
            fill=fill,
        )
    if op_name == "Rotate":
        return G.rotate(image, angle=magnitude, interpolation=interpolation, fill=fill)
    if op_name == "Brightness":
        return F.adjust_brightness(image, 1.0 + magnitude)
    if op_name == "Color":
        return F.adjust_saturation(image, 1.0 + magnitude)
    if op_name == "Contrast":
        return F.adjust_contrast(image, 1.0 + magnitude)
    if op_name == "Sharpness":
        return F.adjust_sharpness(image, 1.0 + magnitude)
    if op_name == "Posterize":
        return F.posterize(image, int(magnitude))
    if op_name == "Solarize":
        return F.solarize(image, _solarize_bound(image) * magnitude)
    if op_name == "AutoContrast":
        return F.autocontrast(image)
    if op_name == "Equalize":
        return F.equalize(image)
    if op_name == "Invert":
        return F.invert(image)
    raise ValueError(f"No transform available for {op_name!r}")


class _AutoAugmentBase(Transform):
    _AUGMENTATION_SPACE: dict = {}

    def __init__(self, *, interpolation=InterpolationMode.NEAREST, fill=None):
        super().__init__()
        name = type(self).__name__
        self.interpolation = _check_interpolation(interpolation, name)
        self.fill = _check_fill(fill, name)

    def _random_op(self, space):
        names = tuple(space)
        name = names[randint(0, len(names))]
        return name, space[name]

    def _magnitude(self, entry, num_bins, height, width, index=None, draw_below=None) -> float:
        """The magnitude of an operation: bin ``index`` (when None, drawn below ``draw_below``
        or ``num_bins``, only for operations that have a magnitude), negated with probability
        1/2 for the signed ones."""
        magnitudes_fn, signed = entry
        magnitudes = magnitudes_fn(num_bins, height, width)
        if magnitudes is None:
            return 0.0
        if index is None:
            index = randint(0, draw_below or num_bins)
        magnitude = float(magnitudes[index])
        if signed and rand() <= 0.5:
            magnitude = -magnitude
        return magnitude

    def _apply(self, image, op_name, magnitude):
        return apply_op(image, op_name, magnitude, self.interpolation, self.fill)

    def forward(self, *inputs):
        obj = inputs if len(inputs) > 1 else inputs[0]
        leaves = []
        spec = _flatten(obj, leaves)
        flags = _images_to_transform(leaves)
        positions = [k for k, f in enumerate(flags) if f]
        name = type(self).__name__
        if not positions:
            raise TypeError(f"{name}: found no image in the sample {describe(obj)}.")
        if len(positions) > 1:
            raise TypeError(
                f"{name}: auto augment transformations are only properly defined for a single "
                f"image, but found {len(positions)}."
            )
        k = positions[0]
        leaves[k] = self.augment(leaves[k])
        return _unflatten(spec, iter(leaves))

    def augment(self, image):
        """Augment one image (any kind)."""
        raise TypeError(f"{type(self).__name__} must define augment(image)")

    def extra_repr(self) -> str:
        return attribute_repr(self)


_POLICIES = {
    AutoAugmentPolicy.IMAGENET: [
        (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
        (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Equalize", 0.4, None), ("Rotate", 0.8, 8)),
        (("Solarize", 0.6, 3), ("Equalize", 0.6, None)),
        (("Posterize", 0.8, 5), ("Equalize", 1.0, None)),
        (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)),
        (("Equalize", 0.6, None), ("Posterize", 0.4, 6)),
        (("Rotate", 0.8, 8), ("Color", 0.4, 0)),
        (("Rotate", 0.4, 9), ("Equalize", 0.6, None)),
        (("Equalize", 0.0, None), ("Equalize", 0.8, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
        (("Color", 0.8, 8), ("Solarize", 0.8, 7)),
        (("Sharpness", 0.4, 7), ("Invert", 0.6, None)),
        (("ShearX", 0.6, 5), ("Equalize", 1.0, None)),
        (("Color", 0.4, 0), ("Equalize", 0.6, None)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
    ],
    AutoAugmentPolicy.CIFAR10: [
        (("Invert", 0.1, None), ("Contrast", 0.2, 6)),
        (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
        (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)),
        (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.5, None), ("Equalize", 0.9, None)),
        (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
        (("Color", 0.4, 3), ("Brightness", 0.6, 7)),
        (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
        (("Equalize", 0.6, None), ("Equalize", 0.5, None)),
        (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
        (("Color", 0.7, 7), ("TranslateX", 0.5, 8)),
        (("Equalize", 0.3, None), ("AutoContrast", 0.4, None)),
        (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)),
        (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
        (("Solarize", 0.5, 2), ("Invert", 0.0, None)),
        (("Equalize", 0.2, None), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.2, None), ("Equalize", 0.6, None)),
        (("Color", 0.9, 9), ("Equalize", 0.6, None)),
        (("AutoContrast", 0.8, None), ("Solarize", 0.2, 8)),
        (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
        (("Solarize", 0.4, 5), ("AutoContrast", 0.9, None)),
        (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.9, None), ("Solarize", 0.8, 3)),
        (("Equalize", 0.8, None), ("Invert", 0.1, None)),
        (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, None)),
    ],
    AutoAugmentPolicy.SVHN: [
        (("ShearX", 0.9, 4), ("Invert", 0.2, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.6, None), ("Solarize", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("AutoContrast", 0.8, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.4, None)),
        (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
        (("Invert", 0.9, None), ("AutoContrast", 0.8, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)),
        (("ShearY", 0.8, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.9, None), ("TranslateY", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)),
        (("Invert", 0.8, None), ("TranslateY", 0.0, 2)),
        (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)),
        (("Invert", 0.6, None), ("Rotate", 0.8, 4)),
        (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)),
        (("ShearX", 0.1, 6), ("Invert", 0.6, None)),
        (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)),
        (("ShearY", 0.8, 4), ("Invert", 0.8, None)),
        (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)),
        (("ShearY", 0.8, 5), ("AutoContrast", 0.7, None)),
        (("ShearX", 0.7, 2), ("Invert", 0.1, None)),
    ],
}


class AutoAugment(_AutoAugmentBase):
    """AutoAugment ('AutoAugment: Learning Augmentation Strategies from Data', Cubuk et al.,
    2019): each call picks one of the policy's 25 sub-policies, each made of two operations
    applied with their own probability and magnitude (the sign drawn at random).

    Args:
        policy (AutoAugmentPolicy): the policy learned on IMAGENET (default), CIFAR10 or SVHN.
        interpolation (InterpolationMode): for the geometric operations. Default: NEAREST.
        fill (number or sequence, optional): value of the pixels outside the image after a
            geometric operation.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.AutoAugment()
        AutoAugment(interpolation=nearest, policy=AutoAugmentPolicy.IMAGENET)
    """

    _AUGMENTATION_SPACE = {**_BASE_SPACE, "Invert": (_no_magnitude, False)}

    def __init__(
        self,
        policy: AutoAugmentPolicy = AutoAugmentPolicy.IMAGENET,
        interpolation=InterpolationMode.NEAREST,
        fill=None,
    ):
        super().__init__(interpolation=interpolation, fill=fill)
        if not isinstance(policy, AutoAugmentPolicy):
            raise ValueError(f"AutoAugment: the provided policy {policy!r} is not recognized.")
        self.policy = policy
        self._policies = _POLICIES[policy]

    def augment(self, image):
        _, height, width = get_dimensions(image)
        sub_policy = self._policies[randint(0, len(self._policies))]
        for op_name, probability, magnitude_idx in sub_policy:
            if not rand() <= probability:
                continue
            entry = self._AUGMENTATION_SPACE[op_name]
            magnitude = self._magnitude(entry, 10, height, width, index=magnitude_idx)
            image = self._apply(image, op_name, magnitude)
        return image


class RandAugment(_AutoAugmentBase):
    """RandAugment ('RandAugment: Practical automated data augmentation with a reduced search
    space', Cubuk et al., 2020): ``num_ops`` operations drawn uniformly, all at the same
    magnitude.

    Args:
        num_ops (int): number of operations applied in sequence. Default: 2.
        magnitude (int): index of the magnitude in ``[0, num_magnitude_bins)``. Default: 9.
        num_magnitude_bins (int): number of magnitude levels. Default: 31.
        interpolation (InterpolationMode): for the geometric operations. Default: NEAREST.
        fill (number or sequence, optional): value outside the image after a geometric op.

    Example:
        >>> from ember_vision import transforms as T
        >>> T.RandAugment(num_ops=1, magnitude=5, num_magnitude_bins=10)  # doctest: +ELLIPSIS
        RandAugment(interpolation=nearest, num_ops=1, magnitude=5, ...)
    """

    _AUGMENTATION_SPACE = {"Identity": (_no_magnitude, False), **_BASE_SPACE}

    def __init__(
        self,
        num_ops: int = 2,
        magnitude: int = 9,
        num_magnitude_bins: int = 31,
        interpolation=InterpolationMode.NEAREST,
        fill=None,
    ):
        super().__init__(interpolation=interpolation, fill=fill)
        if isinstance(num_ops, bool) or not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(
                f"RandAugment: num_ops should be a non-negative integer, but got {num_ops} instead."
            )
        if not isinstance(num_magnitude_bins, int) or num_magnitude_bins < 2:
            raise ValueError(
                f"RandAugment: num_magnitude_bins should be an integer >= 2, "
                f"got {num_magnitude_bins}"
            )
        if not isinstance(magnitude, int) or not 0 <= magnitude < num_magnitude_bins:
            raise ValueError(
                f"RandAugment: magnitude should be an integer in [0, {num_magnitude_bins}), "
                f"got {magnitude}"
            )
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins

    def augment(self, image):
        _, height, width = get_dimensions(image)
        for _ in range(self.num_ops):
            op_name, entry = self._random_op(self._AUGMENTATION_SPACE)
            magnitude = self._magnitude(
                entry, self.num_magnitude_bins, height, width, index=self.magnitude
            )
            image = self._apply(image, op_name, magnitude)
        return image


class TrivialAugmentWide(_AutoAugmentBase):
    """TrivialAugment Wide ('TrivialAugment: Tuning-free Yet State-of-the-Art Data
    Augmentation', Müller and Hutter, 2021): one operation drawn uniformly, at a magnitude
    drawn uniformly, over wider ranges than RandAugment's.

    Args:
        num_magnitude_bins (int): number of magnitude levels. Default: 31.
        interpolation (InterpolationMode): for the geometric operations. Default: NEAREST.
        fill (number or sequence, optional): value outside the image after a geometric op.

    Example:
        >>> from ember_vision import transforms as T
        >>> T.TrivialAugmentWide()
        TrivialAugmentWide(interpolation=nearest, num_magnitude_bins=31)
    """

    _AUGMENTATION_SPACE = {
        "Identity": (_no_magnitude, False),
        "ShearX": (_linspace(0.0, 0.99), True),
        "ShearY": (_linspace(0.0, 0.99), True),
        "TranslateX": (_linspace(0.0, 32.0), True),
        "TranslateY": (_linspace(0.0, 32.0), True),
        "Rotate": (_linspace(0.0, 135.0), True),
        "Brightness": (_linspace(0.0, 0.99), True),
        "Color": (_linspace(0.0, 0.99), True),
        "Contrast": (_linspace(0.0, 0.99), True),
        "Sharpness": (_linspace(0.0, 0.99), True),
        "Posterize": (_posterize_bits(8, 6), False),
        "Solarize": (_linspace(1.0, 0.0), False),
        "AutoContrast": (_no_magnitude, False),
        "Equalize": (_no_magnitude, False),
    }

    def __init__(
        self, num_magnitude_bins: int = 31, interpolation=InterpolationMode.NEAREST, fill=None
    ):
        super().__init__(interpolation=interpolation, fill=fill)
        if not isinstance(num_magnitude_bins, int) or num_magnitude_bins < 2:
            raise ValueError(
                f"TrivialAugmentWide: num_magnitude_bins should be an integer >= 2, "
                f"got {num_magnitude_bins}"
            )
        self.num_magnitude_bins = num_magnitude_bins

    def augment(self, image):
        _, height, width = get_dimensions(image)
        op_name, entry = self._random_op(self._AUGMENTATION_SPACE)
        magnitude = self._magnitude(entry, self.num_magnitude_bins, height, width)
        return self._apply(image, op_name, magnitude)


class AugMix(_AutoAugmentBase):
    """AugMix ('AugMix: A Simple Data Processing Method to Improve Robustness and
    Uncertainty', Hendrycks et al., 2020): ``mixture_width`` chains of random operations are
    mixed with Dirichlet weights, and the mixture is blended with the original image with a
    Beta weight (both drawn per image of a batch).

    Args:
        severity (int): magnitude level of the operations, 1 to 10. Default: 3.
        mixture_width (int): number of chains. Default: 3.
        chain_depth (int): operations per chain; a non-positive value draws it from [1, 3]
            for each chain. Default: -1.
        alpha (float): parameter of the Dirichlet and Beta distributions. Default: 1.0.
        all_ops (bool): include brightness, contrast, colour and sharpness. Default: True.
        interpolation (InterpolationMode): for the geometric operations. Default: BILINEAR.
        fill (number or sequence, optional): value outside the image after a geometric op.

    The Dirichlet weights are drawn from Ember's default generator (through its NumPy
    generator), so ``ember.manual_seed`` reproduces them.

    Example:
        >>> from ember_vision import transforms as T
        >>> T.AugMix(severity=4).severity
        4
    """

    _PARAMETER_MAX = 10
    _PARTIAL_AUGMENTATION_SPACE = {
        "ShearX": (_linspace(0.0, 0.3), True),
        "ShearY": (_linspace(0.0, 0.3), True),
        "TranslateX": (lambda n, h, w: np.linspace(0.0, w / 3.0, n, dtype=np.float32), True),
        "TranslateY": (lambda n, h, w: np.linspace(0.0, h / 3.0, n, dtype=np.float32), True),
        "Rotate": (_linspace(0.0, 30.0), True),
        "Posterize": (_posterize_bits(4, 4), False),
        "Solarize": (_linspace(1.0, 0.0), False),
        "AutoContrast": (_no_magnitude, False),
        "Equalize": (_no_magnitude, False),
    }
    _AUGMENTATION_SPACE = {
        **_PARTIAL_AUGMENTATION_SPACE,
        "Brightness": (_linspace(0.0, 0.9), True),
        "Color": (_linspace(0.0, 0.9), True),
        "Contrast": (_linspace(0.0, 0.9), True),
        "Sharpness": (_linspace(0.0, 0.9), True),
    }

    def __init__(
        self,
        severity: int = 3,
        mixture_width: int = 3,
        chain_depth: int = -1,
        alpha: float = 1.0,
        all_ops: bool = True,
        interpolation=InterpolationMode.BILINEAR,
        fill=None,
    ):
        super().__init__(interpolation=interpolation, fill=fill)
        if not 1 <= severity <= self._PARAMETER_MAX:
            raise ValueError(
                f"AugMix: the severity must be between [1, {self._PARAMETER_MAX}]. "
                f"Got {severity} instead."
            )
        if not isinstance(mixture_width, int) or mixture_width < 1:
            raise ValueError(
                f"AugMix: mixture_width must be a positive integer, got {mixture_width}"
            )
        if not alpha > 0:
            raise ValueError(f"AugMix: alpha must be positive, got {alpha}")
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops

    def _sample_dirichlet(self, concentration, batch: int):
        """(batch, len(concentration)) Dirichlet draws from Ember's default generator."""
        from ember.random import numpy_generator

        return numpy_generator().dirichlet(concentration, size=batch).astype(np.float32)

    def augment(self, image):
        _, height, width = get_dimensions(image)
        if isinstance(image, ember.Tensor):
            tensor = image
        elif isinstance(image, np.ndarray):
            tensor = ndarray_to_chw(image)
        else:
            tensor = ndarray_to_chw(np.asarray(image))
        space = self._AUGMENTATION_SPACE if self.all_ops else self._PARTIAL_AUGMENTATION_SPACE

        orig_shape = tuple(tensor.shape)
        batch = tensor.reshape((1,) * max(4 - tensor.ndim, 0) + orig_shape)
        n = batch.shape[0]
        weight_shape = (n,) + (1,) * (batch.ndim - 1)
        m = self._sample_dirichlet([self.alpha, self.alpha], n)
        weights = self._sample_dirichlet([self.alpha] * self.mixture_width, n) * m[:, 1:2]
        work_dtype = batch.dtype if batch.dtype.is_floating_point else ember.float32

        def as_weight(column):
            return ember.tensor(column, dtype=work_dtype, device=batch.device).reshape(weight_shape)

        mix = as_weight(m[:, 0]) * batch.to(work_dtype)
        for i in range(self.mixture_width):
            aug = batch
            depth = self.chain_depth if self.chain_depth > 0 else randint(1, 4)
            for _ in range(depth):
                op_name, entry = self._random_op(space)
                magnitude = self._magnitude(
                    entry, self._PARAMETER_MAX, height, width, draw_below=self.severity
                )
                aug = self._apply(aug, op_name, magnitude)
            mix = mix + as_weight(weights[:, i]) * aug.to(work_dtype)
        mix = mix.reshape(orig_shape).to(tensor.dtype)

        if isinstance(image, ember.Tensor):
            return mix
        arr = chw_to_ndarray(mix, np.asarray(image) if not isinstance(image, np.ndarray) else image)
        if isinstance(image, np.ndarray):
            return arr
        from PIL import Image

        return Image.fromarray(arr)
