"""DistributedDataParallel on 2 MPI processes (the checks of
``workers/training_worker.py`` whose names start with ``check_ddp``), and its argument
errors without a process group."""

from __future__ import annotations

import pytest

import ember
from ember import nn
from ember.nn.parallel import DistributedDataParallel


def test_on_two_ranks(training_results, ddp_check, outcome):
    outcome(training_results, ddp_check)


def test_needs_an_initialised_process_group():
    with pytest.raises(ValueError, match="init_process_group"):
        DistributedDataParallel(nn.Linear(2, 2))


def test_rejects_several_devices_and_non_modules():
    with pytest.raises(ValueError, match=r"device_ids can only be None or contain a single"):
        DistributedDataParallel(nn.Linear(2, 2), device_ids=[0, 1])
    with pytest.raises(TypeError, match=r"must be an nn\.Module, got Tensor"):
        DistributedDataParallel(ember.ones(2))


def test_reachable_from_ember_nn():
    assert nn.parallel.DistributedDataParallel is DistributedDataParallel
