"""The fused CUDA updates of SGD, Adam and AdamW: one kernel per parameter on the GPU.

``fused_update(opt)`` returns, for an optimizer whose per-parameter update has a fused kernel,
a function ``(h, s, p, g, bufs) -> bool`` that runs it (False when the arrays' dtype has no
kernel, and the generic update must run instead); None for other optimizers. ``h`` and ``s``
are the optimizer's ``_hyper`` and ``_scalars`` tuples (see ``ember.optim.optimizer``).
"""

from __future__ import annotations

from ..backends import cuda_kernels


def _sgd(h, s, p, g, bufs) -> bool:
    k = cuda_kernels()
    if not k.supports(p) or g.dtype != p.dtype:
        return False
    lr, momentum, dampening, weight_decay, nesterov, maximize = h
    buf = bufs[0] if momentum != 0 else None
    k.sgd_update_(p, g, buf, lr, momentum, dampening, weight_decay, nesterov, maximize, s)
    return True


def _adam(h, s, p, g, bufs) -> bool:
    k = cuda_kernels()
    if not k.supports(p) or g.dtype != p.dtype:
        return False
    lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled = h
    step_size, bias_correction2_sqrt = s
    max_sq = bufs[2] if amsgrad else None
    k.adam_update_(
        p, g, bufs[0], bufs[1], max_sq, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize,
        decoupled, step_size, bias_correction2_sqrt,
    )  # fmt: skip
    return True


def fused_update(opt):
    """The fused update for ``opt``, or None (see the module docstring)."""
    from .adam import Adam
    from .sgd import SGD

    update = type(opt)._update
    if isinstance(opt, SGD) and update is SGD._update:
        return _sgd
    if isinstance(opt, Adam) and update is Adam._update:
        return _adam
    return None
