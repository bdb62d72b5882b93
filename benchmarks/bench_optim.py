"""Optimizer step time beside PyTorch: SGD with momentum and AdamW over ResNet-18's parameters.

The parameter set has the shapes of torchvision's ``resnet18`` (62 tensors, 11,689,512
float32 values); gradients are fixed random tensors, so one ``optimizer.step()`` is timed
alone (no forward or backward). Each figure is the median over ``--repeats`` steps after a
few warm-up steps, Ember's and PyTorch's steps in alternating runs so that both see the
same load (other processes on a shared machine); ratios are Ember's time over PyTorch's measured in
the same run (below 1: Ember is faster). PyTorch runs with its default settings (its CPU
default for these optimizers is the per-tensor "for-loop" implementation, on all cores);
``--threads N`` sets both libraries' thread counts (``ember.set_num_threads`` and
``torch.set_num_threads``), e.g. 1 for a comparison that machine load disturbs less.

Run from the repository root (PyTorch may live in another interpreter than Ember's venv)::

    PYTHONPATH=packages/core/src python3 benchmarks/bench_optim.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time

import numpy as np
from _report import add_json_argument, record, write_json


def resnet18_shapes() -> list[tuple[int, ...]]:
    """The parameter shapes of torchvision's resnet18, in ``named_parameters`` order."""
    shapes: list[tuple[int, ...]] = [(64, 3, 7, 7), (64,), (64,)]
    in_ch = 64
    for stage, out_ch in enumerate([64, 128, 256, 512]):
        for block in range(2):
            cin = in_ch if block == 0 else out_ch
            shapes += [(out_ch, cin, 3, 3), (out_ch,), (out_ch,)]
            shapes += [(out_ch, out_ch, 3, 3), (out_ch,), (out_ch,)]
            if block == 0 and stage > 0:  # downsample: 1x1 conv + batch norm
                shapes += [(out_ch, cin, 1, 1), (out_ch,), (out_ch,)]
        in_ch = out_ch
    shapes += [(1000, 512), (1000,)]
    return shapes


OPTIMIZERS = {
    "SGD(momentum=0.9)": ("SGD", {"lr": 0.01, "momentum": 0.9}),
    "SGD(momentum=0.9, nesterov, wd)": (
        "SGD",
        {"lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 5e-4},
    ),
    "AdamW": ("AdamW", {"lr": 1e-3}),
    "Adam": ("Adam", {"lr": 1e-3}),
}


def _make(lib, name, kwargs, params_np, grads_np):
    params = [lib.nn.Parameter(lib.tensor(p.copy())) for p in params_np]
    for p, g in zip(params, grads_np):
        p.grad = lib.tensor(g)
    opt = getattr(lib.optim, name)(params, **kwargs)
    for _ in range(3):  # warm up: state creation, caches
        opt.step()
    return opt


def step_ms(opts: dict, repeats: int, run: int = 5) -> dict:
    """Median milliseconds of one ``step()`` of each optimizer. The libraries take turns in
    runs of ``run`` steps, so that both see the same machine load; whole runs, not single
    steps, because PyTorch's idle OpenMP threads keep spinning for a while after its step and
    would slow down whatever runs right after it."""
    times: dict = {key: [] for key in opts}
    for _ in range(max(1, repeats // run)):
        for key, opt in opts.items():
            opt.step()  # the first step after the other library's run is not timed
            for _ in range(run):
                t0 = time.perf_counter()
                opt.step()
                times[key].append(time.perf_counter() - t0)
    return {key: statistics.median(t) * 1e3 for key, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=None, help="default 20 (quick: 10)")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="fewer steps (a rough figure)")
    add_json_argument(parser)
    args = parser.parse_args()
    if args.repeats is None:
        args.repeats = 10 if args.quick else 20

    import ember

    torch = None
    if importlib.util.find_spec("torch") is not None:
        import torch

    if args.threads:
        ember.set_num_threads(args.threads)
        if torch is not None:
            torch.set_num_threads(args.threads)
    shapes = resnet18_shapes()
    rng = np.random.default_rng(0)
    params_np = [rng.standard_normal(s).astype(np.float32) for s in shapes]
    grads_np = [rng.standard_normal(s).astype(np.float32) * 1e-2 for s in shapes]
    n = sum(int(np.prod(s)) for s in shapes)
    print(f"ResNet-18 parameter set: {len(shapes)} tensors, {n:,} float32 values")
    print(f"ember threads: {ember.get_num_threads()}", end="")
    print(f", torch threads: {torch.get_num_threads()}" if torch else ", torch: not installed")
    print(f"{'optimizer':34s} {'ember ms':>9s} {'torch ms':>9s} {'ember/torch':>12s}")
    libs = {"ember": ember} if torch is None else {"ember": ember, "torch": torch}
    records = []
    statistic = f"median of {max(1, args.repeats // 5) * 5} steps"
    threads = f"threads: ember {ember.get_num_threads()}"
    if torch is not None:
        threads += f", torch {torch.get_num_threads()}"
    for label, (name, kwargs) in OPTIMIZERS.items():
        opts = {k: _make(lib, name, kwargs, params_np, grads_np) for k, lib in libs.items()}
        ms = step_ms(opts, args.repeats)
        del opts
        if torch is not None:
            ratio = ms["ember"] / ms["torch"]
            print(f"{label:34s} {ms['ember']:9.2f} {ms['torch']:9.2f} {ratio:12.2f}")
        else:
            print(f"{label:34s} {ms['ember']:9.2f} {'-':>9s} {'-':>12s}")
        records.append(
            record(
                "optim",
                f"{label}, ResNet-18 parameters",
                "ms/step",
                ms["ember"],
                ms.get("torch"),
                None if torch is None else "torch",
                statistic=statistic,
                note=threads,
            )
        )
    write_json(args.json, records)


if __name__ == "__main__":
    main()
