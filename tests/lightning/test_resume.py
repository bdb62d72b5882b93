"""Checkpoints: their content, exact resume, ckpt_path ("best", "last", a path),
load_from_checkpoint and save_hyperparameters."""

from __future__ import annotations

import random

import numpy as np
import pytest

import ember
import ember_lightning as L
from ember import nn
from ember.utils.data import DataLoader, TensorDataset
from ember_lightning.callbacks import Callback, ModelCheckpoint


def _dataset():
    g = ember.Generator().manual_seed(123)
    x = ember.randn(24, 5, generator=g)
    y = (x[:, :1] * 2 - x[:, 1:2]).detach()
    return TensorDataset(x, y)


class NoisyModel(L.LightningModule):
    """Dropout (ember RNG), NumPy and Python random draws in training_step, momentum SGD and a
    StepLR scheduler: every kind of state that exact resume must carry."""

    def __init__(self, hidden: int = 8, lr: float = 0.05, seeded_loader: bool = True):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Linear(5, hidden), nn.Tanh(), nn.Dropout(0.3), nn.Linear(hidden, 1)
        )

    def forward(self, x):
        return self.net(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        scale = 1.0 + 0.01 * float(np.random.rand()) + 0.01 * random.random()
        loss = nn.functional.mse_loss(self(x), y) * scale
        self.log("train_loss", loss, on_epoch=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", nn.functional.mse_loss(self(x), y))

    def configure_optimizers(self):
        opt = ember.optim.SGD(self.parameters(), lr=self.hparams.lr, momentum=0.9)
        return [opt], [ember.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)]

    def train_dataloader(self):
        generator = ember.Generator().manual_seed(7) if self.hparams.seeded_loader else None
        return DataLoader(_dataset(), batch_size=5, shuffle=True, generator=generator)

    def val_dataloader(self):
        return DataLoader(_dataset(), batch_size=12)


def _trainer(tmp_path, max_epochs, **kwargs):
    return L.Trainer(
        default_root_dir=tmp_path,
        max_epochs=max_epochs,
        logger=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        **kwargs,
    )


def _params(model):
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("seeded_loader", [True, False], ids=["loader_generator", "global_rng"])
def test_exact_resume_at_epoch_boundary(tmp_path, seeded_loader):
    L.seed_everything(3, verbose=False)
    full = NoisyModel(seeded_loader=seeded_loader)
    _trainer(tmp_path / "full", 4).fit(full)

    L.seed_everything(3, verbose=False)
    part = NoisyModel(seeded_loader=seeded_loader)
    checkpoint = ModelCheckpoint(dirpath=tmp_path / "ckpt", save_last=True)
    _trainer(tmp_path / "part", 2, callbacks=[checkpoint]).fit(part)
    # disturb every random state: the checkpoint must bring them back
    L.seed_everything(999, verbose=False)
    resumed = NoisyModel(seeded_loader=seeded_loader)
    trainer = _trainer(
        tmp_path / "part", 4, callbacks=[ModelCheckpoint(dirpath=tmp_path / "ckpt", save_last=True)]
    )
    trainer.fit(resumed, ckpt_path="last")

    assert trainer.current_epoch == 4
    assert trainer.global_step == 4 * 5
    expected, got = _params(full), _params(resumed)
    assert expected.keys() == got.keys()
    for key in expected:
        np.testing.assert_array_equal(got[key], expected[key], err_msg=key)
    # the scheduler state was restored too: lr = 0.05 * 0.5 ** (4 // 2)
    assert trainer.optimizers[0].param_groups[0]["lr"] == pytest.approx(0.0125)


def test_resume_without_random_states_would_differ(tmp_path):
    """The exact-resume test can fail: resuming with only the weights gives other numbers."""
    L.seed_everything(3, verbose=False)
    full = NoisyModel()
    _trainer(tmp_path / "full", 3).fit(full)
    L.seed_everything(3, verbose=False)
    part = NoisyModel()
    _trainer(tmp_path / "part", 2).fit(part)
    L.seed_everything(999, verbose=False)
    continued = NoisyModel()
    continued.load_state_dict(part.state_dict())
    _trainer(tmp_path / "cont", 1, num_sanity_val_steps=0).fit(continued)
    assert not np.array_equal(_params(full)["net.0.weight"], _params(continued)["net.0.weight"])


def test_resume_mid_epoch_continues_the_epoch(tmp_path):
    every_3 = ModelCheckpoint(dirpath=tmp_path / "ck", every_n_train_steps=3, save_top_k=-1)
    _trainer(tmp_path, 1, callbacks=[every_3]).fit(NoisyModel())
    mid = str(tmp_path / "ck" / "epoch=0-step=3.ckpt")
    assert ember.load(mid)["loops"]["fit_loop"]["epoch_loop"]["batch_idx"] == 3
    batches = []

    class Count(Callback):
        def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
            batches.append((trainer.current_epoch, batch_idx))

    trainer = _trainer(tmp_path, 2, callbacks=[Count()], enable_checkpointing=False)
    trainer.fit(NoisyModel(), ckpt_path=mid)
    assert batches == [(0, 3), (0, 4)] + [(1, i) for i in range(5)]
    assert trainer.global_step == 10 and trainer.current_epoch == 2


def test_checkpoint_contents(tmp_path):
    L.seed_everything(0, verbose=False)
    model = NoisyModel(hidden=6)
    trainer = _trainer(tmp_path, 2)
    trainer.fit(model)
    path = trainer.checkpoint_callback.best_model_path
    assert path.endswith("epoch=1-step=10.ckpt")
    ckpt = ember.load(path)
    for key in (
        "format_version",
        "epoch",
        "global_step",
        "state_dict",
        "optimizer_states",
        "lr_schedulers",
        "loops",
        "callbacks",
        "hyper_parameters",
        "rng_states",
        "train_sampler_generator",
        "ember_lightning_version",
    ):
        assert key in ckpt, key
    assert ckpt["format_version"] == 1
    assert ckpt["epoch"] == 1 and ckpt["global_step"] == 10
    assert ckpt["hyper_parameters"] == {"hidden": 6, "lr": 0.05, "seeded_loader": True}
    assert set(ckpt["rng_states"]) == {"python", "numpy", "ember"}
    assert len(ckpt["optimizer_states"]) == 1 and len(ckpt["lr_schedulers"]) == 1
    assert ckpt["lr_schedulers"][0]["last_epoch"] == 2
    state_key = trainer.checkpoint_callback.state_key
    assert ckpt["callbacks"][state_key]["best_model_path"] == path
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(ckpt["state_dict"][name].numpy(), value.numpy())


def test_save_weights_only(tmp_path):
    trainer = _trainer(
        tmp_path, 1, callbacks=[ModelCheckpoint(save_weights_only=True)], num_sanity_val_steps=0
    )
    trainer.fit(NoisyModel())
    ckpt = ember.load(trainer.checkpoint_callback.best_model_path)
    assert "optimizer_states" not in ckpt and "callbacks" not in ckpt
    assert "state_dict" in ckpt and "hyper_parameters" in ckpt
    with pytest.raises(KeyError, match=r"holds only weights"):
        _trainer(tmp_path, 2).fit(
            NoisyModel(), ckpt_path=trainer.checkpoint_callback.best_model_path
        )


def test_on_save_and_load_checkpoint_hooks(tmp_path):
    class Extra(NoisyModel):
        def on_save_checkpoint(self, checkpoint):
            checkpoint["extra"] = [1, 2, 3]

        def on_load_checkpoint(self, checkpoint):
            self.loaded_extra = checkpoint["extra"]

    class Counter(Callback):
        def __init__(self):
            self.count = 0

        def on_train_batch_end(self, *args):
            self.count += 1

        def state_dict(self):
            return {"count": self.count}

        def load_state_dict(self, state_dict):
            self.count = state_dict["count"]

    trainer = _trainer(tmp_path, 1, callbacks=[Counter()], num_sanity_val_steps=0)
    trainer.fit(Extra())
    path = trainer.checkpoint_callback.best_model_path
    assert ember.load(path)["extra"] == [1, 2, 3]
    counter = Counter()
    resumed = Extra()
    _trainer(tmp_path, 2, callbacks=[counter], num_sanity_val_steps=0).fit(resumed, ckpt_path=path)
    assert resumed.loaded_extra == [1, 2, 3]
    assert counter.count == 10  # 5 restored + 5 of the second epoch


def test_ckpt_path_best_and_path_for_evaluation(tmp_path):
    L.seed_everything(0, verbose=False)
    model = NoisyModel()
    checkpoint = ModelCheckpoint(monitor="val_loss", save_top_k=1)
    trainer = _trainer(tmp_path, 3, callbacks=[checkpoint])
    trainer.fit(model)
    best = ember.load(checkpoint.best_model_path)["state_dict"]
    after_fit = _params(model)
    trainer.validate(ckpt_path="best", verbose=False)
    assert trainer.ckpt_path == checkpoint.best_model_path
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), best[name].numpy())
    # an explicit path loads that file's weights
    model.load_state_dict({k: ember.tensor(v) for k, v in after_fit.items()})
    results = trainer.validate(model, ckpt_path=checkpoint.best_model_path, verbose=False)
    assert results[0]["val_loss"] == pytest.approx(float(checkpoint.best_model_score), rel=1e-6)


