"""``TensorBoardLogger``: TensorBoard event files through tensorboardX (optional dependency).

Files go to ``save_dir/name/version_N[/sub_dir]`` as in Lightning: scalars of
``log_metrics``, the hyperparameters for TensorBoard's HParams tab (with the placeholder
metric ``hp_metric``), the model graph when ``log_graph=True``, and ``hparams.yaml``.
"""

from __future__ import annotations

import os
import warnings
from argparse import Namespace
from collections.abc import Mapping
from typing import Any

from .csv_logs import save_hparams_to_yaml
from .logger import Logger, _add_prefix, _convert_params, _metric_value, _next_version

__all__ = ["TensorBoardLogger"]


def _import_tensorboardx():
    try:
        import tensorboardX
    except ImportError as error:
        raise ModuleNotFoundError(
            "TensorBoardLogger needs the tensorboardX package, which is not installed. "
            "Install it with `pip install tensorboardX`."
        ) from error
    return tensorboardX


def _flatten_dict(params: Mapping[str, Any], prefix: str = "", sep: str = "/") -> dict:
    """``{"opt": {"lr": 0.1}}`` → ``{"opt/lr": 0.1}``."""
    flat = {}
    for key, value in params.items():
        name = f"{prefix}{sep}{key}" if prefix else str(key)
        if isinstance(value, Namespace):
            value = vars(value)
        if isinstance(value, Mapping):
            flat.update(_flatten_dict(value, name, sep))
        else:
            flat[name] = value
    return flat


def _sanitize_params(params: Mapping[str, Any]) -> dict:
    """Values TensorBoard's HParams accepts (numbers, strings, bools); others as text.

    Functions and classes become their ``__name__``; one-element tensors and NumPy scalars
    their number; anything else its ``str``.
    """
    clean = {}
    for key, value in params.items():
        tolist = getattr(value, "tolist", None)
        plain = tolist() if callable(tolist) else value
        if isinstance(plain, (bool, int, float, str)):
            clean[key] = plain
        elif callable(value) and hasattr(value, "__name__"):
            clean[key] = value.__name__
        else:
            clean[key] = str(value)
    return clean


