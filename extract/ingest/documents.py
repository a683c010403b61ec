"""Reading input files into `Document`s: PDFs page by page, text and Markdown whole.

Every file found becomes either a `Document` or a `DocumentError` saying why it
cannot be read, so the run can give each input a row in the output.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from extract.errors import DocumentError

# pypdf logs recoverable problems as warnings; they belong in the error column, not on stderr.
logging.getLogger("pypdf").setLevel(logging.ERROR)

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
PDF_SUFFIXES = frozenset({".pdf"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_PAGES = 2000
MAX_READ_SECONDS = 120.0  # a PDF that takes longer to parse is refused, not waited on


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
        return "\n\n".join(self.pages)

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


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """All files under the given files and folders, recursively, in a stable order.

    Hidden files and folders are skipped; files of unsupported types are kept
    (they become error rows, not silent drops). A path that does not exist is
    returned as is, so it too gets an error row.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.is_file() and not any(p.startswith(".") for p in rel):
                    found.append(child)
        else:
            found.append(path)
    seen: set[Path] = set()
    unique = []
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


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
    import io

    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise DocumentError("not a PDF file (no %PDF header)")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise DocumentError(f"encrypted PDF cannot be opened: {exc}") from exc
            if not ok:
                raise DocumentError("encrypted PDF (password required)")
        n = len(reader.pages)
        if n == 0:
            raise DocumentError("PDF has no pages")
        if n > MAX_PAGES:
            raise DocumentError(f"PDF has {n} pages, over the limit of {MAX_PAGES}")
        deadline = time.monotonic() + MAX_READ_SECONDS
        pages = []
        for number, page in enumerate(reader.pages, start=1):
            if time.monotonic() > deadline:
                raise DocumentError(
                    f"PDF too slow to read: over {MAX_READ_SECONDS:.0f} s by page {number} of {n}"
                )
            pages.append((page.extract_text() or "").replace("\r\n", "\n"))
        return pages
    except DocumentError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise DocumentError(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc
