"""A dataset's gold as the schema's answer: labelled examples, and the ceiling of a figure.

Labelled examples (`eval --labelled-examples`):
The pipeline's `--examples-from` takes a JSON Lines file of labelled documents; for
an evaluation it is written here from the dataset's gold, from documents that are
never the ones evaluated: Kleister NDA dev-0 draws on train (and train on dev-0),
SROIE on the receipts without a scan (100-625), so the 100 with scans, and every
default subset, stay out of the pool. The gold is turned back into the schema's
answer (`New_York` -> `New York`); `ExamplePool` then grounds it in the text.
The same answers, grounded and validated, are what a perfect model would keep
(`extract.evaluation.ceiling`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from extract.evaluation.cuad import CUAD_FIELDS
from extract.evaluation.loaders import inputs_dir
from extract.evaluation.scoring import CHARITY_NAMES

Gold = dict[str, list[str]]
Row = tuple[str, str, Gold]


def write_pool(
    dataset: str, rows: Iterable[Row], to_answer: Callable[[Gold], dict[str, Any]], skip: set[str]
) -> tuple[Path, int]:
    """The JSON Lines file of `rows` minus the documents in `skip`, and how many it holds.
    Named by its content, so a run with the same pool sends the same prompts (cache hits)."""
    lines = [
        json.dumps({"id": doc_id, "text": text, "answer": to_answer(gold)}, ensure_ascii=False)
        for doc_id, text, gold in rows
        if doc_id not in skip
    ]
    body = "\n".join(lines) + "\n"
    digest = hashlib.sha256(body.encode()).hexdigest()[:12]
    path = inputs_dir(dataset) / f"labelled-{digest}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(path)
    return path, len(lines)


def _first(gold: Gold, key: str) -> str | None:
    found = gold.get(key) or []
    return found[0] if found else None


def _spaced(value: str | None) -> str | None:
    return value.replace("_", " ") if value else None


def receipt_answer(gold: Gold) -> dict[str, Any]:
    """SROIE key -> Receipt answer: the four printed strings as they are."""
    return {k: _first(gold, k) for k in ("company", "date", "address", "total")}


def nda_answer(gold: Gold) -> dict[str, Any]:
    """Kleister NDA gold -> NDA answer: `_` back to spaces, "3_years" -> "3 years"."""
    return {
        "parties": [v.replace("_", " ") for v in gold.get("party", [])],
        "effective_date": _first(gold, "effective_date"),
        "jurisdiction": _spaced(_first(gold, "jurisdiction")),
        "term": _spaced(_first(gold, "term")),
    }


def charity_answer(gold: Gold) -> dict[str, Any]:
    """Kleister Charity gold -> CharityReport answer: our field names, `_` back to spaces."""
    return {ours: _spaced(_first(gold, theirs)) for ours, theirs in CHARITY_NAMES.items()}


def contract_answer(gold: Gold) -> dict[str, Any]:
    """CUAD gold -> Contract answer: the parties as a list, every other field its first value."""
    return {f: list(gold.get(f, [])) if f == "parties" else _first(gold, f) for f in CUAD_FIELDS}
