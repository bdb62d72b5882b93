"""Rank 1 raises while rank 0 waits in a collective: the job must end (not hang)."""

import sys
import time

import ember
import ember.distributed as dist

dist.init_process_group("mpi")
dist.barrier()
if dist.get_rank() == 1:
    time.sleep(0.2)
    raise ValueError("boom on rank 1: bad batch")
t = ember.ones(3)
dist.all_reduce(t)  # never completes: rank 1 is gone
print("rank 0 passed the all_reduce", file=sys.stderr)
