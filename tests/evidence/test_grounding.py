"""Grounding: values checked against, and snapped to, the text they were read from."""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from pydantic import BaseModel, Field

from extract import extract_document
from extract.config import Config
from extract.errors import ConfigError
from extract.evidence.grounding import Grounding, evidence_fields, ground_answer, locate
from extract.ingest.documents import Document
from extract.run.task import Task
from tests.fake_server import FakeOpenAI, schema_responder

RECEIPT = (
    "TAN WOON YANN\nBOOK TA .K(TAMAN DAYA) SDN BHD\n789417-W\n"
    "NO.53 55,57 & 59, JALAN SAGU 18,\nTAMAN DAYA,\n81100 JOHOR BAHRU,\nJOHOR.\n"
    "TEL: 07-3519000\nDATE:25/12/2018 8:13:39 PM\nTOTAL AMT RM\n19.00\nROUNDING 0.00\nRM9.00"
)
VERBATIM = {
    "company": Grounding("verbatim"),
    "address": Grounding("verbatim"),
    "date": Grounding("verbatim"),
    "total": Grounding("verbatim"),
}


def grounded(**answer: object) -> dict[str, object]:
    return ground_answer(dict(answer), VERBATIM, RECEIPT)


def test_a_paraphrased_value_comes_back_as_printed_with_its_lines_joined():
    out = grounded(address="NO.53 55,57&59,JALAN SAGU 18, TAMAN DAYA, 81100 JOHOR BAHRU,JOHOR.")
    assert (
        out["address"] == "NO.53 55,57 & 59, JALAN SAGU 18, TAMAN DAYA, 81100 JOHOR BAHRU, JOHOR."
    )


def test_a_misspelt_word_is_forgiven_and_a_cut_word_completed():
    assert grounded(company="BOOK TA.K (TAMAN DAYA) SDN BND")["company"] == (
        "BOOK TA .K(TAMAN DAYA) SDN BHD"
    )
    assert grounded(company="BOOK TA .K(TAMAN DAYA) SDN BH")["company"] == (
        "BOOK TA .K(TAMAN DAYA) SDN BHD"
    )


def test_numbers_must_match_exactly_and_whole():
    assert locate("9.00", "TOTAL 19.00 TEL 07-3519000") is None
    assert grounded(total="9.00")["total"] == "RM9.00"  # not the "9.00" inside "19.00"
    assert grounded(total="19.01")["total"] is None
    assert grounded(total="19.00")["total"] == "19.00"


def test_a_value_printed_bare_is_preferred_to_the_same_digits_with_letters_glued_on():
    """SROIE receipt 062 prints an item "RM11.40 S" before its total "11.40"; its key, like a
    reader, wants the total's line. Where the value is printed only glued on, that is it."""
    receipt = "MILO 1KG\nRM11.40 S\nTOTAL SALES (INCLUSIVE GST) RM\n11.40\nCASH RM\n50.00"
    total = {"total": Grounding("verbatim")}
    assert ground_answer({"total": "11.40"}, total, receipt) == {"total": "11.40"}
    assert ground_answer({"total": "50.00"}, total, "CASH RM50.00") == {"total": "RM50.00"}


def test_a_currency_sign_is_part_of_the_printed_amount():
    assert locate("8.20", "TOTAL $8.20") is not None
    assert ground_answer({"total": "8.20"}, {"total": Grounding("verbatim")}, "TOTAL $8.20") == {
        "total": "$8.20"
    }


def test_a_label_glued_to_the_value_stays_out():
    assert grounded(date="25/12/2018")["date"] == "25/12/2018"


def test_punctuation_at_the_edges_is_taken_only_when_the_model_wrote_it():
    assert grounded(address="81100 JOHOR BAHRU, JOHOR")["address"] == "81100 JOHOR BAHRU, JOHOR"
    assert grounded(address="81100 JOHOR BAHRU, JOHOR.")["address"] == "81100 JOHOR BAHRU, JOHOR."


