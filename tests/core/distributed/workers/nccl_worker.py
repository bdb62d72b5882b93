"""Checks of the NCCL backend on GPU tensors (any world size; one GPU per rank), against
NumPy computations of each rank's inputs."""

from __future__ import annotations

import copy

import numpy as np
from _harness import main

import ember
import ember.distributed as dist
from ember import nn
from ember.distributed import ReduceOp
from ember.nn.parallel import DistributedDataParallel as DDP


def _data(dtype: str, rank: int, shape=(3, 4)) -> np.ndarray:
    rng = np.random.default_rng(100 + rank)
    if dtype == "bool":
        return rng.random(shape) < 0.5
    if dtype in ("int32", "int64", "uint8"):
        return rng.integers(0, 6, size=shape).astype(dtype)
    return rng.uniform(0.5, 1.5, size=shape).astype(dtype)


def _cuda(arr) -> ember.Tensor:
    return ember.tensor(arr).to("cuda")


def _host(t) -> np.ndarray:
    return t.cpu().numpy()


def check_backend_is_nccl():
    assert dist.get_backend() == "nccl"


def check_all_reduce_on_gpu():
    rank, world = dist.get_rank(), dist.get_world_size()
    for dtype in ("float32", "float64", "float16", "int32", "int64", "uint8", "bool"):
        inputs = [_data(dtype, r) for r in range(world)]
        stack = np.stack(inputs)
        for op in (ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PRODUCT, ReduceOp.AVG):
            if dtype == "bool" and op == ReduceOp.AVG:
                continue
            t = _cuda(inputs[rank].copy())
            dist.all_reduce(t, op=op)
            if dtype == "bool":
                want = stack.any(0) if op in (ReduceOp.SUM, ReduceOp.MAX) else stack.all(0)
            elif op == ReduceOp.SUM:
                want = stack.sum(0, dtype=stack.dtype)
            elif op == ReduceOp.PRODUCT:
                want = stack.prod(0, dtype=stack.dtype)
            elif op == ReduceOp.MAX:
                want = stack.max(0)
            elif op == ReduceOp.MIN:
                want = stack.min(0)
            elif stack.dtype.kind == "f":
                want = (stack.sum(0, dtype=stack.dtype) / world).astype(stack.dtype)
            else:
                want = (stack.sum(0, dtype=np.int64) // world).astype(stack.dtype)
            tol = 1e-2 if dtype == "float16" else 1e-6
            np.testing.assert_allclose(_host(t), want, rtol=tol, atol=tol, err_msg=f"{op} {dtype}")


def check_other_collectives_on_gpu():
    rank, world = dist.get_rank(), dist.get_world_size()
    t = _cuda(_data("float32", rank))
    dist.broadcast(t, src=0)
    np.testing.assert_array_equal(_host(t), _data("float32", 0))
    outs = [_cuda(np.zeros((3, 4), np.float32)) for _ in range(world)]
    dist.all_gather(outs, _cuda(_data("float32", rank)))
    for r in range(world):
        np.testing.assert_array_equal(_host(outs[r]), _data("float32", r))
    big = _cuda(np.zeros((world * 3, 4), np.float32))
    dist.all_gather_into_tensor(big, _cuda(_data("float32", rank)))
    np.testing.assert_array_equal(
        _host(big), np.concatenate([_data("float32", r) for r in range(world)])
    )
    blocks = [_data("float64", 10 * rank + b) for b in range(world)]
    out = _cuda(np.zeros((3, 4)))
    dist.reduce_scatter_tensor(out, _cuda(np.concatenate(blocks)))
    want = sum(_data("float64", 10 * r + rank) for r in range(world))
    np.testing.assert_allclose(_host(out), want, atol=1e-12)
    t = _cuda(_data("float64", rank))
    dist.reduce(t, dst=0)
    if rank == 0:
        np.testing.assert_allclose(_host(t), sum(_data("float64", r) for r in range(world)))
    slots = [_cuda(np.zeros((3, 4), np.float32)) for _ in range(world)] if rank == 0 else None
    dist.gather(_cuda(_data("float32", rank)), slots, dst=0)
    if rank == 0:
        for r in range(world):
            np.testing.assert_array_equal(_host(slots[r]), _data("float32", r))
    got = _cuda(np.zeros((3, 4), np.float32))
    pieces = [_cuda(_data("float32", 50 + r)) for r in range(world)] if rank == 0 else None
    dist.scatter(got, pieces, src=0)
    np.testing.assert_array_equal(_host(got), _data("float32", 50 + rank))
    w = dist.all_reduce(_cuda(np.ones(4, np.float32)), async_op=True)
    w.wait()
    # CPU tensors in the same group go through MPI
    c = ember.tensor([float(rank + 1)])
    dist.all_reduce(c)
    assert c.item() == world * (world + 1) / 2


def check_ddp_step_on_gpu_matches_cpu():
    rank, world = dist.get_rank(), dist.get_world_size()
    ember.manual_seed(0)
    cpu = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2)).double()
    ddp = DDP(copy.deepcopy(cpu).to("cuda"))
    opt = ember.optim.SGD(ddp.parameters(), lr=0.1)
    opt_cpu = ember.optim.SGD(cpu.parameters(), lr=0.1)
    xs = [np.random.default_rng(r).standard_normal((4, 5)) for r in range(world)]
    ys = [np.random.default_rng(10 + r).standard_normal((4, 2)) for r in range(world)]
    for _ in range(2):
        opt.zero_grad()
        nn.MSELoss()(ddp(_cuda(xs[rank])), _cuda(ys[rank])).backward()
        opt.step()
        opt_cpu.zero_grad()
        nn.MSELoss()(
            cpu(ember.tensor(np.concatenate(xs))), ember.tensor(np.concatenate(ys))
        ).backward()
        opt_cpu.step()
    for p, q in zip(ddp.module.parameters(), cpu.parameters()):
        np.testing.assert_allclose(_host(p.detach()), q.detach().numpy(), atol=1e-10)


CHECKS = [
    check_backend_is_nccl,
    check_all_reduce_on_gpu,
    check_other_collectives_on_gpu,
    check_ddp_step_on_gpu_matches_cpu,
]

if __name__ == "__main__":
    main(CHECKS)
