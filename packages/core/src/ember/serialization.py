"""``ember.save`` / ``ember.load``: checkpoints in PyTorch's zip format, loaded safely.

Files use the layout of ``torch.save`` (PyTorch >= 1.6): a zip archive holding
``<name>/data.pkl`` (the object's structure, pickled), one ``<name>/data/<key>`` record per
storage, ``<name>/version`` and ``<name>/byteorder``. So ``ember.load`` reads checkpoints
written by PyTorch, and ``torch.load`` reads Ember's state dicts (tensors, parameters,
containers, numbers and strings).

Loading never runs code from the file: the unpickler admits only tensors, parameters,
containers, primitive values, dtypes, devices and sizes, unless more classes are allowed with
:func:`add_safe_globals` / :class:`safe_globals`, or ``weights_only=False`` is passed for a
trusted file. Writes are atomic: the archive goes to a temporary file that replaces the
target only once it is complete.

Example:
    >>> import io, ember
    >>> buf = io.BytesIO()
    >>> ember.save({"w": ember.ones(2), "step": 3}, buf)
    >>> _ = buf.seek(0)
    >>> ember.load(buf)
    {'w': tensor([1., 1.]), 'step': 3}
"""

from __future__ import annotations

import collections
import contextlib
import io
import os
import pickle
import struct
import tempfile
import zipfile

import numpy as np

from . import _dtype as D
from ._device import device as _device
from ._size import Size
from ._tensor import Tensor, _make

__all__ = [
    "save",
    "load",
    "add_safe_globals",
    "get_safe_globals",
    "clear_safe_globals",
    "safe_globals",
    "save_safetensors",
    "load_safetensors",
    "UnpicklingError",
]


class UnpicklingError(pickle.UnpicklingError):
    """A checkpoint could not be loaded safely or is damaged."""


# PyTorch's typed-storage class names, by dtype.
_STORAGE_NAMES = {
    D.float16: "HalfStorage",
    D.float32: "FloatStorage",
    D.float64: "DoubleStorage",
    D.bfloat16: "BFloat16Storage",
    D.int8: "CharStorage",
    D.int16: "ShortStorage",
    D.int32: "IntStorage",
    D.int64: "LongStorage",
    D.uint8: "ByteStorage",
    D.bool: "BoolStorage",
    D.complex64: "ComplexFloatStorage",
    D.complex128: "ComplexDoubleStorage",
}
_DTYPE_OF_STORAGE = {name: dt for dt, name in _STORAGE_NAMES.items()}
_TORCH_DTYPE_NAMES = {
    "float16": "float16", "float32": "float32", "float64": "float64", "bfloat16": "bfloat16",
    "int8": "int8", "int16": "int16", "int32": "int32", "int64": "int64", "uint8": "uint8",
    "bool": "bool", "complex64": "complex64", "complex128": "complex128", "half": "float16",
    "float": "float32", "double": "float64", "long": "int64", "int": "int32", "short": "int16",
    "cfloat": "complex64", "cdouble": "complex128", "uint16": "uint16", "uint32": "uint32",
    "uint64": "uint64",
}  # fmt: skip


# -----------------------------------------------------------------------------------------------
# Saving
# -----------------------------------------------------------------------------------------------


class _Global:
    """A reference to ``module.name`` written into the pickle as a GLOBAL opcode."""

    __slots__ = ("module", "name")

    def __init__(self, module: str, name: str):
        self.module = module
        self.name = name


class _Reduce:
    """``callable(*args)`` in the pickle, with ``callable`` a :class:`_Global`."""

    __slots__ = ("fn", "args")

    def __init__(self, fn: _Global, args: tuple):
        self.fn = fn
        self.args = args


class _StorageRef:
    __slots__ = ("key", "dtype", "numel")

    def __init__(self, key, dtype, numel):
        self.key = key
        self.dtype = dtype
        self.numel = numel


