"""Writing tables to CSV or Parquet, atomically.

The format follows the output file's extension. Child tables go beside the
main one as `<stem>.<field><ext>`, the evidence table as `<stem>.evidence<ext>`. Each file is written to a temporary name in
the same folder and renamed, so a crash never leaves a half-written table.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd

from extract.errors import ConfigError
from extract.output.tables import Tables

FORMATS = (".parquet", ".csv")


def check_output_path(out: Path) -> None:
    """Fail before any work if the output cannot be written."""
    if out.suffix.lower() not in FORMATS:
        raise ConfigError(f"--out must end in .parquet or .csv, got {out.name!r}")
    if out.exists() and out.is_dir():
        raise ConfigError(f"--out is a folder: {out}")


# Files of their own beside --out: the evidence, the texts, apply-corrections' copies.
RESERVED_NAMES = frozenset({"evidence", "texts", "corrected"})


def child_path(out: Path, field: str) -> Path:
    return out.with_name(f"{out.stem}.{field}{out.suffix}")


def evidence_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.evidence{out.suffix}")


def check_child_names(names: list[str]) -> None:
    """A child table may not take the file name of the evidence, the texts or corrected tables."""
    taken = sorted(RESERVED_NAMES.intersection(names))
    if taken:
        raise ConfigError(
            f"list field {taken[0]!r} would be written over <stem>.{taken[0]}.*: rename the field"
        )


def write_tables(tables: Tables, out: Path) -> list[Path]:
    """Write the main and child tables; return the paths written."""
    check_output_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    written = [out]
    _write_frame(tables.documents, out)
    for name, frame in tables.children.items():
        path = child_path(out, name)
        _write_frame(frame, path)
        written.append(path)
    if tables.evidence is not None:
        _write_frame(tables.evidence, evidence_path(out))
        written.append(evidence_path(out))
    else:  # evidence off: an evidence table from an earlier run would no longer match
        evidence_path(out).unlink(missing_ok=True)
    return written


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write one table, atomically, in the format its extension names."""
    _write_frame(frame, path)


def _write_frame(frame: pd.DataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            _csv_ready(frame).to_csv(tmp, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists become JSON arrays in CSV, not Python reprs."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].map(lambda v: isinstance(v, list)).any():
            out[column] = out[column].map(
                lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
            )
    return out
