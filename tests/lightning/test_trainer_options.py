"""Trainer options: device, precision, anomaly detection, inference mode, determinism,
built-in callbacks, and the errors for wrong arguments and wrong data."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember_lightning as L
from ember.utils.data import TensorDataset
from ember_lightning.callbacks import (
    Callback,
    ModelCheckpoint,
    ModelSummary,
    ProgressBar,
    Timer,
    TQDMProgressBar,
)
from ember_lightning.utilities import MisconfigurationException


def test_accelerator_auto_and_cpu():
    assert L.Trainer(logger=False).root_device == ember.device("cpu") or ember.cuda.is_available()
    assert L.Trainer(logger=False, accelerator="cpu", devices=1).root_device.type == "cpu"


@pytest.mark.skipif(ember.cuda.is_available(), reason="checks the error without a GPU")
@pytest.mark.parametrize("accelerator", ["gpu", "cuda"], ids=["gpu", "cuda_alias"])
def test_gpu_without_gpu_is_a_clear_error(accelerator):
    with pytest.raises(MisconfigurationException, match=r"asks for a GPU, but none is available"):
        L.Trainer(accelerator=accelerator)


def test_accelerator_and_devices_errors():
    with pytest.raises(MisconfigurationException, match=r"unknown accelerator; expected one of"):
        L.Trainer(accelerator="tpu")
    # two devices mean two processes, which a launcher must have started
    with pytest.raises(MisconfigurationException, match=r"trains on 2 processes, but the launc"):
        L.Trainer(accelerator="cpu", devices=2)
    with pytest.raises(MisconfigurationException, match=r"unknown strategy; expected one of"):
        L.Trainer(strategy="fsdp")


@pytest.mark.parametrize("precision", ["bf17", "32-mixed", 8, None.__class__])
def test_unknown_precision_lists_the_valid_ones(precision):
    with pytest.raises(
        ValueError, match=r"is invalid. Allowed precision values: \['32-true', '64-true'"
    ):
        L.Trainer(precision=precision)


@pytest.mark.parametrize("precision", ["16-mixed", 16])
def test_float16_mixed_precision_needs_a_gpu(precision):
    if ember.cuda.is_available():
        pytest.skip("checks the CPU error")
    with pytest.raises(MisconfigurationException, match="float16 mixed precision needs a GPU"):
        L.Trainer(accelerator="cpu", precision=precision)


def test_bf16_mixed_on_cpu(boring_model, quiet):
    import importlib.util

    if importlib.util.find_spec("ml_dtypes") is None:
        with pytest.raises(MisconfigurationException, match="needs the ml_dtypes package"):
            L.Trainer(accelerator="cpu", precision="bf16-mixed")
        return
    dtypes = []

    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            dtypes.append(self(batch[0]).dtype)
            return super().training_step(batch, batch_idx)

    trainer = L.Trainer(logger=False, accelerator="cpu", precision="bf16", max_epochs=1, **quiet)
    model = Model()
    trainer.fit(model)
    assert set(dtypes) == {ember.bfloat16} and model.layer.weight.dtype == ember.float32


def _fp16_on_cpu(quiet, init_scale=2.0**10, **kwargs):
    """A trainer with the float16 plugin on the CPU (the Trainer only offers it on a GPU;
    ember.amp computes float16 on the CPU too, which lets the scaler logic run here)."""
    from ember_lightning.trainer.precision import MixedPrecision

    trainer = L.Trainer(logger=False, **quiet, **kwargs)
    scaler = ember.amp.GradScaler("cpu", init_scale=init_scale, growth_interval=2)
    trainer.precision_plugin = MixedPrecision("16-mixed", "cpu", scaler=scaler)
    return trainer


def test_float16_mixed_plugin(boring_model, quiet):
    seen = {"dtypes": set(), "grads": []}

    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            seen["dtypes"].add(self(batch[0]).dtype)
            return super().training_step(batch, batch_idx)

        def on_before_optimizer_step(self, optimizer):
            seen["grads"].append(self.layer.weight.grad.detach().numpy().copy())

    mixed, plain = Model(), Model()
    plain.load_state_dict(mixed.state_dict())
    trainer = _fp16_on_cpu(quiet, max_epochs=1)
    trainer.fit(mixed)
    mixed_grads, seen["grads"] = seen["grads"], []
    assert seen["dtypes"] == {ember.float16}
    L.Trainer(logger=False, max_epochs=1, enable_checkpointing=False, **quiet).fit(plain)
    # the hooks see unscaled gradients, close to the float32 ones
    np.testing.assert_allclose(mixed_grads[0], seen["grads"][0], rtol=2e-2, atol=2e-3)
    np.testing.assert_allclose(
        mixed.layer.weight.detach().numpy(), plain.layer.weight.detach().numpy(), atol=2e-2
    )
    scaler = trainer.precision_plugin.scaler
    assert scaler.get_scale() == 2.0**12  # grown twice in 4 clean steps (growth_interval=2)
    checkpoint = ember.load(trainer.checkpoint_callback.best_model_path)
    assert checkpoint["MixedPrecision"]["scale"] == 2.0**12


def test_float16_mixed_resume_restores_the_scaler(boring_model, quiet):
    first = _fp16_on_cpu(quiet, max_epochs=1)
    first.fit(boring_model())
    path = first.checkpoint_callback.best_model_path
    resumed = _fp16_on_cpu(quiet, init_scale=1.0, max_epochs=2)
    resumed.fit(boring_model(), ckpt_path=path)
    assert resumed.precision_plugin.scaler.get_scale() == 2.0**14


@pytest.mark.parametrize("precision", ["32-true", "32", 32])
def test_precision_32(boring_model, quiet, precision):
    trainer = L.Trainer(logger=False, precision=precision, max_epochs=1, **quiet)
    model = boring_model()
    trainer.fit(model)
    assert trainer.precision == "32-true" and model.layer.weight.dtype == ember.float32


@pytest.mark.parametrize("precision", ["64-true", "64", 64])
def test_precision_64(boring_model, quiet, precision):
    dtypes = []

    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            dtypes.append((batch[0].dtype, self.layer.weight.dtype))
            return super().training_step(batch, batch_idx)

    trainer = L.Trainer(logger=False, precision=precision, max_epochs=1, **quiet)
    model = Model()
    trainer.fit(model)
    assert trainer.precision == "64-true"
    assert set(dtypes) == {(ember.float64, ember.float64)}
    prediction = trainer.predict(model)[0]
    assert prediction.dtype == ember.float64


def test_detect_anomaly(boring_model, quiet):
    seen = []

    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            seen.append(ember.autograd.is_anomaly_enabled())
            return super().training_step(batch, batch_idx)

    for flag in (True, False):
        L.Trainer(
            logger=False, max_epochs=1, limit_train_batches=1, detect_anomaly=flag, **quiet
        ).fit(Model())
    assert seen == [True, False]
    assert not ember.autograd.is_anomaly_enabled()


def test_detect_anomaly_finds_nan_in_backward(boring_model, quiet):
    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            return (self(batch[0]) * 0).sqrt().sum()  # d sqrt(0) = inf, times 0 = nan

    with pytest.raises(RuntimeError, match=r"nan|NaN"):
        L.Trainer(logger=False, max_epochs=1, detect_anomaly=True, **quiet).fit(Model())


@pytest.mark.parametrize("inference_mode", [True, False])
def test_inference_mode(boring_model, quiet, inference_mode):
    seen = []

    class Model(boring_model):
        def validation_step(self, batch, batch_idx):
            seen.append((ember.is_inference_mode_enabled(), ember.is_grad_enabled()))
            return super().validation_step(batch, batch_idx)

    L.Trainer(logger=False, inference_mode=inference_mode, **quiet).validate(Model(), verbose=False)
    assert set(seen) == {(inference_mode, False)}


def test_deterministic():
    L.Trainer(logger=False, deterministic=True)
    assert ember.are_deterministic_algorithms_enabled()
    ember.use_deterministic_algorithms(False)


def test_default_callbacks(tmp_path):
    trainer = L.Trainer(default_root_dir=tmp_path, logger=False)
    kinds = [type(cb) for cb in trainer.callbacks]
    assert kinds == [TQDMProgressBar, ModelSummary, ModelCheckpoint]
    assert isinstance(trainer.progress_bar_callback, ProgressBar)
    off = L.Trainer(
        default_root_dir=tmp_path,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        enable_checkpointing=False,
    )
    assert off.callbacks == [] and off.checkpoint_callback is None
    assert off.progress_bar_callback is None


def test_given_callbacks_keep_order_and_checkpoints_go_last(tmp_path):
    checkpoint, timer, bar = ModelCheckpoint(), Timer(), TQDMProgressBar()
    trainer = L.Trainer(
        default_root_dir=tmp_path,
        logger=False,
        callbacks=[checkpoint, timer, bar],
        enable_model_summary=False,
    )
    assert trainer.callbacks == [timer, bar, checkpoint]


def test_callback_conflicts(tmp_path):
    with pytest.raises(MisconfigurationException, match=r"enable_checkpointing=False` but found"):
        L.Trainer(logger=False, enable_checkpointing=False, callbacks=[ModelCheckpoint()])
    with pytest.raises(MisconfigurationException, match=r"enable_progress_bar=False` but found"):
        L.Trainer(logger=False, enable_progress_bar=False, callbacks=[TQDMProgressBar()])
    with pytest.raises(TypeError, match=r"expected Callback instances"):
        L.Trainer(logger=False, callbacks=[object()])


def test_configure_callbacks_replaces_same_type(boring_model, quiet):
    mine = ModelCheckpoint(monitor="val_loss")

    class Model(boring_model):
        def configure_callbacks(self):
            return [mine]

    trainer = L.Trainer(logger=False, max_epochs=1, **quiet)
    trainer.fit(Model())
    assert trainer.checkpoint_callbacks == [mine]
    assert mine.best_model_path.endswith(".ckpt")


def test_max_time_adds_a_timer():
    trainer = L.Trainer(logger=False, max_time="00:00:01:00", enable_progress_bar=False)
    timers = [cb for cb in trainer.callbacks if isinstance(cb, Timer)]
    assert len(timers) == 1 and timers[0].time_remaining() == 60.0


@pytest.mark.parametrize("bad", [TensorDataset(ember.ones(4, 4)), ember.ones(4, 4), 3, "data"])
def test_wrong_dataloader_type(boring_model, quiet, bad):
    trainer = L.Trainer(logger=False, **quiet)
    with pytest.raises(
        TypeError,
        match=r"An invalid dataloader was passed to `Trainer.fit\(train_dataloaders=...\)`: got",
    ):
        trainer.fit(boring_model(), train_dataloaders=bad)
    with pytest.raises(TypeError, match=r"Trainer.validate\(dataloaders=...\)"):
        trainer.validate(boring_model(), dataloaders=bad)


def test_one_training_dataloader(boring_model, quiet, loader):
    with pytest.raises(TypeError, match="takes one training dataloader, got a list of 2"):
        L.Trainer(logger=False, **quiet).fit(boring_model(), [loader(), loader()])


def test_dataset_hint(boring_model, quiet):
    with pytest.raises(TypeError, match=r"wrap the dataset: DataLoader"):
        L.Trainer(logger=False, **quiet).fit(boring_model(), TensorDataset(ember.ones(4, 4)))


def test_missing_methods(boring_model, quiet):
    import ember_lightning.core.module as module_mod

    class NoStep(module_mod.LightningModule):
        def configure_optimizers(self):
            return None

    trainer = L.Trainer(logger=False, **quiet)
    with pytest.raises(MisconfigurationException, match=r"No `training_step\(\)` method defined"):
        trainer.fit(NoStep())

    class NoLoader(boring_model):
        train_dataloader = module_mod.LightningModule.train_dataloader

    with pytest.raises(MisconfigurationException, match=r"No `train_dataloader\(\)` method"):
        trainer.fit(NoLoader())
    with pytest.raises(MisconfigurationException, match=r"No `validation_step\(\)`"):
        trainer.validate(NoStep())
    with pytest.raises(TypeError, match=r"requires a `LightningModule`, got: Linear"):
        trainer.fit(ember.nn.Linear(2, 2))
    with pytest.raises(MisconfigurationException, match=r"must be provided to `trainer.test\(\)`"):
        L.Trainer(logger=False).test()


def test_datamodule_and_dataloaders_conflict(boring_model, quiet, loader):
    dm = L.LightningDataModule.from_datasets(train_dataset=loader().dataset, batch_size=4)
    with pytest.raises(MisconfigurationException, match=r"You cannot pass `train_dataloaders`"):
        L.Trainer(logger=False, **quiet).fit(boring_model(), loader(), datamodule=dm)


def test_no_optimizer_warns_and_runs_steps(boring_model, quiet):
    class Model(boring_model):
        def configure_optimizers(self):
            return None

    model = Model()
    before = model.layer.weight.detach().numpy().copy()
    with pytest.warns(UserWarning, match=r"returned `None`"):
        trainer = L.Trainer(logger=False, max_epochs=1, **quiet)
        trainer.fit(model)
    np.testing.assert_array_equal(model.layer.weight.detach().numpy(), before)
    assert trainer.global_step == 4


def test_trainer_state_and_properties(boring_model, quiet):
    stages = []

    class Model(boring_model):
        def training_step(self, batch, batch_idx):
            stages.append(("train", self.trainer.training, self.trainer.state.stage.value))
            return super().training_step(batch, batch_idx)

        def validation_step(self, batch, batch_idx):
            stages.append(("val", self.trainer.sanity_checking or self.trainer.validating))
            return super().validation_step(batch, batch_idx)

    trainer = L.Trainer(logger=False, max_epochs=1, limit_train_batches=1, **quiet)
    assert trainer.state.status.value == "initializing"
    trainer.fit(Model())
    assert stages[0] == ("val", True) and ("train", True, "train") in stages
    assert trainer.state.status.value == "finished" and trainer.state.stage is None
    assert trainer.is_global_zero and trainer.world_size == 1 and trainer.num_devices == 1
    assert trainer.default_root_dir == str(quiet["default_root_dir"])
    assert trainer.log_dir == trainer.default_root_dir  # no logger


def test_keyboard_interrupt_ends_gracefully(boring_model, quiet, recording_logger):
    seen = []

    class Interrupt(Callback):
        def on_train_batch_end(self, trainer, *args):
            raise KeyboardInterrupt

        def on_exception(self, trainer, pl_module, exception):
            seen.append(type(exception).__name__)

    trainer = L.Trainer(logger=recording_logger, callbacks=[Interrupt()], max_epochs=3, **quiet)
    assert trainer.fit(boring_model()) is None
    assert trainer.interrupted and trainer.global_step == 1
    assert seen == ["KeyboardInterrupt"] and recording_logger.finalized == ["failed"]
