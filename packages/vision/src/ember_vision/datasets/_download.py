"""Downloads from mirrors with MD5 verification, and the message given when there is no
network. Fetching and extraction are Ember's shared helpers (``ember.utils._download``)."""

from __future__ import annotations

import os
import urllib.error

from ember.utils._download import extract_archive, fetch, file_digest

__all__ = ["md5_of", "check_integrity", "download_url", "extract_archive"]


def md5_of(path) -> str:
    return file_digest(path, "md5")


def check_integrity(path, md5=None) -> bool:
    if not os.path.isfile(path):
        return False
    return md5 is None or md5_of(path) == md5


def download_url(urls, folder, filename, md5=None, timeout=None):
    """Fetch ``filename`` into ``folder`` from the first of ``urls`` that answers with the right
    MD5; raise RuntimeError naming every URL tried and the folder to put the file in."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, filename)
    if check_integrity(path, md5):
        return path
    errors = []
    for url in urls:
        try:
            tmp = fetch(url, path, timeout)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            errors.append(f"  {url}: {exc}")
            continue
        if md5 is not None and md5_of(tmp) != md5:
            errors.append(f"  {url}: MD5 mismatch (expected {md5}, got {md5_of(tmp)})")
            os.remove(tmp)
            continue
        os.replace(tmp, path)
        return path
    raise RuntimeError(
        f"Could not download {filename!r}. Tried:\n"
        + "\n".join(errors)
        + f"\nDownload it by hand and put it in the folder {os.path.abspath(folder)!r}"
        + (f" (expected MD5 {md5})." if md5 else ".")
    )
