"""Arithmetic: add, sub, mul, div, pow, neg and their Python operators.

These are the hottest ops in any program, so each one goes straight from the operator to
the NumPy call: operands are promoted once (``binary_arrays``), the result is wrapped, and a
node is attached only when a gradient is needed.

Example:
    >>> import ember
    >>> a = ember.tensor([1.0, 2.0], requires_grad=True)
    >>> (a * 3 + 1).grad_fn
    <AddBackward0 object at ...>
"""

from __future__ import annotations

from .._tensor import _edge, _make
from ..amp import _state as _amp
from ._core import (
    D,
    Node,
    Tensor,
    attach,
    binary_arrays,
    broadcast_error,
    grad_state,
    method,
    new_tensor,
    np,
    saved_output,
)
from .inplace import inplace_binary

__all__ = [
    "add",
    "sub",
    "subtract",
    "rsub",
    "mul",
    "multiply",
    "div",
    "divide",
    "true_divide",
    "pow",
    "float_power",
    "neg",
    "negative",
    "positive",
]


def _grad_for(shape, out_shape):
    return None if shape == out_shape else shape


class _BinaryNode(Node):
    """A binary op's node; ``ctx`` holds the input shapes when broadcasting changed them."""

    __slots__ = ()

    def reduce(self, F, ga, gb):
        shapes = self.ctx
        if shapes is not None:
            a_shape, b_shape = shapes
            if ga is not None and a_shape is not None:
                ga = F.sum_to(ga, a_shape)
            if gb is not None and b_shape is not None:
                gb = F.sum_to(gb, b_shape)
        return ga, gb


def _record(out_arr, node_cls, a, b, ad, bd):
    """Wrap a binary op's result and attach ``node_cls`` if a gradient is needed.

    ``a``/``b`` are the operand Tensors (None for a Python scalar), ``ad``/``bd`` their arrays.
    The node's ``ctx`` records input shapes only when broadcasting changed them.
    """
    out = _make(out_arr, False, None)  # (_make turns NumPy's 0-d scalar results into arrays)
    if not grad_state.enabled:
        return out, None
    ra = a is not None and a._requires_grad
    rb = b is not None and b._requires_grad
    if not (ra or rb):
        return out, None
    node = node_cls()
    shape = out_arr.shape
    sa = ad.shape if ra else shape
    sb = bd.shape if rb else shape
    if sa != shape or sb != shape:
        node.ctx = (None if sa == shape else sa, None if sb == shape else sb)
    node._next = (_edge(a) if ra else None, _edge(b) if rb else None)
    out._requires_grad = True
    out.grad_fn = node
    return out, node


def _operands(input, other, op):
    """The fast path of ``binary_arrays``: two tensors of one dtype pass straight through."""
    if input.__class__ is Tensor and other.__class__ is Tensor:
        ad = input._data
        bd = other._data
        if ad.dtype == bd.dtype and ad.__class__ is bd.__class__:  # else: promotion or devices
            return input, other, ad, bd
    return binary_arrays(input, other, op)


def _apply(fn, ad, bd, op, a_shape_src, b_shape_src):
    try:
        return fn(ad, bd)
    except ValueError:
        raise broadcast_error(op, np.shape(a_shape_src), np.shape(b_shape_src)) from None


# -- add / sub ----------------------------------------------------------------------------------


class AddBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, alpha):
        gb = grad if alpha == 1 else grad * alpha
        return self.reduce(F, grad, gb)


class SubBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, alpha):
        return self.reduce(F, grad, -grad if alpha == 1 else grad * -alpha)


class RsubBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, alpha):
        return self.reduce(F, -grad if alpha == 1 else grad * -alpha, grad)


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting, with PyTorch's type promotion.

    Example:
        >>> import ember
        >>> ember.add(ember.tensor([1, 2]), ember.tensor([10, 20]), alpha=2)
        tensor([21, 42])
    """
    a, b, ad, bd = _operands(input, other, "add")
    if alpha != 1:
        bd = bd * alpha
    try:
        arr = ad + bd
    except ValueError:
        raise broadcast_error("add", np.shape(ad), np.shape(bd)) from None
    res, node = _record(arr, AddBackward0, a, b, ad, bd)
    if node is not None:
        node.save(alpha)
    return _maybe_out(res, out)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``.

    Example:
        >>> import ember
        >>> ember.sub(ember.tensor([5.0]), 2)
        tensor([3.])
    """
    if isinstance(input, (bool, np.bool_)) or isinstance(other, (bool, np.bool_)):
        _bool_sub_error()
    a, b, ad, bd = _operands(input, other, "sub")
    if ad.dtype == np.bool_ if a is not None else bd.dtype == np.bool_:
        _bool_sub_error()
    if alpha != 1:
        bd = bd * alpha
    res, node = _record(_apply(np.subtract, ad, bd, "sub", ad, bd), SubBackward0, a, b, ad, bd)
    if node is not None:
        node.save(alpha)
    return _maybe_out(res, out)


