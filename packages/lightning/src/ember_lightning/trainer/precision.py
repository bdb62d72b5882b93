"""Numeric precision of training: ``Trainer(precision=...)``, and gradient clipping.

- ``"32-true"`` (also ``"32"``, ``32``): float32 everywhere (the default).
- ``"64-true"`` (also ``"64"``, ``64``): the model and the floating-point inputs in float64.
- ``"16-mixed"`` (also ``16``): the forward under ``ember.amp.autocast`` in float16, the
  loss scaled by an ``ember.amp.GradScaler`` (its state goes into checkpoints); GPU only, as
  in Lightning (float16 math on the CPU is slow and fragile: use "bf16-mixed" there).
- ``"bf16-mixed"`` (also ``"bf16"``): the forward under autocast in bfloat16, no scaler; on
  the CPU this needs the ``ml_dtypes`` package.

The parameters stay in float32 with mixed precision; only the ops inside the forward run in
the lower precision.
"""

from __future__ import annotations

import contextlib
from typing import Any

from ..utilities.exceptions import MisconfigurationException

__all__ = [
    "Precision",
    "DoublePrecision",
    "MixedPrecision",
    "resolve_precision",
    "clip_gradients",
    "VALID_PRECISIONS",
]

VALID_PRECISIONS = ("32-true", "64-true", "16-mixed", "bf16-mixed")
_ALIASES = {
    "32-true": "32-true",
    "32": "32-true",
    32: "32-true",
    "64-true": "64-true",
    "64": "64-true",
    64: "64-true",
    "16-mixed": "16-mixed",
    "16": "16-mixed",
    16: "16-mixed",
    "bf16-mixed": "bf16-mixed",
    "bf16": "bf16-mixed",
}


class Precision:
    """Full float32 precision: the base plugin, which changes nothing.

    A precision plugin converts the module and the inputs, wraps the forward, runs backward
    and the optimizer step, and carries state (a gradient scaler) in checkpoints.
    """

    precision = "32-true"

    def convert_module(self, module):
        return module

    def convert_input(self, batch: Any) -> Any:
        return batch

    def forward_context(self):
        return contextlib.nullcontext()

    def backward(self, loss, module, *args: Any, **kwargs: Any) -> None:
        module.backward(loss, *args, **kwargs)

    def optimizer_step(self, optimizer, closure, after_closure, **kwargs: Any) -> Any:
        """Run ``closure`` (forward and backward) then ``after_closure`` (the
        ``on_before_optimizer_step`` hooks and clipping) inside ``optimizer.step``."""

        def closure_then_hooks():
            result = closure() if closure is not None else None
            after_closure()
            return result

        return optimizer.step(closure=closure_then_hooks, **kwargs)

    def state_dict(self) -> dict:
        return {}

    def load_state_dict(self, state_dict: dict) -> None:
        pass


class DoublePrecision(Precision):
    """float64 training: the module's floating-point parameters and buffers and the
    floating-point tensors of each batch are cast to float64."""

    precision = "64-true"

    def convert_module(self, module):
        return module.double()

    def convert_input(self, batch: Any) -> Any:
        import ember

        from ..utilities.data import apply_to_tensors

        def to_double(t):
            return t.to(ember.float64) if t.is_floating_point() else t

        return apply_to_tensors(batch, to_double)


class MixedPrecision(Precision):
    """Mixed precision: the forward under ``ember.amp.autocast``; with float16 a
    ``GradScaler`` scales the loss, unscales the gradients before the
    ``on_before_optimizer_step`` hooks and clipping, and skips steps with inf/NaN gradients.

    Args:
        precision: "16-mixed" or "bf16-mixed".
        device_type: "cuda" or "cpu".
        scaler: the ``ember.amp.GradScaler`` (default: a new one for "16-mixed", none for
            "bf16-mixed").
    """

    def __init__(self, precision: str, device_type: str, scaler=None) -> None:
        import ember

        self.precision = precision
        self.device_type = device_type
        self.dtype = ember.float16 if precision == "16-mixed" else ember.bfloat16
        # made once here, so that a dtype the device cannot do fails when the Trainer is made
        ember.amp.autocast(device_type, dtype=self.dtype)
        if scaler is None and precision == "16-mixed":
            scaler = ember.amp.GradScaler(device_type)
        self.scaler = scaler

    def forward_context(self):
        import ember

        return ember.amp.autocast(self.device_type, dtype=self.dtype)

    def backward(self, loss, module, *args: Any, **kwargs: Any) -> None:
        if self.scaler is not None:
            loss = self.scaler.scale(loss)
        module.backward(loss, *args, **kwargs)

    def optimizer_step(self, optimizer, closure, after_closure, **kwargs: Any) -> Any:
        if self.scaler is None:
            return super().optimizer_step(optimizer, closure, after_closure, **kwargs)
        from ember.optim import LBFGS

        if isinstance(optimizer, LBFGS):
            raise MisconfigurationException("AMP and the LBFGS optimizer are not compatible.")
        result = closure() if closure is not None else None
        self.scaler.unscale_(optimizer)
        after_closure()
        self.scaler.step(optimizer, **kwargs)  # skipped when the gradients are not finite
        self.scaler.update()
        return result

    def state_dict(self) -> dict:
        return self.scaler.state_dict() if self.scaler is not None else {}

    def load_state_dict(self, state_dict: dict) -> None:
        if self.scaler is not None:
            self.scaler.load_state_dict(state_dict)


def resolve_precision(precision: Any, device) -> Precision:
    """The plugin for ``precision`` on ``device``.

    Raises:
        ValueError: an unknown precision (the message lists the valid ones).
        MisconfigurationException: float16 mixed precision without a GPU, or a dtype the device
            cannot compute in (bfloat16 on the CPU without ml_dtypes).
    """
    key = _ALIASES.get(precision) if isinstance(precision, (str, int)) else None
    if key is None:
        raise ValueError(
            f"Trainer(precision={precision!r}): precision {precision!r} is invalid. Allowed "
            f"precision values: {list(VALID_PRECISIONS)} (and the short forms 32, 64, 16, "
            "'bf16')"
        )
    if key == "32-true":
        return Precision()
    if key == "64-true":
        return DoublePrecision()
    if key == "16-mixed" and device.type != "cuda":
        raise MisconfigurationException(
            f"Trainer(precision={precision!r}): float16 mixed precision needs a GPU "
            f"(accelerator='gpu'); this run is on {device}. Use precision='bf16-mixed' (or "
            "'32-true') on the CPU"
        )
    try:
        return MixedPrecision(key, device.type)
    except RuntimeError as exc:  # e.g. bfloat16 on the CPU without ml_dtypes
        raise MisconfigurationException(f"Trainer(precision={precision!r}): {exc}") from exc


def clip_gradients(optimizer, gradient_clip_val: float | None, algorithm: str | None) -> None:
    """Clip the gradients of ``optimizer``'s parameters in place.

    Args:
        gradient_clip_val: the limit; None or 0 means no clipping.
        algorithm: "norm" (the total 2-norm, the default) or "value" (each element).
    """
    if not gradient_clip_val:
        return
    algorithm = "norm" if algorithm is None else algorithm
    if algorithm not in ("norm", "value"):
        raise MisconfigurationException(
            f"`gradient_clip_algorithm` {algorithm!r} is invalid. Allowed algorithms: "
            "['value', 'norm']"
        )
    from ember.nn.utils import clip_grad_norm_, clip_grad_value_

    params = [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
    if not params:
        return
    if algorithm == "norm":
        clip_grad_norm_(params, gradient_clip_val)
    else:
        clip_grad_value_(params, gradient_clip_val)
