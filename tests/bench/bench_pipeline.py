"""Benchmark: the pipeline's own CPU time per page, PDF text quality, throughput against ideal.

    make bench                      # or: python -m tests.bench.bench_pipeline --docs 500

The fake API runs in a separate process, so the CPU time measured here is the
pipeline's alone: PDF reading, tokenizing and chunking, prompt building, the
HTTP client, validation, merging and table building. PDFs are read by PDFium,
beside the pypdf baseline (pypdf alone) in the same run. The text each reader
gives is checked against gold values, without a model: see `pdf_text_quality`.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from extract import extract_paths
from extract.evaluation.loaders import load_module
from extract.ingest.documents import read_document
from extract.ingest.pdf_reader import reading_with
from extract.ingest.pdf_text import pdfium_pages, pypdf_pages
from extract.llm.backends.registry import make_backend
from extract.run.core import plan_chunks
from extract.run.task import Task
from extract.schema_registry import load_schema
from tests.bench.common import bench_config, cpu_seconds, fake_api, ideal_seconds, scratch
from tests.conftest import NDA_PDFS


def cpu_per_page(n_docs: int) -> None:
    pdfs = sorted(NDA_PDFS.glob("*.pdf"))[:n_docs]
    with fake_api(0.0) as url:
        config = bench_config(url, 8)
        backend = make_backend(config)
        name, model = load_schema("nda")
        task = Task.build(model, name, config)
        rows = []
        for label, readers in (("pypdf (before)", ("pypdf",)), ("PDFium", ("pdfium", "pypdf"))):
            with reading_with(readers):
                read_document(pdfs[0])  # warm imports, the reader process and the tokenizer
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
            rows.append(
                (
                    label,
                    pages,
                    requests,
                    [1000 * (b - a) / pages for a, b in ((t0, t1), (t1, t2), (t2, t3))],
                )
            )
    print(
        f"CPU time per page over {len(docs)} Kleister NDA PDFs, {pages} pages, {requests} "
        "requests (ms/page; whole run: reading, chunking, prompts, HTTP client, validation, "
        "merge, tables):"
    )
    print("| PDF text read by | PDF reading | tokenizing + chunking | whole pipeline run |")
    print("|---|---|---|---|")
    for label, _, _, (read, chunk, whole) in rows:
        print(f"| {label} | {read:.2f} | {chunk:.2f} | {whole:.2f} |")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def _gold_sets() -> dict[str, list[tuple[str, list[str]]]]:
    """Per set, each PDF with its gold values that can be printed as they are (names, places,
    titles, periods); ISO dates and durations are left out, no text prints them so."""
    nda, cuad = load_module("kleister_nda"), load_module("cuad")
    return {
        "Kleister NDA dev-0 (party, jurisdiction, term)": [
            (
                nda.pdf_path(doc_id),
                [
                    v.replace("_", " ")
                    for k in ("party", "jurisdiction", "term")
                    for v in gold.get(k, [])
                ],
            )
            for doc_id, _, gold in nda.iter_docs("dev-0")
        ],
        "CUAD, all PDFs kept (name, parties, law, renewal, notice)": [
            (cuad.pdf_path(doc_id), [v for k, vs in gold.items() if "date" not in k for v in vs])
            for doc_id, _, gold in cuad.iter_docs()
            if cuad.pdf_path(doc_id)
        ],
    }


def pdf_text_quality(limit: int | None = None) -> None:
    """Gold values found in each reader's text (spaces collapsed, case folded), and its CPU."""
    print("Gold values found in the PDF text (no model), and the reader's CPU time per page:")
    print(
        "| PDFs | pages | gold values | found: pypdf | found: PDFium | only pypdf | "
        "only PDFium | pypdf ms/page | PDFium ms/page |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # repaired PDFs: warnings, not news
    sets = _gold_sets()
    first = Path(next(iter(sets.values()))[0][0]).read_bytes()
    for read in (pypdf_pages, pdfium_pages):
        read(first, 10_000)  # its imports are not a page's time
    missed: list[str] = []
    for name, docs in sets.items():
        docs = docs[:limit] if limit else docs
        found: dict[str, set[tuple[int, int]]] = {"pypdf": set(), "pdfium": set()}
        cpu = {"pypdf": 0.0, "pdfium": 0.0}
        pages = values = 0
        for i, (path, gold) in enumerate(docs):
            data = Path(path).read_bytes()
            for reader, read in (("pypdf", pypdf_pages), ("pdfium", pdfium_pages)):
                start = time.process_time()
                text = read(data, 10_000)
                cpu[reader] += time.process_time() - start
                flat = _norm("\n\n".join(text))
                found[reader] |= {(i, j) for j, v in enumerate(gold) if _norm(v) in flat}
            pages += len(text)
            values += len(gold)
        a, b = found["pypdf"], found["pdfium"]
        print(
            f"| {name}: {len(docs)} | {pages} | {values} | {len(a)} | {len(b)} | {len(a - b)} "
            f"| {len(b - a)} | {1000 * cpu['pypdf'] / pages:.1f} "
            f"| {1000 * cpu['pdfium'] / pages:.1f} |",
            flush=True,
        )
        for reader, only in (("pypdf", a - b), ("PDFium", b - a)):
            missed += [f"  only {reader}: {docs[i][1][j]!r} ({Path(docs[i][0]).name[:40]})"
                       for i, j in sorted(only)]  # fmt: skip
    print("\n".join(missed))


def throughput(n_docs: int, latency: float, concurrencies: list[int]) -> None:
    with scratch() as folder:
        for i in range(n_docs):
            (folder / f"receipt-{i:04d}.txt").write_text(
                f"SHOP {i} SDN BHD\nDATE: 01/02/2018\nTOTAL {i % 97}.50\n"
            )
        with fake_api(latency) as url:
            for concurrency in concurrencies:
                config = bench_config(url, concurrency)  # measures the pool itself
                start = time.monotonic()
                report = extract_paths([folder], "receipt", config, progress=False)
                wall = time.monotonic() - start
                requests = int(report.tables.documents["requests"].sum())
                ideal = ideal_seconds(requests, latency, concurrency)
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
    parser.add_argument(
        "--quality",
        type=int,
        default=None,
        help="PDFs per set for text quality (default all, 0 skips)",
    )
    args = parser.parse_args()
    cpu_per_page(args.pdfs)
    if args.quality != 0:
        pdf_text_quality(args.quality)
    print(
        "Throughput against a fake API with fixed latency (ideal = requests x latency / concurrency):"
    )
    throughput(args.docs, args.latency, args.concurrency)


if __name__ == "__main__":
    main()
