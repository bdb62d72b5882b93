"""``DataCollatorWithPadding``: a list of encoded examples to one padded batch."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["DataCollatorWithPadding"]

_LABEL_KEYS = ("labels", "label", "label_ids")
# Fill values of the per-token fields padded along with input_ids (others: 0).
_FILL = {"attention_mask": 0, "token_type_ids": 0, "special_tokens_mask": 1}


def _as_array(value, key: str, index: int) -> np.ndarray:
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        return np.asarray(value)
    except ValueError as exc:
        raise ValueError(
            f"DataCollatorWithPadding: example {index} field {key!r} is not a regular array ({exc})"
        ) from None


class DataCollatorWithPadding:
    """Pad a list of examples to one length and stack them into Ember tensors.

    Each example is a mapping with ``input_ids`` (a 1-D list, array or tensor) and optionally
    ``attention_mask``, ``token_type_ids``, ``special_tokens_mask``, ``offset_mapping`` and a
    label (``labels``, ``label`` or ``label_ids``, returned as ``labels``). ``input_ids`` is
    padded with the padding id, ``attention_mask`` with 0 (and built, 1 per real token, when
    the examples have none), the other per-token fields with 0 (``special_tokens_mask``: 1).
    Sequence labels are padded with ``label_pad_token_id`` (-100, which the cross-entropy loss
    ignores): to the padded input length when each has its example's input length (token
    labels, causal language modelling), else to their own longest. Scalar labels are
    stacked. Any other field is collated with ``default_collate``.

    Args:
        tokenizer: a :class:`~ember_text.tokenizers.Tokenizer` giving the padding id (or use
            ``pad_token_id``).
        padding: ``True``/``"longest"`` (pad to the longest example), ``"max_length"`` (pad to
            ``max_length``) or ``False`` (the examples must have one length). Default: ``True``.
        max_length: the length for ``padding="max_length"``.
        pad_to_multiple_of: round the padded length up to a multiple of this (e.g. 8 for
            tensor cores).
        pad_token_id: the padding id when no tokenizer is given. Default: the tokenizer's, or 0.
        label_pad_token_id: the fill value of sequence labels. Default: ``-100``.
        padding_side: pad on the ``"right"`` or the ``"left"``. Default: ``"right"``.

    Returns:
        A dict of ``int64`` Ember tensors (``(B, L)`` for the per-token fields).

    Example:
        >>> from ember_text.data import DataCollatorWithPadding
        >>> collate = DataCollatorWithPadding(pad_token_id=0)
        >>> batch = collate([{"input_ids": [5, 6, 7], "labels": [5, 6, 7]},
        ...                  {"input_ids": [8], "labels": [8]}])
        >>> batch["input_ids"].tolist(), batch["attention_mask"].tolist()
        ([[5, 6, 7], [8, 0, 0]], [[1, 1, 1], [1, 0, 0]])
        >>> batch["labels"].tolist()
        [[5, 6, 7], [8, -100, -100]]
    """

    def __init__(
        self,
        tokenizer=None,
        padding=True,
        max_length: int | None = None,
        pad_to_multiple_of: int | None = None,
        *,
        pad_token_id: int | None = None,
        label_pad_token_id: int = -100,
        padding_side: str = "right",
    ):
        from ..tokenizers._encoding import check_padding

        self.mode = check_padding(
            padding, max_length, pad_to_multiple_of, padding_side, "DataCollatorWithPadding"
        )
        if pad_token_id is None and tokenizer is not None:
            pad_token_id = tokenizer.pad_token_id
            if pad_token_id is None and self.mode != "none":
                raise ValueError(
                    "DataCollatorWithPadding: the tokenizer has no padding token; pass "
                    "pad_token_id= or make the Tokenizer with pad_token="
                )
        self.tokenizer = tokenizer
        self.padding = padding
        self.max_length = max_length
        self.pad_to_multiple_of = pad_to_multiple_of
        self.pad_token_id = 0 if pad_token_id is None else int(pad_token_id)
        self.label_pad_token_id = int(label_pad_token_id)
        self.padding_side = padding_side

    def __repr__(self) -> str:
        return (
            f"DataCollatorWithPadding(padding={self.padding!r}, max_length={self.max_length}, "
            f"pad_to_multiple_of={self.pad_to_multiple_of}, pad_token_id={self.pad_token_id}, "
            f"label_pad_token_id={self.label_pad_token_id}, padding_side={self.padding_side!r})"
        )

    def _target(self, lengths) -> int:
        from ..tokenizers._encoding import padded_length

        longest = max(lengths)
        if self.mode == "none" and len(set(lengths)) > 1:
            raise ValueError(
                f"DataCollatorWithPadding: padding=False but the examples have different "
                f"lengths ({min(lengths)} to {longest}); use padding=True"
            )
        if self.mode == "max_length" and longest > self.max_length:
            raise ValueError(
                f"DataCollatorWithPadding: an example has {longest} tokens, more than "
                f"max_length={self.max_length}; truncate the examples when encoding them"
            )
        return padded_length(lengths, self.mode, self.max_length, self.pad_to_multiple_of)

    def _pad(self, arrays, target: int, fill: int) -> np.ndarray:
        trailing = arrays[0].shape[1:]
        floating = any(np.issubdtype(a.dtype, np.floating) for a in arrays)
        dtype = np.float32 if floating else np.int64
        out = np.full((len(arrays), target, *trailing), fill, dtype=dtype)
        for row, arr in enumerate(arrays):
            n = len(arr)
            if self.padding_side == "right":
                out[row, :n] = arr
            else:
                out[row, target - n :] = arr
        return out

    def __call__(self, features):
        import ember
        from ember.utils.data import default_collate

        features = list(features)
        if not features:
            raise ValueError("DataCollatorWithPadding: got an empty list of examples")
        for i, f in enumerate(features):
            if not isinstance(f, Mapping) or "input_ids" not in f:
                raise TypeError(
                    f"DataCollatorWithPadding: example {i} must be a mapping with 'input_ids', "
                    f"got {type(f).__name__}"
                    + (f" with keys {sorted(f)}" if isinstance(f, Mapping) else "")
                )
        keys = list(features[0])
        for i, f in enumerate(features[1:], start=1):
            if set(f) != set(keys):
                raise ValueError(
                    f"DataCollatorWithPadding: example {i} has keys {sorted(f)}, but example 0 "
                    f"has {sorted(keys)}"
                )
        ids = [_as_array(f["input_ids"], "input_ids", i) for i, f in enumerate(features)]
        for i, arr in enumerate(ids):
            if arr.ndim != 1:
                raise ValueError(
                    f"DataCollatorWithPadding: example {i} input_ids must be 1-D, got shape "
                    f"{tuple(arr.shape)}"
                )
        lengths = [len(a) for a in ids]
        target = self._target(lengths)
        batch = {"input_ids": self._pad(ids, target, self.pad_token_id)}
        if "attention_mask" not in keys:
            batch["attention_mask"] = self._pad(
                [np.ones(n, dtype=np.int64) for n in lengths], target, 0
            )
        label_key = next((k for k in _LABEL_KEYS if k in keys), None)
        for key in keys:
            if key == "input_ids" or key == label_key:
                continue
            values = [_as_array(f[key], key, i) for i, f in enumerate(features)]
            per_token = all(v.ndim >= 1 and len(v) == n for v, n in zip(values, lengths))
            if per_token:
                batch[key] = self._pad(values, target, _FILL.get(key, 0))
            else:
                batch[key] = default_collate([f[key] for f in features])
        if label_key is not None:
            labels = [_as_array(f[label_key], label_key, i) for i, f in enumerate(features)]
            if all(lab.ndim == 0 for lab in labels):
                batch["labels"] = default_collate([f[label_key] for f in features])
            else:
                lab_lengths = [len(lab) for lab in labels]
                lab_target = target if lab_lengths == lengths else self._label_target(lab_lengths)
                batch["labels"] = self._pad(labels, lab_target, self.label_pad_token_id)
        out = {}
        for key, value in batch.items():
            if isinstance(value, np.ndarray):
                dtype = ember.int64 if np.issubdtype(value.dtype, np.integer) else None
                value = ember.tensor(value, dtype=dtype)
            out[key] = value
        return out

    def _label_target(self, lengths) -> int:
        target = max(lengths)
        if self.pad_to_multiple_of is not None:
            target = -(-target // self.pad_to_multiple_of) * self.pad_to_multiple_of
        return target
