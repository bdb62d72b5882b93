"""Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import nn


class Add(nn.Module):
    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, x):
        return x + self.k

    def extra_repr(self):
        return f"k={self.k}"


def _seq(*ks):
    return nn.Sequential(*[Add(k) for k in ks])


def _ks(seq):
    return [m.k for m in seq]


# -- Sequential -----------------------------------------------------------------------------
def test_sequential_forward_and_names():
    seq = _seq(1, 2, 3)
    assert float(seq(ember.tensor(0.0))) == 6.0
    assert list(seq._modules) == ["0", "1", "2"]
    named = nn.Sequential(OrderedDict([("a", Add(1)), ("b", Add(2))]))
    assert list(named._modules) == ["a", "b"] and named.b.k == 2
    assert float(nn.Sequential()(ember.tensor(5.0))) == 5.0


def test_sequential_indexing():
    seq = _seq(1, 2, 3, 4)
    assert seq[0].k == 1 and seq[-1].k == 4 and seq[-4].k == 1
    sub = seq[1:3]
    assert isinstance(sub, nn.Sequential) and _ks(sub) == [2, 3]
    assert list(sub._modules) == ["1", "2"]  # PyTorch keeps the original keys in slices
    assert _ks(seq[::-1]) == [4, 3, 2, 1]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        seq[4]
    with pytest.raises(IndexError, match="index -5 is out of range"):
        seq[-5]
    assert len(seq) == 4 and _ks(iter(seq)) == [1, 2, 3, 4]


def test_sequential_mutation():
    seq = _seq(1, 2, 3)
    seq[1] = Add(20)
    assert _ks(seq) == [1, 20, 3]
    del seq[0]
    assert _ks(seq) == [20, 3] and list(seq._modules) == ["0", "1"]
    seq.append(Add(4)).insert(0, Add(0))
    assert _ks(seq) == [0, 20, 3, 4]
    seq.insert(-1, Add(9))
    assert _ks(seq) == [0, 20, 3, 9, 4]
    with pytest.raises(IndexError, match="Index out of range: 9"):
        seq.insert(9, Add(1))
    seq.extend(_seq(7, 8))
    assert _ks(seq)[-2:] == [7, 8]
    popped = seq.pop(1)
    assert popped.k == 20 and _ks(seq) == [0, 3, 9, 4, 7, 8]
    del seq[1:3]
    assert _ks(seq) == [0, 4, 7, 8] and list(seq._modules) == ["0", "1", "2", "3"]


def test_sequential_add_mul():
    a, b = _seq(1, 2), _seq(3)
    c = a + b
    assert _ks(c) == [1, 2, 3] and c[0] is a[0]
    assert _ks(a * 2) == [1, 2, 1, 2] and _ks(2 * a) == [1, 2, 1, 2]
    a += b
    assert _ks(a) == [1, 2, 3]
    b *= 3
    assert _ks(b) == [3, 3, 3]
    with pytest.raises(ValueError, match="add operator supports only objects of Sequential"):
        a + [Add(1)]
    with pytest.raises(ValueError, match="Non-positive multiplication factor 0"):
        a * 0
    with pytest.raises(TypeError, match="unsupported operand"):
        a * 1.5


def test_sequential_repr_and_dir():
    seq = nn.Sequential(Add(1), nn.Sequential(Add(2)))
    assert repr(seq) == (
        "Sequential(\n  (0): Add(k=1)\n  (1): Sequential(\n    (0): Add(k=2)\n  )\n)"
    )
    assert repr(nn.Sequential()) == "Sequential()"
    assert "0" not in dir(seq) and "append" in dir(seq)


def test_sequential_state_dict_keys_and_parameters():
    seq = nn.Sequential(nn.Linear(2, 3), Add(1), nn.Linear(3, 1))
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(list(seq.parameters())) == 4


# -- ModuleList -----------------------------------------------------------------------------
def test_module_list():
    ml = nn.ModuleList([Add(1), Add(2)])
    assert len(ml) == 2 and ml[-1].k == 2
    ml.append(Add(3)).extend([Add(4)])
    ml += [Add(5)]
    assert _ks(ml) == [1, 2, 3, 4, 5]
    assert isinstance(ml[1:3], nn.ModuleList) and _ks(ml[1:3]) == [2, 3]
    ml.insert(1, Add(10))
    assert _ks(ml) == [1, 10, 2, 3, 4, 5]
    ml[0] = Add(0)
    del ml[1]
    assert _ks(ml) == [0, 2, 3, 4, 5] and list(ml._modules) == ["0", "1", "2", "3", "4"]
    assert ml.pop(-1).k == 5
    del ml[::2]
    assert _ks(ml) == [2, 4]
    combined = ml + nn.ModuleList([Add(6)])
    assert _ks(combined) == [2, 4, 6]
    with pytest.raises(IndexError, match="index 2 is out of range"):
        ml[2]
    with pytest.raises(TypeError, match=r"ModuleList.extend should be called with an iterable"):
        ml.extend(3)
    with pytest.raises(RuntimeError, match='missing the required "forward" function'):
        ml(ember.ones(1))


def test_module_list_repr_compresses_repeats_like_pytorch():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)] + [Add(1), Add(1), nn.Linear(2, 3)])
    assert repr(ml) == (
        "ModuleList(\n"
        "  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
        "  (3-4): 2 x Add(k=1)\n"
        "  (5): Linear(in_features=2, out_features=3, bias=True)\n"
        ")"
    )
    assert repr(nn.ModuleList()) == "ModuleList()"
    nested = nn.ModuleList([nn.Sequential(Add(1)), nn.Sequential(Add(1))])
    assert repr(nested) == ("ModuleList(\n  (0-1): 2 x Sequential(\n    (0): Add(k=1)\n  )\n)")


# -- ModuleDict -----------------------------------------------------------------------------
def test_module_dict():
    md = nn.ModuleDict({"b": Add(2), "a": Add(1)})
    assert list(md.keys()) == ["b", "a"]  # insertion order (PyTorch's ModuleDict)
    md["c"] = Add(3)
    assert "c" in md and len(md) == 3 and md["c"].k == 3
    assert [k for k in md] == ["b", "a", "c"]
    assert [m.k for m in md.values()] == [2, 1, 3]
    assert md.pop("b").k == 2 and list(md) == ["a", "c"]
    md.update([("d", Add(4))])
    md.update(nn.ModuleDict({"e": Add(5)}))
    assert list(md) == ["a", "c", "d", "e"]
    del md["a"]
    assert [k for k, _ in md.items()] == ["c", "d", "e"]
    with pytest.raises(ValueError, match="has length 3; 2 is required"):
        md.update([("x", Add(1), 3)])
    with pytest.raises(TypeError, match="should be called with an iterable"):
        md.update(5)
    md.clear()
    assert len(md) == 0
    assert repr(nn.ModuleDict({"a": Add(1)})) == "ModuleDict(\n  (a): Add(k=1)\n)"


# -- ParameterList / ParameterDict ----------------------------------------------------------
def test_parameter_list():
    pl = nn.ParameterList([nn.Parameter(ember.ones(3, 4)), ember.zeros(2)])
    assert isinstance(pl[1], nn.Parameter) and pl[1].requires_grad
    pl.append(ember.ones(1, dtype=ember.float64))
    pl.extend([ember.ones(5)])
    assert len(pl) == 4 and [p.shape[0] for p in pl] == [3, 2, 1, 5]
    assert [n for n, _ in pl.named_parameters()] == ["0", "1", "2", "3"]
    sub = pl[1:3]
    assert isinstance(sub, nn.ParameterList) and sub[0] is pl[1]
    pl[0] = ember.zeros(1)
    assert isinstance(pl[0], nn.Parameter) and pl[-4] is pl[0]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        pl[4]
    with pytest.raises(TypeError, match=r"ParameterList.extend should be called with an iterable"):
        pl.extend(ember.ones(2))
    with pytest.raises(RuntimeError, match="ParameterList should not be called"):
        pl()
    pl2 = nn.ParameterList([nn.Parameter(ember.ones(3, 4)), ember.ones(2, dtype=ember.float64)])
    pl2.append("text")
    assert repr(pl2) == (
        "ParameterList(\n"
        "    (0): Parameter containing: [ember.float32 of size 3x4]\n"
        "    (1): Parameter containing: [ember.float64 of size 2]\n"
        "    (2): Object of type: str\n"
        ")"
    )


def test_parameter_list_trains():
    pl = nn.ParameterList([ember.ones(2), ember.ones(2)])
    (pl[0] * pl[1] * 3).sum().backward()
    np.testing.assert_allclose(pl[0].grad.numpy(), [3.0, 3.0])


def test_parameter_dict():
    pd = nn.ParameterDict({"b": ember.ones(2), "a": ember.zeros(3)})
    assert list(pd) == ["a", "b"]  # a plain dict is added in sorted order (PyTorch)
    assert isinstance(pd["a"], nn.Parameter)
    pd2 = nn.ParameterDict(OrderedDict([("z", ember.ones(1)), ("y", ember.ones(1))]))
    assert list(pd2.keys()) == ["z", "y"]
    pd["c"] = nn.Parameter(ember.ones(1))
    assert "c" in pd and len(pd) == 3 and pd.get("nope") is None
    assert [k for k, _ in pd.items()] == ["a", "b", "c"]
    assert pd.pop("b").shape == (2,) and list(pd) == ["a", "c"]
    assert pd.setdefault("d", ember.ones(4)).shape == (4,)
    k, v = pd.popitem()
    assert k == "d" and v.shape == (4,)
    merged = pd | pd2
    assert list(merged) == ["a", "c", "z", "y"]
    copy = pd.copy()
    assert copy["a"] is pd["a"]
    assert list(reversed(pd)) == ["c", "a"]
    assert [n for n, _ in pd.named_parameters()] == ["a", "c"]
    with pytest.raises(TypeError, match="not a string"):
        nn.ParameterDict()[1] = ember.ones(1)
    with pytest.raises(RuntimeError, match="ParameterDict should not be called"):
        pd(1)
    assert repr(
        nn.ParameterDict({"a": ember.ones(3), "b": ember.ones(2, dtype=ember.float64)})
    ) == (
        "ParameterDict(\n"
        "    (a): Parameter containing: [ember.FloatTensor of size 3]\n"
        "    (b): Parameter containing: [ember.DoubleTensor of size 2]\n"
        ")"
    )
    pd.clear()
    assert len(pd) == 0 and list(pd.parameters()) == []


def test_containers_in_state_dict():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 1)])
            self.heads = nn.ModuleDict({"x": nn.Linear(1, 1)})
            self.extra = nn.ParameterList([ember.ones(1)])
            self.table = nn.ParameterDict({"t": ember.ones(2)})

    keys = list(Net().state_dict())
    assert keys == [
        "layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias",
        "heads.x.weight", "heads.x.bias", "extra.0", "table.t",
    ]  # fmt: skip
