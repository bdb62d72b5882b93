"""ember.testing: assert_close (messages recorded from PyTorch 2.13's torch.testing) and
make_tensor."""

# Recorded PyTorch strings are kept whole, and match= patterns are written plainly:
# ruff: noqa: RUF043

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember.testing import assert_close, make_tensor

T = ember.tensor


def _message(actual, expected, **kwargs):
    with pytest.raises(Exception) as info:
        assert_close(actual, expected, **kwargs)
    return type(info.value), str(info.value)


# (actual, expected, kwargs, exception type, message from PyTorch)
CASES = [
    (T([[1.0, 2.0], [3.0, 4.0]]), T([[1.0, 2.5], [3.0, 4.1]]), {}, AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 2 / 4 (50.0%)\nGreatest absolute "
     "difference: 0.5 at index (0, 1) (up to 1e-05 allowed)\nGreatest relative difference: "
     "0.20000000298023224 at index (0, 1) (up to 1.3e-06 allowed)"),
    (T([1.0, 2.0]), T([1.0, 2.0], dtype=ember.float64), {}, AssertionError,
     "The values for attribute 'dtype' do not match: ember.float32 != ember.float64."),
    (T([1.0, 2.0]), T([1.0, 2.0, 3.0]), {}, AssertionError,
     "The values for attribute 'shape' do not match: ember.Size([2]) != ember.Size([3])."),
    (T([1, 2]), T([1, 3]), {}, AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute "
     "difference: 1 at index (1,)\nGreatest relative difference: 0.3333333432674408 at index (1,)"),
    (T(1.0), T(2.0), {}, AssertionError,
     "Scalars are not close!\n\nExpected 2.0 but got 1.0.\nAbsolute difference: 1.0 (up to "
     "1e-05 allowed)\nRelative difference: 0.5 (up to 1.3e-06 allowed)"),
    (1.0, 1.1, {}, AssertionError,
     "Scalars are not close!\n\nExpected 1.1 but got 1.0.\nAbsolute difference: "
     "0.10000000000000009 (up to 1e-07 allowed)\nRelative difference: 0.09090909090909098 (up "
     "to 1e-07 allowed)"),
    (1, 2, {}, AssertionError,
     "Scalars are not equal!\n\nExpected 2 but got 1.\nAbsolute difference: 1\nRelative "
     "difference: 0.5"),
    ([T(1.0), T(2.0)], [T(1.0), T(3.0)], {}, AssertionError,
     "Scalars are not close!\n\nExpected 3.0 but got 2.0.\nAbsolute difference: 1.0 (up to "
     "1e-05 allowed)\nRelative difference: 0.3333333333333333 (up to 1.3e-06 allowed)\n\nThe "
     "failure occurred for item [1]"),
    ({"a": T(1.0)}, {"a": T(3.0)}, {}, AssertionError,
     "Scalars are not close!\n\nExpected 3.0 but got 1.0.\nAbsolute difference: 2.0 (up to "
     "1e-05 allowed)\nRelative difference: 0.6666666666666666 (up to 1.3e-06 allowed)\n\nThe "
     "failure occurred for item ['a']"),
    ({"a": T(1.0)}, {"b": T(3.0)}, {}, AssertionError,
     "The keys of the mappings do not match:\nMissing keys in the actual mapping: ['b']\n"
     "Additional keys in the actual mapping: ['a']"),
    ([1, 2], [1, 2, 3], {}, AssertionError, "The length of the sequences mismatch: 2 != 3"),
    (T([float("nan")]), T([float("nan")]), {}, AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute "
     "difference: nan at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: nan at "
     "index (0,) (up to 1.3e-06 allowed)"),
    (T([1.0]), T([1.0]), {"rtol": 0}, ValueError,
     "Both 'rtol' and 'atol' must be either specified or omitted, but got no atol."),
    (T([1.0]), T([1.5]), {"msg": "custom"}, AssertionError, "custom"),
    (T([True, False]), T([True, True]), {}, AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute "
     "difference: 1 at index (1,)\nGreatest relative difference: 1.0 at index (1,)"),
    (T([1 + 1j]), T([1 + 2j]), {}, AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 1 (100.0%)\nGreatest absolute "
     "difference: 1.0 at index (0,) (up to 1e-05 allowed)\nGreatest relative difference: "
     "0.4472135901451111 at index (0,) (up to 1.3e-06 allowed)"),
    (T([1.0, float("inf")]), T([1.0, float("-inf")]), {}, AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 2 (50.0%)\nGreatest absolute "
     "difference: inf at index (1,) (up to 1e-05 allowed)\nGreatest relative difference: nan at "
     "index (1,) (up to 1.3e-06 allowed)"),
    (ember.zeros(2, 2, dtype=ember.int64), T([[0, 0], [0, 5]]), {}, AssertionError,
     "Tensor-likes are not equal!\n\nMismatched elements: 1 / 4 (25.0%)\nGreatest absolute "
     "difference: 5 at index (1, 1)\nGreatest relative difference: 1.0 at index (1, 1)"),
    (T([1.0, 2.0, 3.0]), T([1.0, 2.0, 4.0]), {}, AssertionError,
     "Tensor-likes are not close!\n\nMismatched elements: 1 / 3 (33.3%)\nGreatest absolute "
     "difference: 1.0 at index (2,) (up to 1e-05 allowed)\nGreatest relative difference: 0.25 "
     "at index (2,) (up to 1.3e-06 allowed)"),
    (1.0, 1, {}, AssertionError, "The (d)types do not match: <class 'float'> != <class 'int'>."),
    (True, False, {}, AssertionError, "Booleans mismatch: True is not False"),
]  # fmt: skip


