"""In-place ops, ``out=`` arguments and assignment, with autograd.

Note [In-place ops and autograd]
    Without autograd an in-place op computes its result and writes it into the tensor's own
    array, so views see the change, and bumps the version counter it shares with its views.
    With autograd, the op runs out of place on a snapshot of the old value, the result is
    written into the tensor's array, and the tensor takes the result's ``grad_fn``, so later
    ops see the new history. A leaf that requires grad refuses in-place ops, as in PyTorch.
    When the tensor is a view of a base that is part of the graph, the base's history is
    rewritten (a ``CopySlices`` node): its gradient is the incoming gradient with the view's
    region replaced by the gradient flowing through the in-place op, and the view's
    ``grad_fn`` is rebuilt on top of the base's new one.
"""

from __future__ import annotations

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node

__all__ = ["inplace_binary", "apply_inplace", "write_out", "bump_version", "check_inplace_result"]

_state = grad_mode._state


def bump_version(t: Tensor) -> None:
    vc = t._vc
    if vc is None:
        t._vc = [1]
    else:
        vc[0] += 1


def check_inplace_result(t: Tensor, res: Tensor, name: str) -> None:
    """PyTorch's errors for an in-place result that cannot be written into ``t``."""
    if res._data.shape != t._data.shape:
        raise RuntimeError(
            f"{name}: output with shape {list(t._data.shape)} doesn't match the broadcast shape "
            f"{list(res._data.shape)}"
        )
    rt, tt = res._data.dtype, t._data.dtype
    if rt != tt and not D.can_cast(D.from_numpy_dtype(rt), D.from_numpy_dtype(tt)):
        raise RuntimeError(
            f"{name}: result type {D.from_numpy_dtype(rt).name} can't be cast to the desired "
            f"output type {D.from_numpy_dtype(tt).name}"
        )


def _needs_graph(self: Tensor, args) -> bool:
    if not _state.enabled:
        return False
    if self._requires_grad:
        return True
    if self._base is not None and self._base._requires_grad:
        return True
    for a in args:  # noqa: SIM110
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def apply_inplace(self: Tensor, compute, name: str, args=()) -> Tensor:
    """Run ``compute(value) -> Tensor`` as an in-place update of ``self``."""
    if not _needs_graph(self, args):
        res = compute(self)
        check_inplace_result(self, res, name)
        self._data[...] = res._data
        bump_version(self)
        return self
    if self.grad_fn is None and self._requires_grad and self._base is None:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = self._base
    if base is not None and (base._requires_grad or self._requires_grad or _any_grad(args)):
        return _inplace_on_view(self, base, compute, name)
    snapshot = _make(self._data.copy(), self._requires_grad, self.grad_fn)
    snapshot._output_nr = self._output_nr
    res = compute(snapshot)
    check_inplace_result(self, res, name)
    self._data[...] = res._data
    if res._data.dtype != self._data.dtype and res._requires_grad:
        res = res.to(self.dtype)
    self.grad_fn = res.grad_fn
    self._output_nr = res._output_nr
    self._requires_grad = res._requires_grad
    bump_version(self)
    return self


def _any_grad(args) -> bool:
    return any(isinstance(a, Tensor) and a._requires_grad for a in args)


class CopySlices(Node):
    """The base's node after an in-place op on one of its views."""

    __slots__ = ()

    def backward(self, F, grad, view_fn):
        if F.graph:
            import ember

            mask = ember.ones_like(grad)
            region = view_fn(mask)
            region.zero_()
            return grad * mask, view_fn(grad)
        outer = grad.copy()
        view_fn(_wrap(outer))._data[...] = 0
        return outer, view_fn(_wrap(grad))._data


def _inplace_on_view(view: Tensor, base: Tensor, compute, name: str) -> Tensor:
    if base.grad_fn is None and base._requires_grad:
        raise RuntimeError(
            f"{name}: a view of a leaf Variable that requires grad is being used in an in-place "
            "operation."
        )
    view_fn = view._view_fn
    snapshot_base = _make(base._data.copy(), base._requires_grad, base.grad_fn)
    snapshot_base._output_nr = base._output_nr
    old_view = view_fn(snapshot_base)
    new_view = compute(old_view)
    check_inplace_result(view, new_view, name)
    view._data[...] = new_view._data
    node = CopySlices()
    from ._core import attach

    holder = _wrap(base._data)
    attach(holder, node, snapshot_base, new_view)
    node.save(view_fn)
    base.grad_fn = node
    base._output_nr = 0
    base._requires_grad = True
    with grad_mode.enable_grad():
        rebuilt = view_fn(base)
    view.grad_fn = rebuilt.grad_fn
    view._output_nr = rebuilt._output_nr
    view._requires_grad = True
    bump_version(view if view._vc is not None else base)
    return view


def inplace_binary(fn, name: str, unary: bool = False):
    """Make the in-place method ``name`` (``add_``) from the out-of-place op ``fn``."""
    if unary:

        def method(self, *args, **kwargs):
            return apply_inplace(self, lambda v: fn(v, *args, **kwargs), name)

    else:

        def method(self, other, *args, **kwargs):
            return apply_inplace(self, lambda v: fn(v, other, *args, **kwargs), name, (other,))

    method.__name__ = name
    method.__doc__ = f"In-place version of :func:`ember.{name.rstrip('_')}`."
    return method


def write_out(out: Tensor, res: Tensor) -> Tensor:
    """Write ``res`` into the ``out=`` tensor, resizing an empty or differently-shaped one."""
    if not isinstance(out, Tensor):
        raise TypeError(f"out= must be a Tensor, got {type(out).__name__}")
    if _state.enabled and (res._requires_grad or out._requires_grad):
        raise RuntimeError(
            "functions with out=... arguments don't support automatic differentiation, but one "
            "of the arguments requires grad."
        )
    if out._data.shape != res._data.shape:
        out._data = res._data.astype(out._data.dtype, copy=True)
    else:
        out._data[...] = res._data
    bump_version(out)
    return out
