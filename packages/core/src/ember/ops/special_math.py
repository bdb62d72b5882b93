"""Special functions: ``erf``, ``erfc``, ``erfinv``, ``lgamma``, ``digamma``, ``polygamma``,
``i0`` and ``xlog1py``, with their gradients.

The core depends on NumPy only. The array kernels use ``scipy.special`` when it can be
imported (looked up once, at first use), ``cupyx.scipy.special`` for CUDA arrays, and
otherwise the NumPy implementations below, accurate to about 1e-13 relative in float64:

* ``erf``/``erfc``: W. J. Cody's rational Chebyshev approximations (Math. Comp. 23, 1969),
  in three intervals, with ``exp(-x*x)`` split as in Cody's CALERF to keep its accuracy;
* ``lgamma``: the Lanczos approximation (g = 7, 9 terms) with reflection for x < 0.5;
* ``digamma``: upward recurrence to x >= 10, then the asymptotic series, with reflection;
* ``polygamma(n)``, n >= 1: ``(-1)**(n+1) n! zeta(n+1, x)``, the Hurwitz zeta function by
  Euler-Maclaurin summation;
* ``erfinv``: a rational first guess (M. Giles, 2010) refined by Halley steps on ``erf``
  (or on ``erfc`` near +-1, where that keeps the relative accuracy);
* ``i1`` (the derivative of ``i0``): power series for |x| <= 30, asymptotic series beyond.

Example:
    >>> import ember
    >>> ember.erf(ember.tensor([0.0, 0.5, 3.0]))
    tensor([0.0000, 0.5205, 1.0000])
    >>> ember.lgamma(ember.tensor([0.5, 4.0]))
    tensor([0.5724, 1.7918])
"""

from __future__ import annotations

import math

from ._core import Node, Tensor, attach, grad_state, method, np
from .arithmetic import _apply, _BinaryNode, _record
from .inplace import inplace_binary
from .pointwise import _float_pair, _maybe_out, _quiet, _tensor_arg, _unary, _UnaryNode, new_tensor

__all__ = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "i0"]

_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

# -- array kernels ------------------------------------------------------------------------------

_scipy = None
_scipy_checked = False


def _scipy_special():
    """``scipy.special``, or None when SciPy is not installed (checked once)."""
    global _scipy, _scipy_checked
    if not _scipy_checked:
        _scipy_checked = True
        try:
            import scipy.special as sp

            _scipy = sp
        except ImportError:
            _scipy = None
    return _scipy


def _kernel(scipy_name: str, fallback):
    """An array function: SciPy's (or CuPy's) ``scipy_name`` when available, else
    ``fallback`` computed in float64; the result keeps the input's dtype."""

    def run(x):
        if x.__class__ is not np.ndarray:
            from cupyx.scipy import special as cusp

            return getattr(cusp, scipy_name)(x).astype(x.dtype, copy=False)
        sp = _scipy_special()
        if sp is not None:
            out = getattr(sp, scipy_name)(x)
        else:
            with np.errstate(all="ignore"):  # (1-d: the fallbacks assign through masks)
                out = fallback(np.atleast_1d(np.asarray(x, dtype=np.float64))).reshape(x.shape)
        return out.astype(x.dtype, copy=False)

    run.__name__ = scipy_name
    return run


# Cody's coefficients: erf on |x| <= 0.46875 (A/B), erfc on (0.46875, 4] (C/D), erfc on (4, inf)
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)  # fmt: skip
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)  # fmt: skip
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)  # fmt: skip
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)  # fmt: skip
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)  # fmt: skip
_Q = (2.56852019228982242e00, 1.87295284992346047e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)  # fmt: skip
_ONE_OVER_SQRT_PI = 5.6418958354775628695e-1


def _erf_small(x):
    """erf(x) for |x| <= 0.46875."""
    t = x * x
    num = _A[4] * t
    den = t
    for i in range(3):
        num = (num + _A[i]) * t
        den = (den + _B[i]) * t
    return x * (num + _A[3]) / (den + _B[3])


