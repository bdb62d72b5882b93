"""The backward engine: backward/grad arguments, accumulation, hooks, graph structure, grad
modes, in-place checks, higher-order derivatives and deep graphs."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import ember
from ember.autograd.graph import AccumulateGrad

needs_exp = pytest.mark.skipif(not hasattr(ember, "exp"), reason="ember.exp not available")


def leaf(values, dtype=ember.float64):
    return ember.tensor(values, dtype=dtype, requires_grad=True)


# -- backward arguments ---------------------------------------------------------------------


def test_backward_scalar_and_gradient_argument():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0, 6.0])
    x.grad = None
    y = x * 3
    y.backward(ember.tensor([1.0, 0.5, 2.0], dtype=ember.float64))
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 1.5, 6.0])


def test_implicit_gradient_needs_scalar_output():
    x = leaf([1.0, 2.0])
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        (x * 2).backward()


def test_gradient_shape_mismatch_is_reported():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"mismatch in shape"):
        (x * 2).backward(ember.ones(3, dtype=ember.float64))


def test_backward_on_tensor_without_grad_fn():
    x = ember.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad and does not have a grad_fn"):
        (x * 2).sum().backward()


def test_gradients_accumulate_across_backward_calls():
    x = leaf([1.0, 2.0])
    for _ in range(3):
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


def test_second_backward_through_freed_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 8.0])


def test_graph_without_saved_tensors_can_run_twice():
    # As in PyTorch: nodes that saved only plain values (alpha, shapes) keep them.
    x = leaf([1.0, 2.0])
    y = (x + 1).sum()
    y.backward()
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_backward_inputs_restricts_accumulation():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    (x * w).sum().backward(inputs=[x])
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 4.0])
    assert w.grad is None
    with pytest.raises(RuntimeError, match="cannot be empty"):
        (x * w).sum().backward(inputs=[])


def test_backward_inputs_on_non_leaf():
    x = leaf([1.0, 2.0])
    h = x * 2
    (h * h).sum().backward(inputs=[h])
    np.testing.assert_allclose(h.grad.numpy(), [4.0, 8.0])
    assert x.grad is None


def test_grad_with_grad_outputs_and_tuple_result():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    y = x * w
    gx, gw = ember.autograd.grad(
        y, (x, w), grad_outputs=ember.tensor([1.0, 10.0], dtype=ember.float64)
    )
    np.testing.assert_allclose(gx.numpy(), [3.0, 40.0])
    np.testing.assert_allclose(gw.numpy(), [1.0, 20.0])
    assert x.grad is None and w.grad is None  # grad() does not accumulate


def test_grad_allow_unused_and_materialize_grads():
    x = leaf([1.0, 2.0])
    z = leaf([5.0])
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="appears to not have been used in the graph"):
        ember.autograd.grad(y, (x, z), retain_graph=True)
    gx, gz = ember.autograd.grad(y, (x, z), allow_unused=True, retain_graph=True)
    assert gz is None
    np.testing.assert_allclose(gx.numpy(), [2.0, 4.0])
    gx, gz = ember.autograd.grad(y, (x, z), materialize_grads=True)
    np.testing.assert_array_equal(gz.numpy(), [0.0])
    with pytest.raises(ValueError, match="allow_unused"):
        ember.autograd.grad((x * 2).sum(), (x, z), allow_unused=False, materialize_grads=True)


def test_grad_of_intermediate_does_not_run_its_history():
    x = leaf([1.0, 2.0])
    h = x * x
    y = (h * 3).sum()
    (gh,) = ember.autograd.grad(y, h)
    np.testing.assert_allclose(gh.numpy(), [3.0, 3.0])


# -- retain_grad and hooks ------------------------------------------------------------------


def test_retain_grad():
    x = leaf([1.0, 2.0])
    h = x * 3
    assert not h.retains_grad
    h.retain_grad()
    assert h.retains_grad
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad.numpy(), [6.0, 12.0])
    np.testing.assert_allclose(x.grad.numpy(), [18.0, 36.0])
    h2 = x * 3
    (h2 * h2).sum().backward()
    assert h2.grad is None  # non-leaf without retain_grad


def test_hook_on_leaf_modifies_grad_and_can_be_removed():
    x = leaf([1.0, 2.0])
    seen = []

    def hook(g):
        seen.append(g.numpy().copy())
        return g * 10

    handle = x.register_hook(hook)
    (x * x).sum().backward()
    np.testing.assert_allclose(seen[0], [2.0, 4.0])
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 40.0])
    (gx,) = ember.autograd.grad((x * 2).sum(), x)  # hooks apply to captured grads too
    np.testing.assert_allclose(gx.numpy(), [20.0, 20.0])
    handle.remove()
    x.grad = None
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    assert len(seen) == 2


def test_hook_on_non_leaf_changes_upstream_gradient():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.register_hook(lambda g: g * 0 + 1)
    (h * h).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])


def test_hook_requires_grad():
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        ember.ones(2).register_hook(lambda g: g)


def test_post_accumulate_grad_hook():
    x = leaf([1.0, 2.0])
    calls = []
    x.register_post_accumulate_grad_hook(lambda t: calls.append(t.grad.numpy().copy()))
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_allclose(calls[0], [3.0, 3.0])
    np.testing.assert_allclose(calls[1], [6.0, 6.0])
    with pytest.raises(RuntimeError, match="non-leaf"):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)


def test_node_hooks():
    x = leaf([1.0, 2.0])
    w = leaf([3.0, 4.0])
    y = x * w
    log = []

    def pre(grad_outputs):
        log.append("pre")
        return (grad_outputs[0] * 2,)

    def post(grad_inputs, grad_outputs):
        log.append("post")
        np.testing.assert_allclose(grad_outputs[0].numpy(), [2.0, 2.0])
        return (grad_inputs[0], grad_inputs[1] * 0)

    y.grad_fn.register_prehook(pre)
    handle = y.grad_fn.register_hook(post)
    y.sum().backward(retain_graph=True)
    assert log == ["pre", "post"]
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 8.0])
    np.testing.assert_allclose(w.grad.numpy(), [0.0, 0.0])
    handle.remove()
    y.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [2.0, 4.0])


# -- graph structure ------------------------------------------------------------------------


def test_grad_fn_names_and_next_functions():
    x = leaf([1.0, 2.0])
    y = leaf([3.0, 4.0])
    z = x * y
    assert z.grad_fn.name() == "MulBackward0"
    assert repr(z.grad_fn).startswith("<MulBackward0 object at 0x")
    (n0, i0), (n1, i1) = z.grad_fn.next_functions
    assert isinstance(n0, AccumulateGrad) and isinstance(n1, AccumulateGrad)
    assert n0.variable is x and n1.variable is y and i0 == i1 == 0
    w = z + 1
    assert w.grad_fn.name() == "AddBackward0"
    assert w.grad_fn.next_functions[0][0] is z.grad_fn
    c = x * ember.tensor([1.0, 1.0], dtype=ember.float64)
    assert c.grad_fn.next_functions[1] == (None, 0)
    assert x.is_leaf and not z.is_leaf and x.grad_fn is None


def test_accumulate_grad_node_is_shared_per_leaf():
    x = leaf([1.0])
    a, b = x * 2, x * 3
    assert a.grad_fn.next_functions[0][0] is b.grad_fn.next_functions[0][0]


def test_requires_grad_propagation():
    x = leaf([1.0])
    c = ember.tensor([2.0], dtype=ember.float64)
    assert (x * c).requires_grad
    assert not (c * c).requires_grad
    assert (c + x).grad_fn is not None
    with pytest.raises(RuntimeError, match="floating point"):
        ember.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="leaf variables"):
        (x * 2).requires_grad_(False)


def test_detach_and_detach_():
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    d.add_(1)  # shares storage with y
    np.testing.assert_allclose(y.detach().numpy(), [3.0, 5.0])
    z = x * 3
    z.detach_()
    assert z.is_leaf and not z.requires_grad
    w = (z * x).sum()
    w.backward()
    np.testing.assert_allclose(x.grad.numpy(), [3.0, 6.0])


# -- grad modes -----------------------------------------------------------------------------


def test_no_grad_enable_grad_set_grad_enabled_context_managers():
    x = leaf([1.0])
    with ember.no_grad():
        assert not (x * 2).requires_grad
        with ember.enable_grad():
            assert (x * 2).requires_grad
    with ember.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert ember.is_grad_enabled()
    ember.set_grad_enabled(False)
    assert not ember.is_grad_enabled()
    ember.set_grad_enabled(True)
    with ember.inference_mode():
        assert ember.is_inference_mode_enabled()
        assert not (x * 2).requires_grad
    with ember.inference_mode(False):
        assert (x * 2).requires_grad
    assert not ember.is_inference_mode_enabled()


@pytest.mark.parametrize(
    "make",
    [
        lambda: ember.no_grad(),
        lambda: ember.no_grad,
        lambda: ember.set_grad_enabled(False),
        lambda: ember.inference_mode(),
        lambda: ember.inference_mode,
    ],
    ids=["no_grad()", "no_grad", "set_grad_enabled", "inference_mode()", "inference_mode"],
)
def test_grad_modes_as_decorators(make):
    deco = make()
    if isinstance(deco, ember.set_grad_enabled):
        assert not ember.is_grad_enabled()  # set_grad_enabled(False) acts at once...

    @deco
    def f(t):
        return t * 2

    assert ember.is_grad_enabled()  # ...but decorating restores the mode outside f
    x = leaf([1.0])
    assert not f(x).requires_grad
    assert ember.is_grad_enabled()


def test_enable_grad_decorator_inside_no_grad():
    @ember.enable_grad()
    def f(t):
        return t * 2

    x = leaf([1.0])
    with ember.no_grad():
        assert f(x).requires_grad
        assert not ember.is_grad_enabled()


def test_grad_mode_decorator_on_generator():
    @ember.no_grad()
    def gen(t):
        for _ in range(2):
            yield (t * 2).requires_grad, ember.is_grad_enabled()

    x = leaf([1.0])
    results = []
    for item in gen(x):
        results.append(item)
        assert ember.is_grad_enabled()  # the mode applies inside the generator only
    assert results == [(False, False), (False, False)]


def test_grad_mode_is_per_thread():
    x = leaf([1.0])
    seen = {}
    entered = threading.Event()
    release = threading.Event()

    def worker():
        seen["worker"] = (x * 2).requires_grad
        entered.set()
        release.wait(5)

    with ember.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        entered.wait(5)
        seen["main"] = (x * 2).requires_grad
        release.set()
        t.join()
    assert seen == {"worker": True, "main": False}


# -- in-place checks ------------------------------------------------------------------------


@needs_exp
def test_inplace_modification_of_saved_output_is_reported():
    x = leaf([1.0, 2.0])
    y = x.exp()
    y.add_(1)
    with pytest.raises(
        RuntimeError,
        match=r"which is output 0 of ExpBackward0, is at version 1; expected version 0 instead",
    ):
        y.sum().backward()


def test_inplace_modification_of_saved_input_is_reported():
    x = leaf([1.0, 2.0])
    h = x * 1
    y = h * h
    h.mul_(2)
    with pytest.raises(RuntimeError, match=r"MulBackward0, is at version 1; expected version 0"):
        y.sum().backward()


def test_inplace_on_leaf_requiring_grad_is_refused():
    x = leaf([1.0])
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        x.add_(1)


def test_inplace_on_non_leaf_keeps_gradients_right():
    x = leaf([1.0, 2.0])
    h = x * 2
    h.mul_(3)
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])


# -- higher order ---------------------------------------------------------------------------


def test_third_derivative_of_cube():
    x = leaf(1.5)
    (d1,) = ember.autograd.grad(x**3, x, create_graph=True)
    (d2,) = ember.autograd.grad(d1, x, create_graph=True)
    (d3,) = ember.autograd.grad(d2, x)
    assert d1.item() == pytest.approx(3 * 1.5**2)
    assert d2.item() == pytest.approx(6 * 1.5)
    assert d3.item() == pytest.approx(6.0)


def test_create_graph_backward_accumulates_differentiable_grad():
    x = leaf([1.0, 2.0])
    (x * x * x).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    g = x.grad
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


def test_gradient_penalty_pattern():
    w = leaf([0.5, -1.0])
    x = leaf([1.0, 2.0])
    y = (w * x * x).sum()
    (gx,) = ember.autograd.grad(y, x, create_graph=True)
    penalty = (gx * gx).sum()  # sum (2 w x)^2 -> d/dw = 8 w x^2
    penalty.backward()
    np.testing.assert_allclose(w.grad.numpy(), [8 * 0.5 * 1.0, 8 * -1.0 * 4.0])


# -- graph shapes ---------------------------------------------------------------------------


def test_diamond_graph_accumulates_both_paths():
    x = leaf([1.0, 2.0])
    a = x * 2
    b = a * a  # 4x^2
    c = a * 3  # 6x
    d = b + c
    e = d * a  # (4x^2 + 6x) * 2x = 8x^3 + 12x^2
    e.sum().backward()
    xs = np.array([1.0, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), 24 * xs**2 + 24 * xs)


def test_same_tensor_used_twice_in_one_op():
    x = leaf([3.0])
    (x * x).sum().backward()
    assert x.grad.item() == 6.0


def test_deep_chain_backward_has_no_recursion_limit():
    x = leaf([1.0, 2.0])
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0001**5000] * 2, rtol=1e-9)
    del y  # freeing a 5000-node graph by reference counting must not overflow either


def test_float32_gradients_keep_dtype():
    x = leaf([1.0, 2.0], dtype=ember.float32)
    (x * x).sum().backward()
    assert x.grad.dtype == ember.float32


def test_leaf_grads_never_share_memory_with_each_other_or_the_user():
    import numpy as np

    x = ember.ones(3, requires_grad=True)
    w = ember.ones(3, requires_grad=True)
    (x + w).sum().backward()  # the same gradient array reaches both leaves
    assert not np.shares_memory(x.grad.numpy(), w.grad.numpy())
    x.grad.zero_()
    assert w.grad.tolist() == [1.0, 1.0, 1.0]

    h = ember.ones(2, requires_grad=True)
    user_grad = ember.ones(2)
    h.backward(user_grad)  # a leaf used as the root: its gradient is the user's tensor
    assert not np.shares_memory(h.grad.numpy(), user_grad.numpy())
