"""The text examples run end to end with tiny settings (examples/text/*.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

import ember

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "text"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(
        f"ember_text_example_{name}", EXAMPLES / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_lm_char_learns_and_samples(tmp_path, capsys):
    lm_char = _load("lm_char")
    result = lm_char.main(
        max_steps=40,
        block_size=32,
        batch_size=16,
        n_layer=1,
        n_head=2,
        n_embd=32,
        lr=1e-2,
        corpus_chars=20_000,
        sample_chars=40,
        default_root_dir=str(tmp_path),
        enable_progress_bar=False,
    )
    # a character model that learned anything beats the uniform-ish start by far
    assert result["val_loss_after"] < result["val_loss_before"] - 1.0
    for key in ("sample_before", "sample_after"):
        assert result[key].startswith("def ") and len(result[key]) == 4 + 40
    out = capsys.readouterr().out
    assert "sample before training" in out and "sample after training" in out


def test_lm_char_corpus_and_codec():
    lm_char = _load("lm_char")
    text = lm_char.load_corpus(("bisect",))
    assert "def bisect_right" in text
    codec = lm_char.CharCodec(text)
    ids = codec.encode(text[:100])
    assert ids.dtype == ember.int64 and len(codec) == len(set(text))
    assert codec.decode(ids.tolist()) == text[:100]


@pytest.mark.parametrize("model_name, lr", [("embedding_bag", None), ("transformer", 1e-2)])
def test_classify_reaches_high_test_accuracy(model_name, lr, tmp_path):
    classify = _load("classify")
    acc = classify.main(
        model_name=model_name,
        n_train=400,
        n_test=200,
        max_epochs=3,
        batch_size=16,
        embed_dim=16,
        lr=lr,
        default_root_dir=str(tmp_path),
        enable_progress_bar=False,
    )
    # four balanced topics: chance is 0.25
    assert acc > 0.85


def test_classify_dataset_and_errors():
    classify = _load("classify")
    data = classify.make_dataset(50, seed=3)
    assert data == classify.make_dataset(50, seed=3)
    assert {label for label, _ in data} == {0, 1, 2, 3}
    assert all(text.endswith(".") for _, text in data)
    with pytest.raises(ValueError, match="model_name must be 'embedding_bag' or 'transformer'"):
        classify.main(model_name="svm")
