"""Products of tensors: matmul and its special cases, einsum, tensordot, the ``add*`` fused
products, kron, cross, trace, block_diag and cdist.

Every product's forward is one array call (``a @ b``, ``einsum``); every backward is written
with matmuls on ``F`` (see Note [Two speeds of backward] in ``ember.autograd.graph``), so
gradients of gradients work. Shape errors name the op and both shapes::

    matmul: (64, 9216) @ (128, 10): inner sizes 9216 and 128 differ

Like PyTorch, the matrix products refuse operands of different dtypes instead of promoting
them (``mm: expected m1 and m2 to have the same dtype, but got: float32 != float64``).

Example:
    >>> import ember
    >>> a = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    >>> y = a @ ember.tensor([1.0, -1.0])
    >>> y
    tensor([-1., -1.], grad_fn=<MvBackward0>)
"""

from __future__ import annotations

import string

from ..amp import _state as _amp
from ._core import (
    D,
    Node,
    Tensor,
    _device_error,
    attach,
    grad_state,
    method,
    new_tensor,
    np,
    saved_output,
    shape_str,
    to_array,
    wrap_dim,
    xp_of,
)
from .inplace import apply_inplace, write_out

__all__ = [
    "matmul",
    "mm",
    "bmm",
    "mv",
    "dot",
    "vdot",
    "outer",
    "ger",
    "inner",
    "einsum",
    "tensordot",
    "addmm",
    "addbmm",
    "baddbmm",
    "addmv",
    "addr",
    "kron",
    "cross",
    "trace",
    "chain_matmul",
    "block_diag",
    "cdist",
    "det",
    "logdet",
    "slogdet",
    "inverse",
    "pinverse",
    "matrix_power",
    "matrix_exp",
    "cholesky",
    "qr",
    "svd",
]


# -- checks -----------------------------------------------------------------------------------


def _dtype_name(arr) -> str:
    return D.from_numpy_dtype(arr.dtype).name


def _data(x, op: str, pos: int, name: str):
    if x.__class__ is Tensor or isinstance(x, Tensor):
        return x._data
    raise TypeError(
        f"{op}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}"
    )


def _check_pair(op: str, ad, bd) -> None:
    """Same dtype, same device and a dtype BLAS can multiply."""
    if ad.dtype != bd.dtype:
        raise RuntimeError(
            f"{op}: expected m1 and m2 to have the same dtype, but got: "
            f"{_dtype_name(ad)} != {_dtype_name(bd)}"
        )
    if ad.__class__ is not bd.__class__:
        raise _device_error(op, ad, bd)
    if ad.dtype == np.bool_:
        raise RuntimeError(f"{op}: not implemented for 'Bool' tensors")


def _inner_error(op: str, a_shape, b_shape, ka, kb) -> RuntimeError:
    return RuntimeError(
        f"{op}: {shape_str(a_shape)} @ {shape_str(b_shape)}: inner sizes {ka} and {kb} differ"
    )


def _product(op: str, ad, bd):
    """``ad @ bd`` with Ember's shape errors (the operands' dims are already checked)."""
    ka = ad.shape[-1]
    kb = bd.shape[-2] if bd.ndim > 1 else bd.shape[0]
    if ka != kb:
        raise _inner_error(op, ad.shape, bd.shape, ka, kb)
    try:
        res = ad @ bd
    except ValueError:
        raise RuntimeError(
            f"{op}: {shape_str(ad.shape)} @ {shape_str(bd.shape)}: batch dimensions "
            f"{shape_str(ad.shape[:-2])} and {shape_str(bd.shape[:-2])} do not broadcast"
        ) from None
    if res.__class__ is not ad.__class__:  # NumPy returns a scalar for vector @ vector
        res = np.asarray(res)
    return res


def _is_complex(x) -> bool:
    dt = x.dtype
    return getattr(dt, "kind", None) == "c" or getattr(dt, "is_complex", False) is True


# -- the matmul backward, shared by every product -------------------------------------------------


def matmul_grads(F, grad, a, b, need_a: bool, need_b: bool):
    """Gradients of ``a @ b`` (PyTorch's matmul semantics) for ``grad``.

    Vectors are promoted to matrices, broadcast batch dims are summed away, and a matrix
    ``b`` multiplied by a batch of ``a`` gets its gradient from one folded GEMM.
    """
    a_shape, b_shape = tuple(a.shape), tuple(b.shape)
    na, nb = len(a_shape), len(b_shape)
    cplx = _is_complex(a)
    if na == 2 and nb == 2 and not cplx and not F.graph:  # the hot case, on raw arrays
        return (F.matmul(grad, b.T) if need_a else None), (F.matmul(a.T, grad) if need_b else None)
    if na == 1 or nb == 1:
        gshape = tuple(grad.shape)
        if na == 1:
            a = a.reshape((1, a_shape[0]))
            gshape = (*gshape[:-1], 1, *gshape[-1:]) if nb > 1 else (*gshape, 1)
        if nb == 1:
            b = b.reshape((b_shape[0], 1))
            gshape = (*gshape, 1)
        grad = grad.reshape(gshape)
    ga = gb = None
    if need_a:
        bt = F.swapaxes(b, -1, -2)
        if cplx:
            bt = F.conj(bt)
        ga = F.matmul(grad, bt)
        a1 = tuple(a.shape)
        if tuple(ga.shape) != a1:
            ga = F.sum_to(ga, a1)
        if na == 1:
            ga = ga.reshape(a_shape)
    if need_b:
        if b.ndim == 2 and a.ndim > 2:  # fold the batch into one GEMM: (k, B*n) @ (B*n, m)
            k = a.shape[-1]
            a2 = a.reshape((-1, k))
            at = F.swapaxes(a2, 0, 1)
            if cplx:
                at = F.conj(at)
            gb = F.matmul(at, grad.reshape((-1, grad.shape[-1])))
        else:
            at = F.swapaxes(a, -1, -2)
            if cplx:
                at = F.conj(at)
            gb = F.matmul(at, grad)
            b1 = tuple(b.shape)
            if tuple(gb.shape) != b1:
                gb = F.sum_to(gb, b1)
        if nb == 1:
            gb = gb.reshape(b_shape)
    return ga, gb


