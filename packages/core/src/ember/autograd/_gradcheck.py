"""``gradcheck`` and ``gradgradcheck``: compare autograd with finite differences.

The numerical Jacobian of each differentiable output with respect to each input that
requires grad is built column by column with central differences (the input's elements are
perturbed in place by ``eps``, as PyTorch does, so functions that close over the inputs see
the change); the analytical one row by row from vector-Jacobian products with one-hot
output gradients. Both are ``(input.numel(), output.numel())`` matrices, compared with
``|analytical - numerical| <= atol + rtol * |numerical|``. ``fast_mode`` compares
``u^T J v`` for random ``u`` and ``v`` instead of the full matrices.

Real (floating point) inputs and outputs are supported; complex ones are not checked.

Example:
    >>> import ember
    >>> x = ember.tensor([0.5, 2.0], dtype=ember.float64, requires_grad=True)
    >>> ember.autograd.gradcheck(lambda t: t * t * t, (x,))
    True
"""

from __future__ import annotations

import warnings

import numpy as np

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck``/``gradgradcheck`` when a check fails."""


def _tensor_cls():
    from .._tensor import Tensor

    return Tensor


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _host(arr) -> np.ndarray:
    return arr if isinstance(arr, np.ndarray) else arr.get()


def _differentiable_outputs(out):
    Tensor = _tensor_cls()
    return tuple(o for o in _as_tuple(out) if isinstance(o, Tensor) and o.requires_grad)


def _eval(func, inputs):
    """The outputs of ``func`` as float64 host arrays."""
    Tensor = _tensor_cls()
    outs = _as_tuple(func(*inputs))
    return [_host(o._data).astype(np.float64) if isinstance(o, Tensor) else None for o in outs]


def _numerical_jacobians(func, inputs, out_index, input_index, eps):
    """``{(i, j): (numel_in_i, numel_out_j) matrix}`` by central differences."""
    jac = {}
    for i in input_index:
        data = inputs[i]._data
        n_in = data.size
        cols = []
        for k in range(n_in):
            idx = np.unravel_index(k, data.shape)
            orig = data[idx].copy()
            data[idx] = orig + eps
            plus = _eval(func, inputs)
            data[idx] = orig - eps
            minus = _eval(func, inputs)
            data[idx] = orig
            cols.append([(plus[j] - minus[j]).reshape(-1) / (2 * eps) for j in out_index])
        for jj, j in enumerate(out_index):
            n_out = _output_numel(func, inputs, j) if not cols else cols[0][jj].size
            mat = np.zeros((n_in, n_out))
            for k in range(n_in):
                mat[k] = cols[k][jj]
            jac[(i, j)] = mat
    return jac


def _output_numel(func, inputs, j):
    return _eval(func, inputs)[j].size


def _vjp(outputs, inputs, grad_output_per_out, Tensor):
    from . import grad as autograd_grad

    return autograd_grad(outputs, inputs, grad_output_per_out, retain_graph=True, allow_unused=True)


def _analytical_jacobians(outputs, out_pos, inputs, input_index):
    """``{(i, j): (numel_in_i, numel_out_j)}`` from one-hot vector-Jacobian products, plus
    flags for dtype/shape consistency of the returned gradients."""
    from .._tensor import _make

    diff_inputs = [inputs[i] for i in input_index]
    jac = {}
    dtype_ok = True
    size_ok = True
    for j, out in zip(out_pos, outputs, strict=False):
        data = out._data
        n_out = data.size
        mats = {i: np.zeros((inputs[i]._data.size, n_out)) for i in input_index}
        for k in range(n_out):
            onehot = np.zeros(n_out, dtype=data.dtype)
            onehot[k] = 1
            xp_onehot = onehot if isinstance(data, np.ndarray) else _to_device(onehot, data)
            grads = _vjp(
                [out], diff_inputs, [_make(xp_onehot.reshape(data.shape), False, None)], None
            )
            for i, g in zip(input_index, grads, strict=False):
                if g is None:
                    continue
                if g._data.dtype != inputs[i]._data.dtype:
                    dtype_ok = False
                if g._data.shape != inputs[i]._data.shape:
                    size_ok = False
                    continue
                mats[i][:, k] = _host(g._data).astype(np.float64).reshape(-1)
        for i in input_index:
            jac[(i, j)] = mats[i]
    return jac, dtype_ok, size_ok


def _to_device(arr, like):
    from ..backends import array_module_of

    return array_module_of(like).asarray(arr)


def _fmt(mat):
    from .._tensor import _make

    return repr(_make(mat, False, None))


def _fail(msg, raise_exception):
    if raise_exception:
        raise GradcheckError(msg)
    return False


def _check_inputs(inputs):
    Tensor = _tensor_cls()
    any_grad = False
    for idx, inp in enumerate(inputs):
        if isinstance(inp, Tensor) and inp.requires_grad:
            any_grad = True
            if inp._data.dtype != np.float64 and inp._data.dtype != np.complex128:
                warnings.warn(
                    f"Input #{idx} requires gradient and is not a double precision floating "
                    "point or complex. This check will likely fail if all the inputs are not "
                    "of double precision floating point or complex. ",
                    stacklevel=3,
                )
    if not any_grad:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        )


def gradcheck(
    func,
    inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Check the gradients of ``func`` at ``inputs`` against finite differences.

    Args:
        func: a function of Tensors returning a Tensor or a tuple of Tensors.
        inputs: a Tensor or tuple of inputs; those with ``requires_grad`` are checked
            (use float64 for reliable results).
        eps: finite-difference step.
        atol, rtol: tolerances of the comparison.
        raise_exception: raise ``GradcheckError`` on failure (else return False).
        nondet_tol: tolerance for differences between two backward runs.
        check_undefined_grad: also check that backward accepts zero output gradients.
        check_grad_dtypes: check that gradients have their input's dtype.
        fast_mode: compare random projections ``u^T J v`` instead of full Jacobians.
        check_backward_ad: check reverse-mode gradients (the only mode Ember has).

    Returns:
        True when every check passes.

    Example:
        >>> import ember
        >>> x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradcheck(lambda t: t * 2, (x,), raise_exception=False)
        True
    """
    Tensor = _tensor_cls()
    inputs = _as_tuple(inputs)
    _check_inputs(inputs)
    if not check_backward_ad:
        return True
    from . import grad_mode

    with grad_mode.enable_grad():
        func_out = _as_tuple(func(*inputs))
    input_index = [i for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]
    out_pos = [j for j, o in enumerate(func_out) if isinstance(o, Tensor) and o.requires_grad]
    outputs = [func_out[j] for j in out_pos]
    if not outputs:
        numerical = _numerical_jacobians(
            func,
            inputs,
            [j for j, o in enumerate(func_out) if isinstance(o, Tensor)],
            input_index,
            eps,
        )
        for mat in numerical.values():
            if mat.size and not np.all(np.abs(mat) <= nondet_tol):
                return _fail("Numerical gradient for function expected to be zero", raise_exception)
        return True
    if fast_mode:
        ok = _fast_check(
            func, inputs, outputs, out_pos, input_index, eps, atol, rtol, raise_exception
        )
        if ok is not True:
            return ok
    else:
        numerical = _numerical_jacobians(func, inputs, out_pos, input_index, eps)
        with grad_mode.enable_grad():
            analytical, dtype_ok, size_ok = _analytical_jacobians(
                outputs, out_pos, inputs, input_index
            )
        for j in out_pos:
            for ii, i in enumerate(input_index):
                a, n = analytical[(i, j)], numerical[(i, j)]
                if not np.allclose(a, n, rtol=rtol, atol=atol):
                    return _fail(
                        f"Jacobian mismatch for output {out_pos.index(j):d} with respect to "
                        f"input {ii:d},\nnumerical:{_fmt(n)}\nanalytical:{_fmt(a)}\n",
                        raise_exception,
                    )
        if check_grad_dtypes and not dtype_ok:
            return _fail("Gradient has dtype mismatch", raise_exception)
        if not size_ok:
            return _fail("Analytical gradient has incorrect size", raise_exception)
        with grad_mode.enable_grad():
            again, _, _ = _analytical_jacobians(outputs, out_pos, inputs, input_index)
        for key, a in analytical.items():
            if not np.all(np.abs(again[key] - a) <= nondet_tol):
                return _fail(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    "gradient matches numerical gradient.The tolerance for nondeterminism was "
                    f"{nondet_tol}.",
                    raise_exception,
                )
    if check_undefined_grad:
        ok = _check_zero_grad_outputs(outputs, inputs, input_index, raise_exception)
        if ok is not True:
            return ok
    return True


