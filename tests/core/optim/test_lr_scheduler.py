"""ember.optim.lr_scheduler: every scheduler's learning-rate sequence against its closed form,
state dicts, the warnings and the errors."""

from __future__ import annotations

import math
import warnings
from bisect import bisect_right

import numpy as np
import pytest

import ember
from ember import optim
from ember.optim import lr_scheduler as S

BASE = (1.0, 0.5)  # the two groups' initial rates


def _opt(name="SGD", **kwargs):
    a, b = ember.nn.Parameter(ember.zeros(2)), ember.nn.Parameter(ember.zeros(2))
    groups = [{"params": [a]}, {"params": [b], "lr": BASE[1]}]
    return getattr(optim, name)(groups, lr=BASE[0], **kwargs)


def _run(opt, sched, n, metrics=None):
    """The rates (of both groups) after each of ``n`` epochs; index 0 is before any step."""
    out = [sched.get_last_lr()]
    for i in range(n):
        opt.step()
        if metrics is None:
            sched.step()
        else:
            sched.step(metrics[i])
        out.append(sched.get_last_lr())
    return np.array(out)


def _closed(fn, n):
    return np.array([[fn(base, e) for base in BASE] for e in range(n + 1)])


CLOSED_FORMS = [
    ("LambdaLR", {"lr_lambda": lambda e: 1 / (1 + e)}, lambda b, e: b / (1 + e)),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9}, lambda b, e: b * 0.9**e),
    ("StepLR", {"step_size": 3, "gamma": 0.5}, lambda b, e: b * 0.5 ** (e // 3)),
    (
        "MultiStepLR",
        {"milestones": [2, 5, 5, 9], "gamma": 0.5},
        lambda b, e: b * 0.5 ** bisect_right([2, 5, 5, 9], e),
    ),
    (
        "ConstantLR",
        {"factor": 0.25, "total_iters": 4},
        lambda b, e: b * (0.25 if e < 4 else 1.0),
    ),
    (
        "LinearLR",
        {"start_factor": 0.2, "end_factor": 0.9, "total_iters": 6},
        lambda b, e: b * (0.2 + 0.7 * min(e, 6) / 6),
    ),
    ("ExponentialLR", {"gamma": 0.8}, lambda b, e: b * 0.8**e),
    (
        "PolynomialLR",
        {"total_iters": 7, "power": 2.0},
        lambda b, e: b * (1 - min(e, 7) / 7) ** 2.0,
    ),
    (
        "CosineAnnealingLR",
        {"T_max": 5, "eta_min": 0.01},
        lambda b, e: 0.01 + (b - 0.01) * (1 + math.cos(math.pi * e / 5)) / 2,
    ),
]


@pytest.mark.parametrize(
    ("name", "kwargs", "closed"), CLOSED_FORMS, ids=[c[0] for c in CLOSED_FORMS]
)
def test_sequence_matches_closed_form(name, kwargs, closed):
    opt = _opt()
    sched = getattr(S, name)(opt, **kwargs)
    got = _run(opt, sched, 17)
    np.testing.assert_allclose(got, _closed(closed, 17), rtol=1e-12, atol=1e-15)
    assert [g["lr"] for g in opt.param_groups] == list(got[-1])
    assert [g["initial_lr"] for g in opt.param_groups] == list(BASE)


@pytest.mark.parametrize(
    ("name", "kwargs", "closed"), CLOSED_FORMS[2:], ids=[c[0] for c in CLOSED_FORMS[2:]]
)
def test_step_with_epoch_uses_closed_form(name, kwargs, closed):
    opt = _opt()
    sched = getattr(S, name)(opt, **kwargs)
    opt.step()
    for epoch in (7, 3, 12):
        with pytest.warns(UserWarning, match="The epoch parameter"):
            sched.step(epoch)
        np.testing.assert_allclose(sched.get_last_lr(), [closed(b, epoch) for b in BASE])


def test_cosine_warm_restarts():
    opt = _opt()
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=2, eta_min=0.01)

    def closed(b, e):
        t_i, t_cur = 3, e
        while t_cur >= t_i:
            t_cur -= t_i
            t_i *= 2
        return 0.01 + (b - 0.01) * (1 + math.cos(math.pi * t_cur / t_i)) / 2

    np.testing.assert_allclose(_run(opt, sched, 25), _closed(closed, 25), rtol=1e-12)

    opt = _opt()
    sched = S.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    for epoch in np.arange(0, 14, 0.25):  # fractional epochs, as when stepping per batch
        sched.step(float(epoch))
        t_i, t_cur = 2, float(epoch)
        while t_cur >= t_i:
            t_cur -= t_i
            t_i *= 2
        want = [b * (1 + math.cos(math.pi * t_cur / t_i)) / 2 for b in BASE]
        np.testing.assert_allclose(sched.get_last_lr(), want, rtol=1e-12, atol=1e-15)
        assert sched.last_epoch == math.floor(epoch)
    with pytest.raises(ValueError, match="Expected positive integer T_0"):
        S.CosineAnnealingWarmRestarts(opt, T_0=0)
    with pytest.raises(ValueError, match="Expected non-negative epoch"):
        sched.step(-1)


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclic_lr(mode):
    opt = _opt(momentum=0.9)
    up, down, gamma = 3, 5, 0.9
    sched = S.CyclicLR(
        opt, base_lr=[0.1, 0.05], max_lr=[1.0, 0.5], step_size_up=up, step_size_down=down,
        mode=mode, gamma=gamma, base_momentum=0.8, max_momentum=0.9,
    )  # fmt: skip
    total = up + down
    lrs, momenta = [], []
    for _i in range(30):
        lrs.append(sched.get_last_lr())
        momenta.append(opt.param_groups[0]["momentum"])
        opt.step()
        sched.step()
    for it, (lr, momentum) in enumerate(zip(lrs, momenta)):
        cycle = it // total
        pos = it - cycle * total
        height = pos / up if pos <= up else 1 - (pos - up) / down
        scale = {"triangular": 1.0, "triangular2": 0.5**cycle, "exp_range": gamma**it}[mode]
        np.testing.assert_allclose(
            lr, [0.1 + 0.9 * height * scale, 0.05 + 0.45 * height * scale], rtol=1e-12
        )
        np.testing.assert_allclose(momentum, 0.9 - 0.1 * height * scale, rtol=1e-12)


