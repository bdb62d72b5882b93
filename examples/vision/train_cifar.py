"""Train a small residual network on CIFAR-10 with ember_lightning's Trainer, CIFAR-style.

Uses CIFAR-10 from ``--data`` (``cifar-10-batches-py`` inside it) when present, or downloads it
with ``--download``. Without CIFAR it falls back to data that needs no network: the UCI digits
that scikit-learn ships (upscaled to 32x32 RGB), or FakeData with ``--fake``. The augmentation
is the classic CIFAR recipe (random crop with 4-pixel padding, horizontal flip) where flips make
sense; digits get small random affine transforms instead.

    uv run python examples/vision/train_cifar.py              # CIFAR-10 if present, else digits
    uv run python examples/vision/train_cifar.py --fake       # FakeData, for a smoke test
"""

from __future__ import annotations

import argparse
import os

import ember
import ember_lightning as L
from ember import nn
from ember.utils.data import DataLoader
from ember_vision import datasets
from ember_vision import transforms as T

CIFAR_MEAN, CIFAR_STD = (0.4914, 0.4822, 0.4465), (0.2470, 0.2435, 0.2616)


def conv_bn(c_in: int, c_out: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
    )


class Residual(nn.Module):
    """``x + f(x)`` with two 3x3 conv-bn-relu layers."""

    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(conv_bn(channels, channels), conv_bn(channels, channels))

    def forward(self, x):
        return x + self.body(x)


def small_resnet(num_classes: int = 10, width: int = 32) -> nn.Sequential:
    """A compact ResNet for 32x32 inputs (in the spirit of the fast CIFAR-10 baselines)."""
    return nn.Sequential(
        conv_bn(3, width),
        conv_bn(width, 2 * width, stride=2),
        Residual(2 * width),
        conv_bn(2 * width, 4 * width, stride=2),
        Residual(4 * width),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4 * width, num_classes),
    )


class ImageClassifier(L.LightningModule):
    def __init__(self, num_classes: int = 10, width: int = 32, lr: float = 0.05,
                 max_epochs: int = 10):  # fmt: skip
        super().__init__()
        self.save_hyperparameters()
        self.net = small_resnet(num_classes, width)

    def forward(self, x):
        return self.net(x)

    def _step(self, batch, stage: str):
        x, y = batch
        logits = self(x)
        loss = nn.functional.cross_entropy(logits, y)
        acc = (logits.argmax(dim=1) == y).float().mean()
        self.log(f"{stage}_loss", loss, prog_bar=stage != "train")
        self.log(f"{stage}_acc", acc, prog_bar=True)
        return loss

    def training_step(self, batch, batch_idx):
        return self._step(batch, "train")

    def validation_step(self, batch, batch_idx):
        self._step(batch, "val")

    def test_step(self, batch, batch_idx):
        self._step(batch, "test")

    def configure_optimizers(self):
        opt = ember.optim.SGD(
            self.parameters(), lr=self.hparams.lr, momentum=0.9, weight_decay=5e-4, nesterov=True
        )
        sched = ember.optim.lr_scheduler.OneCycleLR(
            opt, max_lr=self.hparams.lr, total_steps=self.trainer.estimated_stepping_batches
        )
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "step"}}


def make_datasets(data: str, fake: bool, download: bool):
    """(train, test, name) for CIFAR-10, the offline digits, or FakeData."""
    normalize = [
        T.ToImage(),
        T.ToDtype(ember.float32, scale=True),
        T.Normalize(CIFAR_MEAN, CIFAR_STD),
    ]
    if fake:
        train_tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), *normalize])
        test_tf = T.Compose(normalize)
        train = datasets.FakeData(512, (3, 32, 32), 10, transform=train_tf)
        test = datasets.FakeData(128, (3, 32, 32), 10, transform=test_tf, random_offset=1)
        return train, test, "FakeData"
    cifar_dir = os.path.join(data, "cifar-10-batches-py")
    if download or os.path.isdir(cifar_dir):
        train_tf = T.Compose([T.RandomCrop(32, padding=4), T.RandomHorizontalFlip(), *normalize])
        test_tf = T.Compose(normalize)
        train = datasets.CIFAR10(data, train=True, transform=train_tf, download=download)
        test = datasets.CIFAR10(data, train=False, transform=test_tf)
        return train, test, "CIFAR-10"
    upscale = [T.Resize(32), T.Grayscale(num_output_channels=3)]
    train_tf = T.Compose([*upscale, T.RandomAffine(10, translate=(0.1, 0.1)), *normalize])
    test_tf = T.Compose([*upscale, *normalize])
    train = datasets.Digits(train=True, transform=train_tf)
    test = datasets.Digits(train=False, transform=test_tf)
    return train, test, "digits (scikit-learn, offline)"


def main(data: str = "data", fake: bool = False, download: bool = False, max_epochs: int = 8,
         batch_size: int = 128, width: int = 32, num_workers: int = 2,
         root_dir: str = "runs/vision", **trainer_kwargs) -> dict:  # fmt: skip
    """Train and test; returns the test metrics (``test_acc``, ``test_loss``)."""
    L.seed_everything(0)
    train, test, name = make_datasets(data, fake, download)
    print(f"dataset: {name}: {len(train)} training and {len(test)} test images")
    loader_kw = {"batch_size": batch_size, "num_workers": num_workers,
                 "persistent_workers": num_workers > 0}  # fmt: skip
    train_loader = DataLoader(train, shuffle=True, drop_last=True, **loader_kw)
    test_loader = DataLoader(test, **loader_kw)
    model = ImageClassifier(num_classes=10, width=width, max_epochs=max_epochs)
    trainer = L.Trainer(max_epochs=max_epochs, default_root_dir=root_dir, **trainer_kwargs)
    trainer.fit(model, train_loader, test_loader)
    (metrics,) = trainer.test(
        model, test_loader, ckpt_path="best" if trainer.checkpoint_callback else None
    )
    print(f"test accuracy: {metrics['test_acc']:.3f}; logs in {trainer.log_dir}")
    return metrics


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="data", help="folder holding cifar-10-batches-py")
    parser.add_argument("--download", action="store_true", help="download CIFAR-10")
    parser.add_argument("--fake", action="store_true", help="train on FakeData")
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    main(args.data, args.fake, args.download, args.epochs, args.batch_size,
         num_workers=args.workers)  # fmt: skip
