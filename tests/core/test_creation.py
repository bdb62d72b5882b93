"""Tensor creation: ``tensor``/``as_tensor``/``asarray``/``from_numpy``/``from_dlpack``, the
factories and their ``_like`` and ``Tensor.new_*`` forms, legacy constructors, Python
conversions, devices and the CUDA/accelerator stubs.

``PYTORCH_CASES`` holds expressions whose ``repr`` was recorded from PyTorch 2.13 (with
``torch`` replaced by ``ember``); Ember must print the same.
"""

# Recorded PyTorch strings are kept whole, and match= patterns are written plainly:
# ruff: noqa: RUF043

from __future__ import annotations

import numpy as np
import pytest

import ember


def _eval(expr: str):
    return eval(expr, {"ember": ember, "np": np})


PYTORCH_CASES = [
    ("ember.tensor([1, 2]).dtype", "ember.int64"),
    ("ember.tensor([1., 2]).dtype", "ember.float32"),
    ("ember.tensor([True]).dtype", "ember.bool"),
    ("ember.tensor([1j]).dtype", "ember.complex64"),
    ("ember.tensor([[1, 2.5]]).dtype", "ember.float32"),
    ("ember.tensor(np.array([1., 2.])).dtype", "ember.float64"),
    ("ember.tensor(np.float64(1.5)).dtype", "ember.float64"),
    ("ember.tensor([np.float64(1.5)]).dtype", "ember.float64"),
    ("ember.tensor(np.array([1,2], dtype=np.int32)).dtype", "ember.int32"),
    ("ember.tensor([ember.tensor(1.), ember.tensor(2.)]).dtype", "ember.float32"),
    ("ember.tensor([True, 2]).dtype", "ember.int64"),
    ("ember.tensor([1, 2.0+0j]).dtype", "ember.complex64"),
    ("ember.as_tensor([1, 2]).dtype", "ember.int64"),
    ("ember.as_tensor(np.array([1., 2.])).dtype", "ember.float64"),
    ("ember.arange(5).dtype", "ember.int64"),
    ("ember.arange(5.).dtype", "ember.float32"),
    ("ember.arange(0, 1, 0.25).dtype", "ember.float32"),
    ("ember.arange(0, 1, 0.25)", "tensor([0.0000, 0.2500, 0.5000, 0.7500])"),
    ("ember.arange(1, 2.5, 0.5)", "tensor([1.0000, 1.5000, 2.0000])"),
    ("ember.arange(10, 0, -3)", "tensor([10,  7,  4,  1])"),
    ("ember.arange(0, 1, 0.1).shape", "ember.Size([10])"),
    ("ember.arange(np.int64(3)).dtype", "ember.int64"),
    ("ember.arange(0., 1., 0.3)", "tensor([0.0000, 0.3000, 0.6000, 0.9000])"),
    ("ember.arange(-1.0, 1.0, 0.5)", "tensor([-1.0000, -0.5000,  0.0000,  0.5000])"),
    ("ember.arange(5, dtype=ember.float64)", "tensor([0., 1., 2., 3., 4.], dtype=ember.float64)"),
    ("ember.arange(0.5, 3, dtype=ember.int64)", "tensor([0, 1, 2])"),
    ("ember.arange(ember.tensor(3))", "tensor([0, 1, 2])"),
    ("ember.linspace(0, 1, 5)", "tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])"),
    ("ember.linspace(0, 10, 5, dtype=ember.int64)", "tensor([ 0,  2,  5,  7, 10])"),
    ("ember.linspace(-1, 1, 1)", "tensor([-1.])"),
    ("ember.linspace(0, 1, 0)", "tensor([])"),
    ("ember.linspace(0, 5, 4, dtype=ember.int32)", "tensor([0, 1, 3, 5], dtype=ember.int32)"),
    ("ember.linspace(ember.tensor(0.), ember.tensor(1.), 3)", "tensor([0.0000, 0.5000, 1.0000])"),
    ("ember.logspace(0, 2, 3)", "tensor([  1.,  10., 100.])"),
    ("ember.logspace(0, 3, 4, base=2)", "tensor([1., 2., 4., 8.])"),
    ("ember.logspace(0, 2, 3, dtype=ember.int64)", "tensor([  1,  10, 100])"),
    ("ember.eye(2, 3)", "tensor([[1., 0., 0.],\n        [0., 1., 0.]])"),
    (
        "ember.eye(3, dtype=ember.int64)",
        "tensor([[1, 0, 0],\n        [0, 1, 0],\n        [0, 0, 1]])",
    ),
    ("ember.eye(0)", "tensor([], size=(0, 0))"),
    ("ember.full((2,), 7).dtype", "ember.int64"),
    ("ember.full((2,), 7.).dtype", "ember.float32"),
    ("ember.full((2,), True).dtype", "ember.bool"),
    ("ember.full((2,), 1j).dtype", "ember.complex64"),
    (
        "ember.full((2, 2), 1.5, dtype=ember.float64)",
        "tensor([[1.5000, 1.5000],\n        [1.5000, 1.5000]], dtype=ember.float64)",
    ),
    ("ember.full([2], 3)", "tensor([3, 3])"),
    ("ember.zeros(2, 3).dtype", "ember.float32"),
    ("ember.zeros((2, 3)).shape", "ember.Size([2, 3])"),
    ("ember.zeros([2, 3]).shape", "ember.Size([2, 3])"),
    ("ember.zeros(()).shape", "ember.Size([])"),
    ("ember.zeros(0).shape", "ember.Size([0])"),
    ("ember.ones(2, dtype=ember.int32)", "tensor([1, 1], dtype=ember.int32)"),
    ("ember.zeros_like(ember.tensor([1, 2]))", "tensor([0, 0])"),
    ("ember.ones_like(ember.tensor([1., 2.]), dtype=ember.int64)", "tensor([1, 1])"),
    ("ember.full_like(ember.tensor([1, 2]), 2.7)", "tensor([2, 2])"),
    ("ember.full_like(ember.tensor([1., 2.]), 7)", "tensor([7., 7.])"),
    ("ember.empty_like(ember.tensor([1, 2])).dtype", "ember.int64"),
    ("ember.empty(2, 3).shape", "ember.Size([2, 3])"),
    ("ember.empty(2, 3).dtype", "ember.float32"),
    ("ember.scalar_tensor(3)", "tensor(3.)"),
    ("ember.scalar_tensor(3, dtype=ember.int64)", "tensor(3)"),
    ("ember.Tensor(2, 3).shape", "ember.Size([2, 3])"),
    ("ember.Tensor(2, 3).dtype", "ember.float32"),
    ("ember.Tensor([1, 2])", "tensor([1., 2.])"),
    ("ember.Tensor([1, 2]).dtype", "ember.float32"),
    ("ember.Tensor().shape", "ember.Size([0])"),
    ("ember.FloatTensor([1, 2])", "tensor([1., 2.])"),
    ("ember.DoubleTensor([1, 2])", "tensor([1., 2.], dtype=ember.float64)"),
    ("ember.LongTensor([1.7, 2])", "tensor([1, 2])"),
    ("ember.IntTensor([1, 2])", "tensor([1, 2], dtype=ember.int32)"),
    ("ember.BoolTensor([1, 0])", "tensor([ True, False])"),
    ("ember.ByteTensor([1, 2])", "tensor([1, 2], dtype=ember.uint8)"),
    ("ember.FloatTensor(2, 3).shape", "ember.Size([2, 3])"),
    ("ember.LongTensor(3).dtype", "ember.int64"),
    ("isinstance(ember.zeros(2), ember.FloatTensor)", "True"),
    ("isinstance(ember.zeros(2), ember.LongTensor)", "False"),
    ("isinstance(ember.zeros(2, dtype=ember.int64), ember.LongTensor)", "True"),
    ("isinstance(ember.zeros(2), ember.Tensor)", "True"),
    ("ember.tensor([1., 2.]).new_tensor([3, 4])", "tensor([3., 4.])"),
    (
        "ember.tensor([1., 2.], dtype=ember.float64).new_tensor([3, 4])",
        "tensor([3., 4.], dtype=ember.float64)",
    ),
    (
        "ember.tensor([1., 2.], dtype=ember.float64).new_tensor([3, 4], dtype=ember.int64)",
        "tensor([3, 4])",
    ),
    ("ember.tensor([1, 2]).new_zeros(2, 3)", "tensor([[0, 0, 0],\n        [0, 0, 0]])"),
    (
        "ember.tensor([1., 2.], dtype=ember.float64).new_zeros((2,))",
        "tensor([0., 0.], dtype=ember.float64)",
    ),
    ("ember.tensor([1, 2]).new_ones(3)", "tensor([1, 1, 1])"),
    (
        "ember.tensor([1., 2.], dtype=ember.float16).new_full((2,), 3)",
        "tensor([3., 3.], dtype=ember.float16)",
    ),
    ("ember.tensor([1, 2]).new_full([2], 2.7)", "tensor([2, 2])"),
    ("ember.tensor([1., 2.]).new_empty(2, 3).shape", "ember.Size([2, 3])"),
    ("ember.tensor([1., 2.]).new_empty((2, 3)).dtype", "ember.float32"),
    (
        "ember.tensor([1., 2.]).new_ones(2, requires_grad=True)",
        "tensor([1., 1.], requires_grad=True)",
    ),
    ("ember.tensor([1., 2.]).new_zeros([])", "tensor(0.)"),
    ("ember.tensor([1., 2.]).new_tensor(ember.tensor([1, 2]))", "tensor([1., 2.])"),
    ("ember.tensor(3.5).item()", "3.5"),
    ("ember.tensor([3]).item()", "3"),
    ("ember.tensor([[1, 2]]).tolist()", "[[1, 2]]"),
    ("ember.tensor(2.5).tolist()", "2.5"),
    ("ember.tensor([1., 2.]).tolist()", "[1.0, 2.0]"),
    ("ember.tensor([True]).item()", "True"),
    ("ember.tensor([1+2j]).item()", "(1+2j)"),
    ("len(ember.zeros(3, 2))", "3"),
    ("[x.tolist() for x in ember.tensor([[1, 2], [3, 4]])]", "[[1, 2], [3, 4]]"),
    ("bool(ember.tensor([1]))", "True"),
    ("bool(ember.tensor(0.))", "False"),
    ("int(ember.tensor(3.7))", "3"),
    ("float(ember.tensor(3))", "3.0"),
    ("[1, 2, 3][ember.tensor(1)]", "2"),
    ("int(ember.tensor(-3.7))", "-3"),
    ("complex(ember.tensor(1.5))", "(1.5+0j)"),
    ("ember.device('cuda:1')", "device(type='cuda', index=1)"),
    ("ember.device('cpu')", "device(type='cpu')"),
    ("ember.device('cuda').index", "None"),
    ("ember.device('cpu') == ember.device('cpu')", "True"),
    ("ember.device('cuda:0') == ember.device('cuda')", "False"),
    ("ember.device('cpu', 0)", "device(type='cpu', index=0)"),
    ("ember.device('mps')", "device(type='mps')"),
    ("ember.cuda.is_available()", "False"),
    ("ember.cuda.device_count()", "0"),
    ("ember.zeros(2).is_cuda", "False"),
    ("ember.zeros(2).is_cpu", "True"),
    ("ember.zeros(2).device", "device(type='cpu')"),
    ("np.asarray(ember.tensor([1., 2.])).dtype", "dtype('float32')"),
    ("np.array(ember.tensor([1, 2]), dtype=np.float64)", "array([1., 2.])"),
    ("ember.tensor(np.array([1], dtype=np.uint32)).dtype", "ember.uint32"),
    ("ember.tensor([1.], requires_grad=True).item()", "1.0"),
    ("ember.tensor([1.], requires_grad=True).tolist()", "[1.0]"),
    ("ember.tensor([1, 2]).new_tensor([1.5])", "tensor([1])"),
    ("ember.tensor([1, 2], dtype=ember.int32).new_zeros(2)", "tensor([0, 0], dtype=ember.int32)"),
    ("ember.tensor([1, 2], dtype=ember.uint8).new_ones(2)", "tensor([1, 1], dtype=ember.uint8)"),
    ("ember.from_numpy(np.array([1, 2], dtype=np.uint16)).dtype", "ember.uint16"),
    (
        "ember.from_numpy(np.array([1., 2.], dtype=np.float16))",
        "tensor([1., 2.], dtype=ember.float16)",
    ),
    ("ember.tensor(np.array([[1, 2], [3, 4]])[:, 0])", "tensor([1, 3])"),
    ("ember.as_tensor(np.array([1., 2.]), dtype=ember.float32)", "tensor([1., 2.])"),
    ("ember.asarray([1, 2], dtype=ember.float64)", "tensor([1., 2.], dtype=ember.float64)"),
    ("ember.asarray(np.array([1., 2.]), copy=False).dtype", "ember.float64"),
    ("ember.tensor(3.5, dtype=ember.int64)", "tensor(3)"),
    ("ember.tensor([1.9, -1.9], dtype=ember.int64)", "tensor([ 1, -1])"),
    ("ember.tensor(1e40, dtype=ember.float16)", "tensor(inf, dtype=ember.float16)"),
    ("ember.tensor([], dtype=ember.float64).shape", "ember.Size([0])"),
    ("ember.tensor([[]]).shape", "ember.Size([1, 0])"),
    ("ember.tensor([[], []]).shape", "ember.Size([2, 0])"),
    ("ember.tensor(5).shape", "ember.Size([])"),
    ("ember.tensor((1, 2)).shape", "ember.Size([2])"),
    ("ember.tensor([(1, 2), (3, 4)]).shape", "ember.Size([2, 2])"),
    ("ember.tensor(range(3))", "tensor([0, 1, 2])"),
    ("ember.tensor([np.int32(1), np.int32(2)]).dtype", "ember.int32"),
    ("ember.tensor([1, np.float32(2)]).dtype", "ember.float32"),
    ("ember.tensor(np.float32(2.5)).dtype", "ember.float32"),
    ("ember.tensor([np.float16(1)]).dtype", "ember.float16"),
    ("ember.tensor(np.bool_(True)).dtype", "ember.bool"),
]


