"""``SyncBatchNorm``: batch normalization with statistics over the whole distributed batch.

Note [Synchronised batch statistics]
    In training, each rank computes its local count ``n_r``, per-channel mean ``m_r`` and sum
    of squared deviations ``M2_r``; one all-gather brings every rank's triple, and they are
    merged in float64 (``M2 = sum(M2_r) + sum(n_r * (m_r - mean)^2)``), which is exact up to
    rounding and does not suffer from the cancellation of a sum-of-squares formula. The
    output is ``(x - mean) / sqrt(var + eps) * weight + bias`` with the biased global
    variance; the running variance uses the unbiased one, with the global count.

    Backward needs two global per-channel sums, ``sum(dy)`` and ``sum(dy * x_hat)``, which
    one all-reduce provides; the input gradient is then
    ``weight * invstd * (dy - sum(dy) / M - x_hat * sum(dy * x_hat) / M)``, the gradient of
    the sum of every rank's loss. The weight and bias gradients are the local sums, as in
    PyTorch: ``DistributedDataParallel`` averages them with the other parameters'.
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor, _make
from ...autograd import Function
from ...backends import array_module_of
from ...ops.inplace import bump_version
from .module import Module
from .normalization import _BatchNorm

__all__ = ["SyncBatchNorm"]


def _channel_view(arr, ndim: int):
    """A ``(C,)`` array shaped to broadcast against ``(N, C, *)``."""
    return arr.reshape((1, -1) + (1,) * (ndim - 2))


class _SyncBatchNormFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias, running_mean, running_var, eps, momentum, impl):
        x = input._data
        xp = array_module_of(x)
        c = x.shape[1]
        axes = (0,) + tuple(range(2, x.ndim))
        n = x.size // c
        x64 = x.astype(np.float64)
        local_mean = x64.mean(axis=axes) if n else xp.zeros(c)
        local_m2 = ((x64 - _channel_view(local_mean, x.ndim)) ** 2).sum(axis=axes)
        mine = xp.concatenate([xp.asarray([float(n)]), local_mean, local_m2])
        rows = xp.empty((impl.size, 2 * c + 1), dtype=np.float64)
        impl.all_gather(rows, mine).wait()
        counts, means, m2s = rows[:, 0], rows[:, 1 : c + 1], rows[:, c + 1 :]
        total = float(counts.sum())
        if total <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{list(input.shape)} on this rank and {int(total)} values per channel in total"
            )
        mean = (counts[:, None] * means).sum(axis=0) / total
        m2 = m2s.sum(axis=0) + (counts[:, None] * (means - mean) ** 2).sum(axis=0)
        var = m2 / total
        invstd = 1.0 / xp.sqrt(var + eps)
        x_hat = ((x64 - _channel_view(mean, x.ndim)) * _channel_view(invstd, x.ndim)).astype(
            x.dtype
        )
        out = x_hat
        w = weight._data if weight is not None else None
        if w is not None:
            out = out * _channel_view(w, x.ndim)
        if bias is not None:
            out = out + _channel_view(bias._data, x.ndim)
        if running_mean is not None:
            rm = running_mean._data
            rm[...] = (1 - momentum) * rm + momentum * mean.astype(rm.dtype)
            bump_version(running_mean)
        if running_var is not None:
            rv = running_var._data
            rv[...] = (1 - momentum) * rv + momentum * (m2 / (total - 1)).astype(rv.dtype)
            bump_version(running_var)
        ctx.x_hat = x_hat
        ctx.invstd = invstd.astype(x.dtype)
        ctx.weight = w
        ctx.total = total
        ctx.impl = impl
        return _make(out.astype(x.dtype, copy=False), False, None)

    @staticmethod
    def backward(ctx, grad_output):
        from ...distributed._reduce_op import RedOpType

        g = grad_output._data
        x_hat = ctx.x_hat
        xp = array_module_of(g)
        ndim = g.ndim
        axes = (0,) + tuple(range(2, ndim))
        sum_dy = g.sum(axis=axes, dtype=np.float64)
        sum_dy_xhat = (g * x_hat).sum(axis=axes, dtype=np.float64)
        grad_input = None
        if ctx.needs_input_grad[0]:
            sums = xp.concatenate([sum_dy, sum_dy_xhat])
            ctx.impl.all_reduce(sums, RedOpType.SUM).wait()
            c = sum_dy.shape[0]
            mean_dy = (sums[:c] / ctx.total).astype(g.dtype)
            mean_dy_xhat = (sums[c:] / ctx.total).astype(g.dtype)
            scale = ctx.invstd if ctx.weight is None else ctx.invstd * ctx.weight
            grad_input = _channel_view(scale, ndim) * (
                g - _channel_view(mean_dy, ndim) - x_hat * _channel_view(mean_dy_xhat, ndim)
            )
            grad_input = _make(grad_input.astype(g.dtype, copy=False), False, None)
        grad_weight = grad_bias = None
        if ctx.needs_input_grad[1]:
            grad_weight = _make(sum_dy_xhat.astype(g.dtype), False, None)
        if ctx.needs_input_grad[2]:
            grad_bias = _make(sum_dy.astype(g.dtype), False, None)
        return grad_input, grad_weight, grad_bias, None, None, None, None, None


class SyncBatchNorm(_BatchNorm):
    r"""Batch normalization whose statistics, in training, cover the batches of every rank
    of a process group.

    In training with an initialised process group of more than one rank, the mean and
    variance of each channel are those of the concatenation of all ranks' batches, and the
    running statistics are updated with them; backward exchanges the two per-channel sums
    that the input gradient needs (see Note [Synchronised batch statistics]). In evaluation,
    or without a process group (or with one rank), it is exactly ``BatchNorm*d``. Every rank
    must call forward and backward together. Accepts any input of 2 or more dimensions.

    Args:
        num_features: ``C``, the number of channels.
        eps, momentum, affine, track_running_stats, bias: as for :class:`BatchNorm1d`.
        process_group: the group to synchronise over (default: the world).

    Shape:
        - Input: ``(N, C, *)``; output: the same shape.

    Example:
        >>> import ember
        >>> net = ember.nn.Sequential(ember.nn.Linear(2, 4), ember.nn.BatchNorm1d(4))
        >>> ember.nn.SyncBatchNorm.convert_sync_batchnorm(net)[1]
        SyncBatchNorm(4, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
        >>> ember.nn.SyncBatchNorm(3)(ember.randn(4, 3, 2)).shape  # no process group: BatchNorm
        ember.Size([4, 3, 2])
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        process_group=None,
        device=None,
        dtype=None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(
            num_features, eps, momentum, affine, track_running_stats, device, dtype, bias=bias
        )
        self.process_group = process_group

    def _check_input_dim(self, input) -> None:
        if input.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {input.dim()}D input)")
        if input.shape[1] == 0:
            raise ValueError("SyncBatchNorm number of input channels should be non-zero")

    def _sync_group(self):
        """The process group to synchronise over, or None when the statistics are local."""
        from ... import distributed as dist

        if not dist.is_initialized():
            return None
        pg = self.process_group if self.process_group is not None else dist.group.WORLD
        if pg._impl is None or pg.size() <= 1:
            return None
        return pg

    def forward(self, input: Tensor) -> Tensor:
        pg = self._sync_group() if self.training else None
        if pg is None:
            return super().forward(input)
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked.item())
        use_buffers = self.track_running_stats
        return _SyncBatchNormFunction.apply(
            input,
            self.weight,
            self.bias,
            self.running_mean if use_buffers else None,
            self.running_var if use_buffers else None,
            self.eps,
            factor,
            pg._impl,
        )

    @classmethod
    def convert_sync_batchnorm(cls, module: Module, process_group=None) -> Module:
        """Replace every ``BatchNorm*d`` in ``module`` by a ``SyncBatchNorm`` sharing its
        parameters and buffers; returns the converted module (a new one when ``module`` is
        itself a batch norm layer).

        Example:
            >>> import ember
            >>> bn = ember.nn.BatchNorm2d(3)
            >>> sbn = ember.nn.SyncBatchNorm.convert_sync_batchnorm(bn)
            >>> type(sbn).__name__, sbn.weight is bn.weight
            ('SyncBatchNorm', True)
        """
        out = module
        if isinstance(module, _BatchNorm) and not isinstance(module, SyncBatchNorm):
            out = SyncBatchNorm(
                module.num_features,
                module.eps,
                module.momentum,
                module.affine,
                module.track_running_stats,
                process_group,
            )
            if module.affine:
                out.weight = module.weight
                out.bias = module.bias
            out.running_mean = module.running_mean
            out.running_var = module.running_var
            out.num_batches_tracked = module.num_batches_tracked
            out.training = module.training
        for name, child in module.named_children():
            out.add_module(name, cls.convert_sync_batchnorm(child, process_group))
        return out