class _MatmulNode(Node):
    __slots__ = ()

    def backward(self, F, grad, a, b):
        return matmul_grads(F, grad, a, b, self._next[0] is not None, self._next[1] is not None)


class MmBackward0(_MatmulNode):
    __slots__ = ()


class MvBackward0(_MatmulNode):
    __slots__ = ()


class DotBackward0(_MatmulNode):
    __slots__ = ()


class BmmBackward0(_MatmulNode):
    __slots__ = ()


class MatmulBackward0(_MatmulNode):
    __slots__ = ()


def _finish(res, node_cls, a, b, out):
    t = new_tensor(res)
    if grad_state.enabled and (a._requires_grad or b._requires_grad):
        node = node_cls()
        attach(t, node, a, b)
        node.save(a, b)
    return t if out is None else write_out(out, t)


_MATMUL_NODE = {(1, 1): DotBackward0, (2, 1): MvBackward0, (2, 2): MmBackward0, (1, 2): MmBackward0}


def matmul(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Matrix product with PyTorch's rules: vector·vector is a dot product, a vector
    operand is treated as a row (left) or column (right), and batch dims broadcast.

    Example:
        >>> import ember
        >>> ember.matmul(ember.ones(2, 3, 4), ember.ones(4, 5)).shape
        ember.Size([2, 3, 5])
        >>> ember.matmul(ember.ones(2, 3), ember.ones(4, 5))
        Traceback (most recent call last):
        ...
        RuntimeError: matmul: (2, 3) @ (4, 5): inner sizes 3 and 4 differ
    """
    if _amp.active:
        input, other = _amp.cast("matmul", input, other)
    ad = _data(input, "matmul", 1, "input")
    bd = _data(other, "matmul", 2, "other")
    _check_pair("matmul", ad, bd)
    if ad.ndim == 0 or bd.ndim == 0:
        raise RuntimeError(
            f"matmul: both arguments need to be at least 1-D, but they are {ad.ndim}-D and "
            f"{bd.ndim}-D (shapes {shape_str(ad.shape)} and {shape_str(bd.shape)})"
        )
    res = _product("matmul", ad, bd)
    return _finish(res, _MATMUL_NODE.get((ad.ndim, bd.ndim), BmmBackward0), input, other, out)


def mm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Product of two matrices (no broadcasting).

    Example:
        >>> import ember
        >>> ember.mm(ember.ones(2, 3), ember.ones(3, 4)).shape
        ember.Size([2, 4])
    """
    if _amp.active:
        input, mat2 = _amp.cast("mm", input, mat2)
    ad = _data(input, "mm", 1, "input")
    bd = _data(mat2, "mm", 2, "mat2")
    if ad.ndim != 2 or bd.ndim != 2:
        raise RuntimeError(
            f"mm: expected 2-D tensors, got {shape_str(ad.shape)} and {shape_str(bd.shape)}"
        )
    _check_pair("mm", ad, bd)
    return _finish(_product("mm", ad, bd), MmBackward0, input, mat2, out)


def bmm(input: Tensor, mat2: Tensor, *, out=None) -> Tensor:
    """Batched matrix product of two 3-D tensors with the same batch size.

    Example:
        >>> import ember
        >>> ember.bmm(ember.ones(5, 2, 3), ember.ones(5, 3, 4)).shape
        ember.Size([5, 2, 4])
    """
    if _amp.active:
        input, mat2 = _amp.cast("bmm", input, mat2)
    ad = _data(input, "bmm", 1, "input")
    bd = _data(mat2, "bmm", 2, "mat2")
    if ad.ndim != 3 or bd.ndim != 3:
        raise RuntimeError(
            f"bmm: expected 3-D tensors, got {shape_str(ad.shape)} and {shape_str(bd.shape)}"
        )
    _check_pair("bmm", ad, bd)
    if ad.shape[0] != bd.shape[0]:
        raise RuntimeError(
            f"bmm: {shape_str(ad.shape)} @ {shape_str(bd.shape)}: batch sizes {ad.shape[0]} and "
            f"{bd.shape[0]} differ"
        )
    return _finish(_product("bmm", ad, bd), BmmBackward0, input, mat2, out)


def mv(input: Tensor, vec: Tensor, *, out=None) -> Tensor:
    """Matrix-vector product.

    Example:
        >>> import ember
        >>> ember.mv(ember.ones(2, 3), ember.tensor([1.0, 2.0, 3.0]))
        tensor([6., 6.])
    """
    if _amp.active:
        input, vec = _amp.cast("mv", input, vec)
    ad = _data(input, "mv", 1, "input")
    bd = _data(vec, "mv", 2, "vec")
    if ad.ndim != 2 or bd.ndim != 1:
        raise RuntimeError(
            f"mv: expected a 2-D matrix and a 1-D vector, got {shape_str(ad.shape)} and "
            f"{shape_str(bd.shape)}"
        )
    _check_pair("mv", ad, bd)
    return _finish(_product("mv", ad, bd), MvBackward0, input, vec, out)


def dot(input: Tensor, tensor: Tensor, *, out=None) -> Tensor:
    """Dot product of two 1-D tensors (no conjugation).

    Example:
        >>> import ember
        >>> ember.dot(ember.tensor([1, 2, 3]), ember.tensor([4, 5, 6]))
        tensor(32)
    """
    if _amp.active:
        input, tensor = _amp.cast("dot", input, tensor)
    ad = _data(input, "dot", 1, "input")
    bd = _data(tensor, "dot", 2, "tensor")
    if ad.ndim != 1 or bd.ndim != 1:
        raise RuntimeError(
            f"dot: expected 1-D tensors, got {shape_str(ad.shape)} and {shape_str(bd.shape)}"
        )
    _check_pair("dot", ad, bd)
    return _finish(_product("dot", ad, bd), DotBackward0, input, tensor, out)


def vdot(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Dot product of two 1-D tensors, conjugating the first.

    Example:
        >>> import ember
        >>> ember.vdot(ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0]))
        tensor(11.)
    """
    ad = _data(input, "vdot", 1, "input")
    if ad.dtype.kind == "c":
        input = input.conj()
    res = dot(input, other)
    return res if out is None else write_out(out, res)


def outer(input: Tensor, vec2: Tensor, *, out=None) -> Tensor:
    """Outer product of two vectors: ``out[i, j] = input[i] * vec2[j]``.

    Example:
        >>> import ember
        >>> ember.outer(ember.tensor([1, 2]), ember.tensor([1, 10, 100]))
        tensor([[  1,  10, 100],
                [  2,  20, 200]])
    """
    ad = _data(input, "outer", 1, "input")
    bd = _data(vec2, "outer", 2, "vec2")
    if ad.ndim != 1 or bd.ndim != 1:
        bad, name = (ad, "input") if ad.ndim != 1 else (bd, "vec2")
        raise RuntimeError(f"outer: expected 1-D argument {name}, but got {bad.ndim}-D")
    res = input.reshape(ad.shape[0], 1) * vec2
    return res if out is None else write_out(out, res)


ger = outer


def inner(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Inner product over the last dimension (a product with scalars when one is 0-D).

    Example:
        >>> import ember
        >>> ember.inner(ember.ones(2, 3), ember.ones(4, 3)).shape
        ember.Size([2, 4])
    """
    ad = _data(input, "inner", 1, "input")
    bd = _data(other, "inner", 2, "other")
    if ad.ndim == 0 or bd.ndim == 0:
        res = input * other
    else:
        if ad.shape[-1] != bd.shape[-1]:
            raise RuntimeError(
                f"inner: the last dimension must match on both input tensors but got shapes "
                f"{shape_str(ad.shape)} and {shape_str(bd.shape)}"
            )
        res = tensordot(input, other, dims=([-1], [-1]))
    return res if out is None else write_out(out, res)


