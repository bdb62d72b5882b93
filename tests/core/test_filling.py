import numpy as np
import pytest

import ember


def test_fill_and_zero_write_through_views():
    x = ember.zeros(2, 3)
    x[0].fill_(2.5)
    x[:, 2].zero_()
    np.testing.assert_array_equal(x.numpy(), [[2.5, 2.5, 0.0], [0.0, 0.0, 0.0]])
    assert x._version == 2


def test_fill_with_tensor_value_is_differentiable(gradcheck, rand):
    value = rand(seed=1)  # 0-d float64 tensor requiring grad
    base = rand(4, requires_grad=False, seed=2)

    def fn(v):
        out = base * 1
        out[1:3].fill_(v)
        return out * out

    gradcheck(fn, value)


def test_fill_rejects_non_scalar_tensor():
    with pytest.raises(RuntimeError, match="0-dimension value tensor"):
        ember.zeros(3).fill_(ember.ones(2))


def test_zero_on_view_of_graph_tensor_blocks_gradient():
    a = ember.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = a * 3
    y[1:].zero_()
    y.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 0.0, 0.0])


def test_copy_broadcasts_casts_and_shares_memory():
    a = np.zeros((2, 3), dtype=np.float32)
    t = ember.from_numpy(a)
    t.copy_(ember.tensor([1, 2, 3]))
    np.testing.assert_array_equal(a, [[1, 2, 3], [1, 2, 3]])
    assert t.dtype is ember.float32


def test_copy_gradient_flows_to_source(gradcheck, rand):
    src = rand(3, seed=3)

    def fn(s):
        out = ember.zeros(2, 3, dtype=ember.float64)
        out.copy_(s)
        return out.sum(0) * s

    gradcheck(fn, src, second_order=True)


def test_copy_shape_error_names_op():
    with pytest.raises(RuntimeError, match=r"copy_: the size of the source tensor \[4\]"):
        ember.zeros(2, 3).copy_(ember.ones(4))


def test_inplace_on_leaf_requiring_grad_is_refused():
    w = ember.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.zero_()
    with ember.no_grad():
        w.zero_()
    assert w.sum().item() == 0.0
