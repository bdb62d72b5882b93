"""Audio models with torchaudio's interfaces and state-dict keys, and a CTC greedy decoder."""

from .conformer import Conformer, ConformerLayer
from .ctc_decoder import GreedyCTCDecoder, ctc_greedy_decode
from .m5 import M5
from .wav2letter import Wav2Letter

__all__ = [
    "Conformer",
    "ConformerLayer",
    "GreedyCTCDecoder",
    "M5",
    "Wav2Letter",
    "ctc_greedy_decode",
]
