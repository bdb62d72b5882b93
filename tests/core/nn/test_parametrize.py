"""nn.utils.parametrize and parametrizations (weight_norm, spectral_norm), and
ember.func.functional_call."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

import ember
from ember import nn
from ember.func import functional_call
from ember.nn.utils import parametrize
from ember.nn.utils.parametrizations import spectral_norm, weight_norm


class Symmetric(nn.Module):
    def forward(self, x):
        return x.triu() + x.triu(1).transpose(-1, -2)


class Double(nn.Module):
    def forward(self, x):
        return x * 2

    def right_inverse(self, x):
        return x / 2


def _lin(n=3):
    ember.manual_seed(0)
    return nn.Linear(n, n).double()


# -- parametrize ----------------------------------------------------------------------------
def test_register_parametrization_basics():
    m = _lin()
    w0 = m.weight.detach().numpy().copy()
    weight = m.weight
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
    assert not parametrize.is_parametrized(m, "bias")
    assert type(m).__name__ == "ParametrizedLinear" and isinstance(m, nn.Linear)
    assert parametrize.type_before_parametrizations(m) is nn.Linear
    assert m.parametrizations.weight.original is weight  # same Parameter object
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(w, w.T)
    np.testing.assert_allclose(np.triu(w), np.triu(w0))
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert [n for n, _ in m.named_parameters()] == ["bias", "parametrizations.weight.original"]
    # gradients reach the original
    m(ember.ones(1, 3, dtype=ember.float64)).sum().backward()
    assert weight.grad is not None


def test_repr_like_pytorch():
    m = nn.Linear(2, 2)
    parametrize.register_parametrization(m, "weight", Symmetric())
    assert repr(m) == (
        "ParametrizedLinear(\n"
        "  in_features=2, out_features=2, bias=True\n"
        "  (parametrizations): ModuleDict(\n"
        "    (weight): ParametrizationList(\n"
        "      (0): Symmetric()\n"
        "    )\n"
        "  )\n"
        ")"
    )


def test_right_inverse_on_assignment_and_chaining():
    m = _lin()
    parametrize.register_parametrization(m, "weight", Double())
    original = m.parametrizations.weight.original
    target = ember.eye(3, dtype=ember.float64)
    m.weight = target
    np.testing.assert_allclose(original.detach().numpy(), np.eye(3) / 2)
    np.testing.assert_allclose(m.weight.detach().numpy(), np.eye(3))
    parametrize.register_parametrization(m, "weight", Double())
    np.testing.assert_allclose(m.weight.detach().numpy(), 2 * np.eye(3))
    assert len(m.parametrizations.weight) == 2
    # no right_inverse: assignment fails
    parametrize.register_parametrization(m, "weight", Symmetric())
    with pytest.raises(RuntimeError, match="does not implement right_inverse"):
        m.weight = target


def test_parametrization_checks():
    class Shrink(nn.Module):
        def forward(self, x):
            return x[:1]

    m = _lin()
    with pytest.raises(ValueError, match="may not change the shape"):
        parametrize.register_parametrization(m, "weight", Shrink())
    parametrize.register_parametrization(m, "weight", Shrink(), unsafe=True)
    assert m.weight.shape == (1, 3)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer"):
        parametrize.register_parametrization(m, "nope", Double())


def test_remove_parametrizations():
    m = _lin()
    weight = m.weight
    parametrize.register_parametrization(m, "weight", Double())
    expected = m.weight.detach().numpy().copy()
    parametrize.remove_parametrizations(m, "weight")
    assert type(m) is nn.Linear and not hasattr(m, "parametrizations")
    assert m.weight is weight and isinstance(m.weight, nn.Parameter)
    np.testing.assert_allclose(m.weight.detach().numpy(), expected)
    parametrize.register_parametrization(m, "weight", Double())
    parametrize.remove_parametrizations(m, "weight", leave_parametrized=False)
    # the original went through Double.right_inverse when registered
    np.testing.assert_allclose(m.weight.detach().numpy(), expected / 2)
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        parametrize.remove_parametrizations(m, "weight")


def test_parametrized_buffer():
    m = nn.Module()
    m.register_buffer("b", ember.ones(2))
    parametrize.register_parametrization(m, "b", Double())
    assert list(m.state_dict()) == ["parametrizations.b.original"]
    np.testing.assert_allclose(m.parametrizations.b.original.numpy(), [0.5, 0.5])
    np.testing.assert_allclose(m.b.numpy(), [1.0, 1.0])


def test_cached():
    calls = []

    class Count(nn.Module):
        def forward(self, x):
            calls.append(1)
            return x

    m = _lin()
    parametrize.register_parametrization(m, "weight", Count())
    calls.clear()
    with parametrize.cached():
        a = m.weight
        b = m.weight
    assert a is b and len(calls) == 1
    _ = m.weight
    assert len(calls) == 2


def test_state_dict_roundtrip_deepcopy_and_pickle_error():
    m = _lin()
    parametrize.register_parametrization(m, "weight", Symmetric())
    other = _lin(3)
    parametrize.register_parametrization(other, "weight", Symmetric())
    with ember.no_grad():
        m.parametrizations.weight.original.normal_()
    other.load_state_dict(m.state_dict())
    np.testing.assert_allclose(other.weight.detach().numpy(), m.weight.detach().numpy())
    c = copy.deepcopy(m)
    assert type(c) is type(m)
    np.testing.assert_allclose(c.weight.detach().numpy(), m.weight.detach().numpy())
    assert c.parametrizations.weight.original is not m.parametrizations.weight.original
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        pickle.dumps(m)


# -- weight_norm ----------------------------------------------------------------------------
@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm(dim):
    m = _lin(4)
    w0 = m.weight.detach().numpy().copy()
    weight_norm(m, dim=dim)
    g = m.parametrizations.weight.original0
    v = m.parametrizations.weight.original1
    assert isinstance(g, nn.Parameter) and isinstance(v, nn.Parameter)
    if dim is None:
        np.testing.assert_allclose(g.detach().numpy(), np.linalg.norm(w0))
    else:
        np.testing.assert_allclose(
            g.detach().numpy(), np.linalg.norm(w0, axis=1 - dim, keepdims=True)
        )
    np.testing.assert_allclose(m.weight.detach().numpy(), w0, rtol=1e-12)
    assert list(m.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1",
    ]  # fmt: skip
    with ember.no_grad():
        g.mul_(2.0)
    np.testing.assert_allclose(m.weight.detach().numpy(), 2 * w0, rtol=1e-12)


def test_weight_norm_gradcheck(gradcheck):
    m = _lin(3)
    weight_norm(m)
    g0 = m.parametrizations.weight.original0.detach().clone()
    v0 = m.parametrizations.weight.original1.detach().clone()
    x = ember.randn(2, 3, dtype=ember.float64)

    def fn(g, v):
        return functional_call(
            m, {"parametrizations.weight.original0": g, "parametrizations.weight.original1": v}, x
        )

    gradcheck(fn, g0.requires_grad_(), v0.requires_grad_())


def test_weight_norm_loads_old_state_dict():
    m = _lin(3)
    weight_norm(m)
    old = {"weight_g": ember.ones(3, 1, dtype=ember.float64),
           "weight_v": ember.eye(3, dtype=ember.float64) * 5, "bias": ember.zeros(3)}  # fmt: skip
    m.load_state_dict(old)
    np.testing.assert_allclose(m.weight.detach().numpy(), np.eye(3))


# -- spectral_norm --------------------------------------------------------------------------
def test_spectral_norm_values():
    ember.manual_seed(1)
    m = nn.Linear(6, 4).double()
    w0 = m.weight.detach().numpy().copy()
    spectral_norm(m, n_power_iterations=3)
    assert list(m.state_dict()) == [
        "bias", "parametrizations.weight.original", "parametrizations.weight.0._u",
        "parametrizations.weight.0._v",
    ]  # fmt: skip
    sn = m.parametrizations.weight[0]
    assert sn._u.shape == (4,) and sn._v.shape == (6,)
    sigma = np.linalg.svd(w0, compute_uv=False)[0]
    w = m.weight.detach().numpy()
    np.testing.assert_allclose(w, w0 / sigma, rtol=1e-6)
    np.testing.assert_allclose(np.linalg.svd(w, compute_uv=False)[0], 1.0, rtol=1e-6)
    # u, v are unit vectors; in eval mode they are not updated
    np.testing.assert_allclose(np.linalg.norm(sn._u.numpy()), 1.0)
    m.eval()
    u = sn._u.numpy().copy()
    _ = m.weight
    np.testing.assert_array_equal(sn._u.numpy(), u)


def test_spectral_norm_conv_like_weight_dim_and_grad(gradcheck):
    m = nn.Module()
    m.weight = nn.Parameter(ember.randn(3, 2, 2, 2, dtype=ember.float64))
    spectral_norm(m, dim=1)
    sn = m.parametrizations.weight[0]
    assert sn._u.shape == (2,) and sn._v.shape == (12,)
    mat = np.moveaxis(m.parametrizations.weight.original.detach().numpy(), 1, 0).reshape(2, -1)
    original = m.parametrizations.weight.original.detach().numpy()
    sigma = np.linalg.svd(mat, compute_uv=False)[0]
    np.testing.assert_allclose(m.weight.detach().numpy(), original / sigma, rtol=1e-6)
    m.eval()  # fixed u, v: a deterministic function of the weight
    w = m.parametrizations.weight.original.detach().clone().requires_grad_()
    gradcheck(lambda w: sn(w), w)


def test_spectral_norm_1d_and_errors():
    m = nn.Module()
    m.weight = nn.Parameter(ember.tensor([3.0, 4.0]))
    spectral_norm(m)
    np.testing.assert_allclose(m.weight.detach().numpy(), [0.6, 0.8], rtol=1e-6)
    with pytest.raises(ValueError, match="has no parameter or buffer with name 'w'"):
        spectral_norm(nn.Linear(2, 2), name="w")
    with pytest.raises(ValueError, match="n_power_iterations to be positive"):
        spectral_norm(nn.Linear(2, 2), n_power_iterations=0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        spectral_norm(nn.Linear(2, 2), dim=2)


# -- functional_call ------------------------------------------------------------------------
def test_functional_call_swaps_and_restores():
    m = _lin(2)
    weight = m.weight
    w = ember.eye(2, dtype=ember.float64, requires_grad=True)
    b = ember.zeros(2, dtype=ember.float64)
    x = ember.tensor([[1.0, 2.0]], dtype=ember.float64)
    out = functional_call(m, {"weight": w, "bias": b}, (x,))
    np.testing.assert_allclose(out.detach().numpy(), [[1.0, 2.0]])
    assert m.weight is weight and isinstance(m._parameters["weight"], nn.Parameter)
    out.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [[1.0, 2.0], [1.0, 2.0]])
    assert weight.grad is None
    # a single non-tuple arg, kwargs, and a tuple of dicts
    out2 = functional_call(m, ({"weight": w}, {"bias": b}), x)
    np.testing.assert_allclose(out2.detach().numpy(), [[1.0, 2.0]])


def test_functional_call_restores_on_error_and_checks():
    m = _lin(2)
    weight = m.weight
    with pytest.raises(RuntimeError):
        functional_call(m, {"weight": ember.ones(3, 3, dtype=ember.float64)}, ember.ones(1, 2))
    assert m.weight is weight
    with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
        functional_call(m, ({"bias": ember.ones(2)}, {"bias": ember.ones(2)}), ember.ones(1, 2))
    with pytest.raises(RuntimeError, match="Missing key\\(s\\): 'bias'"):
        functional_call(m, {"weight": ember.ones(2, 2)}, ember.ones(1, 2), strict=True)
    with pytest.raises(RuntimeError, match="Unexpected key\\(s\\): 'nope'"):
        functional_call(
            m, {"weight": ember.ones(2, 2), "bias": ember.ones(2), "nope": ember.ones(1)},
            ember.ones(1, 2), strict=True,
        )  # fmt: skip


def test_functional_call_buffers_and_tied_weights():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(2, 2, bias=False)
            self.b = nn.Linear(2, 2, bias=False)
            self.b.weight = self.a.weight
            self.register_buffer("shift", ember.zeros(2))

        def forward(self, x):
            return self.b(self.a(x)) + self.shift

    m = Tied()
    eye = ember.eye(2)
    out = functional_call(m, {"a.weight": eye * 2, "shift": ember.ones(2)}, ember.ones(1, 2))
    np.testing.assert_allclose(out.numpy(), [[5.0, 5.0]])  # b used the tied substitute too
    out = functional_call(m, {"a.weight": eye * 2}, ember.ones(1, 2), tie_weights=False).detach()
    w = m.a.weight.detach().numpy()
    np.testing.assert_allclose(out.numpy(), (np.ones((1, 2)) @ (2 * np.eye(2))) @ w.T, rtol=1e-6)
    with pytest.raises(ValueError, match="which are tied"):
        functional_call(m, {"a.weight": eye, "b.weight": eye * 2}, ember.ones(1, 2))
    assert m.shift.numpy().tolist() == [0.0, 0.0]


def test_functional_call_kwargs():
    class Add(nn.Module):
        def __init__(self):
            super().__init__()
            self.k = nn.Parameter(ember.ones(1))

        def forward(self, x, scale=1.0):
            return (x + self.k) * scale

    out = functional_call(Add(), {"k": ember.tensor([2.0])}, (ember.ones(1),), {"scale": 3.0})
    assert float(out) == 9.0
