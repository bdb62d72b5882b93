"""LearningRateMonitor, Timer, GradientAccumulationScheduler, StochasticWeightAveraging,
LambdaCallback."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember_lightning as L
from ember_lightning.callbacks import (
    Callback,
    GradientAccumulationScheduler,
    LambdaCallback,
    LearningRateMonitor,
    StochasticWeightAveraging,
    Timer,
)
from ember_lightning.utilities import MisconfigurationException


def _trainer(tmp_path, callbacks, **kwargs):
    kwargs.setdefault("logger", False)
    return L.Trainer(
        default_root_dir=tmp_path,
        callbacks=callbacks,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        num_sanity_val_steps=0,
        **kwargs,
    )


# -- LearningRateMonitor -----------------------------------------------------------------------
def _scheduled(boring_model, interval):
    class Model(boring_model):
        def configure_optimizers(self):
            opt = ember.optim.SGD(self.parameters(), lr=1.0, momentum=0.5)
            sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": interval}}

    return Model()


def test_lr_monitor_epoch_interval(boring_model, tmp_path, recording_logger):
    monitor = LearningRateMonitor(log_momentum=True)
    _trainer(tmp_path, [monitor], logger=recording_logger, max_epochs=3).fit(
        _scheduled(boring_model, "epoch")
    )
    assert monitor.lrs == {"lr-SGD": [1.0, 0.5, 0.25]}
    rows = [(step, m) for step, m in recording_logger.metrics if "lr-SGD" in m]
    assert [(step, m["lr-SGD"], m["lr-SGD-momentum"]) for step, m in rows] == [
        (0, 1.0, 0.5),
        (4, 0.5, 0.5),
        (8, 0.25, 0.5),
    ]


def test_lr_monitor_step_interval(boring_model, tmp_path, recording_logger):
    monitor = LearningRateMonitor(logging_interval="step")
    _trainer(tmp_path, [monitor], logger=recording_logger, max_epochs=1, log_every_n_steps=2).fit(
        _scheduled(boring_model, "step")
    )
    # logged before the steps whose (step + 1) is a multiple of 2: steps 1 and 3
    assert monitor.lrs == {"lr-SGD": [0.5, 0.125]}


def test_lr_monitor_named_scheduler_and_param_groups(boring_model, tmp_path, recording_logger):
    class Model(boring_model):
        def configure_optimizers(self):
            opt = ember.optim.Adam(
                [
                    {"params": [self.layer.weight], "lr": 0.1},
                    {"params": [self.layer.bias], "lr": 0.2},
                ]
            )
            sched = ember.optim.lr_scheduler.StepLR(opt, step_size=1)
            return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "name": "my"}}

    monitor = LearningRateMonitor(log_momentum=True)
    _trainer(tmp_path, [monitor], logger=recording_logger, max_epochs=1).fit(Model())
    assert monitor.lrs == {"my/pg1": [0.1], "my/pg2": [0.2]}
    assert {"my/pg1-momentum", "my/pg2-momentum"} <= recording_logger.keys_logged()


def test_lr_monitor_errors(boring_model, tmp_path):
    with pytest.raises(MisconfigurationException, match=r"logging_interval should be"):
        LearningRateMonitor(logging_interval="batch")
    with pytest.raises(MisconfigurationException, match=r"that has no logger"):
        _trainer(tmp_path, [LearningRateMonitor()], max_epochs=1).fit(boring_model())


# -- Timer -------------------------------------------------------------------------------------
def test_timer_measures_and_stops(boring_model, tmp_path):
    timer = Timer(duration={"seconds": 0}, interval="epoch", verbose=False)
    trainer = _trainer(tmp_path, [timer], max_epochs=5)
    trainer.fit(boring_model())
    assert trainer.current_epoch == 0  # a zero budget stops before the first epoch
    timer = Timer(interval="step")
    trainer = _trainer(tmp_path, [timer], max_epochs=1)
    trainer.fit(boring_model())
    trainer.validate(boring_model(), verbose=False)
    assert timer.time_elapsed("train") > 0 and timer.time_elapsed("validate") > 0
    assert timer.time_remaining() is None
    assert timer.start_time("train") < timer.end_time("train")
    assert timer.state_dict()["time_elapsed"]["train"] == pytest.approx(timer.time_elapsed("train"))


def test_timer_resumes_elapsed_time():
    timer = Timer(duration="00:00:00:10")
    timer.load_state_dict({"time_elapsed": {"train": 4.0}})
    assert timer.time_remaining() == pytest.approx(6.0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [({"duration": "10 minutes"}, "DD:HH:MM:SS"), ({"interval": "batch"}, "Possible values")],
)
def test_timer_errors(kwargs, match):
    with pytest.raises(MisconfigurationException, match=match):
        Timer(**kwargs)


# -- GradientAccumulationScheduler --------------------------------------------------------------
def test_gradient_accumulation_scheduler(boring_model, tmp_path):
    steps = []

    class Model(boring_model):
        def on_train_epoch_end(self):
            steps.append(self.trainer.global_step)

    scheduler = GradientAccumulationScheduler({1: 2, 2: 4})
    trainer = _trainer(tmp_path, [scheduler], max_epochs=3, limit_val_batches=0)
    trainer.fit(Model())
    assert steps == [4, 6, 7]  # 4 steps, then 2 (factor 2), then 1 (factor 4)
    assert trainer.accumulate_grad_batches == 4
    assert scheduler.going_to_accumulate_grad_batches()


def test_gradient_accumulation_scheduler_errors(boring_model, tmp_path):
    with pytest.raises(
        MisconfigurationException, match=r"Accumulation factor should be an int > 0"
    ):
        GradientAccumulationScheduler({0: 0})
    with pytest.raises(MisconfigurationException, match=r"Epoch should be an int >= 0"):
        GradientAccumulationScheduler({-1: 2})
    with pytest.raises(ValueError, match=r"You have set `accumulate_grad_batches`"):
        _trainer(
            tmp_path,
            [GradientAccumulationScheduler({1: 2})],
            max_epochs=1,
            accumulate_grad_batches=2,
        ).fit(boring_model())


# -- StochasticWeightAveraging ------------------------------------------------------------------
def test_swa_averages_the_last_epochs(boring_model, tmp_path):
    snapshots = []

    class Snap(Callback):
        def on_train_epoch_end(self, trainer, pl_module):
            snapshots.append(pl_module.layer.weight.detach().numpy().copy())

    lrs = []

    class Model(boring_model):
        def on_train_epoch_start(self):
            lrs.append(self.trainer.optimizers[0].param_groups[0]["lr"])

    swa = StochasticWeightAveraging(swa_lrs=0.01, swa_epoch_start=3, annealing_epochs=1)
    model = Model()
    trainer = _trainer(tmp_path, [Snap(), swa], max_epochs=5, limit_val_batches=0)
    trainer.fit(model)
    assert swa.n_averaged == 3  # epochs 2, 3, 4 (0-based)
    expected = np.mean(snapshots[2:], axis=0)
    np.testing.assert_allclose(model.layer.weight.detach().numpy(), expected, rtol=1e-5)
    assert lrs[:2] == [0.1, 0.1] and lrs[3] == pytest.approx(0.01)


def test_swa_errors(boring_model, tmp_path):
    with pytest.raises(MisconfigurationException, match=r"swa_epoch_start"):
        StochasticWeightAveraging(swa_lrs=0.1, swa_epoch_start=1.5)
    with pytest.raises(MisconfigurationException, match=r"positive floats"):
        StochasticWeightAveraging(swa_lrs=-1.0)

    class Two(boring_model):
        def __init__(self):
            super().__init__()
            self.automatic_optimization = False

        def training_step(self, batch, batch_idx):
            pass

        def configure_optimizers(self):
            return [ember.optim.SGD(self.parameters(), lr=0.1)] * 2

    with pytest.raises(MisconfigurationException, match=r"SWA currently works with 1 `optimizer`"):
        _trainer(tmp_path, [StochasticWeightAveraging(0.1)], max_epochs=1).fit(Two())


# -- LambdaCallback -------------------------------------------------------------------------------
def test_lambda_callback(boring_model, tmp_path):
    seen = []
    callback = LambdaCallback(
        on_train_epoch_end=lambda trainer, module: seen.append(("epoch", trainer.current_epoch)),
        on_fit_end=lambda trainer, module: seen.append(("fit_end", trainer.global_step)),
    )
    _trainer(tmp_path, [callback], max_epochs=2).fit(boring_model())
    assert seen == [("epoch", 0), ("epoch", 1), ("fit_end", 8)]
    with pytest.raises(TypeError, match=r"unknown hooks \['on_epoch_end'\]"):
        LambdaCallback(on_epoch_end=print)
