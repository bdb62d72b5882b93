"""ember.optim optimizers: each update against a NumPy transcription of PyTorch's documented
algorithm, over several steps and with each option; convergence; state-dict round trips."""

from __future__ import annotations

import copy
import math

import numpy as np
import pytest

import ember
from ember import optim

SHAPES = [(3, 4), (5,), (2, 3, 2)]
N_STEPS = 6


@pytest.fixture
def float64_default():
    """Scalar state (step, eta, mu_product) is kept in the default dtype, as in PyTorch: make
    it float64 so float64 references agree to rounding."""
    old = ember.get_default_dtype()
    ember.set_default_dtype(ember.float64)
    yield
    ember.set_default_dtype(old)


def _problem(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in SHAPES]
    grads = [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(N_STEPS)]
    return init, grads


def _run_ember(name, kwargs, init, grads):
    params = [ember.nn.Parameter(ember.tensor(a)) for a in init]
    opt = getattr(optim, name)(params, **kwargs)
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = ember.tensor(g)
        opt.step()
    return [p.detach().numpy() for p in params], opt


# -- NumPy references, one parameter at a time, transcribed from PyTorch's documentation ------
def ref_sgd(theta, grads, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
            maximize=False):  # fmt: skip
    b = None
    for g in grads:
        g = -g if maximize else g
        g = g + weight_decay * theta
        if momentum:
            b = g.copy() if b is None else momentum * b + (1 - dampening) * g
            g = g + momentum * b if nesterov else b
        theta = theta - lr * g
    return theta


def ref_adam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
             amsgrad=False, maximize=False, decoupled_weight_decay=False):  # fmt: skip
    b1, b2 = betas
    m = v = vmax = np.zeros_like(theta)
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        if amsgrad:
            vmax = np.maximum(vmax, v)
            v_hat = vmax / (1 - b2**t)
        else:
            v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def ref_adamw(theta, grads, weight_decay=1e-2, **kw):
    return ref_adam(theta, grads, weight_decay=weight_decay, decoupled_weight_decay=True, **kw)


def ref_adamax(theta, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
               maximize=False):  # fmt: skip
    b1, b2 = betas
    m = u = np.zeros_like(theta)
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g
        g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        u = np.maximum(b2 * u, np.abs(g) + eps)
        theta = theta - lr / (1 - b1**t) * m / u
    return theta


def ref_nadam(theta, grads, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
              momentum_decay=4e-3, decoupled_weight_decay=False, maximize=False):  # fmt: skip
    b1, b2 = betas
    m = v = np.zeros_like(theta)

    def mu(t):
        return b1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))

    for t, g in enumerate(grads, 1):
        g = -g if maximize else g
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        prod_t = math.prod(mu(i) for i in range(1, t + 1))
        m_hat = mu(t + 1) * m / (1 - prod_t * mu(t + 1)) + (1 - mu(t)) * g / (1 - prod_t)
        v_hat = v / (1 - b2**t)
        theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
    return theta


def ref_radam(theta, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
              decoupled_weight_decay=False, maximize=False):  # fmt: skip
    b1, b2 = betas
    m = v = np.zeros_like(theta)
    rho_inf = 2 / (1 - b2) - 1
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g
        if decoupled_weight_decay:
            theta = theta * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * theta
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat = m / (1 - b1**t)
        rho_t = rho_inf - 2 * t * b2**t / (1 - b2**t)
        if rho_t > 5:
            adaptive = np.sqrt(1 - b2**t) / (np.sqrt(v) + eps)
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            theta = theta - lr * m_hat * rect * adaptive
        else:
            theta = theta - lr * m_hat
    return theta


def ref_rmsprop(theta, grads, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                centered=False, maximize=False):  # fmt: skip
    v = g_avg = b = np.zeros_like(theta)
    for g in grads:
        g = -g if maximize else g
        g = g + weight_decay * theta
        v = alpha * v + (1 - alpha) * g * g
        v_tilde = v
        if centered:
            g_avg = alpha * g_avg + (1 - alpha) * g
            v_tilde = v - g_avg * g_avg
        if momentum > 0:
            b = momentum * b + g / (np.sqrt(v_tilde) + eps)
            theta = theta - lr * b
        else:
            theta = theta - lr * g / (np.sqrt(v_tilde) + eps)
    return theta


