"""Elementwise math: unary functions (``exp``, ``sin``, ``sigmoid``, ``floor``...), binary
ones (``atan2``, ``maximum``, ``fmod``...), ``clamp``, ``where``, ``lerp``, ``addcmul``,
``addcdiv`` and the complex helpers (``real``, ``imag``, ``polar``, ``view_as_real``...).

Most unary ops are declared once in a table (``_UNARY``): the op's name, its array kernel,
its node (named as in PyTorch, with the derivative in ``formula``), what the node saves, and
how integer inputs are treated. ``_unary`` turns a row into the public function, which on its
fast path is one kernel call, one wrap and, when a gradient is needed, one node.

Integer and bool inputs of float-valued functions (``exp``, ``sqrt``, ``sin``...) give the
default float dtype, as in PyTorch. Kernels run without NumPy's floating-point warnings
(``log(0)`` is ``-inf`` silently, as in PyTorch).

Example:
    >>> import ember
    >>> x = ember.tensor([0.0, 1.0], requires_grad=True)
    >>> y = ember.exp(x)
    >>> y.grad_fn
    <ExpBackward0 object at ...>
    >>> ember.clamp(ember.tensor([-2.0, 0.5, 3.0]), min=-1.0, max=1.0)
    tensor([-1.0000,  0.5000,  1.0000])
"""

from __future__ import annotations

import math

from .. import _dtype as D
from ..amp import _state as _amp
from ._core import (
    Node,
    Tensor,
    attach,
    binary_arrays,
    broadcast_error,
    grad_state,
    method,
    np,
    saved_output,
)
from ._core import new_tensor as _wrap
from .arithmetic import _apply, _BinaryNode, _maybe_out, _record, pow
from .inplace import apply_inplace, inplace_binary

__all__ = [
    "abs", "absolute", "sqrt", "rsqrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
    "sin", "cos", "tan", "asin", "arcsin", "acos", "arccos", "atan", "arctan", "sinh", "cosh",
    "tanh", "asinh", "arcsinh", "acosh", "arccosh", "atanh", "arctanh", "sigmoid", "logit",
    "sinc", "reciprocal", "square", "sign", "sgn", "signbit", "floor", "ceil", "round", "trunc",
    "fix", "frac", "relu", "nan_to_num", "deg2rad", "rad2deg", "angle", "real", "imag", "conj",
    "conj_physical", "isreal", "atan2", "arctan2", "hypot", "fmod", "remainder", "floor_divide",
    "maximum", "minimum", "fmax", "fmin", "copysign", "nextafter", "ldexp", "logaddexp",
    "logaddexp2", "xlogy", "heaviside", "lerp", "addcmul", "addcdiv", "clamp", "clip",
    "clamp_min", "clamp_max", "where", "polar", "complex", "view_as_real", "view_as_complex",
]  # fmt: skip

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)

# -- running kernels without floating-point warnings --------------------------------------------

try:  # NumPy >= 2: set the error state's context variable directly (0.1 us, not 3 us)
    from numpy._core._ufunc_config import _extobj_contextvar as _errctx

    with np.errstate(all="ignore"):
        _IGNORE = _errctx.get()
except (ImportError, AttributeError):  # pragma: no cover - NumPy 1.x
    _errctx = None


def _quiet(fn):
    """Wrap an array function so that it runs without NumPy's floating-point warnings."""
    if _errctx is None:  # pragma: no cover

        def run(*args):
            with np.errstate(all="ignore"):
                return fn(*args)

    else:

        def run(*args):
            token = _errctx.set(_IGNORE)
            try:
                return fn(*args)
            finally:
                _errctx.reset(token)

    run.__name__ = getattr(fn, "__name__", "kernel")
    return run


new_tensor = _wrap  # (``_make`` turns NumPy's scalar results for 0-d inputs into arrays)


def _tensor_arg(x, op: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    raise TypeError(f"{op}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}")


def _dtype_error(op: str, d) -> RuntimeError:
    name = D.from_numpy_dtype(d.dtype).name
    return RuntimeError(f"{op}(): not implemented for {name} tensors")


def _default_float_np():
    return D.get_default_dtype().np


# -- the unary factory --------------------------------------------------------------------------


class _UnaryNode(Node):
    """A unary op's node; subclasses give ``formula(F, grad, saved)`` = grad * f'(x).

    For complex inputs (``ctx`` set) the gradient is ``grad * conj(f'(z))``, PyTorch's
    convention for holomorphic functions, computed as ``conj(formula(conj(grad)))``.
    """

    __slots__ = ()

    def backward(self, F, grad, saved=None):
        if self.ctx is None:
            return self.formula(F, grad, saved)
        return F.conj(self.formula(F, F.conj(grad), saved))


def _int_rule(name: str, kernel, ints: str):
    """What an op does with integer and bool arrays (``ints`` from the table)."""
    if ints == "float":
        return lambda d: kernel(d.astype(_default_float_np()))
    if ints == "keep_bool":
        return kernel

    def no_bool(d):
        if d.dtype.kind == "b" or ints == "none":
            raise _dtype_error(name, d)
        return d.copy() if ints == "copy" else kernel(d)

    return no_bool


def _unary(name, kernel, node_cls, saves, summary, ex_in, ex_out, ints="float", quiet=True):
    """Build the public function of a unary op from its table row."""
    if quiet:
        kernel = _quiet(kernel)
    on_ints = _int_rule(name, kernel, ints)
    save_output = saves == "output"
    save_none = saves is None

    def op(input, *, out=None):
        if _amp.active:
            (input,) = _amp.cast(name, input)
        try:
            d = input._data
        except AttributeError:
            raise _tensor_arg(input, name) from None
        res = new_tensor(on_ints(d) if d.dtype.kind in "biu" else kernel(d))
        if grad_state.enabled and input._requires_grad:
            node = node_cls()
            attach(res, node, input)
            if d.dtype.kind == "c":
                node.ctx = True
            if not save_none:
                node.save(saved_output(res) if save_output else input)
        return res if out is None else _maybe_out(res, out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (
        f"{summary}\n\n    Example:\n        >>> import ember\n"
        f"        >>> ember.{name}(ember.tensor({ex_in}))\n        {ex_out}\n"
    )
    return op


def _node(name: str, formula, base=_UnaryNode):
    """A node class named like PyTorch's, whose ``formula(F, grad, saved)`` is given."""
    return type(name, (base,), {"__slots__": (), "formula": staticmethod(formula)})


def _zeros(F, grad, saved):
    return F.zeros_like(grad)


def _sigmoid_kernel(d):
    e = np.exp(-np.abs(d))  # never overflows
    r = 1.0 / (1.0 + e)
    return np.where(d >= 0, r, e * r).astype(d.dtype, copy=False)


def _sign_kernel(d):
    if d.dtype.kind == "c":
        raise RuntimeError(
            "Unlike NumPy, sign is not intended to support complex numbers. Please use sgn instead."
        )
    if d.dtype.kind == "f":  # NaN -> 0 as in PyTorch
        return np.subtract(d > 0, d < 0, dtype=d.dtype)
    return d.copy() if d.dtype.kind == "b" else np.sign(d)


def _sgn_kernel(d):
    if d.dtype.kind != "c":
        return _sign_kernel(d)
    a = np.abs(d)
    return np.where(a == 0, 0, d / np.where(a == 0, 1, a)).astype(d.dtype, copy=False)


def _sinc_kernel(d):
    return np.sinc(d).astype(d.dtype, copy=False)


def _angle_kernel(d):
    if d.dtype.kind == "c":
        return np.angle(d)
    out = np.where(d < 0, np.pi, 0.0).astype(d.dtype, copy=False)
    return np.where(np.isnan(d), d, out)


def _sinc_formula(F, grad, x):
    safe = F.where(x == 0, 1.0, x)
    px = safe * math.pi
    d = (F.cos(px) * px - F.sin(px)) / (px * safe)
    return grad * F.where(x == 0, 0.0, d)


class AbsBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x):
        if self.ctx is None:
            return grad * F.sign(x)
        a = F.abs(x)
        return grad * F.where(a == 0, 0.0, x / F.where(a == 0, 1.0, a))


class SgnBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, result):
        if self.ctx is None:
            return F.zeros_like(grad)
        a = F.abs(x)
        safe = F.where(a == 0, 1.0, a)
        g = (grad - F.real(grad * F.conj(result)) * result) / safe
        return F.where(a == 0, 0.0, g)


class AngleBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x):
        if self.ctx is None:
            return F.zeros_like(grad)
        a2 = F.real(x * F.conj(x))
        return F.where(a2 == 0, 0.0, grad * x / F.where(a2 == 0, 1.0, a2) * 1j)


_UNARY = (
    # name, kernel, node (formula) or class, saves, summary, example in, example out, ints, quiet
    ("sqrt", np.sqrt, ("SqrtBackward0", lambda F, g, r: g / (r * 2.0)), "output",
     "Square root.", "[4.0, 2.0]", "tensor([2.0000, 1.4142])", "float", True),
    ("rsqrt", lambda d: 1.0 / np.sqrt(d),
     ("RsqrtBackward0", lambda F, g, r: g * (r * r * r) * -0.5),
     "output", "Reciprocal of the square root.", "[4.0, 0.25]", "tensor([0.5000, 2.0000])",
     "float", True),
    ("exp", np.exp, ("ExpBackward0", lambda F, g, r: g * r), "output",
     "Exponential, ``e ** input``.", "[0.0, 1.0]", "tensor([1.0000, 2.7183])", "float", True),
    ("exp2", np.exp2, ("Exp2Backward0", lambda F, g, r: g * r * _LN2), "output",
     "``2 ** input``.", "[0.0, 3.0]", "tensor([1., 8.])", "float", True),
    ("expm1", np.expm1, ("Expm1Backward0", lambda F, g, r: g * (r + 1.0)), "output",
     "``exp(input) - 1``, accurate near zero.", "[0.0, 1e-8]", "tensor([0.0000e+00, 1.0000e-08])",
     "float", True),
    ("log", np.log, ("LogBackward0", lambda F, g, x: g / x), "input",
     "Natural logarithm.", "[1.0, 2.0]", "tensor([0.0000, 0.6931])", "float", True),
    ("log2", np.log2, ("Log2Backward0", lambda F, g, x: g / (x * _LN2)), "input",
     "Base-2 logarithm.", "[1.0, 8.0]", "tensor([0., 3.])", "float", True),
    ("log10", np.log10, ("Log10Backward0", lambda F, g, x: g / (x * _LN10)), "input",
     "Base-10 logarithm.", "[1.0, 100.0]", "tensor([0., 2.])", "float", True),
    ("log1p", np.log1p, ("Log1PBackward0", lambda F, g, x: g / (x + 1.0)), "input",
     "``log(1 + input)``, accurate near zero.", "[0.0, 1.0]", "tensor([0.0000, 0.6931])",
     "float", True),
    ("sin", np.sin, ("SinBackward0", lambda F, g, x: g * F.cos(x)), "input",
     "Sine.", "[0.0, 1.0]", "tensor([0.0000, 0.8415])", "float", True),
    ("cos", np.cos, ("CosBackward0", lambda F, g, x: g * -F.sin(x)), "input",
     "Cosine.", "[0.0, 1.0]", "tensor([1.0000, 0.5403])", "float", True),
    ("tan", np.tan, ("TanBackward0", lambda F, g, r: g * (r * r + 1.0)), "output",
     "Tangent.", "[0.0, 1.0]", "tensor([0.0000, 1.5574])", "float", True),
    ("asin", np.arcsin, ("AsinBackward0", lambda F, g, x: g / F.sqrt(1.0 - x * x)), "input",
     "Inverse sine.", "[0.0, 1.0]", "tensor([0.0000, 1.5708])", "float", True),
    ("acos", np.arccos, ("AcosBackward0", lambda F, g, x: g * -1.0 / F.sqrt(1.0 - x * x)),
     "input", "Inverse cosine.", "[0.0, 1.0]", "tensor([1.5708, 0.0000])", "float", True),
    ("atan", np.arctan, ("AtanBackward0", lambda F, g, x: g / (x * x + 1.0)), "input",
     "Inverse tangent.", "[0.0, 1.0]", "tensor([0.0000, 0.7854])", "float", True),
    ("sinh", np.sinh, ("SinhBackward0", lambda F, g, x: g * F.cosh(x)), "input",
     "Hyperbolic sine.", "[0.0, 1.0]", "tensor([0.0000, 1.1752])", "float", True),
    ("cosh", np.cosh, ("CoshBackward0", lambda F, g, x: g * F.sinh(x)), "input",
     "Hyperbolic cosine.", "[0.0, 1.0]", "tensor([1.0000, 1.5431])", "float", True),
    ("tanh", np.tanh, ("TanhBackward0", lambda F, g, r: g * (1.0 - r * r)), "output",
     "Hyperbolic tangent.", "[0.0, 1.0]", "tensor([0.0000, 0.7616])", "float", False),
    ("asinh", np.arcsinh, ("AsinhBackward0", lambda F, g, x: g / F.sqrt(x * x + 1.0)), "input",
     "Inverse hyperbolic sine.", "[0.0, 1.0]", "tensor([0.0000, 0.8814])", "float", True),
    ("acosh", np.arccosh,
     ("AcoshBackward0", lambda F, g, x: g / F.sqrt((x - 1.0) * (x + 1.0))), "input",
     "Inverse hyperbolic cosine.", "[1.0, 2.0]", "tensor([0.0000, 1.3170])", "float", True),
    ("atanh", np.arctanh, ("AtanhBackward0", lambda F, g, x: g / (1.0 - x * x)), "input",
     "Inverse hyperbolic tangent.", "[0.0, 0.5]", "tensor([0.0000, 0.5493])", "float", True),
    ("sigmoid", _sigmoid_kernel, ("SigmoidBackward0", lambda F, g, r: g * (r * (1.0 - r))),
     "output", "The logistic function ``1 / (1 + exp(-input))``.", "[0.0, 2.0]",
     "tensor([0.5000, 0.8808])", "float", False),
    ("sinc", _sinc_kernel, ("SincBackward0", _sinc_formula), "input",
     "The normalized sinc, ``sin(pi x) / (pi x)`` (1 at 0).", "[0.0, 0.5]",
     "tensor([1.0000, 0.6366])", "float", True),
    ("reciprocal", np.reciprocal, ("ReciprocalBackward0", lambda F, g, r: g * (r * r) * -1.0),
     "output", "``1 / input``.", "[2.0, 4.0]", "tensor([0.5000, 0.2500])", "float", True),
    ("deg2rad", lambda d: d * (math.pi / 180.0),
     ("Deg2RadBackward0", lambda F, g, x: g * (math.pi / 180.0)), None,
     "Degrees to radians.", "[180.0, 90.0]", "tensor([3.1416, 1.5708])", "float", False),
    ("rad2deg", lambda d: d * (180.0 / math.pi),
     ("Rad2DegBackward0", lambda F, g, x: g * (180.0 / math.pi)), None,
     "Radians to degrees.", "[3.14159265, 1.0]", "tensor([180.0000,  57.2958])", "float", False),
    ("abs", np.abs, AbsBackward0, "input", "Absolute value (the modulus for complex tensors).",
     "[-1.5, 2.0]", "tensor([1.5000, 2.0000])", "keep", False),
    ("sign", _sign_kernel, ("SignBackward0", _zeros), None,
     "The sign, -1, 0 or 1 (0 for NaN, as in PyTorch).", "[-2.0, 0.0, 3.0]",
     "tensor([-1.,  0.,  1.])", "keep_bool", False),
    ("sgn", _sgn_kernel, SgnBackward0, "both", "The sign; ``z / |z|`` for complex tensors.",
     "[-2.0, 0.0, 3.0]", "tensor([-1.,  0.,  1.])", "keep_bool", True),
    ("floor", np.floor, ("FloorBackward0", _zeros), None, "Round down to an integer value.",
     "[-1.5, 1.5]", "tensor([-2.,  1.])", "copy", False),
    ("ceil", np.ceil, ("CeilBackward0", _zeros), None, "Round up to an integer value.",
     "[-1.5, 1.5]", "tensor([-1.,  2.])", "copy", False),
    ("trunc", np.trunc, ("TruncBackward0", _zeros), None, "Round toward zero.",
     "[-1.5, 1.5]", "tensor([-1.,  1.])", "copy", False),
    ("frac", lambda d: d - np.trunc(d), ("FracBackward0", lambda F, g, x: g), None,
     "The fractional part, ``input - trunc(input)``.", "[-1.5, 2.25]",
     "tensor([-0.5000,  0.2500])", "none", False),
    ("angle", _angle_kernel, AngleBackward0, "input",
     "The argument of complex values (0 or pi for real ones).", "[-2.0, 3.0]",
     "tensor([3.1416, 0.0000])", "float", False),
)  # fmt: skip


