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
    return getattr(importlib.import_module(module), name)
