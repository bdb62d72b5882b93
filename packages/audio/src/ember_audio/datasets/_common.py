"""What the dataset readers share."""

from __future__ import annotations

import os

AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".mp3", ".aiff", ".aif", ".au")


def load_waveform(path):
    """Load ``path`` as ``(float32 Tensor[C, T], sample_rate)``."""
    from ..io import load

    return load(path)


def missing_dataset_error(name: str, path) -> RuntimeError:
    return RuntimeError(
        f"{name}: dataset not found at {os.fspath(path)!r}. Check `root`, or pass "
        "download=True to download it."
    )
