"""Array kernels of the orthogonal polynomials of ``ember.special``, elementwise in ``x`` and
the degree ``n`` (broadcast together; ``n`` is truncated to an integer, negative degrees give
0, as PyTorch does). Each runs its three-term recurrence up to the largest degree present;
for Chebyshev polynomials of high degree on ``(-1, 1)`` the trigonometric closed forms are
used instead, with PyTorch's thresholds."""

from __future__ import annotations

import numpy as np


def _prepare(x, n):
    x, n = np.broadcast_arrays(x, n)
    bad = np.isnan(n) | np.isinf(n) if n.dtype.kind == "f" else np.zeros(n.shape, bool)
    deg = np.where(bad, -1, n).astype(np.int64)
    return x.astype(x.dtype, copy=True), deg


def _recurrence(x, deg, first, step, start: int = 2):
    """p_0 = 1, p_1 = first(x), p_k = step(k, p_{k-1}, p_{k-2}) for k = start..deg."""
    prev = np.ones_like(x)
    cur = first(x)
    top = int(deg.max()) if deg.size else 0
    for k in range(start, top + 1):
        nxt = step(k, cur, prev)
        active = k <= deg
        prev = np.where(active, cur, prev)
        cur = np.where(active, nxt, cur)
    return np.where(deg == 0, 1.0, cur).astype(x.dtype, copy=False)


def _chebyshev_t(x, deg):
    out = _recurrence(x, deg, lambda v: v, lambda k, q, p: (x + x) * q - p)
    trig = (deg > 6) & (np.abs(x) < 1)
    if trig.any():
        out[trig] = np.cos(deg[trig] * np.arccos(x[trig]))
    edge = np.abs(x) == 1
    out[edge] = np.where((x[edge] > 0) | (deg[edge] % 2 == 0), 1.0, -1.0)
    return out


def _chebyshev_u(x, deg):
    out = _recurrence(x, deg, lambda v: v + v, lambda k, q, p: (x + x) * q - p)
    trig = (deg > 8) & (np.abs(x) < 1)
    if trig.any():
        theta = np.arccos(x[trig])
        n1 = deg[trig] + 1
        s = np.sin(theta)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[trig] = np.where(s != 0, np.sin(n1 * theta) / s, n1 * np.cos(n1 * theta) / x[trig])
    edge = np.abs(x) == 1
    n1 = deg[edge] + 1
    out[edge] = np.where((x[edge] > 0) | (deg[edge] % 2 == 0), n1, -n1)
    return out


def _chebyshev_v(x, deg):
    out = _recurrence(x, deg, lambda v: v + v - 1, lambda k, q, p: (x + x) * q - p)
    odd_sign = np.where(deg % 2 == 0, 2 * deg + 1, -(2 * deg + 1))
    trig = (deg > 8) & (np.abs(x) < 1)
    if trig.any():
        theta = np.arccos(x[trig])
        value = np.cos((deg[trig] + 0.5) * theta) / np.cos(theta / 2)
        out[trig] = np.where(np.sin(theta / 2) != 1, value, odd_sign[trig])
    edge = np.abs(x) == 1
    out[edge] = np.where(x[edge] > 0, 1.0, odd_sign[edge])
    return out


def _chebyshev_w(x, deg):
    out = _recurrence(x, deg, lambda v: v + v + 1, lambda k, q, p: (x + x) * q - p)
    at_edge = np.where(x > 0, 2 * deg + 1, np.where(deg % 2 == 0, 1.0, -1.0))
    trig = (deg > 8) & (np.abs(x) < 1)
    if trig.any():
        theta = np.arccos(x[trig])
        value = np.sin((deg[trig] + 0.5) * theta) / np.sin(theta / 2)
        out[trig] = np.where(np.cos(theta / 2) != 1, value, at_edge[trig])
    edge = np.abs(x) == 1
    out[edge] = at_edge[edge]
    return out


def _hermite_limit(x) -> int:
    return 128 if x.dtype == np.float32 else 512


def _hermite_h(x, deg):
    out = _recurrence(x, deg, lambda v: v + v, lambda k, q, p: (x + x) * q - (2 * k - 2) * p)
    out[deg > _hermite_limit(x)] = np.nan
    return out


def _hermite_he(x, deg):
    out = _recurrence(x, deg, lambda v: v, lambda k, q, p: x * q - (k - 1) * p)
    out[deg > _hermite_limit(x)] = np.nan
    return out


def _laguerre_l(x, deg):
    out = _recurrence(
        x, deg, lambda v: 1 - v, lambda k, q, p: ((2 * k - 1 - x) * q - (k - 1) * p) / k
    )
    out[x == 0] = 1.0
    return out


def _legendre_p(x, deg):
    out = _recurrence(x, deg, lambda v: v, lambda k, q, p: ((2 * k - 1) * x * q - (k - 1) * p) / k)
    edge = np.abs(x) == 1
    out[edge] = np.where((x[edge] > 0) | (deg[edge] % 2 == 0), 1.0, -1.0)
    return out


def _polynomial(kernel, shifted: bool = False):
    def run(x, n):
        xs, deg = _prepare(x, n)
        if shifted:
            xs = xs + xs - 1
        with np.errstate(all="ignore"):
            out = kernel(xs, deg)
        out[deg < 0] = 0.0
        return out

    return run


chebyshev_t = _polynomial(_chebyshev_t)
chebyshev_u = _polynomial(_chebyshev_u)
chebyshev_v = _polynomial(_chebyshev_v)
chebyshev_w = _polynomial(_chebyshev_w)
shifted_chebyshev_t = _polynomial(_chebyshev_t, shifted=True)
shifted_chebyshev_u = _polynomial(_chebyshev_u, shifted=True)
shifted_chebyshev_v = _polynomial(_chebyshev_v, shifted=True)
shifted_chebyshev_w = _polynomial(_chebyshev_w, shifted=True)
hermite_h = _polynomial(_hermite_h)
hermite_he = _polynomial(_hermite_he)
laguerre_l = _polynomial(_laguerre_l)
legendre_p = _polynomial(_legendre_p)
