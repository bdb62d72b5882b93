"""Image grids, saving, and drawing boxes, masks and keypoints on uint8 images."""

from __future__ import annotations

import math
import os

import numpy as np

import ember

__all__ = [
    "draw_bounding_boxes",
    "draw_keypoints",
    "draw_segmentation_masks",
    "make_grid",
    "save_image",
]


def _arr(t):
    return t.detach().cpu().numpy() if isinstance(t, ember.Tensor) else np.asarray(t)


def make_grid(
    tensor,
    nrow: int = 8,
    padding: int = 2,
    normalize: bool = False,
    value_range=None,
    scale_each: bool = False,
    pad_value: float = 0.0,
):
    """Tile a batch ``(B, C, H, W)`` (or a list of ``(C, H, W)``) into one ``(C, H', W')`` image.

    Example:
        >>> import ember
        >>> make_grid(ember.ones(2, 3, 2, 2), nrow=2, padding=1).shape
        ember.Size([3, 4, 7])
    """
    if isinstance(tensor, (list, tuple)):
        arr = np.stack([_arr(t) for t in tensor])
    else:
        arr = _arr(tensor)
    if arr.ndim == 2:
        arr = arr[None]
    if arr.ndim == 3:
        if arr.shape[0] == 1:
            arr = np.concatenate([arr] * 3, axis=0)
        arr = arr[None]
    if arr.ndim == 4 and arr.shape[1] == 1:
        arr = np.concatenate([arr] * 3, axis=1)
    if normalize:
        arr = arr.copy()

        def norm(a):
            low, high = value_range if value_range is not None else (a.min(), a.max())
            a = np.clip(a, low, high)
            return (a - low) / max(high - low, 1e-5)

        if scale_each:
            arr = np.stack([norm(a) for a in arr]).astype(arr.dtype)
        else:
            arr = norm(arr).astype(arr.dtype)
    if arr.shape[0] == 1:
        return ember.tensor(np.ascontiguousarray(arr[0]))
    nmaps, c, h, w = arr.shape
    xmaps = min(nrow, nmaps)
    ymaps = math.ceil(nmaps / xmaps)
    height, width = h + padding, w + padding
    grid = np.full(
        (c, height * ymaps + padding, width * xmaps + padding), pad_value, dtype=arr.dtype
    )
    k = 0
    for y in range(ymaps):
        for x in range(xmaps):
            if k >= nmaps:
                break
            top, left = y * height + padding, x * width + padding
            grid[:, top : top + h, left : left + w] = arr[k]
            k += 1
    return ember.tensor(grid)


def save_image(tensor, fp, format=None, **kwargs) -> None:
    """Save a tensor (or a batch, tiled by :func:`make_grid`) with values in [0, 1] as an image."""
    from PIL import Image

    grid = _arr(make_grid(tensor, **kwargs)).astype(np.float32)
    nd = np.clip(grid * 255 + 0.5, 0, 255).astype(np.uint8).transpose(1, 2, 0)
    if isinstance(fp, (str, os.PathLike)):
        fp = os.fspath(fp)
    Image.fromarray(np.ascontiguousarray(nd)).save(fp, format=format)


def _palette(n):
    palette = np.array([2**25 - 1, 2**15 - 1, 2**21 - 1], dtype=np.int64)
    return [tuple(int(v) for v in (i * palette) % 255) for i in range(n)]


def _rgb(color):
    from PIL import ImageColor

    if isinstance(color, str):
        return ImageColor.getrgb(color)[:3]
    return tuple(int(v) for v in color)


def _colors(colors, n):
    if colors is None:
        return _palette(n)
    if isinstance(colors, list):
        if len(colors) < n:
            raise ValueError(
                f"Number of colors ({len(colors)}) is less than number of objects ({n})"
            )
        return [_rgb(c) for c in colors[:n]]
    return [_rgb(colors)] * n


def _check_image(image, name):
    if not isinstance(image, ember.Tensor) or image.dtype != ember.uint8:
        raise TypeError(f"{name}: expected a uint8 image tensor")
    if image.ndim != 3 or image.shape[0] not in (1, 3):
        raise ValueError(f"{name}: expected a (C, H, W) image with 1 or 3 channels")
    arr = image.detach().cpu().numpy()
    if arr.shape[0] == 1:
        arr = np.concatenate([arr] * 3, axis=0)
    return arr


def _from_pil(img):
    return ember.tensor(np.ascontiguousarray(np.asarray(img, dtype=np.uint8).transpose(2, 0, 1)))


