"""Sampling: ``rand``, ``randn``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial``, ``poisson``, the ``_like`` variants, and the in-place fills behind
``Tensor.normal_``, ``uniform_``, ``exponential_``, ``random_``, ``bernoulli_``, ``cauchy_``,
``log_normal_`` and ``geometric_``.

Values are drawn on the CPU from the generator's NumPy ``Generator`` (see
Note [Generator state]) in the result's dtype where NumPy can (float32, float64), else in
float32 and cast; CUDA results are moved to the GPU afterwards.

Example:
    >>> import ember
    >>> _ = ember.manual_seed(0)
    >>> ember.rand(2, 3).shape
    ember.Size([2, 3])
    >>> ember.randint(0, 10, (4,)).dtype
    ember.int64
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._creation import _out, _size_args, get_default_device
from .._device import to_device
from .._tensor import Tensor, _make
from ..autograd import grad_mode
from ..autograd.graph import Node
from ..ops.inplace import apply_inplace
from ._generator import numpy_generator

__all__ = [
    "rand",
    "randn",
    "randint",
    "randperm",
    "normal",
    "bernoulli",
    "multinomial",
    "poisson",
    "rand_like",
    "randn_like",
    "randint_like",
]

_NATIVE = (np.dtype(np.float32), np.dtype(np.float64))


# -- helpers -----------------------------------------------------------------------------------


def _float_dtype(dtype, op: str) -> D.dtype:
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{op}(): expected a floating-point or complex dtype, got {dt}")
    return dt


def _work_dtype(np_dtype) -> np.dtype:
    """The dtype NumPy samples in for a float result of ``np_dtype``."""
    return np_dtype if np_dtype in _NATIVE else np.dtype(np.float32)


def _finish(arr: np.ndarray, dev, requires_grad: bool, out, dt: D.dtype | None = None) -> Tensor:
    """Wrap a sampled CPU array: place it on ``dev``, set requires_grad, honour ``out=``."""
    if dt is not None and arr.dtype != dt.np:
        arr = arr.astype(dt.np)
    if dev is not None:
        dev = to_device(dev)
    else:
        dev = get_default_device()
    if dev.type != "cpu":
        from .._creation import _place

        arr = _place(arr, dev)
    t = _make(arr, False, None)
    if requires_grad:
        t.requires_grad_(True)
    return _out(t, out)


def _uniform01(rng, shape, np_dtype) -> np.ndarray:
    work = _work_dtype(np_dtype)
    arr = rng.random(shape, dtype=work)
    if work != np_dtype:
        arr = arr.astype(np_dtype)
        # rounding to a narrower type can reach 1.0; keep the interval half-open
        arr = np.minimum(arr, np.nextafter(np_dtype.type(1), np_dtype.type(0)))
    return arr


def _standard_normal(rng, shape, np_dtype) -> np.ndarray:
    if np_dtype.kind == "c":
        real = np.dtype(np.float32) if np_dtype == np.complex64 else np.dtype(np.float64)
        z = _standard_normal(rng, (*shape, 2), real) * real.type(np.sqrt(0.5))
        return (z[..., 0] + 1j * z[..., 1]).astype(np_dtype)
    work = _work_dtype(np_dtype)
    arr = rng.standard_normal(shape, dtype=work)
    return arr if work == np_dtype else arr.astype(np_dtype)


def _as_array(x) -> np.ndarray:
    data = x._data
    return data if data.__class__ is np.ndarray else data.get()


# -- factories ---------------------------------------------------------------------------------


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None,
         requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Uniform samples on ``[0, 1)`` of the given size (``rand(2, 3)`` or ``rand((2, 3))``).

    Example:
        >>> import ember
        >>> x = ember.rand(2, 3, generator=ember.Generator().manual_seed(0))
        >>> x.shape, x.dtype, bool((x >= 0).all() and (x < 1).all())
        (ember.Size([2, 3]), ember.float32, True)
    """
    dt = _float_dtype(dtype, "rand")
    shape = _size_args(size, "rand")
    rng = numpy_generator(generator)
    if dt.is_complex:
        real = dt.to_real().np
        arr = _uniform01(rng, shape, real) + 1j * _uniform01(rng, shape, real)
    else:
        arr = _uniform01(rng, shape, dt.np)
    return _finish(arr, device, requires_grad, out, dt)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None,
          requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Standard normal samples of the given size (complex dtypes: variance 1/2 per part).

    Example:
        >>> import ember
        >>> ember.randn(4, dtype=ember.float64).dtype
        ember.float64
    """
    dt = _float_dtype(dtype, "randn")
    arr = _standard_normal(numpy_generator(generator), _size_args(size, "randn"), dt.np)
    return _finish(arr, device, requires_grad, out, dt)


def _randint_args(args, size, op):
    if size is not None:
        if len(args) == 1:
            return 0, args[0], size
        if len(args) == 2:
            return args[0], args[1], size
    elif len(args) == 2:
        return 0, args[0], args[1]
    elif len(args) == 3:
        return args
    raise TypeError(
        f"{op}() expects (high, size) or (low, high, size), with size a tuple of ints; got "
        f"{len(args)} positional arguments{' and size=' if size is not None else ''}"
    )


def _check_range(low, high, op):
    if low >= high:
        raise RuntimeError(
            f"{op} expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )


def _integers(rng, low: int, high: int, shape, dt: D.dtype) -> np.ndarray:
    if not shape and dt is D.int64:
        # NumPy's integers() costs ~5x more with a size than without; one draw is common
        # (random transforms, samplers), so take the fast path and wrap the scalar.
        return np.asarray(rng.integers(low, high, dtype=np.int64))
    if dt.is_floating_point:
        return rng.integers(low, high, shape, dtype=np.int64).astype(dt.np)
    if dt is D.bool:
        return rng.integers(low, high, shape, dtype=np.int64).astype(np.bool_)
    info = np.iinfo(dt.np)
    if low < info.min or high - 1 > info.max:
        raise RuntimeError(
            f"random_ expects 'from' and 'to' - 1 within [{info.min}, {info.max}] for "
            f"{dt}, got from={low}, to={high}"
        )
    return rng.integers(low, high, shape, dtype=dt.np)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """Integers drawn uniformly from ``[low, high)``: ``randint(high, size)`` or
    ``randint(low, high, size)``; int64 unless ``dtype`` is given.

    Example:
        >>> import ember
        >>> x = ember.randint(3, 7, (5,))
        >>> x.dtype, bool(((x >= 3) & (x < 7)).all())
        (ember.int64, True)
    """
    low, high, shape = _randint_args(args, size, "randint")
    low, high = int(low), int(high)
    _check_range(low, high, "random_")
    shape = _size_args(
        (shape,) if not isinstance(shape, (list, tuple)) else (tuple(shape),), "randint"
    )
    dt = D.int64 if dtype is None else D.to_dtype(dtype)
    arr = _integers(numpy_generator(generator), low, high, shape, dt)
    return _finish(arr, device, requires_grad, out, dt)


def randperm(n: int, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad: bool = False, pin_memory: bool = False) -> Tensor:  # fmt: skip
    """A random permutation of ``0 .. n-1`` (int64 unless ``dtype`` is given).

    Example:
        >>> import ember
        >>> sorted(ember.randperm(5).tolist())
        [0, 1, 2, 3, 4]
    """
    n = int(n)
    if n < 0:
        raise RuntimeError(f"randperm(): n must be non-negative, got {n}")
    dt = D.int64 if dtype is None else D.to_dtype(dtype)
    arr = numpy_generator(generator).permutation(n).astype(dt.np)
    return _finish(arr, device, requires_grad, out, dt)


def rand_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None) -> Tensor:  # fmt: skip
    """``rand`` with the shape (and, unless given, dtype and device) of ``input``."""
    return rand(input._data.shape, generator=generator, dtype=dtype or input.dtype,
                device=device or input.device, requires_grad=requires_grad)  # fmt: skip


def randn_like(input: Tensor, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None) -> Tensor:  # fmt: skip
    """``randn`` with the shape (and, unless given, dtype and device) of ``input``."""
    return randn(input._data.shape, generator=generator, dtype=dtype or input.dtype,
                 device=device or input.device, requires_grad=requires_grad)  # fmt: skip


def randint_like(input: Tensor, low=0, high=None, *, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None) -> Tensor:  # fmt: skip
    """``randint`` with the shape of ``input``: ``randint_like(x, high)`` or
    ``randint_like(x, low, high)``; the dtype is ``input``'s unless given."""
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, generator=generator,
                   dtype=dtype or input.dtype, device=device or input.device,
                   requires_grad=requires_grad)  # fmt: skip


