"""LIBRISPEECH: read English speech from audiobooks, with transcripts."""

from __future__ import annotations

import os
from pathlib import Path

from ember.utils.data import Dataset

from ._common import load_waveform, missing_dataset_error
from ._download import download_and_extract

_URL = "train-clean-100"
_FOLDER_IN_ARCHIVE = "LibriSpeech"
_SAMPLE_RATE = 16000
_BASE_URL = "http://www.openslr.org/resources/12/"
_SHA256 = {
    "dev-clean": "76f87d090650617fca0cac8f88b9416e0ebf80350acb97b343a85fa903728ab3",
    "dev-other": "12661c48e8c3fe1de2c1caa4c3e135193bfb1811584f11f569dd12645aa84365",
    "test-clean": "39fde525e59672dc6d1551919b1478f724438a95aa55f874b576be21967e6c23",
    "test-other": "d09c181bba5cf717b3dee7d4d592af11a3ee3a09e08ae025c5506f6ebe961c29",
    "train-clean-100": "d4ddd1d5a6ab303066f14971d768ee43278a5f2a0aa43dc716b0e64ecbbbf6e2",
    "train-clean-360": "146a56496217e96c14334a160df97fffedd6e0a04e66b9c5af0d40be3c792ecf",
    "train-other-500": "ddb22f27f96ec163645d53215559df6aa36515f26e01dd70798188350adcb6d2",
}


class LIBRISPEECH(Dataset):
    """The *LibriSpeech* corpus.

    The layout read is
    ``root/<folder_in_archive>/<url>/<speaker>/<chapter>/<speaker>-<chapter>-<utterance>.flac``
    with one ``<speaker>-<chapter>.trans.txt`` per chapter folder, each line
    ``<speaker>-<chapter>-<utterance> TRANSCRIPT``.

    Args:
        root (str or Path): Folder holding the dataset (or where to download it).
        url (str, optional): The subset: ``"dev-clean"``, ``"dev-other"``, ``"test-clean"``,
            ``"test-other"``, ``"train-clean-100"``, ``"train-clean-360"`` or
            ``"train-other-500"``. (Default: ``"train-clean-100"``)
        folder_in_archive (str, optional): The dataset's top-level folder.
            (Default: ``"LibriSpeech"``)
        download (bool, optional): Download (checking its SHA-256) and extract the subset's
            archive when its folder is missing. (Default: ``False``)

    Each item is ``(waveform, sample_rate, transcript, speaker_id, chapter_id,
    utterance_id)``, the ids as ints.

    Example:
        >>> dataset = LIBRISPEECH("data", url="dev-clean", download=True)  # doctest: +SKIP
        >>> waveform, sample_rate, transcript, speaker, chapter, utterance = dataset[0]  # doctest: +SKIP
    """  # noqa: E501

    _ext_txt = ".trans.txt"
    _ext_audio = ".flac"

    def __init__(
        self,
        root,
        url: str = _URL,
        folder_in_archive: str = _FOLDER_IN_ARCHIVE,
        download: bool = False,
    ) -> None:
        if url not in _SHA256:
            raise ValueError(f"LIBRISPEECH: invalid url {url!r}; expected one of {sorted(_SHA256)}")
        self._url = url
        root = os.fspath(root)
        self._archive = os.path.join(root, folder_in_archive)
        self._path = os.path.join(root, folder_in_archive, url)
        if download and not os.path.isdir(self._path):
            download_and_extract(_BASE_URL + url + ".tar.gz", root, _SHA256[url])
        if not os.path.isdir(self._path):
            raise missing_dataset_error("LIBRISPEECH", self._path)
        self._walker = sorted(p.stem for p in Path(self._path).glob("*/*/*" + self._ext_audio))

    def get_metadata(self, n: int):
        """Item ``n`` without its audio: ``(path relative to the dataset folder, sample_rate,
        transcript, speaker_id, chapter_id, utterance_id)``."""
        fileid = self._walker[n]
        speaker_id, chapter_id, utterance_id = fileid.split("-")
        relpath = os.path.join(self._url, speaker_id, chapter_id, fileid + self._ext_audio)
        transcript_file = os.path.join(
            self._path, speaker_id, chapter_id, f"{speaker_id}-{chapter_id}{self._ext_txt}"
        )
        try:
            with open(transcript_file) as f:
                for line in f:
                    parts = line.strip().split(" ", 1)
                    if parts[0] == fileid:
                        transcript = parts[1] if len(parts) > 1 else ""
                        break
                else:
                    raise FileNotFoundError(
                        f"LIBRISPEECH: no transcript for {fileid!r} in {transcript_file!r}"
                    )
        except FileNotFoundError as exc:
            if os.path.exists(transcript_file):
                raise
            raise FileNotFoundError(
                f"LIBRISPEECH: the transcript file {transcript_file!r} is missing"
            ) from exc
        return (
            relpath,
            _SAMPLE_RATE,
            transcript,
            int(speaker_id),
            int(chapter_id),
            int(utterance_id),
        )

    def __getitem__(self, n: int):
        """Load the ``n``-th item: ``(waveform, sample_rate, transcript, speaker_id,
        chapter_id, utterance_id)``; ``sample_rate`` is the file's."""
        metadata = self.get_metadata(n)
        waveform, sample_rate = load_waveform(os.path.join(self._archive, metadata[0]))
        return (waveform, sample_rate) + metadata[2:]

    def __len__(self) -> int:
        return len(self._walker)