def _fast_check(func, inputs, outputs, out_pos, input_index, eps, atol, rtol, raise_exception):
    """Compare ``u^T J v`` (analytical, via one VJP) with ``u^T (J v)`` (numerical, via one
    directional difference) for random unit vectors ``u`` (per output) and ``v`` (per input)."""
    from .._tensor import _make
    from . import grad_mode

    rng = np.random.default_rng(0)
    for ii, i in enumerate(input_index):
        data = inputs[i]._data
        v = rng.standard_normal(data.shape)
        v /= max(np.linalg.norm(v), 1e-12)
        orig = data.copy()
        data[...] = orig + eps * v
        plus = _eval(func, inputs)
        data[...] = orig - eps * v
        minus = _eval(func, inputs)
        data[...] = orig
        for jj, (j, out) in enumerate(zip(out_pos, outputs, strict=False)):
            u = rng.standard_normal(out._data.shape)
            u /= max(np.linalg.norm(u), 1e-12)
            numerical = float(np.sum(u * (plus[j] - minus[j]) / (2 * eps)))
            with grad_mode.enable_grad():
                (g,) = _vjp(
                    [out], [inputs[i]], [_make(u.astype(out._data.dtype), False, None)], None
                )
            analytical = 0.0 if g is None else float(np.sum(_host(g._data) * v))
            if not np.isclose(analytical, numerical, rtol=rtol, atol=atol):
                return _fail(
                    f"Jacobian mismatch for output {jj:d} with respect to input {ii:d},\n"
                    f"numerical:{numerical}\nanalytical:{analytical}\n\n"
                    "The above quantities relating the numerical and analytical jacobians are "
                    "computed \nin fast mode. Run with fast_mode=False to see the full "
                    "Jacobians.",
                    raise_exception,
                )
    return True


