"""``ReduceOp``: how a collective combines the tensors of the ranks."""

from __future__ import annotations

import enum

__all__ = ["ReduceOp", "RedOpType"]


class RedOpType(enum.IntEnum):
    """The reduction operations, numbered as PyTorch numbers them."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7


class ReduceOp:
    """The reductions of ``all_reduce``, ``reduce`` and ``reduce_scatter``.

    ``SUM``, ``AVG`` (the sum divided by the number of ranks; floating-point and complex
    tensors, and integer tensors with truncating division), ``PRODUCT``, ``MIN``, ``MAX``, and
    the bitwise ``BAND``, ``BOR``, ``BXOR`` (integer and bool tensors). On bool tensors ``SUM``
    is a logical or and ``PRODUCT`` a logical and, as in PyTorch.

    Example:
        >>> from ember.distributed import ReduceOp
        >>> ReduceOp.SUM
        <RedOpType.SUM: 0>
        >>> ReduceOp.MAX in list(ReduceOp.RedOpType)
        True
    """

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR


def as_red_op(op, fn_name: str) -> RedOpType:
    """``op`` as a ``RedOpType``, or a ValueError naming ``fn_name``."""
    if isinstance(op, RedOpType):
        return op
    if isinstance(op, int) and not isinstance(op, bool):
        try:
            return RedOpType(op)
        except ValueError:
            pass
    raise ValueError(f"{fn_name}: op must be a ReduceOp (e.g. ReduceOp.SUM), got {op!r}")