# -- normal ------------------------------------------------------------------------------------


class _NormalNode(Node):
    """Sampling is not differentiable in its parameters: PyTorch returns zero gradients."""

    __slots__ = ()

    def backward(self, F, grad, shapes):
        return tuple(None if s is None else F.sum_to(grad * 0, s) for s in shapes)


class NormalBackward1(_NormalNode):
    __slots__ = ()


class NormalBackward2(_NormalNode):
    __slots__ = ()


class NormalBackward3(_NormalNode):
    __slots__ = ()


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None,
           device=None, requires_grad: bool = False, pin_memory: bool = False):  # fmt: skip
    """Normal samples with the given ``mean`` and ``std``.

    Overloads (as PyTorch): ``normal(mean_tensor, std_tensor)`` (broadcast),
    ``normal(mean_tensor, std=1.0)``, ``normal(mean, std_tensor)``, and
    ``normal(mean, std, size)`` for float parameters.

    Example:
        >>> import ember
        >>> ember.normal(2.0, 3.0, (2, 2)).shape
        ember.Size([2, 2])
        >>> ember.normal(ember.zeros(3), 1.0).shape
        ember.Size([3])
    """
    rng = numpy_generator(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal(): with float mean and std, a size is required")
        std = float(std)
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        dt = _float_dtype(dtype, "normal")
        shape = _size_args(
            (size,) if not isinstance(size, (list, tuple)) else (tuple(size),), "normal"
        )
        arr = _standard_normal(rng, shape, dt.np)
        arr = arr * dt.np.type(std) + dt.np.type(mean)
        return _finish(arr.astype(dt.np, copy=False), device, requires_grad, out, dt)
    dt = D.result_type(*(x for x in (mean, std) if isinstance(x, Tensor)))
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"normal(): expected floating-point mean and std, got {dt}")
    m = _as_array(mean).astype(dt.np, copy=False) if mt else mean
    s = _as_array(std).astype(dt.np, copy=False) if st else float(std)
    if st:
        if s.size and (s < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif s < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {s:g}")
    shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    arr = (_standard_normal(rng, shape, dt.np) * s + m).astype(dt.np, copy=False)
    ref = mean if mt else std
    result = _finish(arr, ref.device, False, None, dt)
    needs = grad_mode._state.enabled and (
        (mt and mean._requires_grad) or (st and std._requires_grad)
    )
    if needs:
        from ..ops._core import attach

        node = NormalBackward3() if mt and st else NormalBackward1() if mt else NormalBackward2()
        inputs = [x for x in (mean, std) if isinstance(x, Tensor)]
        attach(result, node, *inputs)
        node.save(tuple(x._data.shape for x in inputs))
    return _out(result, out)


# -- bernoulli, multinomial, poisson -----------------------------------------------------------


def _bernoulli_array(rng, p, shape, np_dtype) -> np.ndarray:
    return (rng.random(shape) < p).astype(np_dtype)


def _check_probs(p: np.ndarray, op: str) -> None:
    if p.size and not ((p >= 0) & (p <= 1)).all():
        raise RuntimeError(f"{op}: expected all probabilities in [0, 1], got values outside it")


def bernoulli(input: Tensor, p=None, *, generator=None, out=None) -> Tensor:
    """Draw 0/1 values: element ``i`` is 1 with probability ``input[i]``, or with
    probability ``p`` for every element when ``p`` is given. The result has ``input``'s dtype.

    Example:
        >>> import ember
        >>> ember.bernoulli(ember.tensor([0.0, 1.0, 1.0]))
        tensor([0., 1., 1.])
    """
    rng = numpy_generator(generator)
    shape = input._data.shape
    if p is None:
        probs = _as_array(input)
        if probs.dtype.kind not in "f":
            raise RuntimeError(
                f"bernoulli(): expected a floating-point tensor of probabilities, got {input.dtype}"
            )
        _check_probs(probs, "bernoulli")
    else:
        probs = _as_array(p) if isinstance(p, Tensor) else float(p)
        _check_probs(np.asarray(probs), "bernoulli")
    arr = _bernoulli_array(rng, probs, shape, input._data.dtype)
    return _finish(arr, input.device, False, out)


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *, generator=None,
                out=None) -> Tensor:  # fmt: skip
    """Sample ``num_samples`` category indices from each row of (unnormalised, non-negative)
    probabilities ``input`` (1-D or 2-D); int64.

    Example:
        >>> import ember
        >>> ember.multinomial(ember.tensor([0.0, 0.0, 1.0]), 2, replacement=True)
        tensor([2, 2])
    """
    probs = _as_array(input)
    if probs.ndim not in (1, 2):
        raise RuntimeError(f"multinomial(): prob_dist must be 1 or 2 dim, got {probs.ndim}")
    if probs.dtype.kind != "f":
        raise RuntimeError(
            f"multinomial(): only floating-point probabilities are supported, got {input.dtype}"
        )
    num_samples = int(num_samples)
    if num_samples <= 0:
        raise RuntimeError(f"multinomial(): cannot sample {num_samples} <= 0 samples")
    n = probs.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError(
            f"multinomial(): cannot sample n_sample > prob_dist.size(-1) samples without "
            f"replacement (n_sample={num_samples}, prob_dist.size(-1)={n})"
        )
    rows = probs.reshape(-1, n).astype(np.float64)
    if not np.isfinite(rows).all() or (rows < 0).any():
        raise RuntimeError(
            "multinomial(): probability tensor contains either `inf`, `nan` or element < 0"
        )
    totals = rows.sum(axis=1)
    if (totals <= 0).any():
        raise RuntimeError(
            "multinomial(): invalid multinomial distribution (sum of probabilities <= 0)"
        )
    rng = numpy_generator(generator)
    if replacement:
        cdf = np.cumsum(rows, axis=1)
        u = rng.random((rows.shape[0], num_samples)) * totals[:, None]
        idx = np.stack([np.searchsorted(cdf[r], u[r], side="right") for r in range(rows.shape[0])])
        idx = np.minimum(idx, n - 1)
    else:
        # Exponential race (PyTorch's method): the k largest p / E, E ~ Exp(1), are a sample
        # without replacement with probabilities proportional to p.
        keys = rows / rng.standard_exponential(rows.shape)
        idx = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    idx = idx.astype(np.int64).reshape(*probs.shape[:-1], num_samples)
    return _finish(idx, input.device, False, out)