def _erfc_large(y):
    """erfc(y) for y > 0.46875."""
    out = np.empty_like(y)
    mid = y <= 4.0
    ym = y[mid]
    num = _C[8] * ym
    den = ym
    for i in range(7):
        num = (num + _C[i]) * ym
        den = (den + _D[i]) * ym
    out[mid] = (num + _C[7]) / (den + _D[7])
    far = ~mid
    yf = y[far]
    t = 1.0 / (yf * yf)
    num = _P[5] * t
    den = t
    for i in range(4):
        num = (num + _P[i]) * t
        den = (den + _Q[i]) * t
    out[far] = (_ONE_OVER_SQRT_PI - t * (num + _P[4]) / (den + _Q[4])) / yf
    # exp(-y*y) as exp(-s*s) * exp(-(y - s)(y + s)) with s = y rounded to 1/16: exact s*s
    s = np.floor(y * 16.0) / 16.0
    out = np.exp(-s * s) * np.exp(-(y - s) * (y + s)) * out
    out[y == np.inf] = 0.0
    return out


def _np_erf(x):
    """erf in float64 with NumPy only (Cody's approximation)."""
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    out = np.empty_like(x)
    small = ax <= 0.46875
    out[small] = _erf_small(x[small])
    big = ~small
    xb = x[big]
    out[big] = np.copysign(1.0 - _erfc_large(np.abs(xb)), xb)
    nan = np.isnan(x)
    out[nan] = np.nan
    return out


def _np_erfc(x):
    """erfc in float64 with NumPy only (Cody's approximation)."""
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    out = np.empty_like(x)
    small = ax <= 0.46875
    out[small] = 1.0 - _erf_small(x[small])
    big = ~small
    xb = x[big]
    tail = _erfc_large(np.abs(xb))
    out[big] = np.where(xb < 0, 2.0 - tail, tail)
    out[np.isnan(x)] = np.nan
    return out


_LANCZOS = (0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
            -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7)  # fmt: skip
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)


def _lgamma_pos(x):
    """log|Gamma(x)| for x >= 0.5 (Lanczos, g = 7)."""
    z = x - 1.0
    acc = np.full_like(z, _LANCZOS[0])
    for i in range(1, 9):
        acc = acc + _LANCZOS[i] / (z + i)
    t = z + 7.5
    return _HALF_LOG_2PI + (z + 0.5) * np.log(t) - t + np.log(acc)


def _np_lgamma(x):
    """log|Gamma(x)| in float64 with NumPy only."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    right = x >= 0.5
    out[right] = _lgamma_pos(x[right])
    left = ~right
    xl = x[left]
    r = xl - np.round(xl)  # sin(pi x) through the reduced argument keeps its accuracy
    out[left] = np.log(math.pi / np.abs(np.sin(math.pi * r))) - _lgamma_pos(1.0 - xl)
    pole = (x <= 0) & (x == np.floor(x))
    out[pole | np.isinf(x)] = np.inf
    out[np.isnan(x)] = np.nan
    return out


# B_2k / 2k for k = 1..7: the asymptotic series of digamma
_DIGAMMA_ASYM = (1 / 12, -1 / 120, 1 / 252, -1 / 240, 1 / 132, -691 / 32760, 1 / 12)


def _digamma_pos(x):
    """digamma(x) for x > 0: recurrence up to x >= 10, then the asymptotic series."""
    x = x.copy()
    acc = np.zeros_like(x)
    for _ in range(10):
        low = x < 10.0
        if not low.any():
            break
        acc[low] -= 1.0 / x[low]
        x[low] += 1.0
    inv2 = 1.0 / (x * x)
    series = np.zeros_like(x)
    for c in reversed(_DIGAMMA_ASYM):
        series = (series + c) * inv2
    return acc + np.log(x) - 0.5 / x - series


def _np_digamma(x):
    """digamma in float64 with NumPy only (PyTorch's values at the poles)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    pos = x > 0
    out[pos] = _digamma_pos(x[pos])
    neg = ~pos
    xn = x[neg]
    r = xn - np.round(xn)
    out[neg] = _digamma_pos(1.0 - xn) - math.pi / np.tan(math.pi * r)
    out[(x < 0) & (x == np.floor(x))] = np.nan
    zero = x == 0
    out[zero] = np.copysign(np.inf, -x[zero])
    out[x == np.inf] = np.inf
    out[np.isnan(x) | (x == -np.inf)] = np.nan
    return out


# B_2j / (2j)! for j = 1..10: the Euler-Maclaurin correction terms of the Hurwitz zeta
_EM = (1 / 12, -1 / 720, 1 / 30240, -1 / 1209600, 1 / 47900160, -691 / 1307674368000,
       1 / 74724249600, -3617 / 10670622842880000, 43867 / 5109094217170944000,
       -174611 / 802857662698291200000)  # fmt: skip


def _np_hurwitz_zeta(s: int, x):
    """zeta(s, x) = sum_k (x + k)**-s for integer s >= 2 (Euler-Maclaurin)."""
    x = np.asarray(x, dtype=np.float64)
    total = np.zeros_like(x)
    w = x.copy()
    threshold = 12.0 + s
    for _ in range(100000):
        low = w < threshold
        if not low.any():
            break
        total[low] += w[low] ** -s
        w[low] += 1.0
    total += w ** (1.0 - s) / (s - 1) + 0.5 * w**-s
    rising = float(s)  # s (s+1) ... (s + 2j - 2)
    power = w ** (-s - 1.0)
    inv2 = 1.0 / (w * w)
    for j, c in enumerate(_EM, start=1):
        total += c * rising * power
        rising *= (s + 2 * j - 1) * (s + 2 * j)
        power = power * inv2
    return total


def _np_polygamma(n: int, x):
    """The n-th derivative of digamma in float64 with NumPy only."""
    x = np.asarray(x, dtype=np.float64)
    if n == 0:
        return _np_digamma(x)
    out = (-1.0) ** (n + 1) * math.factorial(n) * _np_hurwitz_zeta(n + 1, x)
    pole = (x <= 0) & (x == np.floor(x))
    out[pole] = np.inf if n % 2 else -np.inf
    out[np.isnan(x)] = np.nan
    return out


def _erfinv_guess(y):
    """M. Giles' single-precision approximation of erfinv (about 1e-7 relative)."""
    w = -np.log((1.0 - y) * (1.0 + y))
    central = w < 5.0
    wc = w - 2.5
    p = np.full_like(y, 2.81022636e-08)
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):  # fmt: skip
        p = c + p * wc
    wt = np.sqrt(w) - 3.0
    q = np.full_like(y, -0.000200214257)
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):  # fmt: skip
        q = c + q * wt
    return np.where(central, p, q) * y


