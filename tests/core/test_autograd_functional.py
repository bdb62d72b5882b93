"""ember.autograd.functional: results against closed forms, PyTorch's return structures,
create_graph and strict mode."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd.functional import hessian, hvp, jacobian, jvp, vhp, vjp


def t(values):
    return ember.tensor(values, dtype=ember.float64)


def cubic(x):
    return (x * x * x).sum()


def test_jacobian_single_input_output():
    x = t([1.0, 2.0, 3.0])
    jac = jacobian(lambda a: a * a, x)
    assert isinstance(jac, ember.Tensor) and tuple(jac.shape) == (3, 3)
    np.testing.assert_allclose(jac.numpy(), np.diag([2.0, 4.0, 6.0]))
    assert not jac.requires_grad


def test_jacobian_shapes_and_tuple_structure():
    a, b = t([[1.0, 2.0], [3.0, 4.0]]), t([5.0, 6.0])
    jac = jacobian(lambda x, y: (x * y, y * 2), (a, b))
    assert isinstance(jac, tuple) and len(jac) == 2 and all(len(row) == 2 for row in jac)
    assert tuple(jac[0][0].shape) == (2, 2, 2, 2)
    assert tuple(jac[0][1].shape) == (2, 2, 2)
    assert tuple(jac[1][0].shape) == (2, 2, 2)
    np.testing.assert_allclose(jac[1][0].numpy(), 0.0)
    np.testing.assert_allclose(jac[1][1].numpy(), 2 * np.eye(2))
    # d(x*y)[i,j]/dy[k] = x[i,j] * (j == k)
    expected = np.einsum("ij,jk->ijk", a.numpy(), np.eye(2))
    np.testing.assert_allclose(jac[0][1].numpy(), expected)
    # tuple input with single output: a tuple over inputs
    jac2 = jacobian(lambda x, y: x.sum() * y, (a, b))
    assert isinstance(jac2, tuple) and len(jac2) == 2 and isinstance(jac2[0], ember.Tensor)


def test_jacobian_matches_finite_differences(rand):
    x = rand(3, seed=0)
    w = rand(3, 3, seed=1, requires_grad=False)

    def f(v):
        return ember.matmul(w, v * v)

    jac = jacobian(f, x.detach()).numpy()
    eps = 1e-6
    num = np.zeros((3, 3))
    for k in range(3):
        d = np.zeros(3)
        d[k] = eps
        num[:, k] = (
            f(t(x.detach().numpy() + d)).numpy() - f(t(x.detach().numpy() - d)).numpy()
        ) / (2 * eps)
    np.testing.assert_allclose(jac, num, rtol=1e-6, atol=1e-8)


def test_jacobian_create_graph_is_differentiable():
    x = t([1.0, 2.0]).requires_grad_()
    jac = jacobian(lambda a: a * a * a, x, create_graph=True)
    assert jac.requires_grad
    jac.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 12.0])


def test_jacobian_strict_and_errors():
    x, y = t([1.0]), t([2.0])
    jac = jacobian(lambda a, b: a * 2, (x, y))
    np.testing.assert_allclose(jac[1].numpy(), [[0.0]])
    with pytest.raises(
        RuntimeError, match="Output 0 of the user-provided function is independent of input 1"
    ):
        jacobian(lambda a, b: a * 2, (x, y), strict=True)
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        jacobian(lambda a: 3, x)
    with pytest.raises(ValueError, match="Expected strategy"):
        jacobian(lambda a: a, x, strategy="sideways")


def test_hessian():
    x = t([1.0, 2.0])
    h = hessian(cubic, x)
    np.testing.assert_allclose(h.numpy(), np.diag([6.0, 12.0]))
    a, b = t([1.0, 2.0]), t([3.0, 4.0])
    hh = hessian(lambda p, q: (p * p * q).sum(), (a, b))
    assert isinstance(hh, tuple) and len(hh) == 2 and len(hh[0]) == 2
    np.testing.assert_allclose(hh[0][0].numpy(), np.diag(2 * b.numpy()))
    np.testing.assert_allclose(hh[0][1].numpy(), np.diag(2 * a.numpy()))
    np.testing.assert_allclose(hh[1][1].numpy(), np.zeros((2, 2)))
    with pytest.raises(RuntimeError, match="should contain a single element"):
        hessian(lambda p: p * p, x)


def test_vjp():
    x = t([1.0, 2.0])
    out, g = vjp(lambda a: a * a, x, t([1.0, 10.0]))
    np.testing.assert_allclose(out.numpy(), [1.0, 4.0])
    np.testing.assert_allclose(g.numpy(), [2.0, 40.0])
    out, g = vjp(cubic, x)
    np.testing.assert_allclose(g.numpy(), [3.0, 12.0])
    outs, gs = vjp(lambda a, b: (a * b, a), (x, t([3.0, 4.0])), (t([1.0, 1.0]), t([1.0, 1.0])))
    assert isinstance(outs, tuple) and isinstance(gs, tuple)
    np.testing.assert_allclose(gs[0].numpy(), [4.0, 5.0])
    np.testing.assert_allclose(gs[1].numpy(), [1.0, 2.0])
    with pytest.raises(RuntimeError, match="The vector v can only be None"):
        vjp(lambda a: a * 2, x)
    with pytest.raises(RuntimeError, match="v has invalid size"):
        vjp(lambda a: a * 2, x, t([1.0, 2.0, 3.0]))


def test_jvp():
    x = t([1.0, 2.0])
    out, j = jvp(lambda a: a * a * a, x, t([1.0, -1.0]))
    np.testing.assert_allclose(out.numpy(), [1.0, 8.0])
    np.testing.assert_allclose(j.numpy(), [3.0, -12.0])
    _, js = jvp(lambda a, b: (a * b, b * 2), (x, t([3.0, 4.0])), (t([1.0, 0.0]), t([0.0, 1.0])))
    assert isinstance(js, tuple) and len(js) == 2
    np.testing.assert_allclose(js[0].numpy(), [3.0, 2.0])
    np.testing.assert_allclose(js[1].numpy(), [0.0, 2.0])


def test_jvp_equals_jacobian_times_vector(rand):
    x = rand(3, seed=4, requires_grad=False)
    v = rand(3, seed=5, requires_grad=False)
    f = lambda a: a * a * ember.matmul(a, a)  # noqa: E731
    jac = jacobian(f, x).numpy()
    _, j = jvp(f, x, v)
    np.testing.assert_allclose(j.numpy(), jac @ v.numpy(), rtol=1e-10)


def test_hvp_and_vhp():
    x = t([1.0, 2.0])
    v = t([1.0, 3.0])
    out, hv = hvp(cubic, x, v)
    assert out.item() == 9.0
    np.testing.assert_allclose(hv.numpy(), [6.0, 36.0])
    out, vh = vhp(cubic, x, v)
    np.testing.assert_allclose(vh.numpy(), [6.0, 36.0])
    a, b = t([1.0, 2.0]), t([3.0, 4.0])
    f = lambda p, q: (p * p * q).sum()  # noqa: E731
    _, res = hvp(f, (a, b), (t([1.0, 0.0]), t([0.0, 1.0])))
    assert isinstance(res, tuple)
    # H = [[diag(2q), diag(2p)], [diag(2p), 0]]; H @ (e0, e1)
    np.testing.assert_allclose(res[0].numpy(), [6.0, 4.0])
    np.testing.assert_allclose(res[1].numpy(), [2.0, 0.0])
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        vhp(lambda p: (p, p), x, v)


def test_functional_create_graph_results_require_grad():
    x = t([1.0, 2.0]).requires_grad_()
    _, g = vjp(cubic, x, create_graph=True)
    assert g.requires_grad
    _, hv = hvp(cubic, x, t([1.0, 1.0]), create_graph=True)
    hv.sum().backward()  # d/dx sum(6x) = 6
    np.testing.assert_allclose(x.grad.numpy(), [6.0, 6.0])


def test_forward_mode_strategy_gives_the_same_jacobian():
    import numpy as np

    x = ember.tensor([1.0, 2.0], dtype=ember.float64)
    rev = ember.autograd.functional.jacobian(lambda t: t**2, x)
    fwd = ember.autograd.functional.jacobian(lambda t: t**2, x, strategy="forward-mode")
    np.testing.assert_allclose(fwd.numpy(), rev.numpy())
    np.testing.assert_allclose(rev.numpy(), np.diag([2.0, 4.0]))


def test_functional_reachable_as_attribute():
    # `torch.autograd.functional.jacobian(...)` without importing the submodule first
    import subprocess
    import sys

    code = (
        "import ember; "
        "print(ember.autograd.functional.jacobian(lambda x: x * 3, ember.tensor([1.0])).item())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "3.0"
