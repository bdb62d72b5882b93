"""Attention: ``scaled_dot_product_attention`` and ``multi_head_attention_forward``.

The core of both is one fused graph node, ``ScaledDotProductAttentionBackward0``: its forward
runs the scores matmul, the mask, a numerically stable softmax, dropout and the matmul with
the values on arrays, and its backward is the standard attention backward (two matmuls for
``value`` and the probabilities, the softmax Jacobian-vector product, two matmuls for
``query`` and ``key``). It saves the probabilities (as PyTorch's math path does) and, under
``create_graph=True``, recomputes them from ``query`` and ``key`` with differentiable ops so
that second derivatives are exact.

Note [Attention masks]
    ``scaled_dot_product_attention`` takes a boolean mask where True means *take part* and a
    float mask that is *added* to the scores. ``MultiheadAttention`` (and
    ``multi_head_attention_forward``) take boolean masks with the opposite meaning: True means
    *masked out*, as in PyTorch. Both are turned into one additive float mask (0 or -inf)
    before the fused node. A row whose every position is masked gives zeros (not NaN) in
    ``scaled_dot_product_attention``, as PyTorch's safe softmax does; the weights path of
    ``multi_head_attention_forward`` (``need_weights=True``) uses PyTorch's plain softmax
    there, which gives NaN.
"""

from __future__ import annotations

import math
import warnings

import ember

from ...amp import _state as _amp
from ...ops._core import (
    Node,
    Tensor,
    attach,
    attach_outputs,
    grad_state,
    new_tensor,
    np,
    saved_output,
    xp_of,
)
from ...random._generator import numpy_generator
from .linear import linear as _linear

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")
_causal_cache: dict = {}


def _causal_mask(xp, L: int, S: int, dtype):
    """The additive causal mask (0 on and below the diagonal, -inf above), cached."""
    key = (xp.__name__, L, S, np.dtype(dtype).str)
    m = _causal_cache.get(key)
    if m is None:
        m = xp.triu(xp.full((L, S), _NEG_INF, dtype=dtype), 1)
        if len(_causal_cache) > 64:
            _causal_cache.clear()
        _causal_cache[key] = m
    return m


def _swap(F, x):
    return F.swapaxes(x, -1, -2)


def _expand_heads(F, x, groups: int):
    """Repeat each key/value head ``groups`` times along dim -3 (grouped-query attention)."""
    return x if groups == 1 else F.repeat(x, groups, axis=-3)


