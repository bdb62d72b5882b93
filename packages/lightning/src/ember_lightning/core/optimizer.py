"""``LightningOptimizer``: the optimizer as ``self.optimizers()`` returns it.

It wraps an ``ember.optim`` optimizer so that ``step()`` goes through the trainer: the
``on_before_optimizer_step`` hooks run, gradient clipping applies (automatic optimisation),
the precision setting takes part and ``trainer.global_step`` counts the step. Every other
attribute (``param_groups``, ``state``, ``zero_grad``, ...) is the wrapped optimizer's.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LightningOptimizer"]


class LightningOptimizer:
    """Wraps ``optimizer`` for a trainer (see the module docstring).

    Args:
        optimizer: an ``ember.optim.Optimizer``.
    """

    def __init__(self, optimizer) -> None:
        self._optimizer = optimizer
        self._trainer = None

    @property
    def optimizer(self):
        """The wrapped optimizer."""
        return self._optimizer

    def __getattr__(self, name: str) -> Any:
        # only reached for names not defined here: they are the wrapped optimizer's
        return getattr(self.__dict__["_optimizer"], name)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear the gradients of the wrapped optimizer's parameters."""
        self._optimizer.zero_grad(set_to_none=set_to_none)

    def step(self, closure=None, **kwargs: Any) -> Any:
        """Run ``closure`` (if any), the ``on_before_optimizer_step`` hooks and the step.

        Returns:
            What the closure returned (the loss), or None.
        """
        if self._trainer is None:
            return self._optimizer.step(closure=closure, **kwargs)
        return self._trainer._optimization.optimizer_step(self._optimizer, closure, **kwargs)

    def state_dict(self) -> dict:
        """The wrapped optimizer's state dict."""
        return self._optimizer.state_dict()

    def load_state_dict(self, state_dict: dict) -> None:
        """Load into the wrapped optimizer."""
        self._optimizer.load_state_dict(state_dict)

    def __repr__(self) -> str:
        return f"LightningOptimizer({self._optimizer!r})"
