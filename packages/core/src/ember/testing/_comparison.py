"""``assert_close``: PyTorch's comparison of tensors, numbers, sequences and mappings.

Inputs are paired up recursively (sequences element by element, mappings key by key), and
each pair is compared by the first comparer that accepts it: ``None`` pairs, booleans, Python
or NumPy numbers, and tensor-likes (Tensors, or NumPy arrays compared with each other).
Messages follow PyTorch's word for word, with ``ember`` in place of ``torch``.
"""

from __future__ import annotations

import cmath
import contextlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

__all__ = ["assert_close"]

# dtype -> (rtol, atol); other dtypes compare exactly
_PRECISIONS = {
    D.float16: (1e-3, 1e-5),
    D.bfloat16: (1.6e-2, 1e-5),
    D.float32: (1.3e-6, 1e-5),
    D.float64: (1e-7, 1e-7),
    D.complex64: (1.3e-6, 1e-5),
    D.complex128: (1e-7, 1e-7),
}
_NUMBER_DTYPES = {int: D.int64, float: D.float64, complex: D.complex128}


class _Mismatch(Exception):
    """A failed comparison: the exception type to raise, its message and the item path."""

    def __init__(self, type_: type[Exception], msg: str, id_: tuple = ()):
        super().__init__(msg)
        self.type = type_
        self.msg = msg
        self.id = id_

    def to_error(self, msg=None) -> Exception:
        if not isinstance(msg, str):
            generated = self.msg
            if self.id:
                generated += "\n\nThe failure occurred for item " + "".join(
                    str([item]) for item in self.id
                )
            msg = msg(generated) if callable(msg) else generated
        return self.type(msg)


class _Unsupported(Exception):
    """This comparer does not handle these inputs; try the next one."""


def _tolerances(dtypes, rtol, atol, id_) -> tuple[float, float]:
    if (rtol is None) ^ (atol is None):
        raise _Mismatch(
            ValueError,
            "Both 'rtol' and 'atol' must be either specified or omitted, but got no "
            f"{'rtol' if rtol is None else 'atol'}.",
            id_,
        )
    if rtol is not None:
        return rtol, atol
    pairs = [_PRECISIONS.get(d, (0.0, 0.0)) for d in dtypes]
    return max(p[0] for p in pairs), max(p[1] for p in pairs)


def _mismatch_msg(*, default_identifier, extra, abs_diff, abs_idx, atol, rel_diff, rel_idx,
                  rtol) -> str:  # fmt: skip
    equality = rtol == 0 and atol == 0

    def diff_msg(kind, diff, idx, tol):
        if idx is None:
            msg = f"{kind.title()} difference: {diff}"
        else:
            msg = f"Greatest {kind} difference: {diff} at index {idx}"
        if not equality:
            msg += f" (up to {tol} allowed)"
        return msg + "\n"

    msg = f"{default_identifier} are not {'equal' if equality else 'close'}!\n\n"
    if extra:
        msg += f"{extra.strip()}\n"
    msg += diff_msg("absolute", abs_diff, abs_idx, atol)
    msg += diff_msg("relative", rel_diff, rel_idx, rtol)
    return msg.strip()


def _scalar_msg(actual, expected, rtol, atol) -> str:
    abs_diff = abs(actual - expected)
    rel_diff = float("inf") if expected == 0 else abs_diff / abs(expected)
    return _mismatch_msg(
        default_identifier="Scalars",
        extra=f"Expected {expected} but got {actual}.",
        abs_diff=abs_diff, abs_idx=None, atol=atol, rel_diff=rel_diff, rel_idx=None, rtol=rtol,
    )  # fmt: skip


# -- comparers ---------------------------------------------------------------------------------


def _compare_none(actual, expected, id_, opts) -> None:
    if actual is not None or expected is not None:
        raise _Unsupported
    # both None: equal


def _compare_bool(actual, expected, id_, opts) -> None:
    kinds = (bool, np.bool_)
    if not (isinstance(actual, kinds) and isinstance(expected, kinds)):
        raise _Unsupported
    a, e = bool(actual), bool(expected)
    if a is not e:
        raise _Mismatch(AssertionError, f"Booleans mismatch: {a} is not {e}", id_)


