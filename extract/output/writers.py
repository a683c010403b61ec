"""Writing tables to CSV or Parquet, atomically.

The format follows the output file's extension. Child tables go beside the
main one as `<stem>.<field><ext>`, the evidence table as `<stem>.evidence<ext>`.
Each file is written to a temporary name in the same folder and renamed, so a
crash never leaves a half-written table.
CSV cells that a spreadsheet would run as a formula are written as text.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import glob
import json
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extract.errors import ConfigError, OutputError
from extract.output.tables import CHILD_BASE_COLUMNS, Tables

FORMATS = (".parquet", ".csv")


def check_output_path(out: Path, children: Iterable[str] = ()) -> None:
    """Fail before any request if the tables cannot be written where `out` says.

    The folder is created if missing and a file is created in it and removed, so
    a read-only folder, a parent that is a file or a table name that is a folder
    are found now, not after a paid run.
    """
    if out.suffix.lower() not in FORMATS:
        raise ConfigError(f"--out must end in .parquet or .csv, got {out.name!r}")
    for path in output_files(out, children):
        if path.is_dir():
            raise ConfigError(f"--out: {path} is a folder, not a file")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".check", dir=out.parent)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise ConfigError(f"--out: cannot write in {out.parent}: {exc.strerror or exc}") from None


# Files of their own beside --out: the evidence, the texts, apply-corrections' copies.
RESERVED_NAMES = frozenset({"evidence", "texts", "corrected"})


def child_path(out: Path, field: str) -> Path:
    return out.with_name(f"{out.stem}.{field}{out.suffix}")


def evidence_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.evidence{out.suffix}")


def check_child_names(names: list[str], *, dataset: bool = False) -> None:
    """A child table may not take the file name of the evidence, the texts or corrected tables;
    in a dataset (`--out DIR/`) not the main table's folder either."""
    taken = sorted(RESERVED_NAMES.intersection(names))
    if taken:
        raise ConfigError(
            f"list field {taken[0]!r} would be written over <stem>.{taken[0]}.*: rename the field"
        )
    if dataset and "documents" in names:
        raise ConfigError(
            "list field 'documents' would be written over DIR/documents/, the main table: "
            "rename the field"
        )


def output_files(out: Path, children: Iterable[str]) -> list[Path]:
    """The tables a run writes to `out`: main, children, evidence."""
    return [out, *(child_path(out, name) for name in children), evidence_path(out)]


def write_tables(tables: Tables, out: Path) -> list[Path]:
    """Write the main, child and evidence tables; return the paths written.

    A failure is an `OutputError` saying what could not be written (never a bare
    OSError at the end of a paid run); the answers are in the cache.
    """
    try:
        return _write_all(tables, out)
    except ConfigError as exc:
        raise OutputError(f"cannot write the tables: {exc}") from None
    except OSError as exc:
        raise OutputError(f"cannot write the tables to {out}: {exc.strerror or exc}") from exc


def _write_all(tables: Tables, out: Path) -> list[Path]:
    """Write the main, child and evidence tables; return the paths written.

    All tables go to temporary files first; only when every one is written are
    they renamed into place, one right after another, so a failure leaves the
    previous run's tables as they were. Child tables left by an older run (a
    list field the schema no longer has) are then removed: no table in the
    folder is older than the main one it belongs to.
    """
    check_output_path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    frames = {out: tables.documents}
    for name, frame in tables.children.items():
        frames[child_path(out, name)] = frame
    if tables.evidence is not None:
        frames[evidence_path(out)] = tables.evidence
    for path in frames:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "a folder is where a table goes", str(path))
    mode = usual_file_mode()
    staged: dict[Path, Path] = {}
    try:
        for path, frame in frames.items():
            staged[path] = _write_temp(frame, path, mode)
        _replace_all(staged)
    finally:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
    if tables.evidence is None:  # evidence off: one from an earlier run would no longer match
        evidence_path(out).unlink(missing_ok=True)
    for stale in _stale_children(out, set(frames)):
        stale.unlink(missing_ok=True)
    return list(frames)


def write_frame(frame: pd.DataFrame, path: Path) -> None:
    """Write one table, atomically, in the format its extension names."""
    tmp = _write_temp(frame, path, usual_file_mode())
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _replace_all(staged: dict[Path, Path]) -> None:
    """Rename each temporary file over its table; if one rename fails, put back the
    tables already replaced (kept meanwhile as hard links), so no mix is left."""
    backups: dict[Path, Path] = {}
    replaced: list[Path] = []
    try:
        for path in staged:
            if path.is_file():
                backup = path.with_name(f".{path.name}.{os.getpid()}.previous")
                with contextlib.suppress(OSError):  # no hard links here: no way back either
                    backup.unlink(missing_ok=True)
                    os.link(path, backup)
                    backups[path] = backup
        for path, tmp in staged.items():
            os.replace(tmp, path)
            replaced.append(path)
    except BaseException:
        for path in replaced:
            if path in backups:
                os.replace(backups.pop(path), path)
            else:
                path.unlink(missing_ok=True)
        raise
    finally:
        for backup in backups.values():
            backup.unlink(missing_ok=True)


def _write_temp(frame: pd.DataFrame, path: Path, mode: int) -> Path:
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        os.chmod(tmp, mode)  # mkstemp makes it private; a table gets the user's usual mode
        if path.suffix.lower() == ".parquet":
            frame.to_parquet(tmp, index=False)
        else:
            _csv_ready(frame).to_csv(tmp, index=False)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def usual_file_mode() -> int:
    """The mode a new file gets under the user's umask (0o644 under the usual 022)."""
    with _umask_lock:  # reading the umask means setting it: no other thread in between
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


_umask_lock = threading.Lock()


def _stale_children(out: Path, current: set[Path]) -> list[Path]:
    """Child tables of an older run beside `out`: `<stem>.<field><ext>` files whose
    first columns are a child table's own (a user's file of that name is kept)."""
    stale = []
    prefix = f"{out.stem}."
    for path in out.parent.glob(f"{glob.escape(out.stem)}.*{out.suffix}"):
        field = path.name[len(prefix) : -len(out.suffix)]
        if path in current or field in RESERVED_NAMES or not field.isidentifier():
            continue
        if not path.is_file():
            continue
        if _columns(path)[: len(CHILD_BASE_COLUMNS)] == list(CHILD_BASE_COLUMNS):
            stale.append(path)
    return stale


def _columns(path: Path) -> list[str]:
    try:
        if path.suffix.lower() == ".parquet":
            return list(pq.read_schema(path).names)
        with path.open(newline="", encoding="utf-8") as f:
            return next(csv.reader(f), [])
    except (OSError, ValueError, UnicodeDecodeError, pa.ArrowException, csv.Error):
        return []


# A spreadsheet runs a cell starting with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Lists become JSON arrays in CSV, not Python reprs; text that a spreadsheet would
    run as a formula gets a leading apostrophe (shown as text, never evaluated)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object and out[column].map(lambda v: isinstance(v, list)).any():
            out[column] = out[column].map(
                lambda v: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v
            )
        if out[column].dtype == object or isinstance(out[column].dtype, pd.StringDtype):
            out[column] = out[column].map(_no_formula, na_action="ignore")
    return out


def _no_formula(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
