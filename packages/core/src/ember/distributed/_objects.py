"""Collectives on picklable Python objects (``*_object`` APIs), sent with MPI's pickle-based
lower-case methods. Like PyTorch's, these unpickle what other ranks send: use them only
between processes of the same trusted job. Tensors go through the buffer-based collectives.
"""

from __future__ import annotations

from ._collectives import _member, _root

__all__ = ["all_gather_object", "broadcast_object_list", "gather_object", "scatter_object_list"]


def all_gather_object(object_list: list, obj, group=None) -> None:
    """Fill ``object_list`` (one slot per rank) with every rank's ``obj``, in rank order.

    Example:
        >>> import ember.distributed as dist
        >>> out = [None] * dist.get_world_size()  # doctest: +SKIP
        >>> dist.all_gather_object(out, {"rank": dist.get_rank()})  # doctest: +SKIP
    """
    fn = "all_gather_object"
    pg = _member(group, fn)
    if pg is None:
        return
    gathered = pg._impl.all_gather_object(obj)
    if len(object_list) != len(gathered):
        raise ValueError(
            f"{fn}: object_list must have one slot per rank ({len(gathered)}), "
            f"got {len(object_list)}"
        )
    object_list[:] = gathered


def broadcast_object_list(object_list: list, src=None, group=None, device=None, group_src=None):
    """Replace the contents of ``object_list`` on every rank by rank ``src``'s."""
    fn = "broadcast_object_list"
    pg = _member(group, fn)
    if pg is None:
        return
    root = _root(pg, fn, src, group_src, "src")
    received = pg._impl.broadcast_object(list(object_list), root)
    if len(received) != len(object_list):
        raise ValueError(
            f"{fn}: object_list has {len(object_list)} elements on this rank but "
            f"{len(received)} on the source rank; they must have the same length"
        )
    object_list[:] = received


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None) -> None:
    """Gather every rank's ``obj`` into ``object_gather_list`` on ``dst``."""
    fn = "gather_object"
    pg = _member(group, fn)
    if pg is None:
        return
    root = _root(pg, fn, dst, group_dst, "dst")
    gathered = pg._impl.gather_object(obj, root)
    if root == pg.rank():
        if object_gather_list is None or len(object_gather_list) != pg.size():
            raise ValueError(f"{fn}: object_gather_list must have one slot per rank on dst")
        object_gather_list[:] = gathered


def scatter_object_list(
    scatter_object_output_list: list,
    scatter_object_input_list=None,
    src=None,
    group=None,
    group_src=None,
) -> None:
    """Send the ``r``-th object of ``scatter_object_input_list`` (on ``src``) to rank ``r``,
    which finds it in ``scatter_object_output_list[0]``."""
    fn = "scatter_object_list"
    pg = _member(group, fn)
    if pg is None:
        return
    root = _root(pg, fn, src, group_src, "src")
    objs = None
    if root == pg.rank():
        objs = list(scatter_object_input_list or [])
        if len(objs) != pg.size():
            objs = [ValueError] * pg.size()  # keep the others from waiting, then fail
    got = pg._impl.scatter_object(objs, root)
    if got is ValueError:
        raise ValueError(
            f"{fn}: scatter_object_input_list on rank {pg._ranks[root]} must have one object "
            "per rank"
        )
    if not isinstance(scatter_object_output_list, list) or not scatter_object_output_list:
        raise ValueError(f"{fn}: scatter_object_output_list must be a non-empty list")
    scatter_object_output_list[0] = got
