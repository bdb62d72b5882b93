"""The quickstart example runs end to end (a short version: one epoch of 8 batches)."""

from __future__ import annotations

import csv
import importlib.util
import os

import pytest

import ember

EXAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "quickstart.py")

pytest.importorskip("sklearn")  # the digits data ships with scikit-learn


def _load_example():
    spec = importlib.util.spec_from_file_location("quickstart", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quickstart_short_run(tmp_path):
    quickstart = _load_example()
    out = quickstart.main(
        max_epochs=1, root_dir=str(tmp_path), enable_progress_bar=False, limit_train_batches=8
    )
    assert 0.15 < out["test_acc"] <= 1.0  # 10 classes: chance is 0.1
    assert os.path.isfile(out["best_checkpoint"])
    assert out["best_checkpoint"].endswith(".ckpt") and "val_acc=" in out["best_checkpoint"]
    checkpoint = ember.load(out["best_checkpoint"])
    assert checkpoint["hyper_parameters"] == {"lr": 3e-3, "channels": 32}
    with open(out["metrics_csv"]) as fh:
        columns = set(next(csv.reader(fh)))
    assert {"train_loss_epoch", "train_acc", "val_acc", "test_acc", "epoch", "step"} <= columns
    if importlib.util.find_spec("matplotlib") is not None:
        assert os.path.isfile(out["plot"])
