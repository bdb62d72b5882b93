"""Building and training the ``tokenizers`` pipelines behind ``Tokenizer.train_*``.

Each model gets the pre-tokenizer and decoder that suit it:

============== ================================ ==================================
model          pre-tokenizer                    decoder
============== ================================ ==================================
byte-level BPE ``ByteLevel`` (GPT-2's bytes)     ``ByteLevel``
BPE            ``BertPreTokenizer``, ``</w>``    ``BPEDecoder`` (suffix ``</w>``)
WordPiece      ``BertPreTokenizer``              ``WordPiece`` (prefix ``##``)
Unigram        ``Metaspace`` (``▁``)             ``Metaspace``
word-level     ``Whitespace``                    tokens joined by spaces
============== ================================ ==================================
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

_UNICODE_FORMS = ("nfc", "nfd", "nfkc", "nfkd")


def check_source(files, iterator, where: str) -> list[str] | None:
    """Validate the training input: exactly one of ``files`` and ``iterator``."""
    if (files is None) == (iterator is None):
        raise ValueError(
            f"{where}: pass exactly one of files= (a path or a list of paths) and iterator= "
            "(an iterable of strings)"
        )
    if files is None:
        if isinstance(iterator, (str, bytes)):
            raise TypeError(
                f"{where}: iterator must be an iterable of strings, got a single "
                f"{type(iterator).__name__}; wrap it in a list, or pass files= for a path"
            )
        return None
    paths = [files] if isinstance(files, (str, os.PathLike)) else list(files)
    paths = [os.fspath(p) for p in paths]
    for path in paths:
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{where}: no such training file: {path!r}")
    return paths


def make_normalizer(
    lowercase: bool, unicode_normalizer: str | None, strip_accents: bool, where: str
):
    """A ``tokenizers`` normalizer applying the chosen options in order, or ``None``."""
    from tokenizers import normalizers

    steps = []
    form = None
    if unicode_normalizer is not None:
        form = str(unicode_normalizer).lower()
        if form not in _UNICODE_FORMS:
            raise ValueError(
                f"{where}: unicode_normalizer must be one of 'NFC', 'NFD', 'NFKC', 'NFKD' or "
                f"None, got {unicode_normalizer!r}"
            )
        steps.append(getattr(normalizers, form.upper())())
    if strip_accents:
        if form not in ("nfd", "nfkd"):
            steps.append(normalizers.NFD())  # accents must be split off before removal
        steps.append(normalizers.StripAccents())
    if lowercase:
        steps.append(normalizers.Lowercase())
    if not steps:
        return None
    return steps[0] if len(steps) == 1 else normalizers.Sequence(steps)


def with_specials(special_tokens: Sequence[str], *required: str | None) -> list[str]:
    """``special_tokens`` followed by each required token it lacks."""
    specials = list(special_tokens)
    for token in required:
        if token is not None and token not in specials:
            specials.append(token)
    return specials


def check_vocab_size(vocab_size, where: str) -> None:
    if isinstance(vocab_size, bool) or not isinstance(vocab_size, int) or vocab_size < 1:
        raise ValueError(f"{where}: vocab_size must be a positive integer, got {vocab_size!r}")


def run_training(backend, trainer, paths, iterator: Iterable | None) -> None:
    """Train ``backend`` with ``trainer`` on the files at ``paths`` or on ``iterator``."""
    if paths is not None:
        backend.train(paths, trainer)
    else:
        backend.train_from_iterator(iterator, trainer)


def template_processor(backend, wrap_tokens, where: str):
    """A post-processor putting ``wrap_tokens = (first, last)`` around each sequence.

    A single sequence becomes ``first A last``; a pair ``first A last B last`` with the second
    part's type id 1 (BERT's ``[CLS] A [SEP] B [SEP]`` for ``("[CLS]", "[SEP]")``). Either
    token may be ``None`` to leave that side bare.
    """
    from tokenizers import processors

    if len(wrap_tokens) != 2:
        raise ValueError(f"{where}: wrap_tokens must be a pair (first, last), got {wrap_tokens!r}")
    first, last = wrap_tokens
    pieces = []
    for token in (first, last):
        if token is None:
            continue
        token_id = backend.token_to_id(token)
        if token_id is None:
            raise ValueError(
                f"{where}: wrap_tokens names {token!r}, which is not in the trained vocabulary; "
                "add it to special_tokens"
            )
        pieces.append((token, token_id))
    head = [first] if first is not None else []
    tail = [last] if last is not None else []
    single = head + ["$A:0"] + tail
    pair = head + ["$A:0"] + tail + ["$B:1"] + [f"{t}:1" for t in tail]
    return processors.TemplateProcessing(
        single=" ".join(single), pair=" ".join(pair), special_tokens=pieces
    )
