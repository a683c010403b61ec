"""Evidence boxes on scanned pages: a value read from OCR text is drawn where it is printed.

The real OCR (RapidOCR) reads a real SROIE receipt scan and a generated image-only
PDF; the fake HTTP server answers as a model that read them; the evidence table's
boxes are checked against the receipt's human-drawn line boxes (SROIE's `box/`
annotations) and against where the generated page printed its text. The review
page then draws them on the page images, in a real headless Chromium.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image
from selenium.webdriver.common.by import By

from extract.cli import main
from extract.evidence.ocr_boxes import span_rects
from extract.ingest.images import ORIENTATION_TAG, image_frame, image_frame_size
from extract.ingest.ocr import ocr_installed
from extract.ingest.ocr_layout import OcrText
from extract.output.review import write_review
from extract.output.texts import read_texts
from tests.browser import chromium, find_browser
from tests.cli_args import run_args
from tests.conftest import EVALDATA, require_evaldata
from tests.fake_server import FakeOpenAI, document_text, schema_responder
from tests.scanned import image_pdf, mixed_pdf, scanned_page, text_pdf_bytes

needs_ocr = pytest.mark.skipif(not ocr_installed(), reason="the `ocr` extra is not installed")
RECEIPT = EVALDATA / "sroie" / "img" / "000.jpg"  # 463 x 1013 px; total 9.00, 25/12/2018
GOLD_BOXES = EVALDATA / "sroie" / "box" / "000.csv"  # x0,y0,x1,y1,x2,y2,x3,y3,text per line
# The generated page: 150 dpi, text 28 px high from (110, 110), a line every 44 px.
INVOICE = ["INVOICE No. 77", "Vendor: Blue Harbour Ltd", "Amount due: 1,234.50 EUR"]
PT_PER_PX = 72 / 150


def test_a_quote_gets_the_part_of_each_line_it_covers():
    # "Total: 9.00" as one piece, "Cash 10.00" as two pieces of the next line
    spans = ((0, 11, 100.0, 10.0, 210.0, 30.0), (12, 16, 100.0, 40.0, 140.0, 60.0),
             (17, 22, 150.0, 40.0, 200.0, 60.0))  # fmt: skip
    assert span_rects(spans, 7, 11) == [[170.0, 10.0, 210.0, 30.0]]  # "9.00": 4 of 11 chars
    assert span_rects(spans, 12, 22) == [[100.0, 40.0, 200.0, 60.0]]  # one line: one box
    assert span_rects(spans, 7, 16) == [[170.0, 10.0, 210.0, 30.0], [100.0, 40.0, 140.0, 60.0]]
    assert span_rects(spans, 11, 12) == []  # the line break between them is on no box


def answers(request) -> dict:
    """A model that read the documents (the OCR text sent beside each page image)."""
    text = document_text(request)
    if "TAMAN DAYA" in text:
        return {"total": "9.00", "date": "25/12/2018"}
    if "Blue Harbour" in text:
        return {"company": "Blue Harbour Ltd", "total": "1,234.50"}
    if "NORTHWIND" in text:
        return {"company": "NORTHWIND TRADERS LTD", "total": "77.10"}
    return {}


@pytest.fixture(scope="module")
def scans_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not ocr_installed():
        pytest.skip("the `ocr` extra is not installed")
    require_evaldata(RECEIPT.parent)
    folder = tmp_path_factory.mktemp("scans")
    shutil.copy(RECEIPT, folder / "receipt-000.jpg")
    image_pdf(folder / "invoice-scan.pdf", [scanned_page(INVOICE, (1240, 1754))])
    letter = text_pdf_bytes([["NORTHWIND TRADERS LTD, covering letter for the invoice."] * 30])
    mixed_pdf(folder / "mixed.pdf", letter, [scanned_page(["Invoice", "TOTAL DUE 77.10"])])
    out = folder / "out" / "scans.parquet"
    with FakeOpenAI(schema_responder(answers)) as fake:  # no cache: this fixture outlives tmp
        options = ("--quiet", "--rpm", "0", "--no-cache")
        code = main(run_args(folder, "receipt", out, fake.base_url, *options))
    assert code == 0
    return out


def evidence(out: Path, name: str) -> pd.DataFrame:
    main_table = pd.read_parquet(out)
    doc_id = main_table.loc[main_table["source"].str.endswith(name), "doc_id"].iloc[0]
    ev = pd.read_parquet(out.with_name(f"{out.stem}.evidence.parquet"))
    return ev[ev["doc_id"] == doc_id].set_index("field")


def gold_boxes(containing: str) -> list[list[float]]:
    boxes = []
    for line in GOLD_BOXES.read_text(encoding="utf-8", errors="replace").splitlines():
        parts = line.split(",", 8)
        if len(parts) == 9 and containing in parts[8]:
            xs, ys = [float(v) for v in parts[0:8:2]], [float(v) for v in parts[1:8:2]]
            boxes.append([min(xs), min(ys), max(xs), max(ys)])
    return boxes


def overlap(a: list[float], b: list[float]) -> float:
    """Intersection over union of two [x0, y0, x1, y1] rectangles."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union else 0.0


