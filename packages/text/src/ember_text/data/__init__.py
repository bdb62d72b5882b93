"""Text data: datasets read from files, language-model blocks, padding collation and
length-bucketed batch samplers.

Example:
    >>> from ember_text.data import BucketBatchSampler, DataCollatorWithPadding
    >>> examples = [{"input_ids": [1] * n} for n in (3, 9, 4, 8)]
    >>> sampler = BucketBatchSampler([3, 9, 4, 8], batch_size=2, num_buckets=2, shuffle=False)
    >>> collate = DataCollatorWithPadding(pad_token_id=0)
    >>> [collate([examples[i] for i in batch])["input_ids"].shape[1] for batch in sampler]
    [4, 9]
"""

from ._bucket import BucketBatchSampler, DistributedBucketBatchSampler
from ._collator import DataCollatorWithPadding
from ._datasets import CSVTextDataset, JSONLDataset, TextLineDataset, TSVTextDataset
from ._lm import LMBlockDataset

__all__ = [
    "TextLineDataset",
    "CSVTextDataset",
    "TSVTextDataset",
    "JSONLDataset",
    "LMBlockDataset",
    "DataCollatorWithPadding",
    "BucketBatchSampler",
    "DistributedBucketBatchSampler",
]
