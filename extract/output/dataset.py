"""Outputs for big runs: a Parquet dataset, one folder per table, written in parts.

    out/documents/part-000000.parquet     one row per document
    out/line_items/part-000000.parquet    one folder per child table
    out/evidence/part-000000.parquet      every value with its quote (unless --evidence off)
    out/texts/part-000000.jsonl.gz        each document's text, which the quotes point into
                                          (the single file's <stem>.texts.jsonl.gz, in parts)

Each part holds one partition of the input (the Dask engine's workers write
their own), named by the partition's number, so a task that runs again
overwrites its own part and nothing is duplicated. Every part of a table has
the same Arrow schema (taken from the extraction schema, not the data), so
`pandas.read_parquet("out/documents")` and `dask.dataframe.read_parquet` read
the folder as one table. The root may be local or any fsspec URL (s3://...).
"""

from __future__ import annotations

import glob
import gzip
import io
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from extract.output.results import DocumentResult
from extract.output.tables import Tables, _non_null
from extract.output.texts import DocText, parse_texts, texts_bytes

DOCUMENTS = "documents"
EVIDENCE = "evidence"  # the evidence table: every value with its quote and place
TEXTS = "texts"  # not a table: the documents' texts (`extract.output.texts`), for review
_SCALARS = {"string": pa.string(), "number": pa.float64(), "integer": pa.int64()}
_SCALARS["boolean"] = pa.bool_()
TEXTS_SUFFIX = ".jsonl.gz"


def dataset_root(out: str | Path | None) -> str | None:
    """The dataset root when `out` names one (a trailing slash or an existing folder)."""
    if out is None:
        return None
    text = str(out)
    if text.endswith("/") or ("://" not in text and Path(text).is_dir()):
        return text.rstrip("/")
    return None


def default_audit_path(out: str | Path) -> Path | None:
    """<out>.audit.jsonl beside a table; in a local dataset's folder; none on a remote store."""
    root = dataset_root(out)
    if root is None:
        return Path(out).with_name(f"{Path(out).stem}.audit.jsonl")
    return None if "://" in root else Path(root) / "audit.jsonl"


def part_name(index: int, suffix: str = ".parquet") -> str:
    return f"part-{index:06d}{suffix}"


def clear(root: str, tables: list[str]) -> None:
    """Remove the parts (and texts) a previous run left, before this run writes its own."""
    fs, base = _fs(root)
    fs.invalidate_cache()
    for name in [*tables, TEXTS]:
        for path in fs.glob(f"{base}/{name}/part-*"):
            fs.rm(path)


def write_parts(
    tables: Tables,
    root: str,
    index: int,
    schema: dict[str, Any],
    results: list[DocumentResult] | None = None,
) -> list[str]:
    """Write partition `index` of each table, and of the texts of `results` if given;
    return the paths written."""
    fs, base = _fs(root)
    written = []
    frames = {DOCUMENTS: tables.documents, **tables.children}
    if tables.evidence is not None:
        frames[EVIDENCE] = tables.evidence
    for name, frame in frames.items():
        arrow = pa.Table.from_pandas(
            frame, schema=arrow_schema(frame, _list_items(schema, name)), preserve_index=False
        )
        buffer = io.BytesIO()
        pq.write_table(arrow, buffer)
        path = f"{base}/{name}/{part_name(index)}"
        _put(fs, path, buffer.getvalue())
        written.append(f"{root}/{name}/{part_name(index)}")
    if results is not None:
        texts = part_name(index, TEXTS_SUFFIX)
        _put(fs, f"{base}/{TEXTS}/{texts}", texts_bytes(results))
        written.append(f"{root}/{TEXTS}/{texts}")
    return written


def table_names(tables: Tables) -> list[str]:
    return [DOCUMENTS, *tables.children, *([EVIDENCE] if tables.evidence is not None else [])]