def _bool_sub_error():
    raise RuntimeError(
        "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
        "to invert a mask, use the `~` or `logical_not()` operator instead."
    )


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    a, b, ad, bd = binary_arrays(input, other, "rsub")
    if alpha != 1:
        ad = ad * alpha
    res, node = _record(_apply(np.subtract, bd, ad, "rsub", bd, ad), RsubBackward0, a, b, ad, bd)
    if node is not None:
        node.save(alpha)
    return res


subtract = sub

# -- mul / div ----------------------------------------------------------------------------------


class MulBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, a, b):
        if _is_complex(a) or _is_complex(b):  # PyTorch's convention: conjugate derivatives
            a = _conj(F, a)
            b = _conj(F, b)
        ga = None if self._next[0] is None else grad * b
        gb = None if self._next[1] is None else grad * a
        return self.reduce(F, ga, gb)


def _is_complex(x) -> bool:
    dt = getattr(x, "dtype", None)
    if dt is None:
        return isinstance(x, complex)
    return dt.is_complex if isinstance(dt, D.dtype) else dt.kind == "c"


def _conj(F, x):
    """The conjugate of a saved operand (a Tensor/array, or a Python number)."""
    if isinstance(x, (int, float, complex)):
        return x.conjugate()
    return F.conj(x) if _is_complex(x) else x


def mul(input, other, *, out=None):
    """Elementwise product, broadcasting.

    Example:
        >>> import ember
        >>> ember.mul(ember.tensor([1.0, 2.0]), ember.tensor([[3.0], [4.0]]))
        tensor([[3., 6.],
                [4., 8.]])
    """
    a, b, ad, bd = _operands(input, other, "mul")
    try:
        arr = ad * bd
    except ValueError:
        raise broadcast_error("mul", np.shape(ad), np.shape(bd)) from None
    res, node = _record(arr, MulBackward0, a, b, ad, bd)
    if node is not None:
        node.save(ad if a is None else a, bd if b is None else b)
    return _maybe_out(res, out)


multiply = mul


class DivBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, a, b):
        if _is_complex(a) or _is_complex(b):  # PyTorch's convention: conjugate derivatives
            a = _conj(F, a)
            b = _conj(F, b)
        ga = None if self._next[0] is None else grad / b
        gb = None
        if self._next[1] is not None:
            gb = -grad * a / (b * b)
        return self.reduce(F, ga, gb)


def div(input, other, *, rounding_mode=None, out=None):
    """Elementwise division. ``rounding_mode`` None (true division, integers give floats),
    ``'trunc'`` or ``'floor'``.

    Example:
        >>> import ember
        >>> ember.div(ember.tensor([7, -7]), 2)
        tensor([ 3.5000, -3.5000])
        >>> ember.div(ember.tensor([7, -7]), 2, rounding_mode="floor")
        tensor([ 3, -4])
    """
    if rounding_mode is not None:
        from .pointwise import _rounded_div

        return _maybe_out(_rounded_div(input, other, rounding_mode), out)
    a, b, ad, bd = binary_arrays(input, other, "div")
    kind = (ad if a is not None else bd).dtype.kind
    if kind in "biu" and not isinstance(ad if a is None else bd, float):
        f = D.get_default_dtype()
        if a is not None:
            a = a.to(f)
            ad = a._data
        else:
            ad = float(ad)
        if b is not None:
            b = b.to(f)
            bd = b._data
        else:
            bd = float(bd)
    with np.errstate(divide="ignore", invalid="ignore"):
        arr = _apply(np.true_divide, ad, bd, "div", ad, bd)
    res, node = _record(arr, DivBackward0, a, b, ad, bd)
    if node is not None:
        node.save(ad if a is None else a, bd if b is None else b)
    return _maybe_out(res, out)


divide = true_divide = div

# -- pow ----------------------------------------------------------------------------------------


class PowBackward0(_BinaryNode):
    """``x ** e`` with ``e`` a Python number."""

    __slots__ = ()

    def backward(self, F, grad, x, e):
        if e == 0:
            return (grad * 0.0, None)
        if e == 2:
            return (grad * 2.0 * x, None)
        return (grad * e * x ** (e - 1), None)


