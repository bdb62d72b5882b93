"""Progress bars: TQDMProgressBar and RichProgressBar driven through the trainer's hooks."""

import io
import math
import pickle
import re
import sys
from types import SimpleNamespace

import pytest

from ember_lightning.callbacks.progress import (
    ProgressBar,
    RichProgressBar,
    RichProgressBarTheme,
    TQDMProgressBar,
)
from ember_lightning.callbacks.progress.progress_bar import get_standard_metrics
from ember_lightning.callbacks.progress.tqdm_progress import _format_num
from ember_lightning.loggers import CSVLogger


def make_trainer(tmp_path=None, version=0, **overrides):
    loggers = [] if tmp_path is None else [CSVLogger(tmp_path, version=version)]
    trainer = SimpleNamespace(
        loggers=loggers,
        logger=loggers[0] if loggers else None,
        current_epoch=0,
        global_step=0,
        max_epochs=2,
        max_steps=-1,
        num_training_batches=3,
        num_val_batches=[2],
        num_test_batches=[4],
        num_predict_batches=[2],
        num_sanity_val_steps=1,
        sanity_checking=False,
        progress_bar_metrics={},
        callback_metrics={},
        is_global_zero=True,
        val_check_batch=3,
        check_val_every_n_epoch=1,
    )
    for key, value in overrides.items():
        setattr(trainer, key, value)
    steps = trainer.num_sanity_val_steps
    trainer.num_sanity_val_batches = [min(n, steps) for n in trainer.num_val_batches]
    return trainer


def run_validation(bar, trainer, batches, sanity=False):
    trainer.sanity_checking = sanity
    bar.on_validation_start(trainer, None)
    for i in range(batches):
        bar.on_validation_batch_start(trainer, None, None, i, 0)
        bar.on_validation_batch_end(trainer, None, None, None, i, 0)
    bar.on_validation_end(trainer, None)
    trainer.sanity_checking = False


def run_fit(bar, trainer, losses=None, sanity=True):
    """The hook sequence of ``Trainer.fit`` as Lightning calls it."""
    bar.setup(trainer, None, "fit")
    bar.on_fit_start(trainer, None)
    if sanity:
        bar.on_sanity_check_start(trainer, None)
        run_validation(bar, trainer, trainer.num_sanity_val_batches[0], sanity=True)
        bar.on_sanity_check_end(trainer, None)
    bar.on_train_start(trainer, None)
    for epoch in range(trainer.max_epochs):
        trainer.current_epoch = epoch
        bar.on_train_epoch_start(trainer, None)
        for i in range(trainer.num_training_batches):
            if losses is not None:
                trainer.progress_bar_metrics = {"loss": losses[trainer.global_step]}
            bar.on_train_batch_end(trainer, None, None, None, i)
            trainer.global_step += 1
            if trainer.num_val_batches and (i + 1) % trainer.val_check_batch == 0:
                run_validation(bar, trainer, trainer.num_val_batches[0])
                trainer.progress_bar_metrics = {
                    **trainer.progress_bar_metrics,
                    "val_loss": 0.25 + epoch,
                }
        bar.on_train_epoch_end(trainer, None)
    bar.on_train_end(trainer, None)
    bar.on_fit_end(trainer, None)
    bar.teardown(trainer, None, "fit")


def last_state(text, prefix):
    """The last drawn state of the bar whose lines start with ``prefix``."""
    states = [s.strip() for s in re.split(r"[\r\n]", text) if s.strip().startswith(prefix)]
    assert states, f"no bar starting with {prefix!r} in {text!r}"
    return states[-1]


# -- number format ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.5, "0.500"),
        (2.0, "2.000"),
        (0.123456, "0.123"),
        (1234.5678, "1.23e+3"),
        (3, "3"),
        (12345, "12345"),
        ("1", "1.000"),
        ("abc", "abc"),
        (1e-5, "1e-5"),
    ],
)
def test_postfix_numbers_are_padded_like_lightning(value, expected):
    from tqdm import tqdm

    assert _format_num(tqdm.format_num, value) == expected


