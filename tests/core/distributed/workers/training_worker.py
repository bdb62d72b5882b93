"""DDP and SyncBatchNorm checks on 2 ranks: each rank also runs the single-process
reference (the whole batch in one model) and compares."""

from __future__ import annotations

import copy

import numpy as np
from _harness import main

import ember
import ember.distributed as dist
from ember import nn
from ember.nn.parallel import DistributedDataParallel as DDP

LOCAL_BATCH = 4


def _world():
    return dist.get_rank(), dist.get_world_size()


def _batch(step: int, rank: int, n: int = LOCAL_BATCH, features: int = 5):
    rng = np.random.default_rng(1000 * step + rank)
    x = rng.standard_normal((n, features))
    y = rng.standard_normal((n, 2))
    return ember.tensor(x), ember.tensor(y)


def _full_batch(step: int, world: int, n: int = LOCAL_BATCH):
    parts = [_batch(step, r, n) for r in range(world)]
    return ember.cat([p[0] for p in parts]), ember.cat([p[1] for p in parts])


def _mlp(seed: int):
    ember.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 2)).double()


def _params(module):
    return {n: p.detach().numpy().copy() for n, p in module.named_parameters()}


def _assert_params_close(a: dict, b: dict, atol: float = 1e-6) -> None:
    assert a.keys() == b.keys(), (a.keys(), b.keys())
    for name in a:
        np.testing.assert_allclose(a[name], b[name], atol=atol, rtol=0, err_msg=name)


def _same_on_all_ranks(value: dict) -> None:
    everyone = [None] * dist.get_world_size()
    dist.all_gather_object(everyone, value)
    for other in everyone[1:]:
        _assert_params_close(everyone[0], other, atol=0)


def _expect_error(exc_type, match: str, fn) -> None:
    try:
        fn()
    except exc_type as exc:
        assert match in str(exc), f"{exc_type.__name__} without {match!r}: {exc}"
    else:
        raise AssertionError(f"expected {exc_type.__name__} containing {match!r}")


# -- DistributedDataParallel -----------------------------------------------------------------
def check_ddp_broadcasts_rank0_parameters_at_wrap():
    rank, _ = _world()
    model = _mlp(seed=rank)  # different on each rank
    reference = _params(_mlp(seed=0))
    ddp = DDP(model)
    _assert_params_close(_params(ddp.module), reference, atol=0)


def check_ddp_training_matches_single_process_full_batch():
    rank, world = _world()
    single = _mlp(seed=0)
    ddp = DDP(copy.deepcopy(single), bucket_cap_mb=0.0002)  # ~200 bytes: several buckets
    assert ddp._get_ddp_logging_data()["num_buckets"] > 1
    opt = ember.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    opt_single = ember.optim.SGD(single.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.MSELoss()
    for step in range(4):
        x, y = _batch(step, rank)
        opt.zero_grad()
        loss_fn(ddp(x), y).backward()
        opt.step()
        xf, yf = _full_batch(step, world)
        opt_single.zero_grad()
        loss_fn(single(xf), yf).backward()
        opt_single.step()
        _assert_params_close(_params(ddp.module), _params(single))
    _same_on_all_ranks(_params(ddp.module))
    stats = ddp._get_ddp_logging_data()
    assert stats["num_reductions"] == 4 and stats["total_backward_comm_time_s"] > 0


def check_ddp_grads_are_full_batch_average():
    rank, world = _world()
    single = _mlp(seed=1)
    ddp = DDP(copy.deepcopy(single))
    x, y = _batch(7, rank)
    nn.MSELoss()(ddp(x), y).backward()
    xf, yf = _full_batch(7, world)
    nn.MSELoss()(single(xf), yf).backward()
    for (name, p), q in zip(ddp.module.named_parameters(), single.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-12, err_msg=name)


def check_ddp_no_sync_accumulates_like_the_full_batch():
    rank, world = _world()
    single = _mlp(seed=2)
    ddp = DDP(copy.deepcopy(single))
    loss_fn = nn.MSELoss()
    x1, y1 = _batch(11, rank)
    with ddp.no_sync():
        loss_fn(ddp(x1), y1).backward()
    # inside no_sync the gradients stay local: they equal this rank's own gradients
    local = copy.deepcopy(single)
    loss_fn(local(x1), y1).backward()
    for p, q in zip(ddp.module.parameters(), local.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-12)
    x2, y2 = _batch(12, rank)
    loss_fn(ddp(x2), y2).backward()  # synchronised: averages the accumulated sums
    for step in (11, 12):
        xf, yf = _full_batch(step, world)
        loss_fn(single(xf), yf).backward()
    for p, q in zip(ddp.module.parameters(), single.parameters()):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), atol=1e-12)
    _same_on_all_ranks({n: p.grad.numpy() for n, p in ddp.module.named_parameters()})


