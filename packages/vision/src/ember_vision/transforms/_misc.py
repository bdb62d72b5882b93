"""``Normalize``, ``Lambda`` and ``Identity``."""

from __future__ import annotations

from collections.abc import Sequence

from . import functional as F
from ._image import is_pil_image
from ._transform import Transform, _flatten, attribute_repr

__all__ = ["Normalize", "Lambda", "Identity"]


class Normalize(Transform):
    """Standardise each channel of float tensor images: ``(x - mean[c]) / std[c]``.

    Args:
        mean: one value per channel.
        std: one value per channel, none zero.
        inplace: write into the input tensor. Inside :class:`Compose`, right after a dtype
            conversion that made a fresh tensor, the result is written into that tensor.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.Normalize(mean=[0.5], std=[0.25])(ember.ones(1, 1, 2))
        tensor([[[2., 2.]]])
    """

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        super().__init__()
        self.mean = list(mean)
        self.std = list(std)
        self.inplace = inplace
        F._misc._check_std(self.std)

    def make_params(self, flat_inputs):
        if any(is_pil_image(x) for x in flat_inputs):
            raise TypeError(
                "Normalize() does not support PIL images; convert them first with "
                "ToImage() and ToDtype(ember.float32, scale=True)"
            )
        return {}

    def transform(self, inpt, params):
        return F.normalize(inpt, self.mean, self.std, self.inplace)

    extra_repr = attribute_repr


class Lambda(Transform):
    """Apply a user function: to a single input as it is, or to each image in a structure.

    Args:
        lambd: the function.
        *types: apply it only to inputs of these types (default: any).

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.Lambda(lambda x: x * 2)(ember.ones(1, 1, 2))
        tensor([[[2., 2.]]])
    """

    def __init__(self, lambd, *types):
        super().__init__()
        if not callable(lambd):
            raise TypeError(f"Lambda: argument should be callable, got {type(lambd).__name__}")
        self.lambd = lambd
        self.types = types or (object,)

    def forward(self, *inputs):
        if len(inputs) == 1 and _flatten(inputs[0], []) is None:
            return self.transform(inputs[0], {})
        return super().forward(*inputs)

    def transform(self, inpt, params):
        return self.lambd(inpt) if isinstance(inpt, self.types) else inpt

    def extra_repr(self) -> str:
        extras = []
        name = getattr(self.lambd, "__name__", None)
        if name:
            extras.append(name)
        extras.append(f"types={[t.__name__ for t in self.types]}")
        return ", ".join(extras)


class Identity(Transform):
    """Return the input unchanged.

    Example:
        >>> from ember_vision import transforms as T
        >>> T.Identity()((1, "label"))
        (1, 'label')
    """

    def forward(self, *inputs):
        return inputs if len(inputs) > 1 else inputs[0]
