"""Scanned pages: which pages count as scanned, and reading them (OCR, page images).

The rule. A PDF page counts as scanned when its text layer is too thin for its
area, fewer than `CHARS_PER_SQUARE_INCH` visible characters per square inch
(at least `MIN_CHARS`: 94 on a Letter or A4 page), and images cover at least
`MIN_IMAGE_COVER` of it. A thin page without such an image is a blank, a
signature or a title page, and keeps its text layer: all 27 text-less pages
of the 540 Kleister NDA PDFs are of that kind (a page number, a 24-px icon),
and none of their pages has an image covering more than a tenth of it. Every
page of an image file counts as scanned.

Reading the marked pages (OCR, page images) is `extract.ingest.scan_route`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from PIL import Image

from extract.ingest.images import (
    image_frame,
    image_frame_size,
    pdf_page_image,
    pdf_page_size,
    pdf_scanned_pages,
)

CHARS_PER_SQUARE_INCH = 1.0
MIN_CHARS = 20
MIN_IMAGE_COVER = 0.25
POINTS_PER_SQUARE_INCH = 72 * 72
MAX_CANDIDATE_AREA_IN2 = 400  # pages up to 20 x 20 inches are checked by the rule


@dataclass(frozen=True)
class Raster:
    """How to get a document's page images: a PDF rendered by PDFium, or an image file."""

    kind: Literal["pdf", "image"]
    data: bytes = field(repr=False)
    n_pages: int

    def page(self, index: int) -> Image.Image:
        if self.kind == "pdf":
            return pdf_page_image(self.data, index)
        return image_frame(self.data, index)

    def page_size(self, index: int) -> tuple[float, float]:
        """The page as a person opens it: PDF points, or the image file's pixels."""
        if self.kind == "pdf":
            return pdf_page_size(self.data, index)
        return image_frame_size(self.data, index)

    @property
    def unit(self) -> Literal["pt", "px"]:
        return "pt" if self.kind == "pdf" else "px"


def thin_text(text: str, width_pt: float, height_pt: float) -> bool:
    """Too few visible characters for the page's area to be a page of text."""
    visible = sum(not c.isspace() for c in text)
    area_in2 = max(width_pt * height_pt, 0.0) / POINTS_PER_SQUARE_INCH
    return visible < max(MIN_CHARS, CHARS_PER_SQUARE_INCH * area_in2)


def find_scanned(data: bytes, pages: list[str]) -> list[int]:
    """The 0-based pages of a PDF that count as scanned (the rule above).

    Only pages too thin for the largest page size we expect are looked at with
    PDFium (their size and images); a page of real text never is.
    """
    largest = MAX_CANDIDATE_AREA_IN2 * POINTS_PER_SQUARE_INCH
    candidates = {i: t for i, t in enumerate(pages) if thin_text(t, largest, 1.0)}
    if not candidates:
        return []
    return sorted(pdf_scanned_pages(data, candidates, thin_text, MIN_IMAGE_COVER))
