"""``F.scaled_dot_product_attention``, ``F.multi_head_attention_forward`` and
``nn.MultiheadAttention``: forward against NumPy references, gradients, masks, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

# -- NumPy references --------------------------------------------------------------------------


def np_softmax(x, safe=True):
    m = x.max(axis=-1, keepdims=True)
    if safe:
        m = np.where(np.isneginf(m), 0.0, m)
    e = np.exp(x - m)
    s = e.sum(axis=-1, keepdims=True)
    if safe:
        return np.where(s == 0, 0.0, e / np.where(s == 0, 1.0, s))
    return e / s


def np_sdpa(q, k, v, mask=None, is_causal=False, scale=None, enable_gqa=False):
    """PyTorch's documented reference implementation, in NumPy."""
    L, S = q.shape[-2], k.shape[-2]
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else scale
    bias = np.zeros((L, S))
    if is_causal:
        bias = np.where(np.tril(np.ones((L, S), dtype=bool)), 0.0, -np.inf)
    if mask is not None:
        bias = np.where(mask, 0.0, -np.inf) if mask.dtype == bool else bias + mask
    if enable_gqa:
        k = np.repeat(k, q.shape[-3] // k.shape[-3], axis=-3)
        v = np.repeat(v, q.shape[-3] // v.shape[-3], axis=-3)
    w = q @ np.swapaxes(k, -1, -2) * scale + bias
    return np_softmax(w) @ v


def T(a, requires_grad=False):
    return ember.tensor(a, requires_grad=requires_grad)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# -- scaled_dot_product_attention --------------------------------------------------------------


SDPA_CASES = [
    ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {}),
    ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 7), {"scale": 0.3}),
    ((2, 3, 5, 4), (2, 3, 5, 4), (2, 3, 5, 4), {"is_causal": True}),
    ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2), {"is_causal": True}),  # L != S: top-left
    ((2, 4, 3, 5), (2, 2, 6, 5), (2, 2, 6, 7), {"enable_gqa": True}),
    ((2, 4, 3, 5), (1, 1, 6, 5), (1, 1, 6, 7), {}),  # broadcast batch and heads
    ((4, 5), (6, 5), (6, 7), {}),  # 2-D inputs
]


@pytest.mark.parametrize("qs,ks,vs,kw", SDPA_CASES)
def test_sdpa_forward(qs, ks, vs, kw):
    q, k, v = randn(*qs, seed=1), randn(*ks, seed=2), randn(*vs, seed=3)
    out = F.scaled_dot_product_attention(T(q), T(k), T(v), **kw)
    np.testing.assert_allclose(out.numpy(), np_sdpa(q, k, v, **kw), atol=1e-12)


def test_sdpa_bool_and_float_masks():
    q, k, v = randn(2, 3, 4, 5, seed=1), randn(2, 3, 6, 5, seed=2), randn(2, 3, 6, 7, seed=3)
    bmask = randn(4, 6, seed=4) > -0.3
    bmask[:, 0] = True
    out = F.scaled_dot_product_attention(T(q), T(k), T(v), attn_mask=T(bmask))
    np.testing.assert_allclose(out.numpy(), np_sdpa(q, k, v, mask=bmask), atol=1e-12)
    fmask = randn(3, 1, 6, seed=5)
    out = F.scaled_dot_product_attention(T(q), T(k), T(v), attn_mask=T(fmask))
    np.testing.assert_allclose(out.numpy(), np_sdpa(q, k, v, mask=fmask), atol=1e-12)
    # a bool mask equals the float mask with -inf where False
    fl = np.where(bmask, 0.0, -np.inf)
    out2 = F.scaled_dot_product_attention(T(q), T(k), T(v), attn_mask=T(fl))
    np.testing.assert_allclose(out2.numpy(), np_sdpa(q, k, v, mask=bmask), atol=1e-12)


def test_sdpa_fully_masked_row_gives_zeros_and_zero_grads():
    q = T(randn(1, 3, 4), True)
    k = T(randn(1, 5, 4, seed=1), True)
    v = T(randn(1, 5, 2, seed=2), True)
    mask = np.ones((3, 5), dtype=bool)
    mask[1] = False
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=T(mask))
    assert np.all(out.detach().numpy()[0, 1] == 0)
    assert np.isfinite(out.detach().numpy()).all()
    out.sum().backward()
    assert np.all(q.grad.numpy()[0, 1] == 0)
    assert np.isfinite(k.grad.numpy()).all()


