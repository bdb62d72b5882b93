"""Custom autograd.Function: both definition styles, ctx features, multiple and
non-tensor outputs, in-place functions, once_differentiable and double backward."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import Function, FunctionCtx, once_differentiable


def leaf(values):
    return ember.tensor(values, dtype=ember.float64, requires_grad=True)


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x * x * grad


class ScaleNew(Function):
    """setup_context style, with a non-tensor argument and a keyword default."""

    @staticmethod
    def forward(x, k, shift=0.0):
        return x * k + shift

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.k = inputs[1]
        ctx.seen_inputs = len(inputs)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.k, None, None


def test_forward_backward_and_grad_fn_name(gradcheck, rand):
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    assert type(y.grad_fn).__name__ == "CubeBackward"
    assert y.grad_fn.name() == "CubeBackward"
    assert y.requires_grad and not y.is_leaf
    np.testing.assert_allclose(y.detach().numpy(), [1.0, 8.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])
    gradcheck(Cube.apply, rand(3, 2, seed=1), second_order=True)


def test_setup_context_style():
    x = leaf([1.0, 2.0])
    y = ScaleNew.apply(x, 3.0, shift=1.0)
    np.testing.assert_allclose(y.detach().numpy(), [4.0, 7.0])
    assert y.grad_fn.seen_inputs == 3  # the default-filled keyword is part of inputs
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 3.0])


def test_ctx_is_the_node_and_holds_attributes():
    x = leaf([1.0])
    y = ScaleNew.apply(x, 2.0)
    assert y.grad_fn.k == 2.0
    assert isinstance(y.grad_fn, FunctionCtx)
    ((node, nr),) = y.grad_fn.next_functions  # only tensor arguments have edges
    assert node.variable is x and nr == 0


def test_needs_input_grad():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, a, b, k):
            seen["forward"] = ctx.needs_input_grad
            return a * b * k

        @staticmethod
        def backward(ctx, grad):
            seen["backward"] = ctx.needs_input_grad
            return grad, None, None

    a = leaf([1.0])
    b = ember.tensor([2.0], dtype=ember.float64)
    Probe.apply(a, b, 3).sum().backward()
    assert seen == {"forward": (True, False, False), "backward": (True, False, False)}
    with ember.no_grad():
        out = Probe.apply(a, b, 3)
    assert seen["forward"] == (False, False, False) and not out.requires_grad


def test_no_graph_when_no_input_requires_grad():
    y = Cube.apply(ember.tensor([2.0], dtype=ember.float64))
    assert not y.requires_grad and y.grad_fn is None


def test_saved_tensors_after_backward_raise():
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        _ = y.grad_fn.saved_tensors


def test_saved_tensors_are_version_checked():
    x = leaf([1.0, 2.0])
    h = x * 1
    y = Cube.apply(h)
    h.mul_(2)
    with pytest.raises(RuntimeError, match="is at version 1; expected version 0 instead"):
        y.sum().backward()


def test_save_output_without_cycle_and_version_check():
    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = ember.tensor(np.exp(x.detach().numpy()))
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    x = leaf([0.0, 1.0])
    y = Exp.apply(x)
    assert y.grad_fn._saved[0] is not y  # the output is not held by its own node
    y.sum().backward(retain_graph=True)
    np.testing.assert_allclose(x.grad.numpy(), np.exp([0.0, 1.0]))
    with ember.no_grad():
        y.mul_(2)
    with pytest.raises(RuntimeError, match="output 0 of ExpBackward, is at version 1"):
        y.sum().backward()


def test_multiple_outputs_and_non_tensor_output(gradcheck, rand):
    class SplitStats(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * 2, x * x, "label"

        @staticmethod
        def backward(ctx, g1, g2, g3):
            assert g3 is None
            (x,) = ctx.saved_tensors
            return g1 * 2 + g2 * 2 * x

    x = leaf([1.0, 3.0])
    a, b, label = SplitStats.apply(x)
    assert label == "label"
    assert a.grad_fn is b.grad_fn
    (a.sum() + b.sum()).backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])
    gradcheck(lambda t: SplitStats.apply(t)[:2], rand(3, seed=2))


def test_materialize_grads_default_and_disabled():
    seen = []

    class Two(Function):
        @staticmethod
        def forward(ctx, x, materialize):
            ctx.set_materialize_grads(materialize)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            seen.append(g2)
            return (g1 if g2 is None else g1 + 2 * g2), None

    x = leaf([1.0, 2.0])
    Two.apply(x, True)[0].sum().backward()
    assert isinstance(seen[-1], ember.Tensor)
    np.testing.assert_array_equal(seen[-1].numpy(), [0.0, 0.0])
    Two.apply(x, False)[0].sum().backward()
    assert seen[-1] is None
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_mark_non_differentiable():
    class ArgSort(Function):
        @staticmethod
        def forward(ctx, x):
            idx = ember.tensor(np.argsort(x.detach().numpy()))
            ctx.mark_non_differentiable(idx)
            return x * 1, idx

        @staticmethod
        def backward(ctx, g, g_idx):
            return g

    x = leaf([3.0, 1.0])
    y, idx = ArgSort.apply(x)
    assert y.requires_grad and not idx.requires_grad
    assert idx.tolist() == [1, 0]
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])


def test_mark_dirty_inplace_function():
    class MulInPlace(Function):
        @staticmethod
        def forward(ctx, x, k):
            x.mul_(k)
            ctx.mark_dirty(x)
            ctx.k = k
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.k, None

    x = leaf([1.0, 2.0])
    h = x * 1
    out = MulInPlace.apply(h, 3.0)
    assert out is h and h.grad_fn.name() == "MulInPlaceBackward"
    assert h._version == 1
    np.testing.assert_allclose(h.detach().numpy(), [3.0, 6.0])
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [18.0, 36.0])  # d/dx (3x)^2
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        MulInPlace.apply(leaf([1.0]), 2.0)


def test_returning_an_input_gives_a_new_tensor():
    class Identity(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 5

    x = leaf([1.0])
    y = Identity.apply(x)
    assert y is not x and x.is_leaf and x.grad_fn is None
    y.sum().backward()
    assert x.grad.item() == 5.0


def test_double_backward_through_custom_backward(gradcheck, rand):
    x = leaf([0.5, 2.0])
    y = Cube.apply(x)
    (g,) = ember.autograd.grad(y.sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), [0.75, 12.0])
    (gg,) = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), [3.0, 12.0])  # 6x
    assert ember.autograd.gradgradcheck(Cube.apply, (rand(3, seed=3),))


def test_once_differentiable_blocks_double_backward():
    class CubeOnce(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x * x

        @staticmethod
        @once_differentiable
        def backward(ctx, grad):
            assert not ember.is_grad_enabled()
            (x,) = ctx.saved_tensors
            return 3 * x * x * grad

    x = leaf([1.0, 2.0])
    y = CubeOnce.apply(x)
    (g,) = ember.autograd.grad((y * y).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), [6.0, 6 * 2.0**5])
    assert g.grad_fn.name() == "DelayedError"
    with pytest.raises(
        RuntimeError,
        match="trying to differentiate twice a function that was marked with @once_differentiable",
    ):
        g.sum().backward()
    x.grad = None
    CubeOnce.apply(x).sum().backward()  # plain backward works
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 12.0])


def test_backward_returns_wrong_number_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad):
            return grad

    with pytest.raises(
        RuntimeError, match=r"returned an incorrect number of gradients \(expected 2, got 1\)"
    ):
        Bad.apply(leaf([1.0]), leaf([2.0])).sum().backward()


def test_backward_gradient_for_non_tensor_input_is_refused():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    with pytest.raises(
        RuntimeError, match="position 2, but the corresponding forward input was not a Variable"
    ):
        Bad.apply(leaf([1.0]), 2.0).sum().backward()


def test_backward_gradient_shape_is_checked_and_broadcast_summed():
    class Bcast(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return ember.ones(4, 2, dtype=ember.float64)

    class Wrong(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 1

        @staticmethod
        def backward(ctx, grad):
            return ember.ones(3, dtype=ember.float64)

    x = leaf([1.0, 2.0])
    Bcast.apply(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 4.0])
    with pytest.raises(
        RuntimeError,
        match=r"invalid gradient at index 0 - got \[3\] but expected shape compatible with \[2\]",
    ):
        Wrong.apply(x).sum().backward()


def test_hooks_on_custom_node():
    x = leaf([1.0, 2.0])
    y = Cube.apply(x)
    y.grad_fn.register_prehook(lambda grads: (grads[0] * 2,))
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 24.0])


def test_abstract_methods_raise():
    class NoBackward(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    with pytest.raises(NotImplementedError, match="backward or vjp"):
        NoBackward.apply(leaf([1.0])).sum().backward()
