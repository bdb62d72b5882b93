"""``Module.__call__`` off the fast path: forward/backward hooks and the module path in errors.

With no hook registered, ``Module.__call__`` (in ``module.py``) checks five flags and calls
``forward`` inside a ``try`` (free on Python 3.11+); everything else lives here.

Note [Module path in errors]
    When ``forward`` raises, the innermost module whose ``__call__`` sees the exception records
    itself on it (``exc._ember_module``) and adds a note: its name, repr and input shapes. Each
    enclosing module's ``__call__`` then finds the innermost module among its own descendants
    and rewrites the note with the path from itself (``Net.fc1``), so once the exception
    leaves the outermost module, the note names the full path. The same exception object is
    re-raised, so ``except RuntimeError`` still works; on Python < 3.11 (no ``add_note``) the
    text is appended to the message instead.

Note [Full backward hooks]
    As PyTorch's ``BackwardHook``: the tensor inputs that require grad go through one identity
    node (``BackwardHookFunctionBackward``) before ``forward`` and the tensor outputs through
    another after it. The output node's pre-hook sees ``grad_output`` (and runs the backward
    pre-hooks, which may replace it); the input node's post-hook sees ``grad_input`` and runs
    the full backward hooks, which may replace it.
"""

from __future__ import annotations

import sys
import warnings

from ..._tensor import Tensor, _make, _shared_vc
from ...autograd import grad_mode
from ...autograd.graph import Node
from ...ops._core import attach_outputs

_grad_state = grad_mode._state


class _State:
    """``active``: whether any global module hook is registered (read by the fast path)."""

    __slots__ = ("active", "tables")

    def __init__(self):
        self.active = False
        self.tables = ()


state = _State()


def bind_globals(pre, fwd, fwd_kwargs, fwd_always, bwd, bwd_pre) -> None:
    state.tables = (pre, fwd, fwd_kwargs, fwd_always, bwd, bwd_pre)


def refresh_globals() -> None:
    pre, fwd, _, _, bwd, bwd_pre = state.tables
    state.active = bool(pre or fwd or bwd or bwd_pre)


# -------------------------------------------------------------------------------------------
# The hooked call
# -------------------------------------------------------------------------------------------


def call_with_hooks(module, args, kwargs):
    """``module(*args, **kwargs)`` with forward pre-hooks, forward hooks and backward hooks
    (module-level and global), in PyTorch's order."""
    g_pre, g_fwd, g_fwd_kwargs, g_fwd_always, g_bwd, g_bwd_pre = state.tables
    d = module.__dict__
    result = None
    called_always = set()
    try:
        pre_kwargs = d["_forward_pre_hooks_with_kwargs"]
        for hook_id, hook in (*g_pre.items(), *d["_forward_pre_hooks"].items()):
            if hook_id in pre_kwargs:
                res = hook(module, args, kwargs)
                if res is not None:
                    if isinstance(res, tuple) and len(res) == 2:
                        args, kwargs = res
                    else:
                        raise RuntimeError(
                            "forward pre-hook must return None or a tuple of (new_args, "
                            f"new_kwargs), but got {res}."
                        )
            else:
                res = hook(module, args)
                if res is not None:
                    args = res if isinstance(res, tuple) else (res,)

        bw_hooks = [*g_bwd.values(), *d["_backward_hooks"].values()]
        bw_pre_hooks = [*g_bwd_pre.values(), *d["_backward_pre_hooks"].values()]
        bw = None
        if (bw_hooks or bw_pre_hooks) and _grad_state.enabled:
            bw = _BackwardHook(module, bw_hooks, bw_pre_hooks)
            args = bw.setup_input_hook(args)

        result = module.forward(*args, **kwargs)

        fwd_kwargs = d["_forward_hooks_with_kwargs"]
        fwd_always = d["_forward_hooks_always_called"]
        for hook_id, hook in (*g_fwd.items(), *d["_forward_hooks"].items()):
            if hook_id in fwd_always or hook_id in g_fwd_always:
                called_always.add(hook_id)
            if hook_id in fwd_kwargs or hook_id in g_fwd_kwargs:
                res = hook(module, args, kwargs, result)
            else:
                res = hook(module, args, result)
            if res is not None:
                result = res

        if bw is not None:
            if not isinstance(result, (Tensor, tuple)):
                warnings.warn(
                    "For backward hooks to be called, module output should be a Tensor or a "
                    f"tuple of Tensors but received {type(result)}",
                    stacklevel=3,
                )
            result = bw.setup_output_hook(result)
        return result
    except Exception as exc:
        _run_always_called(module, args, kwargs, result, called_always)
        annotate(exc, module, args, kwargs)
        raise


def _run_always_called(module, args, kwargs, result, called):
    g_fwd, g_fwd_kwargs, g_fwd_always = state.tables[1:4]
    d = module.__dict__
    fwd_kwargs = d["_forward_hooks_with_kwargs"]
    fwd_always = d["_forward_hooks_always_called"]
    for hook_id, hook in (*g_fwd.items(), *d["_forward_hooks"].items()):
        if hook_id in called or not (hook_id in fwd_always or hook_id in g_fwd_always):
            continue
        try:
            if hook_id in fwd_kwargs or hook_id in g_fwd_kwargs:
                res = hook(module, args, kwargs, result)
            else:
                res = hook(module, args, result)
            if res is not None:
                result = res
        except Exception as e:
            warnings.warn(
                "module forward hook with ``always_call=True`` raised an exception that was "
                f"silenced as another error was raised in forward: {e}",
                stacklevel=4,
            )


# -------------------------------------------------------------------------------------------
# Full backward hooks (Note [Full backward hooks])
# -------------------------------------------------------------------------------------------


