"""``TQDMProgressBar``: the trainer's default progress bar, drawn with tqdm.

Up to three bars, printed to ``sys.stdout`` as Lightning does:

- the main bar, ``Epoch N``: training batches plus the validation batches run inside the
  epoch, so it reaches 100% when the epoch (validation included) is done; the
  ``prog_bar=True`` metrics and ``v_num`` are shown after it (``v_num=0, loss=0.523``);
- a validation bar under it while validation runs (``Validation DataLoader 0``), and one for
  the sanity check;
- a test or predict bar for ``trainer.test`` / ``trainer.predict``.

tqdm is imported when the first bar is created, not when this module is imported.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from .progress_bar import ProgressBar

__all__ = ["TQDMProgressBar"]

_PAD_SIZE = 5
_tqdm_class = None


def _make_tqdm_class():
    """The ``Tqdm`` class (a tqdm subclass), built on first use so tqdm loads lazily."""
    global _tqdm_class
    if _tqdm_class is None:
        from tqdm import tqdm

        class Tqdm(tqdm):
            """tqdm whose postfix numbers are padded to a steady width (no flicker)."""

            @staticmethod
            def format_num(n: int | float | str) -> str:
                return _format_num(tqdm.format_num, n)

        _tqdm_class = Tqdm
    return _tqdm_class


def _format_num(base_format, n: int | float | str) -> str:
    """tqdm's 3-significant-digit format, with floats padded to 5 characters (``0.500``)."""
    should_pad = isinstance(n, (float, str))
    if not isinstance(n, str):
        n = base_format(n)
    if should_pad and "e" not in n:
        if "." not in n and len(n) < _PAD_SIZE:
            try:
                float(n)
            except ValueError:
                return n
            n += "."
        n += "0" * (_PAD_SIZE - len(n))
    return n


def __getattr__(name):
    if name == "Tqdm":
        return _make_tqdm_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def convert_inf(x: int | float | None) -> int | float | None:
    """tqdm takes ``None`` for an unknown total: ``inf`` and ``nan`` become ``None``."""
    if x is None or math.isinf(x) or math.isnan(x):
        return None
    return x


def _update_n(bar, value: int) -> None:
    if not bar.disable:
        bar.n = value
        bar.refresh()


