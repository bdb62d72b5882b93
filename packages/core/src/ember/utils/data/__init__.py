"""``ember.utils.data``: datasets, samplers, collation and the DataLoader.

Example:
    >>> import ember
    >>> from ember.utils.data import DataLoader, TensorDataset
    >>> loader = DataLoader(TensorDataset(ember.arange(10)), batch_size=4, drop_last=True)
    >>> [batch[0].tolist() for batch in loader]
    [[0, 1, 2, 3], [4, 5, 6, 7]]
"""

from ._collate import default_collate, default_convert
from ._worker import WorkerInfo, get_worker_info
from .dataloader import DataLoader
from .dataset import (
    ChainDataset,
    ConcatDataset,
    Dataset,
    IterableDataset,
    StackDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    DistributedSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
    WeightedRandomSampler,
)

__all__ = [
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "TensorDataset",
    "ConcatDataset",
    "ChainDataset",
    "Subset",
    "StackDataset",
    "random_split",
    "Sampler",
    "SequentialSampler",
    "RandomSampler",
    "SubsetRandomSampler",
    "WeightedRandomSampler",
    "BatchSampler",
    "DistributedSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "WorkerInfo",
]
