"""The collectives and point-to-point operations on tensors, with PyTorch's signatures.

Each collective checks its arguments on every rank, then agrees with the other ranks before
any data moves (Note [Argument agreement]), then hands contiguous arrays to the group's
backend, which returns a :class:`Work`. Blocking calls wait on it; ``async_op=True`` returns
it. Results are written into the caller's tensors in place (their version counter is bumped).

Note [Argument agreement]
    A collective called with different shapes or dtypes on different ranks would, in raw MPI,
    read past buffers, truncate, or hang. Before moving data, every rank contributes one
    small int64 row (which collective, dtype, element count, shape, root, op, and whether its
    own argument checks failed) to a single ``Allgather``; if the rows differ, every rank
    raises the same RuntimeError naming each rank's call, and if a rank's own checks failed,
    it raises its error and the others raise one naming it. The cost is one latency-bound
    message per collective; DDP's gradient all-reduces, whose buffers are checked once at
    wrap time, skip it. Point-to-point ``send``/``recv`` cannot agree in advance: ``recv``
    raises when the message it gets has another size than its tensor.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor
from ..backends import array_module_of
from ..ops.inplace import bump_version
from ._group import ProcessGroup, _default
from ._reduce_op import RedOpType, ReduceOp, as_red_op
from ._work import Work

__all__ = [
    "all_gather",
    "all_gather_into_tensor",
    "all_reduce",
    "barrier",
    "broadcast",
    "gather",
    "irecv",
    "isend",
    "recv",
    "reduce",
    "reduce_scatter",
    "reduce_scatter_tensor",
    "scatter",
    "send",
]

_CODES = {
    name: i + 1
    for i, name in enumerate(
        (
            "all_reduce",
            "broadcast",
            "reduce",
            "all_gather",
            "all_gather_into_tensor",
            "reduce_scatter",
            "reduce_scatter_tensor",
            "gather",
            "scatter",
            "barrier",
        )
    )
}
_NAMES = {v: k for k, v in _CODES.items()}
_MAX_DIMS = 8
_SIG_LEN = 7 + _MAX_DIMS


# -- argument checks -----------------------------------------------------------------------
def _member(group, fn: str) -> ProcessGroup | None:
    """The group to use (the default one for None), or None on a rank outside it."""
    pg = _default() if group is None else group
    if not isinstance(pg, ProcessGroup):
        raise TypeError(f"{fn}: group must be a ProcessGroup or None, got {type(pg).__name__}")
    return pg if pg._impl is not None else None


def _check_tensor(t, fn: str, arg: str) -> None:
    if not isinstance(t, Tensor):
        raise TypeError(f"{fn}: {arg} must be an ember.Tensor, got {type(t).__name__}")


def _check_like(t, ref, fn: str, arg: str) -> None:
    _check_tensor(t, fn, arg)
    if t._data.shape != ref._data.shape or t._data.dtype != ref._data.dtype:
        raise RuntimeError(
            f"{fn}: {arg} has shape {list(t.shape)} and dtype {t.dtype}, but the tensor of this "
            f"rank has shape {list(ref.shape)} and dtype {ref.dtype}; they must match"
        )


def _check_list(tensors, ref, size: int, fn: str, arg: str) -> None:
    if not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{fn}: {arg} must be a list of tensors, got {type(tensors).__name__}")
    if len(tensors) != size:
        raise ValueError(
            f"{fn}: {arg} must hold one tensor per rank of the group ({size}), got {len(tensors)}"
        )
    for i, t in enumerate(tensors):
        _check_like(t, ref, fn, f"{arg}[{i}]")


def _check_op(arr, op: RedOpType, fn: str) -> None:
    kind = arr.dtype.kind
    if op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR) and kind in "fc":
        raise RuntimeError(
            f"{fn}: {op.name} is a bitwise reduction and needs an integer or bool tensor, got "
            f"{arr.dtype}"
        )
    if op == RedOpType.AVG and kind == "b":
        raise RuntimeError(f"{fn}: Cannot use ReduceOp.AVG with boolean inputs")
    if op in (RedOpType.MIN, RedOpType.MAX) and kind == "c":
        raise ValueError(f"{fn} does not support {op.name} on complex tensors")


def _root(pg: ProcessGroup, fn: str, global_rank, group_rank, arg: str) -> int:
    """The group rank of a root given as a global rank (``src``/``dst``) or a group rank."""
    if group_rank is not None:
        if global_rank is not None:
            raise ValueError(f"{fn}: give {arg} or group_{arg}, not both")
        if not 0 <= group_rank < pg.size():
            raise ValueError(f"{fn}: group_{arg}={group_rank} is not in 0..{pg.size() - 1}")
        return int(group_rank)
    global_rank = 0 if global_rank is None else int(global_rank)
    if global_rank not in pg._ranks:
        raise ValueError(f"{fn}: {arg}={global_rank} is not a rank of the group {pg._ranks}")
    return pg._ranks.index(global_rank)


# -- agreement (Note [Argument agreement]) ---------------------------------------------------
def _signature(fn: str, t, op: int, root: int, failed: bool) -> np.ndarray:
    sig = np.full(_SIG_LEN, -1, dtype=np.int64)
    sig[0] = _CODES[fn]
    sig[1] = op
    sig[2] = root
    sig[3] = int(failed)
    if t is not None and not failed:
        arr = t._data
        sig[4] = ord(arr.dtype.char)
        sig[5] = arr.size
        sig[6] = arr.ndim
        for i, n in enumerate(arr.shape[:_MAX_DIMS]):
            sig[7 + i] = n
    return sig


def _describe(row) -> str:
    name = _NAMES.get(int(row[0]), "?")
    if row[4] < 0:
        return name
    ndim = int(row[6])
    shape = [int(n) for n in row[7 : 7 + min(ndim, _MAX_DIMS)]]
    dims = f"{shape}" if ndim <= _MAX_DIMS else f"{shape[:-1] + ['...']} ({int(row[5])} elements)"
    text = f"{name} with a {np.dtype(chr(int(row[4]))).name} tensor of shape {dims}"
    if row[2] >= 0:
        text += f", root {int(row[2])}"
    if row[1] >= 0:
        text += f", op {RedOpType(int(row[1])).name}"
    return text


def _agree(pg, fn: str, t, op=-1, root=-1, error: BaseException | None = None) -> None:
    """Compare this call with the other ranks' (one Allgather), then raise ``error`` (this
    rank's own failed check) or a RuntimeError when ranks disagree."""
    rows = pg._impl.agree(_signature(fn, t, int(op), root, error is not None))
    if error is not None:
        raise error
    failed = [pg._ranks[i] for i in range(len(rows)) if rows[i, 3]]
    if failed:
        raise RuntimeError(
            f"{fn}: rank(s) {failed} rejected their arguments (see their errors); no data was "
            "exchanged"
        )
    if (rows != rows[0]).any():
        calls = "; ".join(f"rank {pg._ranks[i]}: {_describe(r)}" for i, r in enumerate(rows))
        raise RuntimeError(
            f"{fn}: the ranks' calls do not match ({calls}); every rank must call the same "
            "collective with tensors of the same shape and dtype, and the same root and op"
        )


