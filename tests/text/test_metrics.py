"""ember_text.metrics: perplexity, accuracy and corpus BLEU against hand-derived values."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember_text.metrics import accuracy, bleu_score, perplexity

# -- BLEU


def test_bleu_torchtext_docstring_example():
    candidates = [["My", "full", "pytorch", "test"], ["Another", "Sentence"]]
    references = [
        [["My", "full", "pytorch", "test"], ["Completely", "Different"]],
        [["No", "Match"]],
    ]
    # p1 = 4/6, p2 = 3/4, p3 = 2/2, p4 = 1/1; c = r = 6: (1/2) ** (1/4)
    assert bleu_score(candidates, references) == pytest.approx(0.5**0.25, rel=1e-12)
    assert bleu_score(candidates, references) == pytest.approx(0.8408964276313782, rel=1e-7)


def test_bleu_perfect_match_and_no_match():
    sentence = ["the", "quick", "brown", "fox", "jumps"]
    assert bleu_score([sentence], [[sentence]]) == pytest.approx(1.0)
    assert bleu_score([["a", "b", "c", "d"]], [[["w", "x", "y", "z"]]]) == 0.0
    # a zero 4-gram precision makes the score 0 (no smoothing)
    assert bleu_score([["a", "b", "c", "d"]], [[["a", "b", "c", "x"]]]) == 0.0


def test_bleu_brevity_penalty():
    # p1 = p2 = 1, c = 3, r = 5: exp(1 - 5/3)
    score = bleu_score(
        [["the", "cat", "sat"]], [[["the", "cat", "sat", "on", "mats"]]], 2, [0.5, 0.5]
    )
    assert score == pytest.approx(math.exp(1 - 5 / 3), rel=1e-12)
    # a candidate longer than its reference is not penalised
    score = bleu_score([["a", "b", "c", "d", "e"]], [[["a", "b", "c"]]], 1, [1.0])
    assert score == pytest.approx(3 / 5, rel=1e-12)


def test_bleu_clipping_and_multiple_references():
    # "the" counts at most twice: the most it occurs in one reference
    score = bleu_score(
        [["the"] * 4], [[["the", "cat", "the", "mat"], ["the", "x", "y", "z"]]], 1, [1.0]
    )
    assert score == pytest.approx(2 / 4, rel=1e-12)
    # unigrams a, a, b matched (a twice thanks to the second reference), e not: 3/4;
    # bigrams (a a) and (a b) matched, (b e) not: 2/3; c = 4 > r = 3, no penalty
    cand = ["a", "a", "b", "e"]
    refs = [["a", "b", "c"], ["a", "a", "d"]]
    assert bleu_score([cand], [refs], 2, [0.5, 0.5]) == pytest.approx(
        math.sqrt(3 / 4 * 2 / 3), rel=1e-12
    )


def test_bleu_closest_reference_length_takes_the_first_on_ties():
    cand = ["a", "b", "c", "d"]
    short, long = ["a", "b", "c"], ["a", "b", "c", "d", "x"]
    # unigram precision 1 either way; r = 3 (no penalty) or r = 5: exp(1 - 5/4)
    assert bleu_score([cand], [[short, long]], 1, [1.0]) == pytest.approx(1.0)
    assert bleu_score([cand], [[long, short]], 1, [1.0]) == pytest.approx(math.exp(-0.25))


def test_bleu_is_corpus_level_not_an_average():
    cands = [["a", "b"], ["c", "d", "e", "f"]]
    refs = [[["a", "b"]], [["c", "x", "e", "y"]]]
    # pooled unigram counts: (2 + 2) / (2 + 4); bigrams (1 + 0) / (1 + 3)
    expected = math.sqrt(4 / 6 * 1 / 4)
    assert bleu_score(cands, refs, 2, [0.5, 0.5]) == pytest.approx(expected, rel=1e-12)


NLTK_HYP1 = [
    "It",
    "is",
    "a",
    "guide",
    "to",
    "action",
    "which",
    "ensures",
    "that",
    "the",
    "military",
    "always",
    "obeys",
    "the",
    "commands",
    "of",
    "the",
    "party",
]
NLTK_REF1 = [
    "It is a guide to action that ensures that the military will forever heed Party commands",
    "It is the guiding principle which guarantees the military forces always being under the "
    "command of the Party",
    "It is the practical guide for the army always to heed the directions of the party",
]
NLTK_HYP2 = [
    "he",
    "read",
    "the",
    "book",
    "because",
    "he",
    "was",
    "interested",
    "in",
    "world",
    "history",
]
NLTK_REF2 = ["he was interested in world history because he read the book"]


@pytest.mark.parametrize(
    "weights, expected",
    [
        ((1, 0, 0, 0), 28 / 29),  # 17 of 18 and 11 of 11 unigrams ("obeys" unmatched)
        ((0.5, 0.5, 0, 0), 0.8242803277698696),
        ((0.25, 0.25, 0.25, 0.25), 0.5920778868801042),
    ],
)
def test_bleu_matches_nltk_corpus_bleu_on_its_documented_example(weights, expected):
    refs = [[r.split() for r in NLTK_REF1], [r.split() for r in NLTK_REF2]]
    assert bleu_score([NLTK_HYP1, NLTK_HYP2], refs, 4, weights) == pytest.approx(
        expected, rel=1e-12
    )


def test_bleu_errors():
    with pytest.raises(ValueError, match=r"expected 4 weights .* got 2"):
        bleu_score([["a"]], [[["a"]]], weights=[0.5, 0.5])
    with pytest.raises(ValueError, match="same length, got 2 candidates and 1 reference lists"):
        bleu_score([["a"], ["b"]], [[["a"]]])
    with pytest.raises(TypeError, match="split the sentences first"):
        bleu_score(["a b c"], [["a b c"]])
    with pytest.raises(ValueError, match="at least one reference"):
        bleu_score([["a"]], [[]])


# -- perplexity


def test_perplexity_of_a_loss():
    assert perplexity(math.log(7.5)) == pytest.approx(7.5)
    out = perplexity(ember.tensor(2.0))
    assert isinstance(out, ember.Tensor) and out.item() == pytest.approx(math.exp(2.0), rel=1e-6)
    with pytest.raises(ValueError, match=r"scalar mean loss, got a tensor of shape \(3,\)"):
        perplexity(ember.ones(3))


def test_perplexity_from_logits_ignores_padding():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 5, 7))
    targets = rng.integers(0, 7, (2, 5))
    targets[1, 3:] = -100
    logp = logits - np.log(np.exp(logits).sum(-1, keepdims=True))
    keep = targets != -100
    nll = -np.take_along_axis(logp, np.where(keep, targets, 0)[..., None], -1)[..., 0]
    expected = math.exp(nll[keep].mean())
    out = perplexity(ember.tensor(logits), ember.tensor(targets))
    assert out.item() == pytest.approx(expected, rel=1e-10)
    # another ignore_index: positions holding 3 are left out
    clean = np.where(targets == -100, 3, targets)
    custom = perplexity(ember.tensor(logits), ember.tensor(clean), ignore_index=3)
    keep = clean != 3
    nll = -np.take_along_axis(logp, clean[..., None], -1)[..., 0]
    assert custom.item() == pytest.approx(math.exp(nll[keep].mean()), rel=1e-10)


def test_perplexity_shape_error():
    with pytest.raises(ValueError, match=r"got logits \(2, 5, 7\) and targets \(2, 4\)"):
        perplexity(ember.zeros(2, 5, 7), ember.zeros(2, 4, dtype=ember.int64))


# -- accuracy


def test_accuracy_from_logits_and_predictions():
    rng = np.random.default_rng(1)
    logits = rng.normal(size=(20, 4))
    targets = rng.integers(0, 4, 20)
    expected = (logits.argmax(1) == targets).mean()
    assert accuracy(ember.tensor(logits), ember.tensor(targets)).item() == pytest.approx(expected)
    preds = logits.argmax(1)
    assert accuracy(ember.tensor(preds), ember.tensor(targets)).item() == pytest.approx(expected)


def test_accuracy_ignore_index():
    preds = ember.tensor([[1, 2, 3], [4, 4, 0]])
    targets = ember.tensor([[1, 0, -100], [4, -100, -100]])
    assert accuracy(preds, targets, ignore_index=-100).item() == pytest.approx(2 / 3)
    assert accuracy(preds, ember.full((2, 3), -100), ignore_index=-100).item() == 0.0


def test_accuracy_shape_error():
    with pytest.raises(ValueError, match=r"got \(3, 2, 2\) and targets \(3,\)"):
        accuracy(ember.zeros(3, 2, 2), ember.zeros(3, dtype=ember.int64))
