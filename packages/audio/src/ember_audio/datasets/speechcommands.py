"""SPEECHCOMMANDS: one-second utterances of 35 short command words."""

from __future__ import annotations

import os
from pathlib import Path

from ember.utils.data import Dataset

from ._common import load_waveform, missing_dataset_error
from ._download import download_and_extract

_FOLDER_IN_ARCHIVE = "SpeechCommands"
_URL = "speech_commands_v0.02"
_HASH_DIVIDER = "_nohash_"
_EXCEPT_FOLDER = "_background_noise_"
_SAMPLE_RATE = 16000
_BASE_URL = "http://download.tensorflow.org/data/"
_SHA256 = {
    _BASE_URL + "speech_commands_v0.01.tar.gz": (
        "743935421bb51cccdb6bdd152e04c5c70274e935c82119ad7faeec31780d811d"
    ),
    _BASE_URL + "speech_commands_v0.02.tar.gz": (
        "af14739ee7dc311471de98f5f9d2c9191b18aedfe957f4a6ff791c709868ff58"
    ),
}
_SUBSETS = (None, "training", "validation", "testing")


def _load_list(root: str, *filenames: str) -> list[str]:
    paths = []
    for filename in filenames:
        list_path = os.path.join(root, filename)
        if not os.path.isfile(list_path):
            raise FileNotFoundError(f"SPEECHCOMMANDS: the split list {list_path!r} is missing")
        with open(list_path) as f:
            paths += [
                os.path.normpath(os.path.join(root, line.strip())) for line in f if line.strip()
            ]
    return paths


class SPEECHCOMMANDS(Dataset):
    """The *Speech Commands* dataset (versions 0.01 and 0.02).

    The layout read is ``root/<folder_in_archive>/<version>/<label>/<speaker>_nohash_<n>.wav``
    with ``validation_list.txt`` and ``testing_list.txt`` beside the label folders. The
    ``_background_noise_`` folder holds no utterances and is skipped.

    Args:
        root (str or Path): Folder holding the dataset (or where to download it).
        url (str, optional): ``"speech_commands_v0.01"``, ``"speech_commands_v0.02"`` or a
            URL of an archive. (Default: ``"speech_commands_v0.02"``)
        folder_in_archive (str, optional): The dataset's top-level folder.
            (Default: ``"SpeechCommands"``)
        download (bool, optional): Download and extract the archive when the folder is
            missing; the two released archives are checked against their SHA-256.
            (Default: ``False``)
        subset (str or None, optional): ``"training"`` (every file not in the validation or
            testing list), ``"validation"`` or ``"testing"`` (the files in those lists), or
            ``None`` for the whole dataset. (Default: ``None``)

    Each item is ``(waveform, sample_rate, label, speaker_id, utterance_number)``.

    Example:
        >>> train = SPEECHCOMMANDS("data", download=True, subset="training")  # doctest: +SKIP
        >>> waveform, sample_rate, label, speaker_id, utterance_number = train[0]  # doctest: +SKIP
    """

    def __init__(
        self,
        root,
        url: str = _URL,
        folder_in_archive: str = _FOLDER_IN_ARCHIVE,
        download: bool = False,
        subset: str | None = None,
    ) -> None:
        if subset not in _SUBSETS:
            raise ValueError(
                "SPEECHCOMMANDS: subset must be None, 'training', 'validation' or 'testing', "
                f"got {subset!r}"
            )
        if url in ("speech_commands_v0.01", "speech_commands_v0.02"):
            url = _BASE_URL + url + ".tar.gz"
        root = os.fspath(root)
        basename = os.path.basename(url).rsplit(".", 2)[0]
        self._path = os.path.join(root, folder_in_archive, basename)
        if download and not os.path.isdir(self._path):
            download_and_extract(url, root, _SHA256.get(url), to_path=self._path)
        if not os.path.isdir(self._path):
            raise missing_dataset_error("SPEECHCOMMANDS", self._path)

        if subset == "validation":
            self._walker = _load_list(self._path, "validation_list.txt")
        elif subset == "testing":
            self._walker = _load_list(self._path, "testing_list.txt")
        else:
            excludes = set()
            if subset == "training":
                excludes = set(_load_list(self._path, "validation_list.txt", "testing_list.txt"))
            walker = sorted(str(p) for p in Path(self._path).glob("*/*.wav"))
            self._walker = [
                w
                for w in walker
                if _HASH_DIVIDER in w
                and _EXCEPT_FOLDER not in w
                and os.path.normpath(w) not in excludes
            ]

    def get_metadata(self, n: int):
        """Item ``n`` without its audio: ``(relative path, sample_rate, label, speaker_id,
        utterance_number)``; the path is relative to the dataset's version folder."""
        relpath = os.path.relpath(self._walker[n], self._path)
        reldir, filename = os.path.split(relpath)
        label = os.path.basename(reldir)
        stem = os.path.splitext(filename)[0]
        speaker_id, utterance_number = stem.split(_HASH_DIVIDER)
        return relpath, _SAMPLE_RATE, label, speaker_id, int(utterance_number)

    def __getitem__(self, n: int):
        """Load the ``n``-th item: ``(waveform, sample_rate, label, speaker_id,
        utterance_number)``; ``sample_rate`` is the file's."""
        relpath, _, label, speaker_id, utterance_number = self.get_metadata(n)
        waveform, sample_rate = load_waveform(os.path.join(self._path, relpath))
        return waveform, sample_rate, label, speaker_id, utterance_number

    def __len__(self) -> int:
        return len(self._walker)
