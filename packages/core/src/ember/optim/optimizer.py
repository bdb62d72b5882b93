"""``Optimizer``: the base class of every optimizer in ``ember.optim``.

The base class owns everything that is the same for all optimizers: parameter groups and their
options, per-parameter state, ``state_dict``/``load_state_dict`` in PyTorch's layout, hooks,
``zero_grad``, and the walk over parameters in ``step``. An optimizer class adds only what is
its own (see Note [Writing an optimizer]):

- ``_state_names(group)``: names of its per-parameter state arrays, in the order ``_update``
  receives them (``("exp_avg", "exp_avg_sq")`` for Adam);
- ``_init_state(p, group, state)``: fills a parameter's state on first use;
- ``_hyper(group)``: the group's options as a tuple, read once per step;
- ``_scalars(h, state, fresh)``: per-parameter scalars of this step (advances ``step``);
- ``_update(h, s, p, g, bufs, scratch)``: the update itself, on arrays, in place.

Note [Blocked updates]: an update is a chain of elementwise NumPy calls (``np.multiply(buf,
momentum, out=buf)`` ...), each one pass over memory. Run over whole parameters, every pass
goes to DRAM; the base class therefore hands ``_update`` flat blocks of at most ``BLOCK``
elements (parameter, gradient and state sliced alike), so the intermediate passes hit the
cache, and spreads the blocks over ``ember.get_num_threads()`` threads when there is enough
work (NumPy releases the GIL inside its loops). ``scratch`` holds the update's temporaries,
allocated once per optimizer, so a step creates no arrays and no Tensors. Optimizers whose
update is not elementwise set ``_elementwise = False`` and get whole parameters.

Example:
    >>> import ember
    >>> w = ember.nn.Parameter(ember.tensor([1.0, 2.0]))
    >>> opt = ember.optim.SGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w
    Parameter containing:
    tensor([0.8000, 1.6000], requires_grad=True)
"""

from __future__ import annotations

import functools
import os
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from copy import deepcopy
from itertools import chain
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import enable_grad
from ..backends import array_module_of
from ..ops.inplace import bump_version
from ..utils.hooks import RemovableHandle

__all__ = [
    "Optimizer",
    "ParamsT",
    "required",
    "register_optimizer_step_pre_hook",
    "register_optimizer_step_post_hook",
]

ParamsT = Iterable[Tensor] | Iterable[dict[str, Any]] | Iterable[tuple[str, Tensor]]
"""What optimizers accept as ``params``: tensors, parameter-group dicts, or (name, tensor)."""

BLOCK = 1 << 17  # elements per block of a blocked update (512 KiB of float32 per array)
_PARALLEL_MIN = 4 * BLOCK  # below this many elements a step runs on the calling thread

# Note [Writing an optimizer]
# A subclass calls ``super().__init__(params, defaults)`` with its options and implements the
# five methods listed in the module docstring. ``h`` is the tuple ``_hyper`` returned; ``s`` what
# ``_scalars`` returned for this parameter (``fresh`` is True on the step that created its state);
# ``p`` and ``g`` are flat blocks of the parameter and its gradient (complex ones viewed as
# real pairs); ``bufs`` the state arrays named by ``_state_names``, sliced alike; ``scratch``
# ``_n_scratch`` arrays of the block's size. ``_update`` must write ``p`` and ``bufs`` in place
# and must not write ``g``. A custom optimizer may instead override ``step`` as in PyTorch.


class _RequiredParameter:
    """Singleton marking a group option with no default (``lr`` of some optimizers)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

_global_pre_hooks: OrderedDict = OrderedDict()
_global_post_hooks: OrderedDict = OrderedDict()


def register_optimizer_step_pre_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's ``step``."""
    handle = RemovableHandle(_global_pre_hooks)
    _global_pre_hooks[handle.id] = hook
    return handle


def register_optimizer_step_post_hook(hook: Callable) -> RemovableHandle:
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's ``step``."""
    handle = RemovableHandle(_global_post_hooks)
    _global_post_hooks[handle.id] = hook
    return handle


