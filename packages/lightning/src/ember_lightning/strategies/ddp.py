"""``DDPStrategy``: data-parallel training over the processes of an MPI job.

The trainer drives it (one process per device, all started by ``ember-run`` or ``mpiexec``):

1. ``setup_environment()`` joins the default process group (unless the script already did);
2. ``setup_module(module)`` wraps the LightningModule in ``DistributedDataParallel``;
3. ``process_dataloader(loader, shuffle)`` gives each rank its share of the data through a
   ``DistributedSampler``;
4. ``block_backward_sync()`` skips gradient averaging on the steps that only accumulate;
5. ``reduce(value, reduce_op)`` combines a logged metric across ranks (``sync_dist=True``);
   ``broadcast``, ``barrier`` and ``reduce_boolean_decision`` keep ranks agreeing (early
   stopping, checkpoint paths); ``is_global_zero`` gates progress bars, loggers and
   checkpoint writing;
6. ``teardown()`` leaves the process group if it joined it.
"""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["DDPStrategy"]

_REDUCE_OPS = ("mean", "avg", "sum", "max", "min")


class DDPStrategy:
    """Data-parallel strategy on ``ember.distributed`` (Lightning's ``strategy="ddp"``).

    Args:
        process_group_backend: ``"mpi"``, ``"nccl"`` or None (``"auto"``: NCCL when CuPy and
            a GPU are present).
        find_unused_parameters, bucket_cap_mb, broadcast_buffers, ...: passed to
            ``DistributedDataParallel``.

    Example:
        >>> from ember_lightning.strategies import DDPStrategy
        >>> s = DDPStrategy(find_unused_parameters=True)
        >>> s.strategy_name, s.is_global_zero
        ('ddp', True)
    """

    strategy_name = "ddp"

    def __init__(self, process_group_backend: str | None = None, **ddp_kwargs: Any) -> None:
        self.process_group_backend = process_group_backend
        self._ddp_kwargs = ddp_kwargs
        self._owns_group = False
        self.model = None

    # -- where this process stands -----------------------------------------------------------
    @staticmethod
    def _dist():
        import ember.distributed as dist

        return dist

    @property
    def global_rank(self) -> int:
        dist = self._dist()
        return dist.get_rank() if dist.is_initialized() else 0

    @property
    def world_size(self) -> int:
        dist = self._dist()
        return dist.get_world_size() if dist.is_initialized() else 1

    @property
    def local_rank(self) -> int:
        from ember.distributed._env import detect_launch

        return detect_launch().local_rank if self._dist().is_initialized() else 0

    @property
    def node_rank(self) -> int:
        from ember.distributed._env import detect_launch

        info = detect_launch()
        return info.rank // max(info.local_world_size, 1) if self._dist().is_initialized() else 0

    @property
    def is_global_zero(self) -> bool:
        """True on the rank that draws progress bars, logs and writes checkpoints."""
        return self.global_rank == 0

    @property
    def distributed_sampler_kwargs(self) -> dict:
        return {"num_replicas": self.world_size, "rank": self.global_rank}

    # -- lifecycle ---------------------------------------------------------------------------
    def setup_environment(self) -> None:
        """Join the default process group, unless the script has already."""
        dist = self._dist()
        if not dist.is_initialized():
            dist.init_process_group(self.process_group_backend)
            self._owns_group = True

    def setup_module(self, module):
        """Wrap ``module`` in ``DistributedDataParallel`` (rank 0's weights go to every rank)."""
        from ember.nn.parallel import DistributedDataParallel

        self.model = DistributedDataParallel(module, **self._ddp_kwargs)
        return self.model

    @property
    def lightning_module(self):
        """The module the trainer's hooks call (the wrapped one)."""
        return None if self.model is None else self.model.module

    def teardown(self) -> None:
        """Leave the process group when ``setup_environment`` joined it."""
        if self._owns_group and self._dist().is_initialized():
            self._dist().destroy_process_group()
        self._owns_group = False

    # -- data --------------------------------------------------------------------------------
    def process_dataloader(self, loader, shuffle: bool | None = None, seed: int = 0):
        """``loader`` rebuilt with a ``DistributedSampler`` giving this rank its share.

        Loaders with a custom sampler or batch sampler, iterable datasets and loaders that
        already sample distributedly are returned unchanged. ``shuffle`` defaults to whether
        ``loader`` shuffles (a ``RandomSampler``).
        """
        from ember.utils.data import (
            BatchSampler,
            DataLoader,
            DistributedSampler,
            RandomSampler,
            SequentialSampler,
        )

        if not isinstance(loader, DataLoader) or loader._is_iterable:
            return loader
        sampler = loader.sampler
        if isinstance(sampler, DistributedSampler) or not isinstance(
            sampler, (RandomSampler, SequentialSampler)
        ):
            return loader
        if loader.batch_sampler is not None and type(loader.batch_sampler) is not BatchSampler:
            return loader
        if shuffle is None:
            shuffle = isinstance(sampler, RandomSampler)
        dist_sampler = DistributedSampler(
            loader.dataset, shuffle=shuffle, seed=seed, **self.distributed_sampler_kwargs
        )
        return DataLoader(
            loader.dataset,
            batch_size=loader.batch_size,
            sampler=dist_sampler,
            num_workers=loader.num_workers,
            collate_fn=loader.collate_fn,
            pin_memory=loader.pin_memory,
            drop_last=loader.drop_last,
            timeout=loader.timeout,
            worker_init_fn=loader.worker_init_fn,
            generator=loader.generator,
            prefetch_factor=loader.prefetch_factor,
            persistent_workers=loader.persistent_workers,
        )

    # -- training step -----------------------------------------------------------------------
    @contextlib.contextmanager
    def block_backward_sync(self):
        """Inside it, backward does not average gradients (the accumulation steps)."""
        if self.model is None:
            yield
            return
        with self.model.no_sync():
            yield

    # -- agreement between ranks -------------------------------------------------------------
    def reduce(self, value, group=None, reduce_op: str | None = "mean"):
        """``value`` (a tensor or a number) combined over ranks: ``"mean"`` (default),
        ``"sum"``, ``"max"`` or ``"min"``. Returns a tensor for a tensor, else a float."""
        import ember

        op_name = "mean" if reduce_op is None else str(reduce_op).lower()
        if op_name not in _REDUCE_OPS:
            raise ValueError(
                f"DDPStrategy.reduce: reduce_op must be one of {list(_REDUCE_OPS)}, got "
                f"{reduce_op!r}"
            )
        dist = self._dist()
        is_tensor = isinstance(value, ember.Tensor)
        t = value.detach().clone() if is_tensor else ember.tensor(float(value))
        if not t.dtype.is_floating_point and op_name in ("mean", "avg"):
            t = t.float()
        if dist.is_initialized() and self.world_size > 1:
            op = {
                "mean": dist.ReduceOp.AVG,
                "avg": dist.ReduceOp.AVG,
                "sum": dist.ReduceOp.SUM,
                "max": dist.ReduceOp.MAX,
                "min": dist.ReduceOp.MIN,
            }[op_name]
            dist.all_reduce(t, op=op, group=group)
        return t if is_tensor else float(t.item())

    def barrier(self, name: str | None = None) -> None:
        """Wait until every rank has reached this point."""
        if self._dist().is_initialized():
            self._dist().barrier()

    def broadcast(self, obj, src: int = 0):
        """Rank ``src``'s ``obj`` (any picklable object) on every rank."""
        if not self._dist().is_initialized():
            return obj
        box = [obj]
        self._dist().broadcast_object_list(box, src=src)
        return box[0]

    def all_gather(self, tensor):
        """Every rank's ``tensor`` (same shape on every rank), stacked along a new dim 0."""
        import ember

        dist = self._dist()
        if not dist.is_initialized():
            return tensor.unsqueeze(0)
        out = ember.zeros((self.world_size, *tensor.shape), dtype=tensor.dtype)
        dist.all_gather_into_tensor(out, tensor.detach().contiguous())
        return out

    def reduce_boolean_decision(self, decision: bool, all: bool = True) -> bool:
        """True when every rank (``all=True``) or any rank decided True."""
        dist = self._dist()
        if not dist.is_initialized() or self.world_size == 1:
            return bool(decision)
        import ember

        t = ember.tensor([int(bool(decision))])
        dist.all_reduce(t, op=dist.ReduceOp.MIN if all else dist.ReduceOp.MAX)
        return bool(t.item())

    def __repr__(self) -> str:
        return f"DDPStrategy(process_group_backend={self.process_group_backend!r})"
