"""Loss functions: ``ember.nn.functional.cross_entropy``, ``mse_loss``, ``ctc_loss``...

Every loss takes ``reduction`` = ``'mean'`` (default), ``'sum'`` or ``'none'``; the deprecated
``size_average``/``reduce`` arguments are accepted and mapped as PyTorch does.

The losses on a training step's hot path have their own graph node and work on arrays:
``cross_entropy`` with class indices is one node (log-softmax and the pick of the target
class fused: the forward computes the log-sum-exp once, the backward is
``softmax - one_hot`` scaled, with class weights, ``ignore_index`` and label smoothing handled
in the same node), and so are ``nll_loss``, ``mse_loss``, ``l1_loss``, ``smooth_l1_loss``,
``huber_loss``, ``binary_cross_entropy`` and ``binary_cross_entropy_with_logits``. The rarer
losses are compositions of Ember's differentiable ops. ``ctc_loss`` runs the log-space
alpha/beta recursions in NumPy, vectorised over the batch.

Differences from PyTorch, on purpose:
    - ``ctc_loss`` returns the true gradient with respect to ``log_probs``. PyTorch's CTC
      backward returns ``exp(log_probs) - posterior``, which is the gradient only once it has
      gone through a ``log_softmax``; both agree on the logits' gradient.
    - ``soft_margin_loss`` is computed stably (``softplus(-y x)``), where PyTorch's
      ``log1p(exp(-y x))`` overflows to ``inf`` for large margins.
    - The out-of-range target error of ``nll_loss``/``cross_entropy`` names the number of
      classes and ``ignore_index`` besides the value.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> logits = ember.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 3.0]], requires_grad=True)
    >>> loss = F.cross_entropy(logits, ember.tensor([0, 2]))
    >>> loss
    tensor(0.1755, grad_fn=<CrossEntropyLossBackward0>)
    >>> loss.backward()
    >>> logits.grad
    tensor([[-0.1072,  0.0876,  0.0196],
            [ 0.0247,  0.0272, -0.0519]])
"""

from __future__ import annotations

import math
import warnings

import ember

from ...amp import _state as _amp
from ...backends import cuda_kernels
from ...ops._core import Node, Tensor, attach, binary_arrays, grad_state, new_tensor, np, xp_of
from ...ops.reduction import torch_name

__all__ = [
    "l1_loss",
    "mse_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "smooth_l1_loss",
    "huber_loss",
    "soft_margin_loss",
    "multilabel_soft_margin_loss",
    "multilabel_margin_loss",
    "multi_margin_loss",
    "margin_ranking_loss",
    "hinge_embedding_loss",
    "cosine_embedding_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "ctc_loss",
]

# -- reductions ----------------------------------------------------------------------------------

_NONE, _MEAN, _SUM = 0, 1, 2
_CODES = {"none": _NONE, "mean": _MEAN, "sum": _SUM}


def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """The ``reduction`` string for the deprecated ``size_average``/``reduce`` flags (None
    means True), with PyTorch's deprecation warning."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(
            "size_average and reduce args will be deprecated, please use "
            f"reduction='{ret}' instead.",
            stacklevel=4,
        )
    return ret


def get_enum(reduction: str) -> int:
    """0, 1, 2 for ``'none'``, ``'mean'``, ``'sum'`` (ValueError otherwise)."""
    code = _CODES.get(reduction)
    if code is not None:
        return code
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=4,
        )
        return _MEAN
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _code(size_average, reduce, reduction) -> int:
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    code = _CODES.get(reduction)
    return get_enum(reduction) if code is None else code


def _reduce(arr, code):
    """Reduce an elementwise loss array (0-d arrays for the full reductions)."""
    if code == _NONE:
        return arr
    if code == _SUM:
        return np.asarray(arr.sum()) if arr.__class__ is np.ndarray else arr.sum()
    if arr.size == 0:
        return _xp_of_array(arr).full((), np.nan, dtype=arr.dtype)
    res = arr.mean()
    return np.asarray(res) if arr.__class__ is np.ndarray else res


def _xp_of_array(arr):
    if arr.__class__ is np.ndarray:
        return np
    from ...backends import array_module_of

    return array_module_of(arr)


def _reduce_tensor(loss: Tensor, code: int) -> Tensor:
    """Reduce a loss computed with Ember ops (the composite losses)."""
    if code == _NONE:
        return loss
    if code == _SUM:
        return loss.sum()
    if loss.numel() == 0:
        return loss.sum() * float("nan")
    return loss.mean()


# -- elementwise losses (input vs target, broadcasting with PyTorch's warning) -------------------


def _size_warning(input: Tensor, target: Tensor) -> None:
    warnings.warn(
        f"Using a target size ({target.size()}) that is different to the input size "
        f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
        "Please ensure they have the same size.",
        stacklevel=4,
    )


def _operands(input, target, op):
    """Check, warn about broadcasting and promote the operands of an elementwise loss."""
    if not isinstance(input, Tensor) or not isinstance(target, Tensor):
        bad, pos, name = (
            (input, 1, "input") if not isinstance(input, Tensor) else (target, 2, "target")
        )
        raise TypeError(
            f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(bad).__name__}"
        )
    xd = input._data
    yd = target._data
    if xd.shape != yd.shape:
        _size_warning(input, target)
    if xd.dtype != yd.dtype:
        input, target, xd, yd = binary_arrays(input, target, op)
    if xd.dtype.kind not in "fc":
        raise RuntimeError(
            f"{op}: expected a floating point input, got {torch_name(xd)} (convert it with "
            ".float())"
        )
    return input, target, xd, yd


def _shapes_error(op, xd, yd):
    from ...ops._core import broadcast_error

    return broadcast_error(op, xd.shape, yd.shape)


def _difference(op, xd, yd):
    """``xd - yd``, raising PyTorch's error for shapes that do not broadcast."""
    try:
        return xd - yd
    except ValueError:
        raise _shapes_error(op, xd, yd) from None


class _ElementwiseLoss(Node):
    """A pointwise loss ``l(input, target)`` reduced by ``reduction``. ``ctx`` holds
    ``(reduction code, element count, input shape, target shape)``; subclasses give
    ``d l / d input`` (the target's gradient is its negative unless they say otherwise)."""

    __slots__ = ()

    def upstream(self, grad):
        code, n = self.ctx[0], self.ctx[1]
        return grad / n if code == _MEAN else grad

    def finish(self, F, gx, gy):
        _, _, xs, ys = self.ctx
        if gx is not None and tuple(gx.shape) != xs:
            gx = F.sum_to(gx, xs)
        if gy is not None and tuple(gy.shape) != ys:
            gy = F.sum_to(gy, ys)
        return gx, gy

    def symmetric(self, F, dx):
        """Gradients when ``d l / d target == -d l / d input``."""
        return self.finish(
            F,
            dx if self._next[0] is not None else None,
            -dx if self._next[1] is not None else None,
        )


def _pointwise(op, node_cls, input, target, xd, yd, loss, code, *saved):
    out = new_tensor(_reduce(loss, code))
    if grad_state.enabled and (input._requires_grad or target._requires_grad):
        node = node_cls()
        node.ctx = (code, loss.size, xd.shape, yd.shape)
        attach(out, node, input, target)
        node.save(input, target, *saved)
    return out


def _check_elementwise_weight(weight, input):
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        raise ValueError("Weights and input must have the same size.")


def _weighted(unreduced: Tensor, weight: Tensor, code: int, mean_by_weight=True) -> Tensor:
    """Per-element weights (PyTorch: ``'mean'`` divides by the summed weights for the L1
    and MSE losses, by the element count for the Huber loss)."""
    loss = unreduced * weight
    if code == _NONE:
        return loss
    if code == _SUM:
        return loss.sum()
    return loss.sum() / weight.sum() if mean_by_weight else loss.mean()


