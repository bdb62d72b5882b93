"""Runs the whole benchmark suite and writes ``docs/benchmarks.md``.

Each benchmark script runs in its own process, with the interpreter that runs this file and
``packages/*/src`` added to ``PYTHONPATH``; its results come back as JSON (``--json``) and
become one table of the page, Ember's figures beside PyTorch / torchvision / torchaudio where
the interpreter can import them, with the ratios measured in the same run. A script that
fails or times out is recorded in the page and the suite goes on.

Run from anywhere, with the interpreter that has the comparison libraries::

    python3 benchmarks/run_all.py [--quick] [--output docs/benchmarks.md] [--only core,nn]
        [--threads N] [--timeout 1800] [--json results.json]

``--quick`` passes ``--quick`` on (fewer repetitions: a rough figure, e.g. for CI);
``--only`` runs a subset; ``--threads`` passes a thread count to the scripts that take one.
The exit status is 1 when a script failed (the page is written all the same).

The distributed benchmark runs only where ``mpiexec`` and mpi4py are found (with the
workspace's ``.venv/bin/python`` when this interpreter lacks mpi4py: it compares Ember with
itself); the GPU benchmark only where Ember sees a CUDA GPU. Otherwise the page says what
they need. A script without ``--json`` has its printed output put in the page as printed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
INSTALL_COMMAND = (
    "pip install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cpu"
)


@dataclass(frozen=True)
class Suite:
    """One benchmark script and how the page presents it."""

    name: str
    script: str
    title: str
    summary: str
    needs: str = ""  # "", "mpi" or "gpu"
    takes_threads: bool = False
    quick_options: tuple = ()  # for --quick, when the script has no --quick of its own
    parse_output: Callable[[str], list[dict]] | None = None  # when it has no --json


def parse_distributed(stdout: str) -> list[dict]:
    """Records from ``bench_distributed.py``'s printed table: images/s with N processes beside
    the first (1-process) row, so the ratio is the data-parallel speed-up."""
    rows = re.findall(
        r"^\s*(\d+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)%\s+(\d+)\s+([\d.]+)",
        stdout,
        re.M,
    )
    records = []
    for procs, step_ms, images, comm_ms, comm_pct, _buckets, _mb in rows:
        first = rows[0]
        baseline = procs == first[0]
        reference = None if baseline else float(first[2])
        records.append(
            {
                "benchmark": "distributed",
                "case": f"DDP ResNet 16/32/64, batch 64 per process, {procs} "
                + ("process" if procs == "1" else "processes"),
                "unit": "images/s",
                "ember": float(images),
                "reference": reference,
                "reference_name": "baseline" if baseline else f"Ember, {first[0]} process",
                "ratio": None if reference is None else float(images) / reference,
                "better": "higher",
                "statistic": "median step of the slowest rank",
                "note": f"step {step_ms} ms, of which communication {comm_ms} ms ({comm_pct}%)",
            }
        )
    return records


SUITES = (
    Suite(
        "core",
        "bench_core.py",
        "Core: import time and per-op overhead",
        "`import ember` in a fresh interpreter beside `import torch`, and the cost of one small "
        "autograd op: a chain of 100 elementwise ops (mul, add, scalar mul, sub) on 16x16 "
        "float32 tensors that require grad, forward plus backward, in microseconds per op.",
    ),
    Suite(
        "nn",
        "bench_nn.py",
        "Training steps",
        "One full training step (forward, loss, backward, `optim.SGD` update) of five small "
        "models built by the same code in both libraries; Ember's and PyTorch's steps alternate.",
        takes_threads=True,
    ),
    Suite(
        "optim",
        "bench_optim.py",
        "Optimizer step",
        "One `optimizer.step()` over ResNet-18's parameter set (62 tensors, 11.7 M float32 "
        "values) with fixed gradients; no forward or backward. PyTorch runs its default CPU "
        "implementation.",
        takes_threads=True,
    ),
    Suite(
        "data",
        "bench_data.py",
        "DataLoader throughput",
        "Samples per second through `DataLoader(batch_size=64)` over a dataset that decodes "
        "small PNG images with Pillow and crops, flips and normalises them in NumPy, with 0 and "
        "2 worker processes, beside PyTorch's `DataLoader` on the same dataset.",
    ),
    Suite(
        "vision",
        "bench_vision.py",
        "Vision transforms",
        "Images per second through the ImageNet training pipeline (decode a JPEG with Pillow, "
        "`RandomResizedCrop(224)`, `RandomHorizontalFlip`, `ToImage`, `ToDtype`, `Normalize`) "
        "in one process, beside torchvision's v2 transforms on the same images.",
    ),
    Suite(
        "audio",
        "bench_audio.py",
        "Audio: MelSpectrogram",
        "Seconds of 16 kHz audio turned into an 80-band (power) mel spectrogram per second of "
        "wall time (n_fft 400, hop 160: the usual speech front end), beside torchaudio's "
        "`MelSpectrogram` and the same computation written directly with `torch.stft`.",
        takes_threads=True,
    ),
    Suite(
        "distributed",
        "bench_distributed.py",
        "Distributed",
        "Data-parallel training (`DistributedDataParallel` over MPI) of a small CIFAR ResNet "
        "with 1 and 2 processes started by `mpiexec`: throughput, and the time each step "
        "spends communicating. Ember against itself: the ratio is the speed-up over one "
        "process.",
        needs="mpi",
        quick_options=("--steps", "4"),
        parse_output=parse_distributed,
    ),
    Suite(
        "gpu",
        "gpu.py",
        "GPU",
        "Ember on a CUDA GPU (`benchmarks/gpu.py`): per-op launch overhead, matmul "
        "throughput, the bandwidth of Ember's fused kernels, and ResNet-18 and GPT-style "
        "training steps in float32 and under autocast, beside PyTorch on the same GPU when "
        "PyTorch has CUDA.",
        needs="gpu",
    ),
)


@dataclass
class Result:
    """What one script produced: its records, or why it has none."""

    suite: Suite
    status: str  # "ok", "failed", "timeout", "skipped"
    records: list = field(default_factory=list)
    seconds: float = 0.0
    command: str = ""
    message: str = ""  # why it was skipped, or the tail of its error output
    stdout: str = ""  # kept for scripts without --json
    stdout_only: bool = False  # no --json: records (if any) were parsed from stdout


# -- environment ------------------------------------------------------------------------------


def source_paths() -> list[str]:
    """``packages/*/src``, the core first."""
    paths = sorted(ROOT.glob("packages/*/src"), key=lambda p: (p.parent.name != "core", p))
    return [str(p) for p in paths]