class _Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.used = nn.Linear(3, 2).double()
        self.unused = nn.Linear(3, 2).double()

    def forward(self, x):
        return self.used(x)


def check_ddp_find_unused_parameters():
    rank, _ = _world()
    ember.manual_seed(3)
    ddp = DDP(_Branchy(), find_unused_parameters=True)
    x = ember.tensor(np.full((2, 3), rank + 1.0))
    for _ in range(2):  # a second iteration works: the reduction finished
        ddp.zero_grad()
        ddp(x).sum().backward()
        assert ddp.module.unused.weight.grad is None  # no rank used it: left alone
        # d(sum(W x + b))/dW averaged over ranks: rows of mean(x) * batch
        np.testing.assert_allclose(ddp.module.used.weight.grad.numpy(), np.full((2, 3), 3.0))


def check_ddp_unused_parameters_without_flag_name_them():
    ember.manual_seed(4)
    ddp = DDP(_Branchy())
    ddp(ember.ones(2, 3, dtype=ember.float64)).sum().backward()
    _expect_error(RuntimeError, "unused.weight", lambda: ddp(ember.ones(2, 3, dtype=ember.float64)))


def check_ddp_rejects_models_that_differ_across_ranks():
    rank, _ = _world()
    model = nn.Linear(3, 2 + rank)
    _expect_error(RuntimeError, "weight with shape [2, 3]", lambda: DDP(model))
    _expect_error(RuntimeError, "doesn't have any parameter", lambda: DDP(nn.ReLU()))


def check_ddp_state_dict_and_module_attribute():
    model = _mlp(seed=5)
    ddp = DDP(model)
    assert ddp.module is model
    assert list(ddp.state_dict()) == ["module." + k for k in model.state_dict()]
    assert "module.0.weight" in ddp.state_dict()


def check_ddp_broadcasts_buffers_in_forward():
    rank, _ = _world()
    model = nn.Linear(2, 2)
    model.register_buffer("scale", ember.zeros(3))
    ddp = DDP(model)
    model.scale.fill_(float(rank + 7))
    ddp(ember.ones(1, 2)).sum().backward()
    np.testing.assert_array_equal(model.scale.numpy(), np.full(3, 7.0, dtype=np.float32))
    with ember.no_grad():  # no synchronised forward: buffers stay local
        model.scale.fill_(float(rank + 7))
        ddp(ember.ones(1, 2))
    np.testing.assert_array_equal(model.scale.numpy(), np.full(3, rank + 7.0, dtype=np.float32))


def check_ddp_float32_conv_model_with_sync_batchnorm():
    rank, world = _world()
    ember.manual_seed(6)
    single = nn.Sequential(
        nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(48, 2)
    )
    ddp = DDP(nn.SyncBatchNorm.convert_sync_batchnorm(copy.deepcopy(single)))
    assert isinstance(ddp.module[1], nn.SyncBatchNorm)
    opt = ember.optim.SGD(ddp.parameters(), lr=0.05)
    opt_single = ember.optim.SGD(single.parameters(), lr=0.05)
    rng = [np.random.default_rng(50 + r) for r in range(world)]
    for _ in range(3):
        xs = [g.standard_normal((3, 2, 4, 4)).astype(np.float32) for g in rng]
        ys = [g.standard_normal((3, 2)).astype(np.float32) for g in rng]
        opt.zero_grad()
        nn.MSELoss()(ddp(ember.tensor(xs[rank])), ember.tensor(ys[rank])).backward()
        opt.step()
        opt_single.zero_grad()
        out = single(ember.tensor(np.concatenate(xs)))
        nn.MSELoss()(out, ember.tensor(np.concatenate(ys))).backward()
        opt_single.step()
    _assert_params_close(_params(ddp.module), _params(single), atol=1e-5)
    rm = ddp.module[1].running_mean.numpy()
    np.testing.assert_allclose(rm, single[1].running_mean.numpy(), atol=1e-6)


# -- SyncBatchNorm -----------------------------------------------------------------------------
def _bn_inputs(world: int, sizes=(2, 3), shape=(3, 4, 5)):
    xs = [np.random.default_rng(70 + r).standard_normal((sizes[r],) + shape) * 2 + 1
          for r in range(world)]  # fmt: skip
    ws = [np.random.default_rng(80 + r).standard_normal((sizes[r],) + shape) for r in range(world)]
    return xs, ws


