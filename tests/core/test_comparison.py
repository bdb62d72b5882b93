"""Comparison, logical and bitwise ops, floating-point tests, isclose/isin/searchsorted."""

from __future__ import annotations

import numpy as np
import pytest

import ember

RNG = np.random.default_rng(99)


def T(x, **kw):
    return ember.tensor(np.asarray(x), **kw)


COMPARISONS = [
    ("eq", np.equal, "__eq__"), ("ne", np.not_equal, "__ne__"), ("lt", np.less, "__lt__"),
    ("le", np.less_equal, "__le__"), ("gt", np.greater, "__gt__"),
    ("ge", np.greater_equal, "__ge__"),
    ("less", np.less, None), ("less_equal", np.less_equal, None), ("greater", np.greater, None),
    ("greater_equal", np.greater_equal, None), ("not_equal", np.not_equal, None),
]  # fmt: skip


@pytest.mark.parametrize("name,ref,dunder", COMPARISONS, ids=[c[0] for c in COMPARISONS])
def test_comparisons_match_numpy(name, ref, dunder):
    a = RNG.integers(0, 3, (3, 4)).astype(np.float64)
    b = RNG.integers(0, 3, (4,)).astype(np.float64)
    fn = getattr(ember, name)
    cases = [(T(a), T(b), ref(a, b)), (T(a), 1.0, ref(a, 1.0)), (1, T(b), ref(1, b)),
             (T(a.astype(np.int64)), T(b.astype(np.float32)), ref(a, b))]  # fmt: skip
    for x, y, expected in cases:
        out = fn(x, y)
        assert out.dtype == ember.bool
        np.testing.assert_array_equal(out.numpy(), expected)
    assert np.array_equal(getattr(T(a), name)(T(b)).numpy(), ref(a, b))
    if dunder:
        np.testing.assert_array_equal(getattr(T(a), dunder)(T(b)).numpy(), ref(a, b))


def test_comparison_operators_and_reflection():
    x = T([1, 2, 3])
    assert (x == 2).tolist() == [False, True, False]
    assert (x > 2).tolist() == [False, False, True]
    assert (x <= 2.5).tolist() == [True, True, False]
    assert (x != x).tolist() == [False] * 3
    assert (T([0.1], dtype=ember.float32) == 0.1).tolist() == [True]  # compared in float32
    assert (x == None) is False  # noqa: E711
    assert (x != "a") is True
    with pytest.raises(
        TypeError, match="'<' not supported between instances of 'Tensor' and 'NoneType'"
    ):
        x < None  # noqa: B015
    y = T([1.0], requires_grad=True)
    assert not (y > 0).requires_grad and (y > 0).grad_fn is None


def test_tensor_stays_hashable():
    a, b = T([1.0]), T([1.0])
    assert hash(a) == id(a)
    assert len({a, b}) == 2
    d = {a: 1}
    assert d[a] == 1


def test_comparison_errors():
    with pytest.raises(RuntimeError, match=r"lt.*complex"):
        ember.lt(T([1j]), T([1j]))
    with pytest.raises(
        RuntimeError, match=r"eq: the size of tensor a \(3\) must match the size of tensor b \(2\)"
    ):
        ember.eq(T([1, 2, 3]), T([1, 2]))
    with pytest.raises(
        TypeError, match=r"eq\(\): argument 'other' \(position 2\) must be Tensor, not list"
    ):
        ember.eq(T([1]), [1])


def test_inplace_comparison_writes_ones_and_zeros():
    x = T([1.0, 2.0, 3.0])
    x.gt_(1.5)
    assert x.tolist() == [0.0, 1.0, 1.0] and x.dtype == ember.float64


# -- bitwise / logical --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,ref,op",
    [("bitwise_and", np.bitwise_and, "__and__"), ("bitwise_or", np.bitwise_or, "__or__"),
     ("bitwise_xor", np.bitwise_xor, "__xor__")],
)  # fmt: skip
def test_bitwise_ops(name, ref, op):
    a = RNG.integers(-8, 8, (2, 3))
    b = RNG.integers(-8, 8, (3,))
    fn = getattr(ember, name)
    np.testing.assert_array_equal(fn(T(a), T(b)).numpy(), ref(a, b))
    np.testing.assert_array_equal(getattr(T(a), op)(T(b)).numpy(), ref(a, b))
    np.testing.assert_array_equal(getattr(T(a), op.replace("__", "__r", 1))(5).numpy(), ref(5, a))
    p, q = np.array([True, False, True]), np.array([True, True, False])
    out = fn(T(p), T(q))
    assert out.dtype == ember.bool and np.array_equal(out.numpy(), ref(p, q))
    assert fn(T(p), True).dtype == ember.bool
    assert fn(T(p), 1).dtype == ember.int64
    assert fn(T(p), T(a[0])).dtype == ember.int64
    assert fn(T(a.astype(np.int32)), 1).dtype == ember.int32
    t = T(a.copy())
    getattr(t, name + "_")(T(b))
    np.testing.assert_array_equal(t.numpy(), ref(a, b))


