"""The graph has no reference cycles: with the garbage collector off, intermediate tensors,
nodes and saved arrays are freed by reference counting as soon as they are dropped."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import ember
from ember.autograd import Function


@pytest.fixture
def no_gc():
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _build(x, w):
    h1 = x * w
    h2 = h1 * h1
    h3 = h2 + h1
    loss = (h3 * w).sum()
    return [h1, h2, h3, loss]


def test_intermediates_and_nodes_freed_after_backward(no_gc):
    x = ember.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    w = ember.tensor(np.ones((2, 3)), requires_grad=True)
    tensors = _build(x, w)
    tensor_refs = [weakref.ref(t) for t in tensors]
    node_refs = [weakref.ref(t.grad_fn) for t in tensors]
    tensors[-1].backward()
    del tensors
    assert all(r() is None for r in tensor_refs)
    assert all(r() is None for r in node_refs)
    assert x.grad is not None and w.grad is not None


def test_graph_freed_without_backward(no_gc):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    tensors = _build(x, x)
    refs = [weakref.ref(t) for t in tensors] + [weakref.ref(t.grad_fn) for t in tensors]
    del tensors
    assert all(r() is None for r in refs)


def test_saved_values_released_after_backward(no_gc):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * x  # saves both inputs
    y = (h * h).sum()
    mul_node = h.grad_fn
    assert mul_node._saved is not None
    y.backward()
    assert mul_node._saved is None


def test_saved_values_kept_with_retain_graph(no_gc):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    y = (h * h).sum()
    y.backward(retain_graph=True)
    assert h.grad_fn._saved is not None
    y.backward()
    assert h.grad_fn._saved is None
    np.testing.assert_allclose(x.grad.numpy(), 2 * 4 * np.array([1.0, 8.0]))


def test_saved_array_memory_is_released(no_gc):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    y = h * h  # saves h
    h_ref = weakref.ref(h)
    del h
    assert h_ref() is not None  # held by MulBackward0's saved values
    y.sum().backward()
    assert h_ref() is None  # released by backward, not by the collector


def test_leaf_accumulate_grad_does_not_keep_graph_alive(no_gc):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    acc = y.grad_fn.next_functions[0][0]
    acc_ref = weakref.ref(acc)
    node_ref = weakref.ref(y.grad_fn)
    y_ref = weakref.ref(y)
    del acc, y
    assert y_ref() is None and node_ref() is None
    assert acc_ref() is None  # the leaf refers to its AccumulateGrad only weakly
    assert x.requires_grad and x.grad is None  # and the leaf itself is untouched


def test_retain_grad_and_hooks_do_not_create_cycles(no_gc):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    h.register_hook(lambda g: g * 1)
    y = (h * h).sum()
    refs = [weakref.ref(h), weakref.ref(h.grad_fn), weakref.ref(y)]
    y.backward()
    del h, y
    assert all(r() is None for r in refs)


def test_custom_function_saving_its_output_has_no_cycle(no_gc):
    class Double(Function):
        @staticmethod
        def forward(ctx, a):
            out = a * 2
            ctx.save_for_backward(a, out)
            return out

        @staticmethod
        def backward(ctx, grad):
            _a, _out = ctx.saved_tensors
            return grad * 2

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = Double.apply(x)
    refs = [weakref.ref(y), weakref.ref(y.grad_fn)]
    del y
    assert all(r() is None for r in refs)


def test_create_graph_results_freed(no_gc):
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x * x).sum()
    (g,) = ember.autograd.grad(y, x, create_graph=True)
    refs = [weakref.ref(y), weakref.ref(g), weakref.ref(g.grad_fn)]
    del y, g
    assert all(r() is None for r in refs)
