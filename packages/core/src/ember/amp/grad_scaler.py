"""``GradScaler``: dynamic loss scaling for mixed-precision training, as PyTorch's.

Note [One pass to find infs]
    ``unscale_`` multiplies every gradient by ``1/scale`` in place and, in the same sweep,
    adds the gradient's sum (accumulated in float64) to one running total per device. A
    float32 or float16 gradient holds no more than 3.4e38 per element, so its float64 sum
    overflows only if it holds an inf or a NaN; the total is therefore finite exactly when
    every gradient is. It stays on the device (no host sync per gradient) and is read once,
    in ``step``. Float64 gradients, whose sum could overflow, are checked with ``isfinite``.
"""

from __future__ import annotations

import warnings
from collections import defaultdict
from enum import Enum

import numpy as np

from .._tensor import Tensor

__all__ = ["GradScaler", "OptState"]


class OptState(Enum):
    READY = 0
    UNSCALED = 1
    STEPPED = 2


def _fresh_state() -> dict:
    return {"stage": OptState.READY, "found_inf_per_device": {}}


_FIX = "This may indicate your script did not use scaler.scale(loss or outputs) earlier in the "
_FIX += "iteration."


def _unscale_and_count_nonfinite(grads, inv_scale: float):
    """Scale ``grads`` (arrays of one device) by ``inv_scale`` in place; return a 0-d array
    that is non-finite exactly when some gradient holds an inf or NaN (Note above)."""
    if grads[0].__class__ is np.ndarray:
        from ..backends.cpu import kernels
    else:
        from ..backends import cuda_kernels

        kernels = cuda_kernels()
    return kernels.amp_unscale_(grads, inv_scale)


