"""Module hooks: forward pre/post (with kwargs, prepend, always_call), full backward hooks
and backward pre-hooks with their gradient values, global module hooks, handles."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import nn
from ember.nn.modules import module as module_mod


class Affine(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(ember.tensor([2.0, 3.0], dtype=ember.float64))

    def forward(self, x, shift=0.0):
        return x * self.w + shift


class TwoOut(nn.Module):
    def forward(self, x, k):
        return x * k, x * x


def _x(values=(1.0, 2.0)):
    return ember.tensor(list(values), dtype=ember.float64, requires_grad=True)


# -- forward hooks --------------------------------------------------------------------------
def test_forward_pre_hook_replaces_args_and_handle_removes():
    m = Affine()
    h = m.register_forward_pre_hook(lambda mod, args: (args[0] + 1,))
    np.testing.assert_allclose(m(_x()).detach().numpy(), [4.0, 9.0])
    h2 = m.register_forward_pre_hook(lambda mod, args: args[0] * 10)  # non-tuple is wrapped
    np.testing.assert_allclose(m(_x()).detach().numpy(), [40.0, 90.0])
    h.remove()
    h2.remove()
    np.testing.assert_allclose(m(_x()).detach().numpy(), [2.0, 6.0])
    assert not m._forward_pre_hooks


def test_forward_pre_hook_with_kwargs():
    m = Affine()
    seen = []

    def hook(mod, args, kwargs):
        seen.append(dict(kwargs))
        return args, {"shift": 100.0}

    h = m.register_forward_pre_hook(hook, with_kwargs=True)
    out = m(_x(), shift=1.0)
    assert seen == [{"shift": 1.0}]
    np.testing.assert_allclose(out.detach().numpy(), [102.0, 106.0])
    h.remove()
    assert h.id not in m._forward_pre_hooks_with_kwargs
    m.register_forward_pre_hook(lambda mod, a, k: 5, with_kwargs=True)
    with pytest.raises(
        RuntimeError, match=r"must return None or a tuple of \(new_args, new_kwargs\)"
    ):
        m(_x())


def test_forward_hook_order_prepend_and_kwargs():
    m = Affine()
    calls = []
    m.register_forward_hook(lambda mod, args, out: calls.append("a"))
    m.register_forward_hook(lambda mod, args, out: calls.append("b"))
    m.register_forward_hook(lambda mod, args, out: calls.append("first"), prepend=True)
    m.register_forward_pre_hook(lambda mod, args: calls.append("pre2"))
    m.register_forward_pre_hook(lambda mod, args: calls.append("pre1"), prepend=True)
    m(_x())
    assert calls == ["pre1", "pre2", "first", "a", "b"]

    m2 = Affine()
    m2.register_forward_hook(lambda mod, args, kwargs, out: out + kwargs["shift"], with_kwargs=True)
    m2.register_forward_hook(lambda mod, args, out: out * 2)
    np.testing.assert_allclose(m2(_x(), shift=1.0).detach().numpy(), [8.0, 16.0])


def test_forward_hook_always_call():
    class Fails(nn.Module):
        def forward(self, x):
            raise ValueError("boom")

    m = Fails()
    calls = []
    m.register_forward_hook(lambda mod, args, out: calls.append(("always", out)), always_call=True)
    m.register_forward_hook(lambda mod, args, out: calls.append("normal"))
    with pytest.raises(ValueError, match="boom"):
        m(ember.ones(1))
    assert calls == [("always", None)]
    # an always_call hook that fails too is silenced with a warning
    m2 = Fails()
    m2.register_forward_hook(lambda mod, a, o: 1 / 0, always_call=True)
    with pytest.warns(UserWarning, match="always_call=True"), pytest.raises(ValueError):
        m2(ember.ones(1))


def test_handle_as_context_manager():
    m = Affine()
    calls = []
    with m.register_forward_hook(lambda mod, a, o: calls.append(1)):
        m(_x())
    m(_x())
    assert calls == [1]


# -- backward hooks -------------------------------------------------------------------------
def test_full_backward_hook_grad_values():
    m = Affine()
    record = {}

    def hook(mod, grad_input, grad_output):
        record["gi"] = [None if g is None else g.numpy().copy() for g in grad_input]
        record["go"] = [g.numpy().copy() for g in grad_output]

    m.register_full_backward_hook(hook)
    x = _x()
    (m(x) * ember.tensor([5.0, 7.0], dtype=ember.float64)).sum().backward()
    np.testing.assert_allclose(record["go"][0], [5.0, 7.0])
    np.testing.assert_allclose(record["gi"][0], [10.0, 21.0])  # dL/dx = go * w
    np.testing.assert_allclose(x.grad.numpy(), [10.0, 21.0])
    np.testing.assert_allclose(m.w.grad.numpy(), [5.0, 14.0])  # parameters unaffected


def test_full_backward_hook_replaces_grad_input():
    m = Affine()
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 0 + 1,))
    x = _x()
    m(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [1.0, 1.0])
    m2 = Affine()
    m2.register_full_backward_hook(lambda mod, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        m2(_x()).sum().backward()


def test_backward_pre_hook_replaces_grad_output():
    m = Affine()
    seen = []
    m.register_full_backward_pre_hook(lambda mod, go: (go[0] * 10,))
    m.register_full_backward_hook(lambda mod, gi, go: seen.append(go[0].numpy().copy()))
    x = _x()
    m(x).sum().backward()
    np.testing.assert_allclose(seen[0], [10.0, 10.0])  # the hook sees the replaced grad
    np.testing.assert_allclose(x.grad.numpy(), [20.0, 30.0])
    np.testing.assert_allclose(m.w.grad.numpy(), [10.0, 20.0])


def test_backward_hooks_several_inputs_and_outputs():
    m = TwoOut()
    got = {}
    m.register_full_backward_pre_hook(lambda mod, go: got.update(pre=go))
    m.register_full_backward_hook(lambda mod, gi, go: got.update(hook=(gi, go)))
    x = _x((1.0, 3.0))
    a, _b = m(x, 4.0)
    a.sum().backward()  # b unused: its grad_output is None
    gi, go = got["hook"]
    assert len(gi) == 2 and gi[1] is None  # one entry per positional arg, None for non-tensor
    np.testing.assert_allclose(gi[0].numpy(), [4.0, 4.0])
    assert go[1] is None and got["pre"][1] is None
    np.testing.assert_allclose(go[0].numpy(), [1.0, 1.0])


def test_backward_hook_when_no_input_requires_grad():
    m = Affine()
    got = []
    m.register_full_backward_hook(lambda mod, gi, go: got.append((gi, go)))
    m(ember.ones(2, dtype=ember.float64)).sum().backward()
    ((gi, go),) = got
    assert gi == (None,)
    np.testing.assert_allclose(go[0].numpy(), [1.0, 1.0])
    np.testing.assert_allclose(m.w.grad.numpy(), [1.0, 1.0])


def test_backward_hook_handle_and_nested_modules():
    order = []
    inner = Affine()
    outer = nn.Sequential(inner, Affine())
    h1 = inner.register_full_backward_hook(lambda mod, gi, go: order.append("inner"))
    outer.register_full_backward_hook(lambda mod, gi, go: order.append("outer"))
    outer[1].register_full_backward_hook(lambda mod, gi, go: order.append("second"))
    outer(_x()).sum().backward()
    assert order == ["second", "inner", "outer"]
    h1.remove()
    order.clear()
    outer(_x()).sum().backward()
    assert order == ["second", "outer"]


def test_backward_hooks_with_create_graph():
    m = Affine()
    m.register_full_backward_hook(lambda mod, gi, go: (gi[0] * 2,))
    x = _x()
    (g,) = ember.autograd.grad((m(x) ** 2).sum(), x, create_graph=True)
    # d/dx sum((w x)^2) = 2 w^2 x, doubled by the hook
    np.testing.assert_allclose(g.detach().numpy(), [16.0, 72.0])
    g.sum().backward()
    # the second backward runs through the module again, so the hook doubles again; PyTorch
    # 2.13 gives the same [32, 72]
    np.testing.assert_allclose(x.grad.numpy(), [32.0, 72.0])


def test_no_backward_hook_machinery_under_no_grad():
    m = Affine()
    m.register_full_backward_hook(lambda mod, gi, go: None)
    with ember.no_grad():
        out = m(_x())
    assert out.grad_fn is None


# -- global hooks ---------------------------------------------------------------------------
def test_global_forward_hooks_run_for_every_module():
    seen = []
    h1 = module_mod.register_module_forward_pre_hook(
        lambda m, a: seen.append(("pre", type(m).__name__))
    )
    h2 = module_mod.register_module_forward_hook(
        lambda m, a, o: seen.append(("post", type(m).__name__))
    )
    local = []
    try:
        net = nn.Sequential(Affine())
        net[0].register_forward_pre_hook(lambda m, a: local.append(len(seen)))
        net(_x())
    finally:
        h1.remove()
        h2.remove()
    assert seen == [
        ("pre", "Sequential"), ("pre", "Affine"), ("post", "Affine"), ("post", "Sequential"),
    ]  # fmt: skip
    assert local == [2]  # global pre-hooks run before the module's own
    assert not module_mod._call.state.active
    seen.clear()
    net(_x())
    assert seen == []


def test_global_forward_hook_kwargs_and_always_call():
    got = []
    h = module_mod.register_module_forward_hook(
        lambda m, a, k, o: got.append(k), with_kwargs=True, always_call=True
    )
    try:
        Affine()(_x(), shift=2.0)
    finally:
        h.remove()
    assert got == [{"shift": 2.0}]
    assert not module_mod._global_forward_hooks_with_kwargs


def test_global_backward_hooks():
    seen = []
    h1 = module_mod.register_module_full_backward_pre_hook(lambda m, go: seen.append("pre"))
    h2 = module_mod.register_module_full_backward_hook(
        lambda m, gi, go: seen.append(gi[0].numpy().copy())
    )
    try:
        m = Affine()
        m(_x()).sum().backward()
    finally:
        h1.remove()
        h2.remove()
    assert seen[0] == "pre"
    np.testing.assert_allclose(seen[1], [2.0, 3.0])


def test_global_hooks_exported_names():
    for name in (
        "register_module_forward_pre_hook", "register_module_forward_hook",
        "register_module_full_backward_hook", "register_module_full_backward_pre_hook",
    ):  # fmt: skip
        assert callable(getattr(ember.nn.modules.module, name))
