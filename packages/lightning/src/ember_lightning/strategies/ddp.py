"""``DDPStrategy``: data-parallel training over the processes of an MPI job.

The trainer drives it (one process per device, all started by ``ember-run`` or ``mpiexec``):

1. ``setup_environment()`` joins the default process group (unless the script already did);
2. ``setup_module(module)`` wraps the LightningModule in ``DistributedDataParallel``;
3. ``training_step(batch, batch_idx)`` runs the module's ``training_step`` as the forward
   of the wrapper, so that the backward after it averages the gradients;
4. ``process_dataloader(loader, shuffle)`` gives each rank its share of the data through a
   ``DistributedSampler``;
5. ``block_backward_sync()`` skips gradient averaging on the steps that only accumulate;
6. ``reduce(value, reduce_op)`` combines a logged metric across ranks (``sync_dist=True``);
   ``broadcast``, ``barrier`` and ``reduce_boolean_decision`` keep ranks agreeing (early
   stopping, checkpoint paths); ``is_global_zero`` gates progress bars, loggers and
   checkpoint writing;
7. ``teardown()`` unwraps the module. The process group stays up (as in Lightning): after
   ``fit``, ``trainer.is_global_zero`` still tells the ranks apart, ``test`` can follow, and
   an uncaught exception on one rank still ends the whole job. It ends with the process, or
   with ``ember.distributed.destroy_process_group()``.

Note [Training step through the wrapper]
    ``DistributedDataParallel`` averages gradients only in a backward that follows its own
    forward (which arms its gradient reducer and broadcasts buffers), but the trainer must
    call ``training_step``, not ``forward``. ``training_step`` therefore calls the wrapper
    with the module's ``forward`` standing for its ``training_step`` during that one call
    (Lightning's "forward redirection"); the real ``forward`` is back in place before the
    step's own code runs, so ``self(x)`` inside it behaves as usual.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from .strategy import Strategy, check_reduce_op

__all__ = ["DDPStrategy"]


def _call_as_forward(wrapper, module, method: str, *args: Any, **kwargs: Any) -> Any:
    """``wrapper(*args, **kwargs)`` with ``module.forward`` running ``module.<method>`` for
    that one call (see Note [Training step through the wrapper])."""
    own_forward = module.__dict__.get("forward")  # an instance-level forward, if any

    def restore_forward() -> None:
        if own_forward is None:
            module.__dict__.pop("forward", None)
        else:
            module.__dict__["forward"] = own_forward

    def method_as_forward(*a: Any, **k: Any) -> Any:
        restore_forward()
        return getattr(module, method)(*a, **k)

    module.__dict__["forward"] = method_as_forward
    try:
        return wrapper(*args, **kwargs)
    finally:
        restore_forward()


class DDPStrategy(Strategy):
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
        super().__init__()
        self.process_group_backend = process_group_backend
        self._ddp_kwargs = ddp_kwargs

    # -- where this process stands -----------------------------------------------------------
    @staticmethod
    def _dist():
        import ember.distributed as dist

        return dist

    @staticmethod
    def _launch():
        from ember.distributed._env import detect_launch

        return detect_launch()

    # Before the process group exists, the launcher's environment variables tell the ranks
    # (so ``trainer.is_global_zero`` is right from the start); the group's answer wins after.
    @property
    def global_rank(self) -> int:
        dist = self._dist()
        return dist.get_rank() if dist.is_initialized() else self._launch().rank

    @property
    def world_size(self) -> int:
        dist = self._dist()
        return dist.get_world_size() if dist.is_initialized() else self._launch().world_size

    @property
    def local_rank(self) -> int:
        return self._launch().local_rank

    @property
    def node_rank(self) -> int:
        info = self._launch()
        return info.rank // max(info.local_world_size, 1)

    @property
    def is_global_zero(self) -> bool:
        """True on the rank that draws progress bars, logs and writes checkpoints."""
        return self.global_rank == 0

    @property
    def distributed_sampler_kwargs(self) -> dict:
        return {"num_replicas": self.world_size, "rank": self.global_rank}

    # -- lifecycle ---------------------------------------------------------------------------
    def _cuda_index(self) -> int | None:
        device = self.root_device
        return device.index if device is not None and device.type == "cuda" else None

    def setup_environment(self) -> None:
        """Join the default process group, unless the script has already."""
        dist = self._dist()
        if not dist.is_initialized():
            dist.init_process_group(self.process_group_backend, device_id=self._cuda_index())

    def setup_module(self, module):
        """Wrap ``module`` in ``DistributedDataParallel`` (rank 0's weights go to every rank)."""
        from ember.nn.parallel import DistributedDataParallel

        index = self._cuda_index()
        device_ids = None if index is None else [index]
        self.model = DistributedDataParallel(module, device_ids=device_ids, **self._ddp_kwargs)
        return self.model

    @property
    def lightning_module(self):
        """The module the trainer's hooks call (the wrapped one)."""
        return None if self.model is None else self.model.module

    def teardown(self) -> None:
        """Unwrap the module: its parameters lose the wrapper's gradient hooks. The process
        group stays up (see the module docstring)."""
        if self.model is not None:
            self.model.reducer.remove_hooks()
        self.model = None

    # -- training step -----------------------------------------------------------------------
    def training_step(self, *args: Any, **kwargs: Any) -> Any:
        """``lightning_module.training_step(*args, **kwargs)``, run as the wrapper's forward
        so that the following backward averages the gradients across ranks."""
        if self.model is None:
            return super().training_step(*args, **kwargs)
        return _call_as_forward(self.model, self.model.module, "training_step", *args, **kwargs)

    def pre_backward(self, loss) -> None:
        """In manual optimisation, arm the wrapper's gradient averaging for this backward.

        ``self.manual_backward`` runs inside ``training_step``, that is inside the wrapper's
        forward, before the wrapper could arm its reducer on the step's output; so it is
        armed here, on the loss (as Lightning's DDP strategy does).
        """
        model = self.model
        if (
            model is not None
            and not model.module.automatic_optimization
            and model.require_backward_grad_sync
        ):
            model.reducer.prepare(loss)

    # -- data --------------------------------------------------------------------------------
    def process_dataloader(self, loader, shuffle: bool | None = None, seed: int | None = None):
        """``loader`` rebuilt with a ``DistributedSampler`` giving this rank its share.

        Loaders with a custom sampler or batch sampler, iterable datasets and loaders that
        already sample distributedly are returned unchanged. ``shuffle`` defaults to whether
        ``loader`` shuffles (a ``RandomSampler``); ``seed`` (the shuffling seed, the same on
        every rank) defaults to the one given to ``seed_everything``, else 0. The trainer
        calls ``sampler.set_epoch(epoch)`` each epoch, so each epoch has its own order.
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
        if seed is None:
            seed = int(os.environ.get("PL_GLOBAL_SEED", 0))
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

        op_name = check_reduce_op("DDPStrategy", reduce_op)
        dist = self._dist()
        is_tensor = isinstance(value, ember.Tensor)
        t = value.detach().clone() if is_tensor else ember.tensor(float(value), dtype=ember.float64)
        if not t.dtype.is_floating_point and op_name == "mean":
            t = t.float()
        if dist.is_initialized() and self.world_size > 1:
            op = {
                "mean": dist.ReduceOp.AVG,
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