# -- einsum ---------------------------------------------------------------------------------------


class _Einsum:
    """A parsed einsum equation, made explicit: ellipses replaced by letters, the output
    spelled out, and each letter's (broadcast) size."""

    __slots__ = ("free", "inputs", "output", "sizes")

    def __init__(self, equation: str, shapes):
        eq = equation.replace(" ", "")
        if "->" in eq:
            lhs, rhs = eq.split("->", 1)
        else:
            lhs, rhs = eq, None
        terms = lhs.split(",")
        if len(terms) > len(shapes):
            raise RuntimeError(
                "einsum(): fewer operands were provided than specified in the equation"
            )
        if len(terms) < len(shapes):
            raise RuntimeError(
                "einsum(): more operands were provided than specified in the equation"
            )
        for ch in eq:
            if not (ch in string.ascii_letters or ch in ".,->"):
                raise RuntimeError(
                    f"einsum(): invalid subscript given at index {eq.index(ch)} in the equation "
                    f"string, subscripts must be in [a-zA-Z]"
                )
        used = set(ch for ch in eq if ch in string.ascii_letters)
        free = [ch for ch in string.ascii_letters if ch not in used]
        n_ell = 0
        for i, (term, shape) in enumerate(zip(terms, shapes, strict=False)):
            if "..." in term:
                k = len(shape) - (len(term) - 3)
                if term.count("...") > 1 or "." in term.replace("...", "", 1) or k < 0:
                    raise RuntimeError(
                        f"einsum(): invalid ellipsis or too many subscripts for operand {i}"
                    )
                n_ell = max(n_ell, k)
            elif "." in term:
                raise RuntimeError(
                    f"einsum(): found '.' for operand {i} that is not part of any ellipsis"
                )
            elif len(term) != len(shape):
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({len(term)}) does not "
                    f"match the number of dimensions ({len(shape)}) for operand {i} and no "
                    "ellipsis was given"
                )
        ell = "".join(free[:n_ell])
        self.free = free[n_ell:]
        inputs = []
        for term, shape in zip(terms, shapes, strict=False):
            if "..." in term:
                k = len(shape) - (len(term) - 3)
                term = term.replace("...", ell[n_ell - k :])
            inputs.append(term)
        sizes: dict = {}
        for i, (term, shape) in enumerate(zip(inputs, shapes, strict=False)):
            own: dict = {}
            for ch, n in zip(term, shape, strict=False):
                if ch in own and own[ch] != n:
                    raise RuntimeError(
                        f"einsum(): subscript {ch} is repeated for operand {i} but the sizes "
                        f"don't match, {own[ch]} != {n}"
                    )
                own[ch] = n
                seen = sizes.get(ch)
                if seen is None or seen == 1:
                    sizes[ch] = n
                elif n != 1 and n != seen:
                    raise RuntimeError(
                        f"einsum(): subscript {ch} has size {n} for operand {i} which does not "
                        f"broadcast with previously seen size {seen}"
                    )
        if rhs is None:
            counts: dict = {}
            for term in inputs:
                for ch in term:
                    counts[ch] = counts.get(ch, 0) + 1
            output = ell + "".join(
                sorted(ch for ch, c in counts.items() if c == 1 and ch not in ell)
            )
        else:
            if rhs.count("...") > 1 or "." in rhs.replace("...", "", 1):
                raise RuntimeError("einsum(): invalid ellipsis in the output subscripts")
            output = rhs.replace("...", ell)
            for ch in output:
                if ch not in sizes:
                    raise RuntimeError(
                        f"einsum(): output subscript {ch} does not appear in the equation for any "
                        f"input operand"
                    )
                if output.count(ch) > 1:
                    raise RuntimeError(
                        f"einsum(): output subscript {ch} appears more than once in the output"
                    )
        self.inputs = inputs
        self.output = output
        self.sizes = sizes

    def equation(self) -> str:
        return ",".join(self.inputs) + "->" + self.output

    def grad_equation(self, i: int, shape):
        """The equation giving operand ``i``'s gradient from (grad, other operands, extras),
        and the extras: ``("eye", n)`` for a repeated subscript (a diagonal), ``("ones", n)``
        for a subscript summed only inside operand ``i`` or broadcast from size 1."""
        free = list(self.free)
        others = [t for j, t in enumerate(self.inputs) if j != i]
        present = set(self.output).union(*others) if others else set(self.output)
        extras, extra_subs = [], []
        target = ""
        seen = set()
        for ch, n in zip(self.inputs[i], shape, strict=False):
            if ch in seen:  # a diagonal: grad[.., c, .., f, ..] = g * eye[c, f]
                f = free.pop()
                extras.append(("eye", self.sizes[ch]))
                extra_subs.append(ch + f)
                target += f
                present.add(f)
                continue
            seen.add(ch)
            if n == 1 and self.sizes[ch] != 1:  # broadcast from size 1: sum over ch
                f = free.pop()
                extras.append(("ones", 1))
                extra_subs.append(f)
                target += f
                present.add(f)
                continue
            target += ch
        for ch in dict.fromkeys(target):
            if ch not in present:  # summed inside operand i only: the gradient broadcasts
                extras.append(("ones", self.sizes[ch]))
                extra_subs.append(ch)
                present.add(ch)
        eq = ",".join([self.output, *others, *extra_subs]) + "->" + target
        return eq, extras


