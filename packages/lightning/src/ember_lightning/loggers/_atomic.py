"""Atomic file replacement: write beside the target, then ``os.replace`` it into place.

A reader (or a crash) never sees a half-written ``metrics.csv``, ``hparams.yaml`` or plot.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from typing import IO


def _temporary_name(path: str) -> str:
    folder, base = os.path.split(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    root, ext = os.path.splitext(base)
    # the extension is kept so that writers choosing a format by suffix (savefig) still can
    return os.path.join(folder, f".{root}.{uuid.uuid4().hex[:12]}.tmp{ext}")


@contextlib.contextmanager
def atomic_path(path: str) -> Iterator[str]:
    """A temporary path beside ``path`` (same extension) that replaces ``path`` on success.

    On an exception the temporary file is removed and ``path`` is left as it was.
    """
    tmp_path = _temporary_name(path)
    try:
        yield tmp_path
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp_path)
        raise


@contextlib.contextmanager
def atomic_open(path: str, mode: str = "w", **kwargs) -> Iterator[IO]:
    """Open a temporary file beside ``path``; on success it replaces ``path`` atomically."""
    with atomic_path(path) as tmp_path, open(tmp_path, mode, **kwargs) as file:
        yield file
        file.flush()
        os.fsync(file.fileno())