@pytest.mark.parametrize(("expr", "expected"), PYTORCH_CASES)
def test_matches_pytorch(expr, expected):
    assert repr(_eval(expr)) == expected


# -- memory sharing and interchange ------------------------------------------------------------


def test_from_numpy_shares_memory_both_ways():
    a = np.arange(3.0)
    t = ember.from_numpy(a)
    a[0] = 10.0
    assert t.tolist() == [10.0, 1.0, 2.0]
    t.add_(1)
    assert a.tolist() == [11.0, 2.0, 3.0]
    assert t.dtype is ember.float64


def test_from_numpy_rejects_non_arrays_and_unsupported_dtypes():
    with pytest.raises(TypeError, match="expected np.ndarray"):
        ember.from_numpy([1, 2])
    with pytest.raises(TypeError, match="numpy.str_"):
        ember.from_numpy(np.array(["a"]))


def test_as_tensor_shares_and_tensor_copies():
    a = np.zeros(3, dtype=np.float32)
    shared, copied = ember.as_tensor(a), ember.tensor(a)
    a[1] = 5.0
    assert shared.tolist() == [0.0, 5.0, 0.0]
    assert copied.tolist() == [0.0, 0.0, 0.0]
    t = ember.tensor([1.0, 2.0])
    assert ember.as_tensor(t) is t
    assert ember.as_tensor(t, dtype=ember.float64).dtype is ember.float64
    assert ember.as_tensor(a, dtype=ember.float64).dtype is ember.float64


