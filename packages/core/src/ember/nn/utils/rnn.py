"""Variable-length sequences for the recurrent layers: ``PackedSequence`` and the functions
that pack, pad and unpad batches of sequences (``torch.nn.utils.rnn``'s API).

A ``PackedSequence`` stores the time steps of a batch of sequences sorted by decreasing
length, time-major: ``data[s:s + batch_sizes[t]]`` is step ``t`` of the sequences still
running. ``sorted_indices`` maps that order to the original batch order.

Packing and padding are gathers with one index array (``Tensor.__getitem__``), so gradients
flow through them.

Example:
    >>> import ember
    >>> from ember.nn.utils.rnn import pack_sequence, pad_packed_sequence
    >>> p = pack_sequence([ember.tensor([1, 2, 3]), ember.tensor([4, 5])])
    >>> p.data, p.batch_sizes
    (tensor([1, 4, 2, 5, 3]), tensor([2, 2, 1]))
    >>> padded, lengths = pad_packed_sequence(p, batch_first=True)
    >>> padded
    tensor([[1, 2, 3],
            [4, 5, 0]])
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

import numpy as np

from ..._tensor import Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
    "pack_sequence",
    "unpack_sequence",
]


class _PackedSequenceBase(NamedTuple):
    data: Tensor
    batch_sizes: Tensor
    sorted_indices: Tensor | None
    unsorted_indices: Tensor | None


class PackedSequence(_PackedSequenceBase):
    """The packed form of a batch of variable-length sequences (see the module docstring).

    Build it with :func:`pack_padded_sequence` or :func:`pack_sequence`, not directly.
    ``batch_sizes`` always lives on the CPU; the index tensors follow ``data``'s device.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:  # PackedSequence((data, batch_sizes)) as PyTorch allows
            data, batch_sizes = data
        if batch_sizes.device.type != "cpu":
            raise ValueError(
                "batch_sizes should always be on CPU. Instances of PackedSequence should never "
                "be created manually. They should be instantiated by functions like "
                "pack_sequence and pack_padded_sequences in nn.utils.rnn."
            )
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs) -> PackedSequence:
        """Move/cast ``data`` like ``Tensor.to``; the index tensors follow its device."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        sorted_i = None if self.sorted_indices is None else self.sorted_indices.to(dev)
        unsorted_i = None if self.unsorted_indices is None else self.unsorted_indices.to(dev)
        return type(self)(data, self.batch_sizes, sorted_i, unsorted_i)

    def cuda(self, *args, **kwargs) -> PackedSequence:
        return self.to(*(args or ("cuda",)), **kwargs)

    def cpu(self, *args, **kwargs) -> PackedSequence:
        return self.to("cpu")

    def _as(self, dtype_name):
        import ember

        return self.to(dtype=getattr(ember, dtype_name))

    def double(self) -> PackedSequence:
        return self._as("float64")

    def float(self) -> PackedSequence:
        return self._as("float32")

    def half(self) -> PackedSequence:
        return self._as("float16")

    def long(self) -> PackedSequence:
        return self._as("int64")

    def int(self) -> PackedSequence:
        return self._as("int32")

    def short(self) -> PackedSequence:
        return self._as("int16")

    def char(self) -> PackedSequence:
        return self._as("int8")

    def byte(self) -> PackedSequence:
        return self._as("uint8")

    @property
    def is_cuda(self) -> bool:
        return self.data.is_cuda

    def is_pinned(self) -> bool:
        return False


def invert_permutation(permutation: Tensor | None) -> Tensor | None:
    """The inverse of a permutation (None stays None)."""
    if permutation is None:
        return None
    import ember

    perm = _cpu_ints(permutation)
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.shape[0])
    return ember.tensor(inv).to(permutation.device)


def _cpu_ints(t) -> np.ndarray:
    data = t._data if isinstance(t, Tensor) else np.asarray(t)
    if data.__class__ is not np.ndarray:
        data = data.get()
    return data.astype(np.int64, copy=False)


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1 or lengths.device.type != "cpu":
            raise RuntimeError(
                "'lengths' argument should be a 1D CPU int64 tensor, but got "
                f"{lengths.ndim}D {lengths.device} {lengths.dtype} tensor"
            )
        return _cpu_ints(lengths)
    arr = np.asarray(lengths)
    if arr.ndim != 1:
        raise RuntimeError(
            f"'lengths' argument should be a 1D CPU int64 tensor, but got {arr.ndim}D list"
        )
    return arr.astype(np.int64)


def _batch_sizes_of(lengths: np.ndarray) -> np.ndarray:
    """``batch_sizes[t]`` = number of sequences longer than ``t`` (lengths sorted)."""
    steps = np.arange(int(lengths[0]))
    return (lengths[None, :] > steps[:, None]).sum(axis=1).astype(np.int64)


def _gather_rows(src: Tensor, index: np.ndarray) -> Tensor:
    """``src[index]`` with ``index`` an integer array (moved to ``src``'s device)."""
    if src._data.__class__ is not np.ndarray:
        from ..._tensor import _wrap

        idx = _wrap(index).to(src.device)
        return src[idx]
    return src[index]


def pack_padded_sequence(
    input: Tensor, lengths, batch_first: bool = False, enforce_sorted: bool = True
) -> PackedSequence:
    """Pack a padded batch ``(T, B, *)`` (``(B, T, *)`` with ``batch_first``) of sequences
    with the given ``lengths``.

    With ``enforce_sorted=True`` the lengths must be in decreasing order; otherwise the batch
    is sorted here and the permutation kept in ``sorted_indices``.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pack_padded_sequence
        >>> x = ember.tensor([[1, 2], [3, 4], [5, 0]])
        >>> pack_padded_sequence(x, [3, 2]).batch_sizes
        tensor([2, 2, 1])
    """
    import ember

    lens = _lengths_array(lengths)
    batch_dim = 0 if batch_first else 1
    if input.ndim < 2:
        raise RuntimeError(
            f"pack_padded_sequence: expected input of at least 2 dimensions (time and batch), "
            f"got {input.ndim}"
        )
    batch = input.shape[batch_dim]
    if lens.shape[0] != batch:
        raise RuntimeError(
            f"Expected `len(lengths)` to be equal to batch_size, but got {lens.shape[0]} "
            f"(batch_size={batch})"
        )
    sorted_indices = None
    if enforce_sorted:
        if np.any(np.diff(lens) > 0):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
                "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
                "pack_sequence to sidestep this requirement if you do not need ONNX "
                "exportability."
            )
        order = None
    else:
        order = np.argsort(-lens, kind="stable")
        lens = lens[order]
        sorted_indices = ember.tensor(order).to(input.device)
    if lens.shape[0] and lens[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' "
            "that is <= 0"
        )
    steps = input.shape[1 - batch_dim]
    if lens.shape[0] and lens[0] > steps:
        raise RuntimeError(
            f"pack_padded_sequence: a length ({int(lens[0])}) exceeds the padded sequence "
            f"length {steps}"
        )
    batch_sizes = _batch_sizes_of(lens)
    cols = np.arange(batch) if order is None else order
    t_idx = np.concatenate([np.full(b, t) for t, b in enumerate(batch_sizes)])
    b_idx = np.concatenate([cols[:b] for b in batch_sizes])
    flat_index = b_idx * steps + t_idx if batch_first else t_idx * batch + b_idx
    flat = input.reshape(steps * batch, *input.shape[2:])
    data = _gather_rows(flat, flat_index)
    return PackedSequence(data, ember.tensor(batch_sizes), sorted_indices, None)


