"""Device logic without a GPU: a stand-in CuPy (``fake_cuda`` in conftest.py) plays one GPU.

Covers moves between devices, errors that name both devices, modules, optimizers, state
dicts and ``map_location`` across devices, autocast on "cuda", and the GPU code paths of the
ops around the CUDA kernels (with the kernels' NumPy twins standing in).
"""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as F

CUDA0 = ember.device("cuda", 0)


def _host(t):
    return t.detach().cpu().numpy()


# -- moves and placement ----------------------------------------------------------------------


def test_moves_between_devices(fake_cuda):
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]])
    g = x.to("cuda")
    assert g.device == CUDA0 and g.is_cuda and not g.is_cpu
    assert isinstance(g._data, fake_cuda.ndarray)
    assert x.cuda().device == CUDA0 and x.to(CUDA0).device == CUDA0
    back = g.cpu()
    assert back.device == ember.device("cpu") and back._data.__class__ is np.ndarray
    np.testing.assert_array_equal(back.numpy(), x.numpy())
    assert g.to("cuda") is g and x.to("cpu") is x
    assert ember.zeros(2, 3, device="cuda").device == CUDA0
    assert ember.tensor([1, 2], device="cuda:0").device == CUDA0


def test_numpy_of_a_gpu_tensor_raises(fake_cuda):
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        ember.ones(2, device="cuda").numpy()


def test_results_stay_on_the_device(fake_cuda):
    a = ember.randn(3, 4).cuda()
    b = ember.randn(4, 2).cuda()
    for out in (a @ b, a * 2 + 1, a.sum(dim=0), a.exp(), ember.cat([a, a])):
        assert out.device == CUDA0


@pytest.mark.parametrize(
    "op",
    [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a @ b,
     lambda a, b: F.linear(a, b)],
    ids=["add", "mul", "matmul", "linear"],
)  # fmt: skip
def test_mixing_devices_names_both(fake_cuda, op):
    a = ember.ones(2, 2)
    b = ember.ones(2, 2, device="cuda")
    with pytest.raises(RuntimeError, match=r"(cpu.*cuda:0|cuda:0.*cpu)"):
        op(a, b)


# -- modules, autograd and optimizers on the device -------------------------------------------


def _train(device, opt_cls, **kw):
    ember.manual_seed(0)
    model = ember.nn.Sequential(ember.nn.Linear(4, 8), ember.nn.GELU(), ember.nn.Linear(8, 3))
    model.to(device)
    opt = opt_cls(model.parameters(), **kw)
    x = ember.randn(16, 4).to(device)
    y = ember.randint(0, 3, (16,)).to(device)
    for _ in range(3):
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
    return model, loss


@pytest.mark.parametrize(
    "opt_cls,kw",
    [(ember.optim.SGD, dict(lr=0.1, momentum=0.9)), (ember.optim.Adam, dict(lr=0.01)),
     (ember.optim.AdamW, dict(lr=0.01, amsgrad=True)), (ember.optim.RMSprop, dict(lr=0.01))],
    ids=["SGD", "Adam", "AdamW", "RMSprop"],
)  # fmt: skip
def test_training_on_the_device_matches_the_cpu(fake_cuda, opt_cls, kw):
    cpu_model, cpu_loss = _train("cpu", opt_cls, **kw)
    gpu_model, gpu_loss = _train("cuda", opt_cls, **kw)
    for p in gpu_model.parameters():
        assert p.device == CUDA0 and p.grad.device == CUDA0
    np.testing.assert_allclose(_host(gpu_loss), _host(cpu_loss), rtol=1e-5)
    for pc, pg in zip(cpu_model.parameters(), gpu_model.parameters()):
        np.testing.assert_allclose(_host(pg), _host(pc), rtol=1e-5, atol=1e-6)


def test_module_to_and_back(fake_cuda):
    model = ember.nn.Linear(3, 2)
    w = _host(model.weight)
    model.cuda()
    assert model.weight.device == CUDA0 and isinstance(model.weight, ember.nn.Parameter)
    model.cpu()
    assert model.weight.device == ember.device("cpu")
    np.testing.assert_array_equal(_host(model.weight), w)


# -- state dicts and map_location -------------------------------------------------------------


def test_state_dict_and_map_location_across_devices(fake_cuda, tmp_path):
    model = ember.nn.Linear(3, 2).cuda()
    state = model.state_dict()
    assert all(t.device == CUDA0 for t in state.values())
    path = tmp_path / "model.pt"
    ember.save(state, path)
    on_cpu = ember.load(path, map_location="cpu")
    assert all(t.device == ember.device("cpu") for t in on_cpu.values())
    np.testing.assert_array_equal(on_cpu["weight"].numpy(), _host(model.weight))
    on_gpu = ember.load(path, map_location="cuda")
    assert all(t.device == CUDA0 for t in on_gpu.values())
    by_dict = ember.load(path, map_location={"cuda:0": "cpu"})
    assert by_dict["bias"].device == ember.device("cpu")
    by_fn = ember.load(path, map_location=lambda t, loc: t.cuda())
    assert by_fn["bias"].device == CUDA0


