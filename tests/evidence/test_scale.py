"""A page that prints its amounts in thousands is read at that scale (`scaled_by_header`).

CITB's statement of financial activities prints "£'000" over its columns and
"Total resources expended 297,787" below: the register's figure, and the one a
reader means, is £297,787,000. The page layout below is CITB's (page 62 of its
2014 report, as pypdf reads it).
"""

from __future__ import annotations

import pytest

from extract import Config, extract_document
from extract.evidence.locating import TextIndex
from extract.evidence.scale import page_scale
from extract.ingest.documents import Document
from tests.fake_server import FakeOpenAI, schema_responder

NARRATIVE = (
    "CITB Annual Report 2014\nThe Construction Industry Training Board, registered "
    "charity 264289, spent 297,787 hours of training support in 2014.\n"
)
STATEMENT = (
    "Statement of Financial Activities for the Year Ended 31 December 2014.\n"
    "Notes 2014 2013\n INCOMING RESOURCES \u00a3\u2019000 \u00a3\u2019000\n"
    "Levy income 4 161,126 169,733\nInvestment income 2,158 2,005\n263,964 273,659\n"
    " RESOURCES EXPENDED\nGovernance costs 9 1,152 1,262\n"
    " Total resources expended 297,787 267,761\n"
)


@pytest.mark.parametrize(
    ("page", "scale"),
    [
        ("INCOMING RESOURCES £’000 £’000", 1_000),
        ("Total 2016 Funds £000", 1_000),
        ("all figures in thousands of pounds", 1_000),
        ("Unrestricted £m", 1_000_000),
        ("Total income £27.6 million; total funds £000 and £m", 1),  # both: not known
        ("Total income 212,177", 1),
        ("£1,000 donated by 3,000 supporters", 1),  # an amount, not a header
    ],
)
def test_a_page_says_its_scale_in_a_header(page: str, scale: int):
    assert page_scale(page) == scale


def test_an_amount_printed_in_thousands_is_the_amount_it_means():
    text = NARRATIVE + "\n\n" + STATEMENT
    index = TextIndex(text, [0, len(NARRATIVE) + 2])
    assert index.as_meant(263964) == 263_964_000  # printed only on the £'000 page
    assert index.as_meant(2158) == 2_158_000
    assert index.as_meant(297787) == 297787  # printed on both pages: not known
    assert index.as_meant(263_964_000) == 263_964_000  # the model already scaled it
    assert index.as_meant(12345) == 12345  # not printed at all
    found = index.find(263_964_000)
    assert found is not None and text[found.start : found.end] == "263,964"
    assert TextIndex(text).as_meant(263964) == 263964  # no pages given: as printed


def test_the_table_gets_the_amount_and_the_evidence_quotes_the_printed_figure():
    doc = Document(doc_id="citb", source="citb.txt", pages=(NARRATIVE, STATEMENT))
    answer = {
        "charity_name": "CITB",
        "income_annually_in_british_pounds": 263964,  # as printed, under "£'000"
        "spending_annually_in_british_pounds": 297787,  # printed on page 1 too
    }
    with FakeOpenAI(schema_responder(lambda r: answer)) as fake:
        config = Config.resolve(env={}, base_url=fake.base_url, api_key="x", quiet=True)
        result = extract_document(doc, "charity_report", config=config)
    assert result.data is not None and result.evidence is not None
    assert result.data["income_annually_in_british_pounds"] == 263_964_000
    assert result.data["spending_annually_in_british_pounds"] == 297787
    (row,) = [r for r in result.evidence.rows if r.field == "income_annually_in_british_pounds"]
    assert (row.quote, row.page, row.match) == ("263,964", 2, "normalised")
    assert (
        "income_annually_in_british_pounds: 263,964 read as 263,964,000 (its page prints its "
        "amounts in thousands or millions)" in result.notes
    )
