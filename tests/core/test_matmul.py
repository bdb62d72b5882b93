"""Products: matmul and its special cases, einsum, tensordot, the add* family, kron, cross,
trace, chain_matmul, block_diag, cdist."""

from __future__ import annotations

import numpy as np
import pytest

import ember


def T(a, requires_grad=False):
    return ember.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def npy(t):
    return t.detach().numpy()


MATMUL_SHAPES = [
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((3,), (3, 4)),
    ((2, 3), (3, 4)),
    ((2, 2, 3), (3, 4)),
    ((3,), (2, 3, 4)),
    ((2, 2, 3), (3,)),
    ((2, 1, 2, 3), (3, 3, 2)),
    ((2, 3), (2, 3, 4)),
    ((1, 2, 3), (2, 3, 2)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_forward_matches_numpy(sa, sb, rand):
    a, b = rand(*sa, seed=1), rand(*sb, seed=2)
    out = ember.matmul(a, b)
    np.testing.assert_allclose(npy(out), np.matmul(npy(a), npy(b)), rtol=1e-12)
    assert tuple(out.shape) == np.matmul(npy(a), npy(b)).shape
    np.testing.assert_allclose(npy(a @ b), npy(out))


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_gradients_all_broadcasting_cases(sa, sb, rand, gradcheck):
    a, b = rand(*sa, seed=3), rand(*sb, seed=4)
    gradcheck(ember.matmul, a, b, second_order=True)


def test_matmul_grad_only_one_side(rand):
    a, b = rand(2, 3, 4, seed=0), rand(4, 5, requires_grad=False, seed=1)
    (a @ b).sum().backward()
    np.testing.assert_allclose(npy(a.grad), np.ones((2, 3, 5)) @ npy(b).T)
    assert b.grad is None


def test_matmul_grad_fn_names(rand):
    a = rand(2, 3)
    assert type((a @ rand(3, 4)).grad_fn).__name__ == "MmBackward0"
    assert type((a @ rand(3)).grad_fn).__name__ == "MvBackward0"
    assert type((rand(3) @ rand(3)).grad_fn).__name__ == "DotBackward0"


def test_matmul_float32_and_int():
    a = ember.ones(2, 3)
    assert (a @ ember.ones(3, 2)).dtype == ember.float32
    i = ember.tensor([[1, 2], [3, 4]])
    out = i @ i
    assert out.dtype == ember.int64
    assert out.tolist() == [[7, 10], [15, 22]]


def test_rmatmul_and_imatmul():
    a = ember.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ember.float64)
    r = np.eye(2).tolist() @ a
    assert r.tolist() == a.tolist()
    b = a
    b @= ember.eye(2, dtype=ember.float64) * 2
    assert b.tolist() == [[2.0, 4.0], [6.0, 8.0]]
    assert a.tolist() == [[1.0, 2.0], [3.0, 4.0]]  # like PyTorch, @= rebinds


def test_matmul_error_messages():
    with pytest.raises(
        RuntimeError, match=r"matmul: \(64, 9216\) @ \(128, 10\): inner sizes 9216 and 128 differ"
    ):
        ember.matmul(ember.zeros(64, 9216), ember.zeros(128, 10))
    with pytest.raises(
        RuntimeError, match=r"matmul: \(2, 3\) @ \(4,\): inner sizes 3 and 4 differ"
    ):
        ember.zeros(2, 3) @ ember.zeros(4)
    with pytest.raises(RuntimeError, match=r"matmul: .*batch dimensions"):
        ember.zeros(2, 3, 4) @ ember.zeros(5, 4, 2)
    with pytest.raises(RuntimeError, match="at least 1-D"):
        ember.matmul(ember.tensor(1.0), ember.ones(3))
    with pytest.raises(
        RuntimeError, match="expected m1 and m2 to have the same dtype, but got: float32 != float64"
    ):
        ember.ones(2, 2) @ ember.ones(2, 2, dtype=ember.float64)
    with pytest.raises(TypeError):
        ember.matmul(ember.ones(2, 2), [[1.0, 0.0], [0.0, 1.0]])


def test_mm_bmm_mv_dot_errors():
    with pytest.raises(RuntimeError, match=r"mm: \(2, 3\) @ \(4, 5\): inner sizes 3 and 4 differ"):
        ember.mm(ember.zeros(2, 3), ember.zeros(4, 5))
    with pytest.raises(RuntimeError, match=r"mm: expected 2-D tensors, got \(3,\) and \(3, 2\)"):
        ember.mm(ember.zeros(3), ember.zeros(3, 2))
    with pytest.raises(RuntimeError, match=r"bmm: expected 3-D tensors, got \(2, 3\) and \(3, 4\)"):
        ember.bmm(ember.zeros(2, 3), ember.zeros(3, 4))
    with pytest.raises(
        RuntimeError, match=r"bmm: \(2, 2, 3\) @ \(3, 3, 4\): batch sizes 2 and 3 differ"
    ):
        ember.bmm(ember.zeros(2, 2, 3), ember.zeros(3, 3, 4))
    with pytest.raises(
        RuntimeError, match=r"bmm: \(2, 2, 3\) @ \(2, 4, 4\): inner sizes 3 and 4 differ"
    ):
        ember.bmm(ember.zeros(2, 2, 3), ember.zeros(2, 4, 4))
    with pytest.raises(
        RuntimeError, match=r"mv: expected a 2-D matrix and a 1-D vector, got \(2, 3\) and \(3, 1\)"
    ):
        ember.mv(ember.zeros(2, 3), ember.zeros(3, 1))
    with pytest.raises(RuntimeError, match=r"mv: \(2, 3\) @ \(4,\): inner sizes 3 and 4 differ"):
        ember.mv(ember.zeros(2, 3), ember.zeros(4))
    with pytest.raises(RuntimeError, match=r"dot: expected 1-D tensors, got \(3, 1\) and \(3,\)"):
        ember.dot(ember.zeros(3, 1), ember.zeros(3))
    with pytest.raises(RuntimeError, match=r"dot: \(3,\) @ \(4,\): inner sizes 3 and 4 differ"):
        ember.dot(ember.zeros(3), ember.zeros(4))


@pytest.mark.parametrize(
    "fn,shapes",
    [
        (ember.mm, [(3, 4), (4, 2)]),
        (ember.bmm, [(2, 3, 4), (2, 4, 2)]),
        (ember.mv, [(3, 4), (4,)]),
        (ember.dot, [(4,), (4,)]),
        (ember.vdot, [(4,), (4,)]),
        (ember.outer, [(3,), (4,)]),
        (ember.ger, [(3,), (4,)]),
        (ember.inner, [(2, 3), (4, 3)]),
        (ember.kron, [(2, 3), (3, 2)]),
        (ember.kron, [(2,), (2, 3)]),
    ],
)
def test_products_forward_and_gradients(fn, shapes, rand, gradcheck):
    inputs = [rand(*s, seed=i + 5) for i, s in enumerate(shapes)]
    arrays = [npy(t) for t in inputs]
    ref = {
        ember.mm: np.matmul,
        ember.bmm: np.matmul,
        ember.mv: np.matmul,
        ember.dot: np.dot,
        ember.vdot: np.vdot,
        ember.outer: np.outer,
        ember.ger: np.outer,
        ember.inner: np.inner,
        ember.kron: np.kron,
    }[fn]
    np.testing.assert_allclose(npy(fn(*inputs)), ref(*arrays), rtol=1e-12)
    second = fn in (ember.mm, ember.bmm)
    gradcheck(fn, *inputs, second_order=second)


def test_tensor_methods(rand):
    a, b = rand(3, 4, seed=0), rand(4, 2, seed=1)
    np.testing.assert_allclose(npy(a.matmul(b)), npy(a) @ npy(b))
    np.testing.assert_allclose(npy(a.mm(b)), npy(a) @ npy(b))
    v = rand(4, seed=2)
    np.testing.assert_allclose(npy(a.mv(v)), npy(a) @ npy(v))
    np.testing.assert_allclose(npy(v.dot(v)), npy(v) @ npy(v))
    np.testing.assert_allclose(npy(v.outer(v)), np.outer(npy(v), npy(v)))
    sq = rand(3, 3, seed=3)
    np.testing.assert_allclose(npy(sq.trace()), np.trace(npy(sq)))
    np.testing.assert_allclose(npy(sq.det()), np.linalg.det(npy(sq)))


# -- einsum --------------------------------------------------------------------------------------

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("i,i->", [(4,), (4,)]),
    ("i,j->ij", [(3,), (2,)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ij->i", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->ij", [(2, 2, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("...ij,...jk", [(2, 1, 2, 3), (3, 3, 2)]),
    ("b...,b...->b", [(2, 3, 2), (2, 3, 2)], "bij,bij->b"),
    ("ij,ij->ij", [(1, 3), (2, 3)]),
    ("ij,jk,kl->il", [(2, 3), (3, 2), (2, 4)]),
    ("ijk,ikj->i", [(2, 3, 3), (2, 3, 3)]),
    ("aB,Ba->", [(2, 3), (3, 2)]),
]


@pytest.mark.parametrize("case", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_forward_and_gradients(case, rand, gradcheck):
    eq, shapes = case[:2]
    ref_eq = case[2] if len(case) > 2 else eq  # NumPy cannot sum over an ellipsis
    inputs = [rand(*s, seed=i + 11) for i, s in enumerate(shapes)]
    out = ember.einsum(eq, *inputs)
    np.testing.assert_allclose(
        npy(out), np.einsum(ref_eq, *[npy(t) for t in inputs]), rtol=1e-12, atol=1e-14
    )
    np.testing.assert_allclose(npy(ember.einsum(eq, inputs)), npy(out))
    gradcheck(lambda *xs: ember.einsum(eq, *xs), *inputs, second_order=len(inputs) <= 2)


def test_einsum_errors():
    with pytest.raises(
        RuntimeError,
        match="subscript j has size 5 for operand 1 which does not broadcast with previously "
        "seen size 4",
    ):
        ember.einsum("ij,jk->ik", ember.ones(3, 4), ember.ones(5, 6))
    with pytest.raises(RuntimeError, match="fewer operands"):
        ember.einsum("ij,jk", ember.ones(3, 4))
    with pytest.raises(RuntimeError, match="more operands"):
        ember.einsum("ij", ember.ones(3, 4), ember.ones(3, 4))
    with pytest.raises(
        RuntimeError,
        match=r"number of subscripts in the equation \(2\) does not match the number of "
        r"dimensions \(3\)",
    ):
        ember.einsum("ij", ember.ones(3, 4, 5))
    with pytest.raises(RuntimeError, match="output subscript k does not appear"):
        ember.einsum("ij->k", ember.ones(3, 4))
    with pytest.raises(RuntimeError, match="same dtype"):
        ember.einsum("ij,ij", ember.ones(3, 4), ember.ones(3, 4, dtype=ember.float64))


# -- tensordot -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sa,sb,dims",
    [
        ((3, 4, 5), (4, 5, 2), 2),
        ((3, 4), (4, 2), 1),
        ((3, 4), (5,), 0),
        ((3, 4, 5), (5, 3, 2), ([0, 2], [1, 0])),
        ((3, 4), (3, 2), ([0], [0])),
    ],
)
def test_tensordot(sa, sb, dims, rand, gradcheck):
    a, b = rand(*sa, seed=1), rand(*sb, seed=2)
    np.testing.assert_allclose(
        npy(ember.tensordot(a, b, dims=dims)), np.tensordot(npy(a), npy(b), axes=dims), rtol=1e-12
    )
    gradcheck(lambda x, y: ember.tensordot(x, y, dims=dims), a, b)


def test_tensordot_error():
    with pytest.raises(
        RuntimeError,
        match="contracted dimensions need to match, but first has size 4 in dim 1 and second "
        "has size 5 in dim 0",
    ):
        ember.tensordot(ember.ones(3, 4), ember.ones(5, 6), dims=1)


# -- add* family -----------------------------------------------------------------------------------

ADD_CASES = [
    (ember.addmm, [(2, 4), (2, 3), (3, 4)], lambda i, a, b: i + a @ b),
    (ember.addmm, [(4,), (2, 3), (3, 4)], lambda i, a, b: i + a @ b),
    (ember.addmv, [(2,), (2, 3), (3,)], lambda i, a, b: i + a @ b),
    (ember.baddbmm, [(2, 2, 4), (2, 2, 3), (2, 3, 4)], lambda i, a, b: i + a @ b),
    (ember.addbmm, [(2, 4), (3, 2, 3), (3, 3, 4)], lambda i, a, b: i + (a @ b).sum(0)),
    (ember.addr, [(3, 4), (3,), (4,)], lambda i, a, b: i + np.outer(a, b)),
]


@pytest.mark.parametrize("fn,shapes,ref", ADD_CASES)
@pytest.mark.parametrize("beta,alpha", [(1, 1), (0.5, -2.0)])
def test_add_family(fn, shapes, ref, beta, alpha, rand, gradcheck):
    inputs = [rand(*s, seed=i + 20) for i, s in enumerate(shapes)]
    i, a, b = (npy(t) for t in inputs)
    expected = beta * i + alpha * (ref(np.zeros_like(i), a, b))
    np.testing.assert_allclose(npy(fn(*inputs, beta=beta, alpha=alpha)), expected, rtol=1e-12)
    gradcheck(
        lambda x, y, z: fn(x, y, z, beta=beta, alpha=alpha), *inputs, second_order=fn is ember.addmm
    )


def test_addmm_beta_zero_ignores_nan():
    out = ember.addmm(ember.full((2, 2), float("nan")), ember.ones(2, 2), ember.ones(2, 2), beta=0)
    assert out.tolist() == [[2.0, 2.0], [2.0, 2.0]]


def test_add_family_inplace():
    x = ember.zeros(2, 2)
    r = x.addmm_(ember.ones(2, 3), ember.ones(3, 2), alpha=2)
    assert r is x and x.tolist() == [[6.0, 6.0], [6.0, 6.0]]
    v = ember.zeros(2)
    v.addmv_(ember.ones(2, 3), ember.ones(3))
    assert v.tolist() == [3.0, 3.0]


def test_addmm_errors():
    with pytest.raises(RuntimeError, match=r"addmm: .*inner sizes 3 and 4 differ"):
        ember.addmm(ember.zeros(2, 2), ember.zeros(2, 3), ember.zeros(4, 2))
    with pytest.raises(RuntimeError, match="same dtype"):
        ember.addmm(ember.zeros(2, 2, dtype=ember.float64), ember.zeros(2, 3), ember.zeros(3, 2))


# -- cross, trace, chain_matmul, block_diag, cdist -------------------------------------------------


def test_cross(rand, gradcheck):
    a, b = rand(4, 3, seed=1), rand(4, 3, seed=2)
    np.testing.assert_allclose(npy(ember.cross(a, b, dim=1)), np.cross(npy(a), npy(b)), rtol=1e-12)
    np.testing.assert_allclose(npy(ember.linalg.cross(a, b)), np.cross(npy(a), npy(b)), rtol=1e-12)
    gradcheck(lambda x, y: ember.cross(x, y, dim=-1), a, b)
    c, d = rand(3, 2, seed=3), rand(1, 2, seed=4)
    np.testing.assert_allclose(
        npy(ember.cross(c, d)),
        np.cross(npy(c), np.broadcast_to(npy(d), (3, 2)), axis=0),
        rtol=1e-12,
    )
    gradcheck(lambda x, y: ember.cross(x, y, dim=0), rand(3, 2, seed=5), rand(3, 1, seed=6))
    with pytest.raises(RuntimeError, match="dimension -1 must have length 3"):
        ember.linalg.cross(ember.ones(2, 4), ember.ones(2, 4))


def test_trace(rand, gradcheck):
    a = rand(3, 4, seed=1)
    np.testing.assert_allclose(npy(ember.trace(a)), np.trace(npy(a)))
    gradcheck(ember.trace, a)
    assert ember.trace(ember.ones(3, 3, dtype=ember.int32)).dtype == ember.int64
    with pytest.raises(RuntimeError, match="trace: expected a matrix, but got tensor with dim 3"):
        ember.trace(ember.ones(2, 2, 2))


def test_chain_matmul_and_multi_dot(rand, gradcheck):
    a, b, c = rand(2, 5, seed=1), rand(5, 3, seed=2), rand(3, 4, seed=3)
    np.testing.assert_allclose(
        npy(ember.chain_matmul(a, b, c)), npy(a) @ npy(b) @ npy(c), rtol=1e-12
    )
    gradcheck(lambda x, y, z: ember.chain_matmul(x, y, z), a, b, c)
    v, w = rand(2, seed=4), rand(4, seed=5)
    out = ember.linalg.multi_dot([v, a, b, c, w])
    assert out.shape == ()
    np.testing.assert_allclose(
        npy(out), np.linalg.multi_dot([npy(v), npy(a), npy(b), npy(c), npy(w)]), rtol=1e-12
    )
    gradcheck(lambda *xs: ember.linalg.multi_dot(list(xs)), v, a, b, c, w)
    with pytest.raises(RuntimeError, match="expected at least 2 tensors"):
        ember.linalg.multi_dot([a])


def test_block_diag(rand, gradcheck):
    a, b, c = rand(2, 3, seed=1), rand(2, seed=2), rand(seed=3)
    out = ember.block_diag(a, b, c)
    expected = np.zeros((4, 6))
    expected[:2, :3] = npy(a)
    expected[2, 3:5] = npy(b)
    expected[3, 5] = npy(c)
    np.testing.assert_allclose(npy(out), expected)
    gradcheck(lambda *xs: ember.block_diag(*xs), a, b, c)
    mixed = ember.block_diag(ember.ones(1, 1, dtype=ember.int64), ember.ones(1, 1))
    assert mixed.dtype == ember.float32


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0, 0.5, float("inf"), 0.0])
def test_cdist(p, rand, gradcheck):
    x1, x2 = rand(2, 4, 3, seed=1), rand(2, 5, 3, seed=2)
    diff = npy(x1)[:, :, None, :] - npy(x2)[:, None, :, :]
    if p == float("inf"):
        ref = np.abs(diff).max(-1)
    elif p == 0:
        ref = (diff != 0).sum(-1).astype(np.float64)
    else:
        ref = (np.abs(diff) ** p).sum(-1) ** (1 / p)
    np.testing.assert_allclose(npy(ember.cdist(x1, x2, p=p)), ref, rtol=1e-10)
    if p != 0:
        gradcheck(lambda a, b: ember.cdist(a, b, p=p), x1, x2)


def test_cdist_matmul_path(rand, gradcheck):
    x1, x2 = rand(30, 3, seed=1), rand(4, 3, seed=2)
    ref = np.sqrt(((npy(x1)[:, None] - npy(x2)[None]) ** 2).sum(-1))
    np.testing.assert_allclose(npy(ember.cdist(x1, x2)), ref, rtol=1e-10)
    gradcheck(
        lambda a, b: ember.cdist(a, b, compute_mode="use_mm_for_euclid_dist"),
        rand(3, 2, seed=3),
        rand(4, 2, seed=4),
    )
    with pytest.raises(
        RuntimeError, match=r"X1 and X2 must have the same number of columns. X1: 4 X2: 3"
    ):
        ember.cdist(ember.ones(3, 4), ember.ones(5, 3))
