"""The three FFT primitives behind ``ember.fft``, with their gradients.

Every public transform is one of:

- ``c2c``: complex-to-complex, forward (``e^{-2 pi i jk/n}``) or inverse (``e^{+...}``);
- ``r2c``: real-to-complex forward, one-sided along the last transformed dim (``rfftn``);
  with ``conj_out`` it gives ``ihfftn``;
- ``c2r``: complex (one-sided, Hermitian) to real, inverse direction (``irfftn``); with
  ``conj_in`` it gives ``hfftn``.

Each takes a *scaling kind* rather than a ``norm`` name: 0 = none, 1 = ``1/sqrt(n)``,
2 = ``1/n``. The public functions map ``norm`` and the direction to a kind, so that the
adjoint of a transform is the transform in the other direction with the *same* kind.

Note [FFT gradients]
    All transforms are linear, so the gradient is the adjoint applied to the incoming
    gradient (PyTorch's convention for complex autograd: for a real loss ``L`` the
    gradient of a complex ``z`` is ``dL/d(re z) + i dL/d(im z)``, hence ``A^H g``).

    - ``c2c``: the adjoint of a forward transform of kind k is the inverse transform of
      kind k, and vice versa. A real input keeps the real part.
    - ``r2c``: the transform keeps only the first ``n//2 + 1`` outputs along the last dim,
      so the adjoint zero-pads them to ``n``, runs a c2c inverse and keeps the real part.
      That equals ``irfftn`` of the gradient with the interior bins ``1 .. (n+1)//2 - 1``
      halved (``irfftn`` counts each interior bin twice, once for its mirror image).
    - ``c2r``: the output reads each interior bin twice (itself and its conjugate mirror),
      so the gradient is ``rfftn`` of the incoming gradient with the interior bins doubled;
      the imaginary parts of bin 0 (and of bin ``n/2`` for even ``n``) are ignored by the
      transform, and ``rfftn`` of a real gradient gives them zero gradient, as it should.

    Inputs are zero-padded or truncated to the requested sizes (``n``/``s``); the adjoint of
    that is the reverse resize, :func:`pad_zeros` with the opposite pads.

    Backward formulas are written once for both speeds (Note [Two speeds of backward]): on
    raw arrays they call ``xp.fft`` directly; under ``create_graph=True`` they call the
    differentiable primitives below on Tensors, so gradients of gradients work.
"""

from __future__ import annotations

import functools

from .. import _dtype as D
from .._config import get_num_threads
from ..ops._core import Node, Tensor, attach, grad_state, new_tensor, np, xp_of

__all__ = ["c2c", "r2c", "c2r", "pad_zeros", "fwd_kind", "inv_kind"]

_NP_FWD = ("backward", "ortho", "forward")  # NumPy norm giving kind k on a forward transform
_NP_INV = ("forward", "ortho", "backward")  # ... and on an inverse transform
_KINDS = {None: 0, "backward": 0, "ortho": 1, "forward": 2}


def fwd_kind(norm) -> int:
    """The scaling kind of a forward-direction transform called with ``norm``."""
    k = _KINDS.get(norm) if norm.__class__ is str or norm is None else None
    if k is None:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return k


def inv_kind(norm) -> int:
    """The scaling kind of an inverse-direction transform called with ``norm``."""
    return 2 - fwd_kind(norm)


# -- arrays ------------------------------------------------------------------------------------

_scipy_fft = None  # scipy.fft, False when not installed (looked up on the first CPU transform)


class _ScipyFFT:
    """NumPy's ``fft`` namespace served by ``scipy.fft`` with Ember's thread count.

    Note [FFT backend]
        On the CPU the transforms run through SciPy's pocketfft when SciPy is installed: it
        keeps float32 as complex64 like NumPy's, vectorises better and splits batches over
        ``ember.get_num_threads()`` workers (3-5x NumPy's speed on a batch of short frames,
        which is what ``stft`` makes). Without SciPy, NumPy's ``fft`` computes the same values.
    """

    def __init__(self, module):
        self._m = module

    def __getattr__(self, name):
        return functools.partial(getattr(self._m, name), workers=get_num_threads())


