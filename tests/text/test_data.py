"""ember_text.data: file datasets, LM blocks, the padding collator, bucketed batch samplers,
and a tokenizer inside DataLoader workers."""

from __future__ import annotations

import itertools
import json
import os

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset
from ember_text.data import (
    BucketBatchSampler,
    CSVTextDataset,
    DataCollatorWithPadding,
    DistributedBucketBatchSampler,
    JSONLDataset,
    LMBlockDataset,
    TextLineDataset,
    TSVTextDataset,
)
from ember_text.tokenizers import Tokenizer


# ----------------------------------------------------------------------------- file datasets
def test_text_line_dataset(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_bytes("first line\r\n\nthird — line\n".encode())
    b.write_text("last", encoding="utf-8")
    ds = TextLineDataset([a, b])
    assert len(ds) == 4
    assert [ds[i] for i in range(4)] == ["first line", "", "third — line", "last"]
    assert ds[-1] == "last"
    skipped = TextLineDataset(str(a), skip_empty=True, transform=str.split)
    assert [skipped[i] for i in range(len(skipped))] == [["first", "line"], ["third", "—", "line"]]
    with pytest.raises(FileNotFoundError, match=r"nope.txt"):
        TextLineDataset(tmp_path / "nope.txt")


def test_csv_dataset_with_indices_and_names(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text(
        'label,title,body\n1,"Hello, world",It is fine.\n0,Bad,"Quote ""inside"""\n',
        encoding="utf-8",
    )
    named = CSVTextDataset(
        path, label_column="label", text_column="body", has_header=True, target_transform=int
    )
    assert len(named) == 2
    assert named[0] == (1, "It is fine.") and named[1] == (0, 'Quote "inside"')
    joined = CSVTextDataset(path, text_column=[1, 2], has_header=True)
    assert joined[0] == ("1", "Hello, world It is fine.")
    unlabelled = CSVTextDataset(
        path, label_column=None, text_column=1, has_header=True, transform=str.lower
    )
    assert unlabelled[0] == "hello, world"
    no_header = CSVTextDataset(path)  # the header row is then an example
    assert no_header[0] == ("label", "title") and len(no_header) == 3


def test_tsv_dataset_and_csv_errors(tmp_path):
    path = tmp_path / "data.tsv"
    path.write_text("pos\tgreat, really\nneg\tawful\n\nneg\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"data.tsv' line 4 has 1 columns, expected at least 2"):
        TSVTextDataset(path)
    path.write_text("pos\tgreat, really\nneg\tawful\n", encoding="utf-8")
    ds = TSVTextDataset(path)
    assert ds[0] == ("pos", "great, really") and ds[1] == ("neg", "awful")
    with pytest.raises(ValueError, match=r"column 'text' is a name, but has_header=False"):
        CSVTextDataset(path, text_column="text", delimiter="\t")
    with pytest.raises(ValueError, match=r"has no column 'text'; its header is"):
        TSVTextDataset(path, text_column="text", has_header=True)


def test_jsonl_dataset(tmp_path):
    path = tmp_path / "data.jsonl"
    rows = [{"text": "good film", "label": 1, "id": 7}, {"text": "dull", "label": 0}]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    ds = JSONLDataset(path, transform=str.split)
    assert len(ds) == 2 and ds[0] == (1, ["good", "film"]) and ds[1] == (0, ["dull"])
    texts = JSONLDataset(path, label_field=None)
    assert texts[1] == "dull"
    with pytest.raises(KeyError, match=r"line 2 has no field 'id'"):
        JSONLDataset(path, label_field="id")
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "ok", "label": 1}\n{"text": oops}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl' line 2 is not valid JSON"):
        JSONLDataset(bad)
    bad.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1 holds a list, expected a JSON object"):
        JSONLDataset(bad)


# ----------------------------------------------------------------------------- LM blocks
@pytest.mark.parametrize("n, block, stride", [(10, 4, None), (11, 3, 2), (5, 4, 1), (4, 4, None)])
def test_lm_block_dataset(n, block, stride):
    tokens = np.arange(100, 100 + n)
    ds = LMBlockDataset(ember.tensor(tokens), block_size=block, stride=stride)
    step = block if stride is None else stride
    expected = []
    start = 0
    while start + block + 1 <= n:  # the definition: input plus one target token must fit
        expected.append((tokens[start : start + block], tokens[start + 1 : start + block + 1]))
        start += step
    assert len(ds) == len(expected)
    for i, (x_ref, y_ref) in enumerate(expected):
        x, y = ds[i]
        assert x.dtype == ember.int64 and x.shape == (block,)
        assert x.tolist() == x_ref.tolist() and y.tolist() == y_ref.tolist()
    if len(ds):
        assert ds[-1][0].tolist() == expected[-1][0].tolist()
    with pytest.raises(IndexError, match=f"index {len(ds)} is out of range"):
        ds[len(ds)]


def test_lm_block_dataset_errors():
    with pytest.raises(ValueError, match=r"tokens must be 1-D, got shape"):
        LMBlockDataset(np.zeros((2, 3), dtype=np.int64), 2)
    with pytest.raises(ValueError, match=r"block_size must be a positive integer, got 0"):
        LMBlockDataset([1, 2, 3], 0)
    with pytest.raises(ValueError, match=r"stride must be a positive integer"):
        LMBlockDataset([1, 2, 3], 1, stride=0)
    with pytest.raises(TypeError, match=r"integer ids"):
        LMBlockDataset([0.5, 1.5], 1)


# ----------------------------------------------------------------------------- collator
def _examples():
    return [
        {"input_ids": [5, 6, 7], "labels": [5, 6, 7], "token_type_ids": [0, 0, 1]},
        {"input_ids": np.array([8]), "labels": np.array([8]), "token_type_ids": [0]},
        {
            "input_ids": ember.tensor([9, 10]),
            "labels": ember.tensor([9, 10]),
            "token_type_ids": [0, 1],
        },
    ]


def _reference_pad(rows, length, fill, side):
    out = np.full((len(rows), length), fill, dtype=np.int64)
    for i, r in enumerate(rows):
        r = np.asarray(r.tolist() if hasattr(r, "tolist") else r)
        if side == "right":
            out[i, : len(r)] = r
        else:
            out[i, length - len(r) :] = r
    return out


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize(
    "padding, max_length, multiple, width",
    [
        (True, None, None, 3),
        ("longest", None, 4, 4),
        ("max_length", 6, None, 6),
        ("max_length", 5, 4, 8),
    ],
)
def test_collator_pads_ids_masks_and_labels(side, padding, max_length, multiple, width):
    collate = DataCollatorWithPadding(
        pad_token_id=1,
        padding=padding,
        max_length=max_length,
        pad_to_multiple_of=multiple,
        padding_side=side,
    )
    feats = _examples()
    batch = collate(feats)
    ids = [f["input_ids"] for f in feats]
    lengths = [3, 1, 2]
    assert set(batch) == {"input_ids", "attention_mask", "labels", "token_type_ids"}
    for value in batch.values():
        assert value.dtype == ember.int64 and value.shape == (3, width)
    assert np.array_equal(batch["input_ids"].numpy(), _reference_pad(ids, width, 1, side))
    mask = _reference_pad([np.ones(n) for n in lengths], width, 0, side)
    assert np.array_equal(batch["attention_mask"].numpy(), mask)
    labels = _reference_pad(ids, width, -100, side)
    assert np.array_equal(batch["labels"].numpy(), labels)
    assert np.all(batch["labels"].numpy()[mask == 0] == -100)
    types = _reference_pad([f["token_type_ids"] for f in feats], width, 0, side)
    assert np.array_equal(batch["token_type_ids"].numpy(), types)


def test_collator_with_tokenizer_outputs_and_class_labels():
    tok = Tokenizer.train_word_level(iterator=["a b c d e f"], special_tokens=["<unk>", "<pad>"])
    feats = []
    for text, label in [("a b c", 2), ("d", 0), ("e f", 1)]:
        enc = tok.encode(text)
        feats.append(
            {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"], "label": label}
        )
    batch = DataCollatorWithPadding(tok)(feats)
    assert batch["labels"].tolist() == [2, 0, 1]  # "label" renamed, stacked
    assert batch["attention_mask"].tolist() == [[1, 1, 1], [1, 0, 0], [1, 1, 0]]
    pad = tok.pad_token_id
    assert pad == 1
    assert batch["input_ids"].tolist()[1][1:] == [pad, pad]
    assert tok.decode_batch(batch["input_ids"], skip_special_tokens=True) == ["a b c", "d", "e f"]


def test_collator_labels_of_other_lengths_pad_to_their_own_longest():
    feats = [{"input_ids": [1, 2, 3], "labels": [4]}, {"input_ids": [5], "labels": [6, 7]}]
    batch = DataCollatorWithPadding(pad_token_id=0, pad_to_multiple_of=4)(feats)
    assert batch["input_ids"].tolist() == [[1, 2, 3, 0], [5, 0, 0, 0]]
    assert batch["labels"].tolist() == [[4, -100, -100, -100], [6, 7, -100, -100]]
    custom = DataCollatorWithPadding(pad_token_id=0, label_pad_token_id=-1)(feats)
    assert custom["labels"].tolist() == [[4, -1], [6, 7]]


def test_collator_errors():
    collate = DataCollatorWithPadding(pad_token_id=0, padding=False)
    with pytest.raises(ValueError, match=r"padding=False but the examples have different lengths"):
        collate([{"input_ids": [1, 2]}, {"input_ids": [3]}])
    assert collate([{"input_ids": [1, 2]}, {"input_ids": [3, 4]}])["input_ids"].shape == (2, 2)
    with pytest.raises(ValueError, match=r"padding='max_length' needs max_length"):
        DataCollatorWithPadding(padding="max_length")
    with pytest.raises(ValueError, match=r"an example has 3 tokens, more than max_length=2"):
        DataCollatorWithPadding(padding="max_length", max_length=2)([{"input_ids": [1, 2, 3]}])
    with pytest.raises(TypeError, match=r"example 0 must be a mapping with 'input_ids'"):
        DataCollatorWithPadding()([[1, 2, 3]])
    with pytest.raises(ValueError, match=r"example 1 has keys"):
        DataCollatorWithPadding()([{"input_ids": [1]}, {"input_ids": [1], "labels": [1]}])
    with pytest.raises(ValueError, match=r"input_ids must be 1-D"):
        DataCollatorWithPadding()([{"input_ids": [[1, 2]]}])
    with pytest.raises(ValueError, match=r"empty list"):
        DataCollatorWithPadding()([])
    tok = Tokenizer.train_word_level(iterator=["a b"], special_tokens=["<unk>"])
    with pytest.raises(ValueError, match=r"the tokenizer has no padding token"):
        DataCollatorWithPadding(tok)


# ----------------------------------------------------------------------------- bucketing
LENGTHS = np.random.default_rng(0).integers(1, 60, size=103).tolist()


def _bucket_of(sampler):
    return {i: b for b, bucket in enumerate(sampler.buckets) for i in bucket}


@pytest.mark.parametrize("kwargs", [{"bucket_size": 20}, {"num_buckets": 4}, {}])
@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("drop_last", [False, True])
def test_bucket_batch_sampler(kwargs, shuffle, drop_last):
    g = ember.Generator().manual_seed(1)
    sampler = BucketBatchSampler(
        LENGTHS, batch_size=8, shuffle=shuffle, drop_last=drop_last, generator=g, **kwargs
    )
    # the buckets: consecutive runs of the length-sorted indices
    order = sorted(range(len(LENGTHS)), key=lambda i: (LENGTHS[i], i))
    assert [i for b in sampler.buckets for i in b] == order
    bounds = [(min(LENGTHS[i] for i in b), max(LENGTHS[i] for i in b)) for b in sampler.buckets]
    assert all(hi <= lo_next for (_, hi), (lo_next, _) in itertools.pairwise(bounds))
    batches = list(sampler)
    assert len(batches) == len(sampler)
    where = _bucket_of(sampler)
    for batch in batches:
        assert len({where[i] for i in batch}) == 1  # one bucket per batch
        lo, hi = bounds[where[batch[0]]]
        assert all(lo <= LENGTHS[i] <= hi for i in batch)
        assert len(batch) == 8 or not drop_last
    seen = [i for b in batches for i in b]
    assert len(seen) == len(set(seen))  # no index twice
    if drop_last:
        assert all(len(b) == 8 for b in batches)
        expected = sum(len(b) // 8 * 8 for b in sampler.buckets)
        assert len(seen) == expected
    else:
        assert sorted(seen) == list(range(len(LENGTHS)))  # every index exactly once
    if not shuffle:
        assert seen == [i for i in order if i in set(seen)]


def test_bucket_sampler_seeds_reproduce_and_epochs_differ():
    def run(seed):
        g = ember.Generator().manual_seed(seed)
        s = BucketBatchSampler(LENGTHS, batch_size=8, num_buckets=3, generator=g)
        return list(s), list(s)

    first, second = run(0)
    again_first, again_second = run(0)
    assert first == again_first and second == again_second
    assert first != second  # a new shuffle each epoch
    assert run(1)[0] != first
    ember.manual_seed(3)
    a = list(BucketBatchSampler(LENGTHS, batch_size=8, num_buckets=3))
    ember.manual_seed(3)
    assert list(BucketBatchSampler(LENGTHS, batch_size=8, num_buckets=3)) == a


def test_bucketing_reduces_padding():
    sampler = BucketBatchSampler(
        LENGTHS, batch_size=8, num_buckets=6, generator=ember.Generator().manual_seed(0)
    )
    bucketed = sum(len(b) * max(LENGTHS[i] for i in b) for b in sampler)
    plain = sum(
        len(LENGTHS[s : s + 8]) * max(LENGTHS[s : s + 8]) for s in range(0, len(LENGTHS), 8)
    )
    assert bucketed < 0.8 * plain


def test_bucket_sampler_errors():
    with pytest.raises(ValueError, match=r"give bucket_size or num_buckets, not both"):
        BucketBatchSampler(LENGTHS, 4, bucket_size=10, num_buckets=2)
    with pytest.raises(ValueError, match=r"batch_size should be a positive integer value"):
        BucketBatchSampler(LENGTHS, 0)
    with pytest.raises(ValueError, match=r"num_buckets should be a positive integer value"):
        BucketBatchSampler(LENGTHS, 4, num_buckets=0)
    with pytest.raises(ValueError, match=r"lengths must be a non-empty 1-D"):
        BucketBatchSampler([], 4)
    with pytest.raises(ValueError, match=r"Invalid rank 2"):
        DistributedBucketBatchSampler(LENGTHS, 4, num_replicas=2, rank=2)


@pytest.mark.parametrize("replicas", [2, 3, 4])
def test_distributed_bucket_sampler_exact_split(replicas):
    samplers = [
        DistributedBucketBatchSampler(
            LENGTHS, 8, num_replicas=replicas, rank=r, num_buckets=4, seed=5, even_batches=False
        )
        for r in range(replicas)
    ]
    shares = [list(s) for s in samplers]
    assert [len(s) for s in shares] == [len(s) for s in samplers]
    flat = [i for share in shares for b in share for i in b]
    assert sorted(flat) == list(range(len(LENGTHS)))  # disjoint, and together they cover all
    where = _bucket_of(samplers[0])
    for share in shares:
        for batch in share:
            assert len({where[i] for i in batch}) == 1
    # the replicas agree on the batches: together they are the full shuffled list
    full = DistributedBucketBatchSampler(LENGTHS, 8, num_buckets=4, seed=5)
    interleaved = [
        b for k in range(max(map(len, shares))) for s in shares if k < len(s) for b in [s[k]]
    ]
    assert interleaved == list(full)


def test_distributed_bucket_sampler_even_and_drop_last():
    replicas = 3
    total = len(BucketBatchSampler(LENGTHS, 8, num_buckets=4))
    assert total % replicas  # the padding case is exercised
    even = [
        list(
            DistributedBucketBatchSampler(LENGTHS, 8, num_replicas=replicas, rank=r, num_buckets=4)
        )
        for r in range(replicas)
    ]
    assert len({len(s) for s in even}) == 1
    flat = [tuple(b) for s in even for b in s]
    assert {i for b in flat for i in b} == set(range(len(LENGTHS)))
    # only the padding repeats batches
    assert len(flat) - len(set(flat)) == -(-total // replicas) * replicas - total
    dropped = [
        list(
            DistributedBucketBatchSampler(
                LENGTHS, 8, num_replicas=replicas, rank=r, num_buckets=4, drop_last=True
            )
        )
        for r in range(replicas)
    ]
    assert len({len(s) for s in dropped}) == 1
    flat = [i for s in dropped for b in s for i in b]
    assert len(flat) == len(set(flat)) and all(len(b) == 8 for s in dropped for b in s)


def test_distributed_bucket_sampler_set_epoch():
    s = DistributedBucketBatchSampler(LENGTHS, 8, num_replicas=2, rank=1, num_buckets=3, seed=7)
    epoch0 = list(s)
    assert list(s) == epoch0  # the same until the epoch changes
    s.set_epoch(1)
    assert list(s) != epoch0
    s.set_epoch(0)
    assert list(s) == epoch0
    unshuffled = DistributedBucketBatchSampler(LENGTHS, 8, num_buckets=3, shuffle=False)
    assert list(unshuffled) == list(BucketBatchSampler(LENGTHS, 8, num_buckets=3, shuffle=False))


def test_bucket_sampler_in_a_dataloader():
    data = [list(range(n)) for n in LENGTHS]

    class Seqs(Dataset):
        def __len__(self):
            return len(data)

        def __getitem__(self, i):
            return {"input_ids": data[i]}

    sampler = BucketBatchSampler(
        LENGTHS, 8, num_buckets=5, generator=ember.Generator().manual_seed(0)
    )
    loader = DataLoader(
        Seqs(), batch_sampler=sampler, collate_fn=DataCollatorWithPadding(pad_token_id=0)
    )
    count = 0
    for batch, indices in zip(
        loader,
        list(
            BucketBatchSampler(
                LENGTHS, 8, num_buckets=5, generator=ember.Generator().manual_seed(0)
            )
        ),
    ):
        assert batch["input_ids"].shape[1] == max(LENGTHS[i] for i in indices)
        assert batch["attention_mask"].sum(1).tolist() == [LENGTHS[i] for i in indices]
        count += len(indices)
    assert count == len(LENGTHS)


# ----------------------------------------------------------------------------- workers
class _EncodedLines(Dataset):
    def __init__(self, lines, tokenizer):
        self.lines = lines
        self.tokenizer = tokenizer

    def __len__(self):
        return len(self.lines)

    def __getitem__(self, i):
        enc = self.tokenizer.encode(self.lines[i])
        parallel_off = os.environ.get("TOKENIZERS_PARALLELISM") == "false"
        return {"input_ids": enc["input_ids"], "parallelism_off": int(parallel_off)}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork-started workers")
def test_tokenizer_in_a_two_worker_dataloader(tmp_path, monkeypatch, capfd):
    monkeypatch.delenv("TOKENIZERS_PARALLELISM", raising=False)
    words = ["the", "cat", "sat", "on", "a", "mat", "while", "the", "dog", "ran", "in", "park"]
    lines = [" ".join(words[i % 7 : i % 7 + 2 + i % 5]) for i in range(40)]
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tok = Tokenizer.train_bpe(files=path, vocab_size=80)
    tok.encode_batch(lines * 10)  # the thread pool has run in this process before the fork
    dataset = _EncodedLines(TextLineDataset(path), tok)
    collate = DataCollatorWithPadding(tok)
    serial = list(DataLoader(dataset, batch_size=8, collate_fn=collate))
    parallel = list(
        DataLoader(
            dataset, batch_size=8, collate_fn=collate, num_workers=2, multiprocessing_context="fork"
        )
    )
    assert len(parallel) == len(serial) == 5
    for a, b in zip(serial, parallel):
        assert a["input_ids"].tolist() == b["input_ids"].tolist()
        assert a["attention_mask"].tolist() == b["attention_mask"].tolist()
    # the workers encoded with parallelism off; the main process is left as it was
    assert all(batch["parallelism_off"].tolist() == [1] * 8 for batch in parallel)
    assert all(batch["parallelism_off"].tolist() == [0] * 8 for batch in serial)
    assert "TOKENIZERS_PARALLELISM" not in os.environ
    assert "huggingface/tokenizers" not in capfd.readouterr().err
    decoded = tok.decode_batch(parallel[0]["input_ids"], skip_special_tokens=True)
    assert decoded == lines[:8]
