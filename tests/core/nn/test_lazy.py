"""Lazy modules: parameters inferred from the first input, class switch, state dicts."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import ember
from ember import nn


def test_lazy_linear_materialises_and_becomes_linear():
    ember.manual_seed(0)
    m = nn.LazyLinear(4)
    assert repr(m) == "LazyLinear(in_features=0, out_features=4, bias=True)"
    assert m.has_uninitialized_params()
    assert isinstance(m.weight, nn.UninitializedParameter)
    y = m(ember.randn(2, 5))
    assert y.shape == (2, 4) and type(m) is nn.Linear
    assert repr(m) == "Linear(in_features=5, out_features=4, bias=True)"
    assert m.weight.shape == (4, 5) and m.bias.shape == (4,)
    assert type(m.weight) is nn.Parameter and m.weight.requires_grad
    bound = 1 / np.sqrt(5)
    w = m.weight.detach().numpy()
    assert np.all(np.abs(w) <= bound) and w.std() > bound / 4  # reset_parameters ran
    assert not m._forward_pre_hooks and not hasattr(m, "_initialize_hook")
    y.sum().backward()
    assert m.weight.grad.shape == (4, 5)


def test_lazy_linear_no_bias_dtype_and_to():
    m = nn.LazyLinear(3, bias=False, dtype=ember.float64)
    assert m.bias is None
    m(ember.ones(1, 2, dtype=ember.float64))
    assert m.weight.dtype == ember.float64
    m2 = nn.LazyLinear(3).double()  # to() before materialisation is remembered
    m2(ember.ones(1, 2, dtype=ember.float64))
    assert m2.weight.dtype == ember.float64


def test_lazy_in_sequential_and_optimizer_style_parameter_list():
    net = nn.Sequential(nn.LazyLinear(8), nn.LazyLinear(2))
    net(ember.ones(3, 6))
    assert [tuple(p.shape) for p in net.parameters()] == [(8, 6), (8,), (2, 8), (2,)]
    assert list(net.state_dict()) == ["0.weight", "0.bias", "1.weight", "1.bias"]


def test_lazy_state_dict_save_and_load():
    m = nn.LazyLinear(2)
    sd = m.state_dict()
    assert isinstance(sd["weight"], nn.UninitializedParameter)
    trained = nn.Linear(3, 2)
    fresh = nn.LazyLinear(2)
    fresh.load_state_dict(trained.state_dict())
    assert not fresh.has_uninitialized_params()
    np.testing.assert_array_equal(fresh.weight.detach().numpy(), trained.weight.detach().numpy())
    x = ember.randn(4, 3)
    np.testing.assert_allclose(fresh(x).detach().numpy(), trained(x).detach().numpy())
    assert type(fresh) is nn.Linear
    # loaded values are not overwritten by the first call's reset_parameters
    np.testing.assert_array_equal(fresh.weight.detach().numpy(), trained.weight.detach().numpy())


def test_lazy_deepcopy_before_and_after():
    m = nn.LazyLinear(2)
    c = copy.deepcopy(m)
    c(ember.ones(1, 7))
    assert c.weight.shape == (2, 7) and m.has_uninitialized_params()


@pytest.mark.parametrize(
    "make, x, cls, weight_shape",
    [
        (lambda: nn.LazyConv1d(4, 3), ember.randn(2, 3, 8), "Conv1d", (4, 3, 3)),
        (lambda: nn.LazyConv1d(4, 3), ember.randn(3, 8), "Conv1d", (4, 3, 3)),  # unbatched
        (lambda: nn.LazyConv2d(4, 3, groups=2, bias=False), ember.randn(2, 6, 7, 7), "Conv2d",
         (4, 3, 3, 3)),
        (lambda: nn.LazyConv3d(2, 1), ember.randn(1, 3, 2, 2, 2), "Conv3d", (2, 3, 1, 1, 1)),
        (lambda: nn.LazyConvTranspose1d(4, 3, stride=2), ember.randn(2, 3, 5), "ConvTranspose1d",
         (3, 4, 3)),
        (lambda: nn.LazyConvTranspose2d(4, 3), ember.randn(2, 3, 5, 5), "ConvTranspose2d",
         (3, 4, 3, 3)),
        (lambda: nn.LazyConvTranspose3d(2, 2), ember.randn(1, 3, 2, 2, 2), "ConvTranspose3d",
         (3, 2, 2, 2, 2)),
    ],
)  # fmt: skip
def test_lazy_convs(make, x, cls, weight_shape):
    m = make()
    assert type(m).__name__ == "Lazy" + cls and m.in_channels == 0
    y = m(x)
    assert type(m).__name__ == cls
    assert m.weight.shape == weight_shape and m.in_channels == weight_shape[
        0 if "Transpose" in cls else 1
    ] * (1 if "Transpose" in cls else m.groups)
    eager = getattr(nn, cls)
    assert isinstance(m, eager)
    assert y.shape == m(x).shape


def test_lazy_conv_errors():
    with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\) input"):
        nn.LazyConv2d(4, 3)(ember.ones(2, 3))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv2d(4, 3, groups=2)(ember.ones(1, 3, 5, 5))


@pytest.mark.parametrize(
    "make, x, cls",
    [
        (nn.LazyBatchNorm1d, ember.randn(4, 3), "BatchNorm1d"),
        (nn.LazyBatchNorm1d, ember.randn(4, 3, 5), "BatchNorm1d"),
        (nn.LazyBatchNorm2d, ember.randn(2, 3, 4, 4), "BatchNorm2d"),
        (nn.LazyBatchNorm3d, ember.randn(2, 3, 2, 2, 2), "BatchNorm3d"),
        (lambda: nn.LazyInstanceNorm1d(affine=True), ember.randn(2, 3, 5), "InstanceNorm1d"),
        (lambda: nn.LazyInstanceNorm1d(affine=True), ember.randn(3, 5), "InstanceNorm1d"),
        (lambda: nn.LazyInstanceNorm2d(affine=True), ember.randn(2, 3, 4, 4), "InstanceNorm2d"),
        (lambda: nn.LazyInstanceNorm3d(affine=True), ember.randn(1, 3, 2, 2, 2), "InstanceNorm3d"),
    ],
)
def test_lazy_norms(make, x, cls):
    m = make()
    assert m.num_features == 0
    y = m(x)
    assert type(m).__name__ == cls and m.num_features == 3 and y.shape == x.shape
    assert m.weight.shape == (3,)
    np.testing.assert_array_equal(m.weight.detach().numpy(), np.ones(3))  # reset ran
    np.testing.assert_array_equal(m.bias.detach().numpy(), np.zeros(3))
    keys = list(m.state_dict())
    if cls.startswith("Batch"):
        assert keys == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]
        assert int(m.num_batches_tracked) == 1
        axes = tuple(i for i in range(x.ndim) if i != 1)
        expected = 0.1 * x.numpy().mean(axis=axes)
        np.testing.assert_allclose(m.running_mean.numpy(), expected, rtol=1e-5, atol=1e-7)
    else:
        assert keys == ["weight", "bias"]


def test_lazy_batchnorm_options_and_load():
    bn = nn.LazyBatchNorm1d(affine=False, momentum=None)
    assert bn.weight is None
    bn(ember.randn(4, 2))
    assert bn.running_mean.shape == (2,) and bn.momentum is None
    trained = nn.BatchNorm2d(3)
    with ember.no_grad():
        trained.running_mean.fill_(2.0)
    lazy = nn.LazyBatchNorm2d()
    lazy.load_state_dict(trained.state_dict())
    np.testing.assert_array_equal(lazy.running_mean.numpy(), [2.0, 2.0, 2.0])
    lazy.eval()
    lazy(ember.zeros(1, 3, 2, 2))
    assert type(lazy) is nn.BatchNorm2d
