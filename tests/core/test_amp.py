"""ember.autocast and ember.amp.GradScaler on the CPU.

The expected dtypes are PyTorch's CPU autocast rules: matrix products, linear layers,
convolutions and attention in the autocast dtype; losses and a few linear-algebra ops in
float32; cat/stack in the widest input type; everything else untouched.
"""

from __future__ import annotations

import copy
import pickle
import threading
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as F

H = ember.float16


def _x(*shape, dtype=ember.float32, seed=0):
    rng = np.random.default_rng(seed)
    return ember.tensor(rng.standard_normal(shape).astype(np.float32)).to(dtype)


# -- op classes ---------------------------------------------------------------------------------

LOWER = {
    "matmul": lambda: ember.matmul(_x(3, 4), _x(4, 2)),
    "@": lambda: _x(3, 4) @ _x(4, 2),
    "mm": lambda: ember.mm(_x(3, 4), _x(4, 2)),
    "bmm": lambda: ember.bmm(_x(2, 3, 4), _x(2, 4, 2)),
    "addmm": lambda: ember.addmm(_x(2), _x(3, 4), _x(4, 2)),
    "baddbmm": lambda: ember.baddbmm(_x(2, 3, 2), _x(2, 3, 4), _x(2, 4, 2)),
    "addbmm": lambda: ember.addbmm(_x(3, 2), _x(2, 3, 4), _x(2, 4, 2)),
    "einsum": lambda: ember.einsum("ij,jk->ik", _x(3, 4), _x(4, 2)),
    "linear": lambda: F.linear(_x(3, 4), _x(2, 4), _x(2)),
    "Linear": lambda: ember.nn.Linear(4, 2)(_x(3, 4)),
    "conv1d": lambda: F.conv1d(_x(1, 2, 6), _x(3, 2, 3)),
    "conv2d": lambda: F.conv2d(_x(1, 2, 5, 5), _x(3, 2, 3, 3), _x(3)),
    "Conv2d": lambda: ember.nn.Conv2d(2, 3, 3)(_x(1, 2, 5, 5)),
    "conv3d": lambda: F.conv3d(_x(1, 1, 3, 3, 3), _x(2, 1, 2, 2, 2)),
    "conv_transpose2d": lambda: F.conv_transpose2d(_x(1, 2, 3, 3), _x(2, 3, 2, 2)),
    "prelu": lambda: F.prelu(_x(2, 3), ember.tensor([0.25])),
    "sdpa": lambda: F.scaled_dot_product_attention(_x(1, 3, 4), _x(1, 3, 4), _x(1, 3, 4)),
}

FP32 = {  # fed float16 inputs: PyTorch's CPU autocast runs these in float32
    "mse_loss": lambda: F.mse_loss(_x(3, 4, dtype=H), _x(3, 4, dtype=H)),
    "l1_loss": lambda: F.l1_loss(_x(3, 4, dtype=H), _x(3, 4, dtype=H)),
    "smooth_l1_loss": lambda: F.smooth_l1_loss(_x(3, 4, dtype=H), _x(3, 4, dtype=H)),
    "huber_loss": lambda: F.huber_loss(_x(3, 4, dtype=H), _x(3, 4, dtype=H)),
    "cross_entropy": lambda: F.cross_entropy(_x(3, 4, dtype=H), ember.tensor([0, 3, 1])),
    "nll_loss": lambda: F.nll_loss(_x(3, 4, dtype=H), ember.tensor([0, 3, 1])),
    "kl_div": lambda: F.kl_div(_x(3, 4, dtype=H), _x(3, 4, dtype=H).abs(), reduction="batchmean"),
    "bce": lambda: F.binary_cross_entropy(
        _x(3, 4, dtype=H).sigmoid(), ember.full((3, 4), 0.5, dtype=H)
    ),
    "bce_with_logits": lambda: F.binary_cross_entropy_with_logits(
        _x(3, 4, dtype=H), ember.full((3, 4), 0.5, dtype=H)
    ),
    "prod": lambda: _x(3, dtype=H).prod(),
    "cdist": lambda: ember.cdist(_x(3, 4, dtype=H), _x(2, 4, dtype=H)),
    "trace": lambda: ember.trace(_x(3, 3, dtype=H)),
}

