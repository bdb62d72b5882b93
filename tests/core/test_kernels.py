"""The CUDA kernels' NumPy counterparts (``ember.backends.cpu.kernels``) against Ember's own
ops and finite differences; and, on a GPU, each CUDA kernel against its counterpart."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember.backends.cpu import kernels as K

RNG = np.random.default_rng(0)


def _r(*shape, dtype=np.float64, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _vjp(fn, x_np, g_np, *others):
    """Ember's autograd: ``d <fn(x), g> / dx`` for a float64 input."""
    x = ember.tensor(x_np, requires_grad=True)
    out = fn(x, *others)
    (grad,) = ember.autograd.grad(out, [x], grad_outputs=[ember.tensor(g_np)])
    return out.detach().numpy(), grad.numpy()


def _numeric_grad(f, x, eps=1e-6):
    """Central differences of the scalar ``f`` at ``x`` (float64)."""
    g = np.zeros_like(x)
    flat, gflat = x.reshape(-1), g.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        hi = f(x)
        flat[i] = old - eps
        lo = f(x)
        flat[i] = old
        gflat[i] = (hi - lo) / (2 * eps)
    return g


# -- softmax family ---------------------------------------------------------------------------


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("log", [False, True])
def test_softmax_family_matches_ember(axis, log):
    x, g = _r(3, 4, 5), _r(3, 4, 5, seed=1)
    fn = F.log_softmax if log else F.softmax
    fwd = K.log_softmax_forward if log else K.softmax_forward
    bwd = K.log_softmax_backward if log else K.softmax_backward
    want_y, want_g = _vjp(lambda t: fn(t, dim=axis), x, g)
    y = fwd(x, axis)
    np.testing.assert_allclose(y, want_y, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(bwd(g, y, axis), want_g, rtol=1e-10, atol=1e-12)


def test_softmax_is_stable_for_large_inputs():
    x = np.array([[1000.0, 1001.0], [-1000.0, -1000.0]], dtype=np.float32)
    np.testing.assert_allclose(K.softmax_forward(x, 1), [[0.268941, 0.731059], [0.5, 0.5]], 1e-5)


# -- cross-entropy ----------------------------------------------------------------------------

CE_CASES = [
    dict(weight=False, ignore=-100, smoothing=0.0),
    dict(weight=True, ignore=-100, smoothing=0.0),
    dict(weight=False, ignore=2, smoothing=0.0),
    dict(weight=True, ignore=1, smoothing=0.2),
    dict(weight=False, ignore=-100, smoothing=0.1),
]


@pytest.mark.parametrize("case", CE_CASES, ids=str)
def test_cross_entropy_matches_ember(case):
    N, C = 6, 5
    x, g = _r(N, C), _r(N, seed=3)
    target = np.array([0, 1, 2, 4, 2, 3])
    weight = np.abs(_r(C, seed=2)) + 0.5 if case["weight"] else None
    ignore, eps = case["ignore"], case["smoothing"]
    wt = None if weight is None else ember.tensor(weight)

    def ce(t):
        return F.cross_entropy(
            t,
            ember.tensor(target),
            wt,
            ignore_index=ignore,
            reduction="none",
            label_smoothing=eps,
        )

    want_loss, want_grad = _vjp(ce, x, g)
    loss, lse, w_row = K.cross_entropy_forward(x, target, weight, ignore, eps)
    np.testing.assert_allclose(loss, want_loss, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(lse, np.log(np.exp(x).sum(1)), rtol=1e-12)
    w = np.ones(C) if weight is None else weight
    np.testing.assert_allclose(w_row, np.where(target == ignore, 0.0, w[target]))
    grad = K.cross_entropy_backward(g, x, target, lse, w_row, weight, ignore, eps)
    np.testing.assert_allclose(grad, want_grad, rtol=1e-10, atol=1e-12)
    # and by central differences of the counterpart's own forward
    num = _numeric_grad(
        lambda v: float(K.cross_entropy_forward(v, target, weight, ignore, eps)[0] @ g), x.copy()
    )
    np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-8)


def test_cross_entropy_mean_reduction_from_rows():
    x, target = _r(4, 3), np.array([0, 2, 1, 1])
    weight = np.array([0.5, 2.0, 1.0])
    loss, _, w_row = K.cross_entropy_forward(x, target, weight, -100, 0.0)
    want = F.cross_entropy(ember.tensor(x), ember.tensor(target), ember.tensor(weight))
    np.testing.assert_allclose(loss.sum() / w_row.sum(), want.item(), rtol=1e-12)


# -- layer norm and RMS norm ------------------------------------------------------------------


@pytest.mark.parametrize("affine", [False, True])
def test_layer_norm_matches_ember(affine):
    x, g = _r(4, 6), _r(4, 6, seed=1)
    w = _r(6, seed=2) if affine else None
    b = _r(6, seed=3) if affine else None
    wt = None if w is None else ember.tensor(w, requires_grad=True)
    bt = None if b is None else ember.tensor(b, requires_grad=True)
    xt = ember.tensor(x, requires_grad=True)
    out = F.layer_norm(xt, (6,), wt, bt, eps=1e-5)
    out.backward(ember.tensor(g))
    y, mean, rstd = K.layer_norm_forward(x, w, b, 1e-5)
    np.testing.assert_allclose(y, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(mean, x.mean(1), rtol=1e-12)
    np.testing.assert_allclose(rstd, 1 / np.sqrt(x.var(1) + 1e-5), rtol=1e-12)
    gx, gw, gb = K.layer_norm_backward(g, x, mean, rstd, w)
    np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-9, atol=1e-12)
    if affine:
        np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=1e-10)
        np.testing.assert_allclose(gb, bt.grad.numpy(), rtol=1e-10)
    else:
        assert gw is None and gb is None