def read_dataset(root: str) -> Tables:
    """The dataset read back as `Tables`, parts in order."""
    fs, base = _fs(root)
    fs.invalidate_cache()  # others (the workers) wrote the parts: list afresh
    names = sorted(p.rsplit("/", 1)[-1] for p in fs.ls(base, detail=False) if fs.isdir(p))
    names = [n for n in names if n != TEXTS]
    frames = {}
    for name in names:
        parts = sorted(fs.glob(f"{base}/{name}/part-*.parquet"))
        read = [pq.read_table(fs.open(p, "rb")).to_pandas() for p in parts]
        frames[name] = pd.concat(read, ignore_index=True) if read else pd.DataFrame()
    documents = frames.pop(DOCUMENTS, pd.DataFrame())
    evidence = frames.pop(EVIDENCE, None)
    return Tables(documents=documents, children=frames, evidence=evidence)


def read_dataset_texts(root: str) -> dict[str, DocText]:
    """The documents' texts by `doc_id`, from every part (none: an older dataset)."""
    fs, base = _fs(root)
    fs.invalidate_cache()
    texts: dict[str, DocText] = {}
    for path in sorted(fs.glob(f"{base}/{TEXTS}/part-*{TEXTS_SUFFIX}")):
        with fs.open(path, "rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
            texts.update(parse_texts(lines))
    return texts


def arrow_schema(frame: pd.DataFrame, list_items: dict[str, pa.DataType]) -> pa.Schema:
    """The frame's Arrow schema, with columns that are empty in this part typed anyway."""
    fields = []
    for column in frame.columns:
        dtype = frame[column].dtype
        if column in list_items:
            kind = list_items[column]
        elif pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            kind = pa.string()
        else:
            kind = pa.from_numpy_dtype(getattr(dtype, "numpy_dtype", dtype))
        fields.append(pa.field(column, kind))
    return pa.schema(fields)


def _list_items(schema: dict[str, Any], table: str) -> dict[str, pa.DataType]:
    """List-of-scalar columns and their Arrow types; other lists are JSON text (string)."""
    props = schema.get("properties", {})
    if table != DOCUMENTS:
        props = _non_null(_non_null(props.get(table, {})).get("items", {})).get("properties", {})
    found: dict[str, pa.DataType] = {}
    _walk(props, "", found)
    return found


def _walk(props: dict[str, Any], prefix: str, found: dict[str, pa.DataType]) -> None:
    for name, prop in props.items():
        prop = _non_null(prop)
        key = f"{prefix}.{name}" if prefix else name
        kind = prop.get("type")
        if kind == "object" and "properties" in prop:
            _walk(prop["properties"], key, found)
        elif kind == "array":
            item = _non_null(prop.get("items", {})).get("type")
            item = next((k for k in item if k != "null"), None) if isinstance(item, list) else item
            found[key] = pa.list_(_SCALARS[item]) if item in _SCALARS else pa.string()


class _LocalFS:
    """The few file-system calls used here, for local paths (no fsspec needed)."""

    protocol = "local"

    def invalidate_cache(self) -> None:
        """Nothing cached for local folders."""

    def glob(self, pattern: str) -> list[str]:
        return sorted(glob.glob(pattern))

    def rm(self, path: str) -> None:
        os.remove(path)

    def ls(self, path: str, detail: bool = False) -> list[str]:
        return [str(p) for p in Path(path).iterdir()] if Path(path).is_dir() else []

    def isdir(self, path: str) -> bool:
        return os.path.isdir(path)

    def open(self, path: str, mode: str = "rb"):
        return open(path, mode)


def _fs(root: str) -> tuple[Any, str]:
    if "://" in root:
        import fsspec

        return fsspec.core.url_to_fs(root)
    return _LocalFS(), str(Path(root).absolute())


def _put(fs: Any, path: str, data: bytes) -> None:
    """Whole or not at all: a local file by rename, an object store by a single PUT."""
    if isinstance(fs, _LocalFS):
        folder = Path(path).parent
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".part-", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    else:
        fs.pipe_file(path, data)
