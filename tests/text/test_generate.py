"""ember_text.generation processors and GPT.generate (greedy, sampling, cache, stop tokens)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember_text.generation import (
    LogitsProcessorList,
    RepetitionPenaltyLogitsProcessor,
    TemperatureLogitsWarper,
    TopKLogitsWarper,
    TopPLogitsWarper,
    build_logits_processors,
    select_next_tokens,
)
from ember_text.models import GPT, GPTConfig

RNG = np.random.default_rng(0)


def _scores(n=4, v=12):
    return RNG.normal(size=(n, v)) * 2


def _ids(n=4, v=12, t=5):
    return ember.tensor(RNG.integers(0, v, (n, t)))


# -- processors against direct NumPy computations ---------------------------------------------


def test_temperature():
    s = _scores()
    out = TemperatureLogitsWarper(0.7)(_ids(), ember.tensor(s))
    np.testing.assert_allclose(out.numpy(), s / 0.7, rtol=1e-12)


@pytest.mark.parametrize("k", [1, 3, 12, 50])
def test_top_k(k):
    s = _scores()
    out = TopKLogitsWarper(k)(_ids(), ember.tensor(s)).numpy()
    for row, orig in zip(out, s):
        keep = np.argsort(-orig)[: min(k, len(orig))]
        expected = np.full_like(orig, -np.inf)
        expected[keep] = orig[keep]
        np.testing.assert_array_equal(row, expected)


def test_top_k_keeps_ties_and_min_tokens():
    s = np.array([[1.0, 3.0, 3.0, 0.0, 2.0]])
    out = TopKLogitsWarper(1)(_ids(1), ember.tensor(s)).numpy()
    np.testing.assert_array_equal(out, [[-np.inf, 3.0, 3.0, -np.inf, -np.inf]])
    out = TopKLogitsWarper(1, filter_value=-99.0, min_tokens_to_keep=3)(_ids(1), ember.tensor(s))
    np.testing.assert_array_equal(out.numpy(), [[-99.0, 3.0, 3.0, -99.0, 2.0]])


def _top_p_reference(scores, top_p, min_keep=1):
    """Keep a token when the probability of the strictly more likely tokens is < top_p."""
    out = np.full_like(scores, -np.inf)
    for r, row in enumerate(scores):
        p = np.exp(row - row.max())
        p /= p.sum()
        order = np.argsort(-p, kind="stable")
        before = np.concatenate([[0.0], np.cumsum(p[order])[:-1]])
        keep = order[(before < top_p) | (np.arange(len(p)) < min_keep)]
        out[r, keep] = row[keep]
    return out


@pytest.mark.parametrize("top_p", [0.0, 0.3, 0.6, 0.9, 1.0])
def test_top_p(top_p):
    s = _scores(6, 15)
    out = TopPLogitsWarper(top_p)(_ids(6, 15), ember.tensor(s)).numpy()
    np.testing.assert_array_equal(out, _top_p_reference(s, top_p))


def test_top_p_min_tokens_to_keep():
    s = _scores(3, 10)
    out = TopPLogitsWarper(0.1, min_tokens_to_keep=4)(_ids(3, 10), ember.tensor(s)).numpy()
    np.testing.assert_array_equal(out, _top_p_reference(s, 0.1, min_keep=4))
    assert (np.isfinite(out).sum(axis=1) >= 4).all()


@pytest.mark.parametrize("penalty", [0.5, 1.3, 2.0])
def test_repetition_penalty(penalty):
    s = _scores(3, 8)
    ids = RNG.integers(0, 8, (3, 6))
    out = RepetitionPenaltyLogitsProcessor(penalty)(ember.tensor(ids), ember.tensor(s)).numpy()
    expected = s.copy()
    for r in range(3):
        for tok in set(ids[r].tolist()):
            x = s[r, tok]
            expected[r, tok] = x * penalty if x < 0 else x / penalty
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_processor_argument_errors():
    with pytest.raises(ValueError, match="`temperature` has to be a strictly positive float"):
        TemperatureLogitsWarper(0.0)
    with pytest.raises(
        ValueError,
        match="`top_k` has to be a strictly positive integer, but is -2",
    ):
        TopKLogitsWarper(-2)
    with pytest.raises(ValueError, match=r"`top_p` has to be a float in \[0, 1\], but is 1.5"):
        TopPLogitsWarper(1.5)
    with pytest.raises(ValueError, match="`penalty` has to be a strictly positive float"):
        RepetitionPenaltyLogitsProcessor(-1.0)
    with pytest.raises(ValueError, match="`min_tokens_to_keep` has to be a positive integer"):
        TopPLogitsWarper(0.5, min_tokens_to_keep=0)


def test_build_logits_processors_order_and_chain():
    chain = build_logits_processors(
        do_sample=True, temperature=0.5, top_k=4, top_p=0.8, repetition_penalty=1.2
    )
    assert [type(p) for p in chain] == [
        RepetitionPenaltyLogitsProcessor,
        TemperatureLogitsWarper,
        TopKLogitsWarper,
        TopPLogitsWarper,
    ]
    greedy = build_logits_processors(do_sample=False, temperature=0.5, top_k=4, top_p=0.8)
    assert len(greedy) == 0
    assert len(build_logits_processors(True, 1.0, None, 1.0, 1.0)) == 0
    s, ids = _scores(), _ids()
    expected = ember.tensor(s)
    for p in chain:
        expected = p(ids, expected)
    np.testing.assert_array_equal(chain(ids, ember.tensor(s)).numpy(), expected.numpy())
    assert isinstance(chain, LogitsProcessorList)


def test_select_next_tokens():
    s = _scores(5, 9)
    np.testing.assert_array_equal(select_next_tokens(ember.tensor(s)).numpy(), s.argmax(1))
    masked = np.full((3, 9), -np.inf)
    masked[[0, 1, 2], [4, 0, 8]] = 0.0
    drawn = select_next_tokens(ember.tensor(masked), do_sample=True)
    np.testing.assert_array_equal(drawn.numpy(), [4, 0, 8])
    a = select_next_tokens(ember.tensor(s), True, ember.Generator().manual_seed(3))
    b = select_next_tokens(ember.tensor(s), True, ember.Generator().manual_seed(3))
    np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_sampling_frequencies_follow_softmax():
    logits = np.log(np.array([[0.6, 0.3, 0.1, 0.0]]) + 1e-12).repeat(4000, axis=0)
    g = ember.Generator().manual_seed(0)
    drawn = select_next_tokens(ember.tensor(logits), True, g).numpy()
    freq = np.bincount(drawn, minlength=4) / len(drawn)
    np.testing.assert_allclose(freq, [0.6, 0.3, 0.1, 0.0], atol=0.03)


# -- GPT.generate ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def model():
    ember.manual_seed(0)
    config = GPTConfig(vocab_size=17, block_size=12, n_layer=2, n_head=2, n_embd=16)
    return GPT(config).double().eval()


def _reference_greedy(model, ids, steps, block_size):
    """Full forward over the last block_size tokens, argmax of the last position."""
    ids = ids.numpy()
    for _ in range(steps):
        logits = model(ember.tensor(ids[:, -block_size:])).logits.detach().numpy()
        ids = np.concatenate([ids, logits[:, -1].argmax(-1)[:, None]], axis=1)
    return ids


@pytest.mark.parametrize("use_cache", [True, False])
def test_greedy_matches_reference_loop(model, use_cache):
    prompt = ember.tensor([[1, 5, 9], [2, 2, 16]])
    out = model.generate(prompt, max_new_tokens=6, use_cache=use_cache)
    assert out.shape == (2, 9) and out.dtype == ember.int64
    np.testing.assert_array_equal(out.numpy(), _reference_greedy(model, prompt, 6, 12))


def test_block_size_cropping(model):
    # 5 prompt tokens + 15 new ones run past block_size=12; prompts longer than it are cropped
    prompt = ember.tensor([[3, 1, 4, 1, 5], [9, 2, 6, 5, 3]])
    with_cache = model.generate(prompt, max_new_tokens=15)
    without = model.generate(prompt, max_new_tokens=15, use_cache=False)
    assert with_cache.shape == (2, 20)
    np.testing.assert_array_equal(with_cache.numpy(), without.numpy())
    np.testing.assert_array_equal(with_cache.numpy(), _reference_greedy(model, prompt, 15, 12))
    long_prompt = ember.tensor(RNG.integers(0, 17, (1, 14)))
    out = model.generate(long_prompt, max_new_tokens=3)
    np.testing.assert_array_equal(out.numpy(), _reference_greedy(model, long_prompt, 3, 12))


@pytest.mark.parametrize(
    "settings",
    [
        dict(do_sample=False, repetition_penalty=1.5),
        dict(do_sample=True),
        dict(do_sample=True, temperature=0.7, top_k=5),
        dict(do_sample=True, temperature=1.3, top_p=0.8, repetition_penalty=1.2),
    ],
)
def test_cache_equals_no_cache(model, settings):
    prompt = ember.tensor(RNG.integers(0, 17, (3, 4)))
    outs = [
        model.generate(
            prompt,
            max_new_tokens=14,
            use_cache=use_cache,
            generator=ember.Generator().manual_seed(7),
            **settings,
        )
        for use_cache in (True, False)
    ]
    np.testing.assert_array_equal(outs[0].numpy(), outs[1].numpy())
    np.testing.assert_array_equal(outs[0][:, :4].numpy(), prompt.numpy())


def test_seeded_sampling_is_reproducible_and_top_k_one_is_greedy(model):
    prompt = ember.tensor([[1, 2, 3]])
    a = model.generate(prompt, 8, do_sample=True, generator=ember.Generator().manual_seed(1))
    b = model.generate(prompt, 8, do_sample=True, generator=ember.Generator().manual_seed(1))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    top1 = model.generate(prompt, 8, do_sample=True, top_k=1, temperature=2.0)
    np.testing.assert_array_equal(top1.numpy(), model.generate(prompt, 8).numpy())


def test_repetition_penalty_changes_greedy_steps_as_defined(model):
    prompt = ember.tensor([[4, 4, 7]])
    out = model.generate(prompt, max_new_tokens=5, repetition_penalty=3.0).numpy()
    ids = prompt.numpy()
    for _ in range(5):
        scores = model(ember.tensor(ids)).logits.detach().numpy()[:, -1].copy()
        for tok in set(ids[0].tolist()):
            x = scores[0, tok]
            scores[0, tok] = x * 3.0 if x < 0 else x / 3.0
        ids = np.concatenate([ids, scores.argmax(-1)[:, None]], axis=1)
    np.testing.assert_array_equal(out, ids)


@pytest.mark.parametrize("use_cache", [True, False])
def test_stop_tokens_end_sequences_and_pad(model, use_cache):
    prompt = ember.tensor([[1, 5, 9], [2, 2, 16], [7, 0, 3]])
    free = model.generate(prompt, max_new_tokens=10, use_cache=use_cache).numpy()
    generated = free[:, 3:]
    eos = [int(generated[0, 1]), int(generated[1, 4])]
    out = model.generate(
        prompt, max_new_tokens=10, eos_token_id=eos, pad_token_id=16, use_cache=use_cache
    ).numpy()
    stops = []
    for row in generated:
        hits = [i for i, t in enumerate(row) if t in eos]
        stops.append(hits[0] + 1 if hits else len(row))
    assert out.shape == (3, 3 + max(stops))
    for r, stop in enumerate(stops):
        np.testing.assert_array_equal(out[r, : 3 + stop], free[r, : 3 + stop])
        assert (out[r, 3 + stop :] == 16).all()
    # pad_token_id defaults to the first eos id; NumPy integers are token ids too
    eos_np = np.array(eos)
    default_pad = model.generate(prompt, 10, eos_token_id=eos_np, use_cache=use_cache).numpy()
    for r, stop in enumerate(stops):
        out[r, 3 + stop :] = eos[0]
    np.testing.assert_array_equal(default_pad, out)


def test_generation_stops_early_when_every_sequence_ended(model):
    prompt = ember.tensor([[1, 5, 9]])
    first = int(model.generate(prompt, max_new_tokens=1)[0, -1])
    out = model.generate(prompt, max_new_tokens=10, eos_token_id=first)
    assert out.shape == (1, 4)
    np.testing.assert_array_equal(model.generate(prompt, 0).numpy(), prompt.numpy())


def test_generate_errors(model):
    with pytest.raises(RuntimeError, match=r"input_ids of shape \(N, T\), got \(3,\)"):
        model.generate(ember.tensor([1, 2, 3]), 4)
    with pytest.raises(ValueError, match="max_new_tokens must be >= 0, got -1"):
        model.generate(ember.tensor([[1]]), -1)
    with pytest.raises(TypeError, match="max_new_tokens must be an int, got float"):
        model.generate(ember.tensor([[1]]), 2.0)
    with pytest.raises(ValueError, match="at least one token"):
        model.generate(ember.zeros(2, 0, dtype=ember.int64), 2)
    with pytest.raises(TypeError, match="`eos_token_id` must be an int or a list of ints"):
        model.generate(ember.tensor([[1]]), 2, eos_token_id=2.5)
    with pytest.raises(TypeError, match="`eos_token_id` must be an int or a list of ints"):
        model.generate(ember.tensor([[1]]), 2, eos_token_id=[1, 2.5])
    with pytest.raises(ValueError, match="`top_p` has to be a float"):
        model.generate(ember.tensor([[1]]), 2, do_sample=True, top_p=2.0)
    with pytest.raises(ValueError, match="pad_token_id must be a token id in \\[0, 17\\), got -1"):
        model.generate(ember.tensor([[1]]), 2, eos_token_id=3, pad_token_id=-1)


def test_generate_on_every_device(device):
    ember.manual_seed(0)
    config = GPTConfig(vocab_size=11, block_size=8, n_layer=1, n_head=2, n_embd=8)
    model = GPT(config).eval().to(device)
    prompt = ember.tensor([[1, 2, 3], [4, 5, 6]], device=device)
    settings = dict(do_sample=True, top_k=4, top_p=0.9, repetition_penalty=1.1, eos_token_id=0)
    outs = [
        model.generate(
            prompt,
            9,
            use_cache=use_cache,
            generator=ember.Generator(device).manual_seed(5),
            **settings,
        )
        for use_cache in (True, False)
    ]
    assert outs[0].device == prompt.device
    np.testing.assert_array_equal(outs[0].cpu().numpy(), outs[1].cpu().numpy())
    logits = model(prompt).logits
    assert logits.device == prompt.device and logits.shape == (2, 3, 11)
