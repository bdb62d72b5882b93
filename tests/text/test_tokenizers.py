"""ember_text.tokenizers: training, save/load, batch encoding options, decoding.

References are the ``tokenizers`` library's own padding/truncation applied to the same
backend, and direct computations of what padding and masks must be."""

from __future__ import annotations

import itertools
import json
import os
import pickle
import random

import numpy as np
import pytest

import ember
from ember_text.tokenizers import BatchEncoding, Tokenizer, _parallelism

# fmt: off
WORDS = [
    "the", "a", "cat", "dog", "bird", "sat", "ran", "flew", "on", "under", "over", "mat", "log",
    "tree", "quickly", "slowly", "happily", "red", "green", "blue", "big", "small", "tiny",
    "house", "garden", "river",
]
# fmt: on


def _corpus(n=120, seed=0):
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))) for _ in range(n)]


CORPUS = _corpus()
SAMPLES = ["the cat sat on the mat", "a big dog ran", "green river", "the tiny bird flew over"]

TRAINERS = {
    "bpe": lambda **kw: Tokenizer.train_bpe(vocab_size=120, **kw),
    "byte_level_bpe": lambda **kw: Tokenizer.train_byte_level_bpe(vocab_size=300, **kw),
    "wordpiece": lambda **kw: Tokenizer.train_wordpiece(vocab_size=120, **kw),
    "unigram": lambda **kw: Tokenizer.train_unigram(vocab_size=80, **kw),
    "word_level": lambda **kw: Tokenizer.train_word_level(**kw),
}


@pytest.fixture(scope="module")
def trained():
    return {name: make(iterator=CORPUS) for name, make in TRAINERS.items()}


@pytest.fixture(scope="module")
def wordpiece():
    return Tokenizer.train_wordpiece(
        iterator=CORPUS, vocab_size=120, wrap_tokens=("[CLS]", "[SEP]")
    )


# ----------------------------------------------------------------------------- training
@pytest.mark.parametrize("name", list(TRAINERS))
def test_training_gives_a_working_tokenizer(trained, name):
    tok = trained[name]
    backend = tok.backend_tokenizer
    assert tok.vocab_size == backend.get_vocab_size(with_added_tokens=True) == len(tok)
    limit = {"bpe": 120, "byte_level_bpe": 300, "wordpiece": 120, "unigram": 80}.get(name)
    if limit is None:  # word-level: exactly the corpus words plus the specials
        assert set(tok.get_vocab()) == set(WORDS) | {"<pad>", "<unk>"}
    else:
        assert tok.vocab_size <= limit
    # every special token is in the vocabulary, with the id the vocabulary gives it
    assert tok.pad_token is not None and tok.token_to_id(tok.pad_token) == tok.pad_token_id
    assert tok.id_to_token(tok.pad_token_id) == tok.pad_token
    for sentence in SAMPLES:
        ids = tok.encode(sentence)["input_ids"]
        assert ids.dtype == ember.int64 and ids.ndim == 1
        assert tok.decode(ids) == sentence
        if name != "byte_level_bpe":
            assert tok.unk_token_id not in ids.tolist()
    # the vocabulary maps both ways
    vocab = tok.get_vocab()
    for token, index in list(vocab.items())[:20]:
        assert tok.token_to_id(token) == index and tok.id_to_token(index) == token


@pytest.mark.parametrize("name", ["bpe", "wordpiece", "word_level", "unigram"])
def test_unknown_characters_map_to_unk(trained, name):
    tok = trained[name]
    ids = tok.encode("the 猫")["input_ids"].tolist()
    assert tok.unk_token_id in ids


def test_byte_level_bpe_encodes_any_text_without_unknowns(trained):
    tok = trained["byte_level_bpe"]
    text = "the 猫 sat — naïve ☃"
    assert tok.decode(tok.encode(text)["input_ids"]) == text


