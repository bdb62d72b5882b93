"""Automatic differentiation: ``backward``, ``grad``, grad modes, ``Function``, gradcheck,
anomaly detection and ``autograd.functional``.

Example:
    >>> import ember
    >>> x = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> (g,) = ember.autograd.grad((x ** 3).sum(), x)
    >>> g
    tensor([ 3., 12.])
"""

from __future__ import annotations

from . import graph
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .graph import Node, run_backward

__all__ = [
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "Node",
    "Function",
    "once_differentiable",
    "gradcheck",
    "gradgradcheck",
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    "functional",
]


def _tensor_cls():
    from .._tensor import Tensor

    return Tensor


def _as_tuple(x):
    if x is None:
        return ()
    Tensor = _tensor_cls()
    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _root_grads(outputs, grad_outputs, create_graph, op):
    """The initial gradients: given ones, or 1 for scalar outputs (PyTorch's error otherwise)."""
    from .._tensor import Tensor, _make

    grads = []
    for i, out in enumerate(outputs):
        g = grad_outputs[i] if grad_outputs is not None and i < len(grad_outputs) else None
        if g is None:
            if not out._requires_grad:
                grads.append(None)
                continue
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind not in "fc":
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs "
                    f"but got {out.dtype}"
                )
            xp_arr = out._data
            one = (xp_arr * 0 + 1).astype(xp_arr.dtype)
            grads.append(_make(one, False, None) if create_graph else one)
            continue
        if not isinstance(g, Tensor):
            from .._creation import as_tensor

            g = as_tensor(g, dtype=out.dtype)
        if g._data.shape != out._data.shape:
            raise RuntimeError(
                f"{op}: mismatch in shape: grad_output[{i}] has a shape of "
                f"{list(g._data.shape)} and output[{i}] has a shape of {list(out._data.shape)}."
            )
        grads.append(g if create_graph else g._data)
    return grads


def _edges(outputs, op):
    from .._tensor import _edge

    edges = []
    for out in outputs:
        if not out._requires_grad:
            edges.append(None)
            continue
        edges.append(_edge(out))
    if all(e is None for e in edges):
        raise RuntimeError(
            f"{op}: element {0} of tensors does not require grad and does not have a grad_fn"
        )
    return edges


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of graph leaves.

    Args:
        tensors: the outputs to differentiate (a tensor or a sequence).
        grad_tensors: the gradients w.r.t. each output (omit for scalars).
        retain_graph: keep saved values for another backward (default: ``create_graph``).
        create_graph: record the backward pass for higher-order derivatives.
        inputs: only accumulate into these tensors.
    """
    outputs = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) if grad_tensors is not None else None
    if retain_graph is None:
        retain_graph = create_graph
    edges = _edges(outputs, "backward")
    roots = _root_grads(outputs, grad_tensors, create_graph, "backward")
    if inputs is None:
        run_backward(edges, roots, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    if not inputs:
        raise RuntimeError("backward: 'inputs' argument to backward() cannot be empty.")
    grads = run_backward(edges, roots, retain_graph, create_graph, inputs=list(inputs))
    from .graph import _accumulate

    for t, g in zip(inputs, grads):
        _accumulate(t, g, create_graph, hooks=False)  # hooks already ran before capture


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` w.r.t. ``inputs``, returned instead of accumulated.

    Args:
        outputs: tensor(s) to differentiate.
        inputs: tensor(s) to differentiate with respect to.
        grad_outputs: gradients w.r.t. each output (omit for scalars).
        retain_graph: keep saved values for another backward (default: ``create_graph``).
        create_graph: record the backward pass, so the result can be differentiated again.
        allow_unused: return None for inputs the outputs do not depend on (else an error).
        materialize_grads: return zeros instead of None for unused inputs.

    Example:
        >>> import ember
        >>> x = ember.tensor(2.0, requires_grad=True)
        >>> (dx,) = ember.autograd.grad(x ** 3, x, create_graph=True)
        >>> (ddx,) = ember.autograd.grad(dx, x)
        >>> dx.item(), ddx.item()
        (12.0, 12.0)
    """
    from .._tensor import _make

    outputs = _as_tuple(outputs)
    single = isinstance(inputs, _tensor_cls())
    inputs = _as_tuple(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True"
        )
    for i, t in enumerate(inputs):
        if not t._requires_grad:
            raise RuntimeError(
                f"grad: input {i} of the differentiated tensors does not require grad"
            )
    if grad_outputs is not None:
        grad_outputs = _as_tuple(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    edges = _edges(outputs, "grad")
    roots = _root_grads(outputs, grad_outputs, create_graph, "grad")
    grads = run_backward(edges, roots, retain_graph, create_graph, inputs=list(inputs))
    result = []
    for i, (t, g) in enumerate(zip(inputs, grads)):
        if g is None:
            if materialize_grads:
                from .._creation import zeros_like

                result.append(zeros_like(t))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"grad: one of the differentiated Tensors (input {i}, shape "
                    f"{list(t._data.shape)}) appears to not have been used in the graph. Set "
                    "allow_unused=True if this is the desired behavior."
                )
            result.append(None)
            continue
        if not create_graph:
            data = g
            if data.shape != t._data.shape:
                from .graph import _array_ns

                data = _array_ns(data).broadcast_to(data, t._data.shape)
            if data.dtype != t._data.dtype:
                data = data.astype(t._data.dtype)
            g = _make(data, False, None)
        result.append(g)
    del single
    return tuple(result)


def __getattr__(name):
    # Heavier pieces load on first use; ``import ember`` stays fast.
    if name in ("Function", "once_differentiable", "FunctionCtx"):
        from . import _function

        return getattr(_function, name)
    if name in ("gradcheck", "gradgradcheck"):
        from . import _gradcheck

        return getattr(_gradcheck, name)
    if name in (
        "detect_anomaly",
        "set_detect_anomaly",
        "is_anomaly_enabled",
        "is_anomaly_check_nan_enabled",
    ):
        from . import _anomaly

        return getattr(_anomaly, name)
    if name == "functional":
        import importlib

        return importlib.import_module(f"{__name__}.functional")
    raise AttributeError(f"module 'ember.autograd' has no attribute '{name}'")
