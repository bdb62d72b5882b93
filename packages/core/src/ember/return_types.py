"""Named result tuples of ops with several outputs, like ``torch.return_types``.

Each type is a ``tuple`` subclass with named fields, so results unpack
(``values, indices = x.max(1)``), index (``r[0]``) and compare like tuples, and print like
PyTorch's. New types are made with :func:`structseq`.

Example:
    >>> import ember
    >>> r = ember.tensor([[1, 5, 2]]).max(dim=1)
    >>> r
    ember.return_types.max(
    values=tensor([5]),
    indices=tensor([1]))
    >>> r.indices
    tensor([1])
    >>> values, indices = r
"""

from __future__ import annotations

from collections import namedtuple

__all__ = ["structseq"]


def structseq(name: str, fields) -> type:
    """Make the named result tuple ``ember.return_types.<name>`` with ``fields``.

    Example:
        >>> from ember.return_types import structseq
        >>> pair = structseq("pair", ("first", "second"))
        >>> pair(1, 2).second
        2
    """
    base = namedtuple(name, fields)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self, strict=True))
        return f"ember.return_types.{name}(\n{body})"

    cls = type(name, (base,), {"__slots__": (), "__repr__": __repr__})
    cls.__module__ = __name__
    cls.__qualname__ = name
    return cls


_VALUES_INDICES = ("values", "indices")
# Built on first use (creating ~35 classes at import would cost ~5 ms of ``import ember``).
_FIELDS = {
    **{name: _VALUES_INDICES for name in ("max", "min", "median", "nanmedian", "mode",
                                          "kthvalue", "sort", "topk", "cummax", "cummin")},
    "aminmax": ("min", "max"),
    "histogram": ("hist", "bin_edges"),
    "histogramdd": ("hist", "bin_edges"),
    "frexp": ("mantissa", "exponent"),
    "slogdet": ("sign", "logabsdet"),
    "linalg_slogdet": ("sign", "logabsdet"),
    "qr": ("Q", "R"),
    "linalg_qr": ("Q", "R"),
    "svd": ("U", "S", "V"),
    "linalg_svd": ("U", "S", "Vh"),
    "linalg_eig": ("eigenvalues", "eigenvectors"),
    "linalg_eigh": ("eigenvalues", "eigenvectors"),
    "linalg_inv_ex": ("inverse", "info"),
    "linalg_cholesky_ex": ("L", "info"),
    "linalg_solve_ex": ("result", "info"),
    "linalg_lstsq": ("solution", "residuals", "rank", "singular_values"),
    "linalg_lu": ("P", "L", "U"),
    "lu_unpack": ("P", "L", "U"),
    "linalg_lu_factor": ("LU", "pivots"),
    "linalg_lu_factor_ex": ("LU", "pivots", "info"),
    "linalg_ldl_factor": ("LD", "pivots"),
    "linalg_ldl_factor_ex": ("LD", "pivots", "info"),
    "triangular_solve": ("solution", "cloned_coefficient"),
    "geqrf": ("a", "tau"),
}  # fmt: skip
__all__ += list(_FIELDS)


def __getattr__(name: str):
    fields = _FIELDS.get(name)
    if fields is None:
        raise AttributeError(f"module 'ember.return_types' has no attribute '{name}'")
    cls = globals()[name] = structseq(name, fields)
    return cls
