"""ember_text: tokenizers, vocabularies, text datasets and language models for Ember.

Everything is loaded on first attribute access, so ``import ember_text`` stays fast (the
Hugging Face ``tokenizers`` library is imported only when a tokenizer is built or loaded).

Example:
    >>> import ember_text
    >>> ember_text.get_tokenizer("basic_english")("Hello, World!")
    ['hello', ',', 'world', '!']
"""

__version__ = "0.1.0"

# Submodules loaded on first attribute access.
_LAZY_SUBMODULES = {
    "tokenizers": "ember_text.tokenizers",
    "vocab": "ember_text.vocab",
    "data": "ember_text.data",
    "utils": "ember_text.utils",
    "models": "ember_text.models",
    "metrics": "ember_text.metrics",
    "generation": "ember_text.generation",
}

# Public names re-exported at the top level: name -> module that defines it.
_LAZY_NAMES = {
    # tokenizers
    "Tokenizer": "ember_text.tokenizers",
    "BatchEncoding": "ember_text.tokenizers",
    # simple tools
    "get_tokenizer": "ember_text.utils",
    "ngrams_iterator": "ember_text.utils",
    # vocabularies
    "Vocab": "ember_text.vocab",
    "build_vocab_from_iterator": "ember_text.vocab",
    # data
    "TextLineDataset": "ember_text.data",
    "CSVTextDataset": "ember_text.data",
    "TSVTextDataset": "ember_text.data",
    "JSONLDataset": "ember_text.data",
    "LMBlockDataset": "ember_text.data",
    "DataCollatorWithPadding": "ember_text.data",
    "BucketBatchSampler": "ember_text.data",
    "DistributedBucketBatchSampler": "ember_text.data",
    # models
    "EmbeddingBagClassifier": "ember_text.models",
    "TransformerEncoderClassifier": "ember_text.models",
    "GPT": "ember_text.models",
    "GPTConfig": "ember_text.models",
    # metrics
    "perplexity": "ember_text.metrics",
    "accuracy": "ember_text.metrics",
    "bleu_score": "ember_text.metrics",
}


def __getattr__(name):
    import importlib

    if name in _LAZY_SUBMODULES:
        return importlib.import_module(_LAZY_SUBMODULES[name])
    if name in _LAZY_NAMES:
        return getattr(importlib.import_module(_LAZY_NAMES[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY_SUBMODULES) | set(_LAZY_NAMES))
