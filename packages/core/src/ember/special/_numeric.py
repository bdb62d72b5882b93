"""NumPy-only kernels for ``erfcx``, ``ndtr``, ``log_ndtr``, ``ndtri``, ``gammainc``,
``gammaincc``, ``zeta`` and ``entr`` (float64; used when SciPy is not installed):

* ``erfcx``: W. J. Cody's rational approximations of ``erfc`` with the ``exp(-x*x)`` factor
  left out for ``x > 0.46875``;
* ``log_ndtr``: ``log1p(-ndtr(-x))`` for ``x > -1``, ``log(erfcx(-x/sqrt2)/2) - x*x/2`` below;
* ``ndtri``: ``sqrt2 erfinv(2p - 1)`` on ``[1/4, 3/4]``; below, the Abramowitz-Stegun 26.2.23
  first guess, then Newton steps on ``log_ndtr`` (concave, so they converge from any side);
  symmetry above;
* ``gammainc``/``gammaincc``: the power series for ``x < a + 1``, the continued fraction
  (modified Lentz) beyond;
* ``zeta(s, q)``: direct summation up to ``q + k >= 12 + s``, then the Euler-Maclaurin tail
  with ten Bernoulli terms.
"""

from __future__ import annotations

import math

import numpy as np

from ..ops import special_math as _sm

_SQRT_HALF = math.sqrt(0.5)
_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _erfcx_positive(y):
    """exp(y*y) erfc(y) for y >= 0 (Cody's approximations)."""
    out = np.empty_like(y)
    small = y <= 0.46875
    ys = y[small]
    out[small] = np.exp(ys * ys) * (1.0 - _sm._erf_small(ys))
    mid = (y > 0.46875) & (y <= 4.0)
    ym = y[mid]
    num = _sm._C[8] * ym
    den = ym
    for i in range(7):
        num = (num + _sm._C[i]) * ym
        den = (den + _sm._D[i]) * ym
    out[mid] = (num + _sm._C[7]) / (den + _sm._D[7])
    far = y > 4.0
    yf = y[far]
    t = 1.0 / (yf * yf)
    num = _sm._P[5] * t
    den = t
    for i in range(4):
        num = (num + _sm._P[i]) * t
        den = (den + _sm._Q[i]) * t
    out[far] = (_sm._ONE_OVER_SQRT_PI - t * (num + _sm._P[4]) / (den + _sm._Q[4])) / yf
    return out


def np_erfcx(x):
    x = np.asarray(x, dtype=np.float64)
    out = np.full_like(x, np.nan)
    pos = x >= 0
    out[pos] = _erfcx_positive(x[pos])
    neg = x < 0
    xn = x[neg]
    out[neg] = 2.0 * np.exp(xn * xn) - _erfcx_positive(-xn)
    return out


def np_ndtr(x):
    x = np.asarray(x, dtype=np.float64)
    return 0.5 * _sm._np_erfc(-x * _SQRT_HALF)


def np_log_ndtr(x):
    x = np.asarray(x, dtype=np.float64)
    out = np.empty_like(x)
    upper = x > -1.0
    out[upper] = np.log1p(-0.5 * _sm._np_erfc(x[upper] * _SQRT_HALF))
    lower = ~upper
    xl = x[lower]
    out[lower] = np.log(0.5 * np_erfcx(-xl * _SQRT_HALF)) - 0.5 * xl * xl
    out[x == -np.inf] = -np.inf
    out[np.isnan(x)] = np.nan
    return out


def _ndtri_lower(p):
    """ndtri(p) for 0 < p <= 1/2."""
    t = np.sqrt(-2.0 * np.log(p))
    x = -(t - (2.515517 + t * (0.802853 + t * 0.010328))
          / (1.0 + t * (1.432788 + t * (0.189269 + t * 0.001308))))  # fmt: skip
    log_p = np.log(p)
    for _ in range(8):
        log_cdf = np_log_ndtr(x)
        log_pdf = -0.5 * x * x - _LOG_SQRT_2PI
        x = x - (log_cdf - log_p) * np.exp(log_cdf - log_pdf)
    return x