def test_sdpa_float32_and_stability():
    q = T(randn(2, 4, 8).astype(np.float32) * 100)
    k = T(randn(2, 4, 8, seed=1).astype(np.float32) * 100)
    v = T(randn(2, 4, 3, seed=2).astype(np.float32))
    out = F.scaled_dot_product_attention(q, k, v)
    assert out.dtype == ember.float32
    assert np.isfinite(out.numpy()).all()
    ref = np_sdpa(q.numpy().astype(np.float64), k.numpy().astype(np.float64), v.numpy())
    np.testing.assert_allclose(out.numpy(), ref, atol=1e-4)


@pytest.mark.parametrize("qs,ks,vs,kw", SDPA_CASES)
def test_sdpa_gradcheck(gradcheck, rand, qs, ks, vs, kw):
    q, k, v = rand(*qs, seed=1), rand(*ks, seed=2), rand(*vs, seed=3)
    gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw), q, k, v)


def test_sdpa_gradcheck_masks(gradcheck, rand):
    q, k, v = rand(2, 3, 5, seed=1), rand(2, 4, 5, seed=2), rand(2, 4, 3, seed=3)
    bmask = T(np.array([[1, 0, 1, 1], [0, 1, 1, 0], [1, 1, 1, 1]], dtype=bool))
    gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=bmask), q, k, v)
    fmask = rand(3, 4, seed=4)  # a float mask that requires grad gets its gradient too
    gradcheck(
        lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), q, k, v, fmask
    )


@pytest.mark.parametrize(
    "kw", [{}, {"is_causal": True}, {"enable_gqa": True}, {"scale": 0.7}], ids=str
)
def test_sdpa_second_order(gradcheck, rand, kw):
    q, k, v = (
        rand(1, 2, 3, 4, seed=1),
        rand(1, 1 if kw.get("enable_gqa") else 2, 3, 4, seed=2),
        None,
    )
    v = rand(*k.shape[:-1], 2, seed=3)
    gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, **kw), q, k, v, second_order=True
    )


def test_sdpa_second_order_with_mask(gradcheck, rand):
    q, k, v = rand(2, 3, 4, seed=1), rand(2, 3, 4, seed=2), rand(2, 3, 2, seed=3)
    m = T(np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1]], dtype=bool))
    gradcheck(
        lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
        q,
        k,
        v,
        second_order=True,
    )


def test_sdpa_dropout(gradcheck, rand):
    q, k, v = T(randn(2, 3, 16, 4)), T(randn(2, 3, 16, 4, seed=1)), T(randn(2, 3, 16, 4, seed=2))
    ember.manual_seed(0)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    ember.manual_seed(0)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert not np.allclose(a.numpy(), F.scaled_dot_product_attention(q, k, v).numpy())
    # the dropped probabilities are zero and the kept ones scaled by 1 / (1 - p): outputs
    # from a one-hot value matrix show the probabilities themselves
    eye = T(np.broadcast_to(np.eye(16), (2, 3, 16, 16)).copy())
    ember.manual_seed(1)
    p = F.scaled_dot_product_attention(q, k, eye, dropout_p=0.25).numpy()
    ref = np_softmax(q.numpy() @ np.swapaxes(k.numpy(), -1, -2) / 2.0)
    kept = p != 0
    assert 0.6 < kept.mean() < 0.9
    np.testing.assert_allclose(p[kept], ref[kept] / 0.75, rtol=1e-12)
    ember.manual_seed(2)
    zero = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)
    assert np.all(zero.numpy() == 0)

    def fn(q, k, v):
        ember.manual_seed(3)
        return F.scaled_dot_product_attention(q, k, v, dropout_p=0.3)

    gradcheck(fn, rand(2, 4, 3, seed=1), rand(2, 5, 3, seed=2), rand(2, 5, 2, seed=3))


def test_sdpa_grad_fn_is_one_fused_node():
    q = T(randn(2, 3, 4), True)
    out = F.scaled_dot_product_attention(q, T(randn(2, 3, 4)), T(randn(2, 3, 4)), is_causal=True)
    assert out.grad_fn.name() == "ScaledDotProductAttentionBackward0"
    out2 = F.scaled_dot_product_attention(T(randn(2, 3, 4)), T(randn(2, 3, 4)), T(randn(2, 3, 4)))
    assert out2.grad_fn is None and not out2.requires_grad