class PowBackward1(_BinaryNode):
    """``x ** e`` with both tensors."""

    __slots__ = ()

    def backward(self, F, grad, x, e, result):
        ga = gb = None
        if self._next[0] is not None:
            ga = F.where(e == 0, 0.0, grad * e * x ** (e - 1))
        if self._next[1] is not None:
            zero_base = (x == 0) & (e >= 0)
            gb = F.where(zero_base, 0.0, grad * result * F.log(F.where(zero_base, 1.0, x)))
        return self.reduce(F, ga, gb)


class PowBackward2(_BinaryNode):
    """``c ** e`` with ``c`` a Python number."""

    __slots__ = ()

    def backward(self, F, grad, c, result):
        if c == 0:
            return (None, grad * 0.0)
        return (None, grad * result * float(np.log(c)))


def pow(input, exponent, *, out=None):
    """``input ** exponent`` elementwise; either may be a Python number.

    Example:
        >>> import ember
        >>> ember.pow(ember.tensor([1.0, 2.0, 3.0]), 2)
        tensor([1., 4., 9.])
    """
    if _amp.active:
        input, exponent = _amp.cast("pow", input, exponent)
    a, b, ad, bd = binary_arrays(input, exponent, "pow")
    if b is None and a is not None:
        if ad.dtype.kind in "iu" and isinstance(bd, int) and bd < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if bd == 2:
            arr = ad * ad
        elif bd == 0.5:
            arr = np.sqrt(ad)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                arr = np.power(ad, bd)
        res, node = _record(arr, PowBackward0, a, None, ad, bd)
        if node is not None:
            node.save(a, bd)
        return _maybe_out(res, out)
    with np.errstate(invalid="ignore", divide="ignore"):
        arr = _apply(np.power, ad, bd, "pow", ad, bd)
    if a is None:
        res, node = _record(arr, PowBackward2, None, b, ad, bd)
        if node is not None:
            node.save(ad, saved_output(res))
        return _maybe_out(res, out)
    res, node = _record(arr, PowBackward1, a, b, ad, bd)
    if node is not None:
        node.save(a, b, saved_output(res))
    return _maybe_out(res, out)


def float_power(input, exponent):
    """``input ** exponent`` computed in double precision."""
    a = input.double() if isinstance(input, Tensor) else float(input)
    e = exponent.double() if isinstance(exponent, Tensor) else exponent
    return pow(a, e)


# -- neg ----------------------------------------------------------------------------------------


class NegBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad):
        return -grad


def neg(input, *, out=None):
    """``-input``."""
    d = input._data
    if d.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    res = new_tensor(np.negative(d))
    if grad_state.enabled and input._requires_grad:
        attach(res, NegBackward0(), input)
    return _maybe_out(res, out)


negative = neg


def positive(input):
    """``+input``: the input itself."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _maybe_out(res, out):
    if out is None:
        return res
    from .inplace import write_out

    return write_out(out, res)


# -- Python operators ---------------------------------------------------------------------------


def _radd(self, other):
    return add(other, self)


def _rmul(self, other):
    return mul(other, self)


def _rsub(self, other):
    return rsub(self, other)


def _rtruediv(self, other):
    return div(other, self)


def _rpow(self, other):
    return pow(other, self)


Tensor.__add__ = add
Tensor.__radd__ = _radd
Tensor.__sub__ = sub
Tensor.__rsub__ = _rsub
Tensor.__mul__ = mul
Tensor.__rmul__ = _rmul
Tensor.__truediv__ = div
Tensor.__rtruediv__ = _rtruediv
Tensor.__pow__ = pow
Tensor.__rpow__ = _rpow
Tensor.__neg__ = neg
Tensor.__pos__ = positive

for _name, _fn in {
    "add": add,
    "sub": sub,
    "subtract": sub,
    "mul": mul,
    "multiply": mul,
    "div": div,
    "divide": div,
    "true_divide": div,
    "pow": pow,
    "float_power": float_power,
    "neg": neg,
    "negative": neg,
    "positive": positive,
}.items():
    setattr(Tensor, _name, _fn)

Tensor.__iadd__ = Tensor.add_ = inplace_binary(add, "add_")
Tensor.__isub__ = Tensor.sub_ = Tensor.subtract_ = inplace_binary(sub, "sub_")
Tensor.__imul__ = Tensor.mul_ = Tensor.multiply_ = inplace_binary(mul, "mul_")
Tensor.__itruediv__ = Tensor.div_ = Tensor.divide_ = Tensor.true_divide_ = inplace_binary(
    div, "div_"
)
Tensor.__ipow__ = Tensor.pow_ = inplace_binary(pow, "pow_")
Tensor.neg_ = Tensor.negative_ = inplace_binary(lambda x: neg(x), "neg_", unary=True)
Tensor.float_power_ = inplace_binary(float_power, "float_power_")

del _name, _fn, method
