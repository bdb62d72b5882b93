"""``LightningModule``: an ``ember.nn.Module`` that also holds its training recipe.

The module says *what* to compute (``training_step``, ``validation_step``,
``configure_optimizers``, ...); the :class:`~ember_lightning.Trainer` decides *when*: it runs
the loops, moves batches to the device, steps the optimizers, logs and checkpoints.
"""

from __future__ import annotations

import copy
import inspect
import warnings
from collections.abc import Mapping
from typing import Any

from ember import nn

from ..utilities.exceptions import MisconfigurationException
from ..utilities.parsing import AttributeDict, collect_init_args
from .hooks import CheckpointHooks, DataHooks, ModelHooks
from .logging import log_value, reduce_fx_name
from .saving import load_from_checkpoint

__all__ = ["LightningModule"]


class LightningModule(nn.Module, ModelHooks, DataHooks, CheckpointHooks):
    """Base class of models trained by the :class:`~ember_lightning.Trainer`.

    Override ``training_step`` and ``configure_optimizers`` (and, as needed,
    ``validation_step``, ``test_step``, ``predict_step``, the ``*_dataloader`` methods and the
    hooks). Inside the steps, ``self.log(name, value)`` records metrics for the progress bar,
    the loggers and the callbacks.

    Attributes:
        automatic_optimization: True (default) lets the trainer run backward and the optimizer
            step on the loss ``training_step`` returns; False hands them to ``training_step``
            (use ``self.optimizers()``, ``self.manual_backward(loss)``, ``opt.step()``).
        hparams: the hyperparameters recorded by :meth:`save_hyperparameters`.

    Example:
        >>> import ember
        >>> from ember import nn
        >>> class Regressor(LightningModule):
        ...     def __init__(self, lr=0.1):
        ...         super().__init__()
        ...         self.save_hyperparameters()
        ...         self.layer = nn.Linear(3, 1)
        ...     def training_step(self, batch, batch_idx):
        ...         x, y = batch
        ...         loss = nn.functional.mse_loss(self.layer(x), y)
        ...         self.log("train_loss", loss)
        ...         return loss
        ...     def configure_optimizers(self):
        ...         return ember.optim.SGD(self.parameters(), lr=self.hparams.lr)
        >>> Regressor(lr=0.5).hparams.lr
        0.5
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._trainer = None
        self._automatic_optimization = True
        self._current_fx_name: str | None = None
        self._current_dataloader_idx: int | None = None
        self._example_input_array = None
        self._toggled_requires_grad: dict | None = None

    # -- pickling and copies drop the trainer (it holds loaders, loggers, callbacks) ------------
    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_trainer"] = None
        return state

    # -- properties ---------------------------------------------------------------------------
    @property
    def trainer(self):
        """The Trainer running this module (RuntimeError when there is none)."""
        if self._trainer is None:
            raise RuntimeError(f"{type(self).__qualname__} is not attached to a `Trainer`.")
        return self._trainer

    @trainer.setter
    def trainer(self, trainer) -> None:
        self._trainer = trainer

    @property
    def automatic_optimization(self) -> bool:
        """Whether the trainer runs backward and the optimizer steps (see the class doc)."""
        return self._automatic_optimization

    @automatic_optimization.setter
    def automatic_optimization(self, value: bool) -> None:
        self._automatic_optimization = bool(value)

    @property
    def device(self):
        """The device of the module's first parameter or buffer (CPU when it has none)."""
        import ember

        for tensor in self.parameters():
            return tensor.device
        for tensor in self.buffers():
            return tensor.device
        return ember.device("cpu")

    @property
    def dtype(self):
        """The dtype of the module's first floating-point parameter (else the default)."""
        import ember

        for p in self.parameters():
            if p.is_floating_point():
                return p.dtype
        return ember.get_default_dtype()

    @property
    def on_gpu(self) -> bool:
        """Whether the module's parameters are on a GPU."""
        return self.device.type == "cuda"

    @property
    def current_epoch(self) -> int:
        """The trainer's current epoch (0 without a trainer)."""
        return self._trainer.current_epoch if self._trainer is not None else 0

    @property
    def global_step(self) -> int:
        """The number of optimizer steps taken so far (0 without a trainer)."""
        return self._trainer.global_step if self._trainer is not None else 0

    @property
    def global_rank(self) -> int:
        """This process's rank among all the processes of the job (0 without a trainer)."""
        return self._trainer.global_rank if self._trainer is not None else 0

    @property
    def local_rank(self) -> int:
        """This process's rank on its machine (0 without a trainer)."""
        return self._trainer.local_rank if self._trainer is not None else 0

    @property
    def logger(self):
        """The trainer's first logger, or None."""
        return self._trainer.logger if self._trainer is not None else None

    @property
    def loggers(self) -> list:
        """The trainer's loggers ([] without a trainer)."""
        return self._trainer.loggers if self._trainer is not None else []

    @property
    def example_input_array(self):
        """An example input for ``forward`` (shown by the model summary)."""
        return self._example_input_array

    @example_input_array.setter
    def example_input_array(self, value) -> None:
        self._example_input_array = value

    # -- the recipe: override these -------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Same as ``ember.nn.Module.forward``: what ``module(x)`` computes."""
        return super().forward(*args, **kwargs)

    def training_step(self, *args: Any, **kwargs: Any) -> Any:
        """Compute and return the training loss (a scalar Tensor, or a dict with ``"loss"``)."""
        raise MisconfigurationException(
            f"`training_step` must be implemented in {type(self).__name__} to be used with the "
            "Trainer"
        )

    def validation_step(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate one validation batch (log metrics with ``self.log``)."""
        raise MisconfigurationException(
            f"`validation_step` must be implemented in {type(self).__name__} to validate"
        )

    def test_step(self, *args: Any, **kwargs: Any) -> Any:
        """Evaluate one test batch (log metrics with ``self.log``)."""
        raise MisconfigurationException(
            f"`test_step` must be implemented in {type(self).__name__} to test"
        )

    def predict_step(self, batch: Any, batch_idx: int, dataloader_idx: int = 0) -> Any:
        """Return the prediction for one batch; by default ``self(batch)``."""
        return self(batch)

    def configure_optimizers(self) -> Any:
        """Return the optimizer(s) and learning-rate scheduler(s).

        One of: an optimizer; a list of optimizers; ``([optimizers], [schedulers])``; a dict
        ``{"optimizer": opt, "lr_scheduler": scheduler_or_config, "monitor": key}``; a list of
        such dicts. A scheduler config is a dict with ``"scheduler"`` and optionally
        ``"interval"`` ("epoch" or "step"), ``"frequency"``, ``"monitor"``, ``"strict"``,
        ``"name"``.
        """
        raise MisconfigurationException(
            f"`configure_optimizers` must be implemented in {type(self).__name__} to be used "
            "with the Trainer"
        )

    def configure_callbacks(self) -> list:
        """Callbacks this model needs; they replace the Trainer's callbacks of the same type."""
        return []

    # -- logging -------------------------------------------------------------------------------
    def log(
        self,
        name: str,
        value: Any,
        prog_bar: bool = False,
        logger: bool | None = None,
        on_step: bool | None = None,
        on_epoch: bool | None = None,
        reduce_fx: Any = "mean",
        enable_graph: bool = False,
        sync_dist: bool = False,
        sync_dist_group: Any = None,
        add_dataloader_idx: bool = True,
        batch_size: int | None = None,
        metric_attribute: str | None = None,
        rank_zero_only: bool = False,
    ) -> None:
        """Record a scalar metric.

        Args:
            name: the key; with both ``on_step`` and ``on_epoch`` it is logged as
                ``{name}_step`` and ``{name}_epoch`` (callbacks also see ``name``).
            value: a Python number or a one-element Tensor.
            prog_bar: show it in the progress bar.
            logger: send it to the loggers (default True).
            on_step: record the value of each step (default: True in ``training_step`` and
                the training batch hooks, False elsewhere).
            on_epoch: reduce the values over the epoch (default: the opposite of on_step's
                default).
            reduce_fx: the epoch reduction: "mean" (weighted by ``batch_size``), "sum",
                "max" or "min" (or ``ember.mean``/``sum``/``max``/``min``).
            batch_size: the weight in the epoch mean (default: the size of the batch's first
                dimension).
            add_dataloader_idx: with several dataloaders, suffix ``/dataloader_idx_{i}``.
            sync_dist: with several processes (``strategy="ddp"``), combine the value across
                ranks when it is logged, with ``reduce_fx`` (the mean by default), so that every
                rank (and so the loggers, the progress bar and the callbacks) sees the same
                value. Every rank must then log it (it is a collective operation).
            sync_dist_group: the process group to combine over (default: all ranks).
            enable_graph, metric_attribute, rank_zero_only: accepted for Lightning's signature.
        """
        log_value(
            self,
            name,
            value,
            prog_bar=prog_bar,
            logger=logger,
            on_step=on_step,
            on_epoch=on_epoch,
            reduce_fx=reduce_fx_name(reduce_fx, name),
            add_dataloader_idx=add_dataloader_idx,
            batch_size=batch_size,
            sync_dist=sync_dist,
            sync_dist_group=sync_dist_group,
        )

    def log_dict(
        self,
        dictionary: Mapping[str, Any],
        prog_bar: bool = False,
        logger: bool | None = None,
        on_step: bool | None = None,
        on_epoch: bool | None = None,
        reduce_fx: Any = "mean",
        enable_graph: bool = False,
        sync_dist: bool = False,
        sync_dist_group: Any = None,
        add_dataloader_idx: bool = True,
        batch_size: int | None = None,
        rank_zero_only: bool = False,
    ) -> None:
        """Call :meth:`log` for each ``name: value`` of ``dictionary`` with the same options."""
        for name, value in dictionary.items():
            self.log(
                name,
                value,
                prog_bar=prog_bar,
                logger=logger,
                on_step=on_step,
                on_epoch=on_epoch,
                reduce_fx=reduce_fx,
                sync_dist=sync_dist,
                sync_dist_group=sync_dist_group,
                add_dataloader_idx=add_dataloader_idx,
                batch_size=batch_size,
            )

    # -- hyperparameters -------------------------------------------------------------------------
    def save_hyperparameters(
        self, *args: Any, ignore: str | list[str] | None = None, frame=None, logger: bool = True
    ) -> None:
        """Record the arguments of ``__init__`` in ``self.hparams`` (and in checkpoints).

        Args:
            *args: none: all ``__init__`` arguments; names (str): those arguments only; a dict
                or ``argparse.Namespace``: these values.
            ignore: argument names to leave out.
            frame: the frame to read the arguments from (default: the caller's).
            logger: send them to the loggers at the start of fit.
        """
        if frame is None:
            frame = inspect.currentframe().f_back
        init_args = collect_init_args(frame, self)
        if not args:
            hparams = dict(init_args)
            self._hparams_name = "kwargs" if hparams else None
        else:
            hparams = {}
            for arg in args:
                if isinstance(arg, str):
                    if arg not in init_args:
                        raise ValueError(
                            f"save_hyperparameters(): {arg!r} is not an argument of "
                            f"{type(self).__name__}.__init__ (its arguments: {list(init_args)})"
                        )
                    hparams[arg] = init_args[arg]
                elif isinstance(arg, Mapping):
                    hparams.update(arg)
                elif hasattr(arg, "__dict__"):  # argparse.Namespace and the like
                    hparams.update(vars(arg))
                else:
                    raise TypeError(
                        "save_hyperparameters(): expected argument names, a dict or a Namespace, "
                        f"got {type(arg).__name__}"
                    )
            self._hparams_name = "kwargs" if all(isinstance(a, str) for a in args) else None
        if ignore is not None:
            for name in [ignore] if isinstance(ignore, str) else ignore:
                hparams.pop(name, None)
        self._log_hyperparams = logger
        self._hparams = AttributeDict(hparams)
        try:
            self._hparams_initial = copy.deepcopy(self._hparams)
        except Exception:  # values that cannot be copied are shared
            self._hparams_initial = AttributeDict(self._hparams)

    @property
    def hparams(self) -> AttributeDict:
        """The hyperparameters saved by :meth:`save_hyperparameters` (an ``AttributeDict``)."""
        if "_hparams" not in self.__dict__:
            self._hparams = AttributeDict()
        return self._hparams

    @property
    def hparams_initial(self) -> AttributeDict:
        """A copy of the hyperparameters as saved (later edits of ``hparams`` don't show)."""
        return AttributeDict(self.__dict__.get("_hparams_initial", {}))

    load_from_checkpoint = classmethod(load_from_checkpoint)

    # -- optimisation helpers --------------------------------------------------------------------
    def optimizers(self, use_pl_optimizer: bool = True):
        """The optimizer (or the list of them) from ``configure_optimizers``.

        Args:
            use_pl_optimizer: wrap them in ``LightningOptimizer``, whose ``step`` runs the
                hooks and counts ``global_step`` (default True).
        """
        opts = self.trainer._lightning_optimizers if use_pl_optimizer else self.trainer.optimizers
        return opts[0] if len(opts) == 1 else list(opts)

    def lr_schedulers(self):
        """The scheduler (or the list of them) from ``configure_optimizers``; None if none."""
        schedulers = [config.scheduler for config in self.trainer.lr_scheduler_configs]
        if not schedulers:
            return None
        return schedulers[0] if len(schedulers) == 1 else schedulers

    def manual_backward(self, loss, *args: Any, **kwargs: Any) -> None:
        """Run backward on ``loss`` in manual optimisation, with the backward hooks and the
        precision's loss scaling. Use it instead of ``loss.backward()``."""
        if self.automatic_optimization:
            raise MisconfigurationException(
                "`manual_backward` can only be used with `automatic_optimization = False`; with "
                "automatic optimisation, return the loss from `training_step`"
            )
        self.trainer._optimization.backward(loss, *args, **kwargs)

    def backward(self, loss, *args: Any, **kwargs: Any) -> None:
        """Compute the gradients of ``loss`` (override for a custom backward)."""
        loss.backward(*args, **kwargs)

    def toggle_optimizer(self, optimizer) -> None:
        """Let only ``optimizer``'s parameters require gradients (for several optimizers,
        e.g. GANs); :meth:`untoggle_optimizer` restores the previous state."""
        optimizer = getattr(optimizer, "optimizer", optimizer)
        own = {id(p) for group in optimizer.param_groups for p in group["params"]}
        self._toggled_requires_grad = {}
        for opt in self.trainer.optimizers:
            for group in opt.param_groups:
                for p in group["params"]:
                    self._toggled_requires_grad[id(p)] = (p, p.requires_grad)
                    if id(p) not in own:
                        p.requires_grad_(False)

    def untoggle_optimizer(self, optimizer) -> None:
        """Restore the ``requires_grad`` flags changed by :meth:`toggle_optimizer`."""
        for p, flag in (self._toggled_requires_grad or {}).values():
            p.requires_grad_(flag)
        self._toggled_requires_grad = None

    def clip_gradients(
        self,
        optimizer,
        gradient_clip_val: float | None = None,
        gradient_clip_algorithm: str | None = None,
    ) -> None:
        """Clip the gradients of ``optimizer``'s parameters: by total norm ("norm", default) or
        by value ("value"); nothing when ``gradient_clip_val`` is None or 0."""
        from ..trainer.precision import clip_gradients

        clip_gradients(optimizer, gradient_clip_val, gradient_clip_algorithm)

    def configure_gradient_clipping(
        self,
        optimizer,
        gradient_clip_val: float | None = None,
        gradient_clip_algorithm: str | None = None,
    ) -> None:
        """Called before each optimizer step with the Trainer's clipping settings; override
        for custom clipping."""
        self.clip_gradients(optimizer, gradient_clip_val, gradient_clip_algorithm)

    def optimizer_step(self, epoch: int, batch_idx: int, optimizer, optimizer_closure=None):
        """Step ``optimizer``; ``optimizer_closure`` runs training_step, zero_grad and backward
        (it must be called, as ``optimizer.step(closure=optimizer_closure)`` does)."""
        optimizer.step(closure=optimizer_closure)

    def optimizer_zero_grad(self, epoch: int, batch_idx: int, optimizer) -> None:
        """Clear the gradients of ``optimizer`` before the backward of a new step."""
        optimizer.zero_grad()

    def lr_scheduler_step(self, scheduler, metric: Any) -> None:
        """Step ``scheduler`` (with ``metric`` for ``ReduceLROnPlateau``)."""
        if metric is None:
            scheduler.step()
        else:
            scheduler.step(metric)

    def freeze(self) -> None:
        """Turn off gradients of all parameters and switch to eval mode."""
        for p in self.parameters():
            p.requires_grad_(False)
        self.eval()

    def unfreeze(self) -> None:
        """Turn gradients back on for all parameters and switch to train mode."""
        for p in self.parameters():
            p.requires_grad_(True)
        self.train()

    def all_gather(self, data):
        """``data`` (a tensor of the same shape on every rank) from every rank, stacked along
        a new first dim of size ``world_size``; every rank must call it.

        Example:
            >>> import ember
            >>> tuple(LightningModule().all_gather(ember.tensor([1.0, 2.0])).shape)  # one process
            (1, 2)
        """
        if self._trainer is None:
            return data.unsqueeze(0)
        return self._trainer.strategy.all_gather(data)

    def print(self, *args: Any, **kwargs: Any) -> None:
        """``print`` once (in the main process)."""
        if self._trainer is None or self._trainer.is_global_zero:
            print(*args, **kwargs)

    def _warn_unattached_log(self, name: str) -> None:
        warnings.warn(
            f"self.log({name!r}, ...) was called but {type(self).__name__} is not attached to a "
            "Trainer; the value is dropped",
            stacklevel=3,
        )