def check_syncbn_matches_batchnorm_on_the_whole_batch():
    rank, world = _world()
    xs, ws = _bn_inputs(world)  # uneven local batches: 2 and 3
    sbn = nn.SyncBatchNorm(3).double()
    bn = nn.BatchNorm2d(3).double()
    with ember.no_grad():
        for m in (sbn, bn):
            m.weight.copy_(ember.tensor([0.5, 1.5, -1.0], dtype=ember.float64))
            m.bias.copy_(ember.tensor([0.1, -0.2, 0.3], dtype=ember.float64))
    x = ember.tensor(xs[rank], requires_grad=True)
    out = sbn(x)
    (out * ember.tensor(ws[rank])).sum().backward()
    xf = ember.tensor(np.concatenate(xs), requires_grad=True)
    out_full = bn(xf)
    (out_full * ember.tensor(np.concatenate(ws))).sum().backward()
    lo = sum(x_.shape[0] for x_ in xs[:rank])
    hi = lo + xs[rank].shape[0]
    np.testing.assert_allclose(out.detach().numpy(), out_full.detach().numpy()[lo:hi], atol=1e-10)
    np.testing.assert_allclose(x.grad.numpy(), xf.grad.numpy()[lo:hi], atol=1e-10)
    np.testing.assert_allclose(sbn.running_mean.numpy(), bn.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(sbn.running_var.numpy(), bn.running_var.numpy(), atol=1e-12)
    assert int(sbn.num_batches_tracked.item()) == 1
    # weight and bias gradients are local sums: summed over ranks they equal BatchNorm's
    gw, gb = sbn.weight.grad.clone(), sbn.bias.grad.clone()
    dist.all_reduce(gw)
    dist.all_reduce(gb)
    np.testing.assert_allclose(gw.numpy(), bn.weight.grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(gb.numpy(), bn.bias.grad.numpy(), atol=1e-10)


def check_syncbn_statistics_against_numpy():
    rank, world = _world()
    xs, _ = _bn_inputs(world, sizes=(4, 1), shape=(2, 3))
    sbn = nn.SyncBatchNorm(2, affine=False, momentum=None).double()
    out = sbn(ember.tensor(xs[rank])).detach().numpy()
    full = np.concatenate(xs)
    mean = full.mean(axis=(0, 2))
    var = full.var(axis=(0, 2))
    want = (xs[rank] - mean[None, :, None]) / np.sqrt(var[None, :, None] + 1e-5)
    np.testing.assert_allclose(out, want, atol=1e-10)
    # momentum=None: cumulative average, so after one batch the running stats are the batch's
    np.testing.assert_allclose(sbn.running_mean.numpy(), mean, atol=1e-12)
    np.testing.assert_allclose(sbn.running_var.numpy(), full.var(axis=(0, 2), ddof=1), atol=1e-12)


def check_syncbn_eval_uses_running_statistics():
    rank, _ = _world()
    sbn = nn.SyncBatchNorm(3).double().eval()
    with ember.no_grad():
        sbn.running_mean.copy_(ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64))
        sbn.running_var.copy_(ember.tensor([4.0, 1.0, 0.25], dtype=ember.float64))
    x = np.random.default_rng(rank).standard_normal((2, 3, 4))
    out = sbn(ember.tensor(x)).detach().numpy()
    want = (x - np.array([1.0, 2, 3])[:, None]) / np.sqrt(np.array([4.0, 1, 0.25])[:, None] + 1e-5)
    np.testing.assert_allclose(out, want, atol=1e-12)


def check_syncbn_process_group_of_one_is_local():
    rank, _ = _world()
    groups = [dist.new_group([0]), dist.new_group([1])]  # every rank creates both
    group = groups[rank]
    sbn = nn.SyncBatchNorm(2, process_group=group).double()
    x = np.random.default_rng(rank + 5).standard_normal((3, 2))
    out = sbn(ember.tensor(x)).detach().numpy()
    want = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(out, want, atol=1e-10)


CHECKS = [
    check_ddp_broadcasts_rank0_parameters_at_wrap,
    check_ddp_training_matches_single_process_full_batch,
    check_ddp_grads_are_full_batch_average,
    check_ddp_no_sync_accumulates_like_the_full_batch,
    check_ddp_find_unused_parameters,
    check_ddp_unused_parameters_without_flag_name_them,
    check_ddp_rejects_models_that_differ_across_ranks,
    check_ddp_state_dict_and_module_attribute,
    check_ddp_broadcasts_buffers_in_forward,
    check_ddp_float32_conv_model_with_sync_batchnorm,
    check_syncbn_matches_batchnorm_on_the_whole_batch,
    check_syncbn_statistics_against_numpy,
    check_syncbn_eval_uses_running_statistics,
    check_syncbn_process_group_of_one_is_local,
]

if __name__ == "__main__":
    main(CHECKS)