def test_subwords_are_learned_and_vocab_size_is_respected():
    tok = Tokenizer.train_bpe(iterator=CORPUS, vocab_size=60)
    assert tok.vocab_size <= 60
    # with a small vocabulary the long words split into several pieces
    assert len(tok.tokenize("happily")) > 1
    big = Tokenizer.train_bpe(iterator=CORPUS, vocab_size=200)
    assert big.tokenize("happily") == ["happily</w>"]


def test_min_frequency_drops_rare_words():
    corpus = ["common common common rare"]
    tok = Tokenizer.train_word_level(iterator=corpus, min_frequency=2)
    assert tok.token_to_id("common") is not None and tok.token_to_id("rare") is None
    assert tok.encode("rare")["input_ids"].tolist() == [tok.unk_token_id]


def test_special_tokens_come_first_and_stay_whole():
    specials = ["<pad>", "<unk>", "<s>", "</s>", "<mask>"]
    tok = Tokenizer.train_bpe(iterator=CORPUS, vocab_size=100, special_tokens=specials)
    assert [tok.token_to_id(s) for s in specials] == list(range(len(specials)))
    assert tok.tokenize("the <mask> sat")[1] == "<mask>"
    assert (tok.bos_token, tok.eos_token, tok.unk_token) == ("<s>", "</s>", "<unk>")


def test_training_from_files_matches_training_from_an_iterator(tmp_path):
    half = len(CORPUS) // 2
    paths = [tmp_path / "a.txt", tmp_path / "b.txt"]
    paths[0].write_text("\n".join(CORPUS[:half]) + "\n", encoding="utf-8")
    paths[1].write_text("\n".join(CORPUS[half:]) + "\n", encoding="utf-8")
    from_files = Tokenizer.train_word_level(files=[str(p) for p in paths])
    from_iter = Tokenizer.train_word_level(iterator=iter(CORPUS))
    assert (
        set(from_files.get_vocab())
        == set(from_iter.get_vocab())
        == set(WORDS)
        | {
            "<pad>",
            "<unk>",
        }
    )
    for make in (TRAINERS["bpe"], TRAINERS["wordpiece"], TRAINERS["unigram"]):
        tok = make(files=[str(p) for p in paths])
        assert all(tok.decode(tok.encode(s)["input_ids"]) == s for s in SAMPLES)
        assert tok.unk_token_id not in tok.encode_batch(SAMPLES)["input_ids"].tolist()[0]
    single = Tokenizer.train_word_level(files=paths[0])
    assert single.token_to_id(CORPUS[0].split()[0]) is not None


def test_training_argument_errors(tmp_path):
    with pytest.raises(ValueError, match=r"exactly one of files= .* and iterator="):
        Tokenizer.train_bpe()
    with pytest.raises(ValueError, match=r"exactly one of"):
        Tokenizer.train_bpe(files=[], iterator=CORPUS)
    missing = tmp_path / "missing.txt"
    with pytest.raises(FileNotFoundError, match=r"missing.txt"):
        Tokenizer.train_word_level(files=missing)
    with pytest.raises(TypeError, match=r"single str"):
        Tokenizer.train_bpe(iterator="just one string")
    with pytest.raises(ValueError, match=r"vocab_size must be a positive integer, got 0"):
        Tokenizer.train_unigram(iterator=CORPUS, vocab_size=0)
    with pytest.raises(ValueError, match=r"unicode_normalizer must be one of .* got 'nfx'"):
        Tokenizer.train_word_level(iterator=CORPUS, unicode_normalizer="nfx")
    with pytest.raises(ValueError, match=r"wrap_tokens names '<cls>'"):
        Tokenizer.train_word_level(iterator=CORPUS, wrap_tokens=("<cls>", None))


# ----------------------------------------------------------------------------- normalisation
def test_lowercase_option():
    plain = Tokenizer.train_word_level(iterator=CORPUS)
    lower = Tokenizer.train_word_level(iterator=CORPUS, lowercase=True)
    assert plain.encode("The CAT")["input_ids"].tolist().count(plain.unk_token_id) == 2
    assert (
        lower.encode("The CAT")["input_ids"].tolist()
        == lower.encode("the cat")["input_ids"].tolist()
    )
    assert lower.unk_token_id not in lower.encode("The CAT")["input_ids"].tolist()


