"""Automatic and manual optimisation, gradient accumulation and clipping, the shapes
``configure_optimizers`` may return, and learning-rate scheduler stepping."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember_lightning as L
from ember_lightning.utilities import MisconfigurationException


def _run(model, quiet, loader=None, **kwargs):
    kwargs.setdefault("max_epochs", 1)
    trainer = L.Trainer(
        logger=False,
        enable_checkpointing=False,
        num_sanity_val_steps=0,
        limit_val_batches=0,
        **quiet,
        **kwargs,
    )
    trainer.fit(model, train_dataloaders=loader)
    return trainer


def _mse_grads(w, b, x, y):
    """Gradient of mean((x @ w.T + b - y) ** 2) by hand, in float64."""
    err = x @ w.T + b - y
    return 2 * err.T @ x / err.size, 2 * err.sum(0) / err.size


def _sgd_reference(w, b, batches, lr, accumulate=1, clip=None):
    w, b = w.astype(np.float64), b.astype(np.float64)
    gw, gb = np.zeros_like(w), np.zeros_like(b)
    for i, (x, y) in enumerate(batches):
        dw, db = _mse_grads(w, b, x.astype(np.float64), y.astype(np.float64))
        gw += dw / accumulate
        gb += db / accumulate
        if (i + 1) % accumulate == 0 or i + 1 == len(batches):
            if clip is not None:
                kind, value = clip
                if kind == "value":
                    gw, gb = np.clip(gw, -value, value), np.clip(gb, -value, value)
                else:
                    norm = np.sqrt((gw**2).sum() + (gb**2).sum())
                    factor = min(1.0, value / (norm + 1e-6))
                    gw, gb = gw * factor, gb * factor
            w, b = w - lr * gw, b - lr * gb
            gw, gb = np.zeros_like(w), np.zeros_like(b)
    return w, b


def _batches(loader):
    return [(x.numpy(), y.numpy()) for x, y in loader]


@pytest.mark.parametrize(
    ("accumulate", "clip"),
    [
        (1, None),
        (2, None),
        (3, None),
        (1, ("norm", 0.05)),
        (1, ("value", 0.01)),
        (2, ("norm", 0.1)),
    ],
)
def test_sgd_updates_match_reference(boring_model, quiet, loader, accumulate, clip):
    model = boring_model(lr=0.1)
    w0 = model.layer.weight.detach().numpy().copy()
    b0 = model.layer.bias.detach().numpy().copy()
    data = loader(16, 4)
    kwargs = (
        {} if clip is None else {"gradient_clip_algorithm": clip[0], "gradient_clip_val": clip[1]}
    )
    trainer = _run(model, quiet, data, accumulate_grad_batches=accumulate, **kwargs)
    w, b = _sgd_reference(w0, b0, _batches(data), 0.1, accumulate, clip)
    np.testing.assert_allclose(model.layer.weight.detach().numpy(), w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.layer.bias.detach().numpy(), b, rtol=1e-5, atol=1e-6)
    assert trainer.global_step == -(-4 // accumulate)


def test_clipping_changes_the_result(boring_model, quiet, loader):
    """The reference test above can tell clipping apart from no clipping."""
    plain, clipped = boring_model(), boring_model()
    clipped.load_state_dict(plain.state_dict())
    _run(plain, quiet, loader(16, 4))
    _run(clipped, quiet, loader(16, 4), gradient_clip_val=0.01)
    assert not np.allclose(
        plain.layer.weight.detach().numpy(), clipped.layer.weight.detach().numpy()
    )


def test_gradient_clip_algorithm_invalid():
    with pytest.raises(
        MisconfigurationException, match=r"`gradient_clip_algorithm` 'norm2' is invalid"
    ):
        L.Trainer(gradient_clip_algorithm="norm2")


def test_accumulate_grad_batches_invalid():
    with pytest.raises(
        MisconfigurationException, match=r"accumulate_grad_batches` should be an int > 0"
    ):
        L.Trainer(accumulate_grad_batches=0)


def test_on_before_optimizer_step_sees_accumulated_unclipped_gradients(boring_model, quiet, loader):
    norms = []

    class Watch(boring_model):
        def on_before_optimizer_step(self, optimizer):
            norms.append(float(self.layer.weight.grad.norm()))

    _run(Watch(), quiet, loader(16, 4), gradient_clip_val=1e-4)
    assert len(norms) == 4 and min(norms) > 1e-3  # clipping comes after this hook


@pytest.mark.parametrize(
    "form", ["optimizer", "list", "tuple_of_lists", "dict", "dict_config", "list_of_dicts"]
)
def test_configure_optimizers_forms(boring_model, quiet, form):
    class Model(boring_model):
        def configure_optimizers(self):
            opt = ember.optim.SGD(self.parameters(), lr=0.1)
            sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
            return {
                "optimizer": opt,
                "list": [opt],
                "tuple_of_lists": ([opt], [sched]),
                "dict": {"optimizer": opt, "lr_scheduler": sched},
                "dict_config": {
                    "optimizer": opt,
                    "lr_scheduler": {"scheduler": sched, "interval": "step"},
                },
                "list_of_dicts": [{"optimizer": opt, "lr_scheduler": sched}],
            }[form]

    trainer = _run(Model(), quiet, max_epochs=2)
    assert len(trainer.optimizers) == 1
    lr = trainer.optimizers[0].param_groups[0]["lr"]
    expected = {"optimizer": 0.1, "list": 0.1, "dict_config": 0.1 * 0.5**8}.get(form, 0.1 * 0.25)
    assert lr == pytest.approx(expected)


@pytest.mark.parametrize(
    ("returned", "match"),
    [
        ("not an optimizer", "Unknown configuration for model optimizers"),
        ({"lr_scheduler": None}, 'without the key "optimizer"'),
        ("bad_interval", '"interval" key in lr scheduler dict must be "step" or "epoch"'),
        ("plateau_without_monitor", "must include a monitor when a `ReduceLROnPlateau`"),
    ],
)
def test_configure_optimizers_errors(boring_model, quiet, returned, match):
    class Model(boring_model):
        def configure_optimizers(self):
            opt = ember.optim.SGD(self.parameters(), lr=0.1)
            if returned == "bad_interval":
                sched = ember.optim.lr_scheduler.StepLR(opt, 1)
                return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "batch"}}
            if returned == "plateau_without_monitor":
                return {
                    "optimizer": opt,
                    "lr_scheduler": ember.optim.lr_scheduler.ReduceLROnPlateau(opt),
                }
            return returned

    with pytest.raises(MisconfigurationException, match=match):
        _run(Model(), quiet)


def test_scheduler_frequency_and_interval(boring_model, quiet):
    class Model(boring_model):
        def configure_optimizers(self):
            opt = ember.optim.SGD(self.parameters(), lr=1.0)
            sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
            return {
                "optimizer": opt,
                "lr_scheduler": {"scheduler": sched, "interval": "step", "frequency": 3},
            }

    trainer = _run(Model(), quiet, max_epochs=2)  # 8 steps: scheduler steps at 3 and 6
    assert trainer.optimizers[0].param_groups[0]["lr"] == pytest.approx(0.25)


def test_reduce_on_plateau_uses_monitored_metric(boring_model, quiet, loader):
    values = []

    class Model(boring_model):
        def configure_optimizers(self):
            opt = ember.optim.SGD(self.parameters(), lr=0.1)
            plateau = ember.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=0)
            return {"optimizer": opt, "lr_scheduler": plateau, "monitor": "constant"}

        def validation_step(self, batch, batch_idx):
            self.log("constant", 1.0)

        def lr_scheduler_step(self, scheduler, metric):
            values.append(metric)
            super().lr_scheduler_step(scheduler, metric)

    trainer = L.Trainer(
        logger=False, enable_checkpointing=False, max_epochs=3, num_sanity_val_steps=0, **quiet
    )
    trainer.fit(Model())
    assert values == [1.0, 1.0, 1.0]
    # no improvement after the first epoch: halved twice
    assert trainer.optimizers[0].param_groups[0]["lr"] == pytest.approx(0.025)


def test_reduce_on_plateau_missing_metric(boring_model, quiet):
    class Model(boring_model):
        def configure_optimizers(self):
            opt = ember.optim.SGD(self.parameters(), lr=0.1)
            plateau = ember.optim.lr_scheduler.ReduceLROnPlateau(opt)
            return {"optimizer": opt, "lr_scheduler": plateau, "monitor": "missing"}

    with pytest.raises(MisconfigurationException, match=r"metric missing which is not available"):
        _run(Model(), quiet)


def test_training_step_returning_none_is_an_error(boring_model, quiet):
    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            super().training_step(batch, batch_idx)

    with pytest.raises(MisconfigurationException, match=r"`training_step` returned None"):
        _run(Model(), quiet)


def test_training_step_dict_output(boring_model, quiet):
    outputs = []

    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            loss = self.loss(batch)
            return {"loss": loss, "extra": loss * 2}

        def on_train_batch_end(self, out, batch, batch_idx):
            outputs.append(out)

    _run(Model(), quiet)
    assert set(outputs[0]) == {"loss", "extra"}
    assert not outputs[0]["loss"].requires_grad
    assert outputs[0]["extra"].item() == pytest.approx(2 * outputs[0]["loss"].item())

    class NoLoss(boring_model):
        def training_step(self, batch, batch_idx):
            return {"value": self.loss(batch)}

    with pytest.raises(MisconfigurationException, match=r"without the key 'loss'"):
        _run(NoLoss(), quiet)


def test_optimizer_step_override_must_call_closure(boring_model, quiet):
    class Model(boring_model):
        def optimizer_step(self, epoch, batch_idx, optimizer, optimizer_closure=None):
            pass

    with pytest.raises(MisconfigurationException, match=r"closure hasn't been executed"):
        _run(Model(), quiet)


def test_multiple_optimizers_need_manual_optimization(boring_model, quiet):
    class Model(boring_model):
        def configure_optimizers(self):
            return [
                ember.optim.SGD(self.parameters(), lr=0.1),
                ember.optim.SGD(self.parameters(), lr=0.1),
            ]

    with pytest.raises(MisconfigurationException, match=r"multiple optimizers is only supported"):
        _run(Model(), quiet)


class _Manual:
    @staticmethod
    def make(boring_model):
        class GAN(boring_model):
            """Two optimizers stepped by hand, a scheduler stepped by hand."""

            def __init__(self):
                super().__init__()
                self.automatic_optimization = False
                self.second = ember.nn.Linear(4, 1)
                self.hooks = []

            def training_step(self, batch, batch_idx):
                opt_a, opt_b = self.optimizers()
                x, y = batch
                for opt, layer in ((opt_a, self.layer), (opt_b, self.second)):
                    self.toggle_optimizer(opt)
                    loss = ember.nn.functional.mse_loss(layer(x), y)
                    opt.zero_grad()
                    self.manual_backward(loss)
                    opt.step()
                    self.untoggle_optimizer(opt)
                if batch_idx == 3:
                    self.lr_schedulers().step()
                self.log("loss", loss)

            def on_before_backward(self, loss):
                self.hooks.append("on_before_backward")

            def on_after_backward(self):
                self.hooks.append("on_after_backward")

            def on_before_optimizer_step(self, optimizer):
                self.hooks.append("on_before_optimizer_step")

            def configure_optimizers(self):
                opt_a = ember.optim.SGD(self.layer.parameters(), lr=0.1)
                opt_b = ember.optim.SGD(self.second.parameters(), lr=0.1)
                return [opt_a, opt_b], [ember.optim.lr_scheduler.StepLR(opt_a, 1, 0.5)]

        return GAN


def test_manual_optimization(boring_model, quiet, loader):
    GAN = _Manual.make(boring_model)
    model = GAN()
    w0 = model.layer.weight.detach().numpy().copy()
    b0 = model.layer.bias.detach().numpy().copy()
    trainer = _run(model, quiet, loader(16, 4))
    assert trainer.global_step == 8  # two optimizer steps per batch
    assert model.hooks[:3] == [
        "on_before_backward",
        "on_after_backward",
        "on_before_optimizer_step",
    ]
    assert trainer.optimizers[0].param_groups[0]["lr"] == pytest.approx(0.05)
    assert trainer.optimizers[1].param_groups[0]["lr"] == pytest.approx(0.1)
    w, b = _sgd_reference(w0, b0, _batches(loader(16, 4)), 0.1)
    np.testing.assert_allclose(model.layer.weight.detach().numpy(), w, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.layer.bias.detach().numpy(), b, rtol=1e-5, atol=1e-6)
    assert all(p.requires_grad for p in model.parameters())  # untoggle restored the flags


def test_manual_optimization_rejects_trainer_clipping_and_accumulation(boring_model, quiet):
    GAN = _Manual.make(boring_model)
    with pytest.raises(MisconfigurationException, match=r"gradient clipping is not supported"):
        _run(GAN(), quiet, gradient_clip_val=1.0)
    with pytest.raises(MisconfigurationException, match=r"gradient accumulation is not supported"):
        _run(GAN(), quiet, accumulate_grad_batches=2)


def test_manual_backward_in_automatic_mode_is_an_error(boring_model, quiet):
    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            loss = self.loss(batch)
            self.manual_backward(loss)
            return loss

    with pytest.raises(MisconfigurationException, match=r"automatic_optimization = False"):
        _run(Model(), quiet)


def test_estimated_stepping_batches(boring_model, quiet):
    seen = []

    class Model(boring_model):
        def configure_optimizers(self):
            seen.append(self.trainer.estimated_stepping_batches)
            return super().configure_optimizers()

    _run(Model(), quiet, max_epochs=3, accumulate_grad_batches=3)
    assert seen == [6]  # ceil(4 / 3) * 3 epochs
    _run(Model(), quiet, max_epochs=3, max_steps=5)
    assert seen[-1] == 5
