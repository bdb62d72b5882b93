"""plot_metrics: the PNG of the logged curves."""

import logging
import os
import sys

import numpy as np
import pytest
from PIL import Image

from ember_lightning.loggers import plotting
from ember_lightning.loggers.plotting import (
    DPI,
    FIGURE_WIDTH,
    PANEL_HEIGHT,
    _epoch_starts,
    group_metric_keys,
    plot_metrics,
)

BLUE = np.array([31, 119, 180])  # matplotlib's first colour, "tab:blue"


def write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["epoch", "step"], {}),
        (["train_loss", "val_loss", "loss"], {"loss": ["train_loss", "val_loss", "loss"]}),
        (
            ["lr-SGD", "lr", "lr_pg1", "learning_rate"],
            {"lr": ["lr-SGD", "lr", "lr_pg1", "learning_rate"]},
        ),
        (["val_acc", "clr", "world", "f1"], {"metrics": ["val_acc", "clr", "world", "f1"]}),
        (
            ["step", "val_Loss", "lr-Adam/pg1", "acc"],
            {"loss": ["val_Loss"], "metrics": ["acc"], "lr": ["lr-Adam/pg1"]},
        ),
    ],
)
def test_group_metric_keys(keys, expected):
    assert group_metric_keys(keys) == expected


@pytest.mark.parametrize(
    ("header", "panels"),
    [
        (["step", "train_loss"], 1),
        (["epoch", "step", "train_loss", "val_acc"], 2),
        (["epoch", "lr-SGD", "step", "train_loss", "val_acc"], 3),
    ],
)
def test_png_has_one_panel_per_group(tmp_path, header, panels):
    rows = []
    for step in range(12):
        values = {"step": step, "epoch": step // 4, "train_loss": 1 / (step + 1)}
        values.update({"val_acc": step / 12, "lr-SGD": 0.1 * 0.5**step})
        rows.append([values[key] for key in header])
    csv_path = write_csv(tmp_path / "metrics.csv", header, rows)
    out = plot_metrics(csv_path, tmp_path / "metrics.png")
    assert out == str(tmp_path / "metrics.png")
    with Image.open(out) as image:
        assert image.format == "PNG"
        assert image.size == (int(FIGURE_WIDTH * DPI), int(PANEL_HEIGHT * DPI * panels))
    assert sorted(os.listdir(tmp_path)) == ["metrics.csv", "metrics.png"]  # no temp file left


def blue_rows(pixels, column):
    distance = np.abs(pixels[:, column, :3].astype(int) - BLUE).sum(axis=1)
    return np.nonzero(distance < 40)[0]


def test_a_falling_loss_is_drawn_falling(tmp_path):
    steps = np.arange(100)
    rows = [[s, 1.0 - s / 100] for s in steps]
    csv_path = write_csv(tmp_path / "metrics.csv", ["step", "train_loss"], rows)
    out = plot_metrics(csv_path, tmp_path / "plot.png")
    pixels = np.asarray(Image.open(out).convert("RGB"))
    width = pixels.shape[1]
    early, late = blue_rows(pixels, int(0.25 * width)), blue_rows(pixels, int(0.55 * width))
    assert len(early) and len(late)
    # image rows grow downwards: the later point of a falling curve sits lower
    assert early.mean() + 30 < late.mean()


def test_sparse_columns_and_bad_cells_are_skipped(tmp_path):
    rows = [
        [0, 0, 1.0, ""],
        [0, 1, "nan", ""],
        [0, 1, "", 0.5],
        [1, 2, 0.25, "inf"],
        [1, 3, 0.1, 0.4],
    ]
    csv_path = write_csv(tmp_path / "m.csv", ["epoch", "step", "train_loss", "val_loss"], rows)
    out = plot_metrics(csv_path, tmp_path / "m.png")
    with Image.open(out) as image:
        assert image.size == (800, 260)


def test_without_step_column_epoch_is_the_axis(tmp_path):
    csv_path = write_csv(tmp_path / "m.csv", ["epoch", "val_acc"], [[0, 0.5], [1, 0.7], [2, 0.8]])
    assert plot_metrics(csv_path, tmp_path / "m.png") is not None


def test_nothing_to_plot_returns_none(tmp_path):
    csv_path = write_csv(tmp_path / "m.csv", ["epoch", "step", "note"], [[0, 0, "abc"]])
    assert plot_metrics(csv_path, tmp_path / "m.png") is None
    assert not (tmp_path / "m.png").exists()


def test_missing_csv_raises_naming_it(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nothere\.csv"):
        plot_metrics(tmp_path / "nothere.csv", tmp_path / "m.png")


def test_epoch_starts():
    rows = [
        {"epoch": "0", "step": "0"},
        {"epoch": "0", "step": "3"},
        {"epoch": "1", "step": "4"},
        {"epoch": "", "step": "5"},
        {"epoch": "2", "step": "9"},
        {"epoch": "1", "step": "7"},
    ]
    assert _epoch_starts(rows) == [(0.0, 0), (4.0, 1), (9.0, 2)]


def test_missing_matplotlib_skips_with_one_info_message(tmp_path, monkeypatch, caplog):
    for name in ["matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setattr(plotting, "_warned_missing_matplotlib", False)
    csv_path = write_csv(tmp_path / "m.csv", ["step", "loss"], [[0, 1.0], [1, 0.5]])
    with caplog.at_level(logging.INFO, logger=plotting.__name__):
        assert plot_metrics(csv_path, tmp_path / "a.png") is None
        assert plot_metrics(csv_path, tmp_path / "b.png") is None
    messages = [r.getMessage() for r in caplog.records if r.name == plotting.__name__]
    assert len(messages) == 1 and "matplotlib is not installed" in messages[0]
    assert sorted(os.listdir(tmp_path)) == ["m.csv"]


def test_plotting_leaves_the_pyplot_backend_alone(tmp_path):
    import matplotlib

    before = matplotlib.get_backend()
    csv_path = write_csv(tmp_path / "m.csv", ["step", "loss"], [[0, 1.0], [1, 0.5]])
    plot_metrics(csv_path, tmp_path / "m.png")
    assert matplotlib.get_backend() == before
