"""Module: registration, traversal, modes, dtype/device moves, repr, copy/pickle, the module
path in errors and the cost of a call."""

from __future__ import annotations

import copy
import pickle
import sys

import numpy as np
import pytest

import ember
from ember import nn


class Scale(nn.Module):
    def __init__(self, n=3):
        super().__init__()
        self.w = nn.Parameter(ember.ones(n))
        self.register_buffer("count", ember.zeros(1, dtype=ember.int64))
        self.register_buffer("tmp", ember.zeros(n), persistent=False)

    def forward(self, x):
        return x * self.w


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = Scale(3)
        self.fc2 = nn.Linear(3, 2)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


# -- registration ---------------------------------------------------------------------------
def test_registration_by_assignment_and_explicitly():
    m = nn.Module()
    m.p = nn.Parameter(ember.zeros(2))
    m.register_parameter("q", None)
    m.register_buffer("b", ember.ones(1))
    m.c = nn.Buffer(ember.ones(2), persistent=False)
    m.sub = Scale()
    m.add_module("sub2", Scale())
    m.register_module("none", None)
    assert list(m._parameters) == ["p", "q"]
    assert list(m._buffers) == ["b", "c"]
    assert m._non_persistent_buffers_set == {"c"}
    assert list(m._modules) == ["sub", "sub2", "none"]
    assert m.q is None and m.none is None
    # reassigning a parameter name with a plain tensor is refused, None is accepted
    with pytest.raises(TypeError, match=r"cannot assign 'ember.FloatTensor' as parameter 'p'"):
        m.p = ember.zeros(2)
    m.p = None
    assert m._parameters["p"] is None
    # buffer values may be replaced by tensors
    m.b = ember.zeros(3)
    assert m.b.shape == (3,)
    with pytest.raises(TypeError, match="as buffer 'b'"):
        m.b = 3
    # a plain attribute becomes a module when a module is assigned
    m.x = 1
    m.x = Scale()
    assert "x" in m._modules and "x" not in m.__dict__
    del m.x
    assert "x" not in m._modules
    del m.c
    assert "c" not in m._non_persistent_buffers_set


def test_registration_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match=r"name can.*contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(KeyError, match="empty string"):
        m.register_buffer("", None)
    with pytest.raises(TypeError, match="parameter name should be a string"):
        m.register_parameter(1, None)
    with pytest.raises(KeyError, match="attribute 'train' already exists"):
        m.register_buffer("train", ember.ones(1))
    with pytest.raises(TypeError, match=r"cannot assign 'ember.FloatTensor' object to parameter"):
        m.register_parameter("w", ember.ones(1))
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    x = ember.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match="Cannot assign non-leaf Tensor"):
        m.register_parameter("w", _nonleaf(x))

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(ember.ones(1))

    with pytest.raises(AttributeError, match=r"before Module.__init__"):
        Early()
    with pytest.raises(AttributeError, match="'Module' object has no attribute 'nope'"):
        _ = m.nope


def _nonleaf(x):
    p = nn.Parameter(ember.ones(2))
    p.grad_fn = (x * 2).grad_fn
    return p


def test_traversal():
    net = Net()
    net.shared = net.fc1  # the same module twice
    names = [n for n, _ in net.named_modules()]
    assert names == ["", "fc1", "act", "fc2"]
    all_names = [n for n, _ in net.named_modules(remove_duplicate=False)]
    assert all_names == ["", "fc1", "act", "fc2", "shared"]
    assert [n for n, _ in net.named_modules(prefix="model")][:2] == ["model", "model.fc1"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "fc2"]
    assert len(list(net.children())) == 3
    assert [n for n, _ in net.named_parameters()] == [
        "fc1.weight", "fc1.bias", "act.w", "fc2.weight", "fc2.bias",
    ]  # fmt: skip
    dup = [n for n, _ in net.named_parameters(remove_duplicate=False)]
    assert dup[-2:] == ["shared.weight", "shared.bias"]
    assert [n for n, _ in net.named_parameters(recurse=False)] == []
    assert next(n for n, _ in net.named_parameters(prefix="m")) == "m.fc1.weight"
    assert [n for n, _ in net.named_buffers()] == ["act.count", "act.tmp"]
    assert len(list(net.parameters())) == 5 and len(list(net.buffers())) == 2
    assert next(iter(net.act.buffers(recurse=False))) is net.act.count


