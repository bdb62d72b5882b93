"""state_dict / load_state_dict: keys and order, metadata, strict errors listing every key,
in-place copies with casts, assign, extra state, and the state-dict hooks."""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest

import ember
from ember import nn


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 3)
        self.register_buffer("steps", ember.zeros((), dtype=ember.int64))
        self.register_buffer("cache", ember.zeros(3), persistent=False)
        self.scale = nn.Parameter(ember.ones(3))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Parameter(ember.zeros(2))
        self.block = Block()
        self.register_buffer("mean", ember.zeros(2))
        self.out = nn.Linear(3, 2)


def test_keys_in_pytorch_order():
    sd = Net().state_dict()
    assert isinstance(sd, OrderedDict)
    # a module's own parameters, then its buffers, then its children
    assert list(sd) == [
        "head", "mean", "block.scale", "block.steps", "block.fc.weight", "block.fc.bias",
        "out.weight", "out.bias",
    ]  # fmt: skip
    assert sd._metadata == OrderedDict(
        [("", {"version": 1}), ("block", {"version": 1}), ("block.fc", {"version": 1}),
         ("out", {"version": 1})]
    )  # fmt: skip


def test_values_are_detached_unless_keep_vars():
    net = Net()
    sd = net.state_dict()
    assert not sd["head"].requires_grad and type(sd["head"]) is ember.Tensor
    # detached tensors share memory with the parameters
    with ember.no_grad():
        net.head.fill_(5.0)
    assert float(sd["head"][0]) == 5.0
    kept = net.state_dict(keep_vars=True)
    assert kept["head"] is net.head and kept["block.steps"] is net.block.steps


def test_prefix_and_destination():
    net = Net()
    dest = OrderedDict()
    out = net.block.state_dict(destination=dest, prefix="model.")
    assert out is dest and next(iter(dest)) == "model.scale"
    assert "model.fc.bias" in dest


