"""F.pad (constant, reflect, replicate, circular; negative amounts crop) against np.pad,
gradient checks including second order for every mode, node names, errors, module reprs."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F
from ember import nn

_NP_MODE = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def ref_pad(x, pads, mode, value=0.0):
    """PyTorch's semantics from np.pad: constant/reflect/replicate pad the positive amounts
    and then crop the negative ones; circular crops first and then wraps."""
    nd = len(pads) // 2
    pairs = [(0, 0)] * (x.ndim - nd) + [(pads[2 * i], pads[2 * i + 1]) for i in range(nd)][::-1]
    if mode == "circular":
        crop = tuple(slice(max(-a, 0), x.shape[i] - max(-b, 0)) for i, (a, b) in enumerate(pairs))
        x = x[crop]
        return np.pad(x, [(max(a, 0), max(b, 0)) for a, b in pairs], mode="wrap")
    widths = [(max(a, 0), max(b, 0)) for a, b in pairs]
    if mode == "constant":
        out = np.pad(x, widths, mode="constant", constant_values=value)
    else:
        out = np.pad(x, widths, mode=_NP_MODE[mode])
    crop = tuple(slice(max(-a, 0), out.shape[i] - max(-b, 0)) for i, (a, b) in enumerate(pairs))
    return out[crop]


CASES = [
    ((2, 3, 5), (2, 3)),
    ((3, 5), (-1, 2)),
    ((3, 5), (2, -2)),
    ((2, 3, 4, 5), (2, 3, 1, 0)),
    ((3, 4, 5), (1, -1, 3, 2)),
    ((1, 2, 4, 5, 3), (2, 1, 1, 0, 2, 2)),
    ((2, 4, 5, 3), (0, 1, 1, -2, 2, 2)),
]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape, pads", CASES)
def test_pad_forward(mode, shape, pads):
    x = np.random.default_rng(0).standard_normal(shape)
    out = F.pad(ember.tensor(x), pads, mode=mode)
    np.testing.assert_array_equal(out.numpy(), ref_pad(x, pads, mode))


def test_pad_constant_value_and_dtypes():
    x = np.arange(6.0).reshape(2, 3)
    out = F.pad(ember.tensor(x), (1, 2, -1, 1), value=-7.5)
    np.testing.assert_array_equal(out.numpy(), ref_pad(x, (1, 2, -1, 1), "constant", -7.5))
    ints = F.pad(ember.tensor([[0, 1, 2]]), (1, 1), value=2.5)  # cast like PyTorch
    assert ints.dtype == ember.int64
    assert ints.tolist() == [[2, 0, 1, 2, 2]]
    assert F.pad(ember.ones(2, 2), (0, 0)).shape == (2, 2)


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape, pads", [CASES[1], CASES[4], CASES[6]])
def test_pad_gradcheck_second_order(gradcheck, rand, mode, shape, pads):
    gradcheck(lambda t: F.pad(t, pads, mode=mode) ** 2, rand(*shape, seed=1), second_order=True)


@pytest.mark.parametrize(
    "mode, pads, name",
    [
        ("constant", (1, 1), "ConstantPadNdBackward0"),
        ("reflect", (1, 1), "ReflectionPad1DBackward0"),
        ("reflect", (1, 1, 1, 1), "ReflectionPad2DBackward0"),
        ("replicate", (1, 1, 1, 1, 1, 1), "ReplicationPad3DBackward0"),
        ("circular", (1, 1, 1, 1), "CircularPad2DBackward0"),
    ],
)
def test_pad_node_names(mode, pads, name):
    x = ember.ones(2, 3, 4, 4, requires_grad=True)
    assert type(F.pad(x, pads, mode=mode).grad_fn).__name__ == name


def test_pad_gradient_accumulates_reflected_positions():
    x = ember.tensor([[0.0, 1.0, 2.0]], requires_grad=True)
    F.pad(x, (2, 2), mode="reflect").sum().backward()
    # output [2, 1, 0, 1, 2, 1, 0]: position 1 appears 3 times, the ends twice
    assert x.grad.tolist() == [[2.0, 3.0, 2.0]]
    y = ember.tensor([[0.0, 1.0, 2.0]], requires_grad=True)
    F.pad(y, (2, 1), mode="replicate").sum().backward()
    assert y.grad.tolist() == [[3.0, 1.0, 2.0]]


def test_pad_errors():
    x = ember.ones(2, 5)
    with pytest.raises(RuntimeError, match="Padding length must be divisible by 2"):
        F.pad(x, (1,))
    with pytest.raises(
        RuntimeError, match="Padding length should be less than or equal to two times"
    ):
        F.pad(x, (1, 1, 1, 1, 1, 1))
    with pytest.raises(RuntimeError, match="resulted in a negative output size"):
        F.pad(x, (-3, -3))
    with pytest.raises(ValueError, match="Unrecognised padding mode foo"):
        F.pad(x, (1, 1), mode="foo")
    with pytest.raises(RuntimeError, match="doesn't take in value argument"):
        F.pad(x, (1, 1), mode="reflect", value=1.0)
    with pytest.raises(
        RuntimeError,
        match=r"Padding size should be less than the corresponding input dimension, but got: "
        r"padding \(5, 2\) at dimension 1 of input \[2, 5\]",
    ):
        F.pad(x, (5, 2), mode="reflect")
    with pytest.raises(RuntimeError, match="Padding value causes wrapping around more than once"):
        F.pad(x, (6, 2), mode="circular")
    with pytest.raises(
        RuntimeError, match="Negative padding value is resulting in an empty dimension"
    ):
        F.pad(x, (-3, -3), mode="circular")


@pytest.mark.parametrize(
    "module, text",
    [
        (nn.ZeroPad1d(2), "ZeroPad1d((2, 2))"),
        (nn.ZeroPad2d((1, 1, 2, 0)), "ZeroPad2d((1, 1, 2, 0))"),
        (nn.ZeroPad3d(1), "ZeroPad3d((1, 1, 1, 1, 1, 1))"),
        (nn.ConstantPad1d(2, 3.5), "ConstantPad1d(padding=(2, 2), value=3.5)"),
        (nn.ConstantPad2d(1, 0), "ConstantPad2d(padding=(1, 1, 1, 1), value=0)"),
        (
            nn.ConstantPad3d((1, 2, 3, 4, 5, 6), 1.0),
            "ConstantPad3d(padding=(1, 2, 3, 4, 5, 6), value=1.0)",
        ),
        (nn.ReflectionPad1d(2), "ReflectionPad1d((2, 2))"),
        (nn.ReflectionPad2d(1), "ReflectionPad2d((1, 1, 1, 1))"),
        (nn.ReflectionPad3d(1), "ReflectionPad3d((1, 1, 1, 1, 1, 1))"),
        (nn.ReplicationPad1d(2), "ReplicationPad1d((2, 2))"),
        (nn.ReplicationPad2d(2), "ReplicationPad2d((2, 2, 2, 2))"),
        (nn.ReplicationPad3d(2), "ReplicationPad3d((2, 2, 2, 2, 2, 2))"),
        (nn.CircularPad1d(1), "CircularPad1d((1, 1))"),
        (nn.CircularPad2d(1), "CircularPad2d((1, 1, 1, 1))"),
        (nn.CircularPad3d(1), "CircularPad3d((1, 1, 1, 1, 1, 1))"),
    ],
)
def test_module_repr(module, text):
    assert repr(module) == text


@pytest.mark.parametrize(
    "cls, mode, n",
    [
        (nn.ConstantPad2d, "constant", 2),
        (nn.ZeroPad2d, "constant", 2),
        (nn.ReflectionPad2d, "reflect", 2),
        (nn.ReplicationPad1d, "replicate", 1),
        (nn.ReplicationPad3d, "replicate", 3),
        (nn.CircularPad2d, "circular", 2),
        (nn.ReflectionPad3d, "reflect", 3),
    ],
)
def test_modules_forward(cls, mode, n):
    x = np.random.default_rng(2).standard_normal((2, 3, 4, 5, 6)[-(n + 2) :])
    pads = tuple(range(1, 2 * n + 1))
    pads = tuple(min(p, 3) for p in pads)
    m = cls(pads, 2.0) if cls is nn.ConstantPad2d else cls(pads)
    value = 2.0 if cls is nn.ConstantPad2d else 0.0
    np.testing.assert_array_equal(m(ember.tensor(x)).numpy(), ref_pad(x, pads, mode, value))
    assert list(m.state_dict()) == []


def test_mode_modules_check_rank():
    with pytest.raises(ValueError, match="expected 3D or 4D input"):
        nn.ReflectionPad2d(1)(ember.ones(4, 4))
