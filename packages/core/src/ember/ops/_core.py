"""The op pattern shared by every op family.

An op is a plain function that works on arrays and, when a gradient is needed, attaches one
node. A typical unary op::

    class ExpBackward0(Node):
        __slots__ = ()

        def backward(self, F, grad, result):
            return grad * result

    def exp(input):
        x = as_tensor_arg(input, "exp")
        out = new_tensor(xp_of(x).exp(x._data))     # forward on arrays
        if needs_grad(x):
            node = ExpBackward0()
            attach(out, node, x)                       # edges to the inputs
            node.save(saved_output(out))               # what backward needs
        return out

``backward(F, grad, *saved)`` is written with NumPy names on ``F`` (see
Note [Two speeds of backward] in ``ember.autograd.graph``) and returns one gradient per input
given to ``attach`` (``None`` where none flows). Helpers on ``F`` that NumPy lacks live in
``ember.autograd._array_helpers`` (arrays) and ``ember.autograd._graph_ns`` (tensors).
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _edge, _wrap
from ..autograd import grad_mode
from ..autograd.graph import Node, _SavedOutput, anomaly_state

__all__ = [
    "Tensor",
    "Node",
    "D",
    "np",
    "grad_state",
    "needs_grad",
    "attach",
    "new_tensor",
    "saved_output",
    "as_tensor_arg",
    "xp_of",
    "to_array",
    "binary_arrays",
    "method",
    "wrap_dim",
    "wrap_dims",
    "shape_str",
    "broadcast_error",
]

grad_state = grad_mode._state
new_tensor = _wrap
_ndarray = np.ndarray


def needs_grad(*tensors) -> bool:
    """True when grad mode is on and any of ``tensors`` (Tensors or None) requires grad."""
    if not grad_state.enabled:
        return False
    for t in tensors:  # noqa: SIM110
        if t is not None and t._requires_grad:
            return True
    return False


def attach(out: Tensor, node: Node, *inputs) -> Tensor:
    """Make ``node`` the ``grad_fn`` of ``out``, with one edge per input (None for inputs that
    are not Tensors requiring grad)."""
    node._next = tuple(_edge(t) if (t is not None and t._requires_grad) else None for t in inputs)
    out._requires_grad = True
    out.grad_fn = node
    return out


def attach_outputs(outs, node: Node, *inputs):
    """Like ``attach`` for a node with several differentiable outputs."""
    node._next = tuple(_edge(t) if (t is not None and t._requires_grad) else None for t in inputs)
    node._num_outputs = len(outs)
    for i, o in enumerate(outs):
        if o is None:
            continue
        o._requires_grad = True
        o.grad_fn = node
        o._output_nr = i
    return outs


def saved_output(t: Tensor) -> _SavedOutput:
    """Save an op's own output for backward without a reference cycle."""
    return _SavedOutput(t)


def xp_of(t: Tensor):
    """The array module of a tensor (NumPy, or CuPy for CUDA tensors)."""
    data = t._data
    if data.__class__ is _ndarray:
        return np
    from ..backends import array_module_of

    return array_module_of(data)


def to_array(x, like=None):
    """The array of a Tensor, or an array made from a Python scalar/sequence on ``like``'s
    device."""
    if isinstance(x, Tensor):
        return x._data
    if like is not None and like.__class__ is not _ndarray:
        from ..backends import array_module_of

        return array_module_of(like).asarray(x)
    return np.asarray(x)


def as_tensor_arg(x, op: str) -> Tensor:
    """Check that an op's tensor argument is a Tensor (PyTorch's TypeError otherwise)."""
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def shape_str(shape) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ")" if len(shape) != 1 else f"({shape[0]},)"


def broadcast_error(op: str, a_shape, b_shape) -> RuntimeError:
    """PyTorch's message for shapes that do not broadcast, prefixed with the op's name."""
    n = max(len(a_shape), len(b_shape))
    pa = (1,) * (n - len(a_shape)) + tuple(a_shape)
    pb = (1,) * (n - len(b_shape)) + tuple(b_shape)
    for i in range(n - 1, -1, -1):
        if pa[i] != pb[i] and pa[i] != 1 and pb[i] != 1:
            return RuntimeError(
                f"{op}: the size of tensor a ({pa[i]}) must match the size of tensor b ({pb[i]}) "
                f"at non-singleton dimension {i} (shapes {shape_str(a_shape)} and "
                f"{shape_str(b_shape)})"
            )
    return RuntimeError(
        f"{op}: shapes {shape_str(a_shape)} and {shape_str(b_shape)} do not broadcast"
    )


