"""Every ```python block of the documentation pages runs, page by page, in order.

Blocks of one page share a namespace (a tutorial builds on its earlier blocks). A snippet that
must not run (it needs a GPU or a network, or shows a fragment) is written as a MyST
``{code-block} python`` directive instead of a plain fenced ```python block.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
SKIP_DIRS = {"_build", "generated", "_ext"}
BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)


def pages():
    found = []
    for path in sorted(DOCS.rglob("*.md")):
        if SKIP_DIRS & set(path.relative_to(DOCS).parts):
            continue
        if BLOCK.search(path.read_text()):
            found.append(path)
    return found


def test_blocks_are_found():
    # the pattern must see the quickstart's code; an empty list would make the test below vacuous
    names = [p.name for p in pages()]
    assert "getting-started.md" in names and "coming-from-pytorch.md" in names


@pytest.mark.parametrize("page", pages(), ids=lambda p: str(p.relative_to(DOCS)))
def test_page_code_runs(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # pages that write files write them here
    namespace = {"__name__": f"docs_{page.stem.replace('-', '_')}"}
    text = page.read_text()
    for match in BLOCK.finditer(text):
        line = text[: match.start()].count("\n") + 2
        code = compile(match.group(1), f"{page.relative_to(DOCS)}:{line}", "exec")
        exec(code, namespace)
