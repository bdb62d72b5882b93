"""YESNO: 60 recordings of eight spoken Hebrew "yes"/"no" words."""

from __future__ import annotations

import os
from pathlib import Path

from ember.utils.data import Dataset

from ._common import load_waveform, missing_dataset_error
from ._download import download_and_extract

_URL = "http://www.openslr.org/resources/1/waves_yesno.tar.gz"
_FOLDER_IN_ARCHIVE = "waves_yesno"
_SHA256 = "c3f49e0cca421f96b75b41640749167b52118f232498667ca7a5f9416aef8e73"


class YESNO(Dataset):
    """The *YesNo* dataset: each file name lists its eight labels, e.g. ``0_1_0_0_1_0_1_1.wav``.

    The layout read is ``root/<folder_in_archive>/*.wav``, sorted by file name.

    Args:
        root (str or Path): Folder holding the dataset (or where to download it).
        url (str, optional): Where to download the archive from.
            (Default: ``"http://www.openslr.org/resources/1/waves_yesno.tar.gz"``)
        folder_in_archive (str, optional): The dataset's top-level folder.
            (Default: ``"waves_yesno"``)
        download (bool, optional): Download and extract the archive when the folder is
            missing; the default URL's archive is checked against its SHA-256.
            (Default: ``False``)

    Each item is ``(waveform, sample_rate, labels)``: a float32 Tensor ``[1, time]``, an int,
    and a list of eight ints (1 for yes, 0 for no).

    Example:
        >>> dataset = YESNO("data", download=True)  # doctest: +SKIP
        >>> waveform, sample_rate, labels = dataset[0]  # doctest: +SKIP
    """

    def __init__(
        self,
        root,
        url: str = _URL,
        folder_in_archive: str = _FOLDER_IN_ARCHIVE,
        download: bool = False,
    ) -> None:
        root = Path(root)
        self._path = root / folder_in_archive
        if download and not self._path.is_dir():
            download_and_extract(url, root, _SHA256 if url == _URL else None)
        if not self._path.is_dir():
            raise missing_dataset_error("YESNO", self._path)
        self._walker = sorted(p.stem for p in self._path.glob("*.wav"))

    def __getitem__(self, n: int):
        """Load the ``n``-th item: ``(waveform, sample_rate, labels)``."""
        fileid = self._walker[n]
        waveform, sample_rate = load_waveform(os.path.join(self._path, fileid + ".wav"))
        return waveform, sample_rate, [int(c) for c in fileid.split("_")]

    def __len__(self) -> int:
        return len(self._walker)
