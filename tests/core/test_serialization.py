"""ember.save / ember.load: round trips, PyTorch checkpoints, safety and damaged files."""

import io
import os
import pathlib
import pickle
import zipfile
from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import nn
from ember.serialization import UnpicklingError

FIXTURES = pathlib.Path(__file__).parent / "fixtures"
ALL_DTYPES = [
    ember.float16, ember.float32, ember.float64, ember.int8, ember.int16, ember.int32,
    ember.int64, ember.uint8, ember.bool, ember.complex64, ember.complex128, ember.uint16,
    ember.uint32, ember.uint64,
]  # fmt: skip


def roundtrip(obj, **load_args):
    buf = io.BytesIO()
    ember.save(obj, buf)
    buf.seek(0)
    return ember.load(buf, **load_args)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=lambda d: d.name)
def test_tensor_roundtrip_every_dtype(dtype):
    t = (ember.arange(6) % 3).to(dtype).reshape(2, 3)
    out = roundtrip(t)
    assert out.dtype is dtype and out.shape == (2, 3)
    np.testing.assert_array_equal(out.numpy(), t.numpy())


def test_containers_primitives_and_numpy_arrays():
    obj = {
        "list": [1, 2.5, "s", None, True, (3, 4)],
        "ordered": OrderedDict(a=ember.ones(2), b=ember.zeros(1)),
        "array": np.arange(6, dtype=np.int16).reshape(2, 3),
        "dtype": ember.float64,
        "size": ember.Size([2, 3]),
        "device": ember.device("cpu"),
        "complex": 1 + 2j,
        "set": {1, 2},
    }
    out = roundtrip(obj)
    assert out["list"] == [1, 2.5, "s", None, True, (3, 4)]
    assert isinstance(out["ordered"], OrderedDict) and list(out["ordered"]) == ["a", "b"]
    assert out["array"].dtype == np.int16 and out["array"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert out["dtype"] is ember.float64 and out["size"] == ember.Size([2, 3])
    assert (
        out["device"] == ember.device("cpu") and out["complex"] == 1 + 2j and out["set"] == {1, 2}
    )


def test_shared_tensors_stay_shared():
    base = ember.arange(10.0)
    out = roundtrip({"base": base, "view": base[2:8:2], "t": base.reshape(2, 5).t()})
    assert out["view"].tolist() == [2.0, 4.0, 6.0]
    assert out["t"].shape == (5, 2) and out["t"][1, 1].item() == 6.0
    out["base"][4] = -1.0
    assert out["view"][1].item() == -1.0


def test_model_optimizer_and_scheduler_state_dicts():
    ember.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    opt = ember.optim.AdamW(model.parameters(), lr=0.1)
    sched = ember.optim.lr_scheduler.StepLR(opt, 2)
    for _ in range(3):
        opt.zero_grad()
        model(ember.randn(8, 3)).pow(2).mean().backward()
        opt.step()
        sched.step()
    ck = roundtrip(
        {"model": model.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict()}
    )
    clone = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    clone.load_state_dict(ck["model"])
    for a, b in zip(model.state_dict().values(), clone.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    opt2 = ember.optim.AdamW(clone.parameters(), lr=0.1)
    opt2.load_state_dict(ck["opt"])
    assert opt2.state_dict()["state"][0]["step"].item() == 3.0
    assert ck["sched"]["last_epoch"] == 3
    assert isinstance(roundtrip(nn.Parameter(ember.ones(2))), nn.Parameter)


def test_paths_and_map_location(tmp_path):
    path = tmp_path / "ck.pt"
    ember.save({"w": ember.ones(3)}, path)
    assert zipfile.is_zipfile(path)
    assert ember.load(path)["w"].tolist() == [1.0, 1.0, 1.0]
    assert ember.load(str(path), map_location="cpu")["w"].device == ember.device("cpu")
    assert ember.load(path, map_location={"cpu": "cpu"})["w"].is_cpu
    seen = []
    ember.load(path, map_location=lambda t, loc: seen.append(loc) or t)
    assert seen == ["cpu"]
    assert ember.load(path, mmap=True)["w"].tolist() == [1.0, 1.0, 1.0]


def test_write_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "ck.pt"
    ember.save({"epoch": 1}, path)

    def crash(obj, out, name):
        out.write(b"PK partial")
        raise OSError("disk full")

    monkeypatch.setattr(ember.serialization, "_write_archive", crash)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"epoch": 2}, path)
    monkeypatch.undo()
    assert ember.load(path) == {"epoch": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["ck.pt"]


def test_torch_state_dict_fixture_loads_into_ember_model():
    sd = ember.load(FIXTURES / "torch_state_dict.pt")
    model = nn.Sequential(nn.Conv2d(2, 3, 3), nn.BatchNorm2d(3), nn.Flatten(), nn.Linear(3, 2))
    assert model.load_state_dict(sd).missing_keys == []
    for i, (name, value) in enumerate(model.state_dict().items()):
        if value.is_floating_point():
            expected = np.arange(value.numel(), dtype=np.float32).reshape(value.shape) * 0.1 + i
            np.testing.assert_allclose(value.numpy(), expected, rtol=1e-6, err_msg=name)
    assert sd["1.num_batches_tracked"].dtype is ember.int64


def test_torch_dtype_fixture():
    data = ember.load(FIXTURES / "torch_dtypes.pt")
    for name, t in data.items():
        assert t.dtype is getattr(ember, name)
        expected = np.arange(6) % 2 == 1 if name == "bool" else np.arange(6)
        np.testing.assert_array_equal(t.numpy().reshape(-1), expected.astype(t.numpy().dtype))


def test_torch_shared_storage_fixture():
    data = ember.load(FIXTURES / "torch_shared.pt")
    assert data["view"].tolist() == [2.0, 4.0, 6.0, 8.0]
    np.testing.assert_array_equal(data["matrix_t"].numpy(), np.arange(12.0).reshape(3, 4).T)
    assert data["nested"][1][1]["deep"].tolist() == [11.0]
    assert isinstance(data["param"], nn.Parameter) and data["param"].requires_grad
    assert data["step"] == 7 and data["name"] == "checkpoint"
    data["base"][2] = 100.0
    assert data["view"][0].item() == 100.0  # views share their storage, as saved


class _Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > evil_marker",))


def _malicious_checkpoint(path):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("archive/data.pkl", pickle.dumps({"w": _Evil()}, protocol=2))
        zf.writestr("archive/version", "3\n")


def test_malicious_checkpoint_is_refused_and_runs_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "evil.pt"
    _malicious_checkpoint(path)
    with pytest.raises(UnpicklingError, match=r"refused the global '(posix|os|nt)\.system'"):
        ember.load(path)
    assert not (tmp_path / "evil_marker").exists()


class Config:
    def __init__(self, lr):
        self.lr = lr


def test_whole_objects_need_explicit_permission(tmp_path):
    path = tmp_path / "obj.pt"
    ember.save({"cfg": Config(0.5)}, path)
    with pytest.raises(UnpicklingError, match=r"add_safe_globals\(\[Config\]\)"):
        ember.load(path)
    with ember.serialization.safe_globals([Config]):
        assert ember.load(path)["cfg"].lr == 0.5
    with pytest.raises(UnpicklingError):
        ember.load(path)
    assert ember.load(path, weights_only=False)["cfg"].lr == 0.5
    ember.serialization.add_safe_globals([Config])
    try:
        assert Config in ember.serialization.get_safe_globals()
        assert ember.load(path)["cfg"].lr == 0.5
    finally:
        ember.serialization.clear_safe_globals()


def test_truncated_corrupted_and_foreign_files(tmp_path):
    good = tmp_path / "good.pt"
    ember.save({"w": ember.arange(1000.0)}, good)
    raw = good.read_bytes()
    truncated = tmp_path / "truncated.pt"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(UnpicklingError, match=r"truncated\.pt.*not a PyTorch/Ember zip checkpoint"):
        ember.load(truncated)
    foreign = tmp_path / "notes.txt"
    foreign.write_text("hello")
    with pytest.raises(UnpicklingError, match=r"notes\.txt"):
        ember.load(foreign)
    with pytest.raises(FileNotFoundError, match=r"missing\.pt"):
        ember.load(tmp_path / "missing.pt")
    corrupted = tmp_path / "corrupted.pt"
    data = bytearray(raw)
    start = data.find(b"data.pkl") + 40
    data[start : start + 20] = b"\xff" * 20
    corrupted.write_bytes(bytes(data))
    with pytest.raises(UnpicklingError, match=r"corrupted\.pt"):
        ember.load(corrupted)


def test_checkpoint_not_matching_model_is_reported(tmp_path):
    path = tmp_path / "linear.pt"
    ember.save(nn.Linear(4, 2).state_dict(), path)
    sd = ember.load(path)
    with pytest.raises(
        RuntimeError, match=r"linear\.pt(.|\n)*size mismatch for weight.*\[2, 4\].*\[2, 3\]"
    ):
        nn.Linear(3, 2).load_state_dict(sd)


def test_safetensors_roundtrip(tmp_path):
    path = tmp_path / "w.safetensors"
    tensors = {"a": ember.arange(6.0).reshape(2, 3), "b": ember.tensor([1, 2], dtype=ember.int32)}
    ember.serialization.save_safetensors(tensors, path, metadata={"format": "pt"})
    out = ember.serialization.load_safetensors(path)
    assert out["a"].tolist() == tensors["a"].tolist() and out["b"].dtype is ember.int32
    with pytest.raises(UnpicklingError, match=r"w\.safetensors"):
        (tmp_path / "w.safetensors").write_bytes(b"junk")
        ember.serialization.load_safetensors(path)


def test_save_refuses_object_arrays():
    with pytest.raises(TypeError, match="not data"):
        ember.save(np.array([object()]), io.BytesIO())
