"""GaussianBlur (torchvision.transforms.v2's)."""

from __future__ import annotations

import numbers

from . import functional as F
from ._transform import Transform, attribute_repr, uniform

__all__ = ["GaussianBlur"]


class GaussianBlur(Transform):
    """Blur images with a Gaussian kernel whose standard deviation is drawn uniformly from
    ``sigma`` on each call.

    Args:
        kernel_size (int or sequence of 2 ints): kernel size ``[width, height]``, odd and
            positive.
        sigma (float or (min, max)): range of the standard deviation. Default: (0.1, 2.0).

    Example:
        >>> import ember
        >>> from ember_vision import transforms as T
        >>> T.GaussianBlur(3)
        GaussianBlur(kernel_size=(3, 3), sigma=[0.1, 2.0])
        >>> T.GaussianBlur(3)(ember.rand(3, 8, 8)).shape
        ember.Size([3, 8, 8])
    """

    def __init__(self, kernel_size, sigma=(0.1, 2.0)):
        super().__init__()
        if isinstance(kernel_size, numbers.Number):
            kernel_size = (kernel_size, kernel_size)
        elif isinstance(kernel_size, (list, tuple)) and len(kernel_size) == 1:
            kernel_size = (kernel_size[0], kernel_size[0])
        if not isinstance(kernel_size, (list, tuple)) or len(kernel_size) != 2:
            raise ValueError(
                f"GaussianBlur: kernel size should be an int or a tuple/list of two integers, "
                f"got {kernel_size!r}"
            )
        for ks in kernel_size:
            if not isinstance(ks, int) or ks <= 0 or ks % 2 == 0:
                raise ValueError(
                    f"GaussianBlur: kernel size value should be an odd and positive number, "
                    f"got {kernel_size}"
                )
        self.kernel_size = kernel_size
        if isinstance(sigma, numbers.Number) and not isinstance(sigma, bool):
            if sigma <= 0:
                raise ValueError(
                    f"GaussianBlur: if sigma is a single number, it must be positive, got {sigma}"
                )
            sigma = [float(sigma), float(sigma)]
        elif isinstance(sigma, (list, tuple)) and len(sigma) in (1, 2):
            sigma = [float(sigma[0]), float(sigma[-1])]
        else:
            raise TypeError(
                f"GaussianBlur: sigma should be a number or a sequence of one or two numbers, "
                f"got {sigma!r}"
            )
        if not 0.0 < sigma[0] <= sigma[1]:
            raise ValueError(
                f"GaussianBlur: sigma values should be positive and of the form (min, max), "
                f"got {sigma}"
            )
        self.sigma = sigma

    def make_params(self, flat_inputs):
        s = uniform(self.sigma[0], self.sigma[1])
        return {"sigma": [s, s]}

    def transform(self, inpt, params):
        return F.gaussian_blur(inpt, self.kernel_size, params["sigma"])

    def extra_repr(self) -> str:
        return attribute_repr(self)
