"""Keeping the Rust ``tokenizers`` thread pool safe across ``fork`` (DataLoader workers).

Note [tokenizers and fork]: the ``tokenizers`` library encodes batches on a Rust thread pool.
A process forked after that pool has run (a DataLoader worker started with the ``fork``
context, the default on Linux) inherits the pool's locks but not its threads, so using the
pool in the child could deadlock. The library guards against this itself: in the child it
turns parallelism off and prints a warning ("The current process just got forked, after
parallelism has already been used...") unless the ``TOKENIZERS_PARALLELISM`` environment
variable is set.

Ember's answer: when the first :class:`~ember_text.tokenizers.Tokenizer` is made, a fork hook
(``os.register_at_fork``) is installed. Just before each fork, if the user has not set
``TOKENIZERS_PARALLELISM``, it is set to ``"false"``; the child keeps that value (so it
encodes on one thread, never touching the inherited pool, and the library has nothing to warn
about), and the parent removes it again right after the fork, so the main process keeps its
parallel batch encoding. A value the user set is never changed. Processes started with
``spawn`` or ``forkserver`` begin with a fresh pool and need nothing.
"""

from __future__ import annotations

import os

ENV_VARIABLE = "TOKENIZERS_PARALLELISM"

_installed = False
_set_by_hook = False


def _before_fork() -> None:
    global _set_by_hook
    if ENV_VARIABLE not in os.environ:
        os.environ[ENV_VARIABLE] = "false"
        _set_by_hook = True


def _after_fork_in_parent() -> None:
    global _set_by_hook
    if _set_by_hook:
        os.environ.pop(ENV_VARIABLE, None)
        _set_by_hook = False


def _after_fork_in_child() -> None:
    # The child keeps TOKENIZERS_PARALLELISM=false; forget that the hook set it so that a
    # grandchild forked from this child is handled the same way.
    global _set_by_hook
    _set_by_hook = False


def install_fork_guard() -> None:
    """Install the fork hook described in Note [tokenizers and fork] (once per process)."""
    global _installed
    if _installed or not hasattr(os, "register_at_fork"):
        return
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=_after_fork_in_parent,
        after_in_child=_after_fork_in_child,
    )
    _installed = True
