"""Comparison, logical and bitwise ops, the tests ``isnan``/``isinf``/``isclose``/``isin``,
and ``searchsorted``/``bucketize``. None of these is differentiable: results are bool (or
integer) tensors outside the graph.

Comparisons run NumPy's ufunc on the two arrays directly (NumPy compares mixed dtypes
exactly); bitwise ops promote with PyTorch's rules and accept integer and bool tensors only.

Example:
    >>> import ember
    >>> x = ember.tensor([1.0, 2.0, 3.0])
    >>> x > 1.5
    tensor([False,  True,  True])
    >>> (x > 1.5) & (x < 3)
    tensor([False,  True, False])
"""

from __future__ import annotations

import numbers

from .. import _dtype as D
from ._core import Tensor, binary_arrays, broadcast_error, np
from .arithmetic import _maybe_out
from .inplace import inplace_binary
from .pointwise import new_tensor

__all__ = [
    "eq", "ne", "not_equal", "lt", "less", "le", "less_equal", "gt", "greater", "ge",
    "greater_equal", "isclose", "allclose", "equal", "isnan", "isinf", "isposinf", "isneginf",
    "isfinite", "isin", "searchsorted", "bucketize", "bitwise_and", "bitwise_or", "bitwise_xor",
    "bitwise_not", "bitwise_left_shift", "bitwise_right_shift", "logical_and", "logical_or",
    "logical_xor", "logical_not",
]  # fmt: skip

_SCALARS = (numbers.Number, np.generic)


def _other_array(other, op: str):
    """The array of a Tensor operand, or a Python/NumPy scalar itself; None otherwise."""
    if isinstance(other, Tensor):
        return other._data
    if isinstance(other, _SCALARS):
        return other
    return None


def _type_error(op: str, x, pos: int = 1, arg: str = "input") -> TypeError:
    return TypeError(
        f"{op}(): argument '{arg}' (position {pos}) must be Tensor, not {type(x).__name__}"
    )


# -- comparisons --------------------------------------------------------------------------------