def test_asarray_copy_flags():
    a = np.ones(2)
    assert np.shares_memory(ember.asarray(a).numpy(), a)
    assert not np.shares_memory(ember.asarray(a, copy=True).numpy(), a)
    with pytest.raises(ValueError, match="copy=False"):
        ember.asarray(a, dtype=ember.float32, copy=False)
    assert ember.asarray([1.0], requires_grad=True).requires_grad


def test_dlpack_round_trip_shares_memory():
    a = np.arange(4.0)
    t = ember.from_dlpack(a)
    a[0] = 7.0
    assert t[0].item() == 7.0
    back = np.from_dlpack(t)
    back[1] = 9.0
    assert t.tolist() == [7.0, 9.0, 2.0, 3.0]
    assert ember.from_dlpack(t) is t
    with pytest.raises(RuntimeError, match="require gradient"):
        np.from_dlpack(ember.ones(2, requires_grad=True))


def test_array_protocol():
    t = ember.tensor([[1, 2], [3, 4]], dtype=ember.int32)
    arr = np.asarray(t)
    assert arr.dtype == np.int32 and arr.tolist() == [[1, 2], [3, 4]]
    assert np.asarray(t, dtype=np.float64).dtype == np.float64
    assert np.array(t, copy=True) is not t.numpy()


