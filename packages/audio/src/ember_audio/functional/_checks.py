"""Argument checks shared by the functional ops (messages name the op and what it received)."""

from __future__ import annotations

import ember


def check_tensor(op: str, name: str, value) -> None:
    """Raise TypeError unless ``value`` is an ember Tensor."""
    if not isinstance(value, ember.Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(value).__name__}")


def check_floating(op: str, name: str, value) -> None:
    """Raise TypeError unless ``value`` is a real floating point Tensor."""
    check_tensor(op, name, value)
    if not value.dtype.is_floating_point:
        raise TypeError(
            f"{op}(): expected '{name}' of a floating point dtype, but got {value.dtype}"
        )


def check_min_dim(op: str, name: str, value, ndim: int, layout: str) -> None:
    """Raise ValueError unless ``value`` has at least ``ndim`` dimensions."""
    if value.dim() < ndim:
        raise ValueError(
            f"{op}(): expected '{name}' of shape {layout} (at least {ndim}D), but got shape "
            f"{list(value.shape)}"
        )


def as_tensor_like(value, like) -> ember.Tensor:
    """``value`` (a number or a Tensor) as a Tensor of ``like``'s dtype and device."""
    if isinstance(value, ember.Tensor):
        return value.to(dtype=like.dtype, device=like.device)
    return ember.tensor(value, dtype=like.dtype, device=like.device)
