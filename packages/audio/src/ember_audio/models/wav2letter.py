"""Wav2Letter: a fully convolutional acoustic model."""

from __future__ import annotations

from ember import nn
from ember.nn import functional as F

_INPUT_TYPES = ("waveform", "power_spectrum", "mfcc")


def _conv_relu(in_channels, out_channels, kernel_size, stride, padding):
    return [
        nn.Conv1d(in_channels, out_channels, kernel_size, stride=stride, padding=padding),
        nn.ReLU(inplace=True),
    ]


class Wav2Letter(nn.Module):
    r"""The acoustic model of *Wav2Letter: an End-to-End ConvNet-based Speech Recognition
    System* (Collobert et al., 2016), with torchaudio's layer layout and state-dict keys.

    Eleven ``Conv1d + ReLU`` layers on features (250 channels: one with kernel 48 and stride
    2, seven with kernel 7, then 2000 channels with kernel 32, a 1x1 layer of 2000 and a 1x1
    layer of ``num_classes``), preceded for raw waveforms by a ``Conv1d(num_features, 250,
    kernel_size=250, stride=160, padding=45)`` front end; ``log_softmax`` over classes.

    Args:
        num_classes (int, optional): Number of output classes. (Default: ``40``)
        input_type (str, optional): ``"waveform"``, ``"power_spectrum"`` or ``"mfcc"``.
            (Default: ``"waveform"``)
        num_features (int, optional): Input channels: audio channels for waveforms,
            frequency bins or coefficients otherwise. (Default: ``1``)

    Shape:
        - Input: :math:`(N, num\_features, T)`.
        - Output: :math:`(N, num\_classes, T')`, log-probabilities; :math:`T' \approx T / 320`
          for waveforms and :math:`T / 2` for features.

    Example:
        >>> import ember
        >>> model = Wav2Letter(num_classes=29, input_type="mfcc", num_features=13)
        >>> model(ember.randn(2, 13, 100)).shape
        ember.Size([2, 29, 51])
    """

    def __init__(self, num_classes: int = 40, input_type: str = "waveform", num_features: int = 1):
        super().__init__()
        if input_type not in _INPUT_TYPES:
            raise ValueError(
                f"Wav2Letter: input_type must be one of {list(_INPUT_TYPES)}, got {input_type!r}"
            )
        acoustic_num_features = 250 if input_type == "waveform" else num_features
        layers = _conv_relu(acoustic_num_features, 250, 48, 2, 23)
        for _ in range(7):
            layers += _conv_relu(250, 250, 7, 1, 3)
        layers += _conv_relu(250, 2000, 32, 1, 16)
        layers += _conv_relu(2000, 2000, 1, 1, 0)
        layers += _conv_relu(2000, num_classes, 1, 1, 0)
        acoustic_model = nn.Sequential(*layers)
        if input_type == "waveform":
            waveform_model = nn.Sequential(*_conv_relu(num_features, 250, 250, 160, 45))
            self.acoustic_model = nn.Sequential(waveform_model, acoustic_model)
        else:
            self.acoustic_model = acoustic_model

    def forward(self, x):
        """Log-probabilities ``(N, num_classes, T')`` for input ``(N, num_features, T)``."""
        return F.log_softmax(self.acoustic_model(x), dim=1)
