"""The benchmark suite's runner writes a complete page: it runs one cheap script end to end
into a temporary file, and renders made-up results (a comparison, a failure, a skip) to check
how ratios are read and how failures are recorded. No timing is asserted."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TIMES, DASH = "\u00d7", "\u2013"  # the page's multiplication sign and empty cell
RUN_ALL = ROOT / "benchmarks" / "run_all.py"


def _load_run_all():
    spec = importlib.util.spec_from_file_location("ember_bench_run_all", RUN_ALL)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


run_all = _load_run_all()


def _section(page: str, title: str) -> str:
    """The text of the ``## title`` section, up to the next ``## `` heading."""
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", page, re.S | re.M)
    assert match, f"no section {title!r} in the page"
    return match.group(1)


def _table_rows(section: str) -> list[list[str]]:
    rows = [line for line in section.splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows]


@pytest.fixture(scope="module")
def quick_core_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    page_path, json_path = out / "benchmarks.md", out / "all.json"
    proc = subprocess.run(
        [sys.executable, str(RUN_ALL), "--quick", "--only", "core"]
        + ["--output", str(page_path), "--json", str(json_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return page_path.read_text(), json.loads(json_path.read_text())


def test_quick_run_writes_machine_and_library_sections(quick_core_page):
    page, _ = quick_core_page
    assert page.startswith("# Benchmarks\n")
    machine = dict(row[:2] for row in _table_rows(_section(page, "Machine"))[2:])
    for item in ("CPU", "Cores", "RAM", "OS", "Python", "NumPy", "Date"):
        assert machine.get(item), f"machine item {item} missing or empty"
    assert machine["Python"].startswith(".".join(map(str, sys.version_info[:2])))
    import numpy

    assert numpy.__version__ in machine["NumPy"] and "BLAS" in machine["NumPy"]
    libraries = {row[0]: row[1] for row in _table_rows(_section(page, "Libraries compared"))[2:]}
    assert libraries["ember"] == "0.1.0"
    for name in ("PyTorch (torch)", "torchvision", "torchaudio"):
        assert name in libraries  # a version, or "not installed"


def test_quick_run_writes_the_core_table_with_a_ratio_column(quick_core_page):
    page, records = quick_core_page
    section = _section(page, "Core: import time and per-op overhead")
    assert "benchmarks/bench_core.py --quick" in section
    header, _rule, *rows = _table_rows(section)
    assert header[:6] == [
        "Case",
        "Ember",
        "Reference",
        "Reference figure",
        "Ember / ref.",
        "Reading",
    ]
    assert [row[0] for row in rows] == [r["case"] for r in records]
    assert rows[0][0] == "import (fresh interpreter)"
    assert re.fullmatch(r"[\d,.]+ ms", rows[0][1])
    assert re.fullmatch(r"[\d,.]+ µs/op", rows[1][1])
    for row, rec in zip(rows, records):
        assert rec["benchmark"] == "core" and rec["ember"] > 0
        if rec["reference"] is None:  # PyTorch missing from this interpreter
            assert row[4] == DASH and row[5] == "no reference installed"
        else:
            assert row[4] == f"{rec['ember'] / rec['reference']:.2f}"
    # the page says how to read the ratio, how it was made, and how to get the references
    assert "ratio below 1 means Ember is faster" in _section(page, "How to read the tables")
    assert "benchmarks/run_all.py --quick --only core" in page
    install = _section(page, "Installing the comparison stack")
    assert run_all.INSTALL_COMMAND in install
    assert "--index-url https://download.pytorch.org/whl/cpu" in install
    assert "## Training steps" not in page  # --only core ran nothing else


def _record(**kw):
    base = {
        "benchmark": "x",
        "case": "case",
        "unit": "ms",
        "ember": 2.0,
        "reference": 4.0,
        "reference_name": "torch",
        "better": "lower",
        "statistic": "median of 5",
        "note": "",
    }
    base.update(kw)
    base["ratio"] = (
        None
        if base["reference"] is None or base["ember"] is None
        else base["ember"] / base["reference"]
    )
    return base


@pytest.mark.parametrize(
    ("ember", "reference", "better", "expected"),
    [
        (2.0, 4.0, "lower", f"2.0{TIMES} faster"),  # half the time
        (6.0, 2.0, "lower", f"3.0{TIMES} slower"),
        (300.0, 100.0, "higher", f"3.0{TIMES} faster"),  # three times the throughput
        (50.0, 100.0, "higher", f"2.0{TIMES} slower"),
        (1.02, 1.0, "lower", "about the same"),
        (2.0, None, "lower", "no reference installed"),
        (None, 1.0, "lower", "Ember did not run"),
    ],
)
def test_reading_turns_the_ratio_into_words(ember, reference, better, expected):
    assert run_all.reading(_record(ember=ember, reference=reference, better=better)) == expected


def test_render_records_one_statistic_per_table_or_per_row():
    same = run_all.render_records([_record(case="a"), _record(case="b", note="n")])
    assert same[-1] == "Each figure: median of 5."
    assert same[0].endswith("| Notes |")
    mixed = run_all.render_records([_record(case="a"), _record(case="b", statistic="best of 3")])
    rows = _table_rows("\n".join(mixed))
    assert rows[2][-1] == "median of 5" and rows[3][-1] == "best of 3"
    assert not any(line.startswith("Each figure") for line in mixed)


def test_page_records_a_failure_and_a_skip_and_goes_on():
    by_name = {s.name: s for s in run_all.SUITES}
    results = [
        run_all.Result(
            by_name["nn"],
            "failed",
            seconds=3.0,
            command="python benchmarks/bench_nn.py",
            message="Exit status 1.\nRuntimeError: boom",
        ),
        run_all.Result(
            by_name["gpu"],
            "skipped",
            message=run_all.skip_reason(by_name["gpu"], RUN_ALL, {"gpu": False}),
        ),
        run_all.Result(by_name["optim"], "ok", records=[_record(case="SGD", unit="ms/step")]),
    ]
    page = run_all.render_page(
        results,
        [("CPU", "test cpu")],
        {"libraries": {}},
        "python benchmarks/run_all.py",
        quick=False,
        date="2026-01-01 00:00 UTC",
        load=("1.0", "1.0"),
        total_seconds=60,
    )
    failed = _section(page, "Training steps")
    assert "**This benchmark failed**" in failed and "RuntimeError: boom" in failed
    gpu = _section(page, "GPU")
    assert "Needs a CUDA GPU" in gpu and "scripts/gpu-check.sh" in gpu
    rows = _table_rows(_section(page, "Optimizer step"))
    assert rows[2][:6] == [
        "SGD",
        "2.00 ms/step",
        "torch",
        "4.00 ms/step",
        "0.50",
        f"2.0{TIMES} faster",
    ]
    assert "not installed" in _section(page, "Libraries compared")
    assert "```python" not in page  # the docs test would execute such blocks


def test_unknown_benchmark_name_is_refused(capsys):
    with pytest.raises(SystemExit):
        run_all.main(["--only", "core,nope"])
    assert "unknown benchmark(s) ['nope']" in capsys.readouterr().err


def test_a_failing_script_is_recorded_and_the_next_one_still_runs(tmp_path, monkeypatch):
    (tmp_path / "bench_broken.py").write_text(
        "import sys\nprint('partial')\nsys.exit('bench_broken: RuntimeError: no kernel')\n"
    )
    (tmp_path / "bench_fine.py").write_text(
        "import argparse, json\n"
        "p = argparse.ArgumentParser()\n"
        'p.add_argument("--json")\n'
        'p.add_argument("--quick", action="store_true")\n'
        "a = p.parse_args()\n"
        "rec = dict(benchmark='fine', case='quick' if a.quick else 'full', unit='images/s',"
        " ember=300.0, reference=100.0, reference_name='torchvision', ratio=3.0,"
        " better='higher', statistic='best of 3', note='')\n"
        "open(a.json, 'w').write(json.dumps([rec]))\n"
    )
    monkeypatch.setattr(run_all, "BENCHMARKS", tmp_path)
    suites = (
        run_all.Suite("broken", "bench_broken.py", "Broken one", "Fails on purpose."),
        run_all.Suite("fine", "bench_fine.py", "Fine one", "Works."),
    )
    monkeypatch.setattr(run_all, "SUITES", suites)
    page_path = tmp_path / "page.md"
    assert run_all.main(["--quick", "--output", str(page_path)]) == 1  # a failure is signalled
    page = page_path.read_text()
    broken = _section(page, "Broken one")
    assert "**This benchmark failed**" in broken
    assert "Exit status 1." in broken and "RuntimeError: no kernel" in broken
    rows = _table_rows(_section(page, "Fine one"))
    assert rows[2][:6] == ["quick", "300 images/s", "torchvision", "100 images/s", "3.00"] + [
        f"3.0{TIMES} faster"
    ]


def test_distributed_table_is_read_from_its_printed_output():
    printed = (
        "ResNet (16/32/64, 32x32), batch 64 per process, 4 steps, 1 BLAS thread(s) per process\n"
        "procs   step ms  images/s   comm ms  comm % buckets  grad MB\n"
        "    1     400.0     160.0      0.16    0.0%       1     0.30\n"
        "    2     500.0     256.0     41.07    8.2%       1     0.30   speed-up x1.60\n"
    )
    one, two = run_all.parse_distributed(printed)
    assert one["ember"] == 160.0 and one["reference"] is None
    assert run_all.reading(one) == "baseline"
    assert two["case"].endswith("2 processes") and two["ember"] == 256.0
    assert two["reference"] == 160.0 and two["ratio"] == pytest.approx(1.6)
    assert run_all.reading(two) == f"1.6{TIMES} faster"
    assert "41.07 ms (8.2%)" in two["note"]
    assert run_all.parse_distributed("no table here\n") == []
