"""The PDF reader process's program: a PDF's text page by page, PDFium first, pypdf after.

Why two readers. PDFium (pypdfium2, already used for page images and evidence
boxes) reads a page's text layer in C, about seven times faster than pypdf on
the Kleister NDA PDFs, and finds at least as many gold values in it
(`make bench`). pypdf stays as the fallback for a PDF that PDFium cannot open
or read (a parser error of its own, a structure it rejects): a second parser
that repairs differently still gives the user a table row with text, and it
says why a PDF cannot be opened (a password, a corrupt file) in words. A PDF
with too many pages, or that is not a PDF, is refused at once.

Both outputs are normalised to the conventions the rest of the pipeline was
built on: lines end in "\\n", no NUL or other control characters, and a word
PDFium joined across a line-ending hyphen (it writes U+FFFE there) keeps its
hyphen and line break as printed. One string per page, "" for a page without
text.

Run as `python -I pdf_text.py MAX_BYTES` by `extract.ingest.pdf_reader`, it
imports nothing from `extract`, only the standard library, pypdfium2 and pypdf.
"""

from __future__ import annotations

import json
import os
import struct
import sys

HEADER = struct.Struct(">QQ")  # request: PDF length, page limit
LENGTH = struct.Struct(">Q")  # reply: JSON length
READY = b"R"  # the worker's first byte: the readers are imported, requests may come
READERS = ("pdfium", "pypdf")  # tried in this order; the reply names the one that read

# C0 controls but tab and newline, DEL, and the two non-characters: dropped.
_DROPPED = dict.fromkeys([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F, 0xFFFF])


class PdfFailure(Exception):
    """The PDF cannot be read; the message says why, in words for the error column."""


class _Unread(Exception):
    """This reader could not read the PDF; the next one may."""


def normalise(text: str) -> str:
    """A page's text with the pipeline's conventions (see the module docstring)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "-\n")
    return text.translate(_DROPPED)


def pdfium_pages(data: bytes, max_pages: int) -> list[str]:
    """The text of each page as PDFium's text page has it, normalised."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        # Not told apart by err_code: PDFium leaves the last error standing, so a PDF after
        # an encrypted one reads "password" too. pypdf says why it cannot open a PDF.
        raise _Unread(f"PDFium: {exc}") from None
    try:
        n = len(pdf)
        if n > max_pages:
            raise PdfFailure(f"PDF has {n} pages, over the limit of {max_pages}")
        if n == 0:
            raise _Unread("PDFium: no pages")
        pages = []
        for index in range(n):
            try:
                page = pdf[index]
                textpage = page.get_textpage()
            except pdfium.PdfiumError as exc:
                raise _Unread(f"PDFium: page {index + 1}: {exc}") from None
            try:
                pages.append(normalise(textpage.get_text_range()))
            finally:
                textpage.close()
                page.close()
        return pages
    finally:
        pdf.close()


def pypdf_pages(data: bytes, max_pages: int) -> list[str]:
    """The text of each page as pypdf extracts it, normalised."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                ok = reader.decrypt("")
            except Exception as exc:  # pypdf raises several types for unsupported crypto
                raise PdfFailure(f"encrypted PDF cannot be opened: {exc}") from exc
            if not ok:
                raise PdfFailure("encrypted PDF (password required)")
        n = len(reader.pages)
        if n == 0:
            raise PdfFailure("PDF has no pages")
        if n > max_pages:
            raise PdfFailure(f"PDF has {n} pages, over the limit of {max_pages}")
        return [normalise(page.extract_text() or "") for page in reader.pages]
    except PdfFailure:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise PdfFailure(f"corrupt PDF: {type(exc).__name__}: {exc}") from exc


_READ = {"pdfium": pdfium_pages, "pypdf": pypdf_pages}


def read_pages(data: bytes, max_pages: int, readers: tuple[str, ...] = READERS) -> dict:
    """{"pages": [...], "reader": name, "unread": [why earlier readers could not]} from the
    first reader that can read the PDF.

    A refusal (PdfFailure) is final; the last reader's failure is the PDF's error.
    """
    if not data.lstrip()[:5].startswith(b"%PDF"):
        raise PdfFailure("not a PDF file (no %PDF header)")
    unread: list[str] = []
    for name in readers:
        try:
            pages = _READ[name](data, max_pages)
        except _Unread as exc:
            unread.append(str(exc))
            continue
        except (PdfFailure, MemoryError):
            raise
        except Exception as exc:  # a parser bug: the next reader may do better
            reason = f"{name}: {type(exc).__name__}: {exc}"
            if name == readers[-1]:
                raise PdfFailure(f"cannot read PDF: {reason}") from exc
            unread.append(reason)
            continue
        return {"pages": pages, "reader": name, "unread": unread}
    raise PdfFailure(f"corrupt PDF: {'; '.join(unread)}")


def serve(max_memory: int, readers: tuple[str, ...]) -> None:
    """Answer PDFs on stdin until it closes: one JSON reply per request on stdout."""
    import logging
    import resource
    import warnings

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    if max_memory > 0:
        resource.setrlimit(resource.RLIMIT_AS, (max_memory, max_memory))
    import pypdf  # noqa: F401 - loaded before saying ready: imports are not a PDF's time
    import pypdfium2  # noqa: F401

    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print must not corrupt the replies
    replies.write(READY)
    replies.flush()
    requests = sys.stdin.buffer
    while header := requests.read(HEADER.size):
        size, max_pages = HEADER.unpack(header)
        data = requests.read(size)
        reply: dict = {}
        try:
            reply = read_pages(data, max_pages, readers)
        except PdfFailure as exc:
            reply = {"error": str(exc)}
        except MemoryError:
            reply = {
                "error": f"PDF needs more than {max_memory // 2**20} MiB of memory to read",
                "restart": True,
            }
        except Exception as exc:  # a bug of ours: this PDF fails, the worker goes on
            reply = {"error": f"cannot read PDF: {type(exc).__name__}: {exc}"}
        del data
        usage = resource.getrusage(resource.RUSAGE_SELF)
        reply["cpu"] = usage.ru_utime + usage.ru_stime
        try:
            body = json.dumps(reply).encode()
        except MemoryError:
            body = json.dumps({"error": "PDF text too large to pass on", "restart": True}).encode()
        replies.write(LENGTH.pack(len(body)) + body)
        replies.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]), tuple(sys.argv[2].split(",")) if len(sys.argv) > 2 else READERS)
