"""DDPStrategy and the trainer's ``strategy="ddp"``: the strategy's pieces, then whole
trainings on 2 processes (one ``ember-run`` job with several set-ups, one failing job),
compared with one process training on the whole data; and how the trainer picks its
strategy."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import ember
import ember_lightning as L
from ember import nn
from ember.utils.data import DataLoader, TensorDataset
from ember_lightning.strategies import DDPStrategy, SingleDeviceStrategy, Strategy
from ember_lightning.utilities.exceptions import MisconfigurationException

STRATEGY_WORKER = Path(__file__).parent / "ddp_strategy_worker.py"
TRAINER_WORKER = Path(__file__).parent / "ddp_trainer_worker.py"


def _mpiexec() -> str:
    if importlib.util.find_spec("mpi4py") is None:
        pytest.skip("mpi4py is not installed (install ember[distributed])")
    beside = Path(sys.executable).parent / "mpiexec"
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.skip("no mpiexec beside the Python interpreter or on PATH")
    return found


def _launch(cmd: list[str], timeout: float = 90) -> subprocess.CompletedProcess:
    """Run a 2-process job; a job still running after ``timeout`` fails the test."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "PL_GLOBAL_SEED"):
        env.pop(name, None)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.terminate()  # mpiexec forwards SIGTERM to the ranks
        out, err = proc.communicate(timeout=10)
        raise AssertionError(f"the job did not end within {timeout} s\n{err[-3000:]}") from None
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    mpiexec = _mpiexec()
    out = tmp_path_factory.mktemp("ddp_strategy")
    cmd = [mpiexec, "--oversubscribe", "-n", "2", sys.executable, str(STRATEGY_WORKER), str(out)]
    proc = _launch(cmd)
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


def test_teardown_unwraps_and_keeps_the_process_group(ranks):
    for r in ranks:
        assert r["unwrapped"] and r["group_kept"]
    # without the wrapper's hooks a backward leaves each rank's own gradient
    assert [r["grad_after_teardown"] for r in ranks] == [1.0, 2.0]


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


# -- the trainer with strategy="ddp", on 2 processes ---------------------------------------------
def _worker_data():
    """The worker's dataset: 16 samples, 4 features."""
    g = ember.Generator().manual_seed(0)
    x = ember.randn(16, 4, generator=g)
    return x, x @ ember.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1