UNCHANGED = {  # float16 in, float16 out: not on PyTorch's CPU lists
    "softmax": lambda: F.softmax(_x(3, 4, dtype=H), dim=-1),
    "log_softmax": lambda: F.log_softmax(_x(3, 4, dtype=H), dim=-1),
    "layer_norm": lambda: F.layer_norm(_x(3, 4, dtype=H), (4,)),
    "exp": lambda: ember.exp(_x(3, dtype=H)),
    "sum": lambda: _x(3, dtype=H).sum(),
    "cumsum": lambda: _x(3, dtype=H).cumsum(0),
    "relu": lambda: F.relu(_x(3, dtype=H)),
    "add": lambda: _x(3, dtype=H) + _x(3, dtype=H),
}


@pytest.mark.parametrize("name", sorted(LOWER))
def test_lower_precision_ops_run_in_the_autocast_dtype(name):
    with ember.autocast("cpu", dtype=ember.float16):
        out = LOWER[name]()
    assert out.dtype == ember.float16
    assert LOWER[name]().dtype == ember.float32  # outside the region: unchanged


def test_lower_precision_values_match_a_float16_computation():
    a, b = _x(3, 4), _x(4, 2, seed=1)
    with ember.autocast("cpu", dtype=ember.float16):
        got = (a @ b).numpy()
    want = a.numpy().astype(np.float16) @ b.numpy().astype(np.float16)
    np.testing.assert_allclose(got.astype(np.float32), want.astype(np.float32), rtol=2e-3)


@pytest.mark.parametrize("name", sorted(FP32))
def test_float32_ops_run_in_float32(name):
    with ember.autocast("cpu", dtype=ember.float16):
        assert FP32[name]().dtype == ember.float32
    assert FP32[name]().dtype == ember.float16


@pytest.mark.parametrize("name", sorted(UNCHANGED))
def test_other_ops_keep_their_input_dtype_on_cpu(name):
    with ember.autocast("cpu", dtype=ember.float16):
        assert UNCHANGED[name]().dtype == ember.float16


@pytest.mark.parametrize("op", [ember.cat, ember.stack])
def test_promote_ops_use_the_widest_input_type(op):
    with ember.autocast("cpu", dtype=ember.float16):
        assert op([_x(2, dtype=H), _x(2)]).dtype == ember.float32
        assert op([_x(2, dtype=H), _x(2, dtype=H)]).dtype == ember.float16
        assert op([ember.tensor([1, 2]), ember.tensor([3, 4])]).dtype == ember.int64


def test_float64_and_integer_inputs_are_not_cast():
    with ember.autocast("cpu", dtype=ember.float16):
        assert (_x(3, 4, dtype=ember.float64) @ _x(4, 2, dtype=ember.float64)).dtype == (
            ember.float64
        )
        ints = ember.ones(2, 2, dtype=ember.int64)
        assert (ints @ ints).dtype == ember.int64


def test_gradients_flow_back_in_float32_through_the_casts():
    lin = ember.nn.Linear(4, 3)
    x = _x(5, 4)
    with ember.autocast("cpu", dtype=ember.float16):
        y = lin(x)
        loss = F.mse_loss(y, ember.zeros(5, 3))
    assert y.dtype == ember.float16 and loss.dtype == ember.float32
    loss.backward()
    assert lin.weight.grad.dtype == ember.float32
    # the float16 forward's gradient, computed directly: 2/N * (y - 0) @ x
    yd = y.detach().numpy().astype(np.float32)
    want = 2.0 / yd.size * yd.T @ x.numpy().astype(np.float16).astype(np.float32)
    np.testing.assert_allclose(lin.weight.grad.numpy(), want, rtol=1e-2, atol=1e-3)


def test_parameter_casts_are_cached_inside_a_region_and_dropped_after():
    from ember.amp import _state

    w = ember.nn.Parameter(_x(2, 4))
    with ember.autocast("cpu", dtype=ember.float16):
        F.linear(_x(3, 4), w)
        assert len(_state.tls.cache) == 1
        ((_, first),) = _state.tls.cache.values()
        F.linear(_x(3, 4), w)
        ((_, second),) = _state.tls.cache.values()
        assert first is second
    assert not _state.tls.cache
    with ember.autocast("cpu", dtype=ember.float16, cache_enabled=False):
        F.linear(_x(3, 4), w)
        assert not _state.tls.cache


# -- state, nesting, threads ------------------------------------------------------------------


