"""Linear maps: ``linear`` (one fused graph node) and ``bilinear``.

Note [One node for linear]
    ``linear(input, weight, bias)`` is the MLP's hot path. Its forward is one GEMM on the
    input folded to 2-D (``x @ weight.T``, BLAS reads the transposed weight without a copy)
    plus an in-place bias add; its backward is two GEMMs and one sum. The node is named as
    PyTorch names the node it records for the same call: ``AddmmBackward0`` for a 2-D input
    with bias, ``MmBackward0`` without; other input ranks (PyTorch records a view node over
    those) get ``LinearBackward0``.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> F.linear(ember.ones(2, 3), ember.ones(4, 3), ember.zeros(4))
    tensor([[3., 3., 3., 3.],
            [3., 3., 3., 3.]])
"""

from __future__ import annotations

from ...amp import _state as _amp
from ...ops._core import Node, Tensor, attach, grad_state, new_tensor, shape_str

__all__ = ["linear", "bilinear"]


class LinearBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, input, weight, bias_shape):
        nxt = self._next
        in_features = weight.shape[1]
        g2 = grad.reshape((-1, grad.shape[-1])) if grad.ndim != 2 else grad
        gi = gw = gb = None
        if nxt[0] is not None:
            gi = F.matmul(grad, weight)
        if nxt[1] is not None:
            x2 = input.reshape((-1, in_features)) if input.ndim != 2 else input
            gw = F.matmul(F.swapaxes(g2, 0, 1), x2)
        if bias_shape is not None and nxt[2] is not None:
            gb = F.sum(g2, axis=0)
            if len(bias_shape) != 1 or bias_shape[0] != gb.shape[0]:  # () or (1,) broadcast
                gb = F.sum(gb).reshape(bias_shape)
        return gi, gw, gb


class AddmmBackward0(LinearBackward0):
    __slots__ = ()


class MmBackward0(LinearBackward0):
    __slots__ = ()


