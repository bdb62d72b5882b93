"""``ember.func``: function transforms over modules; ``functional_call`` runs a module with
substitute parameters and buffers.

Example:
    >>> import ember
    >>> from ember import nn
    >>> class Scale(nn.Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.w = nn.Parameter(ember.ones(2))
    ...     def forward(self, x):
    ...         return x * self.w
    >>> m = Scale()
    >>> ember.func.functional_call(m, {"w": ember.tensor([2.0, 3.0])}, (ember.ones(2),))
    tensor([2., 3.])
    >>> m.w
    Parameter containing:
    tensor([1., 1.], requires_grad=True)
"""

from __future__ import annotations

from ._functional_call import functional_call

__all__ = ["functional_call"]