@pytest.mark.parametrize("affine", [False, True])
def test_rms_norm_matches_ember_and_finite_differences(affine):
    x, g = _r(3, 5), _r(3, 5, seed=1)
    w = _r(5, seed=2) if affine else None
    wt = None if w is None else ember.tensor(w)
    want_y, want_g = _vjp(lambda t: F.rms_norm(t, (5,), wt, eps=1e-6), x, g)
    y, rstd = K.rms_norm_forward(x, w, 1e-6)
    np.testing.assert_allclose(y, want_y, rtol=1e-12)
    gx, gw = K.rms_norm_backward(g, x, rstd, w)
    np.testing.assert_allclose(gx, want_g, rtol=1e-9, atol=1e-12)
    if affine:
        num = _numeric_grad(lambda v: float((K.rms_norm_forward(x, v, 1e-6)[0] * g).sum()), w)
        np.testing.assert_allclose(gw, num, rtol=1e-6)
    else:
        assert gw is None


# -- activations ------------------------------------------------------------------------------


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_matches_ember(approximate):
    x, g = _r(5, 7) * 3, _r(5, 7, seed=1)
    want_y, want_g = _vjp(lambda t: F.gelu(t, approximate=approximate), x, g)
    np.testing.assert_allclose(K.gelu_forward(x, approximate), want_y, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(K.gelu_backward(g, x, approximate), want_g, rtol=1e-10, atol=1e-14)


def test_silu_matches_ember():
    x, g = _r(5, 7) * 3, _r(5, 7, seed=1)
    want_y, want_g = _vjp(F.silu, x, g)
    np.testing.assert_allclose(K.silu_forward(x), want_y, rtol=1e-12)
    np.testing.assert_allclose(K.silu_backward(g, x), want_g, rtol=1e-10, atol=1e-14)


# -- dropout ----------------------------------------------------------------------------------


def _splitmix64(seed: int, i: int) -> float:
    """The reference: Python integers, masked to 64 bits."""
    m = (1 << 64) - 1
    z = (seed + (i + 1) * 0x9E3779B97F4A7C15) & m
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & m
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & m
    z ^= z >> 31
    return (z >> 40) / 2.0**24


def test_dropout_mask_follows_the_counter_hash():
    p, seed = 0.3, 12345
    mask = K.dropout_mask((4, 5), p, seed, np.float32)
    want = np.array([_splitmix64(seed, i) >= p for i in range(20)]).reshape(4, 5)
    np.testing.assert_array_equal(mask != 0, want)
    np.testing.assert_allclose(mask[mask != 0], 1 / 0.7, rtol=1e-6)
    assert mask.dtype == np.float32


def test_dropout_keeps_about_one_minus_p_and_depends_on_the_seed():
    x = np.ones((200, 100), np.float32)
    y, mask = K.dropout_forward(x, 0.25, 7)
    assert abs((mask != 0).mean() - 0.75) < 0.02
    np.testing.assert_array_equal(y, x * mask)
    np.testing.assert_array_equal(K.dropout_mask(x.shape, 0.25, 7, np.float32), mask)
    assert (K.dropout_mask(x.shape, 0.25, 8, np.float32) != mask).any()
    assert not K.dropout_mask((3,), 1.0, 7, np.float32).any()


# -- optimizer updates ------------------------------------------------------------------------


def _reference_steps(opt_cls, steps, **kw):
    p0, grads = _r(4, 3, dtype=np.float32), [_r(4, 3, dtype=np.float32, seed=s) for s in (1, 2)]
    p = ember.nn.Parameter(ember.tensor(p0.copy()))
    opt = opt_cls([p], **kw)
    for g in grads[:steps]:
        p.grad = ember.tensor(g)
        opt.step()
    return p0, grads, p.detach().numpy(), opt.state[p]


SGD_CASES = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.2, weight_decay=0.01),
    dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True),
]