def _np_erfinv(y):
    """erfinv in float64 with NumPy only: a first guess, then Halley steps on ``erf`` for
    |y| <= 0.5 and Newton steps on ``log(erfc)`` (nearly linear in x*x) nearer to +-1."""
    y = np.asarray(y, dtype=np.float64)
    ay = np.abs(y)
    x = np.abs(_erfinv_guess(ay))
    tail = ay > 0.5
    log_q = np.log(np.where(tail, 1.0 - ay, 1.0))  # 1 - |y| is exact for |y| in [0.5, 1]
    for _ in range(4):
        density = _TWO_OVER_SQRT_PI * np.exp(-x * x)
        u = (_np_erf(x) - ay) / density
        central = x - u / (1.0 + x * u)
        c = _np_erfc(x)
        tail_step = x + (np.log(c) - log_q) * c / density
        x = np.where(tail, tail_step, central)
    x = np.copysign(x, y)
    x[ay == 1.0] = np.copysign(np.inf, y[ay == 1.0])
    x[(ay > 1.0) | np.isnan(y)] = np.nan
    x[y == 0] = y[y == 0]
    return x


def _np_i0(x):
    return np.i0(np.asarray(x, dtype=np.float64))


def _np_i1(x):
    """Modified Bessel function of the first kind, order 1, in float64 with NumPy only."""
    x = np.asarray(x, dtype=np.float64)
    ax = np.abs(x)
    out = np.empty_like(x)
    near = ax <= 30.0
    h = ax[near] * 0.5
    term = h.copy()
    total = h.copy()
    h2 = h * h
    for k in range(1, 120):
        term = term * h2 / (k * (k + 1))
        total = total + term
    out[near] = total
    far = ~near
    xf = ax[far]
    term = np.ones_like(xf)
    total = np.ones_like(xf)
    for k in range(1, 30):  # mu = 4 n^2 = 4
        term = term * -(4.0 - (2 * k - 1) ** 2) / (k * 8.0 * xf)
        total = total + term
    out[far] = np.exp(xf) / np.sqrt(2.0 * math.pi * xf) * total
    out = np.copysign(out, x)
    out[np.isnan(x)] = np.nan
    return out


erf_array = _kernel("erf", _np_erf)
erfc_array = _kernel("erfc", _np_erfc)
erfinv_array = _kernel("erfinv", _np_erfinv)
lgamma_array = _kernel("gammaln", _np_lgamma)
i0_array = _kernel("i0", _np_i0)
i1_array = _kernel("i1", _np_i1)
_digamma_kernel = _kernel("psi", _np_digamma)


def digamma_array(x):
    """digamma with PyTorch's convention at zero: ``-inf`` at +0, ``+inf`` at -0."""
    out = _digamma_kernel(x)
    if x.__class__ is np.ndarray and _scipy is not None:
        zero = x == 0
        if zero.any():
            out[zero] = np.copysign(np.inf, -x[zero])
    return out


def polygamma_array(n: int, x):
    """The n-th derivative of digamma, elementwise on an array."""
    if n == 0:
        return digamma_array(x)
    if x.__class__ is not np.ndarray:
        from cupyx.scipy import special as cusp

        return cusp.polygamma(n, x).astype(x.dtype, copy=False)
    sp = _scipy_special()
    if sp is not None:
        out = sp.polygamma(n, x)
    else:
        with np.errstate(all="ignore"):
            out = _np_polygamma(n, np.atleast_1d(x)).reshape(np.shape(x))
    return np.asarray(out).astype(x.dtype, copy=False)


# -- ops ----------------------------------------------------------------------------------------


class ErfBackward0(_UnaryNode):
    __slots__ = ()

    def formula(self, F, grad, x):
        return grad * (_TWO_OVER_SQRT_PI * F.exp(-(x * x)))


class ErfcBackward0(_UnaryNode):
    __slots__ = ()

    def formula(self, F, grad, x):
        return grad * (-_TWO_OVER_SQRT_PI * F.exp(-(x * x)))


class ErfinvBackward0(_UnaryNode):
    __slots__ = ()

    def formula(self, F, grad, result):
        return grad * (0.5 * math.sqrt(math.pi) * F.exp(result * result))


class LgammaBackward0(_UnaryNode):
    __slots__ = ()

    def formula(self, F, grad, x):
        return grad * F.digamma(x)


class DigammaBackward0(_UnaryNode):
    __slots__ = ()

    def formula(self, F, grad, x):
        return grad * F.polygamma(1, x)


class I0Backward0(_UnaryNode):
    __slots__ = ()

    def formula(self, F, grad, x):
        return grad * F.i1(x)


class SpecialI1Backward0(Node):
    __slots__ = ()

    def formula(self, F, grad, x, result):
        # I1'(x) = I0(x) - I1(x) / x, and 1/2 at x = 0
        safe = F.where(x == 0, 1.0, x)
        return grad * F.where(x == 0, 0.5, F.i0(x) - result / safe)

    def backward(self, F, grad, x, result):
        return self.formula(F, grad, x, result)


_SPEC = (
    # name, kernel, node, saves, summary, example input, example output
    ("erf", erf_array, ErfBackward0, "input", "The error function.",
     "[0.0, 0.5, 3.0]", "tensor([0.0000, 0.5205, 1.0000])"),
    ("erfc", erfc_array, ErfcBackward0, "input", "The complementary error function, "
     "``1 - erf(input)`` without the cancellation.", "[0.0, 3.0]",
     "tensor([1.0000e+00, 2.2090e-05])"),
    ("erfinv", erfinv_array, ErfinvBackward0, "output", "The inverse error function on (-1, 1).",
     "[0.0, 0.5, -1.0]", "tensor([ 0.0000,  0.4769,    -inf])"),
    ("lgamma", lgamma_array, LgammaBackward0, "input", "The natural log of ``|Gamma(input)|``.",
     "[0.5, 4.0]", "tensor([0.5724, 1.7918])"),
    ("digamma", digamma_array, DigammaBackward0, "input",
     "The logarithmic derivative of Gamma, ``psi(input)``; ``-inf`` at 0.",
     "[1.0, 0.5]", "tensor([-0.5772, -1.9635])"),
    ("i0", i0_array, I0Backward0, "input",
     "The modified Bessel function of the first kind, order 0.", "[0.0, 1.0]",
     "tensor([1.0000, 1.2661])"),
)  # fmt: skip

