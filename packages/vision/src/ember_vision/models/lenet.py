"""LeNet-5 (LeCun et al. 1998) for 1x28x28 inputs, the classic MNIST network."""

from __future__ import annotations

import ember
from ember import nn

from ._utils import _check_weights

__all__ = ["LeNet", "lenet5"]


class LeNet(nn.Module):
    """LeNet-5 with ReLU and max pooling: conv1 (padding 2), conv2, fc1, fc2, fc3.

    Takes ``(N, in_channels, 28, 28)`` images (32x32 without the padding of the original).
    """

    def __init__(self, num_classes: int = 10, in_channels: int = 1) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, kernel_size=5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, kernel_size=5)
        self.pool = nn.MaxPool2d(kernel_size=2, stride=2)
        self.relu = nn.ReLU()
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x: ember.Tensor) -> ember.Tensor:
        x = self.pool(self.relu(self.conv1(x)))
        x = self.pool(self.relu(self.conv2(x)))
        x = ember.flatten(x, 1)
        x = self.relu(self.fc1(x))
        x = self.relu(self.fc2(x))
        return self.fc3(x)


def lenet5(*, weights=None, progress: bool = True, **kwargs) -> LeNet:
    """LeNet-5 (61,706 parameters with 10 classes and one input channel)."""
    _check_weights(weights)
    return LeNet(**kwargs)
