"""Random-number generators: ``Generator``, the default generator, and the global seeding API.

Note [Generator state]
    A ``Generator`` wraps NumPy's PCG64 bit generator. Its state (what ``get_state`` returns
    and ``set_state`` accepts) is a 1-D uint8 tensor, as in PyTorch, laid out as:
    a 4-byte tag ``b"PCG1"``, the initial seed (8 bytes), PCG64's 128-bit ``state`` and
    ``inc`` (16 bytes each), ``has_uint32`` (1 byte) and the buffered ``uinteger`` (4 bytes),
    all little-endian: 49 bytes. Samplers draw from NumPy's ``Generator`` on top of that bit
    generator, which keeps no other hidden state, so a saved state replays the same numbers
    exactly. PyTorch's own states (Mersenne Twister, 5056 bytes) are not accepted.

    The default generator starts from PyTorch's default seed, 67280421310721, so an unseeded
    program draws the same numbers on every run, as in PyTorch. Ember has one generator for
    all devices: CUDA tensors are sampled with it and moved to the GPU.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from .._device import device as _device_cls
from .._device import to_device

__all__ = [
    "Generator",
    "default_generator",
    "manual_seed",
    "seed",
    "initial_seed",
    "get_rng_state",
    "set_rng_state",
    "fork_rng",
    "numpy_generator",
]

_DEFAULT_SEED = 67280421310721
_TAG = b"PCG1"
_STATE_BYTES = 49
_U64 = (1 << 64) - 1


def _check_seed(seed) -> int:
    try:
        s = int(seed.__index__())
    except (AttributeError, TypeError):
        raise TypeError(f"manual_seed(): seed must be an int, got {type(seed).__name__}") from None
    if s < -(1 << 63) or s > _U64:
        raise ValueError(
            f"manual_seed(): seed {s} is out of range; it must be in [-2**63, 2**64 - 1]"
        )
    return s & _U64  # negative seeds wrap to uint64, as in PyTorch


class Generator:
    """A random-number generator: its state drives every sampling op that is given it.

    Args:
        device: the device this generator is for (``'cpu'`` or ``'cuda'``); Ember samples on
            the CPU and moves the values, so both behave the same.

    Example:
        >>> import ember
        >>> g = ember.Generator().manual_seed(0)
        >>> a = ember.rand(3, generator=g)
        >>> _ = g.manual_seed(0)
        >>> a.tolist() == ember.rand(3, generator=g).tolist()
        True
    """

    __slots__ = ("_bitgen", "_device", "_np", "_seed")

    def __init__(self, device="cpu"):
        self._device = to_device(device)
        self._reseed(_DEFAULT_SEED)

    def _reseed(self, s: int) -> None:
        self._seed = s
        self._bitgen = np.random.PCG64(s)
        self._np = np.random.Generator(self._bitgen)

    @property
    def device(self) -> _device_cls:
        """The device this generator was made for."""
        return self._device

    def manual_seed(self, seed) -> Generator:
        """Seed the generator (an int in ``[-2**63, 2**64)``); returns ``self``."""
        self._reseed(_check_seed(seed))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the seed used."""
        s = int.from_bytes(os.urandom(8), "little")
        self._reseed(s)
        return s

    def initial_seed(self) -> int:
        """The seed the generator was last seeded with."""
        return self._seed

    def get_state(self):
        """The generator's state as a uint8 tensor (see Note [Generator state])."""
        from .._tensor import _make

        st = self._bitgen.state
        raw = (
            _TAG
            + self._seed.to_bytes(8, "little")
            + st["state"]["state"].to_bytes(16, "little")
            + st["state"]["inc"].to_bytes(16, "little")
            + bytes([st["has_uint32"]])
            + int(st["uinteger"]).to_bytes(4, "little")
        )
        return _make(np.frombuffer(raw, dtype=np.uint8).copy(), False, None)

    def set_state(self, new_state) -> Generator:
        """Restore a state returned by ``get_state``; returns ``self``."""
        from .._tensor import Tensor

        if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
            raise TypeError(
                "set_state(): expected a uint8 tensor (ember.ByteTensor) from get_state(), got "
                + (f"a tensor of dtype {new_state.dtype}" if isinstance(new_state, Tensor)
                   else type(new_state).__name__)
            )  # fmt: skip
        data = new_state._data
        raw = (data if data.__class__ is np.ndarray else data.get()).reshape(-1).tobytes()
        if len(raw) != _STATE_BYTES or raw[:4] != _TAG:
            raise RuntimeError(
                f"set_state(): expected an Ember generator state of {_STATE_BYTES} bytes from "
                f"get_state(), got {len(raw)} bytes (PyTorch's Mersenne Twister states are not "
                "supported)"
            )
        seed_ = int.from_bytes(raw[4:12], "little")
        bitgen = np.random.PCG64()
        bitgen.state = {
            "bit_generator": "PCG64",
            "state": {
                "state": int.from_bytes(raw[12:28], "little"),
                "inc": int.from_bytes(raw[28:44], "little"),
            },
            "has_uint32": raw[44],
            "uinteger": int.from_bytes(raw[45:49], "little"),
        }
        self._seed = seed_
        self._bitgen = bitgen
        self._np = np.random.Generator(bitgen)
        return self

    def __repr__(self) -> str:
        return f"<ember.Generator object at {hex(id(self))}>"

    def __reduce__(self):
        return (_rebuild_generator, (str(self._device), self.get_state()._data.tobytes()))


def _rebuild_generator(dev: str, raw: bytes) -> Generator:
    from .._tensor import _make

    return Generator(dev).set_state(_make(np.frombuffer(raw, dtype=np.uint8).copy(), False, None))


default_generator = Generator()


def numpy_generator(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy ``Generator`` to draw from for ``generator`` (the default one when None).

    Ops that sample (dropout, initialisers) call this once per call.
    """
    if generator is None:
        return default_generator._np
    if generator.__class__ is not Generator:
        raise TypeError(f"generator must be an ember.Generator, got {type(generator).__name__}")
    return generator._np


def manual_seed(seed) -> Generator:
    """Seed the default generator (all devices); returns it.

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(0)
        >>> a = ember.randn(2)
        >>> _ = ember.manual_seed(0)
        >>> a.tolist() == ember.randn(2).tolist()
        True
    """
    return default_generator.manual_seed(seed)


def seed() -> int:
    """Seed the default generator nondeterministically; returns the seed used."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed of the default generator.

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(42)
        >>> ember.initial_seed()
        42
    """
    return default_generator.initial_seed()


def get_rng_state():
    """The default generator's state as a uint8 tensor."""
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    """Restore the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda"):  # fmt: skip
    """Context manager: random draws inside it leave the default generator's state as it
    was before (Ember has one generator for all devices, so ``devices`` is accepted and
    needs no handling).

    Example:
        >>> import ember
        >>> _ = ember.manual_seed(0)
        >>> with ember.random.fork_rng():
        ...     _ = ember.rand(5)
        >>> a = ember.rand(1)
        >>> _ = ember.manual_seed(0)
        >>> a.tolist() == ember.rand(1).tolist()
        True
    """
    if not enabled:
        yield
        return
    state = default_generator.get_state()
    try:
        yield
    finally:
        default_generator.set_state(state)
