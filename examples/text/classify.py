"""Classify short texts by topic with a bag-of-embeddings model, trained with the trainer.

The labelled set is generated: templated sentences about four topics (sport, weather,
cooking, computing), with words shared between topics and some words drawn from another
topic, so the model must weigh the evidence. Texts are tokenized with
``get_tokenizer("basic_english")``, numbered with ``build_vocab_from_iterator`` and batched
as one flat id tensor with offsets for :class:`ember_text.models.EmbeddingBagClassifier`,
as in torchtext's text-classification tutorial. With ``--model transformer`` a
:class:`~ember_text.models.TransformerEncoderClassifier` reads padded batches instead.
Prints the test accuracy; runs in seconds on a CPU.

    uv run python examples/text/classify.py
    uv run python examples/text/classify.py --model transformer
"""

from __future__ import annotations

import argparse

import numpy as np

import ember
import ember.nn.functional as F
import ember_lightning as L
from ember.utils.data import DataLoader
from ember_text.metrics import accuracy
from ember_text.models import EmbeddingBagClassifier, TransformerEncoderClassifier
from ember_text.utils import get_tokenizer
from ember_text.vocab import build_vocab_from_iterator

TOPICS = {
    "sport": {
        "subject": ["the striker", "our team", "the goalkeeper", "the coach", "the champion"],
        "verb": ["scored in", "trained for", "won", "lost", "celebrated"],
        "object": ["the final", "the match", "the derby", "the league", "the tournament"],
        "extra": ["after a penalty", "in extra time", "before the fans", "on the pitch"],
    },
    "weather": {
        "subject": ["heavy rain", "a cold front", "the storm", "strong wind", "the sunshine"],
        "verb": ["swept over", "arrived in", "flooded", "cooled", "warmed"],
        "object": ["the coast", "the valley", "the city", "the hills", "the region"],
        "extra": ["with thunder", "overnight", "despite the forecast", "under grey clouds"],
    },
    "cooking": {
        "subject": ["the chef", "my grandmother", "the baker", "our cook", "the kitchen"],
        "verb": ["roasted", "seasoned", "baked", "simmered", "served"],
        "object": ["the soup", "fresh bread", "the vegetables", "a pie", "the sauce"],
        "extra": ["with garlic", "in the oven", "for an hour", "with butter and herbs"],
    },
    "computing": {
        "subject": ["the compiler", "the server", "our program", "the database", "the laptop"],
        "verb": ["crashed during", "optimised", "compiled", "indexed", "cached"],
        "object": ["the query", "the kernel", "the build", "the request", "the backup"],
        "extra": ["after the update", "in milliseconds", "on every core", "with less memory"],
    },
}
LABELS = list(TOPICS)
FILLERS = ["yesterday", "again", "today", "quickly", "as usual", "this morning", "finally"]


def make_dataset(n: int, seed: int, noise: float = 0.3) -> list[tuple[int, str]]:
    """``n`` (label, sentence) pairs; with probability ``noise`` one phrase of a sentence
    comes from another topic."""
    rng = np.random.default_rng(seed)
    data = []
    for _ in range(n):
        label = int(rng.integers(len(LABELS)))
        parts = []
        for slot in ("subject", "verb", "object", "extra"):
            topic = LABELS[label]
            if rng.random() < noise / 4:
                topic = LABELS[int(rng.integers(len(LABELS)))]
            choices = TOPICS[topic][slot]
            parts.append(choices[int(rng.integers(len(choices)))])
        if rng.random() < 0.5:
            parts.insert(int(rng.integers(len(parts) + 1)), FILLERS[int(rng.integers(7))])
        data.append((label, " ".join(parts).capitalize() + "."))
    return data


class BagCollator:
    """A batch of (label, text) as (labels, flat token ids, offsets)."""

    def __init__(self, tokenizer, vocab) -> None:
        self.tokenizer, self.vocab = tokenizer, vocab

    def __call__(self, batch):
        labels, ids, offsets = [], [], []
        for label, text in batch:
            offsets.append(len(ids))
            ids.extend(self.vocab(self.tokenizer(text)))
            labels.append(label)
        return ember.tensor(labels), ember.tensor(ids), ember.tensor(offsets)