def _with_step_hooks(step):
    """Wrap an optimizer's ``step`` so the step pre/post hooks run around it (once, even when a
    subclass's ``step`` calls ``super().step()``)."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self._in_step:
            return step(self, *args, **kwargs)
        if _global_pre_hooks or self._optimizer_step_pre_hooks:
            for hook in chain(_global_pre_hooks.values(), self._optimizer_step_pre_hooks.values()):
                result = hook(self, args, kwargs)
                if result is not None:
                    if isinstance(result, tuple) and len(result) == 2:
                        args, kwargs = result
                    else:
                        raise RuntimeError(
                            f"{step} must return None or a tuple of (new_args, new_kwargs), "
                            f"but got {result}."
                        )
        self._in_step = True
        try:
            out = step(self, *args, **kwargs)
        finally:
            self._in_step = False
        if self._optimizer_step_post_hooks or _global_post_hooks:
            for hook in chain(
                self._optimizer_step_post_hooks.values(), _global_post_hooks.values()
            ):
                hook(self, args, kwargs)
        return out

    wrapper._ember_step_hooks = True
    return wrapper


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return "ember.Tensor"
    return type(obj).__module__ + "." + type(obj).__qualname__


def _to_scalar(x):
    """A Python number from a number or a one-element Tensor (``lr`` may be a Tensor)."""
    if isinstance(x, Tensor):
        return x.item()
    return x


class Optimizer:
    """Base class for all optimizers.

    Args:
        params: an iterable of Tensors, of ``(name, Tensor)`` pairs, or of dicts defining
            parameter groups (each with a ``"params"`` entry and optional per-group options).
        defaults: the default value of each option, used for groups that do not set it.

    Attributes:
        state: per-parameter state, a dict keyed by the parameter Tensor.
        param_groups: list of dicts, each with ``"params"`` (list of Tensors) and options.
        defaults: the defaults given at construction.
    """

    _n_scratch = 0
    _elementwise = True
    _in_step = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_ember_step_hooks", False):
            cls.step = _with_step_hooks(step)

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_load_state_dict_post_hooks: OrderedDict = OrderedDict()
        self._scratch: dict = {}
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                "dicts, but got " + _typename(params)
            )
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    # -- pickling and printing ---------------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        for name in (
            "_optimizer_step_pre_hooks",
            "_optimizer_step_post_hooks",
            "_optimizer_state_dict_pre_hooks",
            "_optimizer_state_dict_post_hooks",
            "_optimizer_load_state_dict_pre_hooks",
            "_optimizer_load_state_dict_post_hooks",
        ):
            self.__dict__.setdefault(name, OrderedDict())
        self.__dict__.setdefault("_scratch", {})
        self.defaults.setdefault("differentiable", False)

    def __repr__(self) -> str:
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # -- parameter groups --------------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a parameter group (a dict with ``"params"`` and optional options) to
        ``param_groups``; options it does not set take the optimizer's defaults.

        Example:
            >>> import ember
            >>> a, b = ember.nn.Parameter(ember.zeros(2)), ember.nn.Parameter(ember.zeros(3))
            >>> opt = ember.optim.SGD([a], lr=0.1)
            >>> opt.add_param_group({"params": [b], "lr": 0.01})
            >>> [g["lr"] for g in opt.param_groups]
            [0.1, 0.01]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    + _typename(param)
                )
            if not self.defaults.get("differentiable", None) and not (
                param.is_leaf or param.retains_grad
            ):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            param_group.setdefault(name, default)

        ids = {id(p) for p in tensors}
        if len(ids) != len(tensors):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen: set[int] = set()
        for group in self.param_groups:
            seen.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(ids):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients ---------------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all optimized tensors: to None (the default, cheaper) or, with
        ``set_to_none=False``, to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad._requires_grad = False
                    grad._data[...] = 0
                    bump_version(grad)

    # -- the step ----------------------------------------------------------------------------
    def step(self, closure: Callable[[], Any] | None = None):
        """Perform one optimization step.

        Args:
            closure: a callable that re-evaluates the model and returns the loss (run with
                gradients enabled); optional for all optimizers but LBFGS.

        Returns:
            The closure's loss, or None.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._step_group(group)
        return loss

    step = _with_step_hooks(step)

    def _step_group(self, group: dict[str, Any]) -> None:
        """Walk a group's parameters that have a gradient, create their state on first use, and
        run the optimizer's ``_update`` over them (see Note [Blocked updates])."""
        names = self._state_names(group)
        h = self._hyper(group)
        state = self.state
        work = []
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            st = state.get(p)
            if st is None:
                st = {}
            fresh = not st
            for name in names:
                if name not in st:
                    fresh = True
                    break
            if fresh:
                self._init_state(p, group, st)
                if st:
                    state[p] = st
            s = self._scalars(h, st, fresh)
            work.append((p, grad._data, [st[n]._data for n in names], s))
        if work:
            _run_update(self, h, work)

    # Defaults of the optimizer interface (Note [Writing an optimizer]).
    def _state_names(self, group) -> tuple[str, ...]:
        return ()

    def _init_state(self, p: Tensor, group, state: dict) -> None:
        return None

    def _hyper(self, group):
        raise NotImplementedError(
            f"{type(self).__name__} must implement step(), or _hyper() and _update() "
            "(see Note [Writing an optimizer] in ember/optim/optimizer.py)"
        )

    def _scalars(self, h, state: dict, fresh: bool):
        return None

    def _update(self, h, s, p, g, bufs, scratch) -> None:
        raise NotImplementedError(f"{type(self).__name__} must implement _update()")

    # -- state dict --------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as a dict: ``"state"`` maps parameter indices (their order
        across the groups) to their state, ``"param_groups"`` holds each group's options with
        ``"params"`` as index lists. The state tensors are shared, not copied.

        Example:
            >>> import ember
            >>> w = ember.nn.Parameter(ember.ones(2))
            >>> opt = ember.optim.SGD([w], lr=0.1, momentum=0.9)
            >>> w.sum().backward(); opt.step()
            >>> sd = opt.state_dict()
            >>> sd["state"]
            {0: {'momentum_buffer': tensor([1., 1.])}}
            >>> sd["param_groups"][0]["params"]
            [0]
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        mapping: dict[int, int] = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {
            (mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()
        }
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state produced by ``state_dict`` (of this optimizer class and the same groups).
        State tensors are copied, cast to their parameter's dtype and device (``step`` keeps
        its dtype)."""
        state_dict = state_dict.copy()
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, s in zip(groups, saved_groups):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        state: defaultdict = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = _cast_state(param, v)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)

    # -- hooks -------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """Register ``hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs)``, called
        before each ``step``."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """Register ``hook(optimizer, args, kwargs) -> None``, called after each ``step``."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    def register_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """Register ``hook(optimizer)``, called before ``state_dict`` builds the dict."""
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """Register ``hook(optimizer, state_dict) -> state_dict or None``, called on the dict
        ``state_dict`` returns."""
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook: Callable, prepend: bool = False):
        """Register ``hook(optimizer, state_dict) -> state_dict or None``, called before
        ``load_state_dict`` loads it."""
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook: Callable, prepend: bool = False):
        """Register ``hook(optimizer)``, called after ``load_state_dict``."""
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)


def _register(table: OrderedDict, hook: Callable, prepend: bool) -> RemovableHandle:
    handle = RemovableHandle(table)
    table[handle.id] = hook
    if prepend:
        table.move_to_end(handle.id, last=False)
    return handle


def _cast_state(param: Tensor, value, key=None):
    """A copy of a saved state value with its tensors on the parameter's device, floating ones
    in its dtype (``step`` keeps its own), contiguous, so a step can update them in place."""
    if isinstance(value, Tensor):
        xp = array_module_of(param._data)
        arr = value._data
        if key == "step":
            return _make(np.array(arr, copy=True), False, None)
        dtype = (
            param._data.dtype
            if value.is_floating_point() and param.is_floating_point()
            else arr.dtype
        )
        if xp is not np and isinstance(arr, np.ndarray):
            arr = xp.asarray(arr)
        return _make(xp.array(arr, dtype=dtype, order="C", copy=True), False, None)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value


# -- helpers shared by the optimizers -------------------------------------------------------
def _zeros(p: Tensor) -> Tensor:
    """A C-contiguous zero Tensor shaped like ``p`` (state buffers are flattened as views)."""
    xp = array_module_of(p._data)
    return _make(xp.zeros(p._data.shape, p._data.dtype), False, None)


def _full(p: Tensor, value) -> Tensor:
    xp = array_module_of(p._data)
    return _make(xp.full(p._data.shape, value, p._data.dtype), False, None)


def _scalar_state(value: float = 0.0) -> Tensor:
    """A 0-d CPU tensor of the default float dtype, as PyTorch keeps ``step``."""
    return _make(np.array(value, dtype=D.get_default_dtype().np), False, None)


def _inc_step(state: dict) -> float:
    """Add one to ``state["step"]`` in place and return the new value as a float."""
    arr = state["step"]._data
    arr += 1
    return float(arr)


def _lerp(a, b, weight: float, tmp) -> None:
    """``a.lerp_(b, weight)`` in place, with PyTorch's two-sided formula; ``tmp`` is scratch."""
    np.subtract(b, a, out=tmp)
    if abs(weight) < 0.5:
        np.multiply(tmp, weight, out=tmp)
        np.add(a, tmp, out=a)
    else:
        np.multiply(tmp, 1.0 - weight, out=tmp)
        np.subtract(b, tmp, out=a)


