"""Train a small MLP on two interleaved spirals with ember.nn, ember.optim and a DataLoader.

This is the README's main job until the trainer package lands: it needs no download (the data
is generated), runs in a few seconds on a laptop CPU, and prints loss and accuracy.

    uv run python examples/train_spirals.py
"""

from __future__ import annotations

import math

import numpy as np

import ember
from ember import nn
from ember.utils.data import DataLoader, TensorDataset


def make_spirals(n_per_class: int = 500, noise: float = 0.15, seed: int = 0):
    """Two interleaved spirals in 2-D: float32 points and int64 labels."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0.0, 1.0, n_per_class)) * 3.0 * math.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3.0 * math.pi)
    points = np.concatenate([arm, -arm]) + rng.normal(0.0, noise / 3.0, (2 * n_per_class, 2))
    labels = np.concatenate([np.zeros(n_per_class), np.ones(n_per_class)]).astype(np.int64)
    return ember.tensor(points, dtype=ember.float32), ember.tensor(labels)


def accuracy(model: nn.Module, x: ember.Tensor, y: ember.Tensor) -> float:
    model.eval()
    with ember.no_grad():
        correct = (model(x).argmax(dim=1) == y).float().mean().item()
    model.train()
    return correct


def main(epochs: int = 60) -> float:
    ember.manual_seed(0)
    x_train, y_train = make_spirals(seed=0)
    x_test, y_test = make_spirals(n_per_class=200, seed=1)
    loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)
    model = nn.Sequential(
        nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2)
    )
    optimizer = ember.optim.Adam(model.parameters(), lr=0.01)
    scheduler = ember.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
    loss_fn = nn.CrossEntropyLoss()
    print(model)
    for epoch in range(epochs):
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        scheduler.step()
        if epoch % 10 == 0 or epoch == epochs - 1:
            print(
                f"epoch {epoch:3d}  loss {total / len(x_train):.4f}  "
                f"train acc {accuracy(model, x_train, y_train):.3f}"
            )
    test_acc = accuracy(model, x_test, y_test)
    print(f"test accuracy: {test_acc:.3f}")
    return test_acc


if __name__ == "__main__":
    main()
