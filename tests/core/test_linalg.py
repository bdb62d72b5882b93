"""ember.linalg: forwards against NumPy, float64 gradient checks (second order for inv, det,
solve), named results and errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.linalg as LA


def npy(t):
    return t.detach().numpy()


def well_conditioned(*shape, seed=0, requires_grad=True):
    """Random matrices near 2*I, so that they are comfortably invertible."""
    rng = np.random.default_rng(seed)
    n = shape[-1]
    a = rng.uniform(-0.5, 0.5, size=shape) + 2 * np.eye(n)
    return ember.tensor(a, dtype=ember.float64, requires_grad=requires_grad)


def spd(*shape, seed=0, requires_grad=True):
    rng = np.random.default_rng(seed)
    n = shape[-1]
    x = rng.uniform(-1, 1, size=shape)
    a = x @ np.swapaxes(x, -1, -2) + n * np.eye(n)
    return ember.tensor(a, dtype=ember.float64, requires_grad=requires_grad)


def sym(x):
    return (x + x.mT) * 0.5


# -- inverses, determinants, solve -----------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
def test_inv(shape, gradcheck):
    A = well_conditioned(*shape, seed=1)
    np.testing.assert_allclose(npy(LA.inv(A)), np.linalg.inv(npy(A)), rtol=1e-12)
    np.testing.assert_allclose(npy(ember.inverse(A)), np.linalg.inv(npy(A)), rtol=1e-12)
    gradcheck(LA.inv, A, second_order=True)


def test_inv_singular_raises():
    with pytest.raises(RuntimeError, match=r"linalg.inv: .*singular"):
        LA.inv(ember.zeros(3, 3))
    with pytest.raises(LA.LinAlgError, match=r"linalg.inv: \(Batch element 1\)"):
        LA.inv(
            ember.stack([ember.eye(2), ember.zeros(2, 2)])
            if hasattr(ember, "stack")
            else ember.tensor([[[1.0, 0.0], [0.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]]])
        )
    with pytest.raises(
        RuntimeError,
        match=r"linalg.inv: A must be batches of square matrices, but they are 2 by 3 matrices",
    ):
        LA.inv(ember.ones(2, 3))
    with pytest.raises(
        RuntimeError, match=r"Expected a floating point or complex tensor as input. Got Long"
    ):
        LA.inv(ember.ones(2, 2, dtype=ember.int64))


def test_inv_ex():
    r = LA.inv_ex(ember.tensor([[[2.0, 0.0], [0.0, 2.0]], [[0.0, 0.0], [0.0, 0.0]]]))
    assert r.info.tolist() == [0, 1]
    assert r.inverse[0].tolist() == [[0.5, 0.0], [0.0, 0.5]]
    assert np.isnan(npy(r.inverse[1])).all()


@pytest.mark.parametrize("shape", [(3, 3), (2, 3, 3)])
def test_det_slogdet_logdet(shape, gradcheck):
    A = well_conditioned(*shape, seed=2)
    a = npy(A)
    np.testing.assert_allclose(npy(LA.det(A)), np.linalg.det(a), rtol=1e-12)
    sign, lad = np.linalg.slogdet(a)
    r = LA.slogdet(A)
    np.testing.assert_allclose(npy(r.sign), sign)
    np.testing.assert_allclose(npy(r.logabsdet), lad, rtol=1e-12)
    s2, l2 = r
    assert s2 is r.sign and l2 is r.logabsdet
    np.testing.assert_allclose(npy(ember.logdet(A)), lad, rtol=1e-12)
    gradcheck(LA.det, A, second_order=True)
    gradcheck(lambda x: LA.slogdet(x).logabsdet, A)
    gradcheck(ember.logdet, A)


def test_det_gradient_of_singular_matrix():
    A = ember.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=ember.float64, requires_grad=True)
    LA.det(A).backward()
    np.testing.assert_allclose(npy(A.grad), [[4.0, -2.0], [-2.0, 1.0]], atol=1e-12)


def test_logdet_negative_and_zero():
    assert np.isnan(ember.logdet(-ember.eye(3)).item())
    assert ember.logdet(ember.zeros(3, 3)).item() == float("-inf")


@pytest.mark.parametrize(
    "a_shape,b_shape",
    [
        ((3, 3), (3,)),
        ((3, 3), (3, 2)),
        ((2, 3, 3), (2, 3)),
        ((2, 3, 3), (3, 2)),
        ((3, 3), (2, 3, 2)),
    ],
)
def test_solve(a_shape, b_shape, rand, gradcheck):
    A = well_conditioned(*a_shape, seed=3)
    B = rand(*b_shape, seed=4)
    X = LA.solve(A, B)
    a, b = npy(A), npy(B)
    vector = len(b_shape) == 1 or b_shape == a_shape[:-1]
    ref = np.linalg.solve(a, b[..., None])[..., 0] if vector else np.linalg.solve(a, b)
    np.testing.assert_allclose(npy(X), ref, rtol=1e-12)
    assert tuple(X.shape) == ref.shape
    gradcheck(LA.solve, A, B, second_order=True)


def test_solve_left_false(rand, gradcheck):
    A, B = well_conditioned(3, 3, seed=5), rand(2, 3, seed=6)
    np.testing.assert_allclose(npy(LA.solve(A, B, left=False)) @ npy(A), npy(B), atol=1e-12)
    gradcheck(lambda a, b: LA.solve(a, b, left=False), A, B)


def test_solve_errors():
    with pytest.raises(
        RuntimeError,
        match=r"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
        r"\(3x3 and 2x3\)",
    ):
        LA.solve(ember.eye(3), ember.ones(2, 3))
    with pytest.raises(RuntimeError, match=r"linalg.solve: .*singular"):
        LA.solve(ember.zeros(3, 3), ember.ones(3))
    r = LA.solve_ex(ember.zeros(2, 2), ember.ones(2))
    assert r.info.item() > 0


@pytest.mark.parametrize("upper", [True, False])
@pytest.mark.parametrize("left", [True, False])
@pytest.mark.parametrize("unit", [True, False])
def test_solve_triangular(upper, left, unit, rand, gradcheck):
    A = well_conditioned(3, 3, seed=7)
    B = rand(3, 2, seed=8) if left else rand(2, 3, seed=8)
    a = np.triu(npy(A)) if upper else np.tril(npy(A))
    if unit:
        np.fill_diagonal(a, 1.0)
    ref = np.linalg.solve(a, npy(B)) if left else np.linalg.solve(a.T, npy(B).T).T
    out = LA.solve_triangular(A, B, upper=upper, left=left, unitriangular=unit)
    np.testing.assert_allclose(npy(out), ref, rtol=1e-12)
    gradcheck(
        lambda x, y: LA.solve_triangular(x, y, upper=upper, left=left, unitriangular=unit), A, B
    )


# -- decompositions --------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
def test_cholesky(shape, gradcheck):
    A = spd(*shape, seed=9)
    L = LA.cholesky(A)
    np.testing.assert_allclose(npy(L), np.linalg.cholesky(npy(A)), rtol=1e-12)
    np.testing.assert_allclose(npy(LA.cholesky(A, upper=True)), np.swapaxes(npy(L), -1, -2))
    gradcheck(lambda x: LA.cholesky(sym(x)), A)
    gradcheck(lambda x: LA.cholesky(sym(x), upper=True), A)


def test_cholesky_not_positive_definite():
    bad = ember.tensor([[1.0, 0.0], [0.0, -1.0]])
    with pytest.raises(
        RuntimeError,
        match=r"linalg.cholesky: .*not positive-definite \(the leading minor of order 2",
    ):
        LA.cholesky(bad)
    r = LA.cholesky_ex(bad)
    assert r.info.item() == 2
    assert LA.cholesky_ex(ember.eye(2)).info.item() == 0


@pytest.mark.parametrize("shape", [(4, 3), (3, 3), (2, 5, 3), (3, 5)])
def test_qr(shape, rand, gradcheck):
    A = rand(*shape, seed=10)
    Q, R = LA.qr(A)
    q, r = np.linalg.qr(npy(A))
    np.testing.assert_allclose(npy(Q), q, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(npy(R), r, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(npy(Q @ R), npy(A), atol=1e-12)
    gradcheck(lambda x: LA.qr(x).Q, A)
    gradcheck(lambda x: LA.qr(x).R, A)
    gradcheck(lambda x: tuple(LA.qr(x)), A)


def test_qr_modes(rand):
    A = rand(4, 3, seed=11)
    Q, R = LA.qr(A, mode="complete")
    assert tuple(Q.shape) == (4, 4) and tuple(R.shape) == (4, 3)
    r = LA.qr(A, mode="r")
    assert r.Q.numel() == 0
    np.testing.assert_allclose(npy(r.R), np.linalg.qr(npy(A), mode="r"), atol=1e-12)
    with pytest.raises(RuntimeError, match="mode='r'"):
        r.R.sum().backward()


def _gauge_invariant_svd(x):
    U, S, Vh = LA.svd(x, full_matrices=False)
    # |U| and |Vh| are sign-invariant; so is U diag(S) Vh and U U^T
    return S, (U * U), (Vh * Vh), U @ Vh


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (3, 3), (2, 4, 3)])
def test_svd(shape, rand, gradcheck):
    A = rand(*shape, seed=12)
    U, S, Vh = LA.svd(A, full_matrices=False)
    u, s, _vh = np.linalg.svd(npy(A), full_matrices=False)
    np.testing.assert_allclose(npy(S), s, rtol=1e-12)
    np.testing.assert_allclose(np.abs(npy(U)), np.abs(u), atol=1e-10)
    np.testing.assert_allclose(npy(U * S.unsqueeze(-2) @ Vh), npy(A), atol=1e-12)
    np.testing.assert_allclose(npy(LA.svdvals(A)), s, rtol=1e-12)
    gradcheck(_gauge_invariant_svd, A)
    gradcheck(LA.svdvals, A)
    full = LA.svd(A)
    assert full.U.shape[-1] == shape[-2] and full.Vh.shape[-2] == shape[-1]
    gradcheck(lambda x: LA.svd(x).S, A)


def test_torch_style_svd(rand):
    A = rand(4, 3, seed=13)
    U, S, V = ember.svd(A)
    np.testing.assert_allclose(npy(U * S.unsqueeze(-2) @ V.mT), npy(A), atol=1e-12)


@pytest.mark.parametrize("shape", [(3, 3), (2, 4, 4)])
@pytest.mark.parametrize("uplo", ["L", "U"])
def test_eigh(shape, uplo, gradcheck):
    A = spd(*shape, seed=14) * 0.1 + well_conditioned(*shape, seed=15, requires_grad=False)
    A = sym(A).detach().requires_grad_(True)
    L, V = LA.eigh(A, UPLO=uplo)
    l, v = np.linalg.eigh(npy(A), UPLO=uplo)
    np.testing.assert_allclose(npy(L), l, rtol=1e-12)
    np.testing.assert_allclose(np.abs(npy(V)), np.abs(v), atol=1e-10)
    np.testing.assert_allclose(npy(LA.eigvalsh(A, UPLO=uplo)), l, rtol=1e-12)
    r = LA.eigh(A)
    assert r.eigenvalues is r[0] and r.eigenvectors is r[1]
    gradcheck(lambda x: LA.eigh(sym(x), UPLO=uplo).eigenvalues, A)
    gradcheck(
        lambda x: LA.eigh(sym(x), UPLO=uplo).eigenvectors * LA.eigh(sym(x), UPLO=uplo).eigenvectors,
        A,
    )
    gradcheck(lambda x: LA.eigvalsh(sym(x), UPLO=uplo), A)


def test_eig_forward(rand):
    A = rand(3, 3, seed=16)
    L, V = LA.eig(A)
    l = np.linalg.eigvals(npy(A))
    np.testing.assert_allclose(np.sort_complex(npy(L)), np.sort_complex(l), rtol=1e-10)
    assert L.dtype == ember.complex128
    np.testing.assert_allclose(
        npy(A).astype(complex) @ npy(V), npy(V) * npy(L)[None, :], atol=1e-10
    )
    np.testing.assert_allclose(np.sort_complex(npy(LA.eigvals(A))), np.sort_complex(l), rtol=1e-10)


def test_eig_backward_eigenvalues():
    # real distinct eigenvalues: d(sum of eigenvalues)/dA = I; d(sum lambda^2)/dA = 2 A^T
    rng = np.random.default_rng(0)
    a = np.diag([1.0, 2.0, 3.0]) + 0.1 * rng.standard_normal((3, 3))
    A = ember.tensor(a, requires_grad=True)
    L = LA.eigvals(A)
    L.backward(ember.ones(3, dtype=ember.complex128))
    np.testing.assert_allclose(npy(A.grad), np.eye(3), atol=1e-10)


# -- pinv, lstsq -----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3)])
def test_pinv(shape, rand, gradcheck):
    A = rand(*shape, seed=17)
    np.testing.assert_allclose(npy(LA.pinv(A)), np.linalg.pinv(npy(A)), rtol=1e-10, atol=1e-12)
    gradcheck(LA.pinv, A)


def test_pinv_hermitian_and_rank_deficient(gradcheck):
    S = spd(3, 3, seed=18)
    np.testing.assert_allclose(npy(LA.pinv(S, hermitian=True)), np.linalg.inv(npy(S)), rtol=1e-10)
    low = ember.tensor([[1.0, 2.0], [2.0, 4.0]], dtype=ember.float64)
    np.testing.assert_allclose(npy(LA.pinv(low)), np.linalg.pinv(npy(low)), atol=1e-12)
    np.testing.assert_allclose(npy(ember.pinverse(low)), np.linalg.pinv(npy(low)), atol=1e-12)


def test_lstsq(rand, gradcheck):
    A, B = rand(5, 3, seed=19), rand(5, 2, seed=20)
    ref, res, rank, sv = np.linalg.lstsq(npy(A), npy(B), rcond=None)
    r = LA.lstsq(A, B)
    np.testing.assert_allclose(npy(r.solution), ref, rtol=1e-10)
    assert r.rank.item() == rank and r.residuals.numel() == 0 and r.singular_values.numel() == 0
    r = LA.lstsq(A, B, driver="gelsd")
    np.testing.assert_allclose(npy(r.residuals), res, rtol=1e-10)
    np.testing.assert_allclose(npy(r.singular_values), sv, rtol=1e-10)
    _solution, _residuals, rank_t, _singular_values = r
    assert rank_t.dtype == ember.int64
    gradcheck(lambda a, b: LA.lstsq(a, b).solution, A, B)


# -- powers, exponential, rank ---------------------------------------------------------------------


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -2])
def test_matrix_power(n, gradcheck):
    A = well_conditioned(3, 3, seed=21)
    np.testing.assert_allclose(
        npy(LA.matrix_power(A, n)), np.linalg.matrix_power(npy(A), n), rtol=1e-10
    )
    if n != 0:
        gradcheck(lambda x: LA.matrix_power(x, n), A)
    assert LA.matrix_power(ember.tensor([[1, 1], [0, 1]]), 3).tolist() == [[1, 3], [0, 1]]


def _expm_reference(a):
    w, v = np.linalg.eig(a)
    return (v @ np.diag(np.exp(w)) @ np.linalg.inv(v)).real


@pytest.mark.parametrize("scale", [0.5, 8.0])
def test_matrix_exp(scale, rand, gradcheck):
    A = rand(3, 3, seed=22)
    A = (A * scale).detach().requires_grad_(True)
    np.testing.assert_allclose(npy(LA.matrix_exp(A)), _expm_reference(npy(A)), rtol=1e-9)
    np.testing.assert_allclose(npy(ember.matrix_exp(A)), _expm_reference(npy(A)), rtol=1e-9)
    batched = rand(2, 3, 3, seed=23)
    expected = np.stack([_expm_reference(m) for m in npy(batched)])
    np.testing.assert_allclose(npy(LA.matrix_exp(batched)), expected, rtol=1e-9)
    gradcheck(LA.matrix_exp, A, rtol=1e-4 * scale)


def test_matrix_exp_of_nilpotent():
    N = ember.tensor([[0.0, 1.0], [0.0, 0.0]], dtype=ember.float64)
    np.testing.assert_allclose(npy(LA.matrix_exp(N)), [[1.0, 1.0], [0.0, 1.0]], rtol=1e-14)


def test_matrix_rank():
    assert LA.matrix_rank(ember.tensor([[1.0, 2.0], [2.0, 4.0]])).item() == 1
    assert LA.matrix_rank(ember.eye(3)).item() == 3
    assert LA.matrix_rank(ember.eye(3), hermitian=True).dtype == ember.int64
    assert LA.matrix_rank(ember.tensor([[1.0, 0.0], [0.0, 1e-3]]), atol=1e-2).item() == 1


# -- norms -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, float("inf"), -float("inf"), 0])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (1, False), ((0, 2), True)])
def test_vector_norm(ord, dim, keepdim, rand, gradcheck):
    x = rand(2, 3, 4, seed=24)
    ref_axis = dim if dim is None or isinstance(dim, int) else tuple(dim)
    a = npy(x)
    if dim is None:
        ref = np.linalg.norm(a.reshape(-1), ord)
        ref = np.reshape(ref, (1, 1, 1)) if keepdim else ref
    elif ord == 0:
        ref = (a != 0).sum(axis=ref_axis, keepdims=keepdim).astype(np.float64)
    elif ord in (float("inf"), -float("inf")):
        ref = (np.abs(a).max if ord > 0 else np.abs(a).min)(axis=ref_axis, keepdims=keepdim)
    else:
        ref = (np.abs(a) ** ord).sum(axis=ref_axis, keepdims=keepdim) ** (1 / ord)
    out = LA.vector_norm(x, ord, dim, keepdim)
    np.testing.assert_allclose(npy(out), ref, rtol=1e-12)
    if ord != 0:
        gradcheck(lambda t: LA.vector_norm(t, ord, dim, keepdim), x)


def test_vector_norm_details():
    x = ember.tensor([3.0, -3.0, 1.0], requires_grad=True)
    LA.vector_norm(x, float("inf")).backward()
    assert x.grad.tolist() == [0.5, -0.5, 0.0]
    z = ember.zeros(2, requires_grad=True)
    LA.vector_norm(z).backward()
    assert z.grad.tolist() == [0.0, 0.0]
    assert (
        LA.vector_norm(ember.ones(3, dtype=ember.float16), dtype=ember.float64).dtype
        == ember.float64
    )
    with pytest.raises(
        RuntimeError, match=r"Expected a floating point or complex tensor as input. Got Long"
    ):
        LA.vector_norm(ember.ones(3, dtype=ember.int64))


@pytest.mark.parametrize("ord", ["fro", "nuc", 2, -2, 1, -1, float("inf"), -float("inf")])
def test_matrix_norm(ord, rand, gradcheck):
    A = rand(2, 3, 4, seed=25)
    ref = np.linalg.norm(npy(A), ord, axis=(-2, -1))
    np.testing.assert_allclose(npy(LA.matrix_norm(A, ord)), ref, rtol=1e-12)
    np.testing.assert_allclose(
        npy(LA.matrix_norm(A, ord, keepdim=True)), ref[:, None, None], rtol=1e-12
    )
    ref_dims = np.linalg.norm(np.moveaxis(npy(A), (0, 2), (-2, -1)), ord, axis=(-2, -1))
    np.testing.assert_allclose(npy(LA.matrix_norm(A, ord, dim=(0, 2))), ref_dims, rtol=1e-12)
    gradcheck(lambda t: LA.matrix_norm(t, ord), A)


def test_norm_dispatch(rand):
    A = rand(3, 4, seed=26)
    a = npy(A)
    np.testing.assert_allclose(npy(LA.norm(A)), np.linalg.norm(a), rtol=1e-12)
    np.testing.assert_allclose(npy(LA.norm(A, ord="nuc")), np.linalg.norm(a, "nuc"), rtol=1e-12)
    np.testing.assert_allclose(
        npy(LA.norm(A, ord=1, dim=1)), np.linalg.norm(a, 1, axis=1), rtol=1e-12
    )
    np.testing.assert_allclose(npy(LA.norm(A, ord=2)), np.linalg.norm(a, 2), rtol=1e-12)
    np.testing.assert_allclose(npy(LA.cond(A[:, :3])), np.linalg.cond(a[:, :3]), rtol=1e-10)
    with pytest.raises(RuntimeError, match="Order 3 not supported"):
        LA.matrix_norm(A, 3)


# -- small helpers ---------------------------------------------------------------------------------


def test_vecdot_and_diagonal(rand, gradcheck):
    x, y = rand(2, 3, seed=27), rand(3, seed=28)
    np.testing.assert_allclose(npy(LA.vecdot(x, y)), npy(x) @ npy(y), rtol=1e-12)
    np.testing.assert_allclose(npy(LA.vecdot(x, x, dim=0)), (npy(x) ** 2).sum(0), rtol=1e-12)
    gradcheck(LA.vecdot, x, y)
    A = rand(2, 3, 3, seed=29)
    np.testing.assert_allclose(npy(LA.diagonal(A)), np.diagonal(npy(A), axis1=-2, axis2=-1))


def test_create_graph_through_inv_det_solve(rand):
    # a Hessian-vector product through det: d/dA <grad det(A), W>
    A = well_conditioned(3, 3, seed=30)
    (g,) = ember.autograd.grad(LA.det(A), [A], create_graph=True)
    assert g.requires_grad
    np.testing.assert_allclose(npy(g), np.linalg.det(npy(A)) * np.linalg.inv(npy(A)).T, rtol=1e-10)


def test_out_arguments_receive_results():
    import numpy as np

    A = ember.tensor(np.random.default_rng(0).standard_normal((3, 3)))
    outs = (ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.float64),
            ember.empty(0, dtype=ember.float64))  # fmt: skip
    res = ember.linalg.svd(A, out=outs)
    assert res.S is outs[1]
    np.testing.assert_allclose(outs[1].numpy(), np.linalg.svd(A.numpy(), compute_uv=False))
    sign_out, lad_out = ember.empty(0, dtype=ember.float64), ember.empty(0, dtype=ember.float64)
    ember.linalg.slogdet(A, out=(sign_out, lad_out))
    np.testing.assert_allclose(lad_out.numpy(), np.linalg.slogdet(A.numpy())[1])
    vals = ember.empty(0, dtype=ember.float64)
    ember.linalg.eigvalsh(A + A.mT, out=vals)
    np.testing.assert_allclose(vals.numpy(), np.linalg.eigvalsh((A + A.mT).numpy()))


def test_svd_driver_is_cuda_only():
    with pytest.raises(RuntimeError, match="driver=` is only supported on CUDA"):
        ember.linalg.svd(ember.eye(2), driver="gesvd")
