"""``default_collate`` and ``default_convert``: turning samples into batches.

PyTorch's rules: tensors and NumPy arrays are stacked; Python floats become float64, ints
int64, bools bool; mappings, named tuples and sequences are collated field by field; strings
and bytes are kept as lists. Unlike PyTorch, samples of different shapes raise an error that
names the field and the sizes.

Example:
    >>> import ember
    >>> from ember.utils.data import default_collate
    >>> batch = default_collate([{"x": ember.zeros(2), "y": 1}, {"x": ember.ones(2), "y": 0}])
    >>> batch["x"].shape, batch["y"]
    (ember.Size([2, 2]), tensor([1, 0]))
"""

from __future__ import annotations

import collections.abc as abc

import numpy as np

__all__ = ["default_collate", "default_convert"]


def _field(path) -> str:
    return "".join(f"[{p!r}]" for p in path) or "the sample"


def _stack(items, path):
    from ... import stack
    from ..._tensor import Tensor

    arrays = [t._data if isinstance(t, Tensor) else t for t in items]
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        listed = ", ".join(f"{i}: {tuple(a.shape)}" for i, a in enumerate(arrays[:8]))
        raise RuntimeError(
            f"default_collate: samples have different shapes at {_field(path)} ({listed}); "
            "stack needs equal sizes. Pad them, or pass a collate_fn (for example with "
            "ember.nn.utils.rnn.pad_sequence)."
        )
    if all(isinstance(t, Tensor) for t in items):
        return stack(items)
    from ..._creation import from_numpy

    return from_numpy(np.stack(arrays))


def _collate(batch, path):
    from ..._creation import tensor
    from ..._tensor import Tensor

    elem = batch[0]
    if isinstance(elem, Tensor):
        return _stack(batch, path)
    if isinstance(elem, np.ndarray) and elem.dtype.kind not in "USO":
        return _stack(batch, path)
    if isinstance(elem, np.generic) and elem.dtype.kind not in "USO":
        return tensor(np.array(batch))
    if isinstance(elem, bool):
        return tensor(batch)
    if isinstance(elem, float):
        return tensor(batch, dtype="float64")
    if isinstance(elem, int):
        return tensor(batch)
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, abc.Mapping):
        keys = list(elem)
        for i, sample in enumerate(batch):
            if set(sample) != set(keys):
                raise RuntimeError(
                    f"default_collate: sample {i} has keys {sorted(sample)} at {_field(path)}, "
                    f"sample 0 has {sorted(keys)}"
                )
        out = {k: _collate([d[k] for d in batch], (*path, k)) for k in keys}
        try:
            return type(elem)(out)
        except TypeError:
            return out
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(
            *(_collate(list(s), (*path, f)) for f, s in zip(elem._fields, zip(*batch)))
        )
    if isinstance(elem, abc.Sequence):
        size = len(elem)
        for i, sample in enumerate(batch):
            if len(sample) != size:
                raise RuntimeError(
                    f"default_collate: each element in list of batch should be of equal size; "
                    f"sample {i} has {len(sample)} fields at {_field(path)}, sample 0 has {size}"
                )
        fields = [_collate(list(s), (*path, i)) for i, s in enumerate(zip(*batch))]
        if isinstance(elem, tuple):
            return fields
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(
        f"default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(elem).__name__} at {_field(path)}"
    )


def default_collate(batch):
    """Merge a list of samples into a batch (see the module docs for the rules)."""
    if len(batch) == 0:
        raise RuntimeError("default_collate: got an empty batch")
    return _collate(list(batch), ())


def default_convert(data):
    """Convert NumPy arrays (and containers of them) to tensors, without batching; used when
    ``batch_size=None``."""
    from ..._creation import as_tensor

    if isinstance(data, np.ndarray) and data.dtype.kind not in "USO":
        return as_tensor(data)
    if isinstance(data, np.generic) and data.dtype.kind not in "USO":
        return as_tensor(np.asarray(data))
    if isinstance(data, abc.Mapping):
        converted = {k: default_convert(v) for k, v in data.items()}
        try:
            return type(data)(converted)
        except TypeError:
            return converted
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, list):
        return [default_convert(d) for d in data]
    return data