@pytest.mark.parametrize(("actual", "expected", "kwargs", "exc", "message"), CASES)
def test_messages_match_pytorch(actual, expected, kwargs, exc, message):
    assert _message(actual, expected, **kwargs) == (exc, message)


@pytest.mark.parametrize(
    ("actual", "expected"),
    [(T([1.0, 2.0]), [1.0, 2.0]), (T([1.0, 2.0]), np.array([1.0, 2.0])), ("a", "a"),
     (T([1.0]), 1.0)],
)  # fmt: skip
def test_unrelated_types_are_a_type_error(actual, expected):
    exc, msg = _message(actual, expected)
    assert exc is TypeError and msg.startswith("No comparison pair was able to handle inputs")


@pytest.mark.parametrize(
    ("dtype", "rtol", "atol"),
    [(ember.float16, 1e-3, 1e-5), (ember.float32, 1.3e-6, 1e-5), (ember.float64, 1e-7, 1e-7),
     (ember.complex64, 1.3e-6, 1e-5), (ember.complex128, 1e-7, 1e-7)],
)  # fmt: skip
def test_default_tolerances_per_dtype(dtype, rtol, atol):
    expected = ember.tensor([100.0], dtype=dtype)
    inside = ember.tensor([100.0 + 0.5 * (atol + rtol * 100)], dtype=dtype)
    outside = ember.tensor([100.0 + 4 * (atol + rtol * 100)], dtype=dtype)
    assert_close(inside, expected)
    with pytest.raises(AssertionError, match=f"up to {atol} allowed"):
        assert_close(outside, expected)


def test_passing_comparisons():
    assert_close(T([1.0, 2.0]), T([1.0, 2.0000001]))
    assert_close(T([1.0, float("nan")]), T([1.0, float("nan")]), equal_nan=True)
    assert_close(T([float("inf")]), T([float("inf")]))
    assert_close(T([1.0]), T([1.5]), rtol=0, atol=1)
    assert_close(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
    assert_close([T(1.0), 2.0, (3, 4)], (T(1.0), 2.0, [3, 4]))
    assert_close(OrderedDict(a=T(1.0), b=2), {"b": 2, "a": T(1.0)})
    assert_close(None, None)
    assert_close(np.float32(1.0), 1.0, check_dtype=False)
    assert_close(T([1.0, 2.0]), T([1.0, 2.0], dtype=ember.float64), check_dtype=False)
    assert_close(T([1.0], requires_grad=True), T([1.0]))


def test_stride_check_and_callable_msg():
    a = ember.zeros(2, 3)
    b = ember.zeros(3, 2).t()
    assert_close(a, b)
    with pytest.raises(
        AssertionError, match=r"attribute 'stride\(\)' do not match: \(3, 1\) != \(1, 2\)"
    ):
        assert_close(a, b, check_stride=True)
    with pytest.raises(AssertionError, match="^Header\n\nTensor-likes are not close!"):
        assert_close(T([1.0]), T([2.0]), msg=lambda m: f"Header\n\n{m}")


def test_subclasses():
    class Sub(ember.Tensor):
        pass

    s = ember.zeros(2)
    s.__class__ = Sub
    assert_close(s, ember.zeros(2))
    exc, _ = _message(s, ember.zeros(2), allow_subclasses=False)
    assert exc is TypeError


def test_make_tensor_ranges_and_options():
    ember.manual_seed(0)
    f = make_tensor(2, 3, dtype=ember.float32)
    assert f.shape == ember.Size([2, 3]) and f.dtype is ember.float32
    assert f.numpy().min() >= -9 and f.numpy().max() < 9
    i = make_tensor((500,), dtype=ember.int64, low=-2, high=3)
    assert set(np.unique(i.numpy())) == {-2, -1, 0, 1, 2}
    u = make_tensor(500, dtype=ember.uint8)
    assert u.numpy().min() >= 0 and u.numpy().max() < 10
    b = make_tensor(50, dtype=ember.bool)
    assert b.dtype is ember.bool
    c = make_tensor(3, dtype=ember.complex64)
    assert c.dtype is ember.complex64
    nc = make_tensor(2, 3, dtype=ember.float64, noncontiguous=True)
    assert nc.shape == ember.Size([2, 3]) and not nc.is_contiguous()
    nz = make_tensor(200, dtype=ember.int32, low=-1, high=2, exclude_zero=True)
    assert (nz.numpy() != 0).all()
    g = make_tensor(2, dtype=ember.float32, requires_grad=True)
    assert g.requires_grad and g.is_leaf
    ember.manual_seed(0)
    assert make_tensor(2, 3, dtype=ember.float32).tolist() == f.tolist()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"dtype": ember.int64, "requires_grad": True}, "not supported for boolean and integral"),
     ({"dtype": ember.float32, "low": 5, "high": 2}, "`low` must be less than `high`"),
     ({"dtype": ember.float32, "low": float("nan")}, "cannot be NaN")],
)  # fmt: skip
def test_make_tensor_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_tensor(3, **kwargs)