def np_ndtri(p):
    p = np.asarray(p, dtype=np.float64)
    out = np.full_like(p, np.nan)
    lower = (p > 0) & (p < 0.25)
    out[lower] = _ndtri_lower(p[lower])
    central = (p >= 0.25) & (p <= 0.75)  # 2p - 1 is exact there
    out[central] = math.sqrt(2.0) * _sm._np_erfinv(2.0 * p[central] - 1.0)
    upper = (p > 0.75) & (p < 1)
    out[upper] = -_ndtri_lower(1.0 - p[upper])
    out[p == 0] = -np.inf
    out[p == 1] = np.inf
    return out


def _log_prefactor(a, x):
    """log(x**a exp(-x) / Gamma(a))."""
    return a * np.log(x) - x - _sm._np_lgamma(a)


def _gamma_series(a, x):
    """P(a, x) by its power series."""
    term = 1.0 / a
    total = term
    ap = a.copy()
    for _ in range(1000):
        ap = ap + 1.0
        term = term * x / ap
        total = total + term
        if np.all(np.abs(term) <= np.abs(total) * 1e-17):
            break
    return total * np.exp(_log_prefactor(a, x))


def _gamma_continued_fraction(a, x):
    """Q(a, x) by Legendre's continued fraction (modified Lentz)."""
    tiny = 1e-300
    b = x + 1.0 - a
    c = np.full_like(x, 1.0 / tiny)
    d = 1.0 / b
    h = d.copy()
    for i in range(1, 1000):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        delta = d * c
        h = h * delta
        if np.all(np.abs(delta - 1.0) <= 1e-16):
            break
    return np.exp(_log_prefactor(a, x)) * h


def _np_regularised_gamma(a, x, upper: bool):
    a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
    out = np.full(a.shape, np.nan)
    ok = (a > 0) & (x > 0) & np.isfinite(a)
    series = ok & (x < a + 1.0) & np.isfinite(x)
    fraction = ok & (x >= a + 1.0) & np.isfinite(x)
    if series.any():
        p = _gamma_series(a[series], x[series])
        out[series] = 1.0 - p if upper else p
    if fraction.any():
        q = _gamma_continued_fraction(a[fraction], x[fraction])
        out[fraction] = q if upper else 1.0 - q
    out[(a > 0) & (x == 0)] = 1.0 if upper else 0.0
    out[(a > 0) & (x == np.inf)] = 0.0 if upper else 1.0
    out[(a == 0) & (x > 0)] = 0.0 if upper else 1.0
    return out


def np_gammainc(a, x):
    return _np_regularised_gamma(a, x, upper=False)


def np_gammaincc(a, x):
    return _np_regularised_gamma(a, x, upper=True)


def np_zeta(s, q):
    """The Hurwitz zeta function, with the conventions of SciPy's (Cephes') ``zeta``."""
    s, q = np.broadcast_arrays(np.asarray(s, dtype=np.float64), np.asarray(q, dtype=np.float64))
    out = np.full(s.shape, np.nan)
    int_q = q == np.floor(q)
    ok = (s > 1) & np.isfinite(s) & np.isfinite(q) & ((q > 0) | ((s == np.floor(s)) & ~int_q))
    sv, w = s[ok], q[ok].copy()
    total = np.zeros_like(sv)
    threshold = 12.0 + sv
    for _ in range(100000):
        low = w < threshold
        if not low.any():
            break
        total[low] += w[low] ** -sv[low]
        w[low] += 1.0
    total += w ** (1.0 - sv) / (sv - 1.0) + 0.5 * w**-sv
    rising = sv.copy()
    power = w ** (-sv - 1.0)
    inv2 = 1.0 / (w * w)
    for j, c in enumerate(_sm._EM, start=1):
        total += c * rising * power
        rising = rising * (sv + 2 * j - 1) * (sv + 2 * j)
        power = power * inv2
    out[ok] = total
    out[s == 1] = np.inf
    out[(s > 1) & (q <= 0) & int_q] = np.inf
    out[(s == np.inf) & (q == 1)] = 1.0
    return out


def np_entr(x):
    x = np.asarray(x, dtype=np.float64)
    safe = np.where(x > 0, x, 1.0)
    out = np.where(x > 0, -safe * np.log(safe), 0.0)
    out[x < 0] = -np.inf
    out[x == np.inf] = -np.inf
    out[np.isnan(x)] = np.nan
    return out