def _build_unary():
    ops = {}
    for name, kernel, node, saves, summary, ex_in, ex_out, ints, quiet in _UNARY:
        node_cls = node if isinstance(node, type) else _node(*node)
        globals()[node_cls.__name__] = node_cls
        if saves == "both":  # sgn saves its input and its output
            fn = _unary_sgn(kernel, node_cls, summary, ex_in, ex_out)
        else:
            fn = _unary(name, kernel, node_cls, saves, summary, ex_in, ex_out, ints, quiet)
        ops[name] = fn
    return ops


def _unary_sgn(kernel, node_cls, summary, ex_in, ex_out):
    base = _unary("sgn", kernel, node_cls, None, summary, ex_in, ex_out, "keep_bool", True)

    def sgn(input, *, out=None):
        res = base(input)
        if res.grad_fn is not None:
            res.grad_fn.save(input, saved_output(res))
        return _maybe_out(res, out)

    sgn.__doc__ = base.__doc__
    return sgn


_OPS = _build_unary()
(sqrt, rsqrt, exp, exp2, expm1, log, log2, log10, log1p, sin, cos, tan, asin, acos, atan, sinh,
 cosh, tanh, asinh, acosh, atanh, sigmoid, sinc, reciprocal, deg2rad, rad2deg, abs, sign, sgn,
 floor, ceil, trunc, frac, angle) = (
    _OPS[n] for n in (
        "sqrt", "rsqrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sin", "cos",
        "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
        "sigmoid", "sinc", "reciprocal", "deg2rad", "rad2deg", "abs", "sign", "sgn", "floor",
        "ceil", "trunc", "frac", "angle",
    )
)  # fmt: skip
absolute = abs
arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh
fix = trunc


# -- unary ops with arguments -------------------------------------------------------------------


class RoundBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad):
        return F.zeros_like(grad)


class RoundBackward1(RoundBackward0):
    __slots__ = ()


def round(input, *, decimals: int = 0, out=None) -> Tensor:
    """Round to the nearest integer (halves to even), or to ``decimals`` decimal places.

    Example:
        >>> import ember
        >>> ember.round(ember.tensor([0.5, 1.5, 2.7]))
        tensor([0., 2., 3.])
        >>> ember.round(ember.tensor([1.2345]), decimals=2)
        tensor([1.2300])
    """
    d = _tensor_arg(input, "round")._data
    if d.dtype.kind in "biu":
        if d.dtype.kind == "b" or decimals:
            raise _dtype_error("round", d)
        arr = d.copy()
    elif decimals:
        with np.errstate(all="ignore"):
            arr = np.round(d, decimals)
    else:
        arr = np.rint(d)
    res = new_tensor(arr)
    if grad_state.enabled and input._requires_grad:
        attach(res, RoundBackward1() if decimals else RoundBackward0(), input)
    return _maybe_out(res, out)


class ReluBackward0(_UnaryNode):
    __slots__ = ()

    @staticmethod
    def formula(F, grad, result):
        # A multiply by the mask: NumPy's ``where`` with a scalar branch is several times
        # slower on large arrays, and relu is on every model's hot path.
        return grad * (result > 0)


def relu(input, *, out=None) -> Tensor:
    """``max(input, 0)`` elementwise.

    Example:
        >>> import ember
        >>> ember.relu(ember.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """
    d = _tensor_arg(input, "relu")._data
    if d.dtype.kind == "b":
        raise RuntimeError("relu(): Boolean inputs not supported for relu")
    res = new_tensor(np.maximum(d, 0))
    if grad_state.enabled and input._requires_grad:
        node = ReluBackward0()
        attach(res, node, input)
        node.save(saved_output(res))
    return _maybe_out(res, out)


class LogitBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, eps):
        g = grad / (x * (1.0 - x))
        if eps is None:
            return F.where((x < 0) | (x > 1), math.nan, g)
        return F.where((x < eps) | (x > 1.0 - eps), 0.0, g)


@_quiet
def _logit_kernel(d, eps):
    if eps is not None:
        d = np.clip(d, eps, 1.0 - eps)
    return np.log(d / (1.0 - d))


