"""Property tests (hypothesis) against NumPy: broadcasting, indexing, index assignment and
shape ops."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import ember

SETTINGS = settings(max_examples=60, deadline=None)


def _arr(draw, shape):
    return draw(hnp.arrays(np.float64, shape, elements=st.floats(-10, 10, width=64)))


# -- (1) broadcasting of binary ops --------------------------------------------------------------


@st.composite
def broadcast_pair(draw):
    shapes = draw(
        hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3)
    )
    a_shape, b_shape = shapes.input_shapes
    return _arr(draw, a_shape), _arr(draw, b_shape)


@SETTINGS
@given(broadcast_pair(), st.sampled_from(["add", "mul", "where"]))
def test_binary_broadcasting(pair, op):
    a, b = pair
    ta = ember.tensor(a, requires_grad=True)
    tb = ember.tensor(b, requires_grad=True)
    if op == "add":
        out, ref = ta + tb, a + b
    elif op == "mul":
        out, ref = ta * tb, a * b
    else:
        cond = np.broadcast_to(a > 0, np.broadcast_shapes(a.shape, b.shape))
        out, ref = ember.where(ember.tensor(cond), ta, tb), np.where(cond, a, b)
    assert out.shape == ref.shape
    np.testing.assert_allclose(out.detach().numpy(), ref)
    out.sum().backward()
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    if op == "add":  # d(sum)/da = number of times each element was broadcast
        count = np.ones(ref.shape)
        np.testing.assert_allclose(ta.grad.numpy(), _sum_to(count, a.shape))
        np.testing.assert_allclose(tb.grad.numpy(), _sum_to(count, b.shape))
    elif op == "mul":
        np.testing.assert_allclose(ta.grad.numpy(), _sum_to(np.broadcast_to(b, ref.shape), a.shape))


def _sum_to(g, shape):
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


# -- (2) indexing --------------------------------------------------------------------------------


@st.composite
def basic_index(draw, shape):
    """A tuple of ints, slices, None and at most one Ellipsis valid for ``shape``."""
    idx = []
    dims = list(shape)
    used_ellipsis = False
    while dims:
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "stop"]))
        if kind == "stop":
            break
        if kind == "none":
            idx.append(None)
        elif kind == "ellipsis" and not used_ellipsis:
            used_ellipsis = True
            idx.append(Ellipsis)
            keep = draw(st.integers(0, len(dims)))
            dims = dims[len(dims) - keep :]  # what follows indexes the last `keep` dims
        elif kind == "int":
            n = dims.pop(0)
            if n == 0:
                idx.append(slice(None))
            else:
                idx.append(draw(st.integers(-n, n - 1)))
        else:
            n = dims.pop(0)
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            step = draw(st.none() | st.integers(1, 3))
            idx.append(slice(start, stop, step))
    return tuple(idx)


@st.composite
def array_and_index(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    kind = draw(st.sampled_from(["basic", "int_array", "bool_mask", "mixed"]))
    if kind == "basic":
        return x, draw(basic_index(shape))
    if kind == "int_array":
        arrs = []
        k = draw(st.integers(1, len(shape)))
        ishape = draw(hnp.array_shapes(min_dims=1, max_dims=2, max_side=3))
        for d in range(k):
            arrs.append(
                draw(hnp.arrays(np.int64, ishape, elements=st.integers(-shape[d], shape[d] - 1)))
            )
        return x, tuple(arrs)
    if kind == "bool_mask":
        k = draw(st.integers(1, len(shape)))
        return x, draw(hnp.arrays(np.bool_, shape[:k]))
    # an int array in the middle of slices
    d = draw(st.integers(0, len(shape) - 1))
    arr = draw(
        hnp.arrays(np.int64, (draw(st.integers(1, 3)),), elements=st.integers(0, shape[d] - 1))
    )
    return x, (slice(None),) * d + (arr,)


def _to_ember_index(idx):
    if isinstance(idx, tuple):
        return tuple(_to_ember_index(i) for i in idx)
    if isinstance(idx, np.ndarray):
        return ember.tensor(idx)
    return idx


@SETTINGS
@given(array_and_index())
def test_getitem_matches_numpy(case):
    x, idx = case
    ref = x[idx]
    t = ember.tensor(x, requires_grad=True)
    out = t[_to_ember_index(idx)]
    assert tuple(out.shape) == ref.shape
    np.testing.assert_array_equal(out.detach().numpy(), ref)
    if out.numel():
        (out * ember.tensor(np.ones(ref.shape))).sum().backward()
        expected = np.zeros_like(x)
        np.add.at(expected, idx, 1.0)
        np.testing.assert_array_equal(t.grad.numpy(), expected)


@SETTINGS
@given(array_and_index(), st.booleans())
def test_setitem_matches_numpy(case, tensor_value):
    x, idx = case
    ref = x.copy()
    target_shape = ref[idx].shape
    value = np.full(target_shape[-1:] if target_shape else (), -7.0) if tensor_value else -7.0
    ref[idx] = value
    t = ember.tensor(x.copy())
    t[_to_ember_index(idx)] = ember.tensor(value) if tensor_value else value
    np.testing.assert_array_equal(t.numpy(), ref)


# -- (4) shape ops -------------------------------------------------------------------------------


@st.composite
def array_and_perm(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    perm = draw(st.permutations(range(len(shape))))
    return x, tuple(perm)


@SETTINGS
@given(array_and_perm(), st.data())
def test_shape_ops_match_numpy(case, data):
    x, perm = case
    t = ember.tensor(x)
    np.testing.assert_array_equal(t.permute(*perm).numpy(), x.transpose(perm))
    # reshape to a random factorisation of the size
    sizes = []
    n = x.size
    while n > 1 and len(sizes) < 3:
        divisors = [d for d in range(1, n + 1) if n % d == 0]
        d = data.draw(st.sampled_from(divisors))
        sizes.append(d)
        n //= d
    sizes.append(n)
    np.testing.assert_array_equal(
        t.permute(*perm).reshape(sizes).numpy(), x.transpose(perm).reshape(sizes)
    )
    dims = data.draw(st.lists(st.integers(0, x.ndim - 1), unique=True, max_size=x.ndim))
    np.testing.assert_array_equal(
        ember.flip(t, dims).numpy(), np.flip(x, tuple(dims)) if dims else x
    )
    shifts = data.draw(st.lists(st.integers(-5, 5), min_size=len(dims), max_size=len(dims)))
    if dims:
        np.testing.assert_array_equal(ember.roll(t, shifts, dims).numpy(), np.roll(x, shifts, dims))
    s = data.draw(st.integers(-7, 7))
    np.testing.assert_array_equal(ember.roll(t, s).numpy(), np.roll(x, s))


@SETTINGS
@given(array_and_perm(), st.data())
def test_shape_op_gradients_are_permutations(case, data):
    """flip/roll/permute/reshape only move elements: the gradient of <out, w> is w moved back."""
    x, perm = case
    t = ember.tensor(x, requires_grad=True)
    dims = tuple(data.draw(st.lists(st.integers(0, x.ndim - 1), unique=True, min_size=1)))
    shifts = tuple(data.draw(st.lists(st.integers(-5, 5), min_size=len(dims), max_size=len(dims))))
    out = ember.roll(ember.flip(t.permute(*perm), dims), shifts, dims).reshape(-1)
    w = np.random.default_rng(0).standard_normal(out.shape)
    (out * ember.tensor(w)).sum().backward()
    pos = np.roll(
        np.flip(np.arange(x.size).reshape(x.shape).transpose(perm), dims), shifts, dims
    ).reshape(-1)
    expected = np.zeros(x.size)
    expected[pos] = w
    np.testing.assert_allclose(t.grad.numpy().reshape(-1), expected)
