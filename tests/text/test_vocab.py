"""ember_text.vocab: Vocab, vocab() and build_vocab_from_iterator, as torchtext defines them."""

from __future__ import annotations

import json
from collections import Counter, OrderedDict

import pytest

import ember
from ember_text.vocab import Vocab, build_vocab_from_iterator, vocab

SENTENCES = [
    ["the", "cat", "sat", "on", "the", "mat"],
    ["the", "dog", "sat", "on", "the", "log"],
    ["a", "cat", "and", "a", "dog"],
]


def _expected_order(sentences, min_freq=1):
    """Tokens by falling count, ties alphabetical: computed directly from a Counter."""
    counts = Counter(t for s in sentences for t in s)
    return [t for t, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if c >= min_freq]


def test_build_vocab_orders_by_frequency_then_alphabetically():
    v = build_vocab_from_iterator(SENTENCES)
    assert v.get_itos() == _expected_order(SENTENCES)
    assert v.get_itos()[0] == "the"  # 4 times
    assert v.get_stoi() == {t: i for i, t in enumerate(v.get_itos())}
    assert len(v) == len(set(t for s in SENTENCES for t in s))


@pytest.mark.parametrize("special_first", [True, False])
def test_specials_min_freq_and_max_tokens(special_first):
    specials = ["<unk>", "<pad>"]
    v = build_vocab_from_iterator(
        SENTENCES, min_freq=2, specials=specials, special_first=special_first
    )
    body = _expected_order(SENTENCES, min_freq=2)
    assert v.get_itos() == (specials + body if special_first else body + specials)
    assert "mat" not in v and "cat" in v
    limited = build_vocab_from_iterator(SENTENCES, specials=specials, max_tokens=5)
    assert limited.get_itos() == specials + _expected_order(SENTENCES)[:3]
    assert len(limited) == 5


def test_specials_present_in_the_corpus_are_not_duplicated():
    v = build_vocab_from_iterator([["<unk>", "a", "a"]], specials=["<unk>"], max_tokens=2)
    assert v.get_itos() == ["<unk>", "a"]


def test_build_vocab_argument_errors():
    with pytest.raises(ValueError, match=r"max_tokens=1 must be an integer larger than the number"):
        build_vocab_from_iterator(SENTENCES, specials=["<unk>"], max_tokens=1)
    with pytest.raises(ValueError, match=r"min_freq must be a positive integer, got 0"):
        build_vocab_from_iterator(SENTENCES, min_freq=0)
    with pytest.raises(TypeError, match=r"must yield lists of tokens, got a str"):
        build_vocab_from_iterator(["the cat sat"])


def test_vocab_factory_keeps_the_mapping_order():
    counts = OrderedDict([("zebra", 5), ("apple", 1), ("mango", 3), ("<unk>", 9)])
    v = vocab(counts, min_freq=2, specials=["<unk>"])
    assert v.get_itos() == ["<unk>", "zebra", "mango"]
    v = vocab(counts, specials=["<pad>"], special_first=False)
    assert v.get_itos() == ["zebra", "apple", "mango", "<unk>", "<pad>"]


def test_lookups_and_default_index():
    v = build_vocab_from_iterator(SENTENCES, specials=["<unk>"])
    assert v["cat"] == v.get_stoi()["cat"]
    assert v.lookup_indices(["the", "dog"]) == [v["the"], v["dog"]]
    assert v(["the", "dog"]) == v.lookup_indices(["the", "dog"])
    assert v.lookup_token(v["dog"]) == "dog"
    assert v.lookup_tokens([1, 2, 0]) == [v.get_itos()[i] for i in (1, 2, 0)]
    assert v.lookup_tokens(ember.tensor([1, 2])) == v.get_itos()[1:3]
    assert v.get_default_index() is None
    with pytest.raises(RuntimeError, match=r"Token 'zebra' not found and default index is not set"):
        v["zebra"]
    v.set_default_index(v["<unk>"])
    assert v.get_default_index() == 0
    assert v["zebra"] == 0 and v(["zebra", "cat"]) == [0, v["cat"]]
    assert "zebra" not in v and "cat" in v
    v.set_default_index(None)
    with pytest.raises(RuntimeError, match=r"not found"):
        v.lookup_indices(["zebra"])
    with pytest.raises(RuntimeError, match=r"index 99 is out of bounds for a vocabulary of size"):
        v.lookup_token(99)
    with pytest.raises(RuntimeError, match=r"out of bounds"):
        v.set_default_index(len(v))
    with pytest.raises(TypeError, match=r"index must be an int"):
        v.lookup_token("cat")


def test_insert_and_append_tokens():
    v = Vocab(["a", "b", "c"])
    v.append_token("d")
    assert v.get_itos() == ["a", "b", "c", "d"] and v["d"] == 3
    v.insert_token("x", 1)
    assert v.get_itos() == ["a", "x", "b", "c", "d"]
    assert v.get_stoi() == {"a": 0, "x": 1, "b": 2, "c": 3, "d": 4}
    v.insert_token("end", len(v))
    assert v.lookup_token(len(v) - 1) == "end"
    with pytest.raises(RuntimeError, match=r"Token 'b' already exists in the Vocab with index: 2"):
        v.append_token("b")
    with pytest.raises(RuntimeError, match=r"already exists"):
        v.insert_token("a", 0)
    with pytest.raises(RuntimeError, match=r"index 10 is out of bounds"):
        v.insert_token("y", 10)
    with pytest.raises(RuntimeError, match=r"already exists"):
        Vocab(["a", "a"])
    with pytest.raises(TypeError, match=r"tokens must be str, got int"):
        v.append_token(3)


def test_save_and_load_round_trip(tmp_path):
    v = build_vocab_from_iterator(SENTENCES, specials=["<unk>", "<pad>"])
    v.set_default_index(v["<unk>"])
    path = tmp_path / "vocab.json"
    v.save(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["itos"] == v.get_itos()
    loaded = Vocab.load(path)
    assert loaded == v
    assert loaded.get_itos() == v.get_itos() and loaded.get_default_index() == 0
    assert loaded["unknown-word"] == 0
    unicode = Vocab(["café", "猫"])
    unicode.save(tmp_path / "u.json")
    assert Vocab.load(tmp_path / "u.json").get_itos() == ["café", "猫"]


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing.json"):
        Vocab.load(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("not json", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.json.*not a JSON vocabulary"):
        Vocab.load(bad)
    other = tmp_path / "other.json"
    other.write_text('{"a": 1}', encoding="utf-8")
    with pytest.raises(ValueError, match=r"other.json.*not a vocabulary written by Vocab.save"):
        Vocab.load(other)


def test_repr_len_iter():
    v = Vocab(["a", "b"], default_index=1)
    assert repr(v) == "Vocab(num_tokens=2, default_index=1)"
    assert list(v) == ["a", "b"] and len(v) == 2
    # the returned dict and list are copies
    v.get_itos().append("z")
    v.get_stoi()["z"] = 5
    assert len(v) == 2 and "z" not in v
