"""Scanned pages and image files: the scanned-page rule on real PDFs, image inputs, hostile
images, and OCR (the `ocr` extra) in reading order, cached by page content."""

from __future__ import annotations

import io
import struct
import time
import zlib
from pathlib import Path

import pytest
from PIL import Image

from extract.errors import DocumentError
from extract.ingest.documents import read_document
from extract.ingest.images import WORK_MAX_PIXELS, WORK_MAX_SIDE, pdf_page_image
from extract.ingest.ocr import MISSING, lines_in_reading_order, ocr_installed
from extract.ingest.scan_route import ScanRoute, read_scans
from tests.conftest import EVALDATA, NDA_PDFS
from tests.scanned import image_pdf, many_images_pdf, mixed_pdf, scanned_page, text_pdf_bytes

needs_ocr = pytest.mark.skipif(not ocr_installed(), reason="the `ocr` extra is not installed")
INVOICE = ["INVOICE No. SCN-2024-0042", "Date: 14 March 2024", "Total due: 1,234.50 GBP"]


@pytest.fixture(scope="module")
def ocr():
    if not ocr_installed():
        pytest.skip("the `ocr` extra is not installed")
    from extract.ingest.ocr import OcrReader

    return OcrReader(None, threads=2)


# --- the scanned-page rule on real PDFs -------------------------------------------------


def test_blank_pages_of_real_pdfs_keep_their_text_layer():
    """Kleister NDA 116d3950... has empty pages 6 and 8 (a 24-px icon): not scans."""
    path = NDA_PDFS / "116d39507d6bb61c0dec66872bd13e1c.pdf"
    if not path.is_file():
        pytest.skip("evaluation data not found")
    doc = read_document(path)
    assert doc.pages[5].strip() == "" and doc.pages[7].strip() == ""
    assert doc.scanned == ()
    assert doc.text_source == "text"


def test_every_page_of_a_real_pdf_rasterised_at_150_dpi_counts_as_scanned(tmp_path: Path):
    path = NDA_PDFS / "7523fc8effce074d5332696808bb7fd4.pdf"
    if not path.is_file():
        pytest.skip("evaluation data not found")
    original = read_document(path)
    renders = [pdf_page_image(path.read_bytes(), i, dpi=150) for i in range(original.n_pages)]
    scan = read_document(image_pdf(tmp_path / "scan.pdf", renders))
    assert scan.n_pages == original.n_pages
    assert scan.scanned == tuple(range(original.n_pages))
    assert scan.scanned_pages == f"1-{original.n_pages}"


def test_mixed_pdf_marks_only_the_image_page(tmp_path: Path):
    text = text_pdf_bytes([["MUTUAL NDA between Alpha Ltd and Beta LLC. " * 3] * 40])
    path = mixed_pdf(tmp_path / "mixed.pdf", text, [scanned_page(INVOICE)])
    doc = read_document(path)
    assert doc.n_pages == 2
    assert doc.scanned == (1,)
    assert doc.scanned_pages == "2"


def test_a_page_with_only_small_images_is_blank_not_scanned(tmp_path: Path):
    path = many_images_pdf(tmp_path / "icons.pdf", 3)  # three 20-pt icons, no text
    with pytest.raises(DocumentError, match="no text layer and no scanned pages"):
        read_document(path)


# --- image files -------------------------------------------------------------------------


@pytest.mark.parametrize("fmt, suffix", [("PNG", ".png"), ("JPEG", ".jpg"), ("WEBP", ".webp")])
def test_image_files_are_one_scanned_page(tmp_path: Path, fmt: str, suffix: str):
    path = tmp_path / f"receipt{suffix}"
    scanned_page(INVOICE, (800, 600)).save(path, fmt)
    doc = read_document(path)
    assert doc.n_pages == 1 and doc.scanned == (0,)
    assert doc.raster is not None and doc.raster.page(0).size == (800, 600)


def test_multi_page_tiff_is_one_page_per_frame(tmp_path: Path):
    frames = [scanned_page([f"page {i + 1}"], (600, 800)) for i in range(3)]
    path = tmp_path / "fax.tiff"
    frames[0].save(path, "TIFF", save_all=True, append_images=frames[1:])
    doc = read_document(path)
    assert doc.n_pages == 3 and doc.scanned == (0, 1, 2)
    assert doc.raster is not None and doc.raster.page(2).size == (600, 800)


# --- hostile images: an error row or a bounded downscale, never a crash ----------------


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header declares width x height and whose data is a few bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = lambda kind, data: (  # noqa: E731
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    )
    idat = zlib.compress(b"\x00" * 64)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_from_its_header(tmp_path: Path):
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header_only(100_000, 100_000))
    with pytest.raises(DocumentError, match="too large"):
        read_document(path)


def test_a_30000_px_page_is_downscaled_within_bounds(tmp_path: Path):
    path = tmp_path / "banner.png"
    Image.new("L", (30_000, 900), 255).save(path, optimize=True)
    doc = read_document(path)
    assert doc.raster is not None
    img = doc.raster.page(0)
    assert max(img.size) <= WORK_MAX_SIDE and img.size[0] * img.size[1] <= WORK_MAX_PIXELS


def test_a_30000_pt_pdf_page_renders_within_bounds(tmp_path: Path):
    img = Image.new("L", (3000, 100), 255)
    path = image_pdf(tmp_path / "long.pdf", [img], dpi=7)  # 3000 px at 7 dpi: 30,857 pt wide
    doc = read_document(path)
    assert doc.raster is not None
    assert max(doc.raster.page(0).size) <= WORK_MAX_SIDE


