"""The public discrete Fourier transforms of ``ember.fft`` (PyTorch's ``torch.fft``).

Each function checks its arguments, works out the transformed dims and their sizes
(PyTorch's rules for ``n``/``s``/``dim``), and calls one of the three primitives of
``ember.fft._transforms``, where forward and backward live.
"""

from __future__ import annotations

from ..ops._core import Tensor, as_tensor_arg, wrap_dim
from ._transforms import c2c, c2r, fwd_kind, inv_kind, r2c

__all__ = [
    "fft",
    "ifft",
    "fft2",
    "ifft2",
    "fftn",
    "ifftn",
    "rfft",
    "irfft",
    "rfft2",
    "irfft2",
    "rfftn",
    "irfftn",
    "hfft",
    "ihfft",
    "hfft2",
    "ihfft2",
    "hfftn",
    "ihfftn",
]


# -- arguments ---------------------------------------------------------------------------------


def _check_points(n) -> int:
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def _resolve(x: Tensor, s, dim, op: str, c2r_last: bool = False):
    """PyTorch's ``s``/``dim`` rules: returns ``(sizes, dims)``, the signal size of each
    transformed dim (inputs are padded or cropped to it) and the dims themselves."""
    shape = x._data.shape
    ndim = len(shape)
    if dim.__class__ is int and (s is None or s.__class__ is int):  # the 1-D transforms
        if ndim == 0:
            raise IndexError(f"{op}: dimension specified as {dim} but tensor has no dimensions")
        d = wrap_dim(dim, ndim)
        if s is None:
            s = 2 * (shape[d] - 1) if c2r_last else shape[d]
        return (_check_points(s),), (d,)
    dims = None
    if dim is not None:
        dims = (dim,) if dim.__class__ is int else tuple(dim)
        if ndim == 0 and dims:
            raise IndexError(f"{op}: dimension specified as {dims[0]} but tensor has no dimensions")
        dims = tuple(wrap_dim(d, ndim) for d in dims)
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"{op}: FFT dims must be unique, got dim={tuple(dim)}")
    if s is not None:
        s = (s,) if s.__class__ is int else tuple(s)
        if dims is not None and len(dims) != len(s):
            raise RuntimeError(
                f"{op}: when given, dim and shape arguments must have the same length "
                f"(got s={s} and dim={dims})"
            )
        if len(s) > ndim:
            raise RuntimeError(
                f"{op}: got shape with {len(s)} values but input tensor only has {ndim} dimensions."
            )
        if dims is None:
            dims = tuple(range(ndim - len(s), ndim))
        sizes = [shape[d] if n == -1 else n for n, d in zip(s, dims, strict=True)]
        last_given = len(s) > 0 and s[-1] != -1
    else:
        if dims is None:
            dims = tuple(range(ndim))
        sizes = [shape[d] for d in dims]
        last_given = False
    if c2r_last and dims and not last_given:
        sizes[-1] = 2 * (shape[dims[-1]] - 1)
    for n in sizes:
        _check_points(n)
    return tuple(sizes), dims


def _real_only(x: Tensor, op: str) -> None:
    if x._data.dtype.kind == "c":
        raise RuntimeError(f"{op} expects a real input tensor, but got {x.dtype}")


def _some_dims(dims, op: str) -> None:
    if not dims:
        raise RuntimeError(f"{op} must transform at least one axis")


def _out(res: Tensor, out):
    if out is None:
        return res
    from ..ops.inplace import write_out

    return write_out(out, res)


def _c2c_op(op, input, s, dim, norm, forward, out):
    x = as_tensor_arg(input, op)
    sizes, dims = _resolve(x, s, dim, op)
    kind = fwd_kind(norm) if forward else inv_kind(norm)
    return _out(c2c(x, sizes, dims, kind, forward), out)


def _r2c_op(op, input, s, dim, norm, hermitian, out):
    x = as_tensor_arg(input, op)
    _real_only(x, op)
    sizes, dims = _resolve(x, s, dim, op)
    _some_dims(dims, op)
    kind = inv_kind(norm) if hermitian else fwd_kind(norm)
    return _out(r2c(x, sizes, dims, kind, hermitian), out)