def test_cyclic_lr_with_betas_and_errors():
    opt = _opt("Adam")
    S.CyclicLR(opt, base_lr=0.1, max_lr=1.0, step_size_up=2, base_momentum=0.7, max_momentum=0.95)
    assert opt.param_groups[0]["betas"] == (0.95, 0.999)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
        S.CyclicLR(_opt("Adagrad"), base_lr=0.1, max_lr=1.0)
    with pytest.raises(ValueError, match="mode is invalid and scale_fn is None"):
        S.CyclicLR(_opt(momentum=0.9), base_lr=0.1, max_lr=1.0, mode="square")
    with pytest.raises(ValueError, match="max_lr must have the same length"):
        S.CyclicLR(_opt(momentum=0.9), base_lr=0.1, max_lr=[1.0, 2.0, 3.0])


@pytest.mark.parametrize("anneal", ["cos", "linear"])
@pytest.mark.parametrize("three_phase", [False, True])
def test_one_cycle_lr(anneal, three_phase):
    total, pct, div, final_div = 20, 0.25, 25.0, 1e4
    opt = _opt(momentum=0.9)
    sched = S.OneCycleLR(
        opt, max_lr=[2.0, 1.0], total_steps=total, pct_start=pct, anneal_strategy=anneal,
        three_phase=three_phase, div_factor=div, final_div_factor=final_div,
    )  # fmt: skip

    def ann(start, end, frac):
        if anneal == "cos":
            return end + (start - end) / 2 * (math.cos(math.pi * frac) + 1)
        return start + (end - start) * frac

    def closed(max_lr, step):
        initial = max_lr / div
        low = initial / final_div
        rise = pct * total - 1
        if step <= rise:
            return ann(initial, max_lr, step / rise), ann(0.95, 0.85, step / rise)
        if three_phase:
            fall = 2 * pct * total - 2
            if step <= fall:
                f = (step - rise) / (fall - rise)
                return ann(max_lr, initial, f), ann(0.85, 0.95, f)
            f = (step - fall) / (total - 1 - fall)
            return ann(initial, low, f), 0.95
        f = (step - rise) / (total - 1 - rise)
        return ann(max_lr, low, f), ann(0.85, 0.95, f)

    for step in range(total):
        want = [closed(m, step) for m in (2.0, 1.0)]
        np.testing.assert_allclose(sched.get_last_lr(), [w[0] for w in want], rtol=1e-12)
        np.testing.assert_allclose(opt.param_groups[0]["momentum"], want[0][1], rtol=1e-12)
        opt.step()
        if step < total - 1:
            sched.step()
    sched.step()  # the step after the last one is still allowed (step == total_steps)
    with pytest.raises(ValueError, match="Tried to step 21 times"):
        sched.step()


