"""The NCCL backend: GPU (CuPy) tensors through NCCL, everything else through MPI.

Note [NCCL bootstrap]
    NCCL needs every rank of a communicator to hold the same unique id. Rank 0 of the
    group's MPI communicator creates it (``cupy.cuda.nccl.get_unique_id``) and broadcasts it
    over MPI; each rank then builds its ``NcclCommunicator`` on its own device (``device_id``,
    default: the local rank modulo the device count). Sub-groups split the MPI communicator
    first and bootstrap a new NCCL communicator over the split.

Operations are enqueued on the current CuPy stream; the returned :class:`Work` records a CUDA
event after them, and ``wait()`` synchronizes on it. NumPy arrays (CPU tensors), object
collectives and the argument agreement go through the wrapped MPI backend, so a program can
mix CPU and GPU tensors in one process group, as PyTorch's ``"cpu:gloo,cuda:nccl"`` does.
CuPy is imported only when this backend is created.
"""

from __future__ import annotations

import numpy as np

from ._backend_mpi import MPIBackend
from ._reduce_op import RedOpType
from ._work import Work

__all__ = ["NCCLBackend", "nccl_usable"]


def nccl_usable() -> bool:
    """True when CuPy has NCCL bindings and sees a CUDA device (never raises)."""
    try:
        import cupy
        from cupy.cuda import nccl

        return bool(nccl.available) and cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def _nccl():
    try:
        from cupy.cuda import nccl
    except ImportError as exc:
        raise RuntimeError(
            "the 'nccl' backend needs CuPy with NCCL (install ember[cuda12] or ember[cuda13]); "
            f"use backend='mpi' for CPU tensors ({exc})"
        ) from None
    if not getattr(nccl, "available", True):
        raise RuntimeError("the 'nccl' backend: this CuPy build has no NCCL support")
    return nccl


def _nccl_types(nccl) -> dict:
    return {
        np.dtype(np.float16): nccl.NCCL_FLOAT16,
        np.dtype(np.float32): nccl.NCCL_FLOAT32,
        np.dtype(np.float64): nccl.NCCL_FLOAT64,
        np.dtype(np.int8): nccl.NCCL_INT8,
        np.dtype(np.uint8): nccl.NCCL_UINT8,
        np.dtype(np.int32): nccl.NCCL_INT32,
        np.dtype(np.uint32): nccl.NCCL_UINT32,
        np.dtype(np.int64): nccl.NCCL_INT64,
        np.dtype(np.uint64): nccl.NCCL_UINT64,
    }


