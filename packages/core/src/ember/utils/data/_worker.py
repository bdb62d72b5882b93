"""The loop each DataLoader worker process runs, and ``get_worker_info``.

A worker receives ``(task_id, batch_indices)`` on its index queue, loads and collates the
samples, and sends ``(task_id, segment, structure)`` back (see ``_shared``), or an
``ExceptionWrapper`` naming the sample that failed. ``None`` on the index queue stops it.
"""

from __future__ import annotations

import os
import queue
import random
import traceback
from dataclasses import dataclass

__all__ = ["WorkerInfo", "get_worker_info", "ExceptionWrapper"]

_worker_info = None
RESET = -2  # task id that restarts an IterableDataset's iterator (persistent workers)


@dataclass(frozen=True)
class WorkerInfo:
    """What a worker knows about itself: ``id``, ``num_workers``, ``seed`` and its copy of
    the ``dataset``."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info() -> WorkerInfo | None:
    """Inside a DataLoader worker, its ``WorkerInfo``; None in the main process.

    Example:
        >>> from ember.utils.data import get_worker_info
        >>> get_worker_info() is None
        True
    """
    return _worker_info


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, exc: BaseException, where: str):
        self.exc_type = type(exc)
        self.message = (
            f"Caught {type(exc).__name__} {where}.\nOriginal Traceback (most recent call last):\n"
            + "".join(traceback.format_exception(type(exc), exc, exc.__traceback__)[1:])
        )

    def reraise(self):
        try:
            exc = self.exc_type(self.message)
        except Exception:
            exc = RuntimeError(self.message)
        raise exc


class _IterableEnd:
    """Sent by a worker whose IterableDataset iterator is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


def _seed_all(seed: int) -> None:
    import numpy as np

    from ... import random as ember_random

    ember_random.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def worker_loop(dataset, fetch, index_queue, result_queue, done_event, worker_id, num_workers,
                seed, init_fn, is_iterable, segment_prefix):  # fmt: skip
    """Run in the worker process until told to stop."""
    from . import _shared

    global _worker_info
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        _seed_all(seed)
        _worker_info = WorkerInfo(worker_id, num_workers, seed, dataset)
        if init_fn is not None:
            init_fn(worker_id)
        iterator = iter(dataset) if is_iterable else None
    except BaseException as exc:  # report failures of worker_init_fn
        where = f"in DataLoader worker process {worker_id} (worker_init_fn)"
        result_queue.put((-1, None, ExceptionWrapper(exc, where)))
        return
    exhausted = False
    while not done_event.is_set():
        try:
            task = index_queue.get(timeout=0.1)
        except queue.Empty:
            continue
        if task is None:
            break
        task_id, indices = task
        if task_id == RESET:
            iterator = iter(dataset) if is_iterable else None
            exhausted = False
            continue
        if exhausted:
            result_queue.put((task_id, None, _IterableEnd(worker_id)))
            continue
        try:
            batch = fetch(dataset, iterator, indices)
        except StopIteration:
            exhausted = True
            result_queue.put((task_id, None, _IterableEnd(worker_id)))
            continue
        except BaseException as exc:
            where = f"in DataLoader worker process {worker_id}"
            index = getattr(exc, "_ember_sample_index", None)
            if index is not None:
                where += f" while loading sample {index!r}"
            result_queue.put((task_id, None, ExceptionWrapper(exc, where)))
            continue
        try:
            name, structure = _shared.pack(batch, f"{segment_prefix}{worker_id}_{task_id}")
        except BaseException as exc:
            where = f"in DataLoader worker process {worker_id} (sending the batch)"
            result_queue.put((task_id, None, ExceptionWrapper(exc, where)))
            continue
        result_queue.put((task_id, name, structure))
    result_queue.cancel_join_thread()
