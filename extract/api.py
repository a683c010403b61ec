"""The Python interface: extract a folder (tables back) or one document (a result back).

    from extract import extract_folder
    tables = extract_folder("sample_docs", schema="invoice", base_url=..., api_key=...)
    tables.documents          # one row per document
    tables.children["line_items"]

Nothing is written unless `out=` is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel

from extract.config import Config
from extract.ingest.documents import Document
from extract.llm.backends import Backend
from extract.llm.backends.registry import open_backend
from extract.llm.pricing import price_for
from extract.output.results import DocumentResult
from extract.output.tables import Layout, Tables, build_tables
from extract.output.texts import texts_path, write_texts
from extract.output.writers import (
    check_child_names,
    check_output_path,
    output_files,
    write_tables,
)
from extract.run.pool import Runner
from extract.run.services import RunServices
from extract.run.task import Task
from extract.schema_registry import load_schema

SchemaSpec = str | type[BaseModel]


@dataclass
class RunReport:
    """What a run produced and what it cost."""

    tables: Tables
    results: list[DocumentResult]
    backend: str
    model: str
    mode: str
    seconds: float
    cached_chunks: int = 0
    written: list[Path] = field(default_factory=list)

    @property
    def status_counts(self) -> dict[str, int]:
        return dict(Counter(r.status for r in self.results))

    @property
    def all_ok(self) -> bool:
        return all(r.status == "ok" for r in self.results)

    def summary(self) -> str:
        docs = self.tables.documents
        counts = ", ".join(f"{n} {s}" for s, n in sorted(self.status_counts.items())) or "none"
        child_rows = sum(len(t) for t in self.tables.children.values())
        cost = docs["cost_usd"].sum(min_count=1) if len(docs) else 0.0
        cost_text = "unknown" if pd.isna(cost) else f"${float(cost):.4f}"  # no price: pd.NA
        return (
            f"{len(docs)} documents ({counts}), {child_rows} child rows; "
            f"{int(docs['requests'].sum())} requests, {int(docs['retries'].sum())} retries, "
            f"{int(docs['prompt_tokens'].sum())} prompt + {int(docs['completion_tokens'].sum())} "
            f"completion tokens, cost {cost_text}; {self.cached_chunks} chunks answered from the cache (not sent again); "
            f"{self.seconds:.1f} s"
        )


def resolve_schema(schema: SchemaSpec) -> tuple[str, type[BaseModel]]:
    if isinstance(schema, str):
        return load_schema(schema)
    return schema.__name__, schema


def extract_paths(
    paths: Iterable[str | Path],
    schema: SchemaSpec,
    config: Config,
    *,
    out: Path | None = None,
    backend: Backend | None = None,
    progress: bool | None = None,
) -> RunReport:
    """Extract every document under `paths`; write tables to `out` if given."""
    if out is not None:
        check_output_path(out)
    task = build_task(schema, config)
    check_child_names(list(Layout.of(task.strict_schema).children))
    with _runner(task, config, backend, progress) as runner:
        results = runner.run([Path(p) for p in paths], skip=own_files(config, task, out))
        used = runner.services.backend
    tables = build_tables(
        results,
        task.strict_schema,
        used.model,
        price_for(used.name, used.model),
        evidence=config.evidence != "off",
    )
    report = RunReport(
        tables=tables,
        results=results,
        backend=used.name,
        model=used.model,
        mode=used.mode,
        seconds=runner.stats.seconds,
        cached_chunks=runner.stats.cached_chunks,
    )
    if out is not None:
        report.written = write_tables(tables, out)
        report.written.append(write_texts(results, texts_path(out)))
    return report


def own_files(config: Config, task: Task, out: Path | None) -> list[Path]:
    """What a run writes (tables, text sidecar, audit log, cache): never read back as
    documents, even when it lies in the input folder."""
    files: list[Path] = []
    if out is not None:
        files += output_files(out, Layout.of(task.strict_schema).children)
        files.append(texts_path(out))
    if config.audit_log is not None:
        files.append(config.audit_log)
    if config.cache:
        cache = config.resolved_cache_path
        files += [cache, *(cache.with_name(cache.name + s) for s in ("-wal", "-shm", "-journal"))]
    return files


def extract_folder(
    paths: str | Path | Iterable[str | Path],
    schema: SchemaSpec = "invoice",
    *,
    out: str | Path | None = None,
    config: Config | None = None,
    **settings: Any,
) -> Tables:
    """Extract a folder (or files and folders) into tables; settings as in `Config`."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    config = config or Config.resolve(**settings)
    report = extract_paths(paths, schema, config, out=Path(out) if out else None, progress=None)
    return report.tables


def extract_document(
    source: str | Path | Document,
    schema: SchemaSpec = "invoice",
    *,
    config: Config | None = None,
    backend: Backend | None = None,
    **settings: Any,
) -> DocumentResult:
    """Extract one document through the same pool as a folder; never raises for bad input."""
    config = config or Config.resolve(**settings)
    task = build_task(schema, config)
    item = source if isinstance(source, Document) else Path(source)
    with _runner(task, config, backend, progress=False) as runner:
        [result] = runner.run_sources([item])
    return result


def build_task(schema: SchemaSpec, config: Config) -> Task:
    name, model = resolve_schema(schema)
    return Task.build(model, name, config)


@contextmanager
def _runner(
    task: Task, config: Config, backend: Backend | None, progress: bool | None
) -> Iterator[Runner]:
    """A pool with the run's services around the backend; all closed after."""
    with open_backend(config, backend) as raw, RunServices.open(config, raw) as services:
        yield Runner(task, services, progress=progress)
