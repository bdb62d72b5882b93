"""Text metrics: perplexity, accuracy and corpus BLEU."""

from __future__ import annotations

import collections
import math
from collections.abc import Sequence

import ember
import ember.nn.functional as F
from ember import Tensor

__all__ = ["accuracy", "bleu_score", "perplexity"]


def perplexity(
    loss_or_logits: Tensor | float,
    targets: Tensor | None = None,
    ignore_index: int = -100,
) -> Tensor | float:
    r"""Perplexity, :math:`\exp` of the mean negative log-likelihood per token.

    Pass either the mean cross-entropy ``loss`` (a float or a 0-dim Tensor), or ``logits``
    and ``targets``, in which case the mean is over the positions whose target is not
    ``ignore_index``.

    Args:
        loss_or_logits: a mean cross-entropy (nats per token), or logits :math:`(..., V)`.
        targets: with logits: the target ids, shape :math:`(...)`.
        ignore_index: a target id left out of the mean (default -100, as the collators pad
            labels).

    Returns:
        A float for a float loss, otherwise a 0-dim Tensor.

    Example:
        >>> import math
        >>> import ember
        >>> from ember_text.metrics import perplexity
        >>> round(perplexity(math.log(20.0)), 6)
        20.0
        >>> logits = ember.zeros(2, 3, 10)   # uniform over 10 tokens
        >>> round(perplexity(logits, ember.tensor([[1, 2, -100], [3, -100, -100]])).item(), 4)
        10.0
    """
    if targets is None:
        if isinstance(loss_or_logits, Tensor):
            if loss_or_logits.numel() != 1:
                raise ValueError(
                    "perplexity: without targets, expected a scalar mean loss, got a tensor of "
                    f"shape {tuple(loss_or_logits.shape)}; pass logits together with targets"
                )
            return loss_or_logits.exp()
        return math.exp(float(loss_or_logits))
    logits = loss_or_logits
    if not isinstance(logits, Tensor) or tuple(logits.shape[:-1]) != tuple(targets.shape):
        shape = tuple(logits.shape) if isinstance(logits, Tensor) else type(logits).__name__
        raise ValueError(
            f"perplexity: expected logits of shape (..., V) with targets of shape (...), got "
            f"logits {shape} and targets {tuple(targets.shape)}"
        )
    loss = F.cross_entropy(
        logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=ignore_index
    )
    return loss.exp()


def accuracy(preds_or_logits: Tensor, targets: Tensor, ignore_index: int | None = None) -> Tensor:
    r"""The fraction of predictions equal to their targets.

    Args:
        preds_or_logits: predicted class ids with the shape of ``targets``, or scores with
            one more (last) dimension, whose argmax is the prediction.
        targets: the true class ids.
        ignore_index: a target id left out (e.g. -100 for padding); default None.

    Returns:
        A 0-dim float Tensor (0 when nothing is counted).

    Example:
        >>> import ember
        >>> from ember_text.metrics import accuracy
        >>> accuracy(ember.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), ember.tensor([1, 1, 1]))
        tensor(0.6667)
        >>> accuracy(ember.tensor([2, 0, 1]), ember.tensor([2, -100, 0]), ignore_index=-100)
        tensor(0.5000)
    """
    preds = preds_or_logits
    if preds.dim() == targets.dim() + 1:
        preds = preds.argmax(dim=-1)
    if tuple(preds.shape) != tuple(targets.shape):
        raise ValueError(
            "accuracy: expected predictions of the shape of targets, or scores with one more "
            f"dimension, got {tuple(preds_or_logits.shape)} and targets "
            f"{tuple(targets.shape)}"
        )
    correct = preds == targets
    if ignore_index is None:
        return correct.float().mean()
    counted = targets != ignore_index
    total = counted.sum()
    if int(total.item()) == 0:
        return ember.zeros((), device=targets.device)
    return (correct & counted).sum().float() / total.float()


def _ngram_counts(tokens: Sequence[str], max_n: int) -> collections.Counter:
    """The count of every n-gram of ``tokens`` with ``1 <= n <= max_n``."""
    counts: collections.Counter = collections.Counter()
    for n in range(1, max_n + 1):
        for i in range(len(tokens) - n + 1):
            counts[tuple(tokens[i : i + n])] += 1
    return counts


def bleu_score(
    candidate_corpus: Sequence[Sequence[str]],
    references_corpus: Sequence[Sequence[Sequence[str]]],
    max_n: int = 4,
    weights: Sequence[float] = (0.25, 0.25, 0.25, 0.25),
) -> float:
    r"""Corpus BLEU of tokenized candidates against one or more references each, as
    torchtext defines it.

    For each order :math:`n \le` ``max_n``, :math:`p_n` is the number of candidate n-grams
    found in the references (each n-gram counted at most as often as it occurs in any one
    reference), summed over the corpus, divided by the number of candidate n-grams. With
    :math:`c` the total candidate length and :math:`r` the sum, over candidates, of the
    reference length closest to the candidate's (the first one on ties):

    .. math::
        \text{BLEU} = \min(1, e^{1 - r/c}) \, \exp\Big(\sum_n w_n \log p_n\Big)

    and 0 when some :math:`p_n` is 0. Computed in float64.

    Args:
        candidate_corpus: the candidates, each a list of tokens.
        references_corpus: for each candidate, a list of references, each a list of tokens.
        max_n: the highest n-gram order (default 4).
        weights: the weight of each order, ``max_n`` of them (default uniform).

    Example:
        >>> from ember_text.metrics import bleu_score
        >>> candidates = [["My", "full", "pytorch", "test"], ["Another", "Sentence"]]
        >>> references = [[["My", "full", "pytorch", "test"], ["Completely", "Different"]],
        ...               [["No", "Match"]]]
        >>> round(bleu_score(candidates, references), 8)
        0.84089642
    """
    if len(weights) != max_n:
        raise ValueError(
            f"bleu_score: expected {max_n} weights (one per n-gram order, max_n={max_n}), got "
            f"{len(weights)}"
        )
    if len(candidate_corpus) != len(references_corpus):
        raise ValueError(
            "bleu_score: candidate_corpus and references_corpus must have the same length, got "
            f"{len(candidate_corpus)} candidates and {len(references_corpus)} reference lists"
        )
    clipped = [0] * max_n
    totals = [0] * max_n
    candidate_len = 0
    refs_len = 0
    for candidate, refs in zip(candidate_corpus, references_corpus):
        if isinstance(candidate, str) or (refs and isinstance(refs[0], str)):
            raise TypeError(
                "bleu_score: expected token lists (a candidate is a list of str; its "
                "references a list of lists of str), got a str; split the sentences first"
            )
        if len(refs) == 0:
            raise ValueError("bleu_score: every candidate needs at least one reference")
        length = len(candidate)
        candidate_len += length
        refs_len += min((len(ref) for ref in refs), key=lambda r: abs(length - r))
        reference_counts: collections.Counter = collections.Counter()
        for ref in refs:
            reference_counts |= _ngram_counts(ref, max_n)
        for ngram, count in (_ngram_counts(candidate, max_n) & reference_counts).items():
            clipped[len(ngram) - 1] += count
        for i in range(max_n):
            totals[i] += max(length - i, 0)
    if min(clipped) == 0:
        return 0.0
    log_precision = sum(w * math.log(c / t) for w, c, t in zip(weights, clipped, totals))
    brevity = math.exp(min(1.0 - refs_len / candidate_len, 0.0))
    return brevity * math.exp(log_precision)
