"""Embedding lookups: ``F.embedding`` (one graph node, ``EmbeddingBackward0``) and
``F.embedding_bag`` (a composite of ``embedding`` and a segment reduction).

Note [Embedding backward]
    The gradient of a lookup is a scatter-add of the output rows into a zero matrix of the
    weight's shape. ``np.add.at`` is slow for it (one Python-level ufunc call per element in
    older NumPy, still several times slower than a bincount now), so the plain backward
    flattens ``(row, column)`` pairs into one index and uses a single weighted
    ``bincount``. ``padding_idx`` and ``scale_grad_by_freq`` become one weight per looked-up
    row (0 for padding, ``1 / count`` for frequency scaling). Under ``create_graph=True`` the
    same formula runs with Ember's differentiable ``index_add_zeros``.
"""

from __future__ import annotations

import numpy as np

from ...ops._core import Node, Tensor, attach, grad_state, new_tensor, xp_of

__all__ = ["embedding", "embedding_bag"]


def _check_indices(input, op: str):
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}(): argument 'input' must be Tensor, not {type(input).__name__}")
    kind = input._data.dtype.kind
    if kind not in "iu":
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.dtype} instead (while checking arguments for "
            f"{op})"
        )


def _normalize_padding_idx(padding_idx, num_embeddings: int):
    if padding_idx is None:
        return None
    if padding_idx >= num_embeddings or padding_idx < -num_embeddings:
        # PyTorch raises AssertionError here; we keep its exception type (explicitly raised).
        raise AssertionError(
            f"Padding_idx must be within num_embeddings (got padding_idx={padding_idx} for "
            f"num_embeddings={num_embeddings})"
        )
    return padding_idx + num_embeddings if padding_idx < 0 else padding_idx


