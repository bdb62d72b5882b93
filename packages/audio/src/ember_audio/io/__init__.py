"""Audio I/O through soundfile: :func:`load`, :func:`save` and :func:`info`.

torchaudio's signatures and conventions: waveforms are ``[channel, time]`` Tensors, float32 in
``[-1, 1]`` unless ``normalize=False``; ``save`` takes torchaudio's ``encoding`` names
(``"PCM_S"``, ``"PCM_U"``, ``"PCM_F"``, ``"ULAW"``, ``"ALAW"``) and ``bits_per_sample``.
soundfile is imported at the first call.
"""

from ._info import AudioMetaData, info
from ._load import load
from ._save import save

__all__ = ["AudioMetaData", "info", "load", "save"]
