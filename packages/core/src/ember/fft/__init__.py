"""Discrete Fourier transforms, as PyTorch's ``torch.fft``.

All transforms run NumPy's pocketfft (CuPy's cuFFT on the GPU) on the arrays directly, in
forward and backward, and are differentiable (see Note [FFT gradients] in
``ember.fft._transforms``). Real float32 inputs give complex64 results, float64 gives
complex128; integer inputs are first converted to the default float dtype.

``norm`` is ``"backward"`` (default: no scaling on the forward transforms, ``1/n`` on the
inverse ones), ``"ortho"`` (``1/sqrt(n)`` both ways) or ``"forward"`` (``1/n`` on the forward
transforms).

Example:
    >>> import ember
    >>> x = ember.tensor([0.0, 1.0, 0.0, -1.0])
    >>> ember.fft.rfft(x)
    tensor([0.+0.j, 0.-2.j, 0.+0.j])
    >>> ember.fft.rfftfreq(4)
    tensor([0.0000, 0.2500, 0.5000])
"""

from ._freq import fftfreq, fftshift, ifftshift, rfftfreq
from ._functions import (
    fft,
    fft2,
    fftn,
    hfft,
    hfft2,
    hfftn,
    ifft,
    ifft2,
    ifftn,
    ihfft,
    ihfft2,
    ihfftn,
    irfft,
    irfft2,
    irfftn,
    rfft,
    rfft2,
    rfftn,
)

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
    "fftfreq",
    "rfftfreq",
    "fftshift",
    "ifftshift",
]
