"""Process groups: the default (world) group set up by ``init_process_group``, and the
sub-groups of ``new_group``. A group holds the backend that talks over its communicator.
"""

from __future__ import annotations

import importlib.util

from ._env import detect_launch

__all__ = [
    "Backend",
    "GroupMember",
    "ProcessGroup",
    "destroy_process_group",
    "get_backend",
    "get_group_rank",
    "get_global_rank",
    "get_process_group_ranks",
    "get_rank",
    "get_world_size",
    "group",
    "init_process_group",
    "is_available",
    "is_initialized",
    "is_mpi_available",
    "is_nccl_available",
    "new_group",
]

_NOT_INITIALIZED = (
    "Default process group has not been initialized, please make sure to call init_process_group."
)


class Backend(str):
    """A backend name: ``Backend.MPI`` (``"mpi"``) or ``Backend.NCCL`` (``"nccl"``).

    Example:
        >>> from ember.distributed import Backend
        >>> Backend("MPI") == Backend.MPI
        True
    """

    MPI = "mpi"
    NCCL = "nccl"
    AUTO = "auto"

    def __new__(cls, name: str):
        if not isinstance(name, str):
            raise TypeError(f"Backend name must be a string, but got: {name!r}")
        value = name.lower()
        if value not in (cls.MPI, cls.NCCL, cls.AUTO):
            raise ValueError(
                f"Backend {name!r} is not available in Ember: use 'mpi' (CPU tensors, and GPU "
                "tensors through host memory), 'nccl' (GPU tensors through NCCL, CPU tensors "
                "through MPI) or 'auto'"
            )
        return super().__new__(cls, value)


class ProcessGroup:
    """A set of ranks that communicate together. ``rank()`` is this process's rank inside
    the group (-1 when it is not a member) and ``size()`` the number of members."""

    def __init__(self, impl, ranks: list[int], backend: str):
        self._impl = impl  # None on ranks outside the group
        self._ranks = list(ranks)
        self._backend = backend

    def rank(self) -> int:
        return -1 if self._impl is None else self._impl.rank

    def size(self) -> int:
        return len(self._ranks)

    def __repr__(self) -> str:
        return f"ProcessGroup(backend={self._backend!r}, ranks={self._ranks}, rank={self.rank()})"


class _State:
    world: ProcessGroup | None = None
    groups: list = []


_state = _State()


class GroupMember:
    """``GroupMember.WORLD``: the default group (None before ``init_process_group``);
    ``GroupMember.NON_GROUP_MEMBER``: what ``new_group`` gives the ranks it leaves out."""

    NON_GROUP_MEMBER = -100

    class _World:
        def __get__(self, obj, cls):
            return _state.world

    WORLD = _World()


class _GroupNamespace:
    """``group.WORLD``, as ``torch.distributed.group.WORLD``."""

    @property
    def WORLD(self):
        return _state.world


group = _GroupNamespace()


def is_available() -> bool:
    """True when distributed training can be used: ``mpi4py`` (and so an MPI library) is
    installed. Checks without importing MPI.

    Example:
        >>> import ember.distributed as dist
        >>> isinstance(dist.is_available(), bool)
        True
    """
    return importlib.util.find_spec("mpi4py") is not None


is_mpi_available = is_available


def is_nccl_available() -> bool:
    """True when the NCCL backend can be used: CuPy with NCCL support and a CUDA device."""
    if importlib.util.find_spec("cupy") is None:
        return False
    from ._backend_nccl import nccl_usable

    return nccl_usable()


def is_initialized() -> bool:
    """True once ``init_process_group`` has run (and ``destroy_process_group`` has not)."""
    return _state.world is not None


def _default() -> ProcessGroup:
    if _state.world is None:
        raise ValueError(_NOT_INITIALIZED)
    return _state.world


def _import_mpi(fn_name: str):
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise RuntimeError(
            f"{fn_name}: Ember's distributed backends need mpi4py and an MPI library; install "
            f"them with `pip install ember[distributed]` ({exc})"
        ) from None
    return MPI