def suite_environment() -> dict:
    """The environment of every script: ours, with the workspace sources on PYTHONPATH."""
    env = dict(os.environ)
    extra = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(source_paths() + extra)
    mpi_dir = mpiexec_dir()
    if mpi_dir and mpi_dir not in env.get("PATH", "").split(os.pathsep):
        env["PATH"] = mpi_dir + os.pathsep + env.get("PATH", "")
    return env


def mpiexec_dir() -> str | None:
    """The folder of an ``mpiexec``: on PATH, beside this interpreter, or in the workspace venv."""
    found = shutil.which("mpiexec")
    if found:
        return str(Path(found).parent)
    for folder in (Path(sys.executable).parent, ROOT / ".venv" / "bin"):
        if (folder / "mpiexec").exists():
            return str(folder)
    return None


PROBE = r"""
import importlib, importlib.metadata, importlib.util, json, sys
out = {"python": sys.version.split()[0], "implementation": sys.implementation.name,
       "executable": sys.executable, "libraries": {}, "blas": "unknown"}
for module, dist in [("ember", "ember"), ("ember_vision", "ember-vision"),
                     ("ember_audio", "ember-audio"), ("numpy", "numpy"), ("PIL", "pillow"),
                     ("torch", "torch"), ("torchvision", "torchvision"),
                     ("torchaudio", "torchaudio"), ("mpi4py", "mpi4py")]:
    spec = importlib.util.find_spec(module)
    if spec is None:
        out["libraries"][module] = None
        continue
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        version = None
    if version is None or module.startswith("ember"):
        try:
            version = getattr(importlib.import_module(module), "__version__", "unknown")
        except Exception as exc:
            version = "unimportable: %s" % type(exc).__name__
    where = spec.submodule_search_locations
    location = list(where)[0] if where else spec.origin
    out["libraries"][module] = {"version": str(version), "location": location}
try:
    import numpy
    blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
    out["blas"] = "%s %s" % (blas.get("name", "?"), blas.get("version", ""))
except Exception:
    pass
try:
    import ember
    out["gpu"] = bool(ember.cuda.is_available())
except Exception:
    out["gpu"] = False
print(json.dumps(out))
"""


