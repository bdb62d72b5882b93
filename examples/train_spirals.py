"""Train a small MLP on two interleaved spirals with Ember's tensors and autograd.

This is the README's main job until the trainer package lands: it needs no download (the data
is generated), runs in a few seconds on a laptop CPU, and prints the loss and the accuracy.

    uv run python examples/train_spirals.py
"""

from __future__ import annotations

import math

import ember
import numpy as np


def make_spirals(n_per_class: int = 200, noise: float = 0.15, seed: int = 0):
    """Two interleaved spirals in 2-D; returns float32 points and int64 labels."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0.0, 1.0, n_per_class)) * 3.0 * math.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3.0 * math.pi)
    points = np.concatenate([arm, -arm]) + rng.normal(0.0, noise / 3.0, (2 * n_per_class, 2))
    labels = np.concatenate([np.zeros(n_per_class), np.ones(n_per_class)]).astype(np.int64)
    return ember.tensor(points, dtype=ember.float32), ember.tensor(labels)


def init_linear(fan_in: int, fan_out: int, rng: np.random.Generator):
    bound = 1.0 / math.sqrt(fan_in)
    w = ember.tensor(rng.uniform(-bound, bound, (fan_in, fan_out)), dtype=ember.float32)
    b = ember.tensor(rng.uniform(-bound, bound, fan_out), dtype=ember.float32)
    return w.requires_grad_(), b.requires_grad_()


def main(epochs: int = 600, lr: float = 0.05) -> float:
    x, y = make_spirals()
    rng = np.random.default_rng(1)
    params = [*init_linear(2, 64, rng), *init_linear(64, 64, rng), *init_linear(64, 1, rng)]
    w1, b1, w2, b2, w3, b3 = params
    target = y.float().unsqueeze(1)
    velocity = [ember.zeros_like(p) for p in params]
    for epoch in range(epochs):
        h = ember.tanh(x @ w1 + b1)
        h = ember.tanh(h @ w2 + b2)
        logits = h @ w3 + b3
        # binary cross-entropy with logits, written out with core ops
        loss = (
            ember.clamp(logits, min=0) - logits * target + ember.log1p(ember.exp(-logits.abs()))
        ).mean()
        for p in params:
            p.grad = None
        loss.backward()
        with ember.no_grad():
            for p, v in zip(params, velocity):
                v.mul_(0.9).add_(p.grad)
                p.sub_(lr * v)
        if epoch % 100 == 0 or epoch == epochs - 1:
            accuracy = ((logits > 0).long() == y.unsqueeze(1)).float().mean().item()
            print(f"epoch {epoch:4d}  loss {loss.item():.4f}  accuracy {accuracy:.3f}")
    return accuracy


if __name__ == "__main__":
    final = main()
    print(f"final training accuracy: {final:.3f}")
