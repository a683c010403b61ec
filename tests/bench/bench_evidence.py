"""Benchmark: what evidence costs, beside its baselines, in one run.

    make bench                      # runs this after bench_pipeline
    python -m tests.bench.bench_evidence --invoices 4 --items 300 --pdfs 20

1. The fuzzy search per value on a long contract (CUAD, about 190,000
   characters): the pure-Python bit-parallel loop grounding used before
   (`tests/bench/myers_baseline.py`) against edlib, on the same values.
2. The pipeline's own CPU time per page with `--evidence off` and `flag`, on
   long invoices with line items (PDF, generated), real Kleister NDA PDFs and
   the long sample contract, the evidence step's own CPU time (counted inside
   it, so not blurred by a busy machine) and reading the files alone. The fake API runs in its own process and answers
   like a model (values copied from the chunk, a few rewritten, a few made up),
   so every value is searched for and the CPU measured is the pipeline's alone.
"""

from __future__ import annotations

import argparse
import random
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extract import extract_paths
from extract.evidence.fuzzy import fuzzy_find
from extract.evidence.grounding import ERROR_RATE, NormalisedText
from extract.ingest.documents import read_document
from extract.ingest.pdf_reader import reading_with
from extract.ingest.pdf_text import READERS
from extract.run import core
from tests.bench.common import bench_config, cpu_seconds, fake_api, scratch
from tests.bench.myers_baseline import fuzzy_find as myers_fuzzy_find
from tests.conftest import EVALDATA, NDA_PDFS, ROOT
from tests.fake_server import document_text, request_schema, schema_responder
from tests.make_sample_docs import paginate, write_pdf

CUAD_TEXT = EVALDATA / "cuad" / "full_contract_txt"
LONG_CONTRACT = "INNOVIVA,INC_08_07_2014-EX-10.1-COLLABORATION AGREEMENT.txt"  # 191,804 chars
LINE = re.compile(r"^\s*(\d+)\s+(.+?)\s+GBP\s+([\d.]+)\s+GBP\s+([\d,.]+)$", re.MULTILINE)
STATES = ("Delaware", "New York", "California", "Texas", "Massachusetts", "Illinois", "Nevada")
PRODUCTS = ("Hex bolt M8x40", "Washer M8 zinc", "Lock nut M8", "Threaded rod M10 1m", "Drill bit")


# --- the fake model (runs in the fake server's process) ----------------------------------


