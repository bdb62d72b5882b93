"""``ExponentialFamily``: the base class of distributions in an exponential family."""

from __future__ import annotations

from .distribution import Distribution

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Distributions whose density is ``exp(<t(x), theta> - F(theta) + k(x))``. The families
    deriving from it (Normal, Bernoulli, Gamma, ...) give their entropies in closed form;
    ``_natural_params`` and ``_log_normalizer`` expose ``theta`` and ``F``.
    """

    @property
    def _natural_params(self):
        raise RuntimeError(f"{type(self).__name__} does not define _natural_params")

    def _log_normalizer(self, *natural_params):
        raise RuntimeError(f"{type(self).__name__} does not define _log_normalizer")

    @property
    def _mean_carrier_measure(self):
        raise RuntimeError(f"{type(self).__name__} does not define _mean_carrier_measure")