def _fft_of(xp):
    """The ``fft`` namespace for arrays of module ``xp`` (see Note [FFT backend])."""
    global _scipy_fft
    if xp is not np:
        return xp.fft
    if _scipy_fft is None:
        try:
            import scipy.fft

            _scipy_fft = _ScipyFFT(scipy.fft)
        except ImportError:
            _scipy_fft = False
    return _scipy_fft or np.fft


def _c2c_array(xp, a, s, dims, kind, forward):
    if not dims:
        return a.astype(np.result_type(a.dtype, np.complex64), copy=True)
    if a.dtype.kind != "c":  # as NumPy does: SciPy's real-input shortcut would give -0j parts
        a = a.astype(np.result_type(a.dtype, np.complex64))
    if len(dims) == 1:  # the 1-D functions skip the N-D argument handling
        n = None if s is None else s[0]
        if forward:
            return _fft_of(xp).fft(a, n, dims[0], norm=_NP_FWD[kind])
        return _fft_of(xp).ifft(a, n, dims[0], norm=_NP_INV[kind])
    if forward:
        return _fft_of(xp).fftn(a, s, dims, norm=_NP_FWD[kind])
    return _fft_of(xp).ifftn(a, s, dims, norm=_NP_INV[kind])


def _r2c_array(xp, a, s, dims, kind, conj_out):
    if len(dims) == 1:
        out = _fft_of(xp).rfft(a, None if s is None else s[0], dims[0], norm=_NP_FWD[kind])
    else:
        out = _fft_of(xp).rfftn(a, s, dims, norm=_NP_FWD[kind])
    return xp.conj(out, out=out) if conj_out else out


def _c2r_array(xp, a, s, dims, kind, conj_in):
    if conj_in:
        a = xp.conj(a)
    if len(dims) == 1:
        return _fft_of(xp).irfft(a, None if s is None else s[0], dims[0], norm=_NP_INV[kind])
    return _fft_of(xp).irfftn(a, s, dims, norm=_NP_INV[kind])


def _pad_array(xp, a, pads):
    """Zero-pad (positive) or crop (negative) ``a``: ``pads`` holds ``(before, after)`` per dim."""
    src = []
    dst = []
    shape = []
    crop_only = True
    for size, (lo, hi) in zip(a.shape, pads, strict=True):
        new = size + lo + hi
        shape.append(new)
        src.append(slice(max(-lo, 0), size - max(-hi, 0)))
        dst.append(slice(max(lo, 0), new - max(hi, 0)))
        crop_only = crop_only and lo <= 0 and hi <= 0
    if crop_only:
        return a[tuple(src)]
    out = xp.zeros(tuple(shape), dtype=a.dtype)
    out[tuple(dst)] = a[tuple(src)]
    return out


# -- the two speeds of the backward formulas -----------------------------------------------------


def _c2c_any(F, g, dims, kind, forward):
    if F.graph:
        return c2c(g, None, dims, kind, forward)
    return _c2c_array(F.xp, g, None, dims, kind, forward)


def _pad_any(F, g, pads):
    if F.graph:
        return pad_zeros(g, pads)
    return _pad_array(F.xp, g, pads)


def _resize_pads(from_shape, to_shape):
    return tuple((0, t - f) for f, t in zip(from_shape, to_shape, strict=True))


def _scale_interior(F, g, dim, n, factor):
    """``g`` with bins ``1 .. (n+1)//2 - 1`` along ``dim`` multiplied by ``factor`` (the bins
    whose mirror image a one-sided spectrum leaves out)."""
    hi = min((n + 1) // 2, g.shape[dim])
    if hi <= 1:
        return g
    lead = (slice(None),) * dim
    if F.graph:
        parts = [g[(*lead, slice(0, 1))], g[(*lead, slice(1, hi))] * factor]
        if hi < g.shape[dim]:
            parts.append(g[(*lead, slice(hi, None))])
        return F.concatenate(parts, axis=dim)
    g[(*lead, slice(1, hi))] *= factor  # g is a fresh array here
    return g


# -- the primitives --------------------------------------------------------------------------


class FftC2CBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, in_shape, dims, kind, forward, real_input):
        g = _c2c_any(F, grad, dims, kind, not forward)
        if real_input:
            g = F.real(g)
        if tuple(g.shape) != in_shape:
            g = _pad_any(F, g, _resize_pads(g.shape, in_shape))
        return g


