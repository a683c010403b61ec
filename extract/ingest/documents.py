"""Reading input files into `Document`s: PDFs page by page, text and Markdown whole,
image files (PNG, JPEG, TIFF, WEBP...) one page per frame.

Every file found becomes either a `Document` or a `DocumentError` saying why it
cannot be read, so the run can give each input a row in the output. Reading is
cheap: scanned pages are only marked here (see `extract.ingest.scans` for the
rule); their OCR or page images are made later, in the worker pool.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from extract.errors import DocumentError
from extract.ingest.images import IMAGE_SUFFIXES, count_frames
from extract.ingest.ocr_layout import PageBoxes
from extract.ingest.pdf_reader import PdfFailure, pdf_pages
from extract.ingest.readable import readable_text
from extract.ingest.running_lines import drop_running_lines
from extract.ingest.scans import Raster, find_scanned

if TYPE_CHECKING:
    from extract.llm.vision import PageImageRef

PAGE_SEPARATOR = "\n\n"  # between pages in Document.text; chunk offsets count it

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES | IMAGE_SUFFIXES
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_PAGES = 2000
MAX_READ_SECONDS = 120.0  # a PDF that takes longer to parse is refused, not waited on
MAX_PDF_MEMORY = 2 * 2**30  # address space of the PDF reader process (bytes)


@dataclass(frozen=True)
class Document:
    """A readable document: its text, page by page, and where it came from.

    `doc_id` is a hash of the file's bytes, so the same content always gets the
    same id, wherever it lies and however often it is run.
    """

    doc_id: str
    source: str
    pages: tuple[str, ...]
    scanned: tuple[int, ...] = ()  # 0-based pages with no usable text layer
    raster: Raster | None = field(default=None, repr=False, compare=False)
    sources: tuple[str, ...] = ()  # per page: text | ocr | vision ("" while unread)
    images: tuple[PageImageRef, ...] = field(default=(), repr=False)  # sent with the text
    problems: tuple[str, ...] = ()  # page-level failures: the document is at best partial
    notes: tuple[str, ...] = ()  # how pages were read, when it was not the plan
    # per OCR'd page (0-based): where each recognised piece of its text lies on the page
    ocr_boxes: tuple[tuple[int, PageBoxes], ...] = field(default=(), repr=False)

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(self.pages)

    @property
    def text_source(self) -> str:
        """text, ocr or vision when every page was read one way, else mixed."""
        kinds = set(self.page_sources) - {""}
        return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "text")

    @property
    def page_sources(self) -> tuple[str, ...]:
        """Per page: how it was read; before reading, "text", or "" for a scanned page."""
        if self.sources:
            return self.sources
        return tuple("" if i in self.scanned else "text" for i in range(len(self.pages)))

    @property
    def scanned_pages(self) -> str | None:
        """The scanned pages, 1-based, as printed in the tables ("1,3-4")."""
        return _ranges([i + 1 for i in self.scanned]) or None

    @property
    def n_pages(self) -> int:
        return len(self.pages)


def content_id(data: bytes) -> str:
    """A stable, short id for a document's bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def file_id(path: Path) -> str | None:
    """The content id of a file that could not be used as a document, if its bytes are readable."""
    try:
        if path.is_file() and path.stat().st_size <= MAX_FILE_BYTES:
            return content_id(path.read_bytes())
    except OSError:
        pass
    return None


@dataclass(frozen=True)
class Refused:
    """An input that is not read, and why (it still gets its row in the tables)."""

    path: Path
    reason: str


def discover(paths: Iterable[str | Path], *, skip: Iterable[Path] = ()) -> list[Path]:
    """The files `find_inputs` would read (refused ones left out)."""
    return [p for p in find_inputs(paths, skip=skip) if isinstance(p, Path)]


