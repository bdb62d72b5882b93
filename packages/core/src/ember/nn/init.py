"""``ember.nn.init``: parameter initialisation with PyTorch's schemes and defaults.

Every function fills its tensor in place under ``no_grad`` and returns it. Random schemes take
``generator=`` and otherwise draw from the default generator, so ``ember.manual_seed``
reproduces them.

Example:
    >>> import ember
    >>> from ember import nn
    >>> w = nn.init.eye_(ember.empty(2, 3))
    >>> w
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    >>> round(nn.init.calculate_gain("relu"), 4)
    1.4142
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.grad_mode import no_grad

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "trunc_normal_",
    "constant_",
    "ones_",
    "zeros_",
    "eye_",
    "dirac_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
    "orthogonal_",
    "sparse_",
    "uniform",
    "normal",
    "constant",
    "eye",
    "dirac",
    "xavier_uniform",
    "xavier_normal",
    "kaiming_uniform",
    "kaiming_normal",
    "orthogonal",
    "sparse",
]

_LINEAR_FNS = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def _rng(generator):
    from ..random import numpy_generator

    return numpy_generator(generator)


def _assign(tensor: Tensor, arr: np.ndarray) -> Tensor:
    """Write a NumPy array (of ``tensor``'s shape) into ``tensor`` without recording a graph."""
    data = tensor._data
    arr = np.asarray(arr).astype(data.dtype, copy=False)
    if data.__class__ is not np.ndarray:
        from .._creation import _place

        arr = _place(arr, tensor.device)
    with no_grad():
        tensor.copy_(_make(arr, False, None))
    return tensor


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity (its ``nn.functional`` name).

    Linear/conv/sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu: sqrt(2 / (1 + slope**2))
    with ``param`` the negative slope (default 0.01); selu: 3/4.

    Example:
        >>> from ember import nn
        >>> nn.init.calculate_gain("tanh")
        1.6666666666666667
        >>> round(nn.init.calculate_gain("leaky_relu", 0.2), 4)
        1.3868
    """
    if nonlinearity in _LINEAR_FNS:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif (not isinstance(param, bool) and isinstance(param, int)) or isinstance(param, float):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """Fill ``tensor`` with samples from the uniform distribution U(a, b).

    Example:
        >>> import ember
        >>> w = ember.nn.init.uniform_(ember.empty(3, 5), -1.0, 1.0)
        >>> bool(((w >= -1) & (w < 1)).all())
        True
    """
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """Fill ``tensor`` with samples from the normal distribution N(mean, std**2).

    Example:
        >>> import ember
        >>> ember.nn.init.normal_(ember.empty(3, 5)).shape
        ember.Size([3, 5])
    """
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator=None,
) -> Tensor:
    """Fill ``tensor`` with samples from N(mean, std**2) truncated to ``[a, b]``.

    Sampled exactly by inverting the normal CDF on the truncated interval (in float64).

    Example:
        >>> import ember
        >>> w = ember.nn.init.trunc_normal_(ember.empty(100), std=2.0, a=-1.0, b=1.0)
        >>> bool(((w >= -1) & (w <= 1)).all())
        True
    """
    from ..ops.special_math import erfinv_array

    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn(
            "mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
            "The distribution of values may be incorrect.",
            stacklevel=2,
        )
    sqrt2 = math.sqrt(2.0)
    lo = (1.0 + math.erf((a - mean) / (std * sqrt2))) / 2.0
    hi = (1.0 + math.erf((b - mean) / (std * sqrt2))) / 2.0
    u = _rng(generator).uniform(2 * lo - 1, 2 * hi - 1, tuple(tensor.shape))
    u = np.clip(u, -1 + 1e-16, 1 - 1e-16)
    values = np.clip(erfinv_array(u) * (std * sqrt2) + mean, a, b)
    return _assign(tensor, values)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with ``val``.

    Example:
        >>> import ember
        >>> ember.nn.init.constant_(ember.empty(2), 0.5)
        tensor([0.5000, 0.5000])
    """
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with ones.

    Example:
        >>> import ember
        >>> ember.nn.init.ones_(ember.empty(2))
        tensor([1., 1.])
    """
    with no_grad():
        return tensor.fill_(1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with zeros.

    Example:
        >>> import ember
        >>> ember.nn.init.zeros_(ember.empty(2))
        tensor([0., 0.])
    """
    with no_grad():
        return tensor.zero_()


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-D ``tensor`` with the identity matrix (as many ones as fit).

    Example:
        >>> import ember
        >>> ember.nn.init.eye_(ember.empty(2, 2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _assign(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3/4/5-D convolution weight with the Dirac delta, so that the convolution keeps
    as many input channels as possible (within each of ``groups`` groups).

    Example:
        >>> import ember
        >>> w = ember.nn.init.dirac_(ember.empty(2, 2, 3))
        >>> w[:, :, 1]
        tensor([[1., 0.],
                [0., 1.]])
    """
    dims = tensor.ndim
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    sizes = tuple(tensor.shape)
    if sizes[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = sizes[0] // groups
    min_dim = min(per_group, sizes[1])
    out = np.zeros(sizes)
    centre = tuple(s // 2 for s in sizes[2:])
    d = np.arange(min_dim)
    for g in range(groups):
        out[(g * per_group + d, d, *centre)] = 1
    return _assign(tensor, out)


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    shape = tuple(tensor.shape)
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Example:
        >>> import ember
        >>> w = ember.nn.init.xavier_uniform_(ember.empty(3, 5))
        >>> bool((w.abs() <= (6 / 8) ** 0.5).all())
        True
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    a = math.sqrt(3.0) * std
    return uniform_(tensor, -a, a, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """Glorot normal: N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Example:
        >>> import ember
        >>> ember.nn.init.xavier_normal_(ember.empty(3, 5)).shape
        ember.Size([3, 5])
    """
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator)


def kaiming_uniform_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """He uniform: U(-bound, bound) with ``bound = gain * sqrt(3 / fan_mode)``.

    Args:
        a: negative slope of the rectifier after this layer (used with ``'leaky_relu'``).
        mode: ``'fan_in'`` (default) or ``'fan_out'``.
        nonlinearity: the nonlinearity's ``nn.functional`` name (default ``'leaky_relu'``).

    Example:
        >>> import ember
        >>> w = ember.nn.init.kaiming_uniform_(ember.empty(4, 6), nonlinearity="relu")
        >>> bool((w.abs() <= 1.0).all())
        True
    """
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    bound = math.sqrt(3.0) * gain / math.sqrt(fan)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(
    tensor: Tensor,
    a: float = 0,
    mode: str = "fan_in",
    nonlinearity: str = "leaky_relu",
    generator=None,
) -> Tensor:
    """He normal: N(0, std**2) with ``std = gain / sqrt(fan_mode)``.

    Example:
        >>> import ember
        >>> ember.nn.init.kaiming_normal_(ember.empty(4, 6), mode="fan_out").shape
        ember.Size([4, 6])
    """
    if 0 in tuple(tensor.shape):
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=2)
        return tensor
    fan = _calculate_correct_fan(tensor, mode)
    gain = calculate_gain(nonlinearity, a)
    return normal_(tensor, 0, gain / math.sqrt(fan), generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """Fill ``tensor`` (2 or more dims; trailing dims flattened) with a (semi-)orthogonal
    matrix scaled by ``gain``.

    Example:
        >>> import ember
        >>> w = ember.nn.init.orthogonal_(ember.empty(3, 5))
        >>> bool(ember.allclose(w @ w.t(), ember.eye(3), atol=1e-5))
        True
    """
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flat = _rng(generator).standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T
    q, r = np.linalg.qr(flat)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    return _assign(tensor, (q * gain).reshape(tuple(tensor.shape)))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """Fill a 2-D ``tensor`` with N(0, std**2) values and zero ``ceil(sparsity * rows)``
    randomly chosen entries in each column.

    Example:
        >>> import ember
        >>> w = ember.nn.init.sparse_(ember.empty(4, 3), sparsity=0.5)
        >>> (w == 0).sum(0).tolist()
        [2, 2, 2]
    """
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    rows, cols = tuple(tensor.shape)
    num_zeros = math.ceil(sparsity * rows)
    rng = _rng(generator)
    values = rng.standard_normal((rows, cols)) * std
    for col in range(cols):
        values[rng.permutation(rows)[:num_zeros], col] = 0
    return _assign(tensor, values)


def _make_deprecate(meth):
    new_name = meth.__name__
    old_name = new_name[:-1]

    def deprecated_init(*args, **kwargs):
        warnings.warn(
            f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.",
            FutureWarning,
            stacklevel=2,
        )
        return meth(*args, **kwargs)

    deprecated_init.__doc__ = f"Deprecated alias of :func:`ember.nn.init.{new_name}`."
    deprecated_init.__name__ = old_name
    return deprecated_init


uniform = _make_deprecate(uniform_)
normal = _make_deprecate(normal_)
constant = _make_deprecate(constant_)
eye = _make_deprecate(eye_)
dirac = _make_deprecate(dirac_)
xavier_uniform = _make_deprecate(xavier_uniform_)
xavier_normal = _make_deprecate(xavier_normal_)
kaiming_uniform = _make_deprecate(kaiming_uniform_)
kaiming_normal = _make_deprecate(kaiming_normal_)
orthogonal = _make_deprecate(orthogonal_)
sparse = _make_deprecate(sparse_)
