"""``seed_everything``: one seed for Python's ``random``, NumPy and Ember."""

from __future__ import annotations

import os
import random
import warnings

__all__ = ["seed_everything", "reset_seed"]

_MAX_SEED = 2**32 - 1  # NumPy's legacy seeding takes 32-bit seeds


def seed_everything(seed: int | None = None, workers: bool = False, verbose: bool = True) -> int:
    """Seed the random number generators of ``random``, ``numpy`` and ``ember``.

    The seed is also stored in the environment variable ``PL_GLOBAL_SEED`` (so that
    :func:`reset_seed` and subprocesses find it) and ``workers`` in ``PL_SEED_WORKERS``.
    Ember's DataLoader already seeds ``random``, ``numpy`` and ``ember`` in each worker
    process from the loader's generator, so with a seeded run the workers are reproducible
    whatever ``workers`` says; the flag is kept for Lightning's signature.

    Args:
        seed: the seed; None reads ``PL_GLOBAL_SEED`` or, when unset, uses 0 with a warning.
            Values outside ``[0, 2**32 - 1]`` are replaced by 0 with a warning.
        workers: recorded in ``PL_SEED_WORKERS``.
        verbose: print ``Seed set to <seed>``.

    Returns:
        The seed used.

    Example:
        >>> import random
        >>> _ = seed_everything(7, verbose=False)
        >>> a = random.random()
        >>> _ = seed_everything(7, verbose=False)
        >>> a == random.random()
        True
    """
    import numpy as np

    import ember

    if seed is None:
        env_seed = os.environ.get("PL_GLOBAL_SEED")
        if env_seed is None:
            seed = 0
            warnings.warn(
                f"seed_everything(): no seed given and PL_GLOBAL_SEED unset; using {seed}"
            )
        else:
            try:
                seed = int(env_seed)
            except ValueError:
                warnings.warn(
                    f"seed_everything(): PL_GLOBAL_SEED={env_seed!r} is not an int; using 0"
                )
                seed = 0
    elif not isinstance(seed, int):
        seed = int(seed)
    if not 0 <= seed <= _MAX_SEED:
        warnings.warn(f"seed_everything(): {seed} is not in bounds [0, {_MAX_SEED}]; using 0")
        seed = 0
    if verbose:
        print(f"Seed set to {seed}")
    os.environ["PL_GLOBAL_SEED"] = str(seed)
    os.environ["PL_SEED_WORKERS"] = str(int(workers))
    random.seed(seed)
    np.random.seed(seed)
    ember.manual_seed(seed)
    return seed


def reset_seed() -> None:
    """Seed again with the seed of the last :func:`seed_everything` (no-op if none)."""
    seed = os.environ.get("PL_GLOBAL_SEED")
    if seed is None:
        return
    workers = os.environ.get("PL_SEED_WORKERS", "0")
    seed_everything(int(seed), workers=bool(int(workers)), verbose=False)