def test_truncated_jpeg_is_an_error_for_that_document(tmp_path: Path):
    buf = io.BytesIO()
    scanned_page(INVOICE, (800, 600), noise=0.05).save(buf, "JPEG", quality=90)
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    doc = read_document(path)  # the header is intact: the damage shows when decoding
    with pytest.raises(DocumentError, match="truncated"):
        read_scans(doc, ScanRoute(ocr=None))


def test_cmyk_and_16_bit_images_become_plain_8_bit(tmp_path: Path):
    cmyk = tmp_path / "cmyk.jpg"
    scanned_page(INVOICE, (400, 300)).convert("CMYK").save(cmyk, "JPEG")
    deep = tmp_path / "deep.png"
    ramp = Image.frombytes(
        "I;16", (256, 4), b"".join(struct.pack("<H", v * 16) for v in range(256)) * 4
    )
    ramp.save(deep)
    for path in (cmyk, deep):
        doc = read_document(path)
        assert doc.raster is not None
        img = doc.raster.page(0)
        assert img.mode in ("L", "RGB")
        assert img.getextrema() != ((0, 0),) and img.getextrema() != (255, 255)
    assert read_document(deep).raster.page(0).getextrema() == (0, 255)  # 12 bits stretched


def test_pdf_page_with_500_tiny_images_is_read_in_bounded_time(tmp_path: Path):
    path = many_images_pdf(tmp_path / "confetti.pdf", 500)
    start = time.monotonic()
    doc = read_document(path)
    assert doc.scanned == (0,)  # the icons cover 41% of the page
    assert doc.raster is not None
    img = doc.raster.page(0)
    assert time.monotonic() - start < 30
    assert max(img.size) <= WORK_MAX_SIDE


# --- OCR ---------------------------------------------------------------------------------


def test_lines_are_read_top_to_bottom_then_left_to_right():
    box = lambda x, y, w=80, h=20: [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]  # noqa: E731
    boxes = [box(300, 52), box(10, 50), box(10, 100), box(200, 98), box(10, 150)]
    texts = ["9.00", "Total:", "Cash", "10.00", "Thank you"]
    assert lines_in_reading_order(boxes, texts) == "Total: 9.00\nCash 10.00\nThank you"


def test_full_width_characters_from_ocr_are_read_as_ascii():
    box = [[0, 0], [300, 0], [300, 20], [0, 20]]
    text = "S.H.H.MOTOR（SUNGAI RENGIT）SDN.BHD. ＲＭ９．００"
    assert lines_in_reading_order([box], [text]) == "S.H.H.MOTOR(SUNGAI RENGIT)SDN.BHD. RM9.00"


def test_without_the_ocr_extra_a_scanned_page_names_the_extra(tmp_path: Path):
    path = tmp_path / "scan.png"
    scanned_page(INVOICE, (800, 600)).save(path)
    with pytest.raises(DocumentError, match=r"extract\[ocr\]"):
        read_scans(read_document(path), ScanRoute(ocr=None))
    text = text_pdf_bytes([["MUTUAL NDA between Alpha Ltd and Beta LLC. " * 3] * 40])
    mixed = read_scans(
        read_document(mixed_pdf(tmp_path / "mixed.pdf", text, [scanned_page(INVOICE)])),
        ScanRoute(ocr=None),
    )
    assert mixed.problems == (f"page 2: {MISSING}",)
    assert mixed.text_source == "text"  # the page that could be read


@needs_ocr
def test_ocr_reads_a_generated_scan_in_line_order_with_page_boundaries(tmp_path: Path, ocr):
    pages = [
        scanned_page(INVOICE, rotate=0.7, noise=0.02, blur=0.5, seed=1),
        scanned_page(["Page two", "Payment within 30 days"], seed=2),
    ]
    doc = read_scans(read_document(image_pdf(tmp_path / "scan.pdf", pages)), ScanRoute(ocr=ocr))
    assert doc.text_source == "ocr" and doc.sources == ("ocr", "ocr")
    assert doc.pages[0].splitlines()[0].replace(" ", "") == "INVOICENo.SCN-2024-0042"
    assert "1,234.50" in doc.pages[0].splitlines()[2]
    assert doc.pages[1].splitlines() == ["Page two", "Payment within 30 days"]


@needs_ocr
def test_ocr_is_cached_by_page_content(tmp_path: Path):
    from extract.ingest.ocr import OcrReader

    reader = OcrReader(tmp_path / "ocr", threads=2)
    page = scanned_page(["Cached once", "with its boxes"], (600, 200), margin=20)
    first = reader.read_text(page)
    assert first.text == "Cached once\nwith its boxes" and first.size == (600, 200)
    again = OcrReader(tmp_path / "ocr", threads=2)
    assert again.read_text(page.copy()) == first  # the boxes of each piece too
    assert (reader.pages_read, again.pages_read) == (1, 0)
    (_, _, x0, y0, x1, y1), (start, _, _, below, _, _) = first.spans
    assert x0 < 30 and y0 < 30 and 120 < x1 < 300 and y1 < below  # where the lines are drawn
    assert first.text[start:].startswith("with")


@needs_ocr
def test_ocr_on_a_real_scanned_receipt(ocr):
    path = EVALDATA / "sroie" / "img" / "000.jpg"
    if not path.is_file():
        pytest.skip("SROIE scans not found")
    doc = read_scans(read_document(path), ScanRoute(ocr=ocr))
    lines = doc.pages[0].splitlines()
    assert any("TAMAN DAYA" in line and "SDN BHD" in line for line in lines)
    assert any(line.replace(" ", "").startswith("Total") and "9.00" in line for line in lines)
