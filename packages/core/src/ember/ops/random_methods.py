"""Tensor methods that sample: the in-place fills (``normal_``, ``uniform_``, ``exponential_``,
``random_``, ``bernoulli_``, ``cauchy_``, ``log_normal_``, ``geometric_``) and
``bernoulli``/``multinomial``.

This module is imported by ``import ember`` so the methods always exist; each one loads
``ember.random.sampling`` (and NumPy's random module) on its first call.

Example:
    >>> import ember
    >>> x = ember.empty(3).uniform_(2.0, 3.0)
    >>> bool(((x >= 2) & (x < 3)).all())
    True
"""

from __future__ import annotations

import importlib

from .._tensor import Tensor

__all__: list[str] = []

_sampling = None


def _impl():
    global _sampling
    if _sampling is None:
        _sampling = importlib.import_module("ember.random.sampling")
    return _sampling


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill in place with normal samples of the given ``mean`` and ``std``; returns self."""
    return _impl().normal_(self, mean, std, generator=generator)


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    """Fill in place with samples from ``[from, to)``; returns self."""
    return _impl().uniform_(self, from_, to, generator=generator, **kwargs)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill in place with exponential samples of rate ``lambd``; returns self."""
    return _impl().exponential_(self, lambd, generator=generator)


def random_(self, from_=None, to=None, *, generator=None, **kwargs):
    """Fill in place with integers from ``[from, to)`` (see ``ember.random.sampling``)."""
    return _impl().random_(self, from_, to, generator=generator, **kwargs)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill in place with 0/1 values, 1 with probability ``p``; returns self."""
    return _impl().bernoulli_(self, p, generator=generator)


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill in place with Cauchy samples; returns self."""
    return _impl().cauchy_(self, median, sigma, generator=generator)


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill in place with log-normal samples; returns self."""
    return _impl().log_normal_(self, mean, std, generator=generator)


def geometric_(self, p, *, generator=None):
    """Fill in place with geometric samples (trials to first success); returns self."""
    return _impl().geometric_(self, p, generator=generator)


def bernoulli(self, p=None, *, generator=None):
    """See :func:`ember.bernoulli`."""
    return _impl().bernoulli(self, p, generator=generator)


def multinomial(self, num_samples, replacement=False, *, generator=None):
    """See :func:`ember.multinomial`."""
    return _impl().multinomial(self, num_samples, replacement, generator=generator)


for _fn in (normal_, uniform_, exponential_, random_, bernoulli_, cauchy_, log_normal_,
            geometric_, bernoulli, multinomial):  # fmt: skip
    setattr(Tensor, _fn.__name__, _fn)
del _fn