def _compare_number(actual, expected, id_, opts) -> None:
    kinds = (int, float, complex, np.number)
    if not (isinstance(actual, kinds) and isinstance(expected, kinds)):
        raise _Unsupported
    a = actual.item() if isinstance(actual, np.number) else actual
    e = expected.item() if isinstance(expected, np.number) else expected
    rtol, atol = _tolerances(
        [_NUMBER_DTYPES[type(x) if type(x) in _NUMBER_DTYPES else float] for x in (a, e)],
        opts["rtol"], opts["atol"], id_,
    )  # fmt: skip
    if opts["check_dtype"] and type(a) is not type(e):
        raise _Mismatch(AssertionError, f"The (d)types do not match: {type(a)} != {type(e)}.", id_)
    if a == e:
        return
    if opts["equal_nan"] and cmath.isnan(a) and cmath.isnan(e):
        return
    abs_diff = abs(a - e)
    if cmath.isfinite(abs_diff) and abs_diff <= atol + rtol * abs(e):
        return
    raise _Mismatch(AssertionError, _scalar_msg(a, e, rtol, atol), id_)


def _to_tensor(x) -> Tensor:
    if isinstance(x, Tensor):
        return x
    from .._creation import as_tensor

    try:
        return as_tensor(x)
    except Exception:
        raise _Unsupported from None


def _compare_tensor_like(actual, expected, id_, opts) -> None:
    related = isinstance(actual, type(expected)) or isinstance(expected, type(actual))
    if not related or (not opts["allow_subclasses"] and type(actual) is not type(expected)):
        raise _Unsupported
    if not isinstance(actual, (Tensor, np.ndarray)):
        raise _Unsupported
    a, e = _to_tensor(actual), _to_tensor(expected)
    rtol, atol = _tolerances([a.dtype, e.dtype], opts["rtol"], opts["atol"], id_)

    def attr_mismatch(name, av, ev):
        raise _Mismatch(
            AssertionError, f"The values for attribute '{name}' do not match: {av} != {ev}.", id_
        )

    if a.shape != e.shape:
        attr_mismatch("shape", a.shape, e.shape)
    if opts["check_stride"] and a.stride() != e.stride():
        attr_mismatch("stride()", a.stride(), e.stride())
    if opts["check_device"] and a.device != e.device:
        attr_mismatch("device", a.device, e.device)
    if opts["check_dtype"] and a.dtype is not e.dtype:
        attr_mismatch("dtype", a.dtype, e.dtype)

    ad = a._data if a._data.__class__ is np.ndarray else a._data.get()
    ed = e._data if e._data.__class__ is np.ndarray else e._data.get()
    if ad.dtype != ed.dtype:
        common = D.promote_types(_signed(a.dtype), _signed(e.dtype)).np
        ad, ed = ad.astype(common), ed.astype(common)
    _compare_values(ad, ed, rtol, atol, opts["equal_nan"], id_)


def _signed(dt: D.dtype) -> D.dtype:
    return D.int64 if dt in (D.uint16, D.uint32, D.uint64) else dt


def _isclose(a: np.ndarray, e: np.ndarray, rtol, atol, equal_nan) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        eq = a == e
        if a.dtype.kind in "fc":
            if equal_nan:
                eq |= np.isnan(a) & np.isnan(e)
            if rtol == 0 and atol == 0:
                return eq
            finite = np.isfinite(a) & np.isfinite(e)
            tol = atol + np.abs(rtol * e)
            eq |= finite & (np.abs(a - e) <= tol)
        elif rtol != 0 or atol != 0:
            a64, e64 = a.astype(np.float64), e.astype(np.float64)
            eq |= np.abs(a64 - e64) <= atol + np.abs(rtol * e64)
    return eq


def _py(x):
    return x.item()


def _compare_values(a: np.ndarray, e: np.ndarray, rtol, atol, equal_nan, id_) -> None:
    matches = _isclose(a, e, rtol, atol, equal_nan)
    if matches.all():
        return
    if a.ndim == 0:
        raise _Mismatch(AssertionError, _scalar_msg(_py(a), _py(e), rtol, atol), id_)
    n = matches.size
    mismatched = n - int(matches.sum())
    extra = f"Mismatched elements: {mismatched} / {n} ({mismatched / n:.1%})"
    af, ef, mf = a.reshape(-1), e.reshape(-1), matches.reshape(-1)
    if a.dtype.kind not in "fc":
        af, ef = af.astype(np.int64), ef.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        abs_diff = np.abs(af - ef)
        abs_diff[mf] = 0
        if abs_diff.dtype.kind in "iu":  # integer division gives the default float dtype
            ft = D.get_default_dtype().np
            rel_diff = abs_diff.astype(ft) / np.abs(ef).astype(ft)
        else:
            rel_diff = abs_diff / np.abs(ef)
        rel_diff[mf] = 0
    ai, ri = int(np.argmax(abs_diff)), int(np.argmax(rel_diff))
    raise _Mismatch(
        AssertionError,
        _mismatch_msg(
            default_identifier="Tensor-likes",
            extra=extra,
            abs_diff=_py(abs_diff[ai]),
            abs_idx=_unravel(ai, matches.shape),
            atol=atol,
            rel_diff=_py(rel_diff[ri]),
            rel_idx=_unravel(ri, matches.shape),
            rtol=rtol,
        ),
        id_,
    )


