"""PDF text: read by PDFium, pypdf where PDFium cannot, both in the pipeline's conventions."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.ingest import pdf_reader
from extract.ingest.documents import read_document
from extract.ingest.pdf_text import PdfFailure, normalise, pdfium_pages, pypdf_pages, read_pages
from tests.conftest import NDA_PDFS, real_pdfs
from tests.ingest.test_inputs import HELLO, one_page_pdf


def test_normalise_keeps_the_conventions_pypdf_text_had():
    assert normalise("FORM OF\r\nAGREEMENT\r\n") == "FORM OF\nAGREEMENT\n"
    assert normalise("a\rb") == "a\nb"
    # PDFium joins a word broken at a line-ending hyphen and marks the hyphen U+FFFE
    assert normalise("a non\ufffedisclosure agreement") == "a non-\ndisclosure agreement"
    assert normalise("x\x00y\x01\x1b\x7f\uffffz\tq") == "xyz\tq"
    assert normalise("REG MARKETING\xa0& LOGISTICS") == "REG MARKETING\xa0& LOGISTICS"


def test_a_real_nda_pdf_reads_as_it_prints(tmp_path: Path):
    pdf = NDA_PDFS / "03ae3b511276b560dc8806eb61b9d063.pdf"
    if not pdf.is_file():
        pytest.skip("evaldata not here")
    doc = read_document(pdf)
    assert doc.notes == ()  # read by PDFium, the plan
    # page 3 prints "non-" at the end of a line and "disclosure" at the start of the next
    assert "accompanied by a non-\ndisclosure agreement executed" in doc.pages[2]
    assert not any(c in page for page in doc.pages for c in "\r\x00\ufffe")


def test_pdfium_finds_the_same_words_as_pypdf_on_real_pdfs():
    for pdf in real_pdfs(3):
        data = pdf.read_bytes()
        ours, theirs = pdfium_pages(data, 100), pypdf_pages(data, 100)
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            words_a, words_b = set(a.split()), set(b.split())
            assert len(words_a & words_b) >= 0.9 * len(words_b)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        # PDFium looks for the header in the first 1,024 bytes only
        ("header after 2,000 blanks", b" " * 2000 + one_page_pdf(HELLO, pages=2)),
        # the page tree counts 7 pages but has 2: PDFium fails on page 3
        ("page count wrong", one_page_pdf(HELLO, pages=2).replace(b"/Count 2", b"/Count 7")),
    ],
)
def test_pypdf_reads_what_pdfium_cannot(tmp_path: Path, name: str, data: bytes):
    path = tmp_path / "odd.pdf"
    path.write_bytes(data)
    with pytest.raises(Exception):  # noqa: B017 - PDFium's own failure, whatever its type
        pdfium_pages(data, 100)
    doc = read_document(path)
    assert doc.pages == ("Hello from page one",) * 2
    assert doc.notes[0].startswith("PDF text read by pypdf: PDFium: ")  # and why, in the table


def test_pdfium_reads_a_pdf_whose_startxref_is_broken(tmp_path: Path):
    data = one_page_pdf(HELLO).replace(b"startxref", b"startxref\n99999\n")
    with pytest.raises(PdfFailure, match="startxref"):
        read_pages(data, 10, ("pypdf",))
    path = tmp_path / "repaired.pdf"
    path.write_bytes(data)
    assert read_document(path).pages == ("Hello from page one",)


def test_the_pypdf_baseline_reads_the_same_pages(nda_pdf: Path):
    with pdf_reader.reading_with(("pypdf",)):
        before = read_document(nda_pdf)
        assert pdf_reader._worker is not None and pdf_reader._worker.readers == ("pypdf",)
    after = read_document(nda_pdf)
    assert pdf_reader._worker is not None and pdf_reader._worker.readers == ("pdfium", "pypdf")
    assert before.n_pages == after.n_pages and before.doc_id == after.doc_id
    assert pdf_reader.worker_cpu_seconds() > 0