def logit(input, eps: float | None = None, *, out=None) -> Tensor:
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``.

    Example:
        >>> import ember
        >>> ember.logit(ember.tensor([0.5, 0.0]), eps=1e-6)
        tensor([  0.0000, -13.8155])
    """
    d = _tensor_arg(input, "logit")._data
    if d.dtype.kind in "biu":
        d = d.astype(_default_float_np())
    res = new_tensor(_logit_kernel(d, eps).astype(d.dtype, copy=False))
    if grad_state.enabled and input._requires_grad:
        node = LogitBackward0()
        attach(res, node, input)
        node.save(input, eps)
    return _maybe_out(res, out)


class NanToNumBackward0(_UnaryNode):
    __slots__ = ()

    @staticmethod
    def formula(F, grad, x):
        return F.where(F.isfinite(x), grad, 0.0)


def nan_to_num(input, nan: float = 0.0, posinf: float | None = None,
               neginf: float | None = None, *, out=None) -> Tensor:  # fmt: skip
    """Replace NaN by ``nan``, +inf by ``posinf`` and -inf by ``neginf`` (by default the
    dtype's largest and lowest finite values).

    Example:
        >>> import ember
        >>> ember.nan_to_num(ember.tensor([float("nan"), float("inf"), 1.0]), posinf=9.0)
        tensor([0., 9., 1.])
    """
    d = _tensor_arg(input, "nan_to_num")._data
    if d.dtype.kind in "biu":
        res = new_tensor(d.copy())
    else:
        res = new_tensor(np.nan_to_num(d, nan=nan, posinf=posinf, neginf=neginf))
    if grad_state.enabled and input._requires_grad:
        node = NanToNumBackward0()
        attach(res, node, input)
        node.save(input)
    return _maybe_out(res, out)


def square(input, *, out=None) -> Tensor:
    """``input * input`` (integer and bool tensors give int64, as ``pow(input, 2)``).

    Example:
        >>> import ember
        >>> ember.square(ember.tensor([-2, 3]))
        tensor([4, 9])
    """
    x = _tensor_arg(input, "square")
    if x._data.dtype.kind == "b":
        x = x.to(D.int64)
    return pow(x, 2, out=out)


def signbit(input, *, out=None) -> Tensor:
    """True where the sign bit is set (negative values, -0.0 included).

    Example:
        >>> import ember
        >>> ember.signbit(ember.tensor([-1.0, -0.0, 2.0]))
        tensor([ True,  True, False])
    """
    d = _tensor_arg(input, "signbit")._data
    if d.dtype.kind == "c":
        raise _dtype_error("signbit", d)
    return _maybe_out(new_tensor(np.signbit(d) if d.dtype.kind == "f" else d < 0), out)


# -- complex helpers ----------------------------------------------------------------------------


class RealBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, complex_dtype):
        return F.astype(grad, complex_dtype)


class ImagBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, complex_dtype):
        return F.astype(grad, complex_dtype) * 1j


def _component(input: Tensor, which: str) -> Tensor:
    from .views import make_view

    d = input._data
    view_fn = real if which == "real" else imag
    res = make_view(input, d.real if which == "real" else d.imag, view_fn)
    if grad_state.enabled and input._requires_grad:
        node = RealBackward0() if which == "real" else ImagBackward0()
        attach(res, node, input)
        node.save(d.dtype)
    return res


def real(input) -> Tensor:
    """The real part, a view of a complex tensor; a real tensor itself.

    Example:
        >>> import ember
        >>> ember.real(ember.tensor([1 + 2j]))
        tensor([1.])
    """
    if _tensor_arg(input, "real")._data.dtype.kind != "c":
        return input
    return _component(input, "real")


def imag(input) -> Tensor:
    """The imaginary part, a view of a complex tensor (RuntimeError for real tensors).

    Example:
        >>> import ember
        >>> ember.imag(ember.tensor([1 + 2j]))
        tensor([2.])
    """
    if _tensor_arg(input, "imag")._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _component(input, "imag")


class ConjBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad):
        return F.conj(grad)


class ConjPhysicalBackward0(ConjBackward0):
    __slots__ = ()


def _conj(input, node_cls, op):
    d = _tensor_arg(input, op)._data
    if d.dtype.kind != "c":
        return input
    res = new_tensor(np.conj(d))
    if grad_state.enabled and input._requires_grad:
        attach(res, node_cls(), input)
    return res


def conj(input) -> Tensor:
    """The complex conjugate (a copy: Ember has no lazy conjugate bit); a real tensor itself.

    Example:
        >>> import ember
        >>> ember.conj(ember.tensor([1 + 2j]))
        tensor([1.-2.j])
    """
    return _conj(input, ConjBackward0, "conj")


def conj_physical(input, *, out=None) -> Tensor:
    """The complex conjugate, materialised; a real tensor itself.

    Example:
        >>> import ember
        >>> ember.conj_physical(ember.tensor([1 - 1j]))
        tensor([1.+1.j])
    """
    return _maybe_out(_conj(input, ConjPhysicalBackward0, "conj_physical"), out)


def isreal(input) -> Tensor:
    """True where the imaginary part is zero (everywhere for real tensors).

    Example:
        >>> import ember
        >>> ember.isreal(ember.tensor([1 + 0j, 1j]))
        tensor([ True, False])
    """
    d = _tensor_arg(input, "isreal")._data
    if d.dtype.kind != "c":
        return new_tensor(np.ones_like(d, dtype=bool))
    return new_tensor(d.imag == 0)


class ComplexBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad):
        ga = None if self._next[0] is None else F.real(grad)
        gb = None if self._next[1] is None else F.imag(grad)
        return self.reduce(F, ga, gb)


class PolarBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, angle, result):
        ga = gb = None
        if self._next[0] is not None:
            ga = F.real(grad) * F.cos(angle) + F.imag(grad) * F.sin(angle)
        if self._next[1] is not None:
            gb = F.imag(grad) * F.real(result) - F.real(grad) * F.imag(result)
        return self.reduce(F, ga, gb)


def _float_tensor_pair(a, b, op: str):
    if not isinstance(a, Tensor) or not isinstance(b, Tensor):
        bad, pos = (a, 1) if not isinstance(a, Tensor) else (b, 2)
        raise TypeError(f"{op}(): argument {pos} must be Tensor, not {type(bad).__name__}")
    da, db = a._data.dtype, b._data.dtype
    if da.kind != "f" or db.kind != "f":
        raise RuntimeError(
            f"{op}(): expected both inputs to be Half, Float or Double tensors but got "
            f"{a.dtype.name} and {b.dtype.name}"
        )
    if da != db:
        raise RuntimeError(
            f"{op}(): expected both inputs to have the same dtype, got {a.dtype.name} and "
            f"{b.dtype.name}"
        )


def complex(real, imag, *, out=None) -> Tensor:
    """A complex tensor from real and imaginary parts (float tensors of one dtype).

    Example:
        >>> import ember
        >>> ember.complex(ember.tensor([1.0]), ember.tensor([2.0]))
        tensor([1.+2.j])
    """
    _float_tensor_pair(real, imag, "complex")
    rd, id_ = real._data, imag._data
    ctype = np.complex64 if rd.dtype.itemsize <= 4 else np.complex128
    try:
        arr = rd.astype(ctype) + id_.astype(ctype) * 1j
    except ValueError:
        raise broadcast_error("complex", rd.shape, id_.shape) from None
    res, _ = _record(arr, ComplexBackward0, real, imag, rd, id_)
    return _maybe_out(res, out)


def polar(abs, angle, *, out=None) -> Tensor:
    """The complex tensor ``abs * (cos(angle) + i sin(angle))``.

    Example:
        >>> import ember
        >>> ember.polar(ember.tensor([2.0]), ember.tensor([0.0]))
        tensor([2.+0.j])
    """
    _float_tensor_pair(abs, angle, "polar")
    ad, td = abs._data, angle._data
    ctype = np.complex64 if ad.dtype.itemsize <= 4 else np.complex128
    try:
        arr = (ad * np.cos(td)).astype(ctype) + (ad * np.sin(td)).astype(ctype) * 1j
    except ValueError:
        raise broadcast_error("polar", ad.shape, td.shape) from None
    res, node = _record(arr, PolarBackward0, abs, angle, ad, td)
    if node is not None:
        node.save(angle, saved_output(res))
    return _maybe_out(res, out)


class ViewAsRealBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad):
        return grad[..., 0] + grad[..., 1] * 1j


class ViewAsComplexBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad):
        real_dtype = F.real(grad).dtype
        e0 = np.array([1.0, 0.0], dtype=np.float64)
        e1 = np.array([0.0, 1.0], dtype=np.float64)
        if F.graph:
            from .. import tensor

            e0 = tensor(e0, dtype=real_dtype, device=grad.device)
            e1 = tensor(e1, dtype=real_dtype, device=grad.device)
        else:
            e0 = F.asarray(e0, dtype=real_dtype)
            e1 = F.asarray(e1, dtype=real_dtype)
        return F.expand_dims(F.real(grad), -1) * e0 + F.expand_dims(F.imag(grad), -1) * e1


def _as_real_array(d):
    real_dtype = np.float32 if d.dtype == np.complex64 else np.float64
    return d[..., None].view(real_dtype)


def view_as_real(input) -> Tensor:
    """A real view of a complex tensor, with a last dimension of size 2 (real, imaginary).

    Example:
        >>> import ember
        >>> ember.view_as_real(ember.tensor([1 + 2j, 3 - 1j]))
        tensor([[ 1.,  2.],
                [ 3., -1.]])
    """
    from .views import make_view

    d = _tensor_arg(input, "view_as_real")._data
    if d.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    res = make_view(input, _as_real_array(d), view_as_real)
    if grad_state.enabled and input._requires_grad:
        attach(res, ViewAsRealBackward0(), input)
    return res


def view_as_complex(input) -> Tensor:
    """A complex view of a float tensor whose last dimension has size 2 and stride 1.

    Example:
        >>> import ember
        >>> ember.view_as_complex(ember.tensor([[1.0, 2.0]]))
        tensor([1.+2.j])
    """
    from .views import make_view

    d = _tensor_arg(input, "view_as_complex")._data
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError(
            f"view_as_complex is only supported for float and double tensors, but got a tensor "
            f"of scalar type: {input.dtype.name}"
        )
    if d.ndim == 0 or d.shape[-1] != 2:
        raise RuntimeError(
            f"view_as_complex: Tensor must have a last dimension of size 2, got shape "
            f"{list(d.shape)}"
        )
    if d.strides[-1] != d.itemsize or any(s % (2 * d.itemsize) for s in d.strides[:-1]):
        raise RuntimeError("view_as_complex: Tensor must have a last dimension with stride 1")
    arr = d.view(np.complex64 if d.dtype == np.float32 else np.complex128)[..., 0]
    res = make_view(input, arr, view_as_complex)
    if grad_state.enabled and input._requires_grad:
        attach(res, ViewAsComplexBackward0(), input)
    return res


# -- binary ops ---------------------------------------------------------------------------------


def _float_pair(a, b, ad, bd):
    """Integer/bool operands of a float-valued binary op become the default float dtype; a
    Python number becomes a NumPy scalar of the tensor's dtype (so that ``log(2)`` inside a
    kernel does not turn a float32 result into float64)."""
    t = ad if a is not None else bd
    if t.dtype.kind in "biu":
        f = D.get_default_dtype()
        if a is not None:
            a = a.to(f)
            ad = a._data
        if b is not None:
            b = b.to(f)
            bd = b._data
    if a is None:
        ad = bd.dtype.type(ad)
    elif b is None:
        bd = ad.dtype.type(bd)
    return a, b, ad, bd


def _binary(name, kernel, node_cls, saves, to_float, summary, example, result, quiet=True,
            kinds=None):  # fmt: skip
    """Build a binary op: promotion, kernel, node; ``saves(a, b, ad, bd, res)`` gives what the
    node keeps; ``kinds`` restricts the dtype kinds accepted."""
    if quiet:
        kernel = _quiet(kernel)

    def op(input, other, *, out=None):
        a, b, ad, bd = binary_arrays(input, other, name)
        if to_float:
            a, b, ad, bd = _float_pair(a, b, ad, bd)
        if kinds is not None:
            t = ad if a is not None else bd
            if t.dtype.kind not in kinds:
                raise _dtype_error(name, t)
        arr = _apply(kernel, ad, bd, name, ad, bd)
        if node_cls is None:
            return _maybe_out(new_tensor(arr), out)
        res, node = _record(arr, node_cls, a, b, ad, bd)
        if node is not None and saves is not None:
            node.save(*saves(a, b, ad, bd, res))
        return _maybe_out(res, out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (
        f"{summary}\n\n    Example:\n        >>> import ember\n        >>> {example}\n"
        f"        {result}\n"
    )
    return op


def _save_ab(a, b, ad, bd, res):
    return (ad if a is None else a, bd if b is None else b)


def _save_ab_out(a, b, ad, bd, res):
    return (ad if a is None else a, bd if b is None else b, saved_output(res))


class Atan2Backward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, a, b):
        denom = a * a + b * b
        ga = None if self._next[0] is None else grad * b / denom
        gb = None if self._next[1] is None else grad * -a / denom
        return self.reduce(F, ga, gb)


class HypotBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, a, b, result):
        ga = None if self._next[0] is None else grad * a / result
        gb = None if self._next[1] is None else grad * b / result
        return self.reduce(F, ga, gb)


class _ModNode(_BinaryNode):
    """fmod / remainder: d/da = 1, d/db = -q with q the rounded quotient."""

    __slots__ = ()
    rounding = "trunc"

    def backward(self, F, grad, a, b):
        ga = grad if self._next[0] is not None else None
        gb = None
        if self._next[1] is not None:
            q = a / b
            q = F.trunc(q) if self.rounding == "trunc" else F.floor(q)
            gb = grad * -q
        return self.reduce(F, ga, gb)


class FmodBackward0(_ModNode):
    __slots__ = ()


class FmodBackward1(_ModNode):
    __slots__ = ()


class RemainderBackward0(_ModNode):
    __slots__ = ()
    rounding = "floor"


class RemainderBackward1(_ModNode):
    __slots__ = ()
    rounding = "floor"


class DivBackward2(_BinaryNode):
    """Rounded division: the gradient is zero almost everywhere."""

    __slots__ = ()

    def backward(self, F, grad):
        ga = None if self._next[0] is None else F.zeros_like(grad)
        gb = None if self._next[1] is None else F.zeros_like(grad)
        return self.reduce(F, ga, gb)


def _check_int_zero(op: str, bd) -> None:
    if not bool((bd != 0).all()):
        raise RuntimeError(f"ZeroDivisionError: {op}(): integer division by zero")


def _int_operands(op, a, b, ad, bd):
    """Checks for integer-valued rounded division ops; True when the operands are integers."""
    kind = (ad if a is not None else bd).dtype.kind
    if kind == "b":
        raise _dtype_error(op, ad if a is not None else bd)
    if kind in "iu":
        _check_int_zero(op, bd if b is not None else np.asarray(bd))
        return True
    return False


@_quiet
def _trunc_div(ad, bd, ints):
    if ints:
        q = np.floor_divide(ad, bd)
        return q + ((q * bd != ad) & ((np.asarray(ad) < 0) != (np.asarray(bd) < 0)))
    return np.trunc(np.true_divide(ad, bd))


_floor_div = _quiet(np.floor_divide)


def _rounded_div(input, other, mode, op: str = "div") -> Tensor:
    """``div(input, other, rounding_mode=mode)`` for mode ``'trunc'`` or ``'floor'``:
    integer dtypes stay integer; the gradient is zero (``DivBackward2``)."""
    if mode != "trunc" and mode != "floor":
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{mode}'"
        )
    a, b, ad, bd = binary_arrays(input, other, op)
    ints = _int_operands(op, a, b, ad, bd)
    try:
        arr = _trunc_div(ad, bd, ints) if mode == "trunc" else _floor_div(ad, bd)
    except ValueError:
        raise broadcast_error(op, np.shape(ad), np.shape(bd)) from None
    res, _ = _record(arr, DivBackward2, a, b, ad, bd)
    return res


def floor_divide(input, other, *, out=None) -> Tensor:
    """Division rounded down (``div(..., rounding_mode='floor')``); the ``//`` operator.

    The gradient is zero almost everywhere (PyTorch leaves it undefined).

    Example:
        >>> import ember
        >>> ember.floor_divide(ember.tensor([7, -7]), 2)
        tensor([ 3, -4])
    """
    return _maybe_out(_rounded_div(input, other, "floor", "floor_divide"), out)


def _mod_op(name, kernel, node_scalar, node_tensor, doc):
    kernel = _quiet(kernel)

    def op(input, other, *, out=None):
        a, b, ad, bd = binary_arrays(input, other, name)
        _int_operands(name, a, b, ad, bd)
        arr = _apply(kernel, ad, bd, name, ad, bd)
        res, node = _record(arr, node_tensor if b is not None else node_scalar, a, b, ad, bd)
        if node is not None:
            node.save(*_save_ab(a, b, ad, bd, res))
        return _maybe_out(res, out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    return op


fmod = _mod_op(
    "fmod", np.fmod, FmodBackward0, FmodBackward1,
    """The C-style remainder of division: the result has the sign of ``input``.

    Example:
        >>> import ember
        >>> ember.fmod(ember.tensor([-3.0, 3.0]), 2)
        tensor([-1.,  1.])
    """,
)  # fmt: skip
remainder = _mod_op(
    "remainder", np.remainder, RemainderBackward0, RemainderBackward1,
    """The Python-style remainder (the ``%`` operator): the result has the sign of ``other``.

    Example:
        >>> import ember
        >>> ember.remainder(ember.tensor([-3.0, 3.0]), 2)
        tensor([1., 1.])
    """,
)  # fmt: skip


class _ExtremumNode(_BinaryNode):
    """maximum / minimum: the gradient goes to the selected input, split evenly on ties."""

    __slots__ = ()
    sign = 1

    def backward(self, F, grad, a, b):
        half = grad * 0.5
        lost_a = a < b if self.sign > 0 else a > b
        lost_b = b < a if self.sign > 0 else b > a
        tie = a == b
        ga = gb = None
        if self._next[0] is not None:
            ga = F.where(tie, half, F.where(lost_a, 0.0, grad))
        if self._next[1] is not None:
            gb = F.where(tie, half, F.where(lost_b, 0.0, grad))
        return self.reduce(F, ga, gb)


class MaximumBackward0(_ExtremumNode):
    __slots__ = ()


class MinimumBackward0(_ExtremumNode):
    __slots__ = ()
    sign = -1


class _FExtremumNode(_BinaryNode):
    """fmax / fmin: the gradient goes to ``input`` when it is selected (ties included)."""

    __slots__ = ()
    sign = 1

    def backward(self, F, grad, a, b):
        pick_a = ((a >= b) if self.sign > 0 else (a <= b)) | F.isnan(b)
        ga = None if self._next[0] is None else F.where(pick_a, grad, 0.0)
        gb = None if self._next[1] is None else F.where(pick_a, 0.0, grad)
        return self.reduce(F, ga, gb)


class FmaxBackward0(_FExtremumNode):
    __slots__ = ()


class FminBackward0(_FExtremumNode):
    __slots__ = ()
    sign = -1


def _no_complex(kernel, name):
    def run(ad, bd):
        if getattr(ad, "dtype", None) is not None and ad.dtype.kind == "c":
            raise RuntimeError(f"{name} not implemented for complex tensors.")
        return kernel(ad, bd)

    return run


class _CopysignNode(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, a, result):
        safe = F.where(a == 0, 1.0, a)
        return self.reduce(F, grad * F.where(a == 0, 0.0, result / safe), None)


class CopysignBackward0(_CopysignNode):
    __slots__ = ()


class CopysignBackward1(_CopysignNode):
    __slots__ = ()


class LdexpBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, b, result):
        ga = None if self._next[0] is None else grad * F.exp2(b)
        gb = None if self._next[1] is None else grad * result * _LN2
        return self.reduce(F, ga, gb)


class LogaddexpBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, a, b, result):
        ga = None if self._next[0] is None else grad * F.exp(a - result)
        gb = None if self._next[1] is None else grad * F.exp(b - result)
        return self.reduce(F, ga, gb)


class Logaddexp2Backward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, a, b, result):
        ga = None if self._next[0] is None else grad * F.exp2(a - result)
        gb = None if self._next[1] is None else grad * F.exp2(b - result)
        return self.reduce(F, ga, gb)


class _XlogyNode(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, a, b):
        ga = gb = None
        if self._next[0] is not None:
            safe = F.where((a == 0) & (b <= 0), 1.0, b)
            ga = grad * F.where((a == 0) & (b <= 0), 0.0, F.log(safe))
        if self._next[1] is not None:
            gb = grad * a / b
        return self.reduce(F, ga, gb)


class XlogyBackward0(_XlogyNode):
    __slots__ = ()


class XlogyBackward1(_XlogyNode):
    __slots__ = ()


class XlogyBackward2(_XlogyNode):
    __slots__ = ()


def _xlogy_kernel(a, b):
    return np.where((a == 0) & ~np.isnan(b), 0.0, a * np.log(b))


def _ldexp_kernel(a, b):
    return a * np.exp2(b).astype(a.dtype if hasattr(a, "dtype") else np.float64, copy=False)


def _heaviside_kernel(a, b):
    return np.heaviside(a, b).astype(a.dtype, copy=False)


def _save_a_out(a, b, ad, bd, res):
    return (a, saved_output(res))


def _save_b_out(a, b, ad, bd, res):
    return (bd if b is None else b, saved_output(res))


atan2 = _binary(
    "atan2", np.arctan2, Atan2Backward0, _save_ab, True,
    "The angle of the point ``(other, input)``: ``atan(input / other)`` in the right quadrant.",
    "ember.atan2(ember.tensor([1.0, -1.0]), ember.tensor([-1.0, -1.0]))",
    "tensor([ 2.3562, -2.3562])", quiet=False,
)  # fmt: skip
hypot = _binary(
    "hypot", np.hypot, HypotBackward0, _save_ab_out, False,
    "``sqrt(input**2 + other**2)`` without overflow (float tensors).",
    "ember.hypot(ember.tensor([3.0]), ember.tensor([4.0]))", "tensor([5.])", kinds="f",
)  # fmt: skip
maximum = _binary(
    "maximum", _no_complex(np.maximum, "maximum"), MaximumBackward0, _save_ab, False,
    "The elementwise maximum (NaN wins); ties split the gradient evenly.",
    "ember.maximum(ember.tensor([1.0, 5.0]), ember.tensor([3.0, 2.0]))", "tensor([3., 5.])",
    quiet=False,
)  # fmt: skip
minimum = _binary(
    "minimum", _no_complex(np.minimum, "minimum"), MinimumBackward0, _save_ab, False,
    "The elementwise minimum (NaN wins); ties split the gradient evenly.",
    "ember.minimum(ember.tensor([1.0, 5.0]), ember.tensor([3.0, 2.0]))", "tensor([1., 2.])",
    quiet=False,
)  # fmt: skip
fmax = _binary(
    "fmax", _no_complex(np.fmax, "fmax"), FmaxBackward0, _save_ab, False,
    "The elementwise maximum, ignoring NaN where the other value is a number.",
    "ember.fmax(ember.tensor([1.0, float('nan')]), ember.tensor([3.0, 2.0]))",
    "tensor([3., 2.])", quiet=False,
)  # fmt: skip
fmin = _binary(
    "fmin", _no_complex(np.fmin, "fmin"), FminBackward0, _save_ab, False,
    "The elementwise minimum, ignoring NaN where the other value is a number.",
    "ember.fmin(ember.tensor([1.0, float('nan')]), ember.tensor([3.0, 2.0]))",
    "tensor([1., 2.])", quiet=False,
)  # fmt: skip
nextafter = _binary(
    "nextafter", np.nextafter, None, None, False,
    "The next representable float after ``input`` toward ``other`` (not differentiable).",
    "ember.nextafter(ember.tensor([1.0]), ember.tensor([2.0])) - 1", "tensor([1.1921e-07])",
    kinds="f", quiet=False,
)  # fmt: skip
ldexp = _binary(
    "ldexp", _ldexp_kernel, LdexpBackward0, _save_b_out, True,
    "``input * 2 ** other``.",
    "ember.ldexp(ember.tensor([1.0, 3.0]), ember.tensor([3, 1]))", "tensor([8., 6.])",
)  # fmt: skip
logaddexp = _binary(
    "logaddexp", np.logaddexp, LogaddexpBackward0, _save_ab_out, False,
    "``log(exp(input) + exp(other))`` without overflow (float tensors).",
    "ember.logaddexp(ember.tensor([-1000.0, 0.0]), ember.tensor([-1000.0, 0.0]))",
    "tensor([-9.9931e+02,  6.9315e-01])",
    kinds="fc",
)  # fmt: skip
logaddexp2 = _binary(
    "logaddexp2", np.logaddexp2, Logaddexp2Backward0, _save_ab_out, False,
    "``log2(2**input + 2**other)`` without overflow (float tensors).",
    "ember.logaddexp2(ember.tensor([3.0]), ember.tensor([3.0]))", "tensor([4.])", kinds="f",
)  # fmt: skip
_heaviside = _binary("heaviside", _heaviside_kernel, None, None, False, "", "", "")


def heaviside(input, values, *, out=None) -> Tensor:
    """The Heaviside step: 0 below zero, 1 above, ``values`` at zero (not differentiable;
    both tensors must have the same dtype).

    Example:
        >>> import ember
        >>> ember.heaviside(ember.tensor([-1.0, 0.0, 2.0]), ember.tensor([0.5]))
        tensor([0.0000, 0.5000, 1.0000])
    """
    if isinstance(input, Tensor) and isinstance(values, Tensor) and input.dtype is not values.dtype:
        raise RuntimeError(
            f"heaviside is not yet implemented for tensors with different dtypes "
            f"({input.dtype.name} and {values.dtype.name})."
        )
    return _heaviside(input, values, out=out)


def _copysign_kernel(a, b):
    return np.copysign(a, b)


_copysign_t = _binary(
    "copysign", _copysign_kernel, CopysignBackward0, _save_a_out, True, "", "", "",
)  # fmt: skip
_copysign_s = _binary(
    "copysign", _copysign_kernel, CopysignBackward1, _save_a_out, True, "", "", "",
)  # fmt: skip


def copysign(input, other, *, out=None) -> Tensor:
    """``|input|`` with the sign of ``other`` (integer inputs give floats).

    Example:
        >>> import ember
        >>> ember.copysign(ember.tensor([1.0, -2.0]), ember.tensor([-0.0, 1.0]))
        tensor([-1.,  2.])
    """
    fn = _copysign_t if isinstance(other, Tensor) else _copysign_s
    return fn(input, other, out=out)


_xlogy_nodes = (XlogyBackward0, XlogyBackward1, XlogyBackward2)
_xlogy = _binary("xlogy", _xlogy_kernel, XlogyBackward0, _save_ab, True, "", "", "")
_xlogy1 = _binary("xlogy", _xlogy_kernel, XlogyBackward1, _save_ab, True, "", "", "")
_xlogy2 = _binary("xlogy", _xlogy_kernel, XlogyBackward2, _save_ab, True, "", "", "")


def xlogy(input, other, *, out=None) -> Tensor:
    """``input * log(other)``, and 0 where ``input`` is 0 (unless ``other`` is NaN).

    Example:
        >>> import ember
        >>> ember.xlogy(ember.tensor([0.0, 2.0]), ember.tensor([0.0, 3.0]))
        tensor([0.0000, 2.1972])
    """
    if not isinstance(input, Tensor):
        return _xlogy1(input, other, out=out)
    return (_xlogy if isinstance(other, Tensor) else _xlogy2)(input, other, out=out)


arctan2 = atan2

# -- lerp, addcmul, addcdiv ---------------------------------------------------------------------


def _sum_to(F, g, shape):
    return g if shape is None or tuple(g.shape) == shape else F.sum_to(g, shape)


class _TernaryNode(Node):
    """A node with three broadcast inputs; ``ctx`` holds their shapes."""

    __slots__ = ()

    def reduce3(self, F, *grads):
        shapes = self.ctx
        return tuple(
            None if g is None else _sum_to(F, g, s)
            for g, s in zip(grads, shapes or (None,) * 3, strict=False)
        )


class LerpBackward0(_TernaryNode):
    __slots__ = ()

    def backward(self, F, grad, weight):
        gs = None if self._next[0] is None else grad * (1.0 - weight)
        ge = None if self._next[1] is None else grad * weight
        return self.reduce3(F, gs, ge)[:2]


class LerpBackward1(_TernaryNode):
    __slots__ = ()

    def backward(self, F, grad, start, end, weight):
        gs = None if self._next[0] is None else grad * (1.0 - weight)
        ge = None if self._next[1] is None else grad * weight
        gw = None if self._next[2] is None else grad * (end - start)
        return self.reduce3(F, gs, ge, gw)


class AddcmulBackward0(_TernaryNode):
    __slots__ = ()

    def backward(self, F, grad, t1, t2, value):
        gi = grad if self._next[0] is not None else None
        g1 = None if self._next[1] is None else grad * t2 * value
        g2 = None if self._next[2] is None else grad * t1 * value
        return self.reduce3(F, gi, g1, g2)


class AddcdivBackward0(_TernaryNode):
    __slots__ = ()

    def backward(self, F, grad, t1, t2, value):
        gi = grad if self._next[0] is not None else None
        g1 = None if self._next[1] is None else grad * value / t2
        g2 = None if self._next[2] is None else grad * -value * t1 / (t2 * t2)
        return self.reduce3(F, gi, g1, g2)


def _attach3(res, node, inputs):
    """Attach a three-input node, recording input shapes that broadcasting changed."""
    shape = res._data.shape
    shapes = tuple(None if t is None or t._data.shape == shape else t._data.shape for t in inputs)
    if any(s is not None for s in shapes):
        node.ctx = shapes
    attach(res, node, *inputs)


def _same_dtype(op, names, tensors):
    first = tensors[0]
    for name, t in zip(names[1:], tensors[1:], strict=False):
        if t._data.dtype != first._data.dtype:
            raise RuntimeError(
                f"{op}(): expected dtype {first.dtype.name} for `{name}` but got dtype "
                f"{t.dtype.name}"
            )


def _broadcast3(op, *arrays):
    try:
        return np.broadcast_shapes(*(np.shape(x) for x in arrays))
    except ValueError:
        shapes = ", ".join(str(list(np.shape(x))) for x in arrays)
        raise RuntimeError(f"{op}(): shapes {shapes} do not broadcast") from None


def lerp(input, end, weight, *, out=None) -> Tensor:
    """Linear interpolation ``input + weight * (end - input)``; ``weight`` is a number or a
    tensor (float tensors of one dtype).

    Example:
        >>> import ember
        >>> ember.lerp(ember.tensor([0.0, 10.0]), ember.tensor([10.0, 20.0]), 0.25)
        tensor([ 2.5000, 12.5000])
    """
    start = _tensor_arg(input, "lerp")
    if not isinstance(end, Tensor):
        raise TypeError(
            f"lerp(): argument 'end' (position 2) must be Tensor, not {type(end).__name__}"
        )
    w_is_tensor = isinstance(weight, Tensor)
    tensors = (start, end, weight) if w_is_tensor else (start, end)
    if start._data.dtype.kind not in "fc":
        raise _dtype_error("lerp", start._data)
    _same_dtype("lerp", ("input", "end", "weight"), tensors)
    sd, ed = start._data, end._data
    wd = weight._data if w_is_tensor else weight
    _broadcast3("lerp", sd, ed, wd)
    arr = sd + wd * (ed - sd)
    if arr.dtype != sd.dtype:
        arr = arr.astype(sd.dtype)
    res = new_tensor(arr)
    if grad_state.enabled and (start._requires_grad or end._requires_grad or
                               (w_is_tensor and weight._requires_grad)):  # fmt: skip
        if w_is_tensor:
            node = LerpBackward1()
            _attach3(res, node, (start, end, weight))
            node.save(start, end, weight)
        else:
            node = LerpBackward0()
            _attach3(res, node, (start, end, None))
            node.save(weight)
    return _maybe_out(res, out)


def _addc(op, node_cls, input, tensor1, tensor2, value, out, divide):
    tensors = (_tensor_arg(input, op), tensor1, tensor2)
    for i, t in enumerate(tensors[1:], start=2):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"{op}(): argument 'tensor{i - 1}' (position {i}) must be Tensor, not "
                f"{type(t).__name__}"
            )
    rt = D.result_type(*tensors)
    if divide and rt.category < D.float32.category:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as "
            "(input + value * trunc(tensor1 / tensor2)).to(input.dtype) "
            "for integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The "
            "future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    tensors = tuple(t if t._data.dtype == rt.np else t.to(rt) for t in tensors)
    x, t1, t2 = tensors
    xd, d1, d2 = x._data, t1._data, t2._data
    _broadcast3(op, xd, d1, d2)
    if rt.category < D.float32.category and isinstance(value, float):
        value = int(value)
    with np.errstate(all="ignore"):
        arr = xd + value * (d1 / d2 if divide else d1 * d2)
    if arr.dtype != rt.np:
        arr = arr.astype(rt.np)
    res = new_tensor(arr)
    if grad_state.enabled and (x._requires_grad or t1._requires_grad or t2._requires_grad):
        node = node_cls()
        _attach3(res, node, tensors)
        node.save(t1, t2, value)
    return _maybe_out(res, out)


def addcmul(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 * tensor2``, broadcasting.

    Example:
        >>> import ember
        >>> ember.addcmul(ember.tensor([1.0]), ember.tensor([2.0]), ember.tensor([3.0]), value=2)
        tensor([13.])
    """
    if _amp.active:
        input, tensor1, tensor2 = _amp.cast("addcmul", input, tensor1, tensor2)
    return _addc("addcmul", AddcmulBackward0, input, tensor1, tensor2, value, out, False)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None) -> Tensor:
    """``input + value * tensor1 / tensor2``, broadcasting (float results only).

    Example:
        >>> import ember
        >>> ember.addcdiv(ember.tensor([1.0]), ember.tensor([3.0]), ember.tensor([2.0]), value=2)
        tensor([4.])
    """
    if _amp.active:
        input, tensor1, tensor2 = _amp.cast("addcdiv", input, tensor1, tensor2)
    return _addc("addcdiv", AddcdivBackward0, input, tensor1, tensor2, value, out, True)


