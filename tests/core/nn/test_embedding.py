"""Embedding and EmbeddingBag: forward and gradients against NumPy, options, module API."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

IDX = np.array([[0, 2, 2, 5], [4, 1, 0, 2]])


def np_embedding_grad(idx, grad, num, padding_idx=None, scale=False):
    flat = idx.reshape(-1)
    g = grad.reshape(len(flat), -1).copy()
    if scale:
        counts = np.bincount(flat, minlength=num)
        g /= counts[flat][:, None]
    if padding_idx is not None:
        g[flat == padding_idx] = 0
    out = np.zeros((num, g.shape[1]))
    np.add.at(out, flat, g)
    return out


def test_embedding_forward_matches_numpy(rand):
    w = rand(6, 3)
    out = F.embedding(ember.tensor(IDX), w)
    np.testing.assert_array_equal(out.detach().numpy(), w.detach().numpy()[IDX])
    assert out.shape == (2, 4, 3)
    assert out.grad_fn.name() == "EmbeddingBackward0"


@pytest.mark.parametrize("padding_idx", [None, 2, -4])
@pytest.mark.parametrize("scale", [False, True])
def test_embedding_gradient(padding_idx, scale, rand):
    w = rand(6, 3)
    g = np.random.default_rng(0).standard_normal((2, 4, 3))
    out = F.embedding(ember.tensor(IDX), w, padding_idx=padding_idx, scale_grad_by_freq=scale)
    out.backward(ember.tensor(g))
    norm_pad = None if padding_idx is None else padding_idx % 6
    expected = np_embedding_grad(IDX, g, 6, norm_pad, scale)
    np.testing.assert_allclose(w.grad.numpy(), expected, atol=1e-12)
    if norm_pad is not None:
        assert np.all(w.grad.numpy()[norm_pad] == 0)


def test_embedding_gradcheck_first_and_second_order(gradcheck, rand):
    # (padding_idx and scale_grad_by_freq change the gradient on purpose: they are checked
    # against the NumPy reference above, not against finite differences)
    idx = ember.tensor(IDX)
    gradcheck(lambda w: F.embedding(idx, w), rand(6, 3))
    # second order through the create_graph path (index_add_zeros)
    gradcheck(lambda w: F.embedding(idx, w * w), rand(6, 3), second_order=True)


def test_embedding_options_under_create_graph(rand):
    w = rand(6, 3)
    g = np.random.default_rng(0).standard_normal((2, 4, 3))
    out = F.embedding(ember.tensor(IDX), w, padding_idx=2, scale_grad_by_freq=True)
    (gw,) = ember.autograd.grad(out, [w], ember.tensor(g, requires_grad=True), create_graph=True)
    np.testing.assert_allclose(gw.detach().numpy(), np_embedding_grad(IDX, g, 6, 2, True))
    assert gw.requires_grad


def test_embedding_float32_gradient_dtype():
    w = ember.randn(10, 4, requires_grad=True)
    F.embedding(ember.tensor([1, 1, 3]), w).sum().backward()
    assert w.grad.dtype == ember.float32
    np.testing.assert_array_equal(w.grad.numpy()[1], np.full(4, 2.0, np.float32))


def test_embedding_max_norm_renormalises_in_place():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((5, 4)) * 3
    w = ember.tensor(base.copy())
    out = F.embedding(ember.tensor([0, 2, 2]), w, max_norm=1.0)
    norms = np.linalg.norm(w.numpy(), axis=1)
    assert norms[0] <= 1.0 + 1e-6 and norms[2] <= 1.0 + 1e-6
    np.testing.assert_array_equal(w.numpy()[[1, 3, 4]], base[[1, 3, 4]])  # untouched rows
    np.testing.assert_allclose(out.numpy()[0], base[0] / (np.linalg.norm(base[0]) + 1e-7))
    w1 = ember.tensor(base.copy())
    F.embedding(ember.tensor([1]), w1, max_norm=2.0, norm_type=1.0)
    assert np.abs(w1.numpy()[1]).sum() <= 2.0 + 1e-6


def test_embedding_errors():
    w = ember.randn(5, 3)
    with pytest.raises(IndexError, match="index out of range in self"):
        F.embedding(ember.tensor([5]), w)
    with pytest.raises(RuntimeError, match="'indices' to have one of the following scalar types"):
        F.embedding(ember.tensor([1.0]), w)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        F.embedding(ember.tensor([1]), w, padding_idx=5)


def test_embedding_module():
    ember.manual_seed(0)
    emb = nn.Embedding(10, 3, padding_idx=-1)
    assert emb.padding_idx == 9
    assert np.all(emb.weight.detach().numpy()[9] == 0)
    assert emb.weight.detach().numpy().std() > 0.5  # N(0, 1)
    assert list(emb.state_dict()) == ["weight"]
    assert repr(emb) == "Embedding(10, 3, padding_idx=9)"
    assert (
        repr(nn.Embedding(10, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True))
        == "Embedding(10, 3, max_norm=1.0, norm_type=1.0, scale_grad_by_freq=True, sparse=True)"
    )
    out = emb(ember.tensor([[1, 9]]))
    out.sum().backward()
    assert np.all(emb.weight.grad.numpy()[9] == 0) and np.all(emb.weight.grad.numpy()[1] == 1)


def test_from_pretrained():
    table = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    emb = nn.Embedding.from_pretrained(table)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(emb(ember.tensor([1, 0])).numpy(), [[3, 4], [1, 2]])
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
    emb = nn.Embedding.from_pretrained(table, padding_idx=0)
    np.testing.assert_array_equal(emb.weight.numpy()[0], [1, 2])  # not zeroed
    with pytest.raises(AssertionError, match="2-dimensional"):
        nn.Embedding.from_pretrained(ember.ones(3))


# -- EmbeddingBag ----------------------------------------------------------------------------------


def np_bag(w, idx, offsets, mode, psw=None, padding_idx=None, include_last=False):
    n = len(idx)
    bounds = list(offsets) + ([] if include_last else [n])
    out = []
    for a, b in itertools.pairwise(bounds):
        rows = [
            w[idx[k]] * (1 if psw is None else psw[k]) for k in range(a, b) if idx[k] != padding_idx
        ]
        if not rows:
            out.append(np.zeros(w.shape[1]))
        elif mode == "sum":
            out.append(np.sum(rows, 0))
        elif mode == "mean":
            out.append(np.mean(rows, 0))
        else:
            out.append(np.max(rows, 0))
    return np.array(out)


BAG_IDX = np.array([1, 2, 4, 5, 4, 3, 2, 9])


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("padding_idx", [None, 2])
def test_embedding_bag_matches_numpy_and_gradcheck(mode, padding_idx, gradcheck, rand):
    w = rand(10, 3, seed=0)
    offsets = np.array([0, 3, 3, 6])  # includes an empty bag
    out = F.embedding_bag(
        ember.tensor(BAG_IDX), w, ember.tensor(offsets), mode=mode, padding_idx=padding_idx
    )
    ref = np_bag(w.detach().numpy(), BAG_IDX, offsets, mode, padding_idx=padding_idx)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    gradcheck(
        lambda w: F.embedding_bag(
            ember.tensor(BAG_IDX), w, ember.tensor(offsets), mode=mode, padding_idx=padding_idx
        ),
        w,
    )


def test_embedding_bag_2d_include_last_offset_and_per_sample_weights(gradcheck, rand):
    w = rand(10, 3, seed=1)
    idx2 = BAG_IDX.reshape(2, 4)
    out = F.embedding_bag(ember.tensor(idx2), w, mode="mean")
    ref = np_bag(w.detach().numpy(), BAG_IDX, [0, 4], "mean")
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    offs = np.array([0, 2, 5])
    out = F.embedding_bag(
        ember.tensor(BAG_IDX), w, ember.tensor(offs), mode="sum", include_last_offset=True
    )
    ref = np_bag(w.detach().numpy(), BAG_IDX, offs, "sum", include_last=True)
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    psw = rand(8, seed=2)
    out = F.embedding_bag(
        ember.tensor(BAG_IDX), w, ember.tensor([0, 5]), mode="sum", per_sample_weights=psw
    )
    ref = np_bag(w.detach().numpy(), BAG_IDX, [0, 5], "sum", psw=psw.detach().numpy())
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    gradcheck(
        lambda w, p: F.embedding_bag(
            ember.tensor(BAG_IDX), w, ember.tensor([0, 5]), mode="sum", per_sample_weights=p
        ),
        w,
        psw,
    )


def test_embedding_bag_errors():
    w = ember.randn(10, 3)
    idx = ember.tensor(BAG_IDX)
    with pytest.raises(ValueError, match="offsets has to be a 1D Tensor but got None"):
        F.embedding_bag(idx, w)
    with pytest.raises(ValueError, match="if input is 2D, then offsets has to be None"):
        F.embedding_bag(idx.reshape(2, 4), w, ember.tensor([0, 1]))
    with pytest.raises(ValueError, match="mode has to be one of sum, mean or max"):
        F.embedding_bag(idx, w, ember.tensor([0]), mode="min")
    with pytest.raises(ValueError, match="per_sample_weights is only supported for mode='sum'"):
        F.embedding_bag(idx, w, ember.tensor([0]), per_sample_weights=ember.ones(8))
    with pytest.raises(RuntimeError, match="offsets\\[0\\] has to be 0"):
        F.embedding_bag(idx, w, ember.tensor([1, 2]))


def test_embedding_bag_module():
    ember.manual_seed(0)
    bag = nn.EmbeddingBag(10, 3)
    assert repr(bag) == "EmbeddingBag(10, 3, mode='mean')"
    text = repr(
        nn.EmbeddingBag(
            10, 3, mode="max", padding_idx=2, max_norm=1.0, include_last_offset=True,
            scale_grad_by_freq=True,
        )
    )  # fmt: skip
    assert text == (
        "EmbeddingBag(10, 3, max_norm=1.0, scale_grad_by_freq=True, mode='max', padding_idx=2)"
    )
    out = bag(ember.tensor(BAG_IDX), ember.tensor([0, 4]))
    ref = np_bag(bag.weight.detach().numpy(), BAG_IDX, [0, 4], "mean")
    np.testing.assert_allclose(out.detach().numpy(), ref, rtol=1e-6)
    out.sum().backward()
    assert bag.weight.grad.shape == (10, 3)
    pre = nn.EmbeddingBag.from_pretrained(ember.eye(3), mode="sum")
    np.testing.assert_array_equal(pre(ember.tensor([[0, 1]])).numpy(), [[1, 1, 0]])
    assert not pre.weight.requires_grad
