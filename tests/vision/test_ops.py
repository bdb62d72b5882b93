"""ember_vision.ops against NumPy references, plus gradient checks."""

import math

import numpy as np
import pytest

import ember
from ember_vision import ops


def _rand_boxes(rng, n, size=20.0):
    xy = rng.uniform(0, size, (n, 2))
    wh = rng.uniform(1, size / 2, (n, 2))
    return np.concatenate([xy, xy + wh], axis=1)


def _np_iou(a, b):
    out = np.zeros((len(a), len(b)))
    for i, p in enumerate(a):
        for j, q in enumerate(b):
            iw = max(0.0, min(p[2], q[2]) - max(p[0], q[0]))
            ih = max(0.0, min(p[3], q[3]) - max(p[1], q[1]))
            inter = iw * ih
            out[i, j] = inter / (
                (p[2] - p[0]) * (p[3] - p[1]) + (q[2] - q[0]) * (q[3] - q[1]) - inter
            )
    return out


def _np_nms(b, s, thr):
    order = sorted(range(len(s)), key=lambda i: -s[i])
    keep = []
    for i in order:
        if all(_np_iou(b[i : i + 1], b[j : j + 1])[0, 0] <= thr for j in keep):
            keep.append(i)
    return keep


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("thr", [0.2, 0.5])
def test_nms_matches_bruteforce(seed, thr):
    rng = np.random.default_rng(seed)
    b = _rand_boxes(rng, 40)
    s = rng.uniform(size=40)
    keep = ops.nms(ember.tensor(b), ember.tensor(s), thr)
    assert keep.dtype == ember.int64
    assert keep.tolist() == _np_nms(b, s, thr)


def test_batched_nms_per_class():
    rng = np.random.default_rng(3)
    b = _rand_boxes(rng, 30)
    s = rng.uniform(size=30)
    cls = rng.integers(0, 3, 30)
    keep = ops.batched_nms(ember.tensor(b), ember.tensor(s), ember.tensor(cls), 0.3).tolist()
    expected = []
    for c in range(3):
        idx = np.nonzero(cls == c)[0]
        expected += [idx[k] for k in _np_nms(b[idx], s[idx], 0.3)]
    expected.sort(key=lambda i: -s[i])
    assert keep == expected
    assert ops.batched_nms(ember.zeros(0, 4), ember.zeros(0), ember.zeros(0), 0.5).tolist() == []


def test_box_iou_giou_area():
    rng = np.random.default_rng(4)
    a, b = _rand_boxes(rng, 5), _rand_boxes(rng, 4)
    iou = _np_iou(a, b)
    np.testing.assert_allclose(ops.box_iou(ember.tensor(a), ember.tensor(b)).numpy(), iou)
    area = lambda x: (x[:, 2] - x[:, 0]) * (x[:, 3] - x[:, 1])  # noqa: E731
    np.testing.assert_allclose(ops.box_area(ember.tensor(a)).numpy(), area(a))
    lt = np.minimum(a[:, None, :2], b[None, :, :2])
    rb = np.maximum(a[:, None, 2:], b[None, :, 2:])
    hull = np.prod(rb - lt, axis=-1)
    inter = iou * (area(a)[:, None] + area(b)[None, :]) / (1 + iou)
    union = area(a)[:, None] + area(b)[None, :] - inter
    np.testing.assert_allclose(
        ops.generalized_box_iou(ember.tensor(a), ember.tensor(b)).numpy(),
        iou - (hull - union) / hull,
    )


def test_box_iou_gradcheck(gradcheck):
    rng = np.random.default_rng(5)
    a = ember.tensor(_rand_boxes(rng, 3), requires_grad=True)
    b = ember.tensor(_rand_boxes(rng, 2) * 0.5 + 3, requires_grad=True)
    gradcheck(ops.box_iou, a, b)
    gradcheck(ops.generalized_box_iou, a, b)