def _device_error(op, a, b) -> RuntimeError:
    from .._device import device_of_array

    return RuntimeError(
        f"{op}: expected all tensors to be on the same device, but found at least two devices, "
        f"{device_of_array(a)} and {device_of_array(b)}!"
    )


def binary_arrays(a, b, op: str):
    """Bring the two operands of a binary op to a common dtype and device.

    Returns ``(a, b, ad, bd)``: the operands as Tensors (or None for a Python scalar) and
    their arrays (or the scalar). Mixed-dtype tensors are converted with a differentiable
    cast so that gradients come back in each input's own dtype.
    """
    if isinstance(a, Tensor):
        ad = a._data
        if isinstance(b, Tensor):
            bd = b._data
            if ad.dtype != bd.dtype:
                rt = D.result_type(a, b)
                if ad.dtype != rt.np:
                    a = a.to(rt)
                    ad = a._data
                if bd.dtype != rt.np:
                    b = b.to(rt)
                    bd = b._data
            if ad.__class__ is not bd.__class__ and ad.ndim and bd.ndim:
                raise _device_error(op, ad, bd)
            return a, b, ad, bd
        a, ad, bd = _with_scalar(a, ad, b, op)
        return a, None, ad, bd
    if isinstance(b, Tensor):
        bd = b._data
        b2, bd, ad = _with_scalar(b, bd, a, op)
        return None, b2, ad, bd
    raise TypeError(
        f"{op}(): expected at least one Tensor argument, "
        f"got {type(a).__name__} and {type(b).__name__}"
    )


def _with_scalar(t: Tensor, arr, s, op: str):
    """Promote tensor ``t`` against Python scalar ``s``; returns (tensor, array, scalar)."""
    cls = s.__class__
    kind = arr.dtype.kind
    if cls is float:
        if kind in "biu":
            t = t.to(D.get_default_dtype())
            arr = t._data
        return t, arr, s
    if cls is int or cls is bool:
        if kind == "b" and cls is int:
            t = t.to(D.int64)
            arr = t._data
        return t, arr, s
    if cls is complex:
        if kind != "c":
            target = t.dtype.to_complex() if kind == "f" else D.get_default_dtype().to_complex()
            t = t.to(target)
            arr = t._data
        return t, arr, s
    if isinstance(s, (np.generic, np.ndarray)) and np.ndim(s) == 0:
        return _with_scalar(t, arr, s.item(), op)
    if isinstance(s, (list, tuple, np.ndarray)):
        raise TypeError(
            f"{op}(): expected a Tensor or a Python number as the other operand, got "
            f"{type(s).__name__}; wrap it with ember.tensor(...)"
        )
    raise TypeError(f"{op}(): unsupported operand type {type(s).__name__}")


def method(name: str | None = None, *names):
    """Decorator: also register the function as a Tensor method (under ``name`` and
    ``names``, default the function's own name)."""

    def register(fn):
        for n in (name or fn.__name__, *names):
            setattr(Tensor, n, fn)
        return fn

    return register


def wrap_dim(dim, ndim: int) -> int:
    """Normalise a possibly negative ``dim`` (IndexError like PyTorch's when out of range)."""
    n = ndim if ndim > 0 else 1
    if dim < -n or dim >= n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


def wrap_dims(dim, ndim: int) -> tuple:
    """Normalise ``dim`` (int, sequence or None = all) to a sorted tuple of dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))
        out = tuple(sorted(wrap_dim(d, ndim) for d in dim))
        if len(set(out)) != len(out):
            raise RuntimeError(f"dim {out} appears multiple times in the list of dims")
        return out
    return (wrap_dim(dim, ndim),)


def anomaly_enabled() -> bool:
    return anomaly_state.enabled
