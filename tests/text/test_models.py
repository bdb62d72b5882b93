"""ember_text.models: the classifiers and the GPT language model."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember_text.models import (
    GPT,
    EmbeddingBagClassifier,
    GPTConfig,
    LearnedPositionalEmbedding,
    SinusoidalPositionalEmbedding,
    TransformerEncoderClassifier,
)


def _train(model, loss_fn, steps, lr=1e-2):
    opt = ember.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


# -- EmbeddingBagClassifier


def test_embedding_bag_classifier_matches_mean_of_embeddings():
    ember.manual_seed(0)
    model = EmbeddingBagClassifier(vocab_size=30, embed_dim=6, num_class=3)
    text = ember.tensor([4, 7, 7, 1, 29, 0, 5])
    offsets = ember.tensor([0, 3, 5])
    out = model(text, offsets)
    assert out.shape == (3, 3)
    emb = model.embedding.weight.detach().numpy()
    w, b = model.fc.weight.detach().numpy(), model.fc.bias.detach().numpy()
    bags = [[4, 7, 7], [1, 29], [0, 5]]
    expected = np.stack([emb[bag].mean(0) for bag in bags]) @ w.T + b
    np.testing.assert_allclose(out.detach().numpy(), expected, rtol=1e-5, atol=1e-6)


def test_embedding_bag_classifier_initialisation():
    model = EmbeddingBagClassifier(vocab_size=200, embed_dim=16, num_class=4)
    for weight in (model.embedding.weight, model.fc.weight):
        values = weight.detach().numpy()
        assert values.min() >= -0.5 and values.max() <= 0.5 and values.std() > 0.2
    assert np.all(model.fc.bias.detach().numpy() == 0)


def test_embedding_bag_classifier_padding_idx_and_bad_mode():
    model = EmbeddingBagClassifier(10, 4, 2, padding_idx=0)
    assert np.all(model.embedding.weight.detach().numpy()[0] == 0)
    with_pad = model(ember.tensor([3, 0, 0, 5]), ember.tensor([0]))
    without = model(ember.tensor([3, 5]), ember.tensor([0]))
    np.testing.assert_allclose(with_pad.detach().numpy(), without.detach().numpy(), rtol=1e-6)
    with pytest.raises(ValueError, match="mode must be 'mean', 'sum' or 'max', got 'median'"):
        EmbeddingBagClassifier(10, 4, 2, mode="median")


def test_embedding_bag_classifier_learns_token_topics():
    ember.manual_seed(1)
    # class c is made of tokens 10c..10c+9; each text holds 3 tokens of its class
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 60)
    texts = [rng.integers(10 * c, 10 * c + 10, 3) for c in labels]
    text = ember.tensor(np.concatenate(texts))
    offsets = ember.tensor(np.arange(0, 3 * len(texts), 3))
    target = ember.tensor(labels)
    model = EmbeddingBagClassifier(30, 8, 3)
    losses = _train(model, lambda: F.cross_entropy(model(text, offsets), target), 30, lr=0.05)
    assert losses[-1] < 0.3 * losses[0]
    assert (model(text, offsets).argmax(-1) == target).float().mean().item() == 1.0


# -- position embeddings --------------------------------------------------------------------------


def test_sinusoidal_positional_embedding_matches_formula():
    pe = SinusoidalPositionalEmbedding(max_len=20, embedding_dim=6)
    out = pe(5, offset=3).numpy()
    pos = np.arange(3, 8)[:, None]
    i = np.arange(3)[None, :]
    angle = pos / 10000.0 ** (2 * i / 6)
    np.testing.assert_allclose(out[:, 0::2], np.sin(angle), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(out[:, 1::2], np.cos(angle), rtol=1e-6, atol=1e-6)
    assert "pe" not in pe.state_dict()
    assert list(pe.parameters()) == []


def test_positional_embeddings_reject_too_long_sequences():
    for cls in (SinusoidalPositionalEmbedding, LearnedPositionalEmbedding):
        with pytest.raises(RuntimeError, match="12 positions but at most max_len=10"):
            cls(10, 4)(12)
    learned = LearnedPositionalEmbedding(10, 4)
    np.testing.assert_array_equal(
        learned(3, offset=2).detach().numpy(), learned.embedding.weight.detach().numpy()[2:5]
    )


# -- TransformerEncoderClassifier


def _encoder_classifier(**kwargs):
    ember.manual_seed(0)
    options = dict(vocab_size=40, num_classes=3, d_model=16, nhead=2, num_layers=2, max_len=12)
    options.update(kwargs)
    return TransformerEncoderClassifier(**options).eval()


@pytest.mark.parametrize("pooling", ["mean", "cls"])
@pytest.mark.parametrize("positional", ["learned", "sinusoidal"])
def test_encoder_classifier_ignores_padding(pooling, positional):
    model = _encoder_classifier(pooling=pooling, positional=positional)
    short = ember.tensor([[5, 9, 13]])
    padded = ember.tensor([[5, 9, 13, 0, 0, 0], [7, 8, 0, 0, 0, 0]])
    mask = (padded != 0).long()
    alone = model(short, attention_mask=ember.ones(1, 3, dtype=ember.int64))
    batched = model(padded, attention_mask=mask)
    assert batched.shape == (2, 3)
    np.testing.assert_allclose(
        batched[:1].detach().numpy(), alone.detach().numpy(), rtol=1e-4, atol=1e-5
    )
    # whatever sits in the padded positions does not matter
    garbage = ember.tensor([[5, 9, 13, 31, 2, 17], [7, 8, 1, 1, 1, 1]])
    np.testing.assert_allclose(
        model(garbage, attention_mask=mask).detach().numpy(),
        batched.detach().numpy(),
        rtol=1e-4,
        atol=1e-5,
    )


def test_encoder_classifier_mean_pooling_reference():
    model = _encoder_classifier(num_layers=1)
    ids = ember.tensor([[3, 4, 5, 0]])
    mask = ember.tensor([[1, 1, 1, 0]])
    x = model.embedding(ids) + model.position(4)
    hidden = model.encoder(x, src_key_padding_mask=mask == 0).detach().numpy()
    pooled = hidden[0, :3].mean(0)
    expected = pooled @ model.head.weight.detach().numpy().T + model.head.bias.detach().numpy()
    np.testing.assert_allclose(model(ids, mask).detach().numpy()[0], expected, rtol=1e-5)


def test_encoder_classifier_errors():
    model = _encoder_classifier()
    with pytest.raises(RuntimeError, match=r"input_ids of shape \(N, L\), got \(4,\)"):
        model(ember.tensor([1, 2, 3, 4]))
    with pytest.raises(RuntimeError, match=r"attention_mask must have the shape .*\(1, 3\)"):
        model(ember.tensor([[1, 2, 3, 4]]), ember.ones(1, 3))
    with pytest.raises(RuntimeError, match="max_len=12"):
        model(ember.ones(1, 13, dtype=ember.int64))
    with pytest.raises(ValueError, match="positional must be 'learned' or 'sinusoidal'"):
        TransformerEncoderClassifier(10, 2, positional="rotary")
    with pytest.raises(ValueError, match="pooling must be 'mean' or 'cls', got 'max'"):
        TransformerEncoderClassifier(10, 2, pooling="max")
    with pytest.raises(ValueError, match=r"d_model \(10\) must be divisible by nhead \(4\)"):
        TransformerEncoderClassifier(10, 2, d_model=10, nhead=4)


def test_encoder_classifier_trains():
    ember.manual_seed(0)
    model = _encoder_classifier(dropout=0.0).train()
    rng = np.random.default_rng(1)
    # the label is whether token 7 occurs in the (variably padded) text
    ids = rng.integers(8, 40, (24, 6))
    lengths = rng.integers(2, 7, 24)
    labels = rng.integers(0, 2, 24)
    for row, (n, y) in enumerate(zip(lengths, labels)):
        if y:
            ids[row, rng.integers(0, n)] = 7
        ids[row, n:] = 0
    ids_t, mask = ember.tensor(ids), ember.tensor((ids != 0).astype(np.int64))
    target = ember.tensor(labels)
    losses = _train(model, lambda: F.cross_entropy(model(ids_t, mask), target), 25, lr=3e-3)
    assert losses[-1] < 0.5 * losses[0]
    for name, p in model.named_parameters():
        assert p.grad is not None, name


# -- GPT


def _gpt(**kwargs):
    ember.manual_seed(0)
    options = dict(vocab_size=23, block_size=16, n_layer=2, n_head=2, n_embd=12)
    options.update(kwargs)
    return GPT(GPTConfig(**options))


def test_gpt_config_validation():
    with pytest.raises(ValueError, match=r"n_embd \(10\) must be divisible by n_head \(3\)"):
        GPTConfig(n_embd=10, n_head=3)
    with pytest.raises(ValueError, match="block_size must be a positive int, got 0"):
        GPTConfig(block_size=0)
    with pytest.raises(ValueError, match=r"dropout must be in \[0, 1\), got 1.5"):
        GPTConfig(dropout=1.5)
    with pytest.raises(TypeError, match="config must be a GPTConfig, got dict"):
        GPT({"vocab_size": 3})


def test_gpt_shapes_loss_and_tied_head():
    model = _gpt()
    ids = ember.randint(0, 23, (3, 9))
    targets = ember.randint(0, 23, (3, 9))
    targets[0, :4] = -100
    out = model(ids, targets=targets)
    logits, loss, cache = out
    assert logits.shape == (3, 9, 23) and loss.shape == () and cache is None
    assert out.logits is logits
    # the loss is the mean cross-entropy over the positions whose target is not -100
    lg = logits.detach().numpy().astype(np.float64).reshape(-1, 23)
    t = targets.numpy().reshape(-1)
    logp = (
        lg
        - np.log(np.exp(lg - lg.max(1, keepdims=True)).sum(1, keepdims=True))
        - lg.max(1, keepdims=True)
    )
    keep = t != -100
    expected = -logp[np.arange(len(t))[keep], t[keep]].mean()
    assert loss.item() == pytest.approx(expected, rel=1e-5)
    assert model.lm_head.weight is model.wte.weight
    names = [n for n, _ in model.named_parameters()]
    assert "lm_head.weight" not in names and "wte.weight" in names
    n_params = sum(p.numel() for p in model.parameters())
    assert model.get_num_params(non_embedding=False) == n_params
    assert model.get_num_params() == n_params - 16 * 12


def test_gpt_initialisation_scales_residual_projections():
    model = _gpt(n_layer=8, n_embd=64, n_head=4, vocab_size=300)
    assert np.std(model.wte.weight.detach().numpy()) == pytest.approx(0.02, rel=0.05)
    c_proj = np.concatenate([b.mlp.c_proj.weight.detach().numpy().ravel() for b in model.h])
    assert np.std(c_proj) == pytest.approx(0.02 / math.sqrt(16), rel=0.05)
    assert np.all(model.h[0].attn.c_attn.bias.detach().numpy() == 0)


def test_gpt_is_causal():
    model = _gpt().eval()
    ids = ember.randint(0, 23, (2, 10))
    changed = ids.clone()
    changed[:, 6] = (ids[:, 6] + 1) % 23
    a = model(ids).logits.detach().numpy()
    b = model(changed).logits.detach().numpy()
    np.testing.assert_allclose(a[:, :6], b[:, :6], rtol=1e-6, atol=1e-7)
    assert np.abs(a[:, 6:] - b[:, 6:]).max(axis=-1).min() > 1e-6


def test_gpt_incremental_cache_matches_full_forward():
    model = _gpt().double().eval()
    ids = ember.randint(0, 23, (2, 11))
    full = model(ids).logits.detach().numpy()
    first = model(ids[:, :5], use_cache=True)
    assert len(first.past_key_values) == 2
    k, v = first.past_key_values[0]
    assert k.shape == (2, 2, 5, 6) and v.shape == (2, 2, 5, 6)
    second = model(ids[:, 5:8], past_key_values=first.past_key_values, use_cache=True)
    third = model(ids[:, 8:9], past_key_values=second.past_key_values, use_cache=True)
    fourth = model(ids[:, 9:], past_key_values=third.past_key_values)
    assert fourth.past_key_values is None
    pieces = [first, second, third, fourth]
    stitched = np.concatenate([p.logits.detach().numpy() for p in pieces], axis=1)
    np.testing.assert_allclose(stitched, full, rtol=1e-10, atol=1e-12)


def test_gpt_errors():
    model = _gpt()
    with pytest.raises(RuntimeError, match=r"cannot attend over 17 positions.*block_size is 16"):
        model(ember.zeros(1, 17, dtype=ember.int64))
    cache = model(ember.zeros(1, 10, dtype=ember.int64), use_cache=True).past_key_values
    with pytest.raises(RuntimeError, match=r"17 positions \(10 cached \+ 7 new\)"):
        model(ember.zeros(1, 7, dtype=ember.int64), past_key_values=cache)
    with pytest.raises(RuntimeError, match="integer token ids, got shape \\(2, 3\\)"):
        model(ember.zeros(2, 3))
    with pytest.raises(RuntimeError, match=r"targets must have the shape of input_ids \(2, 3\)"):
        model(ember.zeros(2, 3, dtype=ember.int64), targets=ember.zeros(2, 4, dtype=ember.int64))
    with pytest.raises(RuntimeError, match="past_key_values has 1 entries, expected one per block"):
        model(ember.zeros(1, 1, dtype=ember.int64), past_key_values=cache[:1])


def test_gpt_backward_reaches_every_parameter_and_training_reduces_loss():
    model = _gpt(dropout=0.1)
    # a repeating pattern: the next token is determined by the current one
    pattern = np.array([3, 1, 4, 15, 9, 2, 6, 5])
    stream = np.tile(pattern, 4)
    ids = ember.tensor(np.stack([stream[i : i + 12] for i in range(4)]))
    targets = ember.tensor(np.stack([stream[i + 1 : i + 13] for i in range(4)]))
    model(ids, targets=targets).loss.backward()
    for name, p in model.named_parameters():
        assert p.grad is not None and np.abs(p.grad.numpy()).sum() > 0, name
    model.zero_grad()
    losses = _train(model, lambda: model(ids, targets=targets).loss, 40, lr=1e-2)
    assert losses[0] == pytest.approx(math.log(23), rel=0.1)
    assert losses[-1] < 0.25 * losses[0]


def test_gpt_dropout_only_in_training():
    model = _gpt(dropout=0.5)
    ids = ember.randint(0, 23, (2, 8))
    model.eval()
    np.testing.assert_array_equal(
        model(ids).logits.detach().numpy(), model(ids).logits.detach().numpy()
    )
    model.train()
    assert not np.array_equal(
        model(ids).logits.detach().numpy(), model(ids).logits.detach().numpy()
    )
