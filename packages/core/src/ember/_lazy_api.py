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
    "_standard_gamma": "ember.random.gamma",
    "_sample_dirichlet": "ember.random.gamma",
    "rand_like": "ember.random.sampling",
    "randn_like": "ember.random.sampling",
    "randint_like": "ember.random.sampling",
    "use_deterministic_algorithms": "ember._config",
    "are_deterministic_algorithms_enabled": "ember._config",
    "set_num_threads": "ember._config",
    "get_num_threads": "ember._config",
    "save": "ember.serialization",
    "load": "ember.serialization",
    "softmax": "ember.ops.nn_methods",
    "autocast": "ember.amp.autocast_mode",
    "is_autocast_enabled": "ember.amp.autocast_mode",
    "set_autocast_enabled": "ember.amp.autocast_mode",
    "get_autocast_dtype": "ember.amp.autocast_mode",
    "set_autocast_dtype": "ember.amp.autocast_mode",
    "is_autocast_cache_enabled": "ember.amp.autocast_mode",
    "set_autocast_cache_enabled": "ember.amp.autocast_mode",
    "clear_autocast_cache": "ember.amp.autocast_mode",
    "is_autocast_available": "ember.amp.autocast_mode",
    "log_softmax": "ember.ops.nn_methods",
    # torch.* aliases of nn.functional ops that PyTorch scripts call directly
    "conv1d": "ember.nn.functional",
    "conv2d": "ember.nn.functional",
    "conv3d": "ember.nn.functional",
    "conv_transpose1d": "ember.nn.functional",
    "conv_transpose2d": "ember.nn.functional",
    "conv_transpose3d": "ember.nn.functional",
    "layer_norm": "ember.nn.functional",
    "batch_norm": "ember.nn.functional",
    "group_norm": "ember.nn.functional",
    "instance_norm": "ember.nn.functional",
    "embedding": "ember.nn.functional",
    "dropout": "ember.nn.functional",
    "pixel_shuffle": "ember.nn.functional",
    "pixel_unshuffle": "ember.nn.functional",
    "cosine_similarity": "ember.nn.functional",
    "pairwise_distance": "ember.nn.functional",
    "pdist": "ember.nn.functional",
    "prelu": "ember.nn.functional",
    "selu": "ember.nn.functional",
    "celu": "ember.nn.functional",
    "hardshrink": "ember.nn.functional",
    "max_pool1d": "ember.nn.functional",
    "max_pool2d": "ember.nn.functional",
    "max_pool3d": "ember.nn.functional",
    "avg_pool1d": "ember.nn.functional",
    "adaptive_avg_pool1d": "ember.nn.functional",
    "adaptive_max_pool1d": "ember.nn.functional",
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