def test_bitwise_operators_inplace_and_invert():
    x = T([12, 10])
    x &= 6
    assert x.tolist() == [4, 2]
    x |= 1
    assert x.tolist() == [5, 3]
    x ^= 3
    assert x.tolist() == [6, 0]
    x <<= 2
    assert x.tolist() == [24, 0]
    x >>= 3
    assert x.tolist() == [3, 0]
    assert (~T([0, 5])).tolist() == [-1, -6]
    assert (~T([True, False])).tolist() == [False, True]
    assert ember.bitwise_not(T([True])).tolist() == [False]
    m = T([1.0, 2.0, 3.0]) > 1.5
    assert (m & (T([1.0, 2.0, 3.0]) < 3)).tolist() == [False, True, False]
    assert ((T([1, 2]) > 1) ^ True).tolist() == [True, False]


def test_shifts():
    assert ember.bitwise_left_shift(T([1, 3]), 2).tolist() == [4, 12]
    assert (T([8, -8]) >> 1).tolist() == [4, -4]
    assert (T([8, -8]) << 70).tolist() == [0, 0]
    assert (T([8, -8]) >> 70).tolist() == [0, -1]
    assert (16 >> T([1, 2])).tolist() == [8, 4]
    assert (1 << T([1, 2])).tolist() == [2, 4]
    assert (T([1], dtype=ember.int8) << 3).dtype == ember.int8
    assert (T([True]) << 1).tolist() == [2]


def test_bitwise_errors_name_op_and_dtype():
    with pytest.raises(
        RuntimeError,
        match=r"bitwise_and\(\): only integer and bool tensors are supported, got float32",
    ):
        ember.tensor([1.0]) & ember.tensor([2.0])
    with pytest.raises(RuntimeError, match=r"bitwise_or.*float32"):
        T([1]) | 1.5
    with pytest.raises(RuntimeError, match=r"bitwise_not.*float64"):
        ember.bitwise_not(T([1.0]))
    with pytest.raises(
        TypeError,
        match=r"~ \(operator.invert\) is only implemented on integer and Boolean-type tensors",
    ):
        ~T([1.0])
    with pytest.raises(RuntimeError, match=r"bitwise_left_shift.*bool"):
        ember.bitwise_left_shift(T([True]), T([True]))


@pytest.mark.parametrize(
    "name,ref",
    [
        ("logical_and", np.logical_and),
        ("logical_or", np.logical_or),
        ("logical_xor", np.logical_xor),
    ],
)
def test_logical_ops(name, ref):
    a = RNG.integers(-1, 2, (2, 3)).astype(np.float32)
    b = RNG.integers(0, 2, (3,)).astype(bool)
    out = getattr(ember, name)(T(a), T(b))
    assert out.dtype == ember.bool
    np.testing.assert_array_equal(out.numpy(), ref(a, b))
    np.testing.assert_array_equal(getattr(T(a), name)(T(b)).numpy(), ref(a, b))
    with pytest.raises(TypeError, match=f"{name}.*must be Tensor, not int"):
        getattr(ember, name)(T(a), 1)
    t = T(a.copy())
    getattr(t, name + "_")(T(b))
    np.testing.assert_array_equal(t.numpy(), ref(a, b).astype(np.float32))


def test_logical_not():
    assert ember.logical_not(T([0.0, 2.0, -1.0])).tolist() == [True, False, False]
    assert T([0, 3]).logical_not().tolist() == [True, False]


# -- floating-point tests, isclose, equal, isin -------------------------------------------------


def test_float_tests():
    nan, inf = float("nan"), float("inf")
    x = T([1.0, nan, inf, -inf, 0.0])
    assert ember.isnan(x).tolist() == [False, True, False, False, False]
    assert ember.isinf(x).tolist() == [False, False, True, True, False]
    assert ember.isposinf(x).tolist() == [False, False, True, False, False]
    assert ember.isneginf(x).tolist() == [False, False, False, True, False]
    assert ember.isfinite(x).tolist() == [True, False, False, False, True]
    assert x.isnan().tolist() == ember.isnan(x).tolist()
    i = T([1, 2])
    assert ember.isnan(i).tolist() == [False, False] and ember.isfinite(i).tolist() == [True, True]
    assert ember.isposinf(i).tolist() == [False, False]
    assert ember.isfinite(T([complex(inf, 0), 1j])).tolist() == [False, True]
    with pytest.raises(RuntimeError, match="isposinf does not support complex"):
        ember.isposinf(T([1j]))


