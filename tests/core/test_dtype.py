"""dtypes: promotion (``result_type``, ``promote_types``, ``can_cast`` and the dtypes of
mixed arithmetic), ``finfo``/``iinfo``, conversions (``.to``, ``.float()``, ``.type()``...),
the default dtype, and bfloat16 through ml_dtypes.

``PYTORCH_CASES`` holds expressions whose ``repr`` was recorded from PyTorch 2.13 (with
``torch`` replaced by ``ember``); Ember must give the same.
"""

# Recorded PyTorch strings are kept whole, and match= patterns are written plainly:
# ruff: noqa: E501, RUF043

from __future__ import annotations

import numpy as np
import pytest

import ember


def _eval(expr: str):
    return eval(expr, {"ember": ember, "np": np})


PYTORCH_CASES = [
    ("ember.result_type(ember.tensor([1, 2]), 1.0)", "ember.float32"),
    ("ember.result_type(ember.tensor([1, 2], dtype=ember.int32), 5)", "ember.int32"),
    (
        "ember.result_type(ember.tensor([1., 2.]), ember.tensor(1., dtype=ember.float64))",
        "ember.float32",
    ),
    (
        "ember.result_type(ember.tensor([1, 2]), ember.tensor(1., dtype=ember.float64))",
        "ember.float64",
    ),
    ("ember.result_type(ember.tensor([1, 2], dtype=ember.int8), ember.tensor(1000))", "ember.int8"),
    (
        "ember.result_type(ember.tensor([1, 2], dtype=ember.uint8), ember.tensor(-1, dtype=ember.int8))",
        "ember.uint8",
    ),
    (
        "ember.result_type(ember.tensor([1, 2], dtype=ember.uint8), ember.tensor([-1], dtype=ember.int8))",
        "ember.int16",
    ),
    ("ember.result_type(ember.tensor([1, 2], dtype=ember.float16), 1.0)", "ember.float16"),
    (
        "ember.result_type(ember.tensor([1, 2], dtype=ember.float16), ember.tensor(1.0))",
        "ember.float16",
    ),
    ("ember.result_type(ember.tensor([1, 2], dtype=ember.int64), 1j)", "ember.complex64"),
    ("ember.result_type(ember.tensor([1., 2.], dtype=ember.float64), 1j)", "ember.complex128"),
    ("ember.result_type(ember.tensor([True]), 2)", "ember.int64"),
    ("ember.result_type(ember.tensor([True]), 2.0)", "ember.float32"),
    ("ember.result_type(ember.tensor([True]), True)", "ember.bool"),
    ("ember.result_type(ember.tensor(1), ember.tensor(1.))", "ember.float32"),
    ("ember.result_type(ember.tensor(1, dtype=ember.int32), 2)", "ember.int32"),
    ("ember.result_type(2, 3.0)", "ember.float32"),
    ("ember.result_type(2, 3)", "ember.int64"),
    ("ember.result_type(True, 3)", "ember.int64"),
    (
        "ember.result_type(ember.tensor([1.], dtype=ember.float16), ember.tensor(1., dtype=ember.float64))",
        "ember.float16",
    ),
    (
        "ember.result_type(ember.tensor([1], dtype=ember.int32), ember.tensor(1, dtype=ember.int64))",
        "ember.int32",
    ),
    (
        "ember.result_type(ember.tensor([1.+1j], dtype=ember.complex64), ember.tensor(1., dtype=ember.float64))",
        "ember.complex64",
    ),
    (
        "ember.result_type(ember.tensor([1.+1j], dtype=ember.complex64), ember.tensor([1.], dtype=ember.float64))",
        "ember.complex128",
    ),
    (
        "ember.result_type(ember.tensor([1.], dtype=ember.float32), ember.tensor(1j, dtype=ember.complex128))",
        "ember.complex64",
    ),
    ("ember.promote_types(ember.int64, ember.float16)", "ember.float16"),
    ("ember.promote_types(ember.uint8, ember.int8)", "ember.int16"),
    ("ember.promote_types(ember.bool, ember.int8)", "ember.int8"),
    ("ember.promote_types(ember.float32, ember.complex64)", "ember.complex64"),
    ("ember.promote_types(ember.float64, ember.complex64)", "ember.complex128"),
    ("ember.promote_types(ember.int32, ember.uint8)", "ember.int32"),
    ("ember.promote_types(ember.float16, ember.bfloat16)", "ember.float32"),
    ("ember.can_cast(ember.float64, ember.float32)", "True"),
    ("ember.can_cast(ember.float32, ember.int32)", "False"),
    ("ember.can_cast(ember.int32, ember.float32)", "True"),
    ("ember.can_cast(ember.bool, ember.int8)", "True"),
    ("ember.can_cast(ember.int8, ember.bool)", "False"),
    ("ember.can_cast(ember.complex64, ember.float64)", "False"),
    ("ember.can_cast(ember.uint8, ember.int8)", "True"),
    ("(ember.tensor([1, 2]) / ember.tensor([2, 4])).dtype", "ember.float32"),
    ("(ember.tensor([1, 2]) * 2.5).dtype", "ember.float32"),
    ("(ember.tensor([1., 2.]) * ember.tensor(2., dtype=ember.float64)).dtype", "ember.float32"),
    ("(ember.tensor([1, 2]) + ember.tensor(2., dtype=ember.float64)).dtype", "ember.float64"),
    ("(ember.tensor([1, 2], dtype=ember.int32) + 5).dtype", "ember.int32"),
    ("(ember.tensor([True]) + True).dtype", "ember.bool"),
    ("(ember.tensor([True]) + 1).dtype", "ember.int64"),
    (
        "(ember.tensor([1, 2], dtype=ember.int32) + ember.tensor([1], dtype=ember.int64)).dtype",
        "ember.int64",
    ),
    ("(ember.tensor([1., 2.], dtype=ember.float16) * 2.5).dtype", "ember.float16"),
    ("(ember.tensor([1, 2]) * 1j).dtype", "ember.complex64"),
    ("(ember.tensor(1) / 2).dtype", "ember.float32"),
    ("(ember.tensor([1., 2.]) * np.float64(2.0)).dtype", "ember.float32"),
    ("ember.finfo(ember.float32).eps", "1.1920928955078125e-07"),
    ("ember.finfo(ember.float16).max", "65504.0"),
    ("ember.finfo(ember.float64).tiny", "2.2250738585072014e-308"),
    ("ember.finfo(ember.float32).bits", "32"),
    ("ember.finfo(ember.float32).resolution", "1e-06"),
    ("ember.finfo(ember.bfloat16).eps", "0.0078125"),
    ("ember.finfo(ember.bfloat16).max", "3.3895313892515355e+38"),
    ("ember.finfo(ember.bfloat16).tiny", "1.1754943508222875e-38"),
    ("ember.finfo(ember.bfloat16).resolution", "0.01"),
    ("ember.finfo().dtype", "'float32'"),
    ("ember.finfo(ember.complex64).dtype", "'float32'"),
    ("ember.finfo(ember.float32).smallest_normal", "1.1754943508222875e-38"),
    ("ember.finfo(ember.float16).resolution", "0.001"),
    ("ember.finfo(ember.float32).min", "-3.4028234663852886e+38"),
    (
        "str(ember.finfo(ember.float32))",
        "'finfo(resolution=1e-06, min=-3.40282e+38, max=3.40282e+38, eps=1.19209e-07, smallest_normal=1.17549e-38, tiny=1.17549e-38, dtype=float32)'",
    ),
    ("str(ember.iinfo(ember.int8))", "'iinfo(min=-128, max=127, dtype=int8)'"),
    ("ember.iinfo(ember.int8).max", "127"),
    ("ember.iinfo(ember.uint8).min", "0"),
    ("ember.iinfo(ember.int64).max", "9223372036854775807"),
    ("ember.iinfo(ember.int32).bits", "32"),
    ("ember.iinfo(ember.int16).dtype", "'int16'"),
    ("ember.float32.is_floating_point", "True"),
    ("ember.int32.is_signed", "True"),
    ("ember.uint8.is_signed", "False"),
    ("ember.bool.is_signed", "False"),
    ("ember.complex64.is_complex", "True"),
    ("ember.float16.itemsize", "2"),
    ("ember.float32.to_complex()", "ember.complex64"),
    ("ember.complex128.to_real()", "ember.float64"),
    ("ember.float64.to_complex()", "ember.complex128"),
    ("repr(ember.float32)", "'ember.float32'"),
    ("str(ember.float32)", "'ember.float32'"),
    ("ember.float == ember.float32", "True"),
    ("ember.long", "ember.int64"),
    ("ember.cfloat", "ember.complex64"),
    ("ember.half", "ember.float16"),
    ("ember.double", "ember.float64"),
    ("ember.tensor([1.5, -2.5]).to(ember.int64)", "tensor([ 1, -2])"),
    ("ember.tensor([1.5, -2.5]).long()", "tensor([ 1, -2])"),
    ("ember.tensor([1.5, 0.]).bool()", "tensor([ True, False])"),
    ("ember.tensor([1, 2]).float()", "tensor([1., 2.])"),
    ("ember.tensor([1, 2]).double()", "tensor([1., 2.], dtype=ember.float64)"),
    ("ember.tensor([1, 2]).half()", "tensor([1., 2.], dtype=ember.float16)"),
    ("ember.tensor([1.7, 2]).int()", "tensor([1, 2], dtype=ember.int32)"),
    ("ember.tensor([1.5]).type()", "'ember.FloatTensor'"),
    ("ember.tensor([1]).type()", "'ember.LongTensor'"),
    ("ember.tensor([1.5], dtype=ember.float64).type()", "'ember.DoubleTensor'"),
    ("ember.tensor([True]).type()", "'ember.BoolTensor'"),
    ("ember.tensor([1.5]).type(ember.int64)", "tensor([1])"),
    ("ember.tensor([1.5]).type('ember.DoubleTensor')", "tensor([1.5000], dtype=ember.float64)"),
    ("ember.tensor([1.5]).to(ember.float64).dtype", "ember.float64"),
    ("ember.tensor([1.5]).to('cpu').dtype", "ember.float32"),
    ("ember.tensor([1.5]).to('cpu', ember.float64).dtype", "ember.float64"),
    (
        "ember.tensor([1.5]).to(ember.tensor([1], dtype=ember.int32))",
        "tensor([1], dtype=ember.int32)",
    ),
    ("ember.tensor([1.5]).to(dtype=ember.float16)", "tensor([1.5000], dtype=ember.float16)"),
    (
        "ember.tensor([1.5]).to(device='cpu', dtype=ember.float64)",
        "tensor([1.5000], dtype=ember.float64)",
    ),
    ("ember.tensor([300.0, -1.]).to(ember.uint8)", "tensor([ 44, 255], dtype=ember.uint8)"),
    ("ember.tensor([1, 2]).to(float)", "tensor([1., 2.], dtype=ember.float64)"),
    ("ember.tensor([1, 2]).to(ember.tensor([1.]))", "tensor([1., 2.])"),
    ("ember.tensor([1.5]).char()", "tensor([1], dtype=ember.int8)"),
    ("ember.tensor([1.5]).short()", "tensor([1], dtype=ember.int16)"),
    ("ember.tensor([1.5]).byte()", "tensor([1], dtype=ember.uint8)"),
    ("ember.tensor([1.5]).cfloat()", "tensor([1.5000+0.j])"),
    ("ember.tensor([1.5]).cdouble()", "tensor([1.5000+0.j], dtype=ember.complex128)"),
    ("str(ember.device('cuda', 0))", "'cuda:0'"),
    ("ember.device('cpu').type", "'cpu'"),
    ("str(ember.device('cpu'))", "'cpu'"),
    ("ember.get_default_dtype()", "ember.float32"),
    ("ember.zeros(2, dtype=float).dtype", "ember.float64"),
    ("ember.zeros(2, dtype=int).dtype", "ember.int64"),
    ("ember.zeros(2, dtype=bool).dtype", "ember.bool"),
    ("ember.zeros(2, dtype=complex).dtype", "ember.complex128"),
    ("ember.tensor([1.5], dtype=ember.bool)", "tensor([True])"),
]