def draw_bounding_boxes(
    image, boxes, labels=None, colors=None, fill=False, width=1, font=None, font_size=None
):
    """Draw ``(x1, y1, x2, y2)`` boxes (and optional labels) on a uint8 ``(C, H, W)`` image.

    Returns a new uint8 ``(3, H, W)`` tensor. ``fill`` shades the boxes with alpha 100.

    Example:
        >>> import ember
        >>> img = ember.zeros(3, 5, 5, dtype=ember.uint8)
        >>> out = draw_bounding_boxes(img, ember.tensor([[1., 1., 3., 3.]]), colors="red")
        >>> out[:, 1, 1].tolist(), out[:, 2, 2].tolist()
        ([255, 0, 0], [0, 0, 0])
    """
    from PIL import Image, ImageDraw, ImageFont

    arr = _check_image(image, "draw_bounding_boxes")
    b = _arr(boxes)
    if b.size and ((b[:, 0] > b[:, 2]).any() or (b[:, 1] > b[:, 3]).any()):
        raise ValueError("Boxes need to be in (xmin, ymin, xmax, ymax) format. Use box_convert")
    n = b.shape[0]
    if labels is not None and len(labels) != n:
        raise ValueError(f"Number of boxes ({n}) and labels ({len(labels)}) mismatch")
    cols = _colors(colors, n)
    img = Image.fromarray(np.ascontiguousarray(arr.transpose(1, 2, 0)))
    if font is None:
        txt_font = ImageFont.load_default()
    else:
        txt_font = ImageFont.truetype(font=font, size=font_size or 10)
    draw = ImageDraw.Draw(img, "RGBA" if fill else None)
    for i, box in enumerate(b.astype(np.int64).tolist()):
        if fill:
            draw.rectangle(box, width=width, outline=cols[i], fill=cols[i] + (100,))
        else:
            draw.rectangle(box, width=width, outline=cols[i])
        if labels is not None:
            margin = width + 1
            draw.text((box[0] + margin, box[1] + margin), labels[i], fill=cols[i], font=txt_font)
    return _from_pil(img.convert("RGB"))


def draw_segmentation_masks(image, masks, alpha: float = 0.8, colors=None):
    """Blend boolean ``(N, H, W)`` masks onto a uint8 image with opacity ``alpha``.

    Example:
        >>> import ember
        >>> img = ember.zeros(3, 2, 2, dtype=ember.uint8)
        >>> m = ember.tensor([[True, False], [False, False]])
        >>> draw_segmentation_masks(img, m, alpha=1.0, colors="blue")[:, 0, 0].tolist()
        [0, 0, 255]
    """
    arr = _check_image(image, "draw_segmentation_masks")
    m = _arr(masks)
    if m.ndim == 2:
        m = m[None]
    if m.dtype != np.bool_:
        raise ValueError("The masks must be of dtype bool")
    if m.shape[-2:] != arr.shape[-2:]:
        raise ValueError("The image and the masks must have the same height and width")
    cols = _colors(colors, m.shape[0])
    drawn = arr.copy()
    for mask, col in zip(m, cols):
        drawn[:, mask] = np.asarray(col, dtype=np.uint8)[:, None]
    out = arr.astype(np.float32) * (1 - alpha) + drawn.astype(np.float32) * alpha
    return ember.tensor(out.astype(np.uint8))


def draw_keypoints(
    image, keypoints, connectivity=None, colors=None, radius: int = 2, width: int = 3
):
    """Draw ``(K, N, 2)`` keypoints as discs, and ``connectivity`` pairs as lines.

    Example:
        >>> import ember
        >>> img = ember.zeros(3, 7, 7, dtype=ember.uint8)
        >>> out = draw_keypoints(img, ember.tensor([[[3., 3.]]]), colors="white", radius=1)
        >>> out[:, 3, 3].tolist(), out[:, 0, 0].tolist()
        ([255, 255, 255], [0, 0, 0])
    """
    from PIL import Image, ImageDraw

    arr = _check_image(image, "draw_keypoints")
    k = _arr(keypoints)
    if k.ndim != 3:
        raise ValueError("keypoints must be of shape (num_instances, K, 2)")
    img = Image.fromarray(np.ascontiguousarray(arr.transpose(1, 2, 0)))
    draw = ImageDraw.Draw(img)
    col = None if colors is None else _rgb(colors)
    for inst in k.tolist():
        for x, y in inst:
            draw.ellipse(
                [x - radius, y - radius, x + radius, y + radius], fill=col, outline=None, width=0
            )
        for a, b in connectivity or ():
            draw.line((tuple(inst[a]), tuple(inst[b])), width=width, fill=col)
    return _from_pil(img)
