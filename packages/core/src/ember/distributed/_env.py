"""Where this process sits in the job, read from the launcher's environment variables.

Open MPI's ``mpiexec`` sets ``OMPI_COMM_WORLD_RANK``/``_SIZE``/``_LOCAL_RANK``/``_LOCAL_SIZE``;
MPICH and Intel MPI (Hydra) set ``PMI_RANK``/``PMI_SIZE`` and ``MPI_LOCALRANKID``/
``MPI_LOCALNRANKS``; ``torchrun``-style launchers and ``ember-run`` set ``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK`` and ``LOCAL_WORLD_SIZE``. Reading them needs no MPI import, so
``is_available``, the launcher and device selection stay cheap.
"""

from __future__ import annotations

import os
from typing import NamedTuple

__all__ = ["LaunchInfo", "detect_launch", "launched_by_mpi"]

# (launcher, rank, size, local rank, local size) variable names, in order of precedence
_SCHEMES = (
    (
        "openmpi",
        "OMPI_COMM_WORLD_RANK",
        "OMPI_COMM_WORLD_SIZE",
        "OMPI_COMM_WORLD_LOCAL_RANK",
        "OMPI_COMM_WORLD_LOCAL_SIZE",
    ),
    ("pmi", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID", "MPI_LOCALNRANKS"),
    ("pmix", "PMIX_RANK", "PMIX_SIZE", "PMIX_LOCAL_RANK", "PMIX_LOCAL_SIZE"),
    ("env", "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"),
)


class LaunchInfo(NamedTuple):
    """Rank, world size, local rank and local world size of this process, and the launcher
    that told them (``"openmpi"``, ``"pmi"``, ``"pmix"``, ``"env"``, or ``"none"`` for a
    process started alone)."""

    rank: int
    world_size: int
    local_rank: int
    local_world_size: int
    launcher: str


def _int(environ, name: str, default: int | None) -> int | None:
    value = environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"environment variable {name} must be an integer, got {value!r}") from None


def detect_launch(environ=None) -> LaunchInfo:
    """Read the launcher's variables from ``environ`` (default ``os.environ``).

    Example:
        >>> from ember.distributed._env import detect_launch
        >>> detect_launch({"OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "2"})
        LaunchInfo(rank=1, world_size=2, local_rank=1, local_world_size=2, launcher='openmpi')
        >>> detect_launch({})
        LaunchInfo(rank=0, world_size=1, local_rank=0, local_world_size=1, launcher='none')
    """
    environ = os.environ if environ is None else environ
    for launcher, rank_var, size_var, local_var, local_size_var in _SCHEMES:
        rank = _int(environ, rank_var, None)
        if rank is None:
            continue
        size = _int(environ, size_var, None)
        if size is None:
            if launcher == "pmix":  # PMIx publishes the size elsewhere; leave it to MPI
                size = rank + 1
            else:
                continue
        local_rank = _int(environ, local_var, rank)
        local_size = _int(environ, local_size_var, size)
        return LaunchInfo(rank, size, local_rank, local_size, launcher)
    return LaunchInfo(0, 1, 0, 1, "none")


def launched_by_mpi(environ=None) -> bool:
    """True when an MPI launcher (not only ``RANK``/``WORLD_SIZE``) started this process."""
    return detect_launch(environ).launcher in ("openmpi", "pmi", "pmix")
