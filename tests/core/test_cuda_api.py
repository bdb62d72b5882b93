"""``ember.cuda`` on a machine without a GPU (and its pure parts anywhere): every query
answers, and what needs a GPU raises a RuntimeError that says so."""

from __future__ import annotations

import pytest

import ember
from ember.backends.cuda import memory

no_gpu = pytest.mark.skipif(ember.cuda.is_available(), reason="checks the answers without a GPU")


@no_gpu
def test_queries_that_answer_without_a_gpu():
    c = ember.cuda
    assert c.is_available() is False and c.device_count() == 0
    assert c.is_initialized() is False
    assert c.memory_allocated() == 0 and c.max_memory_allocated() == 0
    assert c.memory_reserved() == 0 and c.max_memory_reserved() == 0
    assert c.memory_stats() == {}
    assert c.reset_peak_memory_stats() is None and c.empty_cache() is None
    assert "No CUDA GPU is available" in c.memory_summary()
    assert c.is_bf16_supported() is False
    c.manual_seed(3)
    c.manual_seed_all(3)


@no_gpu
@pytest.mark.parametrize(
    "call",
    [
        lambda: ember.cuda.current_device(),
        lambda: ember.cuda.set_device(0),
        lambda: ember.cuda.synchronize(),
        lambda: ember.cuda.get_device_name(),
        lambda: ember.cuda.get_device_properties(0),
        lambda: ember.cuda.get_device_capability(),
        lambda: ember.cuda.mem_get_info(),
        lambda: ember.cuda.Stream(),
        lambda: ember.cuda.Event(enable_timing=True),
        lambda: ember.cuda.current_stream(),
        lambda: ember.cuda.default_stream(),
        lambda: ember.cuda.device(0).__enter__(),
    ],
    ids=[
        "current_device", "set_device", "synchronize", "get_device_name",
        "get_device_properties", "get_device_capability", "mem_get_info", "Stream", "Event",
        "current_stream", "default_stream", "device",
    ],
)  # fmt: skip
def test_gpu_only_calls_raise_a_clear_runtime_error(call):
    with pytest.raises(RuntimeError, match=r"ember\.cuda\.\w+: no CUDA GPU is available"):
        call()


def test_device_context_manager_no_ops():
    with ember.cuda.device(None) as d:
        assert d.idx == -1
    with ember.cuda.device(-1):
        pass
    with ember.cuda.device_of(ember.ones(2)):  # a CPU tensor: no-op
        pass
    ember.cuda.set_device(-1)  # negative: no-op, as in PyTorch
    with pytest.raises(ValueError, match="expected a CUDA device, got 'cpu'"):
        ember.cuda.device("cpu")


def test_stream_context_with_none_is_a_no_op():
    with ember.cuda.stream(None) as s:
        assert s is None


def test_out_of_memory_error_names_requested_in_use_and_cached_bytes():
    assert issubclass(ember.cuda.OutOfMemoryError, RuntimeError)
    text = memory.oom_message(
        requested=3 * 1024**3, in_use=70 * 1024**3, cached=5 * 1024**2, device=0,
        total=80 * 1024**3, free=512 * 1024**2,
    )  # fmt: skip
    assert "Tried to allocate 3.00 GiB" in text
    assert "GPU 0 has a total capacity of 80.00 GiB of which 512.00 MiB is free" in text
    assert "70.00 GiB is in use by tensors" in text
    assert "5.00 MiB is cached by the memory pool" in text
    assert memory.format_bytes(512) == "512 B" and memory.format_bytes(1536) == "1.50 KiB"


def test_allocator_raises_the_oom_error_after_freeing_the_cache():
    """The allocator installed on CuPy's pool, driven by a stand-in pool that fails."""

    class FakeOOM(Exception):
        pass

    class Pool:
        def __init__(self):
            self.calls, self.freed = 0, 0

        def malloc(self, size):
            self.calls += 1
            if size > 100:
                raise FakeOOM
            return f"block{size}"

        def free_all_blocks(self):
            self.freed += 1

        def used_bytes(self):
            return 60

        def total_bytes(self):
            return 90

    pool = Pool()
    installed = {}

    class Runtime:
        @staticmethod
        def getDevice():
            return 0

        @staticmethod
        def memGetInfo():
            return (10, 1000)

    class CP:
        cuda = type(
            "cuda", (), {
                "memory": type("m", (), {"OutOfMemoryError": FakeOOM}),
                "runtime": Runtime,
                "set_allocator": staticmethod(lambda fn: installed.setdefault("fn", fn)),
            },
        )  # fmt: skip

        @staticmethod
        def get_default_memory_pool():
            return pool

    memory.install(CP)
    malloc = installed["fn"]
    assert malloc(10) == "block10"
    assert memory.peak_bytes(0) >= 60
    with pytest.raises(ember.cuda.OutOfMemoryError, match="Tried to allocate 200 B") as err:
        malloc(200)
    assert pool.freed == 1 and pool.calls == 3  # one retry after emptying the cache
    assert "60 B is in use by tensors and 30 B is cached" in str(err.value)
    assert memory.num_ooms(0) >= 1


def test_cuda_amp_is_reachable():
    assert ember.cuda.amp.autocast.__name__ == "autocast"
    assert issubclass(ember.cuda.amp.GradScaler, ember.amp.GradScaler)


def test_cpu_module():
    assert ember.cpu.is_available() and ember.cpu.device_count() == 1
    assert ember.cpu.current_device() == "cpu"
    assert ember.cpu.synchronize() is None


# -- on a GPU ---------------------------------------------------------------------------------


@pytest.mark.cuda
def test_gpu_queries_streams_and_events():
    c = ember.cuda
    assert c.device_count() >= 1 and c.current_device() == 0
    props = c.get_device_properties(0)
    assert props.total_memory > 0 and props.major >= 3 and props.name == c.get_device_name(0)
    start, end = c.Event(enable_timing=True), c.Event(enable_timing=True)
    s = c.Stream()
    with c.stream(s):
        start.record()
        x = ember.randn(512, 512, device="cuda")
        y = x @ x
        end.record()
    end.synchronize()
    assert start.elapsed_time(end) >= 0.0
    s.synchronize()
    assert s.query() and y.device == ember.device("cuda", 0)
    with pytest.raises(RuntimeError, match="enable_timing=True"):
        c.Event().elapsed_time(end)


@pytest.mark.cuda
def test_gpu_memory_counters_and_oom():
    c = ember.cuda
    c.empty_cache()
    c.reset_peak_memory_stats()
    before = c.memory_allocated()
    x = ember.zeros(1024, 1024, device="cuda")
    assert c.memory_allocated() >= before + 4 * 1024 * 1024
    assert c.max_memory_allocated() >= c.memory_allocated()
    assert c.memory_reserved() >= c.memory_allocated()
    del x
    assert "Allocated memory" in c.memory_summary()
    free, total = c.mem_get_info()
    with pytest.raises(c.OutOfMemoryError, match="Tried to allocate"):
        ember.empty(total // 2 + free, dtype=ember.uint8, device="cuda")
    with c.device(0):
        assert c.current_device() == 0