def test_values_not_in_the_text_are_dropped_one_by_one():
    text = "This Agreement is made between Bluefin Robotics, Inc. and Harbor Analytics LLC."
    answer = {"parties": ["Bluefin Robotics Inc", "Nike, Inc.", "HARBOR ANALYTICS LLC"]}
    out = ground_answer(answer, {"parties": Grounding("verbatim")}, text)
    assert out["parties"] == ["Bluefin Robotics, Inc", "Harbor Analytics LLC"]


def test_present_keeps_the_model_wording_when_the_text_has_it():
    text = "governed by the laws of the State of New York."
    fields = {"jurisdiction": Grounding("present")}
    assert ground_answer({"jurisdiction": "New York"}, fields, text)["jurisdiction"] == "New York"
    assert ground_answer({"jurisdiction": "Delaware"}, fields, text)["jurisdiction"] is None


def test_short_values_must_be_whole_words():
    assert locate("X", "the text") is None
    assert locate("Inc", "Acme Inc.") is not None


def test_an_acronym_is_not_grounded_by_a_lower_case_word():
    # a CUAD franchise contract's part answered the governing law "US" from "give us notice"
    fields = {"law": Grounding("present")}
    assert ground_answer({"law": "US"}, fields, "you must give us notice")["law"] is None
    assert ground_answer({"law": "US"}, fields, "the laws of the US apply")["law"] == "US"
    assert ground_answer({"law": "us"}, fields, "give us notice")["law"] == "us"


class Named(BaseModel):
    name: str | None = Field(None, json_schema_extra={"evidence": "verbatim"})
    city: str | None = None


def test_the_schema_says_which_fields_are_grounded():
    assert evidence_fields(Named) == {"name": Grounding("verbatim")}


def test_an_unknown_evidence_mode_is_a_config_error():
    class Bad(BaseModel):
        name: str | None = Field(None, json_schema_extra={"evidence": "roughly"})

    with pytest.raises(ConfigError, match="evidence must be one of"):
        evidence_fields(Bad)


def test_a_worked_example_must_show_grounded_values_that_its_text_contains():
    class Teaching(Named):
        EXAMPLES: ClassVar[list[tuple[str, dict[str, Any]]]] = [
            ("Invoice from Acme Ltd.", {"name": "Nike, Inc.", "city": None})
        ]

    with pytest.raises(ConfigError, match="not in the example text"):
        Task.build(Teaching, "teaching", Config.resolve(backend="local"))


def test_through_the_pipeline_the_table_holds_the_printed_text():
    doc = Document(doc_id="r1", source="r1.txt", pages=(RECEIPT,))
    answer = {
        "company": "Book Ta.K (Taman Daya) Sdn Bhd",
        "date": "25/12/2018",
        "address": "Jalan Sagu 18",
        "total": "8.00",
    }
    with FakeOpenAI(schema_responder(lambda r: answer)) as fake:
        config = Config.resolve(env={}, base_url=fake.base_url, api_key="x", quiet=True)
        result = extract_document(doc, "receipt", config=config)
    assert result.status == "ok" and result.data is not None
    assert result.data["company"] == "BOOK TA .K(TAMAN DAYA) SDN BHD"
    assert result.data["address"] == "NO.53 55,57 & 59, JALAN SAGU 18,"  # the whole line
    assert result.data["total"] is None and result.data["total_amount"] is None


def test_lines_widens_a_cut_short_value_to_the_whole_lines():
    text = "LIM AH KOW\nKEDAI RUNCIT SENTOSA ENTERPRISE (001234-T)\nNO. 9, JALAN MELATI 4,\nTAMAN MELATI"
    fields = {"company": Grounding("lines"), "address": Grounding("lines")}
    out = ground_answer(
        {"company": "KEDAI RUNCIT", "address": "JALAN MELATI 4, TAMAN"}, fields, text
    )
    assert out == {
        "company": "KEDAI RUNCIT SENTOSA ENTERPRISE (001234-T)",
        "address": "NO. 9, JALAN MELATI 4, TAMAN MELATI",
    }


