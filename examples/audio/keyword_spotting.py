"""Keyword spotting on raw waveforms: M5 trained by ember_lightning on a synthetic command set.

The script writes its own "command" recordings (8 kHz, one second, 16-bit WAV) into an
AudioFolder tree, one folder per class, then reads them back with ``ember_audio.datasets.
AudioFolder`` and trains torchaudio's M5 keyword-spotting network on them. The eight classes
are sounds a small raw-waveform network has to tell apart by pitch, by how the pitch moves,
by rhythm and by spectrum, whatever the loudness, timing and background noise:

    silence      background noise only
    low, mid, high   steady tones near 300, 800 and 2,000 Hz
    up, down     chirps sweeping 300 -> 2,500 Hz and back down
    beeps        two short 1,200 Hz beeps
    burst        a burst of white noise

Every clip has a random amplitude, onset, duration, pitch jitter (+-6 %) and a background of
white noise. With the defaults (80 clips per class for training, 30 for testing, 4 epochs)
M5 reaches a test accuracy above 0.95 (0.98 to 1.0 in our runs) within about a minute on two
CPU cores, clip generation included.

    uv run python examples/audio/keyword_spotting.py
    uv run python examples/audio/keyword_spotting.py --epochs 8 --per-class 200
"""

from __future__ import annotations

import argparse
import glob
import os

import numpy as np

import ember
import ember_lightning as L
from ember import nn
from ember.utils.data import DataLoader
from ember_audio import save
from ember_audio.datasets import AudioFolder
from ember_audio.models import M5

SAMPLE_RATE = 8000
CLASSES = ("silence", "low", "mid", "high", "up", "down", "beeps", "burst")


def _envelope(n: int, rng) -> np.ndarray:
    """A flat envelope with short raised-cosine fades, so that onsets do not click."""
    fade = max(1, int(rng.uniform(0.005, 0.02) * SAMPLE_RATE))
    env = np.ones(n)
    ramp = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, min(fade, n // 2)))
    env[: ramp.size] = ramp
    env[n - ramp.size :] = ramp[::-1]
    return env


def _tone(freq_start: float, freq_end: float, n: int, rng) -> np.ndarray:
    """A sine (or linear chirp) of ``n`` samples with a random phase."""
    freqs = np.linspace(freq_start, freq_end, n)
    phase = 2 * np.pi * np.cumsum(freqs) / SAMPLE_RATE + rng.uniform(0, 2 * np.pi)
    return np.sin(phase)


def synthesize(label: str, rng, num_samples: int = SAMPLE_RATE) -> np.ndarray:
    """One clip of class ``label``: float32 samples in [-1, 1]."""
    jitter = rng.uniform(0.94, 1.06)
    length = int(rng.uniform(0.3, 0.6) * num_samples)
    event = np.zeros(length)
    if label in ("low", "mid", "high"):
        freq = {"low": 300.0, "mid": 800.0, "high": 2000.0}[label] * jitter
        event = _tone(freq, freq, length, rng)
    elif label in ("up", "down"):
        low, high = 300.0 * jitter, 2500.0 * jitter
        event = _tone(low, high, length, rng) if label == "up" else _tone(high, low, length, rng)
    elif label == "beeps":
        beep = int(0.08 * num_samples)
        gap = int(rng.uniform(0.06, 0.12) * num_samples)
        length = 2 * beep + gap
        event = np.zeros(length)
        for start in (0, beep + gap):
            event[start : start + beep] = _tone(1200 * jitter, 1200 * jitter, beep, rng)
            event[start : start + beep] *= _envelope(beep, rng)
    elif label == "burst":
        event = rng.uniform(-1, 1, length)
    clip = rng.normal(0, rng.uniform(0.002, 0.03), num_samples)  # background noise
    if label != "silence":
        onset = rng.integers(0, num_samples - length + 1)
        amplitude = rng.uniform(0.15, 0.8)
        clip[onset : onset + length] += amplitude * event * _envelope(length, rng)
    return np.clip(clip, -1, 1).astype(np.float32)


def generate_command_set(root: str, num_per_class: int, seed: int) -> str:
    """Write ``num_per_class`` WAV clips per class under ``root/<class>/``; returns ``root``."""
    rng = np.random.default_rng(seed)
    for label in CLASSES:
        folder = os.path.join(root, label)
        os.makedirs(folder, exist_ok=True)
        for stale in glob.glob(os.path.join(folder, f"{label}_*.wav")):  # from an earlier run
            os.remove(stale)
        for i in range(num_per_class):
            clip = ember.from_numpy(synthesize(label, rng)).unsqueeze(0)
            save(os.path.join(folder, f"{label}_{i:04d}.wav"), clip, SAMPLE_RATE,
                 bits_per_sample=16)  # fmt: skip
    return root


def collate(batch):
    """Stack ``(waveform, sample_rate, label)`` items into ``(waveforms, labels)``."""
    waveforms = ember.stack([waveform for waveform, _, _ in batch])
    labels = ember.tensor([label for _, _, label in batch])
    return waveforms, labels


class KeywordSpotter(L.LightningModule):
    """M5 on raw waveforms, trained with NLL loss on its log-probabilities."""

    def __init__(self, num_classes: int = len(CLASSES), n_channel: int = 32, lr: float = 0.01):
        super().__init__()
        self.save_hyperparameters()
        self.model = M5(n_input=1, n_output=num_classes, stride=16, n_channel=n_channel)

    def forward(self, waveforms):
        return self.model(waveforms).squeeze(1)

    def _step(self, batch, stage: str):
        waveforms, labels = batch
        log_probs = self(waveforms)
        loss = nn.functional.nll_loss(log_probs, labels)
        acc = (log_probs.argmax(dim=1) == labels).float().mean()
        self.log(f"{stage}_loss", loss, prog_bar=stage != "train")
        self.log(f"{stage}_acc", acc, prog_bar=True)
        return loss

    def training_step(self, batch, batch_idx):
        return self._step(batch, "train")

    def validation_step(self, batch, batch_idx):
        self._step(batch, "val")

    def test_step(self, batch, batch_idx):
        self._step(batch, "test")

    def configure_optimizers(self):
        optimizer = ember.optim.Adam(self.parameters(), lr=self.hparams.lr, weight_decay=1e-4)
        scheduler = ember.optim.lr_scheduler.OneCycleLR(
            optimizer, max_lr=self.hparams.lr, total_steps=self.trainer.estimated_stepping_batches
        )
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": scheduler, "interval": "step"},
        }