class MseLossBackward0(_ElementwiseLoss):
    __slots__ = ()

    def backward(self, F, grad, x, y):
        return self.symmetric(F, (x - y) * (self.upstream(grad) * 2))


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error ``(input - target) ** 2``, reduced.

    Args:
        input, target: tensors of the same shape (a different shape broadcasts, with
            PyTorch's warning).
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
        weight: optional per-element weights (same shape as ``input``); ``'mean'`` then
            divides by their sum.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.mse_loss(ember.tensor([1.0, 2.0, 4.0]), ember.tensor([1.0, 1.0, 1.0]))
        tensor(3.3333)
    """
    if _amp.active:
        input, target = _amp.cast("mse_loss", input, target)
    input, target, xd, yd = _operands(input, target, "mse_loss")
    code = _code(size_average, reduce, reduction)
    if weight is not None:
        _check_elementwise_weight(weight, input)
        return _weighted(mse_loss(input, target, reduction="none"), weight, code)
    d = _difference("mse_loss", xd, yd)
    return _pointwise("mse_loss", MseLossBackward0, input, target, xd, yd, d * d, code)


class L1LossBackward0(_ElementwiseLoss):
    __slots__ = ()

    def backward(self, F, grad, x, y):
        return self.symmetric(F, F.sign(x - y) * self.upstream(grad))


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error ``|input - target|``, reduced.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.l1_loss(ember.tensor([1.0, 2.0, 4.0]), ember.tensor([1.0, 1.0, 1.0]))
        tensor(1.3333)
    """
    if _amp.active:
        input, target = _amp.cast("l1_loss", input, target)
    input, target, xd, yd = _operands(input, target, "l1_loss")
    code = _code(size_average, reduce, reduction)
    if weight is not None:
        _check_elementwise_weight(weight, input)
        return _weighted(l1_loss(input, target, reduction="none"), weight, code)
    d = _difference("l1_loss", xd, yd)
    xp = xp_of(input)
    return _pointwise("l1_loss", L1LossBackward0, input, target, xd, yd, xp.abs(d), code)


class SmoothL1LossBackward0(_ElementwiseLoss):
    __slots__ = ()

    def backward(self, F, grad, x, y, beta):
        d = x - y
        dx = F.where(F.abs(d) < beta, d * (1.0 / beta), F.sign(d))
        return self.symmetric(F, dx * self.upstream(grad))


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Smooth L1: ``0.5 d**2 / beta`` where ``|d| < beta``, ``|d| - 0.5 beta`` elsewhere
    (``d = input - target``); ``beta=0`` is the L1 loss.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.smooth_l1_loss(ember.tensor([0.5, 3.0]), ember.zeros(2), reduction="none")
        tensor([0.1250, 2.5000])
    """
    if _amp.active:
        input, target = _amp.cast("smooth_l1_loss", input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, size_average, reduce, reduction)
    input, target, xd, yd = _operands(input, target, "smooth_l1_loss")
    code = _code(size_average, reduce, reduction)
    d = _difference("smooth_l1_loss", xd, yd)
    xp = xp_of(input)
    z = xp.abs(d)
    loss = xp.where(z < beta, (0.5 / beta) * d * d, z - 0.5 * beta)
    return _pointwise(
        "smooth_l1_loss", SmoothL1LossBackward0, input, target, xd, yd, loss, code, beta
    )


class HuberLossBackward0(_ElementwiseLoss):
    __slots__ = ()

    def backward(self, F, grad, x, y, delta):
        return self.symmetric(F, F.clip(x - y, -delta, delta) * self.upstream(grad))


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """Huber loss: ``0.5 d**2`` where ``|d| <= delta``, ``delta (|d| - 0.5 delta)`` elsewhere.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.huber_loss(ember.tensor([0.5, 3.0]), ember.zeros(2), reduction="none", delta=2.0)
        tensor([0.1250, 4.0000])
    """
    if _amp.active:
        input, target = _amp.cast("huber_loss", input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    input, target, xd, yd = _operands(input, target, "huber_loss")
    code = get_enum(reduction)
    if weight is not None:
        _check_elementwise_weight(weight, input)
        return _weighted(huber_loss(input, target, "none", delta), weight, code, False)
    d = _difference("huber_loss", xd, yd)
    xp = xp_of(input)
    z = xp.abs(d)
    loss = xp.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta))
    return _pointwise("huber_loss", HuberLossBackward0, input, target, xd, yd, loss, code, delta)


# -- binary cross entropy ------------------------------------------------------------------------


class BinaryCrossEntropyBackward0(_ElementwiseLoss):
    __slots__ = ()

    def backward(self, F, grad, x, y, w):
        g = self.upstream(grad)
        if w is not None:
            g = F.multiply(g, w)
        gx = gy = None
        if self._next[0] is not None:
            gx = (x - y) * g / F.maximum((1 - x) * x, 1e-12)
        if self._next[1] is not None:
            gy = (F.log(1 - x) - F.log(x)) * g
        return self.finish(F, gx, gy)


def _check_same_size(input, target, msg):
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(msg.format(t=target.size(), i=input.size()))


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross entropy between probabilities ``input`` and ``target`` (same shape):
    ``-w (t log(x) + (1 - t) log(1 - x))``, with each log clamped to ``>= -100`` as PyTorch.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.binary_cross_entropy(ember.tensor([0.9, 0.2]), ember.tensor([1.0, 0.0]))
        tensor(0.1643)
    """
    if _amp.active:
        input, target, weight = _amp.cast("binary_cross_entropy", input, target, weight)
    code = _code(size_average, reduce, reduction)
    _check_same_size(
        input,
        target,
        "Using a target size ({t}) that is different to the input size ({i}) is deprecated. "
        "Please ensure they have the same size.",
    )
    input, target, xd, yd = _operands(input, target, "binary_cross_entropy")
    xp = xp_of(input)
    if xd.size and not bool(((xd >= 0) & (xd <= 1)).all()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if yd.size and not bool(((yd >= 0) & (yd <= 1)).all()):
        raise RuntimeError("all elements of target should be between 0 and 1")
    with np.errstate(divide="ignore"):
        loss = (yd - 1) * xp.maximum(xp.log1p(-xd), -100) - yd * xp.maximum(xp.log(xd), -100)
    wd = None
    if weight is not None:
        wd = xp.broadcast_to(weight._data.astype(xd.dtype, copy=False), xd.shape)
        loss = loss * wd
    return _pointwise(
        "binary_cross_entropy", BinaryCrossEntropyBackward0, input, target, xd, yd, loss, code, wd
    )


class BinaryCrossEntropyWithLogitsBackward0(_ElementwiseLoss):
    __slots__ = ()

    def backward(self, F, grad, x, y, w, pw):
        g = self.upstream(grad)
        if w is not None:
            g = F.multiply(g, w)
        gx = gy = None
        if self._next[0] is not None:
            sig = (F.tanh(x * 0.5) + 1) * 0.5
            if pw is None:
                gx = (sig - y) * g
            else:  # d/dx = (1 + (pw - 1) t) sigmoid(x) - pw t
                lw = F.multiply(y, pw - 1) + 1
                gx = (lw * sig - F.multiply(y, pw)) * g
        if self._next[1] is not None:
            if pw is None:
                gy = -x * g
            else:  # d/dt = -x - (pw - 1) log_sigmoid(x)
                gy = (F.multiply(F.logaddexp(0, -x), pw - 1) - x) * g
        return self.finish(F, gx, gy)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross entropy on logits, computed stably:
    ``w ((1 - t) x - (1 + (pos_weight - 1) t) log_sigmoid(x))``.

    Args:
        weight: rescales each element's loss (broadcasts against ``input``).
        pos_weight: weight of the positive examples, broadcast along the last (class)
            dimension.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.binary_cross_entropy_with_logits(ember.tensor([2.0, -1.0]), ember.tensor([1.0, 0.0]))
        tensor(0.2201)
    """
    if _amp.active:
        input, target, weight, pos_weight = _amp.cast(
            "binary_cross_entropy_with_logits", input, target, weight, pos_weight
        )
    code = _code(size_average, reduce, reduction)
    _check_same_size(input, target, "Target size ({t}) must be the same as input size ({i})")
    input, target, xd, yd = _operands(input, target, "binary_cross_entropy_with_logits")
    xp = xp_of(input)
    # log_sigmoid(x) = -(max(-x, 0) + log1p(exp(-|x|)))
    log_sig = -(xp.maximum(-xd, 0) + xp.log1p(xp.exp(-xp.abs(xd))))
    pwd = wd = None
    if pos_weight is not None:
        pwd = pos_weight._data.astype(xd.dtype, copy=False)
        log_sig = log_sig * ((pwd - 1) * yd + 1)
    loss = (1 - yd) * xd - log_sig
    shape = loss.shape
    if weight is not None:
        wd = weight._data.astype(xd.dtype, copy=False)
        loss = loss * wd
        if loss.shape != shape:
            raise _shapes_error("binary_cross_entropy_with_logits", xd, wd)
    return _pointwise(
        "binary_cross_entropy_with_logits",
        BinaryCrossEntropyWithLogitsBackward0,
        input,
        target,
        xd,
        yd,
        loss,
        code,
        wd,
        pwd,
    )


# -- nll_loss and cross_entropy ------------------------------------------------------------------


def _class_layout(xd):
    """``input`` of shape (C,), (N, C) or (N, C, d1, ...) as a 2-D (M, C) array."""
    if xd.ndim == 2:
        return xd
    if xd.ndim == 1:
        return xd.reshape(1, xd.shape[0])
    return _xp_of_array(xd).moveaxis(xd, 1, -1).reshape(-1, xd.shape[1])


def _grad_layout(F, g2, shape):
    """Inverse of ``_class_layout`` for a gradient (arrays or tensors)."""
    if len(shape) == 2:
        return g2
    if len(shape) == 1:
        return g2.reshape(tuple(shape))
    g = g2.reshape((shape[0],) + tuple(shape[2:]) + (shape[1],))
    return F.moveaxis(g, -1, 1)


def _check_class_target(op, input: Tensor, target: Tensor, weight, shape_hint=False):
    """PyTorch's checks of ``nll_loss_nd``: dims, batch size, target dtype and weight."""
    xd = input._data
    td = target._data
    if xd.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {xd.ndim})")
    if xd.ndim != 1 and (td.ndim == 0 or xd.shape[0] != td.shape[0]):
        got = td.shape[0] if td.ndim else "a 0-d target"
        raise ValueError(
            f"Expected input batch_size ({xd.shape[0]}) to match target batch_size ({got})."
        )
    if xd.ndim <= 2:
        if td.ndim > 1 or (xd.ndim == 1 and td.size != 1):
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    else:
        expected = (xd.shape[0],) + tuple(xd.shape[2:])
        if tuple(td.shape) != expected:
            raise RuntimeError(
                f"{op}: Expected target size {list(expected)}, got {list(td.shape)} "
                f"(input of size {list(xd.shape)})"
            )
    if td.dtype != np.int64 and td.dtype != np.uint8:
        hint = ""
        if shape_hint and td.dtype.kind == "f":
            hint = (
                f" ({op} takes a floating point target as class probabilities only when it has "
                f"the input's shape {tuple(xd.shape)}; got a target of shape {tuple(td.shape)})"
            )
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got {torch_name(td)}{hint}"
        )
    C = xd.shape[0 if xd.ndim == 1 else 1]
    if weight is not None and (weight._data.ndim != 1 or weight._data.shape[0] != C):
        raise RuntimeError(
            f"weight tensor should be defined either for all {C} classes or no classes but got "
            f"weight tensor of shape: {list(weight._data.shape)}"
        )
    return C


