"""``VonMises``: the von Mises (circular normal) distribution."""

from __future__ import annotations

import math

import numpy as np

import ember

from .._size import Size
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["VonMises"]


def _log_i0(k):
    return ember.log(ember.special.i0e(k)) + k


def _proposal_r(kappa: np.ndarray) -> np.ndarray:
    """Best and Fisher's envelope parameter (a series below kappa = 1e-5)."""
    with np.errstate(all="ignore"):
        tau = 1 + np.sqrt(1 + 4 * kappa**2)
        rho = (tau - np.sqrt(2 * tau)) / (2 * kappa)
        r = (1 + rho**2) / (2 * rho)
        return np.where(kappa < 1e-5, 1 / kappa + kappa, r)


class VonMises(Distribution):
    """The von Mises distribution on the circle, density
    ``exp(concentration * cos(x - loc)) / (2 pi I0(concentration))`` on ``[-pi, pi)``.
    Sampled by Best and Fisher's rejection method (not reparameterised).

    Example:
        >>> import ember
        >>> from ember.distributions import VonMises
        >>> d = VonMises(ember.tensor(0.0), ember.tensor(2.0))
        >>> d.log_prob(ember.tensor(0.0)), d.variance
        (tensor(-0.6619), tensor(0.3022))
    """

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args=None):
        self.loc, self.concentration = broadcast_all(loc, concentration)
        super().__init__(self.loc.shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(VonMises, batch_shape, ("loc", "concentration"), _instance)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * ember.cos(value - self.loc)
        return log_prob - math.log(2 * math.pi) - _log_i0(self.concentration)

    def sample(self, sample_shape=Size()):
        from ..random import numpy_generator

        shape = self._extended_shape(sample_shape)
        rng = numpy_generator()
        loc = np.broadcast_to(self.loc.detach().numpy().astype(np.float64), shape)
        kappa = np.broadcast_to(self.concentration.detach().numpy().astype(np.float64), shape)
        r = _proposal_r(kappa)
        x = np.zeros(shape)
        done = np.zeros(shape, dtype=bool)
        while not done.all():
            u1, u2, u3 = rng.random((3, *shape))
            z = np.cos(math.pi * u1)
            f = (1 + r * z) / (r + z)
            c = kappa * (r - f)
            with np.errstate(all="ignore"):
                accept = ((c * (2 - c) - u2) > 0) | (np.log(c / u2) + 1 - c >= 0)
            accept &= ~done
            x = np.where(accept, np.sign(u3 - 0.5) * np.arccos(np.clip(f, -1, 1)), x)
            done |= accept
        out = np.mod(x + math.pi + loc, 2 * math.pi) - math.pi
        return ember.tensor(out, dtype=self.loc.dtype, device=self.loc.device)

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def variance(self):
        k = self.concentration
        return 1 - ember.special.i1e(k) / ember.special.i0e(k)
