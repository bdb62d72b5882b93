"""The MPI backend: collectives on NumPy arrays through mpi4py's buffer API (no pickling).

Each operation starts a non-blocking MPI call and returns a :class:`Work`; the blocking
public functions wait on it at once, the asynchronous ones (``async_op=True``, ``isend``,
``irecv``, DDP's bucket all-reduces) later. Arrays reach this module contiguous (the
collective layer copies strided tensors); GPU (CuPy) arrays are staged through host memory.

Note [Reductions MPI lacks]
    MPI has no average, no float16 arithmetic on most builds, and logical rather than
    arithmetic ops on booleans. ``AVG`` is a ``SUM`` followed by a division by the group
    size (for integers: the exact sum, in 64 bits, divided with truncation), float16 is
    reduced in float32, and bool tensors are reduced as uint8 with ``SUM`` -> ``MAX``
    (logical or) and ``PRODUCT`` -> ``MIN`` (logical and), which is what PyTorch's NCCL
    backend does for bool. Sums of 8- and 16-bit integers run in 32 bits and wrap back to
    the narrow type: Open MPI's vectorised reduction kernels saturate them in some
    collectives (reduce_scatter), where PyTorch wraps.
"""

from __future__ import annotations

import numpy as np

from ._reduce_op import RedOpType
from ._work import Work

__all__ = ["MPIBackend"]

# Filled by _load_mpi() when the first backend is created: importing mpi4py initialises MPI,
# which must not happen when this module is merely imported.
MPI = None
_MPI_OPS: dict = {}
_MPI_TYPES: dict = {}


def _load_mpi():
    global MPI
    if MPI is not None:
        return MPI
    from mpi4py import MPI as mpi

    _MPI_OPS.update({
        RedOpType.SUM: mpi.SUM,
        RedOpType.AVG: mpi.SUM,
        RedOpType.PRODUCT: mpi.PROD,
        RedOpType.MIN: mpi.MIN,
        RedOpType.MAX: mpi.MAX,
        RedOpType.BAND: mpi.BAND,
        RedOpType.BOR: mpi.BOR,
        RedOpType.BXOR: mpi.BXOR,
    })  # fmt: skip
    _MPI_TYPES.update({
        np.dtype(np.float32): mpi.FLOAT,
        np.dtype(np.float64): mpi.DOUBLE,
        np.dtype(np.int8): mpi.INT8_T,
        np.dtype(np.int16): mpi.INT16_T,
        np.dtype(np.int32): mpi.INT32_T,
        np.dtype(np.int64): mpi.INT64_T,
        np.dtype(np.uint8): mpi.UINT8_T,
        np.dtype(np.uint16): mpi.UINT16_T,
        np.dtype(np.uint32): mpi.UINT32_T,
        np.dtype(np.uint64): mpi.UINT64_T,
        np.dtype(np.complex64): mpi.C_FLOAT_COMPLEX,
        np.dtype(np.complex128): mpi.C_DOUBLE_COMPLEX,
    })  # fmt: skip
    MPI = mpi
    return mpi


_BOOL_OPS = {RedOpType.SUM: RedOpType.MAX, RedOpType.PRODUCT: RedOpType.MIN}


def _bytes(arr):
    """A contiguous array as an MPI byte buffer (any dtype moves as bytes)."""
    return [arr.reshape(-1).view(np.uint8), MPI.BYTE]


