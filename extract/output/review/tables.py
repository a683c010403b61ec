"""Finding and reading the files a run wrote beside its main table.

Names follow the evidence contract: child tables `<stem>.<field><ext>`, the
evidence table `<stem>.evidence<ext>`, the texts `<stem>.texts.jsonl.gz`, and
the corrected copies `<stem>.corrected<ext>`; no list field may take those names.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from extract.errors import ConfigError
from extract.output.writers import RESERVED_NAMES, evidence_path

__all__ = ["child_tables", "evidence_path", "read_table"]  # and the cell helpers below

TRUST_COLUMNS = ("grounded", "ungrounded", "corrected_fields")
FORMATS = (".parquet", ".csv")
# Columns read from CSV as text whatever they look like (a doc_id can be all digits).
TEXT_COLUMNS = frozenset(
    {"doc_id", "source", "status", "error", "model", "conflicts", "ungrounded", "chunk"}
    | {"field", "table", "column", "value", "quote", "match", "bbox", "bbox_unit"}
    | {"corrected_fields"}
)


def read_table(path: Path) -> pd.DataFrame:
    """A table written by extract, Parquet or CSV (CSV cells keep their text: '007' stays)."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"not a table extract writes (.parquet or .csv): {path}")
    try:
        if suffix == ".parquet":
            return pd.read_parquet(path)
        return _csv_typed(pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""]))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc


def child_tables(out: Path) -> dict[str, pd.DataFrame]:
    """The child tables beside `out`, by list field name, in name order."""
    found = {}
    for path in sorted(out.parent.glob(f"{out.stem}.*{out.suffix}")):
        name = path.name[len(out.stem) + 1 : -len(out.suffix)]
        if not name or "." in name or name in RESERVED_NAMES:
            continue
        frame = read_table(path)
        if {"doc_id", "item"} <= set(frame.columns):
            found[name] = frame
    return found


def _csv_typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Numbers back as numbers where a whole column is numeric; everything else as text."""
    for column in frame.columns:
        if column in TEXT_COLUMNS:
            continue
        values = frame[column].dropna()
        if values.empty:
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        if numbers.notna().all() and not values.str.match(r"^0\d").any():
            frame[column] = pd.to_numeric(frame[column])
        elif values.isin(["True", "False", "true", "false"]).all():
            frame[column] = frame[column].map(
                lambda v: None if pd.isna(v) else str(v).lower() == "true"
            )
    return frame


# --- cells as JSON-ready Python ----------------------------------------------------


def group(frame: pd.DataFrame, key: str) -> dict[str, list[dict[str, Any]]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for record in records(frame):
        groups.setdefault(str(record[key]), []).append(record)
    return groups


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts; column by column, several times faster than to_dict on Arrow strings."""
    columns = list(frame.columns)
    values = [frame[c].tolist() for c in columns]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]


def plain(value: Any) -> Any:
    """A table cell as JSON-ready Python: NA -> None, numpy scalars -> int/float/bool."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "tolist") and not isinstance(value, str):
        value = value.tolist()  # numpy scalars and arrays (Parquet list cells)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return value


def list_cell(value: Any) -> Any:
    """A list column's cell as a list (CSV writes lists as JSON arrays)."""
    value = plain(value)
    if isinstance(value, str) and value.startswith("[") and value.endswith("]"):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if isinstance(parsed, list) and all(not isinstance(x, dict | list) for x in parsed):
            return parsed
    return value


def json_list(value: Any) -> list[Any]:
    value = plain(value)
    if isinstance(value, list):
        return value
    if isinstance(value, str) and value:
        try:
            parsed = json.loads(value)
        except ValueError:
            return []
        return parsed if isinstance(parsed, list) else []
    return []