def test_state_queries_and_nesting():
    assert not ember.is_autocast_enabled("cpu")
    assert ember.get_autocast_dtype("cpu") == ember.bfloat16
    assert ember.get_autocast_dtype("cuda") == ember.float16
    with ember.autocast("cpu", dtype=ember.float16):
        assert ember.is_autocast_enabled("cpu")
        assert ember.get_autocast_dtype("cpu") == ember.float16
        with ember.autocast("cpu", enabled=False):
            assert not ember.is_autocast_enabled("cpu")
            assert (_x(2, 2) @ _x(2, 2)).dtype == ember.float32
        assert ember.is_autocast_enabled("cpu")
        assert (_x(2, 2) @ _x(2, 2)).dtype == ember.float16
    assert not ember.is_autocast_enabled("cpu")
    assert ember.get_autocast_dtype("cpu") == ember.bfloat16
    assert ember.amp._state.active is False


def test_enabled_false_is_a_no_op():
    with ember.autocast("cpu", dtype=ember.float16, enabled=False):
        assert (_x(2, 2) @ _x(2, 2)).dtype == ember.float32
        assert not ember.is_autocast_enabled("cpu")


def test_region_state_is_restored_after_an_exception():
    with pytest.raises(ValueError), ember.autocast("cpu", dtype=ember.float16):
        raise ValueError("boom")
    assert not ember.is_autocast_enabled("cpu")
    assert ember.amp._state.active is False


def test_autocast_as_a_decorator():
    @ember.autocast("cpu", dtype=ember.float16)
    def product(a, b):
        return a @ b

    assert product(_x(2, 3), _x(3, 2)).dtype == ember.float16
    assert (_x(2, 3) @ _x(3, 2)).dtype == ember.float32


def test_autocast_state_is_per_thread():
    seen = {}

    def other():
        seen["enabled"] = ember.is_autocast_enabled("cpu")
        seen["dtype"] = (_x(2, 2) @ _x(2, 2)).dtype

    with ember.autocast("cpu", dtype=ember.float16):
        t = threading.Thread(target=other)
        t.start()
        t.join()
    assert seen == {"enabled": False, "dtype": ember.float32}


def test_set_autocast_enabled_and_dtype():
    ember.set_autocast_dtype("cpu", ember.float16)
    ember.set_autocast_enabled("cpu", True)
    try:
        assert (_x(2, 2) @ _x(2, 2)).dtype == ember.float16
    finally:
        ember.set_autocast_enabled("cpu", False)
        ember.set_autocast_dtype("cpu", ember.bfloat16)
    assert (_x(2, 2) @ _x(2, 2)).dtype == ember.float32
    assert ember.amp._state.active is False


def test_cuda_autocast_does_not_touch_cpu_tensors():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ember.autocast("cuda"):
            assert (_x(2, 2) @ _x(2, 2)).dtype == ember.float32


# -- errors and warnings ----------------------------------------------------------------------


def test_device_type_errors():
    with pytest.raises(ValueError, match="Expected `device_type` of type `str`"):
        ember.autocast(0)
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        ember.autocast("tpu")
    with pytest.raises(RuntimeError, match="autocast is not supported for device_type 'mps'"):
        ember.autocast("mps")


def test_unsupported_cpu_dtype_warns_and_disables():
    with pytest.warns(UserWarning, match="CPU Autocast only supports dtypes of ember.bfloat16"):
        ac = ember.autocast("cpu", dtype=ember.float64)
    with ac:
        assert not ember.is_autocast_enabled("cpu")


def test_dtype_must_be_an_ember_dtype():
    with pytest.raises(TypeError, match=r"dtype must be an ember\.dtype"):
        ember.autocast("cpu", dtype="float16")


@pytest.mark.skipif(ember.cuda.is_available(), reason="checks the answer without a GPU")
def test_cuda_autocast_without_a_gpu_warns_and_disables():
    with pytest.warns(UserWarning, match="CUDA is not available. Disabling"):
        ac = ember.autocast("cuda")
    with ac:
        assert not ember.is_autocast_enabled("cuda")


def test_bfloat16_on_cpu_needs_ml_dtypes():
    from ember._dtype import _bfloat16_numpy

    if _bfloat16_numpy() is None:
        with pytest.raises(RuntimeError, match="needs the ml_dtypes package"):
            ember.autocast("cpu")
    else:
        with ember.autocast("cpu"):
            assert (_x(2, 2) @ _x(2, 2)).dtype == ember.bfloat16


