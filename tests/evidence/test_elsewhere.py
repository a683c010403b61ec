"""A value the text prints only where it is someone else's is not the field's (`not_after`).

A charity report prints its auditor's, bankers' and solicitors' addresses beside
its own, and a small model copies the first address it reads. The charity schema
names the advisers' labels; an address printed only just after one of them is
dropped like a value the text does not hold, so another chunk's answer, or the
second pass, can give the charity's own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field

from extract import Config, extract_document
from extract.errors import ConfigError
from extract.evidence.grounding import evidence_fields, ground_answer, someone_elses
from schemas.charity_report import CharityReport
from tests.conftest import EVALDATA, require_evaldata
from tests.fake_server import FakeOpenAI, RecordedRequest, Reply, request_schema

# As Breast Cancer Now's report prints its reference page (page 69 of the PDF's text).
REFERENCE = (
    "Patron\nHRH The Prince of Wales\n"
    "Auditor\nCrowe Clark Whitehill LLP\nSt Bride\u2019s House\n10 Salisbury Square\n"
    "London EC4Y 8EH\n"
    "Registered Office\n5th Floor\nIbex House\n42-47 Minories\nLondon\nEC3N 1DY\n"
)
FIELDS = evidence_fields(CharityReport)


@pytest.mark.parametrize(
    ("field", "value", "kept"),
    [
        ("address_postcode", "EC4Y 8EH", None),  # the auditor's
        ("address_street_line", "10 Salisbury Square", None),
        ("address_postcode", "EC3N 1DY", "EC3N 1DY"),  # after "Registered Office"
        ("address_street_line", "42-47 Minories", "42-47 Minories"),
        ("address_post_town", "London", "London"),  # also printed as the charity's town
    ],
)
def test_an_address_printed_only_after_an_advisers_label_is_dropped(
    field: str, value: str, kept: str | None
):
    assert ground_answer({field: value}, FIELDS, REFERENCE)[field] == kept


def test_the_charitys_own_label_before_it_keeps_an_address_at_its_accountants():
    text = "Registered office: c/o Smith & Co, Chartered Accountants\n1 High Street\nSG12 9AA\n"
    assert ground_answer({"address_postcode": "SG12 9AA"}, FIELDS, text) == {
        "address_postcode": "SG12 9AA"
    }


def test_a_blank_line_ends_an_advisers_reach():
    """Yorkshire Young Farmers: the examiner's address ends his statement, then the charity's."""
    text = (
        "Accountants,\n14 Beech Hill,\nOTLEY, West Yorkshire,\nLS21 3AX.\n1 lih May 2017\n\n"
        "KNARESBOROUGH HOUSE, HIGH STREET, KNARESBOROUGH.\n"
    )
    answer = {"address_post_town": "OTLEY", "address_street_line": "High Street"}
    assert ground_answer(answer, FIELDS, text) == {
        "address_post_town": None,
        "address_street_line": "HIGH STREET",
    }
    answer = {"address_post_town": "Knaresborough"}
    assert ground_answer(answer, FIELDS, text) == answer


def test_someone_elses_says_where_the_text_prints_the_value():
    how = FIELDS["address_postcode"]
    assert someone_elses("EC4Y 8EH", how, REFERENCE) == 'after "Auditor"'
    assert someone_elses("EC3N 1DY", how, REFERENCE) is None  # the charity's own
    assert someone_elses("SW1A 1AA", how, REFERENCE) is None  # not printed at all

    class Agreement(BaseModel):
        term: str | None = Field(
            None, json_schema_extra={"evidence": "present", "not_from": ["solicit"]}
        )

    text = "For twelve (12) months, Employee shall not solicit any customer."
    term = evidence_fields(Agreement)["term"]
    assert someone_elses("12 months", term, text) == 'in a sentence naming "solicit"'


def test_advisers_labels_must_be_a_list_of_words():
    class Bad(BaseModel):
        town: str | None = Field(None, json_schema_extra={"evidence": "present", "not_after": "x"})

    with pytest.raises(ConfigError, match=r"Bad\.town: not_after must be a list of words"):
        evidence_fields(Bad)


FIRST = {  # as the report prints them
    "charity_name": "Breast Cancer Now",
    "charity_number": "1160558",
    "income_annually_in_british_pounds": 27616000,
    "spending_annually_in_british_pounds": 31702000,
    "report_date": "31 July 2016",
}
AUDITOR = {**FIRST, "address_postcode": "EC4Y 8EH", "address_street_line": "10 Salisbury Square"}
OWN = {"address_postcode": "EC3N 1DY", "address_street_line": "42-47 Minories"}


def respond_with(first: dict[str, Any]):
    """Every part of the report answers `first`; asked again, the charity's own address."""

    def respond(request: RecordedRequest) -> Reply:
        schema, _ = request_schema(request.body)
        again = "Passages from the document" in request.body["messages"][-1]["content"]
        answer = OWN if again else first
        return Reply(content=json.dumps({k: answer.get(k) for k in schema["properties"]}))

    return respond