@pytest.mark.parametrize("kw", SGD_CASES, ids=str)
def test_sgd_update_matches_the_optimizer(kw):
    p0, grads, want, state = _reference_steps(ember.optim.SGD, 2, **kw)
    p, buf = p0.copy(), np.zeros_like(p0)
    for i, g in enumerate(grads):
        K.sgd_update_(
            p,
            g,
            buf,
            kw["lr"],
            kw.get("momentum", 0),
            kw.get("dampening", 0),
            kw.get("weight_decay", 0),
            kw.get("nesterov", False),
            kw.get("maximize", False),
            i == 0,
        )
    np.testing.assert_allclose(p, want, rtol=1e-6, atol=1e-7)
    if kw.get("momentum"):
        np.testing.assert_allclose(buf, state["momentum_buffer"].numpy(), rtol=1e-6)


ADAM_CASES = [
    (ember.optim.Adam, dict(lr=0.01)),
    (ember.optim.Adam, dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    (ember.optim.Adam, dict(lr=0.01, betas=(0.3, 0.9), maximize=True)),
    (ember.optim.AdamW, dict(lr=0.01, weight_decay=0.1)),
    (ember.optim.AdamW, dict(lr=0.01, amsgrad=True)),
]


@pytest.mark.parametrize("opt_cls,kw", ADAM_CASES, ids=str)
def test_adam_update_matches_the_optimizer(opt_cls, kw):
    p0, grads, want, state = _reference_steps(opt_cls, 2, **kw)
    lr, (b1, b2) = kw["lr"], kw.get("betas", (0.9, 0.999))
    wd = kw.get("weight_decay", 0.01 if opt_cls is ember.optim.AdamW else 0.0)
    amsgrad = kw.get("amsgrad", False)
    p, m, v, vmax = p0.copy(), np.zeros_like(p0), np.zeros_like(p0), np.zeros_like(p0)
    for t, g in enumerate(grads, start=1):
        K.adam_update_(
            p,
            g,
            m,
            v,
            vmax,
            lr,
            b1,
            b2,
            1e-8,
            wd,
            amsgrad,
            kw.get("maximize", False),
            opt_cls is ember.optim.AdamW,
            lr / (1 - b1**t),
            (1 - b2**t) ** 0.5,
        )
    np.testing.assert_allclose(p, want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(m, state["exp_avg"].numpy(), rtol=1e-6)
    np.testing.assert_allclose(v, state["exp_avg_sq"].numpy(), rtol=1e-6)


# -- convolution and pooling ------------------------------------------------------------------


def _im2col_loops(x, K_, stride, dilation, lo, OS):
    """The definition, with loops: col[c, kh, kw, n, oh, ow] = x[n, c, h, w] (0 outside)."""
    N, C, H, W = x.shape
    col = np.zeros((C, *K_, N, *OS), x.dtype)
    for c in range(C):
        for kh in range(K_[0]):
            for kw in range(K_[1]):
                for oh in range(OS[0]):
                    for ow in range(OS[1]):
                        h = oh * stride[0] - lo[0] + kh * dilation[0]
                        w = ow * stride[1] - lo[1] + kw * dilation[1]
                        if 0 <= h < H and 0 <= w < W:
                            col[c, kh, kw, :, oh, ow] = x[:, c, h, w]
    return col


@pytest.mark.parametrize(
    "stride,dilation,lo,hi", [((1, 1), (1, 1), (0, 0), (0, 0)), ((2, 1), (1, 2), (1, 2), (0, 1))]
)
def test_im2col_col2im_match_the_definition_and_are_adjoint(stride, dilation, lo, hi):
    x = _r(2, 3, 6, 7)
    K_ = (3, 2)
    OS = tuple(
        (s + a + b - d * (k - 1) - 1) // st + 1
        for s, a, b, d, k, st in zip(x.shape[2:], lo, hi, dilation, K_, stride)
    )
    col = K.im2col(x, K_, stride, dilation, lo, hi, OS)
    np.testing.assert_array_equal(col, _im2col_loops(x, K_, stride, dilation, lo, OS))
    c = _r(*col.shape, seed=5)
    back = K.col2im(c, x.shape[2:], stride, dilation, lo, hi)
    np.testing.assert_allclose((col * c).sum(), (x * back).sum(), rtol=1e-12)


@pytest.mark.parametrize(
    "k,s,p,d",
    [
        ((2, 2), (2, 2), (0, 0), (1, 1)),
        ((3, 3), (1, 2), (1, 1), (1, 1)),
        ((2, 3), (2, 1), (1, 0), (2, 1)),
    ],
)
def test_max_pool2d_matches_ember(k, s, p, d):
    (x,) = (_r(2, 3, 7, 6),)
    xt = ember.tensor(x, requires_grad=True)
    y, idx = F.max_pool2d(xt, k, s, p, d, return_indices=True)
    g = _r(*y.shape, seed=4)
    y.backward(ember.tensor(g))
    B = 6
    vals, flat = K.max_pool2d_with_indices(x.reshape(B, 7, 6), k, s, p, d, tuple(y.shape[2:]))
    np.testing.assert_array_equal(vals, y.detach().numpy().reshape(vals.shape))
    np.testing.assert_array_equal(flat, idx.numpy().reshape(flat.shape))
    gx = K.max_pool2d_backward(g.reshape(vals.shape), flat, (B, 7, 6))
    np.testing.assert_allclose(gx.reshape(x.shape), xt.grad.numpy(), rtol=1e-12)


def test_max_pool2d_nan_wins_and_ties_take_the_first():
    x = np.array([[[1.0, 1.0, np.nan, 0.0], [2.0, 2.0, 0.0, np.nan]]])
    vals, idx = K.max_pool2d_with_indices(x, (2, 2), (2, 2), (0, 0), (1, 1), (1, 2))
    assert vals[0, 0, 0] == 2.0 and idx[0, 0, 0] == 4  # first of the tied 2s
    assert np.isnan(vals[0, 0, 1]) and idx[0, 0, 1] == 7  # the last NaN in scan order
    want = F.max_pool2d(ember.tensor(x[None]), 2, return_indices=True)[1].numpy()
    np.testing.assert_array_equal(idx, want[0])


# -- GradScaler's unscale ---------------------------------------------------------------------


def test_amp_unscale_scales_in_place_and_flags_non_finite():
    a, b = np.full(3, 4.0, np.float32), np.array([2.0, 8.0], np.float32)
    total = K.amp_unscale_([a, b], 0.5)
    np.testing.assert_array_equal(a, [2, 2, 2])
    np.testing.assert_array_equal(b, [1, 4])
    assert np.isfinite(total) and total == 11.0
    assert not np.isfinite(K.amp_unscale_([np.array([1.0, np.inf], np.float32)], 1.0))
    assert not np.isfinite(K.amp_unscale_([np.array([np.nan])], 1.0))
    big = np.full(4, 3e38, np.float32)  # float32 sum would overflow; the float64 one does not
    assert np.isfinite(K.amp_unscale_([big], 1.0))


# -- the CUDA kernels against their counterparts (GPU only) -----------------------------------


def _cuda_cases():
    x, g = _r(5, 33), _r(5, 33, seed=1)
    t = np.array([0, 3, 32, 7, 5])
    w = np.abs(_r(33, seed=2)) + 0.1
    lse = np.log(np.exp(x).sum(1))
    w_row = w[t]
    pool_idx = K.max_pool2d_with_indices(_r(4, 7, 6), (3, 3), (2, 2), (1, 1), (1, 1), (4, 3))[1]
    return {
        "softmax_forward": (x, 1),
        "softmax_backward": (g, K.softmax_forward(x, 1), 1),
        "log_softmax_forward": (_r(4, 3, 6), 1),
        "log_softmax_backward": (g, K.log_softmax_forward(x, -1), -1),
        "cross_entropy_forward": (x, t, w, 3, 0.1),
        "cross_entropy_backward": (g[:, 0], x, t, lse, w_row, w, 3, 0.1),
        "layer_norm_forward": (x, w, w[::-1].copy(), 1e-5),
        "layer_norm_backward": (g, x, x.mean(1), 1 / np.sqrt(x.var(1) + 1e-5), w),
        "rms_norm_forward": (x, w, 1e-6),
        "rms_norm_backward": (g, x, 1 / np.sqrt((x * x).mean(1) + 1e-6), w),
        "gelu_forward": (x, "none"),
        "gelu_backward": (g, x, "tanh"),
        "silu_forward": (x,),
        "silu_backward": (g, x),
        "dropout_forward": (x, 0.3, 99),
        "im2col": (_r(2, 3, 6, 7), (3, 2), (2, 1), (1, 2), (1, 2), (0, 1), (3, 4)),
        "col2im": (_r(3, 3, 2, 2, 3, 4), (6, 7), (2, 1), (1, 2), (1, 2), (0, 1)),
        "max_pool2d_with_indices": (_r(4, 7, 6), (3, 3), (2, 2), (1, 1), (1, 1), (4, 3)),
        "max_pool2d_backward": (_r(4, 4, 3), pool_idx, (4, 7, 6)),
    }


def _to_device(cp, v):
    if isinstance(v, np.ndarray):
        return cp.asarray(v)
    return v


def _to_host(v):
    if isinstance(v, tuple):
        return tuple(_to_host(e) for e in v)
    return v if v is None or isinstance(v, np.ndarray) else v.get()


@pytest.mark.cuda
@pytest.mark.parametrize("name", sorted(_cuda_cases()))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cuda_kernel_matches_numpy(name, dtype):
    import cupy as cp

    from ember.backends.cuda import kernels as CK

    args = [
        a.astype(dtype) if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
        for a in _cuda_cases()[name]
    ]
    want = getattr(K, name)(*args)
    got = _to_host(getattr(CK, name)(*[_to_device(cp, a) for a in args]))
    tol = 2e-5 if dtype == np.float32 else 1e-10
    for w_, g_ in zip(
        want if isinstance(want, tuple) else (want,), got if isinstance(got, tuple) else (got,)
    ):
        np.testing.assert_allclose(g_, w_, rtol=tol, atol=tol)


@pytest.mark.cuda
@pytest.mark.parametrize("amsgrad", [False, True])
def test_cuda_adam_and_sgd_updates_match_numpy(amsgrad):
    import cupy as cp

    from ember.backends.cuda import kernels as CK

    p, g = _r(1000, dtype=np.float32), _r(1000, dtype=np.float32, seed=1)
    bufs = [np.abs(_r(1000, dtype=np.float32, seed=s)) for s in (2, 3, 4)]
    host = [p.copy()] + [b.copy() for b in bufs]
    dev = [cp.asarray(a) for a in host]
    K.adam_update_(
        host[0], g, *host[1:], 0.01, 0.9, 0.99, 1e-8, 0.1, amsgrad, False, True, 0.1, 0.5
    )
    CK.adam_update_(
        dev[0], cp.asarray(g), *dev[1:], 0.01, 0.9, 0.99, 1e-8, 0.1, amsgrad, False, True, 0.1, 0.5
    )
    for h, d in zip(host, dev):
        np.testing.assert_allclose(d.get(), h, rtol=1e-5, atol=1e-7)
    hp, hb = p.copy(), bufs[0].copy()
    dp, db = cp.asarray(hp), cp.asarray(hb)
    K.sgd_update_(hp, g, hb, 0.1, 0.9, 0.1, 0.01, True, False, False)
    CK.sgd_update_(dp, cp.asarray(g), db, 0.1, 0.9, 0.1, 0.01, True, False, False)
    np.testing.assert_allclose(dp.get(), hp, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(db.get(), hb, rtol=1e-5, atol=1e-7)


@pytest.mark.cuda
def test_cuda_amp_unscale_matches_numpy():
    import cupy as cp

    from ember.backends.cuda import kernels as CK

    grads = [_r(5000, dtype=np.float32), _r(7, 3, dtype=np.float32, seed=1)]
    dev = [cp.asarray(a) for a in grads]
    want = K.amp_unscale_([a.copy() for a in grads], 0.25)
    got = CK.amp_unscale_(dev, 0.25)
    np.testing.assert_allclose(float(got), float(want), rtol=1e-9)
    np.testing.assert_allclose(dev[0].get(), grads[0] * 0.25, rtol=1e-7)
    dev[1][0, 0] = cp.nan
    assert not np.isfinite(float(CK.amp_unscale_(dev, 1.0)))