def _comparison(name: str, ufunc, ordered: bool, example: str, result: str):
    def op(input, other, *, out=None):
        if isinstance(input, Tensor):
            ad = input._data
            kind = ad.dtype.kind
            bd = _other_array(other, name)
            if bd is None:
                raise _type_error(name, other, 2, "other")
        elif isinstance(other, Tensor):
            bd = other._data
            kind = bd.dtype.kind
            ad = _other_array(input, name)
            if ad is None:
                raise _type_error(name, input)
        else:
            raise _type_error(name, input)
        if ordered and kind == "c":
            raise RuntimeError(f"{name}(): not implemented for complex tensors")
        try:
            arr = ufunc(ad, bd)
        except ValueError:
            raise broadcast_error(name, np.shape(ad), np.shape(bd)) from None
        res = new_tensor(arr)
        return res if out is None else _maybe_out(res, out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (
        f"``{example.split('(')[0]}``: elementwise, a bool tensor (``other`` may be a number).\n\n"
        f"    Example:\n        >>> import ember\n        >>> {example}\n        {result}\n"
    )
    return op


eq = _comparison(
    "eq", np.equal, False, "ember.eq(ember.tensor([1, 2]), 2)", "tensor([False,  True])"
)
ne = _comparison(
    "ne", np.not_equal, False, "ember.ne(ember.tensor([1, 2]), 2)", "tensor([ True, False])"
)
lt = _comparison("lt", np.less, True, "ember.lt(ember.tensor([1, 2]), 2)", "tensor([ True, False])")
le = _comparison(
    "le", np.less_equal, True, "ember.le(ember.tensor([1, 3]), 2)", "tensor([ True, False])"
)
gt = _comparison(
    "gt", np.greater, True, "ember.gt(ember.tensor([1, 3]), 2)", "tensor([False,  True])"
)
ge = _comparison(
    "ge", np.greater_equal, True, "ember.ge(ember.tensor([1, 2]), 2)", "tensor([False,  True])"
)
not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


def _operator(fn):
    """The Python operator form: NotImplemented for operands that are not tensors or numbers
    (so ``x == None`` is False and ``x < None`` raises TypeError, as in PyTorch)."""

    def op(self, other):
        if isinstance(other, (Tensor, *_SCALARS)):
            return fn(self, other)
        return NotImplemented

    op.__name__ = fn.__name__
    return op


def _reflected(fn):
    def op(self, other):
        if isinstance(other, _SCALARS):
            return fn(other, self)
        return NotImplemented

    return op


# -- floating-point tests -----------------------------------------------------------------------


def _test(name: str, kernel, doc: str):
    def op(input):
        if not isinstance(input, Tensor):
            raise _type_error(name, input)
        d = input._data
        if d.dtype.kind in "biu":
            return new_tensor(np.full_like(d, name == "isfinite", dtype=bool))
        return new_tensor(kernel(d))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _no_complex(name, kernel):
    def run(d):
        if d.dtype.kind == "c":
            raise RuntimeError(f"{name} does not support complex inputs.")
        return kernel(d)

    return run


isnan = _test("isnan", np.isnan, """True where the value is NaN.

    Example:
        >>> import ember
        >>> ember.isnan(ember.tensor([1.0, float("nan")]))
        tensor([False,  True])
    """)  # fmt: skip
isinf = _test("isinf", np.isinf, """True where the value is +inf or -inf.

    Example:
        >>> import ember
        >>> ember.isinf(ember.tensor([1.0, float("-inf")]))
        tensor([False,  True])
    """)  # fmt: skip
isposinf = _test("isposinf", _no_complex("isposinf", np.isposinf), """True where the value is +inf.

    Example:
        >>> import ember
        >>> ember.isposinf(ember.tensor([float("inf"), float("-inf")]))
        tensor([ True, False])
    """)  # fmt: skip
isneginf = _test("isneginf", _no_complex("isneginf", np.isneginf), """True where the value is -inf.

    Example:
        >>> import ember
        >>> ember.isneginf(ember.tensor([float("inf"), float("-inf")]))
        tensor([False,  True])
    """)  # fmt: skip
isfinite = _test("isfinite", np.isfinite, """True where the value is neither infinite nor NaN.

    Example:
        >>> import ember
        >>> ember.isfinite(ember.tensor([1.0, float("inf"), float("nan")]))
        tensor([ True, False, False])
    """)  # fmt: skip


def isclose(
    input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """True where ``|input - other| <= atol + rtol * |other|`` (or both are equal, including
    infinities; NaNs are equal with ``equal_nan``). Both tensors must have the same dtype.

    Example:
        >>> import ember
        >>> ember.isclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0 + 1e-7, 2.1]))
        tensor([ True, False])
    """
    if not isinstance(input, Tensor):
        raise _type_error("isclose", input)
    a = input._data
    if isinstance(other, Tensor):
        b = other._data
        if a.dtype != b.dtype:
            raise RuntimeError(
                f"isclose(): expected both tensors to have the same dtype, but got "
                f"{input.dtype.name} and {other.dtype.name}"
            )
    else:
        b = np.asarray(other, dtype=a.dtype)
    if rtol < 0 or atol < 0:
        raise RuntimeError(
            f"isclose(): rtol and atol must be non-negative, got rtol={rtol}, atol={atol}"
        )
    try:
        close = a == b
    except ValueError:
        raise broadcast_error("isclose", a.shape, np.shape(b)) from None
    if a.dtype.kind == "b":
        return new_tensor(close)
    if equal_nan and a.dtype.kind in "fc":
        close = close | (np.isnan(a) & np.isnan(b))
    with np.errstate(all="ignore"):
        if a.dtype.kind in "iu":
            a, b = a.astype(np.float64), b.astype(np.float64)
        err = np.abs(a - b)
        close = close | (np.isfinite(err) & (err <= atol + rtol * np.abs(b)))
    return new_tensor(close)


def allclose(
    input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether ``isclose`` holds everywhere (a Python bool).

    Example:
        >>> import ember
        >>> ember.allclose(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0 + 1e-9]))
        True
    """
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other) -> bool:
    """Whether the two tensors have the same shape and the same values (a Python bool).

    Example:
        >>> import ember
        >>> ember.equal(ember.tensor([1, 2]), ember.tensor([1.0, 2.0]))
        True
    """
    if not isinstance(input, Tensor):
        raise _type_error("equal", input)
    if not isinstance(other, Tensor):
        raise _type_error("equal", other, 2, "other")
    a, b = input._data, other._data
    return a.shape == b.shape and bool((a == b).all())


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """True where an element of ``elements`` occurs in ``test_elements`` (either may be a
    number).

    Example:
        >>> import ember
        >>> ember.isin(ember.tensor([1, 2, 3]), ember.tensor([2, 5]))
        tensor([False,  True, False])
    """
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(
            "isin(): expected at least one of 'elements' and 'test_elements' to be a Tensor"
        )
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    if a.__class__ is not b.__class__:
        from ._core import to_array

        a, b = to_array(a, like=b), to_array(b, like=a)
    return new_tensor(np.isin(a, b, assume_unique=assume_unique, invert=invert))


# -- searchsorted / bucketize -------------------------------------------------------------------


def searchsorted(sorted_sequence, input, *, out_int32: bool = False, right: bool = False,
                 side: str | None = None, sorter=None, out=None) -> Tensor:  # fmt: skip
    """Indices where ``input`` values would be inserted into ``sorted_sequence`` (sorted along
    its last dimension) to keep it sorted.

    Args:
        sorted_sequence: 1-D, or N-D whose leading dimensions match those of ``input``.
        input: the values, a tensor or a number.
        right: insert after equal values (``side='right'``) rather than before.
        side: ``'left'`` or ``'right'``; must agree with ``right`` when both are given.
        sorter: indices that sort ``sorted_sequence`` along its last dimension.
        out_int32: return int32 indices instead of int64.

    Example:
        >>> import ember
        >>> ember.searchsorted(ember.tensor([1, 3, 5, 7]), ember.tensor([3, 6, 9]))
        tensor([1, 3, 4])
    """
    if not isinstance(sorted_sequence, Tensor):
        raise _type_error("searchsorted", sorted_sequence, 1, "sorted_sequence")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"searchsorted(): side can only be 'left' or 'right' but got {side!r}"
            )
        if right and side == "left":
            raise RuntimeError(
                "searchsorted(): side and right can't be set to opposites, got side of left "
                "while right was True"
            )
        right = side == "right"
    seq = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    vals = np.asarray(input) if scalar else input._data
    if sorter is not None:
        order = sorter._data if isinstance(sorter, Tensor) else np.asarray(sorter)
        if order.shape != seq.shape:
            raise RuntimeError(
                f"searchsorted(): boundary and sorter must have the same size, but got boundary "
                f"tensor {list(seq.shape)} and got sorter tensor {list(order.shape)}"
            )
        seq = np.take_along_axis(seq, order.astype(np.int64), axis=-1)
    if seq.ndim == 0:
        raise RuntimeError("searchsorted(): boundaries tensor should have at least one dimension")
    where = "right" if right else "left"
    if seq.ndim == 1:
        idx = np.searchsorted(seq, vals, side=where)
    else:
        if scalar or vals.shape[:-1] != seq.shape[:-1]:
            raise RuntimeError(
                "searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                "dimensions of boundaries tensor and input value tensor must match, but we got "
                f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
            )
        rows = seq.reshape(-1, seq.shape[-1])
        flat = vals.reshape(-1, vals.shape[-1])
        idx = np.stack([np.searchsorted(r, v, side=where) for r, v in zip(rows, flat, strict=True)])
        idx = idx.reshape(vals.shape)
    idx = np.asarray(idx).astype(np.int32 if out_int32 else np.int64, copy=False)
    return _maybe_out(new_tensor(idx), out)


def bucketize(
    input, boundaries, *, out_int32: bool = False, right: bool = False, out=None
) -> Tensor:
    """The bucket index of each value of ``input`` for the sorted 1-D ``boundaries``:
    ``boundaries[i-1] < x <= boundaries[i]`` (``right=False``) or
    ``boundaries[i-1] <= x < boundaries[i]`` (``right=True``).

    Example:
        >>> import ember
        >>> ember.bucketize(ember.tensor([1, 6, 9]), ember.tensor([1, 3, 5, 7]))
        tensor([0, 3, 4])
    """
    if not isinstance(boundaries, Tensor):
        raise _type_error("bucketize", boundaries, 2, "boundaries")
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            "bucketize(): boundaries tensor must be 1 dimension, but got "
            f"dim({boundaries._data.ndim})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# -- bitwise and logical ------------------------------------------------------------------------


def _bitwise(name: str, kernel, doc: str):
    def op(input, other, *, out=None):
        a, _, ad, bd = binary_arrays(input, other, name)
        t = ad if a is not None else bd
        if t.dtype.kind not in "biu":
            got = D.from_numpy_dtype(t.dtype).name
            raise RuntimeError(f"{name}(): only integer and bool tensors are supported, got {got}")
        try:
            arr = kernel(ad, bd)
        except ValueError:
            raise broadcast_error(name, np.shape(ad), np.shape(bd)) from None
        if arr.dtype != t.dtype:
            arr = arr.astype(t.dtype)
        return _maybe_out(new_tensor(arr), out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


def _shift(left: bool):
    name = "bitwise_left_shift" if left else "bitwise_right_shift"

    def kernel(a, b):
        a_arr = a if hasattr(a, "dtype") else np.asarray(a, dtype=np.asarray(b).dtype)
        if a_arr.dtype.kind == "b":
            raise RuntimeError(f"{name}(): not implemented for bool tensors")
        bits = a_arr.dtype.itemsize * 8
        b_arr = np.asarray(b) if not hasattr(b, "dtype") else b
        too_far = (b_arr >= bits) | (b_arr < 0)
        amount = np.where(too_far, 0, b_arr).astype(a_arr.dtype, copy=False)
        if left:
            return np.where(too_far, 0, np.left_shift(a_arr, amount))
        filled = np.where(a_arr < 0, -1, 0) if a_arr.dtype.kind == "i" else 0
        return np.where(too_far, filled, np.right_shift(a_arr, amount))

    return kernel


bitwise_and = _bitwise(
    "bitwise_and",
    np.bitwise_and,
    """Elementwise AND of integer or bool tensors (the ``&`` operator).

    Example:
        >>> import ember
        >>> ember.bitwise_and(ember.tensor([12, 10]), 6)
        tensor([4, 2])
    """)  # fmt: skip
bitwise_or = _bitwise(
    "bitwise_or",
    np.bitwise_or,
    """Elementwise OR of integer or bool tensors (the ``|`` operator).

    Example:
        >>> import ember
        >>> ember.bitwise_or(ember.tensor([12, 10]), 6)
        tensor([14, 14])
    """)  # fmt: skip
bitwise_xor = _bitwise(
    "bitwise_xor",
    np.bitwise_xor,
    """Elementwise XOR of integer or bool tensors (the ``^`` operator).

    Example:
        >>> import ember
        >>> ember.bitwise_xor(ember.tensor([12, 10]), 6)
        tensor([10, 12])
    """)  # fmt: skip
bitwise_left_shift = _bitwise(
    "bitwise_left_shift",
    _shift(True),
    """``input << other``; shifts of the bit width or more give 0.

    Example:
        >>> import ember
        >>> ember.bitwise_left_shift(ember.tensor([1, 3]), 2)
        tensor([ 4, 12])
    """)  # fmt: skip
bitwise_right_shift = _bitwise(
    "bitwise_right_shift",
    _shift(False),
    """``input >> other`` (arithmetic shift for signed integers).

    Example:
        >>> import ember
        >>> ember.bitwise_right_shift(ember.tensor([8, -8]), 1)
        tensor([ 4, -4])
    """)  # fmt: skip


def bitwise_not(input, *, out=None) -> Tensor:
    """Elementwise NOT: ``~x`` for integers, logical not for bools.

    Example:
        >>> import ember
        >>> ember.bitwise_not(ember.tensor([0, 5]))
        tensor([-1, -6])
    """
    if not isinstance(input, Tensor):
        raise _type_error("bitwise_not", input)
    d = input._data
    if d.dtype.kind not in "biu":
        raise RuntimeError(
            f"bitwise_not(): only integer and bool tensors are supported, got {input.dtype.name}"
        )
    return _maybe_out(new_tensor(np.invert(d)), out)


def _invert(self):
    if self._data.dtype.kind not in "biu":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return new_tensor(np.invert(self._data))


def _logical(name: str, ufunc, doc: str):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            raise _type_error(name, input)
        if not isinstance(other, Tensor):
            raise _type_error(name, other, 2, "other")
        try:
            arr = ufunc(input._data, other._data)
        except ValueError:
            raise broadcast_error(name, input._data.shape, other._data.shape) from None
        return _maybe_out(new_tensor(arr), out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


logical_and = _logical("logical_and", np.logical_and, """True where both are non-zero.

    Example:
        >>> import ember
        >>> ember.logical_and(ember.tensor([1.0, 0.0, 2.0]), ember.tensor([True, True, False]))
        tensor([ True, False, False])
    """)  # fmt: skip
logical_or = _logical("logical_or", np.logical_or, """True where either is non-zero.

    Example:
        >>> import ember
        >>> ember.logical_or(ember.tensor([1, 0, 0]), ember.tensor([0, 0, 3]))
        tensor([ True, False,  True])
    """)  # fmt: skip
logical_xor = _logical("logical_xor", np.logical_xor, """True where exactly one is non-zero.

    Example:
        >>> import ember
        >>> ember.logical_xor(ember.tensor([1, 0, 2]), ember.tensor([0, 0, 3]))
        tensor([ True, False, False])
    """)  # fmt: skip


def logical_not(input, *, out=None) -> Tensor:
    """True where the value is zero.

    Example:
        >>> import ember
        >>> ember.logical_not(ember.tensor([0.0, 2.0]))
        tensor([ True, False])
    """
    if not isinstance(input, Tensor):
        raise _type_error("logical_not", input)
    return _maybe_out(new_tensor(np.logical_not(input._data)), out)


# -- Tensor methods and operators ---------------------------------------------------------------

_hash = Tensor.__hash__

for _name, _fn in {
    "eq": eq, "ne": ne, "not_equal": ne, "lt": lt, "less": lt, "le": le, "less_equal": le,
    "gt": gt, "greater": gt, "ge": ge, "greater_equal": ge, "bitwise_and": bitwise_and,
    "bitwise_or": bitwise_or, "bitwise_xor": bitwise_xor, "bitwise_left_shift": bitwise_left_shift,
    "bitwise_right_shift": bitwise_right_shift, "logical_and": logical_and,
    "logical_or": logical_or,
    "logical_xor": logical_xor,
}.items():  # fmt: skip
    setattr(Tensor, _name, _fn)
    setattr(Tensor, _name + "_", inplace_binary(_fn, _name + "_"))
for _name, _fn in {"bitwise_not": bitwise_not, "logical_not": logical_not}.items():
    setattr(Tensor, _name, _fn)
    setattr(Tensor, _name + "_", inplace_binary(_fn, _name + "_", unary=True))
for _name, _fn in {
    "isnan": isnan, "isinf": isinf, "isposinf": isposinf, "isneginf": isneginf,
    "isfinite": isfinite,
    "isclose": isclose, "allclose": allclose, "equal": equal, "isin": isin,
}.items():  # fmt: skip
    setattr(Tensor, _name, _fn)

Tensor.__eq__ = _operator(eq)
Tensor.__ne__ = _operator(ne)
Tensor.__lt__ = _operator(lt)
Tensor.__le__ = _operator(le)
Tensor.__gt__ = _operator(gt)
Tensor.__ge__ = _operator(ge)
Tensor.__hash__ = _hash  # identity hash: tensors stay usable as dict keys and in sets

Tensor.__and__ = _operator(bitwise_and)
Tensor.__or__ = _operator(bitwise_or)
Tensor.__xor__ = _operator(bitwise_xor)
Tensor.__lshift__ = _operator(bitwise_left_shift)
Tensor.__rshift__ = _operator(bitwise_right_shift)
Tensor.__rand__ = _reflected(bitwise_and)
Tensor.__ror__ = _reflected(bitwise_or)
Tensor.__rxor__ = _reflected(bitwise_xor)
Tensor.__rlshift__ = _reflected(bitwise_left_shift)
Tensor.__rrshift__ = _reflected(bitwise_right_shift)
Tensor.__iand__ = Tensor.bitwise_and_
Tensor.__ior__ = Tensor.bitwise_or_
Tensor.__ixor__ = Tensor.bitwise_xor_
Tensor.__ilshift__ = Tensor.bitwise_left_shift_
Tensor.__irshift__ = Tensor.bitwise_right_shift_
Tensor.__invert__ = _invert

del _name, _fn
