"""Benchmark: the review page's size and the time it takes to open, at 20, 200 and 2,000 documents.

    make bench-review          # or: python -m tests.bench.bench_review --docs 2000 --repeat 5

Real documents from ../shared/evaldata (SROIE receipt texts, Kleister NDA texts
and PDFs) go through the real pipeline against the fake HTTP server, which
answers with each document's gold values, so values, evidence and texts are
what a real run writes. A folder of 2,000 needs more documents than the
datasets hold: each text is reused with a "(copy k)" line added, so every
file is a distinct document with its own id. The page for the first 20 and 200
documents of the same run is measured beside the 2,000 (the baseline), each
opened in a fresh headless Chromium tab `--repeat` times; medians are printed.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from extract import extract_paths
from extract.output.review import write_review
from extract.output.review.tables import child_tables, read_table
from extract.output.texts import texts_path
from extract.output.writers import child_path, evidence_path, write_frame
from tests.bench.common import bench_config
from tests.browser import chromium
from tests.conftest import EVALDATA, NDA_PDFS
from tests.fake_server import FakeOpenAI, document_text, schema_responder


def load_module(path: Path):
    spec = importlib.util.spec_from_file_location(path.parent.name + "_load", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def gold_answers(kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(text, answer) pairs: the dataset's texts, and answers made of its gold values."""
    if kind == "receipts":
        sroie = load_module(EVALDATA / "sroie" / "load.py")
        return [
            (text, {k: (v[0] if v else None) for k, v in gold.items()})
            for _, text, gold in sroie.iter_docs()
        ]
    nda = load_module(EVALDATA / "kleister_nda" / "load.py")
    pairs = []
    for split in ("train", "dev-0"):
        for _, text, gold in nda.iter_docs(split):
            pairs.append(
                (
                    text,
                    {
                        "parties": [p.replace("_", " ") for p in gold.get("party", [])],
                        "effective_date": (gold.get("effective_date") or [None])[0],
                        "jurisdiction": (gold.get("jurisdiction") or [""])[0].replace("_", " ")
                        or None,
                        "term": None,
                    },
                )
            )
    return pairs


def make_folder(kind: str, n: int, folder: Path) -> dict[str, dict[str, Any]]:
    """`n` distinct text files of real documents; returns answers keyed by text prefix."""
    pairs = gold_answers(kind)
    folder.mkdir(parents=True)
    answers = {}
    for i in range(n):
        text, answer = pairs[i % len(pairs)]
        copy = i // len(pairs)
        body = text if copy == 0 else f"{text}\n(copy {copy})"
        (folder / f"{kind}-{i:05d}.txt").write_text(body, encoding="utf-8")
        answers[_key(text)] = answer
    return answers


def _key(text: str) -> str:
    return " ".join(text.split())[:300]


def run_pipeline(kind: str, docs: Path, out: Path, answers: dict[str, dict[str, Any]]) -> float:
    def fill(request) -> dict[str, Any]:
        return answers.get(_key(document_text(request)), {})

    schema = "receipt" if kind == "receipts" else "nda"
    started = time.perf_counter()
    with FakeOpenAI(schema_responder(fill)) as fake:
        config = bench_config(fake.base_url, 16, backend="openai", quiet=False)
        extract_paths([docs], schema, config, out=out, progress=False)
    return time.perf_counter() - started


def pdf_images(work: Path, n: int) -> list[tuple[str, int, float, int]]:
    """The cost of page images: `n` real NDA PDFs, the page built without and with them."""
    nda = load_module(EVALDATA / "kleister_nda" / "load.py")
    pairs = {Path(nda.pdf_path(doc_id)).name: gold for doc_id, _, gold in nda.iter_docs("dev-0")}
    docs = work / "pdfs" / "docs"
    docs.mkdir(parents=True)
    answers = {}
    for name, gold in sorted(pairs.items())[:n]:
        shutil.copy(NDA_PDFS / name, docs / name)
        answers[name] = {"parties": [p.replace("_", " ") for p in gold.get("party", [])]}
    from extract.ingest.documents import read_document

    by_text = {_key(read_document(docs / name).text): a for name, a in answers.items()}
    out = work / "pdfs" / "run" / "run.parquet"
    run_pipeline("contracts", docs, out, by_text)
    rows = []
    for images in ("none", "quoted"):
        started = time.perf_counter()
        page = write_review(out, out.with_name(f"run.{images}.html"), images=images)
        seconds = time.perf_counter() - started
        shown = page.read_text(encoding="utf-8").count("data:image/png;base64,")
        rows.append((images, page.stat().st_size, seconds, shown))
    return rows


