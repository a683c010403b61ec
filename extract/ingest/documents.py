"""Reading input files into `Document`s: PDFs page by page, text and Markdown whole.

Every file found becomes either a `Document` or a `DocumentError` saying why it
cannot be read, so the run can give each input a row in the output.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from extract.errors import DocumentError
from extract.ingest.pdf_reader import PdfFailure, pdf_pages
from extract.ingest.readable import readable_text

PAGE_SEPARATOR = "\n\n"  # between pages in Document.text; chunk offsets count it

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
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

    @property
    def text(self) -> str:
        return PAGE_SEPARATOR.join(self.pages)

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
    pages = _pdf_pages(data) if suffix in PDF_SUFFIXES else (_decode_text(data),)
    if not any(page.strip() for page in pages):
        what = "no text layer (scanned PDF?)" if suffix in PDF_SUFFIXES else "no text"
        raise DocumentError(f"document has {what}")
    return Document(doc_id=content_id(data), source=str(path), pages=tuple(pages))


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


def _pdf_pages(data: bytes) -> list[str]:
    """A PDF's pages, read in the worker process under the time and memory limits."""
    try:
        pages = pdf_pages(
            data, max_pages=MAX_PAGES, timeout=MAX_READ_SECONDS, max_memory=MAX_PDF_MEMORY
        )
    except PdfFailure as exc:
        raise DocumentError(str(exc)) from None
    return [readable_text(page) for page in pages]
