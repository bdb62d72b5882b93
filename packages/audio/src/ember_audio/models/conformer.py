"""Conformer: a convolution-augmented Transformer encoder."""

from __future__ import annotations

import ember
from ember import nn


def _lengths_to_padding_mask(lengths):
    """``(B, max(lengths))`` bool mask, True at padded frames."""
    max_length = int(lengths.max().item())
    positions = ember.arange(max_length, device=lengths.device, dtype=lengths.dtype)
    return positions.unsqueeze(0) >= lengths.unsqueeze(1)


class _ConvolutionModule(nn.Module):
    """LayerNorm, pointwise conv + GLU, depthwise conv, Batch/GroupNorm, SiLU, pointwise conv,
    dropout; on ``(B, T, D)``."""

    def __init__(
        self,
        input_dim: int,
        num_channels: int,
        depthwise_kernel_size: int,
        dropout: float = 0.0,
        bias: bool = False,
        use_group_norm: bool = False,
    ) -> None:
        super().__init__()
        if (depthwise_kernel_size - 1) % 2 != 0:
            raise ValueError(
                "Conformer: depthwise_conv_kernel_size must be odd to keep the sequence length "
                f"('SAME' padding), got {depthwise_kernel_size}"
            )
        self.layer_norm = nn.LayerNorm(input_dim)
        self.sequential = nn.Sequential(
            nn.Conv1d(input_dim, 2 * num_channels, 1, bias=bias),
            nn.GLU(dim=1),
            nn.Conv1d(
                num_channels,
                num_channels,
                depthwise_kernel_size,
                padding=(depthwise_kernel_size - 1) // 2,
                groups=num_channels,
                bias=bias,
            ),
            nn.GroupNorm(num_groups=1, num_channels=num_channels)
            if use_group_norm
            else nn.BatchNorm1d(num_channels),
            nn.SiLU(),
            nn.Conv1d(num_channels, input_dim, kernel_size=1, bias=bias),
            nn.Dropout(dropout),
        )

    def forward(self, input):
        x = self.layer_norm(input).transpose(1, 2)
        return self.sequential(x).transpose(1, 2)


