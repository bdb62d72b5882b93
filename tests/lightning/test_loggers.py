"""Loggers: CSVLogger files and versions, hparams.yaml, TensorBoardLogger event files."""

import csv
import os
import pathlib
import struct
import subprocess
import sys
import warnings
from argparse import Namespace

import numpy as np
import pytest
import yaml

import ember
from ember_lightning.loggers import CSVLogger, DummyLogger, Logger, TensorBoardLogger
from ember_lightning.loggers.csv_logs import load_hparams_from_yaml, save_hparams_to_yaml
from ember_lightning.loggers.logger import _version


def read_csv(path):
    with open(path, newline="") as file:
        reader = csv.reader(file)
        header = next(reader)
        return header, list(reader)


# -- versions and folders ------------------------------------------------------------------------
def test_first_version_is_zero_and_folders_follow_lightning_layout(tmp_path):
    logger = CSVLogger(tmp_path)
    assert logger.version == 0
    assert logger.name == "lightning_logs"
    assert logger.save_dir == str(tmp_path)
    assert logger.root_dir == os.path.join(tmp_path, "lightning_logs")
    assert logger.log_dir == os.path.join(tmp_path, "lightning_logs", "version_0")
    assert not os.path.exists(logger.root_dir)  # nothing is created before something is logged


def test_next_version_is_one_more_than_the_largest_version_folder(tmp_path):
    root = tmp_path / "exp"
    for name in ["version_0", "version_3", "version_x", "other"]:
        (root / name).mkdir(parents=True)
    (root / "version_9").write_text("a file, not a folder")
    logger = CSVLogger(tmp_path, name="exp")
    assert logger.version == 4
    assert logger.log_dir == os.path.join(tmp_path, "exp", "version_4")


def test_successive_loggers_take_successive_versions(tmp_path):
    versions = []
    for _ in range(3):
        logger = CSVLogger(tmp_path)
        logger.log_metrics({"a": 1.0}, step=0)
        logger.finalize("failed")
        versions.append(logger.version)
    assert versions == [0, 1, 2]
    assert sorted(os.listdir(tmp_path / "lightning_logs")) == [
        "version_0",
        "version_1",
        "version_2",
    ]


@pytest.mark.parametrize("name", [None, ""])
def test_no_name_puts_versions_in_save_dir(tmp_path, name):
    logger = CSVLogger(tmp_path, name=name)
    logger.log_metrics({"a": 1.0}, step=0)
    logger.save()
    assert logger.log_dir == os.path.join(tmp_path, "version_0")
    assert os.path.isfile(tmp_path / "version_0" / "metrics.csv")


def test_string_version_is_the_folder_name(tmp_path):
    logger = CSVLogger(tmp_path, name="exp", version="run-a")
    logger.log_metrics({"a": 1.0}, step=0)
    logger.save()
    assert os.path.isfile(tmp_path / "exp" / "run-a" / "metrics.csv")


def test_pathlib_save_dir(tmp_path):
    logger = CSVLogger(pathlib.Path(tmp_path), version=5)
    assert logger.log_dir == os.path.join(str(tmp_path), "lightning_logs", "version_5")


# -- metrics.csv ------------------------------------------------------------------------------
def test_metrics_csv_has_sorted_union_of_keys_and_empty_cells(tmp_path):
    logger = CSVLogger(tmp_path)
    logger.log_metrics({"train_loss": 0.5, "epoch": 0}, step=0)
    logger.log_metrics({"train_loss": 0.25, "epoch": 0}, step=1)
    logger.log_metrics({"val_loss": 0.75, "val_acc": 0.5, "epoch": 0}, step=1)
    logger.save()
    header, rows = read_csv(os.path.join(logger.log_dir, "metrics.csv"))
    assert header == ["epoch", "step", "train_loss", "val_acc", "val_loss"]
    assert rows == [
        ["0", "0", "0.5", "", ""],
        ["0", "1", "0.25", "", ""],
        ["0", "1", "", "0.5", "0.75"],
    ]