class PaddedCollator:
    """A batch of (label, text) as (labels, padded token ids, attention mask)."""

    def __init__(self, tokenizer, vocab, pad_id: int) -> None:
        self.tokenizer, self.vocab, self.pad_id = tokenizer, vocab, pad_id

    def __call__(self, batch):
        encoded = [self.vocab(self.tokenizer(text)) for _, text in batch]
        width = max(len(e) for e in encoded)
        ids = np.full((len(batch), width), self.pad_id, dtype=np.int64)
        for row, e in enumerate(encoded):
            ids[row, : len(e)] = e
        labels = ember.tensor([label for label, _ in batch])
        return labels, ember.tensor(ids), ember.tensor((ids != self.pad_id).astype(np.int64))


class TopicClassifier(L.LightningModule):
    """Wraps either classifier; ``batch`` is (labels, ids, offsets or attention mask)."""

    def __init__(self, model: ember.nn.Module, lr: float) -> None:
        super().__init__()
        self.model = model
        self.lr = lr

    def forward(self, ids, extra):
        return self.model(ids, extra)

    def training_step(self, batch, batch_idx):
        labels, ids, extra = batch
        loss = F.cross_entropy(self(ids, extra), labels)
        self.log("train_loss", loss, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        labels, ids, extra = batch
        logits = self(ids, extra)
        self.log("val_loss", F.cross_entropy(logits, labels))
        self.log("val_acc", accuracy(logits, labels), prog_bar=True)

    def configure_optimizers(self):
        return ember.optim.Adam(self.parameters(), lr=self.lr)


def evaluate(model: ember.nn.Module, loader: DataLoader) -> float:
    """The accuracy of ``model`` over ``loader``."""
    model.eval()
    correct = total = 0
    with ember.no_grad():
        for labels, ids, extra in loader:
            correct += int((model(ids, extra).argmax(-1) == labels).sum().item())
            total += len(labels)
    return correct / total


def main(
    model_name: str = "embedding_bag",
    n_train: int = 2000,
    n_test: int = 500,
    max_epochs: int = 5,
    batch_size: int = 32,
    embed_dim: int = 32,
    lr: float | None = None,
    seed: int = 0,
    default_root_dir: str | None = None,
    enable_progress_bar: bool = True,
) -> float:
    """Train the classifier and return its accuracy on the test set."""
    if model_name not in ("embedding_bag", "transformer"):
        raise ValueError(f"model_name must be 'embedding_bag' or 'transformer', got {model_name!r}")
    L.seed_everything(seed, verbose=False)
    train_data = make_dataset(n_train, seed=seed)
    val_data = make_dataset(n_test, seed=seed + 1)
    test_data = make_dataset(n_test, seed=seed + 2)
    tokenizer = get_tokenizer("basic_english")
    vocab = build_vocab_from_iterator(
        (tokenizer(text) for _, text in train_data), specials=["<pad>", "<unk>"]
    )
    vocab.set_default_index(vocab["<unk>"])
    print(f"{n_train} training sentences, vocabulary of {len(vocab)}; e.g. {train_data[0]}")

    if model_name == "embedding_bag":
        model = EmbeddingBagClassifier(len(vocab), embed_dim, len(LABELS))
        collate = BagCollator(tokenizer, vocab)
        lr = 0.05 if lr is None else lr
    else:
        model = TransformerEncoderClassifier(
            len(vocab),
            len(LABELS),
            d_model=embed_dim,
            nhead=4,
            num_layers=1,
            max_len=32,
            padding_idx=vocab["<pad>"],
        )
        collate = PaddedCollator(tokenizer, vocab, vocab["<pad>"])
        lr = 3e-3 if lr is None else lr

    def loader(data, shuffle):
        return DataLoader(data, batch_size=batch_size, shuffle=shuffle, collate_fn=collate)

    module = TopicClassifier(model, lr)
    trainer = L.Trainer(
        max_epochs=max_epochs,
        enable_checkpointing=False,
        logger=False,
        enable_progress_bar=enable_progress_bar,
        default_root_dir=default_root_dir,
    )
    trainer.fit(module, loader(train_data, True), loader(val_data, False))
    test_accuracy = evaluate(model, loader(test_data, False))
    print(f"test accuracy: {test_accuracy:.3f} ({n_test} sentences, {len(LABELS)} topics)")
    for label, text in test_data[:4]:
        _, ids, extra = collate([(label, text)])
        predicted = LABELS[int(model(ids, extra).argmax(-1).item())]
        print(f"  {text!r}: predicted {predicted}, true {LABELS[label]}")
    return test_accuracy


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", choices=["embedding_bag", "transformer"], default="embedding_bag"
    )
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    main(model_name=args.model, max_epochs=args.epochs, seed=args.seed)
