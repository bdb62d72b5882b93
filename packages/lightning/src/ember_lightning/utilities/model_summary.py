"""``summarize``: a table of a model's layers, parameter counts and modes, as Lightning prints.

::

      | Name | Type       | Params | Mode  | In sizes  | Out sizes
    --------------------------------------------------------------------
    0 | net  | Sequential | 132 K  | train | [10, 256] | [10, 512]
    --------------------------------------------------------------------
    132 K     Trainable params
    0         Non-trainable params
    132 K     Total params
    0.530     Total estimated model params size (MB)
    2         Modules in train mode
    0         Modules in eval mode

The size is that of the parameters in their own dtypes (4 bytes each in float32, 8 in
float64), in megabytes of 10^6 bytes. The "In sizes" / "Out sizes" columns appear when the
model has an ``example_input_array``: the summary runs it once through the model (in eval
mode, without gradients) to record the shapes each layer sees.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any

__all__ = [
    "LayerSummary",
    "ModelSummary",
    "get_formatted_model_size",
    "get_human_readable_count",
    "summarize",
]

PARAMETER_NUM_UNITS = [" ", "K", "M", "B", "T"]
UNKNOWN_SIZE = "?"
LEFTOVER_PARAMS_NAME = "other params"
NOT_APPLICABLE = "n/a"


def _is_lazy(parameter) -> bool:
    from ember.nn.parameter import UninitializedParameter

    return isinstance(parameter, UninitializedParameter)


def _count(parameters) -> int:
    return sum(0 if _is_lazy(p) else p.numel() for p in parameters)


def parse_batch_shape(batch: Any) -> str | list:
    """The shape of a tensor as a list, nested for lists and tuples; ``"?"`` for others."""
    shape = getattr(batch, "shape", None)
    if shape is not None:
        return list(shape)
    if isinstance(batch, (list, tuple)):
        return [parse_batch_shape(item) for item in batch]
    return UNKNOWN_SIZE


class LayerSummary:
    """One row of the summary: a submodule's type, parameter count, mode and shapes.

    The input and output shapes are known once the model has run a forward pass while this
    summary's hook was attached.

    Args:
        module: the submodule.

    Example:
        >>> import ember
        >>> layer = LayerSummary(ember.nn.Conv2d(3, 8, 3))
        >>> layer.num_parameters, layer.layer_type
        (224, 'Conv2d')
    """

    def __init__(self, module) -> None:
        self._module = module
        self._in_size: str | list | None = None
        self._out_size: str | list | None = None
        self._hook_handle = module.register_forward_hook(self._hook, with_kwargs=True)

    def _hook(self, _module, args, kwargs, output) -> None:
        inputs = (*args, *kwargs.values()) if kwargs else args
        self._in_size = parse_batch_shape(inputs[0] if len(inputs) == 1 else inputs)
        self._out_size = parse_batch_shape(output)
        self.detach_hook()  # shapes of the first call only (modules used twice keep those)

    def detach_hook(self) -> None:
        """Remove the forward hook (after the example forward, or if it never ran)."""
        if self._hook_handle is not None:
            self._hook_handle.remove()
            self._hook_handle = None

    @property
    def in_size(self) -> str | list:
        return self._in_size or UNKNOWN_SIZE

    @property
    def out_size(self) -> str | list:
        return self._out_size or UNKNOWN_SIZE

    @property
    def layer_type(self) -> str:
        """The class name of the module."""
        return type(self._module).__name__

    @property
    def num_parameters(self) -> int:
        """Number of parameter elements in the module, its submodules included."""
        return _count(self._module.parameters())

    @property
    def training(self) -> bool:
        """Whether the module is in training mode."""
        return self._module.training


class ModelSummary:
    """The layer table of a model (a ``LightningModule`` or any ``ember.nn.Module``).

    Args:
        model: the model to summarise (the root module; it is not a row itself).
        max_depth: how deep to list submodules: 1 lists the direct children, 2 their
            children too, ``-1`` every submodule, 0 none (only the totals). Default: 1.

    Raises:
        ValueError: ``max_depth`` is not an int ``>= -1``.

    Example:
        >>> import ember
        >>> net = ember.nn.Sequential(ember.nn.Linear(256, 512), ember.nn.BatchNorm1d(512))
        >>> print(ModelSummary(net, max_depth=1))  # doctest: +NORMALIZE_WHITESPACE
          | Name | Type        | Params | Mode
        ---------------------------------------------
        0 | 0    | Linear      | 131 K  | train
        1 | 1    | BatchNorm1d | 1.0 K  | train
        ---------------------------------------------
        132 K     Trainable params
        0         Non-trainable params
        132 K     Total params
        0.530     Total estimated model params size (MB)
        2         Modules in train mode
        0         Modules in eval mode
    """

    def __init__(self, model, max_depth: int = 1) -> None:
        if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < -1:
            raise ValueError(f"`max_depth` can be -1, 0 or > 0, got {max_depth!r}.")
        self._model = model
        self._max_depth = max_depth
        self._layer_summary = self.summarize()

    @property
    def named_modules(self) -> list[tuple[str, Any]]:
        """The ``(path, module)`` pairs listed, before cutting at ``max_depth``."""
        if self._max_depth == 0:
            return []
        if self._max_depth == 1:
            return list(self._model.named_children())
        return list(self._model.named_modules())[1:]  # without the root

    def summarize(self) -> OrderedDict[str, LayerSummary]:
        summary = OrderedDict((name, LayerSummary(module)) for name, module in self.named_modules)
        if self._example_input() is not None and summary:
            self._forward_example_input()
        for layer in summary.values():
            layer.detach_hook()
        if self._max_depth >= 1:
            for name in [name for name in summary if name.count(".") >= self._max_depth]:
                del summary[name]
        return summary

    def _example_input(self):
        return getattr(self._model, "example_input_array", None)

    def _forward_example_input(self) -> None:
        import ember

        model = self._model
        example = self._example_input()
        modes = {module: module.training for module in model.modules()}
        model.eval()
        try:
            with ember.no_grad():
                if isinstance(example, (list, tuple)):
                    model(*example)
                elif isinstance(example, dict):
                    model(**example)
                else:
                    model(example)
        finally:
            for module, training in modes.items():
                module.training = training

    # -- columns --------------------------------------------------------------------------------
    @property
    def layer_names(self) -> list[str]:
        return list(self._layer_summary)

    @property
    def layer_types(self) -> list[str]:
        return [layer.layer_type for layer in self._layer_summary.values()]

    @property
    def in_sizes(self) -> list:
        return [layer.in_size for layer in self._layer_summary.values()]

    @property
    def out_sizes(self) -> list:
        return [layer.out_size for layer in self._layer_summary.values()]

    @property
    def param_nums(self) -> list[int]:
        return [layer.num_parameters for layer in self._layer_summary.values()]

    @property
    def training_modes(self) -> list[bool]:
        return [layer.training for layer in self._layer_summary.values()]

    # -- totals ---------------------------------------------------------------------------------
    @property
    def total_parameters(self) -> int:
        return _count(self._model.parameters())

    @property
    def trainable_parameters(self) -> int:
        return _count(p for p in self._model.parameters() if p.requires_grad)

    @property
    def total_layer_params(self) -> int:
        return sum(self.param_nums)

    @property
    def model_size(self) -> float:
        """Megabytes (10^6 bytes) taken by the parameters, in their own dtypes."""
        parameters = [p for p in self._model.parameters() if not _is_lazy(p)]
        return sum(p.numel() * p.element_size() for p in parameters) * 1e-6

    @property
    def total_training_modes(self) -> dict[str, int]:
        """How many submodules (the root excluded) are in train and in eval mode."""
        modes = [module.training for module in list(self._model.modules())[1:]]
        return {"train": modes.count(True), "eval": modes.count(False)}

    def _get_summary_data(self) -> list[tuple[str, list[str]]]:
        """The table's columns: ``(header, cells)`` pairs."""
        columns = [
            (" ", [str(i) for i in range(len(self._layer_summary))]),
            ("Name", self.layer_names),
            ("Type", self.layer_types),
            ("Params", [get_human_readable_count(n) for n in self.param_nums]),
            ("Mode", ["train" if mode else "eval" for mode in self.training_modes]),
        ]
        if self._example_input() is not None:
            columns.append(("In sizes", [str(size) for size in self.in_sizes]))
            columns.append(("Out sizes", [str(size) for size in self.out_sizes]))
        leftover = self.total_parameters - self.total_layer_params
        if leftover > 0:
            extra = {
                " ": " ",
                "Name": LEFTOVER_PARAMS_NAME,
                "Params": get_human_readable_count(leftover),
            }
            for header, cells in columns:
                cells.append(extra.get(header, NOT_APPLICABLE))
        return columns

    def __str__(self) -> str:
        return _format_summary_table(
            self.total_parameters,
            self.trainable_parameters,
            self.model_size,
            self.total_training_modes,
            *self._get_summary_data(),
        )

    def __repr__(self) -> str:
        return str(self)


