"""The Tensor: an n-dimensional array (NumPy or CuPy) with autograd metadata.

Operators and most methods are attached by the op modules in ``ember.ops`` (each op family
registers its own methods), so an op's forward, backward and Tensor method live in one place.
This file holds what is Tensor-specific: construction, metadata, conversion, autograd entry
points and hooks.

Example:
    >>> import ember
    >>> x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = (x * x).sum()
    >>> y.backward()
    >>> x.grad
    tensor([[2., 4.],
            [6., 8.]])
"""

from __future__ import annotations

import weakref

import numpy as np

from . import _dtype as D
from ._device import CPU, device_of_array
from .autograd import grad_mode
from .autograd.graph import accumulator_of

__all__ = ["Tensor", "is_tensor"]

_state = grad_mode._state
_ndarray = np.ndarray


class Tensor:
    """A multi-dimensional array that can record operations for automatic differentiation.

    ``ember.Tensor(data)`` builds a float tensor from data and ``ember.Tensor(2, 3)`` an
    uninitialised one of that size, as PyTorch's legacy constructor does; prefer
    ``ember.tensor`` and ``ember.empty``.
    """

    # Hot fields are slots; the rest are class-level defaults that an instance overrides in
    # its __dict__ only when used (views, in-place ops, hooks), so creating a Tensor costs
    # three attribute writes.
    __slots__ = ("_data", "_requires_grad", "grad_fn", "__dict__", "__weakref__")

    _grad = None
    _output_nr = 0
    _vc = None  # version counter [int], shared with views; None until first needed
    _base = None  # the root tensor this one is a view of
    _view_fn = None  # recomputes this view from _base (for in-place ops on views)
    _accum = None  # weakref to the AccumulateGrad node of a leaf
    _leaf_hooks = None
    _post_accumulate_hooks = None
    _is_param = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        from .autograd.graph import _TENSOR_TYPES

        _TENSOR_TYPES.add(cls)

    # A Tensor subclass that sets this (nn.Parameter) keeps its class through ops like detach.
    def __init__(self, *args, device=None, dtype=None):
        from ._creation import legacy_new

        src = legacy_new(args, dtype or D.get_default_dtype(), device)
        _init(self, src._data, False, None)

    # -- metadata ----------------------------------------------------------------------------
    @property
    def data(self) -> Tensor:
        """A tensor sharing storage with this one but detached from the graph."""
        out = _make(self._data, False, None)
        out._vc = self._vc
        return out

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def dtype(self) -> D.dtype:
        return D.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return CPU if self._data.__class__ is _ndarray else device_of_array(self._data)

    @property
    def is_cuda(self) -> bool:
        return self._data.__class__ is not _ndarray

    @property
    def is_cpu(self) -> bool:
        return self._data.__class__ is _ndarray

    @property
    def shape(self):
        from ._size import Size

        return Size(self._data.shape)

    def size(self, dim: int | None = None):
        """The shape as ``ember.Size``, or the length of dimension ``dim``."""
        if dim is None:
            return self.shape
        return self._data.shape[_wrap_dim(dim, self._data.ndim, "size")]

    def dim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def stride(self, dim: int | None = None):
        """Strides in elements (PyTorch's convention), or the stride of ``dim``."""
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[_wrap_dim(dim, self._data.ndim, "stride")]

    def storage_offset(self) -> int:
        base = self._data
        while isinstance(base.base, type(base)):
            base = base.base
        offset = self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        return offset // self._data.itemsize

    def data_ptr(self) -> int:
        if self._data.__class__ is _ndarray:
            return self._data.__array_interface__["data"][0]
        return self._data.data.ptr

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags["C_CONTIGUOUS"])

    def is_floating_point(self) -> bool:
        kind = self._data.dtype.kind
        return kind == "f" or (kind == "V" and self.dtype.is_floating_point)  # V: ml_dtypes

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set ``requires_grad`` in place on a leaf; returns self."""
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use "
                "a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."
            )
        if requires_grad and self._data.dtype.kind not in "fc" and not self.is_floating_point():
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients, "
                f"got {self.dtype}"
            )
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()`` (leaves, and tensors that
        ``retain_grad()``)."""
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got {type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    "assigned grad has data of a different size: "
                    f"expected {list(self._data.shape)}, "
                    f"got {list(value._data.shape)}"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    "assigned grad has data of a different type: "
                    f"expected {self.dtype}, got {value.dtype}"
                )
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    @property
    def _version(self) -> int:
        return 0 if self._vc is None else self._vc[0]

    @property
    def is_inference(self):
        return False

    @property
    def layout(self):
        return "strided"

    @property
    def names(self):
        return (None,) * self._data.ndim

    # -- autograd ----------------------------------------------------------------------------
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Compute the gradient of this tensor w.r.t. graph leaves, accumulating into ``.grad``.

        Args:
            gradient: the gradient of some scalar w.r.t. this tensor; may be omitted for a
                scalar (single-element) tensor.
            retain_graph: keep the graph's saved values for another backward (defaults to
                ``create_graph``).
            create_graph: record the backward pass, for higher-order gradients.
            inputs: tensors to accumulate into; others' ``.grad`` are left alone.
        """
        from .autograd import backward

        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self) -> Tensor:
        """A new tensor sharing storage, outside the graph."""
        out = _make(self._data, False, None)
        out._vc = self._vc if self._vc is not None else _shared_vc(self)
        return out

    def detach_(self) -> Tensor:
        """Detach in place: make this a leaf that does not require grad."""
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is "
                "set as True, gradients are views of DDP buckets, and hence detach_() cannot "
                "be called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self.grad_fn = None
        self._requires_grad = False
        return self

    def retain_grad(self) -> None:
        """Populate ``.grad`` of this non-leaf tensor during backward."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        node = self.grad_fn
        if node._retain is None:
            node._retain = {}
        if node._tensor_hooks is None:
            node._tensor_hooks = {}
        node._retain[self._output_nr] = weakref.ref(self)

    @property
    def retains_grad(self) -> bool:
        node = self.grad_fn
        return bool(node is not None and node._retain and self._output_nr in node._retain)

    def register_hook(self, hook):
        """Register ``hook(grad) -> Tensor or None``, called with this tensor's gradient each
        time it is computed; a returned tensor replaces the gradient.

        Returns:
            a handle whose ``remove()`` unregisters the hook.
        """
        from .utils.hooks import RemovableHandle

        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._leaf_hooks is None:
                self._leaf_hooks = {}
            table = self._leaf_hooks
        else:
            node = self.grad_fn
            if node._tensor_hooks is None:
                node._tensor_hooks = {}
            table = node._tensor_hooks.setdefault(self._output_nr, {})
        handle = RemovableHandle(table)
        table[handle.id] = hook
        return handle

    def register_post_accumulate_grad_hook(self, hook):
        """Register ``hook(tensor)``, called on a leaf after its ``.grad`` was accumulated."""
        from .utils.hooks import RemovableHandle

        if self.grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if self._post_accumulate_hooks is None:
            self._post_accumulate_hooks = {}
        handle = RemovableHandle(self._post_accumulate_hooks)
        self._post_accumulate_hooks[handle.id] = hook
        return handle

    # -- conversion --------------------------------------------------------------------------
    def numpy(self, *, force: bool = False) -> np.ndarray:
        """The NumPy array behind this CPU tensor (shared memory)."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        if self._data.__class__ is not _ndarray:
            if not force:
                raise TypeError(
                    f"can't convert {self.device} device type tensor to numpy. Use Tensor.cpu() "
                    "to copy the tensor to host memory first."
                )
            return self._data.get()
        return self._data

    def __array__(self, dtype=None, copy=None):
        arr = self._data if self._data.__class__ is _ndarray else self._data.get()
        if dtype is not None:
            arr = arr.astype(dtype, copy=False)
        return arr.copy() if copy else arr

    __array_priority__ = 1000  # numpy scalars and arrays defer to Tensor's operators

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self):
        """The tensor as (nested) Python lists of Python numbers."""
        arr = self._data if self._data.__class__ is _ndarray else self._data.get()
        return arr.tolist()

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self._data.reshape(()).item())

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __int__(self) -> int:
        return int(self._scalar())

    def __float__(self) -> float:
        return float(self._scalar())

    def __complex__(self) -> complex:
        return complex(self._scalar())

    def __index__(self) -> int:
        if self._data.size != 1 or self._data.dtype.kind not in "biu":
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __hash__(self) -> int:
        return id(self)

    def __dlpack__(self, stream=None, **kwargs):
        if self._requires_grad:
            raise RuntimeError("Can't export tensors that require gradient, use tensor.detach()")
        return self._data.__dlpack__(**({"stream": stream} if stream is not None else {}), **kwargs)

    def __dlpack_device__(self):
        return self._data.__dlpack_device__()

    def __reduce_ex__(self, protocol):
        from ._creation import _rebuild_tensor

        arr = self._data if self._data.__class__ is _ndarray else self._data.get()
        return (_rebuild_tensor, (type(self), np.array(arr), self._requires_grad, str(self.device)))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment."
            )
        if id(self) in memo:
            return memo[id(self)]
        import copy

        out = type(self).__new__(type(self))
        _init(out, self._data.copy(), self._requires_grad, None)
        if self._grad is not None:
            out._grad = copy.deepcopy(self._grad, memo)
        user_attrs = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        out.__dict__.update(copy.deepcopy(user_attrs, memo))
        memo[id(self)] = out
        return out

    def __repr__(self, *, tensor_contents=None) -> str:
        from ._printing import tensor_repr

        return tensor_repr(self)

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec)

    def __setstate__(self, state):
        _init(self, state["_data"], state.get("_requires_grad", False), None)


_new = object.__new__


def _init(t: Tensor, data, requires_grad: bool, grad_fn) -> None:
    t._data = data
    t._requires_grad = requires_grad
    t.grad_fn = grad_fn


def _make(data, requires_grad: bool, grad_fn) -> Tensor:
    """Wrap an array as a Tensor (internal fast path; no copy, no checks)."""
    if data.__class__ is not _ndarray:
        data = _as_array(data)
    t = _new(Tensor)
    t._data = data
    t._requires_grad = requires_grad
    t.grad_fn = grad_fn
    return t


def _as_array(data):
    """NumPy ufuncs return scalars for 0-d inputs; a Tensor always holds an array."""
    if isinstance(data, np.generic):
        return np.asarray(data)
    return data


def _wrap(data) -> Tensor:
    return _make(data, False, None)


def _shared_vc(t: Tensor):
    t._vc = [0]
    return t._vc


def _wrap_dim(dim, ndim: int, op: str = "") -> int:
    """Normalise a possibly negative ``dim`` for a tensor of ``ndim`` dimensions."""
    n = ndim if ndim > 0 else 1
    try:
        d = dim.__index__()
    except AttributeError:
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}") from None
    if d < -n or d >= n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return d + n if d < 0 else d


def is_tensor(obj) -> bool:
    """True if ``obj`` is an Ember tensor."""
    return isinstance(obj, Tensor)


def _edge(t: Tensor):
    """The graph edge for an input tensor that requires grad."""
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._output_nr)
    return (accumulator_of(t), 0)
