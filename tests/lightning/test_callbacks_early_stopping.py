"""EarlyStopping: patience, min_delta, mode, thresholds, finiteness, strictness, state."""

from __future__ import annotations

import math

import pytest

import ember_lightning as L
from ember_lightning.callbacks import EarlyStopping
from ember_lightning.utilities import MisconfigurationException


def _run(boring_model, tmp_path, values, callback, **kwargs):
    class Scripted(boring_model):
        def validation_step(self, batch, batch_idx):
            self.log("score", float(values[min(self.current_epoch, len(values) - 1)]))

    trainer = L.Trainer(
        default_root_dir=tmp_path,
        logger=False,
        callbacks=[callback],
        max_epochs=len(values),
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
        num_sanity_val_steps=0,
        limit_val_batches=1,
        **kwargs,
    )
    trainer.fit(Scripted())
    return trainer


@pytest.mark.parametrize(
    ("values", "kwargs", "epochs"),
    [
        ([5, 4, 3, 2, 1, 0], {"patience": 1}, 6),  # always improving
        ([5, 4, 4, 4, 4, 4], {"patience": 2}, 4),  # 2 checks without improvement
        ([5, 4, 4, 4, 4, 4], {"patience": 3}, 5),
        ([5, 4.9, 4.8, 4.7, 4, 4], {"patience": 2, "min_delta": 0.5}, 3),
        ([1, 2, 3, 3, 3, 3], {"patience": 1, "mode": "max"}, 4),
        ([5, 4, 0.5, 0.1, 0, 0], {"stopping_threshold": 1.0}, 3),
        ([5, 6, 50, 60, 0, 0], {"divergence_threshold": 10.0, "patience": 10}, 3),
        ([5, 4, math.nan, 3, 2, 1], {"patience": 10}, 3),
        ([5, 4, math.inf, 3, 2, 1], {"patience": 10, "check_finite": False}, 6),
    ],
)
def test_stopping(boring_model, tmp_path, values, kwargs, epochs):
    callback = EarlyStopping(monitor="score", **kwargs)
    trainer = _run(boring_model, tmp_path, values, callback)
    assert trainer.current_epoch == epochs
    if epochs < len(values):
        assert callback.stopped_epoch == epochs - 1 and trainer.should_stop


def test_best_score_and_wait_count(boring_model, tmp_path):
    callback = EarlyStopping(monitor="score", patience=5)
    _run(boring_model, tmp_path, [3, 2, 2.5, 2.2], callback)
    assert callback.best_score == 2 and callback.wait_count == 2
    restored = EarlyStopping(monitor="score")
    restored.load_state_dict(callback.state_dict())
    assert restored.best_score == 2 and restored.wait_count == 2 and restored.patience == 5


def test_verbose_reason(boring_model, tmp_path, capsys):
    _run(
        boring_model, tmp_path, [1, 1, 1], EarlyStopping(monitor="score", patience=1, verbose=True)
    )
    assert "did not improve in the last 1 records" in capsys.readouterr().out


def test_min_epochs_overrides_early_stopping(boring_model, tmp_path):
    callback = EarlyStopping(monitor="score", patience=1)
    trainer = _run(boring_model, tmp_path, [1, 1, 1, 1, 1, 1], callback, min_epochs=4)
    assert trainer.current_epoch == 4


def test_missing_monitor(boring_model, tmp_path):
    with pytest.raises(
        RuntimeError, match=r"conditioned on metric `nope` which is not available.*`score`"
    ):
        _run(boring_model, tmp_path, [1, 1], EarlyStopping(monitor="nope"))
    trainer = _run(boring_model, tmp_path, [1, 1], EarlyStopping(monitor="nope", strict=False))
    assert trainer.current_epoch == 2


def test_checks_after_validation_with_val_check_interval(boring_model, tmp_path):
    checks = []

    class Spy(EarlyStopping):
        def _run_early_stopping_check(self, trainer):
            checks.append(trainer.global_step)
            super()._run_early_stopping_check(trainer)

    _run(boring_model, tmp_path, [1, 1], Spy(monitor="score", patience=10), val_check_interval=0.5)
    assert checks == [2, 4, 6, 8]


def test_invalid_mode():
    with pytest.raises(MisconfigurationException, match=r"`mode` can be min, max, got avg"):
        EarlyStopping(monitor="x", mode="avg")
