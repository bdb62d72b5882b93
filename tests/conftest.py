"""Shared test fixtures: the device list, and a numerical gradient checker that does not
depend on Ember's own gradcheck (so the two check each other)."""

from __future__ import annotations

import numpy as np
import pytest

import ember


def _devices():
    devs = ["cpu"]
    if ember.cuda.is_available():
        devs.append("cuda")
    return devs


@pytest.fixture(params=_devices())
def device(request):
    """Each test that takes ``device`` runs on the CPU and, where present, on the GPU."""
    return request.param


def pytest_collection_modifyitems(config, items):
    if ember.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA GPU")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


def _numeric_jacobian_vp(fn, inputs, i, v, eps):
    """d/d(inputs[i]) of <fn(inputs), v> by central differences (a float64 array)."""
    x = inputs[i]
    base = x.detach().numpy().copy()
    grad = np.zeros_like(base)
    flat = base.reshape(-1)
    gflat = grad.reshape(-1)
    for k in range(flat.size):
        orig = flat[k]
        vals = []
        for sign in (1.0, -1.0):
            flat[k] = orig + sign * eps
            args = list(inputs)
            args[i] = ember.tensor(base.copy())
            with ember.no_grad():
                out = fn(*args)
            outs = out if isinstance(out, (tuple, list)) else (out,)
            total = 0.0
            for o, vv in zip(outs, v):
                if o is None or vv is None:
                    continue
                total += float(np.sum(o.detach().numpy().astype(np.float64) * vv))
            vals.append(total)
        flat[k] = orig
        gflat[k] = (vals[0] - vals[1]) / (2 * eps)
    return grad


def check_gradients(fn, *inputs, eps=1e-6, atol=1e-5, rtol=1e-4, second_order=False, seed=0):
    """Compare autograd's gradients of ``fn`` with central differences, in float64.

    ``inputs`` are float64 tensors; those with ``requires_grad`` are checked. With
    ``second_order``, the gradient of ``<grad, w>`` (built with ``create_graph=True``) is
    checked the same way.
    """
    rng = np.random.default_rng(seed)
    out = fn(*inputs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    diff_outs = [o for o in outs if o is not None and o.requires_grad]
    v = [
        rng.standard_normal(o.shape) if (o is not None and o.requires_grad) else None for o in outs
    ]
    wrt = [i for i, t in enumerate(inputs) if isinstance(t, ember.Tensor) and t.requires_grad]
    grads = ember.autograd.grad(
        diff_outs,
        [inputs[i] for i in wrt],
        grad_outputs=[ember.tensor(vv) for vv in v if vv is not None],
        allow_unused=True,
        create_graph=second_order,
    )
    for i, g in zip(wrt, grads):
        expected = _numeric_jacobian_vp(fn, list(inputs), i, v, eps)
        got = np.zeros_like(expected) if g is None else g.detach().numpy()
        np.testing.assert_allclose(
            got, expected, atol=atol, rtol=rtol, err_msg=f"gradient of input {i}"
        )
    if second_order:
        w = [rng.standard_normal(inputs[i].shape) for i in wrt]

        def first(*args):
            o = fn(*args)
            os_ = o if isinstance(o, (tuple, list)) else (o,)
            d_outs = [x for x in os_ if x is not None and x.requires_grad]
            gs = ember.autograd.grad(
                d_outs,
                [args[i] for i in wrt],
                grad_outputs=[ember.tensor(vv) for vv in v if vv is not None],
                allow_unused=True,
                create_graph=True,
            )
            total = None
            for g, ww in zip(gs, w):
                if g is None:
                    continue
                term = (g * ember.tensor(ww)).sum()
                total = term if total is None else total + term
            return total

        with ember.enable_grad():
            args = [
                t.detach().requires_grad_(True)
                if isinstance(t, ember.Tensor) and t.requires_grad
                else t
                for t in inputs
            ]
            total = first(*args)
            if total is None or not total.requires_grad:
                return
            ggs = ember.autograd.grad(total, [args[i] for i in wrt], allow_unused=True)
        for i, gg in zip(wrt, ggs):

            def scalar_fn(*a):
                with ember.enable_grad():
                    a = [
                        t.detach().requires_grad_(True)
                        if isinstance(t, ember.Tensor) and j in wrt
                        else t
                        for j, t in enumerate(a)
                    ]
                    r = first(*a)
                return r.detach() if r is not None else ember.tensor(0.0, dtype=ember.float64)

            expected = _numeric_jacobian_vp(scalar_fn, list(inputs), i, [np.array(1.0)], eps)
            got = np.zeros_like(expected) if gg is None else gg.detach().numpy()
            np.testing.assert_allclose(
                got,
                expected,
                atol=atol * 10,
                rtol=rtol * 10,
                err_msg=f"second-order gradient of input {i}",
            )


@pytest.fixture
def gradcheck():
    """``gradcheck(fn, *float64_inputs, second_order=False)`` asserts autograd matches
    central differences (raises AssertionError with the input index on mismatch)."""
    return check_gradients


def rand64(*shape, requires_grad=True, seed=None, low=-1.0, high=1.0):
    rng = np.random.default_rng(seed)
    return ember.tensor(
        rng.uniform(low, high, size=shape), dtype=ember.float64, requires_grad=requires_grad
    )


@pytest.fixture
def rand():
    """``rand(*shape, requires_grad=True, seed=None, low=-1, high=1)``: a random float64
    tensor (uniform on [low, high), away from zero-only values)."""
    return rand64
