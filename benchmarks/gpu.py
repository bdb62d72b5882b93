"""GPU figures beside PyTorch on the same GPU (when PyTorch with CUDA is importable).

1. Per-op launch overhead: a chain of elementwise ops on a 16x16 tensor (microseconds per op,
   forward only, synchronised at the end).
2. Matmul throughput: 4096x4096 @ 4096x4096 in float32 and float16 (TFLOP/s).
3. Ember's fused CUDA kernels (softmax, log-softmax, layer norm, RMS norm, GELU, SiLU,
   cross-entropy, dropout, Adam) on large arrays: achieved bandwidth (bytes the kernel must
   read and write, over its time) as a fraction of a device-to-device copy's bandwidth.
4. Training steps: ResNet-18 (``ember_vision.models.resnet18``; 64x64 inputs, batch 64,
   SGD with momentum) and a GPT-style decoder (6 layers, d=512, 8 heads, seq 256, batch 16,
   AdamW) built from ``ember.nn`` layers, each in float32 and under autocast (float16 with a
   GradScaler). The same builder code makes the PyTorch models.

Run from the repository root on a machine with a GPU and CuPy (``scripts/gpu-check.sh`` sets
PYTHONPATH for the five packages)::

    python benchmarks/gpu.py [--quick]

Without a GPU it prints why and exits with status 1. ``--cpu-smoke`` runs every section with
tiny sizes on the CPU instead, to check the script itself (its figures mean nothing).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import traceback

# -- timing helpers ---------------------------------------------------------------------------


class Runner:
    """Times callables on one device, synchronising the GPU around each measurement."""

    def __init__(self, lib, device: str):
        self.lib, self.device = lib, device

    def sync(self):
        if self.device == "cuda":
            self.lib.cuda.synchronize()

    def time(self, fn, repeats: int, warmup: int = 2) -> float:
        """Median seconds of ``fn()`` over ``repeats`` runs after ``warmup`` runs."""
        for _ in range(warmup):
            fn()
        self.sync()
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            fn()
            self.sync()
            times.append(time.perf_counter() - t0)
        return statistics.median(times)


def _torch_cuda():
    try:
        import torch
    except Exception:
        return None
    return torch if torch.cuda.is_available() else None


def _torch_cpu():
    try:
        import torch
    except Exception:
        return None
    return torch


def _row(name, ember_value, torch_value, unit, higher_is_better=False):
    if torch_value is None or not ember_value or not torch_value:
        ratio = ""
    else:
        ratio = f"{ember_value / torch_value:.2f}x"
    tv = "" if torch_value is None else f"{torch_value:.3g}"
    print(f"  {name:<44}{ember_value:>12.3g}{tv:>12}{ratio:>12}  {unit}")


def _header(title):
    print(f"\n{title}")
    print(f"  {'measure':<44}{'ember':>12}{'torch':>12}{'ember/torch':>12}")


# -- 1. launch overhead -----------------------------------------------------------------------


def launch_overhead_us(lib, device, n_ops=200, repeats=5):
    run = Runner(lib, device)
    a = lib.ones(16, 16, device=device)
    b = lib.ones(16, 16, device=device) * 0.5

    def chain():
        y = a
        for _ in range(n_ops // 4):
            y = y * b
            y = y + a
            y = y * 0.5
            y = y - b
        return y

    return run.time(chain, repeats) / n_ops * 1e6


# -- 2. matmul --------------------------------------------------------------------------------


def matmul_tflops(lib, device, dtype_name, n, repeats=5):
    run = Runner(lib, device)
    dtype = getattr(lib, dtype_name)
    a = lib.randn(n, n, device=device).to(dtype)
    b = lib.randn(n, n, device=device).to(dtype)
    seconds = run.time(lambda: a @ b, repeats)
    return 2 * n**3 / seconds / 1e12


# -- 3. fused kernels' bandwidth --------------------------------------------------------------


def kernel_bandwidth(rows, cols, repeats=10):
    """``{name: fraction of copy bandwidth}`` for Ember's CUDA kernels on float32 arrays."""
    import cupy as cp

    from ember.backends.cuda import kernels as K

    run = Runner(__import__("ember"), "cuda")
    x = cp.random.standard_normal((rows, cols), dtype=cp.float32)
    g = cp.random.standard_normal((rows, cols), dtype=cp.float32)
    w = cp.ones(cols, cp.float32)
    t = cp.random.randint(0, cols, rows).astype(cp.int64)
    nbytes = x.nbytes
    dst = cp.empty_like(x)
    copy_bw = 2 * nbytes / run.time(lambda: cp.copyto(dst, x), repeats)
    y = K.softmax_forward(x, 1)
    m, v = cp.zeros_like(x), cp.zeros_like(x)
    cases = {  # name: (call, bytes moved per call, in units of x.nbytes)
        "softmax fwd": (lambda: K.softmax_forward(x, 1), 2),
        "softmax bwd": (lambda: K.softmax_backward(g, y, 1), 3),
        "log_softmax fwd": (lambda: K.log_softmax_forward(x, 1), 2),
        "layer_norm fwd": (lambda: K.layer_norm_forward(x, w, w, 1e-5), 2),
        "rms_norm fwd": (lambda: K.rms_norm_forward(x, w, 1e-6), 2),
        "gelu fwd": (lambda: K.gelu_forward(x, "none"), 2),
        "gelu bwd": (lambda: K.gelu_backward(g, x, "none"), 3),
        "silu fwd": (lambda: K.silu_forward(x), 2),
        "cross_entropy fwd": (lambda: K.cross_entropy_forward(x, t, None, -100, 0.0), 1),
        "dropout fwd": (lambda: K.dropout_forward(x, 0.1, 1234), 3),
        "adam update": (
            lambda: K.adam_update_(
                x, g, m, v, None, 1e-3, 0.9, 0.999, 1e-8, 0.0, False, False, True, 1e-3, 1.0
            ),
            7,
        ),
    }
    out = {}
    for name, (fn, units) in cases.items():
        out[name] = units * nbytes / run.time(fn, repeats) / copy_bw
    return copy_bw, out


