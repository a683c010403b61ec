"""Where a quote is printed on its PDF page: rectangles from pdfium's text page.

The pipeline's page text is pdfium's own text page, normalised (line ends,
hyphens; `extract.ingest.pdf_text`), or pypdf's where pdfium could not read
the PDF (pages read by OCR get their boxes in `ocr_boxes`). So a quote is
matched to pdfium's characters by its letters
and digits alone (case folded), taking the same occurrence on the page as in
the pipeline's text, which is exact when the texts are the same and still
works when they are not; pdfium gives the rectangles of those characters.
Boxes are in PDF points with the origin at the top-left of the page as
displayed (crop box, rotation applied), so they draw straight onto a rendered
page image. A page without a text layer, or a quote pdfium does not have, gets
no box.
"""

from __future__ import annotations

import bisect
import ctypes
import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from extract.evidence.folding import fold
from extract.ingest.images import PDFIUM_LOCK

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger(__name__)
_SCALE = 100  # device units per point when mapping page space to the displayed page


def _one_at_a_time(fn: Callable[P, R]) -> Callable[P, R]:
    """PDFium is not thread-safe: every use in the process holds the one lock (scanned
    pages are rendered in worker threads while evidence is placed in the main one)."""

    @functools.wraps(fn)
    def locked(*args: P.args, **kwargs: P.kwargs) -> R:
        with PDFIUM_LOCK:
            return fn(*args, **kwargs)

    return locked


@_one_at_a_time
def page_sizes(path: str | Path) -> list[tuple[float, float]] | None:
    """Each page's displayed [width, height] in points; None if not a readable PDF."""
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError, ValueError):
        return None
    try:
        return [_displayed_size(pdf, i) for i in range(len(pdf))]
    finally:
        pdf.close()


def _displayed_size(pdf: pdfium.PdfDocument, index: int) -> tuple[float, float]:
    page = pdf[index]
    try:
        return _page_size(page)
    finally:
        page.close()


def _page_size(page: pdfium.PdfPage) -> tuple[float, float]:
    width, height = page.get_size()  # as displayed: pdfium swaps them on a page turned 90°
    return round(width, 2), round(height, 2)


def quotes_by_page(
    pages: tuple[str, ...], quotes: Iterable[tuple[int, int]]
) -> dict[int, list[tuple[tuple[int, int], int, int]]]:
    """Each (char_start, char_end) quote of the document text cut at page ends: per 0-based
    page, (quote, start, end) with offsets into that page's text."""
    starts, pos = [], 0
    for page in pages:
        starts.append(pos)
        pos += len(page) + 2
    by_page: dict[int, list[tuple[tuple[int, int], int, int]]] = defaultdict(list)
    for quote in set(quotes):
        start, end = quote
        first = bisect.bisect_right(starts, start) - 1
        last = bisect.bisect_right(starts, max(start, end - 1)) - 1
        for p in range(first, last + 1):
            lo, hi = max(start, starts[p]), min(end, starts[p] + len(pages[p]))
            if lo < hi:
                by_page[p].append((quote, lo - starts[p], hi - starts[p]))
    return by_page


@_one_at_a_time
def quote_boxes(
    path: str | Path,
    pages: tuple[str, ...],
    quotes: Iterable[tuple[int, int]],
    skip: Iterable[int] = (),
) -> dict[tuple[int, int], list[list[float]]]:
    """For each (char_start, char_end) quote of the document text, its boxes
    `[[page, x0, y0, x1, y1], ...]`; quotes that cannot be placed are left out, and so
    are the 0-based pages in `skip` (pages read by OCR: their text is not pdfium's)."""
    by_page = quotes_by_page(pages, quotes)
    for p in skip:
        by_page.pop(p, None)
    if not by_page:
        return {}
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError, ValueError) as exc:
        log.info("no boxes for %s: %s", path, exc)
        return {}
    boxes: dict[tuple[int, int], list[list[float]]] = defaultdict(list)
    try:
        for p, parts in sorted(by_page.items()):
            if p >= len(pdf):
                continue
            for quote, rects in _page_boxes(pdf, p, pages[p], parts):
                boxes[quote].extend([p + 1, *r] for r in rects)
    finally:
        pdf.close()
    return {q: b for q, b in boxes.items() if b}


def _page_boxes(
    pdf: pdfium.PdfDocument, index: int, ours: str, parts: list[tuple[Any, int, int]]
) -> list[tuple[Any, list[list[float]]]]:
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        n = textpage.count_chars()
        theirs = textpage.get_text_range(0, n) if n > 0 else ""
        if len(theirs) != n:  # pdfium added characters: read them one by one
            theirs = "".join(textpage.get_text_range(i, 1)[:1] or " " for i in range(n))
        their_chars, their_offsets = fold(theirs)
        our_chars, our_offsets = fold(ours)
        displayed = _to_displayed(page, *_page_size(page))
        out = []
        for key, lo, hi in parts:
            first_char = bisect.bisect_left(our_offsets, lo)
            pattern = our_chars[first_char : bisect.bisect_left(our_offsets, hi)]
            if not pattern:
                continue
            # the same occurrence as in our text: count the ones before it
            before = our_chars.count(pattern, 0, first_char)
            at = -1
            for _ in range(before + 1):
                found = their_chars.find(pattern, at + 1)
                if found < 0:
                    break
                at = found
            if at < 0:
                continue
            first, last = their_offsets[at], their_offsets[at + len(pattern) - 1]
            rects = [
                displayed(textpage.get_rect(i))
                for i in range(textpage.count_rects(first, last - first + 1))
            ]
            out.append((key, rects))
        return out
    finally:
        textpage.close()
        page.close()


def _to_displayed(
    page: pdfium.PdfPage, width: float, height: float
) -> Callable[[tuple[float, float, float, float]], list[float]]:
    """The map of (left, bottom, right, top) page-space rectangles to [x0, y0, x1, y1] from
    the displayed page's top-left corner: pdfium's own page-to-device transform (crop box
    and rotation), taken once per page at three points, as an affine map."""

    def device(x: float, y: float) -> tuple[float, float]:
        dx, dy = ctypes.c_int(), ctypes.c_int()
        pdfium_c.FPDF_PageToDevice(
            page.raw,
            0,
            0,
            round(width * _SCALE),
            round(height * _SCALE),
            0,
            x,
            y,
            ctypes.byref(dx),
            ctypes.byref(dy),
        )
        return dx.value / _SCALE, dy.value / _SCALE

    ox, oy = device(0, 0)
    ax, ay = device(1000, 0)
    bx, by = device(0, 1000)
    a, b, c, d = (ax - ox) / 1000, (ay - oy) / 1000, (bx - ox) / 1000, (by - oy) / 1000

    def convert(rect: tuple[float, float, float, float]) -> list[float]:
        left, bottom, right, top = rect
        xs = (ox + a * left + c * bottom, ox + a * right + c * top)
        ys = (oy + b * left + d * bottom, oy + b * right + d * top)
        return [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)]

    return convert