def test_sdpa_errors():
    q, k, v = T(randn(1, 2, 3, 4)), T(randn(1, 2, 5, 4)), T(randn(1, 2, 5, 6))
    with pytest.raises(RuntimeError, match="Explicit attn_mask should not be set when is_causal"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=T(np.ones((3, 5), bool)), is_causal=True)
    with pytest.raises(RuntimeError, match="Number of heads in key and value must divide"):
        F.scaled_dot_product_attention(
            T(randn(1, 3, 3, 4)), k, T(randn(1, 2, 5, 4)), enable_gqa=True
        )
    with pytest.raises(RuntimeError, match=r"same dtype.*query.dtype: ember\.float64"):
        F.scaled_dot_product_attention(q, k.float(), v)
    with pytest.raises(RuntimeError, match="Expected attn_mask dtype to be bool or float"):
        F.scaled_dot_product_attention(q, k, v, attn_mask=ember.ones(3, 5, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="embedding size of query and key must match"):
        F.scaled_dot_product_attention(q, T(randn(1, 2, 5, 3)), v)
    with pytest.raises(RuntimeError, match="same sequence length"):
        F.scaled_dot_product_attention(q, k, T(randn(1, 2, 4, 6)))
    with pytest.raises(TypeError, match="argument 'key' must be Tensor"):
        F.scaled_dot_product_attention(q, randn(1, 2, 5, 4), v)


# -- multi-head attention ----------------------------------------------------------------------


def np_mha(q, k, v, w_in, b_in, w_out, b_out, H, kpm=None, attn_mask=None, average=True):
    """PyTorch's ``multi_head_attention_forward`` on (L, N, E) inputs, in NumPy."""
    L, N, E = q.shape
    S = k.shape[0]
    hd = E // H
    b_in = np.zeros(3 * E) if b_in is None else b_in
    qp = q @ w_in[:E].T + b_in[:E]
    kp = k @ w_in[E : 2 * E].T + b_in[E : 2 * E]
    vp = v @ w_in[2 * E :].T + b_in[2 * E :]

    def heads(x, T):  # (T, N, E) -> (N * H, T, hd)
        return x.reshape(T, N * H, hd).transpose(1, 0, 2)

    qh, kh, vh = heads(qp, L), heads(kp, S), heads(vp, S)
    bias = np.zeros((N * H, L, S))
    if attn_mask is not None:
        am = np.where(attn_mask, -np.inf, 0.0) if attn_mask.dtype == bool else attn_mask
        bias = bias + am
    if kpm is not None:
        km = np.where(kpm, -np.inf, 0.0) if kpm.dtype == bool else kpm
        bias = bias + np.repeat(km[:, None, None, :], H, axis=1).reshape(N * H, 1, S)
    w = np_softmax(qh / math.sqrt(hd) @ kh.transpose(0, 2, 1) + bias, safe=False)
    out = (w @ vh).transpose(1, 0, 2).reshape(L, N, E) @ w_out.T
    if b_out is not None:
        out = out + b_out
    w = w.reshape(N, H, L, S)
    return out, (w.mean(axis=1) if average else w)


def mha_params(m):
    return (
        m.in_proj_weight.detach().numpy(),
        None if m.in_proj_bias is None else m.in_proj_bias.detach().numpy(),
        m.out_proj.weight.detach().numpy(),
        None if m.out_proj.bias is None else m.out_proj.bias.detach().numpy(),
    )


def make_mha(E=8, H=2, seed=0, **kw):
    """A float64 MultiheadAttention with random (non-zero) biases."""
    ember.manual_seed(seed)
    m = nn.MultiheadAttention(E, H, dtype=ember.float64, **kw)
    rng = np.random.default_rng(seed)
    with ember.no_grad():
        for p in m.parameters():
            if p.dim() == 1:
                p.copy_(ember.tensor(rng.standard_normal(p.shape) * 0.3))
    return m


KPM = np.array([[False, False, False, True], [False, True, True, True]])
AM2 = np.array([[False, True, False, False], [False, False, True, True], [False, True, True, True]])


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"key_padding_mask": KPM},
        {"attn_mask": AM2},
        {"attn_mask": AM2, "key_padding_mask": KPM, "average_attn_weights": False},
        {"attn_mask": randn(4, 3, 4, seed=9)},  # float 3-D mask (N * H, L, S)
        {"attn_mask": np.where(AM2, -1.5, 0.0), "key_padding_mask": np.where(KPM, -2.0, 0.0)},
    ],
    ids=["plain", "kpm", "mask2d", "both-per-head", "float3d", "float-both"],
)
@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_forward_vs_numpy(kw, batch_first):
    m = make_mha(batch_first=batch_first)
    q, k, v = randn(3, 2, 8, seed=1), randn(4, 2, 8, seed=2), randn(4, 2, 8, seed=3)
    ekw = {n: ember.tensor(a) if isinstance(a, np.ndarray) else a for n, a in kw.items()}
    if batch_first:
        out, w = m(*(T(x.transpose(1, 0, 2)) for x in (q, k, v)), **ekw)
        out = out.detach().numpy().transpose(1, 0, 2)
    else:
        out, w = m(T(q), T(k), T(v), **ekw)
        out = out.detach().numpy()
    ref, ref_w = np_mha(
        q,
        k,
        v,
        *mha_params(m),
        2,
        kpm=kw.get("key_padding_mask"),
        attn_mask=kw.get("attn_mask"),
        average=kw.get("average_attn_weights", True),
    )
    np.testing.assert_allclose(out, ref, atol=1e-12)
    np.testing.assert_allclose(w.detach().numpy(), ref_w, atol=1e-12)
    # need_weights=False takes the sdpa path; same output
    out2, none = m(
        *(T(x.transpose(1, 0, 2) if batch_first else x) for x in (q, k, v)),
        need_weights=False,
        **ekw,
    )
    assert none is None
    out2 = out2.detach().numpy().transpose(1, 0, 2) if batch_first else out2.detach().numpy()
    np.testing.assert_allclose(out2, ref, atol=1e-12)