def test_get_submodule_parameter_buffer():
    net = nn.Sequential(Net())
    assert net.get_submodule("0.fc1") is net[0].fc1
    assert net.get_submodule("") is net
    assert net.get_parameter("0.act.w") is net[0].act.w
    assert net.get_buffer("0.act.count") is net[0].act.count
    with pytest.raises(AttributeError, match="Net has no attribute `fc9`"):
        net.get_submodule("0.fc9")
    with pytest.raises(AttributeError, match=r"`w` is not an nn.Module"):
        net.get_submodule("0.act.w")
    with pytest.raises(AttributeError, match=r"`count` is not an nn.Parameter"):
        net.get_parameter("0.act.count")
    with pytest.raises(AttributeError, match="`w` is not a buffer"):
        net.get_buffer("0.act.w")
    new = Scale(3)
    net.set_submodule("0.act", new)
    assert net[0].act is new


# -- modes ----------------------------------------------------------------------------------
def test_train_eval_propagate():
    net = nn.Sequential(Net(), Scale())
    assert all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net[0].train(False)
    assert net.training and not net[0].fc1.training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train("yes")


def test_requires_grad_and_zero_grad():
    net = Net()
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    net(ember.ones(2, 4)).sum().backward()
    grads = [p.grad for p in net.parameters()]
    assert all(g is not None for g in grads)
    net.zero_grad(set_to_none=False)
    for p, g in zip(net.parameters(), grads):
        assert p.grad is g and float(p.grad.abs().sum()) == 0.0
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_apply_visits_children_first():
    net = Net()
    order = []
    assert net.apply(lambda m: order.append(type(m).__name__)) is net
    assert order == ["Linear", "Scale", "Linear", "Net"]


# -- dtype / device -------------------------------------------------------------------------
def test_to_dtype_keeps_parameter_identity_and_converts_grads():
    net = Net()
    params = list(net.parameters())
    net(ember.ones(1, 4)).sum().backward()
    grad0 = params[0].grad
    assert net.to(ember.float64) is net
    assert [p is q for p, q in zip(net.parameters(), params)] == [True] * 5
    assert all(p.dtype == ember.float64 for p in net.parameters())
    assert grad0.dtype == ember.float64 and params[0].grad is grad0
    assert net.act.count.dtype == ember.int64  # integer buffers keep their dtype
    assert net.act.tmp.dtype == ember.float64
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    out = net(ember.ones(1, 4, dtype=ember.float64))
    assert out.dtype == ember.float64
    net.float()
    assert net.fc1.weight.dtype == ember.float32
    net.half()
    assert net.fc1.weight.dtype == ember.float16 and net.act.count.dtype == ember.int64
    net.double()
    assert net.fc2.bias.dtype == ember.float64
    net.type(ember.float32)
    assert net.act.count.dtype == ember.float32  # type() converts every tensor
    net.to(ember.ones(1, dtype=ember.float64))
    assert net.fc1.weight.dtype == ember.float64
    net.to("cpu", ember.float32, non_blocking=True)
    net.to(device="cpu", dtype=ember.float32)
    net.cpu()
    assert net.fc1.weight.dtype == ember.float32 and net.fc1.weight.device.type == "cpu"


def test_to_rejects_integer_dtype():
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        Net().to(ember.int64)


def test_to_values_unchanged():
    net = Net()
    before = net.fc1.weight.detach().numpy().copy()
    net.double()
    np.testing.assert_allclose(net.fc1.weight.detach().numpy(), before, rtol=1e-7)


@pytest.mark.cuda
def test_cuda_roundtrip():
    net = Net()
    w = net.fc1.weight
    net.cuda()
    assert w.is_cuda and net.act.count.is_cuda and net.fc1.weight is w
    out = net(ember.ones(2, 4, device="cuda"))
    assert out.is_cuda
    net.cpu()
    assert not w.is_cuda


# -- repr -----------------------------------------------------------------------------------
def test_repr_nested_like_pytorch():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(2, 2, bias=False)
            self.inner = nn.Sequential(nn.Linear(2, 3), Scale())

        def extra_repr(self):
            return "depth=2\nwidth=3"

    expected = (
        "Block(\n"
        "  depth=2\n"
        "  width=3\n"
        "  (lin): Linear(in_features=2, out_features=2, bias=False)\n"
        "  (inner): Sequential(\n"
        "    (0): Linear(in_features=2, out_features=3, bias=True)\n"
        "    (1): Scale()\n"
        "  )\n"
        ")"
    )
    assert repr(Block()) == expected
    assert repr(nn.Module()) == "Module()"
    # PyTorch does not compress repeated children of a plain module or a Sequential
    seq = nn.Sequential(Scale(), Scale())
    assert repr(seq) == "Sequential(\n  (0): Scale()\n  (1): Scale()\n)"


