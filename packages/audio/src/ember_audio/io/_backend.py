"""What every I/O function shares: the lazy soundfile import, file naming and error wrapping."""

from __future__ import annotations

import os

# soundfile subtype -> (bits_per_sample, torchaudio encoding name)
SUBTYPE_INFO = {
    "PCM_S8": (8, "PCM_S"),
    "PCM_16": (16, "PCM_S"),
    "PCM_24": (24, "PCM_S"),
    "PCM_32": (32, "PCM_S"),
    "PCM_U8": (8, "PCM_U"),
    "FLOAT": (32, "PCM_F"),
    "DOUBLE": (64, "PCM_F"),
    "ULAW": (8, "ULAW"),
    "ALAW": (8, "ALAW"),
    "VORBIS": (0, "VORBIS"),
    "OPUS": (0, "OPUS"),
}


def soundfile():
    """Import soundfile at first use, so that ``import ember_audio`` stays fast."""
    try:
        import soundfile as sf
    except ImportError as exc:  # pragma: no cover - soundfile is a declared dependency
        raise ImportError(
            "ember_audio's I/O needs the 'soundfile' package: pip install soundfile"
        ) from exc
    return sf


def check_backend(fn: str, backend) -> None:
    if backend not in (None, "soundfile"):
        raise ValueError(
            f"{fn}: backend {backend!r} is not available; ember_audio reads and writes audio "
            "through 'soundfile' (pass backend=None or 'soundfile')"
        )


def is_file_object(uri) -> bool:
    return hasattr(uri, "read") or hasattr(uri, "write")


def describe(uri) -> str:
    """A name for ``uri`` to put in error messages: the path, or the file object's name."""
    if is_file_object(uri):
        name = getattr(uri, "name", None)
        return f"file object {name!r}" if isinstance(name, str) else f"file object {uri!r}"
    return repr(os.fspath(uri))


def open_for_reading(fn: str, uri):
    """Open ``uri`` with soundfile, raising errors that name the file.

    A missing path raises FileNotFoundError; anything soundfile cannot decode (unknown format,
    corrupt header) raises RuntimeError.
    """
    sf = soundfile()
    if not is_file_object(uri):
        path = os.fspath(uri)
        if not os.path.exists(path):
            raise FileNotFoundError(f"{fn}: no such audio file: {path!r}")
        if os.path.isdir(path):
            raise IsADirectoryError(f"{fn}: expected an audio file, got the directory {path!r}")
        uri = path
    try:
        return sf.SoundFile(uri, "r")
    except (RuntimeError, TypeError, ValueError) as exc:
        raise RuntimeError(
            f"{fn}: could not read {describe(uri)} as audio (unsupported or corrupt file): {exc}"
        ) from exc
