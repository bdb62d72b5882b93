"""Vision ops: ``interpolate``, ``grid_sample``, ``affine_grid``, ``pixel_shuffle``,
``pixel_unshuffle`` and ``channel_shuffle``.

Note [Separable interpolation]
    Every ``interpolate`` mode is separable: along each spatial dim the output is a fixed
    linear map of the input, an (out x in) matrix whose rows hold PyTorch's taps and weights
    (2 for linear, 4 for cubic with A = -0.75, the filter support for antialias, a one-hot
    row for nearest). The forward applies one matrix per dim (nearest gathers instead, so it
    is exact for every dtype); the backward applies the transposed matrices with ``F.matmul``,
    so double backward needs nothing more. Source coordinates follow PyTorch exactly:
    ``align_corners`` maps corner to corner, otherwise pixel centres with scale
    ``in / out`` or ``1 / scale_factor`` when a scale factor is given (and not recomputed).

PyTorch raises ``NotImplementedError`` for a mode that does not fit the input's rank; Ember
raises ``ValueError`` with the same message.

Example:
    >>> import ember
    >>> import ember.nn.functional as F
    >>> x = ember.tensor([[[1.0, 2.0]]])
    >>> F.interpolate(x, scale_factor=2, mode="nearest")
    tensor([[[1., 1., 2., 2.]]])
    >>> F.interpolate(x, size=3, mode="linear", align_corners=True)
    tensor([[[1.0000, 1.5000, 2.0000]]])
"""

from __future__ import annotations

import math
import warnings

from ...ops._core import Node, Tensor, attach, grad_state, new_tensor, np
from .pooling import (
    _SeparableNode,
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    separable_op,
)

__all__ = [
    "interpolate", "upsample", "upsample_nearest", "upsample_bilinear",
    "grid_sample", "affine_grid",
    "pixel_shuffle", "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
]  # fmt: skip


def _xp(a):
    if a.__class__ is np.ndarray:
        return np
    from ...backends import array_module_of

    return array_module_of(a)


# -- interpolate: the per-dim matrices ------------------------------------------------------


def _area_scale(L, O, align_corners, scale):
    """PyTorch's ``area_pixel_compute_scale``."""
    if align_corners:
        return (L - 1) / (O - 1) if O > 1 else 0.0
    return 1.0 / scale if (scale is not None and scale > 0) else L / O


def _source_index(scale, dst, align_corners, cubic):
    """PyTorch's ``area_pixel_compute_source_index`` (vectorised over ``dst``)."""
    if align_corners:
        return scale * dst
    src = scale * (dst + 0.5) - 0.5
    return src if cubic else np.maximum(src, 0.0)


def _nearest_index(L, O, scale, exact):
    """Source index of each output position for nearest / nearest-exact (float32 maths,
    as PyTorch computes it)."""
    s = np.float32(1.0 / scale if (scale is not None and scale > 0) else L / O)
    dst = np.arange(O, dtype=np.float32)
    if exact:
        dst = dst + np.float32(0.5)
    return np.minimum(np.floor(dst * s).astype(np.int64), L - 1)


def _linear_matrix(L, O, align_corners, scale, dtype):
    s = _area_scale(L, O, align_corners, scale)
    src = _source_index(s, np.arange(O, dtype=np.float64), align_corners, False)
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < L - 1)
    lam = src - i0
    m = np.zeros((O, L), dtype=np.float64)
    rows = np.arange(O)
    np.add.at(m, (rows, i0), 1.0 - lam)
    np.add.at(m, (rows, i1), lam)
    return m.astype(dtype)


def _cubic1(x, A):
    return ((A + 2) * x - (A + 3)) * x * x + 1


def _cubic2(x, A):
    return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A


def _cubic_matrix(L, O, align_corners, scale, dtype):
    A = -0.75
    s = _area_scale(L, O, align_corners, scale)
    src = _source_index(s, np.arange(O, dtype=np.float64), align_corners, True)
    i0 = np.floor(src).astype(np.int64)
    t = src - i0
    coeffs = [_cubic2(t + 1, A), _cubic1(t, A), _cubic1(1 - t, A), _cubic2(2 - t, A)]
    m = np.zeros((O, L), dtype=np.float64)
    rows = np.arange(O)
    for k in range(4):
        np.add.at(m, (rows, np.clip(i0 - 1 + k, 0, L - 1)), coeffs[k])
    return m.astype(dtype)


