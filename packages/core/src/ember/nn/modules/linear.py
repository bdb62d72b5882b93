"""Linear layers: ``Identity``, ``Linear``, ``Bilinear``, and the reshaping ``Flatten`` and
``Unflatten``.

Example:
    >>> import ember
    >>> from ember import nn
    >>> nn.Linear(20, 30)
    Linear(in_features=20, out_features=30, bias=True)
    >>> nn.Linear(20, 30)(ember.randn(128, 20)).shape
    ember.Size([128, 30])
"""

from __future__ import annotations

import math

from ..._creation import empty
from ..._tensor import Tensor
from .. import init
from ..functional.linear import bilinear, linear
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear", "Bilinear", "Flatten", "Unflatten"]


class Identity(Module):
    """A placeholder that returns its input; constructor arguments are accepted and ignored.

    Example:
        >>> import ember
        >>> ember.nn.Identity(54, unused="argument")(ember.ones(2)).shape
        ember.Size([2])
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``.

    Args:
        in_features: size of each input sample.
        out_features: size of each output sample.
        bias: whether to learn an additive bias (default True).

    Shape:
        Input ``(*, in_features)``; output ``(*, out_features)``.

    Attributes:
        weight: ``(out_features, in_features)``, initialised from
            ``U(-1/sqrt(in_features), 1/sqrt(in_features))`` (kaiming_uniform with a=sqrt(5)).
        bias: ``(out_features)``, initialised from the same distribution.

    Example:
        >>> import ember
        >>> m = ember.nn.Linear(3, 2)
        >>> m.weight.shape, m.bias.shape
        (ember.Size([2, 3]), ember.Size([2]))
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None
    ) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class Bilinear(Module):
    """``y = x1^T A x2 + b``.

    Args:
        in1_features, in2_features: sizes of the two inputs' last dimension.
        out_features: size of the output's last dimension.
        bias: whether to learn an additive bias (default True).

    Attributes:
        weight: ``(out_features, in1_features, in2_features)``; weight and bias are
            initialised from ``U(-1/sqrt(in1_features), 1/sqrt(in1_features))``.

    Example:
        >>> import ember
        >>> m = ember.nn.Bilinear(20, 30, 40)
        >>> m(ember.randn(128, 20), ember.randn(128, 30)).shape
        ember.Size([128, 40])
    """

    def __init__(
        self,
        in1_features: int,
        in2_features: int,
        out_features: int,
        bias: bool = True,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(
            empty((out_features, in1_features, in2_features), device=device, dtype=dtype)
        )
        if bias:
            self.bias = Parameter(empty(out_features, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1: Tensor, input2: Tensor) -> Tensor:
        return bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
            f"out_features={self.out_features}, bias={self.bias is not None}"
        )


class Flatten(Module):
    """Flatten dims ``start_dim`` to ``end_dim`` into one.

    Example:
        >>> import ember
        >>> ember.nn.Flatten()(ember.ones(32, 1, 5, 5)).shape
        ember.Size([32, 25])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Unflatten(Module):
    """Expand dim ``dim`` into ``unflattened_size``.

    Example:
        >>> import ember
        >>> ember.nn.Unflatten(1, (2, 5, 5))(ember.ones(2, 50)).shape
        ember.Size([2, 2, 5, 5])
    """

    def __init__(self, dim: int, unflattened_size) -> None:
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                "unflattened_size must be a tuple of ints, but found type "
                f"{type(unflattened_size).__name__}"
            )
        for idx, elem in enumerate(unflattened_size):
            if not isinstance(elem, int):
                raise TypeError(
                    "unflattened_size must be tuple of ints, but found element of type "
                    f"{type(elem).__name__} at pos {idx}"
                )
        self.dim = dim
        self.unflattened_size = unflattened_size

    def forward(self, input: Tensor) -> Tensor:
        return input.unflatten(self.dim, self.unflattened_size)

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"
