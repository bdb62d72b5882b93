"""Vocabularies: a two-way map between tokens and indices, as torchtext's ``Vocab``.

``build_vocab_from_iterator`` counts tokens and orders them by falling frequency (ties in
lexicographic order); ``vocab`` keeps the order of a mapping given to it. Both put the
``specials`` first (or last).

Example:
    >>> from ember_text.vocab import build_vocab_from_iterator
    >>> v = build_vocab_from_iterator([["a", "b", "b"], ["c", "b", "a"]], specials=["<unk>"])
    >>> v.get_itos()
    ['<unk>', 'b', 'a', 'c']
    >>> v.set_default_index(v["<unk>"])
    >>> v(["a", "z"])
    [2, 0]
"""

from __future__ import annotations

import json
import operator
import os
from collections import Counter
from collections.abc import Iterable, Mapping

__all__ = ["Vocab", "build_vocab_from_iterator", "vocab"]

_FORMAT = "ember_text.Vocab"


class Vocab:
    """A map between tokens (strings) and indices ``0 .. len(vocab) - 1``.

    Looking up a token that is not in the vocabulary returns the default index when one is set
    (:meth:`set_default_index`) and raises ``RuntimeError`` otherwise.

    Args:
        tokens: the tokens in index order; each may appear only once.
        default_index: the index returned for unknown tokens, or ``None``. Default: ``None``.

    Example:
        >>> from ember_text.vocab import Vocab
        >>> v = Vocab(["<pad>", "hello", "world"])
        >>> v["world"], len(v), "hello" in v
        (2, 3, True)
        >>> v.lookup_tokens([1, 2])
        ['hello', 'world']
    """

    def __init__(self, tokens: Iterable[str] = (), default_index: int | None = None):
        self._itos: list[str] = []
        self._stoi: dict[str, int] = {}
        for token in tokens:
            self.append_token(token)
        self._default_index: int | None = None
        self.set_default_index(default_index)

    # -- the mapping ---------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._itos)

    def __contains__(self, token) -> bool:
        return token in self._stoi

    def __getitem__(self, token: str) -> int:
        """The index of ``token`` (the default index for an unknown token, if one is set)."""
        index = self._stoi.get(token)
        if index is not None:
            return index
        if self._default_index is not None:
            return self._default_index
        raise RuntimeError(
            f"Token {token!r} not found and default index is not set (a vocabulary of "
            f"{len(self)} tokens); call set_default_index(vocab['<unk>']) to map unknown tokens"
        )

    def __call__(self, tokens: Iterable[str]) -> list[int]:
        """The indices of ``tokens`` (same as :meth:`lookup_indices`)."""
        return self.lookup_indices(tokens)

    def __iter__(self):
        return iter(self._itos)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Vocab):
            return NotImplemented
        return self._itos == other._itos and self._default_index == other._default_index

    def __repr__(self) -> str:
        return f"Vocab(num_tokens={len(self)}, default_index={self._default_index})"

    # -- default index -------------------------------------------------------------------------
    def set_default_index(self, index: int | None) -> None:
        """Set the index returned for unknown tokens; ``None`` makes unknown tokens an error."""
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, int):
                raise TypeError(
                    f"Vocab.set_default_index: index must be an int or None, got "
                    f"{type(index).__name__}"
                )
            if not 0 <= index < len(self):
                raise RuntimeError(
                    f"Vocab.set_default_index: index {index} is out of bounds for a vocabulary "
                    f"of size {len(self)}"
                )
        self._default_index = index

    def get_default_index(self) -> int | None:
        """The index returned for unknown tokens, or ``None`` when none is set."""
        return self._default_index

    # -- lookups -------------------------------------------------------------------------------
    def lookup_indices(self, tokens: Iterable[str]) -> list[int]:
        """The index of each token in ``tokens``."""
        return [self[token] for token in tokens]

    def lookup_token(self, index: int) -> str:
        """The token at ``index``."""
        if isinstance(index, bool) or not isinstance(index, int):
            index = _as_int(index, "Vocab.lookup_token")
        if not 0 <= index < len(self):
            raise RuntimeError(
                f"Vocab.lookup_token: index {index} is out of bounds for a vocabulary of size "
                f"{len(self)}"
            )
        return self._itos[index]

    def lookup_tokens(self, indices: Iterable[int]) -> list[str]:
        """The token at each index in ``indices`` (a list of ints or a 1-D integer tensor)."""
        if hasattr(indices, "tolist"):
            indices = indices.tolist()
        return [self.lookup_token(index) for index in indices]

    def get_stoi(self) -> dict[str, int]:
        """A new dict from token to index."""
        return dict(self._stoi)

    def get_itos(self) -> list[str]:
        """A new list of the tokens in index order."""
        return list(self._itos)

    # -- growing -------------------------------------------------------------------------------
    def append_token(self, token: str) -> None:
        """Add ``token`` at index ``len(self)``; raises ``RuntimeError`` if it is present."""
        if not isinstance(token, str):
            raise TypeError(f"Vocab: tokens must be str, got {type(token).__name__} {token!r}")
        if token in self._stoi:
            raise RuntimeError(
                f"Token {token!r} already exists in the Vocab with index: {self._stoi[token]}"
            )
        self._stoi[token] = len(self._itos)
        self._itos.append(token)

    def insert_token(self, token: str, index: int) -> None:
        """Insert ``token`` at ``index``, moving the tokens from ``index`` on up by one."""
        if not isinstance(token, str):
            raise TypeError(f"Vocab: tokens must be str, got {type(token).__name__} {token!r}")
        if token in self._stoi:
            raise RuntimeError(
                f"Token {token!r} already exists in the Vocab with index: {self._stoi[token]}"
            )
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= len(self):
            raise RuntimeError(
                f"Vocab.insert_token: index {index!r} is out of bounds for a vocabulary of size "
                f"{len(self)} (expected 0 <= index <= {len(self)})"
            )
        self._itos.insert(index, token)
        self._stoi = {tok: i for i, tok in enumerate(self._itos)}

    # -- persistence ---------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the vocabulary (tokens and default index) to ``path`` as JSON."""
        data = {"format": _FORMAT, "itos": self._itos, "default_index": self._default_index}
        path = os.fspath(path)
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Vocab:
        """Read a vocabulary written by :meth:`save`."""
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"Vocab.load: no such file: {path!r}")
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ValueError(f"Vocab.load: {path!r} is not a JSON vocabulary file ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError(
                f"Vocab.load: {path!r} is not a vocabulary written by Vocab.save (expected a JSON "
                f"object with format {_FORMAT!r})"
            )
        return cls(data["itos"], default_index=data.get("default_index"))


