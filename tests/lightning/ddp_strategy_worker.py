"""Run by test_strategy_ddp.py on 2 MPI ranks: exercises DDPStrategy and writes what each
rank saw to ``rank<r>.json``."""

import json
import sys
from pathlib import Path

import ember
from ember import nn
from ember.utils.data import DataLoader, TensorDataset
from ember_lightning.strategies import DDPStrategy

strategy = DDPStrategy("mpi")
strategy.setup_environment()
rank = strategy.global_rank
record = {"rank": rank, "world_size": strategy.world_size, "global_zero": strategy.is_global_zero}

# sync_dist-style reductions of a logged value
record["mean"] = strategy.reduce(float(rank + 1))
record["sum"] = strategy.reduce(ember.tensor([rank + 1.0, 10.0]), reduce_op="sum").tolist()
record["max"] = strategy.reduce(float(rank), reduce_op="max")
record["all_true"] = strategy.reduce_boolean_decision(rank == 0, all=True)
record["any_true"] = strategy.reduce_boolean_decision(rank == 0, all=False)
record["broadcast"] = strategy.broadcast(f"path-from-{rank}", src=1)
record["gathered"] = strategy.all_gather(ember.tensor([float(rank)])).tolist()

# each rank gets its share of the data
data = TensorDataset(ember.arange(10).float().reshape(10, 1), ember.arange(10))
train = strategy.process_dataloader(DataLoader(data, batch_size=2, shuffle=True))
evaluation = strategy.process_dataloader(DataLoader(data, batch_size=3))
record["train_indices"] = [int(i) for _, y in train for i in y.tolist()]
record["eval_indices"] = [int(i) for _, y in evaluation for i in y.tolist()]

# the wrapped module averages gradients; block_backward_sync keeps them local
ember.manual_seed(rank)  # different initial weights: setup_module copies rank 0's
model = strategy.setup_module(nn.Linear(1, 1))
assert strategy.lightning_module is model.module
x = ember.tensor([[float(rank + 1)]])
with strategy.block_backward_sync():
    model(x).sum().backward()
record["local_grad"] = model.module.weight.grad.item()
model.zero_grad()
model(x).sum().backward()
record["synced_grad"] = model.module.weight.grad.item()
record["weight"] = model.module.weight.item()

# teardown unwraps the module (its gradient hooks go) but keeps the process group up
strategy.teardown()
record["unwrapped"] = strategy.model is None and strategy.lightning_module is None
record["group_kept"] = ember.distributed.is_initialized() and strategy.world_size == 2
model.module.zero_grad()
model.module(x).sum().backward()  # a plain backward: no hook left, the gradient stays local
record["grad_after_teardown"] = model.module.weight.grad.item()

strategy.barrier()
(Path(sys.argv[1]) / f"rank{rank}.json").write_text(json.dumps(record))
ember.distributed.destroy_process_group()
