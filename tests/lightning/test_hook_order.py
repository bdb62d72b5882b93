"""The order of every hook call (module, datamodule, callback) in fit / validate / test /
predict, against explicit lists. A hook is recorded when it is entered; nested calls (the
closure inside ``optimizer_step``) follow the hook that runs them."""

from __future__ import annotations

import pytest

import ember
import ember_lightning as L
from ember.utils.data import DataLoader, TensorDataset
from ember_lightning.callbacks import Callback

MODEL_HOOKS = [
    "prepare_data",
    "setup",
    "teardown",
    "configure_model",
    "configure_callbacks",
    "configure_optimizers",
    "on_fit_start",
    "on_fit_end",
    "on_train_start",
    "on_train_end",
    "on_train_epoch_start",
    "on_train_epoch_end",
    "on_train_batch_start",
    "on_train_batch_end",
    "on_validation_start",
    "on_validation_end",
    "on_validation_epoch_start",
    "on_validation_epoch_end",
    "on_validation_batch_start",
    "on_validation_batch_end",
    "on_validation_model_zero_grad",
    "on_validation_model_eval",
    "on_validation_model_train",
    "on_test_start",
    "on_test_end",
    "on_test_epoch_start",
    "on_test_epoch_end",
    "on_test_batch_start",
    "on_test_batch_end",
    "on_test_model_eval",
    "on_test_model_train",
    "on_predict_start",
    "on_predict_end",
    "on_predict_epoch_start",
    "on_predict_epoch_end",
    "on_predict_batch_start",
    "on_predict_batch_end",
    "on_predict_model_eval",
    "on_before_batch_transfer",
    "transfer_batch_to_device",
    "on_after_batch_transfer",
    "training_step",
    "validation_step",
    "test_step",
    "predict_step",
    "on_before_zero_grad",
    "optimizer_zero_grad",
    "on_before_backward",
    "backward",
    "on_after_backward",
    "on_before_optimizer_step",
    "configure_gradient_clipping",
    "optimizer_step",
    "lr_scheduler_step",
    "on_save_checkpoint",
    "on_load_checkpoint",
    "train_dataloader",
    "val_dataloader",
    "test_dataloader",
    "predict_dataloader",
]
DATAMODULE_HOOKS = [
    "prepare_data",
    "setup",
    "teardown",
    "train_dataloader",
    "val_dataloader",
    "test_dataloader",
    "predict_dataloader",
    "state_dict",
    "load_state_dict",
]
CALLBACK_HOOKS = sorted(
    name for name, value in vars(Callback).items() if callable(value) and not name.startswith("_")
)


def _data(n):
    g = ember.Generator().manual_seed(0)
    x = ember.randn(n, 3, generator=g)
    return DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=2)


def _recording(base, names, prefix):
    """A subclass of ``base`` whose hooks ``names`` append ``prefix + name`` to self.called."""

    def make(name):
        def hook(self, *args, **kwargs):
            self.called.append(prefix + name)
            return getattr(super(cls, self), name)(*args, **kwargs)

        return hook

    cls = type(f"Recording{base.__name__}", (base,), {n: make(n) for n in names})
    return cls


