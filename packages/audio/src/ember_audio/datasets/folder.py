"""AudioFolder: labelled audio from a ``root/<class>/**/<file>`` tree."""

from __future__ import annotations

import os

from ember.utils.data import Dataset

from ._common import AUDIO_EXTENSIONS, load_waveform


def find_classes(directory) -> tuple[list[str], dict[str, int]]:
    """The sorted sub-folder names of ``directory`` and their indices."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"AudioFolder: {directory!r} is not a folder")
    classes = sorted(entry.name for entry in os.scandir(directory) if entry.is_dir())
    if not classes:
        raise FileNotFoundError(f"AudioFolder: found no class folder in {directory!r}")
    return classes, {name: i for i, name in enumerate(classes)}


class AudioFolder(Dataset):
    """Labelled audio files arranged one folder per class::

        root/dog/xxx.wav
        root/dog/nested/xxy.flac
        root/cat/123.wav

    Classes are the sorted names of the sub-folders of ``root``; files are collected
    recursively, in sorted order, when their extension is one of ``extensions``
    (case-insensitive) or ``is_valid_file(path)`` says so.

    Args:
        root (str or Path): The folder holding one sub-folder per class.
        transform (callable, optional): Applied to each waveform.
        target_transform (callable, optional): Applied to each class index.
        extensions (tuple of str, optional): File extensions to keep.
            (Default: ``AUDIO_EXTENSIONS``, the formats soundfile reads)
        loader (callable, optional): ``loader(path) -> (waveform, sample_rate)``.
            (Default: :func:`ember_audio.load`)
        is_valid_file (callable, optional): Keep the files for which this returns ``True``;
            replaces ``extensions``.
        allow_empty (bool, optional): Accept class folders without any file.
            (Default: ``False``)

    Each item is ``(waveform, sample_rate, class_index)``.

    Attributes:
        classes (list of str): The class names, sorted.
        class_to_idx (dict): Class name to index.
        samples (list of (str, int)): Each file's path and class index.
        targets (list of int): The class index of each file.

    Example:
        >>> dataset = AudioFolder("commands")  # doctest: +SKIP
        >>> waveform, sample_rate, label = dataset[0]  # doctest: +SKIP
    """

    def __init__(
        self,
        root,
        transform=None,
        target_transform=None,
        extensions=AUDIO_EXTENSIONS,
        loader=None,
        is_valid_file=None,
        allow_empty: bool = False,
    ) -> None:
        self.root = os.fspath(root)
        self.transform = transform
        self.target_transform = target_transform
        self.loader = load_waveform if loader is None else loader
        self.classes, self.class_to_idx = find_classes(self.root)
        if is_valid_file is None:
            suffixes = tuple(ext.lower() for ext in extensions)

            def is_valid_file(path):
                return path.lower().endswith(suffixes)

        self.samples = []
        empty = []
        for name in self.classes:
            count = len(self.samples)
            for folder, _, files in sorted(
                os.walk(os.path.join(self.root, name), followlinks=True)
            ):
                for filename in sorted(files):
                    path = os.path.join(folder, filename)
                    if is_valid_file(path):
                        self.samples.append((path, self.class_to_idx[name]))
            if len(self.samples) == count:
                empty.append(name)
        if empty and not allow_empty:
            raise FileNotFoundError(
                f"AudioFolder: found no valid file in the class folders {empty} of "
                f"{self.root!r} (extensions: {', '.join(extensions)})"
            )
        self.targets = [target for _, target in self.samples]

    def __getitem__(self, index: int):
        """Load item ``index``: ``(waveform, sample_rate, class_index)``."""
        path, target = self.samples[index]
        waveform, sample_rate = self.loader(path)
        if self.transform is not None:
            waveform = self.transform(waveform)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return waveform, sample_rate, target

    def __len__(self) -> int:
        return len(self.samples)

    def __repr__(self) -> str:
        return (
            f"AudioFolder(root={self.root!r}, classes={len(self.classes)}, "
            f"samples={len(self.samples)})"
        )