@needs_ocr
def test_the_total_of_a_real_receipt_scan_is_boxed_where_it_is_printed(scans_run: Path):
    ev = evidence(scans_run, "receipt-000.jpg")
    total = ev.loc["total"]
    assert total["quote"] == "9.00" and total["bbox_unit"] == "px"
    ((page, *box),) = json.loads(total["bbox"])
    assert page == 1 and box[1] > 1013 / 2  # in the lower half of the receipt
    # on one of the places a person marked "9.00" on this scan
    assert max(overlap(box, gold) for gold in gold_boxes("9.00")) > 0.5
    # The date shares its line with the time: its box is the left part of that line.
    ((_, *date),) = json.loads(ev.loc["date", "bbox"])
    (line,) = gold_boxes("25/12/2018 8:13:39 PM")  # [165, 372, 342, 389]
    assert overlap(date, [line[0], line[1], line[0] + 0.45 * (line[2] - line[0]), line[3]]) > 0.5
    assert date[2] < line[0] + 0.6 * (line[2] - line[0])  # not the whole line


@needs_ocr
def test_a_scanned_pdf_page_gets_boxes_in_pdf_points(scans_run: Path):
    ev = evidence(scans_run, "invoice-scan.pdf")
    sizes = read_texts(scans_run.with_name("scans.texts.jsonl.gz"))
    (doc,) = [d for d in sizes.values() if d.source.endswith("invoice-scan.pdf")]
    assert doc.page_sizes == ((595.2, 841.92),)  # 1240 x 1754 px at 150 dpi, in points
    boxes = {}
    for field, line in (("company", 1), ("total", 2)):
        row = ev.loc[field]
        assert row["bbox_unit"] == "pt"
        ((page, *box),) = json.loads(row["bbox"])
        top = (110 + 44 * line) * PT_PER_PX  # where scanned_page drew that line, in points
        assert page == 1 and abs(box[1] - top) < 8 and 8 < box[3] - box[1] < 25, (field, box)
        boxes[field] = box
    # The company's evidence is its whole line (schema mode "lines"), from the left margin;
    # the total is the part of its line after "Amount due: " and before " EUR".
    assert abs(boxes["company"][0] - 110 * PT_PER_PX) < 6
    assert ev.loc["total", "quote"] == "1,234.50"
    assert 110 * PT_PER_PX + 60 < boxes["total"][0] < boxes["total"][2] < 110 * PT_PER_PX + 180


