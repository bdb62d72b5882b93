"""``info``: the metadata of an audio file without decoding its samples."""

from __future__ import annotations

from ._backend import SUBTYPE_INFO, check_backend, open_for_reading


class AudioMetaData:
    """The metadata of an audio file, as returned by :func:`info`.

    Args:
        sample_rate (int): Sample rate in Hz.
        num_frames (int): Number of frames (samples per channel).
        num_channels (int): Number of channels.
        bits_per_sample (int): Bits per sample, ``0`` for compressed formats (Vorbis, Opus)
            and for encodings without a fixed sample width.
        encoding (str): The sample encoding: ``"PCM_S"``, ``"PCM_U"``, ``"PCM_F"``,
            ``"ULAW"``, ``"ALAW"``, ``"FLAC"``, ``"VORBIS"``, ``"OPUS"`` or ``"UNKNOWN"``.

    Example:
        >>> AudioMetaData(16000, 32000, 1, 16, "PCM_S")
        AudioMetaData(sample_rate=16000, num_frames=32000, num_channels=1, bits_per_sample=16, encoding=PCM_S)
    """  # noqa: E501

    __slots__ = ("sample_rate", "num_frames", "num_channels", "bits_per_sample", "encoding")

    def __init__(
        self,
        sample_rate: int,
        num_frames: int,
        num_channels: int,
        bits_per_sample: int,
        encoding: str,
    ) -> None:
        self.sample_rate = sample_rate
        self.num_frames = num_frames
        self.num_channels = num_channels
        self.bits_per_sample = bits_per_sample
        self.encoding = encoding

    def _fields(self):
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other):
        if not isinstance(other, AudioMetaData):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self):
        return hash(self._fields())

    def __repr__(self) -> str:
        return (
            f"AudioMetaData(sample_rate={self.sample_rate}, num_frames={self.num_frames}, "
            f"num_channels={self.num_channels}, bits_per_sample={self.bits_per_sample}, "
            f"encoding={self.encoding})"
        )


def metadata_of(sound_file) -> AudioMetaData:
    """Build AudioMetaData from an open ``soundfile.SoundFile``."""
    bits, encoding = SUBTYPE_INFO.get(sound_file.subtype, (0, "UNKNOWN"))
    if sound_file.format == "FLAC":
        encoding = "FLAC"
    return AudioMetaData(
        sample_rate=sound_file.samplerate,
        num_frames=sound_file.frames,
        num_channels=sound_file.channels,
        bits_per_sample=bits,
        encoding=encoding,
    )


def info(uri, format: str | None = None, buffer_size: int = 4096, backend=None) -> AudioMetaData:
    """Read the metadata of an audio file.

    Args:
        uri (str, path-like or file-like object): The audio file. A file object must be
            opened in binary mode and support ``read``, ``seek`` and ``tell``.
        format (str, optional): Accepted for compatibility with torchaudio; soundfile
            recognises the container from the data itself. (Default: ``None``)
        buffer_size (int, optional): Accepted for compatibility with torchaudio; soundfile
            reads the header directly. (Default: ``4096``)
        backend (str, optional): ``None`` or ``"soundfile"``, the only I/O backend.

    Returns:
        AudioMetaData: sample rate, number of frames and channels, bits per sample and
        encoding. ``bits_per_sample`` is 0 for Vorbis and Opus; the encoding of a FLAC file
        is ``"FLAC"``.

    Raises:
        FileNotFoundError: if the path does not exist.
        RuntimeError: if the file is not audio that soundfile can read.

    Example:
        >>> import io
        >>> import ember
        >>> from ember_audio import save
        >>> buffer = io.BytesIO()
        >>> save(buffer, ember.zeros(2, 800), 8000, format="wav", bits_per_sample=16)
        >>> _ = buffer.seek(0)
        >>> info(buffer)
        AudioMetaData(sample_rate=8000, num_frames=800, num_channels=2, bits_per_sample=16, encoding=PCM_S)
    """  # noqa: E501
    check_backend("info", backend)
    with open_for_reading("info", uri) as sound_file:
        return metadata_of(sound_file)
