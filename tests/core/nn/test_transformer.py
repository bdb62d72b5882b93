"""Transformer layers: state-dict keys and reprs identical to PyTorch's, forward against a
NumPy reference (post- and pre-norm, relu and gelu, masks), gradients, train/eval, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

# Keys printed by PyTorch 2.13 for the same architectures.
ENCODER_LAYER_KEYS = [
    "self_attn.in_proj_weight",
    "self_attn.in_proj_bias",
    "self_attn.out_proj.weight",
    "self_attn.out_proj.bias",
    "linear1.weight",
    "linear1.bias",
    "linear2.weight",
    "linear2.bias",
    "norm1.weight",
    "norm1.bias",
    "norm2.weight",
    "norm2.bias",
]
DECODER_LAYER_KEYS = [
    "self_attn.in_proj_weight",
    "self_attn.in_proj_bias",
    "self_attn.out_proj.weight",
    "self_attn.out_proj.bias",
    "multihead_attn.in_proj_weight",
    "multihead_attn.in_proj_bias",
    "multihead_attn.out_proj.weight",
    "multihead_attn.out_proj.bias",
    "linear1.weight",
    "linear1.bias",
    "linear2.weight",
    "linear2.bias",
    "norm1.weight",
    "norm1.bias",
    "norm2.weight",
    "norm2.bias",
    "norm3.weight",
    "norm3.bias",
]
ENCODER_LAYER_REPR = """TransformerEncoderLayer(
  (self_attn): MultiheadAttention(
    (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
  )
  (linear1): Linear(in_features=8, out_features=16, bias=True)
  (dropout): Dropout(p=0.1, inplace=False)
  (linear2): Linear(in_features=16, out_features=8, bias=True)
  (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
  (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
  (dropout1): Dropout(p=0.1, inplace=False)
  (dropout2): Dropout(p=0.1, inplace=False)
)"""
ENCODER_REPR = """TransformerEncoder(
  (layers): ModuleList(
    (0-1): 2 x TransformerEncoderLayer(
      (self_attn): MultiheadAttention(
        (out_proj): NonDynamicallyQuantizableLinear(in_features=8, out_features=8, bias=True)
      )
      (linear1): Linear(in_features=8, out_features=16, bias=True)
      (dropout): Dropout(p=0.1, inplace=False)
      (linear2): Linear(in_features=16, out_features=8, bias=True)
      (norm1): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
      (norm2): LayerNorm((8,), eps=1e-05, elementwise_affine=True, bias=True)
      (dropout1): Dropout(p=0.1, inplace=False)
      (dropout2): Dropout(p=0.1, inplace=False)
    )
  )
)"""


def A(t):
    return t.detach().numpy()


def T(a):
    return ember.tensor(a)


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# -- NumPy reference -----------------------------------------------------------------------------


def np_layer_norm(x, w, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * w + b


def np_gelu(x):
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1 + erf(x / math.sqrt(2)))


def np_attention(m, q, k, v, mask=None, kpm=None):
    """MultiheadAttention (seq-first (L, N, E)) from the module's parameters, in NumPy."""
    E, H = m.embed_dim, m.num_heads
    hd = E // H
    w, b = A(m.in_proj_weight), A(m.in_proj_bias)
    qp, kp, vp = (
        q @ w[:E].T + b[:E],
        k @ w[E : 2 * E].T + b[E : 2 * E],
        v @ w[2 * E :].T + b[2 * E :],
    )
    L, N, S = q.shape[0], q.shape[1], k.shape[0]

    def heads(x, n):
        return x.reshape(n, N, H, hd).transpose(1, 2, 0, 3)  # (N, H, n, hd)

    s = heads(qp, L) @ heads(kp, S).transpose(0, 1, 3, 2) / math.sqrt(hd)
    if mask is not None:
        s = s + (np.where(mask, -np.inf, 0.0) if mask.dtype == bool else mask)
    if kpm is not None:
        s = s + np.where(kpm, -np.inf, 0.0)[:, None, None, :]
    s = np.exp(s - s.max(-1, keepdims=True))
    p = s / s.sum(-1, keepdims=True)
    out = (p @ heads(vp, S)).transpose(2, 0, 1, 3).reshape(L, N, E)
    return out @ A(m.out_proj.weight).T + A(m.out_proj.bias)


def np_ff(layer, x, act):
    h = x @ A(layer.linear1.weight).T + A(layer.linear1.bias)
    h = np.maximum(h, 0) if act == "relu" else np_gelu(h)
    return h @ A(layer.linear2.weight).T + A(layer.linear2.bias)


def ln(norm, x):
    return np_layer_norm(x, A(norm.weight), A(norm.bias), norm.eps)


def np_encoder_layer(layer, x, act, mask=None, kpm=None):
    sa = lambda h: np_attention(layer.self_attn, h, h, h, mask, kpm)  # noqa: E731
    if layer.norm_first:
        x = x + sa(ln(layer.norm1, x))
        return x + np_ff(layer, ln(layer.norm2, x), act)
    x = ln(layer.norm1, x + sa(x))
    return ln(layer.norm2, x + np_ff(layer, x, act))


def np_decoder_layer(layer, x, mem, act, tgt_mask=None, mem_kpm=None):
    sa = lambda h: np_attention(layer.self_attn, h, h, h, tgt_mask)  # noqa: E731
    ca = lambda h: np_attention(layer.multihead_attn, h, mem, mem, None, mem_kpm)  # noqa: E731
    if layer.norm_first:
        x = x + sa(ln(layer.norm1, x))
        x = x + ca(ln(layer.norm2, x))
        return x + np_ff(layer, ln(layer.norm3, x), act)
    x = ln(layer.norm1, x + sa(x))
    x = ln(layer.norm2, x + ca(x))
    return ln(layer.norm3, x + np_ff(layer, x, act))


def randomise(module, seed=0):
    """Random (non-zero) biases and layer-norm affine parameters, for a stronger check."""
    rng = np.random.default_rng(seed)
    with ember.no_grad():
        for p in module.parameters():
            if p.dim() == 1:
                p.copy_(ember.tensor(rng.standard_normal(p.shape) * 0.3))
    return module


# -- state dicts, reprs, construction ------------------------------------------------------------


def test_state_dict_keys_match_pytorch():
    assert list(nn.TransformerEncoderLayer(8, 2, 16).state_dict()) == ENCODER_LAYER_KEYS
    assert list(nn.TransformerDecoderLayer(8, 2, 16).state_dict()) == DECODER_LAYER_KEYS
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16), 2, norm=nn.LayerNorm(8))
    assert list(enc.state_dict()) == [
        f"layers.{i}.{k}" for i in range(2) for k in ENCODER_LAYER_KEYS
    ] + ["norm.weight", "norm.bias"]
    model = nn.Transformer(8, 2, 1, 1, 16)
    assert list(model.state_dict()) == (
        ["encoder.layers.0." + k for k in ENCODER_LAYER_KEYS]
        + ["encoder.norm.weight", "encoder.norm.bias"]
        + ["decoder.layers.0." + k for k in DECODER_LAYER_KEYS]
        + ["decoder.norm.weight", "decoder.norm.bias"]
    )
    assert list(nn.TransformerEncoderLayer(8, 2, 16, bias=False).state_dict()) == [
        "self_attn.in_proj_weight",
        "self_attn.out_proj.weight",
        "linear1.weight",
        "linear2.weight",
        "norm1.weight",
        "norm2.weight",
    ]
    shapes = {
        k: tuple(v.shape) for k, v in nn.TransformerEncoderLayer(8, 2, 16).state_dict().items()
    }
    assert shapes["self_attn.in_proj_weight"] == (24, 8)
    assert shapes["linear1.weight"] == (16, 8) and shapes["linear2.weight"] == (8, 16)


def test_reprs_match_pytorch():
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    assert repr(layer) == ENCODER_LAYER_REPR
    assert repr(nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)) == ENCODER_REPR


