"""Datasets read from text files: one example per line, CSV/TSV rows, JSON lines."""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Callable, Sequence

from ember.utils.data import Dataset

__all__ = ["TextLineDataset", "CSVTextDataset", "TSVTextDataset", "JSONLDataset"]


def _paths(path, where: str) -> list[str]:
    paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
    if not paths:
        raise ValueError(f"{where}: no file given")
    out = []
    for p in paths:
        p = os.fspath(p)
        if not os.path.isfile(p):
            raise FileNotFoundError(f"{where}: no such file: {p!r}")
        out.append(p)
    return out


class _ListDataset(Dataset):
    """Examples held in a list; ``transform`` (and ``target_transform``) applied on access."""

    def __len__(self) -> int:
        return len(self.examples)

    def __getitem__(self, index):
        return self.examples[index]

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_examples={len(self)})"


class TextLineDataset(_ListDataset):
    """One example per line of one or more text files (the line without its newline).

    Args:
        path: a file path or a list of paths, read in order.
        encoding: the files' text encoding. Default: ``"utf-8"``.
        skip_empty: leave out lines that are empty or only whitespace. Default: ``False``.
        transform: applied to each line when it is read from the dataset (e.g. a tokenizer).

    Example:
        >>> import tempfile, os
        >>> from ember_text.data import TextLineDataset
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "lines.txt")
        >>> _ = open(p, "w").write("first line\\nsecond line\\n")
        >>> ds = TextLineDataset(p, transform=str.split)
        >>> len(ds), ds[1]
        (2, ['second', 'line'])
    """

    def __init__(
        self,
        path,
        encoding: str = "utf-8",
        skip_empty: bool = False,
        transform: Callable | None = None,
    ):
        self.paths = _paths(path, "TextLineDataset")
        self.transform = transform
        self.examples: list[str] = []
        for p in self.paths:
            with open(p, encoding=encoding, newline=None) as f:
                for line in f:
                    line = line.rstrip("\n")
                    if skip_empty and not line.strip():
                        continue
                    self.examples.append(line)

    def __getitem__(self, index):
        line = self.examples[index]
        return line if self.transform is None else self.transform(line)


class CSVTextDataset(_ListDataset):
    """``(label, text)`` examples from the rows of a CSV file, as torchtext's datasets give.

    Args:
        path: a file path or a list of paths (all with the same layout).
        label_column: the label's column: an index, or a name when ``has_header``; ``None``
            for unlabelled data (then each example is the text alone). Default: ``0``.
        text_column: the text's column (index or name), or a list of them, joined by a space
            (e.g. a title and a body). Default: ``1``.
        has_header: the first row of each file names the columns. Default: ``False``.
        delimiter: the field separator. Default: ``","``.
        encoding: the files' text encoding. Default: ``"utf-8"``.
        transform: applied to the text on access.
        target_transform: applied to the label on access (e.g. ``int``).

    Example:
        >>> import tempfile, os
        >>> from ember_text.data import CSVTextDataset
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "news.csv")
        >>> _ = open(p, "w").write('label,title,body\\n3,"Rain, again",It rains.\\n')
        >>> ds = CSVTextDataset(p, label_column="label", text_column=["title", "body"],
        ...                     has_header=True, target_transform=int)
        >>> ds[0]
        (3, 'Rain, again It rains.')
    """

    _delimiter = ","

    def __init__(
        self,
        path,
        label_column: int | str | None = 0,
        text_column: int | str | Sequence[int | str] = 1,
        has_header: bool = False,
        delimiter: str | None = None,
        encoding: str = "utf-8",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ):
        where = type(self).__name__
        self.paths = _paths(path, where)
        self.transform = transform
        self.target_transform = target_transform
        self.delimiter = self._delimiter if delimiter is None else delimiter
        text_columns = [text_column] if isinstance(text_column, (int, str)) else list(text_column)
        self.examples: list = []
        for p in self.paths:
            with open(p, encoding=encoding, newline="") as f:
                reader = csv.reader(f, delimiter=self.delimiter)
                header = next(reader, None) if has_header else None
                label_at = _column(label_column, header, p, where)
                text_at = [_column(c, header, p, where) for c in text_columns]
                for row in reader:
                    if not row:
                        continue
                    needed = max([i for i in [label_at, *text_at] if i is not None]) + 1
                    if len(row) < needed:
                        raise ValueError(
                            f"{where}: {p!r} line {reader.line_num} has {len(row)} columns, "
                            f"expected at least {needed}"
                        )
                    text = " ".join(row[i] for i in text_at)
                    self.examples.append(text if label_at is None else (row[label_at], text))
        self._labelled = label_column is not None

    def __getitem__(self, index):
        example = self.examples[index]
        if not self._labelled:
            return example if self.transform is None else self.transform(example)
        label, text = example
        if self.target_transform is not None:
            label = self.target_transform(label)
        if self.transform is not None:
            text = self.transform(text)
        return label, text