def test_numpy_refuses_tensors_that_require_grad():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Can't call numpy\(\) on Tensor that requires grad"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0, 2.0]
    assert x.numpy(force=True).tolist() == [1.0, 2.0]
    assert x.tolist() == [1.0, 2.0]  # tolist and item are allowed, as in PyTorch
    assert x[0].item() == 1.0


# -- Python protocols --------------------------------------------------------------------------


def test_python_protocols():
    t = ember.tensor([[1, 2], [3, 4]])
    assert len(t) == 2
    assert [row.tolist() for row in t] == [[1, 2], [3, 4]]
    assert [10, 20, 30][ember.tensor(2)] == 30
    assert int(ember.tensor([7.9])) == 7 and float(ember.tensor(3)) == 3.0
    assert bool(ember.tensor([0.5])) and not bool(ember.tensor(0))


@pytest.mark.parametrize(
    ("fn", "exc", "match"),
    [
        (lambda: len(ember.tensor(1.0)), TypeError, "len\\(\\) of a 0-d tensor"),
        (lambda: iter(ember.tensor(1.0)), TypeError, "iteration over a 0-d tensor"),
        (lambda: bool(ember.tensor([1, 2])), RuntimeError, "more than one value is ambiguous"),
        (lambda: bool(ember.tensor([])), RuntimeError, "with no values is ambiguous"),
        (lambda: int(ember.tensor([1, 2])), ValueError, "only one element tensors"),
        (lambda: float(ember.tensor([])), ValueError, "only one element tensors"),
        (lambda: ember.tensor([1.0, 2.0]).item(), RuntimeError, "2 elements cannot be converted"),
        (lambda: [1][ember.tensor(0.0)], TypeError, "only integer tensors"),
        (lambda: [1][ember.tensor([0, 0])], TypeError, "only integer tensors"),
    ],
)
def test_python_protocol_errors(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


# -- factories ---------------------------------------------------------------------------------


def test_arange_float_steps_match_numpy_count():
    for start, end, step in [(0, 1, 0.1), (1, 2.5, 0.5), (-1, 1, 0.3), (10, 0, -3), (0, 1, 1 / 3)]:
        got = ember.arange(start, end, step)
        ref = np.arange(start, end, step)
        assert got.shape == ember.Size([len(ref)])
        np.testing.assert_allclose(got.numpy(), ref, rtol=1e-6, atol=1e-6)


def test_factories_honour_dtype_requires_grad_and_out():
    z = ember.zeros(2, 3, dtype=ember.float64, requires_grad=True)
    assert z.requires_grad and z.is_leaf and z.dtype is ember.float64
    out = ember.empty(4)
    res = ember.arange(4.0, out=out)
    assert res is out and out.tolist() == [0.0, 1.0, 2.0, 3.0]
    res = ember.zeros(3, out=out)
    assert res is out and out.tolist() == [0.0, 0.0, 0.0]
    assert ember.full((2,), 3, dtype=ember.float64).tolist() == [3.0, 3.0]
    assert ember.zeros_like(ember.ones(2, 2), dtype=ember.int32).dtype is ember.int32
    assert ember.ones_like(ember.ones(2), requires_grad=True).requires_grad


def test_factory_errors():
    with pytest.raises(RuntimeError, match="negative dimension"):
        ember.zeros(2, -1)
    with pytest.raises(TypeError, match="tuple of ints"):
        ember.ones(2, "a")
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        ember.arange(0, 1, 0)
    with pytest.raises(RuntimeError, match="upper bound and lower bound inconsistent"):
        ember.arange(0, 10, -1)
    with pytest.raises(RuntimeError, match="number of steps must be non-negative"):
        ember.linspace(0, 1, -1)
    with pytest.raises(RuntimeError, match="n must be greater or equal to 0, got -1"):
        ember.eye(-1)


def test_tensor_data_errors():
    with pytest.raises(ValueError, match=r"expected sequence of length 2 at dim 1 \(got 1\)"):
        ember.tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="new\\(\\): invalid data type 'str'"):
        ember.tensor("abc")
    with pytest.raises(TypeError, match="new\\(\\): invalid data type 'str'"):
        ember.tensor([1, "a"])
    with pytest.raises(TypeError, match="numpy.object_"):
        ember.tensor(np.array([1], dtype=object))
    with pytest.raises(RuntimeError, match="cannot be converted to type uint8 without overflow"):
        ember.tensor([256, -1], dtype=ember.uint8)


