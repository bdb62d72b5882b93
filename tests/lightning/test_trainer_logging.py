"""``self.log``: step / epoch values, reductions, where values are published, what the
loggers receive, and the errors for logging in the wrong place."""

from __future__ import annotations

import csv
import os

import numpy as np
import pytest

import ember
import ember_lightning as L
from ember.utils.data import DataLoader, TensorDataset
from ember_lightning.utilities import MisconfigurationException


def _fit(model, quiet, logger=False, **kwargs):
    trainer = L.Trainer(
        logger=logger, enable_checkpointing=False, num_sanity_val_steps=0, **quiet, **kwargs
    )
    trainer.fit(model)
    return trainer


def test_step_and_epoch_names(boring_model, quiet, recording_logger):
    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            self.log("step_only", float(batch_idx))
            self.log("both", float(batch_idx), on_epoch=True, prog_bar=True)
            self.log("epoch_only", float(batch_idx), on_step=False, on_epoch=True)
            return super().training_step(batch, batch_idx)

    trainer = _fit(Model(), quiet, logger=recording_logger, max_epochs=1, log_every_n_steps=1)
    logged = recording_logger.keys_logged()
    assert {"step_only", "both_step", "both_epoch", "epoch_only", "epoch"} <= logged
    assert "both" not in logged
    cm = trainer.callback_metrics
    assert {"step_only", "both", "both_step", "both_epoch", "epoch_only"} <= set(cm)
    assert float(cm["both_step"]) == 3.0  # the last step's value
    assert float(cm["both_epoch"]) == pytest.approx(1.5)  # mean of 0, 1, 2, 3
    assert float(cm["both"]) == pytest.approx(1.5)  # the latest published: the epoch value
    assert isinstance(cm["both"], ember.Tensor)
    assert trainer.progress_bar_metrics["both_step"] == 3.0
    assert trainer.progress_bar_metrics["both_epoch"] == pytest.approx(1.5)
    assert "step_only" not in trainer.progress_bar_metrics


def test_epoch_mean_is_weighted_by_batch_size(boring_model, quiet):
    g = ember.Generator().manual_seed(0)
    values = ember.randn(7, generator=g)
    data = DataLoader(TensorDataset(values), batch_size=3)  # batches of 3, 3, 1

    class Model(boring_model):
        def validation_step(self, batch, batch_idx):
            self.log("inferred", batch[0].mean())
            self.log("given", batch[0].mean(), batch_size=1)  # explicit: a plain mean of means

    trainer = L.Trainer(logger=False, **quiet)
    result = trainer.validate(Model(), dataloaders=data, verbose=False)[0]
    v = values.numpy().astype(np.float64)
    assert result["inferred"] == pytest.approx(v.mean(), rel=1e-6)
    means = [v[0:3].mean(), v[3:6].mean(), v[6:].mean()]
    assert result["given"] == pytest.approx(np.mean(means), rel=1e-6)


@pytest.mark.parametrize(
    ("reduce_fx", "expected"),
    [("sum", 6.0), ("max", 3.0), ("min", 0.0), ("mean", 1.5), (ember.max, 3.0)],
)
def test_reduce_fx(boring_model, quiet, reduce_fx, expected):
    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            self.log("v", float(batch_idx), on_step=False, on_epoch=True, reduce_fx=reduce_fx)
            return super().training_step(batch, batch_idx)

    trainer = _fit(Model(), quiet, max_epochs=1)
    assert float(trainer.callback_metrics["v"]) == pytest.approx(expected)


def test_logger_flag_and_log_dict(boring_model, quiet, recording_logger):
    class Model(boring_model):
        def validation_step(self, batch, batch_idx):
            self.log_dict({"a": 1.0, "b": 2.0}, prog_bar=True)
            self.log("hidden", 3.0, logger=False)

    trainer = _fit(Model(), quiet, logger=recording_logger, max_epochs=1)
    assert {"a", "b"} <= recording_logger.keys_logged()
    assert "hidden" not in recording_logger.keys_logged()
    assert float(trainer.callback_metrics["hidden"]) == 3.0
    assert trainer.progress_bar_metrics == {"a": 1.0, "b": 2.0}
    assert trainer.logged_metrics["a"] == 1.0 and trainer.logged_metrics["epoch"] == 0