def test_load_state_dict_copies_into_the_parameters_device(fake_cuda):
    src = ember.nn.Linear(3, 2)
    dst = ember.nn.Linear(3, 2).cuda()
    dst.load_state_dict(src.state_dict())
    assert dst.weight.device == CUDA0
    np.testing.assert_array_equal(_host(dst.weight), _host(src.weight))


def test_optimizer_state_dict_on_the_device(fake_cuda):
    model = ember.nn.Linear(3, 2).cuda()
    opt = ember.optim.Adam(model.parameters(), lr=0.1)
    model(ember.ones(1, 3, device="cuda")).sum().backward()
    opt.step()
    state = opt.state_dict()["state"][0]
    assert state["exp_avg"].device == CUDA0
    opt2 = ember.optim.Adam(model.parameters(), lr=0.1)
    opt2.load_state_dict(opt.state_dict())
    assert opt2.state[model.weight]["exp_avg"].device == CUDA0


# -- autocast and GradScaler on "cuda" --------------------------------------------------------


def test_cuda_autocast_lists(fake_cuda):
    a = ember.randn(3, 4, device="cuda")
    b = ember.randn(4, 3, device="cuda")
    with ember.autocast("cuda"):
        c = a @ b
        assert c.dtype == ember.float16
        assert F.softmax(c, dim=-1).dtype == ember.float32  # float32 on CUDA, unlike CPU
        assert F.layer_norm(c, (3,)).dtype == ember.float32
        assert ember.exp(c).dtype == ember.float32
        assert c.sum().dtype == ember.float32
        assert c.sum(dtype=ember.float16).dtype == ember.float16  # an explicit dtype wins
        assert ember.mv(a, b[:, 0]).dtype == ember.float16
        with pytest.raises(RuntimeError, match="unsafe to autocast"):
            F.binary_cross_entropy(c.float().sigmoid(), ember.zeros(3, 3, device="cuda"))
        assert (ember.randn(3, 4) @ ember.randn(4, 3)).dtype == ember.float32  # CPU untouched


def test_grad_scaler_on_the_device(fake_cuda):
    model = ember.nn.Linear(3, 1).cuda()
    opt = ember.optim.SGD(model.parameters(), lr=0.1)
    scaler = ember.amp.GradScaler("cuda", init_scale=4.0, growth_interval=1)
    assert scaler.is_enabled()
    scaler.scale(model(ember.ones(2, 3, device="cuda")).sum()).backward()
    scaler.step(opt)
    scaler.update()
    assert scaler.get_scale() == 8.0
    scaler.scale(model(ember.ones(2, 3, device="cuda")).sum()).backward()
    model.weight.grad._data[0, 0] = np.nan
    w = _host(model.weight)
    scaler.step(opt)
    scaler.update()
    np.testing.assert_array_equal(_host(model.weight), w)
    assert scaler.get_scale() == 4.0


# -- the ops around the CUDA kernels ----------------------------------------------------------


def _lin(x, lo, hi, *shape):
    """Fixed weights on ``x``'s device and dtype."""
    n = int(np.prod(shape))
    return ember.linspace(lo, hi, n, device=x.device, dtype=x.dtype).reshape(*shape)


def _targets(x, values):
    return ember.tensor(values, device=x.device)


KERNEL_OPS = {
    "softmax": lambda x: F.softmax(x, dim=-1),
    "softmax_dim0": lambda x: F.softmax(x, dim=0),
    "log_softmax": lambda x: F.log_softmax(x, dim=1),
    "gelu": F.gelu,
    "gelu_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "layer_norm": lambda x: F.layer_norm(x, (6,), _lin(x, 0.5, 1.5, 6), _lin(x, -1, 1, 6)),
    "layer_norm_plain": lambda x: F.layer_norm(x, (6,)),
    "rms_norm": lambda x: F.rms_norm(x, (6,), _lin(x, 0.5, 1.5, 6)),
    "cross_entropy": lambda x: F.cross_entropy(x, _targets(x, [0, 5, 2, 2]), label_smoothing=0.1),
    "cross_entropy_ignore": lambda x: F.cross_entropy(
        x, _targets(x, [0, -100, 2, 1]), weight=_lin(x, 0.5, 2, 6)
    ),
    "cross_entropy_none": lambda x: F.cross_entropy(x, _targets(x, [1, 4, 2, 3]), reduction="none"),
    "conv2d": lambda x: F.conv2d(
        x.reshape(1, 2, 3, 4), _lin(x, -1, 1, 3, 2, 1, 2), padding=1, stride=(1, 2)
    ),
    "conv1d": lambda x: F.conv1d(x.reshape(2, 2, 6), _lin(x, -1, 1, 3, 2, 2)),
    "max_pool2d": lambda x: F.max_pool2d(x.reshape(1, 2, 3, 4), 2, stride=1, padding=1),
}


