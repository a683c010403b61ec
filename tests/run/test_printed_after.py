"""A value not printed where its labels say (`printed_after`) is asked again by the second pass.

The document is a real Kleister Charity report (Sevenoaks Area Youth Trust):
its year-end date follows "year to", and the date the embedded model gave
(23rd October 2014, when the trustees signed) is printed elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extract import Config, extract_document
from extract.evidence.labels import PrintedAfter, after_label, label_ends, prefer_labelled
from extract.evidence.locating import TextIndex
from extract.ingest.documents import read_document
from extract.output.merge import merge_answers
from tests.conftest import EVALDATA, require_evaldata
from tests.fake_server import FakeOpenAI, RecordedRequest, Reply, request_schema

FIRST = {
    "charity_name": "Sevenoaks Area Youth Trust",
    "charity_number": "1090595",
    "income_annually_in_british_pounds": 26784,  # "Total receipts 26,784"
    "spending_annually_in_british_pounds": 43780,  # "Total payments 43,780"
    "report_date": "23rd October 2014",  # printed, but not after "year to"
}


@pytest.fixture
def sayt() -> Path:
    folder = require_evaldata(EVALDATA / "kleister_charity_sample" / "documents")
    return folder / "bc1881761cdd5edf2d7e5c12958a82f2.pdf"


def test_labels_find_a_value_printed_just_after_them():
    text = "Signed 23rd October 2014.\nTRUSTEES REPORT FOR YEAR TO 31 DECEMBER 2013\n"
    ends = label_ends(text, ["year ended", "year to"])
    assert [text[e - 7 : e] for e in ends] == ["YEAR TO"]
    index = TextIndex(text)
    assert after_label(index, "2013-12-31", ends)  # found by the day it names
    assert not after_label(index, "2014-10-23", ends)
    assert label_ends(text, ["total income"]) == []
    # a number with a scale after it is not that number: 27.6 is not "£27.6 million"
    text = "Our total income rose to £27.6 million.\nTotal income 27,616 23,958"
    index, ends = TextIndex(text), label_ends(text, ["total income"])
    assert not after_label(index, 27.6, ends)
    assert after_label(index, 27616, ends)


def respond_with(again: dict[str, Any]):
    def respond(request: RecordedRequest) -> Reply:
        schema, _ = request_schema(request.body)
        if "Passages from the document" in request.body["messages"][-1]["content"]:
            return Reply(content=json.dumps({k: again.get(k) for k in schema["properties"]}))
        return Reply(content=json.dumps(FIRST))

    return respond


@pytest.mark.parametrize(
    ("again", "kept"),
    [
        ("31 December 2013", "2013-12-31"),  # after "year to": replaces the signing date
        ("9 October 2014", "2014-10-23"),  # printed, but not after a label: the first stays
    ],
)
def test_a_date_not_printed_after_its_label_is_asked_again(sayt: Path, again: str, kept: str):
    text = read_document(sayt).text
    assert "YEAR TO 31 DECEMBER 2013" in text and "23rd October 2014" in text
    with FakeOpenAI(respond_with({"report_date": again})) as fake:
        config = Config.resolve(base_url=fake.base_url, api_key="x", second_pass=True)
        result = extract_document(sayt, "charity_report", config=config)
        second = fake.chat_requests()[-1]
    schema, _ = request_schema(second.body)
    # the totals are printed after "Total receipts" and "Total payments": not asked
    assert list(schema["properties"]) == ["report_date"]
    user = second.body["messages"][-1]["content"]
    assert 'report_date: "2014-10-23" is not printed after "year ended" or' in user
    assert "YEAR TO 31 DECEMBER 2013" in user  # the passage around the label
    assert result.data["report_date"] == kept
    assert result.data["income_annually_in_british_pounds"] == 26784


def test_the_merge_prefers_a_chunks_answer_printed_after_a_label():
    """Breast Cancer Now's report: the first part gave a date printed elsewhere, a later part
    the year end (as the embedded model answered them)."""
    text = "Approved on 15 December 2016.\n" + "x " * 500 + "\nfor the year ended 31 July 2016\n"
    parts = [
        ("1/3", {"report_date": "2016-12-15", "income": 27.6}),
        ("2/3", {"report_date": "2016-07-31", "income": 19366.0}),
    ]
    labelled = {"report_date": ("year ended",), "income": ("total income",)}
    merged = prefer_labelled(merge_answers(parts), parts, PrintedAfter.find(text, labelled))
    assert merged.data == {"report_date": "2016-07-31", "income": 27.6}  # no "total income"
    assert [(c.field, c.kept, c.other, c.chunk) for c in merged.conflicts] == [
        ("income", 27.6, 19366.0, "2/3"),
        ("report_date", "2016-07-31", "2016-12-15", "1/3"),
    ]
