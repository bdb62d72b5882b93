"""``Wishart``: the distribution of scatter matrices of Gaussian vectors."""

from __future__ import annotations

import math
import warnings

import ember

from .._size import Size
from . import constraints
from .chi2 import Chi2
from .exp_family import ExponentialFamily
from .multivariate_normal import _precision_to_scale_tril
from .utils import lazy_property

__all__ = ["Wishart"]

_LOG_2 = math.log(2)


def _mvdigamma(x, p: int):
    offsets = ember.arange(p, dtype=x.dtype, device=x.device) * -0.5
    return ember.digamma(x.unsqueeze(-1) + offsets).sum(-1)


class Wishart(ExponentialFamily):
    """The Wishart distribution over ``p x p`` positive-definite matrices with ``df``
    degrees of freedom (``df > p - 1``) and exactly one of ``covariance_matrix``,
    ``precision_matrix`` or ``scale_tril``. ``rsample`` uses Bartlett's decomposition and
    is reparameterised.

    Example:
        >>> import ember
        >>> from ember.distributions import Wishart
        >>> d = Wishart(ember.tensor(4.0), covariance_matrix=ember.eye(2))
        >>> d.mean
        tensor([[4., 0.],
                [0., 4.]])
        >>> d.log_prob(ember.eye(2) * 3)
        tensor(-5.1256)
    """

    arg_constraints = {
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
        "df": constraints.greater_than(0),
    }
    support = constraints.positive_definite
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, df, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):  # fmt: skip
        given = [m for m in (covariance_matrix, precision_matrix, scale_tril) if m is not None]
        if len(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        param = given[0]
        if param.dim() < 2:
            raise ValueError(
                "scale_tril must be at least two-dimensional, with optional leading batch "
                f"dimensions (got shape {tuple(param.shape)})"
            )
        if not isinstance(df, ember.Tensor):
            df = ember.tensor(float(df), dtype=param.dtype, device=param.device)
        batch_shape = ember.broadcast_shapes(param.shape[:-2], df.shape)
        event_shape = param.shape[-2:]
        self.df = df.expand(batch_shape)
        full = tuple(batch_shape) + tuple(event_shape)
        if scale_tril is not None:
            self.scale_tril = param.expand(full)
        elif covariance_matrix is not None:
            self.covariance_matrix = param.expand(full)
        else:
            self.precision_matrix = param.expand(full)
        p = event_shape[-1]
        if (validate_args if validate_args is not None else self._validate_args) and not bool(
            (self.df > p - 1).all()
        ):
            raise ValueError(
                f"Value of df={self.df} expected to be greater than ndim - 1 = {p - 1} for a "
                f"Wishart distribution over {p} x {p} matrices."
            )
        super().__init__(batch_shape, event_shape, validate_args=validate_args)
        if scale_tril is not None:
            self._unbroadcasted_scale_tril = scale_tril
        elif covariance_matrix is not None:
            self._unbroadcasted_scale_tril = ember.linalg.cholesky(covariance_matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(precision_matrix)
        offsets = ember.arange(p, dtype=self.df.dtype, device=self.df.device)
        self._dist_chi2 = Chi2(df=self.df.unsqueeze(-1) - offsets)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Wishart, _instance)
        batch_shape = Size(batch_shape)
        cov_shape = batch_shape + self.event_shape
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        new.df = self.df.expand(batch_shape)
        for name in ("covariance_matrix", "scale_tril", "precision_matrix"):
            if name in self.__dict__:
                new.__dict__[name] = self.__dict__[name].expand(cov_shape)
        new._dist_chi2 = Chi2(df=new.df.unsqueeze(-1) - ember.arange(
            self.event_shape[-1], dtype=new.df.dtype, device=new.df.device))  # fmt: skip
        super(Wishart, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @lazy_property
    def scale_tril(self):
        return self._unbroadcasted_scale_tril.expand(self._batch_shape + self._event_shape)

    @lazy_property
    def covariance_matrix(self):
        L = self._unbroadcasted_scale_tril
        return ember.matmul(L, L.mT).expand(self._batch_shape + self._event_shape)

    @lazy_property
    def precision_matrix(self):
        L = self._unbroadcasted_scale_tril
        eye = ember.eye(L.shape[-1], dtype=L.dtype, device=L.device)
        l_inv = ember.linalg.solve_triangular(L, eye, upper=False)
        return ember.matmul(l_inv.mT, l_inv).expand(self._batch_shape + self._event_shape)

    @property
    def mean(self):
        return self.df.reshape(tuple(self._batch_shape) + (1, 1)) * self.covariance_matrix

    @property
    def mode(self):
        factor = self.df - self.covariance_matrix.shape[-1] - 1
        factor = ember.where(factor > 0, factor, float("nan"))
        return factor.reshape(tuple(self._batch_shape) + (1, 1)) * self.covariance_matrix

    @property
    def variance(self):
        V = self.covariance_matrix
        diag_V = V.diagonal(dim1=-2, dim2=-1)
        df = self.df.reshape(tuple(self._batch_shape) + (1, 1))
        return df * (V.pow(2) + ember.einsum("...i,...j->...ij", diag_V, diag_V))

    def _bartlett_sampling(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        eps = ember.finfo(self.df.dtype).eps
        diagonal = self._dist_chi2.rsample(sample_shape).sqrt().clamp(min=eps)
        lower = ember.randn(shape, dtype=self.df.dtype, device=self.df.device).tril(-1)
        noise = lower + ember.diag_embed(diagonal)
        chol = ember.matmul(self._unbroadcasted_scale_tril, noise)
        return ember.matmul(chol, chol.mT)

    def rsample(self, sample_shape=Size(), max_try_correction=None):
        """A reparameterised sample; numerically singular draws are redrawn up to
        ``max_try_correction`` times (3 by default)."""
        tries = 3 if max_try_correction is None else max_try_correction
        sample = self._bartlett_sampling(sample_shape)
        for _ in range(tries):
            if bool(self.support.check(sample.detach()).all()):
                return sample
            sample = self._bartlett_sampling(sample_shape)
        if not bool(self.support.check(sample.detach()).all()):
            warnings.warn(
                f"Singular sample detected after {tries} redraws in Wishart.rsample",
                stacklevel=2,
            )
        return sample

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        nu = self.df
        p = self._event_shape[-1]
        L = self._unbroadcasted_scale_tril
        batch = ember.broadcast_shapes(L.shape[:-2], value.shape[:-2])
        Lb = L.expand(tuple(batch) + (p, p))
        m = ember.linalg.solve_triangular(Lb, value.expand(tuple(batch) + (p, p)), upper=False)
        n = ember.linalg.solve_triangular(Lb, m.mT, upper=False)
        trace = n.diagonal(dim1=-2, dim2=-1).sum(-1)
        return (
            -nu * (p * _LOG_2 / 2 + L.diagonal(dim1=-2, dim2=-1).log().sum(-1))
            - ember.special.multigammaln(nu / 2, p)
            + (nu - p - 1) / 2 * ember.logdet(value)
            - trace / 2
        )

    def entropy(self):
        nu = self.df
        p = self._event_shape[-1]
        L = self._unbroadcasted_scale_tril
        return (
            (p + 1) * (p * _LOG_2 / 2 + L.diagonal(dim1=-2, dim2=-1).log().sum(-1))
            + ember.special.multigammaln(nu / 2, p)
            - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p)
            + nu * p / 2
        )