# -- counts and metrics ---------------------------------------------------------------------------
def test_total_batches_include_every_validation_run_of_the_epoch():
    bar = TQDMProgressBar()
    trainer = make_trainer(num_training_batches=10, num_val_batches=[3, 1], val_check_batch=5)
    bar.setup(trainer, None, "fit")
    assert bar.total_train_batches == 10
    assert bar.total_val_batches == 4
    assert bar.total_batches_current_epoch == 10 + 2 * 4
    trainer.check_val_every_n_epoch = 2  # epoch 0 does not validate
    assert bar.total_batches_current_epoch == 10
    trainer.current_epoch = 1
    assert bar.total_batches_current_epoch == 18
    trainer.num_training_batches = math.inf
    assert bar.total_batches_current_epoch == math.inf


def test_total_train_batches_is_capped_by_remaining_steps_without_max_epochs():
    bar = TQDMProgressBar()
    trainer = make_trainer(num_training_batches=10, max_epochs=-1, max_steps=25, global_step=20)
    bar.setup(trainer, None, "fit")
    assert bar.total_train_batches == 5


def test_sanity_and_per_dataloader_totals():
    bar = TQDMProgressBar()
    trainer = make_trainer(num_val_batches=[5, 1], num_sanity_val_steps=2)
    bar.setup(trainer, None, "fit")
    trainer.sanity_checking = True
    bar.has_dataloader_changed(0)
    assert bar.total_val_batches_current_dataloader == 2
    bar.has_dataloader_changed(1)
    assert bar.total_val_batches_current_dataloader == 1
    trainer.sanity_checking = False
    bar.has_dataloader_changed(0)
    assert bar.total_val_batches_current_dataloader == 5
    assert bar.total_test_batches_current_dataloader == 4


def test_get_metrics_adds_v_num_from_the_logger(tmp_path):
    trainer = make_trainer(tmp_path, version=3, progress_bar_metrics={"loss": 0.5})
    bar = TQDMProgressBar()
    assert bar.get_metrics(trainer, None) == {"v_num": 3, "loss": 0.5}
    trainer.loggers = [CSVLogger(tmp_path, version="abcdef")]
    assert get_standard_metrics(trainer) == {"v_num": "cdef"}
    trainer.loggers = []
    assert bar.get_metrics(trainer, None) == {"loss": 0.5}


def test_get_metrics_warns_on_a_metric_named_v_num(tmp_path):
    trainer = make_trainer(tmp_path, progress_bar_metrics={"v_num": 9.0})
    with pytest.warns(UserWarning, match=r"already tracks a metric with the name"):
        assert TQDMProgressBar().get_metrics(trainer, None) == {"v_num": 9.0}


def test_trainer_reference_before_setup_is_an_error():
    with pytest.raises(TypeError, match=r"_trainer` reference has not been set yet"):
        TQDMProgressBar().trainer  # noqa: B018
    with pytest.raises(TypeError, match=r"_train_progress_bar` reference has not been set"):
        TQDMProgressBar().train_progress_bar  # noqa: B018


def test_refresh_rate_is_validated():
    with pytest.raises(ValueError, match=r"refresh_rate must be an int >= 0, got -1"):
        TQDMProgressBar(refresh_rate=-1)


# -- what the tqdm bar prints ---------------------------------------------------------------------
def test_fit_prints_epoch_bars_with_metrics(tmp_path, capsys):
    bar = TQDMProgressBar()
    trainer = make_trainer(tmp_path)
    run_fit(bar, trainer, losses=[0.5, 0.25, 2.0, 1.0, 0.125, 0.0625])
    out = capsys.readouterr().out
    # main bar: the 3 training batches of each epoch (validation has its own bar)
    epoch0 = last_state(out, "Epoch 0: 100%")
    assert re.match(r"Epoch 0: 100%\|.*\| 3/3 \[", epoch0), epoch0
    assert epoch0.endswith("v_num=0, loss=2.000, val_loss=0.250]")
    epoch1 = last_state(out, "Epoch 1")
    assert re.match(r"Epoch 1: 100%\|.*\| 3/3 \[", epoch1), epoch1
    assert epoch1.endswith("v_num=0, loss=0.0625, val_loss=1.250]")
    assert "Sanity Checking DataLoader 0: 100%" in out
    assert re.search(r"Validation DataLoader 0: 100%\|.*\| 2/2", out)
    # postfix during the epoch shows the loss of that batch
    assert "v_num=0, loss=0.500" in out