def _unravel(flat: int, shape) -> tuple:
    return tuple(int(i) for i in np.unravel_index(flat, shape))


_COMPARERS = (_compare_none, _compare_bool, _compare_number, _compare_tensor_like)


def _compare(actual, expected, id_, opts) -> list[_Mismatch]:
    """Compare recursively; returns the failures (an empty list when all match)."""
    if (
        isinstance(actual, Sequence) and not isinstance(actual, str)
        and isinstance(expected, Sequence) and not isinstance(expected, str)
    ):  # fmt: skip
        if len(actual) != len(expected):
            raise _Mismatch(
                AssertionError,
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}",
                id_,
            )
        failures = []
        for i in range(len(actual)):
            failures += _compare(actual[i], expected[i], (*id_, i), opts)
        return failures
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        ak, ek = set(actual.keys()), set(expected.keys())
        if ak != ek:
            raise _Mismatch(
                AssertionError,
                "The keys of the mappings do not match:\n"
                f"Missing keys in the actual mapping: {sorted(ek - ak)}\n"
                f"Additional keys in the actual mapping: {sorted(ak - ek)}",
                id_,
            )
        keys = list(ak)
        with contextlib.suppress(TypeError):  # deterministic order where keys sort
            keys = sorted(keys)
        failures = []
        for k in keys:
            failures += _compare(actual[k], expected[k], (*id_, k), opts)
        return failures
    for comparer in _COMPARERS:
        try:
            comparer(actual, expected, id_, opts)
            return []
        except _Unsupported:
            continue
        except _Mismatch as failure:
            return [failure]
    raise _Mismatch(
        TypeError,
        f"No comparison pair was able to handle inputs of type {type(actual)} and "
        f"{type(expected)}.",
        id_,
    )


def assert_close(
    actual: Any,
    expected: Any,
    *,
    allow_subclasses: bool = True,
    rtol: float | None = None,
    atol: float | None = None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg: str | Callable[[str], str] | None = None,
) -> None:
    """Assert that ``actual`` and ``expected`` are close: ``|actual - expected| <= atol +
    rtol * |expected|`` elementwise, with the same shape, dtype and device (PyTorch's rules).

    Without ``rtol``/``atol``, tolerances come from the dtype: float16 ``1e-3``/``1e-5``,
    bfloat16 ``1.6e-2``/``1e-5``, float32 and complex64 ``1.3e-6``/``1e-5``, float64 and
    complex128 (and Python floats) ``1e-7``/``1e-7``, exact for integers and bools.
    Sequences and mappings are compared element by element.

    Args:
        actual, expected: tensors, NumPy arrays, numbers, or (nested) sequences and mappings.
        allow_subclasses: accept inputs whose types are subclasses of each other.
        rtol, atol: relative and absolute tolerances (give both or neither).
        equal_nan: treat two NaNs as equal.
        check_device, check_dtype, check_stride: also require equal devices, dtypes, strides
            (otherwise values are compared on the CPU in the promoted dtype).
        check_layout: accepted for compatibility (Ember tensors are all strided).
        msg: a message to raise instead, or a callable that rewrites the generated one.

    Raises:
        AssertionError: when the inputs are not close or their attributes differ.
        TypeError: when no comparison handles the inputs (for example a tensor and a list).
        ValueError: when only one of ``rtol`` and ``atol`` is given.

    Example:
        >>> import ember
        >>> from ember.testing import assert_close
        >>> assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.0000001]))
        >>> assert_close(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 2.5]))
        Traceback (most recent call last):
        ...
        AssertionError: Tensor-likes are not close!
        <BLANKLINE>
        Mismatched elements: 1 / 2 (50.0%)
        Greatest absolute difference: 0.5 at index (1,) (up to 1e-05 allowed)
        Greatest relative difference: 0.20000000298023224 at index (1,) (up to 1.3e-06 allowed)
    """
    __tracebackhide__ = True
    opts = {
        "allow_subclasses": allow_subclasses, "rtol": rtol, "atol": atol,
        "equal_nan": equal_nan, "check_device": check_device, "check_dtype": check_dtype,
        "check_stride": check_stride,
    }  # fmt: skip
    try:
        failures = _compare(actual, expected, (), opts)
    except _Mismatch as failure:
        raise failure.to_error(msg) from None
    if failures:
        raise failures[0].to_error(msg) from None
