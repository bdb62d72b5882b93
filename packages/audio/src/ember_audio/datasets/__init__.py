"""Readers for the standard on-disk layouts of audio datasets, in torchaudio's shapes.

Items are tuples starting with ``(waveform, sample_rate, ...)``; waveforms are float32
``[channel, time]`` Tensors loaded with :func:`ember_audio.load`.
"""

from ._common import AUDIO_EXTENSIONS
from ._download import download_url_to_file, extract_archive
from .folder import AudioFolder
from .librispeech import LIBRISPEECH
from .ljspeech import LJSPEECH
from .speechcommands import SPEECHCOMMANDS
from .yesno import YESNO

__all__ = [
    "AUDIO_EXTENSIONS",
    "AudioFolder",
    "LIBRISPEECH",
    "LJSPEECH",
    "SPEECHCOMMANDS",
    "YESNO",
    "download_url_to_file",
    "extract_archive",
]
