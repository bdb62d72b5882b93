"""ModelCheckpoint: file names, top-k by a monitored metric, last, schedules, state."""

from __future__ import annotations

import os

import pytest

import ember
import ember_lightning as L
from ember_lightning.callbacks import ModelCheckpoint
from ember_lightning.utilities import MisconfigurationException


def _scripted(boring_model, values, name="score"):
    """A model that logs values[epoch] as ``name`` in validation."""

    class Scripted(boring_model):
        def validation_step(self, batch, batch_idx):
            self.log(name, float(values[self.current_epoch]))

    return Scripted()


def _fit(model, tmp_path, callback, epochs, **kwargs):
    trainer = L.Trainer(
        default_root_dir=tmp_path,
        logger=False,
        callbacks=[callback],
        max_epochs=epochs,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        **kwargs,
    )
    trainer.fit(model)
    return trainer


def _files(path):
    return sorted(os.listdir(path))


@pytest.mark.parametrize(
    ("filename", "metrics", "expected"),
    [
        (None, {"epoch": 3, "step": 12}, "epoch=3-step=12.ckpt"),
        ("{epoch}-{val_loss:.2f}", {"epoch": 2, "val_loss": 0.12345}, "epoch=2-val_loss=0.12.ckpt"),
        ("{epoch:03d}", {"epoch": 7}, "epoch=007.ckpt"),
        ("best-{val/acc:.1f}", {"val/acc": 0.91}, "best-val/acc=0.9.ckpt"),
        ("{missing}", {}, "missing=0.ckpt"),
    ],
)
def test_format_checkpoint_name(filename, metrics, expected):
    assert ModelCheckpoint(filename=filename).format_checkpoint_name(metrics) == expected


def test_format_without_metric_names_and_tensors():
    checkpoint = ModelCheckpoint(filename="{epoch}-{loss:.3f}", auto_insert_metric_name=False)
    name = checkpoint.format_checkpoint_name({"epoch": ember.tensor(4), "loss": ember.tensor(0.5)})
    assert name == "4-0.500.ckpt"
    with_dir = ModelCheckpoint(dirpath="/tmp/x", filename="{epoch}")
    assert with_dir.format_checkpoint_name({"epoch": 1}, ver=2) == os.path.join(
        os.path.realpath("/tmp/x"), "epoch=1-v2.ckpt"
    )


@pytest.mark.parametrize(
    ("mode", "top_k", "kept"),
    [
        ("min", 1, ["score=0.1"]),
        ("min", 2, ["score=0.1", "score=0.3"]),
        ("max", 2, ["score=0.5", "score=0.9"]),
        ("min", -1, ["score=0.1", "score=0.3", "score=0.5", "score=0.9"]),
    ],
)
def test_top_k(boring_model, tmp_path, mode, top_k, kept):
    values = [0.5, 0.3, 0.9, 0.1]
    callback = ModelCheckpoint(
        dirpath=tmp_path / "ck",
        monitor="score",
        mode=mode,
        save_top_k=top_k,
        filename="{score:.1f}",
    )
    _fit(_scripted(boring_model, values), tmp_path, callback, 4)
    assert _files(tmp_path / "ck") == [k + ".ckpt" for k in kept]
    best = min(values) if mode == "min" else max(values)
    assert float(callback.best_model_score) == pytest.approx(best)
    assert callback.best_model_path.endswith(f"score={best:.1f}.ckpt")
    assert sorted(os.path.basename(p) for p in callback.best_k_models) == [
        k + ".ckpt" for k in kept
    ]
    if top_k > 0:
        worst = max if mode == "min" else min
        assert float(callback.kth_value) == pytest.approx(
            worst(sorted(values, reverse=mode == "max")[: len(kept)])
        )


def test_best_checkpoint_holds_the_best_weights(boring_model, tmp_path):
    weights = {}

    class Model(boring_model):
        def validation_step(self, batch, batch_idx):
            self.log("score", [0.5, 0.1, 0.9][self.current_epoch])

        def on_validation_end(self):
            weights[self.current_epoch] = self.layer.weight.detach().numpy().copy()

    callback = ModelCheckpoint(monitor="score")
    _fit(Model(), tmp_path, callback, 3)
    saved = ember.load(callback.best_model_path)["state_dict"]["layer.weight"].numpy()
    assert (saved == weights[1]).all()


def test_save_last_and_versions(boring_model, tmp_path):
    callback = ModelCheckpoint(dirpath=tmp_path / "ck", save_last=True, filename="fixed")
    _fit(boring_model(), tmp_path, callback, 2)
    # the second epoch's "fixed.ckpt" replaced the first (top 1, no monitor)
    assert _files(tmp_path / "ck") == ["fixed.ckpt", "last.ckpt"]
    assert callback.last_model_path == os.path.join(callback.dirpath, "last.ckpt")
    assert ember.load(callback.last_model_path)["epoch"] == 1
    again = ModelCheckpoint(dirpath=tmp_path / "ck", save_top_k=-1, filename="fixed")
    with pytest.warns(UserWarning, match=r"exists and is not empty"):
        _fit(boring_model(), tmp_path, again, 1)
    assert "fixed-v1.ckpt" in _files(tmp_path / "ck")


