"""Applying a reviewer's corrections (`doc_id, field, value, corrected`) to a run's tables.

The review page downloads one CSV row per value a person marked wrong
(`corrected` empty) or retyped. Corrected tables are written beside the
originals as `<stem>.corrected<ext>` (children `<stem>.corrected.<field><ext>`,
the usual naming), and the originals are left as they are. A row whose
`value` no longer matches the table (the run was redone since the review) is
skipped and reported, never applied blindly.

Fields are paths as in the evidence table: `total`, `vendor.name`,
`parties[1]` (an item of a list column), `line_items[3].amount` (a child cell).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from extract.errors import ConfigError

CORRECTION_COLUMNS = ("doc_id", "field", "value", "corrected")
_CHILD = re.compile(r"^(?P<table>[^.\[\]]+)\[(?P<item>\d+)\]\.(?P<column>.+)$")
_ITEM = re.compile(r"^(?P<column>[^\[\]]+)\[(?P<item>\d+)\]$")
_TRUE, _FALSE = {"true", "yes", "y", "1"}, {"false", "no", "n", "0"}


@dataclass
class Applied:
    """What apply_corrections did: files written, rows applied, rows skipped and why."""

    written: list[Path] = field(default_factory=list)
    applied: int = 0
    skipped: list[str] = field(default_factory=list)


def corrected_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.corrected{out.suffix}")


def apply_corrections(out: Path, corrections: Path) -> Applied:
    """Write corrected copies of the tables of the run whose main table is `out`."""
    from extract.output.review.tables import child_tables  # same finder as the review page
    from extract.output.writers import child_path, write_frame

    if out.is_dir():
        raise ConfigError(
            f"{out} is a dataset folder: apply-corrections writes corrected copies of table "
            "files (--out run.parquet or run.csv)"
        )
    if not out.is_file():
        raise ConfigError(f"no table at {out}: give the path that was passed to --out")
    rows = read_corrections(corrections)
    main = _read(out)
    children = {name: _read(_child_file(out, name)) for name in child_tables(out)}
    result = Applied()
    changed: dict[str, list[str]] = {}
    for n, row in _in_order(rows):
        try:
            _apply_one(row, main, children)
        except _Skip as why:
            result.skipped.append(f"line {n} ({row['doc_id']}, {row['field']}): {why}")
            continue
        result.applied += 1
        changed.setdefault(row["doc_id"], []).append(row["field"])
    main["corrected_fields"] = [
        json.dumps(changed[d], ensure_ascii=False) if d in changed else None
        for d in main["doc_id"].astype(str)
    ]
    target = corrected_path(out)
    write_frame(main, target)
    result.written.append(target)
    for name, frame in children.items():
        path = child_path(target, name)
        write_frame(frame, path)
        result.written.append(path)
    return result


def read_corrections(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        raise ConfigError(f"no corrections file at {path}")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    missing = [c for c in CORRECTION_COLUMNS if c not in frame.columns]
    if missing:
        raise ConfigError(
            f"{path}: needs the columns {', '.join(CORRECTION_COLUMNS)}; missing {', '.join(missing)}"
        )
    return frame[list(CORRECTION_COLUMNS)].to_dict("records")


class _Skip(Exception):
    """A correction that cannot be applied; the message says why."""


def _apply_one(row: dict[str, str], main: pd.DataFrame, children: dict[str, pd.DataFrame]) -> None:
    doc_id, path = row["doc_id"], row["field"]
    if (child := _CHILD.match(path)) and child["table"] in children:
        frame = children[child["table"]]
        where = (frame["doc_id"].astype(str) == doc_id) & (
            frame["item"].astype(str) == child["item"]
        )
        column, item = child["column"], None
    else:
        frame = main
        where = frame["doc_id"].astype(str) == doc_id
        column, item = path, None
        if (listed := _ITEM.match(path)) and listed["column"] in frame.columns:
            column, item = listed["column"], int(listed["item"])
    if not where.any():
        raise _Skip("no such document" if frame is main else "no such child row")
    if column not in frame.columns:
        raise _Skip(f"no column {column!r}")
    for at in where[where].index:  # identical files share a doc_id: each row is corrected
        _apply_at(frame, at, column, item, row)


def _apply_at(
    frame: pd.DataFrame, at: Any, column: str, item: int | None, row: dict[str, str]
) -> None:
    current = frame.at[at, column]
    if item is not None:
        items = _as_list(current)
        if item >= len(items):
            raise _Skip(f"the list has no item {item}")
        if not _same(items[item], row["value"]):
            raise _Skip(f"the table holds {items[item]!r}, not {row['value']!r}")
        if row["corrected"] == "":
            del items[item]  # deletions run last, highest index first: see _in_order
        else:
            items[item] = row["corrected"]
        frame.at[at, column] = _list_cell(items, current)
        return
    if _is_list_cell(current) or (_shown(current) == "" and _list_column(frame[column])):
        # a whole list column named: the reviewer saw it empty and typed one item
        items = _as_list(current)
        if items or row["value"].strip():
            raise _Skip(f"name one item of the list, e.g. {column}[0]")
        frame.at[at, column] = _list_cell([row["corrected"]] if row["corrected"] else [], current)
        return
    if not _same(current, row["value"]):
        raise _Skip(f"the table holds {_shown(current)!r}, not {row['value']!r}")
    frame.at[at, column] = _typed(row["corrected"], frame[column])


def _in_order(rows: list[dict[str, str]]) -> list[tuple[int, dict[str, str]]]:
    """(line, row) pairs, list-item removals last and from the highest index down, so the
    indexes the reviewer saw stay right while items are removed."""

    def key(pair: tuple[int, dict[str, str]]) -> tuple[int, int]:
        listed = _ITEM.match(pair[1]["field"])
        if listed and pair[1]["corrected"] == "":
            return (1, -int(listed["item"]))
        return (0, 0)

    return sorted(enumerate(rows, start=2), key=key)  # line 1 is the header


def _typed(text: str, column: pd.Series) -> Any:
    """The corrected text as the column's type; empty text empties the cell."""
    if text.strip() == "":
        return None
    kind = column.dtype
    try:
        if pd.api.types.is_bool_dtype(kind):
            low = text.strip().lower()
            if low not in _TRUE | _FALSE:
                raise ValueError(text)
            return low in _TRUE
        if pd.api.types.is_integer_dtype(kind):
            number = float(_number_text(text))
            if not number.is_integer():
                raise ValueError(text)
            return int(number)
        if pd.api.types.is_float_dtype(kind):
            return float(_number_text(text))
    except ValueError:
        raise _Skip(f"{text!r} is not a {kind} value") from None
    return text


