"""Custom differentiable operations: ``autograd.Function``.

A subclass defines a static ``forward`` on Tensors and a static ``backward`` that receives
one gradient per output and returns one per input. Calling ``MyFn.apply(*args)`` runs
``forward`` without recording a graph and, when an input requires grad, attaches one node,
``MyFnBackward``, which is also the ``ctx`` object both methods receive.

Note [Custom backward at both speeds]
    Built-in nodes run their formula on raw arrays (see Note [Two speeds of backward] in
    ``ember.autograd.graph``). A custom ``backward`` is user code written with Tensors, so
    ``FunctionBackward.apply_grads`` wraps the incoming arrays as Tensors (the engine has
    grad mode off in plain backward, so nothing is recorded) and unwraps the results. Under
    ``create_graph=True`` the grads are already Tensors and grad mode is on, so the custom
    backward is itself recorded and can be differentiated again.

Example:
    >>> import ember
    >>> class Square(ember.autograd.Function):
    ...     @staticmethod
    ...     def forward(ctx, x):
    ...         ctx.save_for_backward(x)
    ...         return x * x
    ...
    ...     @staticmethod
    ...     def backward(ctx, grad):
    ...         (x,) = ctx.saved_tensors
    ...         return 2 * x * grad
    >>> x = ember.tensor([1.0, 3.0], requires_grad=True)
    >>> y = Square.apply(x)
    >>> y.grad_fn
    <SquareBackward object at ...>
    >>> y.backward(ember.ones(2))
    >>> x.grad
    tensor([2., 6.])
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

from . import grad_mode
from .graph import _FREED, Node, _array_ns

__all__ = ["Function", "FunctionCtx", "once_differentiable", "BackwardCFunction"]

_state = grad_mode._state


def _tensor_cls():
    from .._tensor import Tensor

    return Tensor


class FunctionCtx:
    """The methods ``forward`` / ``setup_context`` call on ``ctx``; any other attribute can be
    set on it freely to pass values to ``backward``."""

    def save_for_backward(self, *tensors) -> None:
        """Save input or output tensors (or None) for ``backward``, where
        ``ctx.saved_tensors`` returns them; an in-place change to one of them before
        backward is reported like it is for built-in ops."""
        self.to_save = tensors

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that ``forward`` modified in place (and returns as outputs)."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Declare outputs that are not differentiable (they will not require grad)."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """Whether ``None`` output gradients reach ``backward`` as zeros (default True)."""
        self.materialize_grads = bool(value)


class _SavedFnOutput:
    """An output of the function saved for backward: array and version counter only, so
    the node does not hold its own output (no reference cycle)."""

    __slots__ = ("data", "index", "requires_grad", "vc")

    def __init__(self, t, index):
        if t._vc is None:
            t._vc = [0]
        self.data = t._data
        self.vc = t._vc
        self.index = index
        self.requires_grad = t._requires_grad


class BackwardCFunction(Node, FunctionCtx):
    """The node (and ``ctx``) of a custom Function; subclassed once per Function as
    ``<ClassName>Backward``."""

    __slots__ = ()

    _forward_cls = None
    materialize_grads = True
    needs_input_grad = ()
    _in_meta = ()  # per forward argument: (shape, numpy dtype) of a Tensor, or None
    _out_meta = ()  # per output: (shape, numpy dtype, array module) of a Tensor, or None

    @property
    def saved_tensors(self) -> tuple:
        """The tensors given to ``save_for_backward``, checked for in-place changes."""
        saved = self._saved
        if saved is None:
            if self._versions is _FREED:
                raise RuntimeError(
                    "Trying to backward through the graph a second time (or directly access "
                    "saved tensors after they have already been freed). Saved intermediate "
                    "values of the graph are freed when you call .backward() or "
                    "autograd.grad(). Specify retain_graph=True if you need to backward "
                    "through the graph a second time or if you need to access saved tensors "
                    "after calling backward."
                )
            return ()
        from .._tensor import _make

        out = []
        for i, (item, version) in enumerate(zip(saved, self._versions, strict=False)):
            if item is None:
                out.append(None)
            elif item.__class__ is _SavedFnOutput:
                if item.vc[0] != version:
                    self._raise_modified(item.data, item.index, item.vc[0], version, output=True)
                t = _make(item.data, item.requires_grad, self if item.requires_grad else None)
                t._vc = item.vc
                if item.index:
                    t._output_nr = item.index
                out.append(t)
            else:
                current = 0 if item._vc is None else item._vc[0]
                if current != version:
                    self._raise_modified(item._data, i, current, version, output=False)
                out.append(item)
        return tuple(out)

    def _raise_modified(self, data, index, current, expected, output):
        from .._dtype import from_numpy_dtype

        kind = f"output {index}" if output else f"saved tensor {index}"
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [ember.{from_numpy_dtype(data.dtype).name} "
            f"{list(data.shape)}], which is {kind} of {self.name()}, is at version {current}; "
            f"expected version {expected} instead. Hint: enable anomaly detection to find the "
            "operation that failed to compute its gradient, with "
            "ember.autograd.set_detect_anomaly(True)."
        )

    def apply_grads(self, grads, graph: bool):
        """Run the user's ``backward`` on Tensors (see Note [Custom backward at both speeds])."""
        from .._tensor import Tensor, _make

        materialize = self.materialize_grads
        args = []
        for g, meta in zip(grads, self._out_meta, strict=False):
            if g is None:
                if materialize and meta is not None:
                    shape, dtype, xp = meta
                    g = _make(xp.zeros(shape, dtype=dtype), False, None)
            elif not graph:
                g = _make(g, False, None)
            args.append(g)
        result = self._forward_cls.backward(self, *args)
        if result.__class__ is not tuple:
            result = (result,)
        n_in = len(self._in_meta)
        if len(result) != n_in:
            if len(result) > n_in and all(r is None for r in result[n_in:]):
                result = result[:n_in]
            else:
                raise RuntimeError(
                    f"function {self.name()} returned an incorrect number of gradients "
                    f"(expected {n_in}, got {len(result)})"
                )
        out = []
        for i, (r, meta) in enumerate(zip(result, self._in_meta, strict=False)):
            if meta is None:
                if r is not None:
                    raise RuntimeError(
                        f"function {self.name()} returned a gradient different than None at "
                        f"position {i + 1}, but the corresponding forward input was not a "
                        "Variable"
                    )
                continue
            if r is None:
                out.append(None)
                continue
            if not isinstance(r, Tensor):
                raise TypeError(
                    f"function {self.name()} returned a gradient of type {type(r).__name__} at "
                    f"position {i + 1}; expected a Tensor or None"
                )
            out.append(self._fit_grad(r, meta, i, graph))
        return tuple(out)

    def _fit_grad(self, r, meta, i, graph):
        """Check a returned gradient against its input; sum it down if it was broadcast
        and cast it to the input's dtype, as PyTorch's engine does."""
        shape, dtype = meta
        data = r._data
        if data.shape != shape:
            try:
                expandable = np.broadcast_shapes(shape, data.shape) == data.shape
            except ValueError:
                expandable = False
            if not expandable:
                raise RuntimeError(
                    f"Function {self.name()} returned an invalid gradient at index {i} - got "
                    f"{list(data.shape)} but expected shape compatible with {list(shape)}"
                )
        if graph:
            if data.shape != shape:
                from ._graph_ns import G

                r = G.sum_to(r, shape)
            if r._data.dtype != dtype:
                from .._dtype import from_numpy_dtype

                r = r.to(from_numpy_dtype(dtype))
            return r
        if data.shape != shape:
            data = _array_ns(data).sum_to(data, shape)
        if data.dtype != dtype:
            data = data.astype(dtype)
        return data