class TQDMProgressBar(ProgressBar):
    r"""The default progress bar: tqdm bars for training, validation, testing, predicting.

    Args:
        refresh_rate: redraw every this many batches; ``0`` turns the bars off.
            Default: 1.
        process_position: shift the bars down by this many pairs of lines, to sit below
            other bars (e.g. several trainings running side by side). Default: 0.
        leave: keep one finished bar per epoch on screen instead of reusing a single line.
            Default: ``False``.

    Example:
        >>> class LitProgressBar(TQDMProgressBar):
        ...     def init_validation_tqdm(self):
        ...         bar = super().init_validation_tqdm()
        ...         bar.set_description("running validation ...")
        ...         return bar
        >>> bar = LitProgressBar(refresh_rate=10)
        >>> bar.refresh_rate, bar.is_enabled
        (10, True)
    """

    def __init__(self, refresh_rate: int = 1, process_position: int = 0, leave: bool = False):
        super().__init__()
        if not isinstance(refresh_rate, int) or refresh_rate < 0:
            raise ValueError(
                f"TQDMProgressBar: refresh_rate must be an int >= 0, got {refresh_rate!r}"
            )
        self._refresh_rate = refresh_rate
        self._process_position = process_position
        self._leave = leave
        self._train_progress_bar = None
        self._val_progress_bar = None
        self._test_progress_bar = None
        self._predict_progress_bar = None
        self._train_batches_done = 0

    def __getstate__(self) -> dict:
        # tqdm objects hold a file and a lock: leave them out when the callback is pickled
        tqdm_class = _tqdm_class
        return {
            key: None if tqdm_class is not None and isinstance(value, tqdm_class) else value
            for key, value in vars(self).items()
        }

    # -- the bars -------------------------------------------------------------------------------
    def _bar(self, attribute: str):
        bar = getattr(self, attribute)
        if bar is None:
            raise TypeError(
                f"The `{type(self).__name__}.{attribute}` reference has not been set yet."
            )
        return bar

    @property
    def train_progress_bar(self):
        return self._bar("_train_progress_bar")

    @train_progress_bar.setter
    def train_progress_bar(self, bar) -> None:
        self._train_progress_bar = bar

    @property
    def val_progress_bar(self):
        return self._bar("_val_progress_bar")

    @val_progress_bar.setter
    def val_progress_bar(self, bar) -> None:
        self._val_progress_bar = bar

    @property
    def test_progress_bar(self):
        return self._bar("_test_progress_bar")

    @test_progress_bar.setter
    def test_progress_bar(self, bar) -> None:
        self._test_progress_bar = bar

    @property
    def predict_progress_bar(self):
        return self._bar("_predict_progress_bar")

    @predict_progress_bar.setter
    def predict_progress_bar(self, bar) -> None:
        self._predict_progress_bar = bar

    @property
    def refresh_rate(self) -> int:
        return self._refresh_rate

    @property
    def process_position(self) -> int:
        return self._process_position

    @property
    def is_enabled(self) -> bool:
        return self._enabled and self._refresh_rate > 0

    # -- bar factories (override these to customise) ---------------------------------------------
    def _new_bar(self, **kwargs):
        Tqdm = _make_tqdm_class()
        return Tqdm(disable=self.is_disabled, dynamic_ncols=True, file=sys.stdout, **kwargs)

    def init_sanity_tqdm(self):
        """The bar of the validation sanity check."""
        return self._new_bar(
            desc=self.sanity_check_description, position=2 * self.process_position, leave=False
        )

    def init_train_tqdm(self):
        """The main bar, shown during fit."""
        return self._new_bar(
            desc=self.train_description,
            position=2 * self.process_position,
            leave=True,
            smoothing=0,
        )

    def init_validation_tqdm(self):
        """The validation bar: under the main bar during fit, alone for ``validate``."""
        has_main_bar = self._stage != "validate"
        return self._new_bar(
            desc=self.validation_description,
            position=2 * self.process_position + has_main_bar,
            leave=not has_main_bar,
        )

    def init_test_tqdm(self):
        """The bar of ``trainer.test``."""
        return self._new_bar(
            desc=self.test_description, position=2 * self.process_position, leave=True
        )

    def init_predict_tqdm(self):
        """The bar of ``trainer.predict``."""
        return self._new_bar(
            desc=self.predict_description,
            position=2 * self.process_position,
            leave=True,
            smoothing=0,
        )

    # -- sanity check ------------------------------------------------------------------------------
    def on_sanity_check_start(self, trainer, pl_module) -> None:
        self.val_progress_bar = self.init_sanity_tqdm()
        self.train_progress_bar = _make_tqdm_class()(disable=True)  # placeholder main bar

    def on_sanity_check_end(self, trainer, pl_module) -> None:
        self.train_progress_bar.close()
        self.val_progress_bar.close()
        self.reset_dataloader_idx_tracker()

    # -- training -------------------------------------------------------------------------------
    def on_train_start(self, trainer, pl_module) -> None:
        self.train_progress_bar = self.init_train_tqdm()

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        if self._leave and trainer.current_epoch > 0:
            self.train_progress_bar = self.init_train_tqdm()
        self._train_batches_done = 0
        bar = self.train_progress_bar
        bar.reset(total=convert_inf(self.total_train_batches))
        bar.initial = 0
        bar.set_description(f"Epoch {trainer.current_epoch}")

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx: int) -> None:
        self._train_batches_done = n = batch_idx + 1
        if self._should_update(n, self.train_progress_bar.total):
            _update_n(self.train_progress_bar, n)
            self.train_progress_bar.set_postfix(self.get_metrics(trainer, pl_module))

    def on_train_epoch_end(self, trainer, pl_module) -> None:
        bar = self.train_progress_bar
        if not bar.disable:
            _update_n(bar, self._train_batches_done)
            bar.set_postfix(self.get_metrics(trainer, pl_module))
        if self._leave:
            bar.close()

    def on_train_end(self, trainer, pl_module) -> None:
        self.train_progress_bar.close()

    # -- validation -----------------------------------------------------------------------------
    def on_validation_start(self, trainer, pl_module) -> None:
        if not trainer.sanity_checking:
            self.val_progress_bar = self.init_validation_tqdm()

    def on_validation_batch_start(
        self, trainer, pl_module, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        if not self.has_dataloader_changed(dataloader_idx):
            return
        bar = self.val_progress_bar
        bar.reset(total=convert_inf(self.total_val_batches_current_dataloader))
        bar.initial = 0
        description = (
            self.sanity_check_description
            if trainer.sanity_checking
            else self.validation_description
        )
        bar.set_description(f"{description} DataLoader {dataloader_idx}")

    def on_validation_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        n = batch_idx + 1
        if self._should_update(n, self.val_progress_bar.total):
            _update_n(self.val_progress_bar, n)

    def on_validation_end(self, trainer, pl_module) -> None:
        in_fit = self._stage == "fit" and not trainer.sanity_checking
        if self._train_progress_bar is not None and in_fit:
            self.train_progress_bar.set_postfix(self.get_metrics(trainer, pl_module))
        self.val_progress_bar.close()
        self.reset_dataloader_idx_tracker()

    # -- test -----------------------------------------------------------------------------------
    def on_test_start(self, trainer, pl_module) -> None:
        self.test_progress_bar = self.init_test_tqdm()

    def on_test_batch_start(
        self, trainer, pl_module, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        if not self.has_dataloader_changed(dataloader_idx):
            return
        bar = self.test_progress_bar
        bar.reset(total=convert_inf(self.total_test_batches_current_dataloader))
        bar.initial = 0
        bar.set_description(f"{self.test_description} DataLoader {dataloader_idx}")

    def on_test_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        n = batch_idx + 1
        if self._should_update(n, self.test_progress_bar.total):
            _update_n(self.test_progress_bar, n)

    def on_test_end(self, trainer, pl_module) -> None:
        self.test_progress_bar.close()
        self.reset_dataloader_idx_tracker()

    # -- predict --------------------------------------------------------------------------------
    def on_predict_start(self, trainer, pl_module) -> None:
        self.predict_progress_bar = self.init_predict_tqdm()

    def on_predict_batch_start(
        self, trainer, pl_module, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        if not self.has_dataloader_changed(dataloader_idx):
            return
        bar = self.predict_progress_bar
        bar.reset(total=convert_inf(self.total_predict_batches_current_dataloader))
        bar.initial = 0
        bar.set_description(f"{self.predict_description} DataLoader {dataloader_idx}")

    def on_predict_batch_end(
        self, trainer, pl_module, outputs, batch, batch_idx: int, dataloader_idx: int = 0
    ) -> None:
        n = batch_idx + 1
        if self._should_update(n, self.predict_progress_bar.total):
            _update_n(self.predict_progress_bar, n)

    def on_predict_end(self, trainer, pl_module) -> None:
        self.predict_progress_bar.close()
        self.reset_dataloader_idx_tracker()

    # -- helpers --------------------------------------------------------------------------------
    def print(self, *args: Any, sep: str = " ", **kwargs: Any) -> None:
        """Print a line above the active bar without breaking it."""
        for bar in (
            self._train_progress_bar,
            self._val_progress_bar,
            self._test_progress_bar,
            self._predict_progress_bar,
        ):
            if bar is not None and not bar.disable:
                bar.write(sep.join(map(str, args)), **kwargs)
                return
        print(*args, sep=sep, **kwargs)

    def _should_update(self, current: int, total: int | None) -> bool:
        return self.is_enabled and (current % self.refresh_rate == 0 or current == total)