def find_inputs(paths: Iterable[str | Path], *, skip: Iterable[Path] = ()) -> list[Path | Refused]:
    """All files under the given files and folders, recursively, in a stable order.

    Hidden files and folders are skipped, and so are the files in `skip` (the
    run's own tables, audit log and cache, wherever they lie). Files of
    unsupported types are kept (they become error rows, not silent drops); so
    is a path that does not exist. A link inside a folder that leads out of it
    is not followed: it is `Refused`, and so gets an error row too.
    """
    skipped = {Path(p).resolve() for p in skip}
    found: list[Path | Refused] = []
    for raw in paths:
        path = Path(raw)
        found.extend(_walk(path) if path.is_dir() else [path])
    seen: set[Path] = set()
    unique = []
    for item in found:
        key = (item.path if isinstance(item, Refused) else item).resolve()
        if key in skipped or key in seen:
            continue
        seen.add(key)
        unique.append(item)
    return unique


def _walk(folder: Path) -> list[Path | Refused]:
    root = folder.resolve()
    found: list[Path | Refused] = []
    for here, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in dirs:
            link = Path(here) / name
            if link.is_symlink() and not link.resolve().is_relative_to(root):
                found.append(
                    Refused(link, "a link to a folder outside the input folder; not followed")
                )
        for name in files:
            if name.startswith("."):
                continue
            child = Path(here) / name
            if child.is_symlink() and not child.resolve().is_relative_to(root):
                found.append(
                    Refused(child, "a link to a file outside the input folder; not followed")
                )
            elif child.exists() and not child.is_file():
                found.append(Refused(child, "not a regular file"))  # a FIFO would block the run
            else:
                found.append(child)
    return sorted(found, key=lambda item: item.path if isinstance(item, Refused) else item)


def read_document(path: Path) -> Document:
    """Read one file; raise `DocumentError` with a clear reason if it cannot be used."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise DocumentError("file not found")
    if suffix not in SUPPORTED_SUFFIXES:
        raise DocumentError(
            f"unsupported file type {suffix or '(none)'!r}: supported are "
            + ", ".join(sorted(SUPPORTED_SUFFIXES))
        )
    size = path.stat().st_size
    if size == 0:
        raise DocumentError("empty file")
    if size > MAX_FILE_BYTES:
        raise DocumentError(f"file too large ({size // 2**20} MiB > {MAX_FILE_BYTES // 2**20} MiB)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read file: {exc.strerror or exc}") from exc
    doc_id = content_id(data)
    if suffix in IMAGE_SUFFIXES:
        n = count_frames(data)
        return Document(doc_id, str(path), ("",) * n, tuple(range(n)), Raster("image", data, n))
    if suffix in TEXT_SUFFIXES:
        text = _decode_text(data)
        if not text.strip():
            raise DocumentError("document has no text")
        return Document(doc_id=doc_id, source=str(path), pages=(text,))
    pages, note = _pdf_pages(data)
    scanned = find_scanned(data, pages)
    pages = drop_running_lines(pages, skip=set(scanned))
    if not scanned and not any(page.strip() for page in pages):
        raise DocumentError("document has no text layer and no scanned pages (blank PDF)")
    raster = Raster("pdf", data, len(pages))
    notes = (note,) if note else ()
    return Document(doc_id, str(path), tuple(pages), tuple(scanned), raster, notes=notes)


def iter_documents(paths: Iterable[Path]) -> Iterator[tuple[Path, Document | DocumentError]]:
    """Each path with its document, or the error that keeps it out."""
    for path in paths:
        try:
            yield path, read_document(path)
        except DocumentError as exc:
            yield path, exc


def _decode_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif b"\x00" in data[:8192]:
        raise DocumentError("binary content in a text file")
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DocumentError(f"text is not valid {encoding.upper()} (byte {exc.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _ranges(numbers: list[int]) -> str:
    """[1, 3, 4, 5] -> "1,3-5"."""
    parts: list[str] = []
    for n in numbers:
        if parts and parts[-1].split("-")[-1] == str(n - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{n}"
        else:
            parts.append(str(n))
    return ",".join(parts)


def _pdf_pages(data: bytes) -> tuple[list[str], str]:
    """A PDF's pages, read in the worker process under the time and memory limits, and a
    note when the first reader (PDFium) could not read it."""
    try:
        text = pdf_pages(
            data, max_pages=MAX_PAGES, timeout=MAX_READ_SECONDS, max_memory=MAX_PDF_MEMORY
        )
    except PdfFailure as exc:
        raise DocumentError(str(exc)) from None
    return [readable_text(page) for page in text.pages], readable_text(text.note)
