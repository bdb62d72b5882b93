"""Whole-tensor writes: ``fill_``, ``zero_``, ``copy_`` (and ``ember.fill``).

They are in-place ops like any other (see Note [In-place ops and autograd]): on a tensor in
the graph they record a node, so ``h[:, 0].zero_()`` or ``buf.copy_(x)`` inside a model keep
gradients flowing.

Example:
    >>> import ember
    >>> x = ember.empty(2, 2)
    >>> x.fill_(3.0)
    tensor([[3., 3.],
            [3., 3.]])
    >>> x.copy_(ember.tensor([1.0, 2.0]))
    tensor([[1., 2.],
            [1., 2.]])
"""

from __future__ import annotations

from ._core import Node, Tensor, attach, grad_state, new_tensor, np, xp_of
from .inplace import apply_inplace

__all__ = ["fill"]


class FillBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, value_is_tensor):
        return None, (F.sum(grad) if value_is_tensor else None)


def _check_value(value) -> None:
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            f"fill_ only supports 0-dimension value tensor but got tensor with "
            f"{value._data.ndim} dimensions."
        )


def fill(input: Tensor, value) -> Tensor:
    """A tensor shaped like ``input`` filled with ``value`` (a number or a 0-d tensor)."""
    _check_value(value)
    is_tensor = isinstance(value, Tensor)
    v = value._data if is_tensor else value
    arr = xp_of(input).full(input._data.shape, v, dtype=input._data.dtype)
    out = new_tensor(arr)
    if grad_state.enabled and is_tensor and value._requires_grad:
        node = FillBackward0()
        attach(out, node, None, value)
        node.save(True)
    return out


def fill_(self: Tensor, value) -> Tensor:
    """Fill with ``value`` in place; returns self."""
    _check_value(value)
    if not grad_state.enabled or not (
        self._requires_grad or _value_grad(value) or self._base is not None
    ):
        v = value._data if isinstance(value, Tensor) else value
        self._data[...] = v
        _bump(self)
        return self
    return apply_inplace(self, lambda s: fill(s, value), "fill_", (value,))


def _value_grad(value) -> bool:
    return isinstance(value, Tensor) and value._requires_grad


def _bump(t: Tensor) -> None:
    from .inplace import bump_version

    bump_version(t)


def zero_(self: Tensor) -> Tensor:
    """Fill with zeros in place; returns self."""
    return fill_(self, 0)


class CopyBackwards(Node):
    __slots__ = ()

    def backward(self, F, grad, src_shape, src_dtype):
        g = F.sum_to(grad, src_shape)
        if src_dtype is not None:
            g = F.astype(g, src_dtype)
        return None, g


def _copied(self: Tensor, src: Tensor) -> Tensor:
    data = self._data
    s = src._data
    if s.__class__ is not data.__class__:
        from .._creation import _move

        s = _move(s, self.device)
    try:
        arr = xp_of(self).broadcast_to(s, data.shape).astype(data.dtype, copy=True)
    except ValueError:
        raise RuntimeError(
            f"copy_: the size of the source tensor {list(s.shape)} must be broadcastable to "
            f"the destination's size {list(data.shape)}"
        ) from None
    out = new_tensor(arr)
    if grad_state.enabled and src._requires_grad:
        node = CopyBackwards()
        attach(out, node, None, src)
        node.save(src._data.shape, None if s.dtype == data.dtype else src._data.dtype)
    return out


def copy_(self: Tensor, src, non_blocking: bool = False) -> Tensor:
    """Copy ``src`` (broadcast to this shape, cast to this dtype) into self; returns self."""
    if not isinstance(src, Tensor):
        if isinstance(src, (int, float, bool, complex)):
            return fill_(self, src)
        raise TypeError(f"copy_(): argument 'src' must be Tensor, not {type(src).__name__}")
    if not grad_state.enabled or not (
        self._requires_grad or src._requires_grad or self._base is not None
    ):
        res = _copied(self, src)
        self._data[...] = res._data
        _bump(self)
        return self
    return apply_inplace(self, lambda s: _copied(s, src), "copy_", (src,))


Tensor.fill_ = fill_
Tensor.zero_ = zero_
Tensor.copy_ = copy_
del np