def test_defaults_and_attributes():
    layer = nn.TransformerEncoderLayer(16, 4)
    assert layer.linear1.out_features == 2048 and layer.dropout.p == 0.1
    assert layer.norm1.eps == 1e-5 and not layer.norm_first
    assert layer.activation is F.relu and layer.activation_relu_or_gelu == 1
    assert not layer.self_attn.batch_first
    assert nn.TransformerEncoderLayer(16, 4, activation="gelu").activation_relu_or_gelu == 2
    custom = nn.TransformerEncoderLayer(16, 4, activation=ember.tanh)
    assert custom.activation is ember.tanh and custom.activation_relu_or_gelu == 0
    model = nn.Transformer(16, 4, 2, 3, 32)
    assert len(model.encoder.layers) == 2 and len(model.decoder.layers) == 3
    assert model.d_model == 16 and model.nhead == 4 and not model.batch_first


def test_encoder_clones_are_independent_copies():
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    enc = nn.TransformerEncoder(layer, 2)
    a, b = enc.layers[0], enc.layers[1]
    assert a is not layer and a is not b
    np.testing.assert_array_equal(A(a.linear1.weight), A(b.linear1.weight))
    with ember.no_grad():
        a.linear1.weight.zero_()
    assert np.abs(A(b.linear1.weight)).sum() > 0
    assert enc.enable_nested_tensor and not enc.use_nested_tensor