def poisson(input: Tensor, generator=None) -> Tensor:
    """Poisson samples with rates ``input`` (same shape and dtype).

    Example:
        >>> import ember
        >>> ember.poisson(ember.zeros(3))
        tensor([0., 0., 0.])
    """
    rates = _as_array(input)
    if rates.size and (rates < 0).any():
        raise RuntimeError("poisson(): expected all rates >= 0")
    arr = numpy_generator(generator).poisson(rates).astype(rates.dtype)
    return _finish(arr, input.device, False, None)


# -- in-place fills (registered as Tensor methods by ember.ops.random_methods) -----------------


def _fill(self: Tensor, arr: np.ndarray, name: str) -> Tensor:
    data = self._data
    if data.__class__ is not np.ndarray:
        from .._creation import _place

        arr = _place(arr, self.device)
    values = _make(arr.astype(data.dtype, copy=False), False, None)
    return apply_inplace(self, lambda _old: values, name)


def _float_self(self: Tensor, name: str) -> np.dtype:
    dt = self._data.dtype
    if dt.kind != "f":
        raise RuntimeError(f"{name}(): expected a floating-point tensor, got {self.dtype}")
    return dt


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator=None) -> Tensor:
    """Fill with normal samples of the given ``mean`` and ``std``."""
    if self._data.dtype.kind not in "fc":
        raise RuntimeError(f"normal_(): expected a floating-point tensor, got {self.dtype}")
    if std < 0:
        raise RuntimeError(f"normal_ expects std >= 0.0, but found std={std}")
    dt = self._data.dtype
    arr = _standard_normal(numpy_generator(generator), self._data.shape, dt)
    return _fill(self, arr * std + mean, "normal_")


