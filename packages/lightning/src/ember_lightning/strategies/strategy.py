"""``Strategy``: what the trainer asks about processes, for one process.

The trainer goes through its strategy object for everything that differs between one
process and several (``SingleDeviceStrategy`` by default, ``DDPStrategy`` with
``strategy="ddp"``), so the loops have one code path:

- where this process stands: ``global_rank``, ``local_rank``, ``node_rank``, ``world_size``,
  ``is_global_zero`` (progress bars, loggers and checkpoint files on rank 0 only);
- the run's start and end: ``setup_environment()``, ``setup_module(module)``, ``teardown()``;
- the training step: ``training_step(*args)``, ``pre_backward(loss)`` and
  ``block_backward_sync()`` (accumulation);
- the data: ``process_dataloader(loader)``;
- agreement between ranks: ``reduce``, ``reduce_boolean_decision``, ``broadcast``,
  ``barrier``, ``all_gather``.

In one process every one of these is the identity or does nothing.
"""

from __future__ import annotations

import contextlib
from typing import Any

__all__ = ["Strategy", "REDUCE_OPS"]

REDUCE_OPS = ("mean", "avg", "sum", "max", "min")


def check_reduce_op(owner: str, reduce_op: str | None) -> str:
    """``reduce_op`` as one of "mean", "sum", "max", "min" (None and "avg" mean "mean")."""
    name = "mean" if reduce_op is None else str(reduce_op).lower()
    if name not in REDUCE_OPS:
        raise ValueError(
            f"{owner}.reduce: reduce_op must be one of {list(REDUCE_OPS)}, got {reduce_op!r}"
        )
    return "mean" if name == "avg" else name


class Strategy:
    """Base class of the trainer's strategies; as it stands, training in one process.

    Attributes:
        model: the module the training forward runs through (set by ``setup_module``; for
            DDP the ``DistributedDataParallel`` wrapper).
        root_device: the device of this process (set by the trainer).

    Example:
        >>> from ember_lightning.strategies import SingleDeviceStrategy
        >>> s = SingleDeviceStrategy()
        >>> s.world_size, s.is_global_zero, s.reduce(2.5), s.broadcast("path")
        (1, True, 2.5, 'path')
    """

    strategy_name = "strategy"

    def __init__(self) -> None:
        self.model = None
        self.root_device = None

    # -- where this process stands ------------------------------------------------------------
    @property
    def global_rank(self) -> int:
        return 0

    @property
    def local_rank(self) -> int:
        return 0

    @property
    def node_rank(self) -> int:
        return 0

    @property
    def world_size(self) -> int:
        return 1

    @property
    def is_global_zero(self) -> bool:
        """True on the rank that draws progress bars, logs and writes checkpoints."""
        return self.global_rank == 0

    # -- lifecycle ------------------------------------------------------------------------------
    def setup_environment(self) -> None:
        """Prepare the processes (one process: nothing to do)."""

    def setup_module(self, module):
        """The module the training forward goes through (one process: ``module`` itself)."""
        self.model = module
        return module

    @property
    def lightning_module(self):
        """The LightningModule whose hooks the trainer calls."""
        return self.model

    def teardown(self) -> None:
        """Release what ``setup_module`` made (at the end of fit)."""
        self.model = None

    # -- training step ----------------------------------------------------------------------------
    def training_step(self, *args: Any, **kwargs: Any) -> Any:
        """Run ``lightning_module.training_step``."""
        return self.lightning_module.training_step(*args, **kwargs)

    def pre_backward(self, loss) -> None:
        """Called right before the backward of ``loss`` (one process: nothing to do)."""

    def block_backward_sync(self):
        """A context in which backward keeps gradients local (one process: no effect)."""
        return contextlib.nullcontext()

    # -- data -------------------------------------------------------------------------------------
    def process_dataloader(self, loader):
        """The dataloader this process iterates (one process: ``loader``)."""
        return loader

    # -- agreement between ranks ------------------------------------------------------------------
    def reduce(self, value, group=None, reduce_op: str | None = "mean"):
        """``value`` combined over ranks with ``reduce_op`` ("mean", "sum", "max", "min");
        one process: ``value`` itself."""
        check_reduce_op(type(self).__name__, reduce_op)
        return value

    def reduce_boolean_decision(self, decision: bool, all: bool = True) -> bool:
        """True when every rank (``all=True``) or any rank decided True."""
        return bool(decision)

    def broadcast(self, obj, src: int = 0):
        """Rank ``src``'s ``obj`` on every rank."""
        return obj

    def barrier(self, name: str | None = None) -> None:
        """Wait until every rank reaches this point."""

    def all_gather(self, tensor):
        """Every rank's ``tensor``, stacked along a new dim 0."""
        return tensor.unsqueeze(0)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