def _effective_grad(g, p, weight_decay: float, maximize: bool, out):
    """The gradient an update uses: ``-g`` when maximizing, plus ``weight_decay * p`` (L2).
    Returns ``g`` itself when neither applies, else ``out`` holding the result."""
    if weight_decay:
        np.multiply(p, weight_decay, out=out)
        if maximize:
            np.subtract(out, g, out=out)
        else:
            np.add(g, out, out=out)
        return out
    if maximize:
        np.negative(g, out=out)
        return out
    return g


# -- running an update over blocks (Note [Blocked updates]) ----------------------------------
_COMPLEX_AS_REAL = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64}
_pool = None
_pool_pid = None


def _executor(n: int):
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid() or _pool._max_workers < n:
        from concurrent.futures import ThreadPoolExecutor

        _pool = ThreadPoolExecutor(max_workers=n, thread_name_prefix="ember-optim")
        _pool_pid = os.getpid()
    return _pool


def _as_real(flat):
    """A complex flat array viewed as (real, imag) pairs; other arrays as they are."""
    return flat.view(_COMPLEX_AS_REAL[flat.dtype]) if flat.dtype.kind == "c" else flat


def _flat(arr):
    return _as_real(arr.ravel())


def _flat_writable(arr, copies: list):
    """A flat view of ``arr`` to update in place; for a non-contiguous array, a contiguous copy
    recorded in ``copies`` to be written back after the update."""
    if arr.flags.c_contiguous:
        return _as_real(arr.ravel())
    flat = _as_real(np.ascontiguousarray(arr).ravel())
    copies.append((arr, flat))
    return flat


