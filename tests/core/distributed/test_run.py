"""``ember-run``: the command it builds, and 2 processes started through it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from ember.distributed.run import build_command, parse_args

WORKERS = Path(__file__).parent / "workers"


def test_starts_two_processes_with_rank_variables(tmp_path, mpi_env_vars, mpi_launch):
    cmd = [sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2",
           str(WORKERS / "run_target.py"), str(tmp_path), "--flag"]  # fmt: skip
    proc = subprocess.run(cmd, env=mpi_env_vars, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr[-3000:]
    records = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in range(2)]
    for rank, rec in enumerate(records):
        assert rec["rank"] == rank and rec["sum"] == 3.0
        assert rec["argv"] == [str(tmp_path), "--flag"] and rec["name"] == "__main__"
        assert rec["env"] == {"RANK": str(rank), "WORLD_SIZE": "2", "LOCAL_RANK": str(rank),
                              "LOCAL_WORLD_SIZE": "2"}  # fmt: skip


def test_exit_status_of_a_failing_script(tmp_path, mpi_env_vars, mpi_launch):
    script = tmp_path / "bad.py"
    script.write_text("raise SystemExit(3)\n")
    cmd = [sys.executable, "-m", "ember.distributed.run", "--nproc-per-node", "2", str(script)]
    proc = subprocess.run(cmd, env=mpi_env_vars, capture_output=True, text=True, timeout=90)
    assert proc.returncode != 0


def test_build_command_single_node():
    args = parse_args(["--nproc-per-node", "3", "--mpiexec", "/opt/mpi/bin/mpiexec",
                       "train.py", "--lr", "0.1"])  # fmt: skip
    cmd = build_command(args)
    assert cmd[:3] == ["/opt/mpi/bin/mpiexec", "-n", "3"]
    assert cmd[-6:] == [sys.executable, "-m", "ember.distributed.run", "--ember-run-worker",
                        "train.py", "--lr", "0.1"][-6:]  # fmt: skip
    assert "--lr" in cmd and cmd.index("train.py") < cmd.index("--lr")


def test_build_command_module_and_hosts():
    args = parse_args(["--nnodes", "2", "--nproc-per-node", "4", "--hosts", "a,b",
                       "--mpiexec", "mpiexec", "--mpi-args", "--bind-to core",
                       "-m", "pkg.train", "x"])  # fmt: skip
    cmd = build_command(args)
    assert cmd[:3] == ["mpiexec", "-n", "8"]
    assert cmd[3:5] == ["-ppn", "4"] and "-hosts" in cmd and "a,b" in cmd
    assert "--bind-to" in cmd and "core" in cmd
    assert cmd[-3:] == ["-m", "pkg.train", "x"]


def test_default_mpiexec_is_found(mpi_launch):
    cmd = build_command(parse_args(["train.py"]))
    assert Path(cmd[0]).name in ("mpiexec", "mpirun")
    assert cmd[1:3] == ["-n", "1"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--nnodes", "2", "t.py"], "--hosts or --hostfile"),
        (["--nnodes", "2", "--hosts", "a", "t.py"], "names 1 hosts but --nnodes is 2"),
        (["--nproc-per-node", "0", "t.py"], "must be >= 1"),
    ],
)
def test_bad_arguments(argv, message, capsys):
    with pytest.raises(SystemExit):
        parse_args(argv)
    assert message in capsys.readouterr().err
