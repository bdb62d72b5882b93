"""``load``: decode an audio file into a Tensor."""

from __future__ import annotations

import numpy as np

from ._backend import check_backend, describe, open_for_reading

# WAV subtypes whose samples keep their integer type when ``normalize=False``: the dtype
# soundfile decodes into, and the dtype handed back.
_WAV_NATIVE_DTYPES = {
    "PCM_U8": ("int16", np.uint8),
    "PCM_16": ("int16", np.int16),
    "PCM_24": ("int32", np.int32),
    "PCM_32": ("int32", np.int32),
    "FLOAT": ("float32", np.float32),
    "DOUBLE": ("float64", np.float64),
}


def load(
    uri,
    frame_offset: int = 0,
    num_frames: int = -1,
    normalize: bool = True,
    channels_first: bool = True,
    format: str | None = None,
    buffer_size: int = 4096,
    backend=None,
):
    """Load audio data from a file.

    Args:
        uri (str, path-like or file-like object): The audio file (WAV, FLAC, OGG/Vorbis and
            the other containers libsndfile reads). A file object must be opened in binary
            mode and support ``read``, ``seek`` and ``tell``.
        frame_offset (int, optional): Number of frames to skip before reading.
            (Default: ``0``)
        num_frames (int, optional): Maximum number of frames to read; ``-1`` reads to the
            end of the file. Fewer frames come back when the file ends first. (Default: ``-1``)
        normalize (bool, optional): When ``True``, samples are returned as ``float32`` in
            ``[-1.0, 1.0]``. When ``False`` and the file is WAV with integer or float PCM,
            samples keep the file's type: ``uint8`` (8-bit unsigned), ``int16``, ``int32``
            (32-bit, and 24-bit with each sample scaled to the 32-bit range, as torchaudio's
            sox and ffmpeg backends give it), ``float32`` or ``float64``. Other formats and
            encodings are always decoded to ``float32``. (Default: ``True``)
        channels_first (bool, optional): Return ``[channel, time]`` when ``True``, else
            ``[time, channel]``. (Default: ``True``)
        format (str, optional): Accepted for compatibility with torchaudio; soundfile
            recognises the container from the data itself. (Default: ``None``)
        buffer_size (int, optional): Accepted for compatibility with torchaudio; soundfile
            decodes the requested frames in one call. (Default: ``4096``)
        backend (str, optional): ``None`` or ``"soundfile"``, the only I/O backend.

    Returns:
        (Tensor, int): the waveform, ``[channel, time]`` (or ``[time, channel]``), and the
        sample rate.

    Raises:
        FileNotFoundError: if the path does not exist.
        RuntimeError: if the file is not audio that soundfile can read.
        ValueError: for a negative ``frame_offset`` or a ``num_frames`` below ``-1``.

    Example:
        >>> import io
        >>> import ember
        >>> from ember_audio import save
        >>> buffer = io.BytesIO()
        >>> save(buffer, ember.full((2, 100), 0.5), 8000, format="wav", bits_per_sample=16)
        >>> _ = buffer.seek(0)
        >>> waveform, sample_rate = load(buffer, frame_offset=10, num_frames=20)
        >>> waveform.shape, waveform.dtype, sample_rate
        (ember.Size([2, 20]), ember.float32, 8000)
        >>> waveform[0, 0].item()
        0.5
    """
    import ember

    check_backend("load", backend)
    if not isinstance(frame_offset, int) or frame_offset < 0:
        raise ValueError(f"load: frame_offset must be a non-negative int, got {frame_offset!r}")
    if not isinstance(num_frames, int) or num_frames < -1:
        raise ValueError(f"load: num_frames must be -1 (all) or a count >= 0, got {num_frames!r}")

    with open_for_reading("load", uri) as sound_file:
        read_as, native = "float32", np.float32
        if not normalize and sound_file.format == "WAV":
            read_as, native = _WAV_NATIVE_DTYPES.get(sound_file.subtype, (read_as, native))
        try:
            if frame_offset > 0:
                sound_file.seek(min(frame_offset, sound_file.frames))
            frames = -1 if num_frames == -1 else num_frames
            data = sound_file.read(frames, dtype=read_as, always_2d=True)
        except (RuntimeError, ValueError) as exc:
            raise RuntimeError(
                f"load: could not decode {describe(uri)} (corrupt or truncated data): {exc}"
            ) from exc
        sample_rate = sound_file.samplerate

    if native is np.uint8:
        # soundfile widens unsigned 8-bit samples to int16 as (u8 - 128) << 8; undo that.
        data = ((data.astype(np.int32) >> 8) + 128).astype(np.uint8)
    if channels_first:
        data = data.T
    return ember.from_numpy(np.ascontiguousarray(data)), sample_rate
