"""Finding and reading the files a run wrote beside its main table.

Names follow the evidence contract: child tables `<stem>.<field><ext>`, the
evidence table `<stem>.evidence<ext>`, the texts `<stem>.texts.jsonl.gz`, and
the corrected copies `<stem>.corrected<ext>`; no list field may take those names.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from extract.errors import ConfigError
from extract.output.writers import RESERVED_NAMES, evidence_path

__all__ = ["child_tables", "evidence_path", "read_table"]

TRUST_COLUMNS = ("grounded", "ungrounded", "corrected_fields")
FORMATS = (".parquet", ".csv")
# Columns read from CSV as text whatever they look like (a doc_id can be all digits).
TEXT_COLUMNS = frozenset(
    {"doc_id", "source", "status", "error", "model", "conflicts", "ungrounded", "chunk"}
    | {"field", "table", "column", "value", "quote", "match", "bbox", "corrected_fields"}
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
