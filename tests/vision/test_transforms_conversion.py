"""Type conversions and normalisation: functions and transform classes."""

import numpy as np
import pytest
from PIL import Image

import ember
from ember_vision import transforms as T
from ember_vision.transforms import functional as F


def _rgb(h=5, w=7, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_pil_to_tensor_and_to_image_keep_uint8():
    arr = _rgb()
    pil = Image.fromarray(arr)
    for out in (
        F.pil_to_tensor(pil),
        F.to_image(pil),
        F.to_image(arr),
        T.PILToTensor()(pil),
        T.ToImage()(pil),
    ):
        assert out.dtype == ember.uint8 and tuple(out.shape) == (3, 5, 7)
        np.testing.assert_array_equal(out.numpy(), arr.transpose(2, 0, 1))
    gray = F.to_image(arr[:, :, 0])
    assert tuple(gray.shape) == (1, 5, 7)
    t = ember.zeros(3, 2, 2)
    assert F.to_image(t) is t
    assert tuple(F.pil_to_tensor(Image.fromarray(arr[:, :, 0])).shape) == (1, 5, 7)
    one_bit = F.pil_to_tensor(Image.fromarray(arr[:, :, 0] > 128))
    np.testing.assert_array_equal(one_bit.numpy()[0], (arr[:, :, 0] > 128) * 255)


def test_to_image_is_a_view_of_the_ndarray():
    arr = _rgb()
    out = F.to_image(arr)
    arr[0, 0, 0] = 17
    assert out[0, 0, 0].item() == 17


def test_to_tensor_divides_by_255():
    arr = _rgb()
    for inp in (arr, Image.fromarray(arr)):
        out = F.to_tensor(inp)
        assert out.dtype == ember.float32 and tuple(out.shape) == (3, 5, 7)
        np.testing.assert_array_equal(out.numpy(), arr.transpose(2, 0, 1).astype(np.float32) / 255)
    f = np.random.default_rng(1).random((4, 3, 2)).astype(np.float32)
    np.testing.assert_array_equal(F.to_tensor(f).numpy(), f.transpose(2, 0, 1))  # no scaling
    t = ember.zeros(1, 2, 2)
    assert T.ToTensor()(t) is t
    with pytest.raises(TypeError, match="PIL image or an ndarray"):
        F.to_tensor([1, 2])
    with pytest.raises(ValueError, match="2 or 3 dimensional"):
        F.to_tensor(np.zeros((1, 2, 3, 4)))


@pytest.mark.parametrize("channels, mode", [(1, "L"), (2, "LA"), (3, "RGB"), (4, "RGBA")])
def test_to_pil_image_modes(channels, mode):
    arr = np.random.default_rng(2).integers(0, 256, (4, 6, channels), dtype=np.uint8)
    pil = F.to_pil_image(ember.tensor(arr.transpose(2, 0, 1).copy()))
    assert pil.mode == mode and pil.size == (6, 4)
    np.testing.assert_array_equal(np.asarray(pil).reshape(4, 6, channels), arr)
    assert F.to_pil_image(arr).mode == mode


def test_to_pil_image_float_and_special_modes():
    x = ember.tensor([[[0.0, 0.5, 1.0]]] * 3)
    np.testing.assert_array_equal(np.asarray(F.to_pil_image(x))[0, :, 0], [0, 127, 255])
    f = F.to_pil_image(ember.tensor([[[0.25, 2.0]]]), mode="F")
    assert f.mode == "F" and np.asarray(f).tolist() == [[0.25, 2.0]]
    i16 = F.to_pil_image(np.array([[1, 300]], dtype=np.int16))
    assert i16.mode.startswith("I;16") and [i16.getpixel((0, 0)), i16.getpixel((1, 0))] == [1, 300]
    assert F.to_pil_image(np.array([[5]], dtype=np.int32)).mode == "I"
    assert F.to_pil_image(_rgb(), mode="HSV").mode == "HSV"
    assert T.ToPILImage()(_rgb()).size == (7, 5)


def test_to_pil_image_errors():
    with pytest.raises(ValueError, match="> 4 channels"):
        F.to_pil_image(ember.zeros(5, 2, 2))
    with pytest.raises(ValueError, match="2 or 3 dimensional"):
        F.to_pil_image(ember.zeros(1, 1, 2, 2))
    with pytest.raises(ValueError, match="incorrect mode"):
        F.to_pil_image(np.zeros((2, 2), np.uint8), mode="F")
    with pytest.raises(ValueError, match="only modes"):
        F.to_pil_image(np.zeros((2, 2, 3), np.uint8), mode="RGBA")
    with pytest.raises(TypeError, match="Tensor or an ndarray"):
        F.to_pil_image("image")


def test_round_trip_pil_tensor_pil():
    arr = _rgb()
    back = F.to_pil_image(F.to_dtype(F.to_image(Image.fromarray(arr)), ember.float32, scale=True))
    assert np.abs(np.asarray(back).astype(int) - arr).max() <= 1


# -- dtype scaling ---------------------------------------------------------------------------


def test_to_dtype_uint8_to_float_scales_by_reciprocal():
    arr = np.arange(256, dtype=np.uint8).reshape(1, 16, 16)
    out = F.to_dtype(ember.tensor(arr), ember.float32, scale=True).numpy()
    np.testing.assert_array_equal(out, arr.astype(np.float32) * np.float32(1 / 255))
    out64 = F.to_dtype(ember.tensor(arr), ember.float64, scale=True).numpy()
    np.testing.assert_array_equal(out64, arr.astype(np.float64) * (1 / 255))
    assert F.to_dtype(ember.tensor(arr), ember.float32).numpy().max() == 255.0  # no scale


def test_to_dtype_float_to_int_uses_max_plus_one_minus_eps():
    x = np.array([0.0, 0.1, 0.5, 0.999, 1.0], dtype=np.float32)
    out = F.to_dtype(ember.tensor(x), ember.uint8, scale=True).numpy()
    np.testing.assert_array_equal(out, (x * np.float32(255.999)).astype(np.uint8))
    assert out[-1] == 255 and out[-2] == 255
    out16 = F.to_dtype(ember.tensor(x), ember.int16, scale=True).numpy()
    np.testing.assert_array_equal(out16, (x * np.float32(32767.999)).astype(np.int16))
    with pytest.raises(RuntimeError, match="cannot be performed safely"):
        F.to_dtype(ember.tensor(x), ember.int32, scale=True)


def test_to_dtype_int_to_int_shifts_value_bits():
    u8 = np.array([0, 1, 128, 255], dtype=np.uint8)
    np.testing.assert_array_equal(
        F.to_dtype(ember.tensor(u8), ember.int16, scale=True).numpy(), u8.astype(np.int16) << 7
    )
    i32 = np.array([0, 2**24, 2**31 - 1], dtype=np.int32)
    np.testing.assert_array_equal(
        F.to_dtype(ember.tensor(i32), ember.uint8, scale=True).numpy(), (i32 >> 23).astype(np.uint8)
    )


def test_to_dtype_kinds_and_identity():
    t = ember.zeros(1, 2, 2)
    assert F.to_dtype(t, ember.float32, scale=True) is t
    pil = Image.fromarray(_rgb())
    assert F.to_dtype(pil, ember.float32, scale=True) is pil
    arr = _rgb()
    out = F.to_dtype(arr, ember.float32, scale=True)
    assert isinstance(out, np.ndarray) and out.shape == arr.shape
    np.testing.assert_allclose(out, arr / 255, rtol=1e-6)
    with pytest.raises(TypeError, match=r"ember\.dtype"):
        F.to_dtype(t, np.float32)


def test_to_dtype_result_is_contiguous_even_from_a_pil_view():
    img = F.to_image(Image.fromarray(_rgb()))
    out = F.to_dtype(img, ember.float32, scale=True)
    assert out._data.flags.c_contiguous
    assert out.view(-1).shape[0] == 3 * 5 * 7


def test_convert_image_dtype_and_classes():
    x = ember.tensor([[[0.0, 1.0]]])
    assert F.convert_image_dtype(x, ember.uint8).tolist() == [[[0, 255]]]
    assert T.ConvertImageDtype(ember.uint8)(x).tolist() == [[[0, 255]]]
    u = ember.tensor([[[0, 255]]], dtype=ember.uint8)
    assert T.ToDtype(ember.float32, scale=True)(u).tolist() == [[[0.0, 1.0]]]
    assert T.ToDtype(ember.float32)(u).tolist() == [[[0.0, 255.0]]]
    d = T.ToDtype({ember.Tensor: ember.float64, "others": None}, scale=True)
    assert d(u).dtype == ember.float64
    arr = np.zeros((2, 2), np.uint8)
    assert T.ToDtype({"others": None})(arr) is arr
    with pytest.raises(ValueError, match="no dtype given"):
        T.ToDtype({np.ndarray: ember.float32})(u)
    with pytest.raises(TypeError, match=r"ember\.Tensor"):
        F.convert_image_dtype(np.zeros((2, 2)), ember.uint8)
    assert repr(T.ToDtype(ember.float32, scale=True)) == "ToDtype(scale=True)"


def test_to_dtype_keeps_autograd():
    x = ember.tensor([[[0.2, 0.4]]], dtype=ember.float32, requires_grad=True)
    F.to_dtype(x, ember.float64).sum().backward()
    assert x.grad.tolist() == [[[1.0, 1.0]]]


def test_image_size_helpers():
    assert F.get_image_size(ember.zeros(3, 4, 5)) == [5, 4]
    assert F.get_image_size(Image.new("RGB", (5, 4))) == [5, 4]
    assert F.get_image_num_channels(np.zeros((4, 5, 2))) == 2
    assert F.get_size(ember.zeros(3, 4, 5)) == [4, 5]


# -- normalize -------------------------------------------------------------------------------


def test_normalize_matches_numpy():
    x = np.random.default_rng(3).random((2, 3, 4, 5)).astype(np.float32)
    mean, std = [0.1, 0.2, 0.3], [0.5, 0.25, 2.0]
    want = (x - np.float32(mean).reshape(3, 1, 1)) / np.float32(std).reshape(3, 1, 1)
    t = ember.tensor(x)
    np.testing.assert_array_equal(F.normalize(t, mean, std).numpy(), want)
    np.testing.assert_array_equal(t.numpy(), x)  # not in place
    np.testing.assert_array_equal(T.Normalize(mean, std)(t).numpy(), want)
    same = F.normalize(t, mean, std, inplace=True)
    assert same is t and t._version > 0
    np.testing.assert_array_equal(t.numpy(), want)
    hwc = x[0].transpose(1, 2, 0).copy()
    np.testing.assert_allclose(F.normalize(hwc, mean, std), want[0].transpose(1, 2, 0), rtol=1e-6)


def test_normalize_keeps_autograd():
    x = ember.tensor(np.random.default_rng(4).random((2, 2, 2)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda t: F.normalize(t, [0.5, 0.1], [2.0, 0.5]), (x,))


def test_normalize_errors():
    with pytest.raises(TypeError, match="float tensor"):
        F.normalize(ember.zeros(3, 2, 2, dtype=ember.uint8), [0.5] * 3, [0.5] * 3)
    with pytest.raises(TypeError, match="PIL"):
        F.normalize(Image.new("RGB", (2, 2)), [0.5] * 3, [0.5] * 3)
    with pytest.raises(ValueError, match="std evaluated to zero"):
        F.normalize(ember.zeros(3, 2, 2), [0.5] * 3, [0.5, 0.0, 0.5])
    with pytest.raises(ValueError, match="std evaluated to zero"):
        T.Normalize([0.5], [0.0])
    with pytest.raises(ValueError, match=r"\(\.\.\., C, H, W\)"):
        F.normalize(ember.zeros(2, 2), [0.5], [0.5])
    with pytest.raises(ValueError, match="mean has 2 values"):
        F.normalize(ember.zeros(3, 2, 2), [0.5, 0.5], [0.5])
    with pytest.raises(TypeError, match="does not support PIL"):
        T.Normalize([0.5], [0.5])(Image.new("L", (2, 2)))
    assert repr(T.Normalize([0.5], [0.25])) == "Normalize(mean=[0.5], std=[0.25], inplace=False)"


def test_tensors_from_pil_images_are_writable():
    pil = Image.fromarray(_rgb())
    for t in (F.to_image(pil), F.pil_to_tensor(pil)):
        t[0, 0, 0] = 3
        assert t[0, 0, 0].item() == 3
    assert np.asarray(pil)[0, 0, 0] == _rgb()[0, 0, 0]  # the image itself is untouched