def _c2r_op(op, input, s, dim, norm, hermitian, out):
    x = as_tensor_arg(input, op)
    sizes, dims = _resolve(x, s, dim, op, c2r_last=True)
    _some_dims(dims, op)
    kind = fwd_kind(norm) if hermitian else inv_kind(norm)
    return _out(c2r(x, sizes, dims, kind, hermitian), out)


# -- complex transforms --------------------------------------------------------------------------


def fft(
    input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None
) -> Tensor:
    """The one-dimensional discrete Fourier transform of ``input`` along ``dim``.

    Real inputs are promoted to complex (float32 gives complex64, float64 complex128).

    Args:
        input: the input tensor.
        n: signal length; the input is zero-padded or trimmed to it (default: its size).
        dim: the dimension to transform.
        norm: ``"backward"`` (default, no scaling), ``"ortho"`` (``1/sqrt(n)``) or
            ``"forward"`` (``1/n``).

    Example:
        >>> import ember
        >>> ember.fft.fft(ember.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j, -2.-2.j])
    """
    return _c2c_op("fft", input, n, dim, norm, True, out)


def ifft(
    input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None
) -> Tensor:
    """The one-dimensional inverse discrete Fourier transform (``norm="backward"`` scales by
    ``1/n``).

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, 2.0, 3.0, 4.0])
        >>> ember.fft.ifft(ember.fft.fft(x))
        tensor([1.+0.j, 2.+0.j, 3.+0.j, 4.+0.j])
    """
    return _c2c_op("ifft", input, n, dim, norm, False, out)


def fft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:
    """The two-dimensional discrete Fourier transform (over the last two dims by default).

    Example:
        >>> import ember
        >>> ember.fft.fft2(ember.tensor([[1.0, 2.0], [3.0, 4.0]]))
        tensor([[10.+0.j, -2.+0.j],
                [-4.+0.j,  0.+0.j]])
    """
    return _c2c_op("fft2", input, s, dim, norm, True, out)


def ifft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:
    """The two-dimensional inverse discrete Fourier transform.

    Example:
        >>> import ember
        >>> ember.fft.ifft2(ember.tensor([[4.0, 0.0], [0.0, 0.0]]))
        tensor([[1.+0.j, 1.+0.j],
                [1.+0.j, 1.+0.j]])
    """
    return _c2c_op("ifft2", input, s, dim, norm, False, out)


def fftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional discrete Fourier transform over ``dim`` (default: all dims, or the
    last ``len(s)`` dims when ``s`` is given; ``-1`` in ``s`` keeps that dim's size).

    Example:
        >>> import ember
        >>> ember.fft.fftn(ember.ones(2, 2))
        tensor([[4.+0.j, 0.+0.j],
                [0.+0.j, 0.+0.j]])
    """
    return _c2c_op("fftn", input, s, dim, norm, True, out)


def ifftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional inverse discrete Fourier transform.

    Example:
        >>> import ember
        >>> ember.fft.ifftn(ember.tensor([[4.0, 0.0], [0.0, 0.0]]))
        tensor([[1.+0.j, 1.+0.j],
                [1.+0.j, 1.+0.j]])
    """
    return _c2c_op("ifftn", input, s, dim, norm, False, out)


# -- real-input transforms ------------------------------------------------------------------------


def rfft(
    input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None
) -> Tensor:
    """The FFT of a real signal: only the ``n // 2 + 1`` non-negative frequencies.

    Example:
        >>> import ember
        >>> ember.fft.rfft(ember.tensor([1.0, 2.0, 3.0, 4.0]))
        tensor([10.+0.j, -2.+2.j, -2.+0.j])
    """
    return _r2c_op("rfft", input, n, dim, norm, False, out)


def irfft(
    input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None
) -> Tensor:
    """The inverse of :func:`rfft`: a real signal of length ``n`` (default
    ``2 * (input.size(dim) - 1)``) from its one-sided spectrum.

    Example:
        >>> import ember
        >>> X = ember.fft.rfft(ember.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
        >>> y = ember.fft.irfft(X, n=5)  # the signal back, up to rounding
        >>> ember.allclose(y, ember.tensor([1.0, 2.0, 3.0, 4.0, 5.0]))
        True
    """
    return _c2r_op("irfft", input, n, dim, norm, False, out)


def rfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:
    """The two-dimensional FFT of a real input; the last dim is one-sided.

    Example:
        >>> import ember
        >>> ember.fft.rfft2(ember.ones(2, 4)).shape
        ember.Size([2, 3])
    """
    return _r2c_op("rfft2", input, s, dim, norm, False, out)


def irfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:
    """The inverse of :func:`rfft2`.

    Example:
        >>> import ember
        >>> x = ember.arange(12.0).reshape(3, 4)
        >>> ember.fft.irfft2(ember.fft.rfft2(x), s=(3, 4))
        tensor([[ 0.,  1.,  2.,  3.],
                [ 4.,  5.,  6.,  7.],
                [ 8.,  9., 10., 11.]])
    """
    return _c2r_op("irfft2", input, s, dim, norm, False, out)


def rfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional FFT of a real input; the last transformed dim is one-sided.

    Example:
        >>> import ember
        >>> ember.fft.rfftn(ember.ones(2, 3, 4)).shape
        ember.Size([2, 3, 3])
    """
    return _r2c_op("rfftn", input, s, dim, norm, False, out)


def irfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The inverse of :func:`rfftn` (the last output size defaults to
    ``2 * (input.size(dim[-1]) - 1)``).

    Example:
        >>> import ember
        >>> ember.fft.irfftn(ember.fft.rfftn(ember.ones(2, 4)))
        tensor([[1., 1., 1., 1.],
                [1., 1., 1., 1.]])
    """
    return _c2r_op("irfftn", input, s, dim, norm, False, out)


# -- Hermitian transforms --------------------------------------------------------------------------


def hfft(
    input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None
) -> Tensor:
    """The FFT of a signal with Hermitian symmetry, given by its first half: a real
    spectrum of length ``n`` (default ``2 * (input.size(dim) - 1)``).

    ``hfft(x, norm=m)`` is ``irfft(x.conj(), norm=m')`` with ``m'`` the opposite
    normalisation.

    Example:
        >>> import ember
        >>> ember.fft.hfft(ember.tensor([1.0, 2.0, 3.0]))
        tensor([ 8., -2.,  0., -2.])
    """
    return _c2r_op("hfft", input, n, dim, norm, True, out)


def ihfft(
    input: Tensor, n: int | None = None, dim: int = -1, norm: str | None = None, *, out=None
) -> Tensor:
    """The inverse of :func:`hfft`: the one-sided inverse FFT of a real signal.

    Example:
        >>> import ember
        >>> ember.fft.ihfft(ember.tensor([8.0, -2.0, 0.0, -2.0]))
        tensor([1.-0.j, 2.-0.j, 3.-0.j])
    """
    return _r2c_op("ihfft", input, n, dim, norm, True, out)


def hfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:
    """The two-dimensional :func:`hfft`: real output, the last dim given one-sided.

    Example:
        >>> import ember
        >>> ember.fft.hfft2(ember.ones(2, 3)).shape
        ember.Size([2, 4])
    """
    return _c2r_op("hfft2", input, s, dim, norm, True, out)


def ihfft2(input: Tensor, s=None, dim=(-2, -1), norm: str | None = None, *, out=None) -> Tensor:
    """The two-dimensional :func:`ihfft`: the inverse of :func:`hfft2`.

    Example:
        >>> import ember
        >>> ember.fft.ihfft2(ember.ones(2, 4)).shape
        ember.Size([2, 3])
    """
    return _r2c_op("ihfft2", input, s, dim, norm, True, out)


def hfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional :func:`hfft`.

    Example:
        >>> import ember
        >>> ember.fft.hfftn(ember.ones(2, 2, 3)).shape
        ember.Size([2, 2, 4])
    """
    return _c2r_op("hfftn", input, s, dim, norm, True, out)


def ihfftn(input: Tensor, s=None, dim=None, norm: str | None = None, *, out=None) -> Tensor:
    """The N-dimensional :func:`ihfft`: the inverse of :func:`hfftn`.

    Example:
        >>> import ember
        >>> ember.fft.ihfftn(ember.ones(2, 2, 4)).shape
        ember.Size([2, 2, 3])
    """
    return _r2c_op("ihfftn", input, s, dim, norm, True, out)
