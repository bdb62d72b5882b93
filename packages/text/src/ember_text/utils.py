"""Simple text tools: ``get_tokenizer`` (with the ``basic_english`` normaliser) and
``ngrams_iterator``, with torchtext's names and behaviour.

Example:
    >>> from ember_text.utils import get_tokenizer, ngrams_iterator
    >>> tokens = get_tokenizer("basic_english")("You can't stop (it).")
    >>> tokens
    ['you', 'can', "'", 't', 'stop', '(', 'it', ')', '.']
    >>> list(ngrams_iterator(["a", "b", "c"], 2))
    ['a', 'b', 'c', 'a b', 'b c']
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

__all__ = ["get_tokenizer", "ngrams_iterator"]

# The basic_english rules, applied in order to the lower-cased line, then split on whitespace.
_BASIC_ENGLISH_RULES = [
    (re.compile(r"\'"), " '  "),
    (re.compile(r"\""), ""),
    (re.compile(r"\."), " . "),
    (re.compile(r"<br \/>"), " "),
    (re.compile(r","), " , "),
    (re.compile(r"\("), " ( "),
    (re.compile(r"\)"), " ) "),
    (re.compile(r"\!"), " ! "),
    (re.compile(r"\?"), " ? "),
    (re.compile(r"\;"), " "),
    (re.compile(r"\:"), " "),
    (re.compile(r"\s+"), " "),
]


def _basic_english_normalize(line: str) -> list[str]:
    """Lower-case ``line``, space out ``' . , ( ) ! ?``, drop ``" ; :`` and ``<br />``, split."""
    line = line.lower()
    for pattern, replacement in _BASIC_ENGLISH_RULES:
        line = pattern.sub(replacement, line)
    return line.split()


def _split_tokenizer(line: str) -> list[str]:
    """Split ``line`` on runs of whitespace."""
    return line.split()


def get_tokenizer(tokenizer: str | Callable | None, language: str = "en") -> Callable:
    """A function that turns a string into a list of tokens.

    Args:
        tokenizer: ``"basic_english"`` for torchtext's English normaliser (lower-case, punctuation
            ``' . , ( ) ! ?`` split off as tokens, ``" ; :`` and ``<br />`` removed), ``None``
            for splitting on whitespace, or a callable, returned unchanged (for example an
            :class:`ember_text.tokenizers.Tokenizer`'s ``tokenize``).
        language: the language of ``basic_english``; only ``"en"`` exists. Default: ``"en"``.

    Returns:
        A callable ``str -> list[str]``.

    Example:
        >>> from ember_text.utils import get_tokenizer
        >>> get_tokenizer("basic_english")('He said: "Hello, World!"<br />Bye.')
        ['he', 'said', 'hello', ',', 'world', '!', 'bye', '.']
        >>> get_tokenizer(None)("split  on   spaces")
        ['split', 'on', 'spaces']
    """
    if tokenizer is None:
        return _split_tokenizer
    if callable(tokenizer):
        return tokenizer
    if tokenizer == "basic_english":
        if language != "en":
            raise ValueError(
                f"get_tokenizer: basic_english normalization is only available for English "
                f"(language='en'), got language={language!r}"
            )
        return _basic_english_normalize
    raise ValueError(
        f"get_tokenizer: requested tokenizer {tokenizer!r}; valid choices are None (split on "
        "whitespace), 'basic_english', or a callable that takes a single string as input "
        "(for subword tokenizers use ember_text.tokenizers.Tokenizer)"
    )


def ngrams_iterator(token_list: Sequence[str], ngrams: int) -> Iterator[str]:
    """Yield the tokens of ``token_list``, then its n-grams for n = 2 .. ``ngrams``.

    Each n-gram is its tokens joined by a single space; all unigrams come first, then all
    bigrams, and so on.

    Args:
        token_list: the tokens, in order.
        ngrams: the largest n (``1`` yields the tokens only).

    Example:
        >>> from ember_text.utils import ngrams_iterator
        >>> list(ngrams_iterator(["here", "we", "are"], 3))
        ['here', 'we', 'are', 'here we', 'we are', 'here we are']
    """
    if isinstance(ngrams, bool) or not isinstance(ngrams, int) or ngrams < 1:
        raise ValueError(f"ngrams_iterator: ngrams must be a positive integer, got {ngrams!r}")
    tokens = list(token_list)
    yield from tokens
    for n in range(2, ngrams + 1):
        for start in range(len(tokens) - n + 1):
            yield " ".join(tokens[start : start + n])
