"""Normalization functions and layers: forward against NumPy references (running statistics
included), gradients (first and second order), node names, module buffers, state dicts,
train/eval behaviour, reprs against PyTorch's text, and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn


def T(x, **kw):
    return ember.tensor(np.asarray(x), **kw)


def _bn_ref(x, w=None, b=None, eps=1e-5):
    axes = (0, *range(2, x.ndim))
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    mean = x.mean(axis=axes, keepdims=True)
    var = x.var(axis=axes, keepdims=True)
    out = (x - mean) / np.sqrt(var + eps)
    if w is not None:
        out = out * w.reshape(shape)
    if b is not None:
        out = out + b.reshape(shape)
    return out


def _ln_ref(x, k, w=None, b=None, eps=1e-5):
    axes = tuple(range(x.ndim - k, x.ndim))
    out = (x - x.mean(axis=axes, keepdims=True)) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    if w is not None:
        out = out * w
    if b is not None:
        out = out + b
    return out


def _gn_ref(x, groups, w=None, b=None, eps=1e-5):
    n, c = x.shape[:2]
    xr = x.reshape(n, groups, -1)
    out = (xr - xr.mean(-1, keepdims=True)) / np.sqrt(xr.var(-1, keepdims=True) + eps)
    out = out.reshape(x.shape)
    shape = (1, c) + (1,) * (x.ndim - 2)
    if w is not None:
        out = out * w.reshape(shape)
    if b is not None:
        out = out + b.reshape(shape)
    return out


RNG = np.random.default_rng(0)


# -- batch norm -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (3, 2, 3, 4), (2, 2, 2, 3, 2)])
def test_batch_norm_training_forward_and_running_stats(shape):
    x = RNG.normal(2.0, 3.0, size=shape)
    w, b = RNG.normal(size=shape[1]), RNG.normal(size=shape[1])
    rm, rv = ember.zeros(shape[1], dtype=ember.float64), ember.ones(shape[1], dtype=ember.float64)
    out = F.batch_norm(T(x), rm, rv, T(w), T(b), training=True, momentum=0.3)
    np.testing.assert_allclose(out.numpy(), _bn_ref(x, w, b), rtol=1e-10, atol=1e-10)
    axes = (0, *range(2, x.ndim))
    np.testing.assert_allclose(rm.numpy(), 0.3 * x.mean(axis=axes), rtol=1e-10)
    np.testing.assert_allclose(rv.numpy(), 0.7 + 0.3 * x.var(axis=axes, ddof=1), rtol=1e-10)


def test_batch_norm_eval_uses_running_stats():
    x = RNG.normal(size=(4, 3, 2))
    rm, rv = RNG.normal(size=3), RNG.uniform(0.5, 2, size=3)
    w, b = RNG.normal(size=3), RNG.normal(size=3)
    out = F.batch_norm(T(x), T(rm), T(rv), T(w), T(b), training=False, eps=1e-3)
    ref = (x - rm[None, :, None]) / np.sqrt(rv[None, :, None] + 1e-3) * w[None, :, None]
    np.testing.assert_allclose(out.numpy(), ref + b[None, :, None], rtol=1e-10)
    # running stats untouched in eval
    rm_t = T(rm)
    F.batch_norm(T(x), rm_t, T(rv))
    np.testing.assert_array_equal(rm_t.numpy(), rm)


def test_batch_norm_float32():
    x = RNG.normal(5.0, 2.0, size=(16, 4, 8, 8)).astype(np.float32)
    rm, rv = ember.zeros(4), ember.ones(4)
    out = F.batch_norm(T(x), rm, rv, training=True)
    assert out.dtype == ember.float32 and rm.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), _bn_ref(x.astype(np.float64)), atol=2e-5)
    np.testing.assert_allclose(rm.numpy(), 0.1 * x.astype(np.float64).mean((0, 2, 3)), rtol=1e-5)


def test_batch_norm_gradients(gradcheck, rand):
    x = rand(4, 3, 2, seed=1)
    w, b = rand(3, seed=2, low=0.5, high=1.5), rand(3, seed=3)
    y = F.batch_norm(x, None, None, w, b, training=True)
    assert y.grad_fn.name() == "NativeBatchNormBackward0"
    gradcheck(lambda *a: F.batch_norm(a[0], None, None, a[1], a[2], True), x, w, b,
              second_order=True)  # fmt: skip
    gradcheck(lambda t: F.batch_norm(t, None, None, training=True), rand(5, 2, seed=4),
              second_order=True)  # fmt: skip
    rm, rv = T(RNG.normal(size=3)), T(RNG.uniform(0.5, 2, size=3))
    gradcheck(lambda *a: F.batch_norm(a[0], rm, rv, a[1], a[2], False), x, w, b,
              second_order=True)  # fmt: skip
    # only the weight requires grad
    gradcheck(lambda ww: F.batch_norm(x.detach(), None, None, ww, None, True), w)


def test_batch_norm_errors():
    x = ember.ones(2, 4, 3)
    with pytest.raises(ValueError, match=r"Expected more than 1 value per channel when training, "
                       r"got input size \[1, 4\]"):  # fmt: skip
        F.batch_norm(ember.ones(1, 4), None, None, training=True)
    with pytest.raises(RuntimeError, match="running_mean must be defined in evaluation mode"):
        F.batch_norm(x, None, None)
    with pytest.raises(RuntimeError, match="running_mean should contain 4 elements not 3"):
        F.batch_norm(x, ember.zeros(3), ember.ones(3))
    with pytest.raises(RuntimeError, match="weight should contain 4 elements not 3"):
        F.batch_norm(x, ember.zeros(4), ember.ones(4), weight=ember.ones(3))
    with pytest.raises(RuntimeError, match="bias should contain 4 elements not 3"):
        F.batch_norm(x, ember.zeros(4), ember.ones(4), bias=ember.ones(3))
    with pytest.raises(ValueError, match="batch_norm eps must be positive during training"):
        F.batch_norm(x, None, None, training=True, eps=0.0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.batch_norm(ember.ones(4), None, None, training=True)


# -- batch norm modules -----------------------------------------------------------------------


def test_batchnorm_module_state_and_buffers():
    bn = nn.BatchNorm2d(4)
    assert list(bn.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked",
    ]  # fmt: skip
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert bn.num_batches_tracked.dtype == ember.int64 and bn.num_batches_tracked.item() == 0
    assert bn.weight.tolist() == [1.0] * 4 and bn.bias.tolist() == [0.0] * 4
    assert bn.running_var.tolist() == [1.0] * 4
    assert list(nn.BatchNorm1d(3, affine=False).state_dict()) == [
        "running_mean", "running_var", "num_batches_tracked",
    ]  # fmt: skip
    assert list(nn.BatchNorm1d(3, track_running_stats=False).state_dict()) == ["weight", "bias"]
    m = nn.BatchNorm1d(3, bias=False)
    assert m.bias is None and list(m.state_dict())[:1] == ["weight"]


def test_batchnorm_module_running_stats_over_steps():
    bn = nn.BatchNorm1d(3, momentum=0.2).double()
    rm, rv = np.zeros(3), np.ones(3)
    for step in range(4):
        x = RNG.normal(step, 1 + step, size=(8, 3))
        out = bn(T(x))
        np.testing.assert_allclose(out.detach().numpy(), _bn_ref(x), rtol=1e-9, atol=1e-9)
        rm = 0.8 * rm + 0.2 * x.mean(0)
        rv = 0.8 * rv + 0.2 * x.var(0, ddof=1)
    np.testing.assert_allclose(bn.running_mean.numpy(), rm, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), rv, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 4
    bn.eval()
    x = RNG.normal(size=(5, 3))
    np.testing.assert_allclose(bn(T(x)).detach().numpy(), (x - rm) / np.sqrt(rv + 1e-5),
                               rtol=1e-10)  # fmt: skip
    assert bn.num_batches_tracked.item() == 4


def test_batchnorm_momentum_none_is_cumulative_average():
    bn = nn.BatchNorm2d(2, momentum=None).double()
    batches = [RNG.normal(i, 2.0, size=(3, 2, 2, 2)) for i in range(5)]
    for x in batches:
        bn(T(x))
    means = np.mean([x.mean((0, 2, 3)) for x in batches], axis=0)
    vars_ = np.mean([x.var((0, 2, 3), ddof=1) for x in batches], axis=0)
    np.testing.assert_allclose(bn.running_mean.numpy(), means, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var.numpy(), vars_, rtol=1e-12)
    assert bn.num_batches_tracked.item() == 5


def test_batchnorm_without_running_stats_uses_batch_stats_in_eval():
    bn = nn.BatchNorm1d(3, track_running_stats=False).eval()
    x = RNG.normal(size=(6, 3))
    np.testing.assert_allclose(bn(T(x, dtype=ember.float32)).detach().numpy(), _bn_ref(x),
                               atol=1e-5)  # fmt: skip


def test_batchnorm_module_backward_and_input_checks():
    bn = nn.BatchNorm2d(3)
    x = ember.randn(4, 3, 2, 2, requires_grad=True)
    bn(x).pow(2).sum().backward()
    assert bn.weight.grad.shape == (3,) and bn.bias.grad.shape == (3,)
    assert x.grad.shape == x.shape
    with pytest.raises(ValueError, match=r"expected 4D input \(got 3D input\)"):
        bn(ember.ones(2, 3, 4))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(ember.ones(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"expected 5D input \(got 4D input\)"):
        nn.BatchNorm3d(3)(ember.ones(2, 3, 4, 4))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        nn.BatchNorm1d(4)(ember.ones(1, 4))


def test_batchnorm_reset_and_load_old_checkpoint():
    bn = nn.BatchNorm1d(3)
    bn(ember.randn(4, 3))
    bn.reset_running_stats()
    assert bn.running_mean.tolist() == [0.0] * 3 and bn.num_batches_tracked.item() == 0
    old = {k: v for k, v in nn.BatchNorm1d(3).state_dict().items() if k != "num_batches_tracked"}
    fresh = nn.BatchNorm1d(3)
    result = fresh.load_state_dict(old)  # no metadata: an old checkpoint
    assert list(result.missing_keys) == [] and list(result.unexpected_keys) == []
    sd = nn.BatchNorm1d(3).state_dict()  # with version-2 metadata the key is required
    del sd["num_batches_tracked"]
    with pytest.raises(RuntimeError, match="num_batches_tracked"):
        nn.BatchNorm1d(3).load_state_dict(sd)


def test_sync_batchnorm():
    net = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Sequential(nn.BatchNorm1d(4)))
    w = net[1].weight
    out = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert out is net
    assert type(net[1]) is nn.SyncBatchNorm and type(net[2][0]) is nn.SyncBatchNorm
    assert net[1].weight is w
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm2d(2))
    assert isinstance(single, nn.SyncBatchNorm)
    sbn = nn.SyncBatchNorm(3)
    x = RNG.normal(size=(4, 3, 2, 2))
    np.testing.assert_allclose(sbn(T(x, dtype=ember.float32)).detach().numpy(), _bn_ref(x),
                               atol=1e-5)  # fmt: skip
    assert list(sbn.state_dict()) == list(nn.BatchNorm2d(3).state_dict())
    with pytest.raises(ValueError, match=r"expected at least 2D input \(got 1D input\)"):
        sbn(ember.ones(3))


# -- instance norm ----------------------------------------------------------------------------


def test_instance_norm_forward_and_running_stats(gradcheck, rand):
    x = RNG.normal(1.0, 2.0, size=(3, 2, 5))
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(F.instance_norm(T(x)).numpy(), ref, rtol=1e-10, atol=1e-10)
    rm, rv = ember.zeros(2, dtype=ember.float64), ember.ones(2, dtype=ember.float64)
    F.instance_norm(T(x), rm, rv, momentum=0.5)
    np.testing.assert_allclose(rm.numpy(), 0.5 * x.mean(-1).mean(0), rtol=1e-10)
    np.testing.assert_allclose(rv.numpy(), 0.5 + 0.5 * x.var(-1, ddof=1).mean(0), rtol=1e-10)
    w, b = rand(2, seed=5), rand(2, seed=6)
    gradcheck(lambda *a: F.instance_norm(a[0], weight=a[1], bias=a[2]), rand(2, 2, 3, seed=7),
              w, b, second_order=True)  # fmt: skip


def test_instance_norm_modules():
    m = nn.InstanceNorm2d(3)
    assert list(m.state_dict()) == [] and m.weight is None
    x = RNG.normal(size=(2, 3, 4, 4))
    ref = (x - x.mean((2, 3), keepdims=True)) / np.sqrt(x.var((2, 3), keepdims=True) + 1e-5)
    np.testing.assert_allclose(m(T(x)).numpy(), ref, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(m(T(x[0])).numpy(), ref[0], rtol=1e-9, atol=1e-9)  # unbatched
    t = nn.InstanceNorm1d(2, affine=True, track_running_stats=True).double()
    assert list(t.state_dict()) == [
        "weight", "bias", "running_mean", "running_var", "num_batches_tracked",
    ]  # fmt: skip
    y = RNG.normal(3.0, 1.0, size=(4, 2, 6))
    t(T(y))
    np.testing.assert_allclose(t.running_mean.numpy(), 0.1 * y.mean(-1).mean(0), rtol=1e-10)
    t.eval()
    expected = (y - t.running_mean.numpy()[None, :, None]) / np.sqrt(
        t.running_var.numpy()[None, :, None] + 1e-5
    )
    np.testing.assert_allclose(t(T(y)).detach().numpy(), expected, rtol=1e-9)
    with pytest.raises(ValueError, match=r"expected input's size at dim=1 to match num_features"):
        t(ember.ones(2, 3, 4, dtype=ember.float64))
    with pytest.warns(UserWarning, match="does not match num_features"):
        nn.InstanceNorm1d(4)(ember.randn(2, 3, 5))
    with pytest.raises(ValueError, match="Expected more than 1 spatial element when training"):
        nn.InstanceNorm1d(3)(ember.ones(2, 3, 1))
    with pytest.raises(ValueError, match=r"expected 3D or 4D input \(got 2D input\)"):
        m(ember.ones(2, 3))


# -- layer norm -------------------------------------------------------------------------------


@pytest.mark.parametrize("shape,k", [((4, 5), 1), ((2, 3, 4), 1), ((2, 3, 4), 2), ((6,), 1)])
def test_layer_norm_forward(shape, k):
    x = RNG.normal(2.0, 3.0, size=shape)
    ns = shape[len(shape) - k :]
    w, b = RNG.normal(size=ns), RNG.normal(size=ns)
    out = F.layer_norm(T(x), ns, T(w), T(b))
    np.testing.assert_allclose(out.numpy(), _ln_ref(x, k, w, b), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(F.layer_norm(T(x), ns).numpy(), _ln_ref(x, k), atol=1e-10)


def test_layer_norm_float32():
    x = RNG.normal(100.0, 5.0, size=(8, 16, 64)).astype(np.float32)
    out = F.layer_norm(T(x), (64,))
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), _ln_ref(x.astype(np.float64), 1), atol=5e-5)


def test_layer_norm_gradients(gradcheck, rand):
    x = rand(3, 4, seed=8)
    w, b = rand(4, seed=9, low=0.5, high=1.5), rand(4, seed=10)
    assert F.layer_norm(x, (4,), w, b).grad_fn.name() == "NativeLayerNormBackward0"
    gradcheck(lambda *a: F.layer_norm(a[0], (4,), a[1], a[2]), x, w, b, second_order=True)
    gradcheck(lambda t: F.layer_norm(t, (2, 3)), rand(2, 2, 3, seed=11), second_order=True)
    gradcheck(lambda t, ww: F.layer_norm(t, (4,), ww), x, w, second_order=True)


def test_layer_norm_module():
    ln = nn.LayerNorm([2, 3])
    assert ln.normalized_shape == (2, 3) and ln.weight.shape == (2, 3)
    assert list(ln.state_dict()) == ["weight", "bias"]
    assert list(nn.LayerNorm(3, bias=False).state_dict()) == ["weight"]
    assert list(nn.LayerNorm(3, elementwise_affine=False).state_dict()) == []
    x = ember.randn(4, 2, 3, requires_grad=True)
    ln(x).pow(2).sum().backward()
    assert ln.weight.grad.shape == (2, 3) and ln.bias.grad.shape == (2, 3)


def test_layer_norm_errors():
    x = ember.ones(2, 4, 3)
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with "
                       r"shape \[\*, 4\], but got input of size\[2, 4, 3\]"):  # fmt: skip
        F.layer_norm(x, (4,))
    with pytest.raises(RuntimeError, match=r"Expected weight to be of same shape as "
                       r"normalized_shape, but got weight of shape \[4\] and normalized_shape = "
                       r"\[3\]"):  # fmt: skip
        F.layer_norm(x, (3,), weight=ember.ones(4))
    with pytest.raises(RuntimeError, match="Expected bias to be of same shape"):
        F.layer_norm(x, (3,), bias=ember.ones(4))


# -- group norm -------------------------------------------------------------------------------


def test_group_norm_forward_and_gradients(gradcheck, rand):
    x = RNG.normal(1.0, 2.0, size=(2, 6, 3, 2))
    w, b = RNG.normal(size=6), RNG.normal(size=6)
    out = F.group_norm(T(x), 3, T(w), T(b))
    np.testing.assert_allclose(out.numpy(), _gn_ref(x, 3, w, b), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(F.group_norm(T(x), 2).numpy(), _gn_ref(x, 2), atol=1e-10)
    xt = rand(2, 4, 3, seed=12)
    wt, bt = rand(4, seed=13, low=0.5, high=1.5), rand(4, seed=14)
    assert F.group_norm(xt, 2, wt, bt).grad_fn.name() == "NativeGroupNormBackward0"
    gradcheck(lambda *a: F.group_norm(a[0], 2, a[1], a[2]), xt, wt, bt, second_order=True)
    gradcheck(lambda t: F.group_norm(t, 1), rand(2, 3, 2, seed=15), second_order=True)


def test_group_norm_module_and_errors():
    gn = nn.GroupNorm(2, 4)
    assert list(gn.state_dict()) == ["weight", "bias"]
    assert gn(ember.randn(3, 4, 5)).shape == (3, 4, 5)
    with pytest.raises(
        ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"
    ):
        nn.GroupNorm(3, 4)
    with pytest.raises(RuntimeError, match="Expected number of channels in input to be divisible"):
        F.group_norm(ember.ones(2, 4, 3), 3)
    with pytest.raises(RuntimeError, match="Expected weight to be a vector of size equal to the "
                       "number of channels"):  # fmt: skip
        F.group_norm(ember.ones(2, 4, 3), 2, weight=ember.ones(3))
    with pytest.raises(RuntimeError, match="Expected at least 2 dimensions for input tensor but "
                       "received 1"):  # fmt: skip
        F.group_norm(ember.ones(4), 2)
    with pytest.raises(ValueError, match="Expected more than 1 value per channel"):
        F.group_norm(ember.ones(1, 4), 4)


# -- RMS norm and local response norm ---------------------------------------------------------


def test_rms_norm(gradcheck, rand):
    x = RNG.normal(size=(3, 4))
    w = RNG.normal(size=4)
    eps64 = np.finfo(np.float64).eps
    ref = x / np.sqrt((x * x).mean(-1, keepdims=True) + eps64) * w
    np.testing.assert_allclose(F.rms_norm(T(x), (4,), T(w)).numpy(), ref, rtol=1e-12)
    ref32 = x / np.sqrt((x * x).mean(-1, keepdims=True) + 1e-3)
    np.testing.assert_allclose(F.rms_norm(T(x), [4], eps=1e-3).numpy(), ref32, rtol=1e-12)
    gradcheck(lambda a, ww: F.rms_norm(a, (4,), ww), rand(3, 4, seed=16), rand(4, seed=17),
              second_order=True)  # fmt: skip
    m = nn.RMSNorm([2, 3])
    assert list(m.state_dict()) == ["weight"] and m.weight.shape == (2, 3)
    assert m.eps is None
    with pytest.raises(RuntimeError, match=r"Given normalized_shape=\[4\], expected input with "
                       r"shape \[\*4\]"):  # fmt: skip
        F.rms_norm(ember.ones(2, 4, 3), (4,))


def _lrn_ref(x, size, alpha, beta, k):
    c = x.shape[1]
    sq = x * x
    out = np.empty_like(x)
    for i in range(c):
        lo, hi = max(0, i - size // 2), min(c, i + (size - 1) // 2 + 1)
        out[:, i] = x[:, i] / (k + alpha / size * sq[:, lo:hi].sum(1)) ** beta
    return out


@pytest.mark.parametrize("shape,size", [((2, 5, 3), 3), ((2, 4, 2, 2), 2), ((1, 3, 2, 2, 2), 4)])
def test_local_response_norm(shape, size, gradcheck, rand):
    x = RNG.normal(size=shape)
    out = F.local_response_norm(T(x), size, alpha=0.5, beta=0.75, k=2.0)
    np.testing.assert_allclose(out.numpy(), _lrn_ref(x, size, 0.5, 0.75, 2.0), rtol=1e-12)
    gradcheck(lambda t: F.local_response_norm(t, size, 0.5, 0.75, 2.0), rand(*shape, seed=18))
    m = nn.LocalResponseNorm(size, 0.5, 0.75, 2.0)
    np.testing.assert_allclose(m(T(x)).numpy(), out.numpy())
    with pytest.raises(ValueError, match=r"Expected 3D or higher dimensionality input \(got 2"):
        F.local_response_norm(ember.ones(2, 3), 2)


# -- reprs ------------------------------------------------------------------------------------

REPRS = [
    (lambda: nn.BatchNorm1d(4),
     "BatchNorm1d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"),
    (lambda: nn.BatchNorm2d(4, eps=1e-3, momentum=None, affine=False, track_running_stats=False),
     "BatchNorm2d(4, eps=0.001, momentum=None, affine=False, bias=False, "
     "track_running_stats=False)"),
    (lambda: nn.SyncBatchNorm(4),
     "SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=True, bias=True, "
     "track_running_stats=True)"),
    (lambda: nn.LayerNorm(10), "LayerNorm((10,), eps=1e-05, elementwise_affine=True, bias=True)"),
    (lambda: nn.LayerNorm((3, 4), elementwise_affine=False),
     "LayerNorm((3, 4), eps=1e-05, elementwise_affine=False, bias=False)"),
    (lambda: nn.RMSNorm(4), "RMSNorm((4,), eps=None, elementwise_affine=True)"),
    (lambda: nn.RMSNorm([2, 3], eps=1e-5, elementwise_affine=False),
     "RMSNorm((2, 3), eps=1e-05, elementwise_affine=False)"),
    (lambda: nn.GroupNorm(2, 4, affine=False),
     "GroupNorm(2, 4, eps=1e-05, affine=False, bias=False)"),
    (lambda: nn.InstanceNorm1d(4),
     "InstanceNorm1d(4, eps=1e-05, momentum=0.1, affine=False, bias=False, "
     "track_running_stats=False)"),
    (lambda: nn.InstanceNorm2d(4, affine=True, track_running_stats=True),
     "InstanceNorm2d(4, eps=1e-05, momentum=0.1, affine=True, bias=True, "
     "track_running_stats=True)"),
    (lambda: nn.LocalResponseNorm(3, 1e-3, 0.5, 2.0),
     "LocalResponseNorm(3, alpha=0.001, beta=0.5, k=2.0)"),
]  # fmt: skip


@pytest.mark.parametrize(
    "make,text", REPRS, ids=[t.split("(")[0] + str(i) for i, (_, t) in enumerate(REPRS)]
)
def test_repr_matches_pytorch(make, text):
    assert repr(make()) == text


def test_no_warnings_on_normal_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.BatchNorm2d(3)(ember.randn(2, 3, 4, 4)).sum().backward()
        nn.LayerNorm(4)(ember.randn(2, 4)).sum().backward()