def _one_process_reference():
    """Plain SGD in one process on the whole data, with the 2 ranks' global batch (8) and
    rank 0's initial weights; returns the final parameters and the final MSE on all data."""
    x, y = _worker_data()
    ember.manual_seed(0)
    layer = nn.Linear(4, 1)
    optimizer = ember.optim.SGD(layer.parameters(), lr=0.05)
    for _epoch in range(2):
        for start in (0, 8):
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(layer(x[start : start + 8]), y[start : start + 8])
            loss.backward()
            optimizer.step()
    with ember.no_grad():
        mse = nn.functional.mse_loss(layer(x), y).item()
    params = layer.weight.reshape(-1).tolist() + layer.bias.tolist()
    return params, mse


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    _mpiexec()
    out = tmp_path_factory.mktemp("ddp_trainer")
    cmd = [sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2"]
    proc = _launch(cmd + [str(TRAINER_WORKER), str(out)], timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return out, [json.loads((out / f"rank{r}.json").read_text()) for r in range(2)]


def test_trainer_ddp_ranks(trained):
    _, ranks = trained
    for rank, r in enumerate(ranks):
        plain = r["plain"]
        assert plain["strategy"] == "DDPStrategy"
        assert (plain["global_rank"], plain["world_size"], plain["num_devices"]) == (rank, 2, 2)
        assert plain["is_global_zero"] == (rank == 0)
        assert plain["gathered"] == [[0.0], [1.0]]  # LightningModule.all_gather
    # strategy="auto" under a launcher of 2 processes trains data-parallel
    assert [r["shuffle"]["strategy"] for r in ranks] == ["DDPStrategy", "DDPStrategy"]


def test_trainer_ddp_equals_one_process_on_the_whole_data(trained):
    _, ranks = trained
    expected, _ = _one_process_reference()
    for r in ranks:
        np.testing.assert_allclose(r["plain"]["params"], expected, rtol=0, atol=1e-6)


def test_trainer_ddp_manual_optimization_equals_one_process(trained):
    _, ranks = trained
    expected, _ = _one_process_reference()
    for r in ranks:
        np.testing.assert_allclose(r["manual"]["params"], expected, rtol=0, atol=1e-6)


def test_trainer_ddp_gradient_accumulation_equals_one_process(trained):
    _, ranks = trained
    expected, _ = _one_process_reference()
    for r in ranks:
        acc = r["accumulate"]
        np.testing.assert_allclose(acc["params"], expected, rtol=0, atol=1e-6)
        assert acc["global_step"] == 4
        # gradients averaged once per optimizer step (2 per epoch), not once per micro-batch
        assert acc["reductions"] == 4


def test_trainer_ddp_sampler_gives_each_rank_half_of_the_data(trained):
    _, ranks = trained
    for epoch in ("0", "1"):  # sequential loader: rank r takes samples r, r + 2, ...
        assert ranks[0]["plain"]["seen"][epoch] == list(range(0, 16, 2))
        assert ranks[1]["plain"]["seen"][epoch] == list(range(1, 16, 2))
    orders = []
    for epoch in ("0", "1"):  # shuffled loader: disjoint halves, a new order each epoch
        halves = [r["shuffle"]["seen"][epoch] for r in ranks]
        assert len(halves[0]) == len(halves[1]) == 8
        assert sorted(halves[0] + halves[1]) == list(range(16))
        assert halves[0] != sorted(halves[0])
        orders.append(halves[0])
    assert orders[0] != orders[1]


def test_trainer_ddp_sync_dist_reduces_logged_values(trained):
    _, ranks = trained
    _, reference_mse = _one_process_reference()
    metrics = [r["plain"]["callback_metrics"] for r in ranks]
    for m in metrics:
        assert m["rank_mean_step"] == m["rank_mean_epoch"] == 0.5  # mean of ranks 0 and 1
        assert m["rank_sum_step"] == 3.0  # (0 + 1) + (1 + 1)
        assert m["rank_sum_epoch"] == 6.0  # summed over the epoch's 2 steps
        assert m["rank_max"] == 1.0
    assert [m["rank_local"] for m in metrics] == [0.0, 1.0]  # no sync_dist: each rank's own
    assert metrics[0]["train_loss"] == metrics[1]["train_loss"]
    assert metrics[0]["val_loss"] == metrics[1]["val_loss"]
    # each rank validates half of the data; the synced epoch mean is the MSE over all of it
    for r in ranks:
        assert r["plain"]["validate"] == pytest.approx(reference_mse, rel=1e-5)
        assert r["plain"]["callback_metrics"]["val_loss"] == pytest.approx(reference_mse, rel=1e-5)


def test_trainer_ddp_only_rank_zero_logs_and_writes_checkpoints(trained):
    out, ranks = trained
    zero, one = ranks[0]["plain"], ranks[1]["plain"]
    assert set(zero["logger_calls"]) == {"log_hyperparams", "log_metrics", "save", "finalize"}
    assert one["logger_calls"] == {}
    assert one["saves"] == [] and len(zero["saves"]) == 4  # best and last, at each epoch end
    for key in ("best_model_path", "last_model_path", "log_dir"):
        assert zero[key] == one[key]
    logs = out / "plain" / "lightning_logs"
    assert sorted(p.name for p in logs.iterdir()) == ["version_0"]
    checkpoints = logs / "version_0" / "checkpoints"
    assert sorted(p.name for p in checkpoints.iterdir()) == ["epoch=1-step=4.ckpt", "last.ckpt"]
    assert zero["best_model_path"] == str(checkpoints / "epoch=1-step=4.ckpt")
    rows = (logs / "version_0" / "metrics.csv").read_text().splitlines()
    header = rows[0].split(",")
    column = header.index("rank_mean_step")
    values = [row.split(",")[column] for row in rows[1:] if row.split(",")[column]]
    assert values == ["0.5"] * 4  # one row per optimizer step, written once


def test_trainer_ddp_world_size_mismatch_says_how_to_launch(trained):
    _, ranks = trained
    for rank, r in enumerate(ranks):
        message = r["mismatch"]
        assert "devices=3, num_nodes=1) trains on 3 processes" in message
        assert f"the launcher started 2 (this process is rank {rank})" in message
        assert "ember-run --nproc-per-node 3 train.py" in message


def test_exception_on_one_rank_ends_the_job(tmp_path):
    mpiexec = _mpiexec()
    cmd = [mpiexec, "--oversubscribe", "-n", "2", sys.executable, str(TRAINER_WORKER)]
    start = time.monotonic()
    proc = _launch(cmd + [str(tmp_path), "fail"], timeout=60)
    elapsed = time.monotonic() - start
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "ValueError: bad batch on rank 1" in output
    assert "not reached" not in output
    assert elapsed < 30, f"the job took {elapsed:.1f} s to end"


# -- choosing the strategy (one process) ---------------------------------------------------------
@pytest.fixture
def no_launcher(monkeypatch):
    for name in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith(("OMPI_COMM_WORLD", "PMI_", "PMIX_")):
            monkeypatch.delenv(name)


def _trainer(**kwargs):
    options = dict(logger=False, enable_progress_bar=False, enable_model_summary=False)
    return L.Trainer(**options, **kwargs)


def test_unknown_strategy_lists_the_valid_ones():
    with pytest.raises(
        MisconfigurationException,
        match=r"strategy='fsdp'\): unknown strategy; expected one of "
        r"\['auto', 'ddp', 'single_device'\]",
    ):
        _trainer(strategy="fsdp")
    with pytest.raises(MisconfigurationException, match=r"or a Strategy instance, got dict"):
        _trainer(strategy={"name": "ddp"})


def test_several_processes_need_a_launcher(no_launcher):
    hint = r"ember-run --nproc-per-node 2 train.py` \(or `mpiexec -n 2 python train.py`\)"
    with pytest.raises(
        MisconfigurationException, match=r"trains on 2 processes, but the launcher started 1.*"
    ) as info:
        _trainer(strategy="ddp", devices=2, accelerator="cpu")
    assert "ember-run --nproc-per-node 2 train.py" in str(info.value)
    with pytest.raises(MisconfigurationException, match=hint):  # "auto" picks ddp
        _trainer(accelerator="cpu", devices=2)
    with pytest.raises(MisconfigurationException, match=r"--nnodes 2 --nproc-per-node 2"):
        _trainer(strategy="ddp", devices=2, num_nodes=2, accelerator="cpu")
    with pytest.raises(MisconfigurationException, match=r"needs strategy='ddp'"):
        _trainer(strategy="single_device", devices=2, accelerator="cpu")
    with pytest.raises(MisconfigurationException, match=r"num_nodes=0\): expected an int >= 1"):
        _trainer(num_nodes=0)
    with pytest.raises(MisconfigurationException, match=r"devices=0\): expected 'auto'"):
        _trainer(strategy="ddp", devices=0)


def test_ddp_devices_follow_the_launcher(monkeypatch, no_launcher):
    monkeypatch.setenv("RANK", "1")
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("LOCAL_RANK", "1")
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    given = DDPStrategy(find_unused_parameters=True)
    for strategy, devices in (("ddp", 2), ("ddp", "auto"), (given, "auto"), ("auto", "auto")):
        trainer = _trainer(strategy=strategy, devices=devices, accelerator="cpu")
        assert isinstance(trainer.strategy, DDPStrategy)
        assert trainer.root_device == ember.device("cpu")
    assert _trainer(strategy=given, accelerator="cpu").strategy is given
    # before the process group exists, the ranks come from the launcher's variables
    assert (trainer.global_rank, trainer.local_rank, trainer.world_size) == (1, 1, 2)
    assert not trainer.is_global_zero and trainer.num_devices == 2
    with pytest.raises(MisconfigurationException, match=r"launcher started 2 \(this .* rank 1\)"):
        _trainer(strategy="ddp", devices=1, accelerator="cpu")


def test_default_strategy_is_one_process(no_launcher):
    trainer = _trainer()
    assert isinstance(trainer.strategy, SingleDeviceStrategy)
    assert (trainer.global_rank, trainer.local_rank, trainer.node_rank) == (0, 0, 0)
    assert (trainer.world_size, trainer.num_nodes, trainer.num_devices) == (1, 1, 1)
    assert trainer.is_global_zero
    mine = SingleDeviceStrategy("cpu")
    assert _trainer(strategy=mine).strategy is mine
    assert repr(mine) == "SingleDeviceStrategy(device='cpu')"
    assert L.strategies.DDPStrategy is DDPStrategy and "strategies" in dir(L)


def test_import_does_not_load_mpi():
    code = (
        "import sys, ember_lightning as L\n"
        "L.Trainer(logger=False, strategy='single_device')\n"
        "L.strategies.DDPStrategy()\n"
        "assert 'mpi4py' not in sys.modules, 'mpi4py imported'\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


class _RecordingStrategy(SingleDeviceStrategy):
    """One process, with a log of what the trainer asks of its strategy."""

    def __init__(self):
        super().__init__()
        self.calls = []

    def setup_environment(self):
        self.calls.append("setup_environment")

    def setup_module(self, module):
        self.calls.append("setup_module")
        return super().setup_module(module)

    def process_dataloader(self, loader):
        self.calls.append("process_dataloader")
        return loader

    def training_step(self, *args):
        self.calls.append("training_step")
        return super().training_step(*args)

    def block_backward_sync(self):
        self.calls.append("block_backward_sync")
        return super().block_backward_sync()

    def reduce(self, value, group=None, reduce_op="mean"):
        self.calls.append(f"reduce:{reduce_op}")
        return super().reduce(value, group, reduce_op)

    def teardown(self):
        self.calls.append("teardown")
        super().teardown()


class _Logged(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.layer = nn.Linear(2, 1)

    def training_step(self, batch, batch_idx):
        (x,) = batch
        loss = self.layer(x).pow(2).mean()
        self.log("loss_sum", loss, sync_dist=True, reduce_fx="sum")
        self.log("loss_plain", loss)
        return loss

    def configure_optimizers(self):
        return ember.optim.SGD(self.parameters(), lr=0.1)


def test_one_process_fit_goes_through_the_strategy(tmp_path):
    strategy = _RecordingStrategy()
    trainer = _trainer(
        strategy=strategy,
        max_epochs=1,
        accumulate_grad_batches=2,
        enable_checkpointing=False,
        default_root_dir=tmp_path,
    )
    trainer.fit(_Logged(), DataLoader(TensorDataset(ember.randn(8, 2)), batch_size=2))
    step = ["training_step", "reduce:sum"]  # reduce: for the sync_dist value only
    assert strategy.calls == (
        ["setup_environment", "setup_module", "process_dataloader"]
        + (["block_backward_sync"] + step + step) * 2  # batches 0 and 2 only accumulate
        + ["teardown"]
    )
    assert strategy.model is None
    assert isinstance(strategy, Strategy)
