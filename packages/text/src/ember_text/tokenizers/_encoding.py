"""``BatchEncoding``: the dict of Ember tensors that ``Tokenizer.encode`` returns, and the
padding that builds it from the ``tokenizers`` library's encodings."""

from __future__ import annotations

import numpy as np

__all__ = ["BatchEncoding"]

_PADDING_CHOICES = (False, True, "longest", "max_length", "do_not_pad")
_SIDES = ("right", "left")


class BatchEncoding(dict):
    """The result of :meth:`Tokenizer.encode` / :meth:`Tokenizer.encode_batch`.

    A ``dict`` from field name to an ``int64`` Ember tensor, with attribute access
    (``enc.input_ids``), as Hugging Face's ``BatchEncoding``. Fields: ``input_ids``,
    ``attention_mask`` (1 for real tokens, 0 for padding), ``offset_mapping`` (the
    ``(start, end)`` character span of each token in its text, ``(0, 0)`` for special and
    padding tokens) and, on request, ``token_type_ids``, ``special_tokens_mask`` and
    ``overflow_to_sample_mapping``.

    Shape:
        - From ``encode``: ``input_ids`` ``(L,)``, ``offset_mapping`` ``(L, 2)``.
        - From ``encode_batch``: ``input_ids`` ``(B, L)``, ``offset_mapping`` ``(B, L, 2)``.

    Attributes:
        encodings: the ``tokenizers.Encoding`` of each row (before padding).
    """

    def __init__(self, data=None, encodings=None):
        super().__init__(data or {})
        self.encodings = list(encodings or [])

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"BatchEncoding has no field {name!r}; it has {sorted(self)}"
            ) from None

    def tokens(self, index: int = 0) -> list[str]:
        """The token strings of row ``index`` (before padding)."""
        return list(self.encodings[index].tokens)

    def to(self, device) -> BatchEncoding:
        """A new ``BatchEncoding`` with every tensor moved to ``device``."""
        return BatchEncoding({k: v.to(device) for k, v in self.items()}, self.encodings)

    def __reduce__(self):
        # ``tokenizers.Encoding`` does not pickle; DataLoader workers send the tensors only.
        return (BatchEncoding, (dict(self),))


def check_padding(padding, max_length, pad_to_multiple_of, padding_side, where: str) -> str:
    """Normalise ``padding`` to ``"none"``, ``"longest"`` or ``"max_length"``."""
    if padding not in _PADDING_CHOICES or (
        padding is not True and padding is not False and not isinstance(padding, str)
    ):
        raise ValueError(
            f"{where}: padding must be False, True, 'longest', 'max_length' or 'do_not_pad', "
            f"got {padding!r}"
        )
    mode = {False: "none", "do_not_pad": "none", True: "longest", "longest": "longest"}.get(
        padding, "max_length"
    )
    if mode == "max_length" and max_length is None:
        raise ValueError(f"{where}: padding='max_length' needs max_length, got max_length=None")
    if pad_to_multiple_of is not None and (
        isinstance(pad_to_multiple_of, bool)
        or not isinstance(pad_to_multiple_of, int)
        or pad_to_multiple_of < 1
    ):
        raise ValueError(
            f"{where}: pad_to_multiple_of must be a positive integer or None, got "
            f"{pad_to_multiple_of!r}"
        )
    if padding_side not in _SIDES:
        raise ValueError(f"{where}: padding_side must be 'right' or 'left', got {padding_side!r}")
    return mode


def padded_length(lengths, mode, max_length, pad_to_multiple_of) -> int:
    """The common length of a batch of sequences of ``lengths`` under a padding mode."""
    target = max(lengths, default=0)
    if mode == "max_length":
        target = max(max_length, target)
    if pad_to_multiple_of is not None and mode != "none":
        target = -(-target // pad_to_multiple_of) * pad_to_multiple_of
    return target


def build(
    encodings,
    fields,
    mode,
    max_length,
    pad_to_multiple_of,
    padding_side,
    pad_id,
    pad_type_id,
    where: str,
    single: bool,
    sample_mapping=None,
) -> BatchEncoding:
    """Pad ``encodings`` (``tokenizers.Encoding``) to one length and stack the ``fields``."""
    import ember

    lengths = [len(e.ids) for e in encodings]
    if mode == "none" and len(set(lengths)) > 1:
        raise ValueError(
            f"{where}: the sequences have different lengths ({min(lengths)} to {max(lengths)} "
            "tokens) and cannot be stacked into one tensor; pass padding='longest' (or "
            "padding='max_length' with max_length), or encode them one by one"
        )
    if mode == "max_length" and max(lengths, default=0) > max_length:
        raise ValueError(
            f"{where}: a sequence has {max(lengths)} tokens, more than max_length={max_length}, "
            "so padding='max_length' cannot give one length; pass truncation=True as well"
        )
    target = padded_length(lengths, mode, max_length, pad_to_multiple_of)
    if target > min(lengths, default=0) and pad_id is None:
        raise ValueError(
            f"{where}: asked to pad, but the tokenizer has no padding token; pass pad_token= "
            "when making the Tokenizer (a token of its vocabulary, e.g. '<pad>')"
        )
    batch = len(encodings)
    fill = {
        "input_ids": pad_id if pad_id is not None else 0,
        "attention_mask": 0,
        "token_type_ids": pad_type_id,
        "special_tokens_mask": 1,
    }
    arrays = {}
    for name in fields:
        shape = (batch, target, 2) if name == "offset_mapping" else (batch, target)
        arrays[name] = np.full(shape, fill.get(name, 0), dtype=np.int64)
    for row, enc in enumerate(encodings):
        n = lengths[row]
        span = slice(0, n) if padding_side == "right" else slice(target - n, target)
        for name in fields:
            values = _field_values(enc, name)
            if n:
                arrays[name][row, span] = values
    data = {}
    for name in fields:
        arr = arrays[name][0] if single else arrays[name]
        data[name] = ember.tensor(arr, dtype=ember.int64)
    if sample_mapping is not None:
        data["overflow_to_sample_mapping"] = ember.tensor(
            np.asarray(sample_mapping, dtype=np.int64), dtype=ember.int64
        )
    return BatchEncoding(data, encodings)


def _field_values(enc, name):
    if name == "input_ids":
        return enc.ids
    if name == "attention_mask":
        return enc.attention_mask
    if name == "offset_mapping":
        return np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    if name == "token_type_ids":
        return enc.type_ids
    if name == "special_tokens_mask":
        return enc.special_tokens_mask
    raise KeyError(name)