def _constant(F, kind: str, n: int, like):
    """An identity matrix or a vector of ones with ``like``'s dtype and device."""
    if F.graph:
        import ember

        if kind == "eye":
            return ember.eye(n, dtype=like.dtype, device=like.device)
        return ember.ones(n, dtype=like.dtype, device=like.device)
    xp = F.xp
    return xp.eye(n, dtype=like.dtype) if kind == "eye" else xp.ones(n, dtype=like.dtype)


def _einsum_call(F, eq, operands):
    if F.graph:
        return F.einsum(eq, *operands)
    res = F.einsum(eq, *operands, optimize=True)
    return F.xp.asarray(res)


class EinsumBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, spec, *operands):
        grads = []
        for i, x in enumerate(operands):
            if self._next[i] is None:
                grads.append(None)
                continue
            eq, extras = spec.grad_equation(i, tuple(x.shape))
            others = [o for j, o in enumerate(operands) if j != i]
            others = [F.conj(o) if _is_complex(o) else o for o in others]
            consts = [_constant(F, kind, n, grad) for kind, n in extras]
            grads.append(_einsum_call(F, eq, [grad, *others, *consts]))
        return tuple(grads)


def einsum(equation: str, *operands) -> Tensor:
    """Einstein summation: ``equation`` names each operand's dims; repeated names are
    multiplied along, names missing from the output are summed.

    Supports ellipses (``...``), implicit outputs, diagonals (``'ii->i'``) and size-1
    broadcasting. Operands may be given as separate arguments or as one list.

    Example:
        >>> import ember
        >>> a = ember.arange(6.0).reshape(2, 3)
        >>> ember.einsum("ij->ji", a)
        tensor([[0., 3.],
                [1., 4.],
                [2., 5.]])
        >>> ember.einsum("ij,kj->ik", a, a)
        tensor([[ 5., 14.],
                [14., 50.]])
    """
    if _amp.active:
        operands = _amp.cast("einsum", *operands)
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    arrays = [_data(t, "einsum", i + 2, "operands") for i, t in enumerate(operands)]
    spec = _Einsum(equation, [a.shape for a in arrays])
    if arrays:
        first = arrays[0]
        for a in arrays[1:]:
            if a.dtype != first.dtype:
                raise RuntimeError(
                    f"einsum(): expected all operands to have the same dtype, but got "
                    f"{_dtype_name(first)} and {_dtype_name(a)}"
                )
            if a.__class__ is not first.__class__:
                raise _device_error("einsum", first, a)
    xp = np if not arrays or arrays[0].__class__ is np.ndarray else xp_of(operands[0])
    res = xp.asarray(xp.einsum(spec.equation(), *arrays, optimize=len(arrays) > 2))
    out = new_tensor(res)
    if grad_state.enabled and any(t._requires_grad for t in operands):
        node = EinsumBackward0()
        attach(out, node, *operands)
        node.save(spec, *operands)
    return out


# -- tensordot ---------------------------------------------------------------------------------


def _prod(shape) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def tensordot(a: Tensor, b: Tensor, dims=2, out=None) -> Tensor:
    """Contract ``dims`` dims of ``a`` with ``dims`` dims of ``b``: an int (the last
    ``dims`` of ``a`` with the first of ``b``) or a pair of lists of dims.

    Example:
        >>> import ember
        >>> ember.tensordot(ember.ones(3, 4, 5), ember.ones(4, 5, 2)).shape
        ember.Size([3, 2])
        >>> ember.tensordot(ember.ones(3, 4), ember.ones(3, 5), dims=([0], [0])).shape
        ember.Size([4, 5])
    """
    if _amp.active:
        a, b = _amp.cast("tensordot", a, b)
    ad = _data(a, "tensordot", 1, "a")
    bd = _data(b, "tensordot", 2, "b")
    na, nb = ad.ndim, bd.ndim
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > na or dims > nb:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da, db = list(range(na - dims, na)), list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError(
                f"both dimension lists should have same length, but got {len(da)} and {len(db)}"
            )
        da = [wrap_dim(d, na) for d in da]
        db = [wrap_dim(d, nb) for d in db]
    for x, y in zip(da, db, strict=False):
        if ad.shape[x] != bd.shape[y]:
            raise RuntimeError(
                f"tensordot: contracted dimensions need to match, but first has size "
                f"{ad.shape[x]} in dim {x} and second has size {bd.shape[y]} in dim {y} "
                f"(shapes {shape_str(ad.shape)} and {shape_str(bd.shape)})"
            )
    if ad.dtype != bd.dtype:
        raise RuntimeError(
            f"tensordot: both inputs should have same dtype, but got {_dtype_name(ad)} and "
            f"{_dtype_name(bd)}"
        )
    free_a = [d for d in range(na) if d not in da]
    free_b = [d for d in range(nb) if d not in db]
    k = _prod(ad.shape[d] for d in da)
    lhs = a.permute(*free_a, *da).reshape(_prod(ad.shape[d] for d in free_a), k)
    rhs = b.permute(*db, *free_b).reshape(k, _prod(bd.shape[d] for d in free_b))
    res = mm(lhs, rhs).reshape(
        tuple(ad.shape[d] for d in free_a) + tuple(bd.shape[d] for d in free_b)
    )
    return res if out is None else write_out(out, res)


# -- fused products: beta * input + alpha * (m1 @ m2) -------------------------------------------


class AddmmBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, input_shape, m1, m2, beta, alpha):
        gi = None
        if self._next[0] is not None and beta != 0:
            gi = F.sum_to(grad if beta == 1 else grad * beta, input_shape)
        g = grad if alpha == 1 else grad * alpha
        gm1, gm2 = matmul_grads(F, g, m1, m2, self._next[1] is not None, self._next[2] is not None)
        return gi, gm1, gm2


