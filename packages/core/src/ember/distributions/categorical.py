"""``Categorical``: a draw from ``K`` categories with probabilities ``probs``."""

from __future__ import annotations

import numpy as np

import ember

from .._size import Size
from . import constraints
from ._discrete import host_array, probs_or_logits, rng
from .distribution import Distribution
from .utils import lazy_property, logits_to_probs, probs_to_logits

__all__ = ["Categorical"]


class Categorical(Distribution):
    """The categorical distribution over ``{0, ..., K - 1}``; ``probs`` (normalised along the
    last dim) or ``logits`` (unnormalised log-probabilities).

    Example:
        >>> import ember
        >>> from ember.distributions import Categorical
        >>> d = Categorical(probs=ember.tensor([0.2, 0.3, 0.5]))
        >>> d.log_prob(ember.tensor(2)), d.entropy()
        (tensor(-0.6931), tensor(1.0297))
        >>> d.sample((4,)).shape
        ember.Size([4])
    """

    arg_constraints = {
        "probs": constraints.simplex,
        "logits": constraints.independent(constraints.real, 1),
    }
    has_enumerate_support = True

    def __init__(self, probs=None, logits=None, validate_args=None):
        param, batch_shape = probs_or_logits(self, probs, logits, event_dims=1)
        self._num_events = param.size(-1)
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expand_params(Categorical, batch_shape, ("probs", "logits"), _instance)
        new._param = new.__dict__.get("probs", new.__dict__.get("logits"))
        new._num_events = self._num_events
        return new

    @constraints.dependent_property(is_discrete=True, event_dim=0)
    def support(self):
        return constraints.integer_interval(0, self._num_events - 1)

    @lazy_property
    def logits(self):
        return probs_to_logits(self.probs)

    @lazy_property
    def probs(self):
        return logits_to_probs(self.logits)

    @property
    def param_shape(self):
        return self._param.size()

    @property
    def mean(self):
        return ember.full(self._extended_shape(), float("nan"), dtype=self.probs.dtype,
                          device=self.probs.device)  # fmt: skip

    @property
    def mode(self):
        return self.probs.argmax(-1)

    @property
    def variance(self):
        return self.mean

    def sample(self, sample_shape=Size()):
        sample_shape = Size(sample_shape)
        probs = host_array(self.probs)
        cdf = np.cumsum(probs, -1)
        cdf /= cdf[..., -1:]
        u = rng().random(tuple(sample_shape + self._batch_shape) + (1,))
        idx = np.minimum((u > cdf).sum(-1), self._num_events - 1)
        return ember.tensor(idx.astype(np.int64), device=self.probs.device)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        value = value.long().unsqueeze(-1)
        value, log_pmf = ember.broadcast_tensors(value, self.logits)
        value = value[..., :1]
        return log_pmf.gather(-1, value).squeeze(-1)

    def entropy(self):
        min_real = ember.finfo(self.logits.dtype).min
        logits = ember.clamp(self.logits, min=min_real)
        p_log_p = logits * self.probs
        return -p_log_p.sum(-1)

    def enumerate_support(self, expand=True):
        values = ember.arange(self._num_events, dtype=ember.long, device=self._param.device)
        values = values.view((-1,) + (1,) * len(self._batch_shape))
        if expand:
            values = values.expand((-1,) + tuple(self._batch_shape))
        return values
