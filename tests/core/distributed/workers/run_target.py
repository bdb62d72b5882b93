"""Started by ``ember-run``: records the rank variables it sees and an all-reduce result."""

import json
import os
import sys
from pathlib import Path

import ember
import ember.distributed as dist

dist.init_process_group()
t = ember.tensor([float(dist.get_rank() + 1)])
dist.all_reduce(t)
record = {
    "argv": sys.argv[1:],
    "name": __name__,
    "env": {k: os.environ.get(k) for k in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE")},
    "rank": dist.get_rank(),
    "sum": t.item(),
}
out = Path(sys.argv[1])
(out / f"rank{dist.get_rank()}.json").write_text(json.dumps(record))
dist.destroy_process_group()
