"""DataLoader throughput: samples per second over a dataset that decodes small PNG images
with Pillow and applies a few NumPy transforms, for num_workers 0 and 2, beside PyTorch's
DataLoader on the same dataset when PyTorch is installed.

    PYTHONPATH=packages/core/src python3 benchmarks/bench_data.py [--quick] [--json PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import time

import numpy as np
from _report import add_json_argument, record, write_json


def make_pngs(n: int, size: int = 32) -> list[bytes]:
    from PIL import Image

    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        img = Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8))
        buf = io.BytesIO()
        img.save(buf, format="PNG")
        out.append(buf.getvalue())
    return out


class PngDataset:
    """Decodes a PNG, random-crops and flips it, normalises to float32 CHW."""

    mean = np.array([0.5, 0.5, 0.5], np.float32).reshape(3, 1, 1)

    def __init__(self, blobs):
        self.blobs = blobs

    def __len__(self):
        return len(self.blobs)

    def __getitem__(self, i):
        from PIL import Image

        arr = np.asarray(Image.open(io.BytesIO(self.blobs[i])).convert("RGB"), np.float32) / 255.0
        rng = np.random.default_rng(i)
        y, x = rng.integers(0, 5, 2)
        arr = np.pad(arr, ((2, 2), (2, 2), (0, 0)), mode="reflect")[y : y + 32, x : x + 32]
        if rng.random() < 0.5:
            arr = arr[:, ::-1]
        return np.ascontiguousarray(arr.transpose(2, 0, 1)) - self.mean, i % 10


def throughput(make_loader, n: int) -> float:
    loader = make_loader()
    start = time.perf_counter()
    count = 0
    for x, _y in loader:
        count += len(x)
    return count / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    add_json_argument(parser)
    args = parser.parse_args()
    n = 1024 if args.quick else 4096
    blobs = make_pngs(n)
    from ember.utils.data import DataLoader as EmberLoader

    frameworks = {"ember": lambda ds, w: EmberLoader(ds, batch_size=64, num_workers=w)}

    class EmberDataset(PngDataset):
        pass

    datasets = {"ember": EmberDataset(blobs)}
    if importlib.util.find_spec("torch") is not None:
        import torch.utils.data as tud

        class TorchDataset(PngDataset, tud.Dataset):
            pass

        frameworks["torch"] = lambda ds, w: tud.DataLoader(ds, batch_size=64, num_workers=w)
        datasets["torch"] = TorchDataset(blobs)
    print(f"{n} PNG images 32x32, batch 64 (samples/s, higher is better)")
    print(f"{'workers':>8} " + " ".join(f"{name:>10}" for name in frameworks) + "   ember/torch")
    records = []
    for workers in (0, 2):
        rates = {}
        for name, make in frameworks.items():

            def build(make=make, name=name, workers=workers):
                return make(datasets[name], workers)

            throughput(build, n)  # warm-up
            rates[name] = max(throughput(build, n) for _ in range(2))
        ratio = f"{rates['ember'] / rates['torch']:.2f}" if "torch" in rates else "-"
        print(
            f"{workers:>8} " + " ".join(f"{r:>10.0f}" for r in rates.values()) + f"   {ratio:>11}"
        )
        records.append(
            record(
                "data",
                f"DataLoader, {n} PNG images 32x32, batch 64, num_workers={workers}",
                "samples/s",
                rates["ember"],
                rates.get("torch"),
                "torch" if "torch" in rates else None,
                better="higher",
                statistic="best of 2 passes after a warm-up pass",
            )
        )
    write_json(args.json, records)


if __name__ == "__main__":
    main()