def test_mha_self_attention_packed_and_unbatched():
    m = make_mha()
    x = randn(5, 2, 8, seed=4)
    out, w = m(T(x), T(x), T(x))
    ref, ref_w = np_mha(x, x, x, *mha_params(m), 2)
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    np.testing.assert_allclose(w.detach().numpy(), ref_w, atol=1e-12)
    out1, w1 = m(T(x[:, 1]), T(x[:, 1]), T(x[:, 1]), average_attn_weights=False)
    assert out1.shape == (5, 8) and w1.shape == (2, 5, 5)
    np.testing.assert_allclose(out1.detach().numpy(), ref[:, 1], atol=1e-12)
    out2, w2 = m(
        T(x[:, 0]), T(x[:, 0]), T(x[:, 0]), key_padding_mask=T(np.array([0, 0, 0, 1, 1], bool))
    )
    ref2, ref_w2 = np_mha(
        x[:, :1], x[:, :1], x[:, :1], *mha_params(m), 2, kpm=np.array([[0, 0, 0, 1, 1]], bool)
    )
    np.testing.assert_allclose(out2.detach().numpy(), ref2[:, 0], atol=1e-12)
    np.testing.assert_allclose(w2.detach().numpy(), ref_w2[0], atol=1e-12)


def test_mha_causal_hint():
    m = make_mha(batch_first=True)
    x = T(randn(2, 4, 8, seed=5))
    causal = nn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64)
    a, _ = m(x, x, x, attn_mask=causal, is_causal=True, need_weights=False)
    b, _ = m(x, x, x, attn_mask=causal)
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-12)
    with pytest.raises(RuntimeError, match="Need attn_mask if specifying the is_causal hint"):
        m(x, x, x, is_causal=True)