class _Pickler(pickle._Pickler):
    """Writes tensors as PyTorch does: ``_rebuild_tensor_v2`` over persistent storages."""

    def __init__(self, file, storages):
        super().__init__(file, protocol=2)
        self._storages = storages  # id(root array) -> (key, root array, dtype)
        self.dispatch = dict(pickle._Pickler.dispatch)
        self.dispatch[_Global] = _Pickler._save_marker
        self.dispatch[_Reduce] = _Pickler._save_reduce_marker

    def _save_marker(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
        self.memoize(obj)

    def _save_reduce_marker(self, obj):
        self.save(obj.fn)
        self.save(obj.args)
        self.write(pickle.REDUCE)

    def persistent_id(self, obj):
        if isinstance(obj, _StorageRef):
            if obj.dtype in _STORAGE_NAMES:
                storage_type = _Global("torch", _STORAGE_NAMES[obj.dtype])
                return ("storage", storage_type, obj.key, "cpu", obj.numel)
            # dtypes without a typed storage (uint16/32/64): an untyped storage of bytes
            untyped = _Global("torch.storage", "UntypedStorage")
            return ("storage", untyped, obj.key, "cpu", obj.numel * obj.dtype.itemsize)
        return None

    def reducer_override(self, obj):  # pragma: no cover - the pure-Python pickler uses save()
        return NotImplemented

    def save(self, obj, save_persistent_id=True):
        converted = _convert_for_save(obj, self._storages)
        if converted is not obj:
            obj = converted
        return super().save(obj, save_persistent_id)


def _root(arr: np.ndarray) -> np.ndarray:
    while isinstance(arr.base, np.ndarray):
        arr = arr.base
    return arr


def _storage_of(arr: np.ndarray, storages: dict):
    """The storage record holding ``arr`` and its offset/strides in elements, sharing one
    record between views of the same array when their layout allows it."""
    dt = D.from_numpy_dtype(arr.dtype)
    root = _root(arr)
    item = arr.itemsize
    shareable = (
        root.dtype == arr.dtype
        and root.flags["C_CONTIGUOUS"]
        and all(s >= 0 and s % item == 0 for s in arr.strides)
    )
    if shareable:
        offset_bytes = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        entry = storages.get(id(root))
        if entry is None:
            entry = storages[id(root)] = (str(len(storages)), root, dt)
        key = entry[0]
        offset = offset_bytes // item
        strides = tuple(s // item for s in arr.strides)
        return _StorageRef(key, dt, root.size), offset, strides
    flat = np.ascontiguousarray(arr)
    key = str(len(storages))
    storages[("copy", key)] = (key, flat, dt)
    strides = tuple(s // item for s in flat.strides)
    return _StorageRef(key, dt, flat.size), 0, strides


def _convert_for_save(obj, storages):
    from .nn.parameter import Parameter

    if isinstance(obj, Tensor):
        arr = obj._data if obj.is_cpu else obj._data.get()
        ref, offset, strides = _storage_of(arr, storages)
        if D.from_numpy_dtype(arr.dtype) not in _STORAGE_NAMES:
            return _Reduce(
                _Global("torch._utils", "_rebuild_tensor_v3"),
                (ref, offset, tuple(arr.shape), strides, False, collections.OrderedDict(),
                 _Global("torch", D.from_numpy_dtype(arr.dtype).name)),
            )  # fmt: skip
        tensor = _Reduce(
            _Global("torch._utils", "_rebuild_tensor_v2"),
            (
                ref,
                offset,
                tuple(arr.shape),
                strides,
                bool(obj.requires_grad and not isinstance(obj, Parameter)),
                collections.OrderedDict(),
            ),
        )
        if isinstance(obj, Parameter):
            return _Reduce(
                _Global("torch._utils", "_rebuild_parameter"),
                (tensor, obj.requires_grad, collections.OrderedDict()),
            )
        return tensor
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "OUSV":
            raise TypeError(
                f"ember.save: NumPy arrays of dtype {obj.dtype} are not data; "
                "save numeric arrays only"
            )
        ref, offset, strides = _storage_of(obj, storages)
        return _Reduce(
            _Global("ember.serialization", "_rebuild_ndarray"),
            (ref, offset, tuple(obj.shape), strides),
        )
    if isinstance(obj, np.generic) and obj.dtype.kind in "biufc":
        return obj.item()
    if isinstance(obj, Size):
        return _Reduce(_Global("torch", "Size"), (tuple(obj),))
    if isinstance(obj, D.dtype):
        return _Global("torch", obj.name)
    if isinstance(obj, _device):
        return _Reduce(_Global("torch", "device"), (str(obj),))
    return obj


def save(obj, f, pickle_protocol: int = 2, _use_new_zipfile_serialization: bool = True) -> None:
    """Save ``obj`` (tensors, state dicts, numbers, strings, NumPy arrays and containers of
    these) to ``f``, a path or a binary file object, in PyTorch's zip format.

    With a path, the file is replaced atomically: a crash mid-save leaves the old file.
    """
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        directory = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(prefix=".ember-save-", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "wb") as out:
                _write_archive(obj, out, os.path.splitext(os.path.basename(path))[0] or "archive")
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return
    _write_archive(obj, f, "archive")


def _write_archive(obj, out, name: str) -> None:
    storages: dict = {}
    buf = io.BytesIO()
    _Pickler(buf, storages).dump(obj)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr(f"{name}/data.pkl", buf.getvalue())
        zf.writestr(f"{name}/byteorder", "little")
        for key, arr, _dt in storages.values():
            data = np.ascontiguousarray(arr)
            if data.dtype.byteorder == ">":
                data = data.astype(data.dtype.newbyteorder("<"))
            zf.writestr(f"{name}/data/{key}", data.tobytes())
        zf.writestr(f"{name}/version", "3\n")


# -----------------------------------------------------------------------------------------------
# Loading
# -----------------------------------------------------------------------------------------------

_user_safe_globals: dict = {}


def add_safe_globals(safe_globals) -> None:
    """Allow these classes or functions (or ``(obj, "module.name")`` pairs) in files loaded
    with ``weights_only=True``.

    Example:
        >>> import ember
        >>> ember.serialization.add_safe_globals([ember.serialization.UnpicklingError])
        >>> ember.serialization.clear_safe_globals()
    """
    for item in safe_globals:
        if isinstance(item, tuple):
            obj, name = item
        else:
            obj, name = item, f"{item.__module__}.{item.__qualname__}"
        _user_safe_globals[name] = obj


def get_safe_globals() -> list:
    """The classes and functions allowed with :func:`add_safe_globals`."""
    return list(_user_safe_globals.values())


def clear_safe_globals() -> None:
    """Forget everything allowed with :func:`add_safe_globals`."""
    _user_safe_globals.clear()


class safe_globals:
    """Context manager: allow ``globals`` while the block runs."""

    def __init__(self, safe_globals):
        self.items = list(safe_globals)
        self.saved = None

    def __enter__(self):
        self.saved = dict(_user_safe_globals)
        add_safe_globals(self.items)

    def __exit__(self, *exc):
        _user_safe_globals.clear()
        _user_safe_globals.update(self.saved)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):  # fmt: skip
    arr = _strided(storage, storage_offset, size, stride)
    t = _make(arr, False, None)
    if requires_grad and arr.dtype.kind in "fc":
        t.requires_grad_(True)
    return t


def _strided(storage: np.ndarray, offset, size, stride) -> np.ndarray:
    size, stride = tuple(size), tuple(stride)
    needed = 1 + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    if offset < 0 or offset + needed > storage.size:
        raise UnpicklingError(
            f"a tensor of size {list(size)} and stride {list(stride)} at offset {offset} "
            f"does not fit its storage of {storage.size} elements (damaged file?)"
        )
    item = storage.itemsize
    return np.lib.stride_tricks.as_strided(
        storage[offset:], size, tuple(s * item for s in stride), writeable=storage.flags.writeable
    )


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):  # fmt: skip
    return _rebuild_tensor_v2(storage.view(dtype.np), storage_offset, size, stride, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad)
    for k, v in (state or {}).items():
        setattr(p, k, v)
    return p


def _rebuild_ndarray(storage, offset, shape, strides):
    return np.array(_strided(storage, offset, shape, strides))


class _StorageType:
    """What ``torch.FloatStorage`` and friends stand for in a file: a dtype."""

    def __init__(self, dtype):
        self.dtype = dtype


def _torch_dtype(name):
    return D.to_dtype(_TORCH_DTYPE_NAMES[name])


def _allowed_global(module: str, name: str):
    if module == "torch._utils":
        table = {
            "_rebuild_tensor_v2": _rebuild_tensor_v2,
            "_rebuild_tensor_v3": _rebuild_tensor_v3,
            "_rebuild_parameter": _rebuild_parameter,
            "_rebuild_parameter_with_state": _rebuild_parameter_with_state,
        }
        if name in table:
            return table[name]
    if module == "ember.serialization" and name == "_rebuild_ndarray":
        return _rebuild_ndarray
    if module == "torch":
        if name in _DTYPE_OF_STORAGE:
            return _StorageType(_DTYPE_OF_STORAGE[name])
        if name in _TORCH_DTYPE_NAMES:
            return _torch_dtype(name)
        if name == "Size":
            return Size
        if name == "device":
            return _device
    if module == "torch.storage" and name == "UntypedStorage":
        return _StorageType(D.uint8)
    if module == "collections" and name == "OrderedDict":
        return collections.OrderedDict
    if module in ("builtins", "__builtin__") and name in (
        "set",
        "frozenset",
        "complex",
        "slice",
        "bytearray",
    ):
        return getattr(__import__("builtins"), name)
    if module == "_codecs" and name == "encode":
        import _codecs

        return _codecs.encode
    user = _user_safe_globals.get(f"{module}.{name}")
    if user is not None:
        return user
    return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, read_storage, weights_only: bool, source: str):
        super().__init__(file)
        self._read_storage = read_storage
        self._weights_only = weights_only
        self._source = source

    def find_class(self, module, name):
        found = _allowed_global(module, name)
        if found is not None:
            return found
        if not self._weights_only:
            return super().find_class(module, name)
        raise UnpicklingError(
            f"ember.load({self._source}): weights-only load refused the global '{module}.{name}'. "
            "Loading it could run code from the file. If you trust the file and the class, allow "
            f"it with ember.serialization.add_safe_globals([{name}]) or the "
            "ember.serialization.safe_globals([...]) context manager, or pass weights_only=False."
        )

    def persistent_load(self, pid):
        if not (isinstance(pid, tuple) and pid and pid[0] == "storage"):
            raise UnpicklingError(f"ember.load({self._source}): unknown persistent id {pid!r}")
        _, storage_type, key, location, numel = pid
        dt = storage_type.dtype if isinstance(storage_type, _StorageType) else storage_type
        if not isinstance(dt, D.dtype):
            raise UnpicklingError(
                f"ember.load({self._source}): unknown storage type {storage_type!r}"
            )
        return self._read_storage(str(key), dt, numel, location)


