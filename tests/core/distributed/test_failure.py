"""A rank that raises ends the whole job with its error, instead of leaving the other ranks
waiting in a collective forever."""

from __future__ import annotations

import time
from pathlib import Path

WORKERS = Path(__file__).parent / "workers"


def test_exception_on_one_rank_aborts_the_job(mpi_launch):
    start = time.monotonic()
    proc = mpi_launch([str(WORKERS / "fail_worker.py")], timeout=60)
    elapsed = time.monotonic() - start
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "ValueError: boom on rank 1: bad batch" in output
    assert "rank 0 passed the all_reduce" not in output
    assert elapsed < 30, f"the job took {elapsed:.1f} s to end"
