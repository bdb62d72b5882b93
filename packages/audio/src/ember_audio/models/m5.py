"""M5: a raw-waveform convolutional classifier for keyword spotting."""

from __future__ import annotations

from ember import nn
from ember.nn import functional as F


class M5(nn.Module):
    r"""The M5 network of *Very Deep Convolutional Neural Networks for Raw Waveforms*
    (Dai et al., 2017), in the form of torchaudio's speech-command tutorial.

    Four blocks of ``Conv1d -> BatchNorm1d -> ReLU -> MaxPool1d(4)`` (the first with an
    80-sample kernel and stride ``stride``), global average pooling over time, a linear
    layer and ``log_softmax``.

    Args:
        n_input (int, optional): Number of input channels. (Default: ``1``)
        n_output (int, optional): Number of classes. (Default: ``35``)
        stride (int, optional): Stride of the first convolution. (Default: ``16``)
        n_channel (int, optional): Channels of the first two convolutions; the last two
            have twice as many. (Default: ``32``)

    Shape:
        - Input: :math:`(N, n\_input, T)`, with :math:`T` long enough to survive the four
          poolings: at least ``80 + 423 * stride`` samples (6,848 at the defaults).
        - Output: :math:`(N, 1, n\_output)`, log-probabilities.

    Example:
        >>> import ember
        >>> model = M5(n_output=10)
        >>> model(ember.randn(4, 1, 8000)).shape
        ember.Size([4, 1, 10])
    """

    def __init__(self, n_input: int = 1, n_output: int = 35, stride: int = 16, n_channel: int = 32):
        super().__init__()
        self.conv1 = nn.Conv1d(n_input, n_channel, kernel_size=80, stride=stride)
        self.bn1 = nn.BatchNorm1d(n_channel)
        self.pool1 = nn.MaxPool1d(4)
        self.conv2 = nn.Conv1d(n_channel, n_channel, kernel_size=3)
        self.bn2 = nn.BatchNorm1d(n_channel)
        self.pool2 = nn.MaxPool1d(4)
        self.conv3 = nn.Conv1d(n_channel, 2 * n_channel, kernel_size=3)
        self.bn3 = nn.BatchNorm1d(2 * n_channel)
        self.pool3 = nn.MaxPool1d(4)
        self.conv4 = nn.Conv1d(2 * n_channel, 2 * n_channel, kernel_size=3)
        self.bn4 = nn.BatchNorm1d(2 * n_channel)
        self.pool4 = nn.MaxPool1d(4)
        self.fc1 = nn.Linear(2 * n_channel, n_output)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.bn2(self.conv2(x))))
        x = self.pool3(F.relu(self.bn3(self.conv3(x))))
        x = self.pool4(F.relu(self.bn4(self.conv4(x))))
        x = F.avg_pool1d(x, x.shape[-1])
        x = self.fc1(x.permute(0, 2, 1))
        return F.log_softmax(x, dim=2)
