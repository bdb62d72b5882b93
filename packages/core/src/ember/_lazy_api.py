"""Public names that live in submodules loaded on first use (keeps ``import ember`` fast)."""

from __future__ import annotations

import importlib

# name -> module that defines it
_WHERE = {
    "manual_seed": "ember.random",
    "seed": "ember.random",
    "initial_seed": "ember.random",
    "get_rng_state": "ember.random",
    "set_rng_state": "ember.random",
    "Generator": "ember.random",
    "default_generator": "ember.random",
    "rand": "ember.random.sampling",
    "randn": "ember.random.sampling",
    "randint": "ember.random.sampling",
    "randperm": "ember.random.sampling",
    "normal": "ember.random.sampling",
    "bernoulli": "ember.random.sampling",
    "multinomial": "ember.random.sampling",
    "poisson": "ember.random.sampling",
    "rand_like": "ember.random.sampling",
    "randn_like": "ember.random.sampling",
    "randint_like": "ember.random.sampling",
    "use_deterministic_algorithms": "ember._config",
    "are_deterministic_algorithms_enabled": "ember._config",
    "set_num_threads": "ember._config",
    "get_num_threads": "ember._config",
    "save": "ember.serialization",
    "load": "ember.serialization",
}


def resolve(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'ember' has no attribute '{name}'")
    value = getattr(importlib.import_module(module), name)
    if name != "default_generator":  # cache: later look-ups skip this function
        import sys

        setattr(sys.modules["ember"], name, value)
    return value
