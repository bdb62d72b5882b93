"""Core overheads beside PyTorch: ``import`` time, and per-op cost of small autograd ops.

(a) ``import ember`` wall time in a fresh interpreter (median of several runs), beside
    ``import numpy`` and, when installed, ``import torch``.
(b) A chain of 100 elementwise ops on 16x16 float32 tensors with ``requires_grad``
    (mul, add, mul by a scalar, sub, in turn), then ``.sum().backward()``: microseconds per
    op for forward plus backward, beside PyTorch measured in the same run.

Run from the repository root (PyTorch may live in another interpreter than Ember's venv)::

    PYTHONPATH=packages/core/src python3 benchmarks/bench_core.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time

from _report import add_json_argument, record, write_json


def import_time(module: str, runs: int) -> float:
    """Median seconds for ``import module`` in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip()))
    return statistics.median(times)


def chain(lib, a, b, n_ops: int):
    """``n_ops`` cheap elementwise ops, then sum and backward."""
    y = a
    for _ in range(n_ops // 4):
        y = y * b
        y = y + a
        y = y * 0.5
        y = y - b
    y.sum().backward()


def per_op_us(lib, n_ops: int, repeats: int, size: int = 16) -> float:
    """Best-of-``repeats`` microseconds per op (forward + backward) of the chain."""
    import numpy as np

    rng = np.random.default_rng(0)
    a_np = rng.standard_normal((size, size)).astype(np.float32)
    b_np = rng.standard_normal((size, size)).astype(np.float32) * 0.1 + 1
    a = lib.tensor(a_np, requires_grad=True)
    b = lib.tensor(b_np, requires_grad=True)
    for _ in range(3):  # warm up
        chain(lib, a, b, n_ops)
    best = float("inf")
    for _ in range(repeats):
        a.grad = None
        b.grad = None
        t = time.perf_counter()
        chain(lib, a, b, n_ops)
        best = min(best, time.perf_counter() - t)
    return best / (n_ops + 2) * 1e6  # + sum and the implicit backward root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--import-runs", type=int, default=None, help="default 5 (quick: 3)")
    parser.add_argument("--ops", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=None, help="default 50 (quick: 20)")
    parser.add_argument("--quick", action="store_true", help="fewer runs (a rough figure)")
    add_json_argument(parser)
    args = parser.parse_args()
    if args.import_runs is None:
        args.import_runs = 3 if args.quick else 5
    if args.repeats is None:
        args.repeats = 20 if args.quick else 50

    have_torch = importlib.util.find_spec("torch") is not None
    rows = []
    t_ember = import_time("ember", args.import_runs)
    t_numpy = import_time("numpy", args.import_runs)
    t_torch = None
    rows.append(("import ember (ms)", t_ember * 1e3, None))
    rows.append(("import numpy (ms)", t_numpy * 1e3, None))
    if have_torch:
        t_torch = import_time("torch", args.import_runs)
        rows.append(("import torch (ms)", t_torch * 1e3, t_ember / t_torch))

    import ember

    ember_us = per_op_us(ember, args.ops, args.repeats)
    torch_us = None
    if have_torch:
        import torch

        torch.set_num_threads(1)
        torch_us = per_op_us(torch, args.ops, args.repeats)
    rows.append((f"ember chain of {args.ops} ops, us/op", ember_us, None))
    if torch_us is not None:
        rows.append((f"torch chain of {args.ops} ops, us/op", torch_us, ember_us / torch_us))

    print(f"{'measure':<36}{'value':>12}{'ember/torch':>14}")
    for name, value, ratio in rows:
        r = "" if ratio is None else f"{ratio:.2f}x"
        print(f"{name:<36}{value:>12.2f}{r:>14}")

    write_json(
        args.json,
        [
            record(
                "core",
                "import (fresh interpreter)",
                "ms",
                t_ember * 1e3,
                None if t_torch is None else t_torch * 1e3,
                "torch" if have_torch else None,
                statistic=f"median of {args.import_runs} runs",
                note=f"import numpy alone: {t_numpy * 1e3:.0f} ms",
            ),
            record(
                "core",
                f"chain of {args.ops} elementwise ops on 16x16, forward + backward",
                "us/op",
                ember_us,
                torch_us,
                "torch" if have_torch else None,
                statistic=f"best of {args.repeats} runs",
                note="torch with 1 thread" if have_torch else "",
            ),
        ],
    )


if __name__ == "__main__":
    main()
