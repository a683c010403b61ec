"""OCR text and where each piece of it lies on the page.

RapidOCR gives a box (four corner points) and a text for each piece it
recognises, usually a line or part of one. `reading_order` lays those pieces
out as text, lines top to bottom and pieces left to right, and keeps each
piece's span in that text with its rectangle, so a quote found in OCR text can
be drawn where it is printed (`extract.evidence.ocr_boxes`).

Rectangles are `[x0, y0, x1, y1]` from the top-left corner. In `OcrText` they
are pixels of the image OCR read (a rendered page, a downscaled photo);
`on_page` maps them to the page as a person opens it: PDF points for a page of
a PDF (like the text-layer boxes of `extract.evidence.boxes`), pixels of the
image file as displayed (EXIF orientation applied) for a picture.
"""

from __future__ import annotations

import json
import statistics
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

Unit = Literal["pt", "px"]
# (char_start, char_end, x0, y0, x1, y1): a recognised piece's span in the page text, its box
Span = tuple[int, int, float, float, float, float]


@dataclass(frozen=True)
class PageBoxes:
    """The recognised pieces of one OCR'd page, in page coordinates (`unit`)."""

    unit: Unit
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class OcrText:
    """One page as OCR read it: its text and, per recognised piece, span and pixel box."""

    text: str
    size: tuple[int, int] = (0, 0)  # width, height of the image that was read
    spans: tuple[Span, ...] = ()

    def on_page(self, width: float, height: float, unit: Unit) -> PageBoxes:
        """The boxes scaled from the image read to a page `width` x `height` in `unit`."""
        w, h = self.size
        if w <= 0 or h <= 0:
            return PageBoxes(unit, ())
        sx, sy = width / w, height / h
        return PageBoxes(
            unit,
            tuple(
                (s, e, round(x0 * sx, 2), round(y0 * sy, 2), round(x1 * sx, 2), round(y1 * sy, 2))
                for s, e, x0, y0, x1, y1 in self.spans
            ),
        )

    def to_json(self) -> str:
        return json.dumps({"text": self.text, "size": self.size, "spans": self.spans})

    @classmethod
    def from_json(cls, raw: str) -> OcrText:
        """Raises ValueError (KeyError, TypeError as ValueError) on a line it cannot read."""
        try:
            data = json.loads(raw)
            size = (int(data["size"][0]), int(data["size"][1]))
            spans = tuple(
                (int(s), int(e), float(a), float(b), float(c), float(d))
                for s, e, a, b, c, d in data["spans"]
            )
            return cls(str(data["text"]), size, spans)
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"not an OCR result: {exc}") from None


def reading_order(
    boxes: Sequence[Any], texts: Sequence[str], size: tuple[int, int] = (0, 0)
) -> OcrText:
    """OCR pieces (4 corner points each) as text: lines top to bottom, pieces left to right.

    Two pieces share a line when their vertical centres are closer than half the
    typical piece height, so a slightly tilted scan still reads line by line.
    """
    items = []
    for box, text in zip(boxes, texts, strict=False):
        # full-width forms as ASCII: the recogniser writes a Malaysian receipt's brackets
        # as "（" and "）", which neither the gold nor a search for "(" matches
        text = unicodedata.normalize("NFKC", str(text)).strip()
        if not text:
            continue
        xs = [float(p[0]) for p in box]
        ys = [float(p[1]) for p in box]
        rect = (min(xs), min(ys), max(xs), max(ys))
        items.append(((rect[1] + rect[3]) / 2, rect[3] - rect[1], rect, text))
    if not items:
        return OcrText("", size)
    tolerance = max(2.0, statistics.median(i[1] for i in items) / 2)
    items.sort(key=lambda i: i[0])
    lines: list[list[Any]] = []
    for item in items:
        if lines and abs(item[0] - sum(i[0] for i in lines[-1]) / len(lines[-1])) <= tolerance:
            lines[-1].append(item)
        else:
            lines.append([item])
    parts: list[str] = []
    spans: list[Span] = []
    at = 0
    for n, line in enumerate(lines):
        for k, (_, _, rect, text) in enumerate(sorted(line, key=lambda i: i[2][0])):
            if k or n:
                parts.append(" " if k else "\n")
                at += 1
            parts.append(text)
            spans.append((at, at + len(text), *(round(v, 1) for v in rect)))  # type: ignore[misc]
            at += len(text)
    return OcrText("".join(parts), size, tuple(spans))