def test_strip_accents_and_unicode_forms():
    corpus = ["cafe resume naive fine"] * 3
    tok = Tokenizer.train_word_level(iterator=corpus, strip_accents=True)
    accented = tok.encode("café résumé naïve")["input_ids"].tolist()
    assert accented == tok.encode("cafe resume naive")["input_ids"].tolist()
    # NFKC folds the "ﬁ" ligature into "fi"; without it the ligature is unknown
    nfkc = Tokenizer.train_word_level(iterator=corpus, unicode_normalizer="NFKC")
    plain = Tokenizer.train_word_level(iterator=corpus)
    assert nfkc.encode("\ufb01ne")["input_ids"].tolist() == [nfkc.token_to_id("fine")]
    assert plain.encode("\ufb01ne")["input_ids"].tolist() == [plain.unk_token_id]
    # NFD alone splits é into e + combining accent, so "café" is not the word "cafe"
    nfd = Tokenizer.train_word_level(iterator=corpus, unicode_normalizer="nfd")
    assert nfd.encode("café")["input_ids"].tolist() != [nfd.token_to_id("cafe")]


# ----------------------------------------------------------------------------- save / load
@pytest.mark.parametrize("name", list(TRAINERS))
def test_save_load_round_trip_gives_identical_encodings(trained, name, tmp_path):
    tok = trained[name]
    path = tmp_path / "tokenizer.json"
    tok.save(path)
    json.loads(path.read_text(encoding="utf-8"))  # a valid JSON file
    loaded = Tokenizer.from_file(path)
    assert loaded.get_vocab() == tok.get_vocab()
    assert loaded.pad_token_id == tok.pad_token_id
    a = tok.encode_batch(SAMPLES + ["unseen zebra words"], return_token_type_ids=True)
    b = loaded.encode_batch(SAMPLES + ["unseen zebra words"], return_token_type_ids=True)
    assert sorted(a) == sorted(b)
    for key in a:
        assert np.array_equal(a[key].numpy(), b[key].numpy()), key
    # loading from the folder finds tokenizer.json; pickling keeps everything too
    assert Tokenizer.load(tmp_path).get_vocab() == tok.get_vocab()
    again = pickle.loads(pickle.dumps(tok))
    c = again.encode_batch(SAMPLES + ["unseen zebra words"], return_token_type_ids=True)
    assert all(np.array_equal(a[key].numpy(), c[key].numpy()) for key in a)


def test_custom_pad_token_name_survives_save_and_load(tmp_path):
    tok = Tokenizer.train_word_level(iterator=CORPUS, special_tokens=["<blank>", "<unk>"])
    assert tok.pad_token is None  # not a recognised name
    with pytest.raises(ValueError, match=r"no padding token"):
        tok.encode_batch(["the cat", "the"])
    tok = Tokenizer(tok.backend_tokenizer, pad_token="<blank>")
    tok.save(tmp_path / "tok.json")
    loaded = Tokenizer.from_file(tmp_path / "tok.json")
    assert loaded.pad_token == "<blank>" and loaded.pad_token_id == tok.pad_token_id
    ids = loaded.encode_batch(["the cat", "the"])["input_ids"].tolist()
    assert ids[1][1] == tok.token_to_id("<blank>")


