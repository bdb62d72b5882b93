"""Containers of transforms: ``Compose``, ``RandomApply``, ``RandomChoice``, ``RandomOrder``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import ember

from . import functional as F
from ._misc import Normalize
from ._transform import Transform, rand
from ._type_conversion import ConvertImageDtype, ToDtype, ToTensor

__all__ = ["Compose", "RandomApply", "RandomChoice", "RandomOrder"]


def _lines(transforms) -> str:
    return "\n".join(f"    {t}" for t in transforms)


def _run(transforms, inputs):
    """Apply ``transforms`` in turn: several inputs stay several arguments, as in v2."""
    unpack = len(inputs) > 1
    outputs = inputs if unpack else inputs[0]
    for t in transforms:
        outputs = t(*inputs)
        inputs = outputs if unpack else (outputs,)
    return outputs


def _made_fresh(transform, before, after) -> bool:
    """True when ``after`` is a new tensor that no caller can hold: the output of a dtype
    conversion whose memory is not shared with its input."""
    if not isinstance(transform, (ToDtype, ConvertImageDtype, ToTensor)):
        return False
    if not isinstance(after, ember.Tensor) or after is before or after.requires_grad:
        return False
    data = after._data
    if data.__class__ is not np.ndarray or not data.flags.writeable or data.base is not None:
        return False
    src = before._data if isinstance(before, ember.Tensor) else before
    return not (isinstance(src, np.ndarray) and np.may_share_memory(src, data))


class Compose(Transform):
    """Apply transforms one after the other.

    Called with one input, each transform gets the previous one's output; called with several
    (``t(img, target)``), each gets them as several arguments.

    Args:
        transforms: a sequence of transforms (any callables).

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> t = T.Compose([T.CenterCrop(2), T.ToDtype(ember.float32, scale=True)])
        >>> t(ember.full((1, 4, 4), 255, dtype=ember.uint8))
        tensor([[[1., 1.],
                 [1., 1.]]])
    """

    def __init__(self, transforms):
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError(
                "Compose: transforms should be a sequence of callables, got "
                f"{type(transforms).__name__}"
            )
        if not transforms:
            raise ValueError("Compose: pass at least one transform")
        self.transforms = transforms

    def forward(self, *inputs):
        if len(inputs) > 1:
            return _run(self.transforms, inputs)
        x = inputs[0]
        fresh = False
        for t in self.transforms:
            if fresh and type(t) is Normalize and not t._forward_hooks and not t._forward_pre_hooks:
                out = _normalize_into(t, x)
            else:
                out = t(x)
            fresh = _made_fresh(t, x, out)
            x = out
        return x

    def extra_repr(self) -> str:
        return _lines(self.transforms)


def _normalize_into(t, x):
    return F.normalize(x, t.mean, t.std, inplace=True)


class RandomApply(Transform):
    """Apply a list of transforms, all or none, with probability ``p``.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomApply([T.RandomHorizontalFlip(p=1.0)], p=1.0)(ember.tensor([[[1, 2]]]))
        tensor([[[2, 1]]])
    """

    def __init__(self, transforms, p: float = 0.5):
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError(
                "RandomApply: transforms should be a sequence of callables, got "
                f"{type(transforms).__name__}"
            )
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"RandomApply: p should be a number in [0.0, 1.0], got {p}")
        self.transforms = transforms
        self.p = p

    def forward(self, *inputs):
        if rand() >= self.p:
            return inputs if len(inputs) > 1 else inputs[0]
        return _run(self.transforms, inputs)

    def extra_repr(self) -> str:
        return _lines(self.transforms)


class RandomChoice(Transform):
    """Apply one transform picked at random (with weights ``p``, uniform by default).

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomChoice([T.RandomVerticalFlip(1.0)], p=[2.0])(ember.tensor([[[1], [2]]]))
        tensor([[[2],
                 [1]]])
    """

    def __init__(self, transforms, p=None):
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError(
                "RandomChoice: transforms should be a sequence of callables, got "
                f"{type(transforms).__name__}"
            )
        if not transforms:
            raise ValueError("RandomChoice: pass at least one transform")
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(
                f"RandomChoice: length of p doesn't match the number of transforms: {len(p)} != "
                f"{len(transforms)}"
            )
        if any(w < 0 for w in p) or sum(p) <= 0:
            raise ValueError(
                f"RandomChoice: p must be non-negative weights with a positive sum, got {p}"
            )
        self.transforms = transforms
        total = sum(p)
        self.p = [w / total for w in p]

    def forward(self, *inputs):
        r = rand()
        idx = len(self.p) - 1
        acc = 0.0
        for i, w in enumerate(self.p):
            acc += w
            if r < acc:
                idx = i
                break
        return self.transforms[idx](*inputs)

    def extra_repr(self) -> str:
        return f"p={self.p}\n" + _lines(self.transforms)


class RandomOrder(Transform):
    """Apply transforms in a random order.

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.RandomOrder([T.RandomHorizontalFlip(1.0)])(ember.tensor([[[1, 2]]]))
        tensor([[[2, 1]]])
    """

    def __init__(self, transforms):
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError(
                "RandomOrder: transforms should be a sequence of callables, got "
                f"{type(transforms).__name__}"
            )
        self.transforms = transforms

    def forward(self, *inputs):
        order = ember.randperm(len(self.transforms)).tolist()
        return _run([self.transforms[i] for i in order], inputs)

    def extra_repr(self) -> str:
        return _lines(self.transforms)