@pytest.mark.parametrize(("expr", "expected"), PYTORCH_CASES)
def test_matches_pytorch(expr, expected):
    assert repr(_eval(expr)) == expected


def test_set_default_dtype_changes_inference_and_promotion():
    ember.set_default_dtype(ember.float64)
    try:
        assert ember.get_default_dtype() is ember.float64
        assert ember.tensor([1.5]).dtype is ember.float64
        assert ember.tensor([1j]).dtype is ember.complex128
        assert ember.zeros(2).dtype is ember.float64
        assert (ember.tensor([1, 2]) / 2).dtype is ember.float64
        assert ember.result_type(ember.tensor([1]), 1.0) is ember.float64
        assert ember.finfo().dtype == "float64"
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.5]).dtype is ember.float32


def test_set_default_dtype_rejects_integers():
    with pytest.raises(TypeError, match="only floating-point types"):
        ember.set_default_dtype(ember.int64)


def test_python_types_as_dtypes():
    # PyTorch: the Python type float is float64 (not the default dtype), complex complex128
    assert ember.tensor([1], dtype=float).dtype is ember.float64
    assert ember.tensor([1], dtype=int).dtype is ember.int64
    assert ember.tensor([1], dtype=complex).dtype is ember.complex128
    assert ember.ones(1).to(bool).dtype is ember.bool