def _class_targets(op, td, C, ignore_index):
    """Flattened targets as int64 (0 where ignored) and the mask of non-ignored entries
    (None: all count).
    Raises IndexError naming the first out-of-range value."""
    t = td.reshape(-1)
    if t.dtype != np.int64:
        t = t.astype(np.int64)
    if t.size == 0:
        return t, None
    # one reduction checks 0 <= t < C: negative values are huge as unsigned
    if int(t.view(np.uint64).max()) < C and not (0 <= ignore_index < C):
        return t, None
    valid = t != ignore_index
    bad = valid & ((t < 0) | (t >= C))
    if bool(bad.any()):
        v = int(t[bad][0])
        raise IndexError(
            f"Target {v} is out of bounds. {op} expects class indices in [0, {C - 1}] for "
            f"{C} classes (or ignore_index={ignore_index})."
        )
    return t * valid, valid


class NllLossBackward0(Node):
    """``ctx``: ``(reduction code, input shape, target shape)``."""

    __slots__ = ()

    def backward(self, F, grad, safe, coef, C):
        code, shape, _ = self.ctx
        M = safe.shape[0]
        if code == _NONE:
            g = grad.reshape((M,))
            vals = F.multiply(g, coef)
        else:
            vals = F.multiply(F.broadcast_to(grad, (M,)), coef)
        xp = _xp_of_array(safe)
        g2 = F.index_put_zeros((M, C), (xp.arange(M), safe), vals)
        return _grad_layout(F, g2, shape)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log likelihood: ``-weight[t] * input[n, t]`` for log-probabilities ``input``
    of shape (N, C), (C) or (N, C, d1, ...) and class indices ``target``.

    Args:
        weight: per-class weights (C,).
        ignore_index: target value that contributes neither loss nor gradient; ``'mean'``
            divides by the sum of the weights of the other targets.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> logp = ember.tensor([[-0.1, -2.5], [-1.2, -0.4]])
        >>> F.nll_loss(logp, ember.tensor([0, 1]))
        tensor(0.2500)
    """
    if _amp.active:
        input, target, weight = _amp.cast("nll_loss", input, target, weight)
    code = _code(size_average, reduce, reduction)
    C = _check_class_target("nll_loss", input, target, weight)
    xd = input._data
    safe, valid = _class_targets("nll_loss", target._data, C, ignore_index)
    x2 = _class_layout(xd)
    M = x2.shape[0]
    xp = xp_of(input)
    picked = x2[xp.arange(M), safe]
    if weight is None:
        coef = None if valid is None else valid.astype(xd.dtype)
    else:
        coef = weight._data.astype(xd.dtype, copy=False)[safe]
        if valid is not None:
            coef = coef * valid
    losses = -picked if coef is None else -(picked * coef)
    if code == _NONE:
        out = losses.reshape(target._data.shape if xd.ndim > 1 else ())
        scale = coef
    elif code == _SUM:
        out = np.asarray(losses.sum()) if xp is np else losses.sum()
        scale = coef
    else:
        denom = M if coef is None else coef.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            out = losses.sum() / denom
        out = np.asarray(out, dtype=xd.dtype) if xp is np else out.astype(xd.dtype)
        scale = (xp.ones(M, dtype=xd.dtype) if coef is None else coef) / denom
    res = new_tensor(out)
    if grad_state.enabled and input._requires_grad:
        node = NllLossBackward0()
        node.ctx = (code, xd.shape, target._data.shape)
        attach(res, node, input)
        neg = -(xp.ones(M, dtype=xd.dtype) if scale is None else scale.astype(xd.dtype))
        node.save(safe, neg, C)
    return res


class CrossEntropyLossBackward0(Node):
    """log_softmax + nll (+ label smoothing) fused. Per row ``i`` with target ``t_i``, class
    weight ``w_i`` (0 when ignored) and smoothing ``eps`` over ``C`` classes, the gradient is
    ``a_i * softmax(x_i) - b_i * one_hot(t_i) - c_i * weight`` with ``b = (1 - eps) w``,
    ``c = eps / C`` (0 when ignored) and ``a = b + c * sum(weight)``, times the upstream
    gradient (divided by the summed weights for ``'mean'``). Plain backward reuses the
    forward's ``exp(x - max)`` and row sums; under ``create_graph`` the softmax is recomputed
    from the input with differentiable ops.

    ``ctx``: ``(reduction code, input shape, label smoothing, number of classes)``."""

    __slots__ = ()

    def backward(self, F, grad, x, e, s, rows, safe, w_row, valid, wvec, denom):
        code, shape, eps, C = self.ctx
        if F.graph:
            return self._graph_backward(F, grad, x, rows, safe, w_row, valid, wvec, denom)
        if e is None:  # the CUDA kernel's forward: ``s`` holds each row's logsumexp
            return self._kernel_backward(F, grad, x, s, safe, w_row, valid, wvec, denom)
        g = grad.reshape(-1) if code == _NONE else grad  # (M,) or 0-d
        if denom is not None:
            g = g / denom
        b = g if w_row is None else g * w_row
        if eps:
            b = b * (1 - eps)
            c = g * (eps / C) if valid is None else (g * (eps / C)) * valid
            a = b + c * (C if wvec is None else wvec.sum())
        else:
            a = b
        g2 = e * (a / s)[:, None]
        g2[rows, safe] -= b
        if eps:
            c = c[:, None] if c.ndim else c
            g2 -= c if wvec is None else c * wvec
        return _grad_layout(F, g2, shape)

    def _kernel_backward(self, F, grad, x, lse, safe, w_row, valid, wvec, denom):
        code, shape, eps, _ = self.ctx
        xp = _xp_of_array(safe)
        M = safe.shape[0]
        g = grad.reshape(-1) if code == _NONE else xp.broadcast_to(grad, (M,))
        if denom is not None:
            g = g / denom
        t = safe if valid is None else xp.where(valid, safe, -1)
        w_row = xp.ones(M, dtype=lse.dtype) if w_row is None else w_row
        g2 = cuda_kernels().cross_entropy_backward(
            g, _class_layout(x), t, lse, w_row, wvec, -1, eps
        )
        return _grad_layout(F, g2, shape)

    def _graph_backward(self, F, grad, x, rows, safe, w_row, valid, wvec, denom):
        code, shape, eps, C = self.ctx
        M = safe.shape[0]
        dtype = x._data.dtype
        xp = _xp_of_array(safe)
        w_i = xp.ones(M, dtype=dtype) if w_row is None else w_row
        b = w_i * (1 - eps)
        c = (eps / C) * (xp.ones(M, dtype=dtype) if valid is None else valid.astype(dtype))
        a = b + c * (C if wvec is None else wvec.sum())
        if denom is not None:
            a, b, c = a / denom, b / denom, c / denom
        a, b, c = (v.astype(dtype, copy=False) for v in (a, b, c))
        x2 = x.reshape((1, C)) if len(shape) == 1 else x
        if len(shape) > 2:
            x2 = F.moveaxis(x, 1, -1).reshape((M, C))
        m = F.max(x2, axis=1, keepdims=True)
        z = x2 - m
        p = F.exp(z - F.log(F.sum(F.exp(z), axis=1, keepdims=True)))
        onehot = xp.zeros((M, C), dtype=dtype)
        onehot[rows, safe] = b
        g2 = F.subtract(F.multiply(p, a[:, None]), onehot)
        if eps:
            ones = xp.ones((1, C), dtype=dtype)
            g2 = F.subtract(g2, (ones if wvec is None else wvec) * c[:, None])
        g = grad.reshape((M,)) if code == _NONE else F.broadcast_to(grad, (M,))
        return _grad_layout(F, g2 * g.reshape((M, 1)), shape)


def _cross_entropy_indices(input, target, weight, ignore_index, code, eps):
    C = _check_class_target("cross_entropy", input, target, weight, shape_hint=True)
    xd = input._data
    if xd.dtype.kind != "f":
        raise RuntimeError(f"cross_entropy: expected a floating point input, got {torch_name(xd)}")
    safe, valid = _class_targets("cross_entropy", target._data, C, ignore_index)
    xp = xp_of(input)
    x2 = _class_layout(xd)
    M = x2.shape[0]
    dtype = xd.dtype
    rows = xp.arange(M)
    if xp is not np and M and C and cuda_kernels().supports(x2):
        return _cross_entropy_indices_cuda(input, target, weight, code, eps, x2, safe, valid, C)
    if M and C:
        m = x2.max(axis=1, keepdims=True)
        e = x2 - m
        xp.exp(e, out=e)
        s = e.sum(axis=1)
        lse = xp.log(s)
        lse += m[:, 0]
    else:
        e = xp.zeros((M, C), dtype=dtype)
        s = xp.ones(M, dtype=dtype)
        lse = xp.zeros(M, dtype=dtype)
    losses = lse - x2[rows, safe]
    wvec = None if weight is None else weight._data.astype(dtype, copy=False)
    if wvec is None:
        w_row = None if valid is None else valid.astype(dtype)
    else:
        w_row = wvec[safe] if valid is None else wvec[safe] * valid
    if w_row is not None:
        losses *= w_row
    if eps:
        xs = x2.sum(axis=1) if wvec is None else x2 @ wvec
        smooth = (C if wvec is None else wvec.sum()) * lse - xs
        if valid is not None:
            smooth *= valid
        losses = losses * (1 - eps) + smooth * (eps / C)
    denom = None
    if code == _NONE:
        out = losses.reshape(target._data.shape if xd.ndim > 1 else ())
    elif code == _SUM:
        out = losses.sum()
    else:
        denom = M if w_row is None else w_row.sum()
        if denom:
            out = losses.sum() / denom
        else:  # nothing counted (empty batch or every target ignored): 0/0
            out = xp.full((), np.nan, dtype=dtype)
    if xp is np:
        out = np.asarray(out, dtype=dtype)
    res = new_tensor(out)
    if grad_state.enabled and input._requires_grad:
        node = CrossEntropyLossBackward0()
        node.ctx = (code, xd.shape, eps, C)
        attach(res, node, input)
        node.save(input, e, s, rows, safe, w_row, valid, wvec, denom)
    return res


def _cross_entropy_indices_cuda(input, target, weight, code, eps, x2, safe, valid, C):
    """``_cross_entropy_indices`` with the fused CUDA kernel (log-softmax, NLL, weights and
    label smoothing in one pass per row)."""
    xp = _xp_of_array(x2)
    M = x2.shape[0]
    t = safe if valid is None else xp.where(valid, safe, -1)
    wvec = None if weight is None else weight._data.astype(x2.dtype, copy=False)
    losses, lse, w_k = cuda_kernels().cross_entropy_forward(x2, t, wvec, -1, eps)
    w_row = None if (wvec is None and valid is None) else w_k
    denom = None
    if code == _NONE:
        out = losses.reshape(target._data.shape if input._data.ndim > 1 else ())
    elif code == _SUM:
        out = losses.sum()
    else:  # 0/0 (every target ignored) is NaN, as in PyTorch
        denom = M if w_row is None else w_row.sum()
        out = losses.sum() / denom
    res = new_tensor(out)
    if grad_state.enabled and input._requires_grad:
        node = CrossEntropyLossBackward0()
        node.ctx = (code, input._data.shape, eps, C)
        attach(res, node, input)
        node.save(input, None, lse, xp.arange(M), safe, w_row, valid, wvec, denom)
    return res


def _cross_entropy_probs(input, target, weight, code, eps):
    xd = input._data
    td = target._data
    if td.dtype.kind != "f":
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{torch_name(td)}"
        )
    class_dim = 0 if xd.ndim == 1 else 1
    C = xd.shape[class_dim]
    if weight is not None and (weight._data.ndim != 1 or weight._data.shape[0] != C):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {C} classes or no "
            f"classes but got weight tensor of shape: {list(weight._data.shape)}"
        )
    logp = input - ember.logsumexp(input, class_dim, keepdim=True)
    if eps > 0:
        target = target * (1 - eps) + eps / C
    prod = logp * target
    if weight is not None:
        shape = [1] * xd.ndim
        shape[class_dim] = C
        prod = prod * weight.reshape(shape)
    if code == _NONE:
        return -prod.sum(class_dim)
    if code == _SUM:
        return -prod.sum()
    if xd.size == 0:
        return prod.sum() * float("nan")
    return -prod.sum() / (xd.size // C)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between logits ``input`` and ``target``.

    ``input`` has shape (C), (N, C) or (N, C, d1, ...). ``target`` holds class indices of
    shape (), (N) or (N, d1, ...) (int64 or uint8), or class probabilities of ``input``'s
    shape (floating point).

    Args:
        weight: per-class weights (C,).
        ignore_index: an index target that contributes neither loss nor gradient (indices
            only); ``'mean'`` divides by the summed weights of the other targets.
        reduction: ``'mean'`` | ``'sum'`` | ``'none'``.
        label_smoothing: in [0, 1]: the target becomes ``(1 - s) * target + s / C``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> logits = ember.tensor([[1.0, 2.0, 0.5], [0.0, 0.0, 3.0]])
        >>> F.cross_entropy(logits, ember.tensor([1, 2]))
        tensor(0.2796)
        >>> F.cross_entropy(logits, ember.tensor([1, 2]), label_smoothing=0.1, reduction="none")
        tensor([0.5477, 0.2949])
    """
    if _amp.active:
        input, target, weight = _amp.cast("cross_entropy", input, target, weight)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    code = _CODES.get(reduction)
    if code is None:
        code = get_enum(reduction)
    if not isinstance(input, Tensor) or not isinstance(target, Tensor):
        raise TypeError(
            "cross_entropy(): arguments 'input' and 'target' must be Tensors, got "
            f"{type(input).__name__} and {type(target).__name__}"
        )
    if label_smoothing < 0.0 or label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    if input._data.shape == target._data.shape:
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _cross_entropy_probs(input, target, weight, code, float(label_smoothing))
    return _cross_entropy_indices(input, target, weight, ignore_index, code, label_smoothing)


