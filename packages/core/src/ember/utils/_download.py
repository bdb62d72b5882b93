"""Fetching files and unpacking archives for the dataset readers of the domain packages.

``ember_vision.datasets`` (MD5-checked mirrors) and ``ember_audio.datasets`` (SHA-256
prefixes, as ``torch.hub``) verify downloads their own way; both fetch and extract through
these functions, so the atomic write and the path-traversal checks live in one place.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile

__all__ = ["TIMEOUT", "file_digest", "fetch", "extract_archive"]

# Seconds to wait for a server before giving up on it.
TIMEOUT = 30.0


def file_digest(path, algorithm: str) -> str:
    """The hex digest (``"md5"``, ``"sha256"``, ...) of the file at ``path``."""
    digest = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def fetch(url: str, dst, timeout=None) -> str:
    """Download ``url`` to ``dst + ".part"`` and return that path; the caller verifies it and
    renames it over ``dst``, so an interrupted download never leaves a truncated ``dst``.

    Raises:
        OSError, urllib.error.URLError, ValueError: as urllib raises them (no network, server
            error, bad URL); the partial file is removed first.
    """
    partial = os.fspath(dst) + ".part"
    os.makedirs(os.path.dirname(os.path.abspath(partial)), exist_ok=True)
    try:
        wait = TIMEOUT if timeout is None else timeout
        with urllib.request.urlopen(url, timeout=wait) as r, open(partial, "wb") as out:
            shutil.copyfileobj(r, out, 1 << 20)
    except (urllib.error.URLError, OSError, ValueError):
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return partial


def _check_member(archive, folder, name) -> None:
    root = os.path.realpath(folder)
    target = os.path.realpath(os.path.join(folder, name))
    if target != root and not target.startswith(root + os.sep):
        raise RuntimeError(
            f"{archive}: archive member {name!r} would be written outside {folder!r}"
        )


def extract_archive(from_path, to_path=None) -> list[str]:
    """Extract a ``.tar``, ``.tar.gz``, ``.tgz``, ``.tar.bz2`` or ``.zip`` archive.

    Args:
        from_path (str or path-like): The archive.
        to_path (str or path-like, optional): The folder to extract into; by default the
            archive's own folder.

    Returns:
        list of str: the names of the extracted members.

    Raises:
        RuntimeError: if the archive is not one of these formats, or a member would land
            outside ``to_path``.
    """
    from_path = os.fspath(from_path)
    to_path = os.path.dirname(os.path.abspath(from_path)) if to_path is None else os.fspath(to_path)
    os.makedirs(to_path, exist_ok=True)
    if zipfile.is_zipfile(from_path):
        with zipfile.ZipFile(from_path) as archive:
            names = archive.namelist()
            for name in names:
                _check_member(from_path, to_path, name)
            archive.extractall(to_path)
        return names
    try:
        archive = tarfile.open(from_path)  # noqa: SIM115 - closed by the `with` below
    except tarfile.TarError as exc:
        raise RuntimeError(
            f"extract_archive: {from_path!r} is not a tar or zip archive: {exc}"
        ) from exc
    with archive:
        members = archive.getmembers()
        for member in members:
            _check_member(from_path, to_path, member.name)
        if hasattr(tarfile, "data_filter"):
            # The "data" filter also refuses links that point outside ``to_path``.
            archive.extractall(to_path, members=members, filter="data")
        else:  # pragma: no cover - Python releases before extraction filters
            archive.extractall(to_path, members=[m for m in members if not m.issym()])
    return [member.name for member in members]