def test_new_keys_after_a_save_rewrite_the_file_with_the_wider_header(tmp_path):
    logger = CSVLogger(tmp_path)
    logger.log_metrics({"loss": 1.0}, step=0)
    logger.save()
    logger.log_metrics({"loss": 0.5}, step=1)
    logger.save()  # same keys: appended
    logger.log_metrics({"acc": 0.9, "loss": 0.25}, step=2)
    logger.save()  # a new key: rewritten
    header, rows = read_csv(os.path.join(logger.log_dir, "metrics.csv"))
    assert header == ["acc", "loss", "step"]
    assert rows == [["", "1.0", "0"], ["", "0.5", "1"], ["0.9", "0.25", "2"]]
    # no temporary files are left beside it
    assert sorted(os.listdir(logger.log_dir)) == ["metrics.csv"]


def test_rows_are_flushed_every_n_steps(tmp_path):
    logger = CSVLogger(tmp_path, flush_logs_every_n_steps=3)
    path = os.path.join(logger.log_dir, "metrics.csv")
    logger.log_metrics({"loss": 1.0}, step=0)
    logger.log_metrics({"loss": 0.9}, step=1)
    assert not os.path.exists(path)
    logger.log_metrics({"loss": 0.8}, step=2)
    assert len(read_csv(path)[1]) == 3
    logger.log_metrics({"loss": 0.7}, step=3)
    assert len(read_csv(path)[1]) == 3
    logger.finalize("failed")
    assert [row[0] for row in read_csv(path)[1]] == ["1.0", "0.9", "0.8", "0.7"]


def test_step_defaults_to_the_row_count(tmp_path):
    logger = CSVLogger(tmp_path, flush_logs_every_n_steps=2)
    for value in [3.0, 2.0, 1.0]:  # the buffer is flushed after the second row
        logger.log_metrics({"x": value})
    logger.save()
    header, rows = read_csv(os.path.join(logger.log_dir, "metrics.csv"))
    assert header == ["step", "x"]
    assert rows == [["0", "3.0"], ["1", "2.0"], ["2", "1.0"]]


def test_prefix_is_joined_with_a_dash(tmp_path):
    logger = CSVLogger(tmp_path, prefix="train")
    logger.log_metrics({"loss": 1.0}, step=0)
    logger.save()
    header, _ = read_csv(os.path.join(logger.log_dir, "metrics.csv"))
    assert header == ["step", "train-loss"]


def test_tensor_and_numpy_values_are_written_as_numbers(tmp_path):
    logger = CSVLogger(tmp_path)
    logger.log_metrics(
        {"a": ember.tensor(0.5), "b": np.float32(0.25), "c": ember.tensor([2.0]), "d": 7}, step=0
    )
    logger.save()
    _, rows = read_csv(os.path.join(logger.log_dir, "metrics.csv"))
    assert rows == [["0.5", "0.25", "2.0", "7", "0"]]


def test_bad_metric_values_raise_naming_the_key(tmp_path):
    logger = CSVLogger(tmp_path)
    with pytest.raises(ValueError, match=r"'vec'.*one-element tensor.*\(3,\)"):
        logger.log_metrics({"vec": ember.tensor([1.0, 2.0, 3.0])}, step=0)
    with pytest.raises(TypeError, match=r"'name'.*got str"):
        logger.log_metrics({"name": "abc"}, step=0)


def test_flush_interval_must_be_positive(tmp_path):
    with pytest.raises(ValueError, match=r"flush_logs_every_n_steps must be a positive int, got 0"):
        CSVLogger(tmp_path, flush_logs_every_n_steps=0)


def test_reused_version_folder_warns_and_replaces_old_metrics(tmp_path):
    first = CSVLogger(tmp_path, version=0)
    first.log_metrics({"old": 1.0}, step=0)
    first.save()
    second = CSVLogger(tmp_path, version=0)
    with pytest.warns(UserWarning, match=r"exists and is not empty"):
        second.log_metrics({"new": 2.0}, step=0)
    second.save()
    header, rows = read_csv(os.path.join(second.log_dir, "metrics.csv"))
    assert header == ["new", "step"]
    assert rows == [["2.0", "0"]]