class BackwardHookFunctionBackward(Node):
    """Identity on several tensors; the place where module backward hooks attach."""

    __slots__ = ()

    def backward(self, F, grad):
        return tuple(grad) if self._num_outputs > 1 else grad


def _identity(tensors):
    """New tensors sharing storage (and version counter) with ``tensors``, all outputs of
    one identity node."""
    outs = []
    for t in tensors:
        o = _make(t._data, False, None)
        o._vc = t._vc if t._vc is not None else _shared_vc(t)
        outs.append(o)
    node = BackwardHookFunctionBackward()
    attach_outputs(outs, node, *tensors)
    return outs, node


def _pack(indices, values, size):
    out = [None] * size
    for i, v in zip(indices, values):
        out[i] = v
    return tuple(out)


class _BackwardHook:
    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_index = None
        self.n_outputs = 0
        self.output_index = None

    def setup_input_hook(self, args):
        self.n_inputs = len(args)
        idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a._requires_grad]
        if not idx:
            return args
        self.input_index = idx
        outs, node = _identity([args[i] for i in idx])
        node.register_hook(self._input_hook)
        args = list(args)
        for i, o in zip(idx, outs):
            args[i] = o
        return tuple(args)

    def setup_output_hook(self, result):
        is_tuple = isinstance(result, tuple)
        outs = result if is_tuple else (result,)
        self.n_outputs = len(outs)
        idx = [i for i, a in enumerate(outs) if isinstance(a, Tensor) and a._requires_grad]
        if not idx:
            return result
        self.output_index = idx
        new, node = _identity([outs[i] for i in idx])
        node.register_prehook(self._output_hook)
        outs = list(outs)
        for i, o in zip(idx, new):
            outs[i] = o
        return tuple(outs) if is_tuple else outs[0]

    def _output_hook(self, grad_outputs):
        packed = _pack(self.output_index, grad_outputs, self.n_outputs)
        for hook in self.pre_hooks:
            res = hook(self.module, packed)
            if res is None:
                continue
            res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
            if len(res) != len(packed):
                raise RuntimeError(
                    "Backward pre hook returned an invalid number of grad_output, got "
                    f"{len(res)}, but expected {len(packed)}"
                )
            packed = res
        self.grad_outputs = packed
        if self.input_index is None:  # no input requires grad: the hooks run now
            grad_inputs = (None,) * self.n_inputs
            for hook in self.hooks:
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not all(r is None for r in res):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should "
                        "always return None or None for all gradients."
                    )
            self.grad_outputs = None
        return tuple(packed[i] for i in self.output_index)

    def _input_hook(self, grad_inputs, _grad_outputs):
        if self.grad_outputs is None:
            # The gradient reached the inputs without passing through the outputs (double
            # backward through the module): leave it alone, as PyTorch does.
            return None
        packed = _pack(self.input_index, grad_inputs, self.n_inputs)
        for hook in self.hooks:
            res = hook(self.module, packed, self.grad_outputs)
            if res is None:
                continue
            res = tuple(res) if isinstance(res, (tuple, list)) else (res,)
            if len(res) != len(packed):
                raise RuntimeError(
                    "Backward hook returned an invalid number of grad_input, got "
                    f"{len(res)}, but expected {len(packed)}"
                )
            packed = res
        self.grad_outputs = None
        return tuple(packed[i] for i in self.input_index)


# -------------------------------------------------------------------------------------------
# Module path in errors (Note [Module path in errors])
# -------------------------------------------------------------------------------------------

_HAS_NOTES = sys.version_info >= (3, 11)


def _shape_of(x) -> str:
    if isinstance(x, Tensor):
        shape = tuple(x._data.shape)
        return f"({shape[0]},)" if len(shape) == 1 else str(shape)
    if isinstance(x, (tuple, list)) and x and all(isinstance(e, Tensor) for e in x):
        inner = ", ".join(_shape_of(e) for e in x)
        return f"({inner})" if isinstance(x, tuple) else f"[{inner}]"
    if x is None:
        return "None"
    return type(x).__name__


def _describe(module, args, kwargs) -> str:
    text = repr(module)
    if "\n" in text:
        text = module._get_name() + "(...)"
    parts = [_shape_of(a) for a in args]
    parts += [f"{k}={_shape_of(v)}" for k, v in kwargs.items() if isinstance(v, Tensor)]
    return f"({text}): input shapes [{', '.join(parts)}]"


def _find_path(root, target):
    for name, m in root.named_modules():
        if m is target:
            return name
    return None


def annotate(exc, module, args, kwargs) -> None:
    """Add (or update) the note naming the module in which ``exc`` was raised."""
    try:
        info = exc.__dict__.get("_ember_module")
    except AttributeError:  # exceptions without a __dict__
        return
    if info is None:
        desc = _describe(module, args, kwargs)
        info = {"module": module, "desc": desc, "note": None, "args": exc.args}
        exc._ember_module = info
        path = module._get_name()
    else:
        if module is info["module"]:
            return
        name = _find_path(module, info["module"])
        if not name:
            return
        path = module._get_name() + "." + name
    note = f"{path} {info['desc']}"
    if _HAS_NOTES:
        notes = exc.__dict__.get("__notes__")
        old = info["note"]
        if notes is not None and old is not None and old in notes:
            notes[notes.index(old)] = note
        else:
            exc.add_note(note)
        info["note"] = note
    else:  # Python 3.10: append to the message
        orig = info["args"]
        if len(orig) >= 1 and isinstance(orig[0], str) and not isinstance(exc, KeyError):
            exc.args = (orig[0] + "\n" + note, *orig[1:])
        info["note"] = note