def _aa_filter(mode):
    if mode == "bilinear":
        return lambda x: np.maximum(1.0 - np.abs(x), 0.0)

    def bicubic(x):  # PIL's cubic, A = -0.5
        x = np.abs(x)
        return np.where(x < 1.0, _cubic1(x, -0.5), np.where(x < 2.0, _cubic2(x, -0.5), 0.0))

    return bicubic


def _aa_matrix(L, O, align_corners, scale, dtype, mode):
    """Antialiased weights (PyTorch's ``_compute_weights_aa``: a filter stretched by the
    downsampling factor, normalised per output)."""
    interp = 2 if mode == "bilinear" else 4
    s = _area_scale(L, O, align_corners, scale)
    support = interp * 0.5 * s if s >= 1.0 else interp * 0.5
    invscale = 1.0 / s if s >= 1.0 else 1.0
    filt = _aa_filter(mode)
    m = np.zeros((O, L), dtype=np.float64)
    for i in range(O):  # a loop over output positions of one dim, to build the matrix
        center = s * (i + 0.5)
        xmin = max(int(center - support + 0.5), 0)
        xmax = min(int(center + support + 0.5), L)
        j = np.arange(xmin, xmax)
        w = filt((j - center + 0.5) * invscale)
        total = w.sum()
        if total != 0.0:
            w = w / total
        m[i, xmin:xmax] = w
    return m.astype(dtype)


def _onehot(idx, L, dtype):
    m = np.zeros((len(idx), L), dtype=dtype)
    m[np.arange(len(idx)), idx] = 1
    return m


_NODE_NAMES = {
    "nearest": "UpsampleNearest{n}DBackward0",
    "nearest-exact": "UpsampleNearestExact{n}DBackward0",
    "linear": "UpsampleLinear1DBackward0",
    "bilinear": "UpsampleBilinear2DBackward0",
    "trilinear": "UpsampleTrilinear3DBackward0",
    "bicubic": "UpsampleBicubic2DBackward0",
    "bilinear-aa": "UpsampleBilinear2DAaBackward0",
    "bicubic-aa": "UpsampleBicubic2DAaBackward0",
}
_NODES: dict = {}


def _node_class(key, nd):
    cls = _NODES.get((key, nd))
    if cls is None:
        name = _NODE_NAMES[key].format(n=nd)
        cls = type(name, (_SeparableNode,), {"__slots__": ()})
        _NODES[(key, nd)] = cls
    return cls


def _separable(x: Tensor, mats, nd, key, gather=None):
    """Apply per-dim matrices to ``x`` (or gather ``gather`` indices, for nearest)."""
    return separable_op(x, mats, nd, _node_class(key, nd), gather)


