"""Batch helpers: move nested batches to a device, find a batch's size."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["move_data_to_device", "apply_to_tensors", "extract_batch_size"]


def apply_to_tensors(data: Any, fn) -> Any:
    """Apply ``fn`` to every Tensor inside ``data`` (lists, tuples, named tuples, dicts)."""
    from ember import Tensor

    if isinstance(data, Tensor):
        return fn(data)
    if isinstance(data, Mapping):
        return type(data)({k: apply_to_tensors(v, fn) for k, v in data.items()})
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # named tuple
        return type(data)(*(apply_to_tensors(v, fn) for v in data))
    if isinstance(data, (list, tuple)):
        return type(data)(apply_to_tensors(v, fn) for v in data)
    return data


def move_data_to_device(batch: Any, device) -> Any:
    """Move every Tensor inside ``batch`` to ``device`` (other values are kept)."""
    return apply_to_tensors(batch, lambda t: t if t.device == device else t.to(device))


def extract_batch_size(batch: Any) -> int:
    """The size of the first dimension of the first Tensor found in ``batch`` (1 for a scalar).

    Raises:
        RuntimeError: when ``batch`` holds no Tensor; pass ``self.log(..., batch_size=...)``.
    """
    from ember import Tensor

    stack = [batch]
    while stack:
        item = stack.pop(0)
        if isinstance(item, Tensor):
            return 1 if item.ndim == 0 else int(item.shape[0])
        if isinstance(item, Mapping):
            stack = list(item.values()) + stack
        elif isinstance(item, (list, tuple)):
            stack = list(item) + stack
    raise RuntimeError(
        f"could not find the batch size in a batch of type {type(batch).__name__}: it holds no "
        "Tensor; pass it with `self.log(..., batch_size=N)`"
    )