def test_one_cycle_errors():
    with pytest.raises(ValueError, match="You must define either total_steps OR"):
        S.OneCycleLR(_opt(momentum=0.9), max_lr=1.0)
    with pytest.raises(ValueError, match="Expected float between 0 and 1 pct_start"):
        S.OneCycleLR(_opt(momentum=0.9), max_lr=1.0, total_steps=10, pct_start=1.5)
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        S.OneCycleLR(_opt(momentum=0.9), max_lr=1.0, total_steps=10, anneal_strategy="exp")
    sched = S.OneCycleLR(_opt(momentum=0.9), max_lr=1.0, epochs=2, steps_per_epoch=5)
    assert sched.total_steps == 10


def test_sequential_lr():
    opt = _opt()
    warm = S.LinearLR(opt, start_factor=0.1, total_iters=3)
    cos = S.CosineAnnealingLR(opt, T_max=6)
    sched = S.SequentialLR(opt, schedulers=[warm, cos], milestones=[3])

    def closed(b, e):
        if e < 3:
            return b * (0.1 + 0.9 * e / 3)
        return b * (1 + math.cos(math.pi * (e - 3) / 6)) / 2

    np.testing.assert_allclose(_run(opt, sched, 12), _closed(closed, 12), rtol=1e-12, atol=1e-15)
    with pytest.raises(ValueError, match="expects number of schedulers provided to be one more"):
        S.SequentialLR(opt, schedulers=[warm, cos], milestones=[3, 4])
    with pytest.raises(ValueError, match="expects all schedulers to belong to the same optimizer"):
        S.SequentialLR(opt, schedulers=[S.StepLR(_opt(), 2)], milestones=[])
    with pytest.raises(ValueError, match="does not support `ReduceLROnPlateau`"):
        S.SequentialLR(opt, schedulers=[S.ReduceLROnPlateau(opt)], milestones=[])


def test_chained_scheduler():
    opt = _opt()
    sched = S.ChainedScheduler(
        [S.ConstantLR(opt, factor=0.5, total_iters=2), S.ExponentialLR(opt, gamma=0.9)]
    )
    np.testing.assert_allclose(
        _run(opt, sched, 8), _closed(lambda b, e: b * 0.9**e * (0.5 if e < 2 else 1), 8)
    )


