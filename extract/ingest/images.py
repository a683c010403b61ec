"""Page images: image files and PDF pages turned into bounded, plain 8-bit pictures.

Everything here treats its input as hostile. A picture is checked by its header
before any pixel is decoded (decompression bombs), JPEGs are decoded already
shrunk where the format allows, odd modes (CMYK, 16-bit, palettes, alpha) become
grayscale or RGB, and every result is downscaled to at most `WORK_MAX_SIDE` px
on its long side and `WORK_MAX_PIXELS` in all. What cannot be decoded raises
`DocumentError`, which becomes that document's error row.

PDFium (pypdfium2) is not thread-safe, so every call into it holds `PDFIUM_LOCK`.
"""

from __future__ import annotations

import io
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps

from extract.errors import DocumentError

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp", ".gif", ".bmp"})
FORMATS = frozenset({"PNG", "JPEG", "MPO", "TIFF", "WEBP", "GIF", "BMP"})
MAX_SOURCE_PIXELS = 150_000_000  # as declared in the header (after JPEG's cheap shrink)
MAX_FRAMES = 2000  # pages of a multi-page TIFF (like MAX_PAGES for PDFs)
WORK_MAX_SIDE = 4000  # long side of a page image for OCR and vision
WORK_MAX_PIXELS = 16_000_000
RENDER_DPI = 200  # PDF pages are rendered at this resolution, within the bounds above
MAX_IMAGE_OBJECTS = 2000  # image objects looked at per PDF page when deciding "scanned"

ORIENTATION_TAG = 0x0112  # EXIF
PDFIUM_LOCK = threading.RLock()
Image.MAX_IMAGE_PIXELS = MAX_SOURCE_PIXELS  # Pillow's own bomb check, as a second line


@contextmanager
def _decoding(what: str) -> Iterator[None]:
    """Decoder failures of every kind, as one clear DocumentError."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except DocumentError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise DocumentError(f"{what}: image too large to decode safely ({exc})") from None
        except (OSError, SyntaxError, ValueError, EOFError, MemoryError) as exc:
            text = str(exc) or type(exc).__name__
            if "truncated" in text.lower():
                raise DocumentError(f"{what}: truncated image data ({text})") from None
            raise DocumentError(f"{what}: corrupt image ({type(exc).__name__}: {text})") from None


def count_frames(data: bytes) -> int:
    """Pages in an image file, checking its format and size without decoding pixels."""
    with _decoding("image"), Image.open(io.BytesIO(data)) as img:
        if img.format not in FORMATS:
            raise DocumentError(f"unsupported image format {img.format}")
        frames = int(getattr(img, "n_frames", 1) or 1)
        if frames > MAX_FRAMES:
            raise DocumentError(f"image has {frames} frames, over the limit of {MAX_FRAMES}")
        _check_declared_size(img)
        return frames


def image_frame(data: bytes, index: int) -> Image.Image:
    """Frame `index` of an image file, decoded within bounds, as 8-bit L or RGB."""
    what = f"image page {index + 1}"
    with _decoding(what), Image.open(io.BytesIO(data)) as img:
        img.seek(index)
        if img.format == "JPEG":
            img.draft(img.mode if img.mode in ("L", "RGB") else "RGB", (WORK_MAX_SIDE,) * 2)
        _check_declared_size(img)
        img.load()
        upright = ImageOps.exif_transpose(img) if index == 0 else img
        result = bounded(plain(upright))
        return result.copy() if result is img else result


def image_frame_size(data: bytes, index: int) -> tuple[int, int]:
    """Frame `index`'s width and height in pixels as displayed (the first frame's EXIF
    orientation applied, as `image_frame` does), read from the header: the page an OCR
    box is drawn on, whatever size the frame was shrunk to for reading."""
    with _decoding(f"image page {index + 1}"), Image.open(io.BytesIO(data)) as img:
        img.seek(index)
        w, h = img.size
        if index == 0 and img.getexif().get(ORIENTATION_TAG) in (5, 6, 7, 8):  # turned 90°
            return h, w
        return w, h


def image_page_sizes(path: str | Path) -> list[tuple[int, int]] | None:
    """Each frame's displayed size in pixels; None if the file is not a readable image."""
    try:
        data = Path(path).read_bytes()
        return [image_frame_size(data, i) for i in range(count_frames(data))]
    except (OSError, DocumentError):
        return None


def _check_declared_size(img: Image.Image) -> None:
    w, h = img.size
    if w < 1 or h < 1:
        raise DocumentError(f"image has no pixels ({w}x{h})")
    if w * h > MAX_SOURCE_PIXELS:
        raise DocumentError(
            f"image too large: {w}x{h} px is over the limit of {MAX_SOURCE_PIXELS:,} pixels"
        )


