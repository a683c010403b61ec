"""The review page as a person meets it: a real run, the page opened in headless Chromium."""

from __future__ import annotations

import csv
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By

from extract.output.corrections import apply_corrections, corrected_path
from extract.output.review import write_review
from extract.output.texts import read_texts, texts_path
from extract.output.writers import evidence_path
from tests.browser import chromium, find_browser
from tests.output.review_run import DEEP_VALUE, HOSTILE_VALUE, make_run

if find_browser() is None:
    if os.environ.get("EXTRACT_REQUIRE_BROWSER"):
        raise RuntimeError("chromium + chromedriver are required (make test installs them)")
    pytest.skip("chromium and chromedriver not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_run(tmp_path_factory.mktemp("review"))


@pytest.fixture(scope="module")
def page(run: Path) -> Path:
    return write_review(run)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path):
    with chromium(downloads) as driver:
        yield driver


@pytest.fixture
def opened(browser, page: Path):
    """The page freshly loaded, nothing remembered from an earlier test."""
    browser.get(page.as_uri())
    browser.execute_script("localStorage.clear()")
    browser.get(page.as_uri() + "#")
    browser.refresh()
    assert browser.execute_script("return document.body.dataset.ready") == "1"
    browser.get_log("browser")  # start each test with an empty console
    return browser


def open_doc(driver, name: str) -> None:
    """Click the document's row. Rows are redrawn as the list scrolls, so a row found a
    moment ago may be gone: look again."""
    row = f"//ol[@id='doc-list']/li[span[@class='name' and text()='{name}']]"
    for _ in range(5):
        try:
            driver.find_element(By.XPATH, row).click()
        except StaleElementReferenceException:
            continue
        assert driver.find_element(By.CSS_SELECTOR, "#doc-head h2").text == name
        return
    raise AssertionError(f"could not open {name}")


def value_node(driver, field: str):
    """The open document's value `field` (a path as in the evidence table)."""
    node = driver.execute_script(
        "var d = JSON.parse(document.getElementById('d-' + window.extractReview.state.current)"
        ".textContent); var k = d.values.findIndex(v => v.f === arguments[0]);"
        "return k < 0 ? null : document.getElementById('v-' + k);",
        field,
    )
    assert node is not None, f"no value {field} on the open document"
    return node


def listed(driver) -> list[str]:
    """The names in the list, read at once (rows are redrawn as the list scrolls)."""
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#doc-list li .name'), e => e.textContent)"
    )


def evidence_of(run: Path, name: str, field: str) -> dict:
    main = pd.read_parquet(run)
    doc_id = main.loc[main["source"].str.endswith(name), "doc_id"].iloc[0]
    ev = pd.read_parquet(evidence_path(run))
    return ev[(ev["doc_id"] == doc_id) & (ev["field"] == field)].iloc[0].to_dict()


def test_loads_offline_without_console_errors_and_lists_every_document(browser, page: Path, run):
    browser.get(page.as_uri())
    assert browser.execute_script("return document.body.dataset.ready") == "1"
    errors = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == []
    fetched = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert [u for u in fetched if not u.startswith("data:")] == []  # nothing from anywhere
    names = sorted(Path(s).name for s in pd.read_parquet(run)["source"])
    assert sorted(listed(browser)) == names
    assert browser.execute_script("return window.__pwned") is None


def test_document_list_filters_by_status_ungrounded_field_value_and_search(opened, run):
    main = pd.read_parquet(run)
    select = opened.find_element(By.ID, "status-filter")
    select.find_element(By.CSS_SELECTOR, "option[value=error]").click()
    assert listed(opened) == ["broken.pdf"]
    assert "corrupt PDF" in opened.find_element(By.CSS_SELECTOR, "#doc-list .err").text
    select.find_element(By.CSS_SELECTOR, "option[value='']").click()

    opened.find_element(By.ID, "ungrounded-filter").click()
    ungrounded = main[main["ungrounded"].fillna("[]") != "[]"]["source"]
    assert sorted(listed(opened)) == sorted(Path(s).name for s in ungrounded)
    assert "nda-mutual-bluefin.pdf" in listed(opened)  # its invoice_number is not in the text
    opened.find_element(By.ID, "ungrounded-filter").click()

    field = opened.find_element(By.ID, "field-filter")
    field.find_element(By.CSS_SELECTOR, "option[value=invoice_number]").click()
    opened.find_element(By.ID, "field-value").send_keys("nw-55")
    assert listed(opened) == ["invoice-northwind-5531.txt"]
    opened.find_element(By.ID, "field-value").clear()
    opened.find_element(By.ID, "field-value").send_keys(" ")  # 'input' fires; value is blank
    field.find_element(By.CSS_SELECTOR, "option[value='']").click()

    opened.find_element(By.ID, "search").send_keys("kopi")
    assert listed(opened) == ["receipt-kopi-tiam.txt"]
    assert opened.find_element(By.ID, "list-count").text.startswith("1 of ")

    search = opened.find_element(By.ID, "search")
    search.clear()
    search.send_keys("Recovery time OBJECTIVE")  # printed only in the long agreement
    assert listed(opened) == []
    opened.find_element(By.ID, "search-text").click()
    assert listed(opened) == ["master-services-agreement-long.txt"]
    search.clear()
    search.send_keys('onerror="window')  # quotes and markup are escaped in the data
    assert listed(opened) == ["hostile.txt"]


