"""Turning document results into pandas tables: one main table, one child table per list.

The main table has exactly one row per input document, in input order, with
fixed columns first, then the schema's fields (nested objects flattened with
dotted names). Each top-level list of objects becomes a child table keyed by
`doc_id` and `item`. Columns and dtypes come from the schema, not the data, so
a run where everything failed still has the same table shape.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from extract.ingest.readable import readable_text
from extract.output.merge import conflicts_json
from extract.output.results import DocumentResult

BASE_COLUMNS = (
    "doc_id",
    "source",
    "status",
    "error",
    "pages",
    "text_source",
    "scanned_pages",
    "n_chunks",
    "model",
    "prompt_tokens",
    "completion_tokens",
    "cost_usd",
    "image_tokens",
    "requests",
    "retries",
    "conflicts",
    "checks",
    "grounded",
    "ungrounded",
    "notes",
)
EVIDENCE_COLUMNS = {  # the evidence table's columns and dtypes (see README, "Evidence")
    "doc_id": "string",
    "field": "string",
    "table": "string",
    "item": "Int64",
    "column": "string",
    "value": "string",
    "quote": "string",
    "page": "Int64",
    "char_start": "Int64",
    "char_end": "Int64",
    "chunk": "string",
    "match": "string",
    "confidence": "Float64",
    "bbox": "string",
    "bbox_unit": "string",
    "in_table": "boolean",
}
CHILD_BASE_COLUMNS = ("doc_id", "item", "source", "chunk", "page_start", "page_end")
_DTYPES = {"number": "Float64", "integer": "Int64", "boolean": "boolean", "string": "string"}


@dataclass
class Tables:
    """The tables of a run; `children` maps a list field's name to its table."""

    documents: pd.DataFrame
    children: dict[str, pd.DataFrame] = field(default_factory=dict)
    evidence: pd.DataFrame | None = None  # None when the run had evidence off


@dataclass(frozen=True)
class Layout:
    """Which columns a schema gives: scalar columns (dotted) and child tables."""

    columns: dict[str, str]  # dotted name -> JSON type ("string", "number", "list", ...)
    children: dict[str, dict[str, str]]  # list field -> its item columns

    @classmethod
    def of(cls, schema: dict[str, Any]) -> Layout:
        columns: dict[str, str] = {}
        children: dict[str, dict[str, str]] = {}
        for name, prop in schema.get("properties", {}).items():
            prop = _non_null(prop)
            if (
                prop.get("type") == "array"
                and _non_null(prop.get("items", {})).get("type") == "object"
            ):
                item_cols: dict[str, str] = {}
                _flatten_types(_non_null(prop["items"]), "", item_cols)
                children[name] = item_cols
            else:
                _flatten_types(prop, name, columns)
        return cls(columns, children)


def build_tables(
    results: list[DocumentResult],
    schema: dict[str, Any],
    model: str,
    *,
    evidence: bool = True,
) -> Tables:
    layout = Layout.of(schema)
    rows = [_main_row(r, layout, model) for r in results]
    documents = pd.DataFrame(rows, columns=[*BASE_COLUMNS, *layout.columns])
    documents = _typed(
        documents,
        {
            "pages": "integer",
            "n_chunks": "integer",
            **dict.fromkeys(("text_source", "scanned_pages", "notes"), "string"),
            **layout.columns,
        },
    )
    documents = documents.astype(
        {
            "prompt_tokens": "Int64",
            "completion_tokens": "Int64",
            "requests": "Int64",
            "retries": "Int64",
            "image_tokens": "Int64",
            "cost_usd": "Float64",
            "grounded": "Float64",
        }
    )
    children = {}
    for name, item_cols in layout.children.items():
        child_rows = [row for r in results for row in _child_rows(r, name, item_cols)]
        frame = pd.DataFrame(child_rows, columns=[*CHILD_BASE_COLUMNS, *item_cols])
        children[name] = _typed(
            frame, {"item": "integer", "page_start": "integer", "page_end": "integer", **item_cols}
        )
    return Tables(
        documents=documents,
        children=children,
        evidence=evidence_table(results) if evidence else None,
    )