def _checked(pg, fn, t, check, op=-1, root=-1):
    """Run ``check()`` (this rank's argument checks), agree with the other ranks, and return
    ``check``'s result."""
    try:
        result = check()
    except (TypeError, ValueError, RuntimeError) as exc:
        _agree(pg, fn, None, op, root, exc)
    else:
        _agree(pg, fn, t, op, root)
        return result


# -- buffers -------------------------------------------------------------------------------
def _inout(t: Tensor):
    """A contiguous array for ``t`` and the step that makes ``t`` hold what was written in it."""
    arr = t._data
    if arr.flags.c_contiguous:
        return arr, lambda: bump_version(t)
    buf = array_module_of(arr).ascontiguousarray(arr)

    def write_back():
        t._data[...] = buf
        bump_version(t)

    return buf, write_back


def _contiguous(arr):
    return arr if arr.flags.c_contiguous else array_module_of(arr).ascontiguousarray(arr)


def _write_rows(tensors, rows):
    def write():
        for t, row in zip(tensors, rows):
            t._data[...] = row.reshape(t._data.shape)
            bump_version(t)

    return write


def _done(work: Work, async_op: bool):
    if async_op:
        return work
    work.wait()
    return None


# -- collectives ---------------------------------------------------------------------------
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduce ``tensor`` over all ranks of ``group``; every rank gets the result in place.

    Args:
        tensor: input and output, same shape and dtype on every rank.
        op: a :class:`ReduceOp` (default ``SUM``).
        group: the process group (default: the world).
        async_op: return a :class:`Work` instead of waiting.

    Example:
        >>> import ember, ember.distributed as dist
        >>> t = ember.tensor([float(dist.get_rank() + 1)])  # doctest: +SKIP
        >>> dist.all_reduce(t)  # doctest: +SKIP
        >>> t  # with 2 ranks  # doctest: +SKIP
        tensor([3.])
    """
    fn = "all_reduce"
    pg = _member(group, fn)
    if pg is None:
        return None

    def check():
        _check_tensor(tensor, fn, "tensor")
        red = as_red_op(op, fn)
        _check_op(tensor._data, red, fn)
        return red

    red = _checked(pg, fn, tensor, check, op=_op_code(op))
    arr, finish = _inout(tensor)
    return _done(pg._impl.all_reduce(arr, red).then(finish), async_op)


def _op_code(op) -> int:
    return int(op) if isinstance(op, int) and not isinstance(op, bool) else -2


def broadcast(tensor, src=None, group=None, async_op: bool = False, group_src=None):
    """Copy ``tensor`` of rank ``src`` (a global rank; or ``group_src``, a rank in
    ``group``) into ``tensor`` on every other rank."""
    fn = "broadcast"
    pg = _member(group, fn)
    if pg is None:
        return None

    def check():
        _check_tensor(tensor, fn, "tensor")
        return _root(pg, fn, src, group_src, "src")

    root = _checked(pg, fn, tensor, check, root=_root_code(pg, src, group_src))
    arr, finish = _inout(tensor)
    return _done(pg._impl.broadcast(arr, root).then(finish), async_op)


def _root_code(pg, global_rank, group_rank) -> int:
    """The root as sent in the agreement row (unchecked; a bad one fails the local check)."""
    if group_rank is not None:
        return int(group_rank) if isinstance(group_rank, int) else -3
    global_rank = 0 if global_rank is None else global_rank
    return pg._ranks.index(global_rank) if global_rank in pg._ranks else -3


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op: bool = False, group_dst=None):
    """Reduce ``tensor`` over all ranks into ``tensor`` of rank ``dst`` (the others keep
    theirs)."""
    fn = "reduce"
    pg = _member(group, fn)
    if pg is None:
        return None

    def check():
        _check_tensor(tensor, fn, "tensor")
        red = as_red_op(op, fn)
        _check_op(tensor._data, red, fn)
        return red, _root(pg, fn, dst, group_dst, "dst")

    red, root = _checked(
        pg, fn, tensor, check, op=_op_code(op), root=_root_code(pg, dst, group_dst)
    )
    arr, finish = _inout(tensor)
    return _done(pg._impl.reduce(arr, red, root).then(finish), async_op)


def all_gather(tensor_list, tensor, group=None, async_op: bool = False):
    """Fill ``tensor_list`` (one tensor per rank, shaped like ``tensor``) with every rank's
    ``tensor``, in rank order."""
    fn = "all_gather"
    pg = _member(group, fn)
    if pg is None:
        return None

    def check():
        _check_tensor(tensor, fn, "tensor")
        _check_list(tensor_list, tensor, pg.size(), fn, "tensor_list")

    _checked(pg, fn, tensor, check)
    arr = tensor._data
    out = array_module_of(arr).empty((pg.size(),) + arr.shape, dtype=arr.dtype)
    work = pg._impl.all_gather(out, _contiguous(arr)).then(_write_rows(tensor_list, out))
    work._result = list(tensor_list)
    return _done(work, async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op: bool = False):
    """Gather every rank's ``input_tensor`` into ``output_tensor``, which is either their
    concatenation along dimension 0 or their stack along a new first dimension."""
    fn = "all_gather_into_tensor"
    pg = _member(group, fn)
    if pg is None:
        return None

    def check():
        _check_tensor(output_tensor, fn, "output_tensor")
        _check_tensor(input_tensor, fn, "input_tensor")
        _check_sizes(output_tensor, input_tensor, pg.size(), fn, "output_tensor")

    _checked(pg, fn, input_tensor, check)
    out, finish = _inout(output_tensor)
    work = pg._impl.all_gather(out, _contiguous(input_tensor._data)).then(finish)
    return _done(work, async_op)


def _check_sizes(big, small, size: int, fn: str, big_arg: str) -> None:
    if big._data.dtype != small._data.dtype:
        raise RuntimeError(
            f"{fn}: output and input must have the same dtype, got {big.dtype} and {small.dtype}"
        )
    if big._data.size != size * small._data.size:
        raise ValueError(
            f"{fn}: {big_arg} must have {size} x {small._data.size} = "
            f"{size * small._data.size} elements (world size x the per-rank tensor), got shape "
            f"{list(big.shape)}"
        )


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduce the lists ``input_list`` (one tensor per rank) over ranks; rank ``r`` gets the
    reduction of the ``r``-th tensors in ``output``."""
    fn = "reduce_scatter"
    pg = _member(group, fn)
    if pg is None:
        return None

    def check():
        _check_tensor(output, fn, "output")
        _check_list(input_list, output, pg.size(), fn, "input_list")
        red = as_red_op(op, fn)
        _check_op(output._data, red, fn)
        return red

    red = _checked(pg, fn, output, check, op=_op_code(op))
    xp = array_module_of(output._data)
    inp = xp.stack([t._data for t in input_list])
    out, finish = _inout(output)
    return _done(pg._impl.reduce_scatter(out, inp, red).then(finish), async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op: bool = False):
    """Reduce ``input`` (world size x ``output``'s elements) over ranks; rank ``r`` gets the
    ``r``-th block of the result in ``output``."""
    fn = "reduce_scatter_tensor"
    pg = _member(group, fn)
    if pg is None:
        return None

    def check():
        _check_tensor(output, fn, "output")
        _check_tensor(input, fn, "input")
        _check_sizes(input, output, pg.size(), fn, "input")
        red = as_red_op(op, fn)
        _check_op(output._data, red, fn)
        return red

    red = _checked(pg, fn, input, check, op=_op_code(op))
    out, finish = _inout(output)
    return _done(pg._impl.reduce_scatter(out, _contiguous(input._data), red).then(finish), async_op)


