"""The NCCL backend on GPU tensors: world size 1 (one GPU), and 2 where two GPUs are present
(the checks of ``workers/nccl_worker.py``). Marked ``cuda``: skipped without a GPU."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.cuda

WORKERS = Path(__file__).parent / "workers"


@pytest.mark.parametrize("nproc", [1, 2])
def test_nccl_collectives_and_ddp_step(nproc, tmp_path, mpi_env_vars, mpi_launch, outcome):
    from ember.distributed import is_nccl_available

    if not is_nccl_available():
        pytest.skip("CuPy has no NCCL support here")
    import cupy

    if cupy.cuda.runtime.getDeviceCount() < nproc:
        pytest.skip(f"needs {nproc} GPUs")
    env = dict(mpi_env_vars, EMBER_DIST_BACKEND="nccl")
    mpiexec = Path(sys.executable).parent / "mpiexec"
    cmd = [str(mpiexec), "--oversubscribe", "-n", str(nproc), sys.executable,
           str(WORKERS / "nccl_worker.py"), str(tmp_path)]  # fmt: skip
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(nproc)]
    assert len(results[0]["outcomes"]) == 4
    for check in results[0]["outcomes"]:
        outcome(results, check)