class AddmvBackward0(AddmmBackward0):
    __slots__ = ()


class BaddbmmBackward0(AddmmBackward0):
    __slots__ = ()


class AddbmmBackward0(AddmmBackward0):
    __slots__ = ()


class AddrBackward0(AddmmBackward0):
    __slots__ = ()

    def backward(self, F, grad, input_shape, v1, v2, beta, alpha):
        gi = None
        if self._next[0] is not None and beta != 0:
            gi = F.sum_to(grad if beta == 1 else grad * beta, input_shape)
        g = grad if alpha == 1 else grad * alpha
        g1 = None if self._next[1] is None else F.matmul(g, F.conj(v2) if _is_complex(v2) else v2)
        g2 = None if self._next[2] is None else F.matmul(F.conj(v1) if _is_complex(v1) else v1, g)
        return gi, g1, g2


def _check_dims(op, arr, ndim, name):
    if arr.ndim != ndim:
        raise RuntimeError(
            f"{op}: expected {name} to be a {ndim}-D tensor, got {shape_str(arr.shape)}"
        )


def _fused(op, node_cls, input, m1, m2, beta, alpha, prod, out):
    idata = _data(input, op, 1, "input")
    d1, d2 = m1._data, m2._data
    if not (idata.dtype == d1.dtype == d2.dtype):
        raise RuntimeError(
            f"{op}: expected all input tensors to have the same dtype, but got "
            f"{_dtype_name(idata)}, {_dtype_name(d1)} and {_dtype_name(d2)}"
        )
    if idata.__class__ is not d1.__class__:
        raise _device_error(op, idata, d1)
    _check_pair(op, d1, d2)
    if idata.dtype.kind in "biu" and (isinstance(beta, float) or isinstance(alpha, float)):
        raise RuntimeError(
            f"{op}: for integral input tensors, arguments beta and alpha must not be floating "
            f"point numbers"
        )
    p = prod(d1, d2)
    if alpha != 1:
        p = p * alpha
    if idata.shape != p.shape:
        try:
            shape = np.broadcast_shapes(idata.shape, p.shape)
        except ValueError:
            shape = None
        if shape != p.shape:
            raise RuntimeError(
                f"{op}: input of shape {shape_str(idata.shape)} does not broadcast to the "
                f"product's shape {shape_str(p.shape)}"
            )
    if beta != 0:
        p = p + (idata if beta == 1 else idata * beta)
    res = new_tensor(p)
    if grad_state.enabled and (input._requires_grad or m1._requires_grad or m2._requires_grad):
        node = node_cls()
        attach(res, node, input, m1, m2)
        node.save(idata.shape, m1, m2, beta, alpha)
    return res if out is None else write_out(out, res)


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)`` (``input`` broadcasts to the product).

    Example:
        >>> import ember
        >>> ember.addmm(ember.ones(3), ember.ones(2, 3), ember.ones(3, 3), beta=0.5, alpha=2)
        tensor([[6.5000, 6.5000, 6.5000],
                [6.5000, 6.5000, 6.5000]])
    """
    if _amp.active:
        input, mat1, mat2 = _amp.cast("addmm", input, mat1, mat2)
    d1 = _data(mat1, "addmm", 2, "mat1")
    d2 = _data(mat2, "addmm", 3, "mat2")
    if d1.ndim != 2 or d2.ndim != 2:
        raise RuntimeError(
            f"addmm: expected 2-D matrices, got {shape_str(d1.shape)} and {shape_str(d2.shape)}"
        )
    return _fused(
        "addmm",
        AddmmBackward0,
        input,
        mat1,
        mat2,
        beta,
        alpha,
        lambda x, y: _product("addmm", x, y),
        out,
    )


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``.

    Example:
        >>> import ember
        >>> ember.addmv(ember.ones(2), ember.ones(2, 3), ember.ones(3))
        tensor([4., 4.])
    """
    if _amp.active:
        input, mat, vec = _amp.cast("addmv", input, mat, vec)
    d1 = _data(mat, "addmv", 2, "mat")
    d2 = _data(vec, "addmv", 3, "vec")
    if d1.ndim != 2 or d2.ndim != 1:
        raise RuntimeError(
            f"addmv: expected a 2-D matrix and a 1-D vector, got {shape_str(d1.shape)} and "
            f"{shape_str(d2.shape)}"
        )
    return _fused(
        "addmv",
        AddmvBackward0,
        input,
        mat,
        vec,
        beta,
        alpha,
        lambda x, y: _product("addmv", x, y),
        out,
    )


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``.

    Example:
        >>> import ember
        >>> ember.baddbmm(ember.zeros(4, 2, 5), ember.ones(4, 2, 3), ember.ones(4, 3, 5)).shape
        ember.Size([4, 2, 5])
    """
    if _amp.active:
        input, batch1, batch2 = _amp.cast("baddbmm", input, batch1, batch2)
    d1 = _data(batch1, "baddbmm", 2, "batch1")
    d2 = _data(batch2, "baddbmm", 3, "batch2")
    if d1.ndim != 3 or d2.ndim != 3 or d1.shape[0] != d2.shape[0]:
        raise RuntimeError(
            f"baddbmm: expected 3-D tensors with the same batch size, got {shape_str(d1.shape)} "
            f"and "
            f"{shape_str(d2.shape)}"
        )
    return _fused(
        "baddbmm",
        BaddbmmBackward0,
        input,
        batch1,
        batch2,
        beta,
        alpha,
        lambda x, y: _product("baddbmm", x, y),
        out,
    )


def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``.

    Example:
        >>> import ember
        >>> ember.addbmm(ember.zeros(2, 5), ember.ones(4, 2, 3), ember.ones(4, 3, 5))[0, 0]
        tensor(12.)
    """
    if _amp.active:
        input, batch1, batch2 = _amp.cast("addbmm", input, batch1, batch2)
    d1 = _data(batch1, "addbmm", 2, "batch1")
    d2 = _data(batch2, "addbmm", 3, "batch2")
    if d1.ndim != 3 or d2.ndim != 3 or d1.shape[0] != d2.shape[0]:
        raise RuntimeError(
            f"addbmm: expected 3-D tensors with the same batch size, got {shape_str(d1.shape)} and "
            f"{shape_str(d2.shape)}"
        )
    return _fused(
        "addbmm",
        AddbmmBackward0,
        input,
        batch1,
        batch2,
        beta,
        alpha,
        lambda x, y: _product("addbmm", x, y).sum(0),
        out,
    )


