"""``ember.random``: generators, seeding, and ``fork_rng`` (loaded on first use).

The sampling functions (``ember.rand``, ``randn``, ``randint``, ...) live in
``ember.random.sampling`` and are reachable from ``ember`` directly.

Example:
    >>> import ember
    >>> g = ember.random.manual_seed(0)
    >>> g.initial_seed()
    0
"""

from ._generator import (
    Generator,
    default_generator,
    fork_rng,
    get_rng_state,
    initial_seed,
    manual_seed,
    numpy_generator,
    seed,
    set_rng_state,
)

__all__ = [
    "Generator",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]
