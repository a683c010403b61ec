"""Gathering what the review page shows: tables, evidence and texts, as JSON-ready data.

Reads only the files a run writes beside `--out` (see the evidence contract):
the main table, its child tables, `<stem>.evidence<ext>` and
`<stem>.texts.jsonl.gz`; or a dataset folder's `documents/`, child tables,
`evidence/` and `texts/`. Evidence and texts may be missing (an older run,
`--evidence off`); the page then shows the values without quotes.

The browser indexes strings in UTF-16 units, the pipeline in code points, so
offsets are converted here, once per document, and the page can slice as is.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from extract.errors import ConfigError
from extract.ingest.documents import PAGE_SEPARATOR
from extract.output.dataset import read_dataset, read_dataset_texts
from extract.output.review.tables import (
    TRUST_COLUMNS,
    child_tables,
    evidence_path,
    group,
    json_list,
    list_cell,
    plain,
    read_table,
    records,
)
from extract.output.tables import BASE_COLUMNS
from extract.output.texts import DocText, read_texts, texts_path

SEPARATOR = PAGE_SEPARATOR  # between pages in the document text


@dataclass
class Gathered:
    """The page's data: a small index of every document, and one detail record each."""

    meta: dict[str, Any]
    index: list[dict[str, Any]]
    details: list[dict[str, Any]]
    sources: list[tuple[str, list[list[float]] | None]] = field(default_factory=list)


def gather(out: Path, *, low_confidence: float = 0.5) -> Gathered:
    """Everything the page shows about the run whose main table is `out`."""
    main, children, evidence, texts = _load(out)
    missing = {"doc_id", "source", "status"} - set(main.columns)
    if missing:
        raise ConfigError(f"{out} is not a main table of extract (no {', '.join(sorted(missing))})")
    fields = [c for c in main.columns if c not in BASE_COLUMNS and c not in TRUST_COLUMNS]
    ev_by_doc = group(evidence, "doc_id") if evidence is not None else {}
    kids_by_doc = {name: group(frame, "doc_id") for name, frame in children.items()}

    index, details, sources = [], [], []
    for row in records(main):
        row = {k: plain(v) for k, v in row.items()}
        doc_id = str(row["doc_id"]) if row["doc_id"] is not None else ""
        text = texts.get(doc_id)
        doc_ev = ev_by_doc.get(doc_id, [])
        detail = _detail(row, fields, kids_by_doc, children, doc_ev, text)
        index.append(_index_entry(row, fields, detail, evidence is not None))
        details.append(detail)
        sizes = [list(s) for s in text.page_sizes] if text and text.page_sizes else None
        sources.append((str(row["source"] or ""), sizes))
    meta = {
        "title": f"Review: {out.name}",
        "table": str(out),
        "key": _storage_key(out),
        "fields": fields,
        "children": list(children),
        "low_confidence": low_confidence,
        "has_evidence": evidence is not None,
        "has_texts": bool(texts),
        "page_separator": SEPARATOR,
    }
    return Gathered(meta=meta, index=index, details=details, sources=sources)


def _storage_key(out: Path) -> str:
    """Names the browser's saved corrections: a new run to the same path starts afresh."""
    stamp = f"{out.resolve()}:{out.stat().st_mtime_ns}"
    return hashlib.sha256(stamp.encode()).hexdigest()[:16]


def _load(
    out: Path,
) -> tuple[pd.DataFrame, dict[str, pd.DataFrame], pd.DataFrame | None, dict[str, DocText]]:
    """The main table, child tables, evidence and texts of a run: files beside `out`, or a
    Parquet dataset folder (`--out DIR/`: its texts in `texts/`)."""
    if out.is_dir():
        try:
            tables = read_dataset(str(out))
            texts = read_dataset_texts(str(out))
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the dataset {out}: {exc}") from exc
        return tables.documents, tables.children, tables.evidence, texts
    if not out.is_file():
        raise ConfigError(f"no table at {out}: give the path that was passed to --out")
    evidence = read_table(evidence_path(out)) if evidence_path(out).is_file() else None
    texts = read_texts(texts_path(out)) if texts_path(out).is_file() else {}
    return read_table(out), child_tables(out), evidence, texts