def test_finalize_success_writes_the_plot_and_failed_does_not(tmp_path):
    ok = CSVLogger(tmp_path, version="ok")
    bad = CSVLogger(tmp_path, version="bad")
    for logger in (ok, bad):
        for step in range(4):
            logger.log_metrics({"train_loss": 1.0 / (step + 1), "epoch": step // 2}, step=step)
    ok.finalize("success")
    bad.finalize("failed")
    assert ok.plot_path == os.path.join(ok.log_dir, "metrics.png")
    assert os.path.isfile(ok.plot_path)
    assert bad.plot_path is None
    assert sorted(os.listdir(bad.log_dir)) == ["metrics.csv"]


def test_finalize_without_anything_logged_creates_nothing(tmp_path):
    logger = CSVLogger(tmp_path)
    logger.finalize("success")
    assert os.listdir(tmp_path) == []


# -- hparams.yaml -----------------------------------------------------------------------------
def test_hparams_yaml_round_trip(tmp_path):
    logger = CSVLogger(tmp_path)
    hparams = {
        "lr": 0.01,
        "layers": (64, 32),
        "name": "mlp",
        "nested": {"momentum": 0.9, "nesterov": True},
        "path": pathlib.Path("data/train"),
        "seed": np.int64(7),
        "none": None,
    }
    logger.log_hyperparams(hparams)
    path = os.path.join(logger.log_dir, "hparams.yaml")
    expected = {
        "lr": 0.01,
        "layers": [64, 32],
        "name": "mlp",
        "nested": {"momentum": 0.9, "nesterov": True},
        "path": "data/train",
        "seed": 7,
        "none": None,
    }
    with open(path) as file:
        assert yaml.safe_load(file) == expected
    assert load_hparams_from_yaml(path) == expected
    # later calls merge into the file
    logger.log_hyperparams(Namespace(batch_size=32))
    assert load_hparams_from_yaml(path) == {**expected, "batch_size": 32}


def test_hparams_that_yaml_cannot_hold_are_skipped_with_a_warning(tmp_path):
    path = tmp_path / "hparams.yaml"
    with pytest.warns(UserWarning, match=r"Skipping 'model'"):
        save_hparams_to_yaml(path, {"lr": 0.1, "model": object()})
    assert load_hparams_from_yaml(path) == {"lr": 0.1}
    assert os.listdir(tmp_path) == ["hparams.yaml"]  # atomic: no temporary file left


def test_load_hparams_errors_name_the_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(FileNotFoundError, match=r"nope\.yaml"):
        load_hparams_from_yaml(missing)
    listing = tmp_path / "list.yaml"
    listing.write_text("- 1\n- 2\n")
    with pytest.raises(ValueError, match=r"list\.yaml.*holds a list"):
        load_hparams_from_yaml(listing)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert load_hparams_from_yaml(empty) == {}


def test_log_hyperparams_rejects_other_types(tmp_path):
    with pytest.raises(TypeError, match=r"expected a dict or an argparse\.Namespace, got list"):
        CSVLogger(tmp_path).log_hyperparams([1, 2])


# -- base class and dummy ---------------------------------------------------------------------
def test_logger_base_requires_the_abstract_members():
    class Incomplete(Logger):
        pass

    with pytest.raises(TypeError, match=r"abstract"):
        Incomplete()

    class Minimal(Logger):
        name = "m"
        version = 3

        def log_metrics(self, metrics, step=None):
            self.last = (dict(metrics), step)

        def log_hyperparams(self, params, *args, **kwargs):
            pass

    logger = Minimal()
    logger.log_metrics({"a": 1.0}, 4)
    assert logger.last == ({"a": 1.0}, 4)
    assert logger.save_dir is None and logger.log_dir is None and logger.root_dir is None
    assert logger.finalize("success") is None


def test_dummy_logger_accepts_everything():
    logger = DummyLogger()
    assert logger.log_metrics({"a": 1}, step=0) is None
    assert logger.log_hyperparams({"lr": 1}) is None
    assert logger.anything_at_all(1, 2, x=3) is None
    assert logger.experiment.add_scalar("a", 1.0) is None
    assert logger[0] is logger
    assert logger.name == "" and logger.version == ""


def test_version_of_several_loggers_joins_distinct_versions(tmp_path):
    a = CSVLogger(tmp_path, name="a", version=1)
    b = CSVLogger(tmp_path, name="b", version=2)
    c = CSVLogger(tmp_path, name="c", version=1)
    assert _version([a]) == 1
    assert _version([a, b, c]) == "1_2"


# -- TensorBoard --------------------------------------------------------------------------------
def read_events(folder):
    """Every Event record of the event files in ``folder`` (TFRecord framing, CRCs checked)."""
    from tensorboardX.crc32c import crc32c
    from tensorboardX.proto import event_pb2

    def masked(data):
        crc = crc32c(data)
        return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF

    events = []
    files = sorted(f for f in os.listdir(folder) if f.startswith("events.out.tfevents."))
    assert files, f"no event file in {folder}: {os.listdir(folder)}"
    for name in files:
        data = pathlib.Path(folder, name).read_bytes()
        offset = 0
        while offset < len(data):
            header = data[offset : offset + 8]
            (length,) = struct.unpack("<Q", header)
            (header_crc,) = struct.unpack("<I", data[offset + 8 : offset + 12])
            assert header_crc == masked(header)
            payload = data[offset + 12 : offset + 12 + length]
            (payload_crc,) = struct.unpack("<I", data[offset + 12 + length : offset + 16 + length])
            assert payload_crc == masked(payload)
            events.append(event_pb2.Event.FromString(payload))
            offset += 16 + length
    return events


def scalars(events):
    out = {}
    for event in events:
        for value in event.summary.value:
            if value.HasField("simple_value"):
                out.setdefault(value.tag, []).append((event.step, value.simple_value))
    return out


def test_tensorboard_writes_scalars_and_hparams(tmp_path):
    logger = TensorBoardLogger(tmp_path)
    assert logger.log_dir == os.path.join(tmp_path, "lightning_logs", "version_0")
    logger.log_hyperparams({"lr": 0.1, "optim": {"name": "sgd", "momentum": 0.9}})
    for step in range(3):
        logger.log_metrics({"loss": 1.0 / (step + 1), "acc": ember.tensor(0.25 * step)}, step)
    logger.finalize("success")
    events = read_events(logger.log_dir)
    found = scalars(events)
    assert found["loss"] == [(0, 1.0), (1, 0.5), (2, pytest.approx(1 / 3))]
    assert found["acc"] == [(0, 0.0), (1, 0.25), (2, 0.5)]
    assert found["hp_metric"] == [(0, -1.0)]
    tags = {value.tag for event in events for value in event.summary.value}
    assert {"_hparams_/experiment", "_hparams_/session_start_info"} <= tags
    start = next(
        v for e in events for v in e.summary.value if v.tag == "_hparams_/session_start_info"
    )
    # the nested dict is flattened to "optim/name" ...
    assert b"optim/name" in start.metadata.plugin_data.content
    assert b"sgd" in start.metadata.plugin_data.content
    assert load_hparams_from_yaml(os.path.join(logger.log_dir, "hparams.yaml")) == {
        "lr": 0.1,
        "optim": {"name": "sgd", "momentum": 0.9},
    }


def test_tensorboard_prefix_sub_dir_and_no_default_hp_metric(tmp_path):
    logger = TensorBoardLogger(
        tmp_path, name="exp", version=3, prefix="train", sub_dir="tb", default_hp_metric=False
    )
    assert logger.log_dir == os.path.join(tmp_path, "exp", "version_3", "tb")
    logger.log_hyperparams({"lr": 0.1})
    logger.log_metrics({"loss": 2.0, "pair": {"a": 1.0, "b": 2.0}}, step=5)
    logger.finalize("success")
    found = scalars(read_events(logger.log_dir))
    assert found["train-loss"] == [(5, 2.0)]
    assert "hp_metric" not in found
    # add_scalars writes each member to its own run folder, tagged with the main tag
    for member, value in [("a", 1.0), ("b", 2.0)]:
        folder = os.path.join(logger.log_dir, "train-pair", member)
        assert scalars(read_events(folder))["train-pair"] == [(5, value)]


def test_tensorboard_versions_are_scanned(tmp_path):
    (tmp_path / "lightning_logs" / "version_4").mkdir(parents=True)
    assert TensorBoardLogger(tmp_path).version == 5


def test_tensorboard_log_graph_records_the_autograd_graph(tmp_path):
    from tensorboardX.proto.graph_pb2 import GraphDef

    class Net(ember.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = ember.nn.Linear(4, 3)
            self.fc2 = ember.nn.Linear(3, 2)

        def forward(self, x):
            return self.fc2(ember.relu(self.fc1(x)))

    logger = TensorBoardLogger(tmp_path, log_graph=True)
    net = Net().train()
    logger.log_graph(net, ember.randn(5, 4))
    logger.finalize("success")
    assert net.training  # mode restored
    graphs = [e.graph_def for e in read_events(logger.log_dir) if e.graph_def]
    assert len(graphs) == 1
    graph = GraphDef.FromString(graphs[0])
    nodes = {node.name: node for node in graph.node}
    for param in ["Net/fc1/weight", "Net/fc1/bias", "Net/fc2/weight", "Net/fc2/bias"]:
        assert nodes[param].op == "Parameter"
    assert nodes["Net/fc1/weight"].attr["_output_shapes"].s == b"[3, 4]"
    assert nodes["input/0"].attr["_output_shapes"].s == b"[5, 4]"
    # the output hangs off fc2's op, which takes relu's output, which takes fc1's op
    (last,) = nodes["output/0"].input
    assert last.startswith("Net/fc2/")
    assert "Net/fc2/weight" in nodes[last].input
    relu = next(name for name in nodes[last].input if "Relu" in name)
    (fc1_op,) = nodes[relu].input
    assert fc1_op.startswith("Net/fc1/")
    assert {"input/0", "Net/fc1/weight", "Net/fc1/bias"} <= set(nodes[fc1_op].input)


def test_graph_of_a_deep_model_numbers_ops_in_forward_order():
    from ember_lightning.loggers._graph import build_graph_def

    depth = 600  # deeper than Python's recursion limit allows for a recursive walk
    model = ember.nn.Sequential(*[ember.nn.Linear(2, 2) for _ in range(depth)])
    graph = build_graph_def(model, ember.randn(1, 2))
    assert len(graph.node) == 3 * depth + 2  # weight, bias, op per layer; input; output
    ops = [node for node in graph.node if node.op == "AddmmBackward0"]
    assert [node.name for node in ops[:2]] == [
        "Sequential/0/AddmmBackward0_0",
        "Sequential/1/AddmmBackward0_1",
    ]
    assert ops[1].input[0] == ops[0].name
    assert graph.node[-1].input == [f"Sequential/{depth - 1}/AddmmBackward0_{depth - 1}"]


def test_tensorboard_log_graph_without_input_warns_and_off_by_default(tmp_path):
    net = ember.nn.Linear(2, 2)
    with pytest.warns(UserWarning, match=r"example_input_array"):
        TensorBoardLogger(tmp_path, log_graph=True).log_graph(net)
    quiet = TensorBoardLogger(tmp_path, version="quiet")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet.log_graph(net, ember.randn(1, 2))
    assert quiet._experiment is None  # nothing was written


def test_tensorboard_missing_package_names_the_install_command(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install tensorboardX"):
        TensorBoardLogger(tmp_path)


def test_importing_loggers_loads_no_optional_dependency():
    code = (
        "import sys, ember_lightning.loggers as L; L.CSVLogger; L.TensorBoardLogger;"
        "import ember_lightning.loggers.plotting;"
        "heavy = [m for m in ('yaml', 'tensorboardX', 'matplotlib', 'tqdm', 'rich')"
        " if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- with the Trainer -------------------------------------------------------------------------
def tiny_fit(tmp_path, **trainer_kwargs):
    import ember_lightning as L
    from ember.utils.data import DataLoader, TensorDataset

    class Regression(L.LightningModule):
        def __init__(self, lr=0.05, hidden=(4, 2)):
            super().__init__()
            self.save_hyperparameters()
            self.net = ember.nn.Linear(3, 1)

        def forward(self, x):
            return self.net(x)

        def training_step(self, batch, batch_idx):
            x, y = batch
            loss = ember.nn.functional.mse_loss(self(x), y)
            self.log("train_loss", loss)
            return loss

        def validation_step(self, batch, batch_idx):
            x, y = batch
            self.log("val_loss", ember.nn.functional.mse_loss(self(x), y))

        def configure_optimizers(self):
            return ember.optim.SGD(self.parameters(), lr=self.hparams.lr)

    ember.manual_seed(0)
    x = ember.randn(12, 3)
    loader = DataLoader(TensorDataset(x, x.sum(1, keepdim=True)), batch_size=4)
    options = {
        "max_epochs": 2,
        "default_root_dir": tmp_path,
        "log_every_n_steps": 1,
        "enable_progress_bar": False,
        "enable_model_summary": False,
        "enable_checkpointing": False,
    }
    trainer = L.Trainer(**{**options, **trainer_kwargs})
    trainer.fit(Regression(), loader, loader)
    return trainer


def test_trainer_fit_writes_csv_hparams_and_plot(tmp_path):
    trainer = tiny_fit(tmp_path)
    log_dir = os.path.join(tmp_path, "lightning_logs", "version_0")
    assert trainer.log_dir == log_dir
    assert sorted(os.listdir(log_dir)) == ["hparams.yaml", "metrics.csv", "metrics.png"]
    header, rows = read_csv(os.path.join(log_dir, "metrics.csv"))
    assert header == ["epoch", "step", "train_loss", "val_loss"]
    train_rows = [row for row in rows if row[2]]
    val_rows = [row for row in rows if row[3]]
    assert [(r[0], r[1]) for r in train_rows] == [(str(s // 3), str(s)) for s in range(6)]
    assert [(r[0], r[1]) for r in val_rows] == [("0", "2"), ("1", "5")]
    last_val = float(val_rows[-1][3])
    assert last_val == pytest.approx(float(trainer.callback_metrics["val_loss"]), rel=1e-6)
    assert load_hparams_from_yaml(os.path.join(log_dir, "hparams.yaml")) == {
        "lr": 0.05,
        "hidden": [4, 2],
    }
    from PIL import Image

    with Image.open(os.path.join(log_dir, "metrics.png")) as image:
        assert image.size == (800, 260)  # one panel: the two losses


def test_trainer_fit_with_tensorboard_logger(tmp_path):
    logger = TensorBoardLogger(tmp_path)
    trainer = tiny_fit(tmp_path, logger=logger)
    assert trainer.logger is logger
    found = scalars(read_events(logger.log_dir))
    assert [step for step, _ in found["train_loss"]] == list(range(6))
    assert [step for step, _ in found["val_loss"]] == [2, 5]
    assert found["val_loss"][-1][1] == pytest.approx(
        float(trainer.callback_metrics["val_loss"]), rel=1e-6
    )
    assert load_hparams_from_yaml(os.path.join(logger.log_dir, "hparams.yaml"))["lr"] == 0.05


def test_trainer_logs_the_graph_when_the_logger_asks(tmp_path, boring_model, quiet):
    import ember_lightning as L

    model = boring_model()
    model.example_input_array = ember.randn(2, 4)
    logger = TensorBoardLogger(tmp_path, log_graph=True)
    trainer = L.Trainer(max_epochs=1, logger=logger, enable_checkpointing=False, **quiet)
    trainer.fit(model)
    graphs = [e.graph_def for e in read_events(logger.log_dir) if e.graph_def]
    assert len(graphs) == 1  # written once, at the start of fit
    # without log_graph=True nothing is recorded
    plain = TensorBoardLogger(tmp_path, name="plain")
    L.Trainer(max_epochs=1, logger=plain, enable_checkpointing=False, **quiet).fit(model)
    assert not [e for e in read_events(plain.log_dir) if e.graph_def]
