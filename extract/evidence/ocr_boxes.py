"""Where a quote is printed on a page read by OCR: from the boxes of the pieces it spans.

OCR keeps, for each piece of text it recognised (a line or part of one), its
span of the page text and its rectangle on the page (`extract.ingest.ocr_layout`).
A quote gets, per line it touches, the union of the parts of those pieces it
covers; a part of a piece is cut out of the piece's rectangle by its share of
the piece's characters (a good approximation for printed text: characters of a
line are about equally wide). Coordinates are those of the page: PDF points for
a scanned PDF page, pixels for an image file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from extract.evidence.boxes import quotes_by_page
from extract.ingest.ocr_layout import PageBoxes, Span

Rect = list[float]  # [x0, y0, x1, y1]


def ocr_quote_boxes(
    pages: tuple[str, ...], ocr: dict[int, PageBoxes], quotes: Iterable[tuple[int, int]]
) -> dict[tuple[int, int], list[list[float]]]:
    """For each (char_start, char_end) quote of the document text that lies on a page in
    `ocr` (0-based page -> its boxes), its boxes `[[page, x0, y0, x1, y1], ...]`."""
    out: dict[tuple[int, int], list[list[float]]] = defaultdict(list)
    for p, parts in sorted(quotes_by_page(pages, quotes).items()):
        if p not in ocr:
            continue
        for quote, lo, hi in parts:
            out[quote].extend([p + 1, *rect] for rect in span_rects(ocr[p].spans, lo, hi))
    return {q: b for q, b in out.items() if b}


def span_rects(spans: tuple[Span, ...], lo: int, hi: int) -> list[Rect]:
    """The rectangles of page text [lo, hi): one per line, each the union of the covered
    parts of the pieces on it (pieces are in reading order, as in the text)."""
    rects: list[Rect] = []
    for start, end, x0, y0, x1, y1 in spans:
        a, b = max(lo, start), min(hi, end)
        if a >= b:
            continue
        share = (x1 - x0) / max(1, end - start)
        rect = [x0 + share * (a - start), y0, x0 + share * (b - start), y1]
        if rects and _same_line(rects[-1], rect):
            last = rects[-1]
            rects[-1] = [
                min(last[0], rect[0]),
                min(last[1], y0),
                max(last[2], rect[2]),
                max(last[3], y1),
            ]
        else:
            rects.append(rect)
    return [[round(v, 2) for v in r] for r in rects]


def _same_line(a: Rect, b: Rect) -> bool:
    """Whether two rectangles overlap by at least half the lower one's height."""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= 0.5 * min(a[3] - a[1], b[3] - b[1])