def test_loads_a_tokenizer_json_written_by_the_tokenizers_library(tmp_path):
    from tokenizers import Tokenizer as HFTokenizer
    from tokenizers import models, normalizers, pre_tokenizers, processors, trainers

    hf = HFTokenizer(models.WordPiece(unk_token="[UNK]"))
    hf.normalizer = normalizers.BertNormalizer(lowercase=True)
    hf.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    hf.train_from_iterator(
        CORPUS,
        trainers.WordPieceTrainer(
            vocab_size=90, special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"], show_progress=False
        ),
    )
    hf.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", hf.token_to_id("[CLS]")), ("[SEP]", hf.token_to_id("[SEP]"))],
    )
    path = tmp_path / "external.json"
    hf.save(str(path))
    tok = Tokenizer.from_file(path)
    assert (tok.pad_token, tok.unk_token) == ("[PAD]", "[UNK]")
    for text in SAMPLES:
        ref = hf.encode(text.upper())
        enc = tok.encode(text.upper())
        assert enc["input_ids"].tolist() == ref.ids
        assert enc["offset_mapping"].tolist() == [list(o) for o in ref.offsets]
    pair = tok.encode("the cat", "a dog", return_token_type_ids=True)
    ref = hf.encode("the cat", "a dog")
    assert pair["input_ids"].tolist() == ref.ids
    assert pair["token_type_ids"].tolist() == ref.type_ids


def test_from_file_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope.json"):
        Tokenizer.from_file(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"not": "a tokenizer"}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.json.*not a valid tokenizer.json"):
        Tokenizer.from_file(bad)
    with pytest.raises(TypeError, match=r"backend must be a tokenizers.Tokenizer"):
        Tokenizer("tokenizer.json")
    with pytest.raises(ValueError, match=r"pad_token='<nothing>' is not in the vocabulary"):
        Tokenizer.train_word_level(iterator=CORPUS).__class__(
            Tokenizer.train_word_level(iterator=CORPUS).backend_tokenizer, pad_token="<nothing>"
        )


# ----------------------------------------------------------------------------- encoding
def _reference(tok, texts, pairs=None, **padding):
    """The tokenizers library padding/truncating the same texts itself."""
    from tokenizers import Tokenizer as HFTokenizer

    hf = HFTokenizer.from_str(tok.backend_tokenizer.to_str())
    trunc = padding.pop("truncation", None)
    if trunc:
        hf.enable_truncation(**trunc)
    hf.enable_padding(pad_id=tok.pad_token_id, pad_token=tok.pad_token, **padding)
    inputs = texts if pairs is None else list(zip(texts, pairs))
    return hf.encode_batch(inputs)


def _check_against(enc, ref):
    assert enc["input_ids"].tolist() == [e.ids for e in ref]
    assert enc["attention_mask"].tolist() == [e.attention_mask for e in ref]
    assert enc["offset_mapping"].tolist() == [[list(o) for o in e.offsets] for e in ref]


