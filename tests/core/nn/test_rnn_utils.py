"""ember.nn.utils.rnn: packing, padding, round trips, gradients and errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.nn.utils.rnn import (
    PackedSequence,
    invert_permutation,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)


def np_pack(x, lengths):
    """Reference packing of a time-major padded array with sorted lengths."""
    data, sizes = [], []
    for t in range(max(lengths)):
        rows = [x[t, b] for b in range(len(lengths)) if lengths[b] > t]
        sizes.append(len(rows))
        data.extend(rows)
    return np.array(data), np.array(sizes)


def test_pack_padded_sequence_matches_reference():
    x = np.arange(4 * 3 * 2, dtype=np.float64).reshape(4, 3, 2)
    p = pack_padded_sequence(ember.tensor(x), [4, 3, 1])
    data, sizes = np_pack(x, [4, 3, 1])
    np.testing.assert_array_equal(p.data.numpy(), data)
    assert p.batch_sizes.tolist() == sizes.tolist() == [3, 2, 2, 1]
    assert p.batch_sizes.dtype == ember.int64
    assert p.sorted_indices is None and p.unsorted_indices is None
    pb = pack_padded_sequence(ember.tensor(x.transpose(1, 0, 2)), [4, 3, 1], batch_first=True)
    np.testing.assert_array_equal(pb.data.numpy(), data)


def test_unsorted_lengths_and_round_trip():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 3, 2))
    lengths = [2, 5, 3]
    for i, ln in enumerate(lengths):
        x[ln:, i] = 0
    p = pack_padded_sequence(ember.tensor(x), ember.tensor(lengths), enforce_sorted=False)
    assert p.sorted_indices.tolist() == [1, 2, 0]
    assert p.unsorted_indices.tolist() == [2, 0, 1]
    assert p.batch_sizes.tolist() == [3, 3, 2, 1, 1]
    padded, lens = pad_packed_sequence(p)
    np.testing.assert_array_equal(padded.numpy(), x)
    assert lens.tolist() == lengths and lens.dtype == ember.int64
    padded, _ = pad_packed_sequence(p, batch_first=True, padding_value=-1.0, total_length=7)
    assert padded.shape == (3, 7, 2)
    assert np.all(padded.numpy()[0, 2:] == -1) and np.all(padded.numpy()[1, 5:] == -1)
    np.testing.assert_array_equal(padded.numpy()[1, :5], x[:5, 1])


def test_pack_and_pad_are_differentiable(gradcheck, rand):
    lengths = [3, 1, 2]
    gradcheck(
        lambda x: pad_packed_sequence(
            pack_padded_sequence(x, lengths, enforce_sorted=False), padding_value=0.5
        )[0],
        rand(3, 3, 2),
    )
    gradcheck(
        lambda a, b: pad_sequence([a, b], batch_first=True, padding_side="left"),
        rand(2, 3),
        rand(4, 3),
    )


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    seqs = [np.ones((2, 3)), 2 * np.ones((4, 3)), 3 * np.ones((1, 3))]
    out = pad_sequence(
        [ember.tensor(s) for s in seqs],
        batch_first=batch_first,
        padding_value=-1.0,
        padding_side=side,
    ).numpy()
    ref = np.full((3, 4, 3), -1.0)
    for i, s in enumerate(seqs):
        if side == "right":
            ref[i, : len(s)] = s
        else:
            ref[i, 4 - len(s) :] = s
    if not batch_first:
        ref = ref.transpose(1, 0, 2)
    np.testing.assert_array_equal(out, ref)


def test_pack_sequence_unpack_unpad():
    seqs = [ember.tensor([1, 2, 3]), ember.tensor([4]), ember.tensor([5, 6])]
    with pytest.raises(RuntimeError, match="must be sorted in decreasing order"):
        pack_sequence(seqs)
    p = pack_sequence(seqs, enforce_sorted=False)
    assert p.data.tolist() == [1, 5, 4, 2, 6, 3]
    assert [s.tolist() for s in unpack_sequence(p)] == [[1, 2, 3], [4], [5, 6]]
    padded = pad_sequence(seqs)
    assert [s.tolist() for s in unpad_sequence(padded, [3, 1, 2])] == [[1, 2, 3], [4], [5, 6]]


def test_packed_sequence_api():
    p = pack_sequence([ember.tensor([1.0, 2.0]), ember.tensor([3.0])])
    data = p[0]
    assert p.data is data and isinstance(p, tuple) and isinstance(p, PackedSequence)
    assert not p.is_cuda and not p.is_pinned()
    d = p.double()
    assert d.data.dtype == ember.float64 and d.batch_sizes is p.batch_sizes
    assert p.to(ember.float32) is p
    assert p._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert invert_permutation(ember.tensor([2, 0, 1])).tolist() == [1, 2, 0]
    assert invert_permutation(None) is None


def test_errors():
    x = ember.randn(4, 3, 2)
    with pytest.raises(RuntimeError, match="Length of all samples has to be greater than 0"):
        pack_padded_sequence(x, [4, 3, 0])
    with pytest.raises(RuntimeError, match=r"Expected `len\(lengths\)` to be equal to batch_size"):
        pack_padded_sequence(x, [4, 3])
    with pytest.raises(RuntimeError, match="'lengths' argument should be a 1D CPU int64 tensor"):
        pack_padded_sequence(x, ember.tensor([[4, 3, 2]]))
    with pytest.raises(RuntimeError, match="exceeds the padded sequence length 4"):
        pack_padded_sequence(x, [5, 3, 2])
    p = pack_padded_sequence(x, [4, 2, 1])
    with pytest.raises(ValueError, match="Expected total_length to be at least"):
        pad_packed_sequence(p, total_length=2)
    with pytest.raises(RuntimeError, match="Expected padding_side to be one of left or right"):
        pad_sequence([ember.ones(2)], padding_side="mid")
