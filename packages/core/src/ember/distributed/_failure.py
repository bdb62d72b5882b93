"""Failure behaviour: an uncaught exception on one rank ends every rank of the job.

Note [No hang on failure]
    When one rank raises while the others wait in a collective, the others would wait
    forever. ``init_process_group`` therefore installs a ``sys.excepthook`` (and a
    ``threading.excepthook``) that prints the traceback as usual, flushes stdout and stderr,
    then calls ``MPI_Abort`` on ``MPI.COMM_WORLD``: the launcher (``mpiexec``, ``ember-run``)
    kills every rank and exits non-zero, with the failing rank's error in its output.
    ``destroy_process_group`` restores the previous hooks.
"""

from __future__ import annotations

import sys
import threading

__all__ = ["install_abort_on_exception", "uninstall_abort_on_exception"]

_saved: dict = {}


def _abort(code: int = 1) -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a closed stream must not keep the job alive
            pass
    from mpi4py import MPI

    MPI.COMM_WORLD.Abort(code)


def _excepthook(exc_type, exc, tb) -> None:
    _saved["sys"](exc_type, exc, tb)
    if issubclass(exc_type, KeyboardInterrupt):
        _abort(130)
    _abort(1)


def _thread_excepthook(args) -> None:
    _saved["threading"](args)
    if args.exc_type is SystemExit:
        return
    _abort(1)


def install_abort_on_exception() -> None:
    """Make an uncaught exception (in the main thread or any thread) abort the MPI job."""
    if "sys" in _saved:
        return
    _saved["sys"] = sys.excepthook
    _saved["threading"] = threading.excepthook
    sys.excepthook = _excepthook
    threading.excepthook = _thread_excepthook


def uninstall_abort_on_exception() -> None:
    """Restore the hooks that were in place before :func:`install_abort_on_exception`."""
    if "sys" not in _saved:
        return
    sys.excepthook = _saved.pop("sys")
    threading.excepthook = _saved.pop("threading")