def test_roundtrip_copies_in_place():
    a, b = Net(), Net()
    with ember.no_grad():
        for p in a.parameters():
            p.normal_()
    weight = b.block.fc.weight
    result = b.load_state_dict(a.state_dict())
    assert repr(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert b.block.fc.weight is weight  # copied into the existing parameter
    for (na, pa), (nb, pb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert na == nb
        np.testing.assert_array_equal(pa.numpy(), pb.numpy())
    assert b.block.fc.weight.requires_grad


def test_load_casts_dtype():
    net = Net()
    sd = {k: v.double() if v.is_floating_point() else v for k, v in Net().state_dict().items()}
    net.load_state_dict(sd)
    assert net.block.fc.weight.dtype == ember.float32
    np.testing.assert_allclose(
        net.block.fc.weight.detach().numpy(), sd["block.fc.weight"].numpy(), rtol=1e-6
    )


def test_strict_error_lists_every_key():
    net = Net()
    sd = net.state_dict()
    del sd["head"]
    del sd["block.fc.bias"]
    sd["extra"] = ember.ones(1)
    sd["block.other"] = ember.ones(1)
    sd["out.weight"] = ember.ones(2, 5)
    sd["block.scale"] = ember.ones(4)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(sd)
    msg = str(info.value)
    assert msg == (
        "Error(s) in loading state_dict for Net:\n"
        '\tMissing key(s) in state_dict: "head", "block.fc.bias". \n'
        '\tUnexpected key(s) in state_dict: "extra", "block.other". \n'
        "\tsize mismatch for block.scale: copying a param with shape [4] from checkpoint, "
        "the shape in current model is [3].\n"
        "\tsize mismatch for out.weight: copying a param with shape [2, 5] from checkpoint, "
        "the shape in current model is [2, 3]."
    )


def test_non_strict_returns_keys_but_still_fails_on_shapes():
    net = Net()
    sd = net.state_dict()
    del sd["mean"]
    sd["nope"] = ember.ones(1)
    res = net.load_state_dict(sd, strict=False)
    assert res.missing_keys == ["mean"] and res.unexpected_keys == ["nope"]
    assert res == (["mean"], ["nope"])
    assert repr(res) == "_IncompatibleKeys(missing_keys=['mean'], unexpected_keys=['nope'])"
    sd["out.bias"] = ember.ones(7)
    with pytest.raises(RuntimeError, match=r"size mismatch for out.bias: .* \[7\] .* \[2\]"):
        net.load_state_dict(sd, strict=False)


def test_non_persistent_buffer_not_expected_and_not_saved():
    net = Net()
    assert "block.cache" not in net.state_dict()
    sd = net.state_dict()
    sd["block.cache"] = ember.ones(3)
    with pytest.raises(RuntimeError, match=r'Unexpected key\(s\) in state_dict: "block.cache"'):
        net.load_state_dict(sd)


def test_non_tensor_value_is_an_error():
    net = Net()
    sd = net.state_dict()
    sd["head"] = [1.0, 2.0]
    with pytest.raises(RuntimeError, match='While copying the parameter named "head", expected'):
        net.load_state_dict(sd)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        net.load_state_dict([("head", ember.ones(2))])


def test_assign_replaces_tensors():
    net = Net()
    new = {k: v.clone() for k, v in Net().state_dict().items()}
    new["block.fc.weight"] = new["block.fc.weight"].double()
    net.load_state_dict(new, assign=True)
    w = net.block.fc.weight
    assert isinstance(w, nn.Parameter) and w.requires_grad and w.dtype == ember.float64
    assert net.mean is new["mean"]
    net.block.fc.weight.requires_grad_(False)
    net.load_state_dict(Net().state_dict(), assign=True)
    # assign keeps the module's requires_grad choice
    assert net.head.requires_grad


def test_scalar_from_old_checkpoint_shape_one():
    net = Net()
    sd = net.state_dict()
    sd["block.steps"] = ember.tensor([7])
    net.load_state_dict(sd)
    assert int(net.block.steps) == 7


def test_extra_state():
    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.w = nn.Parameter(ember.ones(1))
            self.config = {"k": 1}

        def get_extra_state(self):
            return dict(self.config)

        def set_extra_state(self, state):
            self.config = state

    m = WithExtra()
    sd = m.state_dict()
    assert list(sd) == ["w", "_extra_state"] and sd["_extra_state"] == {"k": 1}
    other = WithExtra()
    other.load_state_dict({"w": ember.ones(1), "_extra_state": {"k": 5}})
    assert other.config == {"k": 5}
    with pytest.raises(RuntimeError, match='Missing key\\(s\\) in state_dict: "_extra_state"'):
        other.load_state_dict({"w": ember.ones(1)})
    with pytest.raises(RuntimeError, match='Unexpected key\\(s\\) in state_dict: "_extra_state"'):
        nn.Linear(1, 1).load_state_dict(
            {"weight": ember.ones(1, 1), "bias": ember.ones(1), "_extra_state": 0}
        )


def test_load_from_state_dict_override_point():
    class Versioned(nn.Module):
        _version = 2

        def __init__(self):
            super().__init__()
            self.register_buffer("count", ember.zeros((), dtype=ember.int64))

        def _load_from_state_dict(self, state_dict, prefix, local_metadata, *args):
            version = local_metadata.get("version")
            if (version is None or version < 2) and prefix + "count" not in state_dict:
                state_dict[prefix + "count"] = ember.tensor(0)
            super()._load_from_state_dict(state_dict, prefix, local_metadata, *args)

    seq = nn.Sequential(Versioned())
    sd = seq.state_dict()
    assert sd._metadata["0"] == {"version": 2}
    old = OrderedDict()  # an old checkpoint without the buffer and without metadata
    seq.load_state_dict(old)
    assert int(seq[0].count) == 0


def test_state_dict_hooks():
    net = Net()
    calls = []
    h1 = net.register_state_dict_pre_hook(lambda m, prefix, keep_vars: calls.append(prefix))

    def post(module, sd, prefix, meta):
        sd[prefix + "added"] = ember.ones(1)

    h2 = net.block.register_state_dict_post_hook(post)
    sd = net.state_dict()
    assert calls == [""] and "block.added" in sd
    h1.remove()
    h2.remove()
    assert "block.added" not in net.state_dict()
    net.register_state_dict_post_hook(lambda m, sd, p, meta: {})
    with pytest.raises(RuntimeError, match="state_dict post-hook must return None"):
        net.state_dict()


def test_private_state_dict_hook_may_return_new_dict():
    net = nn.Linear(2, 2)
    net._register_state_dict_hook(lambda m, sd, p, meta: OrderedDict(w=1))
    assert net.state_dict() == OrderedDict(w=1)


def test_load_state_dict_hooks():
    net = Net()
    seen = []

    def pre(module, state_dict, prefix, local_metadata, strict, missing, unexpected, errors):
        seen.append((type(module).__name__, prefix))
        if prefix + "old_scale" in state_dict:  # rename a key of an older format
            state_dict[prefix + "scale"] = state_dict.pop(prefix + "old_scale")

    net.block.register_load_state_dict_pre_hook(pre)

    def post(module, incompatible):
        seen.append(("post", list(incompatible.unexpected_keys)))
        incompatible.unexpected_keys.clear()  # in-place edits change the strict check

    net.register_load_state_dict_post_hook(post)
    sd = net.state_dict()
    sd["block.old_scale"] = sd.pop("block.scale") * 3
    sd["junk"] = ember.ones(1)
    net.load_state_dict(sd)
    assert seen == [("Block", "block."), ("post", ["junk"])]
    np.testing.assert_allclose(net.block.scale.detach().numpy(), [3.0, 3.0, 3.0])
    net.register_load_state_dict_post_hook(lambda m, k: 1)
    with pytest.raises(RuntimeError, match="not expected to return new values"):
        net.load_state_dict(net.state_dict(), strict=False)


def test_state_dict_of_shared_parameters():
    net = Net()
    net.tied = nn.Linear(4, 3)
    net.tied.weight = net.block.fc.weight
    sd = net.state_dict()
    assert "tied.weight" in sd and "block.fc.weight" in sd  # both names are saved
    net.load_state_dict(sd)
