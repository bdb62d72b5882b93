"""Downloading archives with SHA-256 verification (fetching and safe extraction are Ember's
shared helpers in ``ember.utils._download``)."""

from __future__ import annotations

import os
import urllib.error

from ember.utils._download import extract_archive, fetch, file_digest

__all__ = ["sha256_of", "download_url_to_file", "extract_archive", "download_and_extract"]


def sha256_of(path) -> str:
    """The hex SHA-256 digest of the file at ``path``."""
    return file_digest(path, "sha256")


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
    try:
        partial = fetch(url, dst, timeout)
    except (urllib.error.URLError, OSError, ValueError) as exc:
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


def download_and_extract(url: str, root, hash_prefix: str | None, to_path=None) -> None:
    """Download ``url`` into ``root`` (unless the archive is already there) and extract it."""
    archive = os.path.join(os.fspath(root), os.path.basename(url))
    if not os.path.isfile(archive):
        download_url_to_file(url, archive, hash_prefix=hash_prefix)
    extract_archive(archive, to_path)
