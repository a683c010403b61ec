"""The text sidecar: each document's text as the pipeline read it, kept beside the tables.

The evidence table's offsets point into these texts, so evidence stays
checkable (and a review page can show it) without the original files.
`<stem>.texts.jsonl.gz` holds one JSON object per document (each `doc_id`
once): its pages (the document text is the pages joined by a blank line), each
PDF page's displayed size in points (an image file's frames in pixels: the
units of the evidence boxes), and the chunks it was cut into.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.evidence.boxes import page_sizes
from extract.ingest.documents import PAGE_SEPARATOR
from extract.ingest.images import IMAGE_SUFFIXES, image_page_sizes
from extract.ingest.readable import readable_text
from extract.output.results import DocumentResult
from extract.output.writers import usual_file_mode


@dataclass(frozen=True)
class DocText:
    """One line of the sidecar."""

    doc_id: str
    source: str
    pages: tuple[str, ...]
    page_sizes: tuple[tuple[float, float], ...] | None
    chunks: tuple[dict[str, Any], ...]

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(self.pages)


def texts_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.texts.jsonl.gz")


def write_texts(results: list[DocumentResult], path: Path) -> Path:
    """Write the texts of every document that was read, atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        os.chmod(tmp, usual_file_mode())  # mkstemp makes it private; the user's umask applies
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as f:
            for line in _lines(results):
                f.write(json.dumps(line, ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def texts_bytes(results: list[DocumentResult]) -> bytes:
    """The same lines, gzipped in memory: a part of a Parquet dataset's `texts/` folder."""
    text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in _lines(results))
    return gzip.compress(text.encode("utf-8"), compresslevel=6, mtime=0)  # same bytes each time


def read_texts(path: Path) -> dict[str, DocText]:
    """The sidecar's documents by `doc_id`."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return parse_texts(f)


def parse_texts(lines: Iterable[str]) -> dict[str, DocText]:
    """Documents by `doc_id` from the sidecar's (or a texts part's) lines."""
    out: dict[str, DocText] = {}
    for raw in lines:
        if raw.strip():
            line = json.loads(raw)
            sizes = line.get("page_sizes")
            out[line["doc_id"]] = DocText(
                doc_id=line["doc_id"],
                source=line["source"],
                pages=tuple(line["pages"]),
                page_sizes=tuple(tuple(s) for s in sizes) if sizes is not None else None,
                chunks=tuple(line.get("chunks", ())),
            )
    return out


def _page_sizes(source: str) -> list[tuple[float, float]] | None:
    """A PDF's pages in points, an image file's frames in pixels: the units of its boxes."""
    suffix = Path(source).suffix.lower()
    if suffix == ".pdf":
        return page_sizes(source)
    if suffix in IMAGE_SUFFIXES:
        return image_page_sizes(source)  # type: ignore[return-value]
    return None


def _lines(results: list[DocumentResult]) -> Iterator[dict[str, Any]]:
    seen: set[str] = set()
    for r in results:
        doc = r.document
        if doc is None or doc.doc_id in seen:
            continue
        seen.add(doc.doc_id)
        sizes = _page_sizes(doc.source)
        chunks = sorted(r.chunks.values(), key=lambda c: c.index)
        yield {
            "doc_id": doc.doc_id,
            "source": readable_text(doc.source),  # a name's undecodable bytes as \\xNN
            "pages": list(doc.pages),
            "page_sizes": [list(s) for s in sizes] if sizes else None,
            "chunks": [
                {
                    "label": c.label,
                    "char_start": c.char_start,
                    "char_end": c.char_end,
                    "page_start": c.page_start,
                    "page_end": c.page_end,
                }
                for c in chunks
            ],
        }
