"""``ember.autocast``: automatic mixed precision regions, with PyTorch's rules.

Inside ``with ember.autocast(device_type, dtype):`` the ops on tensors of that device type
run in the precision PyTorch's autocast picks for them (see ``ember.amp._policy``): matrix
products, linear layers, convolutions and attention in ``dtype`` (float16 or bfloat16);
losses and (on CUDA) softmax, norms, reductions and exp/log in float32; ``cat``/``stack`` in
the widest input dtype. The state is per thread and per device type.
"""

from __future__ import annotations

import functools
import warnings

from .. import _dtype as D
from . import _state

__all__ = [
    "autocast",
    "is_autocast_enabled",
    "set_autocast_enabled",
    "get_autocast_dtype",
    "set_autocast_dtype",
    "is_autocast_cache_enabled",
    "set_autocast_cache_enabled",
    "clear_autocast_cache",
    "is_autocast_available",
]

_SUPPORTED = {"cpu": ("bfloat16", "float16"), "cuda": ("float16", "bfloat16")}
_DEFAULT_DTYPE = {"cpu": "bfloat16", "cuda": "float16"}
_tls = _state.tls


def _check_device_type(device_type, fn: str) -> str:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
    if device_type not in _SUPPORTED:
        from .._device import device as _device

        _device(device_type)  # PyTorch's RuntimeError for an unknown device string
        raise RuntimeError(
            f"{fn}: autocast is not supported for device_type '{device_type}' "
            f"(supported: 'cpu' and 'cuda')"
        )
    return device_type


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast supports ``device_type`` (``'cpu'`` and ``'cuda'``)."""
    return device_type in _SUPPORTED


def is_autocast_enabled(device_type: str | None = None) -> bool:
    """Whether autocast is on for ``device_type`` in this thread (``'cuda'`` when omitted)."""
    if device_type is None:
        device_type = "cuda"
    return _tls.enabled.get(_check_device_type(device_type, "is_autocast_enabled"), False)


def set_autocast_enabled(device_type: str, enabled: bool) -> None:
    """Turn autocast on or off for ``device_type`` in this thread."""
    _state.set_enabled(_check_device_type(device_type, "set_autocast_enabled"), enabled)


def get_autocast_dtype(device_type: str):
    """The lower-precision dtype autocast uses on ``device_type`` (bfloat16 on CPU and float16
    on CUDA unless changed)."""
    _check_device_type(device_type, "get_autocast_dtype")
    dt = _tls.dtype.get(device_type)
    return getattr(D, _DEFAULT_DTYPE[device_type]) if dt is None else dt


def set_autocast_dtype(device_type: str, dtype) -> None:
    """Set the lower-precision dtype autocast uses on ``device_type`` in this thread."""
    _check_device_type(device_type, "set_autocast_dtype")
    _tls.dtype[device_type] = _as_dtype(dtype, "set_autocast_dtype")


def is_autocast_cache_enabled() -> bool:
    """Whether casts of parameters are cached inside autocast regions (default True)."""
    return _tls.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Turn the cache of parameter casts on or off in this thread."""
    _tls.cache_enabled = bool(enabled)


def clear_autocast_cache() -> None:
    """Drop the cached casts of parameters (done on leaving the outermost autocast region)."""
    _tls.cache.clear()


def _as_dtype(dtype, fn: str):
    if isinstance(dtype, D.dtype) or dtype is D.bfloat16:
        return dtype
    raise TypeError(f"{fn}: dtype must be an ember.dtype such as ember.float16, got {dtype!r}")