def test_every_n_epochs_and_steps(boring_model, tmp_path):
    by_epoch = ModelCheckpoint(dirpath=tmp_path / "e", every_n_epochs=2, save_top_k=-1)
    _fit(boring_model(), tmp_path, by_epoch, 4)
    assert _files(tmp_path / "e") == ["epoch=1-step=8.ckpt", "epoch=3-step=16.ckpt"]
    by_step = ModelCheckpoint(dirpath=tmp_path / "s", every_n_train_steps=3, save_top_k=-1)
    _fit(boring_model(), tmp_path, by_step, 2)
    assert _files(tmp_path / "s") == ["epoch=0-step=3.ckpt", "epoch=1-step=6.ckpt"]


def test_saves_after_validation_when_validating_mid_epoch(boring_model, tmp_path):
    callback = ModelCheckpoint(dirpath=tmp_path / "ck", save_top_k=-1)
    _fit(boring_model(), tmp_path, callback, 1, val_check_interval=0.5)
    assert _files(tmp_path / "ck") == ["epoch=0-step=2.ckpt", "epoch=0-step=4.ckpt"]


def test_default_dirpath_follows_the_logger(boring_model, tmp_path):
    trainer = L.Trainer(
        default_root_dir=tmp_path,
        max_epochs=1,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(boring_model())
    expected = os.path.join(str(tmp_path), "lightning_logs", "version_0", "checkpoints")
    assert trainer.checkpoint_callback.dirpath == os.path.realpath(expected)
    no_logger = L.Trainer(
        default_root_dir=tmp_path / "b",
        max_epochs=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    no_logger.fit(boring_model())
    assert no_logger.checkpoint_callback.dirpath == os.path.realpath(tmp_path / "b" / "checkpoints")


def test_monitor_never_logged_lists_logged_keys(boring_model, tmp_path):
    callback = ModelCheckpoint(monitor="val_acc")
    with pytest.raises(
        MisconfigurationException,
        match=r"could not find the monitored key.*'train_loss', 'val_loss'",
    ):
        _fit(boring_model(), tmp_path, callback, 1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"mode": "avg"}, "`mode` can be 'min' or 'max'"),
        ({"save_top_k": -2}, "save_top_k=-2"),
        ({"save_top_k": 3}, "No quantity for top_k to track"),
        ({"every_n_epochs": 1, "every_n_train_steps": 2}, "should be mutually exclusive"),
    ],
)
def test_invalid_settings(kwargs, match):
    with pytest.raises(MisconfigurationException, match=match):
        ModelCheckpoint(**kwargs)


def test_state_dict_round_trip(boring_model, tmp_path):
    callback = ModelCheckpoint(dirpath=tmp_path / "ck", monitor="score", save_top_k=2)
    _fit(_scripted(boring_model, [0.4, 0.2]), tmp_path, callback, 2)
    restored = ModelCheckpoint(dirpath=tmp_path / "ck", monitor="score", save_top_k=2)
    restored.load_state_dict(callback.state_dict())
    assert restored.best_model_path == callback.best_model_path
    assert restored.best_k_models.keys() == callback.best_k_models.keys()
    moved = ModelCheckpoint(dirpath=tmp_path / "elsewhere", monitor="score")
    with pytest.warns(UserWarning, match=r"dirpath has changed"):
        moved.load_state_dict(callback.state_dict())
    assert moved.best_model_path == callback.best_model_path and moved.best_k_models == {}


def test_no_checkpoints_outside_fit_or_in_sanity_check(boring_model, tmp_path):
    callback = ModelCheckpoint(dirpath=tmp_path / "ck")
    trainer = L.Trainer(
        default_root_dir=tmp_path,
        logger=False,
        callbacks=[callback],
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.validate(boring_model(), verbose=False)
    assert not (tmp_path / "ck").exists()


def test_to_yaml(boring_model, tmp_path):
    import yaml

    callback = ModelCheckpoint(dirpath=tmp_path / "ck", monitor="score", save_top_k=2)
    _fit(_scripted(boring_model, [0.4, 0.2]), tmp_path, callback, 2)
    callback.to_yaml()
    with open(tmp_path / "ck" / "best_k_models.yaml") as fh:
        data = yaml.safe_load(fh)
    assert sorted(data.values()) == pytest.approx([0.2, 0.4])


def test_train_time_interval(boring_model, tmp_path):
    from datetime import timedelta

    callback = ModelCheckpoint(
        dirpath=tmp_path / "t", train_time_interval=timedelta(seconds=0), save_top_k=-1
    )
    _fit(boring_model(), tmp_path, callback, 1)
    assert _files(tmp_path / "t") == [f"epoch=0-step={i}.ckpt" for i in range(1, 5)]