def _source_name(f) -> str:
    if isinstance(f, (str, os.PathLike)):
        return repr(os.fspath(f))
    return getattr(f, "name", type(f).__name__) if not isinstance(f, io.BytesIO) else "<bytes>"


def load(f, map_location=None, pickle_module=None, *, weights_only: bool = True, mmap: bool = False,
         **pickle_load_args):  # fmt: skip
    """Load an object saved by ``ember.save`` or ``torch.save`` (zip format).

    Args:
        f: a path or a binary file object.
        map_location: where to put tensors: a device or string, a dict mapping saved
            locations to new ones, or a callable ``(tensor, location) -> tensor``.
        weights_only: admit only tensors, containers and primitive values (the default);
            False unpickles anything, which can run code: only for trusted files.
        mmap: map the file's storages into memory instead of reading them (paths only).
    """
    source = _source_name(f)
    if isinstance(f, (str, os.PathLike)):
        if not os.path.exists(f):
            raise FileNotFoundError(f"ember.load: no such file: {os.fspath(f)!r}")
        with open(f, "rb") as fh:
            return _load_archive(
                fh, map_location, weights_only, source, os.fspath(f) if mmap else None
            )
    if mmap:
        raise ValueError("ember.load: mmap=True needs a file path")
    return _load_archive(f, map_location, weights_only, source, None)


