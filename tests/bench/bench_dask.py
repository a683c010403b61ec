"""Benchmark: the local engine and the Dask engine side by side, in one run.

    make bench-dask            # or: python -m tests.bench.bench_dask --docs 2000

Short documents (one request each) against the fake API in its own process,
with a fixed latency; the same global concurrency for both engines. Each run
gets a fresh fake server, which counts the requests it was answering at once.
Ideal wall time = requests x latency / concurrency. Also: the cluster's
start-up (start, then the first import and tokenizer load on each worker), the
memory of each worker process, the scheduler's cost per task, and the cost of a
per-request semaphore lease (the mechanism this engine does not use).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import time
from pathlib import Path

from extract import extract_paths
from tests.bench.common import bench_config, fake_api, ideal_seconds, scratch, server_stats


def make_docs(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"inv{i:05d}.txt").write_text(
            f"ACME SUPPLY CO\nINVOICE #A-{i:05d}\nDate: 2024-06-03\n\n"
            f"Widget model {i}      2    $10.00    $20.00\n\nTOTAL DUE ${100 + i}.00\n"
        )
    return folder


def warm() -> float:
    """What a worker pays once: the pipeline's imports and the tokenizer's first load."""
    start = time.monotonic()
    from extract.ingest.tokenizer import count_tekken_tokens

    count_tekken_tokens("warm up")
    return time.monotonic() - start


def rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def noop(i: int) -> int:
    return i


def run_engine(
    label: str, docs: Path, latency: float, concurrency: int, *, shown: bool = False, **engine
) -> dict:
    """One timed run; `shown`: a line per finished document, as off a terminal (to a pipe
    read by nobody), the progress a user sees; else no progress at all."""
    log = io.StringIO()
    with fake_api(latency) as url, contextlib.redirect_stderr(log):
        cfg = bench_config(url, concurrency, engine="dask" if engine else "local", quiet=not shown)
        start = time.monotonic()
        report = extract_paths([docs], "invoice", cfg, progress=None if shown else False, **engine)
        wall = time.monotonic() - start
        stats = server_stats(url)
    if shown:
        lines = sum(line.startswith("extract: [") for line in log.getvalue().splitlines())
        label = f"{label} ({lines} lines)"
    ok = int((report.tables.documents["status"] == "ok").sum())
    return print_row(label, wall, stats, latency, concurrency, f"{ok}/{len(report.results)}")


def print_row(
    label: str, wall: float, stats: dict, latency: float, concurrency: int, ok: str
) -> dict:
    """One engine's line: its wall time beside the ideal, what the fake API saw."""
    ideal = ideal_seconds(stats["chat_requests"], latency, concurrency)
    print(
        f"  {label:34} {wall:6.1f} s  ideal {ideal:5.1f} s  ideal/wall {ideal / wall:4.2f}  "
        f"requests {stats['chat_requests']}  max in flight {stats['max_in_flight']:3}  ok {ok}",
        flush=True,
    )
    return {"wall": wall, "ideal": ideal, "in_flight": stats["max_in_flight"]}


def per_request(client, docs: Path, latency: float, concurrency: int) -> None:
    """The engine with a scheduler round trip for a lease around every request."""
    from extract.api import resolve_schema
    from extract.ingest.documents import find_inputs
    from extract.run.dask_engine import run_on_cluster

    with fake_api(latency) as url:
        start = time.monotonic()
        results, _ = run_on_cluster(
            client,
            find_inputs([docs]),
            "invoice",
            resolve_schema,
            bench_config(url, concurrency, engine="dask"),
            lease_mode="per-request",
        )
        wall = time.monotonic() - start
        stats = server_stats(url)
    ok = sum(r.status == "ok" for r in results)
    label = "dask engine (a lease per request)"
    print_row(label, wall, stats, latency, concurrency, f"{ok}/{len(results)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-per-request", action="store_true")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    with scratch() as tmp:
        docs = make_docs(tmp / "docs", args.docs)
        print(
            f"{args.docs} documents, fake API latency {args.latency} s, global concurrency "
            f"{args.concurrency}, {args.workers} worker processes (2 threads each)",
            flush=True,
        )
        warm()
        few = make_docs(tmp / "warm", 20)
        with fake_api(0.0) as url:  # the pipeline's first-call costs, paid before timing
            extract_paths([few], "invoice", bench_config(url, 8), progress=False)
        local = run_engine("local engine (one process)", docs, args.latency, args.concurrency)

        start = time.monotonic()
        with (
            LocalCluster(
                n_workers=args.workers, threads_per_worker=2, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            started = time.monotonic() - start
            warmed = client.run(warm)
            with fake_api(0.0) as url:  # each worker's first task: backend, task, services
                cfg = bench_config(url, 8, engine="dask")
                extract_paths([few], "invoice", cfg, progress=False, client=client)
            first = time.monotonic() - start
            idle = client.run(rss_mb)
            t0 = time.monotonic()
            client.gather(client.map(noop, range(1000), pure=False))
            per_task_ms = (time.monotonic() - t0) / 1000 * 1000
            dask = run_engine(
                "dask engine (leases in blocks)",
                docs,
                args.latency,
                args.concurrency,
                client=client,
            )
            busy = client.run(rss_mb)
            shown = run_engine(
                "dask engine, each document shown",
                docs,
                args.latency,
                args.concurrency,
                shown=True,
                client=client,
            )
            if not args.skip_per_request:
                per_request(client, docs, args.latency, args.concurrency)

        print(
            f"  dask vs local wall: {local['wall'] / dask['wall']:.2f} of the local engine's speed"
        )
        print(f"  each document shown vs none: {shown['wall'] / dask['wall']:.2f} of the wall")
        print(
            f"start-up: cluster {started:.1f} s; each worker's imports and tokenizer "
            f"{max(warmed.values()):.1f} s; warm after a first small run at {first:.1f} s"
        )
        print(
            "memory per worker process: "
            + ", ".join(
                f"{idle[w]:.0f} MB idle -> {busy[w]:.0f} MB after the run" for w in sorted(idle)
            )
        )
        print(f"scheduler cost per task (1000 no-op tasks): {per_task_ms:.2f} ms")
        tasks_10m = math.ceil(10_000_000 / 500)
        print(
            f"at 10M documents: {tasks_10m} tasks of 500 documents -> "
            f"{tasks_10m * per_task_ms / 1000:.0f} s of scheduler time in all"
        )


if __name__ == "__main__":
    main()