def _reduce_heads(F, g, groups: int):
    """Gradient of ``_expand_heads``: sum each group of ``groups`` heads."""
    if groups == 1:
        return g
    shape = tuple(g.shape)
    g = g.reshape(shape[:-3] + (shape[-3] // groups, groups) + shape[-2:])
    return F.sum(g, axis=-3)


def _contiguous(xp, a):
    """``a`` as a C-contiguous array (NumPy's batched matmul is much faster on those)."""
    return a if a.flags.c_contiguous else xp.ascontiguousarray(a)


def _recompute_probs(F, q, k, mask, scale, groups, dead):
    """The attention probabilities from ``q`` and ``k`` with F's ops (graph mode)."""
    s = F.matmul(q, _swap(F, _expand_heads(F, k, groups))) * scale
    if mask is not None:
        s = F.add(s, mask)
    if dead is not None:
        s = F.where(dead, 0.0, s)
    s = s - F.max(s, axis=-1, keepdims=True)
    e = F.exp(s)
    p = e / F.sum(e, axis=-1, keepdims=True)
    if dead is not None:
        p = F.where(dead, 0.0, p)
    return p


class ScaledDotProductAttentionBackward0(Node):
    """Backward of the fused attention: inputs (query, key, value, float mask)."""

    __slots__ = ()

    def backward(self, F, grads, q, k, v, mask, probs, drop, dead, scale, groups):
        if self._num_outputs == 1:
            g_out, g_weights = grads, None
        else:
            g_out, g_weights = grads
        nxt = self._next
        if F.graph:
            probs = _recompute_probs(F, q, k, mask, scale, groups, dead)
        else:  # batched matmuls on strided views (split heads) are several times slower
            q, k, v = _contiguous(F, q), _contiguous(F, k), _contiguous(F, v)
            if g_out is not None:
                g_out = _contiguous(F, g_out)
        p_drop = probs if drop is None else F.multiply(probs, drop)
        gq = gk = gv = gmask = None
        if g_out is None:
            g_pd = g_weights
        else:
            v_e = _expand_heads(F, v, groups)
            if nxt[2] is not None:
                gv = F.sum_to(_reduce_heads(F, F.matmul(_swap(F, p_drop), g_out), groups), v.shape)
            g_pd = F.matmul(g_out, _swap(F, v_e))
            if g_weights is not None:
                g_pd = g_pd + g_weights
        g_p = g_pd if drop is None else F.multiply(g_pd, drop)
        g_s = probs * (g_p - F.sum(g_p * probs, axis=-1, keepdims=True))
        if nxt[3] is not None:
            gmask = F.sum_to(g_s, mask.shape)
        g_s = g_s * scale
        if nxt[0] is not None:
            gq = F.sum_to(F.matmul(g_s, _expand_heads(F, k, groups)), q.shape)
        if nxt[1] is not None:
            gk = F.sum_to(_reduce_heads(F, F.matmul(_swap(F, g_s), q), groups), k.shape)
        return gq, gk, gv, gmask


def _attention(q, k, v, mask, dropout_p, scale, groups, need_weights, safe, generator=None):
    """The fused attention on tensors ``q`` (..., L, E), ``k`` (..., S, E), ``v`` (..., S, Ev).

    ``mask`` is None or an additive float Tensor broadcasting to (..., L, S). Returns
    ``(output, weights)``; ``weights`` (the probabilities after dropout) is None unless
    ``need_weights``. ``safe`` makes rows with every position masked give zeros.
    """
    xp = xp_of(q)
    qd, kd, vd = _contiguous(xp, q._data), _contiguous(xp, k._data), _contiguous(xp, v._data)
    if groups != 1:
        kd = xp.repeat(kd, groups, axis=-3)
        vd = xp.repeat(vd, groups, axis=-3)
    s = xp.matmul(qd, xp.swapaxes(kd, -1, -2))
    s *= scale
    md = None
    if mask is not None:
        md = mask._data
        if md.dtype != s.dtype:
            md = md.astype(s.dtype)
        if np.broadcast_shapes(s.shape, md.shape) == s.shape:
            s += md
        else:
            s = s + md
    m = s.max(axis=-1, keepdims=True)
    dead = None
    if md is not None and safe:
        dead = xp.isneginf(m)
        if dead.any():
            m[dead] = 0.0
        else:
            dead = None
    if safe or md is None:
        s -= m
        xp.exp(s, out=s)
    else:  # PyTorch's plain softmax: a fully masked row gives NaN, without a warning
        with np.errstate(invalid="ignore"):
            s -= m
            xp.exp(s, out=s)
    total = s.sum(axis=-1, keepdims=True)
    if dead is not None:
        total[dead] = 1.0
    s /= total
    probs = s
    drop = None
    p_drop = probs
    if dropout_p > 0.0:
        if dropout_p >= 1.0:
            drop = xp.zeros(probs.shape, dtype=probs.dtype)
        else:
            rdt = np.float64 if probs.dtype == np.float64 else np.float32
            keep = numpy_generator(generator).random(probs.shape, dtype=rdt) >= dropout_p
            if xp is not np:
                keep = xp.asarray(keep)
            drop = keep.astype(probs.dtype) * probs.dtype.type(1.0 / (1.0 - dropout_p))
        p_drop = probs * drop
    out = new_tensor(xp.matmul(p_drop, vd))
    weights = new_tensor(p_drop) if need_weights else None
    mask_t = mask if (mask is not None and mask._requires_grad) else None
    if grad_state.enabled and (
        q._requires_grad or k._requires_grad or v._requires_grad or mask_t is not None
    ):
        node = ScaledDotProductAttentionBackward0()
        if need_weights:
            attach_outputs((out, weights), node, q, k, v, mask_t)
            saved_probs = saved_output(weights) if drop is None else probs
        else:
            attach(out, node, q, k, v, mask_t)
            saved_probs = probs
        saved_mask = mask_t if mask_t is not None else md
        node.save(q, k, v, saved_mask, saved_probs, drop, dead, scale, groups)
    return out, weights


def _dtype_name(t: Tensor) -> str:
    return str(t.dtype)


def _sdpa_mask(attn_mask, q: Tensor, is_causal: bool, L: int, S: int):
    """The additive float mask for ``scaled_dot_product_attention`` (None for no mask)."""
    xp = xp_of(q)
    dt = q._data.dtype
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError(
                "scaled_dot_product_attention: Explicit attn_mask should not be set when "
                "is_causal=True"
            )
        return new_tensor(_causal_mask(xp, L, S, dt))
    if attn_mask is None:
        return None
    if not isinstance(attn_mask, Tensor):
        raise TypeError(
            "scaled_dot_product_attention(): argument 'attn_mask' must be Tensor, not "
            f"{type(attn_mask).__name__}"
        )
    kind = attn_mask._data.dtype.kind
    if kind == "b":
        return new_tensor(xp.where(attn_mask._data, dt.type(0.0), dt.type(_NEG_INF)))
    if kind != "f":
        raise RuntimeError(
            "scaled_dot_product_attention: Expected attn_mask dtype to be bool or float or to "
            f"match query dtype, but got attn_mask.dtype: {_dtype_name(attn_mask)} and "
            f"query.dtype: {_dtype_name(q)} instead."
        )
    return attn_mask


def scaled_dot_product_attention(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    attn_mask: Tensor | None = None,
    dropout_p: float = 0.0,
    is_causal: bool = False,
    scale: float | None = None,
    enable_gqa: bool = False,
) -> Tensor:
    r"""Scaled dot-product attention: ``softmax(q @ k^T * scale + mask) @ v``.

    Args:
        query: :math:`(..., L, E)`.
        key: :math:`(..., S, E)`.
        value: :math:`(..., S, E_v)`.
        attn_mask: a boolean mask (True = the position takes part) or a float mask added to
            the scores; broadcasts to :math:`(..., L, S)`.
        dropout_p: dropout probability applied to the attention probabilities (always
            applied when > 0, as in PyTorch; pass 0.0 in evaluation).
        is_causal: use a causal mask (position ``i`` sees positions ``<= i``); excludes
            ``attn_mask``.
        scale: the factor on the scores; default :math:`1/\sqrt{E}`.
        enable_gqa: grouped-query attention: ``key`` and ``value`` may have fewer heads
            (dim -3) than ``query``, a divisor of them; each is shared by a group of heads.

    Returns:
        :math:`(..., L, E_v)`. A row whose positions are all masked gives zeros.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> q = ember.ones(1, 2, 3, 4)
        >>> v = ember.arange(10.0).reshape(1, 1, 5, 2).expand(1, 2, 5, 2)
        >>> F.scaled_dot_product_attention(q, q.new_ones(1, 2, 5, 4), v)[0, 0]
        tensor([[4., 5.],
                [4., 5.],
                [4., 5.]])
        >>> F.scaled_dot_product_attention(q, q.new_ones(1, 2, 3, 4), v[..., :3, :],
        ...                                is_causal=True)[0, 0]
        tensor([[0., 1.],
                [1., 2.],
                [2., 3.]])
    """
    if _amp.active:
        query, key, value, attn_mask = _amp.cast(
            "scaled_dot_product_attention", query, key, value, attn_mask
        )
    for name, t in (("query", query), ("key", key), ("value", value)):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"scaled_dot_product_attention(): argument '{name}' must be Tensor, not "
                f"{type(t).__name__}"
            )
    qs, ks, vs = query.shape, key.shape, value.shape
    if len(qs) < 2 or len(ks) < 2 or len(vs) < 2:
        raise RuntimeError(
            "scaled_dot_product_attention: expected query, key and value to have at least 2 "
            f"dimensions, got shapes {tuple(qs)}, {tuple(ks)} and {tuple(vs)}"
        )
    qdt, kdt, vdt = query._data.dtype, key._data.dtype, value._data.dtype
    if qdt != kdt or qdt != vdt:
        raise RuntimeError(
            "scaled_dot_product_attention: Expected query, key, and value to have the same "
            f"dtype, but got query.dtype: {_dtype_name(query)} key.dtype: {_dtype_name(key)} "
            f"and value.dtype: {_dtype_name(value)} instead."
        )
    if qdt.kind != "f":
        raise RuntimeError(
            "scaled_dot_product_attention: expected floating-point query, key and value, got "
            f"{_dtype_name(query)}"
        )
    if qs[-1] != ks[-1]:
        raise RuntimeError(
            "scaled_dot_product_attention: the embedding size of query and key must match, "
            f"got query {tuple(qs)} and key {tuple(ks)}"
        )
    if ks[-2] != vs[-2]:
        raise RuntimeError(
            "scaled_dot_product_attention: key and value must have the same sequence length "
            f"(dim -2), got key {tuple(ks)} and value {tuple(vs)}"
        )
    groups = 1
    if enable_gqa and len(qs) >= 3 and len(ks) >= 3:
        hq, hk, hv = qs[-3], ks[-3], vs[-3]
        if hk != hv or hq % hk != 0:
            raise RuntimeError(
                "scaled_dot_product_attention: Number of heads in key and value must divide "
                f"the number of heads in query (enable_gqa=True), got {hq} query heads, {hk} "
                f"key heads and {hv} value heads"
            )
        groups = hq // hk
    mask = _sdpa_mask(attn_mask, query, is_causal, qs[-2], ks[-2])
    if scale is None:
        scale = 1.0 / math.sqrt(qs[-1])
    return _attention(query, key, value, mask, float(dropout_p), scale, groups, False, True)[0]


# -- multi-head attention -----------------------------------------------------------------------


def _canonical_mask(mask, name: str, dtype, other=None, other_name: str = ""):
    """A bool (True = masked out) or float mask as an additive float Tensor of ``dtype``."""
    if mask is None:
        return None
    kind = mask._data.dtype.kind
    if kind not in "bf":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and other._data.dtype != mask._data.dtype:
        warnings.warn(
            f"Support for mismatched {name} and {other_name} is deprecated. Use same type for "
            "both instead.",
            stacklevel=3,
        )
    if kind == "b":
        xp = xp_of(mask)
        np_dt = dtype.np
        return new_tensor(xp.where(mask._data, np_dt.type(_NEG_INF), np_dt.type(0.0)))
    return mask


def _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads) -> bool:
    """PyTorch's ``_mha_shape_check``: True for batched (3-D) inputs."""
    qd, kd, vd = query.dim(), key.dim(), value.dim()
    if qd == 3:
        if kd != 3 or vd != 3:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                f"{kd}-D and {vd}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError(
                "For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                f"found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError(
                "For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                f"found {attn_mask.dim()}-D tensor instead"
            )
        return True
    if qd == 2:
        if kd != 2 or vd != 2:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                f"{kd}-D and {vd}-D tensors respectively"
            )
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError(
                "For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                f"but found {key_padding_mask.dim()}-D tensor instead"
            )
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError(
                    "For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                    f"but found {attn_mask.dim()}-D tensor instead"
                )
            if attn_mask.dim() == 3:
                expected = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected:
                    raise AssertionError(
                        f"Expected `attn_mask` shape to be {expected} but got "
                        f"{tuple(attn_mask.shape)}"
                    )
        return False
    raise AssertionError(
        f"query should be unbatched 2D or batched 3D tensor but received {qd}-D query tensor"
    )