def _as_int(value, where: str) -> int:
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(f"{where}: index must be an int, got {type(value).__name__}") from None


def _check_min_freq(min_freq, where: str) -> None:
    if isinstance(min_freq, bool) or not isinstance(min_freq, int) or min_freq < 1:
        raise ValueError(f"{where}: min_freq must be a positive integer, got {min_freq!r}")


def vocab(
    ordered_dict: Mapping[str, int],
    min_freq: int = 1,
    specials: list[str] | None = None,
    special_first: bool = True,
) -> Vocab:
    """Build a :class:`Vocab` from a mapping of token to frequency, keeping its order.

    Args:
        ordered_dict: token -> frequency; the tokens are indexed in the mapping's order, so sort
            it by frequency first if that order is wanted.
        min_freq: tokens with a lower frequency are left out. Default: ``1``.
        specials: tokens added whatever their frequency (``"<unk>"``, ``"<pad>"`` ...).
        special_first: put the specials at the start (``True``) or the end. Default: ``True``.

    Example:
        >>> from collections import Counter, OrderedDict
        >>> from ember_text.vocab import vocab
        >>> counts = Counter(["a", "a", "b", "b", "b", "c"])
        >>> v = vocab(OrderedDict(counts.most_common()), min_freq=2, specials=["<unk>"])
        >>> v.get_itos()
        ['<unk>', 'b', 'a']
    """
    _check_min_freq(min_freq, "vocab")
    specials = list(specials or [])
    special_set = set(specials)
    tokens = [
        tok for tok, freq in ordered_dict.items() if freq >= min_freq and tok not in special_set
    ]
    tokens = specials + tokens if special_first else tokens + specials
    return Vocab(tokens)


def build_vocab_from_iterator(
    iterator: Iterable[Iterable[str]],
    min_freq: int = 1,
    specials: list[str] | None = None,
    special_first: bool = True,
    max_tokens: int | None = None,
) -> Vocab:
    """Count the tokens of an iterator of token lists and build a :class:`Vocab` from them.

    Tokens are indexed by falling frequency, ties in lexicographic order.

    Args:
        iterator: yields lists (or other iterables) of tokens, e.g. one per sentence.
        min_freq: tokens seen fewer times are left out. Default: ``1``.
        specials: tokens added whatever their frequency.
        special_first: put the specials at the start (``True``) or the end. Default: ``True``.
        max_tokens: the largest vocabulary size, specials included; the most frequent tokens
            are kept. Default: ``None`` (no limit).

    Example:
        >>> from ember_text.vocab import build_vocab_from_iterator
        >>> v = build_vocab_from_iterator([["x", "y", "y"], ["z", "y", "x"]], max_tokens=3,
        ...                               specials=["<unk>"])
        >>> v.get_itos()
        ['<unk>', 'y', 'x']
    """
    _check_min_freq(min_freq, "build_vocab_from_iterator")
    specials = list(specials or [])
    if max_tokens is not None and (
        isinstance(max_tokens, bool)
        or not isinstance(max_tokens, int)
        or max_tokens <= len(specials)
    ):
        raise ValueError(
            f"build_vocab_from_iterator: max_tokens={max_tokens!r} must be an integer larger than "
            f"the number of specials ({len(specials)}), or the vocabulary would hold only specials"
        )
    counter: Counter[str] = Counter()
    for tokens in iterator:
        if isinstance(tokens, str):
            raise TypeError(
                "build_vocab_from_iterator: the iterator must yield lists of tokens, got a str "
                f"({tokens[:30]!r}); tokenize each line first, e.g. with get_tokenizer"
            )
        counter.update(tokens)
    for special in specials:
        counter.pop(special, None)
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    if max_tokens is not None:
        ordered = ordered[: max_tokens - len(specials)]
    return vocab(dict(ordered), min_freq=min_freq, specials=specials, special_first=special_first)
