"""``ember.special``: special functions, named and behaving as ``torch.special``'s.

The kernels use ``scipy.special`` when SciPy is installed and NumPy-only implementations
otherwise (the core needs NumPy alone); both agree to about 1e-12 relative in float64 (see
``ember.special._bessel`` and ``ember.special._numeric`` for the methods). Functions that
PyTorch differentiates have gradients (and second derivatives); the Bessel, Airy and
orthogonal-polynomial functions, which PyTorch does not differentiate, return results that do
not require grad.

Example:
    >>> import ember
    >>> ember.special.ndtr(ember.tensor([0.0]))
    tensor([0.5000])
    >>> ember.special.bessel_j0(ember.tensor([0.0, 1.0]))
    tensor([1.0000, 0.7652])
"""

from __future__ import annotations

from .._tensor import Tensor
from ..ops.pointwise import exp2, expm1, log1p, logit, round, sinc, xlogy
from ..ops.pointwise import sigmoid as _sigmoid
from ..ops.reduction import logsumexp
from ..ops.special_math import digamma, erf, erfc, erfinv, i0, polygamma, xlog1py
from ..ops.special_math import lgamma as _lgamma
from ._functions import (
    airy_ai,
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    entr,
    erfcx,
    gammainc,
    gammaincc,
    hermite_polynomial_h,
    hermite_polynomial_he,
    i0e,
    i1,
    i1e,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    log_ndtr,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    multigammaln,
    ndtr,
    ndtri,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
    spherical_bessel_j0,
    zeta,
)

__all__ = [
    "airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
    "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma",
    "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc",
    "gammaln", "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e", "i1", "i1e",
    "laguerre_polynomial_l", "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax",
    "logit", "logsumexp", "modified_bessel_i0", "modified_bessel_i1", "modified_bessel_k0",
    "modified_bessel_k1", "multigammaln", "ndtr", "ndtri", "polygamma", "psi", "round",
    "scaled_modified_bessel_k0", "scaled_modified_bessel_k1", "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w", "sinc", "softmax", "spherical_bessel_j0", "xlog1py",
    "xlogy", "zeta",
]  # fmt: skip


def expit(input: Tensor, *, out=None) -> Tensor:
    """The logistic sigmoid ``1 / (1 + exp(-input))``.

    Example:
        >>> import ember
        >>> ember.special.expit(ember.tensor([0.0, 2.0]))
        tensor([0.5000, 0.8808])
    """
    return _sigmoid(input, out=out)


def gammaln(input: Tensor, *, out=None) -> Tensor:
    """The natural log of ``|Gamma(input)|`` (``ember.lgamma``).

    Example:
        >>> import ember
        >>> ember.special.gammaln(ember.tensor([0.5, 4.0]))
        tensor([0.5724, 1.7918])
    """
    return _lgamma(input, out=out)


def psi(input: Tensor, *, out=None) -> Tensor:
    """The digamma function (an alias of ``ember.special.digamma``).

    Example:
        >>> import ember
        >>> ember.special.psi(ember.tensor([1.0]))
        tensor([-0.5772])
    """
    return digamma(input, out=out)


def softmax(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Softmax along ``dim``; ``dtype`` casts the input first.

    Example:
        >>> import ember
        >>> ember.special.softmax(ember.tensor([1.0, 1.0]), 0)
        tensor([0.5000, 0.5000])
    """
    from ..nn import functional

    return functional.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """Log of the softmax along ``dim``, computed stably; ``dtype`` casts the input first.

    Example:
        >>> import ember
        >>> ember.special.log_softmax(ember.tensor([1.0, 1.0]), 0)
        tensor([-0.6931, -0.6931])
    """
    from ..nn import functional

    return functional.log_softmax(input, dim, dtype=dtype)
