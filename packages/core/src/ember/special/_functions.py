"""The functions of ``ember.special`` that are new to the core: Bessel and Airy functions,
scaled and normal-distribution functions, regularised incomplete gamma, Hurwitz zeta,
``multigammaln`` and the orthogonal polynomials.

Differentiable where PyTorch is: ``entr``, ``erfcx``, ``i0e``, ``i1``, ``i1e``, ``ndtr``,
``log_ndtr``, ``ndtri``, ``multigammaln``, ``zeta`` (in ``other``), ``gammainc`` and
``gammaincc`` (in ``other``). The Bessel, Airy and polynomial functions return results that
do not require grad, as in PyTorch.
"""

from __future__ import annotations

import math

from .. import _dtype as D
from ..ops._core import Node, Tensor, attach, binary_arrays, grad_state, new_tensor, saved_output
from ..ops.arithmetic import _apply, _BinaryNode, _maybe_out, _record
from ..ops.pointwise import _float_pair
from . import _kernels as K
from . import _polynomials as P

_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _float_array(input, op: str):
    """The float array of a unary op's input (integers and bools become the default dtype)."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"special.{op}(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    d = input._data
    kind = d.dtype.kind
    if kind in "biu":
        return d.astype(D.get_default_dtype().np)
    if kind == "c":
        raise RuntimeError(f"special.{op}(): not implemented for complex tensors ({input.dtype})")
    return d


def _call(F, name: str, x):
    """``special.<name>(x)`` on tensors (create_graph) or its kernel on arrays."""
    if F.graph:
        import ember.special

        return getattr(ember.special, name)(x)
    return getattr(K, name)(x)


def _unary(name: str, kernel, node_cls=None, saves: str = "input"):
    def op(input, *, out=None) -> Tensor:
        res = new_tensor(kernel(_float_array(input, name)))
        if node_cls is not None and grad_state.enabled and input._requires_grad:
            node = node_cls()
            attach(res, node, input)
            if saves == "input":
                node.save(input)
            elif saves == "output":
                node.save(saved_output(res))
            else:
                node.save(input, saved_output(res))
        return _maybe_out(res, out)

    op.__name__ = op.__qualname__ = name
    return op


# -- differentiable unary functions -------------------------------------------------------------


class SpecialEntrBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x):
        return grad * -(F.log(x) + 1.0)


class SpecialErfcxBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, result):
        return grad * (2.0 * x * result - _TWO_OVER_SQRT_PI)


class SpecialI0EBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, result):
        return grad * (_call(F, "i1e", x) - F.sign(x) * result)


class SpecialI1EBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, result):
        safe = F.where(x == 0, 1.0, x)
        slope = _call(F, "i0e", x) - result * (F.sign(x) + 1.0 / safe)
        return grad * F.where(x == 0, 0.5, slope)


class SpecialNdtrBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x):
        return grad * (_INV_SQRT_2PI * F.exp(-0.5 * x * x))


class SpecialLogNdtrBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, result):
        return grad * (_INV_SQRT_2PI * F.exp(-0.5 * x * x - result))


class SpecialNdtriBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, result):
        return grad * (_SQRT_2PI * F.exp(0.5 * result * result))


entr = _unary("entr", K.entr, SpecialEntrBackward0)
erfcx = _unary("erfcx", K.erfcx, SpecialErfcxBackward0, "both")
i0e = _unary("i0e", K.i0e, SpecialI0EBackward0, "both")
i1e = _unary("i1e", K.i1e, SpecialI1EBackward0, "both")
ndtr = _unary("ndtr", K.ndtr, SpecialNdtrBackward0)
log_ndtr = _unary("log_ndtr", K.log_ndtr, SpecialLogNdtrBackward0, "both")
ndtri = _unary("ndtri", K.ndtri, SpecialNdtriBackward0, "output")

entr.__doc__ = """Elementwise entropy term ``-x * log(x)`` (0 at 0, ``-inf`` for ``x < 0``).

    Example:
        >>> import ember
        >>> ember.special.entr(ember.tensor([0.0, 0.5, 1.0, -1.0]))
        tensor([0.0000, 0.3466, -0.0000,   -inf])
    """
erfcx.__doc__ = """The scaled complementary error function ``exp(x**2) * erfc(x)``.

    Example:
        >>> import ember
        >>> ember.special.erfcx(ember.tensor([0.0, 1.0, 30.0]))
        tensor([1.0000, 0.4276, 0.0188])
    """
i0e.__doc__ = """The exponentially scaled modified Bessel function of order 0,
    ``exp(-|x|) * i0(x)``.

    Example:
        >>> import ember
        >>> ember.special.i0e(ember.tensor([0.0, 1.0, 100.0]))
        tensor([1.0000, 0.4658, 0.0399])
    """
i1e.__doc__ = """The exponentially scaled modified Bessel function of order 1,
    ``exp(-|x|) * i1(x)``.

    Example:
        >>> import ember
        >>> ember.special.i1e(ember.tensor([0.0, 1.0, -100.0]))
        tensor([ 0.0000,  0.2079, -0.0397])
    """
ndtr.__doc__ = """The standard normal cumulative distribution function.

    Example:
        >>> import ember
        >>> ember.special.ndtr(ember.tensor([-1.0, 0.0, 2.0]))
        tensor([0.1587, 0.5000, 0.9772])
    """
log_ndtr.__doc__ = """The log of the standard normal CDF, accurate far into the lower tail.

    Example:
        >>> import ember
        >>> ember.special.log_ndtr(ember.tensor([-40.0, 0.0]))
        tensor([-8.0461e+02, -6.9315e-01])
    """
ndtri.__doc__ = """The inverse of ``ndtr``: the standard normal quantile function.

    Example:
        >>> import ember
        >>> ember.special.ndtri(ember.tensor([0.0, 0.5, 0.975]))
        tensor([  -inf, 0.0000, 1.9600])
    """


class SpecialI1Backward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x, result):
        # I1'(x) = I0(x) - I1(x) / x, and 1/2 at x = 0
        safe = F.where(x == 0, 1.0, x)
        return grad * F.where(x == 0, 0.5, F.i0(x) - result / safe)


i1 = _unary("i1", K.modified_bessel_i1, SpecialI1Backward0, "both")
i1.__doc__ = """The modified Bessel function of the first kind, order 1.

    Example:
        >>> import ember
        >>> ember.special.i1(ember.tensor([0.0, 1.0, -2.0]))
        tensor([ 0.0000,  0.5652, -1.5906])
    """


# -- functions without a gradient (as in PyTorch) ----------------------------------------------

_NO_GRAD = (
    ("airy_ai", "The Airy function Ai.", "[-1.0, 0.0, 1.0]",
     "tensor([0.5356, 0.3550, 0.1353])"),
    ("bessel_j0", "The Bessel function of the first kind, order 0.", "[0.0, 1.0, 2.5]",
     "tensor([ 1.0000,  0.7652, -0.0484])"),
    ("bessel_j1", "The Bessel function of the first kind, order 1.", "[0.0, 1.0, -2.5]",
     "tensor([ 0.0000,  0.4401, -0.4971])"),
    ("bessel_y0", "The Bessel function of the second kind, order 0 (NaN for x < 0).",
     "[0.0, 1.0, 2.5]", "tensor([   -inf, 0.0883, 0.4981])"),
    ("bessel_y1", "The Bessel function of the second kind, order 1 (NaN for x < 0).",
     "[0.0, 1.0, 2.5]", "tensor([   -inf, -0.7812,  0.1459])"),
    ("modified_bessel_i0", "The modified Bessel function of the first kind, order 0.",
     "[0.0, 1.0]", "tensor([1.0000, 1.2661])"),
    ("modified_bessel_i1", "The modified Bessel function of the first kind, order 1.",
     "[0.0, 1.0]", "tensor([0.0000, 0.5652])"),
    ("modified_bessel_k0", "The modified Bessel function of the second kind, order 0.",
     "[0.0, 1.0]", "tensor([   inf, 0.4210])"),
    ("modified_bessel_k1", "The modified Bessel function of the second kind, order 1.",
     "[0.0, 1.0]", "tensor([   inf, 0.6019])"),
    ("scaled_modified_bessel_k0", "``exp(x) * modified_bessel_k0(x)``.", "[1.0, 100.0]",
     "tensor([1.1445, 0.1252])"),
    ("scaled_modified_bessel_k1", "``exp(x) * modified_bessel_k1(x)``.", "[1.0, 100.0]",
     "tensor([1.6362, 0.1258])"),
    ("spherical_bessel_j0", "The spherical Bessel function of the first kind, order 0, "
     "``sin(x) / x``.", "[0.0, 1.0]", "tensor([1.0000, 0.8415])"),
)  # fmt: skip


def _no_grad_unary(name, summary, ex_in, ex_out):
    op = _unary(name, getattr(K, name))
    op.__doc__ = (
        f"{summary}\n\n    The result does not require grad (PyTorch has no derivative for it)."
        f"\n\n    Example:\n        >>> import ember\n"
        f"        >>> ember.special.{name}(ember.tensor({ex_in}))\n        {ex_out}\n    "
    )
    return op


airy_ai, bessel_j0, bessel_j1, bessel_y0, bessel_y1 = (_no_grad_unary(*row) for row in _NO_GRAD[:5])
modified_bessel_i0, modified_bessel_i1, modified_bessel_k0, modified_bessel_k1 = (
    _no_grad_unary(*row) for row in _NO_GRAD[5:9]
)
scaled_modified_bessel_k0, scaled_modified_bessel_k1, spherical_bessel_j0 = (
    _no_grad_unary(*row) for row in _NO_GRAD[9:]
)


# -- binary functions --------------------------------------------------------------------------


def _binary_floats(input, other, op: str):
    a, b, ad, bd = binary_arrays(input, other, f"special.{op}")
    a, b, ad, bd = _float_pair(a, b, ad, bd)
    t = ad if a is not None else bd
    if t.dtype.kind == "c":
        raise RuntimeError(f"special.{op}(): not implemented for complex tensors")
    return a, b, ad, bd


def _as_array_pair(ad, bd):
    """Both operands as arrays (a Python number becomes a 0-d array of the other's dtype)."""
    import numpy as np

    if not hasattr(ad, "shape"):
        ad = np.asarray(ad, dtype=bd.dtype)
    if not hasattr(bd, "shape"):
        bd = np.asarray(bd, dtype=ad.dtype)
    if ad.dtype != bd.dtype:  # NumPy scalars of the tensor's dtype: keep the tensor's
        ad = ad.astype(bd.dtype) if ad.ndim == 0 else ad
        bd = bd.astype(ad.dtype)
    return ad, bd


def _not_implemented(what: str) -> RuntimeError:
    return RuntimeError(
        f"the derivative for '{what}' is not implemented (as in PyTorch); detach that input "
        "or compute the gradient with respect to the other one"
    )


class SpecialZetaBackward0(_BinaryNode):
    __slots__ = ()

    def backward(self, F, grad, s, q):
        if self._next[0] is not None:
            raise _not_implemented("zeta: input")
        gq = None
        if self._next[1] is not None:
            gq = grad * -s * _zeta_any(F, s + 1.0, q)
        return self.reduce(F, None, gq)


class SpecialZetaBackward1(SpecialZetaBackward0):
    __slots__ = ()


class SpecialZetaBackward2(SpecialZetaBackward0):
    __slots__ = ()


def _zeta_any(F, s, q):
    if F.graph:
        return zeta(s, q)
    ad, bd = _as_array_pair(s, q)
    return K.zeta(ad, bd)


class _IgammaNode(_BinaryNode):
    __slots__ = ()
    _sign = 1.0
    _what = "gammainc: input"

    def backward(self, F, grad, a, x):
        if self._next[0] is not None:
            raise _not_implemented(self._what)
        gx = None
        if self._next[1] is not None:
            if F.graph and isinstance(a, Tensor):
                lg = F.lgamma(a)
            else:
                lg = _lgamma_array(a)
            gx = grad * (self._sign * F.exp((a - 1.0) * F.log(x) - x - lg))
        return self.reduce(F, None, gx)


def _lgamma_array(a):
    import numpy as np

    from ..ops.special_math import lgamma_array

    out = lgamma_array(np.asarray(a, dtype=np.float64) if np.ndim(a) == 0 else a)
    return float(out) if np.ndim(a) == 0 else out


class IgammaBackward0(_IgammaNode):
    __slots__ = ()


class IgammacBackward0(_IgammaNode):
    __slots__ = ()
    _sign = -1.0
    _what = "gammaincc: input"


def _binary_op(name: str, kernel, node_cls, input, other, out):
    a, b, ad, bd = _binary_floats(input, other, name)
    arr = _apply(lambda u, v: kernel(*_as_array_pair(u, v)), ad, bd, f"special.{name}", ad, bd)
    if node_cls is None:
        return _maybe_out(new_tensor(arr), out)
    cls = node_cls[0] if (a is not None and b is not None) else (
        node_cls[1] if a is None else node_cls[2])  # fmt: skip
    res, node = _record(arr, cls, a, b, ad, bd)
    if node is not None:
        node.save(ad if a is None else a, bd if b is None else b)
    return _maybe_out(res, out)


def zeta(input, other, *, out=None) -> Tensor:
    """The Hurwitz zeta function ``sum_k (other + k) ** -input``.

    Either operand may be a Python number. Differentiable in ``other`` only (as in PyTorch).

    Example:
        >>> import ember
        >>> ember.special.zeta(ember.tensor([2.0, 4.0]), 1.0)
        tensor([1.6449, 1.0823])
    """
    nodes = (SpecialZetaBackward0, SpecialZetaBackward1, SpecialZetaBackward2)
    return _binary_op("zeta", K.zeta, nodes, input, other, out)


def gammainc(input, other, *, out=None) -> Tensor:
    """The regularised lower incomplete gamma function ``P(input, other)``.

    Differentiable in ``other`` only (as in PyTorch).

    Example:
        >>> import ember
        >>> ember.special.gammainc(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 1.0]))
        tensor([0.6321, 0.2642])
    """
    return _binary_op("gammainc", K.gammainc, (IgammaBackward0,) * 3, input, other, out)


def gammaincc(input, other, *, out=None) -> Tensor:
    """The regularised upper incomplete gamma function ``Q(input, other) = 1 - P``.

    Differentiable in ``other`` only (as in PyTorch).

    Example:
        >>> import ember
        >>> ember.special.gammaincc(ember.tensor([1.0, 2.0]), ember.tensor([1.0, 1.0]))
        tensor([0.3679, 0.7358])
    """
    return _binary_op("gammaincc", K.gammaincc, (IgammacBackward0,) * 3, input, other, out)


# -- multigammaln ------------------------------------------------------------------------------


def multigammaln(input, p: int, *, out=None) -> Tensor:
    """The log of the multivariate gamma function of dimension ``p``:
    ``p (p - 1) / 4 log(pi) + sum_{j < p} lgamma(input - j / 2)``.

    Example:
        >>> import ember
        >>> ember.special.multigammaln(ember.tensor([2.5, 3.0]), 3)
        tensor([1.8810, 2.6949])
    """
    import ember

    if not isinstance(input, Tensor):
        raise TypeError(
            f"special.multigammaln(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    if isinstance(p, bool) or not isinstance(p, int) or p < 1:
        raise RuntimeError(f"p has to be greater than or equal to 1 (special.multigammaln got "
                           f"p={p!r})")  # fmt: skip
    x = input if input.dtype.is_floating_point else input.to(D.get_default_dtype())
    offsets = ember.arange(p, dtype=x.dtype, device=x.device) * -0.5
    total = ember.lgamma(x.unsqueeze(-1) + offsets).sum(-1)
    res = total + (p * (p - 1) / 4.0) * math.log(math.pi)
    return _maybe_out(res, out)


# -- orthogonal polynomials --------------------------------------------------------------------

_POLYNOMIALS = (
    ("chebyshev_polynomial_t", P.chebyshev_t, "Chebyshev polynomial of the first kind T_n",
     "tensor([-1.0000, -0.6875])"),
    ("chebyshev_polynomial_u", P.chebyshev_u, "Chebyshev polynomial of the second kind U_n",
     "tensor([-1.0000, -0.8750])"),
    ("chebyshev_polynomial_v", P.chebyshev_v, "Chebyshev polynomial of the third kind V_n",
     "tensor([-1.0000, -0.1250])"),
    ("chebyshev_polynomial_w", P.chebyshev_w, "Chebyshev polynomial of the fourth kind W_n",
     "tensor([-1.0000, -1.6250])"),
    ("shifted_chebyshev_polynomial_t", P.shifted_chebyshev_t,
     "shifted Chebyshev polynomial of the first kind T*_n(x) = T_n(2x - 1)",
     "tensor([-0., 1.])"),
    ("shifted_chebyshev_polynomial_u", P.shifted_chebyshev_u,
     "shifted Chebyshev polynomial of the second kind U*_n(x) = U_n(2x - 1)",
     "tensor([-0., 1.])"),
    ("shifted_chebyshev_polynomial_v", P.shifted_chebyshev_v,
     "shifted Chebyshev polynomial of the third kind V*_n(x) = V_n(2x - 1)",
     "tensor([1., 1.])"),
    ("shifted_chebyshev_polynomial_w", P.shifted_chebyshev_w,
     "shifted Chebyshev polynomial of the fourth kind W*_n(x) = W_n(2x - 1)",
     "tensor([-1.,  1.])"),
    ("hermite_polynomial_h", P.hermite_h, "physicists' Hermite polynomial H_n",
     "tensor([-5.0000, -2.8750])"),
    ("hermite_polynomial_he", P.hermite_he, "probabilists' Hermite polynomial He_n",
     "tensor([-1.3750, -0.7344])"),
    ("laguerre_polynomial_l", P.laguerre_l, "Laguerre polynomial L_n",
     "tensor([-0.1458,  0.3411])"),
    ("legendre_polynomial_p", P.legendre_p, "Legendre polynomial P_n",
     "tensor([-0.4375, -0.3359])"),
)  # fmt: skip


def _polynomial_op(name, kernel, summary, example):
    def op(input, n, *, out=None) -> Tensor:
        _, _, ad, bd = _binary_floats(input, n, name)
        arr = _apply(lambda u, v: kernel(*_as_array_pair(u, v)), ad, bd, f"special.{name}",
                     ad, bd)  # fmt: skip
        return _maybe_out(new_tensor(arr), out)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (
        f"The {summary}, elementwise in ``input`` and the degree ``n``.\n\n"
        "    ``n`` (a tensor or a number) is truncated to an integer; negative degrees give 0."
        " The result\n    does not require grad (as in PyTorch).\n\n"
        "    Example:\n        >>> import ember\n"
        f"        >>> ember.special.{name}(ember.tensor([0.5, 0.25]), 3)\n        {example}\n    "
    )
    return op


(chebyshev_polynomial_t, chebyshev_polynomial_u, chebyshev_polynomial_v,
 chebyshev_polynomial_w, shifted_chebyshev_polynomial_t, shifted_chebyshev_polynomial_u,
 shifted_chebyshev_polynomial_v, shifted_chebyshev_polynomial_w, hermite_polynomial_h,
 hermite_polynomial_he, laguerre_polynomial_l, legendre_polynomial_p) = (
    _polynomial_op(*row) for row in _POLYNOMIALS)  # fmt: skip
