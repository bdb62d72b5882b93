"""Fixtures shared by the trainer tests: a tiny model, tiny data, a recording logger.

The classes are handed out through fixtures (``boring_model``, ``recording_logger``) since
test modules are imported with ``--import-mode=importlib`` and cannot import each other.
"""

from __future__ import annotations

import pytest

import ember
from ember import nn
from ember.utils.data import DataLoader, TensorDataset


def make_dataset(n: int = 16, seed: int = 0, in_features: int = 4):
    """Inputs (n, in_features) and regression targets (n, 1) from a fixed linear map."""
    g = ember.Generator().manual_seed(seed)
    x = ember.randn(n, in_features, generator=g)
    w = ember.arange(1, in_features + 1, dtype=ember.float32).reshape(in_features, 1) / in_features
    return TensorDataset(x, x @ w)


def make_loader(n: int = 16, batch_size: int = 4, seed: int = 0, **kwargs):
    return DataLoader(make_dataset(n, seed), batch_size=batch_size, **kwargs)


def _boring_model_class():
    import ember_lightning as L

    class BoringModel(L.LightningModule):
        """Linear regression with SGD: logs train_loss / val_loss / test_loss."""

        def __init__(self, lr: float = 0.1):
            super().__init__()
            self.save_hyperparameters()
            self.layer = nn.Linear(4, 1)

        def forward(self, x):
            return self.layer(x)

        def loss(self, batch):
            x, y = batch
            return nn.functional.mse_loss(self(x), y)

        def training_step(self, batch, batch_idx):
            loss = self.loss(batch)
            self.log("train_loss", loss)
            return loss

        def validation_step(self, batch, batch_idx):
            loss = self.loss(batch)
            self.log("val_loss", loss)
            return {"x": loss}

        def test_step(self, batch, batch_idx):
            loss = self.loss(batch)
            self.log("test_loss", loss)
            return {"y": loss}

        def predict_step(self, batch, batch_idx, dataloader_idx=0):
            return self(batch[0])

        def configure_optimizers(self):
            return ember.optim.SGD(self.parameters(), lr=self.hparams.lr)

        def train_dataloader(self):
            return make_loader(16, 4)

        def val_dataloader(self):
            return make_loader(8, 4, seed=1)

        def test_dataloader(self):
            return make_loader(8, 4, seed=2)

        def predict_dataloader(self):
            return make_loader(8, 4, seed=3)

    return BoringModel


def _recording_logger_class():
    from ember_lightning.loggers.logger import Logger

    class RecordingLogger(Logger):
        """Keeps every call: ``metrics`` is a list of (step, dict), ``hparams`` of dicts."""

        def __init__(self):
            self.metrics = []
            self.hparams = []
            self.finalized = []
            self.saves = 0

        @property
        def name(self):
            return "recording"

        @property
        def version(self):
            return 0

        def log_metrics(self, metrics, step=None):
            self.metrics.append((step, dict(metrics)))

        def log_hyperparams(self, params, *args, **kwargs):
            self.hparams.append(dict(params))

        def save(self):
            self.saves += 1

        def finalize(self, status):
            self.finalized.append(status)

        def keys_logged(self):
            return {k for _, m in self.metrics for k in m}

    return RecordingLogger


@pytest.fixture
def boring_model():
    """The BoringModel class (a tiny LightningModule)."""
    return _boring_model_class()


@pytest.fixture
def recording_logger():
    """A fresh RecordingLogger instance."""
    return _recording_logger_class()()


@pytest.fixture
def loader():
    """``make_loader(n=16, batch_size=4, seed=0, **kwargs)``."""
    return make_loader


@pytest.fixture
def quiet(tmp_path):
    """Trainer keyword arguments for a quiet run in tmp_path (no bar, no summary)."""
    return {
        "default_root_dir": tmp_path,
        "enable_progress_bar": False,
        "enable_model_summary": False,
    }
