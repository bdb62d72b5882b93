"""One training step: automatic optimisation (the trainer runs backward and the optimizer) and
manual optimisation (``training_step`` does, through ``manual_backward`` and ``opt.step()``).

Automatic optimisation, for batch ``i``, calls in this order (as Lightning):

1. ``optimizer_step(epoch, i, optimizer, closure)`` (skipped while accumulating gradients,
   where the closure runs directly), whose ``optimizer.step(closure)`` runs the closure:
   ``training_step`` -> (first batch of an accumulation window) ``on_before_zero_grad``,
   ``optimizer_zero_grad`` -> ``on_before_backward``, ``backward``, ``on_after_backward``;
2. then ``on_before_optimizer_step`` and ``configure_gradient_clipping``;
3. then the update itself, and ``global_step`` grows by one.

The loss is divided by ``accumulate_grad_batches`` before backward, so accumulated gradients
are the mean over the window. ``training_step`` goes through the strategy
(``strategy.training_step``), and the batches that only accumulate run inside
``strategy.block_backward_sync()``: under DDP, gradients are averaged across ranks once per
window, at its last batch.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..utilities.exceptions import MisconfigurationException
from .call import call_callbacks, call_module, call_training_step

__all__ = ["Optimization"]


def _detach_output(output: Any) -> dict:
    """What ``on_train_batch_end`` receives: ``{"loss": loss, ...}`` with tensors detached."""
    from ember import Tensor

    if output is None:
        return {}
    if isinstance(output, Tensor):
        return {"loss": output.detach()}
    if isinstance(output, Mapping):
        return {k: v.detach() if isinstance(v, Tensor) else v for k, v in output.items()}
    return {"output": output}


class _Closure:
    """``training_step`` + zero_grad + backward for one batch; returns the scaled loss."""

    def __init__(self, optimization: Optimization, batch: Any, batch_idx: int, zero_grad: bool):
        self.optimization = optimization
        self.batch = batch
        self.batch_idx = batch_idx
        self.zero_grad = zero_grad
        self.output: dict = {}
        self.ran = False

    def __call__(self):
        from ember import Tensor

        trainer = self.optimization.trainer
        with trainer.precision_plugin.forward_context():
            output = call_training_step(trainer, self.batch, self.batch_idx)
        if output is None:
            raise MisconfigurationException(
                "`training_step` returned None. In automatic optimization it must return the "
                "loss (a scalar Tensor) or a dict with the key 'loss'; to step the optimizers "
                "yourself, set `self.automatic_optimization = False`"
            )
        if isinstance(output, Mapping):
            if "loss" not in output:
                raise MisconfigurationException(
                    "`training_step` returned a dict without the key 'loss' (keys: "
                    f"{sorted(output)}); in automatic optimization the dict must hold the loss"
                )
            loss = output["loss"]
        else:
            loss = output
        if not isinstance(loss, Tensor):
            raise MisconfigurationException(
                f"`training_step` returned a loss of type {type(loss).__name__}; expected a "
                "scalar Tensor that requires grad"
            )
        self.output = _detach_output(output)
        self.ran = True
        closure_loss = loss / trainer.accumulate_grad_batches
        optimizers = trainer.optimizers
        if self.zero_grad and optimizers:
            call_callbacks(trainer, "on_before_zero_grad", optimizers[0])
            call_module(trainer, "on_before_zero_grad", optimizers[0])
            call_module(
                trainer, "optimizer_zero_grad", trainer.current_epoch, self.batch_idx, optimizers[0]
            )
        self.optimization.backward(closure_loss)
        return closure_loss


class Optimization:
    """Runs training steps for one trainer (see the module docstring)."""

    def __init__(self, trainer) -> None:
        self.trainer = trainer

    def should_accumulate(self, batch_idx: int) -> bool:
        """Whether batch ``batch_idx`` only accumulates gradients (no optimizer step)."""
        trainer = self.trainer
        window_done = (batch_idx + 1) % trainer.accumulate_grad_batches == 0
        last = batch_idx + 1 == trainer.num_training_batches
        return not (window_done or last)

    def backward(self, loss, *args: Any, **kwargs: Any) -> None:
        """The backward hooks around ``pl_module.backward`` (via the precision plugin)."""
        trainer = self.trainer
        call_callbacks(trainer, "on_before_backward", loss)
        call_module(trainer, "on_before_backward", loss)
        trainer.strategy.pre_backward(loss)
        previous = trainer.lightning_module._current_fx_name
        trainer.lightning_module._current_fx_name = "backward"
        try:
            trainer.precision_plugin.backward(loss, trainer.lightning_module, *args, **kwargs)
        finally:
            trainer.lightning_module._current_fx_name = previous
        call_callbacks(trainer, "on_after_backward")
        call_module(trainer, "on_after_backward")

    def optimizer_step(self, optimizer, closure=None, **kwargs: Any) -> Any:
        """Step ``optimizer``: the closure, ``on_before_optimizer_step``, clipping, the update."""
        trainer = self.trainer
        pl_module = trainer.lightning_module

        def after_closure():
            call_callbacks(trainer, "on_before_optimizer_step", optimizer)
            call_module(trainer, "on_before_optimizer_step", optimizer)
            if pl_module.automatic_optimization:
                call_module(
                    trainer,
                    "configure_gradient_clipping",
                    optimizer,
                    gradient_clip_val=trainer.gradient_clip_val,
                    gradient_clip_algorithm=trainer.gradient_clip_algorithm,
                )

        result = trainer.precision_plugin.optimizer_step(
            optimizer, closure, after_closure, **kwargs
        )
        trainer.fit_loop.epoch_loop.global_step += 1
        return result

    def run_automatic(self, batch: Any, batch_idx: int) -> dict:
        """One batch of automatic optimisation; returns the detached training_step output."""
        trainer = self.trainer
        optimizers = trainer._lightning_optimizers
        if len(optimizers) > 1:
            raise MisconfigurationException(
                "Training with multiple optimizers is only supported with manual optimization. "
                "Set `self.automatic_optimization = False`, then access your optimizers in "
                "`training_step` with `opt1, opt2, ... = self.optimizers()`."
            )
        first_of_window = batch_idx % trainer.accumulate_grad_batches == 0
        closure = _Closure(self, batch, batch_idx, zero_grad=first_of_window)
        if self.should_accumulate(batch_idx):
            # no optimizer step; under DDP no gradient averaging until the window's last batch
            with trainer.strategy.block_backward_sync():
                closure()
            return closure.output
        if not optimizers:
            closure()
            trainer.fit_loop.epoch_loop.global_step += 1
            return closure.output
        call_module(
            trainer, "optimizer_step", trainer.current_epoch, batch_idx, optimizers[0], closure
        )
        if not closure.ran:
            raise MisconfigurationException(
                "The closure hasn't been executed: `optimizer_step` must call "
                "`optimizer.step(closure=optimizer_closure)` (or `optimizer_closure()`)"
            )
        return closure.output

    def run_manual(self, batch: Any, batch_idx: int) -> dict:
        """One batch of manual optimisation: ``training_step`` does the work."""
        trainer = self.trainer
        with trainer.precision_plugin.forward_context():
            output = call_training_step(trainer, batch, batch_idx)
        return _detach_output(output)
