"""DDPStrategy: the pieces the trainer's ``strategy="ddp"`` needs, on 2 MPI processes."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import ember
from ember.utils.data import DataLoader, TensorDataset
from ember_lightning.strategies import DDPStrategy

WORKER = Path(__file__).parent / "ddp_strategy_worker.py"


def _mpiexec() -> str:
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed (install ember[distributed])")
    beside = Path(sys.executable).parent / "mpiexec"
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.skip("no mpiexec beside the Python interpreter or on PATH")
    return found


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    mpiexec = _mpiexec()
    out = tmp_path_factory.mktemp("ddp_strategy")
    env = dict(os.environ)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    cmd = [mpiexec, "--oversubscribe", "-n", "2", sys.executable, str(WORKER), str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads((out / f"rank{r}.json").read_text()) for r in range(2)]


def test_rank_and_global_zero(ranks):
    assert [r["rank"] for r in ranks] == [0, 1]
    assert [r["world_size"] for r in ranks] == [2, 2]
    assert [r["global_zero"] for r in ranks] == [True, False]


def test_reduce_for_sync_dist(ranks):
    for r in ranks:
        assert r["mean"] == 1.5
        assert r["sum"] == [3.0, 20.0]
        assert r["max"] == 1.0
        assert r["all_true"] is False and r["any_true"] is True
        assert r["broadcast"] == "path-from-1"
        assert r["gathered"] == [[0.0], [1.0]]


def test_dataloaders_are_split_between_ranks(ranks):
    train = [r["train_indices"] for r in ranks]
    assert len(train[0]) == len(train[1]) == 5
    assert sorted(train[0] + train[1]) == list(range(10))
    assert [r["eval_indices"] for r in ranks] == [[0, 2, 4, 6, 8], [1, 3, 5, 7, 9]]


def test_module_gradients_synchronised_except_when_blocked(ranks):
    # d(w * x + b)/dw = x, with x = rank + 1
    assert [r["local_grad"] for r in ranks] == [1.0, 2.0]
    assert [r["synced_grad"] for r in ranks] == [1.5, 1.5]
    assert ranks[0]["weight"] == ranks[1]["weight"]


def test_without_process_group_is_one_process():
    s = DDPStrategy()
    assert (s.global_rank, s.world_size, s.is_global_zero) == (0, 1, True)
    assert s.reduce(2.5) == 2.5 and s.reduce(ember.tensor(4.0), reduce_op="sum").item() == 4.0
    assert s.reduce_boolean_decision(False) is False
    assert s.broadcast({"a": 1}) == {"a": 1}
    assert s.all_gather(ember.tensor([1.0])).tolist() == [[1.0]]
    with pytest.raises(ValueError, match="reduce_op must be one of"):
        s.reduce(1.0, reduce_op="median")


def test_process_dataloader_keeps_loader_settings_and_skips_custom_samplers():
    s = DDPStrategy()
    data = TensorDataset(ember.arange(6).float())
    loader = DataLoader(data, batch_size=4, drop_last=True)
    out = s.process_dataloader(loader)
    assert out is not loader and out.batch_size == 4 and out.drop_last
    assert type(out.sampler).__name__ == "DistributedSampler" and not out.sampler.shuffle
    assert s.process_dataloader(DataLoader(data, shuffle=True)).sampler.shuffle
    custom = DataLoader(data, sampler=[5, 4, 3])
    assert s.process_dataloader(custom) is custom
    assert s.process_dataloader([1, 2]) == [1, 2]
