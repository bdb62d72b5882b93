"""Data-parallel training of a small ResNet with 1 and 2 processes: throughput, and the time
each step spends communicating.

The model is a small CIFAR ResNet (3x3 stem, 3 stages of one basic block with 16/32/64
channels, batch norm, 1x1 projection shortcuts, global average pool, 10 classes), wrapped in
``DistributedDataParallel``; each process trains on batches of 64 images of 32x32 (so 2
processes train on 128 images per step). The communication time is what DDP measures inside
backward: launching the bucket all-reduces and waiting for them (``_get_ddp_logging_data``);
the world size 1 run is the baseline (its all-reduce is a local copy).

Run from the repository root (it starts ``mpiexec`` itself, one run per process count)::

    .venv/bin/python benchmarks/bench_distributed.py [--steps 10] [--procs 1,2] [--threads 1]

Each process uses ``--threads`` BLAS threads (default 1, so that 2 processes on 2 cores do
not oversubscribe). The figures are medians over the measured steps, after 2 warm-up steps.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BATCH = 64


def _mpiexec() -> str:
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.exists():
        return str(beside)
    import shutil

    found = shutil.which("mpiexec")
    if found is None:
        sys.exit("bench_distributed: no mpiexec found (install ember[distributed])")
    return found


def _resnet():
    from ember import nn

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.relu = nn.ReLU()
            self.short = None
            if stride != 1 or cin != cout:
                self.short = nn.Sequential(
                    nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
                )

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + (x if self.short is None else self.short(x)))

    return nn.Sequential(
        nn.Conv2d(3, 16, 3, 1, 1, bias=False),
        nn.BatchNorm2d(16),
        nn.ReLU(),
        Block(16, 16, 1),
        Block(16, 32, 2),
        Block(32, 64, 2),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(64, 10),
    )


def _worker(steps: int, out: str) -> None:
    import numpy as np

    import ember
    import ember.distributed as dist
    from ember.nn.parallel import DistributedDataParallel as DDP

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    ember.manual_seed(0)
    model = DDP(_resnet())
    opt = ember.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = ember.nn.CrossEntropyLoss()
    rng = np.random.default_rng(rank)
    x = ember.tensor(rng.standard_normal((BATCH, 3, 32, 32)).astype(np.float32))
    y = ember.tensor(rng.integers(0, 10, BATCH))
    times, comm = [], []
    for step in range(steps + 2):
        dist.barrier()
        t0 = time.perf_counter()
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        elapsed = time.perf_counter() - t0
        if step >= 2:
            times.append(elapsed)
            comm.append(model._get_ddp_logging_data()["last_backward_comm_time_s"])
    stats = model._get_ddp_logging_data()
    record = {"world": world, "step_s": times, "comm_s": comm, "buckets": stats["num_buckets"],
              "grad_bytes": sum(stats["bucket_sizes"])}  # fmt: skip
    everyone = [None] * world
    dist.all_gather_object(everyone, record)
    if rank == 0:
        Path(out).write_text(json.dumps(everyone))
    dist.destroy_process_group()


def _launch(nproc: int, steps: int, threads: int) -> list[dict]:
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(threads)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "result.json")
        # --bind-to none: with more processes than free cores, pinning makes them share one
        cmd = [_mpiexec(), "--oversubscribe", "--bind-to", "none", "-n", str(nproc),
               sys.executable, os.path.abspath(__file__),
               "--worker", "--steps", str(steps), "--out", out]  # fmt: skip
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if proc.returncode != 0:
            sys.exit(f"bench_distributed: the {nproc}-process run failed:\n{proc.stderr[-3000:]}")
        return json.loads(Path(out).read_text())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--steps", type=int, default=10)
    p.add_argument("--procs", default="1,2")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        _worker(args.steps, args.out)
        return
    rows = []
    for nproc in (int(n) for n in args.procs.split(",")):
        ranks = _launch(nproc, args.steps, args.threads)
        # a step ends when its slowest rank does
        step = statistics.median(max(r["step_s"][i] for r in ranks) for i in range(args.steps))
        comm = statistics.median(statistics.median(r["comm_s"]) for r in ranks)
        rows.append((nproc, step, nproc * BATCH / step, comm, ranks[0]["buckets"],
                     ranks[0]["grad_bytes"]))  # fmt: skip
    print(f"ResNet (16/32/64, 32x32), batch {BATCH} per process, {args.steps} steps, "
          f"{args.threads} BLAS thread(s) per process")  # fmt: skip
    print(f"{'procs':>5} {'step ms':>9} {'images/s':>9} {'comm ms':>9} {'comm %':>7} "
          f"{'buckets':>7} {'grad MB':>8}")  # fmt: skip
    base = rows[0][2]
    for nproc, step, ips, comm, buckets, nbytes in rows:
        print(f"{nproc:>5} {step * 1e3:>9.1f} {ips:>9.1f} {comm * 1e3:>9.2f} "
              f"{100 * comm / step:>6.1f}% {buckets:>7} {nbytes / 2**20:>8.2f}"
              + (f"   speed-up x{ips / base:.2f}" if nproc != rows[0][0] else ""))  # fmt: skip


if __name__ == "__main__":
    main()