erf, erfc, erfinv, lgamma, digamma, i0 = (
    _unary(name, kern, node, saves, summary, x, y, ints="float", quiet=True)
    for name, kern, node, saves, summary, x, y in _SPEC
)
for _fn in (erf, erfc, erfinv, lgamma, digamma, i0):
    setattr(Tensor, _fn.__name__, _fn)
    setattr(Tensor, _fn.__name__ + "_", inplace_binary(_fn, _fn.__name__ + "_", unary=True))
del _fn


def _i1(input: Tensor) -> Tensor:
    """The modified Bessel function of the first kind, order 1 (differentiable; the
    derivative of ``i0``, used by its backward formula)."""
    d = _tensor_arg(input, "special_i1")._data
    if d.dtype.kind in "biu":
        from .. import _dtype as D

        d = d.astype(D.get_default_dtype().np)
    res = new_tensor(i1_array(d))
    if grad_state.enabled and input._requires_grad:
        from ._core import saved_output

        node = SpecialI1Backward0()
        attach(res, node, input)
        node.save(input, saved_output(res))
    return res


class PolygammaBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, n, x):
        return grad * F.polygamma(n + 1, x)


@method()
def polygamma(n: int, input: Tensor, *, out=None) -> Tensor:
    """The ``n``-th derivative of the digamma function (``polygamma(0, x) = digamma(x)``).

    Args:
        n: the order of the derivative, a non-negative int.
        input: the tensor; integer tensors give the default float dtype.

    Example:
        >>> import ember
        >>> ember.polygamma(1, ember.tensor([1.0, 2.0]))
        tensor([1.6449, 0.6449])
    """
    if isinstance(n, Tensor):  # Tensor.polygamma(self, n) puts the tensor first
        n, input = input, n
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise RuntimeError(f"polygamma(n, x) does not support negative n (got n={n!r})")
    d = _tensor_arg(input, "polygamma")._data
    if d.dtype.kind in "biu":
        from .. import _dtype as D

        d = d.astype(D.get_default_dtype().np)
    res = new_tensor(polygamma_array(int(n), d))
    if grad_state.enabled and input._requires_grad:
        node = PolygammaBackward0()
        attach(res, node, input)
        node.save(int(n), input)
    return _maybe_out(res, out)


def _polygamma_(self: Tensor, n: int) -> Tensor:
    from .inplace import apply_inplace

    return apply_inplace(self, lambda v: polygamma(n, v), "polygamma_")


Tensor.polygamma_ = _polygamma_


# -- xlog1py -----------------------------------------------------------------------------------


class _Xlog1pyNode(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, a, b):
        ga = gb = None
        if self._next[0] is not None:
            ga = F.where((a == 0) & (b <= -1), 0.0, grad * F.log1p(b))
        if self._next[1] is not None:
            gb = grad * a / (b + 1)
        return self.reduce(F, ga, gb)


class SpecialXlog1PyBackward0(_Xlog1pyNode):
    __slots__ = ()


class SpecialXlog1PyBackward1(_Xlog1pyNode):
    __slots__ = ()


class SpecialXlog1PyBackward2(_Xlog1pyNode):
    __slots__ = ()


@_quiet
def _xlog1py_kernel(a, b):
    return np.where((a == 0) & ~np.isnan(b), 0.0, a * np.log1p(b))


def xlog1py(input, other, *, out=None) -> Tensor:
    """``input * log1p(other)``, and 0 where ``input`` is 0 (unless ``other`` is NaN).

    ``ember.special.xlog1py``; either operand may be a Python number.

    Example:
        >>> from ember.ops.special_math import xlog1py
        >>> import ember
        >>> xlog1py(ember.tensor([0.0, 2.0]), ember.tensor([-1.0, 1.0]))
        tensor([0.0000, 1.3863])
    """
    a, b, ad, bd = _float_pair(*_binary_operands(input, other, "xlog1py"))
    arr = _apply(_xlog1py_kernel, ad, bd, "xlog1py", ad, bd)
    if a is None:
        node_cls = SpecialXlog1PyBackward1
    elif b is None:
        node_cls = SpecialXlog1PyBackward2
    else:
        node_cls = SpecialXlog1PyBackward0
    res, node = _record(arr, node_cls, a, b, ad, bd)
    if node is not None:
        node.save(ad if a is None else a, bd if b is None else b)
    return _maybe_out(res, out)


def _binary_operands(a, b, op):
    from ._core import binary_arrays

    return binary_arrays(a, b, op)