@pytest.fixture
def breast_cancer_now() -> Path:
    folder = require_evaldata(EVALDATA / "kleister_charity_sample" / "documents")
    return folder / "cfe956d594cd45a0267d966dadebf72e.pdf"


@pytest.mark.parametrize(
    ("first", "second_pass"),
    [
        (AUDITOR, False),
        (AUDITOR, True),
        # every important field asked too: the passages of the ones printed early in the
        # report must not crowd out the registered office, printed on its last page
        ({k: AUDITOR[k] for k in OWN}, True),
    ],
)
def test_the_auditors_address_never_reaches_the_table(
    breast_cancer_now: Path, first: dict[str, Any], second_pass: bool
):
    with FakeOpenAI(respond_with(first)) as fake:
        config = Config.resolve(
            env={}, base_url=fake.base_url, api_key="x", quiet=True, second_pass=second_pass
        )
        result = extract_document(breast_cancer_now, "charity_report", config=config)
        requests = fake.chat_requests()
    assert result.status == "ok" and result.n_chunks > 1
    if not second_pass:
        assert result.data["address_postcode"] is None
        assert result.data["address_street_line"] is None
        return
    user = requests[-1].body["messages"][-1]["content"]
    assert 'address_postcode: "EC4Y 8EH" is printed only after "Auditor"' in user
    assert "42-47 Minories" in user  # the passage after "Registered Office"
    assert result.data["address_postcode"] == "EC3N 1DY"
    assert result.data["address_street_line"] == "42-47 Minories"


def test_the_second_pass_reads_the_parts_in_document_order_whatever_finished_first(
    breast_cancer_now: Path,
):
    """The merge keeps the first part's value and the request quotes the first part's
    dropped one: the part that answers last must not change either (nor the cache key)."""

    def respond(request: RecordedRequest) -> Reply:
        schema, _ = request_schema(request.body)
        user = _user_text(request)
        if "Passages from the document" in user:
            return Reply(content=json.dumps({k: None for k in schema["properties"]}))
        first = user.startswith("Part 0 of")
        postcode = "SW1A 1AA" if first else "W1A 0AX"  # neither printed: both dropped
        answer = {**FIRST, "address_postcode": postcode}
        return Reply(content=json.dumps(answer), delay=1.0 if first else 0.0)

    with FakeOpenAI(respond) as fake:
        config = Config.resolve(
            env={}, base_url=fake.base_url, api_key="x", quiet=True, second_pass=True
        )
        extract_document(breast_cancer_now, "charity_report", config=config)
        requests = fake.chat_requests()
    parts = sorted(_user_text(r)[:12] for r in requests[:-1])
    assert parts == ["Part 0 of 2,", "Part 1 of 2,"]
    assert 'address_postcode: "SW1A 1AA" is not in the document' in _user_text(requests[-1])


def _user_text(request: RecordedRequest) -> str:
    """The user message's text (a part with scanned pages also carries their images)."""
    content = request.body["messages"][-1]["content"]
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)