def _load_archive(fh, map_location, weights_only, source, mmap_path):
    try:
        zf = zipfile.ZipFile(fh)
    except zipfile.BadZipFile:
        raise UnpicklingError(
            f"ember.load({source}): not a PyTorch/Ember zip checkpoint (the file is truncated, "
            "damaged, or in another format such as PyTorch's pre-1.6 legacy format)"
        ) from None
    names = zf.namelist()
    pkl = [n for n in names if n.endswith("/data.pkl") and n.count("/") == 1]
    if not pkl:
        raise UnpicklingError(f"ember.load({source}): the archive has no data.pkl record")
    prefix = pkl[0][: -len("data.pkl")]
    byteorder = "little"
    if prefix + "byteorder" in names:
        byteorder = zf.read(prefix + "byteorder").decode().strip()
    mapped = np.memmap(mmap_path, dtype=np.uint8, mode="c") if mmap_path else None
    cache: dict = {}

    def read_storage(key, dt, numel, location):
        if key in cache:
            return cache[key]
        member = f"{prefix}data/{key}"
        try:
            info = zf.getinfo(member)
        except KeyError:
            raise UnpicklingError(
                f"ember.load({source}): storage record {member} is missing"
            ) from None
        np_dtype = dt.np.newbyteorder("<" if byteorder == "little" else ">")
        if mapped is not None and info.compress_type == zipfile.ZIP_STORED:
            fh.seek(info.header_offset)
            header = fh.read(30)
            start = (
                info.header_offset
                + 30
                + int.from_bytes(header[26:28], "little")
                + int.from_bytes(header[28:30], "little")
            )
            raw = mapped[start : start + info.file_size]
            arr = raw.view(np_dtype)
        else:
            try:
                data = zf.read(member)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise UnpicklingError(
                    f"ember.load({source}): storage record {member} is damaged ({exc})"
                ) from None
            arr = np.frombuffer(bytearray(data), dtype=np_dtype)
        if arr.size < numel:
            raise UnpicklingError(
                f"ember.load({source}): storage {key} holds {arr.size} elements, the file says "
                f"{numel} (truncated?)"
            )
        if np_dtype.byteorder not in ("=", "|") and np_dtype.byteorder != np.dtype(dt.np).byteorder:
            arr = arr.astype(dt.np)
        arr = arr.astype(dt.np, copy=False)
        cache[key] = arr
        return arr

    try:
        data = zf.read(prefix + "data.pkl")
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise UnpicklingError(f"ember.load({source}): data.pkl is damaged ({exc})") from None
    try:
        obj = _Unpickler(io.BytesIO(data), read_storage, weights_only, source).load()
    except UnpicklingError:
        raise
    except (pickle.UnpicklingError, EOFError, ValueError, IndexError, struct.error) as exc:
        raise UnpicklingError(f"ember.load({source}): the checkpoint is damaged ({exc})") from None
    if map_location is not None:
        obj = _map(obj, map_location)
    if isinstance(obj, collections.OrderedDict):
        obj._ember_source = source  # named by load_state_dict's errors
    return obj