def _check_zero_grad_outputs(outputs, inputs, input_index, raise_exception):
    """Backward must accept all-zero output gradients and return zero input gradients."""
    from .._tensor import _make
    from . import grad_mode

    with grad_mode.enable_grad():
        try:
            grads = _vjp(
                outputs,
                [inputs[i] for i in input_index],
                [_make(o._data * 0, False, None) for o in outputs],
                None,
            )
        except RuntimeError as e:
            raise GradcheckError(
                "Expected backward function to handle undefined output grads. Please look at "
                '"Notes about undefined output gradients" in "tools/autograd/derivatives.yaml"'
            ) from e
    for g in grads:
        if g is not None and np.any(_host(g._data) != 0):
            return _fail(
                "Expected all input grads to be undefined or zero when all output grads are "
                "undefined or zero.",
                raise_exception,
            )
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the function ``(inputs, grad_outputs) ->
    grad(func(inputs), inputs, grad_outputs, create_graph=True)``.

    Args:
        func, inputs: as for :func:`gradcheck`.
        grad_outputs: gradients w.r.t. the outputs (random float64 ones if omitted); those
            with ``requires_grad`` are checked too.

    Example:
        >>> import ember
        >>> x = ember.tensor([0.5, 2.0], dtype=ember.float64, requires_grad=True)
        >>> ember.autograd.gradgradcheck(lambda t: t * t * t, (x,))
        True
    """
    from .. import _creation
    from . import grad as autograd_grad
    from . import grad_mode

    Tensor = _tensor_cls()
    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        with grad_mode.enable_grad():
            outs = _differentiable_outputs(func(*inputs))
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _creation.tensor(
                rng.uniform(-1, 1, size=o._data.shape).astype(
                    o._data.dtype if o._data.dtype.kind in "fc" else np.float64
                ),
                requires_grad=True,
                device=o.device,
            )
            for o in outs
        )
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_out = len(grad_outputs)
    diff_inputs = {i for i, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad}

    def new_func(*args):
        ins = args[:-n_out] if n_out else args
        outputs = _differentiable_outputs(func(*ins))
        diff = tuple(x for i, x in enumerate(ins) if i in diff_inputs)
        grads = autograd_grad(outputs, diff, args[len(ins) :], create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(
        new_func,
        inputs + grad_outputs,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        fast_mode=fast_mode,
        check_backward_ad=check_rev_over_rev,
    )
