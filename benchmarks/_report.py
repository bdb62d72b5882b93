"""Machine-readable results shared by the benchmark scripts.

Each script keeps its own printed table and, given ``--json PATH``, also writes a list of
records there, one per measured case::

    {"benchmark": "nn", "case": "MLP 784-512-256-10, batch 128", "unit": "ms/step",
     "ember": 4.1, "reference": 3.2, "reference_name": "torch", "ratio": 1.28,
     "better": "lower", "statistic": "median of 15 steps", "note": ""}

``ratio`` is always Ember's figure over the reference's, measured in the same run; ``better``
says which way is good for the unit (``"lower"`` for times, ``"higher"`` for throughputs), so
a reader (or ``run_all.py``) can turn the ratio into "n times faster / slower". ``reference``
and ``ratio`` are ``None`` where the reference library is not installed; ``ember`` is ``None``
where Ember could not run the case (``note`` then says why).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    """Adds ``--json PATH`` to a benchmark's command line."""
    parser.add_argument(
        "--json",
        metavar="PATH",
        default=None,
        help="also write the results as a JSON list of records to PATH",
    )


def record(
    benchmark: str,
    case: str,
    unit: str,
    ember: float | None,
    reference: float | None = None,
    reference_name: str | None = None,
    better: str = "lower",
    statistic: str = "",
    note: str = "",
) -> dict:
    """One result: Ember's figure beside a reference library's, and their ratio."""
    if better not in ("lower", "higher"):
        raise ValueError(f"record(): better must be 'lower' or 'higher', got {better!r}")
    ratio = None
    if ember is not None and reference is not None and reference > 0:
        ratio = ember / reference
    return {
        "benchmark": benchmark,
        "case": case,
        "unit": unit,
        "ember": None if ember is None else float(ember),
        "reference": None if reference is None else float(reference),
        "reference_name": reference_name,
        "ratio": ratio,
        "better": better,
        "statistic": statistic,
        "note": note,
    }


def write_json(path: str | None, records: list[dict]) -> None:
    """Writes ``records`` to ``path`` (nothing when ``path`` is ``None``)."""
    if path is None:
        return
    Path(path).write_text(json.dumps(records, indent=2) + "\n")