def _map(obj, map_location):
    from .nn.parameter import Parameter

    if isinstance(obj, Tensor):
        if callable(map_location) and not isinstance(map_location, (str, _device)):
            out = map_location(obj, "cpu")
            return obj if out is None else out
        target = map_location
        if isinstance(map_location, dict):
            target = map_location.get("cpu", map_location.get(str(obj.device)))
            if target is None:
                return obj
        moved = obj.to(target)
        if isinstance(obj, Parameter) and not isinstance(moved, Parameter):
            moved = Parameter(moved, obj.requires_grad)
        return moved
    if isinstance(obj, collections.OrderedDict):
        out = collections.OrderedDict((k, _map(v, map_location)) for k, v in obj.items())
        out.__dict__.update(obj.__dict__)  # _metadata
        return out
    if isinstance(obj, dict):
        return {k: _map(v, map_location) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_map(v, map_location) for v in obj]
    if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
        return tuple(_map(v, map_location) for v in obj)
    return obj


# -----------------------------------------------------------------------------------------------
# safetensors
# -----------------------------------------------------------------------------------------------


def _safetensors():
    try:
        import safetensors.numpy as st
    except ImportError:
        raise ImportError(
            "safetensors support needs the safetensors package: pip install safetensors"
        ) from None
    return st


def save_safetensors(tensors: dict, path, metadata: dict | None = None) -> None:
    """Save a flat ``{name: tensor}`` dict in the safetensors format (atomically)."""
    st = _safetensors()
    arrays = {}
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise TypeError(f"save_safetensors: value of {k!r} is {type(v).__name__}, not a Tensor")
        arrays[k] = np.ascontiguousarray(v.detach().cpu().numpy())
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".ember-save-", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        st.save_file(arrays, tmp, metadata=metadata)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def load_safetensors(path, device=None) -> dict:
    """Load a safetensors file as a ``{name: tensor}`` dict."""
    st = _safetensors()
    try:
        arrays = st.load_file(os.fspath(path))
    except Exception as exc:
        raise UnpicklingError(f"load_safetensors({os.fspath(path)!r}): {exc}") from None
    out = {k: _make(np.array(v), False, None) for k, v in arrays.items()}
    if device is not None:
        out = {k: v.to(device) for k, v in out.items()}
    return out
