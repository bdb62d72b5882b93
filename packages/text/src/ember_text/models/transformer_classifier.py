"""A Transformer-encoder text classifier."""

from __future__ import annotations

from ember import Tensor, nn

from .positional import LearnedPositionalEmbedding, SinusoidalPositionalEmbedding

__all__ = ["TransformerEncoderClassifier"]


class TransformerEncoderClassifier(nn.Module):
    r"""Token embeddings plus position embeddings, a stack of
    :class:`~ember.nn.TransformerEncoderLayer` (batch first), a pooling of the positions and
    a linear head.

    Padding positions (``attention_mask == 0``) are hidden from attention and left out of
    the mean pooling, so a text gets the same logits however much padding its batch adds.

    Args:
        vocab_size: number of token ids.
        num_classes: number of classes.
        d_model: size of the embeddings and of the encoder (default 128).
        nhead: attention heads (default 4).
        num_layers: encoder layers (default 2).
        dim_feedforward: hidden size of each layer's feed-forward network (default
            ``4 * d_model``).
        dropout: dropout probability in the encoder and on the embeddings (default 0.1).
        max_len: the longest sequence the position embeddings cover (default 512).
        positional: ``"learned"`` (default) or ``"sinusoidal"`` position embeddings.
        pooling: ``"mean"`` (default): the mean over the non-padding positions; ``"cls"``:
            the first position (put a ``[CLS]`` token there).
        padding_idx: the padding token id, whose embedding stays zero (default 0; None for
            none).
        norm_first: pre-norm layers, with a final layer norm (default True).
        activation: the feed-forward activation, ``"relu"`` or ``"gelu"`` (default).

    Shape:
        - input_ids: :math:`(N, L)`, integer token ids.
        - attention_mask: :math:`(N, L)`, 1 (or True) on real tokens, 0 on padding; None
          means every position is a real token.
        - Output: :math:`(N, \text{num\_classes})`, the logits.

    Example:
        >>> import ember
        >>> from ember_text.models import TransformerEncoderClassifier
        >>> model = TransformerEncoderClassifier(vocab_size=50, num_classes=3, d_model=16,
        ...                                      nhead=2, num_layers=1)
        >>> ids = ember.tensor([[4, 9, 12, 0], [7, 3, 0, 0]])
        >>> model(ids, attention_mask=(ids != 0).long()).shape
        ember.Size([2, 3])
    """

    def __init__(
        self,
        vocab_size: int,
        num_classes: int,
        d_model: int = 128,
        nhead: int = 4,
        num_layers: int = 2,
        dim_feedforward: int | None = None,
        dropout: float = 0.1,
        max_len: int = 512,
        positional: str = "learned",
        pooling: str = "mean",
        padding_idx: int | None = 0,
        norm_first: bool = True,
        activation: str = "gelu",
    ) -> None:
        super().__init__()
        if positional not in ("learned", "sinusoidal"):
            raise ValueError(
                "TransformerEncoderClassifier: positional must be 'learned' or 'sinusoidal', "
                f"got {positional!r}"
            )
        if pooling not in ("mean", "cls"):
            raise ValueError(
                f"TransformerEncoderClassifier: pooling must be 'mean' or 'cls', got {pooling!r}"
            )
        if d_model % nhead != 0:
            raise ValueError(
                f"TransformerEncoderClassifier: d_model ({d_model}) must be divisible by nhead "
                f"({nhead})"
            )
        self.d_model = d_model
        self.pooling = pooling
        self.embedding = nn.Embedding(vocab_size, d_model, padding_idx=padding_idx)
        position_cls = (
            LearnedPositionalEmbedding if positional == "learned" else SinusoidalPositionalEmbedding
        )
        self.position = position_cls(max_len, d_model)
        self.dropout = nn.Dropout(dropout)
        layer = nn.TransformerEncoderLayer(
            d_model,
            nhead,
            dim_feedforward=4 * d_model if dim_feedforward is None else dim_feedforward,
            dropout=dropout,
            activation=activation,
            batch_first=True,
            norm_first=norm_first,
        )
        norm = nn.LayerNorm(d_model) if norm_first else None
        self.encoder = nn.TransformerEncoder(
            layer, num_layers, norm=norm, enable_nested_tensor=False
        )
        self.head = nn.Linear(d_model, num_classes)

    def forward(self, input_ids: Tensor, attention_mask: Tensor | None = None) -> Tensor:
        if input_ids.dim() != 2:
            raise RuntimeError(
                "TransformerEncoderClassifier: expected input_ids of shape (N, L), got "
                f"{tuple(input_ids.shape)}"
            )
        if attention_mask is not None and tuple(attention_mask.shape) != tuple(input_ids.shape):
            raise RuntimeError(
                "TransformerEncoderClassifier: attention_mask must have the shape of input_ids "
                f"{tuple(input_ids.shape)}, got {tuple(attention_mask.shape)}"
            )
        x = self.embedding(input_ids) + self.position(input_ids.shape[1])
        x = self.dropout(x)
        padding_mask = None if attention_mask is None else attention_mask == 0
        x = self.encoder(x, src_key_padding_mask=padding_mask)
        if self.pooling == "cls":
            pooled = x[:, 0]
        elif attention_mask is None:
            pooled = x.mean(dim=1)
        else:
            keep = attention_mask.to(x.dtype).unsqueeze(-1)
            pooled = (x * keep).sum(dim=1) / keep.sum(dim=1).clamp(min=1.0)
        return self.head(pooled)

    def extra_repr(self) -> str:
        return f"pooling={self.pooling!r}"
