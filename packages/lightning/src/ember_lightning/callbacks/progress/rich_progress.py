"""``RichProgressBar``: progress bars drawn with the rich library (optional dependency).

One bar per epoch line (``Epoch 1/9 ━━━━━━━━━━ 20/20 0:00:03 • 0:00:00 6.21it/s``) followed
by the ``prog_bar=True`` metrics and ``v_num``; a validation bar below it while validation
runs; test and predict bars for ``trainer.test`` / ``trainer.predict``. rich is imported
when the bar is created, and a missing rich is reported then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .progress_bar import ProgressBar

__all__ = ["RichProgressBar", "RichProgressBarTheme"]


def _import_rich():
    try:
        import rich
    except ImportError as error:
        raise ModuleNotFoundError(
            "RichProgressBar needs the rich package, which is not installed. "
            "Install it with `pip install rich`, or use TQDMProgressBar."
        ) from error
    return rich


@dataclass
class RichProgressBarTheme:
    """Styles of the parts of :class:`RichProgressBar` (rich style strings), as Lightning's.

    Args:
        description: style of the bar's description (``Epoch 3/9``).
        progress_bar: style of the filled part of the bar.
        progress_bar_finished: style of a finished bar.
        progress_bar_pulse: style of a bar of unknown length.
        batch_progress: style of ``completed/total``.
        time: style of the elapsed and remaining time.
        processing_speed: style of the speed (``it/s``).
        metrics: style of the metrics text.
        metrics_text_delimiter: text between two metrics.
        metrics_format: format spec of float metric values.
    """

    description: str = ""
    progress_bar: str = "#6206E0"
    progress_bar_finished: str = "#6206E0"
    progress_bar_pulse: str = "#6206E0"
    batch_progress: str = ""
    time: str = "dim"
    processing_speed: str = "dim underline"
    metrics: str = "italic"
    metrics_text_delimiter: str = " "
    metrics_format: str = ".3f"


class RichProgressBar(ProgressBar):
    r"""Progress bars drawn with rich (``pip install rich``).

    Args:
        refresh_rate: redraw every this many batches; ``0`` turns the bars off. Default: 1.
        leave: keep one finished bar per epoch on screen instead of reusing one line.
            Default: ``False``.
        theme: the :class:`RichProgressBarTheme` of colours and formats.
        console_kwargs: arguments of ``rich.console.Console`` (``file``, ``width``,
            ``force_terminal``, ...).

    Raises:
        ModuleNotFoundError: rich is not installed.

    Example:
        >>> bar = RichProgressBar(theme=RichProgressBarTheme(metrics_format=".2e"))
        >>> bar.refresh_rate, bar.is_enabled
        (1, True)
    """

    def __init__(
        self,
        refresh_rate: int = 1,
        leave: bool = False,
        theme: RichProgressBarTheme | None = None,
        console_kwargs: dict[str, Any] | None = None,
    ) -> None:
        _import_rich()
        super().__init__()
        if not isinstance(refresh_rate, int) or refresh_rate < 0:
            raise ValueError(
                f"RichProgressBar: refresh_rate must be an int >= 0, got {refresh_rate!r}"
            )
        self._refresh_rate = refresh_rate
        self._leave = leave
        self.theme = theme if theme is not None else RichProgressBarTheme()
        self._console_kwargs = dict(console_kwargs or {})
        self._console = None
        self.progress = None
        self.train_progress_bar_id = None
        self.val_progress_bar_id = None
        self.test_progress_bar_id = None
        self.predict_progress_bar_id = None

    @property
    def refresh_rate(self) -> int:
        return self._refresh_rate

    @property
    def is_enabled(self) -> bool:
        return self._enabled and self._refresh_rate > 0

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["progress"] = None  # holds a console and a live display
        state["_console"] = None
        return state

    # -- the rich objects -------------------------------------------------------------------------
    def _init_progress(self) -> None:
        if not self.is_enabled or self.progress is not None:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        theme = self.theme
        self._console = Console(**self._console_kwargs)
        self.progress = Progress(
            TextColumn("{task.description}", style=theme.description),
            BarColumn(
                complete_style=theme.progress_bar,
                finished_style=theme.progress_bar_finished,
                pulse_style=theme.progress_bar_pulse,
            ),
            TextColumn("{task.completed}/{task.fields[total_text]}", style=theme.batch_progress),
            TimeElapsedColumn(),
            TextColumn("•", style=theme.time),
            TimeRemainingColumn(),
            TextColumn("{task.fields[speed]}", style=theme.processing_speed),
            TextColumn("{task.fields[metrics]}", style=theme.metrics),
            console=self._console,
            auto_refresh=False,
        )
        self.progress.start()

    def _stop_progress(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None
        self.train_progress_bar_id = None
        self.val_progress_bar_id = None
        self.test_progress_bar_id = None
        self.predict_progress_bar_id = None

    def _add_task(self, total: int | float, description: str, visible: bool = True):
        known = total is not None and total != float("inf")
        return self.progress.add_task(
            description,
            total=total if known else None,
            total_text=str(int(total)) if known else "?",
            speed="",
            metrics="",
            visible=visible,
        )

    def _update(self, task_id, completed: int, metrics: dict | None = None) -> None:
        if self.progress is None or task_id is None:
            return
        task = self.progress.tasks[task_id]
        fields = {}
        elapsed = task.elapsed or 0.0
        if elapsed > 0:
            fields["speed"] = f"{completed / elapsed:.2f}it/s"
        if metrics is not None:
            fields["metrics"] = self._format_metrics(metrics)
        self.progress.update(task_id, completed=completed, **fields)
        if self._should_update(completed, task.total):
            self.progress.refresh()

    def _format_metrics(self, metrics: dict) -> str:
        parts = []
        for name, value in metrics.items():
            if isinstance(value, float):
                value = format(value, self.theme.metrics_format)
            parts.append(f"{name}: {value}")
        return self.theme.metrics_text_delimiter.join(parts)

    def _should_update(self, current: int, total) -> bool:
        return self.is_enabled and (current % self.refresh_rate == 0 or current == total)

    def _train_description(self, epoch: int) -> str:
        max_epochs = self.trainer.max_epochs
        if max_epochs is not None and max_epochs > 0:
            return f"Epoch {epoch}/{max_epochs - 1}"
        return f"Epoch {epoch}"

    def _eval_description(self, base: str, dataloader_idx: int, counts) -> str:
        many = isinstance(counts, (list, tuple)) and len(counts) > 1
        return f"{base} DataLoader {dataloader_idx}" if many else base

    # -- hooks ----------------------------------------------------------------------------------
    def on_sanity_check_start(self, trainer, pl_module) -> None:
        self._init_progress()

    def on_sanity_check_end(self, trainer, pl_module) -> None:
        if self.progress is not None and self.val_progress_bar_id is not None:
            self.progress.update(self.val_progress_bar_id, visible=False)
        self.val_progress_bar_id = None
        self.reset_dataloader_idx_tracker()

    def on_train_start(self, trainer, pl_module) -> None:
        self._init_progress()

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        if self.progress is None:
            return
        total = self.total_train_batches
        description = self._train_description(trainer.current_epoch)
        if self.train_progress_bar_id is None or self._leave:
            self.train_progress_bar_id = self._add_task(total, description)
        else:
            known = total != float("inf")
            fields = self.progress.tasks[self.train_progress_bar_id].fields
            self.progress.reset(
                self.train_progress_bar_id,
                total=total if known else None,
                description=description,
                **{**fields, "total_text": str(int(total)) if known else "?", "speed": ""},
            )
        self.progress.refresh()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx: int) -> None:
        self._update(
            self.train_progress_bar_id, batch_idx + 1, self.get_metrics(trainer, pl_module)
        )

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        if self.progress is not None and self.train_progress_bar_id is not None:
            metrics = self._format_metrics(self.get_metrics(trainer, pl_module))
            self.progress.update(self.train_progress_bar_id, metrics=metrics)
            self.progress.refresh()

    def on_train_end(self, trainer, pl_module) -> None:
        self._stop_progress()

    def on_validation_start(self, trainer, pl_module) -> None:
        self._init_progress()

    def on_validation_batch_start(
        self, trainer, pl_module, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        if self.progress is None or not self.has_dataloader_changed(dataloader_idx):
            return
        if self.val_progress_bar_id is not None:
            self.progress.update(self.val_progress_bar_id, visible=False)
        base = self.sanity_check_description if trainer.sanity_checking else "Validation"
        description = self._eval_description(base, dataloader_idx, trainer.num_val_batches)
        self.val_progress_bar_id = self._add_task(
            self.total_val_batches_current_dataloader, description
        )

    def on_validation_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        self._update(self.val_progress_bar_id, batch_idx + 1)

    def on_validation_end(self, trainer, pl_module) -> None:
        if self._stage == "validate":
            self._stop_progress()  # validation alone: leave its bar on screen
        elif self.progress is not None and self.val_progress_bar_id is not None:
            self.progress.update(self.val_progress_bar_id, visible=False)
            self.val_progress_bar_id = None
            if self.train_progress_bar_id is not None and not trainer.sanity_checking:
                metrics = self._format_metrics(self.get_metrics(trainer, pl_module))
                self.progress.update(self.train_progress_bar_id, metrics=metrics)
            self.progress.refresh()
        self.reset_dataloader_idx_tracker()

    def on_test_start(self, trainer, pl_module) -> None:
        self._init_progress()

    def on_test_batch_start(
        self, trainer, pl_module, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        if self.progress is None or not self.has_dataloader_changed(dataloader_idx):
            return
        description = self._eval_description(
            self.test_description, dataloader_idx, trainer.num_test_batches
        )
        self.test_progress_bar_id = self._add_task(
            self.total_test_batches_current_dataloader, description
        )

    def on_test_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        self._update(self.test_progress_bar_id, batch_idx + 1)

    def on_test_end(self, trainer, pl_module) -> None:
        self._stop_progress()
        self.reset_dataloader_idx_tracker()

    def on_predict_start(self, trainer, pl_module) -> None:
        self._init_progress()

    def on_predict_batch_start(
        self, trainer, pl_module, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        if self.progress is None or not self.has_dataloader_changed(dataloader_idx):
            return
        description = self._eval_description(
            self.predict_description, dataloader_idx, trainer.num_predict_batches
        )
        self.predict_progress_bar_id = self._add_task(
            self.total_predict_batches_current_dataloader, description
        )

    def on_predict_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        self._update(self.predict_progress_bar_id, batch_idx + 1)

    def on_predict_end(self, trainer, pl_module) -> None:
        self._stop_progress()
        self.reset_dataloader_idx_tracker()

    def teardown(self, trainer, pl_module, stage: str) -> None:
        self._stop_progress()

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:
        self._stop_progress()

    def print(self, *args: Any, **kwargs: Any) -> None:
        """Print above the live bars (through rich's console)."""
        if self.progress is not None:
            self._console.print(*args, **kwargs)
        else:
            print(*args, **kwargs)
