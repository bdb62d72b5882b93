"""Losses of ember.nn: forward against NumPy references written here, for every reduction
and option; float64 gradient checks (second order for the losses used in gradient
penalties); PyTorch's warnings and errors; the loss modules."""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

REDUCTIONS = ["none", "mean", "sum"]


def reduce_np(loss, reduction):
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    return loss.mean()


def t64(a, requires_grad=False):
    return ember.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def close(got, expected, **kw):
    np.testing.assert_allclose(got.detach().numpy(), expected, rtol=1e-6, atol=1e-9, **kw)


def log_softmax_np(x, axis):
    m = x.max(axis=axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=axis, keepdims=True))


def log_sigmoid_np(x):
    return -np.logaddexp(0, -x)


RNG = np.random.default_rng(1234)
X = RNG.standard_normal((3, 4))
Y = RNG.standard_normal((3, 4))
P = RNG.uniform(0.05, 0.95, (3, 4))
Q = RNG.uniform(0.0, 1.0, (3, 4))


# -- elementwise regression losses ---------------------------------------------------------------


def smooth_l1_np(d, beta):
    z = np.abs(d)
    return np.where(z < beta, 0.5 * d * d / beta, z - 0.5 * beta)


def huber_np(d, delta):
    z = np.abs(d)
    return np.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta))


ELEMENTWISE = {
    "mse": (lambda a, b, r: F.mse_loss(a, b, reduction=r), lambda d: d * d),
    "l1": (lambda a, b, r: F.l1_loss(a, b, reduction=r), np.abs),
    "smooth_l1": (
        lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.7),
        lambda d: smooth_l1_np(d, 0.7),
    ),
    "smooth_l1_beta0": (
        lambda a, b, r: F.smooth_l1_loss(a, b, reduction=r, beta=0.0),
        np.abs,
    ),
    "huber": (
        lambda a, b, r: F.huber_loss(a, b, reduction=r, delta=0.6),
        lambda d: huber_np(d, 0.6),
    ),
}


@pytest.mark.parametrize("name", list(ELEMENTWISE))
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_elementwise_forward_and_grad(name, reduction, gradcheck):
    fn, ref = ELEMENTWISE[name]
    a, b = t64(X, True), t64(Y, True)
    close(fn(a, b, reduction), reduce_np(ref(X - Y), reduction))
    gradcheck(lambda u, v: fn(u, v, reduction), a, b)


@pytest.mark.parametrize("name", ["mse", "smooth_l1", "huber"])
def test_elementwise_second_order(name, gradcheck):
    fn, _ = ELEMENTWISE[name]
    gradcheck(lambda u, v: fn(u, v, "mean"), t64(X, True), t64(Y, True), second_order=True)


@pytest.mark.parametrize("name", ["mse", "l1", "huber"])
def test_elementwise_weight(name):
    fn = {"mse": F.mse_loss, "l1": F.l1_loss, "huber": F.huber_loss}[name]
    ref = {"mse": lambda d: d * d, "l1": np.abs, "huber": lambda d: huber_np(d, 1.0)}[name]
    w = Q + 0.1
    el = ref(X - Y) * w
    close(fn(t64(X), t64(Y), reduction="none", weight=t64(w)), el)
    close(fn(t64(X), t64(Y), reduction="sum", weight=t64(w)), el.sum())
    # PyTorch: L1 and MSE divide by the summed weights, Huber by the element count
    mean = el.mean() if name == "huber" else el.sum() / w.sum()
    close(fn(t64(X), t64(Y), reduction="mean", weight=t64(w)), mean)
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        fn(t64(X), t64(Y), weight=t64(w[0]))


def test_mse_broadcast_warns_and_broadcasts(gradcheck):
    a = t64(X[:, :1], True)
    b = t64(Y[0], True)
    msg = (
        r"Using a target size \(ember.Size\(\[4\]\)\) that is different to the input size "
        r"\(ember.Size\(\[3, 1\]\)\)"
    )
    with pytest.warns(UserWarning, match=msg):
        out = F.mse_loss(a, b)
    close(out, ((X[:, :1] - Y[0]) ** 2).mean())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gradcheck(lambda u, v: F.mse_loss(u, v, reduction="sum"), a, b)