@pytest.mark.parametrize("fmt", ["xywh", "cxcywh", "xyxy"])
def test_box_convert_round_trip(fmt):
    b = _rand_boxes(np.random.default_rng(6), 5)
    t = ops.box_convert(ember.tensor(b), "xyxy", fmt)
    if fmt == "xywh":
        np.testing.assert_allclose(t.numpy()[:, 2:], b[:, 2:] - b[:, :2])
    if fmt == "cxcywh":
        np.testing.assert_allclose(t.numpy()[:, :2], (b[:, :2] + b[:, 2:]) / 2)
    np.testing.assert_allclose(ops.box_convert(t, fmt, "xyxy").numpy(), b)
    with pytest.raises(ValueError, match="format"):
        ops.box_convert(t, fmt, "xyz")


def _np_bilinear(img, y, x):
    c, h, w = img.shape
    if y < -1.0 or y > h or x < -1.0 or x > w:
        return np.zeros(c)
    y, x = max(y, 0.0), max(x, 0.0)
    yl, xl = int(y), int(x)
    if yl >= h - 1:
        yl = yh = h - 1
        y = float(yl)
    else:
        yh = yl + 1
    if xl >= w - 1:
        xl = xh = w - 1
        x = float(xl)
    else:
        xh = xl + 1
    ly, lx = y - yl, x - xl
    hy, hx = 1 - ly, 1 - lx
    return (
        hy * hx * img[:, yl, xl]
        + hy * lx * img[:, yl, xh]
        + ly * hx * img[:, yh, xl]
        + ly * lx * img[:, yh, xh]
    )


def _np_roi_align(x, rois, ph, pw, scale, sr, aligned):
    out = np.zeros((len(rois), x.shape[1], ph, pw))
    off = 0.5 if aligned else 0.0
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        sx, sy = x1 * scale - off, y1 * scale - off
        rw, rh = x2 * scale - off - sx, y2 * scale - off - sy
        if not aligned:
            rw, rh = max(rw, 1.0), max(rh, 1.0)
        bh, bw = rh / ph, rw / pw
        gh = sr if sr > 0 else math.ceil(rh / ph)
        gw = sr if sr > 0 else math.ceil(rw / pw)
        for i in range(ph):
            for j in range(pw):
                acc = 0
                for iy in range(gh):
                    for ix in range(gw):
                        yy = sy + i * bh + (iy + 0.5) * bh / gh
                        xx = sx + j * bw + (ix + 0.5) * bw / gw
                        acc = acc + _np_bilinear(x[int(b)], yy, xx)
                out[k, :, i, j] = acc / max(gh * gw, 1)
    return out


ROIS = np.array(
    [
        [0, 0.5, 1.0, 5.5, 4.2],
        [1, 2.0, 0.3, 7.9, 6.5],
        [0, -1.0, 3.0, 3.0, 9.0],
        [1, 4.0, 4.0, 4.3, 4.1],
    ]
)


@pytest.mark.parametrize("aligned", [False, True])
@pytest.mark.parametrize("sr", [-1, 2])
@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_roi_align_matches_numpy(aligned, sr, scale):
    x = np.random.default_rng(7).standard_normal((2, 3, 7, 8))
    got = ops.roi_align(ember.tensor(x), ember.tensor(ROIS), (3, 2), scale, sr, aligned)
    np.testing.assert_allclose(
        got.numpy(), _np_roi_align(x, ROIS, 3, 2, scale, sr, aligned), atol=1e-12
    )


def test_roi_align_list_boxes_and_module():
    x = np.random.default_rng(8).standard_normal((2, 2, 6, 6))
    boxes = [ember.tensor(ROIS[ROIS[:, 0] == i][:, 1:]) for i in range(2)]
    got = ops.RoIAlign(2, 1.0, 2)(ember.tensor(x), boxes)
    rois = np.concatenate([ROIS[ROIS[:, 0] == 0], ROIS[ROIS[:, 0] == 1]])
    np.testing.assert_allclose(got.numpy(), _np_roi_align(x, rois, 2, 2, 1.0, 2, False), atol=1e-12)


@pytest.mark.parametrize("aligned", [False, True])
def test_roi_align_gradcheck(gradcheck, aligned):
    x = ember.tensor(np.random.default_rng(9).standard_normal((2, 1, 4, 5)), requires_grad=True)
    rois = ember.tensor([[0, 0.3, 0.6, 3.1, 2.9], [1, 1.2, 0.1, 4.4, 3.5]])
    gradcheck(lambda t: ops.roi_align(t, rois, 2, 1.0, 2, aligned), x)


