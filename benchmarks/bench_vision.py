"""Vision transforms: images per second through the classic ImageNet training pipeline
(decode a 256-pixel JPEG with Pillow, RandomResizedCrop(224), RandomHorizontalFlip, ToImage,
ToDtype(float32, scale=True), Normalize), one process, beside torchvision's v2 transforms on
the same JPEGs when torchvision is installed. PyTorch runs with one thread, as it does inside
DataLoader workers (where per-image transforms run); Ember's pipeline is single-threaded too.

    PYTHONPATH=packages/core/src:packages/vision/src python3 benchmarks/bench_vision.py [--quick]
        [--json PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import time

import numpy as np
from _report import add_json_argument, record, write_json

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def make_jpegs(n: int, size: int = 256) -> list[bytes]:
    """``n`` JPEGs of size x size pixels with smooth content (as photos compress)."""
    from PIL import Image

    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size] / size
    out = []
    for _ in range(n):
        f = rng.uniform(1, 6, 3)
        img = np.stack([np.sin(f[c] * (xx + yy * c) * np.pi) for c in range(3)], -1)
        img = (127.5 * (img + 1) + rng.normal(0, 8, img.shape)).clip(0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(img).save(buf, format="JPEG", quality=90)
        out.append(buf.getvalue())
    return out


def ember_pipeline():
    import ember
    from ember_vision import transforms as T

    return T.Compose(
        [
            T.RandomResizedCrop(224),
            T.RandomHorizontalFlip(),
            T.ToImage(),
            T.ToDtype(ember.float32, scale=True),
            T.Normalize(MEAN, STD),
        ]
    )


def torchvision_pipeline():
    import torch
    from torchvision.transforms import v2

    torch.set_num_threads(1)
    return v2.Compose(
        [
            v2.RandomResizedCrop(224),
            v2.RandomHorizontalFlip(),
            v2.ToImage(),
            v2.ToDtype(torch.float32, scale=True),
            v2.Normalize(MEAN, STD),
        ]
    )


def images_per_second(pipeline, blobs) -> float:
    from PIL import Image

    start = time.perf_counter()
    for blob in blobs:
        out = pipeline(Image.open(io.BytesIO(blob)).convert("RGB"))
    assert tuple(out.shape) == (3, 224, 224)
    return len(blobs) / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    add_json_argument(parser)
    args = parser.parse_args()
    n = 200 if args.quick else 1000
    blobs = make_jpegs(n)
    pipelines = {"ember": ember_pipeline()}
    if importlib.util.find_spec("torchvision") is not None:
        pipelines["torchvision"] = torchvision_pipeline()
    print(f"{n} JPEGs 256x256 -> RandomResizedCrop(224) + flip + ToImage + ToDtype + Normalize")
    print("images/s, one process, higher is better; best of 3 runs after a warm-up")
    rates = {}
    for name, pipeline in pipelines.items():
        images_per_second(pipeline, blobs[:50])
        rates[name] = max(images_per_second(pipeline, blobs) for _ in range(3))
        print(f"{name:>12}: {rates[name]:8.0f}")
    if "torchvision" in rates:
        print(f"ember/torchvision: {rates['ember'] / rates['torchvision']:.2f}")
    write_json(
        args.json,
        [
            record(
                "vision",
                f"{n} JPEGs 256x256: decode, RandomResizedCrop(224), flip, ToImage, "
                "ToDtype, Normalize",
                "images/s",
                rates["ember"],
                rates.get("torchvision"),
                "torchvision" if "torchvision" in rates else None,
                better="higher",
                statistic="best of 3 passes after a warm-up",
                note="one process; v2 transforms on both sides",
            )
        ],
    )


if __name__ == "__main__":
    main()