def ref_adagrad(theta, grads, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                eps=1e-10, maximize=False):  # fmt: skip
    s = np.full_like(theta, initial_accumulator_value)
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g
        g = g + weight_decay * theta
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g
        theta = theta - clr * g / (np.sqrt(s) + eps)
    return theta


def ref_adadelta(theta, grads, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, maximize=False):
    v = u = np.zeros_like(theta)
    for g in grads:
        g = -g if maximize else g
        g = g + weight_decay * theta
        v = rho * v + (1 - rho) * g * g
        delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        theta = theta - lr * delta
    return theta


def ref_rprop(theta, grads, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), maximize=False):
    eta_minus, eta_plus = etas
    prev = np.zeros_like(theta)
    step = np.full_like(theta, lr)
    for g in grads:
        g = -g if maximize else g
        prod = g * prev
        factor = np.where(prod > 0, eta_plus, np.where(prod < 0, eta_minus, 1.0))
        step = np.clip(step * factor, *step_sizes)
        g = np.where(prod < 0, 0.0, g)
        theta = theta - np.sign(g) * step
        prev = g
    return theta


def ref_asgd(theta, grads, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
             maximize=False):  # fmt: skip
    eta, mu = lr, 1.0
    ax = np.zeros_like(theta)
    for t, g in enumerate(grads, 1):
        g = -g if maximize else g
        g = g + weight_decay * theta
        theta = theta * (1 - lambd * eta) - eta * g
        ax = ax + mu * (theta - ax) if mu != 1 else theta.copy()
        eta = lr / (1 + lambd * lr * t) ** alpha
        mu = 1 / max(1, t - t0)
    return theta, ax


REFERENCES = {
    "SGD": ref_sgd,
    "Adam": ref_adam,
    "AdamW": ref_adamw,
    "Adamax": ref_adamax,
    "NAdam": ref_nadam,
    "RAdam": ref_radam,
    "RMSprop": ref_rmsprop,
    "Adagrad": ref_adagrad,
    "Adadelta": ref_adadelta,
    "Rprop": ref_rprop,
    "ASGD": lambda theta, grads, **kw: ref_asgd(theta, grads, **kw)[0],
}

CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.1}),
    ("Adam", {"lr": 0.1, "betas": (0.8, 0.9), "eps": 1e-3, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.1, "maximize": True, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("Adam", {"lr": 0.1, "foreach": False, "capturable": False, "fused": None}),
    ("AdamW", {"lr": 0.1}),
    ("AdamW", {"lr": 0.1, "weight_decay": 0.5, "amsgrad": True, "maximize": True}),
    ("Adamax", {"lr": 0.1}),
    ("Adamax", {"lr": 0.1, "weight_decay": 0.1, "maximize": True, "betas": (0.5, 0.9)}),
    ("NAdam", {"lr": 0.1}),
    ("NAdam", {"lr": 0.1, "momentum_decay": 0.1, "weight_decay": 0.1}),
    ("NAdam", {"lr": 0.1, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True}),
    ("RAdam", {"lr": 0.1}),
    ("RAdam", {"lr": 0.1, "betas": (0.9, 0.5)}),  # rho_t > 5 from step 2 on
    ("RAdam", {"lr": 0.1, "betas": (0.9, 0.5), "weight_decay": 0.1, "maximize": True}),
    (
        "RAdam",
        {"lr": 0.1, "betas": (0.9, 0.5), "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "alpha": 0.9, "centered": True}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "maximize": True}),
    ("Adagrad", {"lr": 0.1}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.5, "eps": 1e-3}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.5, "eps": 1e-3, "weight_decay": 0.1, "maximize": True}),
    ("Rprop", {"lr": 0.1}),
    ("Rprop", {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (0.01, 0.2), "maximize": True}),
    ("ASGD", {"lr": 0.1}),
    ("ASGD", {"lr": 0.1, "lambd": 0.1, "alpha": 0.5, "t0": 2, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.1, "t0": 0, "maximize": True}),
]


COMPAT_FLAGS = ("foreach", "capturable", "differentiable", "fused")


@pytest.mark.parametrize(("name", "kwargs"), CASES, ids=[f"{n}-{k}" for n, k in CASES])
def test_update_matches_reference(float64_default, name, kwargs):
    init, grads = _problem()
    got, _ = _run_ember(name, kwargs, init, grads)
    options = {k: v for k, v in kwargs.items() if k not in COMPAT_FLAGS}
    for i, theta in enumerate(init):
        want = REFERENCES[name](theta, [g[i] for g in grads], **options)
        np.testing.assert_allclose(got[i], want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kwargs", [{"lr": 0.1, "t0": 2}, {"lr": 0.1, "t0": 0, "lambd": 0.1}])
def test_asgd_average(float64_default, kwargs):
    init, grads = _problem(1)
    _, opt = _run_ember("ASGD", kwargs, init, grads)
    for i, p in enumerate(opt.param_groups[0]["params"]):
        _, ax = ref_asgd(init[i], [g[i] for g in grads], **kwargs)
        np.testing.assert_allclose(opt.state[p]["ax"].numpy(), ax, rtol=1e-10, atol=1e-12)
        assert opt.state[p]["step"].item() == N_STEPS


@pytest.mark.parametrize(("name", "kwargs"), [c for c in CASES if c[0] in ("SGD", "AdamW")][:4])
def test_float32_matches_reference(name, kwargs):
    init, grads = _problem(2, np.float32)
    got, _opt = _run_ember(name, kwargs, init, grads)
    for i, theta in enumerate(init):
        want = REFERENCES[name](theta.astype(np.float64), [g[i] for g in grads], **kwargs)
        assert got[i].dtype == np.float32
        np.testing.assert_allclose(got[i], want, rtol=1e-5, atol=1e-6)


def test_blocked_threaded_update_equals_whole_array(monkeypatch):
    """Large parameters are updated in blocks, on several threads: same numbers as one block."""
    from ember.optim import optimizer as base

    rng = np.random.default_rng(3)
    shapes = [(700, 300), (41,), (3, 5, 7)]
    init = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads = [[rng.standard_normal(s).astype(np.float32) for s in shapes] for _ in range(3)]
    results = []
    for block, parallel_min in [(1 << 30, 1 << 40), (5000, 0)]:
        monkeypatch.setattr(base, "BLOCK", block)
        monkeypatch.setattr(base, "_PARALLEL_MIN", parallel_min)
        got, _ = _run_ember("AdamW", {"lr": 0.1, "amsgrad": True}, init, grads)
        results.append(got)
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_non_contiguous_parameter_and_complex():
    q = ember.nn.Parameter(ember.ones(4, 3).t())  # a transposed (non-contiguous) storage
    assert not q.is_contiguous()
    q.grad = ember.ones(3, 4)
    opt = optim.SGD([q], lr=0.5, momentum=0.9)
    opt.step()
    opt.step()
    np.testing.assert_allclose(q.detach().numpy(), np.full((3, 4), 1 - 0.5 - 0.5 * 1.9))

    z = ember.nn.Parameter(ember.tensor(np.array([1 + 2j, -1 - 1j], dtype=np.complex128)))
    z.grad = ember.tensor(np.array([0.5 - 1j, 2 + 0j]))
    opt = optim.Adam([z], lr=0.1)
    opt.step()
    want = np.array([1 + 2j, -1 - 1j]) - 0.1 * np.array([1 - 1j, 1 + 0j])  # sign of each part
    np.testing.assert_allclose(z.detach().numpy(), want, atol=1e-6)


# -- LBFGS and SparseAdam --------------------------------------------------------------------
def _rosenbrock(x):
    return ((1 - x[:-1]) ** 2 + 100 * (x[1:] - x[:-1] ** 2) ** 2).sum()


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_rosenbrock(line_search_fn):
    x = ember.nn.Parameter(ember.tensor([-1.5, 2.0], dtype=ember.float64))
    opt = optim.LBFGS(
        [x], lr=1 if line_search_fn else 0.1, line_search_fn=line_search_fn, history_size=10
    )

    def closure():
        opt.zero_grad()
        loss = _rosenbrock(x)
        loss.backward()
        return loss

    first = float(opt.step(closure))
    for _ in range(30 if line_search_fn else 200):
        opt.step(closure)
    final = float(_rosenbrock(x.detach()))
    assert final < 1e-8 if line_search_fn else final < first * 1e-2
    if line_search_fn:
        np.testing.assert_allclose(x.detach().numpy(), np.ones(2), atol=1e-4)
    state = opt.state[x]
    assert state["n_iter"] > 0 and state["func_evals"] >= state["n_iter"]
    assert set(state) >= {"d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad"}
    assert len(state["old_dirs"]) <= 10


def test_lbfgs_quadratic_matches_newton():
    """On a strictly convex quadratic L-BFGS with exact line search converges in few steps."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 5))
    h = a @ a.T + 5 * np.eye(5)
    c = rng.standard_normal(5)
    H, C = ember.tensor(h), ember.tensor(c)
    x = ember.nn.Parameter(ember.zeros(5, dtype=ember.float64))
    opt = optim.LBFGS(
        [x], line_search_fn="strong_wolfe", tolerance_grad=1e-12, tolerance_change=1e-15
    )

    def closure():
        opt.zero_grad()
        loss = 0.5 * (x @ (H @ x)) - (C * x).sum()
        loss.backward()
        return loss

    opt.step(closure)
    np.testing.assert_allclose(x.detach().numpy(), np.linalg.solve(h, c), atol=1e-7)


def test_lbfgs_errors():
    x = ember.nn.Parameter(ember.zeros(2))
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        optim.LBFGS([{"params": [x]}, {"params": [ember.nn.Parameter(ember.zeros(1))]}])
    opt = optim.LBFGS([x], line_search_fn="armijo")

    def closure():
        opt.zero_grad()
        loss = ((x - 1) ** 2).sum()
        loss.backward()
        return loss

    with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
        opt.step(closure)


def test_sparse_adam_updates_touched_rows_only(float64_default):
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal((6, 3))
    table = ember.nn.Parameter(ember.tensor(w0))
    opt = optim.SparseAdam([table], lr=0.1, betas=(0.8, 0.9))
    m = np.zeros_like(w0)
    v = np.zeros_like(w0)
    w = w0.copy()
    for step in range(1, 5):
        rows = rng.choice(6, size=2, replace=False)
        g = np.zeros_like(w0)
        g[rows] = rng.standard_normal((2, 3))
        table.grad = ember.tensor(g)
        opt.step()
        m[rows] += (g[rows] - m[rows]) * 0.2
        v[rows] += (g[rows] ** 2 - v[rows]) * 0.1
        size = 0.1 * math.sqrt(1 - 0.9**step) / (1 - 0.8**step)
        w[rows] -= size * m[rows] / (np.sqrt(v[rows]) + 1e-8)
    np.testing.assert_allclose(table.detach().numpy(), w, rtol=1e-12)
    assert opt.state[table]["step"] == 4  # an int, as in PyTorch


# -- convergence -----------------------------------------------------------------------------
QUADRATIC = {
    "SGD": {"lr": 0.1, "momentum": 0.5},
    "Adam": {"lr": 0.1},
    "AdamW": {"lr": 0.1, "weight_decay": 0.0},
    "Adamax": {"lr": 0.1},
    "NAdam": {"lr": 0.1},
    "RAdam": {"lr": 0.1},
    "RMSprop": {"lr": 0.02},
    "Adagrad": {"lr": 0.5},
    "Adadelta": {"lr": 10.0},
    "Rprop": {"lr": 0.01},
    "ASGD": {"lr": 0.1},
    "SparseAdam": {"lr": 0.1},
}


@pytest.mark.parametrize("name", sorted(QUADRATIC))
def test_converges_on_quadratic(name):
    """``sum(a * (x - c)^2)`` with autograd gradients, 300 steps from 0."""
    a = ember.tensor([1.0, 3.0, 0.5, 2.0])
    c = ember.tensor([1.0, -2.0, 0.5, 3.0])
    x = ember.nn.Parameter(ember.zeros(4))
    opt = getattr(optim, name)([x], **QUADRATIC[name])
    for _ in range(300):
        opt.zero_grad()
        (a * (x - c) ** 2).sum().backward()
        opt.step()
    np.testing.assert_allclose(x.detach().numpy(), c.numpy(), atol=0.05)


ROSENBROCK = {  # optimizer: (options, largest final loss); the loss starts at 62.5
    "SGD": ({"lr": 1e-3, "momentum": 0.9}, 1e-6),
    "Adam": ({"lr": 0.05}, 1e-3),
    "AdamW": ({"lr": 0.05, "weight_decay": 0.0}, 1e-3),
    "Adamax": ({"lr": 0.2}, 2e-2),
    "NAdam": ({"lr": 0.02}, 0.2),
    "RAdam": ({"lr": 0.003}, 0.1),
    "RMSprop": ({"lr": 1e-3, "momentum": 0.9}, 1e-3),
    "Adagrad": ({"lr": 2.0}, 1e-2),
    "Adadelta": ({"lr": 5.0, "rho": 0.99}, 2.0),
    "Rprop": ({"lr": 1e-3}, 1e-3),
    "ASGD": ({"lr": 2e-3, "t0": 100}, 5e-2),
    "SparseAdam": ({"lr": 0.05}, 1e-3),
}


def _rosen_np(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _rosen_grad_np(x):
    a, b = x
    return np.array([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)])


@pytest.mark.parametrize("name", sorted(ROSENBROCK))
def test_converges_on_rosenbrock(name):
    kwargs, bound = ROSENBROCK[name]
    x = ember.nn.Parameter(ember.tensor([-1.5, 1.5], dtype=ember.float64))
    opt = getattr(optim, name)([x], **kwargs)
    for _ in range(2000):
        x.grad = ember.tensor(_rosen_grad_np(x.detach().numpy()))
        opt.step()
    assert _rosen_np(x.detach().numpy()) < bound


# -- state dicts -----------------------------------------------------------------------------
ROUND_TRIP = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.1, "amsgrad": True}),
    ("AdamW", {"lr": 0.1}),
    ("Adamax", {"lr": 0.1}),
    ("NAdam", {"lr": 0.1}),
    ("RAdam", {"lr": 0.1, "betas": (0.9, 0.5)}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1}),
    ("Adadelta", {}),
    ("Rprop", {"lr": 0.1}),
    ("ASGD", {"lr": 0.1, "t0": 2}),
    ("SparseAdam", {"lr": 0.1}),
]


@pytest.mark.parametrize(("name", "kwargs"), ROUND_TRIP, ids=[c[0] for c in ROUND_TRIP])
def test_state_dict_round_trip_continues_exactly(name, kwargs):
    init, grads = _problem(4, np.float32)
    grads = grads + _problem(5, np.float32)[1]
    params = [ember.nn.Parameter(ember.tensor(a)) for a in init]
    opt = getattr(optim, name)(params, **kwargs)

    def run(opt, params, step_grads):
        for gs in step_grads:
            for p, g in zip(params, gs):
                p.grad = ember.tensor(g)
            opt.step()

    run(opt, params, grads[:5])
    saved = copy.deepcopy(opt.state_dict())
    saved_params = [p.detach().numpy().copy() for p in params]
    run(opt, params, grads[5:])  # the uninterrupted run

    params2 = [ember.nn.Parameter(ember.tensor(a)) for a in saved_params]
    opt2 = getattr(optim, name)(params2, **{**kwargs, "lr": 123.0})
    opt2.load_state_dict(saved)
    assert opt2.param_groups[0]["lr"] == kwargs.get("lr", opt.defaults["lr"])
    run(opt2, params2, grads[5:])
    for a, b in zip(params, params2):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())


def test_state_dict_layout():
    a, b, c = (ember.nn.Parameter(ember.ones(n)) for n in (2, 3, 4))
    opt = optim.Adam([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, amsgrad=True)
    for p in (a, c):  # b has no gradient: no state
        p.grad = ember.ones(p.shape)
    opt.step()
    sd = opt.state_dict()
    assert sorted(sd["state"]) == [0, 2]
    assert list(sd["state"][0]) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    step = sd["state"][0]["step"]
    assert step.shape == () and step.dtype == ember.float32 and step.item() == 1.0
    assert [g["params"] for g in sd["param_groups"]] == [[0, 1], [2]]
    assert list(sd["param_groups"][0]) == [
        "lr", "betas", "eps", "weight_decay", "amsgrad", "maximize", "foreach", "capturable",
        "differentiable", "fused", "decoupled_weight_decay", "params",
    ]  # fmt: skip
    assert sd["param_groups"][1]["lr"] == 0.5
    assert sd["state"][0]["exp_avg"] is opt.state[a]["exp_avg"]  # shared, as in PyTorch

    sgd = optim.SGD([a], lr=0.1)
    a.grad = ember.ones(2)
    sgd.step()
    assert sgd.state_dict()["state"] == {}  # no momentum: no state
    sgd = optim.SGD([a], lr=0.1, momentum=0.9)
    assert sgd.state_dict()["state"] == {}
    sgd.step()
    np.testing.assert_array_equal(sgd.state[a]["momentum_buffer"].numpy(), np.ones(2))


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Adamax", ["step", "exp_avg", "exp_inf"]),
        ("NAdam", ["step", "mu_product", "exp_avg", "exp_avg_sq"]),
        ("RAdam", ["step", "exp_avg", "exp_avg_sq"]),
        ("Adagrad", ["step", "sum"]),
        ("Adadelta", ["step", "square_avg", "acc_delta"]),
        ("Rprop", ["step", "prev", "step_size"]),
        ("ASGD", ["step", "eta", "mu", "ax"]),
        ("SparseAdam", ["step", "exp_avg", "exp_avg_sq"]),
    ],
)
def test_state_names(name, keys):
    p = ember.nn.Parameter(ember.ones(3))
    p.grad = ember.ones(3)
    opt = getattr(optim, name)([p], lr=0.1)
    opt.step()
    assert list(opt.state[p]) == keys


def test_load_state_dict_errors_and_casts():
    a = ember.nn.Parameter(ember.ones(2))
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    a.grad = ember.ones(2)
    opt.step()
    sd = opt.state_dict()
    b = ember.nn.Parameter(ember.ones(2, dtype=ember.float64))
    opt64 = optim.SGD([b], lr=0.1, momentum=0.9)
    opt64.load_state_dict(sd)
    assert opt64.state[b]["momentum_buffer"].dtype == ember.float64
    assert opt64.state[b]["momentum_buffer"] is not sd["state"][0]["momentum_buffer"]
    two = optim.SGD([{"params": [a]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="different number of parameter groups"):
        two.load_state_dict(sd)
    wide = optim.SGD([a, b], lr=0.1)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        wide.load_state_dict(sd)


# -- base-class behaviour --------------------------------------------------------------------
def test_params_without_grad_are_skipped_and_zero_grad():
    a, b = ember.nn.Parameter(ember.ones(2)), ember.nn.Parameter(ember.ones(2))
    opt = optim.Adam([a, b], lr=0.1)
    a.grad = ember.ones(2)
    opt.step()
    np.testing.assert_array_equal(b.detach().numpy(), np.ones(2))
    assert b not in opt.state and a in opt.state
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(a.grad.numpy(), np.zeros(2))
    opt.zero_grad()
    assert a.grad is None


def test_step_with_closure_runs_with_grad_enabled():
    x = ember.nn.Parameter(ember.tensor([2.0]))
    opt = optim.SGD([x], lr=0.25)
    seen = []

    def closure():
        seen.append(ember.is_grad_enabled())
        opt.zero_grad()
        loss = (x**2).sum()
        loss.backward()
        return loss

    with ember.no_grad():
        loss = opt.step(closure)
    assert seen == [True] and loss.item() == 4.0
    assert x.item() == 1.0


def test_step_bumps_version_counter():
    x = ember.nn.Parameter(ember.tensor([2.0]))
    y = x * x  # saves x for backward
    opt = optim.SGD([x], lr=0.1)
    x.grad = ember.ones(1)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


def test_hooks():
    x = ember.nn.Parameter(ember.tensor([1.0]))
    x.grad = ember.ones(1)
    opt = optim.SGD([x], lr=0.5)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", x.item())))
    g = optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append("global"))
    opt.step()
    assert calls == ["global", ("pre", True), ("post", 0.5)]
    for handle in (h1, h2, g):
        handle.remove()
    opt.step()
    assert len(calls) == 3

    opt.register_step_pre_hook(lambda o, args, kwargs: 5)
    with pytest.raises(RuntimeError, match="must return None or a tuple"):
        opt.step()


def test_state_dict_hooks():
    x = ember.nn.Parameter(ember.tensor([1.0]))
    opt = optim.SGD([x], lr=0.5)
    opt.register_state_dict_post_hook(lambda o, sd: {**sd, "extra": 1})
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_pre_hook(lambda o, sd: seen.append("pre"))
    opt.register_load_state_dict_post_hook(lambda o: seen.append("post"))
    opt.load_state_dict(opt.state_dict())
    assert seen == ["pre", "post"]


def test_subclass_step_runs_hooks_once():
    class MySGD(optim.SGD):
        def step(self, closure=None):
            return super().step(closure)

    x = ember.nn.Parameter(ember.tensor([1.0]))
    x.grad = ember.ones(1)
    opt = MySGD([x], lr=0.5)
    calls = []
    opt.register_step_pre_hook(lambda *a: calls.append(1))
    opt.step()
    assert calls == [1] and x.item() == 0.5
    assert isinstance(opt, optim.SGD) and isinstance(opt, optim.Optimizer)


def test_custom_optimizer_with_its_own_step():
    class Sign(optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        with ember.no_grad():
                            p.sub_(group["lr"] * p.grad.sign())

    x = ember.nn.Parameter(ember.tensor([1.0, -1.0]))
    x.grad = ember.tensor([3.0, -2.0])
    Sign([x]).step()
    np.testing.assert_allclose(x.detach().numpy(), [0.9, -0.9])


def test_add_param_group_and_repr():
    a, b = ember.nn.Parameter(ember.ones(1)), ember.nn.Parameter(ember.ones(1))
    opt = optim.SGD([a], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    text = repr(opt)
    assert text.startswith("SGD (\nParameter Group 0\n    dampening: 0\n")
    assert "Parameter Group 1" in text and "    lr: 0.01\n" in text
    named = optim.Adam([("w", a)], lr=0.1)
    assert named.param_groups[0]["param_names"] == ["w"]
    assert named.state_dict()["param_groups"][0]["param_names"] == ["w"]


def test_lr_as_tensor():
    x = ember.nn.Parameter(ember.tensor([1.0]))
    x.grad = ember.ones(1)
    opt = optim.Adam([x], lr=ember.tensor(0.1))
    opt.step()
    np.testing.assert_allclose(x.item(), 0.9, rtol=1e-6)


# -- errors ----------------------------------------------------------------------------------
def test_errors():
    p = ember.nn.Parameter(ember.ones(2))
    with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([p, p], lr=0.1)
    nonleaf = p * 2
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        optim.Adam([nonleaf])
    with pytest.raises(TypeError, match="unexpected keyword argument 'momentun'"):
        optim.SGD([p], lr=0.1, momentun=0.9)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        optim.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        optim.Adam([])
    with pytest.raises(TypeError, match="should be an iterable of Tensors or dicts"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors"):
        optim.SGD([1.0], lr=0.1)
    with pytest.raises(TypeError, match="ordering of tensors in sets will change"):
        optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(TypeError, match="param_group must be a dict"):
        optim.SGD([p], lr=0.1).add_param_group([p])


@pytest.mark.parametrize(
    ("factory", "message"),
    [
        (lambda p: optim.SGD(p, lr=0.1, momentum=-1), "Invalid momentum value: -1"),
        (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.SGD(p, lr=0.1, nesterov=True), "Nesterov momentum requires a momentum"),
        (lambda p: optim.Adam(p, betas=(1.0, 0.9)), "Invalid beta parameter at index 0: 1.0"),
        (lambda p: optim.AdamW(p, betas=(0.9, -0.1)), "Invalid beta parameter at index 1: -0.1"),
        (lambda p: optim.Adam(p, eps=-1e-8), "Invalid epsilon value: -1e-08"),
        (lambda p: optim.NAdam(p, momentum_decay=-1), "Invalid momentum_decay value: -1"),
        (lambda p: optim.RMSprop(p, alpha=-1), "Invalid alpha value: -1"),
        (lambda p: optim.Adagrad(p, lr_decay=-1), "Invalid lr_decay value: -1"),
        (lambda p: optim.Adagrad(p, initial_accumulator_value=-1), "Invalid initial_accum"),
        (lambda p: optim.Adadelta(p, rho=1.5), "Invalid rho value: 1.5"),
        (lambda p: optim.Rprop(p, etas=(1.5, 1.2)), "Invalid eta values: 1.5, 1.2"),
        (lambda p: optim.SparseAdam(p, lr=0.0), "Invalid learning rate: 0.0"),
        (lambda p: optim.ASGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.LBFGS(p, lr=-1), "Invalid learning rate: -1"),
    ],
)
def test_invalid_options(factory, message):
    with pytest.raises(ValueError, match=message):
        factory([ember.nn.Parameter(ember.ones(2))])


def test_sparse_adam_rejects_complex():
    z = ember.nn.Parameter(ember.tensor(np.ones(2, dtype=np.complex64)))
    with pytest.raises(ValueError, match="SparseAdam does not support complex parameters"):
        optim.SparseAdam([z])