# -- 4. models --------------------------------------------------------------------------------


def build_gpt(lib, vocab=8192, d=512, heads=8, layers=6, seq=256):
    """A GPT-style decoder from ``lib.nn`` layers (the same code for ember and torch)."""
    nn, F = lib.nn, lib.nn.functional

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.fc1, self.fc2 = nn.Linear(d, 4 * d), nn.Linear(4 * d, d)

        def forward(self, x):
            B, T, _ = x.shape
            q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
            q, k, v = (z.reshape(B, T, heads, d // heads).transpose(1, 2) for z in (q, k, v))
            a = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(a.transpose(1, 2).reshape(B, T, d))
            return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok, self.pos = nn.Embedding(vocab, d), nn.Embedding(seq, d)
            self.blocks = nn.ModuleList([Block() for _ in range(layers)])
            self.ln, self.head = nn.LayerNorm(d), nn.Linear(d, vocab, bias=False)

        def forward(self, idx):
            T = idx.shape[1]
            x = self.tok(idx) + self.pos(lib.arange(T, device=idx.device))
            for block in self.blocks:
                x = block(x)
            return self.head(self.ln(x))

    return GPT()


def build_resnet18(lib, num_classes=1000):
    """ResNet-18 from ``lib.nn`` (for torch, where torchvision may be missing); Ember uses
    ``ember_vision.models.resnet18``."""
    nn = lib.nn

    class Basic(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.b1 = nn.BatchNorm2d(cout)
            self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.b2 = nn.BatchNorm2d(cout)
            self.down = None
            if stride != 1 or cin != cout:
                self.down = nn.Sequential(
                    nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
                )

        def forward(self, x):
            y = self.b2(self.c2(self.b1(self.c1(x)).relu()))
            return (y + (x if self.down is None else self.down(x))).relu()

    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
              nn.MaxPool2d(3, 2, 1)]  # fmt: skip
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Basic(cin, cout, stride), Basic(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, num_classes)]
    return nn.Sequential(*layers)


def train_step_seconds(lib, device, model, make_batch, opt, amp: bool, repeats: int):
    """Median seconds of one step: forward, cross-entropy, backward, optimizer step."""
    F = lib.nn.functional
    x, y = make_batch()
    scaler = lib.amp.GradScaler(device, enabled=amp)

    def step():
        opt.zero_grad(set_to_none=True)
        with lib.autocast(device, dtype=lib.float16, enabled=amp):
            out = model(x)
            loss = F.cross_entropy(out.reshape(-1, out.shape[-1]), y.reshape(-1))
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()

    return Runner(lib, device).time(step, repeats, warmup=2)


def model_steps(lib, device, sizes, repeats):
    """``{(model, precision): seconds}`` for one library."""
    res = {}
    lib.manual_seed(0)
    if lib.__name__ == "ember":
        from ember_vision.models import resnet18

        resnet = resnet18(num_classes=100)
    else:
        resnet = build_resnet18(lib, num_classes=100)
    resnet = resnet.to(device)
    opt = lib.optim.SGD(resnet.parameters(), lr=0.01, momentum=0.9)
    b, hw = sizes["resnet"]

    def image_batch():
        return (lib.randn(b, 3, hw, hw, device=device), lib.randint(0, 100, (b,), device=device))

    for amp in (False, True):
        res[("ResNet-18", amp)] = train_step_seconds(
            lib, device, resnet, image_batch, opt, amp, repeats
        )
    del resnet, opt
    g = sizes["gpt"]
    gpt = build_gpt(lib, vocab=g["vocab"], d=g["d"], heads=g["heads"], layers=g["layers"],
                    seq=g["seq"]).to(device)  # fmt: skip
    opt = lib.optim.AdamW(gpt.parameters(), lr=3e-4)

    def token_batch():
        shape = (g["batch"], g["seq"])
        return (lib.randint(0, g["vocab"], shape, device=device),
                lib.randint(0, g["vocab"], shape, device=device))  # fmt: skip

    for amp in (False, True):
        res[("GPT decoder", amp)] = train_step_seconds(
            lib, device, gpt, token_batch, opt, amp, repeats
        )
    return res


# -- main -------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller matmuls")
    parser.add_argument("--cpu-smoke", action="store_true", help="tiny sizes on the CPU")
    args = parser.parse_args()

    import ember

    smoke = args.cpu_smoke
    if not smoke and not ember.cuda.is_available():
        print(
            "benchmarks/gpu.py: no CUDA GPU is available (ember.cuda.is_available() is False: "
            "CuPy is missing or sees no device). Run it on a machine with an NVIDIA GPU and "
            "CuPy, e.g. through scripts/gpu-check.sh.",
            file=sys.stderr,
        )
        return 1
    device = "cpu" if smoke else "cuda"
    torch = _torch_cpu() if smoke else _torch_cuda()
    repeats = 2 if (smoke or args.quick) else 5
    failures = []
    if smoke:
        sizes = {"resnet": (2, 32), "gpt": dict(vocab=64, d=32, heads=4, layers=2, seq=16,
                                                  batch=2)}  # fmt: skip
    else:
        sizes = {"resnet": (64, 64), "gpt": dict(vocab=8192, d=512, heads=8, layers=6, seq=256,
                                                   batch=16)}  # fmt: skip
    if not smoke:
        print(f"device: {ember.cuda.get_device_name(0)}; PyTorch: "
              f"{'not importable with CUDA' if torch is None else torch.__version__}")  # fmt: skip

    def section(title, fn):
        try:
            fn()
        except Exception:
            failures.append(title)
            print(f"  FAILED: {title}")
            traceback.print_exc()

    def overhead():
        _header("1. per-op launch overhead (16x16 elementwise chain)")
        e = launch_overhead_us(ember, device, n_ops=40 if smoke else 200, repeats=repeats)
        t = (
            None
            if torch is None
            else launch_overhead_us(torch, device, n_ops=40 if smoke else 200, repeats=repeats)
        )
        _row("elementwise op", e, t, "us/op")

    def matmul():
        _header("2. matmul throughput")
        n = 64 if smoke else (2048 if args.quick else 4096)
        for name in ("float32", "float16"):
            e = matmul_tflops(ember, device, name, n, repeats)
            t = None if torch is None else matmul_tflops(torch, device, name, n, repeats)
            _row(f"{n}x{n} @ {n}x{n} {name}", e, t, "TFLOP/s")

    def kernels():
        _header("3. fused kernels: achieved bandwidth / device-to-device copy bandwidth")
        copy_bw, fractions = kernel_bandwidth(8192, 4096 if not args.quick else 1024)
        print(f"  copy bandwidth: {copy_bw / 1e9:.0f} GB/s (target: kernels >= 0.70)")
        for name, frac in fractions.items():
            flag = "" if frac >= 0.7 else "  (below 0.70)"
            print(f"  {name:<44}{frac:>12.2f}{flag}")

    def models():
        _header("4. training step, milliseconds (lower is better; target ember/torch <= 1.5)")
        e = model_steps(ember, device, sizes, repeats)
        t = None if torch is None else model_steps(torch, device, sizes, repeats)
        for (name, amp), secs in e.items():
            label = f"{name} {'autocast fp16' if amp else 'float32'}"
            _row(label, secs * 1e3, None if t is None else t[(name, amp)] * 1e3, "ms")

    start = time.perf_counter()
    section("launch overhead", overhead)
    section("matmul", matmul)
    if not smoke:
        section("fused kernels", kernels)
    section("models", models)
    print(f"\ntotal {time.perf_counter() - start:.1f} s")
    if failures:
        print(f"FAILED sections: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
