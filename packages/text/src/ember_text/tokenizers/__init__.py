"""Subword and word tokenizers on Hugging Face ``tokenizers``, giving Ember tensors.

Train byte-level BPE, BPE, WordPiece, Unigram or word-level tokenizers offline from files or
iterators of strings, save and load ``tokenizer.json`` (also files made by other tools), and
encode batches with padding and truncation. The ``tokenizers`` library itself is imported on
first use.

Example:
    >>> from ember_text.tokenizers import Tokenizer
    >>> tok = Tokenizer.train_bpe(iterator=["a tiny corpus for a tiny tokenizer"] * 5,
    ...                           vocab_size=60)
    >>> tok.decode(tok.encode("a tiny tokenizer")["input_ids"])
    'a tiny tokenizer'
"""

from ._encoding import BatchEncoding
from ._tokenizer import Tokenizer

__all__ = ["Tokenizer", "BatchEncoding"]