# -- clamp --------------------------------------------------------------------------------------


class ClampBackward1(Node):
    """clamp with number bounds: the gradient passes inside ``[min, max]`` (bounds included)."""

    __slots__ = ()

    def backward(self, F, grad, x, lo, hi):
        if lo is None:
            keep = x <= hi
        elif hi is None:
            keep = x >= lo
        else:
            keep = (x >= lo) & (x <= hi)
        return F.where(keep, grad, 0.0)


class ClampBackward0(_TernaryNode):
    """clamp with tensor bounds (PyTorch's ``clamp_backward_min_max``)."""

    __slots__ = ()

    def backward(self, F, grad, x, lo, hi):
        gx = glo = ghi = None
        if lo is not None and hi is not None:
            if self._next[0] is not None:
                gx = F.where((x >= lo) & (x <= hi), grad, 0.0)
            if self._next[1] is not None:
                glo = F.where((x < lo) & (lo < hi), grad, 0.0)
            if self._next[2] is not None:
                ghi = F.where((x > hi) | (hi < lo), grad, 0.0)
        elif lo is not None:
            if self._next[0] is not None:
                gx = F.where(x >= lo, grad, 0.0)
            if self._next[1] is not None:
                glo = F.where(x < lo, grad, 0.0)
        else:
            if self._next[0] is not None:
                gx = F.where(x <= hi, grad, 0.0)
            if self._next[2] is not None:
                ghi = F.where(x > hi, grad, 0.0)
        return self.reduce3(F, gx, glo, ghi)


