"""Running a folder on a Dask cluster: the same per-document core, one partition per task.

The driver splits the input list into partitions and submits one task each;
a task (`extract.run.dask_worker`) runs the ordinary pool over its partition
on a worker process. Results come back in input order, so the tables are
those the local engine builds.

    with LocalCluster(n_workers=2) as cluster, Client(cluster) as client:
        tables = extract_folder("docs/", "invoice", engine="dask", client=client, ...)
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from extract.config import Config
from extract.ingest.remote import source_name
from extract.output.dataset import write_parts
from extract.output.results import DocumentResult
from extract.output.tables import build_tables
from extract.run.core import failed_document
from extract.run.dask_limits import BudgetPool, LeaseMode
from extract.run.dask_progress import Show, document_feed
from extract.run.dask_worker import ClusterJob, PartitionResult, Source, close_run, run_partition
from extract.run.task import Task

MIN_PARTITIONS = 64  # tasks per run at least, when there are documents enough: they balance
MAX_PARTITION = 500  # documents per task at most: a rerun after a fault repeats little
# A document alone whose task died is tried again (up to 3 times) before its error row.
SINGLE_RETRIES = 3
# On a cluster we start, a task waits this long for a worker when none is left (each
# killed by a poisoned document and not restarted) before it fails: error rows, not a
# run that waits for ever. Unset, Dask waits for ever; a user's own setting wins.
NO_WORKERS_TIMEOUT = "60s"


@dataclass
class ClusterStats:
    backend: tuple[str, str, str] | None = None
    workers: int = 0
    partitions: int = 0
    seconds: float = 0.0
    start_seconds: float = 0.0
    cached_chunks: int = 0
    dashboard: str | None = None
    resubmitted: list[int] = field(default_factory=list)


@contextmanager
def cluster_client(
    client: Any = None, scheduler: str | None = None, workers: int | None = None
) -> Iterator[Any]:
    """The given client; or one connected to `scheduler`; or a LocalCluster of processes."""
    if client is not None:
        yield client
        return
    from distributed import Client, LocalCluster

    if scheduler:
        with Client(scheduler) as own:
            yield own
        return
    import dask

    timeout = (
        dask.config.get("distributed.scheduler.no-workers-timeout", None) or NO_WORKERS_TIMEOUT
    )
    with (
        dask.config.set({"distributed.scheduler.no-workers-timeout": timeout}),
        LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=2,
            processes=True,
            dashboard_address=":0",
        ) as cluster,
        Client(cluster) as own,
    ):
        yield own


def partitions(files: list[Source], concurrency: int, threads: int) -> list[tuple[Source, ...]]:
    """Contiguous slices of the input list: at least `MIN_PARTITIONS` of them when there
    are documents enough (they balance), at most `MAX_PARTITION` documents each (a rerun
    repeats little), and big enough that the tasks running at once can fill the
    concurrency. Part files are named by number; a run clears the old ones first."""
    if not files:
        return []
    fill = math.ceil(concurrency / max(1, threads))
    size = min(MAX_PARTITION, max(fill, math.ceil(len(files) / MIN_PARTITIONS)))
    return [tuple(files[i : i + size]) for i in range(0, len(files), size)]


def run_on_cluster(
    client: Any,
    files: list[Source],
    schema: Any,
    load: Callable[[Any], tuple[str, Any]],
    config: Config,
    *,
    lease_mode: LeaseMode = "blocks",
    dataset: str | None = None,
    on_partition: Callable[[PartitionResult], None] | None = None,
    on_document: Show | None = None,
) -> tuple[list[DocumentResult], ClusterStats]:
    """Extract `files` on the cluster; results in input order, one per file.

    `on_document(source, status, seconds, requests)` hears each document as it
    finishes on any worker, once (`extract.run.dask_progress`).

    A partition whose task fails for good (its workers died, say) is sent
    again one document per task, one after another, so only a document that
    fails alone gets an error row; the others' finished chunks come from the
    cache. (Slow, but only on this path, which should be rare.)
    """
    from distributed import Semaphore, as_completed
    from distributed.scheduler import NoWorkerError

    start = time.monotonic()
    workers = client.scheduler_info(n_workers=-1).get("workers", {})
    run_id = f"extract-{uuid.uuid4().hex[:12]}"
    job = ClusterJob(
        run_id=run_id,
        schema=schema,
        load=load,
        config=config,
        want=max(1, math.ceil(config.concurrency / max(1, len(workers)))),
        lease_mode=lease_mode,
        dataset=dataset,
        progress=on_document is not None,
    )
    semaphore = Semaphore(
        max_leases=config.concurrency,
        name=f"{run_id}-leases",
        scheduler_rpc=client.scheduler,
        loop=client.loop,
    )
    semaphore.register()
    pool = BudgetPool(run_id, config.max_cost) if config.max_cost is not None else None
    if pool is not None:
        pool.open(client)
    threads = sum(w.get("nthreads", 1) for w in workers.values())
    parts = partitions(files, config.concurrency, threads)
    stats = ClusterStats(
        workers=len(workers),
        partitions=len(parts),
        start_seconds=time.monotonic() - start,
        dashboard=_dashboard(client),
    )
    done: dict[int, list[DocumentResult]] = {}
    singles: dict[int, dict[int, DocumentResult]] = {}

    def submit(index: int, paths: tuple[Source, ...], key: str, offset: int = 0) -> Any:
        alone = replace(job, dataset=None) if "-doc-" in key else job  # the driver writes those
        return client.submit(run_partition, alone, index, paths, offset, key=key, pure=False)

    queue = as_completed()
    tries: dict[tuple[int, int], int] = {}  # (partition, document) -> extra tries when alone
    listening = ExitStack()  # subscribed before any task is submitted
    feed = (
        listening.enter_context(document_feed(client, run_id, on_document)) if on_document else None
    )
    try:
        for i, part in enumerate(parts):
            queue.add(submit(i, part, f"{run_id}-part-{i:05d}"))
        for future in queue:
            index, _, doc = future.key.removeprefix(f"{run_id}-part-").partition("-doc-")
            part = int(index)
            n = int(doc.split("-")[0]) if doc else 0
            try:
                outcome: PartitionResult = future.result()
            except Exception as exc:
                no_workers = isinstance(exc, NoWorkerError)  # none left: no retry helps
                if not doc and len(parts[part]) > 1 and not no_workers:
                    # find the document that kills its task
                    stats.resubmitted.append(part)
                    singles[part] = {}
                    queue.add(submit(part, parts[part][:1], f"{future.key}-doc-{0:05d}"))
                    continue
                if doc and tries.get((part, n), 0) < SINGLE_RETRIES and not no_workers:
                    # A document alone can die beside the poisoned one on the same worker:
                    # ask again before calling it an error.
                    tries[(part, n)] = tries.get((part, n), 0) + 1
                    key = f"{run_id}-part-{part:05d}-doc-{n:05d}-try-{tries[(part, n)]}"
                    queue.add(submit(part, parts[part][n : n + 1], key, n))
                    continue
                reason = f"its task failed on the cluster: {type(exc).__name__}: {exc}"
                # with no worker left, the rest of a partition sent one by one fails alike
                failed = parts[part][n:] if no_workers else parts[part][n : n + 1]
                outcome = PartitionResult(
                    part,
                    [
                        failed_document(source_name(p), reason)
                        for p in (failed if doc else parts[part])
                    ],
                    "",
                    0.0,
                    0,
                )
            if feed is not None:
                feed.partition_done(part, n, outcome.results)
            stats.cached_chunks += outcome.cached_chunks
            stats.backend = stats.backend or outcome.backend
            if doc:
                singles[part].update(enumerate(outcome.results, start=n))
                nxt = n + len(outcome.results)  # one at a time: a poisoned one takes no other down
                if nxt < len(parts[part]):
                    key = f"{run_id}-part-{part:05d}-doc-{nxt:05d}"
                    queue.add(submit(part, parts[part][nxt : nxt + 1], key, nxt))
                elif len(singles[part]) == len(parts[part]):
                    done[part] = [singles[part][j] for j in range(len(parts[part]))]
                    if dataset is not None:  # the tasks of single documents wrote nothing
                        _write_part(dataset, part, done[part], job, stats.backend)
            else:
                done[part] = outcome.results
            if on_partition is not None:
                on_partition(outcome)
    finally:
        listening.close()
        client.cancel(list(queue.futures))  # left only when the driver itself failed
        client.run(close_run, run_id)
        semaphore.close()
        if pool is not None:
            pool.close(client)
    stats.seconds = time.monotonic() - start
    return [r for i in range(len(parts)) for r in done[i]], stats


def _write_part(
    root: str,
    index: int,
    results: list[DocumentResult],
    job: ClusterJob,
    backend: tuple[str, str, str] | None,
) -> None:
    """The part of a partition whose documents ran one per task (after it killed workers)."""
    config = job.config
    name, model = job.load(job.schema)
    strict = Task.build(model, name, config).strict_schema
    model_name = backend[1] if backend else config.model
    tables = build_tables(results, strict, model_name, evidence=config.evidence != "off")
    write_parts(tables, root, index, strict, results)


def describe_cluster(client: Any) -> str:
    """One line for the user: where the cluster is and where to watch it."""
    info = client.scheduler_info(n_workers=-1)
    workers = info.get("workers", {})
    threads = sum(w.get("nthreads", 1) for w in workers.values())
    link = _dashboard(client)
    return (
        f"extract: dask scheduler {info.get('address')}, {len(workers)} workers, "
        f"{threads} threads; dashboard {link or 'off (pip install bokeh)'}"
    )


def _dashboard(client: Any) -> str | None:
    try:
        return client.dashboard_link
    except Exception:
        return None
