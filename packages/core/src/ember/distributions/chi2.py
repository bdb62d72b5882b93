"""``Chi2``: the chi-squared distribution, ``Gamma(df / 2, 1 / 2)``."""

from __future__ import annotations

from .gamma import Gamma

__all__ = ["Chi2"]


class Chi2(Gamma):
    """The chi-squared distribution with ``df`` degrees of freedom.

    Example:
        >>> import ember
        >>> from ember.distributions import Chi2
        >>> d = Chi2(ember.tensor([4.0]))
        >>> d.mean, d.variance
        (tensor([4.]), tensor([8.]))
    """

    arg_constraints = {"df": Gamma.arg_constraints["concentration"]}

    def __init__(self, df, validate_args=None):
        from .utils import broadcast_all

        (df,) = broadcast_all(df)
        super().__init__(0.5 * df, 0.5, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Chi2, _instance)
        return super().expand(batch_shape, new)

    @property
    def df(self):
        return self.concentration * 2