@needs_ocr
def test_the_review_page_draws_the_box_on_the_scanned_receipt(scans_run: Path, tmp_path: Path):
    """As a reviewer meets it: the receipt's page image in Chromium, the total's box on it."""
    if find_browser() is None:
        if os.environ.get("EXTRACT_REQUIRE_BROWSER"):
            pytest.fail("chromium + chromedriver are required (make test installs them)")
        pytest.skip("chromium and chromedriver not installed")
    page = write_review(scans_run)
    with chromium(tmp_path) as browser:
        browser.get(page.as_uri())
        assert browser.execute_script("return document.body.dataset.ready") == "1"
        browser.find_element(
            By.XPATH, "//ol[@id='doc-list']/li[span[@class='name' and text()='receipt-000.jpg']]"
        ).click()
        browser.find_element(By.ID, "view-image").click()
        img = browser.find_element(By.CSS_SELECTOR, "#source .image-wrap img")
        assert img.get_attribute("src").startswith("data:image/png;base64,")
        assert browser.execute_script("return arguments[0].naturalWidth", img) == 800
        total = browser.execute_script(
            "var d = JSON.parse(document.getElementById('d-' + window.extractReview.state"
            ".current).textContent); var k = d.values.findIndex(v => v.f === 'total');"
            "return document.getElementById('v-' + k);"
        )
        total.click()
        active = browser.find_elements(By.CSS_SELECTOR, "#source .box.active")
        assert len(active) == 1
        box, picture = active[0].rect, img.rect
        assert picture["height"] > 1.5 * picture["width"]  # the receipt, long and narrow
        left = (box["x"] - picture["x"]) / picture["width"]
        top = (box["y"] - picture["y"]) / picture["height"]
        # where the human-drawn box of the total's "9.00" is: 593..614 of 1013 px, x 408..447
        assert 0.55 < top < 0.65 and 0.8 < left < 0.95, (left, top)
        browser.find_element(
            By.XPATH, "//ol[@id='doc-list']/li[span[@class='name' and text()='invoice-scan.pdf']]"
        ).click()
        browser.find_element(By.ID, "view-image").click()
        img = browser.find_element(By.CSS_SELECTOR, "#source .image-wrap img")
        browser.execute_script(
            "var d = JSON.parse(document.getElementById('d-' + window.extractReview.state"
            ".current).textContent); var k = d.values.findIndex(v => v.f === 'total');"
            "return document.getElementById('v-' + k);"
        ).click()
        (active,) = browser.find_elements(By.CSS_SELECTOR, "#source .box.active")
        top = (active.rect["y"] - img.rect["y"]) / img.rect["height"]
        assert abs(top - (110 + 88) / 1754) < 0.01  # the third line of the A4 scan
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []


@needs_ocr
def test_a_pdf_mixing_text_and_scanned_pages_gets_boxes_from_each(scans_run: Path):
    ev = evidence(scans_run, "mixed.pdf")
    company, total = ev.loc["company"], ev.loc["total"]
    assert company["bbox_unit"] == total["bbox_unit"] == "pt"
    assert [b[0] for b in json.loads(company["bbox"])] == [1]  # from the text layer
    ((page, *box),) = json.loads(total["bbox"])  # from the OCR of the scanned page 2
    assert page == 2 and abs(box[1] - (110 + 44) * PT_PER_PX) < 8


def test_boxes_of_a_shrunk_or_turned_photo_are_in_the_files_own_pixels(tmp_path: Path):
    """A phone photo stored sideways (EXIF orientation 6) and over 4,000 px is read upright
    and shrunk; its OCR boxes are mapped back to the photo as a viewer shows it."""
    photo = Image.new("L", (6000, 4500), 255)  # stored landscape, shown portrait
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    photo.save(tmp_path / "photo.jpg", exif=exif)
    data = (tmp_path / "photo.jpg").read_bytes()
    shown = image_frame_size(data, 0)
    read = image_frame(data, 0).size
    assert shown == (4500, 6000) and read[0] < read[1] <= 4000  # upright, and shrunk
    ocr = OcrText("TOTAL 9.00", read, ((0, 10, 10.0, 20.0, 110.0, 40.0),))
    ((_, _, *box),) = ocr.on_page(*shown, "px").spans
    scale = 4500 / read[0]
    assert box == pytest.approx([10 * scale, 20 * scale, 110 * scale, 40 * scale], abs=0.01)
