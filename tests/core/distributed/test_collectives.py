"""Collectives on 2 MPI processes (one launch running every check of
``workers/collectives_worker.py``), and the parts of ``ember.distributed`` that need no
process group."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

import ember
import ember.distributed as dist
from ember.distributed import ReduceOp, Work
from ember.distributed._env import detect_launch, launched_by_mpi


def test_on_two_ranks(collectives_results, collectives_check, outcome):
    outcome(collectives_results, collectives_check)


# -- without a process group -----------------------------------------------------------------
def test_import_does_not_load_mpi():
    code = (
        "import sys, ember, ember.distributed as d, ember.nn.parallel\n"
        "assert not d.is_initialized()\n"
        "print('mpi4py' in sys.modules, 'cupy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_nccl_backend_module_imports_without_cupy():
    code = (
        "import sys, ember.distributed._backend_nccl as n\n"
        "import ember.distributed as d\n"
        "print(n.nccl_usable(), d.is_nccl_available(), 'cupy' in sys.modules)"
    )
    if importlib.util.find_spec("cupy") is not None:
        pytest.skip("CuPy is installed: this checks the import without it")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "False"]


def test_functions_before_init_raise_value_error():
    assert not dist.is_initialized()
    for call in (
        dist.get_rank,
        dist.get_world_size,
        dist.get_backend,
        dist.barrier,
        lambda: dist.all_reduce(ember.ones(1)),
        lambda: dist.new_group([0]),
        lambda: dist.all_gather_object([None], 1),
    ):
        with pytest.raises(ValueError, match="init_process_group"):
            call()
    assert dist.group.WORLD is None and dist.GroupMember.WORLD is None


def test_init_rejects_unknown_backend_and_init_method():
    with pytest.raises(ValueError, match="'gloo' is not available"):
        dist.init_process_group("gloo")
    with pytest.raises(ValueError, match="init_method 'tcp://h:1'"):
        dist.init_process_group("mpi", init_method="tcp://h:1")
    assert not dist.is_initialized()


def test_reduce_op_values_match_pytorch():
    assert [int(op) for op in ReduceOp.RedOpType] == list(range(8))
    assert repr(ReduceOp.SUM) == "<RedOpType.SUM: 0>"
    assert ReduceOp.AVG is ReduceOp.RedOpType.AVG


def test_backend_names():
    assert dist.Backend("MPI") == "mpi" and dist.Backend.NCCL == "nccl"
    with pytest.raises(ValueError, match="'gloo'"):
        dist.Backend("gloo")
    with pytest.raises(TypeError):
        dist.Backend(3)


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        (
            {"OMPI_COMM_WORLD_RANK": "3", "OMPI_COMM_WORLD_SIZE": "4",
             "OMPI_COMM_WORLD_LOCAL_RANK": "1", "OMPI_COMM_WORLD_LOCAL_SIZE": "2"},
            (3, 4, 1, 2, "openmpi"),
        ),
        ({"PMI_RANK": "1", "PMI_SIZE": "2", "MPI_LOCALRANKID": "0"}, (1, 2, 0, 2, "pmi")),
        ({"RANK": "2", "WORLD_SIZE": "8", "LOCAL_RANK": "2"}, (2, 8, 2, 8, "env")),
        ({"RANK": "2"}, (0, 1, 0, 1, "none")),  # no size: not a launch
        ({}, (0, 1, 0, 1, "none")),
    ],
)  # fmt: skip
def test_detect_launch(environ, expected):
    assert tuple(detect_launch(environ)) == expected
    assert launched_by_mpi(environ) == (expected[-1] in ("openmpi", "pmi"))


def test_detect_launch_rejects_non_integer():
    with pytest.raises(ValueError, match="RANK must be an integer, got 'x'"):
        detect_launch({"RANK": "x", "WORLD_SIZE": "2"})


def test_work_runs_callbacks_once_on_wait():
    calls = []
    done = []
    work = Work(lambda: done.append(1), lambda: bool(done))
    work.then(lambda: calls.append("a")).then(lambda: calls.append("b"))
    assert not work.is_completed() and calls == []
    assert work.wait() is True and work.wait() is True
    assert calls == ["a", "b"] and done == [1]
    assert work.is_success() and work.exception() is None


def test_work_keeps_its_error():
    def fail():
        raise RuntimeError("lost")

    work = Work(fail)
    with pytest.raises(RuntimeError, match="lost"):
        work.wait()
    assert isinstance(work.exception(), RuntimeError)
    with pytest.raises(RuntimeError, match="lost"):
        work.wait()


def test_distributed_sampler_without_group_is_one_replica():
    from ember.utils.data import DistributedSampler

    s = DistributedSampler(list(range(5)), shuffle=False)
    assert (s.num_replicas, s.rank, list(s)) == (1, 0, [0, 1, 2, 3, 4])
    s2 = DistributedSampler(list(range(5)), num_replicas=2, rank=1, shuffle=False)
    assert list(s2) == [1, 3, 0]
    assert np.array_equal(sorted(list(s2)), [0, 1, 3])