def test_clicking_a_value_highlights_and_scrolls_to_its_quote_and_back(opened, run):
    open_doc(opened, "master-services-agreement-long.txt")
    source = opened.find_element(By.ID, "source")
    assert opened.execute_script("return arguments[0].scrollTop", source) == 0
    value_node(opened, "vendor.tax_id").click()
    marks = opened.find_elements(By.CSS_SELECTOR, "#source mark.active")
    ev = evidence_of(run, "master-services-agreement-long.txt", "vendor.tax_id")
    assert [m.text for m in marks] == [ev["quote"]] == [DEEP_VALUE]
    assert opened.execute_script("return arguments[0].scrollTop", source) > 5000
    assert in_view(opened, marks[0], source)
    assert DEEP_VALUE in opened.find_element(By.ID, "selected").text

    # and back: clicking a quote selects its value and brings it into view
    fields = opened.find_element(By.ID, "fields")
    opened.execute_script("arguments[0].scrollTop = arguments[0].scrollHeight", fields)
    first = opened.find_elements(By.CSS_SELECTOR, "#source mark.q")[0]
    opened.execute_script("arguments[0].scrollIntoView()", first)
    first.click()
    selected = opened.find_element(By.CSS_SELECTOR, "#fields .value.selected")
    assert selected.text.startswith("Kestrel Logistics Group plc")
    assert in_view(opened, selected, fields)


def in_view(driver, node, pane) -> bool:
    return driver.execute_script(
        "var a = arguments[0].getBoundingClientRect(), b = arguments[1].getBoundingClientRect();"
        "return a.top >= b.top && a.bottom <= b.bottom",
        node,
        pane,
    )


def test_pages_conflicts_and_unsupported_values_are_shown(opened, run):
    open_doc(opened, "invoice-acme-2024-017.pdf")  # two pages
    labels = [e.text for e in opened.find_elements(By.CSS_SELECTOR, "#source .page-label")]
    assert labels == ["PAGE 1 OF 2", "PAGE 2 OF 2"]
    second = opened.find_element(By.CSS_SELECTOR, "#page-2 .text").text
    texts = read_texts(texts_path(run))
    acme = pd.read_parquet(run).set_index("source").filter(like="acme", axis=0)["doc_id"].iloc[0]
    assert second == texts[acme].pages[1].strip()  # each page's own text under its label

    open_doc(opened, "master-services-agreement-long.txt")
    conflicts = opened.find_element(By.CSS_SELECTOR, "#fields .conflicts").text
    assert "customer.name: kept Kestrel Logistics Group plc" in conflicts
    assert "Andrew Lomax" in conflicts
    assert "conflict" in value_node(opened, "customer.name").text

    open_doc(opened, "nda-mutual-bluefin.pdf")
    node = value_node(opened, "invoice_number")
    assert "ungrounded" in node.get_attribute("class") and "no evidence" in node.text


def test_keyboard_moves_between_documents_and_to_the_next_ungrounded_value(opened):
    body = opened.find_element(By.TAG_NAME, "body")
    first = opened.find_element(By.CSS_SELECTOR, "#doc-head h2").text
    body.send_keys("j")
    second = opened.find_element(By.CSS_SELECTOR, "#doc-head h2").text
    assert second != first and listed(opened).index(second) == listed(opened).index(first) + 1
    body.send_keys("k")
    assert opened.find_element(By.CSS_SELECTOR, "#doc-head h2").text == first
    body.send_keys("n")
    selected = opened.find_element(By.CSS_SELECTOR, "#fields .value.selected")
    assert "ungrounded" in selected.get_attribute("class")


def test_hostile_text_is_shown_as_text(opened):
    open_doc(opened, "hostile.txt")
    text = opened.find_element(By.ID, "source").text
    assert "</script><script>window.__pwned=1</script>" in text
    assert '<b>bold</b> <img src=x onerror="window.__pwned=2">' in text
    assert opened.find_elements(By.CSS_SELECTOR, "#source b, #source img, #source script") == []
    total = value_node(opened, "total")
    total.click()  # its quote comes after an emoji: offsets must land on it in the browser
    assert [m.text for m in opened.find_elements(By.CSS_SELECTOR, "#source mark.active")] == [
        "99.50"
    ]
    open_doc(opened, "nda-mutual-bluefin.pdf")
    assert value_node(opened, "invoice_number").text.startswith(HOSTILE_VALUE)
    assert opened.execute_script("return window.__pwned") is None


