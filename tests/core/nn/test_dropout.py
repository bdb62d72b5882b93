"""Dropout functions and layers: statistics, scaling, channel-wise masks, reproducibility
under ``ember.manual_seed``, gradients, train/eval behaviour, in-place forms and errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

ALPHA_PRIME = 1.7580993408473766


def seeded(fn, seed=0):
    """``fn`` re-seeded before each call, so numerical gradient checks see one mask."""

    def run(*args):
        ember.manual_seed(seed)
        return fn(*args)

    return run


# -- dropout ----------------------------------------------------------------------------------


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics_and_scale(p):
    ember.manual_seed(1)
    y = F.dropout(ember.ones(200_000), p).numpy()
    zero = y == 0
    assert abs(zero.mean() - p) < 0.005
    np.testing.assert_allclose(y[~zero], 1 / (1 - p), rtol=1e-6)
    assert abs(y.mean() - 1.0) < 0.02


def test_dropout_reproducible_with_manual_seed():
    x = ember.ones(100)
    ember.manual_seed(7)
    a = F.dropout(x).tolist()
    b = F.dropout(x).tolist()
    ember.manual_seed(7)
    assert F.dropout(x).tolist() == a
    assert a != b
    g = ember.Generator().manual_seed(7)  # the default generator drives dropout
    del g


def test_dropout_eval_and_p0_return_input():
    x = ember.randn(3, 4)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert F.alpha_dropout(x, 0.5) is x  # training=False by default
    assert F.feature_alpha_dropout(x, 0.5) is x
    assert F.dropout2d(ember.ones(1, 2, 3, 3), 0.5, training=False).shape == (1, 2, 3, 3)


def test_dropout_p1_gives_zeros():
    x = ember.randn(3, 4, requires_grad=True)
    y = F.dropout(x, 1.0)
    assert (y.detach().numpy() == 0).all()
    y.sum().backward()
    assert (x.grad.numpy() == 0).all()
    assert (F.alpha_dropout(ember.randn(4), 1.0, True).numpy() == 0).all()
    assert (F.dropout2d(ember.randn(2, 2, 3, 3), 1.0).numpy() == 0).all()


def test_dropout_gradient_is_the_scaled_mask(gradcheck, rand):
    x = ember.randn(5, 6, requires_grad=True)
    ember.manual_seed(2)
    y = F.dropout(x, 0.4)
    assert y.grad_fn.name() == "NativeDropoutBackward0"
    y.backward(ember.ones(5, 6))
    mask = (y.detach().numpy() != 0) / 0.6
    np.testing.assert_allclose(x.grad.numpy(), mask, rtol=1e-6)
    gradcheck(seeded(lambda t: F.dropout(t, 0.3)), rand(3, 4, seed=1), second_order=True)


def test_dropout_keeps_float_dtypes():
    for dt in (ember.float32, ember.float64):
        assert F.dropout(ember.ones(4, dtype=dt)).dtype == dt
        assert F.alpha_dropout(ember.ones(4, dtype=dt), 0.3, True).dtype == dt
        assert F.dropout2d(ember.ones(1, 2, 2, 2, dtype=dt)).dtype == dt


def test_dropout_inplace():
    ember.manual_seed(3)
    x = ember.ones(50)
    out = F.dropout(x, 0.5, inplace=True)
    assert out is x
    assert set(x.tolist()) == {0.0, 2.0}
    leaf = ember.ones(10, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.dropout(leaf, 0.5, inplace=True)
    h = leaf * 3
    F.dropout(h, 0.5, inplace=True)
    h.sum().backward()
    np.testing.assert_allclose(leaf.grad.numpy(), (h.detach().numpy() != 0) * 6.0)


# -- channel-wise dropout ---------------------------------------------------------------------


def _channels_all_or_nothing(y, p, spatial_axes):
    zero = (y == 0).all(axis=spatial_axes)
    kept = np.isclose(y, 1 / (1 - p)).all(axis=spatial_axes)
    return bool((zero | kept).all()), zero.mean()


@pytest.mark.parametrize(
    "fn,shape",
    [(F.dropout1d, (40, 50, 3)), (F.dropout2d, (40, 50, 2, 2)), (F.dropout3d, (40, 50, 2, 2, 2))],
)
def test_channelwise_dropout_zeros_whole_channels(fn, shape):
    ember.manual_seed(4)
    y = fn(ember.ones(*shape), 0.3).numpy()
    spatial = tuple(range(2, len(shape)))
    ok, frac = _channels_all_or_nothing(y, 0.3, spatial)
    assert ok and abs(frac - 0.3) < 0.05
    assert fn(ember.ones(*shape)).grad_fn is None


def test_channelwise_dropout_unbatched_inputs():
    ember.manual_seed(5)
    y = F.dropout1d(ember.ones(30, 4), 0.5).numpy()
    ok, _ = _channels_all_or_nothing(y, 0.5, (1,))
    assert ok and y.shape == (30, 4)
    y = F.dropout3d(ember.ones(30, 2, 2, 2), 0.5).numpy()
    ok, _ = _channels_all_or_nothing(y, 0.5, (1, 2, 3))
    assert ok and y.shape == (30, 2, 2, 2)


def test_channelwise_dropout_gradients(gradcheck, rand):
    gradcheck(seeded(lambda t: F.dropout2d(t, 0.5)), rand(2, 3, 2, 2, seed=2))
    gradcheck(seeded(lambda t: F.dropout1d(t, 0.5)), rand(3, 4, seed=3))
    gradcheck(seeded(lambda t: F.feature_alpha_dropout(t, 0.5, True)), rand(2, 3, 2, seed=4))


def test_channelwise_dropout_inplace():
    ember.manual_seed(6)
    x = ember.ones(8, 6, 2, 2)
    assert F.dropout2d(x, 0.5, inplace=True) is x
    ok, _ = _channels_all_or_nothing(x.numpy(), 0.5, (2, 3))
    assert ok
    x = ember.ones(6, 3)
    assert F.dropout1d(x, 0.5, inplace=True) is x
    ok, _ = _channels_all_or_nothing(x.numpy(), 0.5, (1,))
    assert ok


def test_channelwise_dropout_shape_checks():
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D"):
        F.dropout1d(ember.ones(2, 3, 4, 5))
    with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
        F.dropout2d(ember.ones(2, 3, 4))
    with pytest.warns(UserWarning, match="Received a 2-D input to dropout2d"):
        F.dropout2d(ember.ones(2, 3))
    with pytest.warns(UserWarning, match="Received a 3-D input to dropout3d"):
        F.dropout3d(ember.ones(2, 3, 4))


# -- alpha dropout ----------------------------------------------------------------------------


def test_alpha_dropout_keeps_mean_and_variance():
    ember.manual_seed(8)
    x = ember.randn(400_000)
    y = F.alpha_dropout(x, 0.2, training=True).numpy()
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1.0) < 0.01
    p = 0.2
    a = 1 / math.sqrt((ALPHA_PRIME**2 * p + 1) * (1 - p))
    dropped = -ALPHA_PRIME * a + ALPHA_PRIME * a * p
    frac = np.isclose(y, dropped, atol=1e-6).mean()
    assert abs(frac - p) < 0.01


def test_alpha_dropout_gradient(gradcheck, rand):
    x = ember.randn(1000, requires_grad=True)
    ember.manual_seed(9)
    y = F.alpha_dropout(x, 0.3, True)
    y.sum().backward()
    a = 1 / math.sqrt((ALPHA_PRIME**2 * 0.3 + 1) * 0.7)
    g = x.grad.numpy()
    kept = g != 0
    np.testing.assert_allclose(g[kept], a, rtol=1e-6)
    assert 0.2 < 1 - kept.mean() < 0.4
    gradcheck(seeded(lambda t: F.alpha_dropout(t, 0.3, True)), rand(3, 4, seed=5))


def test_feature_alpha_dropout_is_channelwise():
    ember.manual_seed(10)
    y = F.feature_alpha_dropout(ember.zeros(50, 40, 3), 0.5, True).numpy()
    assert (y == y[:, :, :1]).all()
    assert len(np.unique(np.round(y, 6))) == 2


# -- modules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls,shape",
    [(nn.Dropout, (20, 30)), (nn.Dropout1d, (20, 30, 2)), (nn.Dropout2d, (20, 30, 2, 2)),
     (nn.Dropout3d, (20, 30, 2, 2, 2)), (nn.AlphaDropout, (20, 30)),
     (nn.FeatureAlphaDropout, (20, 30, 2))],
)  # fmt: skip
def test_modules_train_and_eval(cls, shape):
    m = cls(0.5)
    x = ember.ones(*shape)
    ember.manual_seed(11)
    y = m(x)
    assert y.shape == x.shape and not np.allclose(y.numpy(), 1.0)
    m.eval()
    assert m(x) is x
    assert list(m.state_dict()) == []


def test_module_reprs_match_pytorch():
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Dropout(0.2, True)) == "Dropout(p=0.2, inplace=True)"
    assert repr(nn.Dropout1d()) == "Dropout1d(p=0.5, inplace=False)"
    assert repr(nn.Dropout2d(0.3)) == "Dropout2d(p=0.3, inplace=False)"
    assert repr(nn.Dropout3d()) == "Dropout3d(p=0.5, inplace=False)"
    assert repr(nn.AlphaDropout(0.1, True)) == "AlphaDropout(p=0.1, inplace=True)"
    assert repr(nn.FeatureAlphaDropout(0.2)) == "FeatureAlphaDropout(p=0.2, inplace=False)"


def test_module_inplace():
    ember.manual_seed(12)
    x = ember.ones(40)
    assert nn.Dropout(0.5, inplace=True)(x) is x
    assert set(x.tolist()) == {0.0, 2.0}


@pytest.mark.parametrize(
    "fn",
    [F.dropout, F.alpha_dropout, F.feature_alpha_dropout, F.dropout1d, F.dropout2d, F.dropout3d],
)
def test_probability_validation(fn):
    with pytest.raises(
        ValueError, match=r"dropout probability has to be between 0 and 1, but got 1\.5"
    ):
        fn(ember.ones(2, 3, 2, 2) if fn is not F.dropout1d else ember.ones(2, 3), 1.5)
    with pytest.raises(ValueError, match=r"but got -0\.1"):
        fn(ember.ones(2, 3), -0.1)


def test_module_probability_validation():
    for cls in (nn.Dropout, nn.Dropout2d, nn.AlphaDropout):
        with pytest.raises(
            ValueError, match=r"dropout probability has to be between 0 and 1, but got 1\.5"
        ):
            cls(1.5)


def test_integer_input_rejected():
    with pytest.raises(RuntimeError, match="not implemented for int64"):
        F.dropout(ember.tensor([1, 2]))