class FunctionMeta(type):
    """Gives each Function subclass its own node class, ``<ClassName>Backward``."""

    def __init__(cls, name, bases, attrs):
        backward_cls = type(
            name + "Backward", (BackwardCFunction,), {"__slots__": (), "_forward_cls": cls}
        )
        backward_cls.__module__ = cls.__module__
        backward_cls.__qualname__ = name + "Backward"
        cls._backward_cls = backward_cls
        setup = attrs.get("setup_context")
        if setup is not None:
            cls._new_style = not getattr(setup, "_is_default", False) and not getattr(
                getattr(setup, "__func__", None), "_is_default", False
            )
        super().__init__(name, bases, attrs)


def _default(fn):
    fn._is_default = True
    return fn


class Function(metaclass=FunctionMeta):
    """Base class of custom differentiable operations; use ``MyFunction.apply(...)``.

    Subclasses define ``forward(ctx, *args, **kwargs)`` (or ``forward(*args)`` plus
    ``setup_context(ctx, inputs, output)``) and ``backward(ctx, *grad_outputs)``, both
    static. ``backward`` gets one gradient per output of ``forward`` (None for non-tensor
    outputs) and returns one per input of ``forward`` (None for inputs without a gradient).

    Example:
        >>> import ember
        >>> class MulConst(ember.autograd.Function):
        ...     @staticmethod
        ...     def forward(x, k):
        ...         return x * k
        ...
        ...     @staticmethod
        ...     def setup_context(ctx, inputs, output):
        ...         ctx.k = inputs[1]
        ...
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         return grad * ctx.k, None
        >>> x = ember.ones(2, requires_grad=True)
        >>> MulConst.apply(x, 3.0).sum().backward()
        >>> x.grad
        tensor([3., 3.])
    """

    _new_style = False

    def __init__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(*args, **kwargs):
        """Compute the outputs from the inputs (override this)."""
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    @_default
    def setup_context(ctx, inputs, output):
        """Save what backward needs, when ``forward`` does not take ``ctx`` (override)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """Gradients w.r.t. each input from gradients w.r.t. each output (override this)."""
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run the function on ``args``, recording one node when a gradient is needed."""
        Tensor = _tensor_cls()
        if cls._new_style and kwargs:
            bound = inspect.signature(cls.forward).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = tuple(bound.arguments.values()), {}
        node = cls._backward_cls()
        node._next = ()
        grad_on = _state.enabled
        tensor_args = [a if isinstance(a, Tensor) else None for a in args]
        needs = tuple(t is not None and grad_on and t._requires_grad for t in tensor_args)
        node.needs_input_grad = needs
        _state.enabled = False
        try:
            if cls._new_style:
                output = cls.forward(*args)
                cls.setup_context(node, args, output)
            else:
                output = cls.forward(node, *args, **kwargs)
        finally:
            _state.enabled = grad_on
        return _wrap_outputs(node, tensor_args, output, any(needs), Tensor)


