"""``CSVLogger``: metrics in ``metrics.csv`` and hyperparameters in ``hparams.yaml``.

Files go to ``save_dir/name/version_N/`` as in Lightning, where ``N`` is one more than the
largest existing ``version_*`` folder. ``metrics.csv`` has one column per logged key (sorted,
``step`` among them) and one row per ``log_metrics`` call; cells of keys not logged in that
call stay empty. At ``finalize("success")`` a plot of the curves, ``metrics.png``, is written
beside it (when matplotlib is installed).
"""

from __future__ import annotations

import csv
import os
import warnings
from argparse import Namespace
from collections.abc import Mapping
from typing import Any

from ._atomic import atomic_open
from .logger import Logger, _add_prefix, _convert_params, _metric_value, _next_version

__all__ = ["CSVLogger", "ExperimentWriter", "load_hparams_from_yaml", "save_hparams_to_yaml"]


def _yaml_safe(value: Any) -> Any:
    """``value`` with tuples, paths, namespaces, NumPy values and tensors made YAML-safe."""
    if isinstance(value, Namespace):
        value = vars(value)
    if isinstance(value, Mapping):
        return {key: _yaml_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_yaml_safe(item) for item in value]
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    tolist = getattr(value, "tolist", None)  # NumPy arrays and scalars, ember tensors
    if callable(tolist) and not isinstance(value, (str, bytes)):
        return tolist()
    return value


def save_hparams_to_yaml(config_yaml: str | os.PathLike, hparams: Mapping | Namespace) -> None:
    """Write hyperparameters to a YAML file (``yaml.safe_dump``, atomically).

    Values YAML cannot represent safely (arbitrary objects) are left out with a warning, as
    Lightning does; tuples are stored as lists, tensors and arrays as nested lists.

    Args:
        config_yaml: path of the file to write.
        hparams: a dict or an ``argparse.Namespace``.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "hparams.yaml")
        >>> save_hparams_to_yaml(path, {"lr": 0.01, "sizes": (64, 32)})
        >>> load_hparams_from_yaml(path)
        {'lr': 0.01, 'sizes': [64, 32]}
    """
    import yaml

    config_yaml = os.fspath(config_yaml)
    hparams = _convert_params(hparams)
    safe: dict[str, Any] = {}
    for key, value in hparams.items():
        value = _yaml_safe(value)
        try:
            yaml.safe_dump(value)
        except yaml.YAMLError:
            warnings.warn(
                f"Skipping {key!r} parameter because it is not possible to safely dump to YAML "
                f"(a {type(value).__name__}); file {config_yaml!r}",
                stacklevel=2,
            )
            continue
        safe[key] = value
    with atomic_open(config_yaml, "w", newline="", encoding="utf-8") as file:
        yaml.safe_dump(safe, file, sort_keys=False)


def load_hparams_from_yaml(config_yaml: str | os.PathLike) -> dict[str, Any]:
    """Read hyperparameters written by :func:`save_hparams_to_yaml` (``yaml.safe_load``).

    Raises:
        FileNotFoundError: the file does not exist (the message names it).
        ValueError: the file does not hold a YAML mapping.
    """
    import yaml

    config_yaml = os.fspath(config_yaml)
    if not os.path.isfile(config_yaml):
        raise FileNotFoundError(f"load_hparams_from_yaml: no such file: {config_yaml!r}")
    with open(config_yaml, encoding="utf-8") as file:
        hparams = yaml.safe_load(file)
    if hparams is None:
        return {}
    if not isinstance(hparams, dict):
        raise ValueError(
            f"load_hparams_from_yaml: {config_yaml!r} holds a {type(hparams).__name__}, "
            "expected a mapping of hyperparameter names to values"
        )
    return hparams


