"""``save``: encode a Tensor into WAV, FLAC or OGG/Vorbis."""

from __future__ import annotations

import io
import os

import numpy as np

from ._backend import check_backend, describe, is_file_object, soundfile

_FORMATS = {"wav": "WAV", "flac": "FLAC", "ogg": "OGG", "vorbis": "OGG"}

# Default WAV subtype of each sample dtype when neither encoding nor bits_per_sample is given.
_WAV_SUBTYPE_OF_DTYPE = {
    "uint8": "PCM_U8",
    "int16": "PCM_16",
    "int32": "PCM_32",
    "float32": "FLOAT",
    "float64": "DOUBLE",
}

# Integer PCM subtypes and their sample width, for the float -> integer quantisation.
_INTEGER_SUBTYPE_BITS = {"PCM_U8": 8, "PCM_S8": 8, "PCM_16": 16, "PCM_24": 24, "PCM_32": 32}


def _wav_subtype(dtype_name: str, encoding, bits_per_sample) -> str:
    if encoding is None:
        if bits_per_sample is None:
            subtype = _WAV_SUBTYPE_OF_DTYPE.get(dtype_name)
            if subtype is None:
                raise ValueError(
                    f"save: unsupported dtype for wav: {dtype_name} (expected uint8, int16, "
                    "int32, float32 or float64, or pass encoding/bits_per_sample)"
                )
            return subtype
        if bits_per_sample == 8:
            return "PCM_U8"
        if bits_per_sample == 64:
            return "DOUBLE"
        return f"PCM_{bits_per_sample}"
    if encoding == "PCM_S":
        if bits_per_sample is None:
            return "PCM_32"
        if bits_per_sample in (8, 64):
            raise ValueError(
                f"save: wav does not support {bits_per_sample}-bit signed PCM encoding "
                "(use 16, 24 or 32 bits)"
            )
        return f"PCM_{bits_per_sample}"
    if encoding == "PCM_U":
        if bits_per_sample in (None, 8):
            return "PCM_U8"
        raise ValueError("save: wav only supports 8-bit unsigned PCM encoding.")
    if encoding == "PCM_F":
        if bits_per_sample in (None, 32):
            return "FLOAT"
        if bits_per_sample == 64:
            return "DOUBLE"
        raise ValueError("save: wav only supports 32/64-bit float PCM encoding.")
    if encoding in ("ULAW", "ALAW"):
        if bits_per_sample in (None, 8):
            return encoding
        raise ValueError(f"save: wav only supports 8-bit {encoding} encoding.")
    raise ValueError(
        f"save: wav does not support the encoding {encoding!r} "
        "(expected 'PCM_S', 'PCM_U', 'PCM_F', 'ULAW' or 'ALAW')"
    )


def _subtype(ext: str, dtype_name: str, encoding, bits_per_sample) -> str:
    if ext == "wav":
        return _wav_subtype(dtype_name, encoding, bits_per_sample)
    if ext == "flac":
        if encoding is not None:
            raise ValueError(f"save: flac does not support encoding (got {encoding!r}).")
        if bits_per_sample is None:
            return "PCM_16"
        if bits_per_sample > 24:
            raise ValueError(
                f"save: flac does not support bits_per_sample > 24 (got {bits_per_sample})."
            )
        return "PCM_S8" if bits_per_sample == 8 else f"PCM_{bits_per_sample}"
    # ogg / vorbis
    if bits_per_sample is not None:
        raise ValueError("save: ogg/vorbis does not support bits_per_sample.")
    if encoding is None or encoding.lower() == "vorbis":
        return "VORBIS"
    raise ValueError(f"save: ogg supports only the vorbis encoding (got {encoding!r}).")


def _quantize(data: np.ndarray, bits: int) -> np.ndarray:
    """Float samples in [-1, 1] to the integer array soundfile writes at ``bits`` bits.

    Samples are scaled by ``2 ** (bits - 1)``, rounded and clipped, so that decoding (which
    divides by the same power of two) returns each sample within half a quantisation step.
    soundfile takes 8-bit and 24-bit data left-aligned in int16 and int32.
    """
    scale = float(2 ** (bits - 1))
    values = np.nan_to_num(data.astype(np.float64), nan=0.0)
    q = np.clip(np.rint(values * scale), -scale, scale - 1).astype(np.int64)
    if bits == 8:
        return (q << 8).astype(np.int16)
    if bits == 16:
        return q.astype(np.int16)
    if bits == 24:
        return (q << 8).astype(np.int32)
    return q.astype(np.int32)


def _samples_for(data: np.ndarray, subtype: str) -> np.ndarray:
    """Convert ``data`` into an array soundfile accepts for ``subtype``."""
    kind = data.dtype.kind
    if kind == "f":
        if subtype in _INTEGER_SUBTYPE_BITS:
            return _quantize(data, _INTEGER_SUBTYPE_BITS[subtype])
        return data if data.dtype.itemsize >= 4 else data.astype(np.float32)
    if data.dtype == np.uint8:
        return ((data.astype(np.int16) - 128) << 8).astype(np.int16)
    if data.dtype == np.int8:
        return (data.astype(np.int16) << 8).astype(np.int16)
    if data.dtype in (np.int16, np.int32):
        return data
    raise ValueError(
        f"save: unsupported sample dtype {data.dtype} (expected a float dtype, uint8, int8, "
        "int16 or int32)"
    )