_MODE_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_ALL_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize ``input`` (``(N, C, *spatial)`` with 1-3 spatial dims) to ``size`` or by
    ``scale_factor``.

    Args:
        mode: ``'nearest'``, ``'nearest-exact'``, ``'linear'`` (3D), ``'bilinear'``,
            ``'bicubic'`` (4D), ``'trilinear'`` (5D) or ``'area'``.
        align_corners: for the linear and cubic modes, map corner pixels to corner pixels.
        recompute_scale_factor: compute the coordinate scale from the output size instead of
            using ``scale_factor``.
        antialias: low-pass filter when downsampling (``'bilinear'`` and ``'bicubic'``).

    Example:
        >>> import ember
        >>> x = ember.tensor([[[[1.0, 2.0], [3.0, 4.0]]]])
        >>> ember.nn.functional.interpolate(x, size=(3, 3), mode="bilinear", align_corners=True)
        tensor([[[[1.0000, 1.5000, 2.0000],
                  [2.0000, 2.5000, 3.0000],
                  [3.0000, 3.5000, 4.0000]]]])
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            f"interpolate(): argument 'input' must be Tensor, not {type(input).__name__}"
        )
    if mode not in _ALL_MODES or input.ndim not in (3, 4, 5):
        raise ValueError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
            "the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
            f"nearest-exact (got {mode})"
        )
    nd = input.ndim - 2
    L = tuple(int(v) for v in input.shape[2:])
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: "
                "linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    scales = [None] * nd
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != nd:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got "
                    f"input with spatial dimensions of {list(L)} and output size of {size}. "
                    "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output "
                    "size in (o1, o2, ...,oK) format."
                )
            out = tuple(int(v) for v in size)
        else:
            out = (int(size),) * nd
        if recompute_scale_factor:
            raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != nd:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, "
                    f"but got input with spatial dimensions of {list(L)} and scale_factor of "
                    f"shape {scale_factor}. Please provide input tensor in (N, C, d1, d2, "
                    "...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
            sf = [float(v) for v in scale_factor]
        else:
            sf = [float(scale_factor)] * nd
        out = tuple(math.floor(l * f) for l, f in zip(L, sf))
        if not recompute_scale_factor:
            scales = sf
    else:
        raise ValueError("either size or scale_factor should be defined")
    if antialias and not (mode in ("bilinear", "bicubic") and input.ndim == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear and bicubic modes and requires a 4-D "
            "tensor as input"
        )
    need = _MODE_DIMS.get(mode)
    if need is not None and need != nd:
        raise ValueError(f"Got {input.ndim}D input, but {mode} mode needs {need + 2}D input")
    if min(L) <= 0 or min(out) <= 0:
        names = "DHW"[3 - nd :]
        ins = ", ".join(f"{n}: {v}" for n, v in zip(names, L))
        outs = ", ".join(f"{n}: {v}" for n, v in zip(names, out))
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({ins}) output "
            f"({outs})"
        )
    if mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[nd - 1](input, out)
    kind = input._data.dtype.kind
    if mode in ("nearest", "nearest-exact"):
        exact = mode == "nearest-exact"
        idx = [_nearest_index(l, o, sc, exact) for l, o, sc in zip(L, out, scales)]
        dt = input._data.dtype if kind in "fc" else np.float64
        mats = [_onehot(i, l, dt) for i, l in zip(idx, L)]
        return _separable(input, mats, nd, mode, gather=idx)
    if kind not in "fc":
        raise RuntimeError(f"\"upsample_{mode}\" not implemented for '{input.dtype}'")
    dt = input._data.dtype
    if antialias:
        mats = [_aa_matrix(l, o, align_corners, sc, dt, mode) for l, o, sc in zip(L, out, scales)]
        return _separable(input, mats, nd, mode + "-aa")
    build = _cubic_matrix if mode == "bicubic" else _linear_matrix
    mats = [build(l, o, align_corners, sc, dt) for l, o, sc in zip(L, out, scales)]
    return _separable(input, mats, nd, mode)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of :func:`interpolate` (kept for PyTorch compatibility)."""
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """``interpolate(..., mode='nearest')``."""
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """``interpolate(..., mode='bilinear', align_corners=True)``."""
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# -- grid_sample / affine_grid --------------------------------------------------------------


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) * ((size - 1) / 2)
    return ((coord + 1) * size - 1) / 2


def _clip(coord, size):
    """Clamp to [0, size - 1] with zero gradient on and beyond the borders (PyTorch's
    ``clip_coordinates_set_grad``)."""
    import ember

    inside = (coord > 0) & (coord < size - 1)
    return ember.where(inside, coord, ember.clamp(coord.detach(), 0, size - 1))


def _reflect(coord, twice_low, twice_high):
    import ember

    if twice_low == twice_high:
        return coord * 0
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    c = ember.abs(coord - lo)
    extra = ember.fmod(c, span)
    flips = ember.floor(c.detach() / span)
    even = ember.remainder(flips, 2) == 0
    return ember.where(even, extra + lo, span - extra + lo)


def _pad_coord(coord, size, padding_mode, align_corners):
    if padding_mode == "border":
        return _clip(coord, size)
    if padding_mode == "reflection":
        if align_corners:
            coord = _reflect(coord, 0, 2 * (size - 1))
        else:
            coord = _reflect(coord, -1, 2 * size - 1)
        return _clip(coord, size)
    return coord


def _gather_points(flat_input, idx_list, sizes, valid):
    """Values of ``flat_input`` (N, C, prod(sizes)) at integer points (each (N, P)); zero
    where ``valid`` is False."""
    import ember

    lin = None
    for idx, size in zip(idx_list, sizes):
        c = ember.clamp(idx, 0, size - 1)
        lin = c if lin is None else lin * size + c
    N, C = flat_input.shape[:2]
    vals = ember.gather(flat_input, 2, lin.unsqueeze(1).expand(N, C, lin.shape[1]))
    return vals * valid.unsqueeze(1).to(flat_input.dtype)


def grid_sample(
    input: Tensor,
    grid: Tensor,
    mode: str = "bilinear",
    padding_mode: str = "zeros",
    align_corners: bool | None = None,
) -> Tensor:
    """Sample ``input`` (``(N, C, H, W)`` or ``(N, C, D, H, W)``) at the normalised points of
    ``grid`` (``(N, H_out, W_out, 2)`` or ``(N, D_out, H_out, W_out, 3)``, x first, in
    [-1, 1]); differentiable in both ``input`` and ``grid``.

    Example:
        >>> import ember
        >>> x = ember.arange(4.0).reshape(1, 1, 2, 2)
        >>> grid = ember.tensor([[[[0.0, 0.0], [-1.0, -1.0]]]])
        >>> ember.nn.functional.grid_sample(x, grid, align_corners=True)
        tensor([[[[1.5000, 0.0000]]]])
    """
    import ember

    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(
            "nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or "
            f"'bicubic', but got: '{mode}'"
        )
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
            f"'reflection', but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(
            "Default grid_sample and affine_grid behavior has changed to align_corners=False "
            "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
            "See the documentation of grid_sample for details.",
            stacklevel=2,
        )
        align_corners = False
    if input.ndim not in (4, 5) or grid.ndim != input.ndim:
        raise RuntimeError(
            "grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, "
            f"but got input with sizes {list(input.shape)} and grid with sizes "
            f"{list(grid.shape)}"
        )
    nd = input.ndim - 2
    if grid.shape[-1] != nd:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid "
            f"with sizes {list(grid.shape)}"
        )
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError(
            "grid_sampler(): expected grid and input to have same batch size, but got input "
            f"with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}"
        )
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    N, C = input.shape[:2]
    sizes = tuple(int(v) for v in input.shape[2:])  # (H, W) or (D, H, W)
    out_sp = tuple(grid.shape[1:-1])
    g = grid.reshape(N, -1, nd)
    # grid's last dim is (x, y[, z]) = reversed spatial order
    coords = [_unnormalize(g[..., nd - 1 - i], sizes[i], align_corners) for i in range(nd)]
    flat = input.reshape(N, C, -1)
    if mode == "bicubic":
        out = _bicubic_sample(flat, coords, sizes, padding_mode, align_corners)
    else:
        coords = [_pad_coord(c, s, padding_mode, align_corners) for c, s in zip(coords, sizes)]
        if mode == "nearest":
            idx = [ember.round(c.detach()).to(ember.int64) for c in coords]
            valid = None
            for i, s in zip(idx, sizes):
                v = (i >= 0) & (i < s)
                valid = v if valid is None else valid & v
            out = _gather_points(flat, idx, sizes, valid)
        else:
            lows = [ember.floor(c.detach()) for c in coords]
            out = None
            for corner in range(2**nd):
                weight = None
                idx = []
                valid = None
                for i in range(nd):
                    up = (corner >> (nd - 1 - i)) & 1
                    frac = coords[i] - lows[i]
                    w = frac if up else 1 - frac
                    weight = w if weight is None else weight * w
                    ii = lows[i].to(ember.int64) + up
                    idx.append(ii)
                    v = (ii >= 0) & (ii < sizes[i])
                    valid = v if valid is None else valid & v
                term = _gather_points(flat, idx, sizes, valid) * weight.unsqueeze(1)
                out = term if out is None else out + term
    return out.reshape((N, C) + out_sp)


def _bicubic_sample(flat, coords, sizes, padding_mode, align_corners):
    import ember

    A = -0.75
    H, W = sizes
    iy, ix = coords
    fy, fx = ember.floor(iy.detach()), ember.floor(ix.detach())
    ty, tx = iy - fy, ix - fx

    def coeffs(t):
        return [_cubic2(t + 1, A), _cubic1(t, A), _cubic1(1 - t, A), _cubic2(2 - t, A)]

    cy, cx = coeffs(ty), coeffs(tx)
    out = None
    for a in range(4):
        for b in range(4):
            py = fy - 1 + a
            px = fx - 1 + b
            # PyTorch's get_value_bounded: pad the tap's coordinate, then read if in bounds
            py = _pad_coord(py, H, padding_mode, align_corners).detach()
            px = _pad_coord(px, W, padding_mode, align_corners).detach()
            iy_, ix_ = py.to(ember.int64), px.to(ember.int64)
            valid = (iy_ >= 0) & (iy_ < H) & (ix_ >= 0) & (ix_ < W)
            val = _gather_points(flat, [iy_, ix_], sizes, valid)
            term = val * (cy[a] * cx[b]).unsqueeze(1)
            out = term if out is None else out + term
    return out


class AffineGridGeneratorBackward0(Node):
    __slots__ = ()

    def backward(self, F, grad, base, N):
        # grid = base @ theta^T  =>  dtheta = grad^T @ base
        k = base.shape[-1] - 1
        g = grad.reshape((N, -1, k))
        return F.matmul(F.swapaxes(g, 1, 2), base)


def _base_coords(n, align_corners):
    c = np.linspace(-1.0, 1.0, n) if n > 1 else np.zeros(1)
    return c if align_corners else c * (n - 1) / n


def affine_grid(theta: Tensor, size, align_corners: bool | None = None) -> Tensor:
    """Sampling grid for ``grid_sample`` from affine matrices ``theta`` (``(N, 2, 3)`` for a
    4D ``size`` ``(N, C, H, W)``, ``(N, 3, 4)`` for a 5D one).

    Example:
        >>> import ember
        >>> theta = ember.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
        >>> ember.nn.functional.affine_grid(theta, (1, 1, 1, 2), align_corners=True)
        tensor([[[[-1.,  0.],
                  [ 1.,  0.]]]])
    """
    if align_corners is None:
        warnings.warn(
            "Default grid_sample and affine_grid behavior has changed to align_corners=False "
            "since 1.3.0. Please specify align_corners=True if the old behavior is desired. "
            "See the documentation of grid_sample for details.",
            stacklevel=2,
        )
        align_corners = False
    size = tuple(int(v) for v in size)
    if len(size) not in (4, 5):
        raise ValueError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
            f"respectively. Got size {size}."
        )
    k = len(size) - 2
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if theta.ndim != 3 or tuple(theta.shape[1:]) != (k, k + 1):
        raise ValueError(
            f"Expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for size {size}. "
            f"Got ember.Size({list(theta.shape)})."
        )
    if min(size[2:]) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    sp = size[2:]
    axes = [_base_coords(n, align_corners) for n in sp]  # (H, W) or (D, H, W)
    mesh = np.meshgrid(*axes, indexing="ij")
    # base point = (x, y[, z], 1): x varies along the last spatial dim
    base = np.stack([mesh[k - 1 - i] for i in range(k)] + [np.ones(mesh[0].shape)], -1)
    a = theta._data
    base = base.reshape(1, -1, k + 1).astype(a.dtype)
    if a.__class__ is not np.ndarray:
        base = _xp(a).asarray(base)
    out = (
        np.matmul(base, a.swapaxes(1, 2)) if a.__class__ is np.ndarray else base @ a.swapaxes(1, 2)
    )
    out = out.reshape((theta.shape[0],) + tuple(sp) + (k,))
    res = new_tensor(out)
    if grad_state.enabled and theta._requires_grad:
        node = AffineGridGeneratorBackward0()
        attach(res, node, theta)
        node.save(base, theta.shape[0])
    return res


# -- pixel / channel shuffles ---------------------------------------------------------------


def _pixel_shuffle_array(a, r):
    *lead, c, h, w = a.shape
    oc = c // (r * r)
    b = a.reshape(tuple(lead) + (oc, r, r, h, w))
    n = len(lead)
    perm = tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2)
    return b.transpose(perm).reshape(tuple(lead) + (oc, h * r, w * r))


def _pixel_unshuffle_array(a, r):
    *lead, c, h, w = a.shape
    b = a.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    n = len(lead)
    perm = tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3)
    return b.transpose(perm).reshape(tuple(lead) + (c * r * r, h // r, w // r))


def _channel_shuffle_array(a, groups):
    n, c = a.shape[:2]
    rest = a.shape[2:]
    return a.reshape((n, groups, c // groups) + rest).swapaxes(1, 2).reshape(a.shape)


def _channel_unshuffle_array(a, groups):
    n, c = a.shape[:2]
    rest = a.shape[2:]
    return a.reshape((n, c // groups, groups) + rest).swapaxes(1, 2).reshape(a.shape)


class _PermuteNode(Node):
    """Node of a pure data movement ``fwd`` whose inverse is ``inv`` (both saved): the
    gradient is ``inv(grad)``, itself recorded in graph mode."""

    __slots__ = ()

    def backward(self, F, grad, arg, fwd, inv):
        if F.graph:
            return _permute_op(grad, arg, inv, fwd, _PERMUTE_INVERSE[type(self)])
        return inv(grad, arg)


class PixelShuffleBackward0(_PermuteNode):
    __slots__ = ()


class PixelUnshuffleBackward0(_PermuteNode):
    __slots__ = ()


class ChannelShuffleBackward0(_PermuteNode):
    __slots__ = ()


class ChannelUnshuffleBackward0(_PermuteNode):
    __slots__ = ()


_PERMUTE_INVERSE = {
    PixelShuffleBackward0: PixelUnshuffleBackward0,
    PixelUnshuffleBackward0: PixelShuffleBackward0,
    ChannelShuffleBackward0: ChannelUnshuffleBackward0,
    ChannelUnshuffleBackward0: ChannelShuffleBackward0,
}


def _permute_op(x, arg, fwd, inv, node_cls):
    a = x._data
    res = new_tensor(_xp(a).ascontiguousarray(fwd(a, arg)))
    if grad_state.enabled and x._requires_grad:
        node = node_cls()
        attach(res, node, x)
        node.save(arg, fwd, inv)
    return res


def pixel_shuffle(input: Tensor, upscale_factor: int) -> Tensor:
    """Rearrange ``(*, C * r**2, H, W)`` into ``(*, C, H * r, W * r)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.pixel_shuffle(ember.arange(4.0).reshape(1, 4, 1, 1), 2)
        tensor([[[[0., 1.],
                  [2., 3.]]]])
    """
    r = int(upscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    c = input.shape[-3]
    if c % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the "
            f"square of upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    return _permute_op(
        input, r, _pixel_shuffle_array, _pixel_unshuffle_array, PixelShuffleBackward0
    )


def pixel_unshuffle(input: Tensor, downscale_factor: int) -> Tensor:
    """Rearrange ``(*, C, H * r, W * r)`` into ``(*, C * r**2, H, W)``.

    Example:
        >>> import ember
        >>> ember.nn.functional.pixel_unshuffle(ember.arange(4.0).reshape(1, 1, 2, 2), 2).shape
        ember.Size([1, 4, 1, 1])
    """
    r = int(downscale_factor)
    if input.ndim < 3:
        raise RuntimeError(
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.ndim} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    h, w = input.shape[-2:]
    if h % r:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            f"input.size(-2)={h} is not divisible by {r}"
        )
    if w % r:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            f"input.size(-1)={w} is not divisible by {r}"
        )
    return _permute_op(
        input, r, _pixel_unshuffle_array, _pixel_shuffle_array, PixelUnshuffleBackward0
    )


def channel_shuffle(input: Tensor, groups: int) -> Tensor:
    """Shuffle the channels of ``(N, C, *)`` in ``groups`` (ShuffleNet).

    Example:
        >>> import ember
        >>> ember.nn.functional.channel_shuffle(ember.arange(4.0).reshape(1, 4, 1), 2).flatten()
        tensor([0., 2., 1., 3.])
    """
    g = int(groups)
    if input.ndim <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes "
            f"{list(input.shape)}"
        )
    if g <= 0:
        raise RuntimeError(
            f"Number of groups to divide channels in must be positive. Value of groups:{g}"
        )
    c = input.shape[1]
    if c % g:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {g} groups."
        )
    return _permute_op(
        input, g, _channel_shuffle_array, _channel_unshuffle_array, ChannelShuffleBackward0
    )


native_channel_shuffle = channel_shuffle