class ExperimentWriter:
    """Buffers metrics and writes ``metrics.csv`` / ``hparams.yaml`` in one run's folder.

    Rows are appended on each :meth:`save`; when a save brings keys never seen before, the
    file is rewritten (atomically) with the wider header, as Lightning does.

    Args:
        log_dir: the run's folder (created if missing).
    """

    NAME_METRICS_FILE = "metrics.csv"
    NAME_HPARAMS_FILE = "hparams.yaml"

    def __init__(self, log_dir: str) -> None:
        self.log_dir = log_dir
        self.hparams: dict[str, Any] = {}
        self.metrics: list[dict[str, Any]] = []
        self.metrics_keys: list[str] = []
        self.metrics_file_path = os.path.join(log_dir, self.NAME_METRICS_FILE)
        if os.path.isdir(log_dir) and os.listdir(log_dir):
            warnings.warn(
                f"Experiment logs directory {log_dir} exists and is not empty. Previous log "
                "files in this directory will be deleted when the new ones are saved!",
                stacklevel=3,
            )
        os.makedirs(log_dir, exist_ok=True)
        self._file_started = False  # the first save replaces any older metrics.csv
        self.num_rows = 0  # rows logged so far, saved or still buffered

    def log_hparams(self, params: Mapping[str, Any]) -> None:
        """Merge ``params`` into the recorded hyperparameters and rewrite ``hparams.yaml``."""
        self.hparams.update(params)
        save_hparams_to_yaml(os.path.join(self.log_dir, self.NAME_HPARAMS_FILE), self.hparams)

    def log_metrics(self, metrics_dict: Mapping[str, Any], step: int | None = None) -> None:
        """Buffer one row: the metric values plus ``step`` (the row number when ``None``)."""
        if step is None:
            step = self.num_rows
        row = {key: _metric_value(key, value) for key, value in metrics_dict.items()}
        row["step"] = step
        self.metrics.append(row)
        self.num_rows += 1

    def save(self) -> None:
        """Write the buffered rows to ``metrics.csv`` and empty the buffer."""
        if not self.metrics:
            return
        new_keys = {key for row in self.metrics for key in row} - set(self.metrics_keys)
        if new_keys:
            self.metrics_keys = sorted(set(self.metrics_keys) | new_keys)
        if not self._file_started or new_keys:
            previous = self._read_rows() if self._file_started else []
            with atomic_open(self.metrics_file_path, "w", newline="", encoding="utf-8") as file:
                writer = csv.DictWriter(file, fieldnames=self.metrics_keys)
                writer.writeheader()
                writer.writerows(previous)
                writer.writerows(self.metrics)
            self._file_started = True
        else:
            with open(self.metrics_file_path, "a", newline="", encoding="utf-8") as file:
                csv.DictWriter(file, fieldnames=self.metrics_keys).writerows(self.metrics)
        self.metrics = []

    def _read_rows(self) -> list[dict[str, str]]:
        if not os.path.isfile(self.metrics_file_path):
            return []
        with open(self.metrics_file_path, newline="", encoding="utf-8") as file:
            return list(csv.DictReader(file))


