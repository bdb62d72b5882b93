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

    __slots__ = ("id", "_table", "_extra", "__weakref__")

    def __init__(self, table: dict, *, extra_dict=None):
        self.id = next(_ids)
        self._table = table
        # Side tables keyed by the same id (e.g. which Module hooks take kwargs).
        if extra_dict is None:
            self._extra = ()
        elif isinstance(extra_dict, dict):
            self._extra = (extra_dict,)
        else:
            self._extra = tuple(extra_dict)

    def remove(self) -> None:
        self._table.pop(self.id, None)
        for table in self._extra:
            table.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