class GradScaler:
    """Scale the loss so that small float16 gradients do not flush to zero, then unscale the
    gradients before the optimizer step, skipping steps whose gradients hold infs or NaNs and
    adapting the scale: multiplied by ``backoff_factor`` after such a step, by
    ``growth_factor`` after ``growth_interval`` steps in a row without one.

    Args:
        device: the device type of the parameters (``'cuda'`` or ``'cpu'``, default
            ``'cuda'``). With ``'cuda'`` and no GPU, the scaler disables itself with a warning.
        init_scale: the initial scale (default ``2.0**16``).
        growth_factor: factor applied after ``growth_interval`` clean steps (default 2.0).
        backoff_factor: factor applied after a step with infs or NaNs (default 0.5).
        growth_interval: clean steps between growths (default 2000).
        enabled: False makes every method a pass-through (default True).

    Example:
        >>> import ember
        >>> model = ember.nn.Linear(3, 1)
        >>> opt = ember.optim.SGD(model.parameters(), lr=0.1)
        >>> scaler = ember.amp.GradScaler("cpu", init_scale=1024.0)
        >>> loss = model(ember.ones(4, 3)).square().mean()
        >>> scaler.scale(loss).backward()
        >>> scaler.step(opt)
        >>> scaler.update()
        >>> scaler.get_scale()
        1024.0
    """

    def __init__(
        self,
        device: str = "cuda",
        init_scale: float = 2.0**16,
        growth_factor: float = 2.0,
        backoff_factor: float = 0.5,
        growth_interval: int = 2000,
        enabled: bool = True,
    ) -> None:
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled:
            from .. import cuda

            if not cuda.is_available():
                warnings.warn(
                    "ember.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                    stacklevel=2,
                )
                self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise ValueError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise ValueError("The backoff factor must be < 1.0.")
            self._init_scale = float(init_scale)
            self._scale: float | None = None
            self._growth_factor = float(growth_factor)
            self._backoff_factor = float(backoff_factor)
            self._growth_interval = int(growth_interval)
            self._init_growth_tracker = 0
            self._growth_tracker: int | None = None
            self._per_optimizer_states = defaultdict(_fresh_state)

    def _check_scale_growth_tracker(self, funcname: str) -> None:
        if self._scale is None:
            raise AssertionError(f"Attempted {funcname} but _scale is None.  " + _FIX)
        if self._growth_tracker is None:
            raise AssertionError(f"Attempted {funcname} but _growth_tracker is None.  " + _FIX)

    def _lazy_init(self) -> None:
        self._scale = self._init_scale
        self._growth_tracker = self._init_growth_tracker

    def scale(self, outputs):
        """Multiply ``outputs`` (a tensor, or nested lists/tuples of them) by the scale.

        Returns a scaled tensor (or the same structure), unchanged when disabled.
        """
        if not self._enabled:
            return outputs
        if self._scale is None:
            self._lazy_init()
        if isinstance(outputs, Tensor):
            return self._scaled(outputs)
        if isinstance(outputs, (list, tuple)):
            return type(outputs)(self.scale(o) for o in outputs)
        if hasattr(outputs, "__iter__") and not isinstance(outputs, (str, bytes)):
            return map(self.scale, outputs)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def _scaled(self, t: Tensor) -> Tensor:
        from .._creation import tensor

        scale = tensor(self._scale, dtype=t.dtype if t.dtype.is_floating_point else None)
        if t.device.type != "cpu":
            scale = scale.to(t.device)
        return t * scale

    def unscale_(self, optimizer) -> None:
        """Divide the gradients of ``optimizer``'s parameters by the scale, in place, and
        record whether any holds an inf or NaN. Call at most once per ``step``, before it
        (for example to clip gradients)."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        state["found_inf_per_device"] = self._unscale_grads_(optimizer, 1.0 / self._scale)
        state["stage"] = OptState.UNSCALED

    def _unscale_grads_(self, optimizer, inv_scale: float, allow_fp16: bool = False) -> dict:
        by_device: dict = defaultdict(list)
        for group in optimizer.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                if not allow_fp16 and g.dtype.name == "float16":
                    raise ValueError("Attempting to unscale FP16 gradients.")
                by_device[str(g.device)].append(g._data)
        found = {}
        for dev, grads in by_device.items():
            found[dev] = _unscale_and_count_nonfinite(grads, inv_scale)
        return found

    @staticmethod
    def _found_inf(state) -> bool:
        return any(not np.isfinite(float(v)) for v in state["found_inf_per_device"].values())

    def step(self, optimizer, *args, **kwargs):
        """``unscale_`` (unless already done), then ``optimizer.step(*args, **kwargs)`` unless
        a gradient holds an inf or NaN, in which case the step is skipped (returns None)."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        state = self._per_optimizer_states[id(optimizer)]
        if state["stage"] is OptState.STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if state["stage"] is OptState.READY:
            self.unscale_(optimizer)
        if not state["found_inf_per_device"]:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not self._found_inf(state):
            retval = optimizer.step(*args, **kwargs)
        state["stage"] = OptState.STEPPED
        return retval

    def update(self, new_scale=None) -> None:
        """Adapt the scale for the next iteration (or set it to ``new_scale``)."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("update")
        if new_scale is not None:
            if isinstance(new_scale, Tensor):
                if new_scale.numel() != 1 or new_scale.requires_grad:
                    raise AssertionError(
                        "new_scale should be a float or a 1-element ember tensor with "
                        "requires_grad=False."
                    )
                self._scale = float(new_scale.item())
            else:
                self._scale = float(new_scale)
        else:
            states = self._per_optimizer_states.values()
            checks = [v for s in states for v in s["found_inf_per_device"].values()]
            if not checks:
                raise AssertionError("No inf checks were recorded prior to update.")
            found_inf = any(not np.isfinite(float(v)) for v in checks)
            if found_inf:
                self._scale *= self._backoff_factor
                self._growth_tracker = 0
            else:
                successful = self._growth_tracker + 1
                if successful == self._growth_interval:
                    grown = self._scale * self._growth_factor
                    if np.isfinite(np.float32(grown)):
                        self._scale = grown
                    self._growth_tracker = 0
                else:
                    self._growth_tracker = successful
        self._scale = float(np.float32(self._scale))  # the scale is a float32, as in PyTorch
        self._per_optimizer_states = defaultdict(_fresh_state)

    def get_scale(self) -> float:
        """The current scale (1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else self._scale

    def get_growth_factor(self) -> float:
        return self._growth_factor

    def set_growth_factor(self, new_factor: float) -> None:
        self._growth_factor = float(new_factor)

    def get_backoff_factor(self) -> float:
        return self._backoff_factor

    def set_backoff_factor(self, new_factor: float) -> None:
        self._backoff_factor = float(new_factor)

    def get_growth_interval(self) -> int:
        return self._growth_interval

    def set_growth_interval(self, new_interval: int) -> None:
        self._growth_interval = int(new_interval)

    def _get_growth_tracker(self) -> int:
        if self._growth_tracker is None:
            return self._init_growth_tracker
        return self._growth_tracker

    def is_enabled(self) -> bool:
        """Whether the scaler is active."""
        return self._enabled

    def state_dict(self) -> dict:
        """The scale and the schedule, with PyTorch's keys (empty when disabled)."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._get_growth_tracker(),
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore what ``state_dict`` returned."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale = self._init_scale
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._growth_tracker is not None:
            self._growth_tracker = self._init_growth_tracker

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if self._enabled:
            state["_per_optimizer_states"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        if self._enabled:
            self._per_optimizer_states = defaultdict(_fresh_state)

    def __repr__(self) -> str:
        return (
            f"GradScaler(device='{self._device}', scale={self.get_scale()}, "
            f"enabled={self._enabled})"
        )
