"""examples/vision/train_cifar.py: data selection and a tiny training run with the Trainer."""

import importlib.util
import os

import pytest

import ember

EXAMPLE = os.path.join(
    os.path.dirname(__file__), "..", "..", "examples", "vision", "train_cifar.py"
)


@pytest.fixture(scope="module")
def example():
    spec = importlib.util.spec_from_file_location("train_cifar_example", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_small_resnet_shapes_and_size(example):
    net = example.small_resnet(num_classes=10, width=8)
    out = net(ember.randn(2, 3, 32, 32))
    assert out.shape == (2, 10)
    assert sum(p.numel() for p in net.parameters()) == 29650  # 7 conv-bn layers + head, by hand


def test_offline_fallback_is_digits(example, tmp_path):
    train, test, name = example.make_datasets(str(tmp_path), fake=False, download=False)
    assert name.startswith("digits") and (len(train), len(test)) == (1437, 360)
    x, y = train[0]
    assert x.shape == (3, 32, 32) and x.dtype == ember.float32 and 0 <= y < 10


def test_fake_run_trains_and_tests(example, tmp_path):
    metrics = example.main(
        fake=True, max_epochs=1, batch_size=32, width=8, num_workers=0,
        root_dir=str(tmp_path), limit_train_batches=3, limit_val_batches=1,
        enable_progress_bar=False,
    )  # fmt: skip
    assert set(metrics) == {"test_loss", "test_acc"}
    assert 0.0 <= metrics["test_acc"] <= 1.0 and metrics["test_loss"] > 0
    version = tmp_path / "lightning_logs" / "version_0"
    assert (version / "metrics.csv").exists()
    assert list((version / "checkpoints").glob("*.ckpt"))
