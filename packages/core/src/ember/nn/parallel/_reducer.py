"""The gradient reducer of ``DistributedDataParallel``: buckets all-reduced as backward
produces the gradients.

Note [Gradient buckets]
    Parameters are grouped, in reverse registration order (roughly the order in which
    backward produces their gradients), into buckets of one dtype and device holding at most
    ``bucket_cap_mb`` megabytes (the first one at most 1 MiB, so communication starts early).
    Each parameter gets a post-accumulate-grad hook: when its gradient is final for this
    backward, the hook copies it into its bucket's flat buffer; when a bucket is full, the
    bucket's averaging all-reduce starts asynchronously while backward goes on. Buckets start
    in index order on every rank (a full bucket waits for the earlier ones), so the ranks'
    collectives always match. When the last gradient is in, the reducer waits for every
    bucket and writes the averages back into ``.grad``.

    The reducer is armed by each forward that needs a synchronised backward (grad mode on,
    not under ``no_sync``); hooks of an unarmed reducer do nothing, so gradients accumulate
    locally. With ``find_unused_parameters``, the forward's output graph is walked to find
    the parameters it does not reach; they are marked ready at once (contributing their
    current gradient, or zeros), and a small all-reduce of a used-parameter map tells which
    parameters no rank used, whose ``.grad`` is then left untouched, as in PyTorch.
"""

from __future__ import annotations

import time

import numpy as np

from ...autograd.graph import AccumulateGrad
from ...backends import array_module_of
from ...distributed._reduce_op import RedOpType

__all__ = ["Reducer"]

_FIRST_BUCKET_BYTES = 1024 * 1024


class _Bucket:
    __slots__ = ("indices", "offsets", "buffer", "pending", "work")

    def __init__(self, indices, params):
        self.indices = indices
        sizes = [params[i]._data.size for i in indices]
        self.offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int).tolist()
        first = params[indices[0]]._data
        xp = array_module_of(first)
        self.buffer = xp.zeros(self.offsets[-1], dtype=first.dtype)
        self.pending = len(indices)
        self.work = None


def _build_buckets(params, cap_bytes: int) -> list:
    buckets, current, current_bytes, key = [], [], 0, None
    limit = min(_FIRST_BUCKET_BYTES, cap_bytes)
    for i in reversed(range(len(params))):
        arr = params[i]._data
        k = (arr.dtype, arr.__class__)
        if current and (k != key or current_bytes + arr.nbytes > limit):
            buckets.append(current)
            current, current_bytes, limit = [], 0, cap_bytes
        current.append(i)
        current_bytes += arr.nbytes
        key = k
    if current:
        buckets.append(current)
    return [_Bucket(b, params) for b in buckets]


def _reached_params(outputs) -> set | None:
    """ids of the leaf tensors whose AccumulateGrad nodes the graph of ``outputs`` reaches
    (tensors found in nested lists, tuples, dicts and dataclasses), or None when ``outputs``
    holds no tensor at all (then every parameter counts as used)."""
    import dataclasses

    from ..._tensor import Tensor

    stack, seen, found = [], set(), set()
    tensors = 0

    def collect(obj):
        nonlocal tensors
        if isinstance(obj, Tensor):
            tensors += 1
            if obj.grad_fn is not None:
                stack.append(obj.grad_fn)
            elif obj._requires_grad:
                found.add(id(obj))
        elif isinstance(obj, (list, tuple)):
            for o in obj:
                collect(o)
        elif isinstance(obj, dict):
            for o in obj.values():
                collect(o)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                collect(getattr(obj, f.name))

    collect(outputs)
    if not tensors:
        return None
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if node.__class__ is AccumulateGrad:
            found.add(id(node.variable))
            continue
        for edge in node._next:
            if edge is not None:
                stack.append(edge[0])
    return found


