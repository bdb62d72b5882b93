"""CUDA streams and events (``ember.cuda.Stream``, ``ember.cuda.Event``) over CuPy's."""

from __future__ import annotations

from ._require import device_index, require

__all__ = ["Stream", "Event", "current_stream", "default_stream", "stream", "StreamContext"]


class Stream:
    """A queue of GPU work: kernels launched while it is current run in order on it.

    Args:
        device: the GPU (default: the current one).
        priority: lower numbers run first when streams compete (default 0).

    Raises RuntimeError without a GPU, as PyTorch does.
    """

    def __init__(self, device=None, priority: int = 0, *, _native=None):
        cp = require("Stream")
        self.device_index = device_index(device, "Stream")
        if _native is None:
            with cp.cuda.Device(self.device_index):
                _native = cp.cuda.Stream(non_blocking=True, priority=priority)
        self._native = _native

    @property
    def cuda_stream(self) -> int:
        """The raw ``cudaStream_t`` handle."""
        return int(self._native.ptr)

    def wait_event(self, event: Event) -> None:
        """Make later work on this stream wait until ``event`` has completed."""
        self._native.wait_event(event._native)

    def wait_stream(self, stream: Stream) -> None:
        """Make later work on this stream wait for the work queued so far on ``stream``."""
        self.wait_event(stream.record_event())

    def record_event(self, event: Event | None = None) -> Event:
        """Record ``event`` (a new one by default) at this point of the stream."""
        event = Event() if event is None else event
        event.record(self)
        return event

    def query(self) -> bool:
        """True when all queued work has completed."""
        return bool(self._native.done)

    def synchronize(self) -> None:
        """Wait for all queued work to complete."""
        self._native.synchronize()

    def __enter__(self):
        self._ctx = StreamContext(self)
        return self._ctx.__enter__()

    def __exit__(self, *exc):
        return self._ctx.__exit__(*exc)

    def __eq__(self, other) -> bool:
        return isinstance(other, Stream) and self.cuda_stream == other.cuda_stream

    def __hash__(self) -> int:
        return hash((self.cuda_stream, self.device_index))

    def __repr__(self) -> str:
        return (
            f"<ember.cuda.Stream device=cuda:{self.device_index} cuda_stream={self.cuda_stream:#x}>"
        )


class Event:
    """A marker in a stream, for synchronisation and timing.

    Args:
        enable_timing: record times, for ``elapsed_time`` (default False).
        blocking: ``synchronize`` blocks the CPU thread instead of spinning (default False).
        interprocess: accepted for PyTorch compatibility; must be False.

    Example (needs a GPU)::

        start, end = ember.cuda.Event(enable_timing=True), ember.cuda.Event(enable_timing=True)
        start.record(); y = x @ x; end.record(); end.synchronize()
        ms = start.elapsed_time(end)
    """

    def __init__(self, enable_timing: bool = False, blocking: bool = False, interprocess=False):
        cp = require("Event")
        if interprocess:
            raise ValueError("ember.cuda.Event: interprocess events are not supported")
        self.enable_timing = enable_timing
        self._native = cp.cuda.Event(block=blocking, disable_timing=not enable_timing)
        self._recorded = False

    def record(self, stream: Stream | None = None) -> None:
        """Record the event on ``stream`` (default: the current stream)."""
        self._native.record(None if stream is None else stream._native)
        self._recorded = True

    def wait(self, stream: Stream | None = None) -> None:
        """Make ``stream`` (default: the current one) wait for this event."""
        (current_stream() if stream is None else stream).wait_event(self)

    def query(self) -> bool:
        """True when the work recorded before the event has completed."""
        return bool(self._native.done)

    def synchronize(self) -> None:
        """Wait until the event has completed."""
        self._native.synchronize()

    def elapsed_time(self, end_event: Event) -> float:
        """Milliseconds between this event and ``end_event`` (both recorded, with timing)."""
        if not (self.enable_timing and end_event.enable_timing):
            raise RuntimeError(
                "Event.elapsed_time: both events must be created with enable_timing=True"
            )
        if not (self._recorded and end_event._recorded):
            raise RuntimeError(
                "Event.elapsed_time: both events must be recorded before measuring the time "
                "between them"
            )
        cp = require("Event.elapsed_time")
        end_event.synchronize()
        return float(cp.cuda.get_elapsed_time(self._native, end_event._native))

    def __repr__(self) -> str:
        return f"<ember.cuda.Event enable_timing={self.enable_timing}>"


def current_stream(device=None) -> Stream:
    """The stream GPU work is queued on now."""
    cp = require("current_stream")
    index = device_index(device, "current_stream")
    with cp.cuda.Device(index):
        return Stream(index, _native=cp.cuda.get_current_stream())


def default_stream(device=None) -> Stream:
    """The default (null) stream of the GPU."""
    cp = require("default_stream")
    return Stream(device_index(device, "default_stream"), _native=cp.cuda.Stream.null)


class StreamContext:
    """Make ``stream`` current inside a ``with`` block (None: a no-op)."""

    def __init__(self, stream: Stream | None):
        self.stream = stream

    def __enter__(self):
        if self.stream is not None:
            self.stream._native.__enter__()
        return self.stream

    def __exit__(self, *exc):
        if self.stream is not None:
            self.stream._native.__exit__(*exc)
        return False


def stream(stream: Stream | None) -> StreamContext:
    """``with ember.cuda.stream(s):`` queues the block's GPU work on ``s``."""
    return StreamContext(stream)