def _run_update(opt: Optimizer, h, work) -> None:
    """Apply ``opt._update`` to every ``(param, grad_array, state_arrays, scalars)`` of ``work``:
    blocked and threaded on NumPy arrays, whole arrays otherwise; bump the parameters' versions."""
    update = opt._update
    n_scratch = opt._n_scratch
    if not opt._elementwise or work[0][0]._data.__class__ is not np.ndarray:
        fused = None
        if work[0][0]._data.__class__ is not np.ndarray:  # GPU: one fused kernel per parameter
            from ._fused_cuda import fused_update

            fused = fused_update(opt)
        with np.errstate(all="ignore"):
            for p, g, bufs, s in work:
                arr = p._data
                if fused is not None and fused(h, s, arr, g, bufs):
                    bump_version(p)
                    continue
                xp = array_module_of(arr)
                scratch = [xp.empty(arr.shape, arr.dtype) for _ in range(n_scratch)]
                update(h, s, arr, g, bufs, scratch)
                bump_version(p)
        return

    blocks = []
    copies = []
    total = 0
    for p, g, bufs, s in work:
        pf = _flat_writable(p._data, copies)
        gf = _flat(g)  # a view, or a contiguous copy (only read)
        bf = [_flat_writable(b, copies) for b in bufs]
        n = pf.size
        total += n
        if n <= BLOCK:
            blocks.append((pf, gf, bf, s))
        else:
            for i in range(0, n, BLOCK):
                j = i + BLOCK
                blocks.append((pf[i:j], gf[i:j], [b[i:j] for b in bf], s))

    from .._config import get_num_threads

    n_threads = min(get_num_threads(), len(blocks)) if total >= _PARALLEL_MIN else 1
    if n_threads <= 1:
        _run_blocks(opt, update, h, blocks, n_scratch, 0)
    else:
        pool = _executor(n_threads)
        futures = [
            pool.submit(_run_blocks, opt, update, h, blocks[w::n_threads], n_scratch, w)
            for w in range(1, n_threads)
        ]
        _run_blocks(opt, update, h, blocks[0::n_threads], n_scratch, 0)
        for f in futures:
            f.result()
    for arr, pf in copies:
        arr[...] = pf.view(arr.dtype).reshape(arr.shape)
    for p, _, _, _ in work:
        bump_version(p)


def _run_blocks(opt, update, h, blocks, n_scratch, worker: int) -> None:
    """Run ``update`` over ``blocks`` with this worker's scratch arrays. Overflow in an update
    gives inf/nan silently, as in PyTorch (no NumPy RuntimeWarning)."""
    if not blocks:
        return
    with np.errstate(all="ignore"):
        _run_blocks_unchecked(opt, update, h, blocks, n_scratch, worker)


def _run_blocks_unchecked(opt, update, h, blocks, n_scratch, worker: int) -> None:
    scratch: dict = {}
    cache = opt._scratch
    for p, g, bufs, s in blocks:
        n = p.size
        dt = p.dtype
        arrays = scratch.get(dt)
        if arrays is None:
            key = (worker, dt)
            arrays = cache.get(key)
            size = min(BLOCK, max(b[0].size for b in blocks if b[0].dtype == dt))
            if arrays is None or (n_scratch and arrays[0].size < size):
                arrays = [np.empty(size, dt) for _ in range(n_scratch)]
                cache[key] = arrays
            scratch[dt] = arrays
        if n_scratch and n != arrays[0].size:
            update(h, s, p, g, bufs, [a[:n] for a in arrays])
        else:
            update(h, s, p, g, bufs, arrays)