def test_logger_steps_and_lifecycle(boring_model, quiet, recording_logger):
    trainer = _fit(
        boring_model(lr=0.2),
        quiet,
        logger=recording_logger,
        max_epochs=2,
        log_every_n_steps=3,
        limit_val_batches=1,
    )
    assert recording_logger.hparams == [{"lr": 0.2}]
    step_rows = [(step, m) for step, m in recording_logger.metrics if "train_loss" in m]
    # optimizer steps 0..7: logged when (step + 1) % 3 == 0
    assert [step for step, _ in step_rows] == [2, 5]
    assert [m["epoch"] for _, m in step_rows] == [0, 1]
    val_rows = [(step, m) for step, m in recording_logger.metrics if "val_loss" in m]
    assert [(step, m["epoch"]) for step, m in val_rows] == [(3, 0), (7, 1)]
    assert recording_logger.finalized == ["success"]
    assert trainer.logger is recording_logger and trainer.loggers == [recording_logger]


def test_logger_finalized_as_failed(boring_model, quiet, recording_logger):
    class Boom(boring_model):
        def training_step(self, batch, batch_idx):
            raise RuntimeError("bad batch")

    with pytest.raises(RuntimeError, match=r"bad batch"):
        _fit(Boom(), quiet, logger=recording_logger)
    assert recording_logger.finalized == ["failed"]


def test_default_logger_is_csv(boring_model, tmp_path):
    trainer = L.Trainer(
        default_root_dir=tmp_path,
        max_epochs=2,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        log_every_n_steps=1,
    )
    assert type(trainer.logger).__name__ == "CSVLogger"
    trainer.fit(boring_model())
    assert trainer.log_dir == os.path.join(str(tmp_path), "lightning_logs", "version_0")
    with open(os.path.join(trainer.log_dir, "metrics.csv")) as fh:
        rows = list(csv.DictReader(fh))
    train_rows = [r for r in rows if r.get("train_loss")]
    assert [int(r["step"]) for r in train_rows] == list(range(8))
    assert sorted({r["epoch"] for r in rows}) == ["0", "1"]
    checkpoints = os.listdir(os.path.join(trainer.log_dir, "checkpoints"))
    assert checkpoints == ["epoch=1-step=8.ckpt"]


def test_several_val_dataloaders(boring_model, quiet, loader):
    class Model(boring_model):
        def validation_step(self, batch, batch_idx, dataloader_idx=0):
            self.log("idx", float(dataloader_idx))

    trainer = L.Trainer(logger=False, **quiet)
    results = trainer.validate(Model(), dataloaders=[loader(4, 2), loader(4, 2)], verbose=False)
    assert results == [{"idx/dataloader_idx_0": 0.0}, {"idx/dataloader_idx_1": 1.0}]
    assert trainer.num_val_batches == [2, 2]


def test_validate_prints_results(boring_model, quiet, capsys):
    L.Trainer(logger=False, **quiet).validate(boring_model())
    out = capsys.readouterr().out
    assert "Validate metric" in out and "val_loss" in out and "DataLoader 0" in out


@pytest.mark.parametrize(
    ("hook", "kwargs", "match"),
    [
        ("configure_optimizers", {}, "You can't `self.log\\(\\)` inside `configure_optimizers`"),
        ("on_train_epoch_end", {"on_step": True}, "runs once per epoch"),
        ("training_step", {"on_step": False, "on_epoch": False}, "records nothing"),
        ("training_step", {"reduce_fx": "median"}, "reduce_fx must be one of"),
    ],
)
def test_log_errors(boring_model, quiet, hook, kwargs, match):
    def log_here(self, *args):
        self.log("x", 1.0, **kwargs)
        return getattr(boring_model, hook)(self, *args)

    Model = type("Model", (boring_model,), {hook: log_here})
    with pytest.raises(MisconfigurationException, match=match):
        _fit(Model(), quiet, max_epochs=1)


def test_log_rejects_non_scalar(boring_model, quiet):
    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            self.log("vector", ember.ones(3))
            return super().training_step(batch, batch_idx)

    with pytest.raises(ValueError, match=r"one-element tensor, got a tensor of shape \(3,\)"):
        _fit(Model(), quiet, max_epochs=1)


def test_log_without_trainer_warns(boring_model):
    with pytest.warns(UserWarning, match=r"not attached to a Trainer"):
        boring_model().log("x", 1.0)


def test_sanity_check_metrics_are_discarded(boring_model, quiet):
    seen = []

    class Model(boring_model):
        def on_train_start(self):
            seen.append(dict(self.trainer.callback_metrics))

    trainer = L.Trainer(logger=False, enable_checkpointing=False, max_epochs=1, **quiet)
    trainer.fit(Model())
    assert seen == [{}]
    assert "val_loss" in trainer.callback_metrics
