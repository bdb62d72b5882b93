"""Quickstart: train a small convnet on handwritten digits with the Trainer.

The data is the UCI digits set that ships with scikit-learn (1,797 grayscale 8x8 images, no
download; the example needs ember-vision and scikit-learn, both in the workspace). The
Trainer shows a progress bar, keeps the checkpoint with the best validation accuracy, writes
metrics.csv and a plot of the curves, and tests the best checkpoint. 10 epochs take about 15
seconds on 2 CPU cores and reach 98.6% test accuracy.

    uv run python examples/quickstart.py
    uv run python examples/quickstart.py --max-epochs 3   # a quicker look
"""

from __future__ import annotations

import argparse
import os

import ember
import ember_lightning as L
from ember import nn
from ember.utils.data import DataLoader, random_split
from ember_lightning.callbacks import LearningRateMonitor, ModelCheckpoint


class DigitsData(L.LightningDataModule):
    """Digits as float tensors in [0, 1]: 1,237 images to train, 200 to validate, 360 to test."""

    def __init__(self, batch_size: int = 32):
        super().__init__()
        self.save_hyperparameters()

    def setup(self, stage: str) -> None:
        from ember_vision.datasets import Digits
        from ember_vision.transforms import v2

        to_tensor = v2.Compose([v2.ToImage(), v2.ToDtype(ember.float32, scale=True)])
        full = Digits(root=None, train=True, transform=to_tensor)
        split = ember.Generator().manual_seed(0)
        self.train_set, self.val_set = random_split(full, [1237, 200], generator=split)
        self.test_set = Digits(root=None, train=False, transform=to_tensor)

    def train_dataloader(self):
        shuffle = ember.Generator().manual_seed(1)
        return DataLoader(
            self.train_set, batch_size=self.hparams.batch_size, shuffle=True, generator=shuffle
        )

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=200)

    def test_dataloader(self):
        return DataLoader(self.test_set, batch_size=360)


class DigitsNet(L.LightningModule):
    """Two 3x3 convolutions, a max-pool and two linear layers; Adam with a cosine schedule."""

    def __init__(self, lr: float = 3e-3, channels: int = 32):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(
            nn.Conv2d(1, channels // 2, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(channels // 2, channels, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(channels * 4 * 4, 64),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.net(x)

    def _step(self, batch, stage: str):
        images, labels = batch
        logits = self(images)
        loss = nn.functional.cross_entropy(logits, labels)
        accuracy = (logits.argmax(dim=1) == labels).float().mean()
        on_step = stage == "train"
        self.log(f"{stage}_loss", loss, on_step=on_step, on_epoch=True, prog_bar=stage != "test")
        self.log(f"{stage}_acc", accuracy, on_step=False, on_epoch=True, prog_bar=True)
        return loss

    def training_step(self, batch, batch_idx):
        return self._step(batch, "train")

    def validation_step(self, batch, batch_idx):
        self._step(batch, "val")

    def test_step(self, batch, batch_idx):
        self._step(batch, "test")

    def configure_optimizers(self):
        optimizer = ember.optim.Adam(self.parameters(), lr=self.hparams.lr)
        schedule = ember.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=self.trainer.estimated_stepping_batches
        )
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}


def main(
    max_epochs: int = 10,
    root_dir: str = "lightning_runs/quickstart",
    enable_progress_bar: bool = True,
    limit_train_batches: int | float = 1.0,
) -> dict:
    """Train, test the best checkpoint, and return the test accuracy and the files written."""
    L.seed_everything(0, verbose=False)
    checkpoint = ModelCheckpoint(
        monitor="val_acc", mode="max", filename="digits-{epoch:02d}-{val_acc:.3f}"
    )
    trainer = L.Trainer(
        max_epochs=max_epochs,
        default_root_dir=root_dir,
        callbacks=[checkpoint, LearningRateMonitor()],
        enable_progress_bar=enable_progress_bar,
        enable_model_summary=enable_progress_bar,
        limit_train_batches=limit_train_batches,
        log_every_n_steps=10,
    )
    data = DigitsData()
    trainer.fit(DigitsNet(), datamodule=data)
    results = trainer.test(ckpt_path="best", datamodule=data, verbose=enable_progress_bar)
    metrics_csv = os.path.join(trainer.log_dir, "metrics.csv")
    plot = os.path.join(trainer.log_dir, "metrics.png")
    return {
        "test_acc": results[0]["test_acc"],
        "best_checkpoint": checkpoint.best_model_path,
        "metrics_csv": metrics_csv,
        "plot": plot if os.path.exists(plot) else None,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-epochs", type=int, default=10)
    parser.add_argument("--root-dir", default="lightning_runs/quickstart")
    args = parser.parse_args()
    out = main(max_epochs=args.max_epochs, root_dir=args.root_dir)
    print(f"\ntest accuracy: {out['test_acc']:.2%}")
    print(f"best checkpoint: {out['best_checkpoint']}")
    print(f"metrics: {out['metrics_csv']}")
    print(f"curves: {out['plot'] or '(matplotlib is not installed: no plot)'}")