def test_new_methods_keep_dtype_and_copy():
    base = ember.tensor([1.0, 2.0], dtype=ember.float64)
    src = ember.tensor([5.0, 6.0], requires_grad=True)
    t = base.new_tensor(src)
    assert t.dtype is ember.float64 and not t.requires_grad
    t.add_(1)
    assert src.tolist() == [5.0, 6.0]
    assert base.new_zeros(2, 3).shape == ember.Size([2, 3])
    assert base.new_zeros((2, 3)).dtype is ember.float64
    assert base.new_ones([2], dtype=ember.int32).dtype is ember.int32
    assert base.new_empty(4).shape == ember.Size([4])
    assert base.new_full((2,), 2.5).tolist() == [2.5, 2.5]
    assert base.new_ones(2, requires_grad=True).requires_grad


# -- legacy constructors -----------------------------------------------------------------------


def test_legacy_constructors():
    u = ember.Tensor(2, 3)
    assert u.shape == ember.Size([2, 3]) and u.dtype is ember.float32
    assert ember.Tensor([1, 2]).tolist() == [1.0, 2.0]
    assert ember.Tensor().shape == ember.Size([0])
    assert ember.LongTensor([1.7, 2]).tolist() == [1, 2]
    assert ember.BoolTensor([1, 0]).tolist() == [True, False]
    assert ember.ByteTensor(3).dtype is ember.uint8
    assert ember.DoubleTensor(2, 2).shape == ember.Size([2, 2])
    assert isinstance(ember.zeros(2), ember.FloatTensor)
    assert not isinstance(ember.zeros(2), ember.DoubleTensor)
    assert isinstance(ember.zeros(2, dtype=ember.int32), ember.IntTensor)


