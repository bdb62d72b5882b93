"""``RemovableHandle``: what every ``register_*hook`` returns."""

from __future__ import annotations

import itertools

__all__ = ["RemovableHandle"]

_ids = itertools.count()


class RemovableHandle:
    """Removes the hook it was returned for: ``handle.remove()`` or leaving a ``with`` block.

    Example:
        >>> import ember
        >>> x = ember.ones(2, requires_grad=True)
        >>> handle = x.register_hook(lambda g: g * 2)
        >>> handle.remove()
    """

    __slots__ = ("id", "_table", "__weakref__")

    def __init__(self, table: dict):
        self.id = next(_ids)
        self._table = table

    def remove(self) -> None:
        self._table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