def first_n(out: Path, n: int, target: Path) -> Path:
    """The run's tables, evidence and texts cut to its first `n` documents, beside `target`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    main = read_table(out).head(n)
    keep = set(main["doc_id"].astype(str))
    write_frame(main, target)
    for name, frame in child_tables(out).items():
        write_frame(frame[frame["doc_id"].astype(str).isin(keep)], child_path(target, name))
    if evidence_path(out).is_file():
        ev = read_table(evidence_path(out))
        write_frame(ev[ev["doc_id"].astype(str).isin(keep)], evidence_path(target))
    if texts_path(out).is_file():
        with gzip.open(texts_path(out), "rt") as src, gzip.open(texts_path(target), "wt") as dst:
            for line in src:
                if json.loads(line)["doc_id"] in keep:
                    dst.write(line)
    return target


OPEN_TIMES = """
var nav = performance.getEntriesByType('navigation')[0];
var ready = performance.getEntriesByName('review-ready')[0];
return {dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, ready: ready.startTime};
"""
NEXT_DOC = """
var t = performance.now();
document.dispatchEvent(new KeyboardEvent('keydown', {key: 'j'}));
document.getElementById('source').offsetHeight;  // layout included
return performance.now() - t;
"""
FILTER = """
var s = document.getElementById('search'), t = performance.now();
s.value = arguments[0]; s.dispatchEvent(new Event('input'));
document.getElementById('doc-list').offsetHeight;
var took = performance.now() - t;
s.value = ''; s.dispatchEvent(new Event('input'));
return took;
"""


def measure_open(page: Path, repeat: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {"ready": [], "load": [], "next": [], "filter": []}
    with chromium() as driver:
        for _ in range(repeat):
            driver.get("about:blank")
            driver.get(page.as_uri())
            times = driver.execute_script(OPEN_TIMES)
            samples["ready"].append(times["ready"])
            samples["load"].append(times["load"])
            samples["next"].append(
                statistics.median(driver.execute_script(NEXT_DOC) for _ in range(10))
            )
            samples["filter"].append(driver.execute_script(FILTER, "copy 1"))
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        if errors:
            raise SystemExit(f"console errors on {page}: {errors}")
    return {k: statistics.median(v) for k, v in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=2000, help="documents in the largest run")
    parser.add_argument("--repeat", type=int, default=5, help="page opens per measurement")
    parser.add_argument(
        "--kinds", default="receipts,contracts", help="receipts,contracts (empty: none)"
    )
    parser.add_argument("--keep", type=Path, help="keep the runs and pages in this folder")
    parser.add_argument("--pdfs", type=int, default=20, help="NDA PDFs for the page-image cost")
    args = parser.parse_args(argv)
    if not (EVALDATA / "sroie").is_dir():
        raise SystemExit(f"evaluation data not found at {EVALDATA}")
    sizes = sorted({n for n in (20, 200, args.docs) if n <= args.docs})
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-review-"))
    rows = []
    try:
        for kind in [k for k in args.kinds.split(",") if k]:
            docs = work / kind / "docs"
            answers = make_folder(kind, args.docs, docs)
            out = work / kind / "run" / "run.parquet"
            seconds = run_pipeline(kind, docs, out, answers)
            print(
                f"{kind}: pipeline over {args.docs} documents in {seconds:.0f} s", file=sys.stderr
            )
            for n in sizes:
                table = first_n(out, n, work / kind / f"n{n}" / "run.parquet")
                started = time.perf_counter()
                page = write_review(table, images="none")
                build = time.perf_counter() - started
                opened = measure_open(page, args.repeat)
                rows.append((kind, n, page.stat().st_size, build, opened))
        images = pdf_images(work, args.pdfs) if args.pdfs else []
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(
        "| documents | kind | page size | build (s) | open: page ready (ms) | load event (ms) "
        "| next document (ms) | search (ms) |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for kind, n, size, build, t in rows:
        print(
            f"| {n:,} | {kind} | {size / 2**20:.1f} MiB | {build:.1f} | {t['ready']:.0f} "
            f"| {t['load']:.0f} | {t['next']:.1f} | {t['filter']:.1f} |"
        )
    if images:
        print(
            f"\n{args.pdfs} Kleister NDA PDFs, page images rendered at review time (800 px, grey PNG):\n"
        )
        print("| images | page size | build (s) | pages rendered | per page |")
        print("|---|---:|---:|---:|---:|")
        base = images[0][1]
        for choice, size, seconds, shown in images:
            per_page = f"{(size - base) / shown / 1024:.0f} KiB" if shown else "-"
            print(f"| {choice} | {size / 2**20:.1f} MiB | {seconds:.1f} | {shown} | {per_page} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