class TSVTextDataset(CSVTextDataset):
    """:class:`CSVTextDataset` for tab-separated files (``delimiter="\\t"``)."""

    _delimiter = "\t"


def _column(column, header, path, where) -> int | None:
    if column is None:
        return None
    if isinstance(column, bool) or not isinstance(column, (int, str)):
        raise TypeError(f"{where}: a column must be an int or a str, got {column!r}")
    if isinstance(column, int):
        if column < 0:
            raise ValueError(f"{where}: column indices must be >= 0, got {column}")
        return column
    if header is None:
        raise ValueError(
            f"{where}: column {column!r} is a name, but has_header=False (no header row in "
            f"{path!r}); use an index or pass has_header=True"
        )
    if column not in header:
        raise ValueError(f"{where}: {path!r} has no column {column!r}; its header is {header}")
    return header.index(column)


class JSONLDataset(_ListDataset):
    """Examples from a JSON-lines file (one JSON object per line).

    Args:
        path: a file path or a list of paths.
        text_field: the key of the text. Default: ``"text"``.
        label_field: the key of the label, or ``None`` for unlabelled data. Default:
            ``"label"``.
        encoding: the files' text encoding. Default: ``"utf-8"``.
        transform: applied to the text on access.
        target_transform: applied to the label on access.

    Returns ``(label, text)`` examples (the text alone when ``label_field`` is ``None``).

    Example:
        >>> import tempfile, os
        >>> from ember_text.data import JSONLDataset
        >>> d = tempfile.mkdtemp(); p = os.path.join(d, "data.jsonl")
        >>> rows = ['{"text": "good film", "label": 1}', '{"text": "dull", "label": 0}']
        >>> _ = open(p, "w").write("\\n".join(rows))
        >>> ds = JSONLDataset(p)
        >>> len(ds), ds[0]
        (2, (1, 'good film'))
    """

    def __init__(
        self,
        path,
        text_field: str = "text",
        label_field: str | None = "label",
        encoding: str = "utf-8",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ):
        self.paths = _paths(path, "JSONLDataset")
        self.transform = transform
        self.target_transform = target_transform
        self.label_field = label_field
        self.examples: list = []
        for p in self.paths:
            with open(p, encoding=encoding) as f:
                for number, line in enumerate(f, start=1):
                    if not line.strip():
                        continue
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError as exc:
                        raise ValueError(
                            f"JSONLDataset: {p!r} line {number} is not valid JSON ({exc.msg})"
                        ) from None
                    if not isinstance(record, dict):
                        raise ValueError(
                            f"JSONLDataset: {p!r} line {number} holds a "
                            f"{type(record).__name__}, expected a JSON object"
                        )
                    fields = [text_field] + ([label_field] if label_field is not None else [])
                    for field in fields:
                        if field not in record:
                            raise KeyError(
                                f"JSONLDataset: {p!r} line {number} has no field {field!r} "
                                f"(it has {sorted(record)})"
                            )
                    text = record[text_field]
                    self.examples.append(
                        text if label_field is None else (record[label_field], text)
                    )

    def __getitem__(self, index):
        example = self.examples[index]
        if self.label_field is None:
            return example if self.transform is None else self.transform(example)
        label, text = example
        if self.target_transform is not None:
            label = self.target_transform(label)
        if self.transform is not None:
            text = self.transform(text)
        return label, text