def init_process_group(
    backend: str | None = None,
    init_method: str | None = None,
    timeout=None,
    world_size: int = -1,
    rank: int = -1,
    store=None,
    group_name: str = "",
    pg_options=None,
    device_id=None,
) -> None:
    """Join the processes of this job into the default process group.

    The processes must have been started by an MPI launcher (``mpiexec -n N python ...`` or
    ``ember-run --nproc-per-node N ...``); a process started alone forms a group of one.
    Rank and world size come from MPI; ``rank`` and ``world_size``, when given, must agree
    with it. After this call, an uncaught exception on any rank aborts the whole job
    (see ``docs/distributed.md``).

    Args:
        backend: ``"mpi"``, ``"nccl"`` (GPU tensors through NCCL, bootstrapped over MPI; CPU
            tensors through MPI) or ``"auto"``/None (NCCL when CuPy and a GPU are present,
            else MPI).
        init_method: None, ``"env://"`` or ``"mpi://"``: the rendezvous is always MPI's.
        timeout: accepted for PyTorch compatibility; MPI collectives do not time out.
        world_size, rank: checked against the launcher's, when given.
        store, group_name, pg_options: accepted for PyTorch compatibility; must be unset.
        device_id: the CUDA device of this rank for NCCL (default: local rank modulo the
            number of devices).

    Example:
        >>> import ember.distributed as dist
        >>> dist.init_process_group("mpi")  # doctest: +SKIP
        >>> dist.get_rank(), dist.get_world_size()  # doctest: +SKIP
        (0, 1)
    """
    if _state.world is not None:
        raise RuntimeError("trying to initialize the default process group twice!")
    name = Backend(backend if backend is not None else "auto")
    if init_method not in (None, "env://", "mpi://"):
        raise ValueError(
            f"init_process_group: init_method {init_method!r} is not supported; processes meet "
            "through the MPI launcher (use None or 'env://')"
        )
    if store is not None or pg_options is not None:
        raise ValueError(
            "init_process_group: store and pg_options are not used by Ember's backends"
        )
    MPI = _import_mpi("init_process_group")
    comm = MPI.COMM_WORLD
    info = detect_launch()
    if info.launcher == "env" and info.world_size > 1 and comm.Get_size() == 1:
        raise RuntimeError(
            f"init_process_group: WORLD_SIZE={info.world_size} is set but this process was not "
            "started by an MPI launcher; start the job with "
            f"`ember-run --nproc-per-node {info.world_size} script.py` or "
            f"`mpiexec -n {info.world_size} python script.py`"
        )
    if world_size not in (-1, None) and world_size != comm.Get_size():
        raise ValueError(
            f"init_process_group: world_size={world_size} but the MPI launcher started "
            f"{comm.Get_size()} processes"
        )
    if rank not in (-1, None) and rank != comm.Get_rank():
        raise ValueError(
            f"init_process_group: rank={rank} but MPI gives this process rank {comm.Get_rank()}"
        )
    if name == Backend.AUTO:
        name = Backend(Backend.NCCL if is_nccl_available() else Backend.MPI)
    impl = _make_backend(name, comm.Dup(), device_id, info.local_rank)
    _state.world = ProcessGroup(impl, list(range(impl.size)), str(name))
    _state.groups = []
    from ._failure import install_abort_on_exception

    install_abort_on_exception()


def _make_backend(name: str, comm, device_id, local_rank: int):
    from ._backend_mpi import MPIBackend

    if name == Backend.MPI:
        return MPIBackend(comm)
    from ._backend_nccl import NCCLBackend

    return NCCLBackend(comm, device_id=device_id, local_rank=local_rank)


def destroy_process_group(group: ProcessGroup | None = None) -> None:
    """Free a group made by ``new_group``, or (``group=None``) every group and the default
    one; ``init_process_group`` may then be called again."""
    if group is None or group is _state.world:
        world = _default()
        for g in _state.groups:
            if g._impl is not None:
                g._impl.destroy()
        world._impl.destroy()
        _state.world = None
        _state.groups = []
        from ._failure import uninstall_abort_on_exception

        uninstall_abort_on_exception()
        return
    if group in _state.groups:
        _state.groups.remove(group)
        if group._impl is not None:
            group._impl.destroy()
            group._impl = None


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, **kwargs) -> ProcessGroup:
    """A group of the given global ``ranks`` (default: all). Every rank of the default group
    must call it, members or not; ranks outside get a group whose ``rank()`` is -1, on which
    collectives do nothing.

    Example:
        >>> import ember.distributed as dist
        >>> evens = dist.new_group([0, 2])  # doctest: +SKIP
    """
    world = _default()
    if ranks is None:
        ranks = list(range(world.size()))
    ranks = sorted(int(r) for r in ranks)
    if len(set(ranks)) != len(ranks) or any(r < 0 or r >= world.size() for r in ranks):
        raise ValueError(
            f"new_group: ranks must be distinct ranks of the default group "
            f"(0..{world.size() - 1}), got {ranks}"
        )
    if backend is not None and Backend(backend) != world._backend:
        raise ValueError(
            f"new_group: backend {backend!r} differs from the default group's {world._backend!r}"
        )
    pg = ProcessGroup(world._impl.split(ranks), ranks, world._backend)
    _state.groups.append(pg)
    return pg


def _group_or_default(group) -> ProcessGroup:
    return _default() if group is None else group


def get_rank(group: ProcessGroup | None = None) -> int:
    """This process's rank in ``group`` (default: the world), -1 when not a member."""
    return _group_or_default(group).rank()


def get_world_size(group: ProcessGroup | None = None) -> int:
    """The number of processes in ``group`` (default: the world); -1 when not a member."""
    pg = _group_or_default(group)
    return pg.size() if pg._impl is not None else -1


def get_backend(group: ProcessGroup | None = None) -> Backend:
    """The backend name of ``group`` (default: the world)."""
    return Backend(_group_or_default(group)._backend)


def get_process_group_ranks(group: ProcessGroup) -> list[int]:
    """The global ranks of the members of ``group``, in group-rank order."""
    return list(_group_or_default(group)._ranks)


def get_global_rank(group: ProcessGroup, group_rank: int) -> int:
    """The global rank of the member ``group_rank`` of ``group``."""
    ranks = _group_or_default(group)._ranks
    if not 0 <= group_rank < len(ranks):
        raise ValueError(f"get_global_rank: group rank {group_rank} is not in 0..{len(ranks) - 1}")
    return ranks[group_rank]


def get_group_rank(group: ProcessGroup, global_rank: int) -> int:
    """The rank inside ``group`` of the process of global rank ``global_rank``."""
    ranks = _group_or_default(group)._ranks
    if global_rank not in ranks:
        raise ValueError(f"get_group_rank: global rank {global_rank} is not part of group {ranks}")
    return ranks.index(global_rank)
