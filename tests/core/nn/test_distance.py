"""Distances of ember.nn: cosine_similarity, pairwise_distance, pdist, normalize, one_hot and
the CosineSimilarity / PairwiseDistance modules, against NumPy references."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

RNG = np.random.default_rng(7)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))


def t64(a, requires_grad=False):
    return ember.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def close(got, expected):
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-6, atol=1e-9)


def cos_np(a, b, dim, eps=1e-8):
    a, b = np.broadcast_arrays(a, b)
    na = np.maximum(np.sqrt((a * a).sum(dim, keepdims=True)), eps)
    nb = np.maximum(np.sqrt((b * b).sum(dim, keepdims=True)), eps)
    return ((a / na) * (b / nb)).sum(dim)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_cosine_similarity(dim, gradcheck):
    a, b = t64(A, True), t64(B, True)
    close(F.cosine_similarity(a, b, dim=dim), cos_np(A, B, dim))
    gradcheck(lambda u, v: F.cosine_similarity(u, v, dim=dim), a, b, second_order=True)


def test_cosine_similarity_broadcast_and_module(gradcheck):
    a, b = t64(A, True), t64(B[0], True)
    close(F.cosine_similarity(a, b, dim=-1), cos_np(A, B[0], -1))
    gradcheck(lambda u, v: F.cosine_similarity(u, v, dim=-1), a, b)
    m = nn.CosineSimilarity(dim=0, eps=1e-6)
    assert (m.dim, m.eps, repr(m)) == (0, 1e-6, "CosineSimilarity()")
    close(m(t64(A), t64(B)), cos_np(A, B, 0, 1e-6))
    with pytest.raises(RuntimeError, match="cosine_similarity"):
        F.cosine_similarity(ember.zeros(3, 2), ember.zeros(4, 2))


def test_cosine_similarity_clamps_each_norm_separately():
    # a tiny x1: its norm is clamped to eps, the gradient is that of the unclamped norm
    a = t64([[1e-9, 2e-9]], True)
    b = t64([[3.0, 1.0]], True)
    out = F.cosine_similarity(a, b, eps=1e-8)
    close(out, cos_np(a.detach().numpy(), b.detach().numpy(), 1))
    out.backward()
    # PyTorch 2.x's values for this case
    np.testing.assert_allclose(a.grad.numpy(), [[8.7797e07, 1.7481e07]], rtol=1e-4)


def pdist_np(x, p):
    n = x.shape[0]
    out = []
    for i in range(n):
        for j in range(i + 1, n):
            d = np.abs(x[i] - x[j])
            if p == np.inf:
                out.append(d.max())
            elif p == 0:
                out.append(float((d != 0).sum()))
            else:
                out.append((d**p).sum() ** (1 / p))
    return np.array(out)


def pairwise_np(a, b, p, eps, keepdim=False):
    d = np.abs(a - b + eps)
    if p == np.inf:
        r = d.max(-1, keepdims=keepdim)
    elif p == 0:
        r = (d != 0).sum(-1, keepdims=keepdim).astype(np.float64)
    else:
        r = (d**p).sum(-1, keepdims=keepdim) ** (1 / p)
    return r


@pytest.mark.parametrize("p", [1, 2, 3, 0.5, np.inf, 0])
@pytest.mark.parametrize("keepdim", [False, True])
def test_pairwise_distance(p, keepdim, gradcheck):
    a, b = t64(A, True), t64(B, True)
    close(F.pairwise_distance(a, b, p=p, keepdim=keepdim), pairwise_np(A, B, p, 1e-6, keepdim))
    if p != 0:
        gradcheck(lambda u, v: F.pairwise_distance(u, v, p, keepdim=keepdim), a, b)


def test_pairwise_distance_broadcast_1d_and_module():
    close(F.pairwise_distance(t64(A), t64(B[0])), pairwise_np(A, B[0], 2, 1e-6))
    close(F.pairwise_distance(t64(A[0]), t64(B[0])), pairwise_np(A[0], B[0], 2, 1e-6))
    m = nn.PairwiseDistance(p=3, eps=0.0, keepdim=True)
    assert (m.norm, m.eps, m.keepdim, repr(m)) == (3, 0.0, True, "PairwiseDistance()")
    close(m(t64(A), t64(B)), pairwise_np(A, B, 3, 0.0, True))


@pytest.mark.parametrize("p", [1, 2, 3, np.inf, 0])
def test_pdist(p, gradcheck):
    x = t64(A, True)
    close(F.pdist(x, p), pdist_np(A, p))
    if p != 0:
        gradcheck(lambda u: F.pdist(u, p), x)


def test_pdist_coincident_rows_and_errors():
    x = t64(np.concatenate([A, A[:1]]), True)
    out = F.pdist(x)
    close(out, pdist_np(x.detach().numpy(), 2))
    out.sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    assert F.pdist(ember.ones(1, 3)).shape == (0,)
    with pytest.raises(RuntimeError, match="pdist only supports 2D tensors, got: 3D"):
        F.pdist(ember.zeros(2, 3, 4))
    with pytest.raises(RuntimeError, match="pdist only supports non-negative p values"):
        F.pdist(ember.zeros(2, 3), p=-1)


@pytest.mark.parametrize("p, dim", [(2, 1), (1, 0), (3, -1), (2, (0, 1))])
def test_normalize(p, dim, gradcheck):
    x = t64(A, True)
    norm = (np.abs(A) ** p).sum(axis=dim, keepdims=True) ** (1 / p)
    close(F.normalize(x, p=p, dim=dim), A / np.maximum(norm, 1e-12))
    gradcheck(lambda u: F.normalize(u, p, dim), x, second_order=p == 2 and dim == 1)


def test_normalize_zero_rows_and_out():
    x = t64([[3.0, 4.0], [0.0, 0.0]])
    close(F.normalize(x), [[0.6, 0.8], [0.0, 0.0]])
    out = ember.empty(2, 2, dtype=ember.float64)
    F.normalize(x, out=out)
    close(out, [[0.6, 0.8], [0.0, 0.0]])


def test_one_hot():
    t = ember.tensor([[0, 2], [1, 1]])
    out = F.one_hot(t)
    assert out.dtype == ember.int64 and out.shape == (2, 2, 3)
    np.testing.assert_array_equal(out.numpy(), np.eye(3, dtype=np.int64)[t.numpy()])
    assert F.one_hot(ember.tensor([1]), 4).tolist() == [[0, 1, 0, 0]]
    assert F.one_hot(ember.tensor([], dtype=ember.int64), 3).shape == (0, 3)


def test_one_hot_errors():
    with pytest.raises(RuntimeError, match="Class values must be smaller than num_classes"):
        F.one_hot(ember.tensor([1, 2, 5]), 3)
    with pytest.raises(RuntimeError, match="Class values must be non-negative"):
        F.one_hot(ember.tensor([1, -1]), 3)
    with pytest.raises(RuntimeError, match="only applicable to index tensor of type LongTensor"):
        F.one_hot(ember.tensor([1.0, 2.0]))
    with pytest.raises(RuntimeError, match="only applicable to index tensor of type LongTensor"):
        F.one_hot(ember.tensor([1, 2], dtype=ember.int32))
    with pytest.raises(RuntimeError, match="Can not infer total number of classes from empty"):
        F.one_hot(ember.tensor([], dtype=ember.int64))
