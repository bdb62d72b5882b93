"""``DistributedDataParallel``: one model replica per process, gradients averaged across
processes during backward."""

from __future__ import annotations

import contextlib

from ...autograd import grad_mode
from ...backends import array_module_of
from ..modules.module import Module
from ._reducer import Reducer

__all__ = ["DistributedDataParallel"]


def _broadcast_coalesced(impl, tensors, root: int = 0) -> None:
    """Overwrite ``tensors`` with root's values: one broadcast per dtype and device."""
    groups: dict = {}
    for t in tensors:
        groups.setdefault((t._data.dtype, t._data.__class__), []).append(t)
    for group in groups.values():
        xp = array_module_of(group[0]._data)
        flat = xp.concatenate([t._data.reshape(-1) for t in group])
        impl.broadcast(flat, root).wait()
        offset = 0
        for t in group:
            n = t._data.size
            t._data[...] = flat[offset : offset + n].reshape(t._data.shape)
            offset += n


class DistributedDataParallel(Module):
    """Data-parallel training of ``module`` across the processes of a process group.

    At construction the parameters and buffers of rank 0 are broadcast to every rank (after
    checking that all ranks wrap a model with the same parameter names and shapes). Each
    forward runs the local ``module``; during the backward that follows, gradients are
    averaged across ranks in buckets of about ``bucket_cap_mb`` megabytes, each bucket's
    all-reduce starting as soon as its gradients are ready, so communication overlaps the rest
    of backward. After ``backward()`` returns, every rank holds the same averaged ``.grad``,
    and an optimizer step keeps the replicas equal.

    Args:
        module: the model to replicate.
        device_ids: for a model on one GPU, ``[device]`` (accepted as in PyTorch; the
            model's own device is used).
        output_device: accepted for PyTorch compatibility.
        dim: accepted for PyTorch compatibility (inputs are not scattered: each process
            feeds its own batch).
        broadcast_buffers: copy rank 0's buffers (running statistics...) to every rank at
            the start of each synchronised forward (default True).
        init_sync: broadcast parameters and buffers from rank 0 at construction (default
            True).
        process_group: the group to average over (default: the world).
        bucket_cap_mb: bucket size in megabytes (default 25).
        find_unused_parameters: walk the output's graph after each forward and mark the
            parameters it does not reach as ready, so a backward that skips some parameters
            still completes (default False: such a model raises an error naming them at the
            next forward).
        gradient_as_bucket_view, static_graph, check_reduction: accepted for PyTorch
            compatibility; gradients are always kept in their own arrays.

    Attributes:
        module: the wrapped module (its ``state_dict`` keys are this one's without the
            ``"module."`` prefix).

    Example:
        >>> import ember, ember.distributed as dist
        >>> from ember.nn.parallel import DistributedDataParallel as DDP
        >>> dist.init_process_group("mpi")  # doctest: +SKIP
        >>> model = DDP(ember.nn.Linear(4, 2))  # doctest: +SKIP
        >>> model(ember.randn(8, 4)).sum().backward()  # grads averaged over ranks  # doctest: +SKIP
        >>> list(model.state_dict())  # doctest: +SKIP
        ['module.weight', 'module.bias']
    """

    def __init__(
        self,
        module: Module,
        device_ids=None,
        output_device=None,
        dim: int = 0,
        broadcast_buffers: bool = True,
        init_sync: bool = True,
        process_group=None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
        check_reduction: bool = False,
        gradient_as_bucket_view: bool = False,
        static_graph: bool = False,
    ) -> None:
        super().__init__()
        from ... import distributed as dist
        from ...distributed._group import _default

        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel: module must be an nn.Module, got {type(module).__name__}"
            )
        if device_ids is not None and len(device_ids) > 1:
            raise ValueError(
                "device_ids can only be None or contain a single element (one device per process)"
            )
        pg = _default() if process_group is None else process_group
        if pg._impl is None:
            raise RuntimeError(
                "DistributedDataParallel: this rank is not a member of the given process group "
                f"(ranks {pg._ranks})"
            )
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any parameter "
                "that requires a gradient."
            )
        self.module = module
        self.process_group = pg
        self.device_ids = device_ids
        self.output_device = output_device
        self.dim = dim
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        self.bucket_bytes_cap = int((25 if bucket_cap_mb is None else bucket_cap_mb) * 1024 * 1024)
        impl = pg._impl
        self._verify_same_model(module, impl, pg)
        if init_sync:
            _broadcast_coalesced(impl, [p for _, p in module.named_parameters()]
                                 + list(module.buffers()))  # fmt: skip
        names = [n for n, _ in named]
        self.reducer = Reducer([p for _, p in named], names, impl, self.bucket_bytes_cap,
                               find_unused_parameters)  # fmt: skip
        self._rank = dist.get_rank()

    @staticmethod
    def _verify_same_model(module, impl, pg) -> None:
        mine = [
            (n, tuple(p._data.shape), str(p._data.dtype), bool(p.requires_grad))
            for n, p in module.named_parameters()
        ]
        everyone = impl.all_gather_object(mine)
        ref = everyone[0]
        for r, theirs in enumerate(everyone[1:], start=1):
            if theirs == ref:
                continue
            for a, b in zip(ref, theirs):
                if a != b:
                    raise RuntimeError(
                        "DistributedDataParallel: every rank must wrap the same model, but rank "
                        f"{pg._ranks[0]} has parameter {a[0]} with shape {list(a[1])}, {a[2]}"
                        f"{'' if a[3] else ' (frozen)'} where rank {pg._ranks[r]} has "
                        f"{b[0]} with shape {list(b[1])}, {b[2]}{'' if b[3] else ' (frozen)'}"
                    )
            raise RuntimeError(
                f"DistributedDataParallel: every rank must wrap the same model, but rank "
                f"{pg._ranks[0]} has {len(ref)} parameters and rank {pg._ranks[r]} has "
                f"{len(theirs)}"
            )

    def forward(self, *inputs, **kwargs):
        sync = grad_mode._state.enabled and self.require_backward_grad_sync
        if sync:
            self.reducer.check_finished()
        self.require_forward_param_sync = sync
        if sync and self.broadcast_buffers and self.process_group.size() > 1:
            buffers = list(self.module.buffers())
            if buffers:
                _broadcast_coalesced(self.process_group._impl, buffers)
        output = self.module(*inputs, **kwargs)
        if sync:
            self.reducer.prepare(output)
        return output

    @contextlib.contextmanager
    def no_sync(self):
        """Inside this context, backward accumulates gradients locally without averaging
        them; the first synchronised backward after it averages the accumulated sums.

        Example:
            >>> with ddp.no_sync():  # doctest: +SKIP
            ...     ddp(x1).sum().backward()  # local only
            >>> ddp(x2).sum().backward()  # averages both steps' sums  # doctest: +SKIP
        """
        previous = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = previous

    def _get_ddp_logging_data(self) -> dict:
        """Statistics of this wrapper: bucket layout and time spent communicating during
        backward (seconds; the last synchronised backward and the total)."""
        r = self.reducer
        return {
            "world_size": self.process_group.size(),
            "rank": self._rank,
            "bucket_cap_bytes": self.bucket_bytes_cap,
            "num_buckets": len(r.buckets),
            "bucket_sizes": [int(b.buffer.nbytes) for b in r.buckets],
            "num_reductions": r.num_reductions,
            "last_backward_comm_time_s": r.last_comm_time,
            "total_backward_comm_time_s": r.comm_time,
            "find_unused_parameters": self.find_unused_parameters,
        }

    def extra_repr(self) -> str:
        return ""
