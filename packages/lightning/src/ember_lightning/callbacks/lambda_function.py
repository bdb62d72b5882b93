"""``LambdaCallback``: a callback made of functions, for quick experiments."""

from __future__ import annotations

from collections.abc import Callable

from .callback import Callback

__all__ = ["LambdaCallback"]

_HOOKS = frozenset(
    name
    for name, value in vars(Callback).items()
    if callable(value)
    and not name.startswith("_")
    and name not in ("state_dict", "load_state_dict")
)


class LambdaCallback(Callback):
    """A callback whose hooks are the given functions (same arguments as the hooks).

    Args:
        **hooks: ``hook_name=function`` for any hook of :class:`Callback`
            (``on_train_epoch_end=lambda trainer, pl_module: ...``).

    Example:
        >>> seen = []
        >>> callback = LambdaCallback(on_fit_start=lambda trainer, pl_module: seen.append("fit"))
        >>> callback.on_fit_start(None, None)
        >>> seen
        ['fit']
    """

    def __init__(self, **hooks: Callable) -> None:
        unknown = sorted(set(hooks) - _HOOKS)
        if unknown:
            raise TypeError(
                f"LambdaCallback got unknown hooks {unknown}; the hooks are: {sorted(_HOOKS)}"
            )
        for name, function in hooks.items():
            if function is not None:
                setattr(self, name, function)
