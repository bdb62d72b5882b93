"""The autograd graph: nodes, saved tensors, and the backward engine.

Note [Graph ownership]
    A node holds strong references *backwards* only: to the nodes of its inputs (its
    ``next_functions`` edges) and to the tensors it saved. The tensor produced by an op holds
    its node through ``grad_fn``. Nothing points forwards, so when the last tensor of a graph
    dies, reference counting frees the whole graph at once; no garbage collection is needed.
    A leaf's ``AccumulateGrad`` node holds the leaf strongly, and the leaf holds it weakly.

Note [Two speeds of backward]
    A node's ``backward(F, grad, *saved)`` is written once against ``F``, a NumPy-named
    namespace. Plain ``backward()`` passes the array module (NumPy or CuPy), raw arrays as
    grads and the saved tensors' arrays, so no graph is recorded and nothing is wrapped.
    ``create_graph=True`` passes :data:`ember.autograd._graph_ns.G`, whose functions are
    Ember's differentiable ops, with Tensors as grads and saved values, so the backward pass
    is itself recorded and can be differentiated again.

Note [Saved tensors and versions]
    Ops save input tensors themselves and, for outputs (``exp``, ``tanh``...), the output's
    array with its version counter; a saved output is rebuilt as a Tensor whose ``grad_fn`` is
    the node when a graph is wanted. Each save records the tensor's version; an in-place op
    bumps it, and unpacking a saved tensor whose version moved raises PyTorch's error.
"""

from __future__ import annotations

import heapq
import itertools
import sys
import weakref

import numpy as np

from . import grad_mode

__all__ = ["Node", "AccumulateGrad", "run_backward", "anomaly_state"]


class _Tensor:  # replaced by ember.Tensor once it is defined (see bind_tensor_class)
    pass


def bind_tensor_class(cls) -> None:
    global _Tensor
    _Tensor = cls
    _TENSOR_TYPES.add(cls)


_seq_counter = itertools.count()


class _AnomalyState:
    __slots__ = ("enabled", "check_nan")

    def __init__(self):
        self.enabled = False
        self.check_nan = True


anomaly_state = _AnomalyState()


class _SavedOutput:
    """An op's output saved for backward: its array and version, not the Tensor itself."""

    __slots__ = ("data", "_vc", "requires_grad")

    def __init__(self, tensor):
        vc = tensor._vc
        if vc is None:
            vc = tensor._vc = [0]
        self.data = tensor._data
        self._vc = vc
        self.requires_grad = tensor._requires_grad


_FREED = object()  # marks a node whose saved values were released by backward
_PLAIN = frozenset((int, float, bool, complex, str, type(None), slice, type(Ellipsis)))


def _all_plain(items) -> bool:
    """True when ``items`` hold no tensor or array memory (numbers, shapes, None)."""
    for x in items:
        cls = x.__class__
        if cls in _PLAIN:
            continue
        if (cls is tuple or cls is list) and _all_plain(x):
            continue
        return False
    return True


_NO_VERSIONS: dict = {}
_TENSOR_TYPES: set = set()  # Tensor and its subclasses (filled by bind_tensor_class)