def main(
    root_dir: str = "runs/audio",
    num_per_class: int = 80,
    num_test_per_class: int = 30,
    max_epochs: int = 4,
    batch_size: int = 32,
    n_channel: int = 32,
    num_workers: int = 0,
    seed: int = 0,
    **trainer_kwargs,
) -> dict:
    """Generate the command set, train M5 and test it; returns the test metrics
    (``test_acc``, ``test_loss``)."""
    L.seed_everything(seed)
    data = os.path.join(root_dir, "commands")
    train_set = AudioFolder(generate_command_set(os.path.join(data, "train"), num_per_class, seed))
    test_set = AudioFolder(
        generate_command_set(os.path.join(data, "test"), num_test_per_class, seed + 1)
    )
    print(f"classes: {', '.join(train_set.classes)}; {len(train_set)} training and "
          f"{len(test_set)} test clips in {data}")  # fmt: skip
    loader_kw = {"batch_size": batch_size, "num_workers": num_workers, "collate_fn": collate}
    train_loader = DataLoader(train_set, shuffle=True, drop_last=True, **loader_kw)
    test_loader = DataLoader(test_set, **loader_kw)
    model = KeywordSpotter(num_classes=len(train_set.classes), n_channel=n_channel)
    trainer = L.Trainer(max_epochs=max_epochs, default_root_dir=root_dir, **trainer_kwargs)
    trainer.fit(model, train_loader, test_loader)
    (metrics,) = trainer.test(model, test_loader)
    print(f"test accuracy: {metrics['test_acc']:.3f}")
    return metrics


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default="runs/audio", help="where the clips and logs go")
    parser.add_argument("--per-class", type=int, default=80, help="training clips per class")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--workers", type=int, default=0)
    args = parser.parse_args()
    main(args.root, num_per_class=args.per_class, max_epochs=args.epochs,
         batch_size=args.batch_size, num_workers=args.workers)  # fmt: skip