def _detail(
    row: dict[str, Any],
    fields: list[str],
    kids_by_doc: dict[str, dict[str, list[dict[str, Any]]]],
    children: dict[str, pd.DataFrame],
    doc_ev: list[dict[str, Any]],
    text: DocText | None,
) -> dict[str, Any]:
    doc_id = str(row["doc_id"])
    pages: list[str] = list(text.pages) if text else []
    to_js = _utf16_offsets(SEPARATOR.join(pages)) if pages else None
    by_field = {str(e["field"]): e for e in doc_ev}
    conflicts = json_list(row.get("conflicts"))
    values: list[dict[str, Any]] = []

    disputed: dict[str, list[dict[str, Any]]] = {}
    for c in conflicts:
        disputed.setdefault(str(c.get("field")), []).append(
            {"other": c.get("other"), "chunk": c.get("chunk")}
        )

    def add(path: str, value: Any) -> int:
        entry = _value(path, value, by_field.pop(path, None), to_js, text)
        if path in disputed:
            entry["conflict"] = disputed[path]
        values.append(entry)
        return len(values) - 1

    main_keys = []
    for name in fields:
        cell = list_cell(row.get(name))
        if isinstance(cell, list) and cell:
            main_keys += [add(f"{name}[{i}]", item) for i, item in enumerate(cell)]
        else:
            main_keys.append(add(name, None if isinstance(cell, list) else cell))
    kids = []
    for name, frame in children.items():
        cols = [c for c in frame.columns if c not in _CHILD_BASE]
        rows = sorted(kids_by_doc[name].get(doc_id, []), key=lambda r: plain(r["item"]) or 0)
        kid_rows = []
        for child in rows:
            item = plain(child["item"])
            cells = [add(f"{name}[{item}].{c}", plain(child[c])) for c in cols]
            kid_rows.append({"item": item, "cells": cells})
        kids.append({"name": name, "cols": cols, "rows": kid_rows})
    # Values the tables no longer hold (`--evidence require` emptied them) still get a row.
    for path, ev in by_field.items():
        if not ev.get("in_table", True):
            main_keys.append(add(path, None))
    return {
        "pages": pages or None,
        "values": values,
        "fields": main_keys,
        "children": kids,
        "conflicts": conflicts,
        "checks": json_list(row.get("checks")),  # cross-field rules the values still break
        "notes": plain(row.get("notes")) or None,  # what the run did to its values, in words
        "images": {},
    }


_CHILD_BASE = ("doc_id", "item", "source", "chunk", "page_start", "page_end")


def _value(
    path: str,
    value: Any,
    ev: dict[str, Any] | None,
    to_js: Sequence[int] | None,
    text: DocText | None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"f": path, "v": value}
    if ev is None:
        return entry
    entry["m"] = plain(ev.get("match"))
    if ev.get("in_table") is False:
        entry["gone"] = plain(ev.get("value"))
    start, end = plain(ev.get("char_start")), plain(ev.get("char_end"))
    if entry["m"] != "none" and isinstance(start, int) and isinstance(end, int):
        entry["q"] = plain(ev.get("quote"))
        entry["p"] = plain(ev.get("page"))
        entry["c"] = plain(ev.get("chunk"))
        if to_js is not None and 0 <= start <= end < len(to_js):
            entry["s"], entry["e"] = to_js[start], to_js[end]
    confidence = plain(ev.get("confidence"))
    if isinstance(confidence, float):
        entry["conf"] = round(confidence, 4)
    boxes = _boxes(plain(ev.get("bbox")), text.page_sizes if text else None)
    if boxes:
        entry["box"] = boxes
    return entry


def _boxes(raw: Any, sizes: Sequence[Sequence[float]] | None) -> list[list[float]]:
    """PDF-point rectangles as fractions of their page: [page, left, top, width, height]."""
    if not raw or not sizes:
        return []
    try:
        rects = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        return []
    out = []
    for page, x0, y0, x1, y1 in rects:
        if not 1 <= int(page) <= len(sizes) or not sizes[int(page) - 1]:
            continue
        w, h = sizes[int(page) - 1]
        out.append(
            [
                int(page),
                round(x0 / w, 5),
                round(y0 / h, 5),
                round((x1 - x0) / w, 5),
                round((y1 - y0) / h, 5),
            ]
        )
    return out


def _index_entry(
    row: dict[str, Any], fields: list[str], detail: dict[str, Any], has_evidence: bool
) -> dict[str, Any]:
    values = detail["values"]
    grounded = row.get("grounded")
    ungrounded = json_list(row.get("ungrounded"))
    if "grounded" not in row and has_evidence:  # a table from before the trust columns
        judged = [v for v in values if "m" in v]
        ungrounded = [v["f"] for v in judged if v["m"] == "none"]
        grounded = 1 - len(ungrounded) / len(judged) if judged else None
    fv = {}
    for name in fields:
        cell = list_cell(row.get(name))
        if isinstance(cell, list):
            cell = "; ".join(str(x) for x in cell) if cell else None
        if cell is not None and cell != "":
            fv[name] = cell if isinstance(cell, str) else json.dumps(cell)
    source = str(row.get("source") or "")
    return {
        "id": str(row.get("doc_id") or ""),
        "source": source,
        "name": Path(source).name or source,
        "status": row.get("status") or "error",
        "error": row.get("error"),
        "pages": row.get("pages"),
        "grounded": grounded,
        "ungrounded": ungrounded,
        "fv": fv,
        "checks": len(detail["checks"]),
    }


def _utf16_offsets(text: str) -> Sequence[int]:
    """For each code-point offset 0..len(text), the UTF-16 offset a browser uses."""
    if text.isascii() or max(text) <= "\uffff":
        return range(len(text) + 1)  # the same offsets, without a list per document
    out, at = [0], 0
    for ch in text:
        at += 2 if ord(ch) > 0xFFFF else 1
        out.append(at)
    return out