class TensorBoardLogger(Logger):
    r"""Log to TensorBoard event files, as Lightning's ``TensorBoardLogger`` does.

    Uses ``tensorboardX.SummaryWriter`` (``pip install tensorboardX``); view the logs with
    ``tensorboard --logdir <save_dir>``. Logs go to ``os.path.join(save_dir, name, version)``.

    Args:
        save_dir: folder under which experiments are saved.
        name: experiment name (subfolder of ``save_dir``). Default: ``"lightning_logs"``;
            ``None`` or ``""`` puts the versions directly in ``save_dir``.
        version: experiment version. Default ``None``: the next free ``version_N``. A string
            is used as the folder name.
        log_graph: record the model graph in :meth:`log_graph` (the trainer calls it with the
            module's ``example_input_array``). Default: ``False``.
        default_hp_metric: when hyperparameters are logged without metrics, log the
            placeholder ``hp_metric = -1`` so TensorBoard's HParams tab shows the run.
            Default: ``True``.
        prefix: text put in front of every metric key (joined with ``"-"``).
        sub_dir: optional subfolder of the version folder for the event files.
        **kwargs: passed on to ``tensorboardX.SummaryWriter`` (``max_queue``,
            ``flush_secs``, ...).

    Raises:
        ModuleNotFoundError: tensorboardX is not installed.

    Example:
        >>> import tempfile
        >>> logger = TensorBoardLogger(tempfile.mkdtemp())
        >>> logger.log_hyperparams({"epochs": 5, "optimizer": "Adam"})
        >>> logger.log_metrics({"acc": 0.75}, step=0)
        >>> logger.finalize("success")
        >>> sorted(f.split(".")[0] for f in os.listdir(logger.log_dir))
        ['events', 'hparams']
    """

    NAME_HPARAMS_FILE = "hparams.yaml"
    LOGGER_JOIN_CHAR = "-"

    def __init__(
        self,
        save_dir: str | os.PathLike,
        name: str | None = "lightning_logs",
        version: int | str | None = None,
        log_graph: bool = False,
        default_hp_metric: bool = True,
        prefix: str = "",
        sub_dir: str | os.PathLike | None = None,
        **kwargs,
    ) -> None:
        _import_tensorboardx()
        self._save_dir = os.fspath(save_dir)
        self._name = name or ""
        self._version = version
        self._log_graph = log_graph
        self._default_hp_metric = default_hp_metric
        self._prefix = prefix
        self._sub_dir = None if sub_dir is None else os.fspath(sub_dir)
        self._kwargs = kwargs
        self._experiment = None
        self.hparams: dict[str, Any] = {}

    @property
    def name(self) -> str:
        """The experiment name."""
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
    def sub_dir(self) -> str | None:
        """The subfolder of the version folder holding the event files, if any."""
        return self._sub_dir

    @property
    def log_dir(self) -> str:
        """``root_dir/version_N[/sub_dir]``, with ``~`` and environment variables expanded."""
        version = self.version if isinstance(self.version, str) else f"version_{self.version}"
        log_dir = os.path.join(self.root_dir, version)
        if self._sub_dir is not None:
            log_dir = os.path.join(log_dir, self._sub_dir)
        return os.path.expanduser(os.path.expandvars(log_dir))

    @property
    def experiment(self):
        """The ``tensorboardX.SummaryWriter`` of this run (created on first use)."""
        if self._experiment is None:
            from tensorboardX import SummaryWriter

            os.makedirs(self.root_dir, exist_ok=True)
            self._experiment = SummaryWriter(log_dir=self.log_dir, **self._kwargs)
        return self._experiment

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> None:
        """Write each metric as a scalar (a dict value becomes ``add_scalars``)."""
        metrics = _add_prefix(metrics, self._prefix, self.LOGGER_JOIN_CHAR)
        for key, value in metrics.items():
            if isinstance(value, Mapping):
                values = {k: _metric_value(f"{key}/{k}", v) for k, v in value.items()}
                self.experiment.add_scalars(key, values, step)
            else:
                self.experiment.add_scalar(key, _metric_value(key, value), step)

    def log_hyperparams(
        self,
        params: Mapping[str, Any] | Namespace | None,
        metrics: Mapping[str, Any] | float | None = None,
    ) -> None:
        """Record hyperparameters for TensorBoard's HParams tab and ``hparams.yaml``.

        Args:
            params: a dict (nested dicts are flattened to ``"a/b"`` keys) or a Namespace.
            metrics: metric values to show beside them; ``None`` logs ``hp_metric = -1``
                when ``default_hp_metric`` is set, a bare number is logged as ``hp_metric``.
        """
        params = _convert_params(params)
        self.hparams.update(params)
        flat = _sanitize_params(_flatten_dict(params))
        if metrics is None:
            metrics = {"hp_metric": -1} if self._default_hp_metric else None
        elif not isinstance(metrics, Mapping):
            metrics = {"hp_metric": metrics}
        if metrics:
            metrics = {key: _metric_value(key, value) for key, value in metrics.items()}
            self.log_metrics(metrics, 0)
            from tensorboardX.summary import hparams

            experiment, start, end = hparams(flat, metrics)
            writer = self.experiment._get_file_writer()
            writer.add_summary(experiment)
            writer.add_summary(start)
            writer.add_summary(end)

    def log_graph(self, model, input_array=None) -> None:
        """Record the graph of ``model(input_array)`` when the logger has ``log_graph=True``.

        ``input_array`` defaults to ``model.example_input_array``; without either a warning
        says the graph could not be recorded.
        """
        if not self._log_graph:
            return
        if input_array is None:
            input_array = getattr(model, "example_input_array", None)
        if input_array is None:
            warnings.warn(
                "Could not log computational graph to TensorBoard: the "
                "`model.example_input_array` attribute is not set or `input_array` was not given.",
                stacklevel=2,
            )
            return
        from ._graph import build_graph_def

        self.experiment._get_file_writer().add_onnx_graph(build_graph_def(model, input_array))

    def save(self) -> None:
        """Flush the event file, and write ``hparams.yaml`` if it is not there yet."""
        self.experiment.flush()
        hparams_file = os.path.join(self.log_dir, self.NAME_HPARAMS_FILE)
        if os.path.isdir(self.log_dir) and not os.path.isfile(hparams_file):
            save_hparams_to_yaml(hparams_file, self.hparams)

    def finalize(self, status: str) -> None:
        """Flush and close the event file; on ``"success"`` also write ``hparams.yaml``."""
        if self._experiment is None:
            return
        if status == "success":
            self.save()
        self._experiment.flush()
        self._experiment.close()

    def _get_next_version(self) -> int:
        return _next_version(self.root_dir)

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state["_experiment"] = None  # a SummaryWriter holds threads and open files
        return state