class _Model(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = ember.nn.Linear(3, 1)

    def forward(self, x):
        return self.layer(x)

    def training_step(self, batch, batch_idx):
        return ember.nn.functional.mse_loss(self(batch[0]), batch[1])

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", ember.nn.functional.mse_loss(self(batch[0]), batch[1]))

    def test_step(self, batch, batch_idx):
        self.log("test_loss", ember.nn.functional.mse_loss(self(batch[0]), batch[1]))

    def predict_step(self, batch, batch_idx, dataloader_idx=0):
        return self(batch[0])

    def configure_optimizers(self):
        opt = ember.optim.SGD(self.parameters(), lr=0.1)
        return [opt], [ember.optim.lr_scheduler.StepLR(opt, step_size=1)]

    def train_dataloader(self):
        return _data(4)

    def val_dataloader(self):
        return _data(2)

    def test_dataloader(self):
        return _data(2)

    def predict_dataloader(self):
        return _data(2)


class _DataModule(L.LightningDataModule):
    def train_dataloader(self):
        return _data(4)

    def val_dataloader(self):
        return _data(2)

    def test_dataloader(self):
        return _data(2)

    def predict_dataloader(self):
        return _data(2)

    def state_dict(self):
        return {"seen": 1}


class _Callback(Callback):
    @property
    def state_key(self):  # the same for the recording subclass
        return "_Callback"

    def state_dict(self):
        return {"calls": 1}


def _setup(use_datamodule):
    called = []
    model = _recording(_Model, MODEL_HOOKS, "")()
    model.called = called
    callback = _recording(_Callback, CALLBACK_HOOKS, "Callback.")()
    callback.called = called
    datamodule = None
    if use_datamodule:
        datamodule = _recording(_DataModule, DATAMODULE_HOOKS, "dm.")()
        datamodule.called = called
    return called, model, callback, datamodule


def _trainer(tmp_path, callback, **kwargs):
    return L.Trainer(
        default_root_dir=tmp_path,
        callbacks=[callback],
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        **kwargs,
    )


def _batch(stage, i, step_name=None):
    return [
        "on_before_batch_transfer",
        "transfer_batch_to_device",
        "on_after_batch_transfer",
        f"Callback.on_{stage}_batch_start",
        f"on_{stage}_batch_start",
        step_name or f"{stage}_step",
        f"Callback.on_{stage}_batch_end",
        f"on_{stage}_batch_end",
    ]


def _evaluation(stage, batches, loader_hook=None):
    out = [loader_hook] if loader_hook else []
    out += [
        f"on_{stage}_model_eval",
        f"Callback.on_{stage}_start",
        f"on_{stage}_start",
        f"Callback.on_{stage}_epoch_start",
        f"on_{stage}_epoch_start",
    ]
    for i in range(batches):
        out += _batch(stage, i)
    out += [
        f"Callback.on_{stage}_epoch_end",
        f"on_{stage}_epoch_end",
        f"Callback.on_{stage}_end",
        f"on_{stage}_end",
        f"on_{stage}_model_train",
    ]
    return out


def _train_batch(i, last):
    return [
        "on_before_batch_transfer",
        "transfer_batch_to_device",
        "on_after_batch_transfer",
        "Callback.on_train_batch_start",
        "on_train_batch_start",
        "optimizer_step",
        "training_step",
        "Callback.on_before_zero_grad",
        "on_before_zero_grad",
        "optimizer_zero_grad",
        "Callback.on_before_backward",
        "on_before_backward",
        "backward",
        "Callback.on_after_backward",
        "on_after_backward",
        "Callback.on_before_optimizer_step",
        "on_before_optimizer_step",
        "configure_gradient_clipping",
        *(["lr_scheduler_step"] if last else []),
        "Callback.on_train_batch_end",
        "on_train_batch_end",
    ]


def _start(stage, dm):
    return [
        "configure_callbacks",
        *(["dm.prepare_data"] if dm else []),
        "prepare_data",
        *(["dm.setup"] if dm else []),
        "Callback.setup",
        "setup",
        "configure_model",
    ]


def _end(stage, dm):
    return [*(["dm.teardown"] if dm else []), "Callback.teardown", "teardown"]


@pytest.mark.parametrize("use_datamodule", [False, True], ids=["model_data", "datamodule"])
def test_fit_hook_order(tmp_path, use_datamodule):
    called, model, callback, dm = _setup(use_datamodule)
    trainer = _trainer(tmp_path, callback, max_epochs=2, limit_val_batches=1)
    trainer.fit(model, datamodule=dm)
    loader = "dm." if use_datamodule else ""
    val_in_fit = _evaluation("validation", 1)
    val_in_fit.insert(0, "on_validation_model_zero_grad")
    checkpoint = [
        "Callback.state_dict",
        *(["dm.state_dict"] if dm else []),
        "Callback.on_save_checkpoint",
        "on_save_checkpoint",
    ]
    epoch = []
    for _ in range(2):
        epoch += ["Callback.on_train_epoch_start", "on_train_epoch_start"]
        epoch += _train_batch(0, last=False) + _train_batch(1, last=True)
        epoch += val_in_fit
        epoch += ["Callback.on_train_epoch_end", "on_train_epoch_end", *checkpoint]
    expected = [
        *_start("fit", dm),
        "configure_optimizers",
        "Callback.on_fit_start",
        "on_fit_start",
        "Callback.on_sanity_check_start",
        *_evaluation("validation", 1, loader_hook=loader + "val_dataloader"),
        "Callback.on_sanity_check_end",
        loader + "train_dataloader",
        "Callback.on_train_start",
        "on_train_start",
        *epoch,
        "Callback.on_train_end",
        "on_train_end",
        "Callback.on_fit_end",
        "on_fit_end",
        *_end("fit", dm),
    ]
    assert called == expected


def test_fit_resume_hook_order(tmp_path):
    first = L.Trainer(
        default_root_dir=tmp_path,
        max_epochs=1,
        limit_val_batches=0,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[_Callback()],
    )
    first.fit(_Model())
    path = first.checkpoint_callback.best_model_path
    called, model, callback, _ = _setup(False)
    trainer = _trainer(tmp_path, callback, max_epochs=2, limit_val_batches=0)
    trainer.fit(model, ckpt_path=path)
    epoch = [
        "Callback.on_train_epoch_start",
        "on_train_epoch_start",
        *_train_batch(0, last=False),
        *_train_batch(1, last=True),
        "Callback.on_train_epoch_end",
        "on_train_epoch_end",
        "Callback.state_dict",
        "Callback.on_save_checkpoint",
        "on_save_checkpoint",
    ]
    expected = [
        *_start("fit", False),
        "on_load_checkpoint",
        "Callback.on_load_checkpoint",
        "Callback.load_state_dict",
        "configure_optimizers",
        "Callback.on_fit_start",
        "on_fit_start",
        "train_dataloader",
        "Callback.on_train_start",
        "on_train_start",
        *epoch,  # only the second epoch: the first was done before the checkpoint
        "Callback.on_train_end",
        "on_train_end",
        "Callback.on_fit_end",
        "on_fit_end",
        *_end("fit", False),
    ]
    assert called == expected
    assert trainer.current_epoch == 2 and trainer.global_step == 4


@pytest.mark.parametrize("use_datamodule", [False, True], ids=["model_data", "datamodule"])
@pytest.mark.parametrize(
    ("verb", "stage", "loader"), [("validate", "validation", "val"), ("test", "test", "test")]
)
def test_evaluation_hook_order(tmp_path, use_datamodule, verb, stage, loader):
    called, model, callback, dm = _setup(use_datamodule)
    trainer = _trainer(tmp_path, callback)
    getattr(trainer, verb)(model, datamodule=dm, verbose=False)
    prefix = "dm." if use_datamodule else ""
    expected = [
        *_start(verb, dm),
        *_evaluation(stage, 1, loader_hook=f"{prefix}{loader}_dataloader"),
        *_end(verb, dm),
    ]
    assert called == expected


@pytest.mark.parametrize("use_datamodule", [False, True], ids=["model_data", "datamodule"])
def test_predict_hook_order(tmp_path, use_datamodule):
    called, model, callback, dm = _setup(use_datamodule)
    trainer = _trainer(tmp_path, callback)
    predictions = trainer.predict(model, datamodule=dm)
    assert len(predictions) == 1 and tuple(predictions[0].shape) == (2, 1)
    prefix = "dm." if use_datamodule else ""
    expected = [
        *_start("predict", dm),
        f"{prefix}predict_dataloader",
        "on_predict_model_eval",
        "Callback.on_predict_start",
        "on_predict_start",
        "Callback.on_predict_epoch_start",
        "on_predict_epoch_start",
        *_batch("predict", 0),
        "Callback.on_predict_epoch_end",
        "on_predict_epoch_end",
        "Callback.on_predict_end",
        "on_predict_end",
        *_end("predict", dm),
    ]
    assert called == expected


def test_exception_hook(tmp_path):
    class Boom(_Model):
        def training_step(self, batch, batch_idx):
            raise ValueError("boom")

    seen = []

    class Catcher(Callback):
        def on_exception(self, trainer, pl_module, exception):
            seen.append(type(exception).__name__)

    trainer = L.Trainer(
        default_root_dir=tmp_path,
        max_epochs=1,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[Catcher()],
    )
    with pytest.raises(ValueError, match=r"boom"):
        trainer.fit(Boom())
    assert seen == ["ValueError"]
    assert trainer.interrupted