def _renorm_(weight: Tensor, idx, max_norm: float, norm_type: float) -> None:
    """Rescale in place (no graph) the rows of ``weight`` referenced by ``idx`` whose
    ``norm_type``-norm exceeds ``max_norm`` (PyTorch's ``embedding_renorm_``)."""
    from ...ops.inplace import bump_version

    data = weight._data
    xp = xp_of(weight)
    rows = xp.unique(idx.reshape(-1))
    sub = data[rows]
    if norm_type == float("inf"):
        norms = xp.abs(sub).max(axis=1)
    else:
        norms = (xp.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    over = norms > max_norm
    if bool(over.any()):
        scale = (max_norm / (norms[over] + 1e-7)).astype(data.dtype)
        data[rows[over]] = sub[over] * scale[:, None]
        bump_version(weight)


def _row_weights(idx, num_weights: int, padding_idx, scale_grad_by_freq: bool):
    """One factor per looked-up row for the backward (None when all are 1)."""
    w = None
    if scale_grad_by_freq:
        counts = np.bincount(idx, minlength=num_weights)
        w = 1.0 / counts[idx]
    if padding_idx is not None:
        keep = idx != padding_idx
        w = keep.astype(np.float64) if w is None else w * keep
    return w


def _scatter_rows(xp, idx, rows, num_weights: int):
    """``zeros((num_weights, D))`` with ``rows[k]`` added at row ``idx[k]`` (see
    Note [Embedding backward])."""
    d = rows.shape[1]
    if xp is np and rows.dtype.kind == "f":
        flat = (idx[:, None] * d + np.arange(d)).reshape(-1)
        out = np.bincount(flat, weights=rows.reshape(-1), minlength=num_weights * d)
        return out.reshape(num_weights, d).astype(rows.dtype, copy=False)
    out = xp.zeros((num_weights, d), dtype=rows.dtype)
    xp.add.at(out, xp.asarray(idx), rows)
    return out


class EmbeddingBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, idx, num_weights, row_weights):
        d = grad.shape[-1]
        g = grad.reshape((-1, d))
        if row_weights is not None:
            g = F.multiply(g, row_weights)
        if F.is_graph():
            return F.index_add_zeros((num_weights, d), (idx,), g)
        return _scatter_rows(F.xp, idx, g, num_weights)


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up rows of ``weight`` (num_embeddings, embedding_dim) at the integer ``input``.

    Args:
        padding_idx: the row at this index gets no gradient.
        max_norm: rows looked up whose ``norm_type``-norm exceeds it are rescaled in place.
        scale_grad_by_freq: divide each row's gradient by its frequency in ``input``.
        sparse: accepted for compatibility; gradients are dense.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> w = ember.arange(6.0).reshape(3, 2)
        >>> F.embedding(ember.tensor([2, 0]), w)
        tensor([[4., 5.],
                [0., 1.]])
    """
    _check_indices(input, "embedding")
    if not isinstance(weight, Tensor) or weight.ndim != 2:
        raise RuntimeError(
            "embedding: 'weight' must be 2-D (num_embeddings, embedding_dim), got "
            f"{list(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__}"
        )
    num_weights = weight._data.shape[0]
    padding_idx = _normalize_padding_idx(padding_idx, num_weights)
    idx = input._data
    if idx.size and (int(idx.min()) < 0 or int(idx.max()) >= num_weights):
        bad = int(idx.min()) if int(idx.min()) < 0 else int(idx.max())
        raise IndexError(
            f"index out of range in self (embedding: index {bad} for a weight with "
            f"{num_weights} rows)"
        )
    if max_norm is not None:
        _renorm_(weight, idx, max_norm, norm_type)
    out = new_tensor(weight._data[idx])
    if grad_state.enabled and weight._requires_grad:
        flat = idx.reshape(-1)
        if flat.__class__ is not np.ndarray:
            flat = flat.get()
        flat = flat.astype(np.int64, copy=False)
        node = EmbeddingBackward0()
        attach(out, node, weight)
        rw = _row_weights(flat, num_weights, padding_idx, scale_grad_by_freq)
        if rw is not None:
            rw = _to_like(rw.astype(weight._data.dtype).reshape(-1, 1), weight)
        node.save(flat, num_weights, rw)
    return out


_MODES = ("sum", "mean", "max")


def _bag_layout(input: Tensor, offsets, include_last_offset: bool, per_sample_weights):
    """Flat indices, the bag of each index, the bag count, and flat per-sample weights."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a "
                "mini-batch of fixed length sequences. However, found offsets of type "
                f"{type(offsets).__name__}"
            )
        b, n = input.shape
        seg = np.repeat(np.arange(b), n)
        idx = input._data.reshape(-1)
        psw = None if per_sample_weights is None else per_sample_weights.reshape(-1)
        return idx, seg, b, psw
    if input.ndim != 1:
        raise ValueError(
            f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}"
        )
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    if not isinstance(offsets, Tensor) or offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    offs = offsets._data
    if offs.__class__ is not np.ndarray:
        offs = offs.get()
    offs = offs.astype(np.int64)
    n = input._data.shape[0]
    if offs.size and offs[0] != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start "
            f"from position 0. However, got {int(offs[0])}"
        )
    if offs.size and offs[-1] > n:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {n}, but got offsets[-1] of "
            f"{int(offs[-1])}"
        )
    if np.any(np.diff(offs) < 0):
        raise RuntimeError("embedding_bag: offsets must be non-decreasing")
    ends = offs[1:] if include_last_offset else np.append(offs[1:], n)
    starts = offs[:-1] if include_last_offset else offs
    b = starts.shape[0]
    seg = np.repeat(np.arange(b), ends - starts)
    used = seg.shape[0]  # bags cover input[:offsets[-1]] (or all of it)
    psw = per_sample_weights
    if used != n:
        psw = None if psw is None else psw[:used]
        return input._data[:used], seg, b, psw
    return input._data, seg, b, psw


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Sums, means or maxima of bags of embeddings, without materialising the lookups per bag.

    ``input`` is 2-D (each row a bag of fixed size) or 1-D with ``offsets`` giving where each
    bag starts. Entries equal to ``padding_idx`` are left out (and not counted in means);
    empty bags give zeros.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> w = ember.arange(6.0).reshape(3, 2)
        >>> F.embedding_bag(ember.tensor([0, 2, 1]), w, ember.tensor([0, 2]), mode="sum")
        tensor([[4., 6.],
                [2., 3.]])
    """
    _check_indices(input, "embedding_bag")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if per_sample_weights is not None:
        if mode != "sum":
            raise ValueError(
                "embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                f"supported for mode='sum' (got mode='{mode}')."
            )
        if tuple(per_sample_weights.shape) != tuple(input.shape):
            raise ValueError(
                f"embedding_bag: If per_sample_weights ({tuple(per_sample_weights.shape)}) is "
                f"not None, then it must have the same shape as the input "
                f"({tuple(input.shape)})"
            )
    num_weights, dim = weight.shape
    padding_idx = _normalize_padding_idx(padding_idx, num_weights)
    idx_arr, seg, nbags, psw = _bag_layout(input, offsets, include_last_offset, per_sample_weights)
    if max_norm is not None:
        _renorm_(weight, idx_arr, max_norm, norm_type)
    positions = None
    if padding_idx is not None:
        keep = idx_arr != padding_idx
        if keep.__class__ is not np.ndarray:
            keep = keep.get()
        positions = np.flatnonzero(keep)
        seg = seg[positions]
        idx_arr = idx_arr[positions]
    rows = embedding(new_tensor(idx_arr), weight, None, None, 2.0, scale_grad_by_freq)
    if psw is not None:
        w = psw if positions is None else psw[positions]
        rows = rows * w.reshape(-1, 1)
    from ...ops.indexing import index_add_zeros

    if mode != "max":
        out = index_add_zeros((nbags, dim), (seg,), rows)
        if mode == "mean":
            counts = np.maximum(np.bincount(seg, minlength=nbags), 1)
            scale = (1.0 / counts).astype(weight._data.dtype).reshape(-1, 1)
            out = out * new_tensor(_to_like(scale, weight))
        return out
    return _bag_max(rows, seg, nbags, dim)


def _to_like(arr, like: Tensor):
    data = like._data
    if data.__class__ is np.ndarray:
        return arr
    return xp_of(like).asarray(arr)


def _bag_max(rows: Tensor, seg, nbags: int, dim: int) -> Tensor:
    """Per bag and column, the row holding the maximum (first on ties); zeros for empty bags."""
    data = rows._data
    xp = xp_of(rows)
    n = data.shape[0]
    counts = np.bincount(seg, minlength=nbags)
    nonempty = np.flatnonzero(counts)
    first = np.full((nbags, dim), n, dtype=np.int64)
    if nonempty.size:
        starts = np.searchsorted(seg, nonempty)
        maxima = xp.maximum.reduceat(data, xp.asarray(starts), axis=0)
        full_max = maxima[xp.asarray(np.searchsorted(nonempty, seg))]
        pos = xp.where(data == full_max, xp.arange(n)[:, None], n)
        first_ne = xp.minimum.reduceat(pos, xp.asarray(starts), axis=0)
        if first_ne.__class__ is not np.ndarray:
            first_ne = first_ne.get()
        first[nonempty] = first_ne
    from ...ops.shape import cat

    zeros = new_tensor(xp.zeros((1, dim), dtype=data.dtype))
    padded = cat([rows, zeros], 0)
    return padded[first, np.arange(dim)[None, :]]