def test_validation_runs_inside_the_epoch_leave_the_main_bar_alone(tmp_path, capsys):
    bar = TQDMProgressBar()
    trainer = make_trainer(tmp_path, max_epochs=1, num_training_batches=4, val_check_batch=2)
    run_fit(bar, trainer, losses=[1.0] * 4, sanity=False)
    out = capsys.readouterr().out
    assert re.search(r"Epoch 0: 100%\|.*\| 4/4 \[", out)  # training batches only
    assert re.search(r"Epoch 0:  50%\|.*\| 2/4 \[", out)  # when the first validation runs
    assert len(re.findall(r"Validation DataLoader 0: 100%\|.*?\| 2/2", out)) >= 2


def test_infinite_training_loader_has_no_total(tmp_path, capsys):
    bar = TQDMProgressBar()
    trainer = make_trainer(tmp_path, max_epochs=1, num_training_batches=math.inf)
    bar.setup(trainer, None, "fit")
    bar.on_train_start(trainer, None)
    bar.on_train_epoch_start(trainer, None)
    assert bar.train_progress_bar.total is None
    bar.on_train_batch_end(trainer, None, None, None, 0)
    bar.on_train_end(trainer, None)
    assert re.search(r"Epoch 0: : 1it \[.*v_num=0\]", capsys.readouterr().out)


def test_refresh_rate_limits_redraws(tmp_path, capsys):
    bar = TQDMProgressBar(refresh_rate=2)
    trainer = make_trainer(tmp_path, max_epochs=1, num_training_batches=5, num_val_batches=[])
    trainer.val_check_batch = 5
    run_fit(bar, trainer, losses=[1.0] * 5, sanity=False)
    states = {m for m in re.findall(r"\| (\d)/5 \[", capsys.readouterr().out)}
    assert states == {"0", "2", "4", "5"}


@pytest.mark.parametrize("how", ["refresh_rate", "disable", "not_global_zero"])
def test_disabled_bar_prints_nothing(tmp_path, capsys, how):
    bar = TQDMProgressBar(refresh_rate=0 if how == "refresh_rate" else 1)
    trainer = make_trainer(tmp_path, is_global_zero=how != "not_global_zero")
    if how == "disable":
        bar.disable()
    run_fit(bar, trainer, losses=[1.0] * 6)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    assert bar.is_disabled
    bar.enable()
    assert bar.is_enabled == (how != "refresh_rate")


@pytest.mark.parametrize("leave", [True, False])
def test_leave_draws_a_new_bar_per_epoch(tmp_path, capsys, leave):
    bar = TQDMProgressBar(leave=leave)
    run_fit(bar, make_trainer(tmp_path, max_epochs=3), losses=[1.0] * 9, sanity=False)
    out = capsys.readouterr().out
    # each new main bar starts out as "Training: 0it" before its first epoch description
    assert out.count("Training: 0it") == (3 if leave else 1)
    for epoch in range(3):
        assert f"Epoch {epoch}: 100%" in out


