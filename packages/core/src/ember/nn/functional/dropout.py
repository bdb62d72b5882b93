"""Dropout: ``dropout``, the channel-wise ``dropout1d/2d/3d`` and the SELU-preserving
``alpha_dropout`` and ``feature_alpha_dropout``.

Masks are drawn from ``ember.random``'s generator (one NumPy call per op), so
``ember.manual_seed`` reproduces them. In evaluation mode, or with ``p=0``, the input itself is
returned, as in PyTorch. ``dropout`` scales kept values by ``1 / (1 - p)`` and records one node
whose backward multiplies by the same scaled mask.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> _ = ember.manual_seed(0)
    >>> y = F.dropout(ember.ones(1000), p=0.2)
    >>> sorted(set(y.tolist()))
    [0.0, 1.25]
    >>> F.dropout(ember.ones(3), p=0.2, training=False)
    tensor([1., 1., 1.])
"""

from __future__ import annotations

import math
import warnings

from ...ops._core import Node, Tensor, attach, grad_state, np, xp_of
from ...ops.inplace import apply_inplace
from ...ops.pointwise import _dtype_error, new_tensor

__all__ = [
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "feature_alpha_dropout",
]

_SELU_ALPHA_PRIME = 1.7580993408473766  # -SELU's scale * alpha: the value dropped units take


def _check_p(p) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _keep_mask(input: Tensor, shape, p: float):
    """A boolean array of ``shape`` (on ``input``'s device), True with probability ``1 - p``."""
    from ...random import numpy_generator

    keep = numpy_generator().random(shape, dtype=np.float32) >= p
    if input._data.__class__ is not np.ndarray:
        keep = xp_of(input).asarray(keep)
    return keep


class NativeDropoutBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, mask):
        return F.multiply(grad, mask)


def _dropout(input: Tensor, p: float) -> Tensor:
    d = input._data
    if d.dtype.kind in "biu":
        raise _dtype_error("dropout", d)
    if p == 1.0:
        mask = np.zeros_like(d)
    elif d.__class__ is not np.ndarray:  # the mask is drawn on the GPU (seeded from ember.random)
        from ...backends import cuda_kernels
        from ...random import numpy_generator

        seed = int(numpy_generator().integers(0, 2**63))
        mask = cuda_kernels().dropout_mask(d.shape, p, seed, d.dtype)
    else:
        mask = np.multiply(_keep_mask(input, d.shape, p), 1.0 / (1.0 - p), dtype=d.dtype)
    out = new_tensor(d * mask)
    if grad_state.enabled and input._requires_grad:
        node = NativeDropoutBackward0()
        attach(out, node, input)
        node.save(mask)
    return out


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)``.

    Args:
        input: the tensor.
        p: probability of an element to be zeroed (default 0.5).
        training: apply dropout if True (default True); otherwise return ``input``.
        inplace: do the operation in place (default False).

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(0)
        >>> ember.nn.functional.dropout(ember.ones(4), p=0.5).sum() % 2
        tensor(0.)
    """
    _check_p(p)
    if not training or p == 0.0:
        return input
    if inplace:
        return apply_inplace(input, lambda v: _dropout(v, p), "dropout_")
    return _dropout(input, p)


def _noise_dropout(input: Tensor, p: float, feature: bool, alpha: bool, name: str) -> Tensor:
    """``input * noise (+ b)`` with ember ops (``MulBackward0``/``AddBackward0``, as PyTorch)."""
    d = input._data
    if d.dtype.kind in "biu":
        raise _dtype_error(name, d)
    if d.size == 0:
        return input
    if p == 1.0:
        return input * new_tensor(xp_of(input).zeros((), dtype=d.dtype))
    shape = (d.shape[:2] + (1,) * (d.ndim - 2)) if feature else d.shape
    noise = _keep_mask(input, shape, p).astype(d.dtype)
    if not alpha:
        noise *= 1.0 / (1.0 - p)
        return input * new_tensor(noise)
    a = 1.0 / math.sqrt((_SELU_ALPHA_PRIME**2 * p + 1) * (1 - p))
    b = (noise - 1.0) * (_SELU_ALPHA_PRIME * a) + _SELU_ALPHA_PRIME * a * p
    noise *= a
    return input * new_tensor(noise) + new_tensor(b.astype(d.dtype, copy=False))


def _apply(input, p, training, inplace, feature, alpha, name):
    _check_p(p)
    if not training or p == 0.0:
        return input
    if inplace:
        return apply_inplace(
            input, lambda v: _noise_dropout(v, p, feature, alpha, name), name + "_"
        )
    return _noise_dropout(input, p, feature, alpha, name)


def dropout1d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of a ``(N, C, L)`` or ``(C, L)`` input with probability ``p`` and
    scale the rest by ``1 / (1 - p)``.

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(0)
        >>> y = ember.nn.functional.dropout1d(ember.ones(2, 3, 4))
        >>> bool(((y == 0).all(-1) | (y == 2).all(-1)).all())
        True
    """
    _check_p(p)
    ndim = input.dim()
    if ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {ndim}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs)."
        )
    if not training or p == 0.0:
        return input
    return _channelwise(input, p, inplace, batched=ndim == 3)


def _channelwise(input, p, inplace, batched):
    if inplace:
        return apply_inplace(
            input, lambda v: _channelwise(v, p, False, batched), "feature_dropout_"
        )
    if batched:
        return _noise_dropout(input, p, True, False, "feature_dropout")
    return _noise_dropout(input.unsqueeze(0), p, True, False, "feature_dropout").squeeze(0)


def dropout2d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of a ``(N, C, H, W)`` input with probability ``p`` and scale the
    rest by ``1 / (1 - p)``. As in PyTorch, a 3-D input is read as ``(N, C, L)`` (with a
    warning); use ``dropout1d`` for that.

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(0)
        >>> y = ember.nn.functional.dropout2d(ember.ones(2, 3, 2, 2), p=0.5)
        >>> sorted(set(y.flatten().tolist()))
        [0.0, 2.0]
    """
    _check_p(p)
    ndim = input.dim()
    if ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {ndim}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    if not training or p == 0.0:
        return input
    return _channelwise(input, p, inplace, batched=True)


def dropout3d(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False):
    """Zero whole channels of a ``(N, C, D, H, W)`` or ``(C, D, H, W)`` input with probability
    ``p`` and scale the rest by ``1 / (1 - p)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.dropout3d(ember.ones(1, 2, 1, 1, 1), training=False).shape
        ember.Size([1, 2, 1, 1, 1])
    """
    _check_p(p)
    ndim = input.dim()
    if ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {ndim}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    if not training or p == 0.0:
        return input
    return _channelwise(input, p, inplace, batched=ndim == 5)


def alpha_dropout(input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False):
    """Dropout for SELU networks: dropped units take SELU's negative saturation value and
    the result is rescaled so that mean and variance are kept.

    Example:
        >>> import ember
        >>> ember.nn.functional.alpha_dropout(ember.ones(2), 0.5)  # training=False
        tensor([1., 1.])
    """
    return _apply(input, p, training, inplace, False, True, "alpha_dropout")


def feature_alpha_dropout(
    input: Tensor, p: float = 0.5, training: bool = False, inplace: bool = False
):
    """Alpha dropout of whole channels (dimension 1).

    Example:
        >>> import ember
        >>> ember.nn.functional.feature_alpha_dropout(ember.ones(1, 2), 0.5).shape
        ember.Size([1, 2])
    """
    return _apply(input, p, training, inplace, True, True, "feature_alpha_dropout")
