"""SyncBatchNorm: statistics and gradients over 2 MPI processes (the ``check_syncbn`` checks
of ``workers/training_worker.py``), and its behaviour without a process group, which is
BatchNorm's."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember import nn


def test_on_two_ranks(training_results, syncbn_check, outcome):
    outcome(training_results, syncbn_check)


@pytest.mark.parametrize("shape", [(4, 3), (4, 3, 5), (2, 3, 4, 4)])
def test_without_process_group_equals_batchnorm(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape) * 3 + 1
    w = rng.standard_normal(shape)
    sbn = nn.SyncBatchNorm(3).double()
    bn = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d}[len(shape)](3).double()
    xs = ember.tensor(x, requires_grad=True)
    xb = ember.tensor(x, requires_grad=True)
    (sbn(xs) * ember.tensor(w)).sum().backward()
    (bn(xb) * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(xs.grad.numpy(), xb.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(sbn.weight.grad.numpy(), bn.weight.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(sbn.running_var.numpy(), bn.running_var.numpy(), atol=1e-12)
    axes = (0,) + tuple(range(2, len(shape)))
    np.testing.assert_allclose(sbn.running_mean.numpy(), 0.1 * x.mean(axis=axes), atol=1e-12)


def test_convert_sync_batchnorm_shares_parameters_and_buffers():
    net = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.Sequential(nn.BatchNorm1d(4)))
    net.eval()
    bn, inner = net[1], net[2][0]
    out = nn.SyncBatchNorm.convert_sync_batchnorm(net)
    assert out is net
    assert isinstance(net[1], nn.SyncBatchNorm) and isinstance(net[2][0], nn.SyncBatchNorm)
    assert net[1].weight is bn.weight and net[1].running_var is bn.running_var
    assert net[2][0].num_features == inner.num_features == 4
    assert not net[1].training
    assert repr(net[1]) == (
        "SyncBatchNorm(2, eps=1e-05, momentum=0.1, affine=True, bias=True, "
        "track_running_stats=True)"
    )
    single = nn.SyncBatchNorm.convert_sync_batchnorm(nn.BatchNorm1d(3), process_group="g")
    assert isinstance(single, nn.SyncBatchNorm) and single.process_group == "g"


def test_input_dimension_errors():
    with pytest.raises(ValueError, match="expected at least 2D input \\(got 1D input\\)"):
        nn.SyncBatchNorm(3)(ember.ones(3))
    with pytest.raises(ValueError, match="non-zero"):
        nn.SyncBatchNorm(0)(ember.ones(2, 0))