def _fill(request) -> dict[str, Any]:
    text = document_text(request)
    schema, _ = request_schema(request.body)
    fields = set((schema or {}).get("properties", {}))
    words = re.findall(r"[A-Z][a-z]{3,}(?: [A-Za-z]{3,}){2}", text) or ["Nothing Found Here"]
    if "line_items" in fields:
        items: list[dict[str, Any]] = [
            {
                "description": m.group(2),
                "quantity": int(m.group(1)),
                "unit_price": float(m.group(3)),
                "amount": float(m.group(4).replace(",", "")),
            }
            for m in LINE.finditer(text)
        ]
        items.append({"description": "Gold plated hammer", "quantity": 3, "amount": 2997.0})
        return {
            "invoice_number": "ACME-2024-017",
            "issue_date": "2024-03-14",
            "vendor": {"name": "Acme Industrial Supplies Ltd", "address": "1 Nowhere Lane"},
            "line_items": items,
        }
    if "jurisdiction" in fields:
        date = re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", text)
        return {
            "parties": [words[0], words[len(words) // 2], "Imaginary Holdings Incorporated"],
            "effective_date": date.group(0) if date else None,
            "jurisdiction": next((s for s in STATES if s in text), "Wyoming"),
            "term": "17 fortnights",
        }
    return {
        "document_name": words[0],
        "parties": [words[len(words) // 3], "Imaginary Holdings Incorporated"],
        "governing_law": next((s for s in STATES if s in text), "Wyoming"),
        "renewal_term": "12 months",
    }


answer = schema_responder(_fill)


# --- 1. the fuzzy search -----------------------------------------------------------------


def fuzzy_per_value(n_values: int) -> None:
    text = (CUAD_TEXT / LONG_CONTRACT).read_text(encoding="utf-8", errors="replace")
    folded = NormalisedText(text).chars
    rng = random.Random(3)
    values = []
    for i in range(n_values):
        if i % 2:  # a phrase of the text with a typo: found approximately
            start = rng.randrange(0, len(folded) - 40)
            phrase = list(folded[start : start + rng.randint(12, 36)])
            phrase[len(phrase) // 2] = "x"
            values.append("".join(phrase))
        else:  # a made-up value: the whole text is searched in vain
            values.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(24)))
    timings = {}
    found = {}
    for name, find in (("pure Python (before)", myers_fuzzy_find), ("edlib (now)", fuzzy_find)):
        start = time.process_time()
        found[name] = [find(v, folded, int(len(v) * ERROR_RATE)) for v in values]
        timings[name] = (time.process_time() - start) / len(values)
    same = found["pure Python (before)"] == found["edlib (now)"]
    print(
        f"Fuzzy search per value in a {len(text):,}-character contract ({len(values)} values, "
        f"half with a typo, half made up; same spans found: {same}):"
    )
    for name, seconds in timings.items():
        print(f"  {name:22} {1000 * seconds:9.3f} ms/value")
    base, now = timings["pure Python (before)"], timings["edlib (now)"]
    print(f"  speed-up               {base / now:9.0f}x")


# --- 2. the pipeline ---------------------------------------------------------------------

STEP_CPU = [0.0]  # CPU seconds spent in the evidence step, all documents of a run


def _timed(step: Callable[..., Any]) -> Callable[..., Any]:
    """The evidence step, counting its own thread's CPU time (the pool runs it in threads)."""

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.thread_time()
        try:
            return step(*args, **kwargs)
        finally:
            STEP_CPU[0] += time.thread_time() - start

    return timed


def long_invoice(path: Path, n_items: int, seed: int) -> None:
    rng = random.Random(seed)
    lines = [
        "ACME INDUSTRIAL SUPPLIES LTD",
        "Invoice No: ACME-2024-017",
        "Invoice date: 14 March 2024",
    ]
    lines += ["", "Qty  Description                       Unit price    Amount"]
    for i in range(n_items):
        qty, price = rng.randint(1, 40), rng.randint(100, 5000) / 100
        name = f"{PRODUCTS[i % len(PRODUCTS)]} batch {i // len(PRODUCTS)}"
        lines.append(f"{qty:3}  {name:<34}GBP {price:8.2f}  GBP {qty * price:9.2f}")
    write_pdf(path, paginate(lines))


def pipeline_cpu(n_invoices: int, n_items: int, n_pdfs: int) -> None:
    core.document_evidence = _timed(core.document_evidence)
    with scratch() as folder:
        invoices = []
        for i in range(n_invoices):
            long_invoice(folder / f"invoice-{i}.pdf", n_items, seed=i)
            invoices.append(folder / f"invoice-{i}.pdf")
        ndas = sorted(NDA_PDFS.glob("*.pdf"))[:n_pdfs]
        sets = {  # PDF text by PDFium; the NDAs also by pypdf alone, the reader before it
            f"invoices, {n_items} line items each": (invoices, "invoice", READERS),
            "Kleister NDA PDFs, pypdf (before)": (ndas, "nda", ("pypdf",)),
            "Kleister NDA PDFs, PDFium": (ndas, "nda", READERS),
            "long contract (3 chunks)": (
                [ROOT / "sample_docs" / "master-services-agreement-long.txt"],
                "contract",
                READERS,
            ),
        }
        print(
            "Pipeline CPU time per page, evidence off and on (fake API in its own process), "
            "and reading the files alone:"
        )
        print(
            f"  {'documents':34} {'docs':>5} {'pages':>6} {'values':>7} {'off':>9} {'flag':>9} "
            f"{'step':>9} {'reading':>9}"
        )
        with fake_api(0.0, responder="tests.bench.bench_evidence:answer") as url:
            for label, (paths, schema, readers) in sets.items():
                with reading_with(readers):
                    line = _pipeline_line(url, label, paths, schema)
                print(line, flush=True)


def _pipeline_line(url: str, label: str, paths: list[Path], schema: str) -> str:
    cpu: dict[str, float] = {}
    step = []
    for mode in ("off", "flag") * 3:  # interleaved, three times; the lowest counts
        config = bench_config(url, 8, evidence=mode, context_window=32_768)
        start, STEP_CPU[0] = cpu_seconds(), 0.0
        report = extract_paths(paths, schema, config, progress=False)
        spent = cpu_seconds() - start
        cpu[mode] = min(cpu.get(mode, spent), spent)
        if mode == "flag":
            step.append(STEP_CPU[0])
        if mode == "flag":
            values = len(report.tables.evidence)
    pages = int(report.tables.documents["pages"].sum())
    start = cpu_seconds()
    for path in paths:
        read_document(path)
    reading = 1000 * (cpu_seconds() - start) / pages
    off, on = 1000 * cpu["off"] / pages, 1000 * cpu["flag"] / pages
    inside = 1000 * min(step) / pages
    return (
        f"  {label:34} {len(paths):5} {pages:6} {values:7} {off:6.1f} ms {on:6.1f} ms "
        f"{inside:6.1f} ms {reading:6.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=40, help="values for the fuzzy search")
    parser.add_argument("--invoices", type=int, default=4, help="long invoices (PDF)")
    parser.add_argument("--items", type=int, default=300, help="line items per invoice")
    parser.add_argument("--pdfs", type=int, default=20, help="Kleister NDA PDFs")
    args = parser.parse_args()
    fuzzy_per_value(args.values)
    pipeline_cpu(args.invoices, args.items, args.pdfs)


if __name__ == "__main__":
    main()
