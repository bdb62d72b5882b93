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


def _define(name: str, fields) -> None:
    globals()[name] = structseq(name, fields)
    __all__.append(name)


_VALUES_INDICES = ("values", "indices")
for _name in ("max", "min", "median", "nanmedian", "mode", "kthvalue", "sort", "topk", "cummax",
              "cummin"):  # fmt: skip
    _define(_name, _VALUES_INDICES)
_define("aminmax", ("min", "max"))
_define("histogram", ("hist", "bin_edges"))
_define("histogramdd", ("hist", "bin_edges"))
_define("frexp", ("mantissa", "exponent"))
_define("slogdet", ("sign", "logabsdet"))
_define("linalg_slogdet", ("sign", "logabsdet"))
_define("qr", ("Q", "R"))
_define("linalg_qr", ("Q", "R"))
_define("svd", ("U", "S", "V"))
_define("linalg_svd", ("U", "S", "Vh"))
_define("linalg_eig", ("eigenvalues", "eigenvectors"))
_define("linalg_eigh", ("eigenvalues", "eigenvectors"))
_define("linalg_inv_ex", ("inverse", "info"))
_define("linalg_cholesky_ex", ("L", "info"))
_define("linalg_solve_ex", ("result", "info"))
_define("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
_define("linalg_lu", ("P", "L", "U"))
_define("lu_unpack", ("P", "L", "U"))
_define("linalg_lu_factor", ("LU", "pivots"))
_define("linalg_lu_factor_ex", ("LU", "pivots", "info"))
_define("linalg_ldl_factor", ("LD", "pivots"))
_define("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
_define("triangular_solve", ("solution", "cloned_coefficient"))
_define("geqrf", ("a", "tau"))
del _name
