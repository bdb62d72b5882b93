"""Model summary: the layer table, its totals and the ModelSummary callback."""

import re
from types import SimpleNamespace

import pytest

import ember
from ember import nn
from ember_lightning.callbacks.model_summary import ModelSummary as ModelSummaryCallback
from ember_lightning.utilities.model_summary import (
    LayerSummary,
    ModelSummary,
    get_formatted_model_size,
    get_human_readable_count,
    summarize,
)


class Net(nn.Module):
    """Hand-counted parameters:

    conv   Conv2d(1, 4, 3)        4*1*3*3 + 4 = 40
    bn     BatchNorm2d(4)         4 + 4       = 8   (eval mode; running stats are buffers)
    head   Sequential
      0    Flatten                            = 0
      1    Linear(16, 10)         16*10 + 10  = 170
    frozen Linear(2, 2)           2*2 + 2     = 6   (requires_grad=False)
    total 224, trainable 218, non-trainable 6
    """

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3)
        self.bn = nn.BatchNorm2d(4)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(16, 10))
        self.frozen = nn.Linear(2, 2)
        self.frozen.requires_grad_(False)
        self.bn.eval()

    def forward(self, x):
        return self.head(self.bn(self.conv(x)))


def rows(table):
    lines = table.splitlines()
    body = lines[2 : lines.index(lines[1], 2)]
    return [[cell.strip() for cell in line.split("|")] for line in body]


def totals(table):
    return table.splitlines()[-6:]


def test_depth_one_lists_children_with_hand_counted_params():
    summary = summarize(Net(), max_depth=1)
    assert summary.layer_names == ["conv", "bn", "head", "frozen"]
    assert summary.layer_types == ["Conv2d", "BatchNorm2d", "Sequential", "Linear"]
    assert summary.param_nums == [40, 8, 170, 6]
    assert summary.training_modes == [True, False, True, True]
    assert summary.total_parameters == 224
    assert summary.trainable_parameters == 218
    table = str(summary)
    assert rows(table) == [
        ["0", "conv", "Conv2d", "40", "train"],
        ["1", "bn", "BatchNorm2d", "8", "eval"],
        ["2", "head", "Sequential", "170", "train"],
        ["3", "frozen", "Linear", "6", "train"],
    ]
    assert totals(table) == [
        "218       Trainable params",
        "6         Non-trainable params",
        "224       Total params",
        "0.001     Total estimated model params size (MB)",
        "5         Modules in train mode",  # conv, head, head.0, head.1, frozen
        "1         Modules in eval mode",
    ]


def test_table_layout_matches_lightning():
    table = str(summarize(Net(), max_depth=1))
    lines = table.splitlines()
    assert lines[0] == "  | Name   | Type        | Params | Mode "
    # column widths: " "=1, Name=6, Type=11, Params=6, Mode=5; 3 characters per column + 3
    assert lines[1] == "-" * (1 + 6 + 11 + 6 + 5 + 3 * 6)
    assert lines[2] == "0 | conv   | Conv2d      | 40     | train"
    assert lines[6] == lines[1]


@pytest.mark.parametrize(
    ("depth", "names"),
    [
        (0, []),
        (1, ["conv", "bn", "head", "frozen"]),
        (2, ["conv", "bn", "head", "head.0", "head.1", "frozen"]),
        (-1, ["conv", "bn", "head", "head.0", "head.1", "frozen"]),
    ],
)
def test_depth(depth, names):
    summary = summarize(Net(), max_depth=depth)
    assert summary.layer_names == names
    assert summary.total_parameters == 224  # totals never depend on the depth


def test_nested_depth_cuts_deeper_modules():
    model = nn.Sequential(nn.Sequential(nn.Sequential(nn.Linear(2, 3)), nn.ReLU()), nn.Linear(3, 1))
    assert summarize(model, 2).layer_names == ["0", "0.0", "0.1", "1"]
    assert summarize(model, -1).layer_names == ["0", "0.0", "0.0.0", "0.1", "1"]
    assert summarize(model, -1).param_nums == [9, 9, 9, 0, 4]


def test_depth_zero_lists_no_layer_so_all_params_are_other_params():
    table = str(summarize(Net(), max_depth=0))
    assert rows(table) == [["", "other params", "n/a", "224", "n/a"]]
    assert "224       Total params" in table


def test_parameters_outside_submodules_show_as_other_params():
    class WithScale(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 3)
            self.scale = nn.Parameter(ember.ones(5))

    table = str(summarize(WithScale()))
    assert rows(table)[-1] == ["", "other params", "n/a", "5", "n/a"]
    assert "17        Total params" in table