def test_numpy_dtypes_and_names_are_accepted():
    assert ember.zeros(1, dtype=np.float16).dtype is ember.float16
    assert ember.zeros(1, dtype=np.dtype("int32")).dtype is ember.int32
    assert ember.zeros(1, dtype="float64").dtype is ember.float64


def test_dtypes_pickle_to_the_same_object():
    import pickle

    for dt in (ember.float32, ember.int8, ember.bool, ember.complex128, ember.bfloat16):
        assert pickle.loads(pickle.dumps(dt)) is dt


def test_promotion_is_symmetric_and_matches_result_type():
    dts = [ember.bool, ember.uint8, ember.int8, ember.int32, ember.int64, ember.float16,
           ember.float32, ember.float64, ember.complex64, ember.complex128]  # fmt: skip
    for a in dts:
        for b in dts:
            p = ember.promote_types(a, b)
            assert p is ember.promote_types(b, a)
            x = ember.zeros(2, dtype=a)
            y = ember.zeros(2, dtype=b)
            assert ember.result_type(x, y) is p


def test_can_cast_never_lowers_the_category():
    assert ember.can_cast(ember.int64, ember.int8)  # same kind, narrower: allowed
    assert not ember.can_cast(ember.float16, ember.int64)
    assert not ember.can_cast(ember.complex64, ember.float64)


