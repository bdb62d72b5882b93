"""Checks, errors and small helpers shared by the ``ember.linalg`` modules."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..ops._core import shape_str, xp_of

__all__ = ["LinAlgError"]


class LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (a singular matrix, a matrix that is not
    positive-definite, an algorithm that did not converge). A ``RuntimeError`` subclass,
    as in PyTorch."""


def matrix_data(A, op: str, name: str = "A", square: bool = False, floating: bool = True):
    """The array of ``A`` after PyTorch's checks: a Tensor with at least 2 dims, square
    when asked, floating point or complex when asked."""
    if not isinstance(A, Tensor):
        raise TypeError(f"{op}(): argument '{name}' must be Tensor, not {type(A).__name__}")
    data = A._data
    if data.ndim < 2:
        raise RuntimeError(
            f"{op}: The input tensor {name} must have at least 2 dimensions, got shape "
            f"{shape_str(data.shape)}"
        )
    if square and data.shape[-1] != data.shape[-2]:
        raise RuntimeError(
            f"{op}: {name} must be batches of square matrices, but they are "
            f"{data.shape[-2]} by {data.shape[-1]} matrices"
        )
    if floating:
        check_floating(data, op)
    return data


def check_floating(data, op: str, allow_half: bool = False) -> None:
    kind = data.dtype.kind
    if kind not in "fc":
        raise RuntimeError(
            f"{op}: Expected a floating point or complex tensor as input. Got "
            f"{_torch_name(data.dtype)}"
        )
    if data.dtype == np.float16 and not allow_half:
        raise RuntimeError(f"{op}: Low precision dtypes not supported. Got Half")


_TORCH_NAMES = {
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
}


def _torch_name(np_dtype) -> str:
    name = D.from_numpy_dtype(np_dtype).name
    return _TORCH_NAMES.get(name, name)


def same_dtype(op: str, a, b, names=("A", "B")) -> None:
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{op}: Expected {names[0]} and {names[1]} to have the same dtype, but got "
            f"{D.from_numpy_dtype(a.dtype).name} and {D.from_numpy_dtype(b.dtype).name}"
        )


def xp(t: Tensor):
    return xp_of(t)


def constant(arr) -> Tensor:
    """A constant array saved for backward as a Tensor, so that formulas get it as an array
    in plain backward and as a Tensor with ``create_graph=True``."""
    return _wrap(arr)


def eye_like(data, n: int):
    """An ``n x n`` identity of ``data``'s dtype, on its device."""
    mod = np if data.__class__ is np.ndarray else _module(data)
    return mod.eye(n, dtype=data.dtype)


def _module(data):
    from ..backends import array_module_of

    return array_module_of(data)


def mT(F, x):
    """The matrix transpose (conjugated for complex) inside backward formulas."""
    xt = F.swapaxes(x, -1, -2)
    return F.conj(xt) if is_complex(xt) else xt


def is_complex(x) -> bool:
    dt = x.dtype
    return getattr(dt, "kind", None) == "c" or getattr(dt, "is_complex", False) is True


def batch_element(op: str, arrays, failed) -> str:
    """PyTorch's ``(Batch element i): `` prefix for the first failing matrix of a batch."""
    if arrays.ndim <= 2:
        return ""
    flat = arrays.reshape((-1, *arrays.shape[-2:]))
    for i in range(flat.shape[0]):
        if failed(flat[i]):
            return f"(Batch element {i}): "
    return ""


def unsqueeze(F, x, dim: int):
    return F.expand_dims(x, dim)


def with_out(result, out):
    """Write ``result`` (a Tensor or a named tuple of Tensors) into ``out=`` when given."""
    if out is None:
        return result
    from ..ops.inplace import write_out

    if isinstance(result, Tensor):
        return write_out(out, result)
    if len(out) != len(result):
        raise TypeError(f"out= expects a tuple of {len(result)} tensors, got {len(out)}")
    for o, r in zip(out, result):
        write_out(o, r)
    return type(result)(*out)