@pytest.mark.parametrize("fn", [F.l1_loss, F.smooth_l1_loss, F.huber_loss, F.mse_loss])
def test_broadcast_warning_every_elementwise_loss(fn):
    with pytest.warns(UserWarning, match="This will likely lead to incorrect results"):
        fn(ember.zeros(3, 1), ember.zeros(3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fn(ember.zeros(3), ember.zeros(3))  # same shapes: no warning


def test_elementwise_shape_error_names_op():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError, match=r"mse_loss: .*\(3, 2\) and \(4,\)"):
            F.mse_loss(ember.zeros(3, 2), ember.zeros(4))


def test_mse_dtype_promotion_and_float32():
    out = F.mse_loss(ember.ones(2, dtype=ember.float32), ember.zeros(2, dtype=ember.float64))
    assert out.dtype == ember.float64
    x = ember.ones(3, requires_grad=True)
    loss = F.mse_loss(x, ember.zeros(3))
    assert loss.dtype == ember.float32
    loss.backward()
    assert x.grad.dtype == ember.float32
    close(x.grad, np.full(3, 2 / 3))


def test_mse_integer_input_raises():
    with pytest.raises(RuntimeError, match="mse_loss: expected a floating point input"):
        F.mse_loss(ember.tensor([1, 2]), ember.tensor([1, 2]))


def test_negative_beta_delta():
    with pytest.raises(RuntimeError, match="negative values for beta"):
        F.smooth_l1_loss(ember.zeros(2), ember.zeros(2), beta=-1.0)
    with pytest.raises(RuntimeError, match="non-positive values for delta"):
        F.huber_loss(ember.zeros(2), ember.zeros(2), delta=0.0)


def test_reduction_validation_and_legacy_args():
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.mse_loss(ember.zeros(2), ember.zeros(2), reduction="foo")
    x, y = t64(X), t64(Y)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        out = F.mse_loss(x, y, size_average=False)
    close(out, ((X - Y) ** 2).sum())
    cases = [((None, False), "none"), ((False, None), "sum"), ((True, True), "mean")]
    for (sa, rd), expected in cases:
        with pytest.warns(UserWarning, match=f"reduction='{expected}'"):
            out = F.l1_loss(x, y, size_average=sa, reduce=rd)
        close(out, reduce_np(np.abs(X - Y), expected))
    with pytest.warns(UserWarning, match="elementwise_mean"):
        close(F.l1_loss(x, y, reduction="elementwise_mean"), np.abs(X - Y).mean())


def test_mean_of_empty_is_nan():
    out = F.mse_loss(ember.zeros(0), ember.zeros(0))
    assert math.isnan(out.item())
    assert F.mse_loss(ember.zeros(0), ember.zeros(0), reduction="sum").item() == 0.0


# -- binary cross entropy ------------------------------------------------------------------------


def bce_np(x, t, w=None):
    loss = -(t * np.maximum(np.log(x), -100) + (1 - t) * np.maximum(np.log(1 - x), -100))
    return loss if w is None else loss * w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce(reduction, weighted, gradcheck):
    w = Q[0] + 0.5 if weighted else None
    wt = t64(w) if weighted else None
    a, b = t64(P, True), t64(Q, True)
    close(
        F.binary_cross_entropy(a, b, wt, reduction=reduction), reduce_np(bce_np(P, Q, w), reduction)
    )
    gradcheck(lambda u, v: F.binary_cross_entropy(u, v, wt, reduction=reduction), a, b)


def test_bce_clamps_log_and_checks_range():
    x = t64([0.0, 1.0, 0.5], True)
    loss = F.binary_cross_entropy(x, t64([1.0, 0.0, 0.5]), reduction="none")
    close(loss, [100.0, 100.0, math.log(2)])
    loss.sum().backward()
    close(x.grad, [-1e12, 1e12, 0.0])
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(t64([1.5]), t64([1.0]))
    with pytest.raises(RuntimeError, match="all elements of target should be between 0 and 1"):
        F.binary_cross_entropy(t64([0.5]), t64([1.5]))
    with pytest.raises(ValueError, match=r"Using a target size \(ember.Size\(\[3, 1\]\)\)"):
        F.binary_cross_entropy(ember.rand(3), ember.rand(3, 1))


def bce_logits_np(x, t, w=None, pw=None):
    lw = 1 if pw is None else 1 + (pw - 1) * t
    loss = (1 - t) * x - lw * log_sigmoid_np(x)
    return loss if w is None else loss * w


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", ["plain", "weight", "pos_weight", "both"])
def test_bce_with_logits(reduction, options, gradcheck):
    w = Q[:1] + 0.5 if options in ("weight", "both") else None
    pw = Q[1] * 3 + 0.2 if options in ("pos_weight", "both") else None
    wt = None if w is None else t64(w)
    pwt = None if pw is None else t64(pw)
    x = X * 4
    a, b = t64(x, True), t64(Q, True)
    out = F.binary_cross_entropy_with_logits(a, b, wt, reduction=reduction, pos_weight=pwt)
    close(out, reduce_np(bce_logits_np(x, Q, w, pw), reduction))

    def fn(u, v):
        return F.binary_cross_entropy_with_logits(u, v, wt, reduction=reduction, pos_weight=pwt)

    gradcheck(fn, a, b, second_order=reduction == "mean")


def test_bce_with_logits_is_stable():
    x = t64([-800.0, 800.0], True)
    out = F.binary_cross_entropy_with_logits(x, t64([1.0, 0.0]), reduction="none")
    close(out, [800.0, 800.0])
    out.sum().backward()
    close(x.grad, [-1.0, 1.0])
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(ember.rand(3), ember.rand(3, 1))


# -- nll_loss and cross_entropy ------------------------------------------------------------------


def nll_np(logp, target, weight=None, ignore_index=-100, reduction="mean"):
    """Reference: logp (N, C, ...) or (C,), integer target."""
    if logp.ndim == 1:
        logp = logp[None]
        target = np.asarray(target).reshape(1)
        squeeze = True
    else:
        squeeze = False
    lp = np.moveaxis(logp, 1, -1).reshape(-1, logp.shape[1])
    t = np.asarray(target).reshape(-1)
    w = np.ones(lp.shape[1]) if weight is None else weight
    losses = np.zeros(t.shape[0])
    wsum = 0.0
    for i, c in enumerate(t):
        if c == ignore_index:
            continue
        losses[i] = -w[c] * lp[i, c]
        wsum += w[c]
    if reduction == "none":
        return losses[0] if squeeze else losses.reshape(np.asarray(target).shape)
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / wsum if wsum else np.nan


def ce_indices_np(x, target, weight=None, ignore_index=-100, reduction="mean", ls=0.0):
    logp = log_softmax_np(x, 0 if x.ndim == 1 else 1)
    nll = nll_np(logp, target, weight, ignore_index, "none")
    if ls == 0:
        if reduction == "none":
            return nll
        return nll_np(logp, target, weight, ignore_index, reduction)
    C = x.shape[0 if x.ndim == 1 else 1]
    w = np.ones(C) if weight is None else weight
    shape = [1] * x.ndim
    shape[0 if x.ndim == 1 else 1] = C
    smooth = -(logp * w.reshape(shape)).sum(axis=0 if x.ndim == 1 else 1)
    ignored = np.asarray(target) == ignore_index
    smooth = np.where(ignored, 0.0, smooth)
    if reduction == "none":
        return (1 - ls) * nll + ls / C * smooth
    if reduction == "sum":
        return (1 - ls) * nll.sum() + ls / C * smooth.sum()
    kept = np.asarray(target)[~ignored]
    denom = w[kept].sum()
    return (1 - ls) * nll.sum() / denom + ls / C * smooth.sum() / denom


CLASS_CASES = {
    "2d": ((5, 4), np.array([0, 3, 1, 1, 2])),
    "1d": ((4,), np.array(2)),
    "3d": ((2, 4, 3), np.array([[0, 1, 3], [2, 2, 0]])),
    "4d": ((2, 4, 2, 2), np.array([[[0, 1], [3, 3]], [[2, 0], [1, 2]]])),
}
W4 = np.array([0.5, 2.0, 1.0, 1.5])


def _ignored(target):
    t = target.copy()
    if t.ndim:
        t.reshape(-1)[::3] = -100
    return t


@pytest.mark.parametrize("case", list(CLASS_CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [False, True])
def test_nll_loss(case, reduction, weighted, ignore, gradcheck):
    shape, target = CLASS_CASES[case]
    target = _ignored(target) if ignore else target
    logp = log_softmax_np(RNG.standard_normal(shape), 0 if len(shape) == 1 else 1)
    w = W4 if weighted else None
    wt = t64(w) if weighted else None
    x = t64(logp, True)
    t = ember.tensor(target)
    close(F.nll_loss(x, t, wt, reduction=reduction), nll_np(logp, target, w, -100, reduction))
    gradcheck(lambda u: F.nll_loss(u, t, wt, reduction=reduction), x, second_order=True)


@pytest.mark.parametrize("case", list(CLASS_CASES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "weighted, ignore, ls", list(itertools.product([False, True], [False, True], [0.0, 0.25]))
)
def test_cross_entropy_indices(case, reduction, weighted, ignore, ls, gradcheck):
    shape, target = CLASS_CASES[case]
    target = _ignored(target) if ignore else target
    xv = RNG.standard_normal(shape) * 2
    w = W4 if weighted else None
    wt = t64(w) if weighted else None
    x = t64(xv, True)
    t = ember.tensor(target)
    out = F.cross_entropy(x, t, wt, reduction=reduction, label_smoothing=ls)
    close(out, ce_indices_np(xv, target, w, -100, reduction, ls))
    assert out.grad_fn.name() == "CrossEntropyLossBackward0"
    second = case in ("2d", "3d") and reduction != "sum"
    gradcheck(
        lambda u: F.cross_entropy(u, t, wt, reduction=reduction, label_smoothing=ls),
        x,
        second_order=second,
    )


def test_cross_entropy_is_one_node():
    x = ember.randn(4, 3, requires_grad=True)
    out = F.cross_entropy(x, ember.tensor([0, 1, 2, 1]), weight=ember.ones(3), label_smoothing=0.1)
    (edge,) = out.grad_fn.next_functions
    assert type(edge[0]).__name__ == "AccumulateGrad"


def test_cross_entropy_ignore_index_in_range_and_all_ignored():
    xv = RNG.standard_normal((4, 3))
    target = np.array([1, 2, 1, 0])
    x = t64(xv, True)
    out = F.cross_entropy(x, ember.tensor(target), ignore_index=1)
    close(out, ce_indices_np(xv, target, None, 1, "mean"))
    out.backward()
    np.testing.assert_array_equal(x.grad.numpy()[[0, 2]], 0.0)
    every = ember.tensor([-100, -100, -100, -100])
    assert math.isnan(F.cross_entropy(t64(xv), every).item())
    assert F.cross_entropy(t64(xv), every, reduction="sum").item() == 0.0


@pytest.mark.parametrize("target", [[2], 2])
def test_unbatched_class_target_gives_a_scalar(target, gradcheck):
    xv = RNG.standard_normal(4)
    x = t64(xv, True)
    t = ember.tensor(target)
    out = F.cross_entropy(x, t, reduction="none")
    assert out.shape == ()
    close(out, -log_softmax_np(xv, 0)[2])
    assert F.nll_loss(x, t, reduction="none").shape == ()
    gradcheck(lambda u: F.cross_entropy(u, t, reduction="none"), x)


def test_cross_entropy_uint8_target_and_float32():
    x = ember.tensor(RNG.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    t = ember.tensor([1, 0, 3], dtype=ember.uint8)
    out = F.cross_entropy(x, t)
    assert out.dtype == ember.float32
    close(
        out,
        ce_indices_np(x.detach().numpy().astype(np.float64), np.array([1, 0, 3])),
    )
    out.backward()
    assert x.grad.dtype == ember.float32


def test_cross_entropy_large_logits_stable():
    x = t64([[1000.0, 0.0], [0.0, -1000.0]], True)
    out = F.cross_entropy(x, ember.tensor([1, 1]), reduction="none")
    close(out, [1000.0, 1000.0])
    out.sum().backward()
    close(x.grad, [[1.0, -1.0], [1.0, -1.0]])


def ce_probs_np(x, p, weight=None, reduction="mean", ls=0.0):
    cd = 0 if x.ndim == 1 else 1
    C = x.shape[cd]
    logp = log_softmax_np(x, cd)
    if ls:
        p = p * (1 - ls) + ls / C
    shape = [1] * x.ndim
    shape[cd] = C
    prod = logp * p * (1 if weight is None else weight.reshape(shape))
    if reduction == "none":
        return -prod.sum(axis=cd)
    if reduction == "sum":
        return -prod.sum()
    return -prod.sum() / (x.size // C)


@pytest.mark.parametrize("case", ["2d", "1d", "3d"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted, ls", [(False, 0.0), (True, 0.0), (False, 0.3), (True, 0.3)])
def test_cross_entropy_probabilities(case, reduction, weighted, ls, gradcheck):
    shape, _ = CLASS_CASES[case]
    xv = RNG.standard_normal(shape)
    pv = np.abs(RNG.standard_normal(shape))  # unnormalised probabilities are allowed
    w = W4 if weighted else None
    wt = t64(w) if weighted else None
    x, p = t64(xv, True), t64(pv, True)
    out = F.cross_entropy(x, p, wt, reduction=reduction, label_smoothing=ls)
    close(out, ce_probs_np(xv, pv, w, reduction, ls))
    gradcheck(
        lambda u, v: F.cross_entropy(u, v, wt, reduction=reduction, label_smoothing=ls),
        x,
        p,
        second_order=reduction == "mean" and case == "2d",
    )


def test_class_target_errors():
    x = ember.randn(3, 5)
    with pytest.raises(
        RuntimeError, match="expected target dtype to be Long or Byte, but got Float"
    ):
        F.cross_entropy(x, ember.rand(3))
    with pytest.raises(
        RuntimeError, match=r"class probabilities only when it has the input's shape"
    ):
        F.cross_entropy(x, ember.rand(3))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected"):
        F.cross_entropy(x, ember.rand(3, 4))
    with pytest.raises(RuntimeError, match="but got Int"):
        F.nll_loss(x, ember.tensor([1, 2, 1], dtype=ember.int32))
    with pytest.raises(IndexError, match=r"Target 7 is out of bounds\. .*5 classes"):
        F.cross_entropy(x, ember.tensor([1, 2, 7]))
    with pytest.raises(IndexError, match=r"Target -3 is out of bounds\. nll_loss .*\[0, 4\]"):
        F.nll_loss(x, ember.tensor([1, 2, -3]))
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target"):
        F.nll_loss(x, ember.tensor([1, 2]))
    with pytest.raises(ValueError, match=r"Expected 1 or more dimensions \(got 0\)"):
        F.nll_loss(ember.tensor(1.0), ember.tensor(1))
    with pytest.raises(RuntimeError, match=r"for all 5 classes .* shape: \[4\]"):
        F.cross_entropy(x, ember.tensor([1, 2, 1]), weight=ember.ones(4))
    with pytest.raises(RuntimeError, match=r"cross_entropy: weight tensor .* shape: \[4\]"):
        F.cross_entropy(x, ember.rand(3, 5), weight=ember.ones(4))
    with pytest.raises(RuntimeError, match="ignore_index is not supported for floating point"):
        F.cross_entropy(x, ember.rand(3, 5), ignore_index=1)
    with pytest.raises(RuntimeError, match="Expected floating point type for target with class"):
        F.cross_entropy(ember.randn(3, 3), ember.tensor([[0, 1, 2]] * 3))
    with pytest.raises(
        RuntimeError, match=r"label_smoothing must be between 0.0 and 1.0. Got: 1.5"
    ):
        F.cross_entropy(x, ember.tensor([1, 2, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.cross_entropy(x, ember.tensor([1, 2, 1]), reduction="foo")
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 4\], got \[2, 5\]"):
        F.nll_loss(ember.randn(2, 3, 4), ember.zeros(2, 5, dtype=ember.int64))


# -- divergences and likelihoods -----------------------------------------------------------------


@pytest.mark.parametrize("reduction", [*REDUCTIONS, "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target, gradcheck):
    logq = np.log(P)
    tv = np.log(Q + 0.05) if log_target else Q + 0.05
    ref = np.exp(tv) * (tv - logq) if log_target else tv * (np.log(tv) - logq)
    expected = ref.sum() / 3 if reduction == "batchmean" else reduce_np(ref, reduction)
    a, b = t64(logq, True), t64(tv, True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        close(F.kl_div(a, b, reduction=reduction, log_target=log_target), expected)
        gradcheck(
            lambda u, v: F.kl_div(u, v, reduction=reduction, log_target=log_target),
            a,
            b,
            second_order=reduction == "batchmean",
        )


def test_kl_div_mean_warning_and_zero_target():
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        F.kl_div(ember.zeros(2), ember.ones(2))
    out = F.kl_div(t64([-1.0, -2.0]), t64([0.0, 0.5]), reduction="none")
    close(out, [0.0, 0.5 * (math.log(0.5) + 2)])
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.kl_div(ember.zeros(2), ember.ones(2), reduction="foo")


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("log_input, full", list(itertools.product([True, False], [False, True])))
def test_poisson_nll(reduction, log_input, full, gradcheck):
    xv = X if log_input else P * 3
    tv = np.floor(Q * 5)
    ref = np.exp(xv) - tv * xv if log_input else xv - tv * np.log(xv + 1e-8)
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            st = tv * np.log(tv) - tv + 0.5 * np.log(2 * np.pi * tv)
        ref = ref + np.where(tv <= 1, 0.0, st)
    a = t64(xv, True)
    out = F.poisson_nll_loss(a, t64(tv), log_input=log_input, full=full, reduction=reduction)
    close(out, reduce_np(ref, reduction))
    gradcheck(
        lambda u: F.poisson_nll_loss(
            u, t64(tv), log_input=log_input, full=full, reduction=reduction
        ),
        a,
    )


VAR_SHAPES = {"same": (3, 4), "one_less": (3,), "size1": (3, 1), "size1_lead": (1, 4)}


@pytest.mark.parametrize("vshape", list(VAR_SHAPES))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("full", [False, True])
def test_gaussian_nll(vshape, reduction, full, gradcheck):
    vv = RNG.uniform(0.2, 2.0, VAR_SHAPES[vshape])
    vb = vv[:, None] if vshape == "one_less" else vv
    ref = 0.5 * (np.log(vb) + (X - Y) ** 2 / vb)
    if full:
        ref = ref + 0.5 * math.log(2 * math.pi)
    a, b, v = t64(X, True), t64(Y, True), t64(vv, True)
    close(F.gaussian_nll_loss(a, b, v, full=full, reduction=reduction), reduce_np(ref, reduction))
    gradcheck(
        lambda p, q, r: F.gaussian_nll_loss(p, q, r, full=full, reduction=reduction),
        a,
        b,
        v,
        second_order=reduction == "mean" and vshape in ("same", "one_less"),
    )


def test_gaussian_nll_clamp_is_not_differentiated():
    # var below eps: the value uses eps, the gradient flows as through the identity
    v = t64([1e-9], True)
    out = F.gaussian_nll_loss(t64([0.0]), t64([0.0]), v, eps=1e-6, reduction="sum")
    close(out, 0.5 * math.log(1e-6))
    out.backward()
    close(v.grad, [0.5 / 1e-6])


def test_gaussian_nll_errors_and_scalar_var():
    x, y = t64(X), t64(Y)
    close(F.gaussian_nll_loss(x, y, 0.5), (0.5 * (np.log(0.5) + (X - Y) ** 2 / 0.5)).mean())
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(x, y, -1.0)
    with pytest.raises(ValueError, match="var has negative entry"):
        F.gaussian_nll_loss(x, y, -ember.ones(3, 4))
    with pytest.raises(ValueError, match="var is of incorrect size"):
        F.gaussian_nll_loss(x, y, ember.ones(3, 2))
    with pytest.raises(ValueError, match="foo is not valid"):
        F.gaussian_nll_loss(x, y, ember.ones(3, 4), reduction="foo")


# -- margin losses -------------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_soft_margin(reduction, gradcheck):
    yv = np.sign(Y)
    a = t64(X * 3, True)
    close(
        F.soft_margin_loss(a, t64(yv), reduction=reduction),
        reduce_np(np.log1p(np.exp(-yv * X * 3)), reduction),
    )
    gradcheck(lambda u: F.soft_margin_loss(u, t64(yv), reduction=reduction), a)
    close(F.soft_margin_loss(t64([-800.0]), t64([1.0])), 800.0)  # stable where PyTorch overflows


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_multilabel_soft_margin(reduction, weighted, gradcheck):
    tv = (Q > 0.5).astype(np.float64)
    w = Q[0] + 0.5 if weighted else None
    ref = -(tv * log_sigmoid_np(X) + (1 - tv) * log_sigmoid_np(-X))
    if weighted:
        ref = ref * w
    ref = ref.mean(axis=1)
    a = t64(X, True)
    wt = t64(w) if weighted else None
    close(
        F.multilabel_soft_margin_loss(a, t64(tv), wt, reduction=reduction),
        reduce_np(ref, reduction),
    )
    gradcheck(lambda u: F.multilabel_soft_margin_loss(u, t64(tv), wt, reduction=reduction), a)


def multilabel_margin_np(x, y):
    x2, y2 = np.atleast_2d(x), np.atleast_2d(y)
    C = x2.shape[1]
    out = np.zeros(x2.shape[0])
    for n in range(x2.shape[0]):
        targets = []
        for c in y2[n]:
            if c < 0:
                break
            targets.append(c)
        for j in targets:
            for i in range(C):
                if i not in targets:
                    out[n] += max(0.0, 1 - (x2[n, j] - x2[n, i]))
    out /= C
    return out if x.ndim == 2 else out[0]


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multilabel_margin(reduction, gradcheck):
    tv = np.array([[3, 0, -1, 1], [1, 1, 2, -1], [0, 1, 2, 3]])
    a = t64(X, True)
    close(
        F.multilabel_margin_loss(a, ember.tensor(tv), reduction=reduction),
        reduce_np(multilabel_margin_np(X, tv), reduction),
    )
    close(
        F.multilabel_margin_loss(t64(X[0]), ember.tensor(tv[0]), reduction=reduction),
        multilabel_margin_np(X[0], tv[0]),
    )
    gradcheck(lambda u: F.multilabel_margin_loss(u, ember.tensor(tv), reduction=reduction), a)
    with pytest.raises(
        RuntimeError, match=r"inconsistent target size: \[3\] for input of size: \[3, 4\]"
    ):
        F.multilabel_margin_loss(a, ember.tensor([1, 2, 3]))


def multi_margin_np(x, y, p, margin, w):
    x2 = np.atleast_2d(x)
    y2 = np.atleast_1d(y)
    N, C = x2.shape
    out = np.zeros(N)
    for n in range(N):
        t = y2[n]
        for i in range(C):
            if i != t:
                z = max(0.0, margin - x2[n, t] + x2[n, i]) ** p
                out[n] += z * (1 if w is None else w[t])
    return out / C


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "p, margin, weighted", [(1, 1.0, False), (2, 0.5, False), (1, 0.8, True), (2, 1.0, True)]
)
def test_multi_margin(reduction, p, margin, weighted, gradcheck):
    tv = np.array([1, 0, 3])
    w = W4 if weighted else None
    wt = t64(w) if weighted else None
    a = t64(X, True)
    out = F.multi_margin_loss(
        a, ember.tensor(tv), p=p, margin=margin, weight=wt, reduction=reduction
    )
    close(out, reduce_np(multi_margin_np(X, tv, p, margin, w), reduction))
    gradcheck(
        lambda u: F.multi_margin_loss(u, ember.tensor(tv), p, margin, wt, reduction=reduction), a
    )


def test_multi_margin_errors():
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        F.multi_margin_loss(ember.randn(2, 3), ember.tensor([0, 1]), p=3)
    with pytest.raises(RuntimeError, match="inconsistent weight size, expected 3"):
        F.multi_margin_loss(ember.randn(2, 3), ember.tensor([0, 1]), weight=ember.ones(4))
    with pytest.raises(RuntimeError, match="target out of range"):
        F.multi_margin_loss(ember.randn(2, 3), ember.tensor([0, 3]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_ranking(reduction, gradcheck):
    yv = np.sign(Y[0])
    a, b = t64(X[0], True), t64(X[1], True)
    ref = np.maximum(0, -yv * (X[0] - X[1]) + 0.3)
    close(
        F.margin_ranking_loss(a, b, t64(yv), margin=0.3, reduction=reduction),
        reduce_np(ref, reduction),
    )
    gradcheck(lambda u, v: F.margin_ranking_loss(u, v, t64(yv), 0.3, reduction=reduction), a, b)
    with pytest.raises(RuntimeError, match="All input tensors should have same dimension"):
        F.margin_ranking_loss(ember.zeros(2, 2), ember.zeros(2, 2), ember.zeros(2))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_hinge_embedding(reduction, gradcheck):
    yv = np.where(Q > 0.5, 1.0, -1.0)
    a = t64(X, True)
    ref = np.where(yv == 1, X, np.maximum(0, 0.4 - X))
    close(
        F.hinge_embedding_loss(a, t64(yv), margin=0.4, reduction=reduction),
        reduce_np(ref, reduction),
    )
    gradcheck(lambda u: F.hinge_embedding_loss(u, t64(yv), 0.4, reduction=reduction), a)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cosine_embedding(reduction, gradcheck):
    yv = np.array([1.0, -1.0, -1.0])
    a, b = t64(X, True), t64(Y, True)
    cos = (X * Y).sum(1) / np.sqrt(((X * X).sum(1) + 1e-12) * ((Y * Y).sum(1) + 1e-12))
    ref = np.where(yv == 1, 1 - cos, np.maximum(0, cos - (-0.2)))
    close(
        F.cosine_embedding_loss(a, b, t64(yv), margin=-0.2, reduction=reduction),
        reduce_np(ref, reduction),
    )
    gradcheck(lambda u, v: F.cosine_embedding_loss(u, v, t64(yv), -0.2, reduction=reduction), a, b)
    with pytest.raises(RuntimeError, match="0D target tensor expects 1D input tensors"):
        F.cosine_embedding_loss(a, b, ember.tensor(1.0))
    with pytest.raises(RuntimeError, match="0D or 1D target tensor expected"):
        F.cosine_embedding_loss(a, b, ember.ones(3, 1))


def triplet_np(a, p, n, margin, pn, eps, swap):
    def dist(u, v):
        return (np.abs(u - v + eps) ** pn).sum(-1) ** (1 / pn)

    dn = dist(a, n)
    if swap:
        dn = np.minimum(dn, dist(p, n))
    return np.maximum(0, margin + dist(a, p) - dn)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("pn, swap", [(2, False), (1, False), (3, True), (2, True)])
def test_triplet_margin(reduction, pn, swap, gradcheck):
    A, Pv, Nv = X, Y, Q * 2 - 1
    a, p, n = t64(A, True), t64(Pv, True), t64(Nv, True)
    out = F.triplet_margin_loss(a, p, n, margin=2.0, p=pn, swap=swap, reduction=reduction)
    close(out, reduce_np(triplet_np(A, Pv, Nv, 2.0, pn, 1e-6, swap), reduction))
    gradcheck(
        lambda u, v, w: F.triplet_margin_loss(u, v, w, 2.0, pn, swap=swap, reduction=reduction),
        a,
        p,
        n,
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("swap", [False, True])
def test_triplet_margin_with_distance(reduction, swap, gradcheck):
    A, Pv, Nv = X, Y, Q * 2 - 1
    a, p, n = t64(A, True), t64(Pv, True), t64(Nv, True)
    out = F.triplet_margin_with_distance_loss(a, p, n, margin=2.0, swap=swap, reduction=reduction)
    close(out, reduce_np(triplet_np(A, Pv, Nv, 2.0, 2, 1e-6, swap), reduction))

    def l1(u, v):
        return (u - v).abs().sum(-1)

    out = F.triplet_margin_with_distance_loss(
        a, p, n, distance_function=l1, margin=2.0, swap=swap, reduction=reduction
    )
    dn = np.abs(A - Nv).sum(-1)
    if swap:
        dn = np.minimum(dn, np.abs(Pv - Nv).sum(-1))
    close(out, reduce_np(np.maximum(0, 2.0 + np.abs(A - Pv).sum(-1) - dn), reduction))
    gradcheck(
        lambda u, v, w: F.triplet_margin_with_distance_loss(
            u, v, w, distance_function=l1, margin=2.0, swap=swap, reduction=reduction
        ),
        a,
        p,
        n,
    )


def test_triplet_errors():
    z = ember.zeros(2, 3)
    with pytest.raises(ValueError, match="margin must be greater than 0, got 0"):
        F.triplet_margin_loss(z, z, z, margin=0)
    with pytest.raises(RuntimeError, match="anchor 2D, positive 2D, and negative 1D inputs"):
        F.triplet_margin_loss(z, z, ember.zeros(3))
    with pytest.raises(ValueError, match="foo is not a valid value for reduction"):
        F.triplet_margin_with_distance_loss(z, z, z, reduction="foo")


# -- CTC -----------------------------------------------------------------------------------------


def ctc_brute_force(lp, target, T, blank=0):
    """-log P(target | lp[:T]) by enumerating every alignment of length T."""
    C = lp.shape[1]
    total = -np.inf
    for path in itertools.product(range(C), repeat=T):
        collapsed = []
        prev = None
        for c in path:
            if c != prev and c != blank:
                collapsed.append(c)
            prev = c
        if collapsed == list(target):
            total = np.logaddexp(total, sum(lp[t, c] for t, c in enumerate(path)))
    return -total


def _ctc_inputs(seed=0, T=5, N=3, C=3):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((T, N, C))
    lp = log_softmax_np(logits, 2)
    targets = np.array([[1, 2, 2], [2, 1, 0], [1, 1, 0]])
    return lp, targets, [5, 4, 5], [2, 2, 1]


@pytest.mark.parametrize("blank", [0, 2])
def test_ctc_matches_brute_force(blank):
    lp, targets, in_len, tgt_len = _ctc_inputs()
    if blank == 2:
        targets = np.where(targets == 2, 0, targets)
    out = F.ctc_loss(t64(lp), ember.tensor(targets), in_len, tgt_len, blank=blank, reduction="none")
    expected = [
        ctc_brute_force(lp[:, n], targets[n, : tgt_len[n]], in_len[n], blank) for n in range(3)
    ]
    close(out, expected)
    # repeated labels need a blank between them: [1, 1] has fewer alignments than [1, 2]
    assert out[2].item() > 0


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_reductions_and_target_layouts(reduction):
    lp, targets, in_len, tgt_len = _ctc_inputs(seed=1)
    per = np.array(
        [ctc_brute_force(lp[:, n], targets[n, : tgt_len[n]], in_len[n]) for n in range(3)]
    )
    expected = {"none": per, "sum": per.sum(), "mean": (per / np.array(tgt_len)).mean()}
    padded = F.ctc_loss(t64(lp), ember.tensor(targets), in_len, tgt_len, reduction=reduction)
    close(padded, expected[reduction])
    concat = np.concatenate([targets[n, : tgt_len[n]] for n in range(3)])
    out = F.ctc_loss(
        t64(lp),
        ember.tensor(concat),
        ember.tensor(in_len),
        ember.tensor(tgt_len),
        reduction=reduction,
    )
    close(out, expected[reduction])
    single = F.ctc_loss(t64(lp[:, 0]), ember.tensor(targets[0, :2]), 5, 2, reduction=reduction)
    close(single, per[0] / (2 if reduction == "mean" else 1))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ctc_gradcheck(reduction, gradcheck):
    lp, targets, in_len, tgt_len = _ctc_inputs(seed=2, T=4)
    in_len = [4, 3, 4]
    x = t64(lp, True)  # any log_probs, not only normalised ones: the true gradient
    gradcheck(
        lambda u: F.ctc_loss(u, ember.tensor(targets), in_len, tgt_len, reduction=reduction), x
    )
    logits = t64(RNG.standard_normal((4, 3, 3)), True)
    gradcheck(
        lambda u: F.ctc_loss(
            u - ember.logsumexp(u, 2, keepdim=True),
            ember.tensor(targets),
            in_len,
            tgt_len,
            reduction=reduction,
        ),
        logits,
    )


def test_ctc_infinite_loss_and_zero_infinity():
    lp, targets, _, _ = _ctc_inputs()
    x = t64(lp, True)
    # two labels in one step: impossible
    out = F.ctc_loss(x, ember.tensor(targets), [1, 4, 5], [2, 2, 1], reduction="none")
    assert math.isinf(out[0].item()) and math.isfinite(out[1].item())
    out = F.ctc_loss(
        x, ember.tensor(targets), [1, 4, 5], [2, 2, 1], reduction="sum", zero_infinity=True
    )
    out.backward()
    assert np.all(x.grad.numpy()[:, 0] == 0)
    assert np.all(np.isfinite(x.grad.numpy()))
    assert np.any(x.grad.numpy()[:, 1] != 0)
    # steps after a sample's input length get no gradient
    assert np.all(x.grad.numpy()[4:, 1] == 0)


def test_ctc_empty_target_and_errors():
    lp, targets, _, _ = _ctc_inputs()
    out = F.ctc_loss(t64(lp), ember.tensor(targets), [5, 5, 5], [0, 0, 0], reduction="none")
    close(out, -np.log(np.exp(lp[:, :, 0]).prod(axis=0)))
    with pytest.raises(
        RuntimeError, match="Expected input_lengths to have value at most 5, but got value 6"
    ):
        F.ctc_loss(t64(lp), ember.tensor(targets), [6, 5, 5], [1, 1, 1])
    with pytest.raises(RuntimeError, match="input_lengths must be of size batch_size"):
        F.ctc_loss(t64(lp), ember.tensor(targets), [5], [1, 1, 1])
    with pytest.raises(RuntimeError, match="input_lengths must be integral"):
        F.ctc_loss(t64(lp), ember.tensor(targets), ember.tensor([5.0, 5, 5]), [1, 1, 1])
    with pytest.raises(RuntimeError, match="blank must be in label range"):
        F.ctc_loss(t64(lp), ember.tensor(targets), [5, 5, 5], [1, 1, 1], blank=3)
    with pytest.raises(
        RuntimeError, match="Expected tensor to have size at least 4 at dimension 1"
    ):
        F.ctc_loss(t64(lp), ember.tensor(targets), [5, 5, 5], [4, 1, 1])


def test_ctc_double_backward_raises():
    lp, targets, in_len, tgt_len = _ctc_inputs()
    x = t64(lp, True)
    loss = F.ctc_loss(x, ember.tensor(targets), in_len, tgt_len)
    (g,) = ember.autograd.grad(loss, [x], create_graph=True)
    close(
        g,
        ember.autograd.grad(F.ctc_loss(x, ember.tensor(targets), in_len, tgt_len), [x])[0].numpy(),
    )
    with pytest.raises(RuntimeError, match="double backward"):
        g.sum().backward()


# -- modules -------------------------------------------------------------------------------------


MODULE_CASES = [
    (nn.L1Loss, {}, "l1_loss"),
    (nn.MSELoss, {}, "mse_loss"),
    (nn.SmoothL1Loss, {"beta": 0.5}, "smooth_l1_loss"),
    (nn.HuberLoss, {"delta": 0.5}, "huber_loss"),
    (nn.SoftMarginLoss, {}, "soft_margin_loss"),
    (nn.KLDivLoss, {"log_target": True}, "kl_div"),
]


@pytest.mark.filterwarnings("ignore:reduction. 'mean' divides")
@pytest.mark.parametrize("cls, kwargs, fname", MODULE_CASES)
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_elementwise_modules_call_functional(cls, kwargs, fname, reduction):
    m = cls(reduction=reduction, **kwargs)
    assert m.reduction == reduction
    assert repr(m) == f"{cls.__name__}()"
    a, b = t64(X), t64(Y)
    expected = getattr(F, fname)(a, b, reduction=reduction, **kwargs)
    close(m(a, b), expected.numpy())
    assert list(m.state_dict()) == []


def test_module_legacy_reduction():
    with pytest.warns(UserWarning, match="reduction='sum'"):
        m = nn.MSELoss(size_average=False)
    assert m.reduction == "sum"
    with pytest.warns(UserWarning, match="reduction='none'"):
        assert nn.CrossEntropyLoss(reduce=False).reduction == "none"


def test_weighted_modules_register_buffers():
    w = ember.tensor([1.0, 2.0, 0.5])
    ce = nn.CrossEntropyLoss(weight=w, ignore_index=1, label_smoothing=0.1)
    assert list(ce.state_dict()) == ["weight"] and ce.weight is w
    assert ce.ignore_index == 1 and ce.label_smoothing == 0.1
    assert "weight" in dict(ce.named_buffers())
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert "weight" in nn.CrossEntropyLoss()._buffers
    x, t = t64(RNG.standard_normal((4, 3))), ember.tensor([0, 1, 2, 2])
    close(ce(x, t), F.cross_entropy(x, t, w.double(), ignore_index=1, label_smoothing=0.1).numpy())
    nll = nn.NLLLoss(weight=w)
    assert list(nll.state_dict()) == ["weight"]
    close(nll(x, t), F.nll_loss(x, t, w.double()).numpy())
    bce = nn.BCEWithLogitsLoss(pos_weight=ember.ones(4))
    assert list(bce.state_dict()) == ["pos_weight"]
    assert set(bce._buffers) == {"weight", "pos_weight"}
    assert list(nn.BCELoss(weight=ember.ones(2)).state_dict()) == ["weight"]
    assert list(nn.MultiLabelSoftMarginLoss(weight=ember.ones(2)).state_dict()) == ["weight"]
    mm = nn.MultiMarginLoss(p=2, margin=0.5, weight=ember.ones(4))
    assert (mm.p, mm.margin, list(mm.state_dict())) == (2, 0.5, ["weight"])
    with pytest.raises(ValueError, match="expected weight to be None or 1D tensor, got 2D"):
        nn.MultiMarginLoss(weight=ember.ones(2, 2))
    with pytest.raises(ValueError, match="only p == 1 and p == 2 supported"):
        nn.MultiMarginLoss(p=3)


def test_other_modules():
    a, b, c = t64(X), t64(Y), t64(Q)
    tm = nn.TripletMarginLoss(margin=2.0, p=1, swap=True)
    assert (tm.margin, tm.p, tm.eps, tm.swap) == (2.0, 1, 1e-6, True)
    close(tm(a, b, c), F.triplet_margin_loss(a, b, c, 2.0, 1, swap=True).numpy())
    with pytest.raises(ValueError, match="expected margin to be greater than 0"):
        nn.TripletMarginLoss(margin=0)
    td = nn.TripletMarginWithDistanceLoss()
    assert isinstance(td.distance_function, nn.PairwiseDistance)
    assert (
        repr(td) == "TripletMarginWithDistanceLoss(\n  (distance_function): PairwiseDistance()\n)"
    )
    close(td(a, b, c), F.triplet_margin_with_distance_loss(a, b, c).numpy())
    assert repr(nn.TripletMarginWithDistanceLoss(distance_function=lambda u, v: u)) == (
        "TripletMarginWithDistanceLoss()"
    )
    g = nn.GaussianNLLLoss(full=True, eps=1e-3)
    close(g(a, b, c + 0.1), F.gaussian_nll_loss(a, b, c + 0.1, full=True, eps=1e-3).numpy())
    pn = nn.PoissonNLLLoss(log_input=False, full=True)
    close(pn(c + 0.1, b.abs()), F.poisson_nll_loss(c + 0.1, b.abs(), False, True).numpy())
    yv = t64(np.sign(Y[0]))
    close(
        nn.MarginRankingLoss(0.1)(a[0], a[1], yv),
        F.margin_ranking_loss(a[0], a[1], yv, 0.1).numpy(),
    )
    close(
        nn.HingeEmbeddingLoss(0.3)(a, t64(np.sign(Y))),
        F.hinge_embedding_loss(a, t64(np.sign(Y)), 0.3).numpy(),
    )
    t3 = t64([1.0, -1.0, 1.0])
    close(nn.CosineEmbeddingLoss(0.2)(a, b, t3), F.cosine_embedding_loss(a, b, t3, 0.2).numpy())
    tl = ember.tensor([[3, 0, -1, 1]] * 3)
    close(nn.MultiLabelMarginLoss()(a, tl), F.multilabel_margin_loss(a, tl).numpy())
    lp, targets, in_len, tgt_len = _ctc_inputs()
    ctc = nn.CTCLoss(blank=0, reduction="sum", zero_infinity=True)
    assert (ctc.blank, ctc.zero_infinity, repr(ctc)) == (0, True, "CTCLoss()")
    close(
        ctc(t64(lp), ember.tensor(targets), in_len, tgt_len),
        F.ctc_loss(t64(lp), ember.tensor(targets), in_len, tgt_len, reduction="sum").numpy(),
    )


def test_training_with_cross_entropy_reduces_loss():
    rng = np.random.default_rng(0)
    xs = ember.tensor(rng.standard_normal((64, 5)).astype(np.float32))
    wt = rng.standard_normal((5, 3))
    ys = ember.tensor((xs.numpy() @ wt).argmax(1))
    w = ember.zeros(5, 3, requires_grad=True)
    crit = nn.CrossEntropyLoss()
    first = None
    for _ in range(50):
        loss = crit(xs @ w, ys)
        first = first if first is not None else loss.item()
        loss.backward()
        with ember.no_grad():
            w -= 0.5 * w.grad
        w.grad = None
    assert loss.item() < 0.5 * first