def plain(img: Image.Image) -> Image.Image:
    """The picture as 8-bit grayscale or RGB, whatever mode it came in."""
    mode = img.mode
    if mode in ("L", "RGB"):
        return img
    if mode == "1":
        return img.convert("L")
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        return _deep_to_8bit(img)
    if mode in ("P", "PA", "LA", "RGBA", "La", "RGBa"):
        rgba = img.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        return canvas.convert("L" if mode in ("LA", "La") else "RGB")
    return img.convert("RGB")  # CMYK, YCbCr, LAB, HSV


def _deep_to_8bit(img: Image.Image) -> Image.Image:
    """16-bit and float images, stretched to their own range (a 12-bit scan stays visible)."""
    import numpy as np

    arr = np.asarray(img.convert("F") if img.mode != "F" else img, dtype=np.float32)
    lo, hi = float(np.nanmin(arr)), float(np.nanmax(arr))
    if not np.isfinite(lo) or not np.isfinite(hi) or hi <= lo:
        return Image.new("L", img.size, 255)
    scaled = np.clip((arr - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)
    return Image.fromarray(scaled, "L")


def bounded(img: Image.Image, max_side: int = WORK_MAX_SIDE) -> Image.Image:
    """Downscaled (never upscaled) to at most `max_side` px and `WORK_MAX_PIXELS`."""
    w, h = img.size
    scale = min(1.0, max_side / max(w, h), (WORK_MAX_PIXELS / (w * h)) ** 0.5)
    if scale >= 1.0:
        return img
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    return img.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


# --- PDF pages ---------------------------------------------------------------------------


@contextmanager
def _pdfium_page(data: bytes, index: int) -> Iterator[Any]:
    """Page `index` of a PDF opened by PDFium under its lock (PDFium is not thread-safe);
    a PDF it cannot open is a DocumentError; page and document closed after."""
    import pypdfium2 as pdfium

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            raise DocumentError(f"PDF cannot be rendered: {exc}") from None
        try:
            page = pdf[index]
            try:
                yield page
            finally:
                page.close()
        finally:
            pdf.close()


def pdf_page_image(data: bytes, index: int, dpi: int = RENDER_DPI) -> Image.Image:
    """Page `index` of a PDF rendered by PDFium, within the bounds above, as 8-bit L."""
    with _pdfium_page(data, index) as page:
        w, h = page.get_size()
        if w <= 0 or h <= 0:
            raise DocumentError(f"PDF page {index + 1} has no area ({w}x{h} pt)")
        scale = dpi / 72
        scale = min(scale, WORK_MAX_SIDE / max(w, h), (WORK_MAX_PIXELS / (w * h)) ** 0.5)
        bitmap = page.render(scale=max(scale, 1e-3), grayscale=True)
        img = bitmap.to_pil().convert("L")
        img.load()
        return img


def pdf_page_size(data: bytes, index: int) -> tuple[float, float]:
    """Page `index`'s displayed width and height in points (crop box, rotation applied)."""
    with _pdfium_page(data, index) as page:
        w, h = page.get_size()
        return round(w, 2), round(h, 2)


def pdf_scanned_pages(
    data: bytes,
    candidates: dict[int, str],
    thin: Callable[[str, float, float], bool],
    min_cover: float,
) -> set[int]:
    """Of the `candidates` (0-based page -> its text layer), the pages whose text is `thin`
    for their size and whose images cover `min_cover` of them.

    Image objects are looked for two form levels deep, and at most `MAX_IMAGE_OBJECTS`
    per page: a page of 500 tiny images answers in bounded time.
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    found: set[int] = set()
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return found  # pypdf read it; PDFium cannot: treat its pages as text pages
        try:
            for index, text in sorted(candidates.items()):
                if index >= len(pdf):
                    break
                page = pdf[index]
                w, h = page.get_size()
                if not thin(text, w, h):
                    continue
                area, covered = max(w * h, 1.0), 0.0
                objects = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
                for n, obj in enumerate(objects):
                    if n >= MAX_IMAGE_OBJECTS or covered >= min_cover * area:
                        break
                    left, bottom, right, top = obj.get_bounds()
                    covered += max(0.0, min(right, w) - max(left, 0.0)) * max(
                        0.0, min(top, h) - max(bottom, 0.0)
                    )
                if covered >= min_cover * area:
                    found.add(index)
        finally:
            pdf.close()
    return found
