"""Benchmark: OCR seconds per page (the `ocr` extra) beside reading the same pages' text layer.

    make bench-ocr          # or: python -m tests.bench.bench_ocr --receipts 5 --pages 3

Two kinds of page, measured in the same run, OCR cache off:
- real scanned receipts (SROIE 000..): decode + OCR per receipt, and how many gold field
  values (company, date, address, total) appear in the OCR text, beside the same count
  for the human transcription the text set uses;
- Kleister NDA dev-0 pages: the text layer read by pypdf (the baseline), the page rendered
  at 150 dpi by PDFium, and OCR of that render; OCR text compared with the text layer.
"""

from __future__ import annotations

import argparse
import difflib
import os
import time
from pathlib import Path

from pypdf import PdfReader

from extract.evaluation.loaders import load_module
from extract.ingest.images import image_frame, pdf_page_image
from extract.ingest.ocr import OcrReader, engine_id


def squash(text: str) -> str:
    return "".join(text.split()).upper()


def bench_receipts(reader: OcrReader, n: int) -> list[str]:
    sroie = load_module("sroie")
    rows = [r for r in sroie.iter_docs() if sroie.image_path(r[0])][:n]
    seconds, found_ocr, found_text, fields = [], 0, 0, 0
    for doc_id, text, gold in rows:
        data = Path(sroie.image_path(doc_id)).read_bytes()
        start = time.perf_counter()
        ocr = reader.read(image_frame(data, 0))
        seconds.append(time.perf_counter() - start)
        for values in gold.values():
            for value in values:
                fields += 1
                found_ocr += squash(value) in squash(ocr)
                found_text += squash(value) in squash(text)
    return [
        f"| SROIE receipts (real scans) | {len(rows)} | decode + OCR | "
        f"{sum(seconds) / len(seconds):.2f} (max {max(seconds):.2f}) | "
        f"gold values in the text: OCR {found_ocr}/{fields}, human transcription "
        f"{found_text}/{fields} |"
    ]


def bench_pages(reader: OcrReader, n: int) -> list[str]:
    nda = load_module("kleister_nda")
    doc_id = next(iter(nda.iter_docs("dev-0")))[0]
    data = Path(nda.pdf_path(doc_id)).read_bytes()
    pages = PdfReader(nda.pdf_path(doc_id)).pages[:n]
    text_s, render_s, ocr_s, similarity = [], [], [], []
    for i, page in enumerate(pages):
        start = time.perf_counter()
        layer = page.extract_text() or ""
        text_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        img = pdf_page_image(data, i, dpi=150)
        render_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        ocr = reader.read(img)
        ocr_s.append(time.perf_counter() - start)
        similarity.append(
            difflib.SequenceMatcher(None, squash(layer), squash(ocr), autojunk=False).ratio()
        )
    mean = lambda xs: sum(xs) / len(xs)  # noqa: E731
    return [
        f"| Kleister NDA dev-0 pages ({doc_id[:8]}) | {len(pages)} | text layer (pypdf) | "
        f"{mean(text_s):.3f} | baseline |",
        f"| same pages, rendered at 150 dpi | {len(pages)} | render (PDFium) | "
        f"{mean(render_s):.3f} | {img.size[0]}x{img.size[1]} px |",
        f"| same pages, rendered at 150 dpi | {len(pages)} | OCR | {mean(ocr_s):.2f} "
        f"(max {max(ocr_s):.2f}) | characters like the text layer: {mean(similarity):.3f} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=5, help="SROIE scans to read")
    parser.add_argument("--pages", type=int, default=3, help="Kleister NDA pages to read")
    parser.add_argument("--threads", type=int, default=None, help="OCR threads (default: all)")
    args = parser.parse_args()
    reader = OcrReader(cache_dir=None, threads=args.threads)
    start = time.perf_counter()
    reader.read(image_frame(Path(load_module("sroie").image_path("000")).read_bytes(), 0))
    warm = time.perf_counter() - start
    print(f"{engine_id()}, {reader.threads} threads, {os.cpu_count()} CPUs; "
          f"first call (loads the models) {warm:.2f} s")  # fmt: skip
    print("| pages | n | step | s/page | notes |")
    print("|---|---|---|---|---|")
    for line in bench_receipts(reader, args.receipts) + bench_pages(reader, args.pages):
        print(line, flush=True)


if __name__ == "__main__":
    main()
