"""The evidence step of one document: rows for its final values, and their boxes on the page
(a PDF's text layer by pdfium, a scanned page or image by its OCR boxes).

Called by `finish_document` after the merge, so a single document, the pool
and any distributed engine get the same evidence.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

from extract.evidence.boxes import quote_boxes
from extract.evidence.elsewhere import Elsewhere
from extract.evidence.ocr_boxes import ocr_quote_boxes
from extract.evidence.rows import ChunkSpan, DocumentEvidence, EvidencePolicy, collect_evidence
from extract.ingest.chunking import Chunk
from extract.ingest.documents import Document


class ChunkAnswer(Protocol):
    """What this step reads of a chunk's outcome (`extract.run.core.ChunkOutcome`)."""

    chunk: Chunk
    data: dict[str, Any] | None
    confidence: dict[str, tuple[Any, float]]


def document_evidence(
    doc: Document,
    data: dict[str, Any],
    outcomes: Sequence[ChunkAnswer],
    origins: dict[str, list[str]],
    last_wins: frozenset[str],
    policy: EvidencePolicy,
    avoid: dict[str, Elsewhere] | None = None,
) -> DocumentEvidence:
    """Evidence for `data`, merged from `outcomes` (all of the document's, in order);
    `avoid`: by field, the places its quote is not taken from (`not_from`, `not_after`)."""
    good = [o for o in outcomes if o.data is not None]
    evidence = collect_evidence(
        doc.doc_id,
        doc.text,
        page_starts(doc.pages),
        data,
        chunks=[ChunkSpan(o.chunk.label, o.chunk.char_start, o.chunk.char_end) for o in outcomes],
        answers=[(o.chunk.label, o.data) for o in good if o.data is not None],
        origins=origins,
        last_wins=last_wins,
        confidences={o.chunk.label: o.confidence for o in good if o.confidence},
        policy=policy,
        avoid=avoid,
    )
    pdf = doc.source.lower().endswith(".pdf")
    ocr = dict(doc.ocr_boxes)
    if not pdf and not ocr:
        return evidence
    located = [r for r in evidence.rows if r.char_start is not None and r.char_end is not None]
    quotes = [(r.char_start, r.char_end) for r in located]
    boxes = quote_boxes(doc.source, doc.pages, quotes, skip=ocr) if pdf else {}
    for quote, rects in ocr_quote_boxes(doc.pages, ocr, quotes).items():
        boxes[quote] = sorted(boxes.get(quote, []) + rects, key=lambda r: r[0])
    unit = "pt" if pdf else "px"  # a PDF's pages in points, scanned or not; an image's pixels
    for row in located:
        rects = boxes.get((row.char_start, row.char_end))
        if rects:
            row.bbox, row.bbox_unit = json.dumps(rects), unit
    return evidence


def page_starts(pages: tuple[str, ...]) -> list[int]:
    """Where each page begins in the document text (pages joined by a blank line)."""
    starts, pos = [], 0
    for page in pages:
        starts.append(pos)
        pos += len(page) + 2
    return starts