class NCCLBackend:
    """Collectives over a group's MPI communicator (CPU) and an NCCL communicator (GPU)."""

    name = "nccl"

    def __init__(self, comm, device_id=None, local_rank: int = 0, _mpi: MPIBackend | None = None):
        import cupy

        nccl = _nccl()
        self.mpi = _mpi if _mpi is not None else MPIBackend(comm)
        self.rank = self.mpi.rank
        self.size = self.mpi.size
        self._cupy = cupy
        self._nccl = nccl
        if device_id is None:
            device_id = local_rank % max(cupy.cuda.runtime.getDeviceCount(), 1)
        elif not isinstance(device_id, int):
            device_id = device_id.index if device_id.index is not None else 0
        self.device_id = int(device_id)
        cupy.cuda.Device(self.device_id).use()
        uid = nccl.get_unique_id() if self.rank == 0 else None
        uid = self.mpi.broadcast_object(uid, 0)  # Note [NCCL bootstrap]
        self.comm = nccl.NcclCommunicator(self.size, uid, self.rank)
        self._types = _nccl_types(nccl)
        self._ops = {
            RedOpType.SUM: nccl.NCCL_SUM,
            RedOpType.PRODUCT: nccl.NCCL_PROD,
            RedOpType.MIN: nccl.NCCL_MIN,
            RedOpType.MAX: nccl.NCCL_MAX,
        }
        self._avg = getattr(nccl, "NCCL_AVG", None)

    # -- plumbing ------------------------------------------------------------------------
    @staticmethod
    def _on_gpu(*arrays) -> bool:
        return any(a is not None and a.__class__ is not np.ndarray for a in arrays)

    def _stream(self):
        return self._cupy.cuda.get_current_stream()

    def _work(self, then=()) -> Work:
        event = self._cupy.cuda.Event(disable_timing=True)
        event.record(self._stream())
        work = Work(event.synchronize, lambda: event.done)
        for fn in then:
            work.then(fn)
        return work

    def _type(self, arr):
        """``arr`` as NCCL sees it (bool moves as uint8) and its NCCL datatype."""
        if arr.dtype == np.bool_:
            arr = arr.view(np.uint8)
        try:
            return arr, self._types[arr.dtype]
        except KeyError:
            raise TypeError(f"the 'nccl' backend does not support {arr.dtype} tensors") from None

    def _reducible(self, arr, op: RedOpType):
        """``(buffer, NCCL datatype, NCCL op, finish)`` for reducing ``arr`` with ``op``;
        ``finish()`` completes the result in ``arr`` (see Note [Reductions MPI lacks]: bool
        reduces as uint8 with SUM -> MAX and PRODUCT -> MIN; integer AVG is the exact sum in
        64 bits divided with truncation; NCCL's own AVG serves floating-point tensors)."""
        if arr.dtype == np.bool_:
            op = {RedOpType.SUM: RedOpType.MAX, RedOpType.PRODUCT: RedOpType.MIN}.get(op, op)
        finish = None
        buf = arr
        if op == RedOpType.AVG:
            if self._avg is not None and arr.dtype.kind == "f":
                nop = self._avg
            else:
                nop = self._ops[RedOpType.SUM]
                if arr.dtype.kind in "iu":
                    buf = arr.astype(np.int64)
                finish = self._average(buf, arr)
        elif op in self._ops:
            nop = self._ops[op]
        else:
            raise RuntimeError(f"the 'nccl' backend does not support ReduceOp.{op.name}")
        buf, dtype = self._type(buf)
        return buf, dtype, nop, finish

    def _average(self, buf, target):
        def finish():
            xp = self._cupy
            if buf.dtype.kind in "fc":
                target[...] = buf / self.size
            else:
                target[...] = xp.sign(buf) * (xp.abs(buf) // self.size)

        return finish

    def agree(self, signature):
        return self.mpi.agree(signature)

    # -- collectives ---------------------------------------------------------------------
    def all_reduce(self, arr, op: RedOpType) -> Work:
        if not self._on_gpu(arr):
            return self.mpi.all_reduce(arr, op)
        buf, dtype, nop, finish = self._reducible(arr, op)
        s = self._stream().ptr
        self.comm.allReduce(buf.data.ptr, buf.data.ptr, buf.size, dtype, nop, s)
        return self._work([finish] if finish else [])

    def broadcast(self, arr, root: int) -> Work:
        if not self._on_gpu(arr):
            return self.mpi.broadcast(arr, root)
        buf, dtype = self._type(arr)
        self.comm.bcast(buf.data.ptr, buf.size, dtype, root, self._stream().ptr)
        return self._work()

    def reduce(self, arr, op: RedOpType, root: int) -> Work:
        if not self._on_gpu(arr):
            return self.mpi.reduce(arr, op, root)
        buf, dtype, nop, finish = self._reducible(arr, op)
        s = self._stream().ptr
        self.comm.reduce(buf.data.ptr, buf.data.ptr, buf.size, dtype, nop, root, s)
        return self._work([finish] if finish and self.rank == root else [])

    def all_gather(self, out, arr) -> Work:
        if not self._on_gpu(out, arr):
            return self.mpi.all_gather(out, arr)
        src, dtype = self._type(arr)
        dst, _ = self._type(out)
        self.comm.allGather(src.data.ptr, dst.data.ptr, src.size, dtype, self._stream().ptr)
        return self._work()

    def reduce_scatter(self, out, inp, op: RedOpType) -> Work:
        if not self._on_gpu(out, inp):
            return self.mpi.reduce_scatter(out, inp, op)
        src, dtype, nop, _ = self._reducible(inp, op)
        dst, _, _, finish = self._reducible(out, op)
        s = self._stream().ptr
        self.comm.reduceScatter(src.data.ptr, dst.data.ptr, dst.size, dtype, nop, s)
        return self._work([finish] if finish else [])

    def gather(self, out, arr, root: int) -> Work:
        if not self._on_gpu(out, arr):
            return self.mpi.gather(out, arr, root)
        nccl = self._nccl
        src, dtype = self._type(arr)
        s = self._stream().ptr
        nccl.groupStart()
        if self.rank == root:
            dst, _ = self._type(out.reshape(self.size, -1))
            for peer in range(self.size):
                if peer == root:
                    dst[peer].reshape(src.shape)[...] = src
                else:
                    self.comm.recv(dst[peer].data.ptr, src.size, dtype, peer, s)
        else:
            self.comm.send(src.data.ptr, src.size, dtype, root, s)
        nccl.groupEnd()
        return self._work()

    def scatter(self, out, inp, root: int) -> Work:
        if not self._on_gpu(out, inp):
            return self.mpi.scatter(out, inp, root)
        nccl = self._nccl
        dst, dtype = self._type(out)
        s = self._stream().ptr
        nccl.groupStart()
        if self.rank == root:
            src, _ = self._type(inp.reshape(self.size, -1))
            for peer in range(self.size):
                if peer == root:
                    dst.reshape(-1)[...] = src[peer]
                else:
                    self.comm.send(src[peer].data.ptr, dst.size, dtype, peer, s)
        else:
            self.comm.recv(dst.data.ptr, dst.size, dtype, root, s)
        nccl.groupEnd()
        return self._work()

    def send(self, arr, dst: int, tag: int) -> Work:
        if not self._on_gpu(arr):
            return self.mpi.send(arr, dst, tag)
        buf, dtype = self._type(arr)
        self.comm.send(buf.data.ptr, buf.size, dtype, dst, self._stream().ptr)
        return self._work()

    def recv(self, arr, src: int | None, tag: int, fn_name: str) -> Work:
        if not self._on_gpu(arr):
            return self.mpi.recv(arr, src, tag, fn_name)
        if src is None:
            raise RuntimeError(f"{fn_name}: the 'nccl' backend needs an explicit src rank")
        buf, dtype = self._type(arr)
        self.comm.recv(buf.data.ptr, buf.size, dtype, src, self._stream().ptr)
        work = self._work()
        work._source = src
        return work

    def barrier(self) -> Work:
        self._cupy.cuda.Device(self.device_id).synchronize()
        return self.mpi.barrier()

    # -- objects and groups --------------------------------------------------------------
    def all_gather_object(self, obj) -> list:
        return self.mpi.all_gather_object(obj)

    def broadcast_object(self, obj, root: int):
        return self.mpi.broadcast_object(obj, root)

    def gather_object(self, obj, root: int):
        return self.mpi.gather_object(obj, root)

    def scatter_object(self, objs, root: int):
        return self.mpi.scatter_object(objs, root)

    def split(self, ranks: list[int]):
        sub = self.mpi.split(ranks)
        if sub is None:
            return None
        return NCCLBackend(sub.comm, device_id=self.device_id, _mpi=sub)

    def destroy(self) -> None:
        self.comm.destroy()
        self.mpi.destroy()