def _split_heads(x, bd: int, num_heads: int):
    """(A, B, E) with the batch at axis ``bd`` -> (N, H, T, E // H)."""
    a, b, e = x.shape
    x = x.reshape(a, b, num_heads, e // num_heads)
    return x.permute(1, 2, 0, 3) if bd == 1 else x.permute(0, 2, 1, 3)


def _append_seq(x, extra, bd: int):
    """Concatenate ``extra`` (1, 1, E) to ``x`` (A, B, E) along the sequence axis."""
    n = x.shape[bd]
    e = x.shape[2]
    if bd == 1:
        return ember.cat([x, extra.expand(1, n, e)], 0)
    return ember.cat([x, extra.expand(n, 1, e)], 1)


def _pad_last(mask):
    """Append one zero column to a float mask (the key added by ``bias_k`` or a zero key)."""
    zeros = ember.zeros(*mask.shape[:-1], 1, dtype=mask.dtype, device=mask.device)
    return ember.cat([mask, zeros], -1)


def _mha(
    query,
    key,
    value,
    embed_dim_to_check,
    num_heads,
    in_proj_weight,
    in_proj_bias,
    bias_k,
    bias_v,
    add_zero_attn,
    dropout_p,
    out_proj_weight,
    out_proj_bias,
    training,
    key_padding_mask,
    need_weights,
    attn_mask,
    use_separate_proj_weight,
    q_proj_weight,
    k_proj_weight,
    v_proj_weight,
    static_k,
    static_v,
    average_attn_weights,
    is_causal,
    batch_first,
):
    """Multi-head attention on (L, N, E) inputs, or (N, L, E) with ``batch_first``.

    The projections run in the inputs' own layout (no transposing copies for batch-first
    inputs); heads are split with one reshape and one permute.
    """
    is_batched = _shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    bd = 0 if batch_first else 1  # the batch axis of the 3-D inputs
    if not is_batched:
        bd = 1
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    sd = 1 - bd
    tgt_len, bsz, embed_dim = query.shape[sd], query.shape[bd], query.shape[2]
    src_len = key.shape[sd]
    dt = query.dtype

    key_padding_mask = _canonical_mask(
        key_padding_mask, "key_padding_mask", dt, attn_mask, "attn_mask"
    )
    if is_causal and attn_mask is None:
        raise RuntimeError(
            "Need attn_mask if specifying the is_causal hint. You may use the Transformer "
            "module method `generate_square_subsequent_mask` to create this mask."
        )
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", dt)
        if key_padding_mask is not None:
            is_causal = False

    if embed_dim != embed_dim_to_check:
        raise AssertionError(
            f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}"
        )
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if tuple(key.shape[:2]) != tuple(value.shape[:2]):
            raise AssertionError(
                f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                f"{tuple(value.shape[:2])}"
            )
    elif tuple(key.shape) != tuple(value.shape):
        raise AssertionError(
            f"key shape {tuple(key.shape)} does not match value shape {tuple(value.shape)}"
        )

    # in-projection
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        packed = query is key and key is value
        if packed and bias_k is None and static_k is None and static_v is None:
            proj = _linear(query, in_proj_weight, in_proj_bias)
            a, b = proj.shape[0], proj.shape[1]
            proj = proj.reshape(a, b, 3, num_heads, head_dim)
            proj = proj.permute(2, 1, 3, 0, 4) if bd == 1 else proj.permute(2, 0, 3, 1, 4)
            q, k, v = proj.unbind(0)
            proj = None
        else:
            E = embed_dim
            if in_proj_bias is None:
                b_q = b_k = b_v = None
            else:
                b_q, b_k, b_v = in_proj_bias[:E], in_proj_bias[E : 2 * E], in_proj_bias[2 * E :]
            q = _linear(query, in_proj_weight[:E], b_q)
            k = _linear(key, in_proj_weight[E : 2 * E], b_k)
            v = _linear(value, in_proj_weight[2 * E :], b_v)
    else:
        for nm, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(
                    f"use_separate_proj_weight is True but {nm}_proj_weight is None"
                )
        E = embed_dim
        if in_proj_bias is None:
            b_q = b_k = b_v = None
        else:
            b_q, b_k, b_v = in_proj_bias[:E], in_proj_bias[E : 2 * E], in_proj_bias[2 * E :]
        q = _linear(query, q_proj_weight, b_q)
        k = _linear(key, k_proj_weight, b_k)
        v = _linear(value, v_proj_weight, b_v)

    # attention mask to (1 | N, 1 | H, L, S)
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 2D attn_mask is {tuple(attn_mask.shape)}, but should be "
                    f"{(tgt_len, src_len)}."
                )
            attn_mask = attn_mask.reshape(1, 1, tgt_len, src_len)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(
                    f"The shape of the 3D attn_mask is {tuple(attn_mask.shape)}, but should be "
                    f"{(bsz * num_heads, tgt_len, src_len)}."
                )
            attn_mask = attn_mask.reshape(bsz, num_heads, tgt_len, src_len)
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = _append_seq(k, bias_k, bd)
        v = _append_seq(v, bias_v, bd)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    if q.dim() == 3:
        q = _split_heads(q, bd, num_heads)
    if static_k is None:
        if k.dim() == 3:
            k = _split_heads(k, bd, num_heads)
    else:
        if static_k.shape[0] != bsz * num_heads:
            raise AssertionError(
                f"expecting static_k.size(0) of {bsz * num_heads}, but got {static_k.shape[0]}"
            )
        if static_k.shape[2] != head_dim:
            raise AssertionError(
                f"expecting static_k.size(2) of {head_dim}, but got {static_k.shape[2]}"
            )
        k = static_k.reshape(bsz, num_heads, static_k.shape[1], head_dim)
    if static_v is None:
        if v.dim() == 3:
            v = _split_heads(v, bd, num_heads)
    else:
        if static_v.shape[0] != bsz * num_heads:
            raise AssertionError(
                f"expecting static_v.size(0) of {bsz * num_heads}, but got {static_v.shape[0]}"
            )
        if static_v.shape[2] != head_dim:
            raise AssertionError(
                f"expecting static_v.size(2) of {head_dim}, but got {static_v.shape[2]}"
            )
        v = static_v.reshape(bsz, num_heads, static_v.shape[1], head_dim)

    if add_zero_attn:
        zeros = ember.zeros(bsz, num_heads, 1, head_dim, dtype=k.dtype, device=k.device)
        k = ember.cat([k, zeros], 2)
        v = ember.cat([v, zeros], 2)
        if attn_mask is not None:
            attn_mask = _pad_last(attn_mask)
        if key_padding_mask is not None:
            key_padding_mask = _pad_last(key_padding_mask)

    src_len = k.shape[2]
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(
                f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                f"{key_padding_mask.shape[0]}"
            )
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(
                f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                f"{key_padding_mask.shape[1]}"
            )
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm

    if not training:
        dropout_p = 0.0
    scale = 1.0 / math.sqrt(head_dim)
    if is_causal and attn_mask is None:
        mask = new_tensor(_causal_mask(xp_of(q), tgt_len, src_len, q._data.dtype))
    else:
        mask = attn_mask
    out, weights = _attention(
        q, k, v, mask, float(dropout_p), scale, 1, need_weights, not need_weights
    )
    # (N, H, L, hd) -> the inputs' layout, heads merged
    out = out.permute(2, 0, 1, 3) if bd == 1 else out.permute(0, 2, 1, 3)
    a, b = out.shape[0], out.shape[1]
    out = _linear(out.reshape(a * b, embed_dim), out_proj_weight, out_proj_bias)
    out = out.reshape(a, b, out.shape[-1])
    if need_weights and average_attn_weights:
        weights = weights.mean(dim=1)
    if not is_batched:
        out = out.squeeze(1)
        if weights is not None:
            weights = weights.squeeze(0)
    return out, weights


