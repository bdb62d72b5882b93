"""Linear layers: F.linear, F.bilinear, Identity, Linear, Bilinear, Flatten, Unflatten."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

rng = np.random.default_rng(0)


def t64(a, requires_grad=False):
    return ember.tensor(a, dtype=ember.float64, requires_grad=requires_grad)


@pytest.mark.parametrize("shape", [(3,), (5, 3), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_forward(shape, bias):
    x = rng.standard_normal(shape)
    w = rng.standard_normal((4, 3))
    b = rng.standard_normal(4) if bias else None
    got = F.linear(t64(x), t64(w), None if b is None else t64(b))
    want = x @ w.T + (0 if b is None else b)
    assert tuple(got.shape) == want.shape
    np.testing.assert_allclose(got.numpy(), want)


def test_linear_grad_fn_is_one_node():
    x = ember.randn(5, 3, requires_grad=True)
    w = ember.randn(4, 3, requires_grad=True)
    b = ember.randn(4, requires_grad=True)
    y = F.linear(x, w, b)
    assert y.grad_fn.name() == "AddmmBackward0"
    # edges go straight to the leaves: no transpose or add node in between
    assert all(fn.name() == "AccumulateGrad" for fn, _ in y.grad_fn.next_functions)
    assert F.linear(x, w).grad_fn.name() == "MmBackward0"
    assert F.linear(ember.randn(2, 5, 3), w, b).grad_fn.name() == "LinearBackward0"


@pytest.mark.parametrize("shape", [(5, 3), (2, 4, 3), (3,)])
def test_linear_gradcheck(gradcheck, rand, shape):
    gradcheck(F.linear, rand(*shape, seed=1), rand(4, 3, seed=2), rand(4, seed=3))
    gradcheck(F.linear, rand(*shape, seed=1), rand(4, 3, seed=2))


def test_linear_second_order(gradcheck, rand):
    gradcheck(
        lambda x, w, b: F.linear(x, w, b) ** 2,
        rand(2, 3, 3, seed=1),
        rand(4, 3, seed=2),
        rand(4, seed=3),
        second_order=True,
    )
    gradcheck(lambda x, w: F.linear(x, w).tanh(), rand(5, 3, seed=1), rand(2, 3, seed=2),
              second_order=True)  # fmt: skip


def test_linear_backward_values_float32():
    x = rng.standard_normal((6, 3)).astype(np.float32)
    w = rng.standard_normal((2, 3)).astype(np.float32)
    g = rng.standard_normal((6, 2)).astype(np.float32)
    xt, wt = ember.tensor(x, requires_grad=True), ember.tensor(w, requires_grad=True)
    bt = ember.zeros(2, requires_grad=True)
    F.linear(xt, wt, bt).backward(ember.tensor(g))
    np.testing.assert_allclose(xt.grad.numpy(), g @ w, rtol=1e-5)
    np.testing.assert_allclose(wt.grad.numpy(), g.T @ x, rtol=1e-5)
    np.testing.assert_allclose(bt.grad.numpy(), g.sum(0), rtol=1e-5)
    assert xt.grad.dtype == ember.float32


def test_linear_errors():
    with pytest.raises(
        RuntimeError,
        match=r"linear: input of shape \(5, 3\) cannot be multiplied by weight of shape \(4, 2\)",
    ):
        F.linear(ember.randn(5, 3), ember.randn(4, 2))
    with pytest.raises(RuntimeError, match="same dtype"):
        F.linear(ember.randn(5, 3), ember.randn(4, 3, dtype=ember.float64))
    with pytest.raises(RuntimeError, match="bias of shape"):
        F.linear(ember.randn(5, 3), ember.randn(4, 3), ember.randn(3))
    with pytest.raises(TypeError, match="argument 'input' must be Tensor"):
        F.linear([1.0, 2.0, 3.0], ember.randn(4, 3))


def test_bilinear_forward_and_grad(gradcheck, rand):
    x1 = rng.standard_normal((4, 3))
    x2 = rng.standard_normal((4, 2))
    w = rng.standard_normal((5, 3, 2))
    b = rng.standard_normal(5)
    got = F.bilinear(t64(x1), t64(x2), t64(w), t64(b))
    np.testing.assert_allclose(got.numpy(), np.einsum("ni,kij,nj->nk", x1, w, x2) + b)
    gradcheck(F.bilinear, rand(2, 2, 3, seed=1), rand(2, 2, 2, seed=2), rand(4, 3, 2, seed=3),
              rand(4, seed=4))  # fmt: skip
    gradcheck(F.bilinear, rand(2, 3, seed=1), rand(2, 2, seed=2), rand(4, 3, 2, seed=3),
              second_order=True)  # fmt: skip
    with pytest.raises(RuntimeError, match="bilinear: input1"):
        F.bilinear(ember.randn(2, 3), ember.randn(2, 4), ember.randn(5, 3, 2))


def test_linear_module():
    ember.manual_seed(0)
    m = nn.Linear(20, 30)
    assert repr(m) == "Linear(in_features=20, out_features=30, bias=True)"
    assert tuple(m.weight.shape) == (30, 20) and tuple(m.bias.shape) == (30,)
    assert [n for n, _ in m.named_parameters()] == ["weight", "bias"]
    bound = 1 / math.sqrt(20)
    w = m.weight.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.1 * bound  # uniform on (-bound, bound)
    assert np.abs(m.bias.detach().numpy()).max() <= bound
    y = m(ember.randn(7, 20))
    assert tuple(y.shape) == (7, 30)
    nb = nn.Linear(3, 2, bias=False, dtype=ember.float64)
    assert nb.bias is None and nb.weight.dtype == ember.float64
    assert repr(nb) == "Linear(in_features=3, out_features=2, bias=False)"
    assert list(nb.state_dict()) == ["weight"]


def test_linear_module_seeded_init_reproduces():
    ember.manual_seed(3)
    a = nn.Linear(4, 3).weight.detach().numpy().copy()
    ember.manual_seed(3)
    b = nn.Linear(4, 3).weight.detach().numpy()
    np.testing.assert_array_equal(a, b)


def test_bilinear_module():
    m = nn.Bilinear(20, 30, 40)
    assert repr(m) == "Bilinear(in1_features=20, in2_features=30, out_features=40, bias=True)"
    assert tuple(m.weight.shape) == (40, 20, 30)
    bound = 1 / math.sqrt(20)
    assert np.abs(m.weight.detach().numpy()).max() <= bound
    assert tuple(m(ember.randn(8, 20), ember.randn(8, 30)).shape) == (8, 40)


def test_identity_flatten_unflatten():
    x = ember.randn(2, 3, 4, 5)
    assert nn.Identity(54, unused="x")(x) is x
    assert repr(nn.Identity()) == "Identity()"
    assert tuple(nn.Flatten()(x).shape) == (2, 60)
    assert tuple(nn.Flatten(0, 2)(x).shape) == (24, 5)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    u = nn.Unflatten(1, (2, 30))
    assert tuple(u(nn.Flatten()(x)).shape) == (2, 2, 30)
    assert repr(u) == "Unflatten(dim=1, unflattened_size=(2, 30))"
    with pytest.raises(TypeError, match="unflattened_size must be tuple of ints"):
        nn.Unflatten(1, (2, 3.0))
