"""``ModelSummary``: print the model's layer table when ``fit`` starts."""

from __future__ import annotations

from .callback import Callback

__all__ = ["ModelSummary"]


class ModelSummary(Callback):
    r"""Print a table of the model's layers and parameter counts at the start of ``fit``.

    The trainer adds one (with ``max_depth=1``) unless ``enable_model_summary=False``; pass
    your own in ``callbacks`` to change the depth. See
    :func:`~ember_lightning.utilities.model_summary.summarize` for the table's content.

    Args:
        max_depth: how deep to list submodules: 1 the direct children, ``-1`` every one,
            0 prints nothing. Default: 1.

    Raises:
        ValueError: ``max_depth`` is not an int ``>= -1``.

    Example:
        >>> from ember_lightning.callbacks.model_summary import ModelSummary
        >>> callback = ModelSummary(max_depth=-1)
    """

    def __init__(self, max_depth: int = 1, **summarize_kwargs) -> None:
        if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < -1:
            raise ValueError(f"ModelSummary: `max_depth` can be -1, 0 or > 0, got {max_depth!r}.")
        self._max_depth = max_depth
        self._summarize_kwargs = summarize_kwargs

    def on_fit_start(self, trainer, pl_module) -> None:
        if not self._max_depth or not trainer.is_global_zero:
            return
        summary = self._summary(trainer, pl_module)
        self.summarize(str(summary))

    def _summary(self, trainer, pl_module):
        from ..utilities.model_summary import summarize

        return summarize(pl_module, max_depth=self._max_depth)

    @staticmethod
    def summarize(summary_table: str, **kwargs) -> None:
        """Show the table (printed to stdout); override to send it elsewhere."""
        print(summary_table)