def test_validate_test_and_predict_bars(tmp_path, capsys):
    bar = TQDMProgressBar()
    trainer = make_trainer(tmp_path)
    bar.setup(trainer, None, "validate")
    run_validation(bar, trainer, 2)
    bar.setup(trainer, None, "test")
    bar.on_test_start(trainer, None)
    for i in range(4):
        bar.on_test_batch_start(trainer, None, None, i, 0)
        bar.on_test_batch_end(trainer, None, None, None, i, 0)
    bar.on_test_end(trainer, None)
    bar.setup(trainer, None, "predict")
    bar.on_predict_start(trainer, None)
    for dataloader_idx, n in enumerate([2, 1]):
        trainer.num_predict_batches = [2, 1]
        for i in range(n):
            bar.on_predict_batch_start(trainer, None, None, i, dataloader_idx)
            bar.on_predict_batch_end(trainer, None, None, None, i, dataloader_idx)
    bar.on_predict_end(trainer, None)
    out = capsys.readouterr().out
    assert re.search(r"Validation DataLoader 0: 100%\|.*\| 2/2", out)
    assert re.search(r"Testing DataLoader 0: 100%\|.*\| 4/4", out)
    assert re.search(r"Predicting DataLoader 0: 100%\|.*\| 2/2", out)
    assert re.search(r"Predicting DataLoader 1: 100%\|.*\| 1/1", out)


def test_print_goes_through_the_active_bar(tmp_path, capsys):
    bar = TQDMProgressBar()
    trainer = make_trainer(tmp_path)
    bar.setup(trainer, None, "fit")
    bar.print("before any bar")
    bar.on_train_start(trainer, None)
    bar.on_train_epoch_start(trainer, None)
    bar.print("hello", 42, sep="-")
    bar.on_train_end(trainer, None)
    out = capsys.readouterr().out
    assert "before any bar\n" in out
    assert "hello-42\n" in out


def test_progress_bar_pickles_without_its_tqdm_objects(tmp_path, capsys):
    bar = TQDMProgressBar(refresh_rate=3)
    run_fit(bar, make_trainer(tmp_path, max_epochs=1), losses=[1.0] * 3)
    clone = pickle.loads(pickle.dumps(bar))
    assert clone.refresh_rate == 3
    assert clone._train_progress_bar is None and clone._val_progress_bar is None


def test_custom_bar_on_the_base_class(tmp_path, capsys):
    class PercentBar(ProgressBar):
        def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
            if self.is_enabled:
                print(f"{100 * (batch_idx + 1) / self.total_train_batches:.0f}%")

    bar = PercentBar()
    trainer = make_trainer(tmp_path, max_epochs=1)
    run_fit(bar, trainer, sanity=False)
    assert capsys.readouterr().out.split() == ["33%", "67%", "100%"]


