"""Loop limits and schedules: epochs, steps, time, batch limits, validation schedule,
sanity check, fast_dev_run, overfit_batches."""

from __future__ import annotations

import math

import pytest

import ember
import ember_lightning as L
from ember_lightning.callbacks import Callback
from ember_lightning.utilities import MisconfigurationException


class Counter(Callback):
    """Counts training batches per epoch, validation runs and their batches."""

    def __init__(self):
        self.train_batches = []
        self.val_runs = []
        self.sanity = []

    def on_train_epoch_start(self, trainer, pl_module):
        self.train_batches.append(0)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self.train_batches[-1] += 1

    def on_validation_start(self, trainer, pl_module):
        target = self.sanity if trainer.sanity_checking else self.val_runs
        target.append({"epoch": trainer.current_epoch, "step": trainer.global_step, "batches": 0})

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        (self.sanity if trainer.sanity_checking else self.val_runs)[-1]["batches"] += 1


def _fit(model, quiet, **kwargs):
    counter = Counter()
    trainer = L.Trainer(
        logger=False, enable_checkpointing=False, callbacks=[counter], **quiet, **kwargs
    )
    trainer.fit(model)
    return trainer, counter


def test_max_epochs_and_counters(boring_model, quiet):
    trainer, counter = _fit(boring_model(), quiet, max_epochs=3)
    assert counter.train_batches == [4, 4, 4]
    assert trainer.current_epoch == 3 and trainer.global_step == 12
    assert [run["epoch"] for run in counter.val_runs] == [0, 1, 2]
    assert trainer.state.finished and trainer.state.fn.value == "fit"


def test_max_epochs_default_is_1000(boring_model):
    assert L.Trainer(logger=False).max_epochs == 1000
    assert L.Trainer(logger=False, max_steps=5).max_epochs == -1


@pytest.mark.parametrize("max_steps", [1, 5, 9])
def test_max_steps(boring_model, quiet, max_steps):
    trainer, counter = _fit(boring_model(), quiet, max_steps=max_steps, max_epochs=10)
    assert trainer.global_step == max_steps
    assert sum(counter.train_batches) == max_steps


class _StopAtOnce(Callback):
    def on_train_batch_end(self, trainer, *args):
        trainer.should_stop = True


@pytest.mark.parametrize(
    ("min_epochs", "min_steps", "epochs", "steps"),
    [(None, None, 1, 1), (3, None, 3, 12), (None, 6, 2, 6)],
)
def test_min_epochs_and_min_steps_delay_stopping(
    boring_model, quiet, min_epochs, min_steps, epochs, steps
):
    trainer = L.Trainer(
        logger=False,
        enable_checkpointing=False,
        callbacks=[_StopAtOnce()],
        max_epochs=10,
        min_epochs=min_epochs,
        min_steps=min_steps,
        num_sanity_val_steps=0,
        **quiet,
    )
    trainer.fit(boring_model())
    assert trainer.current_epoch == epochs
    # min_epochs: the epochs before the minimum run to their end; min_steps: stopping is
    # honoured at the first batch where the minimum is met
    assert trainer.global_step == steps


def test_max_time_stops_training(boring_model, quiet):
    class Slow(boring_model):
        def training_step(self, batch, batch_idx):
            import time

            time.sleep(0.02)
            return super().training_step(batch, batch_idx)

    trainer, _ = _fit(Slow(), quiet, max_time={"seconds": 0.05}, num_sanity_val_steps=0)
    assert 1 <= trainer.global_step < 8
    assert trainer.max_epochs == -1


@pytest.mark.parametrize(("limit", "expected"), [(2, 2), (0.5, 2), (0.75, 3), (1.0, 4), (10, 4)])
def test_limit_train_batches(boring_model, quiet, limit, expected):
    trainer, counter = _fit(boring_model(), quiet, max_epochs=1, limit_train_batches=limit)
    assert counter.train_batches == [expected]
    assert trainer.num_training_batches == expected


@pytest.mark.parametrize(("limit", "expected"), [(1, 1), (0.5, 1), (1.0, 2)])
def test_limit_val_batches(boring_model, quiet, limit, expected):
    trainer, counter = _fit(
        boring_model(), quiet, max_epochs=1, limit_val_batches=limit, num_sanity_val_steps=0
    )
    assert counter.val_runs[0]["batches"] == expected
    assert trainer.num_val_batches == [expected]


def test_limit_val_batches_zero_disables_validation(boring_model, quiet):
    _, counter = _fit(boring_model(), quiet, max_epochs=2, limit_val_batches=0)
    assert counter.val_runs == [] and counter.sanity == []


def test_limit_test_and_predict_batches(boring_model, quiet):
    trainer = L.Trainer(logger=False, limit_test_batches=1, limit_predict_batches=0.5, **quiet)
    trainer.test(boring_model(), verbose=False)
    assert trainer.num_test_batches == [1]
    predictions = trainer.predict(boring_model())
    assert len(predictions) == 1 and trainer.num_predict_batches == [1]


@pytest.mark.parametrize("bad", [-1, 1.5, "all", True])
def test_limit_errors(bad):
    with pytest.raises(MisconfigurationException, match=r"limit_train_batches"):
        L.Trainer(logger=False, limit_train_batches=bad)


