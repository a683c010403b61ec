"""Running headers and footers are read once, on the first page that prints them."""

from __future__ import annotations

from extract.ingest.documents import PAGE_SEPARATOR, read_document
from extract.ingest.running_lines import drop_running_lines
from tests.conftest import EVALDATA, require_evaldata

FRANCHISE = (
    "cuad/full_contract_pdf/Part_I/Franchise/"
    "PfHospitalityGroupInc_20150923_10-12G_EX-10.1_9266710_EX-10.1_Franchise Agreement1.pdf"
)
SOURCE_LINE = "Source: PF HOSPITALITY GROUP INC., 10-12G, 9/23/2015"


def test_a_contracts_filing_footer_is_read_once_and_its_clauses_all_stay():
    require_evaldata()
    doc = read_document(EVALDATA / FRANCHISE)
    assert doc.n_pages == 42
    assert doc.text.count(SOURCE_LINE) == 1 and SOURCE_LINE in doc.pages[0]
    # what the contract says is all there: the term, renewal and governing-law clauses
    for clause in ("expires ten (10) years from the Agreement Date", "the State of Florida"):
        assert clause in doc.text
    assert "Page 3 of 39" in doc.text and "Page 38 of 39" in doc.text  # differ: they stay


def test_lines_that_differ_or_carry_numbers_only_are_data_and_stay():
    pages = [f"ACME Ltd - Invoice 17\nWidget {n}\nSubtotal {n}00.00\n{n}\n" for n in range(1, 5)]
    out = drop_running_lines(pages)
    assert out[0] == pages[0]
    assert out[1:] == [f"Widget {n}\nSubtotal {n}00.00\n{n}\n" for n in range(2, 5)]
    assert PAGE_SEPARATOR.join(out).count("ACME Ltd - Invoice 17") == 1


def test_two_pages_or_a_line_on_few_pages_are_left_alone():
    assert drop_running_lines(["Header\nA", "Header\nB"]) == ["Header\nA", "Header\nB"]
    pages = ["Note here\n1", "Note here\n2", "x\n3", "y\n4", "z\n5", "w\n6", "v\n7"]
    assert drop_running_lines(pages) == pages  # on 2 of 7 pages: content, not furniture


def test_scanned_pages_are_neither_counted_nor_changed():
    pages = ["Confidential\nOne", "Confidential", "Confidential\nThree", "Confidential\nFour"]
    out = drop_running_lines(pages, skip={1})
    assert out == ["Confidential\nOne", "Confidential", "Three", "Four"]