def gather(tensor, gather_list=None, dst=None, group=None, async_op: bool = False, group_dst=None):
    """Gather every rank's ``tensor`` into ``gather_list`` (one tensor per rank) on ``dst``;
    other ranks pass ``gather_list=None``."""
    fn = "gather"
    pg = _member(group, fn)
    if pg is None:
        return None

    def check():
        _check_tensor(tensor, fn, "tensor")
        root = _root(pg, fn, dst, group_dst, "dst")
        if root == pg.rank():
            _check_list(gather_list, tensor, pg.size(), fn, "gather_list")
        elif gather_list:
            raise ValueError(f"{fn}: gather_list must be None on ranks other than dst")
        return root

    root = _checked(pg, fn, tensor, check, root=_root_code(pg, dst, group_dst))
    arr = tensor._data
    is_root = root == pg.rank()
    out = array_module_of(arr).empty((pg.size(),) + arr.shape, arr.dtype) if is_root else None
    work = pg._impl.gather(out, _contiguous(arr), root)
    if is_root:
        work.then(_write_rows(gather_list, out))
        work._result = list(gather_list)
    return _done(work, async_op)


def scatter(
    tensor, scatter_list=None, src=None, group=None, async_op: bool = False, group_src=None
):
    """Send the ``r``-th tensor of ``scatter_list`` on ``src`` to rank ``r``'s ``tensor``;
    other ranks pass ``scatter_list=None``."""
    fn = "scatter"
    pg = _member(group, fn)
    if pg is None:
        return None

    def check():
        _check_tensor(tensor, fn, "tensor")
        root = _root(pg, fn, src, group_src, "src")
        if root == pg.rank():
            _check_list(scatter_list, tensor, pg.size(), fn, "scatter_list")
        elif scatter_list:
            raise ValueError(f"{fn}: scatter_list must be None on ranks other than src")
        return root

    root = _checked(pg, fn, tensor, check, root=_root_code(pg, src, group_src))
    inp = None
    if root == pg.rank():
        inp = array_module_of(tensor._data).stack([t._data for t in scatter_list])
    out, finish = _inout(tensor)
    return _done(pg._impl.scatter(out, inp, root).then(finish), async_op)


