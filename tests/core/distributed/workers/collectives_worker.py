"""Checks of every collective on 2 ranks, against NumPy computations of each rank's inputs
(every rank can build every rank's input: they are seeded by rank)."""

from __future__ import annotations

import numpy as np
from _harness import main

import ember
import ember.distributed as dist
from ember.distributed import ReduceOp

DTYPES = [
    "float32",
    "float64",
    "int32",
    "int64",
    "uint8",
    "bool",
    "float16",
    "complex64",
    "int8",
    "int16",
]
SHAPE = (3, 4)


def _data(dtype: str, rank: int, shape=SHAPE) -> np.ndarray:
    rng = np.random.default_rng(100 + rank)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in ("int8", "int16"):
        return rng.integers(-120, 121, size=shape).astype(dtype)  # sums wrap
    if dtype in ("int32", "int64"):
        return rng.integers(-5, 6, size=shape).astype(dtype)
    if dtype == "uint8":
        return rng.integers(0, 200, size=shape).astype(dtype)  # sums and products wrap
    if dtype == "complex64":
        return (rng.uniform(0.5, 1.5, shape) + 1j * rng.uniform(-1, 1, shape)).astype(dtype)
    return rng.uniform(0.5, 1.5, size=shape).astype(dtype)


def _world() -> tuple[int, int]:
    return dist.get_rank(), dist.get_world_size()