@pytest.mark.parametrize(
    ("value", "text", "found"),
    [
        ("2018-01-25", "DATE: 25/01/2018 10:02", "25/01/2018"),
        ("25 Jan 2018", "Date 25-01-18", "25-01-18"),
        ("2018-03-19", "19 MAR 18 12:00", "19 MAR 18"),
        ("March 3, 2016", "as of 3rd March 2016", "3rd March 2016"),
        ("2014-05-20", "made this 20th day of May, 2014 by", "20th day of May, 2014"),
        ("2018-01-26", "DATE: 25/01/2018", None),
        ("2024-03-14", "Date de facture : 14 mars 2024", "14 mars 2024"),
        ("2024-03-14", "Datum: 14. März 2024, 10:02 Uhr", "14. März 2024"),
        ("2023-02-01", "Fait à Lyon, le 1er février 2023.", "1er février 2023"),
        ("2024-03-15", "Date de facture : 14 mars 2024", None),
        # a superscript ordinal on a line of its own in a PDF's text (Kleister NDA 159ce2a2)
        ("2008-03-31", "/s/ David Shapiro March 31\nst 2008\nDate", "March 31 st 2008"),
        ("2008-03-31", "Date: 31\nst March 2008", "31 st March 2008"),
    ],
)
def test_a_rewritten_date_is_found_by_the_day_it_names(value: str, text: str, found: str | None):
    out = ground_answer({"date": value}, {"date": Grounding("verbatim")}, text)
    assert out["date"] == found


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        ("2 years", True),
        ("two (2) years", True),
        ("24 months", True),  # the same length, in other units
        ("104 weeks", False),  # 728 days: weeks and days do not convert to years exactly
        ("3 years", False),
        ("2 months", False),
    ],
)
def test_a_duration_is_present_when_the_text_names_the_same_length(value: str, kept: bool):
    text = "This Agreement shall remain in effect for two (2) years from the Effective Date."
    out = ground_answer({"term": value}, {"term": Grounding("present")}, text)
    assert out["term"] == (value if kept else None)


@pytest.mark.parametrize(
    ("value", "kept"), [("2 years", True), ("24 months", True), ("1 year", False)]
)
def test_a_term_ending_on_an_anniversary_is_that_many_years(value: str, kept: bool):
    """Three of Kleister NDA dev-0's gold terms are printed only this way."""
    text = "Each party's obligations shall terminate on the second anniversary of the date hereof."
    out = ground_answer({"term": value}, {"term": Grounding("present")}, text)
    assert out["term"] == (value if kept else None)


class Agreement(BaseModel):
    term: str | None = Field(
        None, json_schema_extra={"evidence": "present", "not_from": ["solicit", "standstill"]}
    )


NON_SOLICIT = (
    "3. Non-Solicitation. For twelve (12) months after the Separation Date, Employee shall not "
    "solicit any customer of the Company. "
)
TERM = "This Agreement shall terminate two (2) years after the date hereof. "


@pytest.mark.parametrize(
    ("text", "value", "kept"),
    [
        (NON_SOLICIT, "12 months", False),  # printed only where the clause to avoid is named
        (NON_SOLICIT + TERM, "12 months", False),
        (NON_SOLICIT + TERM, "2 years", True),  # printed in the term clause
        (NON_SOLICIT + TERM.replace("two (2) years", "twelve (12) months"), "12 months", True),
        (TERM.replace("two (2) years", "24 months") + NON_SOLICIT, "2 years", True),
        (NON_SOLICIT + TERM.replace("two (2) years", "one year"), "12 months", True),
    ],
)
def test_a_value_printed_only_in_a_clause_to_avoid_is_dropped(text: str, value: str, kept: bool):
    """An NDA's term is not its non-solicitation period, though the text prints both; a
    value also printed elsewhere (the same length, or the same words) is kept."""
    out = ground_answer({"term": value}, evidence_fields(Agreement), text)
    assert out["term"] == (value if kept else None)


def test_the_evidence_quotes_the_clause_the_value_was_kept_for():
    """Grounding keeps "12 months" because the term clause prints it; the evidence table and
    the review page must quote that clause, not the non-solicitation clause printed first."""
    term = TERM.replace("two (2) years", "twelve (12) months")
    doc = Document(doc_id="n1", source="n1.txt", pages=(NON_SOLICIT + term,))
    with FakeOpenAI(schema_responder(lambda r: {"term": "12 months"})) as fake:
        config = Config.resolve(env={}, base_url=fake.base_url, api_key="x", quiet=True)
        result = extract_document(doc, Agreement, config=config)
    assert result.data == {"term": "12 months"} and result.evidence is not None
    (row,) = result.evidence.rows
    assert row.quote == "twelve (12) months"
    assert row.char_start == len(NON_SOLICIT) + term.index("twelve")  # in the term clause