def test_finfo_iinfo_errors():
    with pytest.raises(TypeError, match="ember.finfo\\(\\) requires a floating point"):
        ember.finfo(ember.int32)
    with pytest.raises(TypeError, match="ember.iinfo\\(\\) requires an integer"):
        ember.iinfo(ember.float32)
    with pytest.raises(TypeError, match="ember.bool is not supported by ember.iinfo"):
        ember.iinfo(ember.bool)


def test_conversion_returns_self_unless_something_changes():
    x = ember.tensor([1.0, 2.0])
    assert x.to(ember.float32) is x
    assert x.to("cpu") is x
    assert x.float() is x
    assert x.to(ember.float32, copy=True) is not x
    with pytest.raises(ValueError, match="invalid type"):
        x.type("ember.NoSuchTensor")


def test_conversion_is_differentiable():
    x = ember.tensor([1.5, -2.0], requires_grad=True)
    y = x.double()
    assert y.grad_fn is not None and type(y.grad_fn).__name__ == "ToCopyBackward0"
    y.backward(ember.ones(2, dtype=ember.float64))
    assert x.grad.dtype is ember.float32 and x.grad.tolist() == [1.0, 1.0]
    assert not x.long().requires_grad  # integer results leave the graph


def test_float_to_int_truncates_toward_zero():
    assert ember.tensor([1.9, -1.9, 0.5]).to(ember.int32).tolist() == [1, -1, 0]


# -- bfloat16 ----------------------------------------------------------------------------------


def _has_ml_dtypes() -> bool:
    try:
        import ml_dtypes  # noqa: F401
    except ImportError:
        return False
    return True


def test_bfloat16_metadata_without_storage():
    bf = ember.bfloat16
    assert bf.is_floating_point and not bf.is_complex and bf.itemsize == 2
    assert repr(bf) == "ember.bfloat16"
    assert ember.promote_types(bf, ember.float16) is ember.float32
    assert ember.promote_types(bf, ember.float64) is ember.float64
    assert ember.promote_types(bf, ember.int64) is bf
    assert ember.finfo(bf).eps == 0.0078125


@pytest.mark.skipif(_has_ml_dtypes(), reason="checks the error without ml_dtypes")
def test_bfloat16_without_ml_dtypes_raises_a_clear_error():
    msg = "bfloat16 needs the ml_dtypes package: pip install ml_dtypes"
    with pytest.raises(TypeError, match=msg):
        ember.tensor([1.0], dtype=ember.bfloat16)
    with pytest.raises(TypeError, match=msg):
        ember.zeros(2, dtype=ember.bfloat16)
    with pytest.raises(TypeError, match=msg):
        ember.ones(2).bfloat16()


def test_bfloat16_error_when_ml_dtypes_missing(monkeypatch):
    import sys

    from ember import _dtype

    monkeypatch.setattr(_dtype, "_BF16_NP", None)
    monkeypatch.setitem(sys.modules, "ml_dtypes", None)  # makes `import ml_dtypes` fail
    with pytest.raises(TypeError, match="pip install ml_dtypes"):
        ember.ones(2, dtype=ember.bfloat16)


@pytest.mark.skipif(not _has_ml_dtypes(), reason="needs ml_dtypes")
def test_bfloat16_with_ml_dtypes():
    x = ember.tensor([1.7, 2.3333], dtype=ember.bfloat16)
    assert x.dtype is ember.bfloat16
    assert x.is_floating_point()
    assert x.tolist() == [1.703125, 2.328125]  # rounded to 8 bits of mantissa
    assert repr(x) == "tensor([1.7031, 2.3281], dtype=ember.bfloat16)"
    assert ember.ones(2).bfloat16().dtype is ember.bfloat16
    assert x.float().dtype is ember.float32 and x.float().tolist() == [1.703125, 2.328125]
    assert ember.zeros(3, dtype=ember.bfloat16).dtype is ember.bfloat16
    assert x.requires_grad_().requires_grad