def test_reduce_lr_on_plateau():
    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, patience=1, cooldown=1, threshold=0.1, min_lr=[0.05, 0.1])
    metrics = [1.0, 0.95, 0.94, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5]
    got = _run(opt, sched, len(metrics), metrics)[1:, 0]
    # 0.95 and 0.94 are not 10% better than 1.0: reduce after the 2nd bad epoch (index 2);
    # index 3 improves (and spends the cooldown), 4 and 5 are bad: reduce to the 0.05 floor.
    np.testing.assert_allclose(got, [1, 1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05])
    assert sched.get_last_lr()[1] == 0.1  # the second group's floor

    opt = _opt()
    sched = S.ReduceLROnPlateau(opt, mode="max", factor=0.5, patience=0, threshold_mode="abs",
                                threshold=0.1)  # fmt: skip
    got = _run(opt, sched, 4, [1.0, 1.05, 1.2, 1.25])[1:, 0]
    np.testing.assert_allclose(got, [1.0, 0.5, 0.5, 0.25])
    with pytest.raises(ValueError, match=r"Factor should be < 1\.0\."):
        S.ReduceLROnPlateau(opt, factor=1.0)
    with pytest.raises(ValueError, match="mode median is unknown!"):
        S.ReduceLROnPlateau(opt, mode="median")
    with pytest.raises(ValueError, match="threshold mode pct is unknown!"):
        S.ReduceLROnPlateau(opt, threshold_mode="pct")
    with pytest.raises(ValueError, match="expected 2 min_lrs, got 1"):
        S.ReduceLROnPlateau(opt, min_lr=[0.1])


def test_state_dict_round_trip_resumes():
    opt = _opt(momentum=0.9)
    sched = S.OneCycleLR(opt, max_lr=1.0, total_steps=30)
    lrs = _run(opt, sched, 10)
    saved_opt, saved = opt.state_dict(), sched.state_dict()
    assert "optimizer" not in saved and saved["last_epoch"] == 10
    rest = _run(opt, sched, 10)[1:]

    opt2 = _opt(momentum=0.9)
    opt2.load_state_dict(saved_opt)
    sched2 = S.OneCycleLR(opt2, max_lr=1.0, total_steps=30)
    sched2.load_state_dict(saved)
    np.testing.assert_allclose(_run(opt2, sched2, 10)[1:], rest, rtol=1e-15)
    assert len(lrs) == 11

    lam = S.LambdaLR(_opt(), lr_lambda=lambda e: 0.5**e)
    assert lam.state_dict()["lr_lambdas"] == [None, None]


def test_resume_with_last_epoch():
    opt = _opt()
    with pytest.raises(KeyError, match="param 'initial_lr' is not specified in param_groups"):
        S.StepLR(opt, step_size=2, last_epoch=3)
    opt.param_groups[0]["initial_lr"] = 1.0
    opt.param_groups[1]["initial_lr"] = 0.5
    sched = S.ExponentialLR(opt, gamma=0.5, last_epoch=3)
    assert sched.last_epoch == 4 and sched.base_lrs == [1.0, 0.5]


def test_warnings():
    opt = _opt()
    sched = S.StepLR(opt, step_size=1)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before"):
        sched.step()
    opt = _opt()
    sched = S.StepLR(opt, step_size=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()
    with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
        sched.get_lr()
    opt = _opt()
    sched = S.StepLR(opt, step_size=1)
    opt.step = lambda closure=None: None  # replaced after the scheduler wrapped it
    with pytest.warns(UserWarning, match="has been overridden after learning rate scheduler"):
        sched.step()


def test_scheduler_errors():
    with pytest.raises(TypeError, match="list is not an Optimizer"):
        S.StepLR([], step_size=1)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        S.LambdaLR(_opt(), lr_lambda=[lambda e: 1.0])
    with pytest.raises(TypeError, match="lr_lambda should be a function, but got float"):
        S.MultiplicativeLR(_opt(), lr_lambda=0.5)
    with pytest.raises(ValueError, match="Constant multiplicative factor expected"):
        S.ConstantLR(_opt(), factor=2.0)
    with pytest.raises(ValueError, match="Starting multiplicative factor expected"):
        S.LinearLR(_opt(), start_factor=0.0)


def test_tensor_lr_is_updated_in_place():
    p = ember.nn.Parameter(ember.zeros(1))
    lr = ember.tensor(1.0)
    opt = optim.SGD([p], lr=lr)
    sched = S.StepLR(opt, step_size=1, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr and lr.item() == 0.5