class CSVLogger(Logger):
    r"""Log to the local file system: ``metrics.csv`` and ``hparams.yaml``, as Lightning does.

    Logs go to ``os.path.join(save_dir, name, version)``; an integer version ``N`` becomes the
    folder ``version_N``. At ``finalize("success")`` the curves of ``metrics.csv`` are drawn
    into ``metrics.png`` beside it (see :func:`~ember_lightning.loggers.plotting.plot_metrics`;
    skipped when matplotlib is missing); its path is then :attr:`plot_path`.

    Args:
        save_dir: folder under which experiments are saved.
        name: experiment name, the subfolder of ``save_dir``. Default: ``"lightning_logs"``;
            ``None`` or ``""`` puts the versions directly in ``save_dir``.
        version: experiment version. Default ``None``: one more than the largest existing
            ``version_*`` folder (0 when there is none). A string is used as the folder name.
        prefix: text put in front of every metric key (joined with ``"-"``).
        flush_logs_every_n_steps: write buffered rows to disk every this many steps.
            Default: 100.

    Example:
        >>> import tempfile
        >>> logger = CSVLogger(tempfile.mkdtemp(), name="my_exp")
        >>> logger.log_hyperparams({"lr": 0.1})
        >>> logger.log_metrics({"loss": 0.5}, step=0)
        >>> logger.save()
        >>> print(open(logger.experiment.metrics_file_path).read().strip())
        loss,step
        0.5,0
        >>> logger.version
        0
    """

    LOGGER_JOIN_CHAR = "-"

    def __init__(
        self,
        save_dir: str | os.PathLike,
        name: str | None = "lightning_logs",
        version: int | str | None = None,
        prefix: str = "",
        flush_logs_every_n_steps: int = 100,
    ) -> None:
        if not isinstance(flush_logs_every_n_steps, int) or flush_logs_every_n_steps < 1:
            raise ValueError(
                "CSVLogger: flush_logs_every_n_steps must be a positive int, "
                f"got {flush_logs_every_n_steps!r}"
            )
        self._save_dir = os.fspath(save_dir)
        self._name = name or ""
        self._version = version
        self._prefix = prefix
        self._flush_logs_every_n_steps = flush_logs_every_n_steps
        self._experiment: ExperimentWriter | None = None
        self.plot_path: str | None = None

    @property
    def name(self) -> str:
        """The experiment name (``""`` when versions sit directly in ``save_dir``)."""
        return self._name

    @property
    def version(self) -> int | str:
        """The experiment version: the one given, else the next free ``version_N`` number."""
        if self._version is None:
            self._version = self._get_next_version()
        return self._version

    @property
    def save_dir(self) -> str:
        """The folder given as ``save_dir``."""
        return self._save_dir

    @property
    def root_dir(self) -> str:
        """``save_dir/name``: the folder holding every version of the experiment."""
        return os.path.join(self._save_dir, self._name)

    @property
    def log_dir(self) -> str:
        """``root_dir/version_N`` (or ``root_dir/<version>`` for a string version)."""
        version = self.version if isinstance(self.version, str) else f"version_{self.version}"
        return os.path.join(self.root_dir, version)

    @property
    def experiment(self) -> ExperimentWriter:
        """The :class:`ExperimentWriter` of this run (created, with its folder, on first use)."""
        if self._experiment is None:
            os.makedirs(self.root_dir, exist_ok=True)
            self._experiment = ExperimentWriter(log_dir=self.log_dir)
        return self._experiment

    def log_hyperparams(self, params: Mapping[str, Any] | Namespace | None = None) -> None:
        """Record hyperparameters into ``hparams.yaml`` (merged with those logged before)."""
        self.experiment.log_hparams(_convert_params(params))

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        """Buffer one row of ``metrics.csv``; flushed every ``flush_logs_every_n_steps``."""
        metrics = _add_prefix(metrics, self._prefix, self.LOGGER_JOIN_CHAR)
        if step is None:
            step = self.experiment.num_rows
        self.experiment.log_metrics(metrics, step)
        if (step + 1) % self._flush_logs_every_n_steps == 0:
            self.save()

    def save(self) -> None:
        """Write buffered rows to ``metrics.csv``."""
        self.experiment.save()

    def finalize(self, status: str) -> None:
        """Save; on ``"success"`` also draw ``metrics.png`` beside ``metrics.csv``."""
        if self._experiment is None:
            return  # nothing was ever logged: leave no empty folder behind
        self.save()
        if status == "success" and os.path.isfile(self._experiment.metrics_file_path):
            from .plotting import plot_metrics

            out_png = os.path.join(self.log_dir, "metrics.png")
            self.plot_path = plot_metrics(self._experiment.metrics_file_path, out_png)

    def _get_next_version(self) -> int:
        return _next_version(self.root_dir)