class Node:
    """A recorded operation. Subclasses are named like PyTorch's (``MulBackward0``) and
    implement ``backward(self, F, grad, *saved)`` returning one gradient per input edge
    (``None`` where no gradient flows).

    Attributes:
        next_functions: ``((node, output_nr), ...)`` for each input; ``(None, 0)`` for inputs
            that do not require grad.
    """

    # Hot fields are slots; rarely-set ones are class-level defaults that an instance
    # overrides through its __dict__ only when used (hooks, anomaly traces, multi-output).
    __slots__ = ("_next", "_seq", "_saved", "__weakref__", "__dict__")

    _versions = None
    ctx = None
    _num_outputs = 1
    _pre_hooks = None
    _post_hooks = None
    _tensor_hooks = None
    _retain = None
    _trace = None

    def __init__(self):
        self._seq = next(_seq_counter)
        self._saved = None
        if anomaly_state.enabled:
            import traceback

            self._trace = traceback.format_stack()[:-2]

    # -- identity ---------------------------------------------------------------------------
    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        return tuple((None, 0) if e is None else e for e in self._next)

    @property
    def metadata(self) -> dict:
        return self.__dict__

    # -- saved tensors ----------------------------------------------------------------------
    def save(self, *items) -> None:
        """Save what backward needs: input Tensors (version-checked), outputs wrapped in
        ``_SavedOutput``, and plain values (scalars, shapes, constant arrays) as they are."""
        self._saved = items
        versions = _NO_VERSIONS
        i = 0
        for x in items:
            cls = x.__class__
            if cls in _TENSOR_TYPES or cls is _SavedOutput:
                vc = x._vc
                if vc is not None and vc[0]:
                    if versions is _NO_VERSIONS:
                        versions = {}
                    versions[i] = vc[0]
            i += 1
        self._versions = versions

    def _unpack(self, graph: bool):
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
        out = []
        versions = self._versions
        i = 0
        for item in saved:
            cls = item.__class__
            if cls in _TENSOR_TYPES:
                vc = item._vc
                if vc is not None and vc[0] != versions.get(i, 0):
                    self._raise_modified(item._data, i, vc[0], versions.get(i, 0), output=False)
                out.append(item if graph else item._data)
            elif cls is _SavedOutput:
                vc = item._vc
                if vc[0] != versions.get(i, 0):
                    self._raise_modified(item.data, i, vc[0], versions.get(i, 0), output=True)
                if graph:
                    from .._tensor import _make

                    t = _make(item.data, item.requires_grad, self if item.requires_grad else None)
                    out.append(t)
                else:
                    out.append(item.data)
            else:
                out.append(item)
            i += 1
        return out

    def _raise_modified(self, data, index, current, expected, output):
        from .._dtype import from_numpy_dtype

        kind = f"output 0 of {self.name()}" if output else f"saved input {index} of {self.name()}"
        dt = from_numpy_dtype(data.dtype).name
        raise RuntimeError(
            "one of the variables needed for gradient computation has been modified by an "
            f"inplace operation: [ember.{dt} {list(data.shape)}], which is {kind}, is at "
            f"version {current}; expected version {expected} instead. Hint: enable anomaly "
            "detection to find the operation that failed to compute its gradient, with "
            "ember.autograd.set_detect_anomaly(True)."
        )

    def _release(self) -> None:
        saved = self._saved
        if saved is not None and not _all_plain(saved):
            # Only tensors and arrays are freed; a node that saved plain values (alpha,
            # shapes) can run again, as in PyTorch: ``(x + 1).sum().backward()`` twice works.
            self._saved = None
            self._versions = _FREED

    # -- the formula -------------------------------------------------------------------------
    def backward(self, F, grad, *saved):  # pragma: no cover - every subclass overrides
        raise RuntimeError(f"{self.name()} has no backward formula")

    def apply_grads(self, grads, graph: bool):
        """Run this node's formula on its output grads (one entry per output); returns a
        tuple of input grads."""
        grad = grads[0] if self._num_outputs == 1 else grads
        saved = self._unpack(graph) if self._saved is not None or self._versions is _FREED else ()
        if graph:
            F = _GRAPH_NS if _GRAPH_NS is not None else _graph_ns()
        elif grad.__class__ is np.ndarray:
            F = _NP_NS
        else:
            F = _array_ns(grad)
        result = self.backward(F, grad, *saved)
        if result.__class__ is not tuple:
            result = (result,)
        return result

    # -- hooks -------------------------------------------------------------------------------
    def register_hook(self, fn):
        """Hook called as ``fn(grad_inputs, grad_outputs)`` after this node ran; it may return
        replacement ``grad_inputs``."""
        from ..utils.hooks import RemovableHandle

        if self._post_hooks is None:
            self._post_hooks = {}
        handle = RemovableHandle(self._post_hooks)
        self._post_hooks[handle.id] = fn
        return handle

    def register_prehook(self, fn):
        """Hook called as ``fn(grad_outputs)`` before this node runs; it may return
        replacement ``grad_outputs``."""
        from ..utils.hooks import RemovableHandle

        if self._pre_hooks is None:
            self._pre_hooks = {}
        handle = RemovableHandle(self._pre_hooks)
        self._pre_hooks[handle.id] = fn
        return handle

    def __call__(self, *grads):
        """Run the formula directly on Tensor gradients (as PyTorch allows on ``grad_fn``)."""
        from .._tensor import Tensor, _wrap

        arrays = [g._data if isinstance(g, Tensor) else g for g in grads]
        out = self.apply_grads(arrays, graph=False)
        return tuple(None if g is None else _wrap(g) for g in out)


class AccumulateGrad(Node):
    """The node of a leaf tensor: adds the incoming gradient into ``leaf.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self._seq = -1 - next(_seq_counter)  # after every op node, distinct for the heap
        self._saved = None
        self.variable = variable
        self._next = ()

    def apply_grads(self, grads, graph):  # the engine treats leaves itself
        return ()


def accumulator_of(t) -> AccumulateGrad:
    """The (shared) AccumulateGrad node of leaf ``t``."""
    ref = t._accum
    node = ref() if ref is not None else None
    if node is None:
        node = AccumulateGrad(t)
        t._accum = weakref.ref(node)
    return node


class _ArrayNS:
    """NumPy-named namespace over one array module, plus Ember's helpers for formulas."""

    def __init__(self, xp):
        self.xp = xp
        self.graph = False

    def __getattr__(self, name):
        from . import _array_helpers

        value = getattr(_array_helpers, name, None)
        if value is not None:
            value = value.__get__(self) if hasattr(value, "__get__") else value
        else:
            value = getattr(self.xp, name)
        setattr(self, name, value)
        return value