def test_mha_kdim_vdim_bias_kv_zero_attn():
    m = nn.MultiheadAttention(8, 2, kdim=5, vdim=6, add_bias_kv=True, add_zero_attn=True)
    names = [(n, tuple(p.shape)) for n, p in m.named_parameters()]
    assert names == [
        ("q_proj_weight", (8, 8)),
        ("k_proj_weight", (8, 5)),
        ("v_proj_weight", (8, 6)),
        ("in_proj_bias", (24,)),
        ("bias_k", (1, 1, 8)),
        ("bias_v", (1, 1, 8)),
        ("out_proj.weight", (8, 8)),
        ("out_proj.bias", (8,)),
    ]
    assert m.in_proj_weight is None
    out, w = m(
        ember.randn(3, 2, 8), ember.randn(4, 2, 5), ember.randn(4, 2, 6), key_padding_mask=T(KPM)
    )
    # two extra key positions: bias_k and the zero key
    assert out.shape == (3, 2, 8) and w.shape == (2, 3, 6)
    np.testing.assert_allclose(w.detach().numpy().sum(-1), 1.0, rtol=1e-6)
    assert np.all(w.detach().numpy()[1, :, 1:4] == 0)  # padded keys get no weight


def test_mha_separate_weights_vs_numpy():
    m = make_mha(kdim=5, vdim=6, add_bias_kv=True, add_zero_attn=True)
    q, k, v = randn(3, 2, 8, seed=1), randn(4, 2, 5, seed=2), randn(4, 2, 6, seed=3)
    out, w = m(T(q), T(k), T(v), average_attn_weights=False)
    # reference: project, append bias_k/bias_v and a zero key/value per head
    E, hd = 8, 4
    b = m.in_proj_bias.detach().numpy()
    qp = q @ m.q_proj_weight.detach().numpy().T + b[:E]
    kp = k @ m.k_proj_weight.detach().numpy().T + b[E : 2 * E]
    vp = v @ m.v_proj_weight.detach().numpy().T + b[2 * E :]
    kp = np.concatenate([kp, np.broadcast_to(m.bias_k.detach().numpy(), (1, 2, E))])
    vp = np.concatenate([vp, np.broadcast_to(m.bias_v.detach().numpy(), (1, 2, E))])
    qh = qp.reshape(3, 4, hd).transpose(1, 0, 2)
    kh = np.concatenate([kp.reshape(5, 4, hd).transpose(1, 0, 2), np.zeros((4, 1, hd))], 1)
    vh = np.concatenate([vp.reshape(5, 4, hd).transpose(1, 0, 2), np.zeros((4, 1, hd))], 1)
    pw = np_softmax(qh @ kh.transpose(0, 2, 1) / 2.0)
    ref = (pw @ vh).transpose(1, 0, 2).reshape(3, 2, E) @ m.out_proj.weight.detach().numpy().T
    ref = ref + m.out_proj.bias.detach().numpy()
    np.testing.assert_allclose(out.detach().numpy(), ref, atol=1e-12)
    np.testing.assert_allclose(w.detach().numpy(), pw.reshape(2, 2, 3, 6), atol=1e-12)


def test_mha_fully_masked_row_matches_pytorch_nan():
    m = make_mha()
    x = T(randn(3, 2, 8))
    kpm = T(np.array([[False, False, False], [True, True, True]]))
    _, w = m(x, x, x, key_padding_mask=kpm)  # PyTorch's weights path: NaN rows
    assert np.isnan(w.detach().numpy()[1]).all() and np.isfinite(w.detach().numpy()[0]).all()
    out2, _ = m(x, x, x, key_padding_mask=kpm, need_weights=False)  # sdpa path: zeros
    np.testing.assert_allclose(
        out2.detach().numpy()[:, 1],
        np.broadcast_to(m.out_proj.bias.detach().numpy(), (3, 8)),
        atol=1e-12,
    )


def test_mha_gradcheck(gradcheck, rand):
    E, H = 4, 2
    w_in, b_in = rand(3 * E, E, seed=1), rand(3 * E, seed=2)
    w_out, b_out = rand(E, E, seed=3), rand(E, seed=4)
    bk, bv = rand(1, 1, E, seed=5), rand(1, 1, E, seed=6)
    q, k = rand(3, 2, E, seed=7), rand(4, 2, E, seed=8)
    kpm = T(np.array([[0, 0, 1, 0], [0, 1, 0, 0]], bool))
    am = T(np.array([[0, 1, 0, 0], [0, 0, 0, 1], [1, 0, 0, 0]], bool))

    def fn(q, k, w_in, b_in, w_out, b_out, bk, bv):
        return F.multi_head_attention_forward(
            q,
            k,
            k,
            E,
            H,
            w_in,
            b_in,
            bk,
            bv,
            True,
            0.0,
            w_out,
            b_out,
            key_padding_mask=kpm,
            attn_mask=am,
            average_attn_weights=False,
        )

    gradcheck(fn, q, k, w_in, b_in, w_out, b_out, bk, bv)

    def self_attn(x, w_in, b_in, w_out):
        return F.multi_head_attention_forward(
            x, x, x, E, H, w_in, b_in, None, None, False, 0.0, w_out, None, need_weights=False
        )[0]

    gradcheck(self_attn, q, w_in, b_in, w_out, second_order=True)

    def with_weights(x, w_in):  # the weights output is differentiable too, to second order
        return F.multi_head_attention_forward(
            x, x, x, E, H, w_in, None, None, None, False, 0.0, w_out, None, attn_mask=am[:, :3]
        )

    gradcheck(with_weights, q, w_in, second_order=True)


