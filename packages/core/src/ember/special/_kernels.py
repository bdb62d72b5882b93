"""Array kernels of ``ember.special``: ``scipy.special`` when it can be imported, else the
NumPy-only implementations in ``_bessel``, ``_numeric`` and ``_polynomials``.

The SciPy lookup is the one of ``ember.ops.special_math`` (done once, at first use). CUDA
arrays are computed on the host and moved back.
"""

from __future__ import annotations

import numpy as np

from ..ops import special_math as _sm
from . import _bessel as B
from . import _numeric as N


def _host(run, *arrays):
    """Run an array kernel on CUDA arrays by way of the host."""
    import cupy

    return cupy.asarray(run(*(a.get() if hasattr(a, "get") else a for a in arrays)))


def _kernel(scipy_fn, fallback, fixup=None):
    """An elementwise kernel: ``scipy_fn(scipy.special, *arrays)`` or ``fallback(*float64)``;
    the result keeps the first operand's (float) dtype; ``fixup(out, *arrays)`` adjusts
    special values on both paths."""

    def run(*arrays):
        if any(a.__class__ is not np.ndarray and hasattr(a, "get") for a in arrays):
            return _host(run, *arrays)
        dtype = arrays[0].dtype
        sp = _sm._scipy_special()
        with np.errstate(all="ignore"):
            if sp is not None:
                out = np.asarray(scipy_fn(sp, *arrays), dtype=np.float64)
            else:
                shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
                args = (np.atleast_1d(np.asarray(a, dtype=np.float64)) for a in arrays)
                out = np.asarray(fallback(*args)).reshape(shape)  # (1-d: masks assign)
            if fixup is not None:
                out = fixup(out, *arrays)
        return out.astype(dtype, copy=False)

    return run


def _airy_fixup(out, x):
    return np.where((x > 200) & np.isfinite(x), 0.0, out)


airy_ai = _kernel(lambda sp, x: sp.airy(x)[0], B.np_airy_ai, _airy_fixup)
bessel_j0 = _kernel(lambda sp, x: sp.j0(x), B.np_bessel_j0)
bessel_j1 = _kernel(lambda sp, x: sp.j1(x), B.np_bessel_j1)
bessel_y0 = _kernel(lambda sp, x: sp.y0(x), B.np_bessel_y0)
bessel_y1 = _kernel(lambda sp, x: sp.y1(x), B.np_bessel_y1)
modified_bessel_i0 = _kernel(lambda sp, x: sp.i0(x), B.np_i0)
modified_bessel_i1 = _kernel(lambda sp, x: sp.i1(x), B.np_i1)
modified_bessel_k0 = _kernel(lambda sp, x: sp.k0(x), B.np_k0)
modified_bessel_k1 = _kernel(lambda sp, x: sp.k1(x), B.np_k1)
scaled_modified_bessel_k0 = _kernel(lambda sp, x: sp.k0e(x), B.np_scaled_k0)
scaled_modified_bessel_k1 = _kernel(lambda sp, x: sp.k1e(x), B.np_scaled_k1)
spherical_bessel_j0 = _kernel(lambda sp, x: sp.spherical_jn(0, x), B.np_spherical_j0)
i0e = _kernel(lambda sp, x: sp.i0e(x), B.np_i0e)
i1e = _kernel(lambda sp, x: sp.i1e(x), B.np_i1e)
entr = _kernel(lambda sp, x: sp.entr(x), N.np_entr)
erfcx = _kernel(lambda sp, x: sp.erfcx(x), N.np_erfcx)
ndtr = _kernel(lambda sp, x: sp.ndtr(x), N.np_ndtr)
log_ndtr = _kernel(lambda sp, x: sp.log_ndtr(x), N.np_log_ndtr)
ndtri = _kernel(lambda sp, x: sp.ndtri(x), N.np_ndtri)
gammainc = _kernel(lambda sp, a, x: sp.gammainc(a, x), N.np_gammainc)
gammaincc = _kernel(lambda sp, a, x: sp.gammaincc(a, x), N.np_gammaincc)
zeta = _kernel(lambda sp, s, q: sp.zeta(s, q), N.np_zeta, lambda out, s, q: np.where(
    np.isinf(q), np.nan, out))  # fmt: skip