def _wrap_outputs(node, tensor_args, output, executable, Tensor):
    from .._tensor import _edge, _make

    single = output.__class__ is not tuple
    outs = (output,) if single else output
    dirty = {id(t) for t in node.__dict__.get("dirty_tensors", ())}
    non_diff = {id(t) for t in node.__dict__.get("non_differentiable", ())}
    inputs = {id(t) for t in tensor_args if t is not None}
    for t in tensor_args:
        if (
            t is not None
            and id(t) in dirty
            and executable
            and t.grad_fn is None
            and t._requires_grad
        ):
            raise RuntimeError(
                "a leaf Variable that requires grad has been used in an in-place operation."
            )
    if executable:
        node._next = tuple(
            _edge(t) if t._requires_grad else None for t in tensor_args if t is not None
        )
        node._in_meta = tuple(
            None if t is None else (t._data.shape, t._data.dtype) for t in tensor_args
        )
        node._num_outputs = len(outs)
    results = []
    meta = []
    originals = {}
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            results.append(o)
            meta.append(None)
            continue
        key = id(o)
        if key in inputs and key not in dirty:
            # An input returned as it is becomes a new tensor sharing its data (a view).
            alias = _make(o._data, False, None)
            alias._vc = o._vc if o._vc is not None else _shared_vc(o)
            o = alias
        originals[key] = i
        if executable and key not in non_diff and o._data.dtype.kind in "fc":
            o._requires_grad = True
            o.grad_fn = node
            o._output_nr = i
        elif key in non_diff:
            o._requires_grad = False
        meta.append((o._data.shape, o._data.dtype, _array_ns(o._data).xp))
        results.append(o)
    if executable:
        node._out_meta = tuple(meta)
        _save(node, results, originals, Tensor)
    return results[0] if single else tuple(results)


def _shared_vc(t):
    t._vc = [0]
    return t._vc


def _save(node, results, originals, Tensor):
    """Turn ``ctx.to_save`` into saved entries with their versions (taken after forward,
    so a tensor marked dirty is saved at its new version)."""
    to_save = node.__dict__.pop("to_save", None)
    if to_save is None:
        return
    saved = []
    versions = []
    for t in to_save:
        if t is None:
            saved.append(None)
            versions.append(0)
            continue
        if not isinstance(t, Tensor):
            raise TypeError(
                f"save_for_backward can only save variables, but argument {len(saved)} is of "
                f"type {type(t).__name__}"
            )
        index = originals.get(id(t))
        if index is not None and results[index].grad_fn is node:
            entry = _SavedFnOutput(results[index], index)
            saved.append(entry)
            versions.append(entry.vc[0])
        else:
            saved.append(t)
            versions.append(0 if t._vc is None else t._vc[0])
    node._saved = tuple(saved)
    node._versions = tuple(versions)


class _DelayedError(Node):
    """Stands in for the graph of a ``once_differentiable`` backward: differentiating
    through it raises."""

    __slots__ = ()

    def name(self) -> str:
        return "DelayedError"

    def backward(self, F, grad, *saved):
        raise RuntimeError(
            "trying to differentiate twice a function that was marked with @once_differentiable"
        )


def once_differentiable(fn):
    """Decorate a Function's ``backward`` that is not itself differentiable: it runs without
    recording, and a double backward through it raises PyTorch's error."""

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        from .._tensor import Tensor, _edge, _make

        prev = _state.enabled
        _state.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _state.enabled = prev
        if not prev:
            return outputs
        grad_args = [a for a in args if isinstance(a, Tensor) and a._requires_grad]
        if not grad_args:
            return outputs
        single = outputs.__class__ is not tuple
        outs = (outputs,) if single else outputs
        wrapped = []
        for o in outs:
            if not isinstance(o, Tensor):
                wrapped.append(o)
                continue
            err = _DelayedError()
            err._next = tuple(_edge(a) for a in grad_args)
            wrapped.append(_make(o._data, True, err))
        return wrapped[0] if single else tuple(wrapped)

    return wrapper
