"""Where the trainer's dataloaders come from, how many batches it takes from each, and how a
batch reaches the device.

Dataloaders come from, in this order: the ``*_dataloaders`` arguments of fit / validate /
test / predict, the datamodule's ``*_dataloader`` methods, the LightningModule's. The
``limit_*_batches`` settings cut them: an int is a number of batches, a float a fraction.
Each loader passes through ``strategy.process_dataloader`` (under DDP, a
``DistributedSampler`` gives each rank its share; the fit loop calls its ``set_epoch``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from ..core.hooks import DataHooks
from ..utilities.exceptions import MisconfigurationException
from .call import call_module, is_overridden

__all__ = ["DataConnector", "check_limit", "num_batches"]


def _argument(fn: str, stage: str) -> str:
    """The name of the dataloader argument of ``Trainer.<fn>`` for ``stage``."""
    if fn == "fit":
        return "train_dataloaders" if stage == "train" else "val_dataloaders"
    return "dataloaders"


def check_limit(value: Any, name: str) -> int | float:
    """Check a ``limit_*_batches`` / ``overfit_batches`` value: an int >= 0 or a float in [0, 1]."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MisconfigurationException(
            f"Trainer({name}={value!r}): expected an int >= 0 (a number of batches) or a float "
            "in [0.0, 1.0] (a fraction of the batches)"
        )
    if isinstance(value, int):
        if value < 0:
            raise MisconfigurationException(f"Trainer({name}={value}): must be >= 0")
        return value
    if not 0.0 <= value <= 1.0:
        raise MisconfigurationException(
            f"Trainer({name}={value}): a float must be in the range [0.0, 1.0] (a fraction of "
            "the batches); pass an int for a number of batches"
        )
    return value


def _length(loader: Any) -> float:
    try:
        return len(loader)
    except TypeError:  # an iterable without a length (e.g. an IterableDataset of unknown size)
        return math.inf


def num_batches(loader: Any, limit: int | float, stage: str) -> float:
    """The number of batches taken from ``loader`` under ``limit`` (inf for an unsized one)."""
    n = _length(loader)
    if isinstance(limit, int):
        return min(n, limit)
    if n == math.inf:
        if limit in (0.0, 1.0):
            return n if limit == 1.0 else 0
        raise MisconfigurationException(
            f"limit_{stage}_batches={limit}: a fraction needs a dataloader with a length; this "
            f"{stage} dataloader has none, so pass an int number of batches"
        )
    k = int(n * limit)
    if k == 0 and limit > 0 and n > 0:
        raise MisconfigurationException(
            f"You requested to check {limit} of the `{stage}_dataloader` but {limit} * {n} < 1. "
            f"Please increase the `limit_{stage}_batches` argument. Try at least "
            f"`limit_{stage}_batches={1 / n}`"
        )
    return k


def _check_loader(obj: Any, fn: str, stage: str) -> None:
    from ember import Tensor
    from ember.utils.data import DataLoader, Dataset

    if isinstance(obj, DataLoader):
        return
    bad = isinstance(obj, (Dataset, Tensor, str, bytes, Mapping)) or not hasattr(obj, "__iter__")
    if bad:
        hint = (
            "; wrap the dataset: DataLoader(dataset, batch_size=...)"
            if isinstance(obj, Dataset)
            else ""
        )
        raise TypeError(
            f"An invalid dataloader was passed to `Trainer.{fn}({_argument(fn, stage)}=...)`: got "
            f"{type(obj).__name__}; expected an ember.utils.data.DataLoader (or another "
            f"iterable of batches){hint}"
        )


class DataConnector:
    """Finds and measures the dataloaders of one trainer."""

    def __init__(self, trainer) -> None:
        self.trainer = trainer
        self._explicit: dict[str, Any] = {}
        self._fn = "fit"

    def attach(self, fn: str, **loaders: Any) -> None:
        """Remember the dataloaders passed to fit / validate / test / predict."""
        self._fn = fn
        self._explicit = {stage: value for stage, value in loaders.items() if value is not None}

    def has_source(self, stage: str) -> bool:
        """Whether a ``stage`` dataloader was passed or a ``*_dataloader`` method exists."""
        if stage in self._explicit:
            return True
        name = f"{stage}_dataloader"
        return is_overridden(name, self.trainer.datamodule, DataHooks) or is_overridden(
            name, self.trainer.lightning_module, DataHooks
        )

    def request(self, stage: str) -> list:
        """The ``stage`` dataloaders as a list (calls the ``*_dataloader`` hook if needed)."""
        trainer = self.trainer
        name = f"{stage}_dataloader"
        if stage in self._explicit:
            source = self._explicit[stage]
        elif is_overridden(name, trainer.datamodule, DataHooks):
            source = getattr(trainer.datamodule, name)()
        elif is_overridden(name, trainer.lightning_module, DataHooks):
            source = call_module(trainer, name)
        else:
            raise MisconfigurationException(
                f"No `{name}()` method defined to run `Trainer.{self._fn}`: pass "
                f"`{_argument(self._fn, stage)}=` to `Trainer.{self._fn}`, or define `{name}` in "
                "the LightningModule or the datamodule"
            )
        if stage != "train" and isinstance(source, (list, tuple)):
            loaders = list(source)
        else:
            loaders = [source]
        if stage == "train" and isinstance(source, (list, tuple)):
            raise TypeError(
                f"`Trainer.{self._fn}` takes one training dataloader, got a "
                f"{type(source).__name__} of {len(source)}"
            )
        for loader in loaders:
            _check_loader(loader, self._fn, stage)
        # DDP: each rank gets its share of the data (a DistributedSampler)
        return [trainer.strategy.process_dataloader(loader) for loader in loaders]

    def transfer_batch(self, batch: Any, dataloader_idx: int) -> Any:
        """Run the batch-transfer hooks and the precision's input conversion."""
        trainer = self.trainer
        batch = call_module(trainer, "on_before_batch_transfer", batch, dataloader_idx)
        batch = call_module(
            trainer, "transfer_batch_to_device", batch, trainer.root_device, dataloader_idx
        )
        batch = call_module(trainer, "on_after_batch_transfer", batch, dataloader_idx)
        return trainer.precision_plugin.convert_input(batch)


def sequential_loader(loader: Any) -> Any:
    """``loader`` without shuffling (for ``overfit_batches``): an ember DataLoader with a
    ``RandomSampler`` is rebuilt with a ``SequentialSampler``; other loaders are returned."""
    from ember.utils.data import DataLoader, RandomSampler, SequentialSampler

    if not isinstance(loader, DataLoader) or not isinstance(loader.sampler, RandomSampler):
        return loader
    return DataLoader(
        loader.dataset,
        batch_size=loader.batch_size,
        sampler=SequentialSampler(loader.dataset),
        num_workers=loader.num_workers,
        collate_fn=loader.collate_fn,
        drop_last=loader.drop_last,
        worker_init_fn=loader.worker_init_fn,
    )


def sampler_generator(loader: Any):
    """The ``ember.Generator`` that shuffles ``loader`` (None if it has none of its own)."""
    generator = getattr(loader, "generator", None)
    if generator is not None:
        return generator
    for sampler in (
        getattr(loader, "sampler", None),
        getattr(getattr(loader, "batch_sampler", None), "sampler", None),
    ):
        generator = getattr(sampler, "generator", None)
        if generator is not None:
            return generator
    return None
