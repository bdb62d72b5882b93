"""``parameters_to_vector`` and ``vector_to_parameters``: flatten parameters into one vector
and back (e.g. for second-order or evolutionary optimizers).

Example:
    >>> import ember
    >>> from ember.nn.utils import parameters_to_vector, vector_to_parameters
    >>> a, b = ember.nn.Parameter(ember.ones(2, 2)), ember.nn.Parameter(ember.zeros(3))
    >>> parameters_to_vector([a, b])
    tensor([1., 1., 1., 1., 0., 0., 0.], grad_fn=<CatBackward0>)
    >>> vector_to_parameters(ember.arange(7.0), [a, b])
    >>> b
    Parameter containing:
    tensor([4., 5., 6.], requires_grad=True)
"""

from __future__ import annotations

from collections.abc import Iterable

from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param: Tensor, old_param_device):
    """-1 for the CPU, else the GPU ordinal; raises if parameters are on different devices."""
    dev = param.device
    current = (dev.index or 0) if dev.type == "cuda" else -1
    if old_param_device is None:
        return current
    if current != old_param_device:
        raise TypeError(
            "Found two parameters on different devices, this is currently not supported."
        )
    return old_param_device


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Flatten ``parameters`` into one 1-D tensor (differentiable)."""
    from ... import cat

    param_device = None
    vec = []
    for param in parameters:
        param_device = _check_param_device(param, param_device)
        vec.append(param.reshape(-1))
    return cat(vec)


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Copy consecutive slices of the 1-D ``vec`` into ``parameters`` (their ``.data`` then
    shares memory with ``vec``, as in PyTorch)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected ember.Tensor, but got: {type(vec).__name__}")
    param_device = None
    pointer = 0
    for param in parameters:
        param_device = _check_param_device(param, param_device)
        num = param.numel()
        param.data = vec[pointer : pointer + num].view_as(param).data
        pointer += num
