"""ember_vision.utils: grid layout and drawing."""

import numpy as np
import pytest
from PIL import Image

import ember
from ember_vision import utils


def _np_grid(x, nrow, padding, pad_value):
    n, c, h, w = x.shape
    cols = min(nrow, n)
    rows = -(-n // cols)
    g = np.full(
        (c, rows * (h + padding) + padding, cols * (w + padding) + padding), pad_value, x.dtype
    )
    for k in range(n):
        r, q = divmod(k, cols)
        y0, x0 = r * (h + padding) + padding, q * (w + padding) + padding
        g[:, y0 : y0 + h, x0 : x0 + w] = x[k]
    return g


@pytest.mark.parametrize("n,nrow,padding", [(5, 2, 2), (4, 8, 1), (7, 3, 0)])
def test_make_grid_layout(n, nrow, padding):
    x = np.random.default_rng(0).uniform(size=(n, 3, 4, 5)).astype(np.float32)
    got = utils.make_grid(ember.tensor(x), nrow=nrow, padding=padding, pad_value=0.5)
    np.testing.assert_array_equal(got.numpy(), _np_grid(x, nrow, padding, 0.5))
    lst = utils.make_grid([ember.tensor(t) for t in x], nrow=nrow, padding=padding, pad_value=0.5)
    np.testing.assert_array_equal(lst.numpy(), got.numpy())


def test_make_grid_gray_single_and_normalize():
    x = np.random.default_rng(1).uniform(-2, 3, size=(3, 1, 2, 2)).astype(np.float32)
    g = utils.make_grid(ember.tensor(x), nrow=3, padding=1).numpy()
    assert g.shape == (3, 4, 10) and (g[0] == g[1]).all()
    single = utils.make_grid(ember.tensor(x[0]))
    assert tuple(single.shape) == (3, 2, 2)
    norm = utils.make_grid(ember.tensor(x), normalize=True, padding=0).numpy()
    np.testing.assert_allclose(
        norm[0], _np_grid((x - x.min()) / (x.max() - x.min()), 8, 0, 0)[0], rtol=1e-6
    )
    vr = utils.make_grid(ember.tensor(x), normalize=True, value_range=(0, 1), padding=0).numpy()
    np.testing.assert_allclose(vr[0], _np_grid(np.clip(x, 0, 1), 8, 0, 0)[0])
    each = utils.make_grid(ember.tensor(x), normalize=True, scale_each=True, padding=0).numpy()
    for k in range(3):
        tile = each[0, :, 2 * k : 2 * k + 2]
        assert tile.min() == 0 and abs(tile.max() - 1) < 1e-6


def test_save_image(tmp_path):
    x = np.random.default_rng(2).uniform(size=(2, 3, 4, 4)).astype(np.float32)
    utils.save_image(ember.tensor(x), tmp_path / "g.png", nrow=2, padding=0)
    got = np.asarray(Image.open(tmp_path / "g.png"))
    ref = np.clip(_np_grid(x, 2, 0, 0) * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    np.testing.assert_array_equal(got, ref)


def test_draw_bounding_boxes():
    img = ember.zeros(3, 20, 20, dtype=ember.uint8)
    boxes = ember.tensor([[2.0, 3.0, 10.0, 12.0], [12.0, 12.0, 18.0, 18.0]])
    out = utils.draw_bounding_boxes(img, boxes, colors=["red", (0, 255, 0)], width=1).numpy()
    assert out.dtype == np.uint8 and out.shape == (3, 20, 20)
    edge = np.zeros((20, 20), bool)
    edge[3, 2:11] = edge[12, 2:11] = edge[3:13, 2] = edge[3:13, 10] = True
    assert (out[:, edge].T == [255, 0, 0]).all()
    assert (out[:, 5:10, 4:9] == 0).all()
    assert (out[:, 12, 12:19].T == [0, 255, 0]).all()
    filled = utils.draw_bounding_boxes(img, boxes[:1], colors="blue", fill=True).numpy()
    assert filled[2, 6, 6] == round(255 * 100 / 255) and filled[0, 6, 6] == 0
    labelled = utils.draw_bounding_boxes(img, boxes[:1], labels=["cat"], colors="white").numpy()
    assert labelled[:, 5:12, 4:10].sum() > 0
    gray = utils.draw_bounding_boxes(ember.zeros(1, 20, 20, dtype=ember.uint8), boxes)
    assert tuple(gray.shape) == (3, 20, 20)
    with pytest.raises(ValueError, match="xmin"):
        utils.draw_bounding_boxes(img, ember.tensor([[5.0, 5.0, 1.0, 8.0]]))
    with pytest.raises(TypeError, match="uint8"):
        utils.draw_bounding_boxes(ember.zeros(3, 4, 4), boxes)


def test_draw_segmentation_masks():
    rng = np.random.default_rng(3)
    img = rng.integers(0, 256, (3, 6, 7), dtype=np.uint8)
    masks = np.zeros((2, 6, 7), bool)
    masks[0, :3] = True
    masks[1, 4:, 2:5] = True
    out = utils.draw_segmentation_masks(
        ember.tensor(img), ember.tensor(masks), alpha=0.4, colors=["red", "blue"]
    )
    drawn = img.copy()
    drawn[:, masks[0]] = np.array([255, 0, 0], np.uint8)[:, None]
    drawn[:, masks[1]] = np.array([0, 0, 255], np.uint8)[:, None]
    ref = (img.astype(np.float32) * 0.6 + drawn.astype(np.float32) * 0.4).astype(np.uint8)
    np.testing.assert_array_equal(out.numpy(), ref)
    untouched = ~(masks[0] | masks[1])
    assert (out.numpy()[:, untouched] == img[:, untouched]).all()
    with pytest.raises(ValueError, match="bool"):
        utils.draw_segmentation_masks(ember.tensor(img), ember.tensor(masks.astype(np.uint8)))


def test_draw_keypoints():
    img = ember.zeros(3, 20, 20, dtype=ember.uint8)
    kp = ember.tensor([[[4.0, 4.0], [15.0, 4.0]]])
    out = utils.draw_keypoints(
        img, kp, connectivity=[(0, 1)], colors="yellow", radius=1, width=1
    ).numpy()
    assert (out[:, 4, 4] == [255, 255, 0]).all() and (out[:, 4, 10] == [255, 255, 0]).all()
    assert (out[:, 10:, :] == 0).all()
    plain = utils.draw_keypoints(img, kp, colors="red", radius=2).numpy()
    assert (plain[:, 4, 10] == 0).all() and (plain[:, 5, 15] == [255, 0, 0]).all()