def uniform_(self: Tensor, from_: float = 0.0, to: float = 1.0, *, generator=None, **kw) -> Tensor:
    """Fill with samples drawn uniformly from ``[from, to)``."""
    if kw:
        from_ = kw.pop("from", from_)
        if kw:
            raise TypeError(f"uniform_() got unexpected keyword arguments {sorted(kw)}")
    dt = _float_self(self, "uniform_")
    if from_ > to:
        raise RuntimeError(
            f"uniform_ expects to return a [from, to) range, but found from={from_} > to={to}"
        )
    u = _uniform01(numpy_generator(generator), self._data.shape, _work_dtype(dt))
    return _fill(self, u * (to - from_) + from_, "uniform_")


def exponential_(self: Tensor, lambd: float = 1.0, *, generator=None) -> Tensor:
    """Fill with exponential samples of rate ``lambd``."""
    dt = _float_self(self, "exponential_")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    e = numpy_generator(generator).standard_exponential(self._data.shape, dtype=_work_dtype(dt))
    return _fill(self, e / lambd, "exponential_")


def cauchy_(self: Tensor, median: float = 0.0, sigma: float = 1.0, *, generator=None) -> Tensor:
    """Fill with Cauchy samples of the given ``median`` and scale ``sigma``."""
    _float_self(self, "cauchy_")
    c = numpy_generator(generator).standard_cauchy(self._data.shape)
    return _fill(self, c * sigma + median, "cauchy_")