def test_importing_progress_bars_does_not_import_tqdm_or_rich():
    import subprocess

    code = (
        "import sys; import ember_lightning.callbacks.progress as p; p.TQDMProgressBar();"
        "print([m for m in ('tqdm', 'rich') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- rich -------------------------------------------------------------------------------------
def rich_bar(buffer, **kwargs):
    console = {"file": buffer, "width": 160, "force_terminal": False, "color_system": None}
    return RichProgressBar(console_kwargs=console, **kwargs)


def test_rich_fit_shows_epochs_batches_and_metrics(tmp_path):
    buffer = io.StringIO()
    bar = rich_bar(buffer, leave=True)
    run_fit(bar, make_trainer(tmp_path), losses=[0.5, 0.25, 2.0, 1.0, 0.125, 0.0625])
    lines = [line for line in buffer.getvalue().splitlines() if line.startswith("Epoch")]
    assert len(lines) == 2
    assert lines[0].startswith("Epoch 0/1") and lines[1].startswith("Epoch 1/1")
    for line in lines:
        assert " 3/3 " in line
    assert lines[0].rstrip().endswith("v_num: 0 loss: 2.000 val_loss: 0.250")
    assert lines[1].rstrip().endswith("v_num: 0 loss: 0.062 val_loss: 1.250")


def test_rich_without_leave_reuses_one_line(tmp_path):
    buffer = io.StringIO()
    bar = rich_bar(buffer)
    run_fit(bar, make_trainer(tmp_path, max_epochs=3), losses=[1.0] * 9)
    (line,) = [line for line in buffer.getvalue().splitlines() if line.startswith("Epoch")]
    assert line.startswith("Epoch 2/2") and " 3/3 " in line
    assert line.rstrip().endswith("v_num: 0 loss: 1.000 val_loss: 2.250")


def test_rich_theme_formats_metrics_and_test_bar(tmp_path):
    buffer = io.StringIO()
    theme = RichProgressBarTheme(metrics_format=".1e", metrics_text_delimiter=" | ")
    bar = rich_bar(buffer, theme=theme)
    run_fit(bar, make_trainer(tmp_path, max_epochs=1), losses=[0.5, 0.25, 0.125], sanity=False)
    assert "v_num: 0 | loss: 1.2e-01 | val_loss: 2.5e-01" in buffer.getvalue()
    buffer.truncate(0)
    buffer.seek(0)
    trainer = make_trainer(tmp_path)
    bar.setup(trainer, None, "test")
    bar.on_test_start(trainer, None)
    for i in range(4):
        bar.on_test_batch_start(trainer, None, None, i, 0)
        bar.on_test_batch_end(trainer, None, None, None, i, 0)
    bar.on_test_end(trainer, None)
    (line,) = [line for line in buffer.getvalue().splitlines() if line.startswith("Testing")]
    assert " 4/4 " in line


def test_rich_disabled_prints_nothing(tmp_path):
    buffer = io.StringIO()
    bar = rich_bar(buffer, refresh_rate=0)
    run_fit(bar, make_trainer(tmp_path), losses=[1.0] * 6)
    assert buffer.getvalue() == ""


def test_rich_missing_names_the_install_command(monkeypatch):
    monkeypatch.setitem(sys.modules, "rich", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install rich"):
        RichProgressBar()


# -- with the Trainer -------------------------------------------------------------------------
def tiny_fit(tmp_path, callbacks):
    import ember
    import ember_lightning as L
    from ember.utils.data import DataLoader, TensorDataset

    class Regression(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.net = ember.nn.Linear(3, 1)

        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = ember.nn.functional.mse_loss(self.net(x), y)
            self.log("train_loss", loss, prog_bar=True)
            return loss

        def validation_step(self, batch, batch_idx):
            x, y = batch
            self.log("val_loss", ember.nn.functional.mse_loss(self.net(x), y), prog_bar=True)

        def configure_optimizers(self):
            return ember.optim.SGD(self.parameters(), lr=0.05)

    ember.manual_seed(0)
    x = ember.randn(12, 3)
    loader = DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=4)
    trainer = L.Trainer(
        max_epochs=2,
        default_root_dir=tmp_path,
        callbacks=callbacks,
        enable_model_summary=False,
        enable_checkpointing=False,
    )
    trainer.fit(Regression(), loader, loader)
    return trainer


def test_trainer_fit_draws_the_default_tqdm_bar(tmp_path, capsys):
    trainer = tiny_fit(tmp_path, callbacks=None)
    assert sum(isinstance(c, TQDMProgressBar) for c in trainer.callbacks) == 1
    out = capsys.readouterr().out
    final = last_state(out, "Epoch 1: 100%")
    assert re.match(r"Epoch 1: 100%\|.*\| 3/3 \[", final), final  # the training batches
    val_loss = float(trainer.progress_bar_metrics["val_loss"])
    train_loss = float(trainer.progress_bar_metrics["train_loss"])
    expected = (
        f"v_num=0, train_loss={_format_num(str, f'{train_loss:.3g}')}, "
        f"val_loss={_format_num(str, f'{val_loss:.3g}')}]"
    )
    assert final.endswith(expected), (final, expected)
    assert "Sanity Checking DataLoader 0: 100%" in out


def test_trainer_fit_draws_a_rich_bar(tmp_path):
    buffer = io.StringIO()
    trainer = tiny_fit(tmp_path, callbacks=[rich_bar(buffer)])
    (line,) = [line for line in buffer.getvalue().splitlines() if line.startswith("Epoch")]
    assert line.startswith("Epoch 1/1") and " 3/3 " in line
    val_loss = float(trainer.progress_bar_metrics["val_loss"])
    assert line.rstrip().endswith(f"val_loss: {val_loss:.3f}")
