"""The Python interface: extract a folder (tables back) or one document (a result back).

    from extract import extract_folder
    tables = extract_folder("sample_docs", schema="invoice", base_url=..., api_key=...)
    tables.documents          # one row per document
    tables.children["line_items"]

Nothing is written unless `out=` is given.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from extract.config import Config
from extract.errors import DocumentError
from extract.ingest.documents import Document, read_document
from extract.llm.backends import Backend, make_backend
from extract.llm.pricing import price_for
from extract.output.tables import Tables, build_tables
from extract.output.writers import check_output_path, write_tables
from extract.run.core import (
    DocumentResult,
    Task,
    Usage,
    extract_chunk,
    failed_document,
    finish_document,
    plan_chunks,
    smaller_chunks,
)
from extract.run.pool import Runner
from extract.run.services import RunServices
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
        cost_text = "unknown" if cost is None or cost != cost else f"${float(cost):.4f}"
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
    name, model = resolve_schema(schema)
    task = Task.build(model, name, config)
    own_backend = backend is None
    backend = backend or make_backend(config)
    services = RunServices.open(config, backend)
    try:
        runner = Runner(task, services, progress=progress)
        results = runner.run([Path(p) for p in paths])
    finally:
        services.close()
        if own_backend:
            backend.close()
    tables = build_tables(
        results, task.strict_schema, backend.model, price_for(backend.name, backend.model)
    )
    report = RunReport(
        tables=tables,
        results=results,
        backend=backend.name,
        model=backend.model,
        mode=backend.mode,
        seconds=runner.stats.seconds,
        cached_chunks=runner.stats.cached_chunks,
    )
    if out is not None:
        report.written = write_tables(tables, out)
    return report


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
    """Extract one document, its chunks one after another; never raises for bad input."""
    config = config or Config.resolve(**settings)
    name, model = resolve_schema(schema)
    task = Task.build(model, name, config)
    if isinstance(source, Document):
        doc = source
    else:
        try:
            doc = read_document(Path(source))
        except DocumentError as exc:
            return failed_document(str(source), str(exc))
    own_backend = backend is None
    backend = backend or make_backend(config)
    services = RunServices.open(config, backend)
    try:
        chunks = plan_chunks(doc, task, backend)
        queue, outcomes, superseded = list(chunks), [], Usage()
        while queue:
            outcome = extract_chunk(queue.pop(0), doc.source, len(chunks), task, services)
            if outcome.truncated and (parts := smaller_chunks(outcome, doc, backend)):
                superseded.add(outcome.usage)
                queue[0:0] = parts
                continue
            outcomes.append(outcome)
    finally:
        services.close()
        if own_backend:
            backend.close()
    return finish_document(doc, outcomes, task, superseded)
