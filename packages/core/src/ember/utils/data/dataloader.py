"""``DataLoader``: batches from a dataset, in the main process or in worker processes.

With ``num_workers > 0`` each worker loads and collates whole batches and sends them back
through shared memory (see ``_shared``). The loader is built not to hang or leak:

* an exception in a worker is raised in the main process with the worker's traceback and the
  index of the sample that failed;
* a worker that dies (killed, crashed) is noticed within a fraction of a second and reported
  with its exit code, instead of waiting forever;
* ``timeout`` bounds the wait for each batch;
* breaking out of the loop, deleting the iterator, an exception or KeyboardInterrupt in the
  loop, and interpreter exit all stop the workers and unlink every pending segment.

Example:
    >>> import ember
    >>> from ember.utils.data import DataLoader, TensorDataset
    >>> ds = TensorDataset(ember.arange(6.0).reshape(3, 2), ember.tensor([0, 1, 0]))
    >>> for x, y in DataLoader(ds, batch_size=2):
    ...     print(x.shape, y.tolist())
    ember.Size([2, 2]) [0, 1]
    ember.Size([1, 2]) [0]
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
import signal
import time
import uuid
import weakref

from . import _shared
from ._collate import default_collate, default_convert
from ._worker import RESET, ExceptionWrapper, _IterableEnd, worker_loop
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler

__all__ = ["DataLoader"]

_POLL = 0.1  # seconds between checks that the workers are alive while waiting


class _InfiniteConstantSampler(Sampler):
    """The sampler of an IterableDataset: ``None`` forever (the dataset decides the end)."""

    def __iter__(self):
        while True:
            yield None


class _Fetcher:
    """Turns a task (indices, or None for an iterable dataset) into a batch; picklable, so
    it can be sent to spawned workers."""

    def __init__(self, auto_collation, collate_fn, drop_last, batch_size):
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.batch_size = batch_size

    def __call__(self, dataset, iterator, indices):
        if iterator is not None:
            if not self.auto_collation:
                return self.collate_fn(next(iterator))
            items = list(itertools.islice(iterator, self.batch_size))
            if not items or (self.drop_last and len(items) < self.batch_size):
                raise StopIteration
            return self.collate_fn(items)
        if self.auto_collation:
            getitems = getattr(dataset, "__getitems__", None)
            if getitems is not None:
                samples = getitems(indices)
            else:
                samples = [_load(dataset, i) for i in indices]
            return self.collate_fn(samples)
        return self.collate_fn(_load(dataset, indices))


def _load(dataset, index):
    try:
        return dataset[index]
    except Exception as exc:
        exc._ember_sample_index = index
        raise


class DataLoader:
    """Iterate over a dataset in batches.

    Args:
        dataset: a map-style ``Dataset`` or an ``IterableDataset``.
        batch_size: samples per batch (default 1); None disables batching.
        shuffle: reshuffle every epoch (map-style datasets only).
        sampler, batch_sampler: custom index orders (exclusive with the options above).
        num_workers: worker processes (0: load in the main process).
        collate_fn: merges samples into a batch (default ``default_collate``).
        pin_memory: put batches in page-locked memory for faster copies to the GPU (with no
            GPU: a no-op, with PyTorch's warning).
        drop_last: drop the last incomplete batch.
        timeout: seconds to wait for a batch from the workers (0: no limit).
        worker_init_fn: called as ``fn(worker_id)`` in each worker after seeding.
        multiprocessing_context: ``'fork'``, ``'spawn'``, ``'forkserver'`` or a context.
        generator: the ``ember.Generator`` behind shuffling and worker seeds.
        prefetch_factor: batches in flight per worker (default 2 with workers).
        persistent_workers: keep the workers between epochs.
        in_order: yield batches in sampler order (False: as soon as they are ready).
    """

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=None, persistent_workers=False, pin_memory_device="",
                 in_order=True):  # fmt: skip
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing. let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        if prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")

        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.in_order = in_order
        self.generator = generator
        self._is_iterable = isinstance(dataset, IterableDataset)

        if self._is_iterable:
            if shuffle not in (None, False):
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified shuffle option, but "
                    f"got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified sampler option, but "
                    f"got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                    f"but got batch_sampler={batch_sampler}"
                )
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._iterator = None

    @property
    def _auto_collation(self) -> bool:
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def _fetcher(self) -> _Fetcher:
        return _Fetcher(self._auto_collation, self.collate_fn, self.drop_last, self.batch_size)

    def _base_seed(self) -> int:
        from ...random import numpy_generator

        return int(numpy_generator(self.generator).integers(0, 2**62))

    def __len__(self) -> int:
        if self._is_iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)

    def __iter__(self):
        iterator = self._make_iterator()
        if self.pin_memory:
            from ._pin import pinning_iterator

            return pinning_iterator(iterator)
        return iterator

    def _make_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if self.persistent_workers:
            if self._iterator is None or self._iterator._closed:
                self._iterator = _MultiProcessIter(self)
            else:
                self._iterator._reset()
            return self._iterator
        return _MultiProcessIter(self)


class _SingleProcessIter:
    def __init__(self, loader: DataLoader):
        self._fetch = loader._fetcher()
        self._dataset = loader.dataset
        self._sampler_iter = iter(loader._index_sampler)
        self._iterator = None
        if loader._is_iterable:
            from . import _worker

            _worker._worker_info = None
            self._iterator = iter(loader.dataset)

    def __iter__(self):
        return self

    def __next__(self):
        if self._iterator is not None:
            return self._fetch(self._dataset, self._iterator, None)
        indices = next(self._sampler_iter)
        return self._fetch(self._dataset, None, indices)

    def __len__(self):
        return len(self._sampler_iter)


def _signal_name(code: int) -> str:
    try:
        return f" (killed by signal {signal.Signals(-code).name})"
    except ValueError:
        return ""


class _MultiProcessIter:
    def __init__(self, loader: DataLoader):
        self._loader = loader
        self._closed = True
        ctx = loader.multiprocessing_context
        if ctx is None:
            ctx = mp.get_context()
        elif isinstance(ctx, str):
            ctx = mp.get_context(ctx)
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._in_order = loader.in_order
        self._prefetch = loader.prefetch_factor * loader.num_workers
        self._result_queue = ctx.Queue()
        self._done_event = ctx.Event()
        self._index_queues = []
        self._workers = []
        base_seed = loader._base_seed()
        fetch = loader._fetcher()
        # Segment names carry this prefix, so that shutdown can find the segments of a worker
        # that died between creating one and sending its name.
        self._segment_prefix = f"ember_{os.getpid()}_{uuid.uuid4().hex[:8]}_"
        for worker_id in range(self._num_workers):
            index_queue = ctx.Queue()
            index_queue.cancel_join_thread()
            proc = ctx.Process(
                target=worker_loop,
                args=(
                    loader.dataset,
                    fetch,
                    index_queue,
                    self._result_queue,
                    self._done_event,
                    worker_id,
                    self._num_workers,
                    base_seed + worker_id,
                    loader.worker_init_fn,
                    loader._is_iterable,
                    self._segment_prefix,
                ),
                daemon=True,
            )
            proc.start()
            self._index_queues.append(index_queue)
            self._workers.append(proc)
        self._closed = False
        # Shut the workers down if the iterator is dropped or the interpreter exits.
        self._finalizer = weakref.finalize(
            self,
            _shutdown,
            self._workers,
            self._index_queues,
            self._result_queue,
            self._done_event,
            self._segment_prefix,
        )
        self._start_epoch()

    # -- epochs ---------------------------------------------------------------------------------
    def _start_epoch(self):
        self._sampler_iter = iter(self._loader._index_sampler)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._outstanding = {}  # task id -> worker id
        self._ready = {}  # task id -> (segment, payload), received out of order
        self._active = [True] * self._num_workers
        self._next_worker = itertools.cycle(range(self._num_workers))
        self._sampler_done = False
        for _ in range(self._prefetch):
            self._put_task()

    def _reset(self):
        """Start a new epoch with the same (persistent) workers."""
        while self._outstanding:
            task_id, name, _payload = self._get()
            self._outstanding.pop(task_id, None)
            _shared.discard(name)
        for name, _payload in self._ready.values():
            _shared.discard(name)
        if self._loader._is_iterable:
            for q in self._index_queues:
                q.put((RESET, None))
        self._start_epoch()

    def _put_task(self):
        if self._sampler_done or not any(self._active):
            return
        try:
            indices = next(self._sampler_iter)
        except StopIteration:
            self._sampler_done = True
            return
        for _ in range(self._num_workers):
            worker_id = next(self._next_worker)
            if self._active[worker_id]:
                break
        self._index_queues[worker_id].put((self._send_idx, indices))
        self._outstanding[self._send_idx] = worker_id
        self._send_idx += 1

    # -- receiving ----------------------------------------------------------------------------
    def _get(self):
        """The next message from any worker, watching for dead workers and the timeout."""
        start = time.monotonic()
        while True:
            try:
                return self._result_queue.get(timeout=_POLL)
            except queue.Empty:
                pass
            for proc in self._workers:
                if not proc.is_alive() and proc.exitcode != 0:
                    code = proc.exitcode
                    self._shutdown()
                    raise RuntimeError(
                        f"DataLoader worker (pid {proc.pid}) exited unexpectedly with exit code "
                        f"{code}{_signal_name(code) if code and code < 0 else ''}. The worker "
                        "may have run out of memory, crashed in native code, or failed to "
                        "start (with 'spawn', the dataset must be importable: its traceback "
                        "is printed above); run with num_workers=0 to see the error in the "
                        "main process."
                    )
            if self._timeout and time.monotonic() - start > self._timeout:
                self._shutdown()
                raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds")

    def __iter__(self):
        return self

    def __next__(self):
        try:
            return self._next()
        except StopIteration:
            if not self._loader.persistent_workers:
                self._shutdown()
            raise
        except BaseException:
            self._shutdown()
            raise

    def _next(self):
        if self._closed:
            raise StopIteration
        while True:
            if self._in_order:
                while self._rcvd_idx in self._ready:
                    name, payload = self._ready.pop(self._rcvd_idx)
                    self._rcvd_idx += 1
                    self._put_task()
                    if isinstance(payload, _IterableEnd):
                        continue
                    return self._process(name, payload)
                if not self._outstanding and not self._ready:
                    raise StopIteration
            elif not self._outstanding:
                raise StopIteration
            task_id, name, payload = self._get()
            if task_id == -1:  # worker_init_fn failed
                payload.reraise()
            self._outstanding.pop(task_id, None)
            if isinstance(payload, _IterableEnd):
                self._active[payload.worker_id] = False
            if self._in_order:
                self._ready[task_id] = (name, payload)
                continue
            self._put_task()
            if isinstance(payload, _IterableEnd):
                continue
            return self._process(name, payload)

    def _process(self, name, payload):
        if isinstance(payload, ExceptionWrapper):
            payload.reraise()
        return _shared.unpack(name, payload)

    # -- shutdown -----------------------------------------------------------------------------
    def _shutdown(self):
        if self._closed:
            return
        self._closed = True
        for name, _payload in self._ready.values():
            _shared.discard(name)
        self._ready.clear()
        self._finalizer()

    def __del__(self):
        try:
            self._shutdown()
        except Exception:
            pass


def _shutdown(workers, index_queues, result_queue, done_event, segment_prefix):
    """Stop the workers, then unlink the segments of batches nobody will read."""
    done_event.set()
    for q in index_queues:
        try:
            q.put(None)
        except (OSError, ValueError):
            pass
    deadline = time.monotonic() + 5.0
    for proc in workers:
        proc.join(timeout=max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.terminate()
            proc.join(timeout=1.0)
    while True:
        try:
            _task_id, name, _payload = result_queue.get(timeout=0.05)
        except (queue.Empty, OSError, ValueError, EOFError):
            break
        _shared.discard(name)
    for q in (*index_queues, result_queue):
        q.cancel_join_thread()
        q.close()
    _shared.sweep(segment_prefix)
