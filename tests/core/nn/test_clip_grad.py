"""nn.utils: gradient clipping and parameter/vector conversion, against NumPy."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn.utils import (
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
    parameters_to_vector,
    vector_to_parameters,
)


def _params(seed=0, dtype=ember.float64):
    rng = np.random.default_rng(seed)
    params = []
    for shape in [(3, 4), (5,), (2, 2, 2)]:
        p = nn.Parameter(ember.tensor(rng.standard_normal(shape), dtype=dtype))
        p.grad = ember.tensor(rng.standard_normal(shape) * 3, dtype=dtype)
        params.append(p)
    return params


def _np_norm(grads, p):
    flat = np.concatenate([g.ravel() for g in grads])
    if p == math.inf:
        return np.abs(flat).max()
    if p == -math.inf:
        return np.abs(flat).min()
    if p == 0:
        return float(np.count_nonzero(flat))
    return (np.abs(flat) ** p).sum() ** (1 / p)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, 0.5, math.inf, -math.inf, 0.0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_numpy(norm_type, max_norm):
    params = _params()
    grads = [p.grad.numpy().copy() for p in params]
    total = clip_grad_norm_(params, max_norm, norm_type=norm_type)
    if norm_type == 0.0:  # PyTorch: the 0-"norm" of the per-tensor norms (tensors with a nonzero)
        expected = float(sum(np.count_nonzero(g) > 0 for g in grads))
    else:
        expected = _np_norm(grads, norm_type)
    assert total.dim() == 0 and total.dtype == ember.float64
    np.testing.assert_allclose(float(total), expected, rtol=1e-12)
    coef = min(1.0, max_norm / (expected + 1e-6))
    for p, g in zip(params, grads):
        np.testing.assert_allclose(p.grad.numpy(), g * coef, rtol=1e-12)
    if max_norm == 0.5 and norm_type not in (0.0, -math.inf):
        assert _np_norm([p.grad.numpy() for p in params], norm_type) == pytest.approx(0.5, 1e-5)


def test_clip_grad_norm_single_tensor_generator_and_no_grads():
    p = nn.Parameter(ember.zeros(2))
    p.grad = ember.tensor([3.0, 4.0])
    total = clip_grad_norm_(p, 1.0)
    assert total.dtype == ember.float32 and float(total) == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.numpy(), [0.6, 0.8], rtol=1e-5)
    params = _params()
    clip_grad_norm_((q for q in params), 1.0)  # generators are consumed once, correctly
    assert _np_norm([q.grad.numpy() for q in params], 2) == pytest.approx(1.0, 1e-5)
    empty = nn.Parameter(ember.zeros(2))
    assert float(clip_grad_norm_([empty], 1.0)) == 0.0 and empty.grad is None


def test_clip_grad_norm_nonfinite():
    params = _params()
    params[1].grad[2] = float("nan")
    with pytest.raises(RuntimeError, match=r"The total norm of order 2.0 for gradients"):
        clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    params = _params()
    params[0].grad[0, 0] = float("inf")
    total = clip_grad_norm_(params, 1.0)
    assert math.isinf(float(total))


def test_get_total_norm_and_clip_grads_with_norm():
    params = _params(1)
    grads = [p.grad for p in params]
    total = get_total_norm(grads, norm_type=2.0)
    np.testing.assert_allclose(float(total), _np_norm([g.numpy() for g in grads], 2), rtol=1e-12)
    before = [g.numpy().copy() for g in grads]
    clip_grads_with_norm_(params, 1.0, total)
    for g, b in zip(grads, before):
        np.testing.assert_allclose(g.numpy(), b / (float(total) + 1e-6), rtol=1e-12)
    assert float(get_total_norm([])) == 0.0


def test_mixed_dtypes_promote():
    a = nn.Parameter(ember.zeros(2))
    a.grad = ember.tensor([3.0, 0.0])
    b = nn.Parameter(ember.zeros(1, dtype=ember.float64))
    b.grad = ember.tensor([4.0], dtype=ember.float64)
    total = clip_grad_norm_([a, b], 10.0)
    assert total.dtype == ember.float64 and float(total) == 5.0
    assert a.grad.dtype == ember.float32


def test_clip_grad_value():
    params = _params(2)
    before = [p.grad.numpy().copy() for p in params]
    assert clip_grad_value_(params, 0.7) is None
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p.grad.numpy(), np.clip(b, -0.7, 0.7))
    p = nn.Parameter(ember.zeros(1))
    clip_grad_value_(p, 1.0)  # no grad: nothing happens
    assert p.grad is None


def test_clipping_keeps_grad_objects():
    params = _params()
    grads = [p.grad for p in params]
    clip_grad_norm_(params, 0.1)
    clip_grad_value_(params, 0.01)
    assert all(p.grad is g for p, g in zip(params, grads))


def test_parameters_to_vector_and_back():
    lin = nn.Linear(3, 2)
    vec = parameters_to_vector(lin.parameters())
    assert vec.shape == (8,)
    np.testing.assert_array_equal(
        vec.detach().numpy(),
        np.concatenate([lin.weight.detach().numpy().ravel(), lin.bias.detach().numpy()]),
    )
    vec.sum().backward()  # differentiable
    np.testing.assert_array_equal(lin.weight.grad.numpy(), np.ones((2, 3)))
    weight = lin.weight
    vector_to_parameters(ember.arange(8.0), lin.parameters())
    assert lin.weight is weight
    np.testing.assert_array_equal(lin.weight.detach().numpy(), [[0, 1, 2], [3, 4, 5]])
    np.testing.assert_array_equal(lin.bias.detach().numpy(), [6, 7])
    with pytest.raises(TypeError, match=r"expected ember.Tensor, but got: list"):
        vector_to_parameters([1.0], lin.parameters())