def _linear_error(x, w, b):
    if not isinstance(x, Tensor) or not isinstance(w, Tensor):
        bad, name = (x, "input") if not isinstance(x, Tensor) else (w, "weight")
        return TypeError(f"linear(): argument '{name}' must be Tensor, not {type(bad).__name__}")
    xd, wd = x._data, w._data
    if wd.ndim not in (1, 2):
        return RuntimeError(
            f"linear: expected weight to be 1-D or 2-D (out_features, in_features), got "
            f"shape {shape_str(wd.shape)}"
        )
    if xd.ndim == 0:
        return RuntimeError("linear: expected input to be at least 1-D, got a 0-D tensor")
    if xd.shape[-1] != wd.shape[-1]:
        return RuntimeError(
            f"linear: input of shape {shape_str(xd.shape)} cannot be multiplied by weight of "
            f"shape {shape_str(wd.shape)}: the input's last dimension must be "
            f"in_features={wd.shape[-1]}, got {xd.shape[-1]}"
        )
    if xd.__class__ is not wd.__class__:
        return RuntimeError(
            f"linear: expected input and weight on the same device, got {x.device} and {w.device}"
        )
    if xd.dtype != wd.dtype or (b is not None and b._data.dtype != xd.dtype):
        names = [str(x.dtype), str(w.dtype)] + ([] if b is None else [str(b.dtype)])
        return RuntimeError(
            "linear: expected input, weight and bias to have the same dtype, got "
            + ", ".join(names)
        )
    if b is not None and b._data.shape not in ((wd.shape[0],), (), (1,)):
        return RuntimeError(
            f"linear: bias of shape {shape_str(b._data.shape)} does not match "
            f"out_features={wd.shape[0]}"
        )
    return None


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``: a fully connected layer.

    Args:
        input: ``(*, in_features)``.
        weight: ``(out_features, in_features)``.
        bias: ``(out_features)`` or None.

    Example:
        >>> import ember
        >>> x = ember.ones(5, 3, requires_grad=True)
        >>> y = ember.nn.functional.linear(x, ember.ones(2, 3), ember.ones(2))
        >>> y.shape, y.grad_fn.name()
        (ember.Size([5, 2]), 'AddmmBackward0')
    """
    if _amp.active:
        input, weight, bias = _amp.cast("linear", input, weight, bias)
    try:
        xd = input._data
        wd = weight._data
        ok = (
            wd.ndim == 2
            and xd.ndim >= 1
            and xd.shape[-1] == wd.shape[1]
            and xd.dtype == wd.dtype
            and xd.__class__ is wd.__class__
            and (
                bias is None
                or (bias._data.dtype == xd.dtype and bias._data.shape == (wd.shape[0],))
            )
        )
    except AttributeError:
        ok = False
    if not ok:
        err = _linear_error(input, weight, bias)
        if err is not None:
            raise err
        if weight.ndim == 1:  # a vector product, as in PyTorch (rare; composite of ember ops)
            from ...ops.linalg_ops import matmul

            out = matmul(input, weight)
            return out if bias is None else out + bias
        # otherwise a bias of shape () or (1,), broadcast below
    if xd.ndim == 2:
        out = xd @ wd.T
    else:
        out = (xd.reshape(-1, xd.shape[-1]) @ wd.T).reshape((*xd.shape[:-1], wd.shape[0]))
    if bias is not None:
        bd = bias._data
        if bd.__class__ is not xd.__class__:
            raise _linear_error(input, weight, bias) or RuntimeError("linear: device mismatch")
        out += bd
    res = new_tensor(out)
    if grad_state.enabled and (
        input._requires_grad or weight._requires_grad or (bias is not None and bias._requires_grad)
    ):
        if xd.ndim != 2:
            node = LinearBackward0()
        elif bias is None:
            node = MmBackward0()
        else:
            node = AddmmBackward0()
        attach(res, node, input, weight, bias)
        node.save(input, weight, None if bias is None else bias._data.shape)
    return res


def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y_k = x1^T A_k x2 + b_k``: a bilinear map of two inputs.

    Args:
        input1: ``(*, in1_features)``.
        input2: ``(*, in2_features)`` (same leading dims).
        weight: ``(out_features, in1_features, in2_features)``.
        bias: ``(out_features)`` or None.

    Example:
        >>> import ember
        >>> ember.nn.functional.bilinear(ember.ones(2, 3), ember.ones(2, 4), ember.ones(5, 3, 4))
        tensor([[12., 12., 12., 12., 12.],
                [12., 12., 12., 12., 12.]])
    """
    if _amp.active:
        input1, input2, weight, bias = _amp.cast("bilinear", input1, input2, weight, bias)
    for name, t in (("input1", input1), ("input2", input2), ("weight", weight)):
        if not isinstance(t, Tensor):
            raise TypeError(f"bilinear(): argument '{name}' must be Tensor, not {type(t).__name__}")
    s1, s2, sw = tuple(input1.shape), tuple(input2.shape), tuple(weight.shape)
    if len(sw) != 3:
        raise RuntimeError(
            f"bilinear: expected a 3-D weight (out_features, in1_features, in2_features), got "
            f"shape {shape_str(sw)}"
        )
    if len(s1) == 0 or s1[:-1] != s2[:-1]:
        raise RuntimeError(
            f"bilinear: input1 {shape_str(s1)} and input2 {shape_str(s2)} must have the same "
            f"leading dimensions"
        )
    if s1[-1] != sw[1] or s2[-1] != sw[2]:
        raise RuntimeError(
            f"bilinear: input1 {shape_str(s1)} and input2 {shape_str(s2)} do not match weight "
            f"{shape_str(sw)}: expected last dims {sw[1]} and {sw[2]}"
        )
    if bias is not None and tuple(bias.shape) != (sw[0],):
        raise RuntimeError(
            f"bilinear: bias of shape {shape_str(tuple(bias.shape))} does not match "
            f"out_features={sw[0]}"
        )
    out_f, in1, in2 = sw
    lead = s1[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (B, in1) @ (in1, out*in2) -> (B, out, in2), then contract in2 against x2: one GEMM and
    # one batched matrix-vector product.
    w = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = (x1 @ w).reshape(-1, out_f, in2)
    y = (t @ x2.unsqueeze(-1)).squeeze(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, out_f)
