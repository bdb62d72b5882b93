"""MelSpectrogram throughput, in seconds of 16 kHz audio processed per second of wall time, on a
batch of clips (default 16 x 10 s, n_fft 400, hop 160, 80 mels: the usual ASR front end).

Rows:

- ``ember_audio``: ``ember_audio.transforms.MelSpectrogram`` (one ``ember.stft`` and one matmul
  against the cached filter bank).
- ``torchaudio``: ``torchaudio.transforms.MelSpectrogram``, when torchaudio is importable.
- ``torch.stft + mel matrix (reference)``: not a library transform but the same computation
  written directly in PyTorch (``torch.stft``, ``|.|^2``, a matmul with the same filter bank),
  when PyTorch is importable; it shows what PyTorch's own STFT costs where torchaudio is
  missing.

Each figure is the median of several runs after a warm-up; the implementations alternate, so
the ratios are taken in the same run under the same machine load. The outputs are compared
too (the largest relative difference is printed). Run from the repository root with the
interpreter that has PyTorch::

    PYTHONPATH=packages/core/src:packages/audio/src python3 benchmarks/bench_audio.py \\
        [--batch 16] [--seconds 10] [--repeats 5] [--device cuda] [--threads 1] [--quick]
        [--json PATH]
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time


def _threads_from_argv() -> int | None:
    """``--threads N`` must reach the BLAS/FFT libraries before NumPy loads them."""
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

SAMPLE_RATE = 16000


def _sync(device: str) -> None:
    if device.startswith("cuda"):
        import ember

        ember.cuda.synchronize()


def ember_runner(args, audio: np.ndarray):
    import ember
    from ember_audio import transforms as T

    mel = T.MelSpectrogram(SAMPLE_RATE, n_fft=args.n_fft, hop_length=args.hop, n_mels=args.mels).to(
        args.device
    )
    x = ember.tensor(audio, device=args.device)

    def run():
        with ember.no_grad():
            out = mel(x)
        _sync(args.device)
        return out

    def result():
        return np.asarray(run().cpu().numpy(), dtype=np.float64)

    return run, result, mel.mel_scale.fb.cpu().numpy()


def torch_runners(args, audio: np.ndarray, fb: np.ndarray):
    """``{name: (run, result)}`` for the PyTorch-based rows that can run here."""
    import torch

    if THREADS is not None:
        torch.set_num_threads(THREADS)
    device = "cuda" if args.device.startswith("cuda") and torch.cuda.is_available() else "cpu"
    x = torch.tensor(audio, device=device)

    def sync():
        if device == "cuda":
            torch.cuda.synchronize()

    runners = {}
    window = torch.hann_window(args.n_fft, device=device)
    fb_t = torch.tensor(fb, device=device)

    def reference():
        with torch.no_grad():
            spec = torch.stft(
                x,
                args.n_fft,
                args.hop,
                window=window,
                center=True,
                pad_mode="reflect",
                return_complex=True,
            )
            out = torch.matmul(spec.abs().pow(2).transpose(-1, -2), fb_t).transpose(-1, -2)
        sync()
        return out

    runners["torch.stft + mel matrix (reference)"] = (
        reference,
        lambda: reference().cpu().double().numpy(),
    )
    if importlib.util.find_spec("torchaudio") is not None:
        import torchaudio

        mel = torchaudio.transforms.MelSpectrogram(
            SAMPLE_RATE, n_fft=args.n_fft, hop_length=args.hop, n_mels=args.mels
        ).to(device)

        def run_torchaudio():
            with torch.no_grad():
                out = mel(x)
            sync()
            return out

        runners["torchaudio"] = (run_torchaudio, lambda: run_torchaudio().cpu().double().numpy())
    return runners


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=None, help="default 16 (quick: 4)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--n-fft", type=int, default=400)
    parser.add_argument("--hop", type=int, default=160)
    parser.add_argument("--mels", type=int, default=80)
    parser.add_argument("--repeats", type=int, default=None, help="default 5 (quick: 3)")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--quick", action="store_true", help="a smaller batch, fewer runs")
    add_json_argument(parser)
    args = parser.parse_args()
    if args.batch is None:
        args.batch = 4 if args.quick else 16
    if args.repeats is None:
        args.repeats = 3 if args.quick else 5

    samples = int(args.seconds * SAMPLE_RATE)
    audio = np.random.default_rng(0).standard_normal((args.batch, samples)).astype(np.float32)
    run_ember, result_ember, fb = ember_runner(args, audio)
    runners = {"ember_audio": (run_ember, result_ember)}
    if importlib.util.find_spec("torch") is not None:
        runners.update(torch_runners(args, audio, fb))

    expected = result_ember()
    differences = {}
    for name, (run, result) in runners.items():
        run()  # warm-up (plans, allocator, caches)
        got = result()
        differences[name] = float(np.abs(got - expected).max() / np.abs(expected).max())

    times = {name: [] for name in runners}
    for _ in range(args.repeats):
        for name, (run, _result) in runners.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)

    audio_seconds = args.batch * samples / SAMPLE_RATE
    print(
        f"MelSpectrogram, batch {args.batch} x {args.seconds:g} s at {SAMPLE_RATE} Hz, "
        f"n_fft {args.n_fft}, hop {args.hop}, {args.mels} mels, device {args.device}, "
        f"median of {args.repeats}"
    )
    header = (
        f"{'implementation':<38}{'ms/batch':>10}{'audio s/s':>12}{'vs ember':>10}"
        f"{'max rel diff':>14}"
    )
    print(header)
    print("-" * len(header))
    ember_ms = statistics.median(times["ember_audio"]) * 1e3
    for name in runners:
        ms = statistics.median(times[name]) * 1e3
        ratio = f"{ms / ember_ms:.2f}x"
        print(
            f"{name:<38}{ms:>10.1f}{audio_seconds / (ms / 1e3):>12.0f}{ratio:>10}"
            f"{differences[name]:>14.1e}"
        )
    if "torchaudio" not in runners:
        print("(torchaudio is not importable here; its row is missing)")

    def rate(name):
        return audio_seconds / statistics.median(times[name])

    case = (
        f"MelSpectrogram, batch {args.batch} x {args.seconds:g} s at {SAMPLE_RATE} Hz, "
        f"n_fft {args.n_fft}, hop {args.hop}, {args.mels} mels"
    )
    statistic = f"median of {args.repeats} runs after a warm-up"
    # torchaudio (the library) first, then the hand-written PyTorch reference
    references = sorted((n for n in runners if n != "ember_audio"), key=lambda n: n != "torchaudio")
    references = references or [None]
    records = [
        record(
            "audio",
            case,
            "audio s/s",
            rate("ember_audio"),
            None if name is None else rate(name),
            name,
            better="higher",
            statistic=statistic,
            note="" if name is None else f"max relative difference {differences[name]:.1e}",
        )
        for name in references
    ]
    write_json(args.json, records)


if __name__ == "__main__":
    main()
