"""``Tokenizer``: Hugging Face ``tokenizers`` with Ember tensors out.

The ``tokenizers`` library is imported only when a tokenizer is trained or loaded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence

from . import _encoding, _train
from ._encoding import BatchEncoding
from ._parallelism import install_fork_guard

__all__ = ["Tokenizer"]

# Token names recognised for each role when none is given explicitly (first match wins).
_ROLE_NAMES = {
    "pad": ("<pad>", "[PAD]", "<|pad|>", "<|padding|>"),
    "unk": ("<unk>", "[UNK]", "<|unk|>"),
    "bos": ("<s>", "<bos>", "[BOS]", "<|bos|>", "<|startoftext|>", "<|begin_of_text|>"),
    "eos": ("</s>", "<eos>", "[EOS]", "<|eos|>", "<|endoftext|>", "<|end_of_text|>"),
}
_TRUNCATION_CHOICES = (False, True, "longest_first", "only_first", "only_second", "do_not_truncate")


def _to_id_list(ids, where: str) -> list[int]:
    if hasattr(ids, "tolist"):
        ids = ids.tolist()
    ids = list(ids)
    if ids and isinstance(ids[0], list):
        raise ValueError(f"{where}: expected one sequence of ids (1-D), got a nested sequence")
    return [int(i) for i in ids]


class Tokenizer:
    """A trained subword (or word) tokenizer: text to Ember tensors of ids and back.

    Wraps a Hugging Face ``tokenizers.Tokenizer``. Make one by training
    (:meth:`train_bpe`, :meth:`train_byte_level_bpe`, :meth:`train_wordpiece`,
    :meth:`train_unigram`, :meth:`train_word_level`) or by loading a ``tokenizer.json``
    (:meth:`from_file`), including files written by other libraries.

    The special-token roles (``pad``, ``unk``, ``bos``, ``eos``) are the tokens named here or,
    when not named, the first vocabulary token among the usual names (``<pad>``/``[PAD]``,
    ``<unk>``/``[UNK]``, ``<s>``/``<|endoftext|>``, ``</s>``/``<|endoftext|>`` ...). The
    padding token is also read from the file's padding settings when it has some.

    Args:
        backend: the ``tokenizers.Tokenizer`` to wrap.
        pad_token, unk_token, bos_token, eos_token: the token playing each role, or ``None``
            to recognise it by name.

    Example:
        >>> from ember_text.tokenizers import Tokenizer
        >>> corpus = ["the cat sat on the mat", "the dog sat on the log"] * 20
        >>> tok = Tokenizer.train_word_level(iterator=corpus, special_tokens=["<pad>", "<unk>"])
        >>> enc = tok.encode_batch(["the cat", "the dog sat"], padding="longest")
        >>> enc["input_ids"].shape
        ember.Size([2, 3])
        >>> enc["attention_mask"].tolist()
        [[1, 1, 0], [1, 1, 1]]
        >>> tok.decode(enc["input_ids"][0], skip_special_tokens=True)
        'the cat'

    Note:
        Parallel batch encoding and DataLoader workers: see Note [tokenizers and fork] in
        ``ember_text/tokenizers/_parallelism.py``. Workers started by ``fork`` encode on a
        single thread, without deadlock or warning; the main process keeps its thread pool.
    """

    def __init__(
        self,
        backend,
        *,
        pad_token: str | None = None,
        unk_token: str | None = None,
        bos_token: str | None = None,
        eos_token: str | None = None,
    ):
        from tokenizers import Tokenizer as _Backend

        if not isinstance(backend, _Backend):
            raise TypeError(
                "Tokenizer: backend must be a tokenizers.Tokenizer, got "
                f"{type(backend).__name__}; use Tokenizer.from_file(path) for a tokenizer.json"
            )
        install_fork_guard()
        self._backend = backend
        self._lock = threading.Lock()
        explicit = {"pad": pad_token, "unk": unk_token, "bos": bos_token, "eos": eos_token}
        self._roles: dict[str, str | None] = {}
        for role, token in explicit.items():
            if token is not None and backend.token_to_id(token) is None:
                raise ValueError(
                    f"Tokenizer: {role}_token={token!r} is not in the vocabulary "
                    f"({backend.get_vocab_size()} tokens)"
                )
            self._roles[role] = token if token is not None else self._detect_role(role)

    def _detect_role(self, role: str) -> str | None:
        backend = self._backend
        candidates = []
        if role == "pad" and backend.padding is not None:
            candidates.append(backend.padding.get("pad_token"))
        if role == "unk":
            candidates.append(getattr(backend.model, "unk_token", None))
        candidates.extend(_ROLE_NAMES[role])
        for token in candidates:
            if token and backend.token_to_id(token) is not None:
                return token
        return None

    # ------------------------------------------------------------------ construction & I/O
    @property
    def backend_tokenizer(self):
        """The wrapped ``tokenizers.Tokenizer``."""
        return self._backend

    @classmethod
    def from_file(cls, path: str | os.PathLike, **role_tokens) -> Tokenizer:
        """Load a ``tokenizer.json`` (written by :meth:`save` or by any ``tokenizers`` user).

        Args:
            path: the JSON file, or a folder holding ``tokenizer.json``.
            **role_tokens: ``pad_token``, ``unk_token``, ``bos_token``, ``eos_token`` as in the
                constructor.

        The file's own padding and truncation settings are not applied: ``encode`` and
        ``encode_batch`` take them as arguments (the padding token is still read from them).
        """
        from tokenizers import Tokenizer as _Backend

        path = os.fspath(path)
        if os.path.isdir(path):
            path = os.path.join(path, "tokenizer.json")
        if not os.path.isfile(path):
            raise FileNotFoundError(f"Tokenizer.from_file: no such file: {path!r}")
        try:
            backend = _Backend.from_file(path)
        except Exception as exc:  # the library raises a bare Exception for bad files
            raise ValueError(
                f"Tokenizer.from_file: {path!r} is not a valid tokenizer.json ({exc})"
            ) from exc
        return cls(backend, **role_tokens)

    load = from_file

    def save(self, path: str | os.PathLike, pretty: bool = True) -> None:
        """Write the tokenizer as ``tokenizer.json`` (``path`` may be a folder).

        The padding token is stored in the file's padding settings, so it survives the round
        trip whatever its name.
        """
        path = os.fspath(path)
        if os.path.isdir(path):
            path = os.path.join(path, "tokenizer.json")
        backend = self._backend
        with self._lock:
            backend.no_truncation()
            if self._roles["pad"] is not None:
                backend.enable_padding(
                    pad_id=self.pad_token_id, pad_token=self._roles["pad"], direction="right"
                )
            try:
                text = backend.to_str(pretty=pretty)
            finally:
                backend.no_padding()
        tmp = f"{path}.tmp{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)

    def __getstate__(self):
        return {"json": self._backend.to_str(), "roles": dict(self._roles)}

    def __setstate__(self, state):
        from tokenizers import Tokenizer as _Backend

        install_fork_guard()
        self._backend = _Backend.from_str(state["json"])
        self._lock = threading.Lock()
        self._roles = state["roles"]

    def __repr__(self) -> str:
        model = type(self._backend.model).__name__
        roles = ", ".join(f"{r}_token={t!r}" for r, t in self._roles.items() if t is not None)
        return f"Tokenizer(model={model}, vocab_size={self.vocab_size}" + (
            f", {roles})" if roles else ")"
        )

    # ------------------------------------------------------------------ training
    @classmethod
    def _train(
        cls,
        where,
        model,
        trainer,
        pre_tokenizer,
        decoder,
        files,
        iterator,
        lowercase,
        unicode_normalizer,
        strip_accents,
        wrap_tokens,
        post_processor=None,
    ):
        from tokenizers import Tokenizer as _Backend

        paths = _train.check_source(files, iterator, where)
        backend = _Backend(model)
        normalizer = _train.make_normalizer(lowercase, unicode_normalizer, strip_accents, where)
        if normalizer is not None:
            backend.normalizer = normalizer
        backend.pre_tokenizer = pre_tokenizer
        if decoder is not None:
            backend.decoder = decoder
        install_fork_guard()
        _train.run_training(backend, trainer, paths, iterator)
        processors = [post_processor] if post_processor is not None else []
        if wrap_tokens is not None:
            processors.append(_train.template_processor(backend, wrap_tokens, where))
        if len(processors) == 1:
            backend.post_processor = processors[0]
        elif processors:
            from tokenizers.processors import Sequence as _Seq

            backend.post_processor = _Seq(processors)
        return cls(backend)

    @classmethod
    def train_bpe(
        cls,
        files=None,
        *,
        iterator: Iterable[str] | None = None,
        vocab_size: int = 30000,
        min_frequency: int = 2,
        special_tokens: Sequence[str] = ("<pad>", "<unk>", "<s>", "</s>"),
        unk_token: str = "<unk>",
        lowercase: bool = False,
        unicode_normalizer: str | None = None,
        strip_accents: bool = False,
        limit_alphabet: int | None = None,
        wrap_tokens=None,
        show_progress: bool = False,
    ) -> Tokenizer:
        """Train a character-level BPE tokenizer (words marked with the suffix ``</w>``).

        Args:
            files: a path or list of paths of text files to learn from (or use ``iterator``).
            iterator: an iterable of strings (or of lists of strings) to learn from.
            vocab_size: the size of the final vocabulary, special tokens included.
                Default: ``30000``.
            min_frequency: a pair must occur this often to be merged. Default: ``2``.
            special_tokens: tokens added first to the vocabulary, never split.
            unk_token: the token for characters not seen in training (added to the specials
                if missing). Default: ``"<unk>"``.
            lowercase: lower-case the text first. Default: ``False``.
            unicode_normalizer: ``"NFC"``, ``"NFD"``, ``"NFKC"``, ``"NFKD"`` or ``None``.
            strip_accents: remove combining accents (after an NFD decomposition).
            limit_alphabet: keep at most this many initial characters. Default: no limit.
            wrap_tokens: ``(first, last)`` special tokens put around every encoded sequence
                (e.g. ``("<s>", "</s>")``), or ``None``. Default: ``None``.
            show_progress: show the library's progress bar. Default: ``False``.

        Example:
            >>> from ember_text.tokenizers import Tokenizer
            >>> tok = Tokenizer.train_bpe(iterator=["low lower lowest"] * 10, vocab_size=40)
            >>> tok.decode(tok.encode("lower low")["input_ids"])
            'lower low'
        """
        from tokenizers import decoders, models, pre_tokenizers, trainers

        where = "Tokenizer.train_bpe"
        _train.check_vocab_size(vocab_size, where)
        specials = _train.with_specials(special_tokens, unk_token)
        kwargs = {} if limit_alphabet is None else {"limit_alphabet": limit_alphabet}
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            min_frequency=min_frequency,
            special_tokens=specials,
            end_of_word_suffix="</w>",
            show_progress=show_progress,
            **kwargs,
        )
        model = models.BPE(unk_token=unk_token, end_of_word_suffix="</w>")
        return cls._train(
            where,
            model,
            trainer,
            pre_tokenizers.BertPreTokenizer(),
            decoders.BPEDecoder(suffix="</w>"),
            files,
            iterator,
            lowercase,
            unicode_normalizer,
            strip_accents,
            wrap_tokens,
        )

    @classmethod
    def train_byte_level_bpe(
        cls,
        files=None,
        *,
        iterator: Iterable[str] | None = None,
        vocab_size: int = 30000,
        min_frequency: int = 2,
        special_tokens: Sequence[str] = ("<pad>", "<s>", "</s>"),
        lowercase: bool = False,
        unicode_normalizer: str | None = None,
        strip_accents: bool = False,
        add_prefix_space: bool = False,
        wrap_tokens=None,
        show_progress: bool = False,
    ) -> Tokenizer:
        """Train a byte-level BPE tokenizer, as GPT-2's: any text encodes, with no unknowns.

        ``files``, ``iterator``, ``vocab_size``, ``min_frequency``, ``special_tokens``,
        ``lowercase``, ``unicode_normalizer``, ``strip_accents``, ``wrap_tokens`` and
        ``show_progress`` are as in :meth:`train_bpe`; the vocabulary always holds the 256 byte
        symbols.

        Args:
            add_prefix_space: treat the first word like the others by adding a space before it.
                Default: ``False``.

        Example:
            >>> from ember_text.tokenizers import Tokenizer
            >>> tok = Tokenizer.train_byte_level_bpe(iterator=["hello world"] * 10,
            ...                                      vocab_size=300)
            >>> tok.decode(tok.encode("hello, wörld!")["input_ids"])
            'hello, wörld!'
        """
        from tokenizers import decoders, models, pre_tokenizers, processors, trainers

        where = "Tokenizer.train_byte_level_bpe"
        _train.check_vocab_size(vocab_size, where)
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size,
            min_frequency=min_frequency,
            special_tokens=list(special_tokens),
            show_progress=show_progress,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        )
        return cls._train(
            where,
            models.BPE(),
            trainer,
            pre_tokenizers.ByteLevel(add_prefix_space=add_prefix_space),
            decoders.ByteLevel(),
            files,
            iterator,
            lowercase,
            unicode_normalizer,
            strip_accents,
            wrap_tokens,
            post_processor=processors.ByteLevel(trim_offsets=True),
        )

    @classmethod
    def train_wordpiece(
        cls,
        files=None,
        *,
        iterator: Iterable[str] | None = None,
        vocab_size: int = 30000,
        min_frequency: int = 2,
        special_tokens: Sequence[str] = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"),
        unk_token: str = "[UNK]",
        lowercase: bool = False,
        unicode_normalizer: str | None = None,
        strip_accents: bool = False,
        limit_alphabet: int | None = None,
        wrap_tokens=None,
        show_progress: bool = False,
    ) -> Tokenizer:
        """Train a WordPiece tokenizer, as BERT's (word continuations prefixed with ``##``).

        ``files``, ``iterator``, ``vocab_size``, ``min_frequency``, ``special_tokens``,
        ``unk_token``, ``lowercase``, ``unicode_normalizer``, ``strip_accents``,
        ``limit_alphabet`` and ``show_progress`` are as in :meth:`train_bpe`.

        Args:
            wrap_tokens: ``("[CLS]", "[SEP]")`` for BERT's ``[CLS] A [SEP] B [SEP]`` inputs.

        Example:
            >>> from ember_text.tokenizers import Tokenizer
            >>> tok = Tokenizer.train_wordpiece(iterator=["playing played plays"] * 10,
            ...                                 vocab_size=60, wrap_tokens=("[CLS]", "[SEP]"))
            >>> tok.encode("played").tokens()[0], tok.encode("played").tokens()[-1]
            ('[CLS]', '[SEP]')
        """
        from tokenizers import decoders, models, pre_tokenizers, trainers

        where = "Tokenizer.train_wordpiece"
        _train.check_vocab_size(vocab_size, where)
        specials = _train.with_specials(special_tokens, unk_token)
        kwargs = {} if limit_alphabet is None else {"limit_alphabet": limit_alphabet}
        trainer = trainers.WordPieceTrainer(
            vocab_size=vocab_size,
            min_frequency=min_frequency,
            special_tokens=specials,
            show_progress=show_progress,
            **kwargs,
        )
        return cls._train(
            where,
            models.WordPiece(unk_token=unk_token),
            trainer,
            pre_tokenizers.BertPreTokenizer(),
            decoders.WordPiece(prefix="##"),
            files,
            iterator,
            lowercase,
            unicode_normalizer,
            strip_accents,
            wrap_tokens,
        )

    @classmethod
    def train_unigram(
        cls,
        files=None,
        *,
        iterator: Iterable[str] | None = None,
        vocab_size: int = 8000,
        special_tokens: Sequence[str] = ("<pad>", "<unk>", "<s>", "</s>"),
        unk_token: str = "<unk>",
        lowercase: bool = False,
        unicode_normalizer: str | None = None,
        strip_accents: bool = False,
        max_piece_length: int = 16,
        wrap_tokens=None,
        show_progress: bool = False,
    ) -> Tokenizer:
        """Train a Unigram language-model tokenizer, as SentencePiece's (spaces become ``▁``).

        ``files``, ``iterator``, ``special_tokens``, ``unk_token``, ``lowercase``,
        ``unicode_normalizer``, ``strip_accents``, ``wrap_tokens`` and ``show_progress`` are as
        in :meth:`train_bpe`.

        Args:
            vocab_size: the target vocabulary size. Default: ``8000``.
            max_piece_length: the longest piece, in characters. Default: ``16``.

        Example:
            >>> from ember_text.tokenizers import Tokenizer
            >>> tok = Tokenizer.train_unigram(iterator=["the quick brown fox"] * 10,
            ...                               vocab_size=30)
            >>> tok.decode(tok.encode("the brown fox")["input_ids"])
            'the brown fox'
        """
        from tokenizers import decoders, models, pre_tokenizers, trainers

        where = "Tokenizer.train_unigram"
        _train.check_vocab_size(vocab_size, where)
        specials = _train.with_specials(special_tokens, unk_token)
        trainer = trainers.UnigramTrainer(
            vocab_size=vocab_size,
            special_tokens=specials,
            unk_token=unk_token,
            max_piece_length=max_piece_length,
            show_progress=show_progress,
        )
        return cls._train(
            where,
            models.Unigram(),
            trainer,
            pre_tokenizers.Metaspace(),
            decoders.Metaspace(),
            files,
            iterator,
            lowercase,
            unicode_normalizer,
            strip_accents,
            wrap_tokens,
        )

    @classmethod
    def train_word_level(
        cls,
        files=None,
        *,
        iterator: Iterable[str] | None = None,
        vocab_size: int = 30000,
        min_frequency: int = 1,
        special_tokens: Sequence[str] = ("<pad>", "<unk>"),
        unk_token: str = "<unk>",
        lowercase: bool = False,
        unicode_normalizer: str | None = None,
        strip_accents: bool = False,
        wrap_tokens=None,
        show_progress: bool = False,
    ) -> Tokenizer:
        """Train a word-level tokenizer: one id per word (split on spaces and punctuation).

        ``files``, ``iterator``, ``vocab_size``, ``special_tokens``, ``unk_token``,
        ``lowercase``, ``unicode_normalizer``, ``strip_accents``, ``wrap_tokens`` and
        ``show_progress`` are as in :meth:`train_bpe`.

        Args:
            min_frequency: words seen fewer times map to ``unk_token``. Default: ``1``.

        Example:
            >>> from ember_text.tokenizers import Tokenizer
            >>> tok = Tokenizer.train_word_level(iterator=["a rose is a rose"], lowercase=True)
            >>> tok.encode("A rose is a tulip").tokens()
            ['a', 'rose', 'is', 'a', '<unk>']
        """
        from tokenizers import models, pre_tokenizers, trainers

        where = "Tokenizer.train_word_level"
        _train.check_vocab_size(vocab_size, where)
        specials = _train.with_specials(special_tokens, unk_token)
        trainer = trainers.WordLevelTrainer(
            vocab_size=vocab_size,
            min_frequency=min_frequency,
            special_tokens=specials,
            show_progress=show_progress,
        )
        return cls._train(
            where,
            models.WordLevel(unk_token=unk_token),
            trainer,
            pre_tokenizers.Whitespace(),
            None,
            files,
            iterator,
            lowercase,
            unicode_normalizer,
            strip_accents,
            wrap_tokens,
        )

    # ------------------------------------------------------------------ vocabulary
    @property
    def vocab_size(self) -> int:
        """The number of ids, added tokens included (the size an embedding table needs)."""
        return self._backend.get_vocab_size(with_added_tokens=True)

    def __len__(self) -> int:
        return self.vocab_size

    def get_vocab(self) -> dict[str, int]:
        """A dict from token to id, added tokens included."""
        return self._backend.get_vocab(with_added_tokens=True)

    def token_to_id(self, token: str) -> int | None:
        """The id of ``token``, or ``None`` when it is not in the vocabulary."""
        return self._backend.token_to_id(token)

    def id_to_token(self, id: int) -> str | None:
        """The token with id ``id``, or ``None`` when there is none."""
        return self._backend.id_to_token(int(id))

    def _role_id(self, role: str) -> int | None:
        token = self._roles[role]
        return None if token is None else self._backend.token_to_id(token)

    pad_token = property(lambda self: self._roles["pad"], doc="The padding token, or None.")
    unk_token = property(lambda self: self._roles["unk"], doc="The unknown token, or None.")
    bos_token = property(lambda self: self._roles["bos"], doc="The start token, or None.")
    eos_token = property(lambda self: self._roles["eos"], doc="The end token, or None.")
    pad_token_id = property(lambda self: self._role_id("pad"), doc="Id of pad_token, or None.")
    unk_token_id = property(lambda self: self._role_id("unk"), doc="Id of unk_token, or None.")
    bos_token_id = property(lambda self: self._role_id("bos"), doc="Id of bos_token, or None.")
    eos_token_id = property(lambda self: self._role_id("eos"), doc="Id of eos_token, or None.")

    @property
    def all_special_ids(self) -> list[int]:
        """The ids of the tokens added as special tokens."""
        return sorted(i for i, t in self._backend.get_added_tokens_decoder().items() if t.special)

    def add_special_tokens(self, tokens: Sequence[str]) -> int:
        """Add special tokens (never split, skipped by ``decode(skip_special_tokens=True)``);
        returns how many were new."""
        return self._backend.add_special_tokens(list(tokens))

    def add_tokens(self, tokens: Sequence[str]) -> int:
        """Add ordinary tokens to the vocabulary; returns how many were new."""
        return self._backend.add_tokens(list(tokens))

    # ------------------------------------------------------------------ encoding
    def tokenize(self, text: str, add_special_tokens: bool = False) -> list[str]:
        """The token strings of ``text``."""
        return list(self._backend.encode(text, add_special_tokens=add_special_tokens).tokens)

    def _encode(
        self,
        texts,
        pairs,
        where,
        add_special_tokens,
        padding,
        truncation,
        max_length,
        stride,
        truncation_side,
        padding_side,
        pad_to_multiple_of,
        return_token_type_ids,
        return_attention_mask,
        return_offsets_mapping,
        return_special_tokens_mask,
        return_overflowing_tokens,
        single,
    ):
        mode = _encoding.check_padding(padding, max_length, pad_to_multiple_of, padding_side, where)
        strategy = self._check_truncation(truncation, max_length, stride, truncation_side, where)
        inputs = list(texts) if pairs is None else list(zip(texts, pairs))
        backend = self._backend
        with self._lock:
            if strategy is None:
                if backend.truncation is not None:
                    backend.no_truncation()
            else:
                backend.enable_truncation(
                    max_length, stride=stride, strategy=strategy, direction=truncation_side
                )
            if backend.padding is not None:
                backend.no_padding()
            try:
                encodings = backend.encode_batch(inputs, add_special_tokens=add_special_tokens)
            except Exception as exc:  # the library raises a bare Exception
                raise ValueError(
                    f"{where}: could not truncate with truncation={truncation!r}, "
                    f"max_length={max_length}, stride={stride}: {exc}"
                ) from exc
        mapping = None
        if return_overflowing_tokens:
            rows, mapping = [], []
            for sample, enc in enumerate(encodings):
                for piece in [enc, *enc.overflowing]:
                    rows.append(piece)
                    mapping.append(sample)
            encodings = rows
            single = False
        fields = ["input_ids"]
        for flag, name in (
            (return_token_type_ids, "token_type_ids"),
            (return_attention_mask, "attention_mask"),
            (return_offsets_mapping, "offset_mapping"),
            (return_special_tokens_mask, "special_tokens_mask"),
        ):
            if flag:
                fields.append(name)
        pad_type_id = backend.padding["pad_type_id"] if backend.padding else 0
        return _encoding.build(
            encodings,
            fields,
            mode,
            max_length,
            pad_to_multiple_of,
            padding_side,
            self.pad_token_id,
            pad_type_id,
            where,
            single,
            mapping,
        )

    @staticmethod
    def _check_truncation(truncation, max_length, stride, truncation_side, where):
        if truncation not in _TRUNCATION_CHOICES or (not isinstance(truncation, (bool, str))):
            raise ValueError(
                f"{where}: truncation must be False, True, 'longest_first', 'only_first' or "
                f"'only_second', got {truncation!r}"
            )
        if truncation_side not in ("right", "left"):
            raise ValueError(
                f"{where}: truncation_side must be 'right' or 'left', got {truncation_side!r}"
            )
        if isinstance(stride, bool) or not isinstance(stride, int) or stride < 0:
            raise ValueError(f"{where}: stride must be a non-negative integer, got {stride!r}")
        if truncation in (False, "do_not_truncate"):
            return None
        if max_length is None:
            raise ValueError(f"{where}: truncation needs max_length, got max_length=None")
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            raise ValueError(f"{where}: max_length must be a positive integer, got {max_length!r}")
        if stride >= max_length:
            raise ValueError(
                f"{where}: stride={stride} must be smaller than max_length={max_length}"
            )
        return "longest_first" if truncation is True else truncation

    def encode(
        self,
        text: str,
        text_pair: str | None = None,
        *,
        add_special_tokens: bool = True,
        padding=False,
        truncation=False,
        max_length: int | None = None,
        stride: int = 0,
        truncation_side: str = "right",
        padding_side: str = "right",
        pad_to_multiple_of: int | None = None,
        return_token_type_ids: bool = False,
        return_attention_mask: bool = True,
        return_offsets_mapping: bool = True,
        return_special_tokens_mask: bool = False,
        return_overflowing_tokens: bool = False,
    ) -> BatchEncoding:
        """Encode one text (or one pair of texts) into 1-D Ember tensors.

        Args:
            text: the text.
            text_pair: a second text, for pair inputs (its ``token_type_ids`` are 1).
            add_special_tokens: apply the tokenizer's post-processor (e.g. ``[CLS] ... [SEP]``).
                Default: ``True``.
            padding: ``False`` (none), ``True``/``"longest"`` (none for a single text) or
                ``"max_length"`` (pad up to ``max_length``). Default: ``False``.
            truncation: ``False``, ``True``/``"longest_first"``, ``"only_first"`` or
                ``"only_second"``: cut to ``max_length`` tokens, special tokens included.
            max_length: the length for truncation and ``padding="max_length"``.
            stride: with ``return_overflowing_tokens``, how many tokens each overflowing window
                repeats from the previous one. Default: ``0``.
            truncation_side: cut tokens from the ``"right"`` or the ``"left"``.
            padding_side: add padding on the ``"right"`` or the ``"left"``.
            pad_to_multiple_of: round the padded length up to a multiple of this.
            return_token_type_ids: return ``token_type_ids`` (also ``return_attention_mask``,
                ``return_offsets_mapping``, ``return_special_tokens_mask`` for theirs).
            return_overflowing_tokens: also return the truncated-away tokens as extra rows (then
                the result is 2-D, with ``overflow_to_sample_mapping``).

        Returns:
            A :class:`BatchEncoding` of ``int64`` tensors of shape ``(L,)``
            (``offset_mapping``: ``(L, 2)``).

        Example:
            >>> from ember_text.tokenizers import Tokenizer
            >>> tok = Tokenizer.train_word_level(iterator=["one two three four"])
            >>> enc = tok.encode("one two", padding="max_length", max_length=4)
            >>> enc["input_ids"].tolist()[2:] == [tok.pad_token_id] * 2
            True
            >>> enc["attention_mask"].tolist(), enc["offset_mapping"].tolist()
            ([1, 1, 0, 0], [[0, 3], [4, 7], [0, 0], [0, 0]])
        """
        if not isinstance(text, str):
            raise TypeError(
                f"Tokenizer.encode: text must be a str, got {type(text).__name__}; use "
                "encode_batch for a list of texts"
            )
        return self._encode(
            [text],
            None if text_pair is None else [text_pair],
            "Tokenizer.encode",
            add_special_tokens,
            padding,
            truncation,
            max_length,
            stride,
            truncation_side,
            padding_side,
            pad_to_multiple_of,
            return_token_type_ids,
            return_attention_mask,
            return_offsets_mapping,
            return_special_tokens_mask,
            return_overflowing_tokens,
            True,
        )

    def encode_batch(
        self,
        texts: Sequence[str],
        text_pairs: Sequence[str] | None = None,
        *,
        add_special_tokens: bool = True,
        padding="longest",
        truncation=False,
        max_length: int | None = None,
        stride: int = 0,
        truncation_side: str = "right",
        padding_side: str = "right",
        pad_to_multiple_of: int | None = None,
        return_token_type_ids: bool = False,
        return_attention_mask: bool = True,
        return_offsets_mapping: bool = True,
        return_special_tokens_mask: bool = False,
        return_overflowing_tokens: bool = False,
    ) -> BatchEncoding:
        """Encode a batch of texts (or pairs) into 2-D Ember tensors, one row per text.

        The options are those of :meth:`encode`; ``padding`` defaults to ``"longest"`` here,
        since rows of different lengths cannot be stacked (``padding=False`` raises
        ``ValueError`` unless all rows have the same length).

        Returns:
            A :class:`BatchEncoding` of ``int64`` tensors of shape ``(B, L)``
            (``offset_mapping``: ``(B, L, 2)``).

        Example:
            >>> from ember_text.tokenizers import Tokenizer
            >>> tok = Tokenizer.train_word_level(iterator=["one two three four"])
            >>> enc = tok.encode_batch(["one", "two three four"], padding_side="left")
            >>> enc["attention_mask"].tolist()
            [[0, 0, 1], [1, 1, 1]]
            >>> tok.decode_batch(enc["input_ids"], skip_special_tokens=True)
            ['one', 'two three four']
        """
        if isinstance(texts, str):
            raise TypeError(
                "Tokenizer.encode_batch: texts must be a list of str, got a single str; use "
                "encode for one text"
            )
        texts = list(texts)
        if text_pairs is not None:
            text_pairs = list(text_pairs)
            if len(text_pairs) != len(texts):
                raise ValueError(
                    f"Tokenizer.encode_batch: got {len(texts)} texts but {len(text_pairs)} "
                    "text_pairs; they must pair up one to one"
                )
        return self._encode(
            texts,
            text_pairs,
            "Tokenizer.encode_batch",
            add_special_tokens,
            padding,
            truncation,
            max_length,
            stride,
            truncation_side,
            padding_side,
            pad_to_multiple_of,
            return_token_type_ids,
            return_attention_mask,
            return_offsets_mapping,
            return_special_tokens_mask,
            return_overflowing_tokens,
            False,
        )

    def __call__(self, text, text_pair=None, **kwargs) -> BatchEncoding:
        """``encode`` for a str, ``encode_batch`` for a list of str."""
        if isinstance(text, str):
            return self.encode(text, text_pair, **kwargs)
        return self.encode_batch(text, text_pair, **kwargs)

    # ------------------------------------------------------------------ decoding
    def decode(self, ids, skip_special_tokens: bool = False) -> str:
        """Turn a sequence of ids (a list or a 1-D tensor) back into text.

        Args:
            ids: the token ids.
            skip_special_tokens: leave out special tokens (padding included).
                Default: ``False``.
        """
        ids = _to_id_list(ids, "Tokenizer.decode")
        return self._backend.decode(ids, skip_special_tokens=skip_special_tokens)

    def decode_batch(self, sequences, skip_special_tokens: bool = False) -> list[str]:
        """:meth:`decode` each row of ``sequences`` (a list of lists or a 2-D tensor)."""
        if hasattr(sequences, "tolist"):
            sequences = sequences.tolist()
        rows = [_to_id_list(row, "Tokenizer.decode_batch") for row in sequences]
        return self._backend.decode_batch(rows, skip_special_tokens=skip_special_tokens)
