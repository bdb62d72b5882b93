"""``plot_metrics``: draw the curves of a ``metrics.csv`` into a PNG.

Keys are grouped into panels: losses (keys containing ``loss``), learning rates (``lr`` as a
word, or ``learning_rate``; on a log scale when they span more than a factor of 10) and the
other metrics. Each curve is drawn against ``step``; when an ``epoch`` column is present the
top axis of each panel marks where epochs begin. matplotlib is imported only here, and only
its object-oriented API with the Agg canvas is used, so the pyplot backend of the calling
program is never changed.
"""

from __future__ import annotations

import csv
import logging
import math
import os
import re

from ._atomic import atomic_path

__all__ = ["group_metric_keys", "plot_metrics"]

log = logging.getLogger(__name__)

#: Width of the figure and height of one panel, in inches (at ``DPI`` dots per inch).
FIGURE_WIDTH = 8.0
PANEL_HEIGHT = 2.6
DPI = 100

_AXIS_KEYS = ("step", "epoch")
_LR_PATTERN = re.compile(r"(^|[^a-z0-9])lr($|[^a-z0-9])|learning_rate", re.IGNORECASE)
_warned_missing_matplotlib = False


def group_metric_keys(keys) -> dict[str, list[str]]:
    """Split metric keys into the plot's panels: ``"loss"``, ``"metrics"``, ``"lr"``.

    ``step`` and ``epoch`` are axes, not curves, and are left out; empty groups are dropped.

    Example:
        >>> group_metric_keys(["epoch", "step", "train_loss", "val_acc", "lr-SGD"])
        {'loss': ['train_loss'], 'metrics': ['val_acc'], 'lr': ['lr-SGD']}
    """
    groups: dict[str, list[str]] = {"loss": [], "metrics": [], "lr": []}
    for key in keys:
        if key in _AXIS_KEYS:
            continue
        if "loss" in key.lower():
            groups["loss"].append(key)
        elif _LR_PATTERN.search(key):
            groups["lr"].append(key)
        else:
            groups["metrics"].append(key)
    return {name: members for name, members in groups.items() if members}