class Reducer:
    """Bucketed, overlapped gradient averaging for a list of parameters (see Note
    [Gradient buckets])."""

    def __init__(self, params, names, impl, bucket_cap_bytes: int, find_unused: bool):
        self.params = params
        self.names = names
        self.impl = impl
        self.find_unused = find_unused
        self.buckets = _build_buckets(params, bucket_cap_bytes)
        self.bucket_of = {}
        for b, bucket in enumerate(self.buckets):
            for slot, i in enumerate(bucket.indices):
                self.bucket_of[i] = (b, slot)
        self.armed = False
        self.ready = [False] * len(params)
        self.num_ready = 0
        self.next_bucket = 0
        self.used_map = None
        self.used_work = None
        self.comm_time = 0.0
        self.last_comm_time = 0.0
        self.num_reductions = 0
        self.handles = [
            p.register_post_accumulate_grad_hook(self._make_hook(i)) for i, p in enumerate(params)
        ]

    def _make_hook(self, index: int):
        def hook(param):
            if self.armed:
                self._mark_ready(index)

        return hook

    # -- forward side ------------------------------------------------------------------------
    def check_finished(self) -> None:
        """Raise when the previous synchronised backward did not produce every gradient."""
        if self.armed and self.num_ready > 0:
            missing = [self.names[i] for i, r in enumerate(self.ready) if not r]
            self.armed = False
            raise RuntimeError(
                "DistributedDataParallel: expected to have finished reduction in the prior "
                "iteration before starting a new one. The module has parameters that were not "
                "used in producing the loss; pass find_unused_parameters=True to "
                "DistributedDataParallel, or make sure all forward outputs take part in the "
                f"loss. Parameters which did not receive grad for rank {self._world_rank()}: "
                + ", ".join(missing)
            )

    def _world_rank(self) -> int:
        from ... import distributed as dist

        return dist.get_rank()

    def prepare(self, outputs) -> None:
        """Arm the reducer for the backward of this forward's ``outputs``."""
        self.ready = [False] * len(self.params)
        self.num_ready = 0
        self.next_bucket = 0
        for bucket in self.buckets:
            bucket.pending = len(bucket.indices)
            bucket.work = None
        self.armed = True
        self.last_comm_time = 0.0
        if self.find_unused:
            reached = _reached_params(outputs)
            used = [reached is None or id(p) in reached for p in self.params]
            self.used_map = np.array(
                [u or p._grad is not None for u, p in zip(used, self.params)], dtype=np.int32
            )
            self.used_work = self.impl.all_reduce(self.used_map, RedOpType.MAX)
            for i, u in enumerate(used):
                if not u:
                    self._mark_ready(i)

    # -- backward side ---------------------------------------------------------------------
    def _mark_ready(self, index: int) -> None:
        if self.ready[index]:
            raise RuntimeError(
                "DistributedDataParallel: expected to mark a variable ready only once, but "
                f"parameter {self.names[index]} received its gradient twice in one backward "
                "(a parameter used outside forward, or backward run twice on one forward "
                "without no_sync())"
            )
        self.ready[index] = True
        self.num_ready += 1
        b, slot = self.bucket_of[index]
        bucket = self.buckets[b]
        start, stop = bucket.offsets[slot], bucket.offsets[slot + 1]
        grad = self.params[index]._grad
        if grad is None:
            bucket.buffer[start:stop] = 0
        else:
            bucket.buffer[start:stop] = grad._data.reshape(-1)
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_ready()
        if self.num_ready == len(self.params):
            self._finalize()

    def _launch_ready(self) -> None:
        t0 = time.perf_counter()
        while self.next_bucket < len(self.buckets):
            bucket = self.buckets[self.next_bucket]
            if bucket.pending:
                break
            bucket.work = self.impl.all_reduce(bucket.buffer, RedOpType.AVG)
            self.next_bucket += 1
        self._count(t0)

    def _count(self, t0: float) -> None:
        spent = time.perf_counter() - t0
        self.comm_time += spent
        self.last_comm_time += spent

    def _finalize(self) -> None:
        from ..._tensor import _make

        self.armed = False
        t0 = time.perf_counter()
        for bucket in self.buckets:
            bucket.work.wait()
        globally_used = None
        if self.used_work is not None:
            self.used_work.wait()
            globally_used, self.used_work = self.used_map, None
        self._count(t0)
        self.num_reductions += 1
        for bucket in self.buckets:
            for slot, i in enumerate(bucket.indices):
                p = self.params[i]
                if globally_used is not None and not globally_used[i]:
                    continue
                avg = bucket.buffer[bucket.offsets[slot] : bucket.offsets[slot + 1]]
                avg = avg.reshape(p._data.shape)
                if p._grad is None:
                    p._grad = _make(avg.copy(), False, None)
                else:
                    p._grad._data[...] = avg

    def remove_hooks(self) -> None:
        for handle in self.handles:
            handle.remove()
        self.handles = []