class FftR2CBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, in_shape, s, dims, kind, conj_out):
        if conj_out:
            g = F.conj(grad)
        else:
            g = grad if F.graph else grad.copy()
        g = _scale_interior(F, g, dims[-1], s[-1], 0.5)
        if F.graph:
            g = c2r(g, s, dims, kind, False)
        else:
            g = _c2r_array(F.xp, g, s, dims, kind, False)
        if tuple(g.shape) != in_shape:
            g = _pad_any(F, g, _resize_pads(g.shape, in_shape))
        return g


class FftC2RBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, in_shape, dims, kind, conj_in, real_input):
        n = grad.shape[dims[-1]]
        if F.graph:
            g = r2c(grad, None, dims, kind, False)
        else:
            g = _r2c_array(F.xp, grad, None, dims, kind, False)
        g = _scale_interior(F, g, dims[-1], n, 2.0)
        if conj_in:
            g = F.conj(g)
        if real_input:
            g = F.real(g)
        if tuple(g.shape) != in_shape:
            g = _pad_any(F, g, _resize_pads(g.shape, in_shape))
        return g


def _as_fft_input(x: Tensor) -> Tensor:
    """Integer and bool inputs become the default float dtype, half floats float32 (as
    PyTorch's CPU FFTs need single or double precision)."""
    kind = x._data.dtype.kind
    if kind in "biu":
        return x.to(D.get_default_dtype())
    if kind == "f" and x._data.dtype.itemsize < 4:
        return x.to(D.float32)
    return x


def c2c(x: Tensor, s, dims, kind: int, forward: bool) -> Tensor:
    """Complex FFT over ``dims`` (``s``: sizes to pad/crop to, or None). Real inputs are
    promoted to complex."""
    x = _as_fft_input(x)
    data = x._data
    out = new_tensor(_c2c_array(xp_of(x), data, s, dims, kind, forward))
    if grad_state.enabled and x._requires_grad:
        node = FftC2CBackward0()
        attach(out, node, x)
        node.save(data.shape, dims, kind, forward, data.dtype.kind != "c")
    return out


def r2c(x: Tensor, s, dims, kind: int, conj_out: bool) -> Tensor:
    """One-sided real FFT over ``dims`` (the last one halved); ``conj_out`` conjugates the
    result (``ihfftn``)."""
    x = _as_fft_input(x)
    data = x._data
    out = new_tensor(_r2c_array(xp_of(x), data, s, dims, kind, conj_out))
    if grad_state.enabled and x._requires_grad:
        node = FftR2CBackward0()
        attach(out, node, x)
        full = tuple(data.shape[d] for d in dims) if s is None else tuple(s)
        node.save(data.shape, full, dims, kind, conj_out)
    return out


def c2r(x: Tensor, s, dims, kind: int, conj_in: bool) -> Tensor:
    """Inverse of a one-sided FFT over ``dims``, real output (``s[-1]`` is the output length
    along the last dim); ``conj_in`` conjugates the input first (``hfftn``)."""
    x = _as_fft_input(x)
    data = x._data
    out = new_tensor(_c2r_array(xp_of(x), data, s, dims, kind, conj_in))
    if grad_state.enabled and x._requires_grad:
        node = FftC2RBackward0()
        attach(out, node, x)
        node.save(data.shape, dims, kind, conj_in, data.dtype.kind != "c")
    return out


class ConstantPadNdBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, pads):
        return _pad_any(F, grad, tuple((-lo, -hi) for lo, hi in pads))


def pad_zeros(x: Tensor, pads) -> Tensor:
    """Zero-pad (positive) or crop (negative) ``x``; ``pads`` holds ``(before, after)`` for
    every dim. Differentiable; its gradient is the opposite resize."""
    pads = tuple(pads)
    out = new_tensor(_pad_array(xp_of(x), x._data, pads))
    if grad_state.enabled and x._requires_grad:
        node = ConstantPadNdBackward0()
        attach(out, node, x)
        node.save(pads)
    return out
