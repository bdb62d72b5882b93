"""Choosing the device from ``Trainer(accelerator=..., devices=...)``."""

from __future__ import annotations

from typing import Any

from ..utilities.exceptions import MisconfigurationException

__all__ = ["resolve_device", "ACCELERATORS"]

ACCELERATORS = ("auto", "cpu", "gpu", "cuda")


def _gpu_available() -> bool:
    import ember

    return ember.cuda.is_available()


def _single_index(devices: Any, accelerator: str) -> int:
    """The device index asked for; only one device is supported."""
    if devices in ("auto", None, 1, -1, "1", "-1"):
        return 0
    if isinstance(devices, (list, tuple)) and len(devices) == 1:
        return int(devices[0])
    if isinstance(devices, str) and devices.rstrip(",").isdigit() and devices.endswith(","):
        return int(devices.rstrip(","))  # "1," means the device with index 1
    raise MisconfigurationException(
        f"Trainer(accelerator={accelerator!r}, devices={devices!r}): this Trainer runs on one "
        "device; pass devices=1 (or devices=[index] for one GPU)"
    )


def resolve_device(accelerator: str, devices: Any):
    """The ``ember.device`` to train on.

    Raises:
        MisconfigurationException: unknown accelerator, a GPU asked for where there is none, or
            more than one device.
    """
    import ember

    name = accelerator.lower() if isinstance(accelerator, str) else accelerator
    if name not in ACCELERATORS:
        raise MisconfigurationException(
            f"Trainer(accelerator={accelerator!r}): unknown accelerator; expected one of "
            f"{list(ACCELERATORS)}"
        )
    if name == "auto":
        name = "gpu" if _gpu_available() else "cpu"
    index = _single_index(devices, name)
    if name == "cpu":
        if index != 0:
            raise MisconfigurationException(
                f"Trainer(accelerator='cpu', devices={devices!r}): the CPU is a single device"
            )
        return ember.device("cpu")
    if not _gpu_available():
        raise MisconfigurationException(
            f"Trainer(accelerator={accelerator!r}) asks for a GPU, but none is available "
            "(ember.cuda.is_available() is False: CuPy or a CUDA device is missing); use "
            "accelerator='cpu' or 'auto'"
        )
    return ember.device(f"cuda:{index}")
