"""Shape-building ops: forward vs NumPy, gradients (first and second order), errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember


def _np(t):
    return t.detach().numpy()


# -- forward vs NumPy -----------------------------------------------------------------------------


def test_cat_forward_and_promotion():
    a = np.arange(6.0).reshape(2, 3)
    b = np.arange(4.0).reshape(2, 2)
    out = ember.cat([ember.tensor(a), ember.tensor(b)], dim=1)
    np.testing.assert_array_equal(out.numpy(), np.concatenate([a, b], 1))
    assert ember.concat is ember.cat and ember.concatenate is ember.cat
    mixed = ember.cat(
        [ember.tensor([1, 2], dtype=ember.int32), ember.tensor([0.5], dtype=ember.float16)]
    )
    assert mixed.dtype == ember.float16
    assert ember.cat([ember.tensor([1]), ember.tensor([True])]).dtype == ember.int64
    # legacy: 1-D empty tensors are skipped
    assert ember.cat([ember.zeros(2, 3), ember.zeros(0)]).shape == (2, 3)
    assert ember.cat([ember.ones(2), ember.ones(2)], dim=-1).shape == (4,)


def test_cat_errors():
    with pytest.raises(RuntimeError, match="Expected size 2 but got size 3 for tensor number 1"):
        ember.cat([ember.zeros(2, 3), ember.zeros(3, 4)], 1)
    with pytest.raises(RuntimeError, match="same number of dimensions: got 2 and 3"):
        ember.cat([ember.zeros(2, 3), ember.zeros(2, 3, 1)], 1)
    with pytest.raises(ValueError, match="non-empty"):
        ember.cat([], 0)
    with pytest.raises(RuntimeError, match="zero-dimensional"):
        ember.cat([ember.tensor(1.0), ember.tensor(2.0)])
    with pytest.raises(IndexError, match="Dimension out of range"):
        ember.cat([ember.zeros(2)], 1)
    with pytest.raises(TypeError, match="must be tuple of Tensors"):
        ember.cat(ember.zeros(2))


def test_stack_family():
    a, b = np.arange(6.0).reshape(2, 3), -np.arange(6.0).reshape(2, 3)
    ta, tb = ember.tensor(a), ember.tensor(b)
    for d in (0, 1, 2, -1):
        np.testing.assert_array_equal(ember.stack([ta, tb], d).numpy(), np.stack([a, b], d))
    np.testing.assert_array_equal(ember.hstack([ta, tb]).numpy(), np.hstack([a, b]))
    np.testing.assert_array_equal(ember.vstack([ta, tb]).numpy(), np.vstack([a, b]))
    np.testing.assert_array_equal(ember.row_stack([ta, tb]).numpy(), np.vstack([a, b]))
    np.testing.assert_array_equal(ember.dstack([ta, tb]).numpy(), np.dstack([a, b]))
    v = np.arange(2.0)
    np.testing.assert_array_equal(
        ember.column_stack([ember.tensor(v), ta]).numpy(), np.column_stack([v, a])
    )
    np.testing.assert_array_equal(
        ember.hstack([ember.tensor(v), ember.tensor(v)]).numpy(), np.hstack([v, v])
    )
    np.testing.assert_array_equal(
        ember.dstack([ember.tensor(v), ember.tensor(v)]).numpy(), np.dstack([v, v])
    )
    with pytest.raises(
        RuntimeError, match=r"equal size, but got \[2, 3\] at entry 0 and \[2, 4\] at entry 1"
    ):
        ember.stack([ember.zeros(2, 3), ember.zeros(2, 4)])
    with pytest.raises(RuntimeError, match="non-empty"):
        ember.stack([])


def test_split_family_forward():
    x = np.arange(24.0).reshape(4, 6)
    t = ember.tensor(x)
    parts = ember.split(t, 4, dim=1)
    assert [p.shape[1] for p in parts] == [4, 2]
    assert [p.shape[0] for p in t.split([1, 3])] == [1, 3]
    for p, q in zip(ember.tensor_split(t, 4, dim=1), np.array_split(x, 4, axis=1), strict=False):
        np.testing.assert_array_equal(p.numpy(), q)
    pieces = ember.tensor_split(t, [1, 4, 9], dim=1)
    for p, q in zip(pieces, np.split(x, [1, 4, 9], axis=1), strict=True):
        np.testing.assert_array_equal(p.numpy(), q)
    assert [p.numel() for p in ember.tensor_split(ember.arange(7), ember.tensor(3))] == [3, 2, 2]
    assert [p.numel() for p in ember.chunk(ember.arange(5), 3)] == [2, 2, 1]
    assert len(ember.chunk(ember.arange(6), 4)) == 3
    rows = ember.unbind(t, 1)
    assert len(rows) == 6
    np.testing.assert_array_equal(rows[2].numpy(), x[:, 2])
    for p, q in zip(ember.hsplit(t, 3), np.hsplit(x, 3), strict=False):
        np.testing.assert_array_equal(p.numpy(), q)
    for p, q in zip(ember.vsplit(t, [1]), np.vsplit(x, [1]), strict=False):
        np.testing.assert_array_equal(p.numpy(), q)
    y = np.arange(24.0).reshape(2, 3, 4)
    for p, q in zip(ember.dsplit(ember.tensor(y), 2), np.dsplit(y, 2), strict=False):
        np.testing.assert_array_equal(p.numpy(), q)
    assert list(ember.tensor([[1, 2], [3, 4]]))[1].tolist() == [3, 4]


def test_split_pieces_are_views():
    t = ember.zeros(4, 3)
    a, _b = t.split(2)
    a[...] = 1.0
    assert t[:2].sum().item() == 6.0 and t[2:].sum().item() == 0.0
    r = t.unbind(1)[2]
    t[3, 2] = 7.0
    assert r[3].item() == 7.0
    assert r._version == t._version


def test_split_errors():
    x = ember.zeros(3, 4)
    with pytest.raises(RuntimeError, match="split_size can only be 0"):
        ember.split(x, 0)
    with pytest.raises(RuntimeError, match=r"sum exactly to 3 .* split_sizes=\[1, 1\]"):
        ember.split(x, [1, 1])
    with pytest.raises(RuntimeError, match="chunk expects `chunks` to be greater than 0"):
        ember.chunk(x, 0)
    with pytest.raises(RuntimeError, match="number of sections must be larger than 0"):
        ember.tensor_split(x, 0)
    with pytest.raises(RuntimeError, match="not divisible by the split_size 3"):
        ember.hsplit(x, 3)
    with pytest.raises(RuntimeError, match="at least 2 dimension"):
        ember.vsplit(ember.zeros(3), 3)
    with pytest.raises(RuntimeError, match="at least 3 dimension"):
        ember.dsplit(x, 2)


def test_flip_roll_rot90():
    x = np.arange(24).reshape(2, 3, 4)
    t = ember.tensor(x)
    np.testing.assert_array_equal(ember.flip(t, [0, 2]).numpy(), np.flip(x, (0, 2)))
    np.testing.assert_array_equal(t.flip(1).numpy(), np.flip(x, 1))
    np.testing.assert_array_equal(t.flip(-1, 0).numpy(), np.flip(x, (0, 2)))
    np.testing.assert_array_equal(ember.fliplr(t).numpy(), np.fliplr(x))
    np.testing.assert_array_equal(ember.flipud(t).numpy(), np.flipud(x))
    f = t.flip(0)
    f[0, 0, 0] = 100
    assert t[1, 0, 0].item() == 12  # flip copies, as in PyTorch
    np.testing.assert_array_equal(ember.roll(t, 2).numpy(), np.roll(x, 2))
    np.testing.assert_array_equal(
        ember.roll(t, (1, -2), (0, 2)).numpy(), np.roll(x, (1, -2), (0, 2))
    )
    np.testing.assert_array_equal(t.roll(1, 1).numpy(), np.roll(x, 1, 1))
    for k in (-1, 0, 1, 2, 3, 5):
        np.testing.assert_array_equal(ember.rot90(t, k, (1, 2)).numpy(), np.rot90(x, k, (1, 2)))
    with pytest.raises(RuntimeError, match="dim 0 appears multiple times"):
        ember.flip(t, [0, 0])
    with pytest.raises(RuntimeError, match="shifts and dimensions must align"):
        ember.roll(t, (1, 2), (0,))
    with pytest.raises(RuntimeError, match="Input must be >= 2-d"):
        ember.fliplr(ember.zeros(3))
    with pytest.raises(RuntimeError, match="Input must be >= 1-d"):
        ember.flipud(ember.tensor(1.0))
    with pytest.raises(RuntimeError, match="rotation dims to be different"):
        ember.rot90(t, 1, (0, 0))


def test_repeat_tile_repeat_interleave():
    x = np.arange(6).reshape(2, 3)
    t = ember.tensor(x)
    np.testing.assert_array_equal(t.repeat(2, 1, 3).numpy(), np.tile(x, (2, 1, 3)))
    np.testing.assert_array_equal(t.repeat((2, 2)).numpy(), np.tile(x, (2, 2)))
    np.testing.assert_array_equal(ember.tile(t, (2,)).numpy(), np.tile(x, (2,)))
    np.testing.assert_array_equal(t.tile(2, 1, 1).numpy(), np.tile(x, (2, 1, 1)))
    np.testing.assert_array_equal(ember.repeat_interleave(t, 2).numpy(), np.repeat(x, 2))
    np.testing.assert_array_equal(t.repeat_interleave(2, dim=1).numpy(), np.repeat(x, 2, 1))
    reps = ember.tensor([1, 0, 2])
    np.testing.assert_array_equal(
        t.repeat_interleave(reps, dim=1).numpy(), np.repeat(x, [1, 0, 2], 1)
    )
    np.testing.assert_array_equal(
        t.repeat_interleave(ember.tensor([2]), dim=0).numpy(), np.repeat(x, 2, 0)
    )
    np.testing.assert_array_equal(
        ember.repeat_interleave(ember.tensor([2, 3])).numpy(), [0, 0, 1, 1, 1]
    )
    assert t.repeat_interleave(2, dim=0, output_size=4).shape == (4, 3)
    with pytest.raises(RuntimeError, match="can not be smaller than number of dimensions"):
        t.repeat(2)
    with pytest.raises(RuntimeError, match=r"repeats.size\(0\) = 2 and input.size\(0\) = 3"):
        ember.repeat_interleave(ember.zeros(3), ember.tensor([1, 2]))


def test_broadcasting_helpers():
    assert ember.broadcast_shapes((2, 1), (3,), 1) == ember.Size([2, 3])
    a, b = ember.broadcast_tensors(ember.zeros(2, 1), ember.arange(3.0))
    assert a.shape == b.shape == (2, 3)
    np.testing.assert_array_equal(b.numpy(), np.broadcast_to(np.arange(3.0), (2, 3)))
    assert ember.broadcast_to(ember.tensor([1, 2]), (3, -1)).shape == (3, 2)
    with pytest.raises(RuntimeError, match="Shape mismatch"):
        ember.broadcast_shapes((2, 3), (4, 3))
    with pytest.raises(
        RuntimeError, match=r"size of tensor a \(2\) must match the size of tensor b \(4\)"
    ):
        ember.broadcast_tensors(ember.zeros(2, 3), ember.zeros(4, 3))
    with pytest.raises(RuntimeError, match="expanded size"):
        ember.broadcast_to(ember.zeros(2, 3), (4, 3))


def test_atleast_and_ravel():
    s, v, m = ember.tensor(1.0), ember.zeros(3), ember.zeros(2, 3)
    assert ember.atleast_1d(s).shape == (1,)
    assert ember.atleast_2d(v).shape == (1, 3)
    assert [t.shape for t in ember.atleast_3d(s, v, m)] == [(1, 1, 1), (1, 3, 1), (2, 3, 1)]
    assert isinstance(ember.atleast_2d([v, s]), tuple)
    x = ember.arange(6).reshape(2, 3)
    r = ember.ravel(x)
    np.testing.assert_array_equal(r.numpy(), np.arange(6))
    r[0] = 9
    assert x[0, 0].item() == 9  # a view when contiguous


def test_triangles_and_indices():
    x = np.arange(24.0).reshape(2, 3, 4)
    t = ember.tensor(x)
    for k in (-2, -1, 0, 1, 3):
        np.testing.assert_array_equal(ember.tril(t, k).numpy(), np.tril(x, k))
        np.testing.assert_array_equal(t.triu(k).numpy(), np.triu(x, k))
    u = t.clone()
    u.tril_()
    np.testing.assert_array_equal(u.numpy(), np.tril(x))
    u.triu_(1)
    assert u.sum().item() == 0
    got = ember.tril_indices(3, 4, 1)
    assert got.dtype == ember.int64
    np.testing.assert_array_equal(got.numpy(), np.stack(np.tril_indices(3, 1, 4)))
    np.testing.assert_array_equal(
        ember.triu_indices(4, 3, -1).numpy(), np.stack(np.triu_indices(4, -1, 3))
    )
    with pytest.raises(RuntimeError, match="at least 2 dimensions"):
        ember.triu(ember.zeros(3))


def test_diag_family():
    v = np.array([1.0, 2.0, 3.0])
    for k in (-1, 0, 2):
        np.testing.assert_array_equal(ember.diag(ember.tensor(v), k).numpy(), np.diag(v, k))
    m = np.arange(12.0).reshape(3, 4)
    for k in (-1, 0, 1):
        d = ember.diag(ember.tensor(m), k)
        np.testing.assert_array_equal(d.numpy(), np.diag(m, k))
    np.testing.assert_array_equal(
        ember.diagflat(ember.tensor(m[:2, :2]), 1).numpy(), np.diagflat(m[:2, :2], 1)
    )
    b = np.arange(6.0).reshape(2, 3)
    e = ember.diag_embed(ember.tensor(b))
    assert e.shape == (2, 3, 3)
    for i in range(2):
        np.testing.assert_array_equal(e[i].numpy(), np.diag(b[i]))
    e2 = ember.diag_embed(ember.tensor(b), 1, 0, 2)
    assert e2.shape == (4, 2, 4)
    np.testing.assert_array_equal(ember.diagonal(e2, 1, 0, 2).numpy(), b)
    with pytest.raises(RuntimeError, match=r"Supports 1D or 2D tensors\. Got 3D"):
        ember.diag(ember.zeros(2, 2, 2))


def test_scatter_into_copies():
    x = np.zeros((3, 4))
    out = ember.diagonal_scatter(ember.tensor(x), ember.ones(3), 1)
    ref = x.copy()
    ref[[0, 1, 2], [1, 2, 3]] = 1
    np.testing.assert_array_equal(out.numpy(), ref)
    out = ember.select_scatter(ember.tensor(x), ember.arange(3.0), 1, -1)
    ref = x.copy()
    ref[:, -1] = np.arange(3.0)
    np.testing.assert_array_equal(out.numpy(), ref)
    out = ember.slice_scatter(ember.tensor(x), ember.ones(3, 2), 1, 1, None, 2)
    ref = x.copy()
    ref[:, 1::2] = 1
    np.testing.assert_array_equal(out.numpy(), ref)
    with pytest.raises(RuntimeError, match=r"src size = \[2\], slice size = \[3\]"):
        ember.diagonal_scatter(ember.zeros(3, 4), ember.ones(2))
    with pytest.raises(RuntimeError, match=r"src size = \[3\], slice size = \[4\]"):
        ember.select_scatter(ember.zeros(3, 4), ember.ones(3), 0, 0)
    with pytest.raises(RuntimeError, match=r"src size = \[3, 2\], slice size = \[3, 3\]"):
        ember.slice_scatter(ember.zeros(3, 4), ember.ones(3, 2), 1, 0, 3)


def test_meshgrid():
    a, b = np.arange(2), np.arange(3) + 10
    for indexing in ("ij", "xy"):
        got = ember.meshgrid(ember.tensor(a), ember.tensor(b), indexing=indexing)
        ref = np.meshgrid(a, b, indexing=indexing)
        for g, r in zip(got, ref, strict=False):
            np.testing.assert_array_equal(g.numpy(), r)
    c = np.arange(4)
    got = ember.meshgrid([ember.tensor(a), ember.tensor(b), ember.tensor(c)], indexing="xy")
    for g, r in zip(got, np.meshgrid(a, b, c, indexing="xy"), strict=False):
        np.testing.assert_array_equal(g.numpy(), r)
    with pytest.warns(UserWarning, match="indexing"):
        ember.meshgrid(ember.tensor(a), ember.tensor(b))
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor"):
        ember.meshgrid(ember.zeros(2, 2), indexing="ij")


# -- gradients ------------------------------------------------------------------------------------


SECOND_ORDER = {
    "cat": lambda a, b: ember.cat([a, b * b], 1),
    "stack": lambda a, b: ember.stack([a * a, b], 1),
    "split": lambda a, b: ember.split(a * a, [1, 2], 1)[1] * 2 + ember.split(a, 2, 1)[0].sum(),
    "flip": lambda a, b: ember.flip(a * b, [0, 1]),
    "roll": lambda a, b: ember.roll(a * a, (1, -1), (0, 1)) * b + ember.roll(b, 2),
    "repeat": lambda a, b: (a * a).repeat(2, 1, 2),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order(name, gradcheck, rand):
    gradcheck(SECOND_ORDER[name], rand(2, 3, seed=1), rand(2, 3, seed=2), second_order=True)


FIRST_ORDER = {
    "hstack": lambda a, b: ember.hstack([a, b]),
    "vstack": lambda a, b: ember.vstack([a, b[0]]),
    "dstack": lambda a, b: ember.dstack([a, b]),
    "column_stack": lambda a, b: ember.column_stack([a[:, 0], b]),
    "tensor_split": lambda a, b: ember.tensor_split(a * b, [1], dim=1)[1],
    "chunk_partial": lambda a, b: ember.chunk(a, 3, 1)[2] * 3,
    "unbind": lambda a, b: ember.unbind(a * b, 1)[0] + ember.unbind(a, 0)[1].sum(),
    "hsplit": lambda a, b: ember.hsplit(a, [2])[0],
    "fliplr": lambda a, b: ember.fliplr(a) * b,
    "flipud": lambda a, b: ember.flipud(a),
    "rot90": lambda a, b: ember.rot90(a, 1) + ember.rot90(b, 3),
    "roll_flat": lambda a, b: ember.roll(a, 4),
    "tile": lambda a, b: ember.tile(a, (2,)),
    "repeat_interleave": lambda a, b: ember.repeat_interleave(a, ember.tensor([2, 0, 1]), dim=1),
    "repeat_interleave_flat": lambda a, b: ember.repeat_interleave(a, 2),
    "broadcast_to": lambda a, b: ember.broadcast_to(a[:1], (4, 2, 3)),
    "broadcast_tensors": lambda a, b: ember.broadcast_tensors(a[:, :1], b[0]),
    "atleast_3d": lambda a, b: ember.atleast_3d(a) * 2,
    "ravel": lambda a, b: ember.ravel(a.transpose(0, 1)),
    "tril": lambda a, b: ember.tril(a, 1) + ember.triu(b, -1),
    "diag_1d": lambda a, b: ember.diag(a[0], 1),
    "diag_2d": lambda a, b: ember.diag(a, 1),
    "diagflat": lambda a, b: ember.diagflat(a[:, :2]),
    "diag_embed": lambda a, b: ember.diag_embed(a, -1, 0, 2),
    "diagonal_scatter": lambda a, b: ember.diagonal_scatter(a, b[0, :2] * 2, 1),
    "select_scatter": lambda a, b: ember.select_scatter(a, b[1], 0, 0),
    "slice_scatter": lambda a, b: ember.slice_scatter(a, b[:, :2], 1, 1),
    "meshgrid": lambda a, b: ember.meshgrid(a[0], b[1], indexing="xy"),
}


@pytest.mark.parametrize("name", sorted(FIRST_ORDER))
def test_first_order(name, gradcheck, rand):
    gradcheck(FIRST_ORDER[name], rand(2, 3, seed=3), rand(2, 3, seed=4))


@pytest.mark.parametrize(
    "name", ["diagonal_scatter", "select_scatter", "slice_scatter", "tril", "diag_embed", "unbind"]
)
def test_second_order_extra(name, gradcheck, rand):
    fn = FIRST_ORDER[name]
    gradcheck(
        lambda a, b: fn(a * a, b * a), rand(2, 3, seed=5), rand(2, 3, seed=6), second_order=True
    )


def test_graph_namespace_diagonal_scatter_zeros():
    from ember.autograd._graph_ns import G

    g = ember.arange(3.0)
    out = G.diagonal_scatter_zeros(g, (3, 4), 1, 0, 1)
    ref = np.zeros((3, 4))
    ref[[0, 1, 2], [1, 2, 3]] = [0, 1, 2]
    np.testing.assert_array_equal(out.numpy(), ref)


def test_cat_grad_dtypes():
    a = ember.ones(2, dtype=ember.float32, requires_grad=True)
    b = ember.ones(2, dtype=ember.float64, requires_grad=True)
    out = ember.cat([a, b])
    assert out.dtype == ember.float64
    (out * ember.arange(4.0, dtype=ember.float64)).sum().backward()
    assert a.grad.dtype == ember.float32 and b.grad.dtype == ember.float64
    np.testing.assert_array_equal(b.grad.numpy(), [2.0, 3.0])


def test_split_unused_pieces_get_zero_grad():
    x = ember.arange(6.0).requires_grad_()
    parts = x.split(2)
    (parts[1] * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0, 0, 3, 3, 0, 0])
    assert type(parts[0].grad_fn).__name__ == "SplitBackward0"
