"""``Work``: the handle of an asynchronous operation (``isend``, ``irecv``, ``async_op=True``)."""

from __future__ import annotations

__all__ = ["Work"]


class Work:
    """A started communication; ``wait()`` blocks until it has completed.

    Returned by ``isend``/``irecv`` and by collectives called with ``async_op=True``. The
    tensors the operation writes hold their results only after ``wait()`` (or once
    ``is_completed()`` has returned True).

    Example:
        >>> from ember.distributed import Work
        >>> w = Work.completed()
        >>> w.is_completed(), w.wait()
        (True, True)
    """

    __slots__ = ("_wait_fn", "_test_fn", "_then", "_done", "_exception", "_source", "_result")

    def __init__(self, wait_fn=None, test_fn=None, result=None):
        self._wait_fn = wait_fn
        self._test_fn = test_fn
        self._then: list = []
        self._done = wait_fn is None
        self._exception = None
        self._source = -1
        self._result = list(result) if result is not None else []

    @classmethod
    def completed(cls, result=None) -> Work:
        """A Work that is already done (what a rank outside the group gets, for instance)."""
        return cls(result=result)

    def then(self, fn) -> Work:
        """Run ``fn()`` once the communication has completed (before ``wait`` returns)."""
        if self._done and not self._then:
            fn()
        else:
            self._then.append(fn)
        return self

    def _finish(self) -> None:
        self._done = True
        callbacks, self._then = self._then, []
        try:
            for fn in callbacks:
                fn()
        except BaseException as exc:
            self._exception = exc
            raise

    def wait(self, timeout=None) -> bool:
        """Block until the operation has completed; returns True. ``timeout`` is accepted for
        PyTorch compatibility; MPI and NCCL operations are not interrupted."""
        if self._exception is not None:
            raise self._exception
        if not self._done:
            try:
                if self._wait_fn is not None:
                    self._wait_fn()
            except BaseException as exc:
                self._exception = exc
                self._done = True
                raise
            self._finish()
        elif self._then:
            self._finish()
        return True

    def is_completed(self) -> bool:
        """True once the operation has finished (completing it when it just did)."""
        if self._done:
            if self._then:
                self._finish()
            return True
        if self._test_fn is not None and self._test_fn():
            self.wait()
            return True
        return False

    def is_success(self) -> bool:
        """True when the operation completed without error."""
        return self.is_completed() and self._exception is None

    def exception(self):
        """The error the operation raised, or None."""
        return self._exception

    def source_rank(self) -> int:
        """The rank a completed ``irecv`` received from."""
        self.wait()
        return self._source

    def result(self) -> list:
        """The tensors the operation wrote, once it has completed."""
        self.wait()
        return self._result

    def __repr__(self) -> str:
        state = "completed" if self._done else "pending"
        return f"<Work {state}>"
