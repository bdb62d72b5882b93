"""Activation functions and layers: forward against NumPy references, gradients (first and
second order), node names, in-place forms, randomness, reprs against PyTorch's text, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import scipy.special as sp

import ember
import ember.nn.functional as F
from ember import nn

SELU_A = 1.6732632423543772848170429916717
SELU_S = 1.0507009873554804934193349852946


def _softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))


def _softplus(x, beta=1.0, threshold=20.0):
    return np.where(x * beta > threshold, x, np.log1p(np.exp(beta * x)) / beta)


# name, ember function, NumPy reference, (low, high), smooth (second-order checked), node name
ELEMENTWISE = [
    ("relu", F.relu, lambda x: np.maximum(x, 0), (-2, 2), False, "ReluBackward0"),
    ("relu6", F.relu6, lambda x: np.clip(x, 0, 6), (-2, 8), False, "HardtanhBackward0"),
    ("hardtanh", lambda x: F.hardtanh(x, -0.5, 1.5), lambda x: np.clip(x, -0.5, 1.5), (-2, 2),
     False, "HardtanhBackward0"),
    ("leaky_relu", lambda x: F.leaky_relu(x, 0.2), lambda x: np.where(x > 0, x, 0.2 * x),
     (-2, 2), False, "LeakyReluBackward0"),
    ("elu", lambda x: F.elu(x, 0.7), lambda x: np.where(x > 0, x, 0.7 * np.expm1(x)), (-2, 2),
     True, "EluBackward0"),
    ("selu", F.selu, lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)), (-2, 2),
     True, "EluBackward0"),
    ("celu", lambda x: F.celu(x, 1.5),
     lambda x: np.maximum(0, x) + np.minimum(0, 1.5 * np.expm1(x / 1.5)), (-2, 2), True,
     "CeluBackward0"),
    ("gelu", F.gelu, lambda x: 0.5 * x * (1 + sp.erf(x / math.sqrt(2))), (-3, 3), True,
     "GeluBackward0"),
    ("gelu_tanh", lambda x: F.gelu(x, approximate="tanh"), _gelu_tanh, (-3, 3), True,
     "GeluBackward0"),
    ("silu", F.silu, lambda x: x / (1 + np.exp(-x)), (-4, 4), True, "SiluBackward0"),
    ("mish", F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))), (-3, 3), True,
     "MishBackward0"),
    ("softplus", F.softplus, _softplus, (-3, 3), True, "SoftplusBackward0"),
    ("softplus_beta", lambda x: F.softplus(x, 2.0, 2.0), lambda x: _softplus(x, 2.0, 2.0),
     (-3, 3), False, "SoftplusBackward0"),
    ("softsign", F.softsign, lambda x: x / (1 + np.abs(x)), (-3, 3), False, "DivBackward0"),
    ("softshrink", lambda x: F.softshrink(x, 0.3),
     lambda x: np.where(x > 0.3, x - 0.3, np.where(x < -0.3, x + 0.3, 0)), (-2, 2), False,
     "SoftshrinkBackward0"),
    ("hardshrink", lambda x: F.hardshrink(x, 0.3), lambda x: np.where(np.abs(x) > 0.3, x, 0),
     (-2, 2), False, "HardshrinkBackward0"),
    ("hardswish", F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6, (-5, 5), False,
     "HardswishBackward0"),
    ("hardsigmoid", F.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6, (-5, 5), False,
     "HardsigmoidBackward0"),
    ("sigmoid", F.sigmoid, lambda x: 1 / (1 + np.exp(-x)), (-4, 4), True, "SigmoidBackward0"),
    ("logsigmoid", F.logsigmoid, lambda x: -np.log1p(np.exp(-x)), (-4, 4), True,
     "LogSigmoidBackward0"),
    ("tanh", F.tanh, np.tanh, (-3, 3), True, "TanhBackward0"),
    ("tanhshrink", F.tanhshrink, lambda x: x - np.tanh(x), (-3, 3), True, "SubBackward0"),
    ("threshold", lambda x: F.threshold(x, 0.2, -3.0), lambda x: np.where(x > 0.2, x, -3.0),
     (-2, 2), False, "ThresholdBackward0"),
    ("rrelu_eval", lambda x: F.rrelu(x, 0.1, 0.3), lambda x: np.where(x >= 0, x, 0.2 * x),
     (-2, 2), False, "RreluWithNoiseBackward0"),
]  # fmt: skip
IDS = [row[0] for row in ELEMENTWISE]


def _input(low, high, shape=(3, 5), seed=0):
    x = np.random.default_rng(seed).uniform(low, high, size=shape)
    x[np.abs(x) < 1e-3] = 0.1  # keep away from kinks at 0
    return x


@pytest.mark.parametrize("row", ELEMENTWISE, ids=IDS)
def test_forward_matches_numpy(row):
    _, fn, ref, (low, high), _, node = row
    x = _input(low, high)
    out = fn(ember.tensor(x))
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-12, atol=1e-12)
    t = ember.tensor(x, requires_grad=True)
    assert fn(t).grad_fn.name() == node


@pytest.mark.parametrize("row", ELEMENTWISE, ids=IDS)
def test_float32_keeps_dtype_and_accuracy(row):
    _, fn, ref, (low, high), _, _ = row
    x = _input(low, high).astype(np.float32)
    out = fn(ember.tensor(x))
    assert out.dtype == ember.float32
    np.testing.assert_allclose(out.numpy(), ref(x.astype(np.float64)), rtol=2e-6, atol=2e-6)


@pytest.mark.parametrize("row", ELEMENTWISE, ids=IDS)
def test_gradcheck(row, gradcheck):
    _, fn, _, (low, high), smooth, _ = row
    x = ember.tensor(_input(low, high, seed=1), requires_grad=True)
    gradcheck(fn, x, second_order=smooth)


@pytest.mark.parametrize("name", ["gelu", "silu", "leaky_relu", "relu"])
def test_float32_gradient_matches_float64(name):
    # float32 takes faster kernels (gelu's erf approximation, silu without where)
    fn = getattr(F, name)
    x = _input(-4, 4, shape=(50,), seed=4)
    grads = []
    for dt in (ember.float32, ember.float64):
        t = ember.tensor(x, dtype=dt, requires_grad=True)
        fn(t).sum().backward()
        grads.append(t.grad.numpy().astype(np.float64))
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6, atol=1e-6)


def test_nonsmooth_second_order_is_zero_where_linear(gradcheck, rand):
    # relu-like ops: the gradient of the gradient is 0 away from the kinks
    for fn in (F.relu, F.leaky_relu, F.hardtanh, F.hardswish, F.softshrink):
        gradcheck(fn, rand(2, 3, seed=3, low=0.2, high=0.9), second_order=True)


def test_extreme_values_are_finite():
    big = ember.tensor([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=ember.float32)
    for fn in (F.silu, F.mish, F.softplus, F.logsigmoid, F.elu, F.selu, F.celu, F.gelu):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            out = fn(big).numpy()
        assert np.isfinite(out).all(), fn
    np.testing.assert_allclose(F.softplus(big).numpy(), [0, 0, math.log(2), 50, 1000],
                               atol=1e-6)  # fmt: skip
    np.testing.assert_allclose(F.logsigmoid(big).numpy(), [-1000, -50, -math.log(2), 0, 0],
                               atol=1e-6)  # fmt: skip


# -- prelu, glu, rrelu ------------------------------------------------------------------------


def test_prelu_forward_and_gradcheck(gradcheck, rand):
    x = rand(2, 3, 4, seed=4)
    w = rand(3, seed=5, low=0.1, high=0.5)
    xd, wd = x.detach().numpy(), w.detach().numpy()
    expected = np.where(xd > 0, xd, xd * wd[None, :, None])
    np.testing.assert_allclose(F.prelu(x, w).detach().numpy(), expected)
    assert F.prelu(x, w).grad_fn.name() == "PreluKernelBackward0"
    gradcheck(F.prelu, x, w)
    gradcheck(F.prelu, rand(5, seed=6), rand(1, seed=7))
    gradcheck(F.prelu, x, w, second_order=True)


def test_prelu_module():
    m = nn.PReLU(3, init=0.1)
    assert [n for n, _ in m.named_parameters()] == ["weight"]
    assert m.weight.shape == (3,)
    np.testing.assert_allclose(m.weight.detach().numpy(), 0.1, rtol=1e-7)
    y = m(ember.tensor([[-1.0, 2.0, -3.0]]))
    np.testing.assert_allclose(y.detach().numpy(), [[-0.1, 2.0, -0.3]], rtol=1e-6)
    y.sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), [-1.0, 0.0, -3.0])
    with pytest.raises(RuntimeError, match="Found parameter numbers = 3 and channel size = 4"):
        m(ember.zeros(2, 4))


def test_glu(gradcheck, rand):
    x = rand(2, 6, seed=8)
    xd = x.detach().numpy()
    expected = xd[:, :3] / (1 + np.exp(-xd[:, 3:]))
    np.testing.assert_allclose(F.glu(x).detach().numpy(), expected, rtol=1e-12)
    assert F.glu(x).grad_fn.name() == "GluBackward0"
    gradcheck(F.glu, x, second_order=True)
    gradcheck(lambda t: F.glu(t, 0), rand(4, 3, seed=9))
    assert nn.GLU(0)(ember.ones(4, 3)).shape == (2, 3)
    with pytest.raises(RuntimeError, match="Halving dimension must be even, but dimension 1"):
        F.glu(ember.ones(2, 5))
    with pytest.raises(RuntimeError, match="glu does not support scalars"):
        F.glu(ember.tensor(1.0))


def test_rrelu_training_draws_slopes_in_range_and_is_reproducible(gradcheck):
    x = -ember.ones(2000)
    ember.manual_seed(3)
    y1 = F.rrelu(x, 0.1, 0.3, training=True)
    ember.manual_seed(3)
    y2 = F.rrelu(x, 0.1, 0.3, training=True)
    assert y1.tolist() == y2.tolist()
    slopes = -y1.numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3
    assert abs(slopes.mean() - 0.2) < 0.01 and slopes.std() > 0.05
    pos = F.rrelu(ember.ones(5), training=True)
    assert pos.tolist() == [1.0] * 5
    # gradient is the drawn slope
    t = ember.tensor([-1.0, 2.0], requires_grad=True)
    out = F.rrelu(t, 0.1, 0.3, training=True)
    out.sum().backward()
    assert t.grad.tolist()[1] == 1.0
    assert t.grad.tolist()[0] == pytest.approx(-out.tolist()[0])


def test_rrelu_module_train_eval():
    m = nn.RReLU(0.1, 0.3)
    x = -ember.ones(100)
    assert len(set(m(x).tolist())) > 50
    m.eval()
    np.testing.assert_allclose(m(x).numpy(), -0.2, rtol=1e-6)


def test_rrelu_errors():
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal"):
        F.rrelu(ember.ones(2), 0.5, 0.1)


# -- softmax family ---------------------------------------------------------------------------


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_softmax_forward(dim):
    x = np.random.default_rng(2).normal(size=(3, 4, 5))
    np.testing.assert_allclose(F.softmax(ember.tensor(x), dim).numpy(), _softmax(x, dim))
    np.testing.assert_allclose(F.log_softmax(ember.tensor(x), dim).numpy(),
                               np.log(_softmax(x, dim)))  # fmt: skip
    np.testing.assert_allclose(F.softmin(ember.tensor(x), dim).numpy(), _softmax(-x, dim))


@pytest.mark.parametrize(
    "fn,node",
    [(F.softmax, "SoftmaxBackward0"), (F.log_softmax, "LogSoftmaxBackward0"),
     (F.softmin, "SoftmaxBackward0")],
)  # fmt: skip
def test_softmax_gradients(fn, node, gradcheck, rand):
    x = rand(3, 4, seed=11)
    assert fn(x, 1).grad_fn.name() == node
    gradcheck(lambda t: fn(t, 1), x, second_order=True)
    gradcheck(lambda t: fn(t, 0), rand(2, 3, 2, seed=12), second_order=True)


def test_softmax_is_stable_for_large_logits():
    x = ember.tensor([[1000.0, 1001.0, -1000.0]], dtype=ember.float32)
    s = F.softmax(x, -1).numpy()
    ls = F.log_softmax(x, -1).numpy()
    assert np.isfinite(s).all() and np.isfinite(ls).all()
    np.testing.assert_allclose(s, [[0.26894142, 0.73105858, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(ls[0, :2], [-1.3132616, -0.3132616], rtol=1e-6)


def test_softmax_dtype_argument_and_methods():
    x = ember.tensor([[1.0, 2.0]], dtype=ember.float32)
    y = F.softmax(x, 1, dtype=ember.float64)
    assert y.dtype == ember.float64
    assert F.log_softmax(x, 1, dtype=ember.float64).dtype == ember.float64
    assert x.softmax(-1).tolist() == F.softmax(x, -1).tolist()
    assert x.log_softmax(1).tolist() == F.log_softmax(x, 1).tolist()
    assert F.softmax(x, 1).dtype == ember.float32


def test_softmax_implicit_dim_warns_like_pytorch():
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        y = F.softmax(ember.ones(2, 3))
    assert y.tolist() == [[0.5, 0.5, 0.5]] * 2 or np.allclose(y.numpy(), 1 / 3)
    np.testing.assert_allclose(y.numpy(), 1 / 3)  # dim=1 for 2-D
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        z = F.log_softmax(ember.ones(2, 3, 4))  # dim=0 for 3-D
    np.testing.assert_allclose(z.numpy(), math.log(0.5))
    with pytest.warns(UserWarning):
        nn.Softmax()(ember.ones(2))


def test_softmax_edge_shapes_and_errors():
    assert F.softmax(ember.tensor(3.0), 0).item() == 1.0
    assert F.softmax(ember.zeros(0, 3), 1).shape == (0, 3)
    with pytest.raises(IndexError, match="Dimension out of range"):
        F.softmax(ember.ones(2, 3), 2)
    with pytest.raises(RuntimeError, match="softmax"):
        F.softmax(ember.tensor([1, 2]), 0)


def test_softmax2d():
    x = np.random.default_rng(5).normal(size=(2, 3, 2, 2))
    np.testing.assert_allclose(nn.Softmax2d()(ember.tensor(x)).numpy(), _softmax(x, 1))
    np.testing.assert_allclose(nn.Softmax2d()(ember.tensor(x[0])).numpy(), _softmax(x[0], 0))
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D"):
        nn.Softmax2d()(ember.ones(2, 3))


def test_gumbel_softmax():
    logits = ember.tensor(np.log([[0.7, 0.2, 0.1]]).repeat(4000, 0), requires_grad=True)
    ember.manual_seed(0)
    soft = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(soft.detach().numpy().sum(-1), 1.0)
    ember.manual_seed(0)
    hard = F.gumbel_softmax(logits, tau=0.5, hard=True)
    h = hard.detach().numpy()
    assert set(np.unique(h)) <= {0.0, 1.0} and (h.sum(-1) == 1).all()
    # the argmax of the soft sample is the hard sample, and Gumbel-max samples the categorical
    assert (h.argmax(-1) == soft.detach().numpy().argmax(-1)).all()
    np.testing.assert_allclose(h.mean(0), [0.7, 0.2, 0.1], atol=0.03)
    hard.sum().backward()  # straight-through: gradient of the soft sample
    assert logits.grad is not None and np.isfinite(logits.grad.numpy()).all()
    with pytest.warns(UserWarning, match="eps"):
        F.gumbel_softmax(logits, eps=1e-5)


# -- in-place forms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fn,ref",
    [
        (lambda t: F.relu(t, inplace=True), lambda x: np.maximum(x, 0)),
        (lambda t: F.relu_(t), lambda x: np.maximum(x, 0)),
        (lambda t: F.elu(t, inplace=True), lambda x: np.where(x > 0, x, np.expm1(x))),
        (lambda t: F.elu_(t), lambda x: np.where(x > 0, x, np.expm1(x))),
        (lambda t: F.leaky_relu_(t, 0.5), lambda x: np.where(x > 0, x, 0.5 * x)),
        (lambda t: F.hardtanh_(t), lambda x: np.clip(x, -1, 1)),
        (lambda t: F.relu6(t, inplace=True), lambda x: np.clip(x, 0, 6)),
        (lambda t: F.threshold_(t, 0.0, 9.0), lambda x: np.where(x > 0, x, 9.0)),
        (lambda t: F.selu_(t), lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x))),
        (lambda t: F.celu_(t), lambda x: np.where(x > 0, x, np.expm1(x))),
        (lambda t: F.silu(t, inplace=True), lambda x: x / (1 + np.exp(-x))),
        (lambda t: F.hardswish(t, inplace=True), lambda x: x * np.clip(x + 3, 0, 6) / 6),
        (lambda t: F.hardsigmoid(t, inplace=True), lambda x: np.clip(x + 3, 0, 6) / 6),
        (lambda t: F.mish(t, inplace=True), lambda x: x * np.tanh(np.log1p(np.exp(x)))),
        (lambda t: F.rrelu_(t, 0.2, 0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    ],
)
def test_inplace_variants_modify_input(fn, ref):
    x = np.array([-2.0, -0.5, 0.5, 3.0])
    t = ember.tensor(x)
    out = fn(t)
    assert out is t
    np.testing.assert_allclose(t.numpy(), ref(x), rtol=1e-12)


def test_inplace_in_graph_and_on_leaf():
    leaf = ember.tensor([-1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        F.elu(leaf, inplace=True)
    y = leaf * 2
    F.leaky_relu(y, 0.5, inplace=True)
    y.sum().backward()
    assert leaf.grad.tolist() == [1.0, 2.0]
    m = nn.ReLU(inplace=True)
    z = leaf * 1
    assert m(z) is z


# -- modules ----------------------------------------------------------------------------------

REPRS = [
    (nn.ReLU(), "ReLU()"),
    (nn.ReLU(inplace=True), "ReLU(inplace=True)"),
    (nn.ReLU6(True), "ReLU6(inplace=True)"),
    (nn.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (nn.LeakyReLU(0.2, True), "LeakyReLU(negative_slope=0.2, inplace=True)"),
    (nn.PReLU(3, 0.1), "PReLU(num_parameters=3)"),
    (nn.RReLU(), "RReLU(lower=0.125, upper=0.3333333333333333)"),
    (nn.RReLU(0.1, 0.3, True), "RReLU(lower=0.1, upper=0.3, inplace=True)"),
    (nn.ELU(0.5, True), "ELU(alpha=0.5, inplace=True)"),
    (nn.SELU(), "SELU()"),
    (nn.CELU(), "CELU(alpha=1.0)"),
    (nn.GELU("tanh"), "GELU(approximate='tanh')"),
    (nn.SiLU(True), "SiLU(inplace=True)"),
    (nn.Mish(), "Mish()"),
    (nn.Softplus(2, 10), "Softplus(beta=2, threshold=10)"),
    (nn.Softshrink(), "Softshrink(0.5)"),
    (nn.Hardshrink(0.3), "Hardshrink(0.3)"),
    (nn.Hardtanh(), "Hardtanh(min_val=-1.0, max_val=1.0)"),
    (nn.Hardtanh(-2, 2, True), "Hardtanh(min_val=-2, max_val=2, inplace=True)"),
    (nn.Hardswish(True), "Hardswish()"),
    (nn.Hardsigmoid(), "Hardsigmoid()"),
    (nn.Sigmoid(), "Sigmoid()"),
    (nn.LogSigmoid(), "LogSigmoid()"),
    (nn.Tanh(), "Tanh()"),
    (nn.Tanhshrink(), "Tanhshrink()"),
    (nn.Softsign(), "Softsign()"),
    (nn.Threshold(0.1, 20), "Threshold(threshold=0.1, value=20)"),
    (nn.Threshold(0.1, 20, True), "Threshold(threshold=0.1, value=20, inplace=True)"),
    (nn.GLU(), "GLU(dim=-1)"),
    (nn.Softmax(), "Softmax(dim=None)"),
    (nn.Softmin(dim=1), "Softmin(dim=1)"),
    (nn.LogSoftmax(dim=-1), "LogSoftmax(dim=-1)"),
    (nn.Softmax2d(), "Softmax2d()"),
]


@pytest.mark.parametrize("module,text", REPRS, ids=[t for _, t in REPRS])
def test_repr_matches_pytorch(module, text):
    assert repr(module) == text


MODULES = [
    (nn.ReLU(), F.relu),
    (nn.ReLU6(), F.relu6),
    (nn.LeakyReLU(0.3), lambda x: F.leaky_relu(x, 0.3)),
    (nn.ELU(0.5), lambda x: F.elu(x, 0.5)),
    (nn.SELU(), F.selu),
    (nn.CELU(2.0), lambda x: F.celu(x, 2.0)),
    (nn.GELU(), F.gelu),
    (nn.SiLU(), F.silu),
    (nn.Mish(), F.mish),
    (nn.Softplus(2, 1), lambda x: F.softplus(x, 2, 1)),
    (nn.Softsign(), F.softsign),
    (nn.Softshrink(0.2), lambda x: F.softshrink(x, 0.2)),
    (nn.Hardshrink(0.2), lambda x: F.hardshrink(x, 0.2)),
    (nn.Hardtanh(-0.5, 0.5), lambda x: F.hardtanh(x, -0.5, 0.5)),
    (nn.Hardswish(), F.hardswish),
    (nn.Hardsigmoid(), F.hardsigmoid),
    (nn.Sigmoid(), F.sigmoid),
    (nn.LogSigmoid(), F.logsigmoid),
    (nn.Tanh(), F.tanh),
    (nn.Tanhshrink(), F.tanhshrink),
    (nn.Threshold(0.1, 2.0), lambda x: F.threshold(x, 0.1, 2.0)),
    (nn.GLU(), F.glu),
    (nn.Softmax(1), lambda x: F.softmax(x, 1)),
    (nn.Softmin(1), lambda x: F.softmin(x, 1)),
    (nn.LogSoftmax(1), lambda x: F.log_softmax(x, 1)),
]  # fmt: skip


@pytest.mark.parametrize("module,fn", MODULES, ids=[repr(m) for m, _ in MODULES])
def test_module_forward_is_functional(module, fn):
    x = ember.tensor(np.random.default_rng(6).normal(size=(2, 4)))
    assert module(x).tolist() == fn(x).tolist()
    assert list(module.state_dict()) == []


# -- errors -----------------------------------------------------------------------------------


def test_errors():
    with pytest.raises(RuntimeError, match="approximate argument must be either none or tanh"):
        F.gelu(ember.ones(2), approximate="fast")
    with pytest.raises(ValueError, match="min_val cannot be greater than max_val"):
        F.hardtanh(ember.ones(2), 2.0, 1.0)
    with pytest.raises(ValueError, match=r"max_val \(1\) must be greater than min_val \(2\)"):
        nn.Hardtanh(2, 1)
    with pytest.raises(RuntimeError, match="alpha cannot be 0 for CELU"):
        F.celu(ember.ones(2), 0.0)
    with pytest.raises(RuntimeError, match=r"lambda must be in range \[0, 3.40282e\+38\] for "
                       "input dtype Float, but found -1"):  # fmt: skip
        F.softshrink(ember.ones(2), -1.0)
    for fn in (F.gelu, F.silu, F.elu, F.leaky_relu, F.softplus, F.mish, F.logsigmoid):
        with pytest.raises(RuntimeError, match="not implemented for int64"):
            fn(ember.tensor([1, 2]))
    with pytest.raises(TypeError, match="must be Tensor, not list"):
        F.gelu([1.0])
    # integer inputs work where PyTorch's kernels accept them
    assert F.relu(ember.tensor([1, -2])).tolist() == [1, 0]
    assert F.hardtanh(ember.tensor([3, -2])).tolist() == [1, -1]
    assert F.threshold(ember.tensor([3, -2]), 0, 7).dtype == ember.int64
