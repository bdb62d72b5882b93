"""Sample frequencies (``fftfreq``, ``rfftfreq``) and spectrum re-centring (``fftshift``,
``ifftshift``)."""

from __future__ import annotations

from .. import _dtype as D
from .._creation import _move, _out
from ..ops._core import Tensor, as_tensor_arg, new_tensor, np, wrap_dims
from ..ops.shape import roll

__all__ = ["fftfreq", "rfftfreq", "fftshift", "ifftshift"]


def _frequencies(n, d, onesided, out, dtype, device, requires_grad, op: str) -> Tensor:
    if n < 0:
        raise RuntimeError(f"{op}: expected a non-negative number of samples, got n={n}")
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not (dt.is_floating_point or dt.is_complex):
        raise RuntimeError(f"{op}: expected a floating point or complex dtype, got {dt}")
    if onesided:
        k = np.arange(n // 2 + 1, dtype=np.float64)
    else:
        k = np.arange(n, dtype=np.float64)
        k[(n + 1) // 2 :] -= n
    arr = (k / (n * d) if n else k).astype(dt.np)
    t = new_tensor(_move(arr, device))
    if requires_grad:
        t.requires_grad_(True)
    return _out(t, out)


def fftfreq(
    n: int,
    d: float = 1.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The sample frequencies of a signal of size ``n`` with sample spacing ``d``, in the
    order :func:`ember.fft.fft` returns them: ``[0, 1, ..., (n-1)//2, -(n//2), ..., -1] /
    (d * n)``.

    Example:
        >>> import ember
        >>> ember.fft.fftfreq(5)
        tensor([ 0.0000,  0.2000,  0.4000, -0.4000, -0.2000])
    """
    return _frequencies(n, d, False, out, dtype, device, requires_grad, "fftfreq")


def rfftfreq(
    n: int,
    d: float = 1.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The non-negative sample frequencies of :func:`ember.fft.rfft` for a signal of size
    ``n``: ``[0, 1, ..., n//2] / (d * n)``.

    Example:
        >>> import ember
        >>> ember.fft.rfftfreq(4, d=0.5)
        tensor([0.0000, 0.5000, 1.0000])
    """
    return _frequencies(n, d, True, out, dtype, device, requires_grad, "rfftfreq")


def _shifted(input: Tensor, dim, inverse: bool, op: str) -> Tensor:
    x = as_tensor_arg(input, op)
    shape = x._data.shape
    dims = wrap_dims(dim, len(shape))
    if not dims:  # a 0-d tensor
        return x.clone()
    shifts = tuple(((shape[d] + 1) // 2 if inverse else shape[d] // 2) for d in dims)
    return roll(x, shifts, dims)


def fftshift(input: Tensor, dim=None) -> Tensor:
    """Move the zero-frequency term to the centre of ``dim`` (default: all dims), by rolling
    each dim by ``size // 2``.

    Example:
        >>> import ember
        >>> ember.fft.fftshift(ember.fft.fftfreq(5))
        tensor([-0.4000, -0.2000,  0.0000,  0.2000,  0.4000])
    """
    return _shifted(input, dim, False, "fftshift")


def ifftshift(input: Tensor, dim=None) -> Tensor:
    """The inverse of :func:`fftshift` (rolls each dim by ``-(size // 2)``).

    Example:
        >>> import ember
        >>> ember.fft.ifftshift(ember.fft.fftshift(ember.arange(5)))
        tensor([0, 1, 2, 3, 4])
    """
    return _shifted(input, dim, True, "ifftshift")
