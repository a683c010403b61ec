"""Page images for the review page: PDF pages rendered with pypdfium2 (image files, scans
and photos, decoded within bounds), small, inline.

Pages are rendered in grey at a fixed width and written as PNG by hand (zlib).
Only pages that hold a quote are rendered by default: a folder of long
contracts would otherwise make a page of hundreds of megabytes.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from extract.errors import DocumentError
from extract.ingest.images import IMAGE_SUFFIXES, count_frames, image_frame

IMAGE_CHOICES = ("quoted", "all", "none")
MAX_PAGES_PER_DOC = 50  # `all` stops here: a reviewer pages through quotes, not whole books


def render_pages(source: Path, pages: Iterable[int], width: int) -> dict[int, str]:
    """1-based page number -> PNG data URL, for the pages asked that the PDF has.

    An unreadable or missing PDF gives no images (the page shows the text only).
    """
    import pypdfium2 as pdfium

    if source.is_file() and source.suffix.lower() in IMAGE_SUFFIXES:
        return _image_pages(source, pages, width)
    if not source.is_file() or source.suffix.lower() != ".pdf":
        return {}
    try:
        pdf = pdfium.PdfDocument(str(source))
    except pdfium.PdfiumError:
        return {}
    out: dict[int, str] = {}
    try:
        for number in sorted(set(pages)):
            if not 1 <= number <= len(pdf):
                continue
            page = pdf[number - 1]
            try:
                scale = width / page.get_width()
                bitmap = page.render(scale=scale, grayscale=True)
                pixels = bitmap.to_numpy()
            finally:
                page.close()
            out[number] = "data:image/png;base64," + base64.b64encode(png_grey(pixels)).decode()
    except pdfium.PdfiumError:
        return out
    finally:
        pdf.close()
    return out


def _image_pages(source: Path, pages: Iterable[int], width: int) -> dict[int, str]:
    """The frames asked of an image file (a scan, a photo), grey, `width` px wide, decoded
    within the same bounds as for reading it; an unreadable file gives no images."""
    from PIL import Image

    out: dict[int, str] = {}
    try:
        data = source.read_bytes()
        n = count_frames(data)
        for number in sorted(set(pages)):
            if 1 <= number <= n:
                img = image_frame(data, number - 1).convert("L")
                height = max(1, round(img.height * width / img.width))
                img = img.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
                src = base64.b64encode(png_grey(np.asarray(img))).decode()
                out[number] = "data:image/png;base64," + src
    except (OSError, DocumentError):
        return out
    return out


def pages_to_render(choice: str, n_pages: int | None, values: list[dict]) -> list[int]:
    """Which pages a document needs images of, for `--images quoted|all|none`."""
    if choice == "none" or not n_pages:
        return []
    if choice == "all":
        return list(range(1, min(n_pages, MAX_PAGES_PER_DOC) + 1))
    wanted = {b[0] for v in values for b in v.get("box", ())}
    return sorted(p for p in wanted if 1 <= p <= n_pages)


def png_grey(pixels: np.ndarray) -> bytes:
    """An 8-bit greyscale PNG of a (height, width) or (height, width, 1) array."""
    if pixels.ndim == 3:
        pixels = pixels[:, :, 0]
    grey = np.ascontiguousarray(pixels, dtype=np.uint8)
    height, width = grey.shape
    # Filter type 0 on every row: a text page is mostly runs of white, which zlib packs
    # better unfiltered ("Up" came out 9% larger on NDA pages), and level 6 is 10x faster
    # than 9 for 3% more bytes.
    raw = np.zeros((height, width + 1), dtype=np.uint8)
    raw[:, 1:] = grey

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 6))
        + chunk(b"IEND", b"")
    )