def test_deprecated_spellings_warn_and_work():
    with pytest.warns(FutureWarning, match=r"ember.amp.autocast\('cpu', args...\)"):
        ac = ember.cpu.amp.autocast(dtype=ember.float16)
    with ac:
        assert (_x(2, 2) @ _x(2, 2)).dtype == ember.float16
    with pytest.warns(FutureWarning, match=r"ember.amp.autocast\('cuda', args...\)"):
        warnings.simplefilter("ignore", UserWarning)
        ember.cuda.amp.autocast()


def test_top_level_names():
    assert ember.autocast is ember.amp.autocast
    assert ember.amp.autocast_mode.autocast is ember.autocast
    assert ember.is_autocast_cache_enabled() is True


# -- GradScaler -------------------------------------------------------------------------------


def _model_and_opt(lr=0.1):
    ember.manual_seed(0)
    model = ember.nn.Linear(3, 2)
    return model, ember.optim.SGD(model.parameters(), lr=lr)


def _backward(scaler, model, poison=False):
    loss = model(ember.ones(4, 3)).square().mean()
    scaler.scale(loss).backward()
    if poison:
        model.weight.grad._data[0, 0] = np.inf


def test_scale_multiplies_by_the_scale():
    scaler = ember.amp.GradScaler("cpu", init_scale=8.0)
    loss = ember.tensor(1.5)
    assert scaler.scale(loss).item() == 12.0
    a, (b,) = scaler.scale([ember.tensor(1.0), (ember.tensor(2.0),)])
    assert (a.item(), b.item()) == (8.0, 16.0)
    assert scaler.scale(ember.tensor(1.0, dtype=ember.float16)).dtype == ember.float16
    with pytest.raises(ValueError, match="outputs must be a Tensor or an iterable"):
        scaler.scale(3.0)


def test_step_matches_an_unscaled_step():
    model, opt = _model_and_opt()
    ref_model = copy.deepcopy(model)
    ref_opt = ember.optim.SGD(ref_model.parameters(), lr=0.1)
    scaler = ember.amp.GradScaler("cpu", init_scale=1024.0)
    _backward(scaler, model)
    ref_model(ember.ones(4, 3)).square().mean().backward()
    scaler.step(opt)
    ref_opt.step()
    np.testing.assert_allclose(
        model.weight.detach().numpy(), ref_model.weight.detach().numpy(), rtol=1e-6
    )
    np.testing.assert_allclose(
        model.bias.detach().numpy(), ref_model.bias.detach().numpy(), rtol=1e-6
    )


def test_unscale_divides_the_gradients():
    model, opt = _model_and_opt()
    scaler = ember.amp.GradScaler("cpu", init_scale=64.0)
    _backward(scaler, model)
    scaled = model.weight.grad.numpy().copy()
    scaler.unscale_(opt)
    np.testing.assert_allclose(model.weight.grad.numpy(), scaled / 64.0, rtol=1e-6)


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_step_is_skipped_on_inf_or_nan(bad):
    model, opt = _model_and_opt()
    before = model.weight.detach().numpy().copy()
    scaler = ember.amp.GradScaler("cpu", init_scale=16.0)
    _backward(scaler, model)
    model.bias.grad._data[1] = bad
    assert scaler.step(opt) is None
    np.testing.assert_array_equal(model.weight.detach().numpy(), before)
    scaler.update()
    assert scaler.get_scale() == 8.0


def test_overflowing_float32_gradients_are_found():
    model, opt = _model_and_opt()
    scaler = ember.amp.GradScaler("cpu", init_scale=1.0)
    _backward(scaler, model)
    model.weight.grad._data[...] = 3e38  # finite, but their sum overflows float32
    scaler.unscale_(opt)
    assert not scaler._found_inf(scaler._per_optimizer_states[id(opt)])


