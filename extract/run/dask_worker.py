"""The worker side of the Dask engine: one task runs the local engine's pool over a partition.

What is expensive to build is built once per worker process and kept: the
backend (a hosted client, or the embedded model's weights) across runs, and
per run the services (cache, audit log, limits). Every task of a run on this
process shares them, so the local pool, its cache and its retries work here
unchanged; `extract.run.dask_limits` keeps the limits cluster-wide.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from extract.config import Config
from extract.ingest.remote import Source
from extract.llm.backends import Backend
from extract.llm.backends.registry import make_backend
from extract.output.dataset import write_parts
from extract.output.results import DocumentResult
from extract.output.tables import build_tables
from extract.run.dask_limits import BudgetPool, LeaseGate, LeaseMode, scale_rates
from extract.run.dask_progress import announcer
from extract.run.pool import Runner
from extract.run.services import RunServices
from extract.run.task import Task


@dataclass(frozen=True)
class ClusterJob:
    """What every task of one run needs; small, pickled with each task."""

    run_id: str
    schema: Any  # a schema name / "file.py:Class" string (loaded on the worker), or a class
    load: Callable[[Any], tuple[str, Any]]  # spec -> (name, class), the caller's schema loader
    config: Config  # the run's config, cache and audit paths already resolved
    want: int  # leases (requests in flight) one worker asks for
    lease_mode: LeaseMode = "blocks"
    dataset: str | None = None  # a Parquet dataset root: the task writes its partition's parts
    progress: bool = False  # announce each finished document to the driver (dask_progress)


@dataclass
class PartitionResult:
    index: int
    results: list[DocumentResult]
    worker: str
    seconds: float
    cached_chunks: int
    backend: tuple[str, str, str] | None = None  # name, model, mode as the worker built it


# --- on the workers --------------------------------------------------------------------

_lock = threading.Lock()
_backends: dict[str, Backend] = {}  # built once per worker process, kept across runs
_runs: dict[str, _WorkerRun] = {}


@dataclass
class _WorkerRun:
    task: Task
    services: RunServices
    gate: LeaseGate
    pool: BudgetPool | None


def _backend_key(config: Config) -> str:
    secret = config.api_key.get_secret_value() if config.api_key else ""
    material = config.model_dump_json(exclude={"concurrency", "quiet"}) + secret
    return hashlib.sha256(material.encode()).hexdigest()


def _worker_run(job: ClusterJob) -> _WorkerRun:
    """This worker's state for the run, built by the first task that needs it."""
    from distributed import Semaphore

    with _lock:
        if job.run_id in _runs:
            return _runs[job.run_id]
        config = job.config.model_copy(update={"concurrency": job.want})
        key = _backend_key(job.config)
        if key not in _backends:
            _backends[key] = make_backend(job.config)
        semaphore = Semaphore(max_leases=job.config.concurrency, name=f"{job.run_id}-leases")
        services = RunServices.open(config, _backends[key])
        # Outermost: a request takes its slot before the budget check, so no more requests
        # than the leases held can pass the check at once (the cap on --max-cost overshoot),
        # and one held back by the rate limiter keeps its slot (the rate is the bound then).
        gate = LeaseGate(services.backend, semaphore, job.want, job.lease_mode)
        services.backend = gate
        pool = None
        if services.budget is not None and job.config.max_cost is not None:
            pool = BudgetPool(job.run_id, job.config.max_cost)
            services.budget.max_cost = 0.0  # drawn from the pool task by task
        name, model = job.load(job.schema)
        state = _WorkerRun(Task.build(model, name, config), services, gate, pool)
        _runs[job.run_id] = state
        return state


def run_partition(
    job: ClusterJob, index: int, sources: tuple[Source, ...], offset: int = 0
) -> PartitionResult:
    """One task: the local engine's pool over one partition, inside the cluster's limits.

    `sources` start at `offset` in the partition (a document run alone after its task died).
    """
    from distributed import get_worker

    start = time.monotonic()
    state = _worker_run(job)
    cfg = job.config
    budget = state.services.budget if state.pool is not None else None

    def started(held: int) -> None:
        scale_rates(
            state.services.limiter,
            cfg.requests_per_minute,
            cfg.tokens_per_minute,
            held,
            cfg.concurrency,
        )
        if state.pool is not None and budget is not None and cfg.max_cost is not None:
            state.pool.draw(budget, cfg.max_cost * held / cfg.concurrency)

    def ended() -> None:
        if state.pool is not None and budget is not None:
            state.pool.give_back(budget)

    state.gate.enter(started)
    try:
        announce = announcer(job.run_id, index, offset) if job.progress else None
        runner = Runner(state.task, state.services, progress=False, on_document=announce)
        results = runner.run_sources(list(sources))
    finally:
        state.gate.exit(ended)
    if job.dataset is not None:
        gate = state.gate
        tables = build_tables(
            results,
            state.task.strict_schema,
            gate.model,
            evidence=cfg.evidence != "off",
        )
        write_parts(tables, job.dataset, index, state.task.strict_schema, results)
        results = [light(r) for r in results]  # the rows are written; the driver counts
    return PartitionResult(
        index=index,
        results=results,
        worker=get_worker().address,
        seconds=time.monotonic() - start,
        cached_chunks=runner.stats.cached_chunks,
        backend=(state.gate.name, state.gate.model, state.gate.mode),
    )


def light(result: DocumentResult) -> DocumentResult:
    """A result without its data, for the driver's counts when the workers wrote the rows."""
    return replace(result, data=None, chunks={}, origins={}, conflicts=[])


def close_run(run_id: str) -> None:
    """Run on every worker at the end: flush and close the run's cache and audit log."""
    with _lock:
        state = _runs.pop(run_id, None)
    if state is not None:
        state.gate.forget()
        state.services.close()
