import numpy as np
import pytest

import ember
from ember.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DistributedSampler,
    IterableDataset,
    RandomSampler,
    SequentialSampler,
    StackDataset,
    Subset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    random_split,
)


def test_tensor_dataset_rows_and_size_check():
    ds = TensorDataset(ember.arange(4), ember.arange(4) * 10)
    assert len(ds) == 4
    x, y = ds[2]
    assert x.item() == 2 and y.item() == 20
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(ember.arange(3), ember.arange(4))


def test_concat_subset_stack_and_chain():
    a, b = TensorDataset(ember.arange(3)), TensorDataset(ember.arange(10, 12))
    cat = a + b
    assert isinstance(cat, ConcatDataset) and len(cat) == 5
    assert [cat[i][0].item() for i in range(5)] == [0, 1, 2, 10, 11]
    assert cat[-1][0].item() == 11
    sub = Subset(cat, [4, 0])
    assert [sub[i][0].item() for i in range(2)] == [11, 0]
    stacked = StackDataset(x=a, y=a)
    assert stacked[1]["x"][0].item() == 1
    with pytest.raises(ValueError, match="Size mismatch"):
        StackDataset(a, b)

    class Count(IterableDataset):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(self.n))

    assert list(ChainDataset([Count(2), Count(3)])) == [0, 1, 0, 1, 2]
    with pytest.raises(TypeError, match="IterableDataset"):
        ConcatDataset([Count(2)])


def test_random_split_lengths_fractions_and_reproducibility():
    ds = TensorDataset(ember.arange(10))
    parts = random_split(ds, [0.5, 0.3, 0.2], generator=ember.Generator().manual_seed(1))
    assert [len(p) for p in parts] == [5, 3, 2]
    seen = sorted(i for p in parts for i in p.indices)
    assert seen == list(range(10))
    again = random_split(ds, [0.5, 0.3, 0.2], generator=ember.Generator().manual_seed(1))
    assert [p.indices for p in parts] == [p.indices for p in again]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [3, 3])


def test_samplers_cover_and_reproduce():
    data = list(range(7))
    assert list(SequentialSampler(data)) == data
    g = ember.Generator().manual_seed(3)
    perm = list(RandomSampler(data, generator=g))
    assert sorted(perm) == data
    assert list(RandomSampler(data, generator=ember.Generator().manual_seed(3))) == perm
    draws = list(RandomSampler(data, replacement=True, num_samples=20, generator=g))
    assert len(draws) == 20 and set(draws) <= set(data)
    assert sorted(SubsetRandomSampler([5, 6, 1], generator=g)) == [1, 5, 6]
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        RandomSampler(data, num_samples=0)


def test_weighted_sampler_follows_weights():
    sampler = WeightedRandomSampler(
        [0.0, 1.0, 3.0], 4000, generator=ember.Generator().manual_seed(0)
    )
    counts = np.bincount(list(sampler), minlength=3)
    assert counts[0] == 0
    assert abs(counts[2] / counts[1] - 3.0) < 0.3
    with pytest.raises(RuntimeError, match="without replacement"):
        WeightedRandomSampler([1.0, 0.0], 2, replacement=False)


def test_batch_sampler_and_len():
    bs = BatchSampler(SequentialSampler(range(10)), 4, drop_last=False)
    assert list(bs) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]] and len(bs) == 3
    assert len(BatchSampler(SequentialSampler(range(10)), 4, drop_last=True)) == 2
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BatchSampler(SequentialSampler(range(3)), 0, False)


def test_distributed_sampler_partitions_and_pads():
    ds = list(range(10))
    shards = [list(DistributedSampler(ds, num_replicas=3, rank=r, shuffle=False)) for r in range(3)]
    assert [len(s) for s in shards] == [4, 4, 4]
    assert sorted(set(i for s in shards for i in s)) == ds
    s0 = DistributedSampler(ds, num_replicas=2, rank=0, seed=5)
    s1 = DistributedSampler(ds, num_replicas=2, rank=1, seed=5)
    assert sorted(list(s0) + list(s1)) == ds
    first = list(s0)
    s0.set_epoch(1)
    assert list(s0) != first
    dropped = DistributedSampler(ds, num_replicas=3, rank=0, drop_last=True)
    assert len(dropped) == 3
    with pytest.raises(ValueError, match="Invalid rank"):
        DistributedSampler(ds, num_replicas=2, rank=2)
