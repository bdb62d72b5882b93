"""Reference text models: classifiers and a GPT-style causal language model."""

from .embedding_bag import EmbeddingBagClassifier
from .gpt import GPT, CausalLMOutput
from .gpt_config import GPTConfig
from .positional import LearnedPositionalEmbedding, SinusoidalPositionalEmbedding
from .transformer_classifier import TransformerEncoderClassifier

__all__ = [
    "CausalLMOutput",
    "EmbeddingBagClassifier",
    "GPT",
    "GPTConfig",
    "LearnedPositionalEmbedding",
    "SinusoidalPositionalEmbedding",
    "TransformerEncoderClassifier",
]
