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
    """Chooses one format for all elements of a tensor, as PyTorch's ``_Formatter`` does.

    Only finite non-zero values decide the mode and the width: all integral floats print in
    int mode (``1.``), a spread over 1000x, values over 1e8 or under 1e-4 switch to
    scientific mode, and nan/inf/0 never widen the columns.
    """

    def __init__(self, values: np.ndarray):
        self.floating = values.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = values.reshape(-1)
        if not self.floating:
            for v in flat.tolist():
                self.max_width = max(self.max_width, len(f"{v}"))
            return
        with np.errstate(invalid="ignore"):
            finite = flat[np.isfinite(flat) & (flat != 0)]
        if finite.size == 0:
            return
        absval = np.abs(finite).astype(np.float64)
        lo, hi = float(absval.min()), float(absval.max())
        self.int_mode = bool(np.all(finite == np.ceil(finite)))
        if _opts.sci_mode is None:
            self.sci_mode = hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4
        else:
            self.sci_mode = _opts.sci_mode
        p = _opts.precision
        vals = finite.tolist()
        if self.sci_mode:
            width = max(len(f"{v:.{p}e}") for v in vals)
        elif self.int_mode:
            width = max(len(f"{v:.0f}") for v in vals) + 1
        else:
            width = max(len(f"{v:.{p}f}") for v in vals)
        self.max_width = max(self.max_width, width)

    def format(self, v) -> str:
        if self.floating:
            if self.sci_mode:
                s = f"{v:{self.max_width}.{_opts.precision}e}"
            elif self.int_mode:
                s = f"{v:.0f}"
                if not (math.isinf(v) or math.isnan(v)):
                    s += "."
            else:
                s = f"{v:.{_opts.precision}f}"
        else:
            s = f"{v}"
        return " " * (self.max_width - len(s)) + s


class _ComplexFormatter:
    """Formats complex values with one formatter for the real and one for the imaginary parts."""

    def __init__(self, values: np.ndarray):
        self.real = _Formatter(np.ascontiguousarray(values.real))
        self.imag = _Formatter(np.ascontiguousarray(values.imag))
        self.max_width = self.real.max_width + self.imag.max_width + 1

    def format(self, v) -> str:
        re = self.real.format(v.real)
        im = (self.imag.format(v.imag) + "j").lstrip()
        if im[0] in "+-":
            return re + im
        return re + "+" + im


def _summarized(arr: np.ndarray, edge: int) -> np.ndarray:
    """The elements shown when summarizing (they alone choose the format)."""
    if arr.ndim == 0:
        return arr
    if arr.ndim == 1:
        if arr.shape[0] > 2 * edge:
            return np.concatenate([arr[:edge], arr[-edge:] if edge else arr])
        return arr
    if not edge:
        return arr.reshape(-1)[:0]
    if arr.shape[0] > 2 * edge:
        rows = [*range(edge), *range(arr.shape[0] - edge, arr.shape[0])]
    else:
        rows = range(arr.shape[0])
    return np.stack([_summarized(arr[i], edge) for i in rows])


def _format_dims(arr, fmt, indent: int, summarize: bool) -> str:
    edge = _opts.edgeitems
    if arr.ndim == 0:
        return fmt.format(arr.item())
    if arr.ndim == 1:
        per_line = max(1, math.floor((_opts.linewidth - indent) / (fmt.max_width + 2)))
        if summarize and not edge:
            items = ["..."]
        elif summarize and arr.shape[0] > 2 * edge:
            items = (
                [fmt.format(v) for v in arr[:edge].tolist()]
                + [" ..."]
                + [fmt.format(v) for v in arr[-edge:].tolist()]
            )
        else:
            items = [fmt.format(v) for v in arr.tolist()]
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    n = arr.shape[0]
    if summarize and n > 2 * edge:
        rows = [*range(edge), None, *range(n - edge, n)]
    else:
        rows = range(n)
    slices = [
        "..." if i is None else _format_dims(arr[i], fmt, indent + 1, summarize) for i in rows
    ]
    sep = "," + "\n" * (arr.ndim - 1) + " " * (indent + 1)
    return "[" + sep.join(slices) + "]"


def format_array(arr: np.ndarray, indent: int) -> str:
    """The bracketed body of a tensor's repr (without prefix and suffixes)."""
    if arr.size == 0:
        return "[]"
    summarize = arr.size > _opts.threshold
    shown = _summarized(arr, _opts.edgeitems) if summarize else arr
    if arr.dtype.kind == "c":
        fmt = _ComplexFormatter(shown)
    else:
        fmt = _Formatter(shown)
    return _format_dims(arr, fmt, indent, summarize)


def _add_suffixes(body: str, suffixes, indent: int) -> str:
    """Append ``, suffix`` items, wrapping onto a new line past the line width (PyTorch's)."""
    parts = [body]
    last_line_len = len(body) - body.rfind("\n") + 1
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > _opts.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line_len += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def tensor_repr(t, prefix: str = "tensor(") -> str:
    """``repr(t)``: PyTorch's layout, with ``ember.`` dtypes."""
    from . import _dtype as D
    from ._creation import get_default_device

    arr = t._data if t._data.__class__ is np.ndarray else t._data.get()
    dt = t.dtype
    if arr.dtype.kind == "V":  # bfloat16 (ml_dtypes) prints through float32, exactly
        arr = arr.astype(np.float32)
    indent = len(prefix)
    suffixes = []
    dev = t.device
    if dev.type != get_default_device().type or (dev.type == "cuda" and dev.index not in (None, 0)):
        suffixes.append(f"device='{dev}'")
    default = D.get_default_dtype()
    if arr.size == 0:
        if arr.ndim != 1:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dt is not default:
            suffixes.append(f"dtype={dt!r}")
        body = "[]"
    else:
        if not _opts.edgeitems:
            suffixes.append(f"size={tuple(arr.shape)}")
        if dt not in (default, default.to_complex(), D.int64, D.bool):
            suffixes.append(f"dtype={dt!r}")
        body = format_array(arr, indent)
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    out = _add_suffixes(prefix + body, suffixes, indent)
    if getattr(t, "_is_param", False) and type(t).__name__ == "Parameter":
        out = "Parameter containing:\n" + out
    return out
