"""Downloads with MD5 verification, and the message given when there is no network."""

from __future__ import annotations

import hashlib
import os
import tarfile
import urllib.error
import urllib.request
import zipfile

# Seconds to wait for a server before trying the next mirror.
TIMEOUT = 30.0


def md5_of(path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
        tmp = path + ".part"
        try:
            wait = TIMEOUT if timeout is None else timeout
            with urllib.request.urlopen(url, timeout=wait) as r, open(tmp, "wb") as out:
                for chunk in iter(lambda: r.read(1 << 20), b""):
                    out.write(chunk)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            errors.append(f"  {url}: {exc}")
            if os.path.exists(tmp):
                os.remove(tmp)
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


def extract_archive(path, folder):
    """Extract a .tar(.gz) or .zip archive into ``folder`` (members may not leave it)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            root = os.path.realpath(folder)
            for name in z.namelist():
                target = os.path.realpath(os.path.join(folder, name))
                if not target.startswith(root + os.sep) and target != root:
                    raise RuntimeError(f"{path}: archive member {name!r} would leave {folder!r}")
            z.extractall(folder)
        return
    with tarfile.open(path) as t:
        if hasattr(tarfile, "data_filter"):
            t.extractall(folder, filter="data")
        else:  # pragma: no cover - Python < 3.10.12
            root = os.path.realpath(folder)
            for m in t.getmembers():
                target = os.path.realpath(os.path.join(folder, m.name))
                if not target.startswith(root + os.sep) or m.issym() or m.islnk():
                    raise RuntimeError(f"{path}: unsafe archive member {m.name!r}")
            t.extractall(folder)