def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)``.

    Example:
        >>> import ember
        >>> ember.addr(ember.zeros(2, 2), ember.tensor([1.0, 2.0]), ember.tensor([3.0, 4.0]))
        tensor([[3., 4.],
                [6., 8.]])
    """
    if _amp.active:
        input, vec1, vec2 = _amp.cast("addr", input, vec1, vec2)
    d1 = _data(vec1, "addr", 2, "vec1")
    d2 = _data(vec2, "addr", 3, "vec2")
    if d1.ndim != 1 or d2.ndim != 1:
        raise RuntimeError(
            f"addr: expected 1-D vectors, got {shape_str(d1.shape)} and {shape_str(d2.shape)}"
        )
    return _fused(
        "addr",
        AddrBackward0,
        input,
        vec1,
        vec2,
        beta,
        alpha,
        lambda x, y: x[:, None] * y[None, :],
        out,
    )


def _inplace_fused(fn, name):
    def method_(self, m1, m2, *, beta=1, alpha=1):
        return apply_inplace(self, lambda v: fn(v, m1, m2, beta=beta, alpha=alpha), name, (m1, m2))

    method_.__name__ = name
    method_.__doc__ = f"In-place version of :func:`ember.{name[:-1]}`."
    return method_


# -- kron, cross, trace ---------------------------------------------------------------------------


def kron(input: Tensor, other: Tensor, *, out=None) -> Tensor:
    """Kronecker product (the operand with fewer dims gets leading 1s).

    Example:
        >>> import ember
        >>> ember.kron(ember.eye(2), ember.tensor([[1.0, 2.0]]))
        tensor([[1., 2., 0., 0.],
                [0., 0., 1., 2.]])
    """
    ad = _data(input, "kron", 1, "input")
    bd = _data(other, "kron", 2, "other")
    n = max(ad.ndim, bd.ndim)
    sa = (1,) * (n - ad.ndim) + ad.shape
    sb = (1,) * (n - bd.ndim) + bd.shape
    a = input.reshape(tuple(x for s in sa for x in (s, 1)))
    b = other.reshape(tuple(x for s in sb for x in (1, s)))
    res = (a * b).reshape(tuple(x * y for x, y in zip(sa, sb, strict=False)))
    return res if out is None else write_out(out, res)


class LinalgCrossBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, a, b, dim):
        ga = gb = None
        if self._next[0] is not None:
            ga = F.sum_to(F.cross(b, grad, axis=dim), tuple(a.shape))
        if self._next[1] is not None:
            gb = F.sum_to(F.cross(grad, a, axis=dim), tuple(b.shape))
        return ga, gb


def cross(input: Tensor, other: Tensor, dim=None, *, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (default: the first dim of size 3).

    Example:
        >>> import ember
        >>> ember.cross(ember.tensor([1.0, 0.0, 0.0]), ember.tensor([0.0, 1.0, 0.0]), dim=0)
        tensor([0., 0., 1.])
    """
    if _amp.active:
        input, other = _amp.cast("cross", input, other)
    from ._core import binary_arrays

    _data(input, "cross", 1, "input")
    _data(other, "cross", 2, "other")
    a, b, ad, bd = binary_arrays(input, other, "cross")
    try:
        shape = np.broadcast_shapes(ad.shape, bd.shape)
    except ValueError:
        raise RuntimeError(
            f"cross: shapes {shape_str(ad.shape)} and {shape_str(bd.shape)} do not broadcast"
        ) from None
    if dim is None:
        dim = next((i for i, s in enumerate(shape) if s == 3), None)
        if dim is None:
            raise RuntimeError(
                f"cross: no dimension of size 3 in input of shape {shape_str(shape)}"
            )
    d = wrap_dim(dim, len(shape)) - len(shape)
    if shape[d] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got "
            f"{ad.shape[d] if ad.ndim >= -d else 1} and {bd.shape[d] if bd.ndim >= -d else 1}"
        )
    ad2 = ad if ad.shape == shape else np.broadcast_to(ad, shape)
    bd2 = bd if bd.shape == shape else np.broadcast_to(bd, shape)
    res = new_tensor(xp_of(a).cross(ad2, bd2, axis=d))
    if grad_state.enabled and (a._requires_grad or b._requires_grad):
        node = LinalgCrossBackward0()
        attach(res, node, a, b)
        node.save(a, b, d)
    return res if out is None else write_out(out, res)


class TraceBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, shape):
        n, m = shape
        eye = _constant(F, "eye", max(n, m), grad)[:n, :m]
        return eye * grad


def trace(input: Tensor) -> Tensor:
    """Sum of the main diagonal of a matrix (integers sum to int64).

    Example:
        >>> import ember
        >>> ember.trace(ember.arange(9).reshape(3, 3))
        tensor(12)
    """
    if _amp.active:
        (input,) = _amp.cast("trace", input)
    data = _data(input, "trace", 1, "input")
    if data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {data.ndim}")
    dt = np.int64 if data.dtype.kind in "biu" else None
    res = new_tensor(
        np.asarray(data.trace(dtype=dt)) if data.__class__ is np.ndarray else data.trace(dtype=dt)
    )
    if grad_state.enabled and input._requires_grad:
        node = TraceBackward0()
        attach(res, node, input)
        node.save(data.shape)
    return res


# -- several matrices ------------------------------------------------------------------------------


def _multi_dot(tensors, op: str) -> Tensor:
    """Product of a chain of matrices in the cheapest order (first/last may be vectors)."""
    tensors = list(tensors)
    n = len(tensors)
    if n == 0:
        raise RuntimeError(f"{op}(): expected at least 2 tensors but got 0")
    if n == 1:
        return tensors[0]
    first, last = tensors[0], tensors[-1]
    row = first._data.ndim == 1
    col = last._data.ndim == 1
    if row:
        tensors[0] = first.reshape(1, -1)
    if col:
        tensors[-1] = last.reshape(-1, 1)
    for i, t in enumerate(tensors):
        if t._data.ndim != 2:
            raise RuntimeError(
                f"{op}(): tensor {i} must be 2-D (only the first and last may be 1-D), got "
                f"{shape_str(t._data.shape)}"
            )
    dims = [t._data.shape[0] for t in tensors] + [tensors[-1]._data.shape[1]]
    for i in range(n - 1):
        if tensors[i]._data.shape[1] != tensors[i + 1]._data.shape[0]:
            a, b = tensors[i]._data.shape, tensors[i + 1]._data.shape
            raise _inner_error(op, a, b, a[1], b[0])
    # dynamic programming over split points (the classic matrix-chain order)
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if cost[i][j] is None or c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def build(i, j):
        if i == j:
            return tensors[i]
        k = split[i][j]
        return mm(build(i, k), build(k + 1, j))

    res = build(0, n - 1)
    if row and col:
        return res.reshape(())
    if row:
        return res.reshape(-1)
    if col:
        return res.reshape(-1)
    return res