def _as_float(text: str | None) -> float | None:
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _read_columns(metrics_csv: str) -> tuple[list[str], list[dict[str, str]]]:
    if not os.path.isfile(metrics_csv):
        raise FileNotFoundError(f"plot_metrics: no such file: {metrics_csv!r}")
    with open(metrics_csv, newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def _import_matplotlib():
    """``(Figure, FigureCanvasAgg)``, or ``None`` (with one info message) without matplotlib."""
    global _warned_missing_matplotlib
    try:
        import matplotlib  # noqa: F401
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError:
        if not _warned_missing_matplotlib:
            log.info("matplotlib is not installed, so no metrics plot (pip install matplotlib)")
            _warned_missing_matplotlib = True
        return None
    return Figure, FigureCanvasAgg


def plot_metrics(metrics_csv: str | os.PathLike, out_png: str | os.PathLike) -> str | None:
    """Draw the logged curves of a ``metrics.csv`` (as written by ``CSVLogger``) into a PNG.

    One panel per group (losses, other metrics, learning rates), each curve against ``step``
    (or ``epoch``, or the row number, when those columns are missing). The image is
    ``FIGURE_WIDTH * DPI`` pixels wide and ``PANEL_HEIGHT * DPI`` pixels high per panel, and
    is written atomically.

    Args:
        metrics_csv: the CSV file to read.
        out_png: where to write the image.

    Returns:
        ``out_png`` as a string, or ``None`` when nothing was drawn: matplotlib is missing
        (one info message is logged) or the file has no numeric curve.

    Raises:
        FileNotFoundError: ``metrics_csv`` does not exist.

    Example:
        >>> import os, tempfile
        >>> folder = tempfile.mkdtemp()
        >>> csv_path = os.path.join(folder, "metrics.csv")
        >>> with open(csv_path, "w") as f:
        ...     _ = f.write("epoch,step,train_loss\\n0,0,1.0\\n0,1,0.5\\n1,2,0.25\\n")
        >>> plot_metrics(csv_path, os.path.join(folder, "metrics.png")).endswith("metrics.png")
        True
    """
    metrics_csv, out_png = os.fspath(metrics_csv), os.fspath(out_png)
    keys, rows = _read_columns(metrics_csv)
    groups = group_metric_keys(keys)
    x_key = "step" if "step" in keys else ("epoch" if "epoch" in keys else None)

    panels: list[tuple[str, dict[str, tuple[list[float], list[float]]]]] = []
    for group, members in groups.items():
        curves = {}
        for key in members:
            xs, ys = [], []
            for index, row in enumerate(rows):
                y = _as_float(row.get(key))
                x = float(index) if x_key is None else _as_float(row.get(x_key))
                if y is not None and x is not None:
                    xs.append(x)
                    ys.append(y)
            if ys:
                curves[key] = (xs, ys)
        if curves:
            panels.append((group, curves))
    if not panels:
        return None

    imported = _import_matplotlib()
    if imported is None:
        return None
    Figure, FigureCanvasAgg = imported

    epoch_starts = _epoch_starts(rows) if x_key == "step" else []
    figure = Figure(figsize=(FIGURE_WIDTH, PANEL_HEIGHT * len(panels)), dpi=DPI)
    FigureCanvasAgg(figure)
    titles = {"loss": "Losses", "metrics": "Metrics", "lr": "Learning rate"}
    for index, (group, curves) in enumerate(panels):
        ax = figure.add_axes(_panel_rect(index, len(panels)))
        for key, (xs, ys) in curves.items():
            few = len(xs) <= 30
            ax.plot(xs, ys, label=key, marker="o" if few else None, markersize=3, linewidth=1.2)
        if group == "lr":
            values = [y for _, ys in curves.values() for y in ys]
            if min(values) > 0 and max(values) / min(values) > 10:
                ax.set_yscale("log")
        ax.set_title(titles[group], fontsize=10, loc="left", pad=4)
        ax.set_xlabel(x_key or "row", fontsize=9)
        ax.tick_params(labelsize=8)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8, loc="best")
        if len(epoch_starts) > 1:
            _mark_epochs(ax, epoch_starts)
    with atomic_path(out_png) as tmp_path:
        figure.savefig(tmp_path, dpi=DPI, format="png")
    return out_png


def _panel_rect(index: int, count: int) -> list[float]:
    """Figure-relative ``[left, bottom, width, height]`` of panel ``index`` (top first).

    Fixed margins in inches (room for the title and epoch axis above, tick labels and the
    axis label below) instead of an automatic layout, which costs more than the drawing.
    """
    height = PANEL_HEIGHT * count
    top_margin, bottom_margin = 0.55, 0.5
    bottom = (count - 1 - index) * PANEL_HEIGHT + bottom_margin
    axes_height = PANEL_HEIGHT - top_margin - bottom_margin
    return [0.09, bottom / height, 0.88, axes_height / height]


def _epoch_starts(rows: list[dict[str, str]]) -> list[tuple[float, int]]:
    """``(first step, epoch)`` for each epoch seen in the rows, in step order."""
    first_step: dict[int, float] = {}
    for row in rows:
        step, epoch = _as_float(row.get("step")), _as_float(row.get("epoch"))
        if step is None or epoch is None:
            continue
        epoch = int(epoch)
        if epoch not in first_step or step < first_step[epoch]:
            first_step[epoch] = step
    return sorted((step, epoch) for epoch, step in first_step.items())


def _mark_epochs(ax, epoch_starts: list[tuple[float, int]]) -> None:
    """A top axis labelling where each epoch begins (thinned to at most ~10 labels)."""
    for step, _ in epoch_starts:
        ax.axvline(step, color="0.85", linewidth=0.6, zorder=0)
    every = max(1, math.ceil(len(epoch_starts) / 10))
    shown = epoch_starts[::every]
    top = ax.secondary_xaxis("top")  # follows the panel's own x limits
    top.set_xticks([step for step, _ in shown], labels=[str(epoch) for _, epoch in shown])
    top.tick_params(labelsize=7, pad=1)
    top.set_xlabel("epoch", fontsize=8, labelpad=1)
