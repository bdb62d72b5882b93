"""Helpers for the distributed tests: start ``mpiexec -n 2`` on a worker script that runs
many checks and writes one JSON result file per rank, then read the results.

Each launch costs about two seconds, so the checks are batched: a worker module lists its
checks (``CHECKS``), the launch runs once per session, and the tests assert on each check's
recorded outcome.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

WORKERS = Path(__file__).parent / "workers"
NPROC = 2


def find_mpiexec() -> str | None:
    beside = Path(sys.executable).parent / "mpiexec"
    if beside.exists():
        return str(beside)
    return shutil.which("mpiexec")


def mpi_env() -> dict:
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(
        [str(WORKERS)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    env.pop("RANK", None)
    env.pop("WORLD_SIZE", None)
    return env


def require_mpi() -> str:
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed (install ember[distributed])")
    mpiexec = find_mpiexec()
    if mpiexec is None:
        pytest.skip("no mpiexec beside the Python interpreter or on PATH")
    return mpiexec


def launch(args: list[str], n: int = NPROC, timeout: float = 90) -> subprocess.CompletedProcess:
    """Run ``mpiexec -n n python <args>`` and return the finished process (output captured)."""
    mpiexec = require_mpi()
    cmd = [mpiexec, "--oversubscribe", "-n", str(n), sys.executable] + args
    proc = subprocess.Popen(
        cmd, env=mpi_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()  # mpiexec forwards SIGTERM to the ranks (SIGKILL would orphan them)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        raise AssertionError(
            f"{' '.join(args)}: the job did not end within {timeout} s\n{err[-4000:]}"
        ) from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def run_worker(name: str, tmp_path_factory, n: int = NPROC) -> list[dict]:
    """Run ``workers/<name>.py`` on ``n`` ranks; returns each rank's result dict."""
    out = tmp_path_factory.mktemp(name)
    proc = launch([str(WORKERS / f"{name}.py"), str(out)], n=n)
    results = []
    for rank in range(n):
        path = out / f"rank{rank}.json"
        if not path.exists():
            raise AssertionError(
                f"{name}: rank {rank} wrote no results (exit {proc.returncode})\n"
                f"stdout:\n{proc.stdout[-4000:]}\nstderr:\n{proc.stderr[-4000:]}"
            )
        results.append(json.loads(path.read_text()))
    assert proc.returncode == 0, proc.stderr[-4000:]
    return results


def check_names(name: str) -> list[str]:
    """The names of the checks a worker module defines (imported without running MPI)."""
    spec = importlib.util.spec_from_file_location(f"_worker_{name}", WORKERS / f"{name}.py")
    sys.path.insert(0, str(WORKERS))
    try:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(WORKERS))
    return [fn.__name__ for fn in module.CHECKS]


def assert_check(results: list[dict], check: str) -> None:
    """Fail with each failing rank's traceback when ``check`` failed anywhere."""
    failures = []
    for r in results:
        if check not in r["outcomes"]:
            failures.append(f"rank {r['rank']}: did not run")
        elif r["outcomes"][check] is not None:
            failures.append(f"rank {r['rank']}:\n{r['outcomes'][check]}")
    if failures:
        pytest.fail(f"{check} failed:\n" + "\n".join(failures))


# test argument -> (worker module, prefix of the check names it takes)
_CHECK_ARGS = {
    "collectives_check": ("collectives_worker", "check_"),
    "ddp_check": ("training_worker", "check_ddp"),
    "syncbn_check": ("training_worker", "check_syncbn"),
}


def pytest_generate_tests(metafunc):
    for arg, (worker, prefix) in _CHECK_ARGS.items():
        if arg in metafunc.fixturenames:
            names = [n for n in check_names(worker) if n.startswith(prefix)]
            metafunc.parametrize(arg, names)


@pytest.fixture(scope="session")
def collectives_results(tmp_path_factory):
    """Every check of ``workers/collectives_worker.py``, run once on 2 ranks."""
    require_mpi()
    return run_worker("collectives_worker", tmp_path_factory)


@pytest.fixture(scope="session")
def training_results(tmp_path_factory):
    """DDP and SyncBatchNorm checks, run once on 2 ranks (shared by two test files)."""
    require_mpi()
    return run_worker("training_worker", tmp_path_factory)


@pytest.fixture
def outcome():
    """``outcome(results, check)``: fail with each failing rank's traceback."""
    return assert_check


@pytest.fixture
def mpi_launch():
    """``mpi_launch(args, n=2, timeout=90)``: run ``mpiexec -n n python *args``."""
    require_mpi()
    return launch


@pytest.fixture
def mpi_env_vars():
    """The environment the launches use (root-allowing variables where needed)."""
    return mpi_env()