def multi_head_attention_forward(
    query: Tensor,
    key: Tensor,
    value: Tensor,
    embed_dim_to_check: int,
    num_heads: int,
    in_proj_weight: Tensor | None,
    in_proj_bias: Tensor | None,
    bias_k: Tensor | None,
    bias_v: Tensor | None,
    add_zero_attn: bool,
    dropout_p: float,
    out_proj_weight: Tensor,
    out_proj_bias: Tensor | None,
    training: bool = True,
    key_padding_mask: Tensor | None = None,
    need_weights: bool = True,
    attn_mask: Tensor | None = None,
    use_separate_proj_weight: bool = False,
    q_proj_weight: Tensor | None = None,
    k_proj_weight: Tensor | None = None,
    v_proj_weight: Tensor | None = None,
    static_k: Tensor | None = None,
    static_v: Tensor | None = None,
    average_attn_weights: bool = True,
    is_causal: bool = False,
) -> tuple[Tensor, Tensor | None]:
    """The forward of :class:`ember.nn.MultiheadAttention` on (L, N, E) inputs (or unbatched
    (L, E)).

    Masks: a boolean ``key_padding_mask`` (N, S) or ``attn_mask`` (L, S) / (N * num_heads,
    L, S) marks with True the positions *not* to attend; float masks are added to the
    scores. Returns ``(attn_output, attn_weights)``: the weights (N, L, S), averaged over heads
    unless ``average_attn_weights=False`` ((N, num_heads, L, S)), or None when
    ``need_weights=False``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> E = 4
        >>> x = ember.ones(3, 2, E)
        >>> w_in, w_out = ember.eye(E).repeat(3, 1), ember.eye(E)
        >>> out, w = F.multi_head_attention_forward(x, x, x, E, 2, w_in, None, None, None,
        ...                                         False, 0.0, w_out, None)
        >>> out.shape, w.shape
        (ember.Size([3, 2, 4]), ember.Size([2, 3, 3]))
        >>> w[0]
        tensor([[0.3333, 0.3333, 0.3333],
                [0.3333, 0.3333, 0.3333],
                [0.3333, 0.3333, 0.3333]])
    """
    return _mha(
        query,
        key,
        value,
        embed_dim_to_check,
        num_heads,
        in_proj_weight,
        in_proj_bias,
        bias_k,
        bias_v,
        add_zero_attn,
        dropout_p,
        out_proj_weight,
        out_proj_bias,
        training,
        key_padding_mask,
        need_weights,
        attn_mask,
        use_separate_proj_weight,
        q_proj_weight,
        k_proj_weight,
        v_proj_weight,
        static_k,
        static_v,
        average_attn_weights,
        is_causal,
        False,
    )