def test_transformer_reset_parameters_xavier():
    ember.manual_seed(0)
    model = nn.Transformer(16, 4, 1, 1, 32)
    w = A(model.encoder.layers[0].linear1.weight)  # (32, 16): xavier bound sqrt(6 / 48)
    bound = math.sqrt(6 / 48)
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.8 * bound
    np.testing.assert_array_equal(A(model.encoder.layers[0].self_attn.in_proj_bias), 0)


def test_generate_square_subsequent_mask():
    m = nn.Transformer.generate_square_subsequent_mask(4)
    assert m.dtype == ember.float32 and m.shape == (4, 4)
    expected = np.triu(np.full((4, 4), -np.inf), 1)
    np.testing.assert_array_equal(m.numpy(), expected)
    m64 = nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64)
    assert m64.dtype == ember.float64


# -- forward against NumPy -----------------------------------------------------------------------


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_encoder_layer_forward(norm_first, activation, batch_first):
    ember.manual_seed(0)
    layer = nn.TransformerEncoderLayer(
        8,
        2,
        16,
        activation=activation,
        norm_first=norm_first,
        batch_first=batch_first,
        dtype=ember.float64,
    )
    randomise(layer).eval()
    x = randn(5, 2, 8)
    mask = np.triu(np.ones((5, 5), dtype=bool), 1)  # bool: True = not allowed to attend
    kpm = np.array([[False] * 5, [False, False, False, True, True]])
    inp = x.transpose(1, 0, 2) if batch_first else x
    out = A(layer(T(inp), src_mask=T(mask), src_key_padding_mask=T(kpm)))
    out = out.transpose(1, 0, 2) if batch_first else out
    ref = np_encoder_layer(layer, x, activation, mask, kpm)
    np.testing.assert_allclose(out, ref, atol=1e-10)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_forward(norm_first):
    ember.manual_seed(1)
    layer = nn.TransformerDecoderLayer(
        8, 2, 16, activation="gelu", norm_first=norm_first, dtype=ember.float64
    )
    randomise(layer, seed=1).eval()
    x, mem = randn(4, 2, 8, seed=1), randn(6, 2, 8, seed=2)
    tgt_mask = np.triu(np.full((4, 4), -np.inf), 1)
    kpm = np.array([[False] * 5 + [True], [False] * 6])
    out = layer(T(x), T(mem), tgt_mask=T(tgt_mask), memory_key_padding_mask=T(kpm))
    ref = np_decoder_layer(layer, x, mem, "gelu", tgt_mask, kpm)
    np.testing.assert_allclose(A(out), ref, atol=1e-10)


def test_transformer_forward_composes_encoder_and_decoder():
    ember.manual_seed(2)
    model = nn.Transformer(8, 2, 2, 2, 16, dtype=ember.float64).eval()
    src, tgt = randn(5, 2, 8, seed=3), randn(4, 2, 8, seed=4)
    tgt_mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=ember.float64)
    out = model(T(src), T(tgt), tgt_mask=tgt_mask)
    mem = src
    for layer in model.encoder.layers:
        mem = np_encoder_layer(layer, mem, "relu")
    mem = ln(model.encoder.norm, mem)
    y = tgt
    for layer in model.decoder.layers:
        y = np_decoder_layer(layer, y, mem, "relu", tgt_mask.numpy())
    y = ln(model.decoder.norm, y)
    np.testing.assert_allclose(A(out), y, atol=1e-10)


