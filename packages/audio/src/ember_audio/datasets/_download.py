"""Downloading archives with SHA-256 verification, and extracting them safely."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request
import zipfile

# Seconds to wait for a server before giving up.
TIMEOUT = 30.0


def sha256_of(path) -> str:
    """The hex SHA-256 digest of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def download_url_to_file(url: str, dst, hash_prefix: str | None = None, timeout=None) -> None:
    """Download ``url`` to the file ``dst``, checking its SHA-256 digest.

    The data goes to ``dst + ".part"`` first and is renamed once complete and verified, so an
    interrupted download never leaves a truncated ``dst``.

    Args:
        url (str): What to fetch (``http(s)://``, ``ftp://`` or ``file://``).
        dst (str or path-like): The file to create.
        hash_prefix (str, optional): The expected SHA-256 hex digest, or a prefix of it.
        timeout (float, optional): Seconds to wait for the server (default 30).

    Raises:
        RuntimeError: when the download fails (no network, server error; the message names
            the URL and where to put the file by hand) or the digest does not match.
    """
    dst = os.fspath(dst)
    folder = os.path.dirname(os.path.abspath(dst))
    os.makedirs(folder, exist_ok=True)
    partial = dst + ".part"
    try:
        wait = TIMEOUT if timeout is None else timeout
        with urllib.request.urlopen(url, timeout=wait) as r, open(partial, "wb") as out:
            shutil.copyfileobj(r, out, 1 << 20)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        if os.path.exists(partial):
            os.remove(partial)
        expected = f" (SHA-256 starting with {hash_prefix})" if hash_prefix else ""
        raise RuntimeError(
            f"Could not download {url}: {exc}. If this machine has no network, download the "
            f"file elsewhere and put it at {os.path.abspath(dst)!r}{expected}."
        ) from exc
    if hash_prefix:
        digest = sha256_of(partial)
        if not digest.startswith(hash_prefix):
            os.remove(partial)
            raise RuntimeError(
                f"invalid hash value for {url}: expected a SHA-256 starting with "
                f"{hash_prefix!r}, got {digest!r} (the download is corrupt or the file changed)"
            )
    os.replace(partial, dst)


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


def download_and_extract(url: str, root, hash_prefix: str | None, to_path=None) -> None:
    """Download ``url`` into ``root`` (unless the archive is already there) and extract it."""
    archive = os.path.join(os.fspath(root), os.path.basename(url))
    if not os.path.isfile(archive):
        download_url_to_file(url, archive, hash_prefix=hash_prefix)
    extract_archive(archive, to_path)