def test_isclose_allclose_equal():
    nan, inf = float("nan"), float("inf")
    a = T([1.0, 2.0, nan, inf, 1e-9])
    b = T([1.0 + 1e-6, 2.1, nan, inf, 0.0])
    assert ember.isclose(a, b).tolist() == [True, False, False, True, True]
    assert ember.isclose(a, b, equal_nan=True).tolist()[2] is True
    assert ember.isclose(a, b, rtol=0, atol=0).tolist() == [False, False, False, True, False]
    np.testing.assert_array_equal(ember.isclose(a, b).numpy(), np.isclose(a.numpy(), b.numpy()))
    assert ember.isclose(T([1, 2]), T([1, 3]), atol=1).tolist() == [True, True]
    assert ember.allclose(T([1.0, 2.0]), T([1.0, 2.0 + 1e-9])) is True
    assert ember.allclose(T([1.0, 2.0]), T([1.0, 2.1])) is False
    assert ember.allclose(a, a) is False and ember.allclose(a, a, equal_nan=True) is True
    with pytest.raises(RuntimeError, match=r"isclose.*same dtype.*float64 and int64"):
        ember.isclose(T([1.0]), T([1]))
    assert ember.equal(T([1, 2]), T([1.0, 2.0])) is True
    assert ember.equal(T([1.0]), T([1.0, 1.0])) is False
    assert ember.equal(T([nan]), T([nan])) is False
    assert T([1, 2]).equal(T([1, 2])) is True


def test_isin():
    e = T([[1, 2], [3, 4]])
    assert ember.isin(e, T([2.0, 3.5, 4.0])).tolist() == [[False, True], [False, True]]
    assert ember.isin(e, 3).tolist() == [[False, False], [True, False]]
    assert ember.isin(e, T([2, 3]), invert=True).tolist() == [[True, False], [False, True]]
    out = ember.isin(2, T([1, 2, 3]))
    assert out.shape == () and out.item() is True


# -- searchsorted / bucketize -------------------------------------------------------------------


def test_searchsorted():
    seq = T([1, 3, 5, 7])
    v = T([3, 6, 9, 0])
    assert ember.searchsorted(seq, v).tolist() == [1, 3, 4, 0]
    assert ember.searchsorted(seq, v, right=True).tolist() == [2, 3, 4, 0]
    assert ember.searchsorted(seq, v, side="right").tolist() == [2, 3, 4, 0]
    out = ember.searchsorted(seq, T([5]), side="right", out_int32=True)
    assert out.dtype == ember.int32 and out.tolist() == [3]
    assert ember.searchsorted(seq, v).dtype == ember.int64
    s = ember.searchsorted(seq, 5)
    assert s.shape == () and s.item() == 2
    assert ember.searchsorted(T([7, 1, 5, 3]), T([5]), sorter=T([1, 3, 2, 0])).tolist() == [2]
    seq2 = T([[1, 3, 5, 7], [2, 4, 6, 8]])
    assert ember.searchsorted(seq2, T([[3, 6], [1, 9]])).tolist() == [[1, 3], [0, 4]]
    rng_seq = np.sort(RNG.uniform(0, 1, 50))
    vals = RNG.uniform(-0.1, 1.1, 20)
    np.testing.assert_array_equal(
        ember.searchsorted(T(rng_seq), T(vals)).numpy(), np.searchsorted(rng_seq, vals)
    )
    with pytest.raises(RuntimeError, match="side and right can't be set to opposites"):
        ember.searchsorted(seq, v, side="left", right=True)
    with pytest.raises(
        RuntimeError,
        match=r"boundaries tensor should be 1 dimension or the first N-1 dimensions.*\[1, 4\]",
    ):
        ember.searchsorted(T([[1, 3, 5, 7]]), T([5, 4]))


def test_bucketize():
    b = T([1, 3, 5, 7])
    assert ember.bucketize(T([[1, 6, 9]]), b).tolist() == [[0, 3, 4]]
    assert ember.bucketize(T([[1, 6, 9]]), b, right=True).tolist() == [[1, 3, 4]]
    assert ember.bucketize(3, b).item() == 1
    assert ember.bucketize(T([3]), b, out_int32=True).dtype == ember.int32
    with pytest.raises(
        RuntimeError, match=r"boundaries tensor must be 1 dimension, but got dim\(2\)"
    ):
        ember.bucketize(T([1]), T([[1, 2]]))