def test_clause_words_must_be_a_list_of_words():
    class Bad(BaseModel):
        term: str | None = Field(None, json_schema_extra={"evidence": "present", "not_from": "x"})

    with pytest.raises(ConfigError, match="not_from must be a list of words"):
        evidence_fields(Bad)


@pytest.mark.parametrize(
    ("value", "text", "kept"),
    [
        ("2 years", "Le présent accord est conclu pour une durée de deux (2) ans.", True),
        ("2 years", "Dieser Vertrag gilt für zwei Jahre ab Unterzeichnung.", True),
        ("3 years", "Dieser Vertrag gilt für zwei Jahre ab Unterzeichnung.", False),
        ("6 months", "Kündigungsfrist: sechs Monate zum Jahresende.", True),
    ],
)
def test_a_duration_in_another_language_is_found_by_its_length(value: str, text: str, kept: bool):
    out = ground_answer({"term": value}, {"term": Grounding("present")}, text)
    assert out["term"] == (value if kept else None)


def test_offsets_survive_characters_that_lower_case_to_two():
    text = "İSTANBUL TİCARET A.Ş.\nTOTAL 12.50"
    assert ground_answer({"total": "12.50"}, {"total": Grounding("verbatim")}, text) == {
        "total": "12.50"
    }


def test_a_name_gets_the_legal_form_the_text_prints_after_it():
    text = (
        "AGREEMENT between ANADIGICS, Inc., a Delaware corporation (\u201cAnadigics\u201d), and\n"
        "II-VI\nIncorporated. ... Anadigics shall keep ... Dana Whitfield signs."
    )
    names = ["Anadigics", "II-VI", "Dana Whitfield", "Nowhere Corp"]
    out = ground_answer({"parties": names}, {"parties": Grounding("name")}, text)
    assert out["parties"] == [
        "ANADIGICS, Inc.",
        "II-VI Incorporated",
        "Dana Whitfield",
    ]
    verbatim = ground_answer({"parties": names}, {"parties": Grounding("verbatim")}, text)
    assert verbatim["parties"][:2] == ["ANADIGICS", "II-VI"]  # verbatim keeps what it matched


@pytest.mark.parametrize(
    ("answered", "kept"),
    [
        ("governed by the laws of New York", "New York"),  # the text words the clause otherwise
        ("the laws of the State of New York", "New York"),
        ("governed by the laws of Nevada", None),  # Nevada is printed nowhere
    ],
)
def test_a_value_the_text_holds_only_as_what_it_means_is_kept(answered: str, kept: str | None):
    """CUAD, session 11: the model wrote governing laws as clauses ("governed by the laws
    of New York") that no contract prints word for word, so grounding dropped every one.
    A "present" value is now also looked for as the field's normaliser reads it."""
    contract = Document(
        doc_id="c1",
        source="c1.txt",
        pages=(
            "SERVICES AGREEMENT between Acme, Inc. and Beta LLC. This Agreement shall be "
            "governed by and construed in accordance with the laws of the State of New York.",
        ),
    )
    with FakeOpenAI(
        schema_responder(lambda r: {"parties": ["Acme, Inc."], "governing_law": answered})
    ) as fake:
        config = Config.resolve(env={}, base_url=fake.base_url, api_key="x", quiet=True)
        result = extract_document(contract, "contract", config=config)
    assert result.data["governing_law"] == kept


def test_the_grounded_fields_of_a_schema_pickle():
    """A `Task` carries them to worker processes; plain pickle must take them."""
    import pickle

    from schemas.contract import Contract

    fields = pickle.loads(pickle.dumps(evidence_fields(Contract)))
    assert fields["governing_law"].meaning("governed by the laws of New York") == "New York"