def test_corrections_download_as_csv_and_apply_to_new_tables(opened, run, downloads: Path):
    open_doc(opened, "invoice-northwind-5531.txt")
    value_node(opened, "vendor.tax_id").click()
    opened.find_element(By.TAG_NAME, "body").send_keys("x")  # mark wrong
    value_node(opened, "line_items[1].amount").click()
    box = opened.find_element(By.ID, "correction")
    box.send_keys('16, "net"')
    box.send_keys("\n")
    value_node(opened, "line_items[1].amount").click()
    box = opened.find_element(By.ID, "correction")
    box.clear()
    box.send_keys("16.00\n")  # typed again: replaces, not adds
    assert opened.find_element(By.ID, "corrections-count").text == "2 corrections"
    for old in downloads.glob("*"):
        old.unlink()
    opened.find_element(By.ID, "download").click()
    got = wait_for(downloads / "corrections.csv")
    doc_id = (
        pd.read_parquet(run).set_index("source").filter(like="northwind", axis=0)["doc_id"].iloc[0]
    )
    with got.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows == [
        {"doc_id": doc_id, "field": "vendor.tax_id", "value": "94-3217765", "corrected": ""},
        {"doc_id": doc_id, "field": "line_items[1].amount", "value": "15", "corrected": "16.00"},
    ]

    result = apply_corrections(run, got)
    assert (result.applied, result.skipped) == (2, [])
    fixed = pd.read_parquet(corrected_path(run)).set_index("doc_id")
    assert pd.isna(fixed.loc[doc_id, "vendor.tax_id"])
    items = pd.read_parquet(corrected_path(run).with_name("invoices.corrected.line_items.parquet"))
    assert items.loc[(items["doc_id"] == doc_id) & (items["item"] == 1), "amount"].item() == 16.0
    original = pd.read_parquet(run).set_index("doc_id")
    assert original.loc[doc_id, "vendor.tax_id"] == "94-3217765"  # the original is kept


def wait_for(path: Path, seconds: float = 10.0) -> Path:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.is_file() and path.stat().st_size:
            return path
        time.sleep(0.05)
    raise AssertionError(f"nothing downloaded to {path}")


def test_page_image_shows_the_value_box_on_the_rendered_pdf_page(opened, run):
    open_doc(opened, "invoice-acme-2024-017.pdf")
    ev = evidence_of(run, "invoice-acme-2024-017.pdf", "invoice_number")
    assert isinstance(ev["bbox"], str)  # the run placed the quote on its page
    opened.find_element(By.ID, "view-image").click()
    img = opened.find_element(By.CSS_SELECTOR, "#source .image-wrap img")
    assert img.get_attribute("src").startswith("data:image/png;base64,")
    assert opened.execute_script("return arguments[0].naturalWidth", img) == 800
    value_node(opened, "invoice_number").click()
    active = opened.find_elements(By.CSS_SELECTOR, "#source .box.active")
    assert len(active) >= 1
    box, picture = active[0].rect, img.rect
    assert picture["x"] <= box["x"] and box["x"] + box["width"] <= picture["x"] + picture["width"]
    assert box["y"] - picture["y"] < picture["height"] / 3  # the number is printed near the top
    opened.find_element(By.TAG_NAME, "body").send_keys("t")
    assert opened.find_elements(By.CSS_SELECTOR, "#source .page-label")  # back to the text


def test_values_under_the_confidence_threshold_are_marked(browser, run: Path, tmp_path: Path):
    # The fake server sends no log-probabilities, so the run's confidence column is empty:
    # give one value a low confidence and the rest a high one, as a backend that sends them would.
    copy = tmp_path / "out"
    shutil.copytree(run.parent, copy)
    out = copy / run.name
    ev = pd.read_parquet(evidence_path(out))
    northwind = pd.read_parquet(out).set_index("source").filter(like="northwind", axis=0)
    low = (ev["doc_id"] == northwind["doc_id"].iloc[0]) & (ev["field"] == "invoice_number")
    ev["confidence"] = pd.array([0.2 if flag else 0.9 for flag in low], dtype="Float64")
    ev.to_parquet(evidence_path(out), index=False)
    browser.get(write_review(out, low_confidence=0.5).as_uri())
    open_doc(browser, "invoice-northwind-5531.txt")
    marked = value_node(browser, "invoice_number")
    assert "low" in marked.get_attribute("class") and "confidence 20%" in marked.text
    fine = value_node(browser, "total")
    assert "low" not in fine.get_attribute("class") and "confidence" not in fine.text
    fine.click()
    assert "confidence 90%" in browser.find_element(By.ID, "selected").text


def test_a_documents_notes_are_shown_with_its_values(browser, run: Path, tmp_path: Path):
    """The notes say why a value differs from what the model wrote (a charity's fund column
    read as its row's total): a reviewer reads them beside the values."""
    copy = tmp_path / "out"
    shutil.copytree(run.parent, copy)
    out = copy / run.name
    main = pd.read_parquet(out)
    note = "total: 1,234.5 read as its row's total, 1,384.5"
    main["notes"] = pd.array(
        [note if "northwind" in s else None for s in main["source"]], dtype="string"
    )
    main.to_parquet(out, index=False)
    browser.get(write_review(out).as_uri())
    open_doc(browser, "invoice-northwind-5531.txt")
    assert browser.find_element(By.CSS_SELECTOR, "#fields .notes").text == note
    open_doc(browser, "invoice-acme-2024-017.pdf")
    assert not browser.find_elements(By.CSS_SELECTOR, "#fields .notes")