_NP_NS = _ArrayNS(np)
_CUPY_NS = None
_GRAPH_NS = None


def _graph_ns():
    global _GRAPH_NS
    from ._graph_ns import G

    _GRAPH_NS = G
    return G


def _array_ns(arr):
    if arr.__class__ is np.ndarray or arr.__class__ is not _cupy_ndarray():
        return _NP_NS
    global _CUPY_NS
    if _CUPY_NS is None:
        import cupy

        _CUPY_NS = _ArrayNS(cupy)
    return _CUPY_NS


def _cupy_ndarray():
    from ..backends import cupy_ndarray_type

    return cupy_ndarray_type()


# -------------------------------------------------------------------------------------------
# The engine
# -------------------------------------------------------------------------------------------


def _add_grads(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _check_nan(node, grads):
    """Anomaly mode: PyTorch's error when a node's formula produced NaN gradients."""
    for i, g in enumerate(grads):
        if g is None:
            continue
        arr = g._data if hasattr(g, "_data") else g
        if arr.dtype.kind in "fc" and bool(_array_ns(arr).xp.isnan(arr).any()):
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, allow_unused=False):
    """Propagate ``root_grads`` from the ``roots`` edges through the graph.

    Nodes run in decreasing creation order (a heap on sequence numbers), so each runs once,
    after every node that feeds it. With ``inputs`` (a list of tensors), returns their
    gradients instead of accumulating into ``.grad``; otherwise accumulates into the
    ``.grad`` of the leaves.
    """
    graph = bool(create_graph)
    buffers: dict = {}
    heap: list = []
    heappush = heapq.heappush
    heappop = heapq.heappop

    capture = None
    needed = None
    if inputs is not None:
        capture = {}
        for i, t in enumerate(inputs):
            if t.grad_fn is not None:
                key = (t.grad_fn, t._output_nr)
            else:
                key = (accumulator_of(t), 0)
            capture.setdefault(key, []).append(i)
        needed = _nodes_reaching(roots, {node for node, _ in capture})
    captured = [None] * (len(inputs) if inputs is not None else 0)

    for edge, g in zip(roots, root_grads):
        if edge is None:
            continue
        node, nr = edge
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs
            heappush(heap, (-node._seq, node))
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    check_nan = anomaly_state.enabled and anomaly_state.check_nan
    prev_enabled = grad_mode._state.enabled
    grad_mode._state.enabled = graph
    # Formulas may meet 0 * inf or x / 0 at the edges of their domain (log at 0, sqrt at 0);
    # like PyTorch, backward gives inf/nan there without NumPy's floating-point warnings.
    errstate = np.errstate(divide="ignore", invalid="ignore", over="ignore")
    errstate.__enter__()
    try:
        while heap:
            node = heappop(heap)[1]
            grads = buffers.pop(node)
            if node._tensor_hooks is not None:
                grads = _run_tensor_hooks(node, grads, graph)
            if node._pre_hooks:
                grads = _run_pre_hooks(node, grads, graph)
            if capture is not None:
                if node.__class__ is AccumulateGrad and node.variable._leaf_hooks:
                    grads = [_run_leaf_hooks(node.variable, grads[0], graph)]
                for nr, g in enumerate(grads):
                    for i in capture.get((node, nr), ()):
                        captured[i] = g
            if node.__class__ is AccumulateGrad:
                if capture is None:
                    _accumulate(node.variable, grads[0], graph)
                if node._post_hooks:
                    _run_post_hooks(node, (), grads, graph)
                continue
            if needed is not None and node not in needed:
                continue
            try:
                in_grads = node.apply_grads(grads, graph)
            except Exception:
                if node._trace is not None:
                    _report_anomaly(node)
                raise
            if check_nan:
                _check_nan(node, in_grads)
            if node._post_hooks:
                in_grads = _run_post_hooks(node, in_grads, grads, graph)
            if not retain_graph:
                node._release()
            for edge, g in zip(node._next, in_grads):
                if edge is None or g is None:
                    continue
                nxt, nr = edge
                buf = buffers.get(nxt)
                if buf is None:
                    if nxt._num_outputs == 1:
                        buffers[nxt] = [g]
                    else:
                        buf = buffers[nxt] = [None] * nxt._num_outputs
                        buf[nr] = g
                    heappush(heap, (-nxt._seq, nxt))
                else:
                    buf[nr] = g if buf[nr] is None else buf[nr] + g
            # Drop this loop's references, so that a leaf can tell by reference count that
            # its gradient array is held by nobody else (see _accumulate).
            in_grads = g = grads = None
    finally:
        errstate.__exit__(None, None, None)
        grad_mode._state.enabled = prev_enabled

    if inputs is None:
        return None
    return captured