class autocast:
    """Run the ops of a region in mixed precision, as ``torch.autocast`` does.

    Usable as a context manager or a decorator. Regions nest; an inner
    ``autocast(..., enabled=False)`` turns autocast off for its body. Backward passes need no
    autocast: each op's backward runs in the dtypes its forward used.

    Args:
        device_type: ``'cpu'`` or ``'cuda'``: the device whose tensors are affected.
        dtype: the lower precision, ``ember.float16`` or ``ember.bfloat16`` (default:
            ``ember.get_autocast_dtype(device_type)``, bfloat16 on CPU and float16 on CUDA).
            bfloat16 needs the ``ml_dtypes`` package.
        enabled: False makes the region a no-op (default True).
        cache_enabled: cache the casts of parameters inside the region (default:
            ``ember.is_autocast_cache_enabled()``).

    Example:
        >>> import ember
        >>> a, b = ember.ones(2, 3), ember.ones(3, 2)
        >>> with ember.autocast("cpu", dtype=ember.float16):
        ...     c = a @ b
        ...     s = c.float().softmax(dim=-1)
        ...     loss = ember.nn.functional.mse_loss(c, ember.zeros(2, 2))
        >>> c.dtype, s.dtype, loss.dtype
        (ember.float16, ember.float32, ember.float32)
    """

    def __init__(
        self,
        device_type: str,
        dtype=None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ):
        self.device = _check_device_type(device_type, "autocast")
        self.fast_dtype = (
            get_autocast_dtype(device_type) if dtype is None else _as_dtype(dtype, "autocast")
        )
        self._cache_enabled = (
            is_autocast_cache_enabled() if cache_enabled is None else bool(cache_enabled)
        )
        enabled = bool(enabled)
        if enabled and device_type == "cuda":
            from .. import cuda

            if not cuda.is_available():
                warnings.warn(
                    "User provided device_type of 'cuda', but CUDA is not available. Disabling",
                    stacklevel=2,
                )
                enabled = False
            elif self.fast_dtype is D.bfloat16 and not cuda.is_bf16_supported():
                raise RuntimeError(
                    "Current CUDA Device does not support bfloat16. Please switch dtype to float16."
                )
        if enabled and self.fast_dtype.name not in _SUPPORTED[device_type]:
            kind = "CPU" if device_type == "cpu" else "CUDA"
            names = ", ".join(f"ember.{n}" for n in _SUPPORTED[device_type])
            warnings.warn(
                f"In {kind} autocast, but the target dtype is not supported. Disabling "
                f"autocast.\n{kind} Autocast only supports dtypes of {names} currently.",
                stacklevel=2,
            )
            enabled = False
        if enabled and self.fast_dtype is D.bfloat16 and D._bfloat16_numpy() is None:
            raise RuntimeError(
                f"autocast(device_type='{device_type}', dtype=ember.bfloat16) needs the "
                "ml_dtypes package for bfloat16 arrays (pip install ml_dtypes); use "
                "dtype=ember.float16 instead"
            )
        self._enabled = enabled
        self._saved = []

    def __enter__(self):
        dev = self.device
        self._saved.append((_tls.enabled.get(dev, False), _tls.dtype.get(dev), _tls.cache_enabled))
        _tls.nesting += 1
        _tls.dtype[dev] = self.fast_dtype
        _tls.cache_enabled = self._cache_enabled
        _state.set_enabled(dev, self._enabled)
        return self

    def __exit__(self, exc_type, exc, tb):
        dev = self.device
        enabled, dtype, cache_enabled = self._saved.pop()
        _tls.nesting -= 1
        if _tls.nesting == 0:
            _tls.cache.clear()
        if dtype is None:
            _tls.dtype.pop(dev, None)
        else:
            _tls.dtype[dev] = dtype
        _tls.cache_enabled = cache_enabled
        _state.set_enabled(dev, enabled)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorated

    def __repr__(self) -> str:
        return (
            f"autocast(device_type='{self.device}', dtype={self.fast_dtype}, "
            f"enabled={self._enabled}, cache_enabled={self._cache_enabled})"
        )


def _deprecated_autocast(device_type: str, default_dtype):
    """``ember.cuda.amp.autocast`` / ``ember.cpu.amp.autocast``: deprecated spellings."""

    class _Autocast(autocast):
        def __init__(self, enabled: bool = True, dtype=default_dtype, cache_enabled: bool = True):
            warnings.warn(
                f"`ember.{device_type}.amp.autocast(args...)` is deprecated. Please use "
                f"`ember.amp.autocast('{device_type}', args...)` instead.",
                FutureWarning,
                stacklevel=2,
            )
            super().__init__(device_type, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)

    _Autocast.__name__ = _Autocast.__qualname__ = "autocast"
    _Autocast.__doc__ = (
        f"Deprecated: ``ember.{device_type}.amp.autocast(...)`` is "
        f"``ember.amp.autocast('{device_type}', ...)``."
    )
    return _Autocast
