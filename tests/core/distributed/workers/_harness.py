"""Run a list of checks on every rank and write ``rank<r>.json`` with each check's outcome
(None, or the traceback of its failure)."""

from __future__ import annotations

import faulthandler
import json
import os
import sys
import traceback
from pathlib import Path

import ember.distributed as dist


def main(checks) -> None:
    out = Path(sys.argv[1])
    # a check that desynchronises the ranks would hang them: after a minute, print where
    # each rank waits and exit, which ends the job
    faulthandler.dump_traceback_later(60, exit=True)
    dist.init_process_group(os.environ.get("EMBER_DIST_BACKEND", "mpi"))
    rank = dist.get_rank()
    outcomes = {}
    only = os.environ.get("EMBER_DIST_CHECKS")  # comma-separated names, to debug a few
    if only:
        checks = [fn for fn in checks if fn.__name__ in only.split(",")]
    for fn in checks:
        try:
            fn()
            outcomes[fn.__name__] = None
        except Exception:
            outcomes[fn.__name__] = traceback.format_exc()
    (out / f"rank{rank}.json").write_text(json.dumps({"rank": rank, "outcomes": outcomes}))
    dist.barrier()
    dist.destroy_process_group()