def probe_environment(env: dict) -> dict:
    """Versions and locations of the libraries as the scripts will see them."""
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0:
        return {"python": platform.python_version(), "libraries": {}, "blas": "unknown"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        try:
            out = subprocess.run(
                ["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True
            )
            if out.stdout.strip():
                return out.stdout.strip()
        except OSError:
            pass
    return platform.processor() or platform.machine() or "unknown"


def memory_gib() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    except (ValueError, OSError, AttributeError):
        return None


def load_average() -> str:
    try:
        return ", ".join(f"{x:.1f}" for x in os.getloadavg())
    except (OSError, AttributeError):
        return "unknown"


def describe_machine(probe: dict) -> list[tuple[str, str]]:
    """(item, value) rows of the Machine section."""
    cores = os.cpu_count() or 0
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    core_text = f"{cores} logical"
    if usable != cores:
        core_text += f" ({usable} usable by this process)"
    ram = memory_gib()
    os_name = platform.platform()
    try:
        release = platform.freedesktop_os_release()["PRETTY_NAME"]
        os_name = f"{release} ({os_name})"
    except (OSError, AttributeError, KeyError):
        pass
    threads = [f"{v}={os.environ[v]}" for v in THREAD_VARIABLES if v in os.environ]
    libs = probe.get("libraries", {})
    numpy_version = (libs.get("numpy") or {}).get("version", "not installed")
    return [
        ("CPU", f"{cpu_model()} ({platform.machine()})"),
        ("Cores", core_text),
        ("RAM", "unknown" if ram is None else f"{ram:.1f} GiB"),
        ("OS", os_name),
        ("Python", f"{probe.get('python', '?')} ({probe.get('implementation', 'cpython')})"),
        ("NumPy", f"{numpy_version}, BLAS: {probe.get('blas', 'unknown')}"),
        ("Thread settings", ", ".join(threads) or "library defaults (no *_NUM_THREADS set)"),
        ("GPU", "CUDA available to Ember" if probe.get("gpu") else "none used"),
    ]


THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


# -- running ------------------------------------------------------------------------------------


def script_flags(path: Path) -> set[str]:
    """The options among ``--json``, ``--quick`` and ``--threads`` that a script declares."""
    text = path.read_text()
    flags = {flag for flag in ("--json", "--quick", "--threads") if f'"{flag}"' in text}
    if "add_json_argument" in text:
        flags.add("--json")
    return flags


def skip_reason(suite: Suite, path: Path, probe: dict) -> str:
    """Why ``suite`` cannot run here, or "" when it can."""
    if not path.exists():
        return f"`benchmarks/{suite.script}` is not present in this checkout."
    if suite.needs == "mpi" and mpiexec_dir() is None:
        return (
            "Needs `mpiexec` (MPI); none was found on PATH, beside the interpreter or in the "
            "workspace's `.venv/bin`. Install Open MPI (the workspace's dev group has it) and "
            "rerun."
        )
    if suite.needs == "mpi" and interpreter_for(suite, probe) is None:
        return (
            "Needs `mpi4py` in the interpreter that runs it; neither this interpreter nor the "
            "workspace's `.venv/bin/python` has it (`pip install ember[distributed]`)."
        )
    if suite.needs == "gpu" and not probe.get("gpu"):
        return (
            "Needs a CUDA GPU (and CuPy); none is available here. On a machine with one, run "
            "`scripts/gpu-check.sh`, which runs the `cuda` tests and this benchmark."
        )
    return ""


def interpreter_for(suite: Suite, probe: dict) -> str | None:
    """The interpreter that runs ``suite``: this one, except for the distributed benchmark
    where this one lacks mpi4py and the workspace's venv has it (that benchmark compares Ember
    with itself, so no reference library is lost)."""
    if suite.needs != "mpi" or probe.get("libraries", {}).get("mpi4py"):
        return sys.executable
    venv = ROOT / ".venv" / "bin" / "python"
    if venv.exists():
        check = subprocess.run([str(venv), "-c", "import mpi4py"], capture_output=True)
        if check.returncode == 0:
            return str(venv)
    return None


def run_suite(suite: Suite, args, env: dict, probe: dict, workdir: Path) -> Result:
    path = BENCHMARKS / suite.script
    reason = skip_reason(suite, path, probe)
    if reason:
        return Result(suite, "skipped", message=reason)
    flags = script_flags(path)
    options = []
    if args.quick and "--quick" in flags:
        options.append("--quick")
    elif args.quick:
        options += list(suite.quick_options)
    if args.threads and suite.takes_threads and "--threads" in flags:
        options += ["--threads", str(args.threads)]
    json_path = workdir / f"{suite.name}.json"
    python = interpreter_for(suite, probe)
    command = [python, str(path), *options]
    if "--json" in flags:
        command += ["--json", str(json_path)]
    python_shown = Path(python).name
    if python != sys.executable and Path(python).is_relative_to(ROOT):
        python_shown = str(Path(python).relative_to(ROOT))
    shown = " ".join([python_shown, f"benchmarks/{suite.script}", *options])
    print(f"[{suite.name}] {shown}", flush=True)
    start = time.perf_counter()
    try:
        proc = subprocess.run(
            command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=args.timeout
        )
    except subprocess.TimeoutExpired as exc:
        seconds = time.perf_counter() - start
        tail = _tail(exc.stderr) or _tail(exc.stdout)
        message = f"Stopped after the time limit of {args.timeout:.0f} s.\n{tail}".strip()
        return Result(suite, "timeout", seconds=seconds, command=shown, message=message)
    seconds = time.perf_counter() - start
    print(proc.stdout, end="" if proc.stdout.endswith("\n") else "\n", flush=True)
    if proc.returncode != 0:
        message = f"Exit status {proc.returncode}.\n{_tail(proc.stderr) or _tail(proc.stdout)}"
        print(message, file=sys.stderr, flush=True)
        return Result(suite, "failed", seconds=seconds, command=shown, message=message.strip())
    records = []
    if "--json" not in flags and suite.parse_output is not None:
        records = suite.parse_output(proc.stdout)
    if "--json" in flags:
        try:
            records = json.loads(json_path.read_text())
        except (OSError, ValueError) as exc:
            message = f"It ran but wrote no readable JSON ({type(exc).__name__}: {exc})."
            return Result(
                suite, "failed", seconds=seconds, command=shown, message=message, stdout=proc.stdout
            )
    return Result(
        suite,
        "ok",
        records=records,
        seconds=seconds,
        command=shown,
        stdout=proc.stdout,
        stdout_only="--json" not in flags,
    )


def _tail(text, lines: int = 15) -> str:
    if not text:
        return ""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join(text.strip().splitlines()[-lines:])


# -- rendering ----------------------------------------------------------------------------------

UNITS = {"us/op": "\u00b5s/op"}
DASH = "\u2013"  # an empty cell
TIMES = "\u00d7"


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return DASH
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.2f}"
    return f"{text} {UNITS.get(unit, unit)}"


def reading(record: dict) -> str:
    """The ratio in words: how many times faster or slower Ember is than the reference."""
    ratio = record.get("ratio")
    if record.get("ember") is None:
        return "Ember did not run"
    if ratio is None and record.get("reference_name") == "baseline":
        return "baseline"
    if ratio is None:
        return "no reference installed"
    speed = ratio if record.get("better") == "higher" else 1.0 / ratio
    if speed >= 1.05:
        return f"{speed:.1f}{TIMES} faster"
    if speed <= 1 / 1.05:
        return f"{1.0 / speed:.1f}{TIMES} slower"
    return "about the same"


def _cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_records(records: list[dict]) -> list[str]:
    """A Markdown table of one script's records, then the statistics they are made of."""
    statistics = {r.get("statistic") or "" for r in records}
    shared = len(statistics) == 1  # one statistic for the table, else one per row
    if not shared:
        records = [{**r, "note": _join(r.get("statistic"), r.get("note"))} for r in records]
    with_notes = any(r.get("note") for r in records)
    header = ["Case", "Ember", "Reference", "Reference figure", "Ember / ref.", "Reading"]
    if with_notes:
        header.append("Notes")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in records:
        unit = r.get("unit", "")
        ratio = r.get("ratio")
        row = [
            r.get("case", ""),
            format_value(r.get("ember"), unit),
            r.get("reference_name") or DASH,
            format_value(r.get("reference"), unit),
            DASH if ratio is None else f"{ratio:.2f}",
            reading(r),
        ]
        if with_notes:
            row.append(r.get("note") or "")
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    if shared and statistics != {""}:
        lines += ["", f"Each figure: {statistics.pop()}."]
    return lines


def _join(*parts) -> str:
    return "; ".join(p for p in parts if p)


def render_result(result: Result) -> list[str]:
    suite = result.suite
    lines = [f"## {suite.title}", "", suite.summary, ""]
    if result.status == "skipped":
        return [*lines, result.message, ""]
    if result.command:
        lines += [f"Script: `{result.command}` ({result.seconds:.0f} s).", ""]
        if not result.command.startswith(Path(sys.executable).name + " "):
            lines += [
                "It ran with another interpreter than the suite's (which lacks what it needs); "
                "it measures Ember alone, so no comparison is lost.",
                "",
            ]
    if result.status in ("failed", "timeout"):
        what = "timed out" if result.status == "timeout" else "failed"
        lines += [f"**This benchmark {what}**; the rest of the suite ran on.", ""]
        lines += ["```text", result.message or "(no output)", "```", ""]
        return lines
    if result.records and not result.stdout_only:
        return [*lines, *render_records(result.records), ""]
    if result.records:  # parsed from the printed output, which follows in full
        lines += [*render_records(result.records), ""]
    # a script without --json: its printed output, as it printed it
    intro = "Its printed output (this script has no machine-readable output):"
    if result.records:
        intro = "The table above is read from the script's printed output, here in full:"
    return [
        *lines,
        intro,
        "",
        "```text",
        result.stdout.strip() or "(no output)",
        "```",
        "",
    ]


REFERENCE_LIBRARIES = ("torch", "torchvision", "torchaudio")
LIBRARY_NAMES = {
    "ember": "ember",
    "ember_vision": "ember-vision",
    "ember_audio": "ember-audio",
    "numpy": "NumPy",
    "PIL": "Pillow",
    "torch": "PyTorch (torch)",
    "torchvision": "torchvision",
    "torchaudio": "torchaudio",
}


def render_libraries(probe: dict) -> list[str]:
    libs = probe.get("libraries", {})
    lines = ["| Library | Version | Loaded from |", "|---|---|---|"]
    for module, name in LIBRARY_NAMES.items():
        info = libs.get(module)
        if info is None:
            lines.append(f"| {name} | not installed | {DASH} |")
        else:
            location = Path(info["location"])
            if location.is_relative_to(ROOT):
                location = location.relative_to(ROOT)
            lines.append(f"| {name} | {info['version']} | `{location}` |")
    missing = [m for m in REFERENCE_LIBRARIES if libs.get(m) is None]
    if missing:
        lines += [
            "",
            "Not installed here: "
            + ", ".join(missing)
            + "; the rows that compare against them show Ember's figures alone "
            "(see [Installing the comparison stack](#installing-the-comparison-stack)).",
        ]
    return lines


def command_line(args) -> str:
    """The command that produced the page, as a reader would type it."""
    sources = set(source_paths())
    given = os.environ.get("PYTHONPATH", "").split(os.pathsep)
    extra = [p for p in given if p and p not in sources]
    parts = []
    if extra:
        parts.append("PYTHONPATH=" + shlex.quote(os.pathsep.join(extra)))
    parts += [Path(sys.executable).name, "benchmarks/run_all.py"]
    if args.quick:
        parts.append("--quick")
    if args.only:
        parts += ["--only", args.only]
    if args.threads:
        parts += ["--threads", str(args.threads)]
    output = Path(args.output).resolve()
    if output != ROOT / "docs" / "benchmarks.md":
        parts += ["--output", shlex.quote(str(output))]
    return " ".join(parts)


def render_page(
    results: list[Result],
    machine: list[tuple[str, str]],
    probe: dict,
    command: str,
    quick: bool,
    date: str,
    load: tuple[str, str],
    total_seconds: float,
) -> str:
    lines = [
        "# Benchmarks",
        "",
        "Ember's speed beside PyTorch, torchvision and torchaudio, each pair measured side by "
        "side in one run of the benchmark suite on the machine described below. This page is "
        "generated by the suite; rerun the command below rather than editing it.",
        "",
        f"Generated on {date} in {total_seconds / 60:.1f} minutes by:",
        "",
        "```bash",
        command,
        "```",
        "",
        "(`run_all.py` puts `packages/*/src` on `PYTHONPATH` itself and runs every script with "
        "the interpreter it runs under, unless a section says otherwise.)",
        "",
    ]
    if quick:
        lines += [
            "```{note}",
            "Quick mode: fewer repetitions and smaller inputs. The figures are rough.",
            "```",
            "",
        ]
    lines += [
        "## How to read the tables",
        "",
        "The *Ember / ref.* column is Ember's figure divided by the reference library's, both "
        "taken in the same run, the two libraries taking turns so that they see the same "
        "machine load. For times (ms, µs: lower is better) a ratio below 1 means Ember is "
        "faster; for throughputs (samples/s, images/s, audio s/s: higher is better) a ratio "
        "above 1 means Ember is faster. The *Reading* column says it in words. Absolute figures "
        "depend on the machine and on its load at the time; the ratios travel better.",
        "",
        "## Machine",
        "",
        "| Item | Value |",
        "|---|---|",
        *(f"| {_cell(k)} | {_cell(v)} |" for k, v in machine),
        f"| Date | {date} |",
        f"| Load average (1, 5, 15 min) | {load[0]} at the start, {load[1]} at the end |",
        "",
        "## Libraries compared",
        "",
        *render_libraries(probe),
        "",
    ]
    for result in results:
        lines += render_result(result)
    lines += [
        "## Installing the comparison stack",
        "",
        "The suite compares against whichever of PyTorch, torchvision and torchaudio the "
        "interpreter that runs it can import; without them, each table shows Ember's figures "
        "alone. Install the CPU builds into the environment that runs the suite (for the "
        "workspace, its `.venv`):",
        "",
        "```bash",
        INSTALL_COMMAND,
        "```",
        "",
        "then run the suite with that environment's interpreter:",
        "",
        "```bash",
        "python benchmarks/run_all.py            # the whole suite, writes docs/benchmarks.md",
        "python benchmarks/run_all.py --quick    # fewer repetitions: a rough figure",
        "python benchmarks/run_all.py --only core,nn --output /tmp/bench.md",
        "```",
        "",
        "Each script also runs alone (`python benchmarks/bench_nn.py --help`), printing its "
        "own table; `--json PATH` writes its results as JSON records. The distributed benchmark "
        "runs when `mpiexec` and mpi4py are found (`pip install ember[distributed]`), the GPU "
        "benchmark when Ember sees a CUDA GPU (CuPy installed); `scripts/gpu-check.sh` runs the "
        "GPU tests and benchmark on such a machine.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    names = [s.name for s in SUITES]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (rough figures)")
    parser.add_argument("--output", default=str(ROOT / "docs" / "benchmarks.md"))
    parser.add_argument("--only", default=None, help="a subset: " + ",".join(names))
    parser.add_argument("--threads", type=int, default=None, help="for the scripts that take it")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per script")
    parser.add_argument("--json", default=None, help="also write all records to this JSON file")
    args = parser.parse_args(argv)
    selected = SUITES
    if args.only:
        wanted = [n.strip() for n in args.only.split(",") if n.strip()]
        unknown = [n for n in wanted if n not in names]
        if unknown:
            parser.error(f"--only: unknown benchmark(s) {unknown}; choose from {names}")
        selected = tuple(s for s in SUITES if s.name in wanted)

    start = time.perf_counter()
    load_start = load_average()
    date = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    env = suite_environment()
    probe = probe_environment(env)
    results = []
    with tempfile.TemporaryDirectory(prefix="ember-bench-") as tmp:
        for suite in selected:
            results.append(run_suite(suite, args, env, probe, Path(tmp)))
    page = render_page(
        results,
        describe_machine(probe),
        probe,
        command_line(args),
        args.quick,
        date,
        (load_start, load_average()),
        time.perf_counter() - start,
    )
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page)
    if args.json:
        everything = [rec for r in results for rec in r.records]
        Path(args.json).write_text(json.dumps(everything, indent=2) + "\n")
    failed = [r.suite.name for r in results if r.status in ("failed", "timeout")]
    print(f"wrote {output}" + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