def test_size_follows_parameter_dtype():
    model = nn.Linear(1000, 500)  # 500,500 parameters
    assert summarize(model).model_size == pytest.approx(500_500 * 4e-6)
    model.double()
    summary = summarize(model)
    assert summary.model_size == pytest.approx(500_500 * 8e-6)
    assert "4.004     Total estimated model params size (MB)" in str(summary)
    assert "500 K     Total params" in str(summary)


def test_example_input_adds_shape_columns_and_restores_modes():
    model = Net()
    model.example_input_array = ember.randn(2, 1, 4, 4)
    summary = summarize(model, max_depth=-1)
    table = str(summary)
    header = table.splitlines()[0]
    assert [cell.strip() for cell in header.split("|")][-2:] == ["In sizes", "Out sizes"]
    # both columns are as wide as their widest cell, "[2, 1, 4, 4]" (12 characters)
    assert header.endswith("| In sizes     | Out sizes   ")
    by_name = {row[1]: row for row in rows(table)}
    assert by_name["conv"][-2:] == ["[2, 1, 4, 4]", "[2, 4, 2, 2]"]
    assert by_name["head.0"][-2:] == ["[2, 4, 2, 2]", "[2, 16]"]
    assert by_name["head.1"][-2:] == ["[2, 16]", "[2, 10]"]
    assert by_name["frozen"][-2:] == ["?", "?"]  # not used by forward
    assert model.training and model.conv.training and not model.bn.training
    for module in model.modules():  # the recording hooks are gone
        assert len(module._forward_hooks) == 0


def test_layer_summary_records_nested_input_shapes():
    class Pair(nn.Module):
        def forward(self, a, b):
            return (a, [b, b])

    layer = LayerSummary(Pair())
    layer._module(ember.zeros(2, 3), ember.zeros(4))
    assert layer.in_size == [[2, 3], [4]]
    assert layer.out_size == [[2, 3], [[4], [4]]]
    assert layer.num_parameters == 0 and layer.layer_type == "Pair"


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0, "0  "),
        (123, "123  "),
        (999, "999  "),
        (1000, "1.0 K"),
        (1234, "1.2 K"),
        (99_949, "99.9 K"),
        (132_000, "132 K"),
        (2e6, "2.0 M"),
        (3e9, "3.0 B"),
        (4e14, "400 T"),
        (5e15, "5,000 T"),
    ],
)
def test_human_readable_count(number, text):
    assert get_human_readable_count(number) == text


def test_formatted_size_and_bad_inputs():
    assert get_formatted_model_size(1234.56789) == "1,234.568"
    with pytest.raises(ValueError, match=r"expected a count >= 0, got -1"):
        get_human_readable_count(-1)
    for bad in [-2, 1.5, "1", True]:
        with pytest.raises(ValueError, match=r"`max_depth` can be -1, 0 or > 0"):
            ModelSummary(Net(), max_depth=bad)
        with pytest.raises(ValueError, match=r"`max_depth` can be -1, 0 or > 0"):
            ModelSummaryCallback(max_depth=bad)


# -- the callback -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("depth", "is_global_zero", "expected_rows"),
    [(1, True, 4), (-1, True, 6), (0, True, None), (1, False, None)],
)
def test_callback_prints_the_table_at_fit_start(capsys, depth, is_global_zero, expected_rows):
    trainer = SimpleNamespace(is_global_zero=is_global_zero)
    ModelSummaryCallback(max_depth=depth).on_fit_start(trainer, Net())
    out = capsys.readouterr().out
    if expected_rows is None:
        assert out == ""
        return
    assert out == str(summarize(Net(), max_depth=depth)) + "\n"
    assert len(rows(out)) == expected_rows
    assert re.search(r"^224 +Total params$", out, re.MULTILINE)


def test_trainer_fit_prints_the_summary_once(tmp_path, capsys):
    import ember_lightning as L
    from ember.utils.data import DataLoader, TensorDataset

    class Module(L.LightningModule):
        def __init__(self):
            super().__init__()
            self.body = Net()

        def training_step(self, batch, batch_idx):
            return self.body(batch[0]).sum()

        def configure_optimizers(self):
            return ember.optim.SGD(self.parameters(), lr=0.01)

    loader = DataLoader(TensorDataset(ember.randn(2, 1, 4, 4)), batch_size=2)
    trainer = L.Trainer(
        max_epochs=1,
        default_root_dir=tmp_path,
        logger=False,
        enable_progress_bar=False,
        enable_checkpointing=False,
        callbacks=[ModelSummaryCallback(max_depth=2)],
    )
    trainer.fit(Module(), loader)
    out = capsys.readouterr().out
    assert out.count("Total params") == 1
    assert [row[1] for row in rows(out)] == [
        "body",
        "body.conv",
        "body.bn",
        "body.head",
        "body.frozen",
    ]
    assert "224       Total params" in out
