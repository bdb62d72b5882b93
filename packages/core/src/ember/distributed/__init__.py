"""``ember.distributed``: processes training together, with ``torch.distributed``'s API.

Processes are started by an MPI launcher (``mpiexec -n 2 python train.py`` or
``ember-run --nproc-per-node 2 train.py``) and joined by :func:`init_process_group`. Tensors
travel through MPI's buffer interface (``mpi4py``), or through NCCL for GPU tensors with the
``"nccl"`` backend. Importing this package is cheap: MPI is loaded by ``init_process_group``.
See ``docs/distributed.md``.

Example:
    >>> import ember.distributed as dist
    >>> dist.is_initialized()
    False
    >>> dist.ReduceOp.AVG
    <RedOpType.AVG: 1>
"""

from ._collectives import (
    all_gather,
    all_gather_into_tensor,
    all_reduce,
    barrier,
    broadcast,
    gather,
    irecv,
    isend,
    recv,
    reduce,
    reduce_scatter,
    reduce_scatter_tensor,
    scatter,
    send,
)
from ._group import (
    Backend,
    GroupMember,
    ProcessGroup,
    destroy_process_group,
    get_backend,
    get_global_rank,
    get_group_rank,
    get_process_group_ranks,
    get_rank,
    get_world_size,
    group,
    init_process_group,
    is_available,
    is_initialized,
    is_mpi_available,
    is_nccl_available,
    new_group,
)
from ._objects import (
    all_gather_object,
    broadcast_object_list,
    gather_object,
    scatter_object_list,
)
from ._reduce_op import ReduceOp
from ._work import Work

__all__ = [
    "Backend",
    "GroupMember",
    "ProcessGroup",
    "ReduceOp",
    "Work",
    "all_gather",
    "all_gather_into_tensor",
    "all_gather_object",
    "all_reduce",
    "barrier",
    "broadcast",
    "broadcast_object_list",
    "destroy_process_group",
    "gather",
    "gather_object",
    "get_backend",
    "get_global_rank",
    "get_group_rank",
    "get_process_group_ranks",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "irecv",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "is_nccl_available",
    "isend",
    "new_group",
    "recv",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_tensor",
    "scatter",
    "scatter_object_list",
    "send",
]
