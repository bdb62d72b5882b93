"""End to end: a small MLP built from ``ember.nn`` learns two interleaved spirals.

Uses ``ember.optim.SGD`` (momentum 0.9) when ``ember.optim`` is importable, otherwise the same
update written by hand with in-place ops under ``no_grad``.
"""

from __future__ import annotations

import importlib
import math

import numpy as np

import ember
import ember.nn.functional as F
from ember import nn


def make_spirals(n_per_class: int, seed: int, noise: float = 0.1):
    """Two interleaved spirals (1.5 turns each), float32 points and int64 labels."""
    rng = np.random.default_rng(seed)
    t = np.sqrt(rng.uniform(0.0, 1.0, n_per_class)) * 3.0 * math.pi
    arm = np.stack([t * np.cos(t), t * np.sin(t)], axis=1) / (3.0 * math.pi)
    points = np.concatenate([arm, -arm]) + rng.normal(0.0, noise / 3.0, (2 * n_per_class, 2))
    labels = np.repeat(np.array([0, 1]), n_per_class)
    return ember.tensor(points.astype(np.float32)), ember.tensor(labels)


def sgd_momentum(params, lr: float, momentum: float):
    """``ember.optim.SGD`` when present; else a hand-written step with the same update."""
    try:
        optim = importlib.import_module("ember.optim")
        opt = optim.SGD(params, lr=lr, momentum=momentum)
        return opt.zero_grad, opt.step
    except (ImportError, AttributeError):
        pass
    velocity = [None] * len(params)

    def zero_grad():
        for p in params:
            p.grad = None

    def step():
        with ember.no_grad():
            for i, p in enumerate(params):
                if velocity[i] is None:
                    velocity[i] = p.grad.clone()
                else:
                    velocity[i].mul_(momentum).add_(p.grad)
                p.sub_(lr * velocity[i])

    return zero_grad, step


def accuracy(model, x, y) -> float:
    with ember.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def test_mlp_learns_two_spirals():
    ember.manual_seed(0)
    x, y = make_spirals(200, seed=0)
    x_test, y_test = make_spirals(200, seed=1)
    model = nn.Sequential(
        nn.Linear(2, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 2)
    )
    zero_grad, step = sgd_momentum(list(model.parameters()), lr=0.2, momentum=0.9)
    assert accuracy(model, x, y) < 0.75  # not solved at initialisation
    for _ in range(500):
        zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        step()
    assert loss.item() < 0.1
    assert accuracy(model, x, y) > 0.95
    assert accuracy(model, x_test, y_test) > 0.95  # held-out points from the same spirals