def test_dir_lists_registered_names():
    net = Net()
    names = dir(net)
    for n in ("fc1", "act", "forward", "state_dict", "training"):
        assert n in names
    assert "w" in dir(net.act) and "count" in dir(net.act)


# -- copies ---------------------------------------------------------------------------------
def _shared_net():
    net = Net()
    net.tied = nn.Linear(4, 3)
    net.tied.weight = net.fc1.weight
    return net


@pytest.mark.parametrize("how", ["deepcopy", "pickle"])
def test_copy_keeps_parameters_and_sharing(how):
    net = _shared_net()
    net.eval()
    other = copy.deepcopy(net) if how == "deepcopy" else pickle.loads(pickle.dumps(net))
    assert type(other) is Net and not other.training
    assert isinstance(other.fc1.weight, nn.Parameter) and other.fc1.weight.requires_grad
    assert other.tied.weight is other.fc1.weight
    assert other.fc1.weight is not net.fc1.weight
    x = ember.randn(2, 4)
    np.testing.assert_allclose(other(x).detach().numpy(), net(x).detach().numpy())
    assert list(other.state_dict()) == list(net.state_dict())
    assert other.act._non_persistent_buffers_set == {"tmp"}
    # independent storage
    with ember.no_grad():
        other.fc1.weight.fill_(0.0)
    assert float(net.fc1.weight.abs().sum()) > 0
    # still trainable
    other(x).sum().backward()
    assert other.fc1.weight.grad is not None


def test_deepcopy_copies_grads():
    net = Net()
    net(ember.ones(1, 4)).sum().backward()
    other = copy.deepcopy(net)
    assert other.fc1.weight.grad is not None
    assert other.fc1.weight.grad is not net.fc1.weight.grad
    np.testing.assert_array_equal(other.fc1.weight.grad.numpy(), net.fc1.weight.grad.numpy())


# -- module path in errors ------------------------------------------------------------------
class MNISTHead(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc2(self.fc1(x))


def _notes(exc):
    if sys.version_info >= (3, 11):
        return "\n".join(getattr(exc, "__notes__", []))
    return str(exc)


def test_error_names_module_path_repr_and_shapes():
    model = nn.Sequential(nn.Identity(), MNISTHead()) if hasattr(nn, "Identity") else None
    with pytest.raises(RuntimeError) as info:
        model(ember.zeros(64, 9215))
    text = _notes(info.value)
    assert (
        "Sequential.1.fc1 (Linear(in_features=9216, out_features=128, bias=True)): "
        "input shapes [(64, 9215)]"
    ) in text
    assert text.count("input shapes") == 1  # one note, rewritten on the way out
    # the original error type and message are kept
    assert "9215" in str(info.value)


def test_error_in_direct_call_and_in_own_forward():
    lin = nn.Linear(3, 2)
    with pytest.raises(RuntimeError) as info:
        lin(ember.zeros(5, 4))
    assert "Linear (Linear(in_features=3, out_features=2, bias=True)): input shapes [(5, 4)]" in (
        _notes(info.value)
    )

    class Bad(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = Scale()

        def forward(self, x, n, y=None):
            raise ValueError("broken")

    with pytest.raises(ValueError, match="broken") as info:
        Bad()(ember.zeros(2, 3), 4, y=ember.ones(1))
    # a multi-line repr is shortened
    assert "Bad (Bad(...)): input shapes [(2, 3), int, y=(1,)]" in _notes(info.value)


def test_error_in_hooked_module_and_unregistered_module():
    class Outer(nn.Module):
        def __init__(self):
            super().__init__()
            self.head = MNISTHead()
            self.free = [nn.Linear(2, 2)]  # not registered

        def forward(self, x):
            return self.free[0](x)

    outer = Outer()
    outer.register_forward_hook(lambda m, a, o: None)
    with pytest.raises(RuntimeError) as info:
        outer(ember.zeros(1, 3))
    assert "Linear (Linear(in_features=2, out_features=2, bias=True)): input shapes [(1, 3)]" in (
        _notes(info.value)
    )
