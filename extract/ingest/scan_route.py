"""Reading a document's scanned pages: OCR text and page images, in a worker thread.

`read_scans()` follows the run's `ScanRoute`: OCR when it is installed (also
beside page images, so values read from an image can be checked against its
text), page images when the backend reads them and `--vision` allows it. Which
pages count as scanned is `extract.ingest.scans`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Literal

from PIL import Image

from extract.errors import DocumentError
from extract.ingest.documents import Document

if TYPE_CHECKING:
    from extract.ingest.ocr import OcrReader

Vision = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class ScanRoute:
    """How this run reads scanned pages.

    `images` is whether page images may go to the model (a backend that reads
    them, `--vision` not `never`, and no refusal yet); `refused` says why a
    model stopped getting them (an endpoint that rejected images).
    """

    vision: Vision = "auto"
    images: bool = False
    refused: str | None = None
    ocr: OcrReader | None = None
    encode: Callable[[Image.Image, int], object] | None = None  # page image -> PageImageRef

    def needs_work(self, doc: Document) -> bool:
        return bool(doc.scanned) or (self.images and self.vision == "always")


def read_scans(doc: Document, route: ScanRoute) -> Document:
    """`doc` with its scanned pages read: OCR text and/or page images attached.

    Raises DocumentError only when no page of the document can be read at all;
    a page that fails otherwise is a `problem` (the document ends `partial`).
    """
    if not route.needs_work(doc):
        return doc
    image_pages = set()
    if route.images and route.encode is not None:
        image_pages = set(range(len(doc.pages))) if route.vision == "always" else set(doc.scanned)
    pages = list(doc.pages)
    sources = list(doc.sources or doc.page_sources)
    images: list[object] = []
    problems = list(doc.problems)
    boxes = list(doc.ocr_boxes)
    for index in sorted(set(doc.scanned) | image_pages):
        try:
            img = _page_image(doc, index)
        except DocumentError as exc:
            problems.append(f"page {index + 1}: {exc}")
            continue
        if index in doc.scanned:
            if route.ocr is not None:
                read = route.ocr.read_text(img)
                pages[index], sources[index] = read.text, "ocr"
                if read.spans and doc.raster is not None:
                    try:
                        size = doc.raster.page_size(index)
                    except DocumentError:  # it rendered, so unlikely: the text still counts
                        size = None
                    if size is not None:
                        boxes.append((index, read.on_page(*size, doc.raster.unit)))
            elif index not in image_pages:
                problems.append(f"page {index + 1}: {_missing_ocr(route)}")
        if index in image_pages and route.encode is not None:
            ref = replace(route.encode(img, index), has_text=bool(pages[index].strip()))  # type: ignore[type-var]
            images.append(ref)
            pages[index] = f"{pages[index]}\n{ref.marker}" if pages[index] else ref.marker  # type: ignore[attr-defined]
            sources[index] = "vision"
    unread = [i for i in doc.scanned if sources[i] == ""]
    if problems and len(unread) == len(pages):
        raise DocumentError("; ".join(problems))
    notes = list(doc.notes)
    if route.refused and doc.scanned:
        notes.append(f"scanned pages read by OCR: {route.refused}")
    return replace(
        doc,
        pages=tuple(pages),
        sources=tuple(sources),
        images=tuple(images),  # type: ignore[arg-type]
        problems=tuple(problems),
        notes=tuple(notes),
        ocr_boxes=tuple(boxes),
    )


def _page_image(doc: Document, index: int) -> Image.Image:
    if doc.raster is None:
        raise DocumentError("no page images for this document")
    return doc.raster.page(index)


def _missing_ocr(route: ScanRoute) -> str:
    from extract.ingest.ocr import MISSING

    return f"{MISSING}; {route.refused}" if route.refused else MISSING