def evidence_table(results: list[DocumentResult]) -> pd.DataFrame:
    """One row per value of every document (each `doc_id` once), typed as `EVIDENCE_COLUMNS`."""
    seen: set[str | None] = set()
    rows = []
    for r in results:
        if r.evidence is None or r.doc_id in seen:
            continue
        seen.add(r.doc_id)
        rows.extend(asdict(row) for row in r.evidence.rows)
    frame = pd.DataFrame(rows, columns=list(EVIDENCE_COLUMNS))
    return frame.astype(EVIDENCE_COLUMNS)


def _main_row(r: DocumentResult, layout: Layout, model: str) -> dict[str, Any]:
    cost = r.usage.cost_usd  # priced per answer, as the model that gave it
    row: dict[str, Any] = {
        "doc_id": r.doc_id,
        "source": r.source,
        "status": r.status,
        "error": r.error,
        "pages": r.pages,
        "text_source": r.text_source,
        "scanned_pages": r.scanned_pages,
        "n_chunks": r.n_chunks,
        "model": ", ".join(r.models) if r.models else model,
        "prompt_tokens": r.usage.prompt_tokens,
        "completion_tokens": r.usage.completion_tokens,
        "cost_usd": cost,
        "image_tokens": r.image_tokens,
        "requests": r.usage.requests,
        "retries": r.usage.retries,
        "conflicts": conflicts_json(r.conflicts),
        "checks": _checks_json(r.checks),
        "grounded": r.evidence.grounded if r.evidence else None,
        "ungrounded": (
            json.dumps(r.evidence.ungrounded, ensure_ascii=False)
            if r.evidence and r.evidence.grounded is not None
            else None
        ),
        "notes": "; ".join(r.notes) or None,
    }
    flat: dict[str, Any] = {}
    _flatten_values(r.data or {}, "", flat)
    for column in layout.columns:
        row[column] = flat.get(column)
    return _storable(row)


def _child_rows(r: DocumentResult, name: str, item_cols: dict[str, str]) -> list[dict[str, Any]]:
    items = (r.data or {}).get(name) or []
    origins = r.origins.get(name, [])
    rows = []
    for i, item in enumerate(items):
        label = origins[i] if i < len(origins) else None
        chunk = r.chunks.get(label) if label else None
        flat: dict[str, Any] = {}
        _flatten_values(item if isinstance(item, dict) else {"value": item}, "", flat)
        rows.append(
            {
                "doc_id": r.doc_id,
                "item": i,
                "source": r.source,
                "chunk": label,
                "page_start": chunk.page_start if chunk else None,
                "page_end": chunk.page_end if chunk else None,
                **{c: flat.get(c) for c in item_cols},
            }
        )
    return [_storable(row) for row in rows]


def _storable(row: dict[str, Any]) -> dict[str, Any]:
    """Every text cell as valid UTF-8 (a file name with undecodable bytes included)."""
    return {k: readable_text(v) if isinstance(v, str) else v for k, v in row.items()}


def _non_null(prop: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of a nullable `anyOf`, or the property itself."""
    options = [p for p in prop.get("anyOf", []) if p.get("type") != "null"]
    if len(options) == 1:
        return options[0]
    return prop


def _flatten_types(prop: dict[str, Any], prefix: str, out: dict[str, str]) -> None:
    kind = prop.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if kind == "object" and "properties" in prop:
        for name, sub in prop["properties"].items():
            _flatten_types(_non_null(sub), f"{prefix}.{name}" if prefix else name, out)
    elif kind == "array":
        out[prefix] = "list"
    elif kind in _DTYPES:
        out[prefix] = kind
    else:
        out[prefix] = "string"


def _flatten_values(value: dict[str, Any], prefix: str, out: dict[str, Any]) -> None:
    for name, sub in value.items():
        key = f"{prefix}.{name}" if prefix else name
        if isinstance(sub, dict):
            _flatten_values(sub, key, out)
        elif isinstance(sub, list) and any(isinstance(v, (dict, list)) for v in sub):
            out[key] = json.dumps(sub, ensure_ascii=False)
        else:
            out[key] = sub


def _typed(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    dtypes = {c: _DTYPES[k] for c, k in kinds.items() if k in _DTYPES and c in frame}
    return frame.astype(dtypes)


def _checks_json(checks: dict[str, str]) -> str | None:
    if not checks:
        return None
    return json.dumps(
        [{"rule": rule, "problem": problem} for rule, problem in checks.items()],
        ensure_ascii=False,
    )