def _np_roi_pool(x, rois, ph, pw, scale):
    def cround(v):
        return int(np.floor(abs(v) + 0.5) * np.sign(v))

    _, c, h, w = x.shape
    out = np.zeros((len(rois), c, ph, pw))
    for k, (b, x1, y1, x2, y2) in enumerate(rois):
        sw, sh, ew, eh = (
            cround(x1 * scale),
            cround(y1 * scale),
            cround(x2 * scale),
            cround(y2 * scale),
        )
        bh, bw = max(eh - sh + 1, 1) / ph, max(ew - sw + 1, 1) / pw
        for i in range(ph):
            for j in range(pw):
                hs = min(max(int(np.floor(i * bh)) + sh, 0), h)
                he = min(max(int(np.ceil((i + 1) * bh)) + sh, 0), h)
                ws = min(max(int(np.floor(j * bw)) + sw, 0), w)
                we = min(max(int(np.ceil((j + 1) * bw)) + sw, 0), w)
                if he > hs and we > ws:
                    out[k, :, i, j] = x[int(b), :, hs:he, ws:we].max(axis=(1, 2))
    return out


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_roi_pool_matches_numpy(scale):
    x = np.random.default_rng(10).standard_normal((2, 3, 7, 8))
    got = ops.roi_pool(ember.tensor(x), ember.tensor(ROIS), (2, 3), scale)
    np.testing.assert_allclose(got.numpy(), _np_roi_pool(x, ROIS, 2, 3, scale))


def test_roi_pool_gradcheck(gradcheck):
    x = ember.tensor(np.random.default_rng(11).standard_normal((1, 2, 4, 4)), requires_grad=True)
    gradcheck(lambda t: ops.roi_pool(t, ember.tensor([[0, 0.0, 0.0, 3.0, 2.0]]), 2), x)


@pytest.mark.parametrize("alpha,gamma", [(0.25, 2.0), (-1.0, 1.5), (0.6, 0.0)])
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
def test_sigmoid_focal_loss(alpha, gamma, reduction):
    rng = np.random.default_rng(12)
    z, t = rng.standard_normal((4, 3)), (rng.uniform(size=(4, 3)) > 0.5).astype(np.float64)
    p = 1 / (1 + np.exp(-z))
    ce = -(t * np.log(p) + (1 - t) * np.log(1 - p))
    pt = p * t + (1 - p) * (1 - t)
    ref = ce * (1 - pt) ** gamma
    if alpha >= 0:
        ref = ref * (alpha * t + (1 - alpha) * (1 - t))
    ref = {"none": ref, "mean": ref.mean(), "sum": ref.sum()}[reduction]
    got = ops.sigmoid_focal_loss(ember.tensor(z), ember.tensor(t), alpha, gamma, reduction)
    np.testing.assert_allclose(got.numpy(), ref, rtol=1e-10)


def test_sigmoid_focal_loss_gradcheck_and_errors(gradcheck):
    rng = np.random.default_rng(13)
    z = ember.tensor(rng.standard_normal((3, 2)), requires_grad=True)
    t = ember.tensor((rng.uniform(size=(3, 2)) > 0.5).astype(np.float64))
    gradcheck(lambda a: ops.sigmoid_focal_loss(a, t, reduction="sum"), z)
    with pytest.raises(ValueError, match="reduction"):
        ops.sigmoid_focal_loss(z, t, reduction="avg")


def test_stochastic_depth():
    x = ember.ones(200, 3)
    ember.manual_seed(0)
    y = ops.stochastic_depth(x, 0.5, "row").numpy()
    rows = y[:, 0]
    assert set(np.unique(y).tolist()) <= {0.0, 2.0}
    assert (y == rows[:, None]).all() and 50 < (rows == 0).sum() < 150
    yb = ops.stochastic_depth(x, 0.5, "batch").numpy()
    assert len(np.unique(yb)) == 1
    assert ops.stochastic_depth(x, 0.5, "row", training=False) is x
    m = ops.StochasticDepth(0.3, "row").eval()
    assert m(x) is x and repr(m) == "StochasticDepth(p=0.3, mode=row)"
    with pytest.raises(ValueError, match="drop probability"):
        ops.stochastic_depth(x, 1.5, "row")
    with pytest.raises(ValueError, match="mode"):
        ops.stochastic_depth(x, 0.5, "col")