def pad_packed_sequence(
    sequence: PackedSequence,
    batch_first: bool = False,
    padding_value: float = 0.0,
    total_length: int | None = None,
):
    """Undo :func:`pack_padded_sequence`: returns ``(padded, lengths)`` with the batch in
    its original order; ``total_length`` pads the time dimension further.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pack_sequence, pad_packed_sequence
        >>> p = pack_sequence([ember.tensor([1.0]), ember.tensor([2.0, 3.0])], False)
        >>> pad_packed_sequence(p, padding_value=-1.0)
        (tensor([[ 1.,  2.],
                [-1.,  3.]]), tensor([1, 2]))
    """
    import ember

    data = sequence.data
    sizes = _cpu_ints(sequence.batch_sizes)
    max_len = sizes.shape[0]
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{max_len}"
            )
        max_len = total_length
    batch = int(sizes[0])
    n = data.shape[0]
    # index[t, b] = row of data holding step t of sorted sequence b, or n (the padding row)
    index = np.full((max_len, batch), n, dtype=np.int64)
    start = 0
    for t, b in enumerate(sizes):
        index[t, :b] = np.arange(start, start + b)
        start += b
    lengths = (index[: sizes.shape[0]] < n).sum(axis=0)
    unsorted = sequence.unsorted_indices
    if unsorted is not None:
        perm = _cpu_ints(unsorted)
        index = index[:, perm]
        lengths = lengths[perm]
    if batch_first:
        index = np.ascontiguousarray(index.T)
    pad = ember.full((1, *data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    src = ember.cat([data, pad], 0)
    return _gather_rows(src, index), ember.tensor(lengths.astype(np.int64))


def pad_sequence(
    sequences,
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of shapes ``(L_i, *)`` into ``(T, B, *)`` (``(B, T, *)`` with
    ``batch_first``), padding with ``padding_value`` on ``padding_side``.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pad_sequence
        >>> pad_sequence([ember.tensor([1, 2]), ember.tensor([3])], batch_first=True)
        tensor([[1, 2],
                [3, 0]])
    """
    import ember

    if padding_side not in ("left", "right"):
        raise RuntimeError(
            f"Expected padding_side to be one of left or right, but got {padding_side}."
        )
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    elif not isinstance(sequences, Iterable):
        raise RuntimeError(
            "pad_sequence: Expected iterable for input sequences, but got arg of type: "
            f"{type(sequences).__name__}"
        )
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("pad_sequence: received an empty list of sequences")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(
                "pad_sequence: all sequences must have the same trailing dimensions, got "
                f"{list(sequences[0].shape)} and {list(s.shape)}"
            )
    lens = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    n = int(lens.sum())
    max_len = int(lens.max())
    first = sequences[0]
    pad = ember.full((1, *trailing), padding_value, dtype=first.dtype, device=first.device)
    src = ember.cat([*sequences, pad], 0)
    index = np.full((len(sequences), max_len), n, dtype=np.int64)
    starts = np.concatenate(([0], np.cumsum(lens)[:-1]))
    for b, (s, ln) in enumerate(zip(starts, lens)):
        if padding_side == "right":
            index[b, :ln] = np.arange(s, s + ln)
        else:
            index[b, max_len - ln :] = np.arange(s, s + ln)
    if not batch_first:
        index = np.ascontiguousarray(index.T)
    return _gather_rows(src, index)


def unpad_sequence(padded_sequences: Tensor, lengths, batch_first: bool = False) -> list:
    """Split a padded batch back into a list of sequences of the given ``lengths``.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import unpad_sequence
        >>> unpad_sequence(ember.tensor([[1, 2], [3, 0]]), [2, 1], batch_first=True)
        [tensor([1, 2]), tensor([3])]
    """
    lens = _lengths_array(lengths)
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i, : int(ln)] for i, ln in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """Pack a list of sequences of shapes ``(L_i, *)`` (see :func:`pack_padded_sequence`).

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pack_sequence
        >>> pack_sequence([ember.tensor([1]), ember.tensor([2, 3])], enforce_sorted=False).data
        tensor([2, 1, 3])
    """
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences: PackedSequence) -> list:
    """Undo :func:`pack_sequence`: the list of sequences, in their original order.

    Example:
        >>> import ember
        >>> from ember.nn.utils.rnn import pack_sequence, unpack_sequence
        >>> unpack_sequence(pack_sequence([ember.tensor([1]), ember.tensor([2, 3])], False))
        [tensor([1]), tensor([2, 3])]
    """
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
