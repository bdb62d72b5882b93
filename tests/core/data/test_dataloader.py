"""DataLoader behaviour, including worker processes and their failure modes."""

import os
import random
import signal
import time

import numpy as np
import pytest

import ember
from ember.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset, get_worker_info


def _segments():
    try:
        return {n for n in os.listdir("/dev/shm") if n.startswith("ember_")}
    except OSError:
        return set()


@pytest.fixture(autouse=True)
def no_leaks():
    """Every test must leave no worker process and no shared-memory segment behind."""
    import multiprocessing

    before = _segments()
    yield
    deadline = time.monotonic() + 5
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not multiprocessing.active_children()
    assert _segments() <= before


class Squares(Dataset):
    def __init__(self, n=20):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": np.full(3, i, dtype=np.float32), "y": i * i}


class FailsAt(Squares):
    def __init__(self, bad):
        super().__init__()
        self.bad = bad

    def __getitem__(self, i):
        if i == self.bad:
            raise KeyError(f"no such sample {i}")
        return super().__getitem__(i)


class KillsAt(Squares):
    def __getitem__(self, i):
        if i == 6:
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__getitem__(i)


class Slow(Squares):
    def __getitem__(self, i):
        time.sleep(3)
        return super().__getitem__(i)


class Noise(Dataset):
    def __len__(self):
        return 8

    def __getitem__(self, i):
        return (ember.rand(1).item(), float(np.random.rand()), random.random())


class Stream(IterableDataset):
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = get_worker_info()
        start, step = (info.id, info.num_workers) if info is not None else (0, 1)
        return iter(range(start, self.n, step))


def _ys(loader):
    return [v for b in loader for v in b["y"].tolist()]


@pytest.mark.parametrize("workers", [0, 2])
def test_batches_in_order(workers):
    loader = DataLoader(Squares(), batch_size=6, num_workers=workers)
    assert len(loader) == 4
    batches = list(loader)
    assert [b["x"].shape for b in batches] == [(6, 3)] * 3 + [(2, 3)]
    assert _ys(loader) == [i * i for i in range(20)]


def test_spawn_context_gives_same_batches():
    # spawned workers re-import the dataset's class, so it must live in an importable module
    ds = TensorDataset(ember.arange(8), ember.arange(8) ** 2)
    loader = DataLoader(ds, batch_size=4, num_workers=2, multiprocessing_context="spawn")
    assert [v for _, y in loader for v in y.tolist()] == [i * i for i in range(8)]


def test_shuffle_reproducible_with_generator_and_differs_across_epochs():
    def epoch(seed):
        g = ember.Generator().manual_seed(seed)
        loader = DataLoader(Squares(), batch_size=5, shuffle=True, num_workers=2, generator=g)
        return _ys(loader), _ys(loader)

    first, second = epoch(7)
    assert sorted(first) == [i * i for i in range(20)]
    assert first != second
    assert epoch(7) == (first, second)


def test_worker_seeds_differ_across_workers_and_reproduce():
    def run():
        ember.manual_seed(11)
        loader = DataLoader(Noise(), batch_size=2, num_workers=2)
        return [tuple(t.tolist() for t in batch) for batch in loader]

    a, b = run(), run()
    assert a == b
    # workers 0 and 1 produce batches 0 and 1: different seeds, different numbers
    assert a[0][0] != a[1][0] and a[0][1] != a[1][1] and a[0][2] != a[1][2]


def test_worker_exception_names_sample_and_keeps_type():
    loader = DataLoader(FailsAt(9), batch_size=4, num_workers=2)
    with pytest.raises(KeyError) as info:
        list(loader)
    text = str(info.value)
    assert "while loading sample 9" in text
    assert "no such sample 9" in text
    assert "Traceback" in text


def test_main_process_exception_is_plain():
    with pytest.raises(KeyError, match="no such sample 3"):
        list(DataLoader(FailsAt(3), batch_size=2))


def test_killed_worker_is_reported_quickly():
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"exited unexpectedly .*SIGKILL"):
        list(DataLoader(KillsAt(), batch_size=2, num_workers=2))
    assert time.monotonic() - start < 10


def test_timeout():
    with pytest.raises(RuntimeError, match=r"timed out after 0\.5 seconds"):
        list(DataLoader(Slow(4), batch_size=1, num_workers=1, timeout=0.5))


def test_break_and_delete_shut_workers_down():
    loader = DataLoader(Squares(), batch_size=2, num_workers=2)
    for i, _ in enumerate(loader):
        if i == 1:
            break
    it = iter(loader)
    next(it)
    procs = list(it._workers)
    del it
    for p in procs:
        p.join(timeout=5)
        assert not p.is_alive()


def test_persistent_workers_survive_epochs():
    loader = DataLoader(Squares(8), batch_size=4, num_workers=2, persistent_workers=True)
    assert _ys(loader) == _ys(loader)
    pids = [p.pid for p in loader._iterator._workers]
    _ys(loader)
    assert [p.pid for p in loader._iterator._workers] == pids
    loader._iterator._shutdown()


@pytest.mark.parametrize("workers", [0, 2])
def test_iterable_dataset_sharding(workers):
    loader = DataLoader(Stream(11), batch_size=3, num_workers=workers)
    values = sorted(v for b in loader for v in b.tolist())
    assert values == list(range(11))


def test_unordered_results_cover_everything():
    loader = DataLoader(Squares(), batch_size=3, num_workers=2, in_order=False)
    assert sorted(_ys(loader)) == [i * i for i in range(20)]


def test_batch_size_none_converts_without_batching():
    loader = DataLoader(Squares(3), batch_size=None)
    first = next(iter(loader))
    assert first["x"].shape == (3,)


def test_option_errors():
    ds = TensorDataset(ember.arange(4))
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_sampler=[[0, 1]], batch_size=2)
    with pytest.raises(ValueError, match="num_workers option should be non-negative"):
        DataLoader(ds, num_workers=-1)
    with pytest.raises(ValueError, match="persistent_workers option needs num_workers > 0"):
        DataLoader(ds, persistent_workers=True)
    with pytest.raises(ValueError, match="prefetch_factor option could only be specified"):
        DataLoader(ds, prefetch_factor=2)
    with pytest.raises(ValueError, match="expected unspecified shuffle option"):
        DataLoader(Stream(3), shuffle=True)


def test_pin_memory_accepted_and_worker_init_fn_runs():
    seen = []
    loader = DataLoader(Squares(4), batch_size=2, pin_memory=True, worker_init_fn=seen.append)
    assert len(list(loader)) == 2

    def init(worker_id):
        assert get_worker_info().id == worker_id

    assert len(list(DataLoader(Squares(4), batch_size=2, num_workers=2, worker_init_fn=init))) == 2


def test_keyboard_interrupt_in_loop_stops_workers():
    loader = DataLoader(Squares(), batch_size=2, num_workers=2)
    with pytest.raises(KeyboardInterrupt):
        for _ in loader:
            raise KeyboardInterrupt


def test_interpreter_exit_stops_workers(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "exit_early.py"
    script.write_text(
        "import numpy as np\n"
        "from ember.utils.data import DataLoader, Dataset\n"
        "class D(Dataset):\n"
        "    def __len__(self): return 100\n"
        "    def __getitem__(self, i): return np.zeros(1000, np.float32)\n"
        "it = iter(DataLoader(D(), batch_size=4, num_workers=2))\n"
        "next(it)\n"
        "print(' '.join(str(p.pid) for p in it._workers), flush=True)\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "leaked" not in out.stderr
    for pid in map(int, out.stdout.split()):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"worker {pid} still alive after the interpreter exited")