# -- divergences and likelihoods -----------------------------------------------------------------


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence ``target * (log(target) - input)`` for log-probabilities
    ``input`` (and ``target`` too with ``log_target=True``).

    ``reduction='batchmean'`` divides the sum by the batch size (the mathematical KL
    divergence); ``'mean'`` divides by the number of elements and warns, as PyTorch does.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> logq = ember.tensor([[0.25, 0.75]]).log()
        >>> F.kl_div(logq, ember.tensor([[0.5, 0.5]]), reduction="batchmean")
        tensor(0.1438)
    """
    if _amp.active:
        input, target = _amp.cast("kl_div", input, target)
    if size_average is not None or reduce is not None:
        code = get_enum(legacy_get_string(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the "
                "support size.'batchmean' divides only by the batch size, and aligns with the "
                "KL div math definition.'mean' will be changed to behave the same as "
                "'batchmean' in the next major release.",
                stacklevel=2,
            )
        code = _SUM if reduction == "batchmean" else get_enum(reduction)
    if log_target:
        loss = ember.exp(target) * (target - input)
    else:
        loss = ember.xlogy(target, target) - target * input
    out = _reduce_tensor(loss, code)
    if reduction == "batchmean" and input.ndim != 0:
        out = out / input.shape[0]
    return out


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average=None,
    eps: float = 1e-8,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Poisson negative log likelihood: ``exp(input) - target * input`` (``log_input``) or
    ``input - target * log(input + eps)``; ``full`` adds Stirling's approximation of
    ``log(target!)`` for targets > 1.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.poisson_nll_loss(ember.tensor([0.0, 1.0]), ember.tensor([1.0, 2.0]))
        tensor(0.8591)
    """
    if _amp.active:
        input, target = _amp.cast("poisson_nll_loss", input, target)
    code = _code(size_average, reduce, reduction)
    if log_input:
        loss = ember.exp(input) - target * input
    else:
        loss = input - target * ember.log(input + eps)
    if full:
        t = target.detach()
        ts = ember.clamp_min(t, 1.0)  # the term is 0 for targets <= 1; keep log() finite
        stirling = ts * ember.log(ts) - ts + 0.5 * ember.log(2 * math.pi * ts)
        loss = loss + ember.where(t <= 1, ember.zeros_like(stirling), stirling)
    return _reduce_tensor(loss, code)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Gaussian negative log likelihood ``0.5 (log(var) + (input - target)**2 / var)``
    (plus ``0.5 log(2 pi)`` with ``full``).

    ``var`` has ``input``'s shape, or one dimension fewer (the last), or a size-1 dimension
    where ``input`` has more (one variance shared along it), or is a positive number. It is
    clamped to ``eps`` for stability, the clamp not being differentiated (as PyTorch).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.gaussian_nll_loss(ember.tensor([1.0, 2.0]), ember.tensor([1.5, 2.0]), ember.ones(2))
        tensor(0.0625)
    """
    if isinstance(var, (int, float)) and not isinstance(var, bool):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = ember.full(tuple(input.shape), float(var), dtype=input.dtype)
    elif bool((var._data < 0).any()):
        raise ValueError("var has negative entry/entries")
    ishape = tuple(input.shape)
    vshape = tuple(var.shape)
    if vshape != ishape:
        if ishape[:-1] == vshape:
            var = var.unsqueeze(-1)
        elif not (
            len(ishape) == len(vshape) and sum(v for i, v in zip(ishape, vshape) if i != v) == 1
        ):
            raise ValueError(
                f"var is of incorrect size: expected {ishape}, {ishape[:-1]} or a shape with one "
                f"size-1 dimension where input's differs, got {vshape}"
            )
    if reduction not in _CODES:
        raise ValueError(reduction + " is not valid")
    # clamp without differentiating the clamp: var + (clamped - var) as a constant
    vd = var.detach()
    var = var + (ember.clamp_min(vd, eps) - vd)
    loss = 0.5 * (ember.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce_tensor(loss, _CODES[reduction])


# -- margin losses -------------------------------------------------------------------------------


def soft_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """Two-class logistic loss ``log(1 + exp(-target * input))`` (targets in {1, -1}),
    computed stably.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.soft_margin_loss(ember.tensor([2.0, -1.0]), ember.tensor([1.0, -1.0]))
        tensor(0.2201)
    """
    if _amp.active:
        input, target = _amp.cast("soft_margin_loss", input, target)
    code = _code(size_average, reduce, reduction)
    return _reduce_tensor(_softplus(-(input * target)), code)


def _softplus(x: Tensor) -> Tensor:
    return ember.logaddexp(ember.zeros((), dtype=x.dtype), x)


def _log_sigmoid(x: Tensor) -> Tensor:
    return -_softplus(-x)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """One-versus-all logistic loss over the C classes (last dimension), averaged over the
    classes: ``-mean_c(t log_sigmoid(x) + (1 - t) log_sigmoid(-x))``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.multilabel_soft_margin_loss(ember.tensor([[2.0, -1.0]]), ember.tensor([[1.0, 0.0]]))
        tensor(0.2201)
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    loss = -(target * _log_sigmoid(input) + (1 - target) * _log_sigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(dim=class_dim) / input.shape[class_dim]
    if reduction not in _CODES:
        raise ValueError(reduction + " is not valid")
    return _reduce_tensor(loss, _CODES[reduction])


def _host(arr):
    """A NumPy copy of a (possibly CuPy) array, for index bookkeeping on the host."""
    return arr if arr.__class__ is np.ndarray else arr.get()


def _long_target(op, target):
    td = target._data
    if td.dtype.kind not in "iu":
        raise RuntimeError(f"{op}: expected a Long (int64) target, got {torch_name(td)}")
    return _host(td).astype(np.int64, copy=False)


def _constant(arr, like: Tensor) -> Tensor:
    """A constant NumPy array as a tensor with ``like``'s dtype and device."""
    return ember.tensor(arr, dtype=like.dtype, device=like.device)


def multilabel_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """Multi-class multi-label hinge loss. ``target`` (same shape as ``input``: (C) or (N, C))
    lists each sample's classes, ended by the first -1; the loss sums
    ``max(0, 1 - (x[y] - x[i]))`` over its classes ``y`` and the other classes ``i``, over C.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> x = ember.tensor([[0.1, 0.2, 0.4, 0.8]])
        >>> F.multilabel_margin_loss(x, ember.tensor([[3, 0, -1, 1]]))
        tensor(0.8500)
    """
    if _amp.active:
        input, target = _amp.cast("multilabel_margin_loss", input, target)
    code = _code(size_average, reduce, reduction)
    td = _long_target("multilabel_margin_loss", target)
    xd = input._data
    if xd.ndim > 2 or td.shape != xd.shape or (xd.ndim == 0):
        raise RuntimeError(
            f"inconsistent target size: {list(td.shape)} for input of size: {list(xd.shape)}"
        )
    C = xd.shape[-1]
    t2 = td.reshape(-1, C)
    # classes before the first -1 are targets
    stop = np.cumsum(t2 < 0, axis=1) > 0
    if bool(((t2 >= C) & ~stop).any()) or bool(((t2 < -1) & ~stop).any()):
        raise RuntimeError(f"multilabel_margin_loss: target out of range [-1, {C - 1}]")
    N = t2.shape[0]
    is_target = np.zeros((N, C), dtype=bool)
    rows, cols = np.nonzero(~stop)
    is_target[rows, t2[rows, cols]] = True
    # pairs (y listed in the target, possibly repeated; i not a target class)
    listed = np.zeros((N, C), dtype=np.float64)
    np.add.at(listed, (rows, t2[rows, cols]), 1.0)
    x2 = input.reshape(N, C)
    x_y = x2.unsqueeze(2)  # (N, C, 1): candidate target class y
    x_i = x2.unsqueeze(1)  # (N, 1, C): other class i
    hinge = ember.clamp_min(1 - (x_y - x_i), 0)
    mask = listed[:, :, None] * (~is_target)[:, None, :]
    loss = (hinge * _constant(mask, input)).sum(dim=(1, 2)) / C
    loss = loss.reshape(td.shape[:-1])
    return _reduce_tensor(loss, code)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss: ``sum_{i != y} w[y] max(0, margin - x[y] + x[i])**p / C``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.multi_margin_loss(ember.tensor([[0.1, 0.2, 0.4, 0.8]]), ember.tensor([3]))
        tensor(0.3250)
    """
    if _amp.active:
        input, target, weight = _amp.cast("multi_margin_loss", input, target, weight)
    code = _code(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    td = _long_target("multi_margin_loss", target)
    xd = input._data
    if xd.ndim > 2 or xd.ndim == 0:
        raise RuntimeError(
            f"multi_margin_loss: expected a 1-D or 2-D input, got size {list(xd.shape)}"
        )
    C = xd.shape[-1]
    N = 1 if xd.ndim == 1 else xd.shape[0]
    if td.size != N or td.ndim > 1:
        raise RuntimeError(f"inconsistent target size, expected {N} but got {list(td.shape)}")
    if weight is not None and weight.numel() != C:
        raise RuntimeError(f"inconsistent weight size, expected {C} but got {list(weight.shape)}")
    t = td.reshape(N)
    if N and (int(t.min()) < 0 or int(t.max()) >= C):
        raise RuntimeError("target out of range")
    x2 = input.reshape(N, C)
    rows = np.arange(N)
    x_y = x2[rows, t].unsqueeze(1)
    z = ember.clamp_min(margin - x_y + x2, 0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t].unsqueeze(1)
    others = np.ones((N, C), dtype=xd.dtype)
    others[rows, t] = 0
    loss = (z * _constant(others, input)).sum(dim=1) / C
    if xd.ndim == 1 and td.ndim == 0:
        loss = loss.reshape(())
    return _reduce_tensor(loss, code)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)`` (targets in {1, -1}).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.margin_ranking_loss(ember.tensor([1.0, 0.2]), ember.tensor([0.5, 0.5]),
        ...                       ember.tensor([1.0, 1.0]), margin=0.1)
        tensor(0.2000)
    """
    if _amp.active:
        input1, input2, target = _amp.cast("margin_ranking_loss", input1, input2, target)
    code = _code(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    return _reduce_tensor(ember.clamp_min(-target * (input1 - input2) + margin, 0), code)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``input`` where ``target == 1``, ``max(0, margin - input)`` where ``target == -1``.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> F.hinge_embedding_loss(ember.tensor([0.3, 0.2]), ember.tensor([1.0, -1.0]),
        ...                        reduction="none")
        tensor([0.3000, 0.8000])
    """
    if _amp.active:
        input, target = _amp.cast("hinge_embedding_loss", input, target)
    code = _code(size_average, reduce, reduction)
    zeros = ember.zeros_like(input)
    margin_clamp = ember.clamp_min(margin - input, 0)
    out = ember.where(target != 1, margin_clamp, zeros) + ember.where(target != -1, input, zeros)
    return _reduce_tensor(out, code)


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where ``target == 1``, ``max(0, cos(x1, x2) - margin)`` where
    ``target == -1``; inputs (N, D) with target (N), or (D) with a 0-d target.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> a = ember.tensor([[1.0, 0.0], [1.0, 1.0]])
        >>> b = ember.tensor([[1.0, 1.0], [1.0, 1.0]])
        >>> F.cosine_embedding_loss(a, b, ember.tensor([1.0, -1.0]), reduction="none")
        tensor([0.2929, 1.0000])
    """
    if _amp.active:
        input1, input2, target = _amp.cast("cosine_embedding_loss", input1, input2, target)
    code = _code(size_average, reduce, reduction)
    tdim = target.ndim
    if tdim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if tdim == 1 and (input1.ndim != 2 or input2.ndim != 2):
        raise RuntimeError(
            "1D target tensor expects 2D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    if tdim == 0 and (input1.ndim != 1 or input2.ndim != 1):
        raise RuntimeError(
            "0D target tensor expects 1D input tensors, but found inputs with sizes "
            f"{list(input1.shape)} and {list(input2.shape)}."
        )
    eps = 1e-12
    prod_sum = (input1 * input2).sum(tdim)
    mag1 = (input1 * input1).sum(tdim) + eps
    mag2 = (input2 * input2).sum(tdim) + eps
    cos = prod_sum / ember.sqrt(mag1 * mag2)
    zeros = ember.zeros_like(cos)
    pos = ember.where(target == 1, 1 - cos, zeros)
    neg = ember.where(target == -1, ember.clamp_min(cos - margin, 0), zeros)
    return _reduce_tensor(pos + neg, code)


def _check_triplet_dims(anchor, positive, negative):
    a, p, n = anchor.ndim, positive.ndim, negative.ndim
    if not (a == p and p == n):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number "
            f"of dimensions, but got: anchor {a}D, positive {p}D, and negative {n}D inputs"
        )


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with ``d`` the pairwise p-norm distance
    (``swap`` uses ``min(d(a, n), d(p, n))``).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> a, p = ember.tensor([[0.0, 0.0]]), ember.tensor([[0.0, 1.0]])
        >>> n = ember.tensor([[0.0, 1.5]])
        >>> F.triplet_margin_loss(a, p, n)
        tensor(0.5000)
    """
    if _amp.active:
        anchor, positive, negative = _amp.cast("triplet_margin_loss", anchor, positive, negative)
    code = _code(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    from .distance import pairwise_distance

    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = ember.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _reduce_tensor(ember.clamp_min(margin + d_pos - d_neg, 0), code)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function=None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """Triplet loss with any ``distance_function(x, y)`` (default: ``pairwise_distance``).

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> a, p = ember.tensor([[0.0, 0.0]]), ember.tensor([[0.0, 1.0]])
        >>> n = ember.tensor([[0.0, 1.5]])
        >>> def l1(x, y):
        ...     return (x - y).abs().sum(-1)
        >>> F.triplet_margin_with_distance_loss(a, p, n, distance_function=l1)
        tensor(0.5000)
    """
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _check_triplet_dims(anchor, positive, negative)
    if distance_function is None:
        from .distance import pairwise_distance as distance_function
    d_pos = distance_function(anchor, positive)
    d_neg = distance_function(anchor, negative)
    if swap:
        d_neg = ember.minimum(d_neg, distance_function(positive, negative))
    loss = ember.clamp_min(margin + d_pos - d_neg, 0)
    return _reduce_tensor(loss, _CODES[reduction])


# -- CTC -----------------------------------------------------------------------------------------


def _logsumexp3(a, b, c, xp):
    """Elementwise log(exp(a) + exp(b) + exp(c)), -inf safe."""
    m = xp.maximum(xp.maximum(a, b), c)
    m_safe = xp.where(xp.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return xp.log(xp.exp(a - m_safe) + xp.exp(b - m_safe) + xp.exp(c - m_safe)) + m_safe


def _ctc_alpha_beta(lp, ext, skip, in_len, lab_len, need_beta):
    """Log-space CTC recursions over time, vectorised over the batch.

    ``lp``: (T, N, C) log-probabilities; ``ext``: (N, L') extended labels (blank, l1, blank,
    ..., blank); ``skip``: (N, L') where the s-2 transition is allowed; ``in_len``/``lab_len``:
    (N,). Returns the negative log-likelihoods (N,), and the alphas/betas (T, N, L') when
    ``need_beta``.
    """
    xp = _xp_of_array(lp)
    T, N, _ = lp.shape
    L = ext.shape[1]
    ninf = -np.inf
    rows = xp.arange(N)[:, None]
    emit = lp[:, rows, ext]  # (T, N, L') log-prob of each extended label at each step
    pos = xp.arange(L)[None, :]
    valid_s = pos < (2 * lab_len[:, None] + 1)
    alpha = xp.full((T, N, L), ninf, dtype=lp.dtype)
    if T:
        a0 = xp.full((N, L), ninf, dtype=lp.dtype)
        a0[:, 0] = emit[0, :, 0]
        a0[:, 1:2] = xp.where(lab_len[:, None] > 0, emit[0, :, 1:2], ninf)
        alpha[0] = xp.where(valid_s, a0, ninf)
    pad = xp.full((N, 1), ninf, dtype=lp.dtype)
    pad2 = xp.full((N, 2), ninf, dtype=lp.dtype)
    for t in range(1, T):
        prev = alpha[t - 1]
        s1 = xp.concatenate([pad, prev], axis=1)[:, :L]
        s2 = xp.where(skip, xp.concatenate([pad2, prev], axis=1)[:, :L], ninf)
        alpha[t] = xp.where(valid_s, _logsumexp3(prev, s1, s2, xp) + emit[t], ninf)
    last = xp.maximum(in_len - 1, 0)
    end = alpha[last, xp.arange(N)]  # (N, L') alphas at each sample's last step
    i_last = 2 * lab_len
    a_end = end[xp.arange(N), i_last]
    a_end2 = xp.where(lab_len > 0, end[xp.arange(N), xp.maximum(i_last - 1, 0)], ninf)
    ll = _logsumexp3(a_end, a_end2, xp.full_like(a_end, ninf), xp)
    ll = xp.where(in_len > 0, ll, xp.where(lab_len == 0, 0.0, ninf))
    nll = -ll
    if not need_beta:
        return nll, alpha, None, emit
    beta = xp.full((T, N, L), ninf, dtype=lp.dtype)
    init = xp.full((N, L), ninf, dtype=lp.dtype)
    rn = xp.arange(N)
    ts = xp.maximum(in_len - 1, 0)
    init[rn, i_last] = emit[ts, rn, i_last]
    init[rn, xp.maximum(i_last - 1, 0)] = xp.where(
        lab_len > 0, emit[ts, rn, xp.maximum(i_last - 1, 0)], init[rn, 0]
    )
    # s+2 transitions into s are allowed where s+2 may skip back to s
    skip_next = xp.concatenate([skip, xp.zeros((N, 2), dtype=bool)], axis=1)[:, 2:]
    for t in range(T - 1, -1, -1):
        if t == T - 1:
            rec = xp.full((N, L), ninf, dtype=lp.dtype)
        else:
            nxt = beta[t + 1]
            n1 = xp.concatenate([nxt, pad], axis=1)[:, 1:]
            n2 = xp.where(skip_next, xp.concatenate([nxt, pad2], axis=1)[:, 2:], ninf)
            rec = _logsumexp3(nxt, n1, n2, xp) + emit[t]
        at_end = (in_len - 1 == t)[:, None]
        before = (t < in_len - 1)[:, None]
        beta[t] = xp.where(at_end, init, xp.where(before & valid_s, rec, ninf))
    return nll, alpha, beta, emit


class CtcLossBackward0(Node):
    """Gradient of the per-sample CTC negative log-likelihood with respect to log_probs:
    ``-sum_{s: l'(s) = c} exp(alpha_t(s) + beta_t(s) - log_probs[t, c] + nll)`` (the
    occupation posterior), zero after each sample's input length."""

    __slots__ = ()

    def backward(self, F, grad, lp, ext, nll, alpha, beta, emit, scale, zero_inf, unbatched):
        lpd = lp._data if F.graph else lp
        if unbatched:
            lpd = lpd[:, None, :]
        xp = _xp_of_array(lpd)
        _, N, C = lpd.shape
        ab = alpha + beta
        with np.errstate(invalid="ignore", over="ignore"):
            # log posterior of each extended position at each step (T, N, L')
            log_post = xp.where(ab == -np.inf, -np.inf, ab - emit) + nll[None, :, None]
            post = xp.exp(log_post)
        onehot = xp.zeros((N, ext.shape[1], C), dtype=lpd.dtype)
        onehot[xp.arange(N)[:, None], xp.arange(ext.shape[1])[None, :], ext] = 1
        occ = -xp.einsum("tns,nsc->tnc", post, onehot) * scale[None, :, None]
        if zero_inf:
            occ = xp.where(xp.isinf(nll)[None, :, None], 0, occ)
        occ = occ.astype(lpd.dtype, copy=False)
        if unbatched:
            occ = occ[:, 0]
        if F.graph:  # first order on tensors; its own derivative in log_probs is not defined
            out = new_tensor(_ctc_scale(occ, grad._data, unbatched))
            if grad_state.enabled and (grad._requires_grad or lp._requires_grad):
                node = CtcLossBackwardBackward0()
                attach(out, node, grad, lp)
                node.save(occ, grad.ndim != 0)
            return out
        return _ctc_scale(occ, grad, unbatched)


def _ctc_scale(occ, grad, unbatched):
    """``occ`` (T, N, C) times the upstream gradient (0-d, or (N,) for reduction 'none')."""
    if grad.ndim == 0 or unbatched:
        return occ * grad
    return occ * grad[None, :, None]


class CtcLossBackwardBackward0(Node):
    """The CTC gradient as a function of the upstream gradient (linear); its derivative in
    ``log_probs`` is not implemented (PyTorch's CTC has no double backward either)."""

    __slots__ = ()

    def backward(self, F, gg, occ, per_sample):
        if self._next[1] is not None:
            raise RuntimeError(
                "ctc_loss: the derivative of the CTC gradient with respect to log_probs "
                "(double backward) is not implemented"
            )
        prod = F.multiply(gg, occ)
        return (F.sum(prod, axis=(0, 2)) if per_sample else F.sum(prod)), None


def _lengths(x, name, n):
    if isinstance(x, Tensor):
        arr = x._data
        if arr.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
        arr = np.asarray(arr.tolist() if arr.__class__ is not np.ndarray else arr)
    else:
        arr = np.asarray(x)
        if arr.dtype.kind not in "iu":
            raise RuntimeError(f"{name} must be integral")
    arr = arr.reshape(-1).astype(np.int64)
    if arr.shape[0] != n:
        raise RuntimeError(f"{name} must be of size batch_size")
    return arr


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths,
    target_lengths,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """Connectionist Temporal Classification loss.

    Args:
        log_probs: (T, N, C) or unbatched (T, C) log-probabilities (``log_softmax`` output).
        targets: (N, S) padded class indices, or 1-D: all targets concatenated.
        input_lengths, target_lengths: (N) tensors, lists or tuples of ints.
        blank: the blank label.
        reduction: ``'mean'`` divides each loss by its target length and averages over the
            batch; ``'sum'``; ``'none'`` gives (N).
        zero_infinity: infinite losses (impossible alignments) and their gradients become 0.

    Example:
        >>> import ember
        >>> import ember.nn.functional as F
        >>> lp = ember.full((2, 1, 2), 0.5).log()
        >>> F.ctc_loss(lp, ember.tensor([[1]]), [2], [1], reduction="sum")
        tensor(0.2877)
    """
    code = get_enum(reduction)
    lpd = log_probs._data
    unbatched = lpd.ndim == 2
    if unbatched:
        lpd = lpd[:, None, :]
    if lpd.ndim != 3:
        raise RuntimeError(
            f"ctc_loss: expected log_probs of shape (T, N, C) or (T, C), got {list(lpd.shape)}"
        )
    if lpd.dtype.kind != "f":
        raise RuntimeError(f"ctc_loss: expected floating point log_probs, got {torch_name(lpd)}")
    T, N, C = lpd.shape
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    td = targets._data
    if td.dtype.kind not in "iu":
        raise RuntimeError(f"ctc_loss: expected integer targets, got {torch_name(td)}")
    if unbatched and td.ndim == 1:
        td = td[None, :]
    in_len = _lengths(input_lengths, "input_lengths", N)
    lab_len = _lengths(target_lengths, "target_lengths", N)
    if (in_len > T).any():
        raise RuntimeError(
            f"Expected input_lengths to have value at most {T}, but got value "
            f"{int(in_len.max())} (ctc_loss)"
        )
    if (in_len < 0).any() or (lab_len < 0).any():
        raise RuntimeError("ctc_loss: input_lengths and target_lengths must be non-negative")
    S = int(lab_len.max()) if N else 0
    tgt = np.asarray(td.tolist() if td.__class__ is not np.ndarray else td, dtype=np.int64)
    if tgt.ndim == 1 and not unbatched:
        if tgt.shape[0] < lab_len.sum():
            raise RuntimeError(
                f"ctc_loss: the concatenated targets hold {tgt.shape[0]} labels but "
                f"target_lengths sum to {int(lab_len.sum())}"
            )
        padded = np.zeros((N, S), dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lab_len)[:-1]])
        for i in range(N):  # building the padded target matrix (not the recursion)
            padded[i, : lab_len[i]] = tgt[offsets[i] : offsets[i] + lab_len[i]]
        tgt = padded
    elif tgt.ndim == 2:
        if tgt.shape[0] != N:
            raise RuntimeError(f"ctc_loss: targets have batch size {tgt.shape[0]}, expected {N}")
        if tgt.shape[1] < S:
            raise RuntimeError(
                f"Expected tensor to have size at least {S} at dimension 1, but got size "
                f"{tgt.shape[1]} for argument #2 'targets' (ctc_loss)"
            )
        tgt = tgt[:, :S]
    else:
        raise RuntimeError(f"ctc_loss: expected 1-D or 2-D targets, got {list(td.shape)}")
    used = np.arange(S)[None, :] < lab_len[:, None]
    if bool(((tgt < 0) | (tgt >= C))[used].any()):
        raise RuntimeError(f"ctc_loss: target labels must be in [0, {C - 1}]")
    tgt = np.where(used, tgt, blank)
    # extended labels: blank, l1, blank, l2, ..., blank
    ext = np.full((N, 2 * S + 1), blank, dtype=np.int64)
    ext[:, 1::2] = tgt
    skip = np.zeros_like(ext, dtype=bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    xp = xp_of(log_probs)
    if xp is not np:
        ext_x, skip_x = xp.asarray(ext), xp.asarray(skip)
        in_x, lab_x = xp.asarray(in_len), xp.asarray(lab_len)
    else:
        ext_x, skip_x, in_x, lab_x = ext, skip, in_len, lab_len
    need = grad_state.enabled and log_probs._requires_grad
    nll, alpha, beta, emit = _ctc_alpha_beta(lpd, ext_x, skip_x, in_x, lab_x, need)
    nll = nll.astype(lpd.dtype, copy=False)
    losses = xp.where(xp.isinf(nll), 0, nll).astype(lpd.dtype) if zero_infinity else nll
    if code == _MEAN:
        scale = 1.0 / (xp.maximum(lab_x, 1) * N).astype(lpd.dtype)
        out = (losses * scale).sum()
    elif code == _SUM:
        scale = xp.ones(N, dtype=lpd.dtype)
        out = losses.sum()
    else:
        scale = xp.ones(N, dtype=lpd.dtype)
        out = losses[0] if unbatched else losses
    if xp is np:
        out = np.asarray(out, dtype=lpd.dtype)
    res = new_tensor(out)
    if need:
        node = CtcLossBackward0()
        attach(res, node, log_probs)
        node.save(log_probs, ext_x, nll, alpha, beta, emit, scale, zero_infinity, unbatched)
    return res
