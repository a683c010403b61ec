"""A fund's column taken for a total: the row's own total is the figure meant (`row_total`).

The rows are The Leslie Smith Foundation's statement of financial activities
as OCR reads it: unrestricted fund, restricted fund, total funds 2018, total
funds 2017. The embedded model gave the unrestricted fund, 74158, for the
total income of 81,124.
"""

from __future__ import annotations

import pytest

from extract import Config, extract_document
from extract.evidence.locating import TextIndex
from extract.evidence.row_total import row_total
from extract.ingest.documents import Document
from tests.fake_server import FakeOpenAI, schema_responder

SOFA = (
    "STATEMENT OF FINANCIAL ACTIVITIES\nINCOME AND ENDOWMENTS\n"
    "Notes Unrestricted Restricted Total funds 2018 Total funds 2017\n"
    "Investment income 2 74158 6,966 81,124 72,201\n"
    "Grant making 3 (113,030) (6,000) (119,030) (116,116)\n"
    "Net income 1,250 2,500 3,750\n"
)


@pytest.mark.parametrize(
    ("value", "total", "also"),
    [
        (74158, 81124, ""),  # the unrestricted column: 74,158 + 6,966 = 81,124
        (6966, 6966, ""),  # not the first column: nothing adds up after it
        (81124, 81124, ""),  # already the total
        (72201, 72201, ""),  # last year's, the line's last figure
        (113030, 119030, ""),  # in brackets, as expenditure is printed
        (1250, 3750, ""),  # 1,250 + 2,500 = 3,750
        (1250, 1250, "Donations of 1,250 were received.\n"),  # printed elsewhere: not known
        (99999, 99999, ""),  # not printed
    ],
)
def test_the_first_column_of_a_row_that_adds_up_is_read_as_its_total(
    value: int, total: int, also: str
):
    assert row_total(TextIndex(SOFA + also), value) == total


def test_a_row_total_reaches_the_table_through_the_pipeline():
    doc = Document(doc_id="lsf", source="lsf.txt", pages=("THE LESLIE SMITH FOUNDATION\n", SOFA))
    answer = {
        "charity_name": "THE LESLIE SMITH FOUNDATION",
        "income_annually_in_british_pounds": 74158,
        "spending_annually_in_british_pounds": 119030,
    }
    with FakeOpenAI(schema_responder(lambda r: answer)) as fake:
        config = Config.resolve(env={}, base_url=fake.base_url, api_key="x", quiet=True)
        result = extract_document(doc, "charity_report", config=config)
    assert result.data is not None and result.evidence is not None
    assert result.data["income_annually_in_british_pounds"] == 81124
    assert result.data["spending_annually_in_british_pounds"] == 119030
    (row,) = [r for r in result.evidence.rows if r.field == "income_annually_in_british_pounds"]
    assert (row.quote, row.page) == ("81,124", 2)
    assert result.notes == [
        "income_annually_in_british_pounds: 74,158 read as its row's total, 81,124"
    ]