def barrier(group=None, async_op: bool = False, device_ids=None, timeout=None):
    """Block until every rank of ``group`` has reached this call."""
    pg = _member(group, "barrier")
    if pg is None:
        return None
    return _done(pg._impl.barrier(), async_op)


# -- point to point --------------------------------------------------------------------------
def _peer(pg, fn: str, rank, group_rank, arg: str) -> int:
    if rank is None and group_rank is None:
        raise ValueError(f"{fn}: {arg} (or group_{arg}) must be given")
    peer = _root(pg, fn, rank, group_rank, arg)
    if peer == pg.rank():
        raise ValueError(f"{fn}: {arg} is this process's own rank ({pg._ranks[peer]})")
    return peer


def isend(tensor, dst=None, group=None, tag: int = 0, group_dst=None):
    """Start sending ``tensor`` to rank ``dst``; returns a :class:`Work`."""
    fn = "isend"
    pg = _member(group, fn)
    if pg is None:
        return None
    _check_tensor(tensor, fn, "tensor")
    peer = _peer(pg, fn, dst, group_dst, "dst")
    arr = _contiguous(tensor._data)
    return pg._impl.send(arr, peer, int(tag))


def irecv(tensor, src=None, group=None, tag: int = 0, group_src=None):
    """Start receiving into ``tensor`` from rank ``src`` (None: any rank); returns a
    :class:`Work` whose ``source_rank()`` is the sender's global rank."""
    fn = "irecv"
    pg = _member(group, fn)
    if pg is None:
        return None
    _check_tensor(tensor, fn, "tensor")
    peer = None if src is None and group_src is None else _peer(pg, fn, src, group_src, "src")
    arr, finish = _inout(tensor)
    work = pg._impl.recv(arr, peer, int(tag), fn).then(finish)

    def to_global():
        if work._source >= 0:
            work._source = pg._ranks[work._source]

    work._result = [tensor]
    return work.then(to_global)


def send(tensor, dst=None, group=None, tag: int = 0, group_dst=None) -> None:
    """Send ``tensor`` to rank ``dst`` (blocking)."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor, src=None, group=None, tag: int = 0, group_src=None) -> int:
    """Receive into ``tensor`` from rank ``src`` (None: any rank); returns the sender's
    global rank (-1 on a rank outside ``group``)."""
    work = irecv(tensor, src, group, tag, group_src)
    if work is None:
        return -1
    work.wait()
    return work._source