def _format_summary_table(
    total_parameters: int,
    trainable_parameters: int,
    model_size: float,
    total_training_modes: dict[str, int],
    *columns: tuple[str, list[str]],
) -> str:
    """Lay the columns out as Lightning's summary table, followed by the totals."""
    n_rows = len(columns[0][1])
    widths = [
        max([len(header), *(len(str(cell)) for cell in cells)]) if n_rows else len(header)
        for header, cells in columns
    ]
    total_width = sum(widths) + 3 * (len(columns) + 1)
    lines = [" | ".join(f"{header:<{w}}" for (header, _), w in zip(columns, widths))]
    lines.append("-" * total_width)
    for i in range(n_rows):
        lines.append(" | ".join(f"{cells[i]!s:<{w}}" for (_, cells), w in zip(columns, widths)))
    lines.append("-" * total_width)
    totals = [
        (get_human_readable_count(trainable_parameters), "Trainable params"),
        (get_human_readable_count(total_parameters - trainable_parameters), "Non-trainable params"),
        (get_human_readable_count(total_parameters), "Total params"),
        (get_formatted_model_size(model_size), "Total estimated model params size (MB)"),
        (str(total_training_modes["train"]), "Modules in train mode"),
        (str(total_training_modes["eval"]), "Modules in eval mode"),
    ]
    lines.extend(f"{value:<10}{label}" for value, label in totals)
    return "\n".join(lines)


def get_formatted_model_size(total_model_size: float) -> str:
    """Megabytes with three decimals and thousands separators (``1,234.568``)."""
    return f"{total_model_size:,.3f}"


def get_human_readable_count(number: int) -> str:
    """A count with K, M, B, T for thousands, millions, billions and trillions.

    Example:
        >>> get_human_readable_count(123)
        '123  '
        >>> get_human_readable_count(1234)
        '1.2 K'
        >>> get_human_readable_count(2e6)
        '2.0 M'
        >>> get_human_readable_count(4e14)
        '400 T'
        >>> get_human_readable_count(5e15)
        '5,000 T'
    """
    if number < 0:
        raise ValueError(f"get_human_readable_count: expected a count >= 0, got {number}")
    num_digits = int(math.floor(math.log10(number)) + 1) if number > 0 else 1
    num_groups = min(math.ceil(num_digits / 3), len(PARAMETER_NUM_UNITS))
    index = num_groups - 1
    scaled = number * 10 ** (-3 * index)
    if index < 1 or scaled >= 100:
        return f"{int(scaled):,d} {PARAMETER_NUM_UNITS[index]}"
    return f"{scaled:,.1f} {PARAMETER_NUM_UNITS[index]}"


def summarize(lightning_module, max_depth: int = 1) -> ModelSummary:
    """The :class:`ModelSummary` of a module (``print`` it to see the table).

    Args:
        lightning_module: the module to summarise.
        max_depth: how deep to list submodules; ``-1`` all, 0 none. Default: 1.

    Example:
        >>> import ember
        >>> summary = summarize(ember.nn.Sequential(ember.nn.Linear(3, 2)), max_depth=-1)
        >>> summary.layer_names, summary.param_nums, summary.total_parameters
        (['0'], [8], 8)
    """
    return ModelSummary(lightning_module, max_depth=max_depth)
