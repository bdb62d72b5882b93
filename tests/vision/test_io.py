"""ember_vision.io: round trips through PNG/JPEG, colour modes, errors."""

import numpy as np
import pytest
from PIL import Image

import ember
from ember_vision import io


def _img(c=3, h=9, w=11, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (c, h, w), dtype=np.uint8)


@pytest.mark.parametrize("c", [1, 3])
def test_png_round_trip_exact(tmp_path, c):
    a = _img(c)
    path = tmp_path / "x.png"
    io.write_png(ember.tensor(a), str(path), compression_level=9)
    got = io.read_image(path)
    assert got.dtype == ember.uint8 and tuple(got.shape) == a.shape
    np.testing.assert_array_equal(got.numpy(), a)
    data = io.read_file(path)
    assert data.ndim == 1 and data.dtype == ember.uint8
    np.testing.assert_array_equal(io.decode_image(data).numpy(), a)
    np.testing.assert_array_equal(io.decode_image(io.encode_png(ember.tensor(a))).numpy(), a)


def test_jpeg_round_trip_close(tmp_path):
    y, x = np.mgrid[0:32, 0:32]
    a = np.stack([y * 8, x * 8, (x + y) * 4]).astype(np.uint8)
    path = tmp_path / "x.jpg"
    io.write_jpeg(ember.tensor(a), path, quality=95)
    got = io.read_image(path).numpy().astype(np.int64)
    assert got.shape == a.shape
    assert np.abs(got - a).mean() < 3
    small = io.encode_jpeg(ember.tensor(a), quality=10)
    big = io.encode_jpeg(ember.tensor(a), quality=95)
    assert small.shape[0] < big.shape[0]
    with pytest.raises(ValueError, match="quality"):
        io.encode_jpeg(ember.tensor(a), quality=0)


def test_modes(tmp_path):
    rgba = np.random.default_rng(1).integers(0, 256, (5, 6, 4), dtype=np.uint8)
    path = tmp_path / "a.png"
    Image.fromarray(rgba, "RGBA").save(path)
    np.testing.assert_array_equal(io.read_image(path).numpy(), rgba.transpose(2, 0, 1))
    rgb = io.read_image(path, io.ImageReadMode.RGB)
    np.testing.assert_array_equal(
        rgb.numpy(), np.asarray(Image.open(path).convert("RGB")).transpose(2, 0, 1)
    )
    gray = io.read_image(path, mode=io.ImageReadMode.GRAY)
    assert tuple(gray.shape) == (1, 5, 6)
    np.testing.assert_array_equal(gray.numpy()[0], np.asarray(Image.open(path).convert("L")))
    g = tmp_path / "g.png"
    Image.fromarray(rgba[:, :, 0], "L").save(g)
    ra = io.read_image(g, io.ImageReadMode.RGB_ALPHA).numpy()
    assert ra.shape == (4, 5, 6) and (ra[3] == 255).all() and (ra[0] == rgba[:, :, 0]).all()


def test_write_read_file(tmp_path):
    data = ember.tensor(np.arange(10, dtype=np.uint8))
    io.write_file(tmp_path / "b.bin", data)
    assert io.read_file(tmp_path / "b.bin").tolist() == list(range(10))


def test_corrupt_file_names_file(tmp_path):
    bad = tmp_path / "broken_image.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nthis is not a png")
    with pytest.raises(RuntimeError, match=r"broken_image\.png"):
        io.read_image(bad)
    trunc = tmp_path / "truncated.png"
    io.write_png(ember.tensor(_img(3, 40, 40)), trunc)
    trunc.write_bytes(trunc.read_bytes()[:200])
    with pytest.raises(RuntimeError, match=r"truncated\.png"):
        io.read_image(trunc)
    with pytest.raises(RuntimeError, match=r"missing\.jpg"):
        io.read_image(tmp_path / "missing.jpg")
    with pytest.raises(RuntimeError, match="decode"):
        io.decode_image(ember.tensor(np.zeros(10, dtype=np.uint8)))