def _average(arr, size: int) -> None:
    """Divide a summed array by ``size`` in place (truncating towards zero for integers)."""
    if arr.dtype.kind in "fc":
        arr /= size
    else:
        arr[...] = np.sign(arr) * (np.abs(arr) // size)


class _Reducible:
    """A contiguous array made reducible by MPI: the buffer MPI works on, the MPI op, and the
    step writing the result back (see Note [Reductions MPI lacks])."""

    __slots__ = ("target", "buf", "op", "avg", "copied")

    def __init__(self, arr, op: RedOpType):
        self.target = arr
        self.avg = op == RedOpType.AVG
        self.copied = True
        kind, width = arr.dtype.kind, arr.dtype.itemsize
        if kind == "b":
            self.buf = arr.view(np.uint8)
            self.copied = False
            op = _BOOL_OPS.get(op, op)
        elif arr.dtype == np.float16:
            self.buf = arr.astype(np.float32)
        elif kind in "iu" and width <= 4 and op == RedOpType.AVG:
            self.buf = arr.astype(np.int64)  # the exact sum, before dividing
        elif kind in "iu" and width <= 2 and op == RedOpType.SUM:
            # sums of 8- and 16-bit integers in 32 bits, wrapping like the narrow type
            # (some Open MPI builds saturate them; see Note [Reductions MPI lacks])
            self.buf = arr.view(f"u{width}").astype(np.uint32)
        else:
            self.buf = arr
            self.copied = False
        self.op = _MPI_OPS[op]

    def spec(self):
        return [self.buf, _MPI_TYPES[self.buf.dtype]]

    def finish(self, size: int) -> None:
        if self.avg:
            _average(self.buf, size)
        if not self.copied:
            return
        if self.buf.dtype == np.uint32:
            width = self.target.dtype.itemsize
            self.target.view(f"u{width}")[...] = self.buf.astype(f"u{width}")
        else:
            self.target[...] = self.buf


class _Staged:
    """Host copies of device (CuPy) arrays, written back to the device once an operation
    has completed; NumPy arrays pass through untouched."""

    def __init__(self):
        self._writes: list = []

    def host(self, arr, write_back: bool):
        if arr is None or arr.__class__ is np.ndarray:
            return arr
        host = arr.get()
        if write_back:
            self._writes.append((arr, host))
        return host

    def finish(self) -> None:
        for dev, host in self._writes:
            dev.set(host)


class MPIBackend:
    """Collectives over one MPI communicator (a process group's).

    ``init_process_group`` and ``new_group`` create it; collectives reach it through the
    process group."""

    name = "mpi"

    def __init__(self, comm):
        _load_mpi()
        self.comm = comm
        self.rank = comm.Get_rank()
        self.size = comm.Get_size()

    # -- plumbing ------------------------------------------------------------------------
    def _work(self, requests, then=()) -> Work:
        requests = list(requests)

        def wait():
            MPI.Request.Waitall(requests)

        def test():
            return MPI.Request.Testall(requests)

        work = Work(wait, test)
        for fn in then:
            work.then(fn)
        return work

    def agree(self, signature: np.ndarray) -> np.ndarray:
        """Every rank's int64 ``signature`` row (blocking; used to check arguments)."""
        rows = np.empty((self.size, signature.size), dtype=np.int64)
        self.comm.Allgather([signature, MPI.INT64_T], [rows, MPI.INT64_T])
        return rows

    # -- collectives on arrays -----------------------------------------------------------
    def all_reduce(self, arr, op: RedOpType) -> Work:
        staged = _Staged()
        red = _Reducible(staged.host(arr, True), op)
        req = self.comm.Iallreduce(MPI.IN_PLACE, red.spec(), red.op)
        return self._work([req], [lambda: red.finish(self.size), staged.finish])

    def broadcast(self, arr, root: int) -> Work:
        staged = _Staged()
        host = staged.host(arr, self.rank != root)
        req = self.comm.Ibcast(_bytes(host), root=root)
        return self._work([req], [staged.finish])

    def reduce(self, arr, op: RedOpType, root: int) -> Work:
        staged = _Staged()
        is_root = self.rank == root
        red = _Reducible(staged.host(arr, is_root), op)
        if is_root:
            req = self.comm.Ireduce(MPI.IN_PLACE, red.spec(), red.op, root=root)
            return self._work([req], [lambda: red.finish(self.size), staged.finish])
        req = self.comm.Ireduce(red.spec(), None, red.op, root=root)
        return self._work([req])

    def all_gather(self, out, arr) -> Work:
        """``out`` (``size * arr.size`` elements) receives every rank's ``arr`` in rank order."""
        staged = _Staged()
        req = self.comm.Iallgather(_bytes(staged.host(arr, False)), _bytes(staged.host(out, True)))
        return self._work([req], [staged.finish])

    def reduce_scatter(self, out, inp, op: RedOpType) -> Work:
        """Reduce ``inp`` (``size * out.size`` elements) over ranks; rank ``r`` keeps block r."""
        staged = _Staged()
        red_in = _Reducible(staged.host(inp, False), op)
        red_out = _Reducible(staged.host(out, True), op)
        req = self.comm.Ireduce_scatter_block(red_in.spec(), red_out.spec(), red_out.op)
        return self._work([req], [lambda: red_out.finish(self.size), staged.finish])

    def gather(self, out, arr, root: int) -> Work:
        staged = _Staged()
        recv = _bytes(staged.host(out, True)) if self.rank == root else None
        req = self.comm.Igather(_bytes(staged.host(arr, False)), recv, root=root)
        return self._work([req], [staged.finish])

    def scatter(self, out, inp, root: int) -> Work:
        staged = _Staged()
        send = _bytes(staged.host(inp, False)) if self.rank == root else None
        req = self.comm.Iscatter(send, _bytes(staged.host(out, True)), root=root)
        return self._work([req], [staged.finish])

    def send(self, arr, dst: int, tag: int) -> Work:
        staged = _Staged()
        host = staged.host(arr, False)
        return self._work([self.comm.Isend(_bytes(host), dest=dst, tag=tag)])

    def recv(self, arr, src: int | None, tag: int, fn_name: str) -> Work:
        """Receive into ``arr`` from ``src`` (None: any rank); the Work's ``source_rank()``
        tells the sender. A message of another size raises a RuntimeError naming both."""
        staged = _Staged()
        host = staged.host(arr, True)
        status = MPI.Status()
        source = MPI.ANY_SOURCE if src is None else src
        req = self.comm.Irecv(_bytes(host), source=source, tag=tag)
        work = Work(None, None)

        def wait():
            try:
                req.Wait(status)
            except MPI.Exception as exc:
                raise RuntimeError(
                    f"{fn_name}: the message from rank {status.Get_source()} is larger than the "
                    f"receiving tensor ({host.nbytes} bytes, shape {list(host.shape)}, "
                    f"{host.dtype}): {exc}"
                ) from None
            got = status.Get_count(MPI.BYTE)
            work._source = status.Get_source()
            if got != host.nbytes:
                raise RuntimeError(
                    f"{fn_name}: received {got} bytes from rank {work._source}, but the "
                    f"receiving tensor holds {host.nbytes} bytes (shape {list(host.shape)}, "
                    f"{host.dtype}); send and recv must use tensors of the same size and dtype"
                )

        work._wait_fn = wait
        work._test_fn = lambda: req.Test(status)
        work._done = False
        work.then(staged.finish)
        return work

    def barrier(self) -> Work:
        return self._work([self.comm.Ibarrier()])

    # -- objects (pickled; only for the *_object APIs) ---------------------------------
    def all_gather_object(self, obj) -> list:
        return self.comm.allgather(obj)

    def broadcast_object(self, obj, root: int):
        return self.comm.bcast(obj, root=root)

    def gather_object(self, obj, root: int):
        return self.comm.gather(obj, root=root)

    def scatter_object(self, objs, root: int):
        return self.comm.scatter(objs, root=root)

    # -- groups ----------------------------------------------------------------------------
    def split(self, ranks: list[int]):
        """A backend over the sub-communicator of ``ranks`` (group ranks of this one), or
        None on the ranks left out; every rank of this group must call it."""
        member = self.rank in ranks
        color = 0 if member else MPI.UNDEFINED
        key = ranks.index(self.rank) if member else 0
        sub = self.comm.Split(color, key)
        if sub == MPI.COMM_NULL:
            return None
        return type(self)(sub)

    def destroy(self) -> None:
        if self.comm not in (MPI.COMM_WORLD, MPI.COMM_SELF, MPI.COMM_NULL):
            self.comm.Free()
