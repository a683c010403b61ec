"""The evidence-driven second pass, end to end through the real openai client and a real NDA PDF.

The fake endpoint answers by what each request carries: the whole document the
first time, passages the second. What the document prints (checked below) is
the reference: Eric Dean Sprunk and "NIKE, Inc." are its parties, it is
governed by the laws of Oregon, and it states no effective date.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, Field, field_validator

from extract import Config, extract_document
from extract.evidence.passages import find_passages
from extract.evidence.step import page_starts
from extract.ingest.documents import read_document
from tests.conftest import real_pdfs
from tests.fake_server import FakeOpenAI, RecordedRequest, Reply, request_schema

FIRST = {  # one party of two, no date, a term the document does not state
    "parties": ["Eric Dean Sprunk"],
    "effective_date": None,
    "jurisdiction": "Oregon",
    "term": "5 years",
}


@pytest.fixture
def nike() -> Path:
    path = real_pdfs(1)[0]
    text = read_document(path).text
    assert "Eric Dean Sprunk" in text and "NIKE, Inc." in text
    assert "laws of the State of Oregon" in text and "5 years" not in text
    return path


def config(fake: FakeOpenAI, **kw: Any) -> Config:
    return Config.resolve(base_url=fake.base_url, api_key="x", max_retries=0, **kw)


def responder(first: dict[str, Any], again: dict[str, Any]):
    """`first` for a request with the whole document, `again` (its asked keys) for passages."""

    def respond(request: RecordedRequest) -> Reply:
        schema, _ = request_schema(request.body)
        asked = list(schema["properties"]) if schema else []
        if "Passages from the document" in request.body["messages"][-1]["content"]:
            return Reply(content=json.dumps({k: again.get(k) for k in asked}))
        return Reply(content=json.dumps(first))

    return respond


def test_the_second_request_carries_passages_and_only_the_doubtful_fields(nike: Path):
    again = {"parties": ["Eric Dean Sprunk", "NIKE, Inc."], "effective_date": "2099-01-01"}
    with FakeOpenAI(responder(FIRST, again)) as fake:
        result = extract_document(nike, "nda", config=config(fake, second_pass=True))
        first, second = fake.chat_requests()
    text = read_document(nike).text
    schema, _ = request_schema(second.body)
    # important and empty (date), fewer parties than expected, a term grounding dropped;
    # the jurisdiction is grounded, so it is not asked again
    assert list(schema["properties"]) == ["parties", "effective_date", "term"]
    user = second.body["messages"][-1]["content"]
    assert "[page 1]\n" in user and "Eric Dean Sprunk" in user
    assert len(user) < len(text) / 2  # passages, not the document
    assert 'term: "5 years" is not in the document' in user
    assert "effective_date: no value was found" in user
    assert text[:200] in first.body["messages"][-1]["content"]
    # the grounded parties replace the list; the invented date is not in the text: kept empty
    assert result.data["parties"] == ["Eric Dean Sprunk", "NIKE, Inc."]
    assert result.data["effective_date"] is None and result.data["term"] is None
    assert result.data["jurisdiction"] == "Oregon"
    assert result.second_pass == {
        "asked": ["parties", "effective_date", "term"],
        "changed": ["parties"],
    }
    assert "second pass: asked parties, effective_date, term; changed parties" in result.notes
    assert result.usage.requests == 2
    rows = {r.field: r for r in result.evidence.rows}
    assert rows["parties[1]"].quote == "NIKE, Inc." and rows["parties[1]"].page == 1


def test_off_sends_one_request_and_keeps_the_first_answer(nike: Path):
    again = {"parties": ["Eric Dean Sprunk", "NIKE, Inc."]}
    with FakeOpenAI(responder(FIRST, again)) as fake:
        result = extract_document(nike, "nda", config=config(fake))
        assert len(fake.chat_requests()) == 1
    assert result.data["parties"] == ["Eric Dean Sprunk"]
    assert result.second_pass is None and not result.notes


def test_with_nothing_in_doubt_on_gives_the_same_row_as_off(nike: Path):
    settled = {**FIRST, "parties": ["Eric Dean Sprunk", "NIKE, Inc."], "term": None}
    settled["effective_date"] = "04/18/01"  # printed beside the signatures
    rows = []
    for on in (False, True):
        with FakeOpenAI(responder(settled, {})) as fake:
            rows.append(extract_document(nike, "nda", config=config(fake, second_pass=on)))
            assert len(fake.chat_requests()) == 1
    off, on_ = rows
    assert on_.data == off.data and on_.data["effective_date"] == "2001-04-18"
    assert on_.notes == off.notes == [] and on_.usage == off.usage
    assert on_.second_pass is None
    assert [(r.field, r.quote) for r in on_.evidence.rows] == [
        (r.field, r.quote) for r in off.evidence.rows
    ]


@pytest.mark.parametrize(
    ("answer", "kept"),
    [
        ("COVENANT NOT TO COMPETE AND NON-DISCLOSURE AGREEMENT", True),  # printed: replaces
        ("MASTER SERVICES AGREEMENT", False),  # not printed either: the field stays empty
    ],
)
def test_an_ungrounded_value_is_replaced_only_by_a_grounded_one(
    nike: Path, answer: str, kept: bool
):
    first = {"document_name": "MASTER SUPPLY AGREEMENT", "parties": ["NIKE, Inc."]}
    with FakeOpenAI(responder(first, {"document_name": answer})) as fake:
        result = extract_document(nike, "contract", config=config(fake, second_pass=True))
        schema, _ = request_schema(fake.chat_requests()[-1].body)
    assert list(schema["properties"]) == ["document_name"]  # the grounded parties are not asked
    # the contract's title is grounded verbatim: the first, unprinted answer was dropped
    assert result.data["document_name"] == (answer if kept else None)
    assert result.second_pass == {"asked": ["document_name"], "changed": ["document_name"] * kept}
    match = {r.field: r.match for r in result.evidence.rows}.get("document_name", "none")
    assert (match != "none") is kept


def test_the_second_answer_is_cached_like_any_other(nike: Path, tmp_path: Path):
    again = {"parties": ["Eric Dean Sprunk", "NIKE, Inc."]}
    cache = tmp_path / "answers.sqlite"
    with FakeOpenAI(responder(FIRST, again)) as fake:
        one = extract_document(nike, "nda", config=config(fake, second_pass=True, cache_path=cache))
        two = extract_document(nike, "nda", config=config(fake, second_pass=True, cache_path=cache))
        assert len(fake.chat_requests()) == 2  # the rerun sent nothing
    assert one.data == two.data and two.second_pass == one.second_pass
    assert two.usage.requests == one.usage.requests == 2  # as paid, from the cache


def test_a_failed_second_request_keeps_the_first_result(nike: Path):
    def respond(request: RecordedRequest) -> Reply:
        if "Passages from the document" in request.body["messages"][-1]["content"]:
            return Reply(content="not json")
        return Reply(content=json.dumps(FIRST))

    with FakeOpenAI(respond) as fake:
        result = extract_document(nike, "nda", config=config(fake, second_pass=True))
    assert result.status == "ok" and result.data["parties"] == ["Eric Dean Sprunk"]
    assert result.second_pass == {"asked": ["parties", "effective_date", "term"], "changed": []}
    assert any("InvalidAnswer" in note for note in result.notes)


class Fragile(BaseModel):
    """An agreement whose title validator has a bug that only the second answer meets."""

    document_name: str | None = Field(None, json_schema_extra={"important": True})

    @field_validator("document_name")
    @classmethod
    def _bug(cls, value: str | None) -> str | None:
        if value == "COVENANT NOT TO COMPETE":
            raise TypeError("a bug in the schema")  # not a validation error: it propagates
        return value


def test_a_bug_in_the_second_pass_never_loses_the_document(nike: Path):
    again = {"document_name": "COVENANT NOT TO COMPETE"}
    with FakeOpenAI(responder({"document_name": None}, again)) as fake:
        result = extract_document(nike, Fragile, config=config(fake, second_pass=True))
        assert len(fake.chat_requests()) == 2
    assert result.status == "ok" and result.data == {"document_name": None}
    assert result.second_pass is None
    assert result.notes == ["second pass failed: TypeError: a bug in the schema"]


def test_passages_for_the_governing_law_hold_the_clause_with_its_page(nike: Path):
    doc = read_document(nike)
    terms = ["jurisdiction", "governed", "governing", "laws", "construed"]
    passages = find_passages(doc.text, page_starts(doc.pages), terms, top=1)
    (passage,) = passages
    assert "laws of the State of Oregon" in passage.text
    assert (passage.page, passage.last_page, doc.n_pages) == (4, 5, 5)
    assert passage.pages == "pages 4-5"  # as the prompt labels it
    assert len(passage.text) <= 1000


def test_a_contract_value_the_text_does_not_print_is_dropped(nike: Path):
    # what a 1.5B model answered for CUAD contracts: the file name as the title, a date read
    # out of it, "perpetual" from a field description and "Nevada" from an example since removed
    text = read_document(nike).text
    assert "perpetu" not in text.casefold() and "Nevada" not in text
    guessed = {
        "document_name": nike.name,
        "parties": ["NIKE, Inc.", "Recipient"],
        "agreement_date": "2099-01-01",
        "expiration_date": "perpetual",
        "renewal_term": "11 years",
        "governing_law": "Nevada",
    }
    assert "eleven" not in text.casefold() and "11 years" not in text
    with FakeOpenAI(responder(guessed, {})) as fake:
        result = extract_document(nike, "contract", config=config(fake))
        (request,) = fake.chat_requests()
    assert nike.name not in request.raw.decode()  # the model never sees the file name
    assert result.data["parties"] == ["NIKE, Inc."]
    for name in ("document_name", "agreement_date", "expiration_date", "renewal_term"):
        assert result.data[name] is None, name
    assert result.data["governing_law"] is None
