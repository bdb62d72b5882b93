"""ember_text.utils: get_tokenizer('basic_english') and ngrams_iterator."""

from __future__ import annotations

import re

import pytest

from ember_text.utils import get_tokenizer, ngrams_iterator


def _reference_basic_english(line):
    """torchtext's rules written out step by step, independently of the implementation."""
    line = line.lower()
    line = line.replace("'", " '  ").replace('"', "").replace(".", " . ")
    line = line.replace("<br />", " ").replace(",", " , ").replace("(", " ( ")
    line = line.replace(")", " ) ").replace("!", " ! ").replace("?", " ? ")
    line = line.replace(";", " ").replace(":", " ")
    return re.sub(r"\s+", " ", line).split()


@pytest.mark.parametrize(
    "line, expected",
    [
        ("Hello World", ["hello", "world"]),
        ("You can't stop (it).", ["you", "can", "'", "t", "stop", "(", "it", ")", "."]),
        ('He said: "Hi, there!"', ["he", "said", "hi", ",", "there", "!"]),
        ("a;b:c?d", ["a", "b", "c", "?", "d"]),
        ("line one.<br />line two", ["line", "one", ".", "line", "two"]),
        ("  tabs\tand\nnewlines  ", ["tabs", "and", "newlines"]),
        ("", []),
    ],
)
def test_basic_english(line, expected):
    tokenize = get_tokenizer("basic_english")
    assert tokenize(line) == expected
    assert tokenize(line) == _reference_basic_english(line)


def test_basic_english_matches_the_rules_on_mixed_text():
    text = "IT'S 3.14 (roughly); isn't it?! \"Quoted\", she said:<br />Done."
    assert get_tokenizer("basic_english")(text) == _reference_basic_english(text)


def test_get_tokenizer_other_choices():
    assert get_tokenizer(None)("a  b\tc") == ["a", "b", "c"]
    fn = str.upper
    assert get_tokenizer(fn) is fn
    with pytest.raises(ValueError, match=r"only available for English.*language='de'"):
        get_tokenizer("basic_english", language="de")
    with pytest.raises(ValueError, match=r"requested tokenizer 'spacy'"):
        get_tokenizer("spacy")


def test_ngrams_iterator():
    tokens = ["here", "we", "are", "now"]
    assert list(ngrams_iterator(tokens, 1)) == tokens
    expected = tokens + ["here we", "we are", "are now", "here we are", "we are now"]
    assert list(ngrams_iterator(tokens, 3)) == expected
    # n larger than the sequence just yields nothing for that n
    assert list(ngrams_iterator(["a", "b"], 4)) == ["a", "b", "a b"]
    assert list(ngrams_iterator(iter(["x", "y"]), 2)) == ["x", "y", "x y"]
    with pytest.raises(ValueError, match=r"ngrams must be a positive integer, got 0"):
        list(ngrams_iterator(tokens, 0))
