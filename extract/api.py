"""The Python interface: extract a folder (tables back) or one document (a result back).

    from extract import extract_folder
    tables = extract_folder("sample_docs", schema="invoice", base_url=..., api_key=...)
    tables.documents          # one row per document
    tables.children["line_items"]

Nothing is written unless `out=` is given.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from extract.config import Config
from extract.errors import ConfigError, OutputError, RunStopped
from extract.ingest.documents import Document
from extract.ingest.remote import find_sources
from extract.llm.backends import Backend
from extract.llm.backends.registry import open_backend
from extract.llm.redact import redact_optional
from extract.output.dataset import (
    DOCUMENTS,
    EVIDENCE,
    TEXTS,
    clear,
    dataset_root,
    read_dataset,
    table_names,
    write_parts,
)
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
from extract.run.progress import Progress, pick_style
from extract.run.report import RunReport
from extract.run.services import RunServices
from extract.run.task import Task
from extract.schema_registry import load_schema

SchemaSpec = str | type[BaseModel]


def resolve_schema(schema: SchemaSpec) -> tuple[str, type[BaseModel]]:
    if isinstance(schema, str):
        return load_schema(schema)
    return schema.__name__, schema


def extract_paths(
    paths: Iterable[str | Path],
    schema: SchemaSpec,
    config: Config,
    *,
    out: str | Path | None = None,
    backend: Backend | None = None,
    progress: bool | None = None,
    client: Any = None,
    on_cluster: Callable[[str], None] | None = None,
) -> RunReport:
    """Extract every document under `paths`; write tables to `out` if given.

    `out` ending in "/" (or an existing folder, or an fsspec URL like s3://b/out/)
    is a Parquet dataset, written in parts. With `config.engine == "dask"` the
    documents run on a Dask cluster: `client`, else `config.scheduler`, else a
    LocalCluster of `config.workers` processes; `on_cluster` hears where it is.

    A file `out` is checked (writable, no table name taken by a folder) before any
    request; a failure at the final write raises `OutputError`, and the answers it
    would have written are in the cache, so the rerun costs nothing.
    """
    root = dataset_root(out)
    file_out = None if out is None or root is not None else Path(out)
    task = build_task(schema, config)
    children = list(Layout.of(task.strict_schema).children)
    check_child_names(children, dataset=root is not None)
    if file_out is not None:
        check_output_path(file_out, children)
        if texts_path(file_out).is_dir():
            raise ConfigError(f"--out: {texts_path(file_out)} is a folder, not a file")
    if config.engine == "dask":
        return _on_cluster(paths, schema, task, out, client, progress, on_cluster)
    with _runner(task, config, backend, progress) as runner:
        results = runner.run_sources(find_sources(paths, skip=own_files(config, task, file_out)))
        used = runner.services.backend
    for result in results:  # a provider's message may echo a credential
        result.error = redact_optional(result.error, config.secrets)
    tables = build_tables(
        results, task.strict_schema, used.model, evidence=config.evidence != "off"
    )
    report = RunReport(
        tables=tables,
        results=results,
        backend=used.name,
        model=used.model,
        mode=used.mode,
        seconds=runner.stats.seconds,
        cached_chunks=runner.stats.cached_chunks,
        interrupted=runner.stats.interrupted,
        abandoned=runner.stats.abandoned,
    )
    if root is not None:
        clear(root, table_names(tables))
        report.written = write_parts(tables, root, 0, task.strict_schema, results)
    elif file_out is not None:
        report.written = [*write_tables(tables, file_out), _write_texts(results, file_out)]
    return report


def _write_texts(results: list[DocumentResult], out: Path) -> Path:
    try:
        return write_texts(results, texts_path(out))
    except OSError as exc:
        raise OutputError(f"cannot write {texts_path(out)}: {exc.strerror or exc}") from exc


def _on_cluster(
    paths: Iterable[str | Path],
    schema: SchemaSpec,
    task: Task,
    out: str | Path | None,
    client: Any,
    progress: bool | None,
    say: Callable[[str], None] | None,
) -> RunReport:
    """The run on a Dask cluster; workers write the parts of a dataset `out` themselves."""
    from extract.run.dask_engine import cluster_client, describe_cluster, run_on_cluster

    config = task.config
    root = dataset_root(out)
    file_out = None if out is None or root is not None else Path(out)
    sources = find_sources(paths, skip=own_files(config, task, file_out))
    if root is not None:
        clear(root, [DOCUMENTS, EVIDENCE, *Layout.of(task.strict_schema).children])
    pinned = config.model_copy(  # the same cache and log for every worker on this machine
        update={
            "cache_path": _absolute(config.resolved_cache_path) if config.cache else None,
            "audit_log": config.audit_log.absolute() if config.audit_log else None,
        }
    )
    style = pick_style(config.quiet, progress)  # as the local engine: bars, lines or off
    started = time.monotonic()
    with cluster_client(client, config.scheduler, config.workers) as c:
        start_seconds = time.monotonic() - started
        if say is not None:
            say(describe_cluster(c))
        shown = Progress(len(sources), style, chunks=False)
        shown.start(f"extract: {len(sources)} document(s) on the cluster")
        try:  # each document counted as it finishes on any worker
            results, stats = run_on_cluster(
                *(c, sources, schema, resolve_schema, pinned),
                dataset=root,
                on_document=shown.document_done if style != "off" else None,
            )
        finally:
            shown.close()
    stats.start_seconds += start_seconds
    name, model, mode = stats.backend or (config.backend, config.model, config.mode)
    if root is not None:  # the workers wrote the rows: read back what they wrote
        tables = read_dataset(root)
    else:
        for result in results:  # a provider's message may echo a credential
            result.error = redact_optional(result.error, config.secrets)
        evidence = config.evidence != "off"
        tables = build_tables(results, task.strict_schema, model, evidence=evidence)
    report = RunReport(
        tables=tables,
        results=results,
        backend=name,
        model=model,
        mode=mode,
        seconds=stats.seconds,
        cached_chunks=stats.cached_chunks,
        cluster=stats,
    )
    if root is not None:
        report.written = [f"{root}/{table}" for table in [*table_names(tables), TEXTS]]
    elif file_out is not None:
        report.written = [*write_tables(tables, file_out), _write_texts(results, file_out)]
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
    cache = config.resolved_cache_path
    if config.cache and isinstance(cache, Path):  # (an object-store cache is no local file)
        files += [cache, *(cache.with_name(cache.name + s) for s in ("-wal", "-shm", "-journal"))]
    return files


def _absolute(where: Path | str) -> Path | str:
    return where.absolute() if isinstance(where, Path) else where


def extract_folder(
    paths: str | Path | Iterable[str | Path],
    schema: SchemaSpec = "invoice",
    *,
    out: str | Path | None = None,
    config: Config | None = None,
    client: Any = None,
    **settings: Any,
) -> Tables:
    """Extract a folder (or files and folders) into tables; settings as in `Config`.

    `engine="dask"` runs it on a cluster: pass `client=` (a `distributed.Client`,
    which implies the engine), `scheduler="tcp://..."`, or `workers=N`.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if client is not None and config is None:
        settings.setdefault("engine", "dask")
    config = config or Config.resolve(**settings)
    report = extract_paths(paths, schema, config, out=out, progress=None, client=client)
    if report.interrupted:  # Ctrl-C: the tables of what finished are written; stop here too
        raise RunStopped(abandoned=report.abandoned)
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
    result.error = redact_optional(result.error, config.secrets)
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