@pytest.mark.parametrize("name", sorted(KERNEL_OPS))
def test_gpu_paths_of_kernel_ops_match_the_cpu(fake_cuda, name):
    fn = KERNEL_OPS[name]
    rng = np.random.default_rng(0)
    x_np = rng.standard_normal((4, 6))
    outs, grads, g_np = [], [], None
    for device in ("cpu", "cuda"):
        x = ember.tensor(x_np, device=device, requires_grad=True)
        out = fn(x)
        assert out.device == x.device
        if g_np is None:
            g_np = rng.standard_normal(tuple(out.shape))
        out.backward(ember.tensor(g_np, device=device))
        outs.append(_host(out))
        grads.append(_host(x.grad))
    np.testing.assert_allclose(outs[1], outs[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-9, atol=1e-12)


def test_max_pool2d_indices_on_the_device(fake_cuda):
    x = ember.randn(2, 3, 5, 5)
    want_v, want_i = F.max_pool2d(x, 3, stride=2, return_indices=True)
    got_v, got_i = F.max_pool2d(x.cuda(), 3, stride=2, return_indices=True)
    np.testing.assert_array_equal(_host(got_v), want_v.numpy())
    np.testing.assert_array_equal(_host(got_i), want_i.numpy())


def test_dropout_on_the_device_draws_the_mask_there(fake_cuda):
    ember.manual_seed(0)
    x = ember.ones(50, 40, device="cuda", requires_grad=True)
    y = F.dropout(x, p=0.4)
    kept = _host(y) != 0
    assert abs(kept.mean() - 0.6) < 0.05
    np.testing.assert_allclose(_host(y)[kept], 1 / 0.6, rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(_host(x.grad), _host(y))
    ember.manual_seed(0)
    np.testing.assert_array_equal(_host(F.dropout(x, p=0.4)), _host(y))


def test_second_order_gradients_on_the_device(fake_cuda):
    """create_graph=True takes the differentiable formulas, not the kernels."""
    rng = np.random.default_rng(1)
    x_np = rng.standard_normal((3, 6))
    results = []
    for device in ("cpu", "cuda"):
        x = ember.tensor(x_np, device=device, requires_grad=True)
        y = F.rms_norm(F.gelu(x), (6,)).softmax(dim=-1)
        (g,) = ember.autograd.grad((y * y).sum(), [x], create_graph=True)
        (gg,) = ember.autograd.grad(g.sum(), [x])
        results.append((_host(g), _host(gg)))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-8, atol=1e-10)


# -- pinned memory ----------------------------------------------------------------------------


@pytest.mark.skipif(ember.cuda.is_available(), reason="checks the answer without a GPU")
def test_pin_memory_without_a_gpu_warns_and_is_a_no_op():
    from ember.utils.data import DataLoader

    loader = DataLoader(ember.arange(6.0).reshape(3, 2), batch_size=2, pin_memory=True)
    with pytest.warns(UserWarning, match="'pin_memory' argument is set as true but no acc"):
        batches = list(loader)
    np.testing.assert_array_equal(batches[0].numpy(), [[0, 1], [2, 3]])
    assert not batches[0].is_pinned()
    with pytest.raises(RuntimeError, match="page-locked memory needs a CUDA GPU"):
        ember.ones(2).pin_memory()


def test_pin_memory_with_a_gpu_pins_every_tensor(fake_cuda):
    from ember.utils.data import DataLoader

    data = [(ember.tensor([float(i), -i]), {"label": ember.tensor(i)}) for i in range(5)]
    loader = DataLoader(data, batch_size=2, pin_memory=True)
    batches = list(loader)
    x, y = batches[0]
    assert x.is_pinned() and y["label"].is_pinned()
    np.testing.assert_array_equal(x.numpy(), [[0, 0], [1, -1]])
    np.testing.assert_array_equal(y["label"].numpy(), [0, 1])
    assert not ember.ones(2).is_pinned()
    t = ember.arange(4.0)
    p = t.pin_memory()
    assert p.is_pinned() and p is not t and p.pin_memory() is p
    np.testing.assert_array_equal(p.numpy(), t.numpy())
    assert p.cuda().device == CUDA0