class ClampMinBackward0(ClampBackward1):
    __slots__ = ()


class ClampMaxBackward0(ClampBackward1):
    __slots__ = ()


class ClampMinBackward1(ClampBackward0):
    __slots__ = ()


class ClampMaxBackward1(ClampBackward0):
    __slots__ = ()


def _clamp(input, min, max, out, op, scalar_node, tensor_node):
    x = _tensor_arg(input, op)
    if min is None and max is None:
        raise RuntimeError(f"{op}: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        return _clamp_tensors(x, min, max, out, op, tensor_node)
    d = x._data
    if d.dtype.kind == "c":
        raise RuntimeError(f"{op} is not supported for complex types")
    rt = D.result_type(*(v for v in (x, min, max) if v is not None))
    if rt.np != d.dtype:
        x = x.to(rt)
        d = x._data
    arr = d
    if min is not None:
        arr = np.maximum(arr, min)
    if max is not None:
        arr = np.minimum(arr, max)
    if arr is d:
        arr = d.copy()
    if arr.dtype != d.dtype:
        arr = arr.astype(d.dtype)
    res = new_tensor(arr)
    if grad_state.enabled and x._requires_grad:
        node = scalar_node()
        attach(res, node, x)
        node.save(x, min, max)
    return _maybe_out(res, out)


def _clamp_tensors(x, lo, hi, out, op, node_cls):
    from .. import tensor as _tensor

    d = x._data
    if lo is not None and not isinstance(lo, Tensor):
        lo = _tensor(lo, dtype=D.result_type(x, lo), device=x.device)
    if hi is not None and not isinstance(hi, Tensor):
        hi = _tensor(hi, dtype=D.result_type(x, hi), device=x.device)
    rt = D.result_type(*(v for v in (x, lo, hi) if v is not None))
    x, lo, hi = (
        None if v is None else (v if v._data.dtype == rt.np else v.to(rt)) for v in (x, lo, hi)
    )
    d = x._data
    try:
        arr = d if lo is None else np.maximum(d, lo._data)
        arr = arr if hi is None else np.minimum(arr, hi._data)
    except ValueError:
        shapes = [list(v._data.shape) for v in (x, lo, hi) if v is not None]
        raise RuntimeError(f"{op}(): shapes {shapes} do not broadcast") from None
    res = new_tensor(arr if arr is not d else d.copy())
    if grad_state.enabled and any(v is not None and v._requires_grad for v in (x, lo, hi)):
        node = node_cls()
        _attach3(res, node, (x, lo, hi))
        node.save(x, lo, hi)
    return _maybe_out(res, out)


def clamp(input, min=None, max=None, *, out=None) -> Tensor:
    """Clamp to ``[min, max]``; each bound is a number, a tensor (broadcast) or None.

    Where ``min > max`` the result is ``max``. The gradient passes where
    ``min <= input <= max`` (bounds included), as in PyTorch.

    Example:
        >>> import ember
        >>> ember.clamp(ember.tensor([-2.0, 0.5, 3.0]), min=-1.0, max=1.0)
        tensor([-1.0000,  0.5000,  1.0000])
    """
    return _clamp(input, min, max, out, "clamp", ClampBackward1, ClampBackward0)


def clamp_min(input, min, *, out=None) -> Tensor:
    """``clamp(input, min=min)``.

    Example:
        >>> import ember
        >>> ember.clamp_min(ember.tensor([-2.0, 3.0]), 0.0)
        tensor([0., 3.])
    """
    return _clamp(input, min, None, out, "clamp_min", ClampMinBackward0, ClampMinBackward1)


def clamp_max(input, max, *, out=None) -> Tensor:
    """``clamp(input, max=max)``.

    Example:
        >>> import ember
        >>> ember.clamp_max(ember.tensor([-2.0, 3.0]), 0.0)
        tensor([-2.,  0.])
    """
    return _clamp(input, None, max, out, "clamp_max", ClampMaxBackward0, ClampMaxBackward1)


clip = clamp

# -- where --------------------------------------------------------------------------------------


class WhereBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, cond):
        ga = None if self._next[0] is None else F.where(cond, grad, 0.0)
        gb = None if self._next[1] is None else F.where(cond, 0.0, grad)
        return self.reduce(F, ga, gb)