def _nodes_reaching(roots, targets) -> set:
    """The nodes from which some node in ``targets`` can be reached (iterative DFS)."""
    reach: dict = {}
    stack = [(e[0], False) for e in roots if e is not None]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            reach[node] = node in targets or any(
                e is not None and reach.get(e[0], False) for e in node._next
            )
            continue
        if node in reach:
            continue
        reach[node] = False
        stack.append((node, True))
        for e in node._next:
            if e is not None and e[0] not in reach:
                stack.append((e[0], False))
    # A node runs only when one of its inputs leads to a target: a captured node whose
    # own inputs lead nowhere needed is not run (its saved values may already be freed).
    return {
        n
        for n, ok in reach.items()
        if ok and any(e is not None and reach.get(e[0], False) for e in n._next)
    }


def _report_anomaly(node):
    import warnings

    warnings.warn(
        f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
        + "".join(node._trace),
        stacklevel=2,
    )


def _wrap_grad(g, graph):
    if graph:
        return g
    from .._tensor import _wrap

    return _wrap(g)


def _run_tensor_hooks(node, grads, graph):
    grads = list(grads)
    for nr, hooks in node._tensor_hooks.items():
        if grads[nr] is None:
            continue
        for hook in list(hooks.values()):
            g = _wrap_grad(grads[nr], graph)
            res = hook(g)
            if res is not None:
                grads[nr] = res if graph else res._data
    if node._retain is not None:
        for nr, ref in node._retain.items():
            t = ref()
            if t is not None and grads[nr] is not None:
                _accumulate(t, grads[nr], graph, retained=True)
    return grads


def _run_pre_hooks(node, grads, graph):
    wrapped = tuple(None if g is None else _wrap_grad(g, graph) for g in grads)
    for hook in list(node._pre_hooks.values()):
        res = hook(wrapped)
        if res is not None:
            wrapped = tuple(res)
    return [None if g is None else (g if graph else g._data) for g in wrapped]


def _run_post_hooks(node, in_grads, out_grads, graph):
    w_in = tuple(None if g is None else _wrap_grad(g, graph) for g in in_grads)
    w_out = tuple(None if g is None else _wrap_grad(g, graph) for g in out_grads)
    for hook in list(node._post_hooks.values()):
        res = hook(w_in, w_out)
        if res is not None:
            w_in = tuple(res)
    return tuple(None if g is None else (g if graph else g._data) for g in w_in)


def _run_leaf_hooks(t, g, graph):
    """Run the ``register_hook`` hooks of leaf ``t`` on its incoming gradient ``g``."""
    if g is None:
        return g
    for hook in list(t._leaf_hooks.values()):
        res = hook(_wrap_grad(g, graph))
        if res is not None:
            g = res if graph else res._data
    return g


# References to a gradient array held while _accumulate looks at it: the engine's buffer list,
# _accumulate's argument, and getrefcount's own argument. Any other holder (another leaf's
# buffer, a user's tensor, a hook) makes the count larger, and the array is copied instead.
_ENGINE_REFS = 3


def _owned_by_engine_only(g) -> bool:
    """True when ``g`` is a fresh NumPy array that only the engine references, so a leaf can
    keep it as its ``.grad`` without a copy (PyTorch steals such gradients too)."""
    return (
        g.__class__ is np.ndarray
        and g.base is None
        and g.flags.writeable
        and sys.getrefcount(g) <= _ENGINE_REFS + 1  # + 1: the reference of this call's argument
    )


def _accumulate(t, g, graph, retained=False, hooks=True):
    """Add gradient ``g`` (array, or Tensor when ``graph``) into ``t.grad``."""
    from .._tensor import _make

    if g is None:
        return
    if not retained and hooks and t._leaf_hooks:
        g = _run_leaf_hooks(t, g, graph)
    data = t._data
    if graph:
        if g.dtype is not t.dtype:
            g = g.to(t.dtype)
        if t._grad is None:
            t._grad = g
        else:
            t._grad = t._grad + g
    else:
        if g.dtype != data.dtype:
            g = g.astype(data.dtype)
        if g.shape != data.shape:
            g = _array_ns(g).broadcast_to(g, data.shape)
        current = t._grad
        if current is None:  # (NumPy formulas give scalars for 0-d grads: keep an array)
            if _owned_by_engine_only(g):
                t._grad = _make(g, False, None)  # a fresh array nobody else holds: take it
            else:
                t._grad = _make(np.array(g) if isinstance(g, np.generic) else g.copy(), False, None)
        elif current._requires_grad:
            t._grad = current + _make(g, False, None)
        else:
            current._data += g
    if not retained and t._post_accumulate_hooks:
        for hook in list(t._post_accumulate_hooks.values()):
            hook(t)