def test_encoder_detects_causal_mask_and_passes_masks():
    ember.manual_seed(3)
    layer = nn.TransformerEncoderLayer(8, 2, 16, batch_first=True, dtype=ember.float64)
    enc = nn.TransformerEncoder(layer, 2).eval()
    x = T(randn(2, 5, 8, seed=5))
    causal = nn.Transformer.generate_square_subsequent_mask(5, dtype=ember.float64)
    a = A(enc(x, mask=causal))  # detected: the layers get is_causal=True
    b = A(enc(x, mask=causal, is_causal=False))
    np.testing.assert_allclose(a, b, atol=1e-12)
    # causal: position 0's output does not depend on later positions
    x2 = x.clone()
    x2[:, 3:] = 0.0
    np.testing.assert_allclose(A(enc(x2, mask=causal))[:, :3], a[:, :3], atol=1e-12)
    # key padding: padded keys do not change the other positions' outputs
    kpm = T(np.array([[False] * 4 + [True]] * 2))
    c = A(enc(x, src_key_padding_mask=kpm))
    x3 = x.clone()
    x3[:, 4] = 5.0
    np.testing.assert_allclose(A(enc(x3, src_key_padding_mask=kpm))[:, :4], c[:, :4], atol=1e-12)


def test_unbatched_input():
    ember.manual_seed(4)
    layer = nn.TransformerEncoderLayer(8, 2, 16, dtype=ember.float64).eval()
    x = randn(5, 1, 8, seed=6)
    np.testing.assert_allclose(A(layer(T(x[:, 0]))), A(layer(T(x)))[:, 0], atol=1e-12)


# -- gradients, train/eval -------------------------------------------------------------------------


def test_encoder_layer_gradcheck(gradcheck, rand):
    ember.manual_seed(5)
    layer = nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, dtype=ember.float64)
    randomise(layer, seed=5)
    mask = nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64)
    gradcheck(lambda x: layer(x, src_mask=mask), rand(3, 2, 4, seed=6))
    dec = nn.TransformerDecoderLayer(4, 2, 8, dropout=0.0, norm_first=True, dtype=ember.float64)
    randomise(dec, seed=7)
    gradcheck(lambda x, m: dec(x, m), rand(3, 2, 4, seed=8), rand(4, 2, 4, seed=9))


def test_gradients_reach_every_parameter():
    model = nn.Transformer(8, 2, 1, 1, 16, dropout=0.0)
    out = model(ember.randn(5, 2, 8), ember.randn(4, 2, 8))
    (out * ember.randn(4, 2, 8)).sum().backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and p.grad.shape == p.shape, name
        assert np.abs(p.grad.numpy()).sum() > 0, name


def test_dropout_train_vs_eval():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5)
    x = ember.randn(5, 2, 8)
    assert not np.allclose(A(layer(x)), A(layer(x)))
    layer.eval()
    np.testing.assert_array_equal(A(layer(x)), A(layer(x)))


# -- errors --------------------------------------------------------------------------------------


def test_errors():
    with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(AssertionError, match="embed_dim must be divisible by num_heads"):
        nn.TransformerEncoderLayer(8, 3)
    model = nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="the batch number of src and tgt must be equal"):
        model(ember.randn(5, 2, 8), ember.randn(4, 3, 8))
    with pytest.raises(RuntimeError, match="the feature number of src and tgt must be equal"):
        model(ember.randn(5, 2, 8), ember.randn(4, 2, 6))
    layer = nn.TransformerEncoderLayer(8, 2, 16)
    with pytest.raises(RuntimeError, match=r"The shape of the 2D attn_mask is \(4, 4\)"):
        layer(ember.randn(5, 2, 8), src_mask=ember.zeros(4, 4))
    with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and attn_mask"):
        layer(
            ember.randn(5, 2, 8),
            src_mask=ember.zeros(5, 5),
            src_key_padding_mask=ember.zeros(2, 5, dtype=ember.bool),
        )


def test_pickle_deepcopy_and_state_dict_round_trip():
    import copy
    import pickle

    model = nn.Transformer(8, 2, 1, 1, 16).eval()
    src, tgt = ember.randn(5, 2, 8), ember.randn(4, 2, 8)
    expected = A(model(src, tgt))
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        np.testing.assert_array_equal(A(clone(src, tgt)), expected)
    other = nn.Transformer(8, 2, 1, 1, 16).eval()
    assert not np.allclose(A(other(src, tgt)), expected)
    other.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(A(other(src, tgt)), expected)