def chain_matmul(*matrices, out=None) -> Tensor:
    """Product of 2-D matrices, multiplied in the cheapest order (see ``linalg.multi_dot``).

    Example:
        >>> import ember
        >>> ember.chain_matmul(ember.ones(2, 3), ember.ones(3, 4), ember.ones(4, 1))
        tensor([[12.],
                [12.]])
    """
    if _amp.active:
        matrices = _amp.cast("chain_matmul", *matrices)
    for i, m in enumerate(matrices):
        if _data(m, "chain_matmul", i + 1, "matrices").ndim != 2:
            raise RuntimeError(
                f"chain_matmul(): expected 2-D tensors, but tensor {i} has shape "
                f"{shape_str(m._data.shape)}"
            )
    res = _multi_dot(matrices, "chain_matmul")
    return res if out is None else write_out(out, res)


class BlockDiagBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, boxes):
        return tuple(
            None if edge is None else grad[r0:r1, c0:c1].reshape(shape)
            for edge, (r0, r1, c0, c1, shape) in zip(self._next, boxes, strict=False)
        )


def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix from 0-, 1- or 2-D tensors (promoted to a common dtype).

    Example:
        >>> import ember
        >>> ember.block_diag(ember.ones(1, 2), ember.tensor(5.0))
        tensor([[1., 1., 0.],
                [0., 0., 5.]])
    """
    arrays = [_data(t, "block_diag", i + 1, "tensors") for i, t in enumerate(tensors)]
    for i, a in enumerate(arrays):
        if a.ndim > 2:
            raise RuntimeError(
                f"block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                f"{a.ndim} dimensions"
            )
    if not tensors:
        return new_tensor(np.zeros((1, 0), dtype=D.get_default_dtype().np))
    rt = D.result_type(*tensors)
    tensors = [t if t._data.dtype == rt.np else t.to(rt) for t in tensors]
    boxes = []
    r = c = 0
    for t in tensors:
        shape = t._data.shape
        h, w = (1, 1) if len(shape) == 0 else (1, shape[0]) if len(shape) == 1 else shape
        boxes.append((r, r + h, c, c + w, shape))
        r, c = r + h, c + w
    xp = xp_of(tensors[0])
    out = xp.zeros((r, c), dtype=rt.np)
    for t, (r0, r1, c0, c1, _) in zip(tensors, boxes, strict=False):
        if t._data.__class__ is not out.__class__:
            raise _device_error("block_diag", out, t._data)
        out[r0:r1, c0:c1] = t._data.reshape(r1 - r0, c1 - c0)
    res = new_tensor(out)
    if grad_state.enabled and any(t._requires_grad for t in tensors):
        node = BlockDiagBackward0()
        attach(res, node, *tensors)
        node.save(boxes)
    return res


# -- cdist ----------------------------------------------------------------------------------------


def _pairwise(x1, x2):
    return x1.reshape((*x1.shape[:-1], 1, *x1.shape[-1:])) - x2.reshape(
        (*x2.shape[:-2], 1, *x2.shape[-2:])
    )


class CdistBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, x1, x2, p, dist):
        s1, s2 = tuple(x1.shape), tuple(x2.shape)
        safe = F.where(dist > 0, dist, 1)
        if p == 2:
            w = F.where(dist > 0, grad / safe, 0)
            g1 = g2 = None
            if self._next[0] is not None:
                g1 = x1 * F.expand_dims(F.sum(w, axis=-1), -1) - F.matmul(w, x2)
                g1 = F.sum_to(g1, s1)
            if self._next[1] is not None:
                g2 = x2 * F.expand_dims(F.sum(w, axis=-2), -1) - F.matmul(F.swapaxes(w, -1, -2), x1)
                g2 = F.sum_to(g2, s2)
            return g1, g2
        if p == 0:
            return (None if self._next[0] is None else x1 * 0), (
                None if self._next[1] is None else x2 * 0
            )
        diff = _pairwise(x1, x2)
        g = F.expand_dims(grad, -1)
        if p == 1:
            coef = g * F.sign(diff)
        elif p == float("inf"):
            coef = g * F.sign(diff) * (F.abs(diff) == F.expand_dims(dist, -1))
        else:
            d = F.expand_dims(safe, -1)
            coef = g * F.sign(diff) * F.power(F.abs(diff) / d, p - 1)
            coef = F.where(F.expand_dims(dist, -1) > 0, coef, 0)
        g1 = None if self._next[0] is None else F.sum_to(F.sum(coef, axis=-2), s1)
        g2 = None if self._next[1] is None else F.sum_to(-F.sum(coef, axis=-3), s2)
        return g1, g2


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """The ``p``-norm distance between each row of ``x1`` and each row of ``x2``.

    ``x1`` is ``(*, P, M)`` and ``x2`` ``(*, R, M)``; the result is ``(*, P, R)``. For
    ``p=2`` with more than 25 rows, distances come from one matmul (as PyTorch does).

    Example:
        >>> import ember
        >>> ember.cdist(ember.tensor([[0.0, 0.0]]), ember.tensor([[3.0, 4.0], [1.0, 0.0]]))
        tensor([[5., 1.]])
    """
    if _amp.active:
        x1, x2 = _amp.cast("cdist", x1, x2)
    d1 = _data(x1, "cdist", 1, "x1")
    d2 = _data(x2, "cdist", 2, "x2")
    if d1.ndim < 2 or d2.ndim < 2:
        raise RuntimeError(
            f"cdist only supports at least 2D tensors, X1 got: {d1.ndim}D and X2 got: {d2.ndim}D"
        )
    if d1.shape[-1] != d2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {d1.shape[-1]} X2: {d2.shape[-1]}"
        )
    if d1.dtype.kind != "f" or d2.dtype.kind != "f":
        raise RuntimeError(f"cdist only supports floating-point dtypes, X1 got: {_dtype_name(d1)}")
    _check_pair("cdist", d1, d2)
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    xp = xp_of(x1)
    use_mm = p == 2 and (
        compute_mode == "use_mm_for_euclid_dist"
        or (
            compute_mode == "use_mm_for_euclid_dist_if_necessary"
            and (d1.shape[-2] > 25 or d2.shape[-2] > 25)
        )
    )
    if use_mm:
        sq = (
            (d1 * d1).sum(-1)[..., :, None]
            + (d2 * d2).sum(-1)[..., None, :]
            - 2 * (d1 @ xp.swapaxes(d2, -1, -2))
        )
        dist = xp.sqrt(xp.maximum(sq, 0))
    else:
        diff = xp.abs(_pairwise(d1, d2))
        if p == 2:
            dist = xp.sqrt((diff * diff).sum(-1))
        elif p == 1:
            dist = diff.sum(-1)
        elif p == 0:
            dist = (diff != 0).sum(-1).astype(d1.dtype)
        elif p == float("inf"):
            dist = diff.max(-1) if diff.shape[-1] else diff.sum(-1)
        else:
            dist = (diff**p).sum(-1) ** (1.0 / p)
    res = new_tensor(xp.asarray(dist))
    if grad_state.enabled and (x1._requires_grad or x2._requires_grad):
        node = CdistBackward0()
        attach(res, node, x1, x2)
        node.save(x1, x2, p, saved_output(res))
    return res


# -- ember.* names of ember.linalg functions (ember.linalg itself loads on first use) --------------


def det(input: Tensor) -> Tensor:
    """Alias of :func:`ember.linalg.det`."""
    from ..linalg import det as _det

    return _det(input)


def logdet(input: Tensor) -> Tensor:
    """Natural log of the determinant (nan for a negative determinant, -inf for zero).

    Example:
        >>> import ember
        >>> ember.logdet(2 * ember.eye(2, dtype=ember.float64))
        tensor(1.3863, dtype=ember.float64)
    """
    from ..linalg._det import logdet as _logdet

    return _logdet(input)


def slogdet(input: Tensor):
    """Sign and log-absolute-determinant as ``(sign, logabsdet)`` (see ``ember.linalg.slogdet``).

    Example:
        >>> import ember
        >>> ember.slogdet(-ember.eye(3)).sign
        tensor(-1.)
    """
    from ..linalg import slogdet as _slogdet
    from ..return_types import slogdet as result

    return result(*_slogdet(input))


def inverse(input: Tensor, *, out=None) -> Tensor:
    """Alias of :func:`ember.linalg.inv`."""
    if _amp.active:
        (input,) = _amp.cast("inverse", input)
    from ..linalg import inv

    res = inv(input)
    return res if out is None else write_out(out, res)


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """Pseudo-inverse, cutting singular values below ``rcond`` times the largest."""
    if _amp.active:
        (input,) = _amp.cast("pinverse", input)
    from ..linalg import pinv

    return pinv(input, rtol=rcond)


def matrix_power(input: Tensor, n: int) -> Tensor:
    """Alias of :func:`ember.linalg.matrix_power`."""
    from ..linalg import matrix_power as _matrix_power

    return _matrix_power(input, n)


def matrix_exp(input: Tensor) -> Tensor:
    """Alias of :func:`ember.linalg.matrix_exp`."""
    from ..linalg import matrix_exp as _matrix_exp

    return _matrix_exp(input)


def cholesky(input: Tensor, upper: bool = False) -> Tensor:
    """Cholesky factor (PyTorch's older ``torch.cholesky``; see ``ember.linalg.cholesky``)."""
    if _amp.active:
        (input,) = _amp.cast("cholesky", input)
    from ..linalg import cholesky as _cholesky

    return _cholesky(input, upper=upper)


def qr(input: Tensor, some: bool = True):
    """QR decomposition returning ``(Q, R)`` (``some=False`` gives the complete Q)."""
    from ..linalg import qr as _qr
    from ..return_types import qr as result

    return result(*_qr(input, mode="reduced" if some else "complete"))


def svd(input: Tensor, some: bool = True, compute_uv: bool = True):
    """PyTorch's older ``torch.svd``: returns ``(U, S, V)`` with ``V`` (not ``Vh``)."""
    from ..linalg import svd as _svd
    from ..return_types import svd as svd_result

    U, S, Vh = _svd(input, full_matrices=not some)
    if not compute_uv:
        zeros = xp_of(U).zeros_like
        return svd_result(new_tensor(zeros(U._data)), S, new_tensor(zeros(Vh._data)))
    return svd_result(U, S, Vh.mT)


# -- Tensor methods --------------------------------------------------------------------------------

for _name in (
    "matmul",
    "mm",
    "bmm",
    "mv",
    "dot",
    "vdot",
    "outer",
    "ger",
    "inner",
    "addmm",
    "addbmm",
    "baddbmm",
    "addmv",
    "addr",
    "kron",
    "cross",
    "trace",
    "det",
    "logdet",
    "slogdet",
    "inverse",
    "pinverse",
    "matrix_power",
    "matrix_exp",
    "cholesky",
    "qr",
    "svd",
):
    method(_name)(globals()[_name])

for _fn, _name in (
    (addmm, "addmm_"),
    (addbmm, "addbmm_"),
    (baddbmm, "baddbmm_"),
    (addmv, "addmv_"),
    (addr, "addr_"),
):
    setattr(Tensor, _name, _inplace_fused(_fn, _name))


def _matmul_op(self, other):
    if not isinstance(other, Tensor):
        return NotImplemented
    return matmul(self, other)


def _rmatmul_op(self, other):
    return matmul(new_tensor(to_array(other, like=self._data)), self)


Tensor.__matmul__ = _matmul_op
Tensor.__rmatmul__ = _rmatmul_op
# PyTorch's ``a @= b`` rebinds ``a`` to a new tensor rather than writing into it.
Tensor.__imatmul__ = _matmul_op
del _name, _fn
