"""``Logger``: the base class of experiment loggers, and ``DummyLogger``.

A logger receives what the trainer records: hyperparameters once at the start of ``fit``,
metric dicts during training (``log_metrics(metrics, step)``), then ``save()`` and
``finalize(status)`` at the end. Subclasses write these wherever they like (CSV files,
TensorBoard event files, ...).
"""

from __future__ import annotations

import abc
import logging
import os
from argparse import Namespace
from collections.abc import Mapping
from typing import Any

__all__ = ["DummyLogger", "Logger"]

log = logging.getLogger(__name__)


class Logger(abc.ABC):
    """Base class of experiment loggers, as in Lightning.

    Subclasses must define :attr:`name`, :attr:`version`, :meth:`log_metrics` and
    :meth:`log_hyperparams`; the other members have working defaults (no directories, no-op
    ``save`` / ``log_graph``, ``finalize`` that calls ``save``).

    Example:
        >>> class PrintLogger(Logger):
        ...     name = "print"
        ...     version = 0
        ...     def log_hyperparams(self, params, *args, **kwargs):
        ...         print("hparams", dict(params))
        ...     def log_metrics(self, metrics, step=None):
        ...         print(step, metrics)
        >>> PrintLogger().log_metrics({"loss": 0.5}, step=3)
        3 {'loss': 0.5}
    """

    @property
    @abc.abstractmethod
    def name(self) -> str | None:
        """The experiment name."""

    @property
    @abc.abstractmethod
    def version(self) -> int | str | None:
        """The experiment version."""

    @property
    def root_dir(self) -> str | None:
        """The folder holding every version of this experiment, or ``None`` (nothing local)."""
        return None

    @property
    def log_dir(self) -> str | None:
        """The folder of this run's files, or ``None`` when the logger keeps nothing local."""
        return None

    @property
    def save_dir(self) -> str | None:
        """The folder the logger was given to save under, or ``None``."""
        return None

    @property
    def group_separator(self) -> str:
        """The character that separates metric groups in keys (``"train/loss"``)."""
        return "/"

    @property
    def experiment(self) -> Any:
        """The underlying writer object (``None`` for loggers without one)."""
        return None

    @abc.abstractmethod
    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        """Record a dict of metric values at a training step.

        Args:
            metrics: metric name to value (a Python number or a one-element tensor).
            step: the global step the values belong to; ``None`` lets the logger count.
        """

    @abc.abstractmethod
    def log_hyperparams(self, params: Mapping[str, Any] | Namespace, *args, **kwargs) -> None:
        """Record the hyperparameters of the run (a dict or an ``argparse.Namespace``)."""

    def log_graph(self, model, input_array=None) -> None:  # noqa: B027 (optional hook)
        """Record the model's computational graph (loggers that cannot store one ignore it)."""

    def save(self) -> None:  # noqa: B027 (optional hook)
        """Write out whatever is still buffered."""

    def finalize(self, status: str) -> None:
        """Called once at the end of the run; ``status`` is ``"success"`` or ``"failed"``."""
        self.save()

    def after_save_checkpoint(self, checkpoint_callback) -> None:  # noqa: B027
        """Called after a ``ModelCheckpoint`` callback wrote a checkpoint."""


class _DummyExperiment:
    """An experiment object on which every method call does nothing and returns ``None``."""

    def nop(self, *args, **kwargs) -> None:
        return None

    def __getattr__(self, name: str):
        return self.nop

    def __getitem__(self, idx) -> _DummyExperiment:
        return self

    def __setitem__(self, *args) -> None:
        pass


class DummyLogger(Logger):
    """A logger that records nothing, for code paths that must run with logging turned off.

    Any method called on it (or on its ``experiment``) returns ``None``.

    Example:
        >>> logger = DummyLogger()
        >>> logger.log_metrics({"loss": 1.0}, step=0)
        >>> logger.experiment.add_scalar("loss", 1.0)
        >>> logger.name, logger.version
        ('', '')
    """

    def __init__(self) -> None:
        self._experiment = _DummyExperiment()

    @property
    def experiment(self) -> _DummyExperiment:
        return self._experiment

    @property
    def name(self) -> str:
        return ""

    @property
    def version(self) -> str:
        return ""

    def log_metrics(self, *args, **kwargs) -> None:
        pass

    def log_hyperparams(self, *args, **kwargs) -> None:
        pass

    def __getitem__(self, idx) -> DummyLogger:
        return self

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)

        def method(*args, **kwargs) -> None:
            return None

        return method


def _convert_params(params: Mapping[str, Any] | Namespace | None) -> dict[str, Any]:
    """Hyperparameters as a plain dict (accepts a mapping, a ``Namespace`` or ``None``)."""
    if params is None:
        return {}
    if isinstance(params, Namespace):
        return dict(vars(params))
    if isinstance(params, Mapping):
        return dict(params)
    raise TypeError(
        f"log_hyperparams: expected a dict or an argparse.Namespace, got {type(params).__name__}"
    )


def _add_prefix(metrics: Mapping[str, Any], prefix: str, separator: str) -> dict[str, Any]:
    """``{"loss": v}`` → ``{"<prefix><separator>loss": v}``; unchanged without a prefix."""
    if not prefix:
        return dict(metrics)
    return {f"{prefix}{separator}{key}": value for key, value in metrics.items()}


def _metric_value(key: str, value: Any) -> int | float:
    """A logged value as a Python number: one-element tensors and NumPy scalars via ``item``."""
    if isinstance(value, (int, float)):
        return value
    item = getattr(value, "item", None)
    if callable(item):
        try:
            value = item()
        except (ValueError, RuntimeError) as error:
            raise ValueError(
                f"log_metrics: the value of {key!r} must be a number or a one-element tensor, "
                f"got {type(value).__name__} with shape {tuple(getattr(value, 'shape', ()))}"
            ) from error
        if isinstance(value, (int, float)):
            return value
    raise TypeError(
        f"log_metrics: the value of {key!r} must be a number or a one-element tensor, "
        f"got {type(value).__name__}"
    )


def _version(loggers: list[Logger], separator: str = "_") -> int | str | None:
    """The version shown as ``v_num``: the logger's own, or the distinct versions joined."""
    if len(loggers) == 1:
        return loggers[0].version
    versions = []
    for logger in loggers:
        if logger.version not in versions:
            versions.append(logger.version)
    return separator.join(str(version) for version in versions)


def _next_version(root_dir: str) -> int:
    """One more than the largest ``version_<int>`` folder in ``root_dir`` (0 when none)."""
    if not os.path.isdir(root_dir):
        log.info("Missing logger folder: %s", root_dir)
        return 0
    existing = []
    for entry in os.listdir(root_dir):
        number = entry[len("version_") :]
        folder = os.path.join(root_dir, entry)
        if entry.startswith("version_") and number.isdigit() and os.path.isdir(folder):
            existing.append(int(number))
    return max(existing) + 1 if existing else 0
