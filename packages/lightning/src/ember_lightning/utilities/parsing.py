"""``AttributeDict`` (the type of ``LightningModule.hparams``) and helpers to read the
arguments of the ``__init__`` that called ``save_hyperparameters``."""

from __future__ import annotations

import inspect
from types import FrameType
from typing import Any

__all__ = ["AttributeDict", "collect_init_args"]


class AttributeDict(dict):
    """A ``dict`` whose keys are also attributes: ``hparams.lr`` is ``hparams["lr"]``.

    Example:
        >>> hp = AttributeDict(lr=0.1, layers=2)
        >>> hp.lr
        0.1
        >>> hp.layers = 3
        >>> hp
        "layers": 3
        "lr":     0.1
    """

    def __getattr__(self, key: str) -> Any:
        try:
            return self[key]
        except KeyError as exc:
            raise AttributeError(f"'AttributeDict' object has no attribute '{key}'") from exc

    def __setattr__(self, key: str, value: Any) -> None:
        self[key] = value

    def __delattr__(self, key: str) -> None:
        try:
            del self[key]
        except KeyError as exc:
            raise AttributeError(f"'AttributeDict' object has no attribute '{key}'") from exc

    def __repr__(self) -> str:
        if not self:
            return ""
        width = max(len(str(key)) for key in self) + 3
        rows = []
        for key in sorted(self, key=str):
            label = f'"{key}":'
            rows.append(f"{label:{width}s} {self[key]}")
        return "\n".join(rows)


def _frame_init_args(frame: FrameType) -> dict[str, Any]:
    """The named arguments (and ``**kwargs`` entries) of the function running in ``frame``."""
    info = inspect.getargvalues(frame)
    args = {name: info.locals[name] for name in info.args if name not in ("self", "__class__")}
    if info.keywords is not None:
        args.update(info.locals[info.keywords])
    return args


def collect_init_args(frame: FrameType, obj: object) -> dict[str, Any]:
    """Merge the arguments of every ``__init__`` of ``obj`` on the stack, from ``frame`` up.

    When a subclass's ``__init__`` calls its parent's, which calls ``save_hyperparameters``,
    both frames belong to ``obj``; the outermost (the subclass's) values win.
    """
    collected: dict[str, Any] = {}
    while frame is not None:
        if frame.f_code.co_name == "__init__" and frame.f_locals.get("self") is obj:
            collected = {**collected, **_frame_init_args(frame)}
        frame = frame.f_back
    return collected
