"""``Parameter`` and ``Buffer``: tensors a Module registers as learnable weights or as state.

Example:
    >>> import ember
    >>> p = ember.nn.Parameter(ember.zeros(2))
    >>> p.requires_grad, isinstance(p, ember.Tensor)
    (True, True)
"""

from __future__ import annotations

from .._tensor import Tensor, _init

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer"]


class Parameter(Tensor):
    """A Tensor that a Module registers as a learnable parameter when assigned as an attribute.

    Args:
        data: the initial value (its storage is shared, not copied); an empty tensor if None.
        requires_grad: whether the parameter requires gradient (default True).
    """

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True):
        if data is None:
            from .._creation import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter: data must be a Tensor, got {type(data).__name__}")
        _init(self, data._data, False, None)
        if data._vc is not None:
            self._vc = data._vc
        self._is_param = True
        if requires_grad:
            self.requires_grad_(True)

    def __reduce_ex__(self, protocol):
        arr = self._data if self.is_cpu else self._data.get()
        state = _extra_state(self)
        args = (type(self), arr.copy(), self._requires_grad, str(self.device))
        return (_rebuild_parameter, (args, state))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        import copy

        out = type(self).__new__(type(self))
        _init(out, self._data.copy(), self._requires_grad, None)
        out._is_param = True
        memo[id(self)] = out
        if self._grad is not None:
            out._grad = copy.deepcopy(self._grad, memo)
        for k, v in _extra_state(self).items():
            out.__dict__[k] = copy.deepcopy(v, memo)
        return out


# Tensor internals kept in __dict__ that a copy must not share (views, graph, hooks).
_INTERNAL = frozenset(
    ("_grad", "_output_nr", "_vc", "_base", "_view_fn", "_accum", "_leaf_hooks",
     "_post_accumulate_hooks", "_is_param")
)  # fmt: skip


def _extra_state(t) -> dict:
    return {k: v for k, v in t.__dict__.items() if k not in _INTERNAL}


def _rebuild_parameter(args, state):
    from .._creation import _rebuild_tensor

    t = _rebuild_tensor(*args)
    t.__dict__.update(state)
    return t


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a Module attribute.

    Args:
        data: the tensor.
        persistent: whether the buffer is part of the module's ``state_dict``.
    """

    def __init__(self, data: Tensor, *, persistent: bool = True):
        if not isinstance(data, Tensor):
            raise TypeError(f"Buffer: data must be a Tensor, got {type(data).__name__}")
        _init(self, data._data, data._requires_grad, None)
        self.persistent = persistent


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (used by the Lazy modules); it becomes a
    ``Parameter`` on ``materialize(shape)``."""

    def __init__(self, requires_grad: bool = True, device=None, dtype=None):
        from .._creation import empty

        super().__init__(empty(0, device=device, dtype=dtype), requires_grad)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Allocate (uninitialised) storage of ``shape`` on the placeholder's device and dtype
        (which ``Module.to()`` may have changed) and turn into a regular ``Parameter``."""
        from .._creation import empty

        data = empty(*shape, device=device or self.device, dtype=dtype or self.dtype)
        self._data = data._data
        self.__class__ = Parameter

    def __repr__(self) -> str:
        return "<UninitializedParameter>"


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet (Lazy modules); ``materialize(shape)`` makes it a
    plain Tensor."""

    def __init__(self, requires_grad: bool = False, device=None, dtype=None):
        from .._creation import empty

        _init(self, empty(0, device=device, dtype=dtype)._data, requires_grad, None)

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Allocate storage of ``shape`` and turn into a plain Tensor."""
        from .._creation import empty

        data = empty(*shape, device=device or self.device, dtype=dtype or self.dtype)
        self._data = data._data
        self.__class__ = Tensor

    def __repr__(self) -> str:
        return "<UninitializedBuffer>"
