"""Train a small character-level GPT on Python's own source code, and sample from it.

The corpus is the source of a few standard-library modules (``inspect.getsource``), so it
is there wherever Python is, with no download. Characters are the tokens; the stream is
cut into (input, target) blocks by :class:`ember_text.data.LMBlockDataset`. The model is
:class:`ember_text.models.GPT`, trained by ``ember_lightning.Trainer``; samples are printed
before training (noise) and after it (Python-looking text: indentation, ``def``,
``self.``, docstrings). The defaults take a minute or two on two otherwise idle CPU cores.

    uv run python examples/text/lm_char.py
    uv run python examples/text/lm_char.py --max-steps 2000 --n-layer 4 --n-embd 128
"""

from __future__ import annotations

import argparse
import inspect
import math

import ember
import ember_lightning as L
from ember.utils.data import DataLoader
from ember_text.data import LMBlockDataset
from ember_text.metrics import perplexity
from ember_text.models import GPT, GPTConfig

CORPUS_MODULES = ("textwrap", "string", "fractions", "dataclasses", "functools", "bisect")


def load_corpus(modules=CORPUS_MODULES) -> str:
    """The concatenated source text of ``modules`` (standard-library module names)."""
    import importlib

    return "\n\n".join(inspect.getsource(importlib.import_module(name)) for name in modules)


class CharCodec:
    """Maps each character of a corpus to an id and back."""

    def __init__(self, text: str) -> None:
        self.chars = sorted(set(text))
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> ember.Tensor:
        return ember.tensor([self.index[c] for c in text], dtype=ember.int64)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


class CharLanguageModel(L.LightningModule):
    """The GPT and its training recipe (AdamW, cross-entropy on the next character)."""

    def __init__(self, config: GPTConfig, lr: float = 3e-3, weight_decay: float = 0.01):
        super().__init__()
        self.model = GPT(config)
        self.lr = lr
        self.weight_decay = weight_decay

    def forward(self, input_ids, targets=None):
        return self.model(input_ids, targets=targets)

    def training_step(self, batch, batch_idx):
        inputs, targets = batch
        loss = self(inputs, targets).loss
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        inputs, targets = batch
        loss = self(inputs, targets).loss
        self.log("val_loss", loss, prog_bar=True)
        self.log("val_ppl", perplexity(loss))
        return loss

    def configure_optimizers(self):
        return ember.optim.AdamW(self.parameters(), lr=self.lr, weight_decay=self.weight_decay)


def sample(model: GPT, codec: CharCodec, prompt: str, max_new_tokens: int, seed: int) -> str:
    """A sampled continuation of ``prompt`` (temperature 0.8, top-k 20)."""
    was_training = model.training
    model.eval()
    ids = codec.encode(prompt).unsqueeze(0)
    out = model.generate(
        ids,
        max_new_tokens,
        do_sample=True,
        temperature=0.8,
        top_k=20,
        generator=ember.Generator().manual_seed(seed),
    )
    model.train(was_training)
    return codec.decode(out[0].tolist())


def evaluate(model: GPT, loader: DataLoader) -> float:
    """The mean loss over ``loader`` (in evaluation mode)."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with ember.no_grad():
        for inputs, targets in loader:
            total += model(inputs, targets=targets).loss.item() * len(inputs)
            count += len(inputs)
    model.train(was_training)
    return total / count


def main(
    max_steps: int = 500,
    block_size: int = 64,
    batch_size: int = 32,
    n_layer: int = 2,
    n_head: int = 4,
    n_embd: int = 64,
    lr: float = 3e-3,
    corpus_chars: int | None = None,
    sample_chars: int = 300,
    prompt: str = "def ",
    seed: int = 0,
    default_root_dir: str | None = None,
    enable_progress_bar: bool = True,
) -> dict:
    """Train the model and return the validation losses before and after, and the samples."""
    L.seed_everything(seed, verbose=False)
    text = load_corpus()
    if corpus_chars is not None:
        text = text[:corpus_chars]
    codec = CharCodec(text)
    ids = codec.encode(text)
    split = int(0.9 * len(ids))
    train_set = LMBlockDataset(ids[:split], block_size, stride=block_size // 2)
    val_set = LMBlockDataset(ids[split:], block_size)
    train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True, drop_last=True)
    val_loader = DataLoader(val_set, batch_size=batch_size)
    print(
        f"corpus: {len(text):,} characters of {', '.join(CORPUS_MODULES)}; vocabulary "
        f"{len(codec)}; {len(train_set):,} training blocks of {block_size}"
    )

    config = GPTConfig(
        vocab_size=len(codec),
        block_size=block_size,
        n_layer=n_layer,
        n_head=n_head,
        n_embd=n_embd,
        dropout=0.0,
    )
    module = CharLanguageModel(config, lr=lr)
    print(f"model: {module.model.get_num_params():,} parameters")
    before_loss = evaluate(module.model, val_loader)
    before = sample(module.model, codec, prompt, sample_chars, seed)
    print(f"\nvalidation loss {before_loss:.3f} (perplexity {math.exp(before_loss):.1f})")
    print(f"sample before training:\n{before}\n")

    trainer = L.Trainer(
        max_steps=max_steps,
        enable_checkpointing=False,
        logger=False,
        enable_progress_bar=enable_progress_bar,
        default_root_dir=default_root_dir,
    )
    trainer.fit(module, train_loader, val_loader)

    after_loss = evaluate(module.model, val_loader)
    after = sample(module.model, codec, prompt, sample_chars, seed)
    print(f"\nvalidation loss {after_loss:.3f} (perplexity {math.exp(after_loss):.1f})")
    print(f"sample after training:\n{after}")
    return {
        "val_loss_before": before_loss,
        "val_loss_after": after_loss,
        "sample_before": before,
        "sample_after": after,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-steps", type=int, default=500)
    parser.add_argument("--block-size", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--n-layer", type=int, default=2)
    parser.add_argument("--n-head", type=int, default=4)
    parser.add_argument("--n-embd", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(
        max_steps=args.max_steps,
        block_size=args.block_size,
        batch_size=args.batch_size,
        n_layer=args.n_layer,
        n_head=args.n_head,
        n_embd=args.n_embd,
        lr=args.lr,
        seed=args.seed,
    )
