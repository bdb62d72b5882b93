"""Transforms between image kinds and dtypes: ``ToImage``, ``ToDtype``, ``ToTensor``,
``PILToTensor``, ``ToPILImage``, ``ConvertImageDtype`` and ``ToPureTensor``."""

from __future__ import annotations

import ember

from . import functional as F
from ._image import describe, is_pil_image
from ._transform import Transform, attribute_repr

__all__ = [
    "ToImage",
    "ToDtype",
    "ConvertImageDtype",
    "ToTensor",
    "PILToTensor",
    "ToPILImage",
    "ToPureTensor",
]


class ToImage(Transform):
    """Make images ``(C, H, W)`` tensors, keeping their dtype (uint8 stays uint8): PIL images
    and ``(H, W[, C])`` arrays become channels-first views of their pixels.

    Example:
        >>> import numpy as np
        >>> from ember_vision import transforms as T
        >>> T.ToImage()(np.zeros((4, 5, 3), dtype=np.uint8)).shape
        ember.Size([3, 4, 5])
    """

    def transform(self, inpt, params):
        return F.to_image(inpt)


class ToDtype(Transform):
    """Convert images to ``dtype``, rescaling values with ``scale=True`` (uint8 ``[0, 255]`` to
    float ``[0, 1]`` and back; see :func:`~ember_vision.transforms.functional.to_dtype`).

    Args:
        dtype: an ember dtype, or a dict mapping input types (``ember.Tensor``,
            ``numpy.ndarray``) or ``"others"`` to a dtype (``None``: leave unchanged).
        scale: rescale the values. Default: ``False``.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.ToDtype(ember.float32, scale=True)(ember.tensor([[[0, 255]]], dtype=ember.uint8))
        tensor([[[0., 1.]]])
    """

    def __init__(self, dtype, scale: bool = False):
        super().__init__()
        if not isinstance(dtype, (ember.dtype, dict)):
            raise ValueError(f"ToDtype: dtype must be an ember.dtype or a dict, got {dtype!r}")
        self.dtype = dtype
        self.scale = scale

    def transform(self, inpt, params):
        dtype = self.dtype
        if isinstance(dtype, dict):
            if type(inpt) in dtype:
                dtype = dtype[type(inpt)]
            elif "others" in dtype:
                dtype = dtype["others"]
            else:
                raise ValueError(
                    f"ToDtype: no dtype given for {describe(inpt)}; add its type or 'others' to "
                    f"the dtype dict (keys: {list(dtype)})"
                )
            if dtype is None:
                return inpt
        return F.to_dtype(inpt, dtype, scale=self.scale)

    extra_repr = attribute_repr


class ConvertImageDtype(Transform):
    """Convert tensor images to ``dtype`` with value rescaling (``ToDtype(dtype, scale=True)``).

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.ConvertImageDtype(ember.uint8)(ember.tensor([[[0.0, 1.0]]]))
        tensor([[[  0, 255]]], dtype=ember.uint8)
    """

    def __init__(self, dtype=ember.float32):
        super().__init__()
        if not isinstance(dtype, ember.dtype):
            raise ValueError(f"ConvertImageDtype: dtype must be an ember.dtype, got {dtype!r}")
        self.dtype = dtype

    def transform(self, inpt, params):
        if is_pil_image(inpt):
            return inpt
        return F.to_dtype(inpt, self.dtype, scale=True)


class ToTensor(Transform):
    """Make PIL images and ``(H, W[, C])`` arrays ``(C, H, W)`` tensors, uint8 values divided
    by 255 into floats (torchvision's v1 ``ToTensor``); tensors pass through.

    Example:
        >>> import numpy as np
        >>> from ember_vision import transforms as T
        >>> T.ToTensor()(np.full((1, 1, 3), 255, dtype=np.uint8)).flatten()
        tensor([1., 1., 1.])
    """

    def transform(self, inpt, params):
        if isinstance(inpt, ember.Tensor):
            return inpt
        return F.to_tensor(inpt)


class PILToTensor(Transform):
    """Make PIL images ``(C, H, W)`` tensors of their own dtype, without rescaling; other
    inputs pass through.

    Example:
        >>> from PIL import Image
        >>> from ember_vision import transforms as T
        >>> T.PILToTensor()(Image.new("L", (3, 2), 7)).shape
        ember.Size([1, 2, 3])
    """

    def transform(self, inpt, params):
        return F.pil_to_tensor(inpt) if is_pil_image(inpt) else inpt


class ToPILImage(Transform):
    """Make tensors and arrays PIL images (see
    :func:`~ember_vision.transforms.functional.to_pil_image`); PIL images pass through.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.ToPILImage()(ember.zeros(3, 2, 4)).mode
        'RGB'
    """

    def __init__(self, mode: str | None = None):
        super().__init__()
        self.mode = mode

    def transform(self, inpt, params):
        if is_pil_image(inpt):
            return inpt
        return F.to_pil_image(inpt, mode=self.mode)

    extra_repr = attribute_repr


class ToPureTensor(Transform):
    """Return the input unchanged: Ember images are already plain tensors (this transform
    exists so torchvision v2 pipelines that end with it carry over).

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.ToPureTensor()(ember.zeros(1)).shape
        ember.Size([1])
    """

    def forward(self, *inputs):
        return inputs if len(inputs) > 1 else inputs[0]
