"""ember.autograd.gradcheck / gradgradcheck: pass on right gradients, fail (raise or return
False) on wrong ones, PyTorch's messages and warnings."""

from __future__ import annotations

import warnings

import pytest

import ember
from ember.autograd import Function, gradcheck, gradgradcheck
from ember.autograd._gradcheck import GradcheckError


class WrongCube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 2 * x * x * grad  # should be 3 x^2


class WrongSecondOrder(Function):
    """Right first derivative (3x^2), wrong second one: backward is not differentiable in x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return 3 * x.detach() * x.detach() * grad


@pytest.mark.parametrize("fast_mode", [False, True])
def test_passes_on_correct_gradients(rand, fast_mode):
    a, b = rand(2, 3, seed=0), rand(2, 3, seed=1, low=0.5, high=2.0)
    assert gradcheck(lambda x, y: (x * y * x, x / y), (a, b), fast_mode=fast_mode)
    assert gradcheck(lambda x: x.sum() * x, a, fast_mode=fast_mode)


@pytest.mark.parametrize("fast_mode", [False, True])
def test_detects_wrong_gradient(rand, fast_mode):
    x = rand(3, seed=2, low=0.5, high=1.5)
    with pytest.raises(
        GradcheckError, match=r"Jacobian mismatch for output 0 with respect to input 0,\nnumerical:"
    ):
        gradcheck(WrongCube.apply, (x,), fast_mode=fast_mode)
    assert gradcheck(WrongCube.apply, (x,), raise_exception=False, fast_mode=fast_mode) is False


def test_error_is_a_runtime_error_with_both_jacobians(rand):
    x = rand(2, seed=3, low=0.5, high=1.5)
    with pytest.raises(RuntimeError) as info:
        gradcheck(WrongCube.apply, (x,))
    msg = str(info.value)
    assert "numerical:tensor(" in msg and "\nanalytical:tensor(" in msg


def test_input_index_in_message_counts_differentiable_inputs(rand):
    x = rand(2, seed=4)
    y = rand(2, seed=5, low=0.5, high=1.5)
    with pytest.raises(GradcheckError, match="with respect to input 1"):
        gradcheck(lambda a, b: a + WrongCube.apply(b), (x, y))


def test_non_tensor_and_non_differentiable_inputs_are_skipped(rand):
    x = rand(3, seed=6)
    c = rand(3, seed=7, requires_grad=False)
    assert gradcheck(lambda a, k, b: a * k * b, (x, 2.5, c))


def test_needs_an_input_requiring_grad(rand):
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda a: a * 2, (rand(2, requires_grad=False),))


def test_warns_on_single_precision_inputs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        gradcheck(lambda a: a * 2, (x,), raise_exception=False)
    assert any("is not a double precision floating point" in str(w.message) for w in caught)


def test_gradgradcheck(rand):
    x = rand(3, seed=8, low=0.5, high=1.5)
    assert gradgradcheck(lambda a: a * a * a, (x,))
    gy = rand(3, seed=9)
    assert gradgradcheck(lambda a: a * a * a, (x,), (gy,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(WrongSecondOrder.apply, (x,))
    assert gradcheck(WrongSecondOrder.apply, (x,))  # first order is right


def test_nondeterministic_backward_is_reported(rand):
    calls = []

    class Noisy(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            calls.append(1)
            return grad * (2 + 1e-3 * (len(calls) % 2))

    with pytest.raises(GradcheckError, match="Backward is not reentrant"):
        gradcheck(Noisy.apply, (rand(1, seed=10),), atol=1e-2)
