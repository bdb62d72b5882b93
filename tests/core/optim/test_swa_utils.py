"""ember.optim.swa_utils: AveragedModel (SWA, EMA, custom averages, buffers), SWALR, update_bn."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember import nn, optim
from ember.optim import swa_utils as U


def _model(seed=0):
    ember.manual_seed(seed)
    return nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 1))


def _perturb(model, rng):
    with ember.no_grad():
        for p in model.parameters():
            p.add_(ember.tensor(rng.standard_normal(p.shape).astype(np.float32)))
        bn = model[1]
        bn.running_mean.add_(1.0)
        bn.num_batches_tracked.add_(3)


def _params(model):
    return [p.detach().numpy().copy() for p in model.parameters()]


def test_swa_running_mean_and_buffer_copy():
    rng = np.random.default_rng(0)
    model = _model()
    swa = U.AveragedModel(model)
    assert swa.n_averaged.item() == 0 and swa.n_averaged.dtype == ember.int64
    snapshots = []
    for _ in range(4):
        _perturb(model, rng)
        snapshots.append(_params(model))
        swa.update_parameters(model)
    assert swa.n_averaged.item() == 4
    for got, *seen in zip(_params(swa.module), *snapshots):
        np.testing.assert_allclose(got, np.mean(seen, axis=0), rtol=1e-5, atol=1e-6)
    # buffers are copied, not averaged, without use_buffers
    np.testing.assert_array_equal(swa.module[1].running_mean.numpy(), model[1].running_mean.numpy())
    assert swa.module[1].num_batches_tracked.item() == model[1].num_batches_tracked.item()
    assert "n_averaged" in swa.state_dict() and "module.0.weight" in swa.state_dict()
    x = ember.randn(2, 3)
    swa.eval()
    model.eval()
    assert swa(x).shape == model(x).shape


@pytest.mark.parametrize("style", ["multi", "single"])
def test_ema(style):
    rng = np.random.default_rng(1)
    model = _model()
    decay = 0.8
    if style == "multi":
        ema = U.AveragedModel(model, multi_avg_fn=U.get_ema_multi_avg_fn(decay))
    else:
        ema = U.AveragedModel(model, avg_fn=U.get_ema_avg_fn(decay))
    want = None
    for _ in range(5):
        _perturb(model, rng)
        current = _params(model)
        want = (
            current
            if want is None
            else [decay * w + (1 - decay) * c for w, c in zip(want, current)]
        )
        ema.update_parameters(model)
    for got, w in zip(_params(ema.module), want):
        np.testing.assert_allclose(got, w, rtol=1e-5, atol=1e-6)


def test_use_buffers_averages_buffers():
    rng = np.random.default_rng(2)
    model = _model()
    avg = U.AveragedModel(model, use_buffers=True, multi_avg_fn=U.get_swa_multi_avg_fn())
    means, counts = [], []
    for _ in range(3):
        _perturb(model, rng)
        means.append(model[1].running_mean.numpy().copy())
        counts.append(model[1].num_batches_tracked.item())
        avg.update_parameters(model)
    np.testing.assert_allclose(avg.module[1].running_mean.numpy(), np.mean(means, 0), rtol=1e-6)
    # integer buffers: each running average is truncated into the integer dtype, as copy_
    # does in PyTorch: 3, then 3 + (6 - 3) / 2 -> 4, then 4 + (9 - 4) / 3 -> 5
    assert avg.module[1].num_batches_tracked.dtype == ember.int64
    assert avg.module[1].num_batches_tracked.item() == 5


def test_swa_multi_avg_fn_on_lists():
    a = [ember.tensor([0.0, 2.0])]
    U.get_swa_multi_avg_fn()(a, [ember.tensor([4.0, 4.0])], ember.tensor(1))
    np.testing.assert_allclose(a[0].numpy(), [2.0, 3.0])
    assert U.get_swa_avg_fn()(ember.tensor(2.0), ember.tensor(5.0), 2).item() == 3.0


def test_averaged_model_errors():
    with pytest.raises(ValueError, match="Only one of avg_fn and multi_avg_fn"):
        U.AveragedModel(_model(), avg_fn=U.get_swa_avg_fn(), multi_avg_fn=U.get_ema_multi_avg_fn())
    with pytest.raises(ValueError, match=r"Invalid decay value 1\.5"):
        U.get_ema_multi_avg_fn(1.5)
    with pytest.raises(ValueError, match="Invalid decay value -1"):
        U.get_ema_avg_fn(-1)


def test_update_bn_recomputes_statistics():
    model = _model()
    rng = np.random.default_rng(3)
    batches = [ember.tensor(rng.standard_normal((8, 3)).astype(np.float32)) for _ in range(4)]
    loader = [(b, ember.zeros(8)) for b in batches]  # (input, target) pairs
    with ember.no_grad():
        model[1].running_mean.fill_(5.0)
    model.eval()
    U.update_bn(loader, model)
    assert not model.training and model[1].momentum == 0.1
    with ember.no_grad():
        h = [model[0](b).numpy() for b in batches]
    np.testing.assert_allclose(
        model[1].running_mean.numpy(), np.mean([x.mean(0) for x in h], 0), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        model[1].running_var.numpy(), np.mean([x.var(0, ddof=1) for x in h], 0), rtol=1e-4
    )
    assert model[1].num_batches_tracked.item() == 4
    U.update_bn(batches, nn.Linear(3, 1))  # no BatchNorm: nothing to do


def test_swalr():
    opt = optim.SGD([nn.Parameter(ember.zeros(1))], lr=1.0)
    sched = U.SWALR(opt, swa_lr=0.1, anneal_epochs=4, anneal_strategy="cos")
    lrs = [sched.get_last_lr()[0]]
    for _ in range(6):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
    # lr_t = swa_lr * alpha_t + lr_0 * (1 - alpha_t), alpha_t = (1 - cos(pi t / 4)) / 2
    want = [0.1 + 0.9 * (1 + math.cos(math.pi * min(t, 4) / 4)) / 2 for t in range(7)]
    np.testing.assert_allclose(lrs, want, rtol=1e-12)
    assert opt.param_groups[0]["swa_lr"] == 0.1

    opt = optim.SGD([nn.Parameter(ember.zeros(1))], lr=1.0)
    sched = U.SWALR(opt, swa_lr=0.2, anneal_epochs=0)
    assert sched.get_last_lr() == [0.2]
    with pytest.raises(ValueError, match="anneal_strategy must be one of 'cos' or 'linear'"):
        U.SWALR(opt, swa_lr=0.1, anneal_strategy="exp")
    with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0"):
        U.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
    state = sched.state_dict()
    assert "anneal_func" not in state
    sched.load_state_dict(state)
    assert sched.anneal_func(1.0) == 1.0


def test_swa_training_loop():
    """The usual recipe: train, average from some epoch on with SWALR, then update_bn."""
    rng = np.random.default_rng(4)
    x = ember.tensor(rng.standard_normal((32, 3)).astype(np.float32))
    y = x.sum(1, keepdim=True)
    model = _model()
    opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    swa = U.AveragedModel(model)
    sched = U.SWALR(opt, swa_lr=0.01, anneal_epochs=2)
    for epoch in range(10):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        if epoch >= 5:
            swa.update_parameters(model)
            sched.step()
    U.update_bn([x], swa)
    assert swa.n_averaged.item() == 5
    swa.eval()
    assert float(((swa(x) - y) ** 2).mean()) < float(((y - y.mean()) ** 2).mean())