# -- devices, CUDA, accelerator, global flags --------------------------------------------------


def test_device_parsing():
    d = ember.device("cuda:1")
    assert (d.type, d.index, str(d)) == ("cuda", 1, "cuda:1")
    assert ember.device("cuda", 0) == ember.device("cuda:0")
    assert ember.device("cuda") != ember.device("cuda:0")
    assert ember.device(ember.device("cpu")) == ember.device("cpu")
    assert hash(ember.device("cpu")) == hash(ember.device("cpu"))
    assert ember.zeros(2).device == ember.device("cpu")


@pytest.mark.parametrize(
    ("arg", "match"),
    [("gpu", "Expected one of cpu, cuda"), ("cuda:x", "Invalid device string"),
     ("cuda:-1", "Invalid device string")],
)  # fmt: skip
def test_device_parsing_errors(arg, match):
    with pytest.raises(RuntimeError, match=match):
        ember.device(arg)


def test_device_with_two_indices_is_an_error():
    with pytest.raises(RuntimeError, match="must not include an index"):
        ember.device("cuda:1", 1)


@pytest.mark.skipif(ember.cuda.is_available(), reason="checks the behaviour without a GPU")
def test_cuda_without_gpu():
    assert ember.cuda.is_available() is False
    assert ember.cuda.device_count() == 0
    assert not ember.cuda.is_bf16_supported()
    with pytest.raises(RuntimeError, match="no CUDA backend is available"):
        ember.tensor([1.0]).cuda()
    with pytest.raises(RuntimeError, match="no CUDA backend is available"):
        ember.tensor([1.0]).to("cuda")
    with pytest.raises(RuntimeError, match="no CUDA backend is available"):
        ember.zeros(2, device="cuda")
    with pytest.raises(RuntimeError, match="ember.cuda.is_available"):
        ember.cuda.current_device()
    assert ember.accelerator.is_available() is False
    assert ember.accelerator.current_accelerator() is None
    assert ember.accelerator.device_count() == 0
    ember.accelerator.synchronize()  # a no-op without one
    ember.cuda.empty_cache()
    assert ember.cuda.memory_allocated() == 0


def test_cuda_requires_a_cuda_device():
    with pytest.raises(RuntimeError, match="must be cuda device"):
        ember.tensor([1.0]).cuda("cpu")


def test_cudnn_flags_are_settable():
    cudnn = ember.backends.cudnn
    saved = (cudnn.benchmark, cudnn.deterministic)
    try:
        cudnn.benchmark = True
        cudnn.deterministic = True
        assert ember.backends.cudnn.benchmark and ember.backends.cudnn.deterministic
    finally:
        cudnn.benchmark, cudnn.deterministic = saved
    assert cudnn.is_available() is False


def test_use_deterministic_algorithms():
    try:
        ember.use_deterministic_algorithms(True)
        assert ember.are_deterministic_algorithms_enabled()
    finally:
        ember.use_deterministic_algorithms(False)
    assert not ember.are_deterministic_algorithms_enabled()


def test_default_device_context():
    with ember.device("cpu"):
        assert ember.zeros(1).device == ember.device("cpu")
    ember.set_default_device("cpu")
    try:
        assert ember.get_default_device() == ember.device("cpu")
    finally:
        ember.set_default_device(None)
