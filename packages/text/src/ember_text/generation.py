"""Logits processors for text generation, as Hugging Face ``transformers`` defines them.

Each processor takes the tokens so far, ``input_ids`` of shape :math:`(N, T)`, and the
next-token scores of shape :math:`(N, V)`, and returns new scores. A
:class:`LogitsProcessorList` chains them. :meth:`ember_text.models.GPT.generate` builds its
chain with :func:`build_logits_processors`: the repetition penalty first, then (when
sampling) temperature, top-k and top-p, in that order.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable

import ember
from ember import Tensor

__all__ = [
    "LogitsProcessor",
    "LogitsProcessorList",
    "RepetitionPenaltyLogitsProcessor",
    "TemperatureLogitsWarper",
    "TopKLogitsWarper",
    "TopPLogitsWarper",
    "build_logits_processors",
    "select_next_tokens",
]


class LogitsProcessor:
    """The base of the processors: a callable ``(input_ids, scores) -> scores``."""

    def __call__(self, input_ids: Tensor, scores: Tensor) -> Tensor:
        raise TypeError(f"{type(self).__name__} must define __call__(input_ids, scores)")


class LogitsProcessorList(list):
    """A list of processors, applied in order.

    Example:
        >>> import ember
        >>> from ember_text.generation import (LogitsProcessorList, TemperatureLogitsWarper,
        ...                                    TopKLogitsWarper)
        >>> chain = LogitsProcessorList([TemperatureLogitsWarper(2.0), TopKLogitsWarper(2)])
        >>> chain(ember.tensor([[0]]), ember.tensor([[1.0, 4.0, 2.0]]))
        tensor([[-inf, 2., 1.]])
    """

    def __call__(self, input_ids: Tensor, scores: Tensor) -> Tensor:
        for processor in self:
            scores = processor(input_ids, scores)
        return scores


def _positive_float(owner: str, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{owner}: `{name}` has to be a strictly positive float, but is {value!r}")
    return float(value)


def _min_tokens(owner: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"{owner}: `min_tokens_to_keep` has to be a positive integer, but is {value!r}"
        )
    return value


class RepetitionPenaltyLogitsProcessor(LogitsProcessor):
    r"""Makes tokens already in ``input_ids`` less likely: their score is divided by
    ``penalty`` when positive and multiplied by it when negative (the CTRL paper's rule).

    Args:
        penalty: above 1 discourages repetition, below 1 encourages it; 1 changes nothing.

    Example:
        >>> import ember
        >>> from ember_text.generation import RepetitionPenaltyLogitsProcessor
        >>> RepetitionPenaltyLogitsProcessor(2.0)(ember.tensor([[0, 1]]),
        ...                                       ember.tensor([[4.0, -1.0, 3.0]]))
        tensor([[ 2., -2.,  3.]])
    """

    def __init__(self, penalty: float) -> None:
        self.penalty = _positive_float(type(self).__name__, "penalty", penalty)

    def __call__(self, input_ids: Tensor, scores: Tensor) -> Tensor:
        score = scores.gather(1, input_ids)
        score = ember.where(score < 0, score * self.penalty, score / self.penalty)
        return scores.scatter(1, input_ids, score)


class TemperatureLogitsWarper(LogitsProcessor):
    r"""Divides the scores by ``temperature``: below 1 sharpens the distribution, above 1
    flattens it.

    Example:
        >>> import ember
        >>> from ember_text.generation import TemperatureLogitsWarper
        >>> TemperatureLogitsWarper(0.5)(ember.tensor([[0]]), ember.tensor([[1.0, -2.0]]))
        tensor([[ 2., -4.]])
    """

    def __init__(self, temperature: float) -> None:
        self.temperature = _positive_float(type(self).__name__, "temperature", temperature)

    def __call__(self, input_ids: Tensor, scores: Tensor) -> Tensor:
        return scores / self.temperature


class TopKLogitsWarper(LogitsProcessor):
    r"""Keeps the ``top_k`` highest scores of each row (and any score tied with the
    ``top_k``-th) and sets the others to ``filter_value``.

    Args:
        top_k: how many tokens to keep (at least ``min_tokens_to_keep``; at most the
            vocabulary).
        filter_value: the score of removed tokens (default ``-inf``).
        min_tokens_to_keep: the fewest tokens kept (default 1).

    Example:
        >>> import ember
        >>> from ember_text.generation import TopKLogitsWarper
        >>> TopKLogitsWarper(2)(ember.tensor([[0]]), ember.tensor([[0.5, 3.0, 1.0, -1.0]]))
        tensor([[-inf, 3., 1., -inf]])
    """

    def __init__(
        self, top_k: int, filter_value: float = -math.inf, min_tokens_to_keep: int = 1
    ) -> None:
        if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k <= 0:
            raise ValueError(
                f"TopKLogitsWarper: `top_k` has to be a strictly positive integer, but is {top_k!r}"
            )
        self.top_k = max(top_k, _min_tokens(type(self).__name__, min_tokens_to_keep))
        self.filter_value = filter_value

    def __call__(self, input_ids: Tensor, scores: Tensor) -> Tensor:
        k = min(self.top_k, scores.shape[-1])
        kth = ember.topk(scores, k, dim=-1)[0][..., -1:]
        return scores.masked_fill(scores < kth, self.filter_value)


class TopPLogitsWarper(LogitsProcessor):
    r"""Nucleus filtering: keeps the most likely tokens whose probabilities add up to at
    least ``top_p``, and sets the others to ``filter_value``.

    Sorting a row's scores in ascending order, a token is removed when the cumulative
    softmax probability up to and including it is at most ``1 - top_p``; the
    ``min_tokens_to_keep`` most likely tokens always stay.

    Args:
        top_p: the probability mass to keep, in :math:`[0, 1]`.
        filter_value: the score of removed tokens (default ``-inf``).
        min_tokens_to_keep: the fewest tokens kept (default 1).

    Example:
        >>> import ember
        >>> from ember_text.generation import TopPLogitsWarper
        >>> probs = ember.tensor([[0.5, 0.3, 0.15, 0.05]])
        >>> TopPLogitsWarper(0.75)(ember.tensor([[0]]), probs.log()).exp()
        tensor([[0.5000, 0.3000, 0.0000, 0.0000]])
    """

    def __init__(
        self, top_p: float, filter_value: float = -math.inf, min_tokens_to_keep: int = 1
    ) -> None:
        if isinstance(top_p, bool) or not isinstance(top_p, (int, float)) or not 0 <= top_p <= 1:
            raise ValueError(
                f"TopPLogitsWarper: `top_p` has to be a float in [0, 1], but is {top_p!r}"
            )
        self.top_p = float(top_p)
        self.filter_value = filter_value
        self.min_tokens_to_keep = _min_tokens(type(self).__name__, min_tokens_to_keep)

    def __call__(self, input_ids: Tensor, scores: Tensor) -> Tensor:
        sorted_scores, sorted_indices = ember.sort(scores, dim=-1, descending=False)
        cumulative = sorted_scores.softmax(dim=-1).cumsum(dim=-1)
        remove_sorted = cumulative <= (1.0 - self.top_p)
        remove_sorted[..., -self.min_tokens_to_keep :] = False
        remove = remove_sorted.scatter(1, sorted_indices, remove_sorted)
        return scores.masked_fill(remove, self.filter_value)


def build_logits_processors(
    do_sample: bool = False,
    temperature: float = 1.0,
    top_k: int | None = None,
    top_p: float | None = None,
    repetition_penalty: float | None = None,
) -> LogitsProcessorList:
    """The chain of processors for these generation settings.

    The repetition penalty applies always (when given and not 1); temperature, top-k and
    top-p only when sampling, and only when they change something (temperature 1, top-k
    None or 0, and top-p None or 1 are left out).

    Example:
        >>> from ember_text.generation import build_logits_processors
        >>> chain = build_logits_processors(do_sample=True, temperature=0.8, top_k=20)
        >>> [type(p).__name__ for p in chain]
        ['TemperatureLogitsWarper', 'TopKLogitsWarper']
    """
    chain = LogitsProcessorList()
    if repetition_penalty is not None and repetition_penalty != 1.0:
        chain.append(RepetitionPenaltyLogitsProcessor(repetition_penalty))
    if do_sample:
        if temperature != 1.0:
            chain.append(TemperatureLogitsWarper(temperature))
        if top_k is not None and top_k != 0:
            chain.append(TopKLogitsWarper(top_k))
        if top_p is not None and top_p != 1.0:
            chain.append(TopPLogitsWarper(top_p))
    return chain


def select_next_tokens(
    scores: Tensor, do_sample: bool = False, generator: ember.Generator | None = None
) -> Tensor:
    """The next token of each row: the highest score (greedy), or a draw from
    ``softmax(scores)`` using ``generator``.

    Shape:
        - scores: :math:`(N, V)`. Output: :math:`(N)`, int64.

    Example:
        >>> import ember
        >>> from ember_text.generation import select_next_tokens
        >>> select_next_tokens(ember.tensor([[0.1, 2.0, -1.0], [3.0, 0.0, 0.0]]))
        tensor([1, 0])
    """
    if not do_sample:
        return scores.argmax(dim=-1)
    probs = scores.softmax(dim=-1)
    return ember.multinomial(probs, 1, generator=generator).squeeze(1)


def _as_token_set(owner: str, name: str, tokens: int | Iterable[int] | None) -> list[int]:
    """``tokens`` (None, one id or an iterable of ids) as a list of Python ints."""
    if tokens is None:
        return []
    try:
        return [operator.index(tokens)]
    except TypeError:
        pass
    try:
        return [operator.index(t) for t in tokens]
    except TypeError:
        raise TypeError(
            f"{owner}: `{name}` must be an int or a list of ints, got {type(tokens).__name__}"
        ) from None
