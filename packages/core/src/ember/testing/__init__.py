"""``ember.testing``: ``assert_close`` and ``make_tensor``, as in ``torch.testing``.

Example:
    >>> import ember
    >>> from ember.testing import assert_close, make_tensor
    >>> x = make_tensor(2, 3, dtype=ember.float32, low=-1, high=1)
    >>> assert_close(x * 1.0, x)
"""

from __future__ import annotations

import math

from .. import _dtype as D
from .._tensor import Tensor
from ._comparison import assert_close

__all__ = ["assert_close", "make_tensor"]

# dtype category -> default [low, high)
_DEFAULT_RANGES = {"b": (0, 2), "u": (0, 10), "i": (-9, 10), "f": (-9, 9), "c": (-9, 9)}


def _bounds(low, high, dt: D.dtype):
    kind = "b" if dt is D.bool else dt.np.kind
    dlow, dhigh = _DEFAULT_RANGES[kind]
    for name, v in (("low", low), ("high", high)):
        if v is not None and isinstance(v, float) and math.isnan(v):
            raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
        del name
    low = dlow if low is None else low
    high = dhigh if high is None else high
    if kind in "iu":
        info = D.iinfo(dt)
        low, high = max(low, info.min), min(high, info.max + 1)
        low, high = math.ceil(low), math.ceil(high)
    elif kind in "fc":
        info = D.finfo(dt)
        low, high = max(low, info.min), min(high, info.max)
    if low > high or (low == high and kind not in "fc"):
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    return low, high


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad: bool = False,
                noncontiguous: bool = False, exclude_zero: bool = False,
                memory_format=None) -> Tensor:  # fmt: skip
    """A tensor of the given shape filled with random values from ``[low, high)``.

    Defaults for the range: bool ``[0, 2)``, unsigned ``[0, 10)``, signed integers
    ``[-9, 10)``, floating and complex ``[-9, 9)``; ``low``/``high`` are clamped to the
    dtype's range. Values come from Ember's default generator, so ``ember.manual_seed``
    makes them reproducible.

    Args:
        shape: sizes, as ints or one sequence.
        dtype: the element type (required, as in PyTorch).
        device: where to create it (default: the CPU).
        low, high: the range to draw from.
        requires_grad: make it a leaf requiring grad (floating and complex only).
        noncontiguous: return a non-contiguous view with the same values.
        exclude_zero: replace zeros by a small non-zero value (the dtype's ``tiny``, or 1).

    Example:
        >>> import ember
        >>> from ember.testing import make_tensor
        >>> t = make_tensor(2, 2, dtype=ember.int64, low=0, high=3)
        >>> t.dtype, bool(((t >= 0) & (t < 3)).all())
        (ember.int64, True)
    """
    import ember

    dt = D.to_dtype(dtype)
    if requires_grad and not (dt.is_floating_point or dt.is_complex):
        raise ValueError(
            "`requires_grad=True` is not supported for boolean and integral dtypes, but got "
            f"dtype={dt}"
        )
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    full_shape = tuple(shape)
    if noncontiguous and full_shape:
        full_shape = (*full_shape[:-1], full_shape[-1] * 2)
    low, high = _bounds(low, high, dt)
    if dt is D.bool or not (dt.is_floating_point or dt.is_complex):
        t = ember.randint(low, high, full_shape, dtype=dt, device=device)
    else:
        work = dt.to_real()
        t = ember.rand(full_shape, dtype=work, device=device) * (high - low) + low
        if dt.is_complex:
            imag = ember.rand(full_shape, dtype=work, device=device) * (high - low) + low
            t = ember.tensor(t._data + 1j * imag._data, dtype=dt, device=device)
        elif t.dtype is not dt:
            t = t.to(dt)
    if exclude_zero:
        data = t._data
        replacement = 1 if dt is D.bool or dt.np.kind in "iu" else D.finfo(dt).tiny
        data[data == 0] = replacement
    if noncontiguous and full_shape:
        t = t[..., ::2]
    if requires_grad:
        t.requires_grad_(True)
    return t