class _FeedForwardModule(nn.Module):
    """LayerNorm, Linear, SiLU, dropout, Linear, dropout."""

    def __init__(self, input_dim: int, hidden_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.sequential = nn.Sequential(
            nn.LayerNorm(input_dim),
            nn.Linear(input_dim, hidden_dim, bias=True),
            nn.SiLU(),
            nn.Dropout(dropout),
            nn.Linear(hidden_dim, input_dim, bias=True),
            nn.Dropout(dropout),
        )

    def forward(self, input):
        return self.sequential(input)


class ConformerLayer(nn.Module):
    """One Conformer block: half-step feed-forward, self-attention, convolution module,
    half-step feed-forward, final LayerNorm (the convolution before the attention when
    ``convolution_first``).

    Args:
        input_dim (int): Model dimension.
        ffn_dim (int): Hidden dimension of the feed-forward modules.
        num_attention_heads (int): Attention heads.
        depthwise_conv_kernel_size (int): Kernel size of the depthwise convolution (odd).
        dropout (float, optional): Dropout probability. (Default: ``0.0``)
        use_group_norm (bool, optional): GroupNorm instead of BatchNorm1d in the
            convolution module. (Default: ``False``)
        convolution_first (bool, optional): Convolution module before the attention.
            (Default: ``False``)

    Shape:
        - input: :math:`(T, B, D)`; key_padding_mask: :math:`(B, T)` bool or ``None``.
        - output: :math:`(T, B, D)`.
    """

    def __init__(
        self,
        input_dim: int,
        ffn_dim: int,
        num_attention_heads: int,
        depthwise_conv_kernel_size: int,
        dropout: float = 0.0,
        use_group_norm: bool = False,
        convolution_first: bool = False,
    ) -> None:
        super().__init__()
        self.ffn1 = _FeedForwardModule(input_dim, ffn_dim, dropout=dropout)
        self.self_attn_layer_norm = nn.LayerNorm(input_dim)
        self.self_attn = nn.MultiheadAttention(input_dim, num_attention_heads, dropout=dropout)
        self.self_attn_dropout = nn.Dropout(dropout)
        self.conv_module = _ConvolutionModule(
            input_dim=input_dim,
            num_channels=input_dim,
            depthwise_kernel_size=depthwise_conv_kernel_size,
            dropout=dropout,
            bias=True,
            use_group_norm=use_group_norm,
        )
        self.ffn2 = _FeedForwardModule(input_dim, ffn_dim, dropout=dropout)
        self.final_layer_norm = nn.LayerNorm(input_dim)
        self.convolution_first = convolution_first

    def _apply_convolution(self, input):
        return input + self.conv_module(input.transpose(0, 1)).transpose(0, 1)

    def forward(self, input, key_padding_mask):
        x = self.ffn1(input) * 0.5 + input
        if self.convolution_first:
            x = self._apply_convolution(x)
        residual = x
        x = self.self_attn_layer_norm(x)
        x, _ = self.self_attn(
            query=x, key=x, value=x, key_padding_mask=key_padding_mask, need_weights=False
        )
        x = self.self_attn_dropout(x) + residual
        if not self.convolution_first:
            x = self._apply_convolution(x)
        x = self.ffn2(x) * 0.5 + x
        return self.final_layer_norm(x)


class Conformer(nn.Module):
    r"""The Conformer encoder of *Conformer: Convolution-augmented Transformer for Speech
    Recognition* (Gulati et al., 2020), with torchaudio's interface and state-dict keys
    (``conformer_layers.<i>.ffn1.sequential.1.weight``, ``...self_attn.in_proj_weight``,
    ``...conv_module.sequential.3.running_mean``, ...).

    Args:
        input_dim (int): Input (and model) dimension.
        num_heads (int): Attention heads in each layer; must divide ``input_dim``.
        ffn_dim (int): Hidden dimension of the feed-forward modules.
        num_layers (int): Number of Conformer layers.
        depthwise_conv_kernel_size (int): Kernel size of the depthwise convolutions (odd).
        dropout (float, optional): Dropout probability. (Default: ``0.0``)
        use_group_norm (bool, optional): GroupNorm instead of BatchNorm1d in the
            convolution modules. (Default: ``False``)
        convolution_first (bool, optional): Convolution module before the attention.
            (Default: ``False``)

    Shape:
        - input: :math:`(B, T, input\_dim)`; lengths: :math:`(B,)`, the number of valid
          frames of each sequence (padded frames are masked out of the attention), with
          ``max(lengths) == T``.
        - output: ``(output, lengths)``: :math:`(B, T, input\_dim)` and the lengths,
          unchanged.

    Example:
        >>> import ember
        >>> conformer = Conformer(
        ...     input_dim=16, num_heads=4, ffn_dim=32, num_layers=2, depthwise_conv_kernel_size=7
        ... )
        >>> lengths = ember.tensor([10, 7])
        >>> output, out_lengths = conformer(ember.rand(2, 10, 16), lengths)
        >>> output.shape
        ember.Size([2, 10, 16])
    """

    def __init__(
        self,
        input_dim: int,
        num_heads: int,
        ffn_dim: int,
        num_layers: int,
        depthwise_conv_kernel_size: int,
        dropout: float = 0.0,
        use_group_norm: bool = False,
        convolution_first: bool = False,
    ) -> None:
        super().__init__()
        self.conformer_layers = nn.ModuleList(
            [
                ConformerLayer(
                    input_dim,
                    ffn_dim,
                    num_heads,
                    depthwise_conv_kernel_size,
                    dropout=dropout,
                    use_group_norm=use_group_norm,
                    convolution_first=convolution_first,
                )
                for _ in range(num_layers)
            ]
        )

    def forward(self, input, lengths):
        """Encode ``input`` ``(B, T, input_dim)``; returns ``(output, lengths)``."""
        if input.dim() != 3:
            raise ValueError(
                f"Conformer: expected input of shape (B, T, input_dim), got {tuple(input.shape)}"
            )
        if lengths.dim() != 1 or lengths.shape[0] != input.shape[0]:
            raise ValueError(
                f"Conformer: lengths must have shape ({input.shape[0]},) to match the batch "
                f"of input {tuple(input.shape)}, got {tuple(lengths.shape)}"
            )
        encoder_padding_mask = _lengths_to_padding_mask(lengths)
        if encoder_padding_mask.shape[1] != input.shape[1]:
            raise ValueError(
                f"Conformer: max(lengths) = {encoder_padding_mask.shape[1]} must equal the "
                f"number of frames of input {tuple(input.shape)}"
            )
        x = input.transpose(0, 1)
        for layer in self.conformer_layers:
            x = layer(x, encoder_padding_mask)
        return x.transpose(0, 1), lengths