def save(
    uri,
    src,
    sample_rate: int,
    channels_first: bool = True,
    format: str | None = None,
    encoding: str | None = None,
    bits_per_sample: int | None = None,
    buffer_size: int = 4096,
    backend=None,
) -> None:
    """Save audio data to a file.

    The container comes from ``format`` or, for paths, from the file extension: ``"wav"``,
    ``"flac"``, ``"ogg"`` (or ``"vorbis"``). The sample encoding follows torchaudio's rules:

    - WAV: with neither ``encoding`` nor ``bits_per_sample``, the dtype decides (``uint8`` →
      8-bit unsigned PCM, ``int16`` → 16-bit PCM, ``int32`` → 32-bit PCM, ``float32`` /
      ``float64`` → 32/64-bit float). ``encoding="PCM_S"`` takes 16, 24 or 32 bits (default
      32), ``"PCM_U"`` 8 bits, ``"PCM_F"`` 32 or 64 bits, ``"ULAW"`` / ``"ALAW"`` 8 bits.
      ``bits_per_sample`` alone picks signed PCM (8 → unsigned, 64 → float).
    - FLAC: 8, 16 (default) or 24 bits; no ``encoding``.
    - OGG: Vorbis; neither ``bits_per_sample`` nor an encoding other than ``"vorbis"``.

    Float samples are taken to lie in ``[-1, 1]``; written as integer PCM they are scaled by
    ``2 ** (bits - 1)``, rounded and clipped to the integer range (so ``load`` returns them
    within half a quantisation step). Integer samples are written as they are.

    Args:
        uri (str, path-like or file-like object): Where to write. A file object must be
            opened in binary mode, and then ``format`` is required.
        src (Tensor): The waveform, 2D: ``[channel, time]`` (or ``[time, channel]``).
        sample_rate (int): Sample rate in Hz.
        channels_first (bool, optional): Whether ``src`` is ``[channel, time]``.
            (Default: ``True``)
        format (str, optional): ``"wav"``, ``"flac"``, ``"ogg"`` or ``"vorbis"``; overrides
            the extension. (Default: ``None``)
        encoding (str, optional): ``"PCM_S"``, ``"PCM_U"``, ``"PCM_F"``, ``"ULAW"`` or
            ``"ALAW"`` (WAV only). (Default: ``None``)
        bits_per_sample (int, optional): 8, 16, 24, 32 or 64. (Default: ``None``)
        buffer_size (int, optional): Accepted for compatibility with torchaudio.
        backend (str, optional): ``None`` or ``"soundfile"``, the only I/O backend.

    Raises:
        ValueError: for a src that is not 2D, an unsupported format, encoding,
            bits_per_sample or dtype.
        RuntimeError: when ``format`` is missing for a file object, or writing fails (the
            message names the file).

    Example:
        >>> import io
        >>> import ember
        >>> buffer = io.BytesIO()
        >>> tone = ember.sin(ember.arange(8000) * (2 * 3.14159 * 440 / 8000)).unsqueeze(0)
        >>> save(buffer, tone, 8000, format="flac", bits_per_sample=24)
        >>> _ = buffer.seek(0)
        >>> from ember_audio import info
        >>> metadata = info(buffer)
        >>> metadata.encoding, metadata.bits_per_sample
        ('FLAC', 24)
    """
    check_backend("save", backend)
    if is_file_object(uri):
        if format is None:
            raise RuntimeError("save: `format` is required when saving to a file object.")
        ext = format.lower()
    else:
        path = os.fspath(uri)
        ext = format.lower() if format is not None else os.path.splitext(path)[1][1:].lower()
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(f"save: the folder of {path!r} does not exist")
        uri = path
    if ext not in _FORMATS:
        raise ValueError(
            f"save: unsupported format {ext!r} for {describe(uri)} "
            "(expected 'wav', 'flac', 'ogg' or 'vorbis')"
        )
    if bits_per_sample not in (None, 8, 16, 24, 32, 64):
        raise ValueError(
            f"save: invalid bits_per_sample {bits_per_sample!r} (expected 8, 16, 24, 32 or 64)"
        )
    data = src.detach().cpu().numpy() if hasattr(src, "detach") else np.asarray(src)
    if data.ndim != 2:
        raise ValueError(
            f"save: expected a 2D Tensor ([channel, time] or [time, channel]), got "
            f"{data.ndim}D with shape {tuple(data.shape)}."
        )
    if data.dtype == np.bool_ or data.dtype.kind == "c":
        raise ValueError(f"save: unsupported sample dtype {data.dtype}")
    subtype = _subtype(ext, str(data.dtype), encoding, bits_per_sample)
    if channels_first:
        data = data.T
    samples = np.ascontiguousarray(_samples_for(data, subtype))
    sf = soundfile()
    # Paths are encoded in memory and written in one go: libsndfile syncs files to disk on
    # close, which costs more than the encoding on most file systems.
    target = uri if is_file_object(uri) else io.BytesIO()
    try:
        sf.write(target, samples, int(sample_rate), subtype=subtype, format=_FORMATS[ext])
    except (RuntimeError, TypeError, ValueError) as exc:
        raise RuntimeError(f"save: could not write {describe(uri)}: {exc}") from exc
    if target is not uri:
        with open(uri, "wb") as f:
            f.write(target.getbuffer())
