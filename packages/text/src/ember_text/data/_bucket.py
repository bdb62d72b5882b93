"""Length-bucketed batch samplers: batches of examples of similar length, so that padding
(and wasted compute) stays small.

The examples are sorted by length (ties by index) and the sorted order is cut into buckets
of consecutive examples; every batch is drawn from a single bucket, so its lengths lie
between that bucket's shortest and longest. Shuffling mixes the examples within each bucket
and the order of the batches, never the buckets themselves.
"""

from __future__ import annotations

import math

import numpy as np

from ember.utils.data import Sampler

__all__ = ["BucketBatchSampler", "DistributedBucketBatchSampler"]


def _check_int(value, name: str, where: str, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(
            f"{where}: {name} should be a positive integer value, but got {name}={value!r}"
        )


def _lengths_array(lengths, where: str) -> np.ndarray:
    if hasattr(lengths, "numpy") and not isinstance(lengths, np.ndarray):
        lengths = lengths.numpy()
    array = np.asarray(lengths)
    if array.ndim != 1 or array.size == 0:
        raise ValueError(
            f"{where}: lengths must be a non-empty 1-D sequence of numbers, got shape "
            f"{tuple(array.shape)}"
        )
    if not np.issubdtype(array.dtype, np.number):
        raise TypeError(f"{where}: lengths must be numbers, got dtype {array.dtype}")
    return array


def make_buckets(
    lengths: np.ndarray, batch_size: int, bucket_size, num_buckets, where: str
) -> list[np.ndarray]:
    """Cut the length-sorted indices into buckets (arrays of dataset indices)."""
    if bucket_size is not None and num_buckets is not None:
        raise ValueError(f"{where}: give bucket_size or num_buckets, not both")
    order = np.argsort(lengths, kind="stable")
    if num_buckets is not None:
        _check_int(num_buckets, "num_buckets", where)
        return [b for b in np.array_split(order, min(num_buckets, len(order))) if len(b)]
    if bucket_size is None:
        bucket_size = batch_size * 100
    _check_int(bucket_size, "bucket_size", where)
    return [order[i : i + bucket_size] for i in range(0, len(order), bucket_size)]


def bucket_batches(buckets, batch_size: int, drop_last: bool, rng) -> list[list[int]]:
    """Batches cut from each bucket; shuffled within buckets and in order when ``rng``."""
    batches = []
    for bucket in buckets:
        indices = bucket.copy()
        if rng is not None:
            rng.shuffle(indices)
        for start in range(0, len(indices), batch_size):
            batch = indices[start : start + batch_size]
            if len(batch) < batch_size and drop_last:
                continue
            batches.append(batch.tolist())
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def _count(buckets, batch_size: int, drop_last: bool) -> int:
    if drop_last:
        return sum(len(b) // batch_size for b in buckets)
    return sum(math.ceil(len(b) / batch_size) for b in buckets)


class BucketBatchSampler(Sampler):
    """Yield batches of indices whose examples have similar lengths.

    The indices, sorted by ``lengths``, are cut into buckets of ``bucket_size`` (or into
    ``num_buckets`` equal parts); each batch comes from one bucket. Use it as a DataLoader's
    ``batch_sampler``.

    Args:
        lengths: the length of each example (e.g. its number of tokens).
        batch_size: the examples per batch.
        bucket_size: the examples per bucket. Default: ``100 * batch_size``.
        num_buckets: the number of buckets, instead of ``bucket_size``.
        shuffle: shuffle within buckets and the order of batches, anew each epoch. Default:
            ``True``. Without it, batches come from shortest to longest.
        drop_last: leave out the last, smaller batch of each bucket. Default: ``False``.
        generator: an :class:`ember.Generator` for the shuffling (default: Ember's global one,
            so ``ember.manual_seed`` makes it reproducible).

    Attributes:
        buckets: the dataset indices of each bucket (a list of lists).

    Example:
        >>> from ember_text.data import BucketBatchSampler
        >>> lengths = [5, 1, 9, 2, 8, 3, 7, 4]
        >>> list(BucketBatchSampler(lengths, batch_size=2, num_buckets=2, shuffle=False))
        [[1, 3], [5, 7], [0, 6], [4, 2]]
    """

    def __init__(
        self,
        lengths,
        batch_size: int,
        bucket_size: int | None = None,
        num_buckets: int | None = None,
        shuffle: bool = True,
        drop_last: bool = False,
        generator=None,
    ):
        where = type(self).__name__
        _check_int(batch_size, "batch_size", where)
        if not isinstance(drop_last, bool):
            raise ValueError(f"{where}: drop_last should be a boolean value, but got {drop_last!r}")
        self.lengths = _lengths_array(lengths, where)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.generator = generator
        self._buckets = make_buckets(self.lengths, batch_size, bucket_size, num_buckets, where)

    @property
    def buckets(self) -> list[list[int]]:
        return [b.tolist() for b in self._buckets]

    def __iter__(self):
        rng = None
        if self.shuffle:
            from ember.utils.data.sampler import _numpy_rng

            rng = _numpy_rng(self.generator)
        yield from bucket_batches(self._buckets, self.batch_size, self.drop_last, rng)

    def __len__(self) -> int:
        return _count(self._buckets, self.batch_size, self.drop_last)


class DistributedBucketBatchSampler(Sampler):
    """:class:`BucketBatchSampler` for ``num_replicas`` processes: each ``rank`` gets its own
    share of the batches.

    Every replica builds the same list of batches (shuffled from ``seed + epoch``, so call
    :meth:`set_epoch` at the start of each epoch) and takes every ``num_replicas``-th batch
    from position ``rank``; the shares are disjoint. To keep the replicas in step, each gets
    the same number of batches: with ``drop_last`` the surplus batches are dropped; otherwise,
    with ``even_batches`` (the default), the list is padded by repeating batches from its
    start, as ``DistributedSampler`` pads indices. With ``even_batches=False`` and no
    ``drop_last``, the batches are split exactly (shares may differ by one batch).

    Args:
        lengths, batch_size, bucket_size, num_buckets, shuffle: as in
            :class:`BucketBatchSampler`.
        num_replicas: the number of processes. Default: ``1``.
        rank: this process's rank in ``[0, num_replicas)``. Default: ``0``.
        seed: the shuffling seed, the same on every replica. Default: ``0``.
        drop_last: drop each bucket's smaller last batch, and the batches beyond a multiple
            of ``num_replicas``. Default: ``False``.
        even_batches: pad so every replica gets the same number of batches. Default: ``True``.

    Example:
        >>> from ember_text.data import DistributedBucketBatchSampler
        >>> lengths = [5, 1, 9, 2, 8, 3, 7, 4]
        >>> [list(DistributedBucketBatchSampler(lengths, 2, num_buckets=2, num_replicas=2,
        ...                                     rank=r, shuffle=False)) for r in range(2)]
        [[[1, 3], [0, 6]], [[5, 7], [4, 2]]]
    """

    def __init__(
        self,
        lengths,
        batch_size: int,
        num_replicas: int | None = None,
        rank: int | None = None,
        bucket_size: int | None = None,
        num_buckets: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
        even_batches: bool = True,
    ):
        where = type(self).__name__
        num_replicas = 1 if num_replicas is None else num_replicas
        rank = 0 if rank is None else rank
        _check_int(num_replicas, "num_replicas", where)
        if isinstance(rank, bool) or not isinstance(rank, int) or not 0 <= rank < num_replicas:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        _check_int(batch_size, "batch_size", where)
        self.lengths = _lengths_array(lengths, where)
        self.batch_size = batch_size
        self.num_replicas = num_replicas
        self.rank = rank
        self.shuffle = shuffle
        self.seed = int(seed)
        self.epoch = 0
        self.drop_last = drop_last
        self.even_batches = even_batches
        self._buckets = make_buckets(self.lengths, batch_size, bucket_size, num_buckets, where)
        total = _count(self._buckets, batch_size, drop_last)
        if drop_last:
            self.total_batches = total - total % num_replicas
        elif even_batches:
            self.total_batches = math.ceil(total / num_replicas) * num_replicas
        else:
            self.total_batches = total

    @property
    def buckets(self) -> list[list[int]]:
        return [b.tolist() for b in self._buckets]

    def set_epoch(self, epoch: int) -> None:
        """Use a different shuffle for each epoch (the same on every replica)."""
        self.epoch = epoch

    def __iter__(self):
        rng = np.random.default_rng(self.seed + self.epoch) if self.shuffle else None
        batches = bucket_batches(self._buckets, self.batch_size, self.drop_last, rng)
        if len(batches) < self.total_batches:  # pad by repeating from the start
            repeats = math.ceil(self.total_batches / len(batches))
            batches = (batches * repeats)[: self.total_batches]
        batches = batches[: self.total_batches]
        yield from batches[self.rank :: self.num_replicas]

    def __len__(self) -> int:
        share, extra = divmod(self.total_batches, self.num_replicas)
        return share + (1 if self.rank < extra else 0)
