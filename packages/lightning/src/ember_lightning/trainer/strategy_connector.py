"""Choosing the strategy and this process's device from ``Trainer(strategy=..., devices=...,
num_nodes=...)``.

- ``"single_device"``: one process, one device (``devices`` 1 or "auto", ``num_nodes`` 1).
- ``"ddp"`` (or a ``DDPStrategy``): one process per device, ``devices`` per machine on
  ``num_nodes`` machines. The processes are started by the launcher (``ember-run`` or
  ``mpiexec``), not by the trainer: the launcher's world size must equal
  ``devices * num_nodes`` (``devices="auto"``: the processes the launcher started on this
  machine). On GPUs, the process of local rank ``r`` uses device ``devices[r]`` (a list) or
  ``cuda:r``.
- ``"auto"``: ``"ddp"`` when several processes are asked for (``devices * num_nodes > 1``)
  or the launcher started several; else ``"single_device"``.

Reading the launcher's world size needs no MPI import (environment variables only).
"""

from __future__ import annotations

from typing import Any

from ..utilities.exceptions import MisconfigurationException
from .accelerator import resolve_device

__all__ = ["resolve_strategy", "STRATEGIES"]

STRATEGIES = ("auto", "ddp", "single_device")


def _launch():
    from ember.distributed._env import detect_launch

    return detect_launch()


def _devices_per_node(devices: Any, launch) -> int | None:
    """The number of processes per machine ``devices`` asks for (None: "auto")."""
    if devices in ("auto", None, -1, "-1"):
        return None
    if isinstance(devices, (list, tuple)):
        return len(devices)
    if isinstance(devices, str) and devices.strip().isdigit():
        devices = int(devices)
    if isinstance(devices, bool) or not isinstance(devices, int) or devices < 1:
        raise MisconfigurationException(
            f"Trainer(devices={devices!r}): expected 'auto', an int >= 1 or a list of GPU indices"
        )
    return devices


def _launch_hint(per_node: int, num_nodes: int) -> str:
    if num_nodes == 1:
        return (
            f"`ember-run --nproc-per-node {per_node} train.py` (or "
            f"`mpiexec -n {per_node} python train.py`)"
        )
    return (
        f"`ember-run --nnodes {num_nodes} --nproc-per-node {per_node} --hosts HOST1,HOST2,... "
        f"train.py` (or `mpiexec -n {per_node * num_nodes} python train.py` over the machines)"
    )


def _ddp_device(accelerator: str, devices: Any, local_rank: int):
    """This process's device under DDP: the CPU, or the GPU of its local rank."""
    first = resolve_device(accelerator, 1)  # checks the accelerator (and that a GPU exists)
    if first.type == "cpu":
        return first
    if isinstance(devices, (list, tuple)):
        return resolve_device(accelerator, [devices[local_rank % len(devices)]])
    return resolve_device(accelerator, [local_rank])


def resolve_strategy(strategy: Any, accelerator: str, devices: Any, num_nodes: Any):
    """The strategy object and this process's device (see the module docstring).

    Raises:
        MisconfigurationException: an unknown strategy, several devices without DDP, or a
            launcher world size different from ``devices * num_nodes``.
    """
    from ..strategies import DDPStrategy, SingleDeviceStrategy, Strategy

    if isinstance(num_nodes, bool) or not isinstance(num_nodes, int) or num_nodes < 1:
        raise MisconfigurationException(f"Trainer(num_nodes={num_nodes!r}): expected an int >= 1")
    if isinstance(strategy, str):
        name = strategy.lower()
        if name not in STRATEGIES:
            raise MisconfigurationException(
                f"Trainer(strategy={strategy!r}): unknown strategy; expected one of "
                f"{list(STRATEGIES)} or a Strategy instance (e.g. DDPStrategy(...))"
            )
    elif isinstance(strategy, Strategy):
        name = strategy.strategy_name
    else:
        raise MisconfigurationException(
            f"Trainer(strategy=...): expected one of {list(STRATEGIES)} or a Strategy instance, "
            f"got {type(strategy).__name__}"
        )
    launch = _launch()
    per_node = _devices_per_node(devices, launch)
    if name == "auto":
        several = (per_node or 1) * num_nodes > 1 or (per_node is None and launch.world_size > 1)
        name = "ddp" if several else "single_device"

    if name != "ddp":
        if num_nodes != 1 or (per_node or 1) != 1:
            raise MisconfigurationException(
                f"Trainer(strategy={strategy!r}, devices={devices!r}, num_nodes={num_nodes}): "
                "more than one device or node needs strategy='ddp' (one process per device, "
                "started by `ember-run` or `mpiexec`)"
            )
        chosen = strategy if isinstance(strategy, Strategy) else SingleDeviceStrategy()
        if chosen.root_device is None:
            chosen.root_device = resolve_device(accelerator, devices)
        return chosen, chosen.root_device

    if per_node is None:
        per_node = launch.local_world_size
    expected = per_node * num_nodes
    if launch.world_size != expected:
        raise MisconfigurationException(
            f"Trainer(strategy='ddp', devices={devices!r}, num_nodes={num_nodes}) trains on "
            f"{expected} processes, but the launcher started {launch.world_size} (this process "
            f"is rank {launch.rank}). The trainer does not start processes itself: run the "
            f"script with {_launch_hint(per_node, num_nodes)}, or change devices/num_nodes"
        )
    chosen = strategy if isinstance(strategy, DDPStrategy) else DDPStrategy()
    chosen.root_device = _ddp_device(accelerator, devices, launch.local_rank)
    return chosen, chosen.root_device