@pytest.mark.parametrize("side", ["right", "left"])
@pytest.mark.parametrize("multiple", [None, 8])
def test_padding_longest(wordpiece, side, multiple):
    enc = wordpiece.encode_batch(
        SAMPLES, padding="longest", padding_side=side, pad_to_multiple_of=multiple
    )
    ref = _reference(wordpiece, SAMPLES, direction=side, pad_to_multiple_of=multiple)
    _check_against(enc, ref)
    lengths = [len(wordpiece.encode(s)["input_ids"]) for s in SAMPLES]
    width = max(lengths) if multiple is None else -(-max(lengths) // multiple) * multiple
    assert enc["input_ids"].shape == (len(SAMPLES), width)
    assert enc["offset_mapping"].shape == (len(SAMPLES), width, 2)
    mask = enc["attention_mask"].numpy()
    assert mask.sum(1).tolist() == lengths
    ids = enc["input_ids"].numpy()
    assert np.all(ids[mask == 0] == wordpiece.pad_token_id)
    assert np.all(enc["offset_mapping"].numpy()[mask == 0] == 0)
    # padding=True means "longest"
    same = wordpiece.encode_batch(
        SAMPLES, padding=True, padding_side=side, pad_to_multiple_of=multiple
    )
    assert same["input_ids"].tolist() == enc["input_ids"].tolist()


@pytest.mark.parametrize("multiple", [None, 5])
def test_padding_max_length(wordpiece, multiple):
    enc = wordpiece.encode_batch(
        SAMPLES, padding="max_length", max_length=12, pad_to_multiple_of=multiple
    )
    width = 12 if multiple is None else 15
    ref = _reference(wordpiece, SAMPLES, length=width)
    _check_against(enc, ref)
    assert enc["input_ids"].shape == (len(SAMPLES), width)
    single = wordpiece.encode(SAMPLES[2], padding="max_length", max_length=12)
    assert single["input_ids"].tolist() == enc["input_ids"][2].tolist()[:12]
    assert single["attention_mask"].shape == (12,)


def test_padding_false_requires_equal_lengths(wordpiece):
    with pytest.raises(ValueError, match=r"different lengths \(\d+ to \d+ tokens\)"):
        wordpiece.encode_batch(SAMPLES, padding=False)
    same = wordpiece.encode_batch(["the cat", "a dog"], padding=False)
    assert same["input_ids"].shape == (2, 4)
    assert same["attention_mask"].numpy().all()


@pytest.mark.parametrize("side", ["right", "left"])
def test_truncation_to_max_length(wordpiece, side):
    enc = wordpiece.encode_batch(SAMPLES, truncation=True, max_length=5, truncation_side=side)
    ref = _reference(wordpiece, SAMPLES, truncation={"max_length": 5, "direction": side})
    _check_against(enc, ref)
    assert enc["input_ids"].shape[1] == 5
    full = wordpiece.encode(SAMPLES[0])["input_ids"].tolist()
    row = enc["input_ids"][0].tolist()
    # the special tokens stay; the kept words are the first (right) or last (left) ones
    assert row[0] == full[0] and row[-1] == full[-1]
    assert row[1:-1] == (full[1:4] if side == "right" else full[-4:-1])


def test_truncation_and_max_length_padding_together(wordpiece):
    enc = wordpiece.encode_batch(SAMPLES, padding="max_length", truncation=True, max_length=6)
    ref = _reference(wordpiece, SAMPLES, length=6, truncation={"max_length": 6})
    _check_against(enc, ref)
    with pytest.raises(ValueError, match=r"more than max_length=4.*truncation=True"):
        wordpiece.encode_batch(SAMPLES, padding="max_length", max_length=4)


def test_pair_truncation_strategies(wordpiece):
    first, second = "the cat sat on the mat", "a big dog ran under the tree"
    for strategy in ("longest_first", "only_first", "only_second"):
        enc = wordpiece.encode(
            first, second, truncation=strategy, max_length=14, return_token_type_ids=True
        )
        ref = _reference(
            wordpiece, [first], [second], truncation={"max_length": 14, "strategy": strategy}
        )
        assert len(enc["input_ids"]) == 14
        assert enc["input_ids"].tolist() == ref[0].ids
        assert enc["token_type_ids"].tolist() == ref[0].type_ids
    kept = wordpiece.encode(
        first, second, truncation="only_second", max_length=10, return_token_type_ids=True
    )["token_type_ids"].tolist()
    assert kept.count(0) == len(wordpiece.tokenize(first)) + 2
    with pytest.raises(ValueError, match=r"could not truncate with truncation='only_first'"):
        wordpiece.encode(first, second, truncation="only_first", max_length=10)


def test_stride_and_overflowing_tokens(wordpiece):
    text = " ".join(WORDS[:12])
    full = wordpiece.encode(text, add_special_tokens=False)["input_ids"].tolist()
    enc = wordpiece.encode(
        text,
        add_special_tokens=False,
        truncation=True,
        max_length=5,
        stride=2,
        return_overflowing_tokens=True,
        padding="longest",
    )
    rows = enc["input_ids"].numpy()
    mask = enc["attention_mask"].numpy()
    windows = [row[m == 1].tolist() for row, m in zip(rows, mask)]
    assert enc["overflow_to_sample_mapping"].tolist() == [0] * len(windows)
    assert len(windows) > 1 and windows[0] == full[:5]
    for prev, nxt in itertools.pairwise(windows):
        assert nxt[:2] == prev[-2:]  # consecutive windows overlap by `stride` tokens
    rebuilt = windows[0] + [t for w in windows[1:] for t in w[2:]]
    assert rebuilt == full
    batch = wordpiece.encode_batch(
        [text, "the cat"],
        add_special_tokens=False,
        truncation=True,
        max_length=5,
        stride=2,
        return_overflowing_tokens=True,
    )
    assert batch["overflow_to_sample_mapping"].tolist() == [0] * len(windows) + [1]


def test_fields_and_batch_encoding_object(wordpiece):
    enc = wordpiece.encode(
        "the cat", "a dog", return_token_type_ids=True, return_special_tokens_mask=True
    )
    assert isinstance(enc, BatchEncoding)
    assert set(enc) == {
        "input_ids",
        "attention_mask",
        "offset_mapping",
        "token_type_ids",
        "special_tokens_mask",
    }
    assert enc.input_ids is enc["input_ids"]
    assert enc.tokens()[0] == "[CLS]" and enc.tokens().count("[SEP]") == 2
    specials = [int(t in ("[CLS]", "[SEP]")) for t in enc.tokens()]
    assert enc["special_tokens_mask"].tolist() == specials
    assert enc["token_type_ids"].tolist() == [0, 0, 0, 0, 1, 1, 1]
    bare = wordpiece.encode(
        "the cat",
        add_special_tokens=False,
        return_offsets_mapping=False,
        return_attention_mask=False,
    )
    assert set(bare) == {"input_ids"} and len(bare["input_ids"]) == 2
    with pytest.raises(AttributeError, match=r"no field 'labels'"):
        _ = enc.labels
    assert pickle.loads(pickle.dumps(enc))["input_ids"].tolist() == enc["input_ids"].tolist()
    assert wordpiece("the cat")["input_ids"].tolist() == enc["input_ids"].tolist()[:4]
    assert wordpiece(["the cat", "a"])["input_ids"].shape == (2, 4)


def test_offsets_point_into_the_text(trained):
    for name in ("bpe", "wordpiece", "word_level", "byte_level_bpe"):
        tok = trained[name]
        text = "the big   cat"
        enc = tok.encode(text, add_special_tokens=False)
        pieces = [text[a:b] for a, b in enc["offset_mapping"].tolist()]
        assert "".join(pieces).replace(" ", "") == text.replace(" ", ""), name


def test_encoding_argument_errors(wordpiece):
    with pytest.raises(ValueError, match=r"padding must be False, True, 'longest'"):
        wordpiece.encode_batch(SAMPLES, padding="shortest")
    with pytest.raises(ValueError, match=r"padding='max_length' needs max_length"):
        wordpiece.encode_batch(SAMPLES, padding="max_length")
    with pytest.raises(ValueError, match=r"truncation needs max_length"):
        wordpiece.encode("the cat", truncation=True)
    with pytest.raises(ValueError, match=r"truncation must be False, True"):
        wordpiece.encode("the cat", truncation="middle", max_length=3)
    with pytest.raises(ValueError, match=r"pad_to_multiple_of must be a positive integer"):
        wordpiece.encode_batch(SAMPLES, pad_to_multiple_of=0)
    with pytest.raises(ValueError, match=r"padding_side must be 'right' or 'left'"):
        wordpiece.encode_batch(SAMPLES, padding_side="up")
    with pytest.raises(ValueError, match=r"stride=5 must be smaller than max_length=5"):
        wordpiece.encode("the cat", truncation=True, max_length=5, stride=5)
    with pytest.raises(TypeError, match=r"use encode_batch"):
        wordpiece.encode(["the cat"])
    with pytest.raises(TypeError, match=r"use encode for one text"):
        wordpiece.encode_batch("the cat")
    with pytest.raises(ValueError, match=r"2 texts but 1 text_pairs"):
        wordpiece.encode_batch(["a", "b"], ["c"])


# ----------------------------------------------------------------------------- decoding
def test_decode_and_decode_batch(wordpiece):
    enc = wordpiece.encode_batch(SAMPLES, padding="max_length", max_length=12)
    texts = wordpiece.decode_batch(enc["input_ids"], skip_special_tokens=True)
    assert texts == SAMPLES
    raw = wordpiece.decode(enc["input_ids"][2])
    assert raw.startswith("[CLS] green river [SEP]") and raw.count("[PAD]") == 12 - 4
    assert wordpiece.decode(enc["input_ids"][2].tolist(), skip_special_tokens=True) == SAMPLES[2]
    assert wordpiece.decode(np.array(enc["input_ids"][0].tolist())).startswith("[CLS]")
    with pytest.raises(ValueError, match=r"expected one sequence of ids"):
        wordpiece.decode([[1, 2], [3, 4]])


def test_added_tokens_and_special_ids(wordpiece):
    tok = pickle.loads(pickle.dumps(wordpiece))  # a private copy to modify
    before = tok.vocab_size
    assert tok.add_special_tokens(["<extra>"]) == 1
    assert tok.vocab_size == before + 1
    assert tok.tokenize("the <extra> cat") == ["the", "<extra>", "cat"]
    ids = tok.encode("the <extra>")["input_ids"]
    assert tok.decode(ids, skip_special_tokens=True) == "the"
    assert tok.token_to_id("<extra>") in tok.all_special_ids
    assert tok.token_to_id("[PAD]") in tok.all_special_ids
    assert tok.token_to_id("the") not in tok.all_special_ids
    assert "WordPiece" in repr(tok) and "pad_token='[PAD]'" in repr(tok)


# ----------------------------------------------------------------------------- fork guard
def test_fork_guard_sets_the_variable_only_around_forks_and_respects_the_user(monkeypatch):
    monkeypatch.delenv("TOKENIZERS_PARALLELISM", raising=False)
    _parallelism._before_fork()
    assert os.environ["TOKENIZERS_PARALLELISM"] == "false"
    _parallelism._after_fork_in_parent()
    assert "TOKENIZERS_PARALLELISM" not in os.environ
    monkeypatch.setenv("TOKENIZERS_PARALLELISM", "true")
    _parallelism._before_fork()
    _parallelism._after_fork_in_parent()
    assert os.environ["TOKENIZERS_PARALLELISM"] == "true"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_child_encodes_single_threaded(wordpiece, monkeypatch):
    monkeypatch.delenv("TOKENIZERS_PARALLELISM", raising=False)
    wordpiece.encode_batch(SAMPLES * 50)  # use the thread pool in this process first
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report the variable and an encoding, then leave at once
        try:
            ids = wordpiece.encode_batch(SAMPLES * 50)["input_ids"].shape[0]
            os.write(write, f"{os.environ.get('TOKENIZERS_PARALLELISM')},{ids}".encode())
        finally:
            os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    message = os.read(read, 100).decode()
    os.close(read)
    assert status == 0
    assert message == f"false,{len(SAMPLES) * 50}"
    assert "TOKENIZERS_PARALLELISM" not in os.environ


@pytest.mark.parametrize("name", ["byte_level_bpe", "bpe", "unigram"])
def test_wrap_tokens_put_bos_and_eos_around_sequences(name):
    tok = TRAINERS[name](iterator=CORPUS, wrap_tokens=("<s>", "</s>"))
    enc = tok.encode("the cat sat", return_special_tokens_mask=True)
    ids = enc["input_ids"].tolist()
    assert ids[0] == tok.bos_token_id and ids[-1] == tok.eos_token_id
    assert enc["special_tokens_mask"].tolist() == [1] + [0] * (len(ids) - 2) + [1]
    assert enc["offset_mapping"].tolist()[0] == [0, 0]
    assert tok.decode(ids, skip_special_tokens=True) == "the cat sat"
    bare = tok.encode("the cat sat", add_special_tokens=False)["input_ids"].tolist()
    assert bare == ids[1:-1]
    if name == "byte_level_bpe":  # offsets are trimmed of the leading space
        text = "the cat sat"
        spans = enc["offset_mapping"].tolist()[1:-1]
        assert all(text[a:b] == text[a:b].strip() for a, b in spans)
