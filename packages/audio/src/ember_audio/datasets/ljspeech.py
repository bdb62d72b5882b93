"""LJSPEECH: 13,100 clips of a single speaker reading, with transcripts."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from ember.utils.data import Dataset

from ._common import load_waveform, missing_dataset_error
from ._download import download_and_extract

_URL = "https://data.keithito.com/data/speech/LJSpeech-1.1.tar.bz2"
_FOLDER_IN_ARCHIVE = "wavs"
_SHA256 = "be1a30453f28eb8dd26af4101ae40cbf2c50413b1bb21936cbcdc6fae3de8aa5"


class LJSPEECH(Dataset):
    """The *LJSpeech-1.1* dataset.

    The layout read is ``root/LJSpeech-1.1/metadata.csv`` (lines ``id|transcript|normalized
    transcript``, no quoting) and ``root/LJSpeech-1.1/<folder_in_archive>/<id>.wav``; the
    ``LJSpeech-1.1`` part is the archive name of ``url``.

    Args:
        root (str or Path): Folder holding the dataset (or where to download it).
        url (str, optional): Where to download the archive from.
            (Default: ``"https://data.keithito.com/data/speech/LJSpeech-1.1.tar.bz2"``)
        folder_in_archive (str, optional): The folder of the wav files. (Default: ``"wavs"``)
        download (bool, optional): Download and extract the archive when the folder is
            missing; the default URL's archive is checked against its SHA-256.
            (Default: ``False``)

    Each item is ``(waveform, sample_rate, transcript, normalized_transcript)``.

    Example:
        >>> dataset = LJSPEECH("data", download=True)  # doctest: +SKIP
        >>> waveform, sample_rate, transcript, normalized = dataset[0]  # doctest: +SKIP
    """

    def __init__(
        self,
        root,
        url: str = _URL,
        folder_in_archive: str = _FOLDER_IN_ARCHIVE,
        download: bool = False,
    ) -> None:
        root = Path(root)
        basename = os.path.basename(url).split(".tar.bz2")[0]
        self._path = root / basename / folder_in_archive
        self._metadata_path = root / basename / "metadata.csv"
        if download and not self._path.is_dir():
            download_and_extract(url, root, _SHA256 if url == _URL else None)
        if not self._path.is_dir():
            raise missing_dataset_error("LJSPEECH", self._path)
        if not self._metadata_path.is_file():
            raise FileNotFoundError(f"LJSPEECH: {str(self._metadata_path)!r} is missing")
        with open(self._metadata_path, newline="", encoding="utf-8") as metadata:
            self._flist = [
                row for row in csv.reader(metadata, delimiter="|", quoting=csv.QUOTE_NONE) if row
            ]
        for line_number, row in enumerate(self._flist, start=1):
            if len(row) != 3:
                raise ValueError(
                    f"LJSPEECH: line {line_number} of {str(self._metadata_path)!r} has "
                    f"{len(row)} fields, expected 3 (id|transcript|normalized transcript)"
                )

    def __getitem__(self, n: int):
        """Load the ``n``-th item: ``(waveform, sample_rate, transcript,
        normalized_transcript)``."""
        fileid, transcript, normalized_transcript = self._flist[n]
        waveform, sample_rate = load_waveform(self._path / (fileid + ".wav"))
        return waveform, sample_rate, transcript, normalized_transcript

    def __len__(self) -> int:
        return len(self._flist)
