"""Run by test_strategy_ddp.py on 2 processes (``ember-run --nproc-per-node 2``): trains with
``Trainer(strategy="ddp")`` in a few set-ups and writes what each rank saw to
``rank<r>.json``. With the second argument ``fail``, rank 1 raises in ``training_step``.
"""

import json
import sys
from pathlib import Path

import ember
import ember_lightning as L
from ember import nn
from ember.distributed._env import detect_launch
from ember.utils.data import DataLoader, TensorDataset
from ember_lightning.callbacks import Callback, ModelCheckpoint
from ember_lightning.loggers import CSVLogger, Logger
from ember_lightning.strategies import DDPStrategy
from ember_lightning.utilities.exceptions import MisconfigurationException

OUT = Path(sys.argv[1])
MODE = sys.argv[2] if len(sys.argv) > 2 else "train"
N = 16
LR = 0.05


def dataset() -> TensorDataset:
    g = ember.Generator().manual_seed(0)
    x = ember.randn(N, 4, generator=g)
    y = x @ ember.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1
    return TensorDataset(x, y, ember.arange(N))


class Regressor(L.LightningModule):
    def __init__(self, fail_on_rank: int | None = None):
        super().__init__()
        self.layer = nn.Linear(4, 1)
        self.fail_on_rank = fail_on_rank
        self.seen: dict[int, list[int]] = {}

    def forward(self, x):
        return self.layer(x)

    def training_step(self, batch, batch_idx):
        x, y, idx = batch
        if self.fail_on_rank == self.global_rank and batch_idx == 1:
            raise ValueError(f"bad batch on rank {self.global_rank}")
        self.seen.setdefault(self.current_epoch, []).extend(idx.tolist())
        rank = float(self.global_rank)
        self.log("rank_mean", rank, sync_dist=True, on_step=True, on_epoch=True)
        self.log("rank_sum", rank + 1, sync_dist=True, reduce_fx="sum", on_epoch=True)
        self.log("rank_max", rank, sync_dist=True, reduce_fx="max")
        self.log("rank_local", rank)
        loss = nn.functional.mse_loss(self(x), y)
        self.log("train_loss", loss, sync_dist=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y, _ = batch
        self.log("val_loss", nn.functional.mse_loss(self(x), y), sync_dist=True)

    def configure_optimizers(self):
        return ember.optim.SGD(self.parameters(), lr=LR)


class ManualRegressor(Regressor):
    """The same training, with manual optimisation."""

    def __init__(self):
        super().__init__()
        self.automatic_optimization = False

    def training_step(self, batch, batch_idx):
        x, y, _ = batch
        optimizer = self.optimizers()
        optimizer.zero_grad()
        self.manual_backward(nn.functional.mse_loss(self(x), y))
        optimizer.step()


class RecordingLogger(Logger):
    def __init__(self):
        super().__init__()
        self.calls: dict[str, int] = {}

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    @property
    def name(self):
        return "recording"

    @property
    def version(self):
        return 0

    def log_metrics(self, metrics, step=None):
        self._count("log_metrics")

    def log_hyperparams(self, params, *args, **kwargs):
        self._count("log_hyperparams")

    def save(self):
        self._count("save")

    def finalize(self, status):
        self._count("finalize")


class QuickCSVLogger(CSVLogger):
    """metrics.csv without the curve plot at the end (matplotlib takes seconds to import)."""

    def finalize(self, status):
        self.save()


class CountReductions(Callback):
    """Reads the DDP wrapper's count of gradient all-reduces at the end of training."""

    def on_train_end(self, trainer, pl_module):
        self.reductions = trainer.strategy.model._get_ddp_logging_data()["num_reductions"]


def params(model) -> list[float]:
    return model.layer.weight.reshape(-1).tolist() + model.layer.bias.tolist()


def quiet(**kwargs):
    options = dict(enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
    options.update(kwargs)
    return L.Trainer(**options)


saves = []
real_save = ember.save


def counting_save(obj, f, *args, **kwargs):
    saves.append(str(f))
    return real_save(obj, f, *args, **kwargs)


ember.save = counting_save  # checkpoints are written through ember.save: count them per rank

rank = detect_launch().rank
record: dict = {"rank": rank}
ember.manual_seed(rank)  # different initial weights per rank: DDP starts from rank 0's

if MODE == "fail":
    trainer = quiet(strategy="ddp", devices=2, max_epochs=1, logger=False)
    trainer.fit(Regressor(fail_on_rank=1), DataLoader(dataset(), batch_size=2))
    raise SystemExit("not reached: rank 1 raised")

# 1. plain DDP: sequential data, loggers, checkpoints, sync_dist
ember.manual_seed(rank)
model = Regressor()
csv = QuickCSVLogger(OUT / "plain")
recorder = RecordingLogger()
checkpoint = ModelCheckpoint(monitor="val_loss", save_last=True)
trainer = quiet(
    strategy="ddp",
    devices=2,
    num_nodes=1,
    max_epochs=2,
    log_every_n_steps=1,
    default_root_dir=OUT / "plain",
    logger=[csv, recorder],
    callbacks=[checkpoint],
)
trainer.fit(model, DataLoader(dataset(), batch_size=4), DataLoader(dataset(), batch_size=4))
record["plain"] = {
    "strategy": type(trainer.strategy).__name__,
    "world_size": trainer.world_size,
    "global_rank": trainer.global_rank,
    "is_global_zero": trainer.is_global_zero,
    "num_devices": trainer.num_devices,
    "params": params(model),
    "seen": model.seen,
    "callback_metrics": {k: float(v) for k, v in trainer.callback_metrics.items()},
    "logger_calls": recorder.calls,
    "saves": list(saves),
    "best_model_path": checkpoint.best_model_path,
    "last_model_path": checkpoint.last_model_path,
    "log_dir": trainer.log_dir,
    "gathered": model.all_gather(ember.tensor([float(rank)])).tolist(),
}
results = trainer.validate(model, DataLoader(dataset(), batch_size=4), verbose=False)
record["plain"]["validate"] = results[0]["val_loss"]

# 2. gradient accumulation (a DDPStrategy instance): 2 micro-batches of 2 per rank and step
ember.manual_seed(rank)
model = Regressor()
counter = CountReductions()
trainer = quiet(
    strategy=DDPStrategy(),
    devices="auto",
    max_epochs=2,
    accumulate_grad_batches=2,
    logger=False,
    enable_checkpointing=False,
    callbacks=[counter],
)
trainer.fit(model, DataLoader(dataset(), batch_size=2))
record["accumulate"] = {
    "params": params(model),
    "reductions": counter.reductions,
    "global_step": trainer.global_step,
}

# 3. manual optimisation: manual_backward averages the gradients too
ember.manual_seed(rank)
model = ManualRegressor()
trainer = quiet(strategy="ddp", devices=2, max_epochs=2, logger=False, enable_checkpointing=False)
trainer.fit(model, DataLoader(dataset(), batch_size=4))
record["manual"] = {"params": params(model)}

# 4. shuffled data: the seed and the epoch decide the order, each rank gets half
L.seed_everything(7, verbose=False)
model = Regressor()
trainer = quiet(strategy="auto", max_epochs=2, logger=False, enable_checkpointing=False)
trainer.fit(model, DataLoader(dataset(), batch_size=4, shuffle=True))
record["shuffle"] = {"strategy": type(trainer.strategy).__name__, "seen": model.seen}

# 5. a world size that does not match devices * num_nodes
try:
    quiet(strategy="ddp", devices=3)
except MisconfigurationException as exc:
    record["mismatch"] = str(exc)

(OUT / f"rank{rank}.json").write_text(json.dumps(record))