def _number_text(text: str) -> str:
    return re.sub(r"[\s,]", "", text)


def _same(cell: Any, shown: str) -> bool:
    """Whether the table's cell is the value the reviewer saw (numbers by value)."""
    cell_text = _shown(cell)
    if cell_text.strip() == shown.strip():
        return True
    try:
        a, b = float(_number_text(cell_text)), float(_number_text(shown))
    except ValueError:
        return False
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _shown(cell: Any) -> str:
    if cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell)):
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    return str(cell)


def _is_list_cell(cell: Any) -> bool:
    if isinstance(cell, str):
        return cell.startswith("[") and isinstance(_json_or_none(cell), list)
    return hasattr(cell, "__len__") and not isinstance(cell, dict | bytes)


def _list_column(column: pd.Series) -> bool:
    return any(_is_list_cell(x) for x in column if _shown(x) != "")


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _as_list(cell: Any) -> list[Any]:
    if isinstance(cell, str):
        try:
            parsed = json.loads(cell)
        except ValueError:
            return [cell]
        return list(parsed) if isinstance(parsed, list) else [cell]
    if cell is None or cell is pd.NA or (isinstance(cell, float) and math.isnan(cell)):
        return []
    return list(cell)  # a Parquet list cell (numpy array or list)


def _list_cell(items: list[Any], like: Any) -> Any:
    """The list back in the form its table keeps lists: JSON text in CSV, a list in Parquet."""
    plain = [x.item() if hasattr(x, "item") else x for x in items]
    return json.dumps(plain, ensure_ascii=False) if isinstance(like, str) else plain


def _read(path: Path) -> pd.DataFrame:
    """A table as written, CSV cells kept as their text so unchanged cells round-trip."""
    if path.suffix.lower() == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    return pd.read_parquet(path)


def _child_file(out: Path, name: str) -> Path:
    return out.with_name(f"{out.stem}.{name}{out.suffix}")