def test_ckpt_path_errors(tmp_path):
    trainer = _trainer(tmp_path, 1, enable_checkpointing=False, num_sanity_val_steps=0)
    model = NoisyModel()
    with pytest.raises(FileNotFoundError, match=r"nope.ckpt"):
        trainer.fit(model, ckpt_path=tmp_path / "nope.ckpt")
    with pytest.raises(ValueError, match=r'fit\(ckpt_path="best"\)` is not supported'):
        trainer.fit(model, ckpt_path="best")
    with pytest.raises(ValueError, match=r"ModelCheckpoint` is not configured"):
        trainer.validate(model, ckpt_path="best")
    with pytest.warns(UserWarning, match=r"no last checkpoint"):
        trainer.fit(model, ckpt_path="last")
    assert trainer.current_epoch == 1


def test_load_from_checkpoint(tmp_path):
    L.seed_everything(0, verbose=False)
    model = NoisyModel(hidden=7, lr=0.02)
    trainer = _trainer(tmp_path, 1, num_sanity_val_steps=0)
    trainer.fit(model)
    path = trainer.checkpoint_callback.best_model_path
    loaded = NoisyModel.load_from_checkpoint(path)
    assert loaded.hparams.hidden == 7 and loaded.hparams.lr == 0.02
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(loaded.state_dict()[name].numpy(), value.numpy())
    # keyword arguments override the saved hyperparameters
    assert NoisyModel.load_from_checkpoint(path, lr=0.5).hparams.lr == 0.5
    with pytest.raises(RuntimeError, match=r"size mismatch|shape"):
        NoisyModel.load_from_checkpoint(path, hidden=3)


def test_trainer_save_checkpoint_needs_model(tmp_path):
    with pytest.raises(RuntimeError, match=r"only possible if a model is attached"):
        _trainer(tmp_path, 1).save_checkpoint(tmp_path / "x.ckpt")
