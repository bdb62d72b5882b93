"""One training step (forward, loss, backward, SGD update) of five small models, beside
PyTorch CPU measured in the same run.

Models (the same code builds each with ``ember`` and with ``torch``):

- ``mlp``: 784-512-256-10 with ReLU, batch 128, cross-entropy.
- ``convnet``: the classic MNIST example (conv 1->32->64 3x3, ReLU, max-pool 2, dropout,
  fc 9216->128->10, log-softmax + NLL), batch 64 of 28x28.
- ``resnet``: a small CIFAR ResNet (3x3 stem, 3 stages of basic blocks with 16/32/64
  channels, batch norm, 1x1 projection shortcuts, global average pool), batch 32 of 32x32.
- ``transformer``: a 2-layer Transformer encoder LM (d=128, 4 heads, ff 512, seq 64,
  batch 16, vocab 1000, learnt positions, causal mask).
- ``lstm``: a 2-layer LSTM LM (embedding and hidden 128, seq 35, batch 20, vocab 1000).

The update is ``ember.optim.SGD`` / ``torch.optim.SGD`` (lr 0.01) when ``ember.optim`` is
importable, otherwise an in-place ``p.sub_(lr * p.grad)`` under ``no_grad`` for both.
Each figure is the median of several steps after warm-up; Ember's and PyTorch's steps
alternate, so the ratio ember/torch is taken in the same run under the same machine load.
Run from the repository root with the interpreter that has PyTorch::

    PYTHONPATH=packages/core/src python3 benchmarks/bench_nn.py [--quick] [--models mlp,lstm]
        [--threads 1] [--json PATH]

On a busy machine, multi-threaded BLAS calls on these small matrices can slow down by an
order of magnitude (threads spin while waiting for cores); ``--threads 1`` gives steadier
figures for both libraries.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import statistics
import sys
import time


def _threads_from_argv() -> int | None:
    """``--threads N`` must reach the BLAS library before NumPy loads it."""
    for i, arg in enumerate(sys.argv):
        if arg == "--threads" and i + 1 < len(sys.argv):
            return int(sys.argv[i + 1])
        if arg.startswith("--threads="):
            return int(arg.split("=", 1)[1])
    return None


THREADS = _threads_from_argv()
if THREADS is not None:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(THREADS)

import numpy as np  # noqa: E402
from _report import add_json_argument, record, write_json  # noqa: E402

LR = 0.01


# -- models, written once against ``lib`` (ember or torch) -----------------------------------


def mlp(lib):
    nn = lib.nn
    model = nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 10)
    )
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 128))
    return model, lambda: lib.nn.functional.cross_entropy(model(x), y)


def convnet(lib):
    nn, F = lib.nn, lib.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 32, 3, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 1)
            self.dropout1 = nn.Dropout(0.25)
            self.dropout2 = nn.Dropout(0.5)
            self.fc1 = nn.Linear(9216, 128)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            x = F.relu(self.conv2(x))
            x = F.max_pool2d(x, 2)
            x = self.dropout1(x)
            x = lib.flatten(x, 1)
            x = self.dropout2(F.relu(self.fc1(x)))
            return F.log_softmax(self.fc2(x), dim=1)

    model = Net()
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((64, 1, 28, 28)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 64))
    return model, lambda: F.nll_loss(model(x), y)


def resnet(lib):
    nn, F = lib.nn, lib.nn.functional

    class BasicBlock(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout)
                )

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return F.relu(out + self.shortcut(x))

    class ResNet(nn.Module):
        def __init__(self, blocks_per_stage=1):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            layers, cin = [], 16
            for cout, stride in ((16, 1), (32, 2), (64, 2)):
                for i in range(blocks_per_stage):
                    layers.append(BasicBlock(cin, cout, stride if i == 0 else 1))
                    cin = cout
            self.layers = nn.Sequential(*layers)
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(64, 10)

        def forward(self, x):
            x = F.relu(self.bn1(self.conv1(x)))
            x = self.pool(self.layers(x))
            return self.fc(lib.flatten(x, 1))

    model = ResNet()
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((32, 3, 32, 32)).astype(np.float32))
    y = lib.tensor(rng.integers(0, 10, 32))
    return model, lambda: F.cross_entropy(model(x), y)


def transformer(lib):
    nn, F = lib.nn, lib.nn.functional
    vocab, d, seq, batch = 1000, 128, 64, 16

    class TransformerLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, d)
            self.pos = nn.Embedding(seq, d)
            layer = nn.TransformerEncoderLayer(d, 4, 512, dropout=0.1, batch_first=True)
            self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = nn.Linear(d, vocab)

        def forward(self, tokens, positions, mask):
            h = self.embed(tokens) + self.pos(positions)
            return self.head(self.encoder(h, mask=mask, is_causal=True))

    model = TransformerLM()
    rng = np.random.default_rng(0)
    tokens = lib.tensor(rng.integers(0, vocab, (batch, seq)))
    targets = lib.tensor(rng.integers(0, vocab, (batch * seq,)))
    positions = lib.arange(seq)
    mask = nn.Transformer.generate_square_subsequent_mask(seq)

    def loss():
        return F.cross_entropy(model(tokens, positions, mask).reshape(-1, vocab), targets)

    return model, loss


def lstm(lib):
    nn, F = lib.nn, lib.nn.functional
    vocab, hidden, seq, batch = 1000, 128, 35, 20

    class LSTMLM(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(vocab, hidden)
            self.rnn = nn.LSTM(hidden, hidden, num_layers=2)
            self.head = nn.Linear(hidden, vocab)

        def forward(self, tokens):
            out, _ = self.rnn(self.embed(tokens))
            return self.head(out)

    model = LSTMLM()
    rng = np.random.default_rng(0)
    tokens = lib.tensor(rng.integers(0, vocab, (seq, batch)))
    targets = lib.tensor(rng.integers(0, vocab, (seq * batch,)))
    return model, lambda: F.cross_entropy(model(tokens).reshape(-1, vocab), targets)


MODELS = {
    "mlp": ("MLP 784-512-256-10, batch 128", mlp),
    "convnet": ("MNIST convnet, batch 64", convnet),
    "resnet": ("CIFAR ResNet 16/32/64, batch 32", resnet),
    "transformer": ("Transformer LM 2x(d128 h4 ff512), seq 64, batch 16", transformer),
    "lstm": ("LSTM LM 2x128, seq 35, batch 20", lstm),
}


# -- timing -------------------------------------------------------------------------------------


def make_step(lib, model, loss_fn, use_optim: bool):
    params = list(model.parameters())
    if use_optim:
        opt = lib.optim.SGD(params, lr=LR)

        def step():
            opt.zero_grad()
            loss = loss_fn()
            loss.backward()
            opt.step()
            return loss

        return step

    def manual_step():
        for p in params:
            p.grad = None
        loss = loss_fn()
        loss.backward()
        with lib.no_grad():
            for p in params:
                if p.grad is not None:
                    p.sub_(LR * p.grad)
        return loss

    return manual_step


def build_step(lib, builder, use_optim: bool):
    lib.manual_seed(0)
    model, loss_fn = builder(lib)
    model.train()
    return make_step(lib, model, loss_fn, use_optim)


def time_steps(steps_by_lib: dict, warmup: int, steps: int) -> dict:
    """Median seconds per training step for each library. The libraries' steps alternate,
    so that both see the same machine load (the ratio stays meaningful on a busy machine)."""
    for step in steps_by_lib.values():
        for _ in range(warmup):
            step()
    times: dict = {name: [] for name in steps_by_lib}
    for _ in range(steps):
        for name, step in steps_by_lib.items():
            t = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - t)
    return {name: statistics.median(ts) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps (a rough figure)")
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated subset")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument(
        "--threads", type=int, default=None, help="BLAS / PyTorch threads for both (default: all)"
    )
    add_json_argument(parser)
    args = parser.parse_args()
    warmup, steps = (1, 3) if args.quick else (3, 15)
    if args.steps:
        steps = args.steps

    import ember

    try:
        importlib.import_module("ember.optim")
        use_optim = hasattr(ember.optim, "SGD")
    except ImportError:
        use_optim = False
    torch = None
    if importlib.util.find_spec("torch") is not None:
        import torch

        if args.threads:
            torch.set_num_threads(args.threads)

    update = "optim.SGD" if use_optim else "manual p.sub_(lr * p.grad)"
    print(f"one training step, median of {steps} after {warmup} warm-up; update: {update}")
    if torch is not None:
        print(f"torch {torch.__version__}, threads: {torch.get_num_threads()}")
    header = f"{'model':<52} {'ember ms':>9} {'torch ms':>9} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    statistic = f"median of {steps} steps after {warmup} warm-up"
    if args.threads:
        statistic += f", {args.threads} thread(s)"
    records = []
    for name in args.models.split(","):
        title, builder = MODELS[name]
        try:
            steps_by_lib = {"ember": build_step(ember, builder, use_optim)}
        except (AttributeError, ImportError, NotImplementedError) as exc:
            print(f"{title:<52} {'n/a':>9}   ({type(exc).__name__}: {exc})")
            records.append(
                record("nn", title, "ms/step", None, note=f"{type(exc).__name__}: {exc}")
            )
            continue
        if torch is not None:
            steps_by_lib["torch"] = build_step(torch, builder, use_optim)
        t = time_steps(steps_by_lib, warmup, steps)
        row = f"{title:<52} {t['ember'] * 1e3:9.2f}"
        if torch is not None:
            row += f" {t['torch'] * 1e3:9.2f} {t['ember'] / t['torch']:6.2f}"
        print(row, flush=True)
        records.append(
            record(
                "nn",
                title,
                "ms/step",
                t["ember"] * 1e3,
                None if torch is None else t["torch"] * 1e3,
                None if torch is None else "torch",
                statistic=statistic,
                note=f"update: {update}"
                + ("" if torch is None else f"; torch threads: {torch.get_num_threads()}"),
            )
        )
    write_json(args.json, records)


if __name__ == "__main__":
    main()