def test_growth_and_backoff_schedule():
    """The scale after each of a hand-written sequence of clean (0) and inf (1) steps, with
    growth_interval=3, growth 2, backoff 0.25, from 4.0."""
    events = [0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    expected = [4, 4, 8, 8, 2, 2, 2, 0.5, 0.5, 0.5, 1, 1, 1, 2]
    trackers = [1, 2, 0, 1, 0, 1, 2, 0, 1, 2, 0, 1, 2, 0]
    model, opt = _model_and_opt(lr=0.0)
    scaler = ember.amp.GradScaler(
        "cpu", init_scale=4.0, growth_factor=2.0, backoff_factor=0.25, growth_interval=3
    )
    for bad, scale, tracker in zip(events, expected, trackers):
        opt.zero_grad()
        _backward(scaler, model, poison=bool(bad))
        scaler.step(opt)
        scaler.update()
        assert scaler.get_scale() == scale
        assert scaler._get_growth_tracker() == tracker


def test_update_with_new_scale():
    model, opt = _model_and_opt()
    scaler = ember.amp.GradScaler("cpu")
    _backward(scaler, model)
    scaler.step(opt)
    scaler.update(new_scale=128.0)
    assert scaler.get_scale() == 128.0
    _backward(scaler, model)
    scaler.step(opt)
    scaler.update(ember.tensor(32.0))
    assert scaler.get_scale() == 32.0


def test_state_dict_round_trip():
    model, opt = _model_and_opt()
    scaler = ember.amp.GradScaler("cpu", init_scale=256.0, growth_interval=7)
    _backward(scaler, model)
    scaler.step(opt)
    scaler.update()
    state = scaler.state_dict()
    assert state == {
        "scale": 256.0,
        "growth_factor": 2.0,
        "backoff_factor": 0.5,
        "growth_interval": 7,
        "_growth_tracker": 1,
    }
    other = ember.amp.GradScaler("cpu")
    other.load_state_dict(state)
    assert other.state_dict() == state
    assert pickle.loads(pickle.dumps(scaler)).state_dict() == state
    with pytest.raises(RuntimeError, match="The source state dict is empty"):
        other.load_state_dict({})


def test_unscale_twice_and_after_step_raise():
    model, opt = _model_and_opt()
    scaler = ember.amp.GradScaler("cpu")
    _backward(scaler, model)
    scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) has already been called"):
        scaler.unscale_(opt)
    scaler.step(opt)
    with pytest.raises(RuntimeError, match="unscale_\\(\\) is being called after step\\(\\)"):
        scaler.unscale_(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        scaler.step(opt)
    scaler.update()
    _backward(scaler, model)
    scaler.unscale_(opt)  # allowed again after update()


def test_misuse_errors():
    model, opt = _model_and_opt()
    scaler = ember.amp.GradScaler("cpu")
    with pytest.raises(AssertionError, match="Attempted unscale_ but _scale is None"):
        scaler.unscale_(opt)
    _backward(scaler, model)
    with pytest.raises(RuntimeError, match="Closure use is not currently supported"):
        scaler.step(opt, closure=lambda: 0.0)
    opt.zero_grad(set_to_none=True)
    with pytest.raises(AssertionError, match="No inf checks were recorded for this optimizer"):
        scaler.step(opt)
    half = ember.nn.Linear(2, 1).half()
    hopt = ember.optim.SGD(half.parameters(), lr=0.1)
    half(ember.ones(1, 2, dtype=ember.float16)).sum().backward()
    with pytest.raises(ValueError, match="Attempting to unscale FP16 gradients"):
        scaler.unscale_(hopt)
    with pytest.raises(ValueError, match=r"The growth factor must be > 1\.0"):
        ember.amp.GradScaler("cpu", growth_factor=1.0)


def test_disabled_scaler_is_a_pass_through():
    model, _ = _model_and_opt()
    scaler = ember.amp.GradScaler("cpu", enabled=False)
    loss = model(ember.ones(4, 3)).square().mean()
    assert scaler.scale(loss) is loss
    assert not scaler.is_enabled() and scaler.get_scale() == 1.0 and scaler.state_dict() == {}


@pytest.mark.skipif(ember.cuda.is_available(), reason="checks the answer without a GPU")
def test_cuda_scaler_without_a_gpu_disables_itself():
    with pytest.warns(UserWarning, match="CUDA is not available.  Disabling"):
        scaler = ember.amp.GradScaler()
    assert not scaler.is_enabled()
    with pytest.warns(FutureWarning, match="ember.amp.GradScaler\\('cuda', args...\\)"):
        warnings.simplefilter("ignore", UserWarning)
        ember.cuda.amp.GradScaler()


def test_mixed_precision_training_loop_learns():
    ember.manual_seed(0)
    x = ember.randn(64, 4)
    y = x @ ember.tensor([[1.0], [-2.0], [0.5], [3.0]])
    model = ember.nn.Linear(4, 1)
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    scaler = ember.amp.GradScaler("cpu", init_scale=2.0**10)
    first = None
    for _ in range(60):
        opt.zero_grad()
        with ember.autocast("cpu", dtype=ember.float16):
            loss = F.mse_loss(model(x), y)
        first = loss.item() if first is None else first
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
    assert loss.dtype == ember.float32
    assert loss.item() < first * 0.05
