"""Tensor ``repr``/``str`` formatted like PyTorch's, and ``set_printoptions``.

Example:
    >>> import ember
    >>> ember.tensor([1.0, 2.5])
    tensor([1.0000, 2.5000])
    >>> ember.tensor([1.0, 2.0], dtype=ember.float64)
    tensor([1., 2.], dtype=ember.float64)
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["set_printoptions", "get_printoptions", "tensor_repr"]


class _Options:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


_opts = _Options()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None) -> None:  # fmt: skip
    """Set how tensors print (PyTorch's options and profiles ``default``/``short``/``full``).

    Example:
        >>> import ember
        >>> ember.set_printoptions(precision=2)
        >>> ember.tensor([1.2345])
        tensor([1.23])
        >>> ember.set_printoptions(profile="default")
    """
    if profile == "default":
        _opts.precision, _opts.threshold, _opts.edgeitems, _opts.linewidth = 4, 1000, 3, 80
    elif profile == "short":
        _opts.precision, _opts.threshold, _opts.edgeitems, _opts.linewidth = 2, 1000, 2, 80
    elif profile == "full":
        _opts.precision, _opts.threshold, _opts.edgeitems, _opts.linewidth = 4, math.inf, 3, 80
    if precision is not None:
        _opts.precision = precision
    if threshold is not None:
        _opts.threshold = threshold
    if edgeitems is not None:
        _opts.edgeitems = edgeitems
    if linewidth is not None:
        _opts.linewidth = linewidth
    _opts.sci_mode = sci_mode


def get_printoptions() -> dict:
    """The current print options."""
    return {
        "precision": _opts.precision,
        "threshold": _opts.threshold,
        "edgeitems": _opts.edgeitems,
        "linewidth": _opts.linewidth,
        "sci_mode": _opts.sci_mode,
    }


class _Formatter:
    """Chooses one format for all elements of a tensor, as PyTorch does."""

    def __init__(self, values: np.ndarray):
        self.kind = values.dtype.kind
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if self.kind in "biu":
            strs = [self._int(v) for v in values.reshape(-1)]
            self.max_width = max((len(s) for s in strs), default=1)
            return
        finite = values[np.isfinite(values)]
        nonzero = np.abs(finite[finite != 0]).astype(np.float64)
        if nonzero.size:
            self.int_mode = bool(np.all(nonzero == np.ceil(nonzero)))
            lo, hi = float(nonzero.min()), float(nonzero.max())
            if self.int_mode:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8
            else:
                self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        if _opts.sci_mode is not None:
            self.sci_mode = _opts.sci_mode
        self.max_width = max((len(self._float(float(v))) for v in values.reshape(-1)), default=1)

    def _int(self, v) -> str:
        if self.kind == "b":
            return "True" if v else "False"
        return str(int(v))

    def _float(self, v: float) -> str:
        p = _opts.precision
        if math.isnan(v) or math.isinf(v):
            return str(v)
        if self.sci_mode:
            return f"{v:.{p}e}"
        if self.int_mode:
            return f"{v:.0f}."
        return f"{v:.{p}f}"

    def format(self, v) -> str:
        s = self._int(v) if self.kind in "biu" else self._float(float(v))
        return " " * (self.max_width - len(s)) + s


class _ComplexFormatter:
    def __init__(self, values: np.ndarray):
        self.real = _Formatter(values.real.copy())
        self.imag = _Formatter(values.imag.copy())

    def format(self, v) -> str:
        re = self.real.format(v.real)
        im = self.imag._float(float(v.imag))
        sign = "+" if not im.startswith("-") else ""
        return f"{re}{sign}{im}j"


def _summarized(arr: np.ndarray, edge: int) -> np.ndarray:
    """The elements shown when summarizing (used for choosing the format)."""
    if arr.ndim == 0:
        return arr.reshape(1)
    if arr.shape[0] > 2 * edge:
        parts = [arr[:edge], arr[-edge:]]
    else:
        parts = [arr]
    return np.concatenate([_summarized(p[i], edge).reshape(-1) for p in parts for i in range(len(p))]) \
        if arr.ndim > 1 else np.concatenate(parts)  # fmt: skip


def _format_dims(arr, fmt, indent: int, summarize: bool) -> str:
    edge = _opts.edgeitems
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        width = getattr(fmt, "max_width", 1) + 2
        if isinstance(fmt, _ComplexFormatter):
            width = fmt.real.max_width + fmt.imag.max_width + 4
        per_line = max(1, int((_opts.linewidth - indent) // width))
        if summarize and arr.shape[0] > 2 * edge:
            items = [fmt.format(v) for v in arr[:edge]] + [" ..."] + [fmt.format(v) for v in arr[-edge:]]
        else:
            items = [fmt.format(v) for v in arr]
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if summarize and arr.shape[0] > 2 * edge:
        slices = (
            [_format_dims(arr[i], fmt, indent + 1, summarize) for i in range(edge)]
            + ["..."]
            + [_format_dims(arr[i], fmt, indent + 1, summarize) for i in range(arr.shape[0] - edge, arr.shape[0])]
        )
    else:
        slices = [_format_dims(arr[i], fmt, indent + 1, summarize) for i in range(arr.shape[0])]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(slices) + "]"


def format_array(arr: np.ndarray, indent: int) -> str:
    summarize = arr.size > _opts.threshold
    shown = _summarized(arr, _opts.edgeitems) if summarize else arr
    if arr.dtype.kind == "c":
        fmt = _ComplexFormatter(np.asarray(shown))
    else:
        fmt = _Formatter(np.asarray(shown))
    return _format_dims(arr, fmt, indent, summarize)


def tensor_repr(t, prefix: str = "tensor(") -> str:
    from . import _dtype as D

    arr = t._data if t._data.__class__ is np.ndarray else t._data.get()
    dt = t.dtype
    suffixes = []
    if t.is_cuda:
        suffixes.append(f"device='{t.device}'")
    if arr.size == 0:
        body = "[]"
        if arr.shape != (0,):
            suffixes.insert(0, f"size={tuple(arr.shape)}")
    else:
        body = format_array(arr, len(prefix))
    defaults = (D.get_default_dtype(), D.int64, D.bool, D.get_default_dtype().to_complex())
    if dt not in defaults:
        suffixes.append(f"dtype={dt!r}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    if getattr(t, "_is_param", False) and type(t).__name__ == "Parameter":
        prefix = "Parameter containing:\n" + prefix
    return prefix + body + "".join(", " + s for s in suffixes) + ")"