def test_mha_module_gradients_flow_to_every_parameter():
    m = make_mha(kdim=5, vdim=3, add_bias_kv=True)
    out, w = m(
        ember.randn(3, 2, 8, dtype=ember.float64),
        ember.randn(4, 2, 5, dtype=ember.float64),
        ember.randn(4, 2, 3, dtype=ember.float64),
    )
    (out.sum() + w.sum()).backward()
    for name, p in m.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, name
        assert np.abs(p.grad.numpy()).sum() > 0, name


def test_mha_dropout_train_and_eval():
    m = nn.MultiheadAttention(8, 2, dropout=0.5)
    x = ember.randn(6, 3, 8)
    ember.manual_seed(0)
    a = m(x, x, x)[0]
    ember.manual_seed(1)
    b = m(x, x, x)[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    m.eval()
    np.testing.assert_array_equal(m(x, x, x)[0].detach().numpy(), m(x, x, x)[0].detach().numpy())


def test_mha_init_and_repr():
    ember.manual_seed(0)
    m = nn.MultiheadAttention(16, 4)
    assert repr(m) == (
        "MultiheadAttention(\n"
        "  (out_proj): NonDynamicallyQuantizableLinear(in_features=16, out_features=16, "
        "bias=True)\n)"
    )
    assert isinstance(m.out_proj, nn.Linear)
    assert np.all(m.in_proj_bias.detach().numpy() == 0)
    assert np.all(m.out_proj.bias.detach().numpy() == 0)
    w = m.in_proj_weight.detach().numpy()
    bound = math.sqrt(6.0 / (16 + 48))  # xavier_uniform_ on (3E, E)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    assert m.head_dim == 4 and m._qkv_same_embed_dim and not m.batch_first
    assert list(m.state_dict()) == [
        "in_proj_weight",
        "in_proj_bias",
        "out_proj.weight",
        "out_proj.bias",
    ]
    assert list(nn.MultiheadAttention(8, 2, bias=False).state_dict()) == [
        "in_proj_weight",
        "out_proj.weight",
    ]


def test_mha_errors():
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.MultiheadAttention(8, 3)
    with pytest.raises(ValueError, match="embed_dim and num_heads must be greater than 0"):
        nn.MultiheadAttention(0, 2)
    m = nn.MultiheadAttention(8, 2)
    x = ember.randn(3, 2, 8)
    with pytest.raises(
        RuntimeError, match=r"The shape of the 2D attn_mask is \(3, 4\), but should be \(3, 3\)"
    ):
        m(x, x, x, attn_mask=ember.zeros(3, 4))
    with pytest.raises(RuntimeError, match="The shape of the 3D attn_mask"):
        m(x, x, x, attn_mask=ember.zeros(2, 3, 3))
    with pytest.raises(AssertionError, match="only bool and floating types of key_padding_mask"):
        m(x, x, x, key_padding_mask=ember.zeros(2, 3, dtype=ember.int64))
    with pytest.raises(AssertionError, match="expected `key` and `value` to be 3-D"):
        m(x, x[0], x[0])
    with pytest.raises(AssertionError, match="query should be unbatched 2D or batched 3D"):
        m(x[None], x[None], x[None])
    with pytest.raises(AssertionError, match="was expecting embedding dimension of 8, but got 6"):
        m(ember.randn(3, 2, 6), x, x)
    with pytest.raises(AssertionError, match=r"Expected key_padded_mask.shape\[1\] to be 3"):
        m(x, x, x, key_padding_mask=ember.zeros(2, 5, dtype=ember.bool))
