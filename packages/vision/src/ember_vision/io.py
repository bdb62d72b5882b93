"""Reading and writing images as uint8 ``(C, H, W)`` Ember tensors, through Pillow."""

from __future__ import annotations

import enum
import io as _pyio
import os

import numpy as np

import ember

__all__ = [
    "ImageReadMode",
    "decode_image",
    "decode_jpeg",
    "decode_png",
    "encode_jpeg",
    "encode_png",
    "read_file",
    "read_image",
    "write_file",
    "write_jpeg",
    "write_png",
]


class ImageReadMode(enum.Enum):
    """Colour mode to decode to: as stored, grey, grey+alpha, RGB or RGBA."""

    UNCHANGED = 0
    GRAY = 1
    GRAY_ALPHA = 2
    RGB = 3
    RGB_ALPHA = 4


_PIL_MODE = {
    ImageReadMode.GRAY: "L",
    ImageReadMode.GRAY_ALPHA: "LA",
    ImageReadMode.RGB: "RGB",
    ImageReadMode.RGB_ALPHA: "RGBA",
}


def _mode(mode):
    if isinstance(mode, str):
        return ImageReadMode[mode.upper()]
    return ImageReadMode(mode) if isinstance(mode, int) else mode


def read_file(path) -> ember.Tensor:
    """The bytes of the file at ``path`` as a 1-D uint8 tensor."""
    with open(os.fspath(path), "rb") as f:
        data = f.read()
    return ember.tensor(np.frombuffer(data, dtype=np.uint8).copy())


def write_file(filename, data) -> None:
    """Write a 1-D uint8 tensor's bytes to ``filename``."""
    with open(os.fspath(filename), "wb") as f:
        f.write(data.detach().numpy().astype(np.uint8).tobytes())


def _pil_to_tensor(img, mode):
    if mode is ImageReadMode.UNCHANGED:
        if img.mode in ("1", "I;16", "I", "F"):
            img = img.convert("L")
        elif img.mode == "P":
            img = img.convert("RGBA" if "transparency" in img.info else "RGB")
        elif img.mode not in ("L", "LA", "RGB", "RGBA"):
            img = img.convert("RGB")
    else:
        img = img.convert(_PIL_MODE[mode])
    arr = np.asarray(img, dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    return ember.tensor(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def _decode(data: bytes, mode, name: str):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(_pyio.BytesIO(data)) as img:
            img.load()
            return _pil_to_tensor(img, _mode(mode))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as e:
        raise RuntimeError(f"cannot decode image {name}: {e}") from e


def decode_image(input, mode=ImageReadMode.UNCHANGED) -> ember.Tensor:
    """Decode encoded image bytes (a 1-D uint8 tensor, or a path) to a uint8 CHW tensor.

    Example:
        >>> import ember
        >>> img = ember.zeros(3, 2, 2, dtype=ember.uint8)
        >>> decode_image(encode_png(img), mode=ImageReadMode.GRAY).shape
        ember.Size([1, 2, 2])
    """
    if isinstance(input, (str, os.PathLike)):
        return read_image(input, mode)
    if not isinstance(input, ember.Tensor) or input.dtype != ember.uint8 or input.ndim != 1:
        raise RuntimeError("decode_image: expected a 1-D uint8 tensor of encoded bytes")
    return _decode(input.numpy().tobytes(), mode, "<bytes>")


decode_png = decode_image
decode_jpeg = decode_image


def read_image(path, mode=ImageReadMode.UNCHANGED) -> ember.Tensor:
    """Read a PNG/JPEG/... file into a uint8 ``(C, H, W)`` tensor.

    Unreadable or corrupt files raise a ``RuntimeError`` naming the file.
    """
    path = os.fspath(path)
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise RuntimeError(f"cannot read image file '{path}': {e}") from e
    return _decode(data, mode, f"file '{path}'")


def _to_pil(input):
    from PIL import Image

    if not isinstance(input, ember.Tensor) or input.dtype != ember.uint8:
        raise TypeError("expected a uint8 tensor")
    if input.ndim != 3 or input.shape[0] not in (1, 3):
        raise RuntimeError(
            f"expected a (C, H, W) tensor with 1 or 3 channels, got shape {tuple(input.shape)}"
        )
    arr = input.detach().cpu().numpy().transpose(1, 2, 0)
    return Image.fromarray(np.ascontiguousarray(arr[:, :, 0] if arr.shape[2] == 1 else arr))


def _encode(img, **kwargs) -> ember.Tensor:
    buf = _pyio.BytesIO()
    img.save(buf, **kwargs)
    return ember.tensor(np.frombuffer(buf.getvalue(), dtype=np.uint8).copy())


def encode_png(input, compression_level: int = 6) -> ember.Tensor:
    """PNG-encode a uint8 ``(C, H, W)`` tensor (1 or 3 channels) to a 1-D uint8 tensor."""
    if not 0 <= compression_level <= 9:
        raise ValueError(f"compression_level must be in [0, 9], got {compression_level}")
    return _encode(_to_pil(input), format="PNG", compress_level=compression_level)


def encode_jpeg(input, quality: int = 75) -> ember.Tensor:
    """JPEG-encode a uint8 ``(C, H, W)`` tensor (1 or 3 channels) to a 1-D uint8 tensor."""
    if not 1 <= quality <= 100:
        raise ValueError(
            f"Image quality should be a positive number between 1 and 100, got {quality}"
        )
    return _encode(_to_pil(input), format="JPEG", quality=quality)


def write_png(input, filename, compression_level: int = 6) -> None:
    """Write a uint8 ``(C, H, W)`` tensor as a PNG file."""
    write_file(filename, encode_png(input, compression_level))


def write_jpeg(input, filename, quality: int = 75) -> None:
    """Write a uint8 ``(C, H, W)`` tensor as a JPEG file."""
    write_file(filename, encode_jpeg(input, quality))