def log_normal_(self: Tensor, mean: float = 1.0, std: float = 2.0, *, generator=None) -> Tensor:
    """Fill with samples whose logarithm is normal with ``mean`` and ``std``."""
    _float_self(self, "log_normal_")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    z = numpy_generator(generator).standard_normal(self._data.shape)
    return _fill(self, np.exp(z * std + mean), "log_normal_")


def geometric_(self: Tensor, p: float, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(``p``) trials up to the first success (1, 2, ...)."""
    if self._data.dtype.kind == "b" or self._data.dtype.kind == "c":
        raise RuntimeError(f"geometric_(): expected a real numeric tensor, got {self.dtype}")
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    g = numpy_generator(generator).geometric(p, self._data.shape)
    return _fill(self, g, "geometric_")


_FLOAT_RANDOM_HIGH = {"e": 1 << 11, "f": 1 << 24, "d": 1 << 53}


def random_(self: Tensor, from_=None, to=None, *, generator=None, **kw) -> Tensor:
    """Fill with integers drawn uniformly: ``random_(to)`` from ``[0, to)``,
    ``random_(from, to)`` from ``[from, to)``; with no upper bound, up to ``2**mantissa``
    (inclusive) for floats and the dtype's maximum for integer tensors."""
    if kw:
        to = kw.pop("to", to)
        from_ = kw.pop("from", from_)
        if kw:
            raise TypeError(f"random_() got unexpected keyword arguments {sorted(kw)}")
    elif to is None and from_ is not None:
        from_, to = 0, from_  # random_(to)
    if from_ is None:
        from_ = 0
    dt = self._data.dtype
    if to is None:
        if dt.kind == "b":
            to = 2
        elif dt.kind == "f":
            to = _FLOAT_RANDOM_HIGH.get(dt.char, 1 << 24) + 1
        elif dt.kind in "iu":
            to = int(np.iinfo(dt).max) + 1
        else:
            raise RuntimeError(f"random_(): unsupported dtype {self.dtype}")
    from_, to = int(from_), int(to)
    _check_range(from_, to, "random_")
    rng = numpy_generator(generator)
    if dt.kind in "iu" and to - 1 <= np.iinfo(dt).max and from_ >= np.iinfo(dt).min:
        arr = rng.integers(from_, to, self._data.shape, dtype=dt)
    elif dt.kind in "iu":
        raise RuntimeError(
            f"random_ expects 'from' and 'to' - 1 within the range of {self.dtype}, got "
            f"from={from_}, to={to}"
        )
    else:
        arr = rng.integers(from_, to, self._data.shape, dtype=np.int64)
    return _fill(self, arr, "random_")


def bernoulli_(self: Tensor, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 values, 1 with probability ``p`` (a float or a broadcastable tensor)."""
    probs = _as_array(p) if isinstance(p, Tensor) else float(p)
    _check_probs(np.asarray(probs), "bernoulli_")
    arr = _bernoulli_array(numpy_generator(generator), probs, self._data.shape, self._data.dtype)
    return _fill(self, arr, "bernoulli_")
