"""Ready-made parametrizations: ``weight_norm`` and ``spectral_norm`` (the
``torch.nn.utils.parametrizations`` versions, built on ``parametrize``).

Example:
    >>> import ember
    >>> from ember import nn
    >>> from ember.nn.utils.parametrizations import weight_norm
    >>> m = nn.Module()
    >>> m.weight = nn.Parameter(ember.tensor([[3.0, 4.0], [0.0, 2.0]]))
    >>> _ = weight_norm(m)
    >>> m.parametrizations.weight.original0
    Parameter containing:
    tensor([[5.],
            [2.]], requires_grad=True)
    >>> list(m.state_dict())
    ['parametrizations.weight.original0', 'parametrizations.weight.original1']
"""

from __future__ import annotations

import numpy as np

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ..modules.module import Module
from . import parametrize

__all__ = ["weight_norm", "spectral_norm"]


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of ``v`` over every dimension but ``dim`` (kept with size 1); over all of
    ``v`` (a 0-d tensor) when ``dim == -1``, as PyTorch's ``norm_except_dim``."""
    if dim == -1:
        return (v * v).sum().sqrt()
    dims = tuple(d for d in range(v.ndim) if d != dim)
    if not dims:
        return v.abs()
    return (v * v).sum(dim=dims, keepdim=True).sqrt()


class _WeightNorm(Module):
    def __init__(self, dim: int | None = 0):
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g: Tensor, weight_v: Tensor) -> Tensor:
        return weight_v * (weight_g / _norm_except_dim(weight_v, self.dim))

    def right_inverse(self, weight: Tensor):
        return _norm_except_dim(weight, self.dim), weight


def weight_norm(module: Module, name: str = "weight", dim: int | None = 0) -> Module:
    """Reparametrize ``module.<name>`` as ``g * v / ||v||``: magnitude ``g`` is
    ``parametrizations.<name>.original0`` and direction ``v`` is ``original1``; the norm is
    over every dimension but ``dim`` (over the whole tensor when ``dim`` is None).

    A state dict saved with the old hook-based ``weight_norm`` (``weight_g``/``weight_v``
    keys) still loads.
    """
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)

    def _weight_norm_compat_hook(
        state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
    ):
        g_key = f"{prefix}{name}_g"
        v_key = f"{prefix}{name}_v"
        if g_key in state_dict and v_key in state_dict:
            state_dict[f"{prefix}parametrizations.{name}.original0"] = state_dict.pop(g_key)
            state_dict[f"{prefix}parametrizations.{name}.original1"] = state_dict.pop(v_key)

    module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    return module


def _normalize_(xp, vec, eps: float, out) -> None:
    """``out[...] = vec / max(||vec||, eps)`` on arrays."""
    norm = float(np.sqrt(np.abs(xp.vdot(vec, vec))))
    out[...] = vec / max(norm, eps)


class _SpectralNorm(Module):
    def __init__(
        self, weight: Tensor, n_power_iterations: int = 1, dim: int = 0, eps: float = 1e-12
    ):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but "
                f"got {dim})"
            )
        if n_power_iterations <= 0:
            raise ValueError(
                "Expected n_power_iterations to be positive, but got "
                f"n_power_iterations={n_power_iterations}"
            )
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            weight_mat = self._reshape_weight_to_matrix(weight.detach())
            h, w = weight_mat.shape
            u = weight_mat.new_empty(h).normal_(0, 1)
            v = weight_mat.new_empty(w).normal_(0, 1)
            xp = _xp(u._data)
            _normalize_(xp, u._data.copy(), eps, u._data)
            _normalize_(xp, v._data.copy(), eps, v._data)
            self.register_buffer("_u", u)
            self.register_buffer("_v", v)
            self._power_method(weight_mat, 15)

    def _reshape_weight_to_matrix(self, weight: Tensor) -> Tensor:
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.ndim) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, weight_mat: Tensor, n_power_iterations: int) -> None:
        # In place on the buffers' arrays (no graph), as PyTorch's ``out=self._u``.
        w = weight_mat._data
        u = self._u._data
        v = self._v._data
        xp = _xp(w)
        wh = w.conj().T
        for _ in range(n_power_iterations):
            _normalize_(xp, w @ v, self.eps, u)
            _normalize_(xp, wh @ u, self.eps, v)
        for t in (self._u, self._v):
            if t._vc is not None:
                t._vc[0] += 1

    def forward(self, weight: Tensor) -> Tensor:
        if weight.ndim == 1:
            norm = (weight * weight).sum().sqrt().clamp(min=self.eps)
            return weight / norm
        weight_mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            with no_grad():
                self._power_method(weight_mat.detach(), self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = (u.conj() * (weight_mat @ v)).sum()
        return weight / sigma

    def right_inverse(self, value: Tensor) -> Tensor:
        return value


def _xp(arr):
    if arr.__class__ is np.ndarray:
        return np
    from ...backends import array_module_of

    return array_module_of(arr)


def spectral_norm(
    module: Module,
    name: str = "weight",
    n_power_iterations: int = 1,
    eps: float = 1e-12,
    dim: int | None = None,
) -> Module:
    """Reparametrize ``module.<name>`` as ``W / sigma(W)``, ``sigma`` its largest singular
    value estimated by power iteration (vectors in the buffers
    ``parametrizations.<name>.0._u`` and ``._v``, updated at each access in training mode).

    Args:
        module: the module.
        name: the weight's name.
        n_power_iterations: power-iteration steps per access in training mode.
        eps: for numerical stability in the normalisations.
        dim: the dimension of the output channels (default 0, 1 for ConvTranspose).
    """
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    parametrize.register_parametrization(
        module, name, _SpectralNorm(weight, n_power_iterations, dim, eps)
    )
    return module
