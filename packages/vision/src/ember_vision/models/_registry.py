"""Model registry: ``get_model``, ``get_model_builder`` and ``list_models`` as in torchvision."""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable

from ember import nn

from . import efficientnet, lenet, mobilenetv2, mobilenetv3, resnet, vgg, vision_transformer

__all__ = ["get_model", "get_model_builder", "list_models"]

BUILTIN_MODELS: dict[str, Callable[..., nn.Module]] = {}
for _module in (lenet, resnet, vgg, mobilenetv2, mobilenetv3, efficientnet, vision_transformer):
    for _name in _module.__all__:
        if _name[0].islower():
            BUILTIN_MODELS[_name] = getattr(_module, _name)


def list_models(
    module: object = None,
    include: str | Iterable[str] | None = None,
    exclude: str | Iterable[str] | None = None,
) -> list[str]:
    """Sorted names of the registered models, optionally filtered by Unix-style patterns.

    Args:
        module: only models defined in this module (e.g. ``ember_vision.models.resnet``).
        include: pattern(s) a name must match to be listed.
        exclude: pattern(s) that remove matching names.

    Example:
        >>> from ember_vision.models import list_models
        >>> list_models(include="resnet1*")
        ['resnet101', 'resnet152', 'resnet18']
    """
    names = {
        k
        for k, v in BUILTIN_MODELS.items()
        if module is None or v.__module__ == getattr(module, "__name__", module)
    }
    if include is not None:
        patterns = [include] if isinstance(include, str) else list(include)
        names = {n for n in names if any(fnmatch.fnmatch(n, p) for p in patterns)}
    if exclude is not None:
        patterns = [exclude] if isinstance(exclude, str) else list(exclude)
        names = {n for n in names if not any(fnmatch.fnmatch(n, p) for p in patterns)}
    return sorted(names)


def get_model_builder(name: str) -> Callable[..., nn.Module]:
    """The builder function registered under ``name`` (case-insensitive)."""
    key = name.lower()
    if key not in BUILTIN_MODELS:
        raise ValueError(f"Unknown model {name}. Available models: {', '.join(list_models())}")
    return BUILTIN_MODELS[key]


def get_model(name: str, **config) -> nn.Module:
    """Build the model registered under ``name`` with the keyword arguments ``config``.

    Example:
        >>> from ember_vision.models import get_model
        >>> type(get_model("resnet18", num_classes=10)).__name__
        'ResNet'
    """
    return get_model_builder(name)(**config)