def where(condition, input=None, other=None, *, out=None):
    """Elements of ``input`` where ``condition`` is True, of ``other`` elsewhere
    (broadcasting; either may be a Python number). ``where(condition)`` alone is
    ``nonzero(condition, as_tuple=True)``.

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, -2.0, 3.0])
        >>> ember.where(x > 0, x, 0.0)
        tensor([1., 0., 3.])
    """
    if not isinstance(condition, Tensor):
        raise TypeError(
            "where(): argument 'condition' (position 1) must be Tensor, not "
            f"{type(condition).__name__}"
        )
    c = condition._data
    if c.dtype != np.bool_:
        if c.dtype != np.uint8:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{condition.dtype.name}"
            )
        c = c.astype(bool)
    if input is None and other is None:
        return tuple(new_tensor(i.astype(np.int64, copy=False)) for i in np.nonzero(c))
    if input is None or other is None:
        raise TypeError("where(): expected both input and other (or neither)")
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        from .. import tensor as _tensor

        rt = D.result_type(input, other)
        input = _tensor(input, dtype=rt, device=condition.device)
    a, b, ad, bd = binary_arrays(input, other, "where")
    try:
        arr = np.where(c, ad, bd)
    except ValueError:
        raise RuntimeError(
            f"where(): the shapes of condition {list(c.shape)}, input {list(np.shape(ad))} and "
            f"other {list(np.shape(bd))} do not broadcast"
        ) from None
    t = ad if a is not None else bd
    if arr.dtype != t.dtype:
        arr = arr.astype(t.dtype)
    res = new_tensor(arr)
    if grad_state.enabled and (
        (a is not None and a._requires_grad) or (b is not None and b._requires_grad)
    ):
        node = WhereBackward0()
        shape = arr.shape
        a_shape = ad.shape if a is not None else None
        b_shape = bd.shape if b is not None else None
        if a_shape != shape or b_shape != shape:
            node.ctx = (
                None if a_shape == shape else a_shape,
                None if b_shape == shape else b_shape,
            )
        attach(res, node, a, b)
        node.save(c if c.shape == shape else np.broadcast_to(c, shape))
    return _maybe_out(res, out)


