"""Index and scatter ops: forward vs NumPy, gradients, in-place variants and errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember

RNG = np.random.default_rng(0)


def _t(a):
    return ember.tensor(a)


def test_gather_forward():
    x = RNG.standard_normal((3, 4))
    idx = RNG.integers(0, 3, size=(2, 4))
    np.testing.assert_array_equal(
        ember.gather(_t(x), 0, _t(idx)).numpy(), np.take_along_axis(x, idx, 0)
    )
    idx1 = RNG.integers(0, 4, size=(2, 3))  # smaller than input in dim 0
    np.testing.assert_array_equal(
        _t(x).gather(1, _t(idx1)).numpy(), np.take_along_axis(x[:2], idx1, 1)
    )
    assert _t(x).gather(0, _t(idx).int()).shape == (2, 4)


def test_gather_errors():
    x = ember.zeros(3, 4)
    with pytest.raises(RuntimeError, match=r"gather\(\): Expected dtype int32/int64 for index"):
        x.gather(0, ember.tensor([[0.0]]))
    with pytest.raises(
        RuntimeError, match=r"gather\(\): index 5 is out of bounds for dimension 0 with size 3"
    ):
        x.gather(0, ember.tensor([[5]]))
    with pytest.raises(RuntimeError, match="index -1 is out of bounds for dimension 1 with size 4"):
        x.gather(1, ember.tensor([[-1]]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(0, ember.tensor([0]))
    with pytest.raises(RuntimeError, match=r"Size does not match at dimension 1"):
        x.gather(0, ember.tensor([[0, 0, 0, 0, 0]]))


def _scatter_ref(x, dim, idx, src, op=None):
    out = x.copy()
    for pos in np.ndindex(*idx.shape):
        tgt = list(pos)
        tgt[dim] = idx[pos]
        v = src[pos] if np.ndim(src) else src
        if op is None:
            out[tuple(tgt)] = v
        elif op == "add":
            out[tuple(tgt)] += v
        else:
            out[tuple(tgt)] *= v
    return out


def test_scatter_family_forward():
    x = RNG.standard_normal((3, 4))
    idx = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
    src = RNG.standard_normal((2, 5))
    # distinct targets per column for plain scatter
    got = ember.scatter(_t(x), 0, _t(idx[:1]), _t(src))
    np.testing.assert_array_equal(got.numpy(), _scatter_ref(x, 0, idx[:1], src))
    got = _t(x).scatter(0, _t(idx), 2.5)
    np.testing.assert_array_equal(got.numpy(), _scatter_ref(x, 0, idx, 2.5))
    got = _t(x).scatter_add(0, _t(idx), _t(src))
    np.testing.assert_allclose(got.numpy(), _scatter_ref(x, 0, idx, src, "add"))
    got = _t(x).scatter(0, _t(idx), _t(src), reduce="add")
    np.testing.assert_allclose(got.numpy(), _scatter_ref(x, 0, idx, src, "add"))
    got = _t(x).scatter(0, _t(idx), _t(src), reduce="multiply")
    np.testing.assert_allclose(got.numpy(), _scatter_ref(x, 0, idx, src, "mul"))


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
def test_scatter_reduce_forward(reduce, include_self):
    x = RNG.standard_normal((4,))
    idx = np.array([0, 0, 2, 2, 2])
    src = RNG.standard_normal((5,))
    got = _t(x).scatter_reduce(0, _t(idx), _t(src), reduce, include_self=include_self).numpy()
    ref = x.copy()
    fn = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce]
    for j in (0, 2):
        vals = list(src[idx == j]) + ([x[j]] if include_self else [])
        ref[j] = fn(vals)
    np.testing.assert_allclose(got, ref)
    ints = ember.tensor([10, 20, 30]).scatter_reduce(
        0, ember.tensor([0, 0]), ember.tensor([1, 2]), "mean"
    )
    assert ints.tolist() == [4, 20, 30] and ints.dtype == ember.int64


def test_index_ops_forward():
    x = RNG.standard_normal((3, 4))
    idx = np.array([2, 0, 2])
    np.testing.assert_array_equal(_t(x).index_select(1, _t(idx)).numpy(), x[:, idx])
    np.testing.assert_array_equal(ember.index_select(_t(x), 0, _t(np.array(1))).numpy(), x[[1]])
    src = RNG.standard_normal((3, 3))
    ref = x.copy()
    np.add.at(ref, (slice(None), idx), 2 * src)
    np.testing.assert_allclose(_t(x).index_add(1, _t(idx), _t(src), alpha=2).numpy(), ref)
    ref = x.copy()
    ref[:, [1, 3]] = src[:, :2]
    np.testing.assert_array_equal(
        _t(x).index_copy(1, _t(np.array([1, 3])), _t(src[:, :2])).numpy(), ref
    )
    ref = x.copy()
    ref[[0, 2]] = -1.0
    np.testing.assert_array_equal(_t(x).index_fill(0, _t(np.array([0, -1])), -1.0).numpy(), ref)
    np.testing.assert_array_equal(
        _t(x).index_fill(0, _t(np.array([0, 2])), ember.tensor(-1.0)).numpy(), ref
    )


def test_index_put():
    x = np.zeros((3, 4))
    i, j = np.array([0, 2, 0]), np.array([1, 3, 1])
    got = ember.index_put(_t(x), (_t(i), _t(j)), _t(np.array([1.0, 2.0, 3.0])), accumulate=True)
    ref = x.copy()
    np.add.at(ref, (i, j), [1.0, 2.0, 3.0])
    np.testing.assert_array_equal(got.numpy(), ref)
    got = _t(x).index_put((_t(np.array([1])), None), ember.tensor(5.0, dtype=ember.float64))
    ref = x.copy()
    ref[1, :] = 5.0
    np.testing.assert_array_equal(got.numpy(), ref)
    y = _t(x.copy())
    assert y.index_put_((_t(np.array([2])),), ember.tensor(1.0, dtype=ember.float64)) is y
    assert y.sum().item() == 4.0
    with pytest.raises(
        RuntimeError, match="Index put requires the source and destination dtypes match"
    ):
        ember.zeros(3).index_put((ember.tensor([0]),), ember.tensor(1.0, dtype=ember.float64))
    with pytest.raises(TypeError, match="tuple of Tensors"):
        ember.zeros(3).index_put(ember.tensor([0]), ember.tensor(1.0))


def test_masked_ops_forward():
    x = RNG.standard_normal((2, 3))
    m = x > 0
    np.testing.assert_array_equal(_t(x).masked_fill(_t(m), 9.0).numpy(), np.where(m, 9.0, x))
    np.testing.assert_array_equal(
        _t(x).masked_fill(_t(m), ember.tensor(9.0)).numpy(), np.where(m, 9.0, x)
    )
    wide = _t(x).masked_fill(ember.ones(4, 2, 3, dtype=ember.bool), 1.0)
    assert wide.shape == (4, 2, 3)
    row = np.array([True, False, True])
    np.testing.assert_array_equal(_t(x).masked_fill(_t(row), 0.0).numpy(), np.where(row, 0.0, x))
    np.testing.assert_array_equal(ember.masked_select(_t(x), _t(m)).numpy(), x[m])
    np.testing.assert_array_equal(
        ember.masked_select(_t(x), _t(row)).numpy(), x[np.broadcast_to(row, x.shape)]
    )
    src = np.arange(10.0)
    ref = x.copy()
    ref[m] = src[: m.sum()]
    np.testing.assert_array_equal(_t(x).masked_scatter(_t(m), _t(src)).numpy(), ref)
    ints = ember.tensor([1, 2, 3]).masked_fill(ember.tensor([True, False, False]), 7)
    assert ints.dtype == ember.int64 and ints.tolist() == [7, 2, 3]


def test_masked_errors():
    x = ember.zeros(3, 4)
    with pytest.raises(
        RuntimeError, match="only supports boolean masks, but got mask with dtype float"
    ):
        x.masked_fill(ember.ones(4), 1.0)
    with pytest.raises(
        RuntimeError, match="0-dimensional value tensor, but got tensor with 1 dimension"
    ):
        x.masked_fill(ember.ones(4, dtype=ember.bool), ember.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="Number of elements of source < number of ones in mask"):
        x.masked_scatter(ember.ones(3, 4, dtype=ember.bool), ember.ones(5))


def test_take_put_take_along_dim():
    x = RNG.standard_normal((3, 4))
    idx = np.array([[0, 11], [-1, 5]])
    np.testing.assert_array_equal(_t(x).take(_t(idx)).numpy(), np.take(x, idx))
    src = np.array([1.0, 2.0, 3.0])
    pidx = np.array([0, 5, 0])
    ref = x.copy().reshape(-1)
    np.add.at(ref, pidx, src)
    np.testing.assert_allclose(
        _t(x).put(_t(pidx), _t(src), accumulate=True).numpy(), ref.reshape(3, 4)
    )
    ref = x.copy().reshape(-1)
    ref[[1, 5]] = src[:2]
    np.testing.assert_array_equal(
        _t(x).put(_t(np.array([1, 5])), _t(src[:2])).numpy(), ref.reshape(3, 4)
    )
    y = _t(x.copy())
    assert y.put_(_t(np.array([0])), _t(np.array([7.0]))) is y
    assert y[0, 0].item() == 7.0
    ti = np.argsort(x, axis=1)
    np.testing.assert_array_equal(
        ember.take_along_dim(_t(x), _t(ti), 1).numpy(), np.take_along_axis(x, ti, 1)
    )
    np.testing.assert_array_equal(
        ember.take_along_dim(_t(x), _t(np.array([3, 0]))).numpy(), x.reshape(-1)[[3, 0]]
    )
    b = np.zeros((2, 1, 4))
    assert ember.take_along_dim(_t(b), _t(np.zeros((1, 3, 2), dtype=np.int64)), 2).shape == (
        2,
        3,
        2,
    )
    with pytest.raises(
        IndexError, match="out of range: tried to access index 12 on a tensor of 12 elements"
    ):
        _t(x).take(ember.tensor([12]))
    with pytest.raises(
        RuntimeError, match=r"take\(\): Expected a long tensor for index, but got Int"
    ):
        _t(x).take(ember.tensor([0], dtype=ember.int32))
    with pytest.raises(RuntimeError, match="dtype of indices should be Long but got Float"):
        ember.take_along_dim(_t(x), ember.tensor([[0.0]]), 1)
    with pytest.raises(RuntimeError, match="same number of elements"):
        _t(x).put(ember.tensor([0]), ember.ones(2, dtype=ember.float64))


def test_nonzero_argwhere_where():
    x = np.array([[0, 1, 0], [2, 0, 3]])
    np.testing.assert_array_equal(ember.nonzero(_t(x)).numpy(), np.argwhere(x))
    assert ember.nonzero(_t(x)).dtype == ember.int64
    got = ember.nonzero(_t(x), as_tuple=True)
    for g, r in zip(got, np.nonzero(x), strict=False):
        np.testing.assert_array_equal(g.numpy(), r)
    np.testing.assert_array_equal(_t(x).argwhere().numpy(), np.argwhere(x))
    for g, r in zip(ember.where_nonzero(_t(x)), np.nonzero(x), strict=False):
        np.testing.assert_array_equal(g.numpy(), r)
    assert ember.nonzero(ember.tensor(5), as_tuple=True)[0].tolist() == [0]
    assert ember.nonzero(ember.tensor(5)).shape == (1, 0)
    assert ember.nonzero(ember.zeros(2, 2)).shape == (0, 2)


INDEX_ERRORS = [
    (
        lambda x: x.scatter(0, ember.tensor([[5]]), 1.0),
        RuntimeError,
        r"scatter\(\): index 5 is out of bounds for dimension 0 with size 3",
    ),
    (
        lambda x: x.scatter(0, ember.tensor([[0.0]]), 1.0),
        RuntimeError,
        r"scatter\(\): Expected dtype int32/int64 for index",
    ),
    (
        lambda x: x.scatter_add(0, ember.tensor([[5]]), ember.ones(1, 1)),
        RuntimeError,
        "index 5 is out of bounds for dimension 0 with size 3",
    ),
    (
        lambda x: x.scatter_reduce(0, ember.tensor([[0]]), ember.ones(1, 1), "foo"),
        RuntimeError,
        "must be either sum, prod, mean, amax or amin, got foo",
    ),
    (
        lambda x: x.index_select(0, ember.tensor([5])),
        IndexError,
        r"index_select\(\): index 5 is out of bounds for dimension 0 with size 3",
    ),
    (
        lambda x: x.index_select(0, ember.tensor([1.0])),
        RuntimeError,
        r"index_select\(\): Expected dtype int32 or int64 for index",
    ),
    (
        lambda x: x.index_select(0, ember.tensor([[1]])),
        IndexError,
        "Index is supposed to be a vector",
    ),
    (
        lambda x: x.index_add(0, ember.tensor([5]), ember.ones(1, 4)),
        RuntimeError,
        "index 5 is out of bounds for dimension 0 with size 3",
    ),
    (
        lambda x: x.index_add(0, ember.tensor([0.0]), ember.ones(1, 4)),
        RuntimeError,
        "Expected dtype int32/int64 for index but got: Float",
    ),
    (
        lambda x: x.index_copy(0, ember.tensor([5]), ember.ones(1, 4)),
        IndexError,
        r"index_copy\(\): index 5 is out of bounds for dimension 0 with size 3",
    ),
    (
        lambda x: x.index_copy(0, ember.tensor([0], dtype=ember.int32), ember.ones(1, 4)),
        RuntimeError,
        "Expected a long tensor for index, but got Int",
    ),
    (
        lambda x: x.index_copy(0, ember.tensor([0]), ember.ones(2, 4)),
        RuntimeError,
        "does not match",
    ),
    (
        lambda x: x.index_fill(0, ember.tensor([5]), 1.0),
        IndexError,
        "index 5 is out of bounds for dimension 0 with size 3",
    ),
    (
        lambda x: x.index_fill(0, ember.tensor([0], dtype=ember.int32), 1.0),
        IndexError,
        "Expected dtype int64 for index",
    ),
    (
        lambda x: x.put_(ember.tensor([20]), ember.ones(1)),
        IndexError,
        "tried to access index 20 on a tensor of 12 elements",
    ),
    (
        lambda x: x.put(ember.tensor([0.0]), ember.ones(1)),
        RuntimeError,
        "Expected a long tensor for index, but got Float",
    ),
]


@pytest.mark.parametrize("case", range(len(INDEX_ERRORS)))
def test_index_errors(case):
    fn, exc, msg = INDEX_ERRORS[case]
    with pytest.raises(exc, match=msg):
        fn(ember.zeros(3, 4))


# -- gradients ------------------------------------------------------------------------------------

IDX = ember.tensor([[0, 2, 1], [2, 2, 0]])
VEC = ember.tensor([2, 0, 2, 1])
ROWS = ember.tensor([1, 0])
MASK = ember.tensor([[True, False, True], [False, False, True]])

SECOND_ORDER = {
    "gather": lambda a, b: ember.gather(a * a, 1, IDX) * b[:, :3].sum(),
    "index_select": lambda a, b: ember.index_select(a * b, 1, VEC) * a[:, :4],
    "masked_fill": lambda a, b: (a * b).masked_fill(MASK[:, [0, 1, 2, 2]], 2.0) * a,
}

FIRST_ORDER = {
    "scatter_src": lambda a, b: ember.scatter(a, 1, ember.tensor([[0, 2], [1, 0]]), b),
    "scatter_value": lambda a, b: a.scatter(1, IDX[:, :2], 3.0) * b,
    "scatter_add": lambda a, b: ember.scatter_add(a, 1, IDX, b),
    "scatter_reduce_sum": lambda a, b: a.scatter_reduce(1, IDX, b, "sum", include_self=False),
    "scatter_reduce_mean": lambda a, b: a.scatter_reduce(1, IDX, b, "mean"),
    "scatter_reduce_mean_noself": lambda a, b: a.scatter_reduce(
        1, IDX, b, "mean", include_self=False
    ),
    "scatter_reduce_prod": lambda a, b: a.scatter_reduce(1, IDX, b, "prod"),
    "scatter_reduce_prod_noself": lambda a, b: a.scatter_reduce(
        1, IDX, b, "prod", include_self=False
    ),
    "scatter_reduce_amax": lambda a, b: a.scatter_reduce(1, IDX, b, "amax"),
    "scatter_reduce_amin_noself": lambda a, b: a.scatter_reduce(
        1, IDX, b, "amin", include_self=False
    ),
    "index_add": lambda a, b: ember.index_add(a, 1, ROWS, b[:, :2], alpha=-2.0),
    "index_copy": lambda a, b: ember.index_copy(a, 1, ROWS, b[:, :2]),
    "index_fill": lambda a, b: ember.index_fill(a, 1, ember.tensor([1, 1]), b[0, 0]),
    "index_put": lambda a, b: ember.index_put(
        a, (ember.tensor([0, 1]), ember.tensor([2, 2])), b[0, :2]
    ),
    "index_put_acc": lambda a, b: a.index_put((ember.tensor([0, 0]),), b[1], accumulate=True),
    "masked_fill_tensor": lambda a, b: a.masked_fill(MASK[0], b[0, 0]),
    "masked_select": lambda a, b: (
        ember.masked_select(a * b, MASK) + ember.masked_select(a, MASK[1]).sum()
    ),
    "masked_scatter": lambda a, b: a.masked_scatter(MASK, b),
    "take": lambda a, b: ember.take(a, ember.tensor([[0, 5], [5, -1]])),
    "put": lambda a, b: a.put(ember.tensor([0, 4]), b[0, :2]),
    "put_acc": lambda a, b: a.put(ember.tensor([0, 0]), b[0, :2], accumulate=True),
    "take_along_dim": lambda a, b: ember.take_along_dim(a, ember.tensor([[1], [0]]), 1) * b,
    "take_along_dim_flat": lambda a, b: ember.take_along_dim(a, ember.tensor([4, 1, 4])),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order(name, gradcheck, rand):
    gradcheck(SECOND_ORDER[name], rand(2, 4, seed=1), rand(2, 4, seed=2), second_order=True)


@pytest.mark.parametrize("name", sorted(FIRST_ORDER))
def test_first_order(name, gradcheck, rand):
    a = rand(2, 3, seed=3, low=0.5, high=1.5)
    b = rand(2, 3, seed=4, low=0.5, high=1.5)
    gradcheck(FIRST_ORDER[name], a, b)


@pytest.mark.parametrize(
    "name",
    [
        "scatter_src",
        "scatter_add",
        "scatter_reduce_mean",
        "scatter_reduce_prod",
        "index_add",
        "index_copy",
        "masked_scatter",
        "take",
        "put",
    ],
)
def test_second_order_more(name, gradcheck, rand):
    fn = FIRST_ORDER[name]
    a = rand(2, 3, seed=5, low=0.5, high=1.5)
    b = rand(2, 3, seed=6, low=0.5, high=1.5)
    gradcheck(lambda x, y: fn(x * y, y * y), a, b, second_order=True)


def test_scatter_reduce_prod_with_zeros():
    x = ember.tensor([2.0, 0.0, 3.0], dtype=ember.float64, requires_grad=True)
    src = ember.tensor([0.0, 5.0, 4.0, 0.0, 0.0], dtype=ember.float64, requires_grad=True)
    idx = ember.tensor([0, 0, 1, 2, 2])
    out = x.scatter_reduce(0, idx, src, "prod")
    out.backward(ember.tensor([1.0, 1.0, 1.0], dtype=ember.float64))
    # position 0: 2 * 0 * 5 -> d/dx0 = 0, d/dsrc0 = 10, d/dsrc1 = 0
    # position 1: 0 * 4     -> d/dx1 = 4, d/dsrc2 = 0
    # position 2: 3 * 0 * 0 -> all zero
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 4.0, 0.0])
    np.testing.assert_array_equal(src.grad.numpy(), [10.0, 0.0, 0.0, 0.0, 0.0])


def test_scatter_multiply_has_no_derivative():
    a = ember.ones(3, dtype=ember.float64, requires_grad=True)
    out = a.scatter(0, ember.tensor([0]), ember.ones(1, dtype=ember.float64), reduce="multiply")
    with pytest.raises(RuntimeError, match="derivative of scatter with reduce='multiply'"):
        out.sum().backward()


def test_amax_ties_split_gradient():
    x = ember.tensor([1.0, 5.0], dtype=ember.float64, requires_grad=True)
    src = ember.tensor([5.0, 2.0], dtype=ember.float64, requires_grad=True)
    out = x.scatter_reduce(0, ember.tensor([1, 1]), src, "amax")
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 0.5])
    np.testing.assert_array_equal(src.grad.numpy(), [0.5, 0.0])


# -- in-place variants ----------------------------------------------------------------------------

INPLACE = {
    "scatter_": lambda s: ((1, IDX[:, :1], s[:, :1]), {}),
    "scatter_add_": lambda s: ((1, IDX, s), {}),
    "scatter_reduce_": lambda s: ((1, IDX, s, "amax"), {}),
    "index_add_": lambda s: ((1, ROWS, s[:, :2]), {"alpha": 2}),
    "index_copy_": lambda s: ((1, ROWS, s[:, :2]), {}),
    "index_fill_": lambda s: ((1, ROWS, -3.0), {}),
    "masked_fill_": lambda s: ((MASK, 4.0), {}),
    "masked_scatter_": lambda s: ((MASK, s), {}),
    "index_put_": lambda s: (((ember.tensor([1]),), s[0]), {"accumulate": True}),
    "put_": lambda s: ((ember.tensor([1, 3]), s[0, :2]), {}),
}


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_matches_out_of_place(name, rand):
    base = rand(2, 3, seed=7, requires_grad=False)
    args, kwargs = INPLACE[name](rand(2, 3, seed=8, requires_grad=False))
    t = base.clone()
    view = t[:]
    v0 = t._version
    assert getattr(t, name)(*args, **kwargs) is t
    assert t._version > v0
    expected = getattr(base, name[:-1])(*args, **kwargs)
    assert not np.array_equal(expected.numpy(), base.numpy())
    np.testing.assert_array_equal(t.numpy(), expected.numpy())
    np.testing.assert_array_equal(view.numpy(), expected.numpy())  # views see the write


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_gradients(name, gradcheck, rand):
    def f(a, s):
        t = a * 1.0
        args, kwargs = INPLACE[name](s)
        getattr(t, name)(*args, **kwargs)
        return t * a

    gradcheck(f, rand(2, 3, seed=9, low=0.5, high=1.5), rand(2, 3, seed=10, low=0.5, high=1.5))


def test_inplace_on_leaf_raises():
    a = ember.ones(2, 3, requires_grad=True)
    with pytest.raises(
        RuntimeError,
        match="a leaf Variable that requires grad is being used in an in-place operation",
    ):
        a.masked_fill_(MASK, 0.0)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        a.scatter_(1, IDX[:, :1], 1.0)


def test_inplace_matches_functional_values():
    x = ember.tensor([1.0, 2.0, 3.0])
    y = x.clone().index_fill_(0, ember.tensor([1]), 0.0)
    np.testing.assert_array_equal(y.numpy(), x.index_fill(0, ember.tensor([1]), 0.0).numpy())
    with pytest.raises(RuntimeError, match="doesn't match the broadcast shape"):
        ember.zeros(3).masked_fill_(ember.ones(2, 3, dtype=ember.bool), 1.0)
