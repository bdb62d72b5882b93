import collections

import numpy as np
import pytest

import ember
from ember.utils.data import default_collate, default_convert


def test_tensors_arrays_and_numbers():
    batch = default_collate([(ember.ones(2), np.zeros(3, np.float32), 1.5, 2, True, "a")] * 2)
    t, a, f, i, b, s = batch
    assert t.shape == (2, 2) and a.shape == (2, 3) and a.dtype is ember.float32
    assert f.dtype is ember.float64 and i.dtype is ember.int64 and b.dtype is ember.bool
    assert s == ["a", "a"]


def test_mappings_and_namedtuples_are_collated_per_field():
    Point = collections.namedtuple("Point", "x y")
    out = default_collate([{"p": Point(1, 2.0)}, {"p": Point(3, 4.0)}])
    assert isinstance(out["p"], Point)
    assert out["p"].x.tolist() == [1, 3] and out["p"].y.tolist() == [2.0, 4.0]


def test_ragged_samples_name_the_field_and_sizes():
    with pytest.raises(RuntimeError, match=r"\['img'\].*0: \(3,\), 1: \(4,\)"):
        default_collate([{"img": ember.zeros(3)}, {"img": ember.zeros(4)}])
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [1]])


def test_default_convert_keeps_structure():
    out = default_convert({"a": np.arange(3), "b": [np.float32(1.0), "s"]})
    assert isinstance(out["a"], ember.Tensor) and out["a"].tolist() == [0, 1, 2]
    assert isinstance(out["b"][0], ember.Tensor) and out["b"][1] == "s"