def test_limit_fraction_too_small(boring_model, quiet):
    with pytest.raises(MisconfigurationException, match=r"0.1 \* 4 < 1"):
        _fit(boring_model(), quiet, limit_train_batches=0.1)


@pytest.mark.parametrize(
    ("interval", "every", "expected"),
    [
        (0.5, 1, [(0, 2), (0, 4), (1, 6), (1, 8)]),
        (1.0, 2, [(1, 8)]),
        (3, 1, [(0, 3), (1, 7)]),
        (3, None, [(0, 3), (1, 6)]),
    ],
)
def test_val_check_interval_and_every_n_epoch(boring_model, quiet, interval, every, expected):
    _, counter = _fit(
        boring_model(),
        quiet,
        max_epochs=2,
        val_check_interval=interval,
        check_val_every_n_epoch=every,
        num_sanity_val_steps=0,
    )
    assert [(run["epoch"], run["step"]) for run in counter.val_runs] == expected


def test_val_check_interval_errors(boring_model, quiet):
    with pytest.raises(MisconfigurationException, match=r"val_check_interval"):
        L.Trainer(logger=False, val_check_interval=1.5)
    with pytest.raises(ValueError, match=r"must be less than or equal to the number"):
        _fit(boring_model(), quiet, val_check_interval=5)


@pytest.mark.parametrize(("steps", "expected"), [(0, 0), (1, 1), (2, 2), (-1, 2), (5, 2)])
def test_num_sanity_val_steps(boring_model, quiet, steps, expected):
    _, counter = _fit(boring_model(), quiet, max_epochs=1, num_sanity_val_steps=steps)
    assert sum(run["batches"] for run in counter.sanity) == expected
    # sanity-check metrics are discarded: val_loss is from the real validation run
    assert len(counter.val_runs) == 1


def test_sanity_check_does_not_change_random_state(boring_model, quiet):
    seen = []

    class Draw(boring_model):
        def on_train_start(self):
            seen.append(ember.rand(1).item())

    for steps in (0, 2):
        L.seed_everything(5, verbose=False)
        model = Draw()
        L.Trainer(logger=False, max_epochs=1, num_sanity_val_steps=steps, **quiet).fit(model)
    assert seen[0] == seen[1]


@pytest.mark.parametrize("value", [True, 2])
def test_fast_dev_run(boring_model, tmp_path, value, recording_logger):
    counter = Counter()
    trainer = L.Trainer(
        default_root_dir=tmp_path,
        fast_dev_run=value,
        callbacks=[counter],
        logger=recording_logger,
        enable_progress_bar=False,
    )
    trainer.fit(boring_model())
    n = int(value)
    assert counter.train_batches == [n] and trainer.global_step == n
    assert counter.sanity == [] and counter.val_runs[0]["batches"] == n
    assert recording_logger.metrics == []  # the logger was replaced by a DummyLogger
    assert (
        not (tmp_path / "checkpoints").exists()
        and trainer.checkpoint_callback.best_model_path == ""
    )


def test_fast_dev_run_invalid():
    with pytest.raises(MisconfigurationException, match=r"fast_dev_run=-1 is not a valid"):
        L.Trainer(fast_dev_run=-1)


def test_overfit_batches_uses_the_same_batches_in_order(boring_model, quiet, loader):
    seen = []

    class Record(boring_model):
        def training_step(self, batch, batch_idx):
            seen.append(batch[0][0, 0].item())
            return super().training_step(batch, batch_idx)

    trainer = L.Trainer(
        logger=False, max_epochs=2, overfit_batches=2, enable_checkpointing=False, **quiet
    )
    trainer.fit(Record(), train_dataloaders=loader(16, 4, shuffle=True))
    assert trainer.num_training_batches == 2 and trainer.num_val_batches == [2]
    assert seen[:2] == seen[2:]  # shuffling was turned off: the same two batches each epoch
    first = loader(16, 4).dataset[0][0][0].item()
    assert seen[0] == pytest.approx(first)


def test_on_train_batch_start_minus_one_skips_rest_of_epoch(boring_model, quiet):
    class Skip(boring_model):
        def on_train_batch_start(self, batch, batch_idx):
            return -1 if batch_idx == 2 else None

    trainer, counter = _fit(Skip(), quiet, max_epochs=2, num_sanity_val_steps=0)
    assert counter.train_batches == [2, 2] and trainer.current_epoch == 2


def test_unsized_training_iterable(boring_model, quiet, loader):
    class Stream:
        def __iter__(self):
            return iter(loader(12, 4))

    counter = Counter()
    trainer = L.Trainer(
        logger=False,
        enable_checkpointing=False,
        callbacks=[counter],
        max_epochs=2,
        num_sanity_val_steps=0,
        **quiet,
    )
    trainer.fit(boring_model(), train_dataloaders=Stream())
    assert math.isinf(trainer.num_training_batches)
    assert counter.train_batches == [3, 3]
    assert [run["step"] for run in counter.val_runs] == [3, 6]


def test_predict_several_dataloaders_and_no_return(boring_model, quiet, loader):
    trainer = L.Trainer(logger=False, **quiet)
    predictions = trainer.predict(boring_model(), dataloaders=[loader(8, 4), loader(4, 4)])
    assert [len(p) for p in predictions] == [2, 1]
    assert tuple(predictions[0][0].shape) == (4, 1)
    assert trainer.predict(boring_model(), return_predictions=False) is None
