"""Benchmark: the pipeline's own CPU time per page, and throughput against ideal.

    make bench                      # or: python -m tests.bench.bench_pipeline --docs 500

The fake API runs in a separate process, so the CPU time measured here is the
pipeline's alone: PDF reading, tokenizing and chunking, prompt building, the
HTTP client, validation, merging and table building.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from extract import Config, extract_paths
from extract.ingest.documents import read_document
from extract.ingest.pdf_reader import worker_cpu_seconds
from extract.llm.backends.registry import make_backend
from extract.run.core import plan_chunks
from extract.run.task import Task
from extract.schema_registry import load_schema
from tests.conftest import NDA_PDFS


@contextmanager
def fake_api(latency: float, responder: str | None = None):
    extra = ["--responder", responder] if responder else []
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fake_server", "--latency", str(latency), *extra],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)


def cpu_seconds() -> float:
    """This process's CPU time plus the PDF reader process's (PDFs are parsed there)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime + worker_cpu_seconds()


def cpu_per_page(n_docs: int) -> None:
    pdfs = sorted(NDA_PDFS.glob("*.pdf"))[:n_docs]
    with fake_api(0.0) as url:
        config = Config.resolve(
            base_url=url,
            api_key="x",
            concurrency=8,
            quiet=True,
            cache=False,
            requests_per_minute=0,
            tokens_per_minute=0,
        )
        backend = make_backend(config)
        name, model = load_schema("nda")
        task = Task.build(model, name, config)
        read_document(pdfs[0])  # warm imports and the tokenizer
        plan_chunks(read_document(pdfs[0]), task, backend)

        t0 = cpu_seconds()
        docs = [read_document(p) for p in pdfs]
        t1 = cpu_seconds()
        for doc in docs:
            plan_chunks(doc, task, backend)
        t2 = cpu_seconds()
        report = extract_paths(pdfs, "nda", config, backend=backend, progress=False)
        t3 = cpu_seconds()
    pages = sum(d.n_pages for d in docs)
    requests = int(report.tables.documents["requests"].sum())
    print(
        f"CPU time per page over {len(docs)} Kleister NDA PDFs, {pages} pages, {requests} requests:"
    )
    print(f"  PDF reading (pypdf)      {1000 * (t1 - t0) / pages:7.2f} ms/page")
    print(f"  tokenizing + chunking    {1000 * (t2 - t1) / pages:7.2f} ms/page")
    print(
        f"  whole pipeline run       {1000 * (t3 - t2) / pages:7.2f} ms/page "
        f"(reading, chunking, prompts, HTTP client, validation, merge, tables)"
    )


def throughput(n_docs: int, latency: float, concurrencies: list[int]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for i in range(n_docs):
            (folder / f"receipt-{i:04d}.txt").write_text(
                f"SHOP {i} SDN BHD\nDATE: 01/02/2018\nTOTAL {i % 97}.50\n"
            )
        with fake_api(latency) as url:
            for concurrency in concurrencies:
                config = Config.resolve(  # no cache, no rate limit: measure the pool itself
                    base_url=url,
                    api_key="x",
                    concurrency=concurrency,
                    quiet=True,
                    cache=False,
                    requests_per_minute=0,
                    tokens_per_minute=0,
                )
                start = time.monotonic()
                report = extract_paths([folder], "receipt", config, progress=False)
                wall = time.monotonic() - start
                requests = int(report.tables.documents["requests"].sum())
                ideal = requests * latency / concurrency
                ok = report.status_counts.get("ok", 0)
                print(
                    f"  {n_docs} docs, latency {latency}s, concurrency {concurrency:3}: "
                    f"{requests} requests, wall {wall:6.2f} s, ideal {ideal:6.2f} s, "
                    f"efficiency {100 * ideal / wall:5.1f}%  ({ok} ok)"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=40, help="real PDFs for the CPU figure")
    parser.add_argument("--docs", type=int, default=500, help="short documents for throughput")
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[16, 64])
    args = parser.parse_args()
    cpu_per_page(args.pdfs)
    print(
        "Throughput against a fake API with fixed latency (ideal = requests x latency / concurrency):"
    )
    throughput(args.docs, args.latency, args.concurrency)


if __name__ == "__main__":
    main()
