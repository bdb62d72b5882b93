"""A bag-of-embeddings text classifier."""

from __future__ import annotations

import ember
from ember import Tensor, nn

__all__ = ["EmbeddingBagClassifier"]


class EmbeddingBagClassifier(nn.Module):
    r"""Averages the embeddings of a text's tokens and classifies the average with a linear
    layer: the classic fast text classifier, as torchtext's text classification tutorial
    builds it.

    The texts of a batch are concatenated into one flat tensor of token ids; ``offsets``
    says where each text starts (as :class:`ember.nn.EmbeddingBag` takes them).

    Args:
        vocab_size: number of token ids.
        embed_dim: size of the embeddings.
        num_class: number of classes.
        mode: how a bag's embeddings are reduced: ``"mean"`` (default), ``"sum"`` or
            ``"max"``.
        padding_idx: a token id left out of every bag (default: None).

    Shape:
        - text: :math:`(T)`, the token ids of all texts of the batch, concatenated.
        - offsets: :math:`(N)`, the start of each text in ``text``.
        - Output: :math:`(N, \text{num\_class})`, the logits.

    Attributes:
        embedding: the :class:`~ember.nn.EmbeddingBag`, initialised uniformly in
            :math:`[-0.5, 0.5]`.
        fc: the :class:`~ember.nn.Linear` head, weights uniform in :math:`[-0.5, 0.5]` and
            zero bias.

    Example:
        >>> import ember
        >>> from ember_text.models import EmbeddingBagClassifier
        >>> model = EmbeddingBagClassifier(vocab_size=100, embed_dim=8, num_class=4)
        >>> text = ember.tensor([5, 17, 3, 42, 7])   # two texts: [5, 17, 3] and [42, 7]
        >>> model(text, ember.tensor([0, 3])).shape
        ember.Size([2, 4])
    """

    def __init__(
        self,
        vocab_size: int,
        embed_dim: int,
        num_class: int,
        mode: str = "mean",
        padding_idx: int | None = None,
    ) -> None:
        super().__init__()
        if mode not in ("mean", "sum", "max"):
            raise ValueError(
                f"EmbeddingBagClassifier: mode must be 'mean', 'sum' or 'max', got {mode!r}"
            )
        self.embedding = nn.EmbeddingBag(vocab_size, embed_dim, mode=mode, padding_idx=padding_idx)
        self.fc = nn.Linear(embed_dim, num_class)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Initialise the embeddings and the head's weight uniformly in [-0.5, 0.5], the
        head's bias to zero."""
        init_range = 0.5
        with ember.no_grad():
            nn.init.uniform_(self.embedding.weight, -init_range, init_range)
            if self.embedding.padding_idx is not None:
                self.embedding.weight[self.embedding.padding_idx].fill_(0)
            nn.init.uniform_(self.fc.weight, -init_range, init_range)
            nn.init.zeros_(self.fc.bias)

    def forward(self, text: Tensor, offsets: Tensor) -> Tensor:
        return self.fc(self.embedding(text, offsets))