# -- Tensor methods, in-place variants, operators ----------------------------------------------

_METHODS = {
    "abs": abs, "absolute": abs, "sqrt": sqrt, "rsqrt": rsqrt, "exp": exp, "exp2": exp2,
    "expm1": expm1, "log": log, "log2": log2, "log10": log10, "log1p": log1p, "sin": sin,
    "cos": cos, "tan": tan, "asin": asin, "arcsin": asin, "acos": acos, "arccos": acos,
    "atan": atan, "arctan": atan, "sinh": sinh, "cosh": cosh, "tanh": tanh, "asinh": asinh,
    "arcsinh": asinh, "acosh": acosh, "arccosh": acosh, "atanh": atanh, "arctanh": atanh,
    "sigmoid": sigmoid, "logit": logit, "sinc": sinc, "reciprocal": reciprocal,
    "square": square, "sign": sign, "sgn": sgn, "floor": floor, "ceil": ceil, "round": round,
    "trunc": trunc, "fix": trunc, "frac": frac, "relu": relu, "nan_to_num": nan_to_num,
    "deg2rad": deg2rad, "rad2deg": rad2deg, "atan2": atan2, "arctan2": atan2, "hypot": hypot,
    "fmod": fmod, "remainder": remainder, "floor_divide": floor_divide, "copysign": copysign,
    "nextafter": nextafter, "ldexp": ldexp, "xlogy": xlogy, "heaviside": heaviside,
    "lerp": lerp, "addcmul": addcmul, "addcdiv": addcdiv, "clamp": clamp, "clip": clamp,
    "clamp_min": clamp_min, "clamp_max": clamp_max,
}  # fmt: skip
_NO_INPLACE = {"nan_to_num", "round", "logit", "clamp", "clip", "clamp_min", "clamp_max",
               "addcmul", "addcdiv", "lerp"}  # fmt: skip
_UNARY_NAMES = {row[0] for row in _UNARY} | {
    "absolute", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh", "fix", "square",
    "relu", "logit", "nan_to_num", "round",
}  # fmt: skip


def _inplace(fn, name: str):
    """The in-place method ``name`` of an op with several tensor arguments or keywords."""

    def method(self, *args, **kwargs):
        tracked = args + tuple(kwargs.values())
        return apply_inplace(self, lambda v: fn(v, *args, **kwargs), name, tracked)

    method.__name__ = name
    method.__doc__ = f"In-place version of :func:`ember.{name[:-1]}`."
    return method


for _name, _fn in _METHODS.items():
    setattr(Tensor, _name, _fn)
    if _name in _NO_INPLACE:
        setattr(Tensor, _name + "_", _inplace(_fn, _name + "_"))
    else:
        setattr(Tensor, _name + "_", inplace_binary(_fn, _name + "_", unary=_name in _UNARY_NAMES))
for _name, _fn in {"maximum": maximum, "minimum": minimum, "fmax": fmax, "fmin": fmin,
                   "logaddexp": logaddexp, "logaddexp2": logaddexp2, "signbit": signbit,
                   "angle": angle, "isreal": isreal, "conj_physical": conj_physical,
                   "conj": conj, "positive": Tensor.positive}.items():  # fmt: skip
    setattr(Tensor, _name, _fn)
Tensor.conj_physical_ = inplace_binary(conj_physical, "conj_physical_", unary=True)
Tensor.real = property(real, doc="The real part (a view for complex tensors).")
Tensor.imag = property(
    imag, lambda self, v: imag(self).copy_(v), doc="The imaginary part (a view)."
)


@method("where")
def _tensor_where(self, condition, other):
    """``ember.where(condition, self, other)``."""
    return where(condition, self, other)


def _rfloordiv(self, other):
    return floor_divide(other, self)


def _rmod(self, other):
    return remainder(other, self)


Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = _rfloordiv
Tensor.__ifloordiv__ = Tensor.floor_divide_
Tensor.__mod__ = remainder
Tensor.__rmod__ = _rmod
Tensor.__imod__ = Tensor.remainder_
Tensor.__abs__ = abs

del _name, _fn
