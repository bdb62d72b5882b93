"""``Poisson``: event counts with mean ``rate``."""

from __future__ import annotations

import numbers

import numpy as np

import ember

from .._size import Size
from . import constraints
from ._discrete import from_host, host_array, rng
from .exp_family import ExponentialFamily
from .utils import broadcast_all

__all__ = ["Poisson"]


class Poisson(ExponentialFamily):
    """The Poisson distribution, ``P(k) = rate^k exp(-rate) / k!``.

    Example:
        >>> import ember
        >>> from ember.distributions import Poisson
        >>> d = Poisson(ember.tensor([3.0]))
        >>> d.log_prob(ember.tensor([2.0])), d.variance
        (tensor([-1.4959]), tensor([3.]))
    """

    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch_shape = Size() if isinstance(rate, numbers.Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Poisson, batch_shape, ("rate",), _instance)

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=Size()):
        shape = tuple(self._extended_shape(sample_shape))
        lam = np.broadcast_to(host_array(self.rate), shape)
        return from_host(rng().poisson(lam).astype(np.float64), self.rate)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return value.xlogy(rate) - rate - ember.lgamma(value + 1)

    @property
    def _natural_params(self):
        return (ember.log(self.rate),)

    def _log_normalizer(self, x):
        return ember.exp(x)