def _expected(op, arrays: list[np.ndarray]) -> np.ndarray:
    stack = np.stack(arrays)
    dtype = stack.dtype
    if op == ReduceOp.SUM:
        return np.logical_or.reduce(stack) if dtype == np.bool_ else stack.sum(0, dtype=dtype)
    if op == ReduceOp.PRODUCT:
        return np.logical_and.reduce(stack) if dtype == np.bool_ else stack.prod(0, dtype=dtype)
    if op == ReduceOp.MIN:
        return stack.min(0)
    if op == ReduceOp.MAX:
        return stack.max(0)
    if op == ReduceOp.BAND:
        return np.bitwise_and.reduce(stack)
    if op == ReduceOp.BOR:
        return np.bitwise_or.reduce(stack)
    if op == ReduceOp.BXOR:
        return np.bitwise_xor.reduce(stack)
    if dtype.kind in "fc":
        return (stack.sum(0, dtype=dtype) / len(arrays)).astype(dtype)
    total = stack.sum(0, dtype=np.int64)  # integers: the exact mean, truncated
    return (np.sign(total) * (np.abs(total) // len(arrays))).astype(dtype)


def _invalid(op, dtype: str):
    """The error type ``op`` must raise on ``dtype``, or None when it is valid."""
    kind = np.dtype(dtype).kind
    if op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR) and kind in "fc":
        return RuntimeError
    if op == ReduceOp.AVG and kind == "b":
        return RuntimeError
    if op in (ReduceOp.MIN, ReduceOp.MAX) and kind == "c":
        return ValueError
    return None


def _close(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if expected.dtype.kind in "fc":
        tol = 1e-3 if expected.dtype == np.float16 else 1e-6
        np.testing.assert_allclose(actual, expected, rtol=tol, atol=tol, err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def _expect_error(exc_type, match: str, fn) -> None:
    try:
        fn()
    except exc_type as exc:
        assert match in str(exc), f"{exc_type.__name__} without {match!r}: {exc}"
    else:
        raise AssertionError(f"expected {exc_type.__name__} containing {match!r}")


def check_init_state():
    rank, world = _world()
    assert dist.is_initialized()
    assert world == 2 and rank in (0, 1)
    assert dist.get_backend() == "mpi"
    assert dist.group.WORLD is dist.GroupMember.WORLD
    assert dist.get_process_group_ranks(dist.group.WORLD) == [0, 1]
    _expect_error(RuntimeError, "twice", lambda: dist.init_process_group("mpi"))


def check_all_reduce_every_op_and_dtype():
    rank, world = _world()
    count = 0
    for dtype in DTYPES:
        inputs = [_data(dtype, r) for r in range(world)]
        for op in ReduceOp.RedOpType:
            t = ember.tensor(inputs[rank].copy())
            err = _invalid(op, dtype)
            if dtype == "float16" and op in (ReduceOp.BAND, ReduceOp.BOR, ReduceOp.BXOR):
                err = RuntimeError
            if err is not None:
                _expect_error(err, "", lambda t=t, op=op: dist.all_reduce(t, op=op))
                np.testing.assert_array_equal(t.numpy(), inputs[rank])  # untouched
                continue
            dist.all_reduce(t, op=op)
            _close(t.numpy(), _expected(op, inputs), f"all_reduce {op.name} {dtype}")
            count += 1
    assert count == 80 - 12 - 1 - 2, count  # the valid (op, dtype) pairs


def check_reduce_every_op_to_each_root():
    rank, world = _world()
    for dtype in ("float32", "float64", "int32", "int64", "uint8", "bool"):
        inputs = [_data(dtype, r) for r in range(world)]
        for op in ReduceOp.RedOpType:
            if _invalid(op, dtype):
                continue
            for dst in range(world):
                t = ember.tensor(inputs[rank].copy())
                dist.reduce(t, dst=dst, op=op)
                want = _expected(op, inputs) if rank == dst else inputs[rank]
                _close(t.numpy(), want, f"reduce {op.name} {dtype} dst={dst}")


def check_broadcast_each_src_and_dtype():
    rank, world = _world()
    for dtype in DTYPES:
        for src in range(world):
            t = ember.tensor(_data(dtype, rank))
            dist.broadcast(t, src=src)
            _close(t.numpy(), _data(dtype, src), f"broadcast {dtype} src={src}")
    t = ember.tensor(_data("float32", rank))
    dist.broadcast(t, group_src=1)
    _close(t.numpy(), _data("float32", 1), "broadcast group_src=1")


def check_all_gather_list_and_into_tensor():
    rank, world = _world()
    for dtype in DTYPES:
        mine = ember.tensor(_data(dtype, rank))
        outs = [ember.zeros(SHAPE, dtype=mine.dtype) for _ in range(world)]
        dist.all_gather(outs, mine)
        for r in range(world):
            _close(outs[r].numpy(), _data(dtype, r), f"all_gather {dtype} slot {r}")
        cat = ember.zeros(world * SHAPE[0], SHAPE[1], dtype=mine.dtype)
        dist.all_gather_into_tensor(cat, mine)
        _close(cat.numpy(), np.concatenate([_data(dtype, r) for r in range(world)]), "cat")
        stacked = ember.zeros(world, *SHAPE, dtype=mine.dtype)
        dist.all_gather_into_tensor(stacked, mine)
        _close(stacked.numpy(), np.stack([_data(dtype, r) for r in range(world)]), "stack")


def check_reduce_scatter_list_and_tensor():
    rank, world = _world()
    for dtype in ("float32", "float64", "int32", "int64", "uint8", "bool", "int8", "int16"):
        for op in ReduceOp.RedOpType:
            if _invalid(op, dtype):
                continue
            # rank r's input block b is _data(dtype, 10 * r + b)
            blocks = [[_data(dtype, 10 * r + b) for b in range(world)] for r in range(world)]
            want = _expected(op, [blocks[r][rank] for r in range(world)])
            out = ember.zeros(SHAPE, dtype=ember.tensor(blocks[0][0]).dtype)
            dist.reduce_scatter(out, [ember.tensor(b) for b in blocks[rank]], op=op)
            _close(out.numpy(), want, f"reduce_scatter {op.name} {dtype}")
            out2 = ember.zeros(SHAPE, dtype=out.dtype)
            dist.reduce_scatter_tensor(out2, ember.tensor(np.concatenate(blocks[rank])), op=op)
            _close(out2.numpy(), want, f"reduce_scatter_tensor {op.name} {dtype}")


def check_gather_and_scatter_each_root():
    rank, world = _world()
    for dtype in ("float32", "int64", "bool"):
        for root in range(world):
            mine = ember.tensor(_data(dtype, rank))
            slots = [ember.zeros(SHAPE, dtype=mine.dtype) for _ in range(world)]
            dist.gather(mine, slots if rank == root else None, dst=root)
            if rank == root:
                for r in range(world):
                    _close(slots[r].numpy(), _data(dtype, r), f"gather {dtype} slot {r}")
            out = ember.zeros(SHAPE, dtype=mine.dtype)
            pieces = [ember.tensor(_data(dtype, 50 + r)) for r in range(world)]
            dist.scatter(out, pieces if rank == root else None, src=root)
            _close(out.numpy(), _data(dtype, 50 + rank), f"scatter {dtype} root {root}")


def check_send_recv_and_isend_irecv():
    rank, _ = _world()
    peer = 1 - rank
    for dtype in ("float32", "int64", "bool", "float16"):
        if rank == 0:
            dist.send(ember.tensor(_data(dtype, 0)), dst=1)
            got = ember.zeros(SHAPE, dtype=ember.tensor(_data(dtype, 0)).dtype)
            assert dist.recv(got, src=1) == 1
            _close(got.numpy(), _data(dtype, 1), f"recv {dtype} on rank 0")
        else:
            got = ember.zeros(SHAPE, dtype=ember.tensor(_data(dtype, 0)).dtype)
            assert dist.recv(got) == 0  # any source
            _close(got.numpy(), _data(dtype, 0), f"recv {dtype} on rank 1")
            dist.send(ember.tensor(_data(dtype, 1)), dst=0)
    buf = ember.zeros(5)
    recv_work = dist.irecv(buf, src=peer, tag=7)
    send_work = dist.isend(ember.full((5,), float(rank + 1)), dst=peer, tag=7)
    assert isinstance(send_work, dist.Work)
    send_work.wait()
    assert recv_work.wait() is True
    assert recv_work.is_completed() and recv_work.is_success()
    assert recv_work.source_rank() == peer
    np.testing.assert_array_equal(buf.numpy(), np.full(5, peer + 1.0, dtype=np.float32))
    _expect_error(ValueError, "own rank", lambda: dist.send(ember.ones(1), dst=rank))


def check_recv_of_wrong_size_raises():
    rank, _ = _world()
    if rank == 0:
        dist.send(ember.ones(3), dst=1)
    else:
        _expect_error(RuntimeError, "recv", lambda: dist.recv(ember.zeros(5), src=0))
    dist.barrier()


def check_async_collectives():
    rank, world = _world()
    t = ember.tensor([float(rank + 1)] * 4)
    work = dist.all_reduce(t, async_op=True)
    assert isinstance(work, dist.Work)
    work.wait()
    np.testing.assert_array_equal(t.numpy(), np.full(4, 3.0, dtype=np.float32))
    b = ember.tensor([float(rank)])
    w2 = dist.broadcast(b, src=1, async_op=True)
    while not w2.is_completed():
        pass
    assert b.item() == 1.0
    outs = [ember.zeros(2) for _ in range(world)]
    w3 = dist.all_gather(outs, ember.full((2,), float(rank)), async_op=True)
    assert [o.numpy().tolist() for o in w3.result()] == [[0.0, 0.0], [1.0, 1.0]]
    dist.barrier(async_op=True).wait()


def check_strided_tensor_written_in_place():
    rank, _ = _world()
    base = ember.tensor(np.arange(12, dtype=np.float64).reshape(3, 4) * (rank + 1))
    view = base.t()  # not contiguous
    version = view._version
    dist.all_reduce(view)
    np.testing.assert_array_equal(base.numpy(), np.arange(12.0).reshape(3, 4) * 3)
    assert view._version > version


def check_mismatched_shapes_raise_on_every_rank():
    rank, _ = _world()
    t = ember.zeros(4, 3 + rank)
    _expect_error(RuntimeError, "[4, 3]", lambda: dist.all_reduce(t))
    _expect_error(RuntimeError, "[4, 4]", lambda: dist.all_reduce(t))
    d = ember.zeros(2, dtype=ember.float32 if rank == 0 else ember.float64)
    _expect_error(RuntimeError, "float64", lambda: dist.broadcast(d, src=0))
    # different collectives on the two ranks
    call = dist.all_reduce if rank == 0 else (lambda x: dist.broadcast(x, src=0))
    _expect_error(RuntimeError, "do not match", lambda: call(ember.zeros(2)))
    # different roots
    _expect_error(RuntimeError, "root", lambda: dist.broadcast(ember.zeros(2), src=rank))
    # one rank's own argument error: it raises that error, the other names it
    outs = [ember.zeros(2) for _ in range(2 if rank == 0 else 3)]
    if rank == 0:
        _expect_error(RuntimeError, "rank(s) [1]", lambda: dist.all_gather(outs, ember.ones(2)))
    else:
        _expect_error(
            ValueError, "one tensor per rank", lambda: dist.all_gather(outs, ember.ones(2))
        )
    # the group is still usable afterwards
    t = ember.ones(2)
    dist.all_reduce(t)
    np.testing.assert_array_equal(t.numpy(), [2.0, 2.0])


def check_bad_arguments():
    _expect_error(ValueError, "ReduceOp", lambda: dist.all_reduce(ember.ones(1), op="sum"))
    _expect_error(TypeError, "ember.Tensor", lambda: dist.all_reduce(np.ones(1)))
    _expect_error(ValueError, "src=5", lambda: dist.broadcast(ember.ones(1), src=5))
    big = ember.zeros(3)
    _expect_error(ValueError, "elements", lambda: dist.all_gather_into_tensor(big, ember.ones(2)))


def check_object_collectives():
    rank, world = _world()
    objs = [None] * world
    dist.all_gather_object(objs, {"rank": rank, "tag": "x" * rank})
    assert objs == [{"rank": 0, "tag": ""}, {"rank": 1, "tag": "x"}]
    lst = [rank, "a", None] if rank == 1 else [0, 0, 0]
    dist.broadcast_object_list(lst, src=1)
    assert lst == [1, "a", None]
    gathered = [None] * world if rank == 0 else None
    dist.gather_object(("r", rank), gathered, dst=0)
    if rank == 0:
        assert gathered == [("r", 0), ("r", 1)]
    out = [None]
    dist.scatter_object_list(out, [{"to": r} for r in range(world)] if rank == 0 else None, src=0)
    assert out == [{"to": rank}]


def check_new_group():
    rank, _ = _world()
    solo = dist.new_group([1])
    both = dist.new_group()
    t = ember.tensor([float(rank + 1)])
    dist.all_reduce(t, group=both)
    assert t.item() == 3.0
    if rank == 1:
        assert dist.get_rank(solo) == 0 and dist.get_world_size(solo) == 1
        t = ember.tensor([5.0])
        dist.all_reduce(t, group=solo)
        assert t.item() == 5.0
    else:
        assert dist.get_rank(solo) == -1
        t = ember.tensor([5.0])
        assert dist.all_reduce(t, group=solo) is None  # not a member: nothing happens
    assert dist.get_global_rank(solo, 0) == 1 and dist.get_group_rank(solo, 1) == 0
    dist.destroy_process_group(solo)
    dist.destroy_process_group(both)


def check_distributed_sampler_uses_group():
    from ember.utils.data import DistributedSampler

    rank, world = _world()
    sampler = DistributedSampler(list(range(10)), shuffle=False)
    assert sampler.num_replicas == world and sampler.rank == rank
    assert list(sampler) == list(range(rank, 10, world))
    shuffled = [None] * world
    s = DistributedSampler(list(range(9)), seed=3)
    s.set_epoch(2)
    dist.all_gather_object(shuffled, list(s))
    assert set(shuffled[0] + shuffled[1]) == set(range(9))  # the shares cover the dataset
    assert len(shuffled[0]) == len(shuffled[1]) == 5


CHECKS = [
    check_init_state,
    check_all_reduce_every_op_and_dtype,
    check_reduce_every_op_to_each_root,
    check_broadcast_each_src_and_dtype,
    check_all_gather_list_and_into_tensor,
    check_reduce_scatter_list_and_tensor,
    check_gather_and_scatter_each_root,
    check_send_recv_and_isend_irecv,
    check_recv_of_wrong_size_raises,
    check_async_collectives,
    check_strided_tensor_written_in_place,
    check_mismatched_shapes_raise_on_every_rank,
    check_bad_arguments,
    check_object_collectives,
    check_new_group,
    check_distributed_sampler_uses_group,
]

if __name__ == "__main__":
    main(CHECKS)
