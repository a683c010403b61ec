"""The bundled schemas: normalisers, realistic and all-null examples, descriptions everywhere."""

from __future__ import annotations

import re
import typing
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from extract.llm.strict_schema import to_strict_schema
from schemas import BUNDLED
from schemas import normalize as norm
from schemas.nda import NDA


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("May 20, 2014", "2014-05-20"),
        ("May 20th, 2014", "2014-05-20"),
        ("20th day of May, 2014", "2014-05-20"),
        ("the 2nd day of September, 2019", "2019-09-02"),
        ("5/20/2014", "2014-05-20"),
        ("2014-05-20", "2014-05-20"),
        ("2014-05-20T00:00:00Z", "2014-05-20"),
        ("20 May 2014", "2014-05-20"),
        ("Sept. 3, 2019", "2019-09-03"),
        ("3rd of Sept 2019", "2019-09-03"),
        ("14 mars 2024", "2024-03-14"),  # French, read by dateparser
        ("14. März 2024", "2024-03-14"),  # German
        ("le 1er février 2023", "2023-02-01"),
        ("31/12/2023", "2023-12-31"),  # day first where month first cannot be
        ("3 de mayo de 2021", "2021-05-03"),
        ("day 45 of the quarter", "day 45 of the quarter"),  # unrecognised: passes through
        ("Dec. 3, 2019", "2019-12-03"),
        ("31 March 2023", "2023-03-31"),
        ("as of January 1, 2020", "2020-01-01"),
        ("sometime next year", "sometime next year"),
        ("N/A", None),
        ("  ", None),
        (None, None),
    ],
)
def test_iso_date(raw: Any, expected: Any):
    assert norm.iso_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("NY", "New York"),
        ("ny", "New York"),
        ("State of New York", "New York"),
        ("the laws of the State of Delaware", "Delaware"),
        ("Commonwealth of Massachusetts", "Massachusetts"),
        ("California, USA", "California"),
        ("new jersey", "New Jersey"),
        ("England and Wales", "England and Wales"),
        ("Ontario, Canada", "Ontario, Canada"),
        ("governed by the laws of Florida", "Florida"),
        ("construed under the laws of the State of West Virginia", "West Virginia"),
        ("this Agreement is governed by the laws of England", "England"),
        ("the laws of New York, without regard to the laws of Delaware", "New York"),
        ("Florida law applies to this agreement", "Florida"),
        ("null", None),
    ],
)
def test_us_state_or_country(raw: Any, expected: Any):
    assert norm.us_state_or_country(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("two (2) years", "2 years"),
        ("24 months", "24 months"),
        ("one year", "1 year"),
        ("a one-year period", "1 year"),
        ("1 year", "1 year"),
        ("ninety (90) days' notice", "90 days"),
        ("thirty (30) days", "30 days"),
        ("5 years from the Effective Date", "5 years"),
        ("until terminated", "until terminated"),
        ("deux (2) ans", "2 years"),
        ("une durée de trois ans", "3 years"),
        ("zwei Jahre", "2 years"),
        ("sechs Monate", "6 months"),
        ("dos (2) años", "2 years"),
        ("twenty-four months", "24 months"),
        ("the second anniversary of the Effective Date", "2 years"),  # Kleister dev-0 29494106
        ("the 3rd anniversary", "3 years"),
        ("the one year anniversary", "1 year"),
        ("", None),
    ],
)
def test_term(raw: Any, expected: Any):
    assert norm.term(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("two (2) years", "2 years"),
        ("indefinitely", None),
        ("each anniversary of the Effective Date", None),  # a date that recurs, no length
        ("immediately prior to closing of such Merger", None),
        ("until terminated", None),
        (None, None),
    ],
)
def test_a_duration_field_keeps_lengths_of_time_only(raw: Any, expected: Any):
    """An NDA's term is "a number and a unit of time": other answers are not one."""
    assert norm.duration(raw) == expected
    assert NDA(term=raw).term == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,234.50", 1234.5),
        ("1,234.50", 1234.5),
        ("RM 9.00", 9.0),
        ("GBP 13,143.55", 13143.55),
        ("(12.00)", -12.0),
        ("-5", -5.0),
        ("£1.2m", 1_200_000.0),
        ("£250k", 250_000.0),
        (42, 42),
        (3.5, 3.5),
        ("1.234,50", 1234.5),  # decimal comma, dot thousands (price-parser)
        ("1.234,56 €", 1234.56),
        ("€ 1 234,56", 1234.56),
        ("12,50 EUR", 12.5),
        ("1\u202f234,56\u00a0€", 1234.56),  # narrow no-break space thousands (French typesetting)
        ("CHF 1'234.50", 1234.5),
        ("(1.234,56 €)", -1234.56),
        ("1.234", 1.234),  # a lone dot stays a decimal point, as before
        ("Invoice 2024-017", "Invoice 2024-017"),
        ("twelve", "twelve"),
        ("N/A", None),
    ],
)
def test_decimal_amount(raw: Any, expected: Any):
    assert norm.decimal_amount(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('ACME Corp. (the "Company")', "ACME Corp."),
        ("ACME Corp. (“Recipient”)", "ACME Corp."),
        ("Bluefin Robotics, Inc., a Delaware corporation", "Bluefin Robotics, Inc."),
        (
            'Harbor Analytics LLC, a New York limited liability company ("Harbor")',
            "Harbor Analytics LLC",
        ),
        ("Recipient: Kestrel Logistics Group plc", "Kestrel Logistics Group plc"),
        ("Orion Data Systems Limited (Supplier)", "Orion Data Systems Limited"),
        ("Nike, Inc.", "Nike, Inc."),
        ("Company-Wide Solutions Inc", "Company-Wide Solutions Inc"),
        ("n/a", None),
        # a clause's tail copied as a name (a 1.5B model reading OCR text looped on it)
        (", an electric membership corporation", None),
        (", a corporation", None),
        (
            "Oglethorpe Power Corporation (An Electric Membership Corporation)",
            "Oglethorpe Power Corporation",
        ),
        # as printed in Kleister NDA dev-0: a form's blank, a degree, a colon, a misprint
        ("and_______________________, a _______________[CORPORATION]", None),
        ("A. Bruce Montgomery, M.D.", "A. Bruce Montgomery"),
        ("PhotoWorks, Inc:", "PhotoWorks, Inc"),
        ("BioLargo. Inc.", "BioLargo, Inc."),
        ("Johnson & Co. Inc.", "Johnson & Co. Inc."),  # "Co." is an abbreviation
    ],
)
def test_party_name(raw: Any, expected: Any):
    assert norm.party_name(raw) == expected


def test_party_names_wraps_a_string_and_drops_empty_and_duplicates():
    assert norm.party_names('ACME Corp. ("ACME")') == ["ACME Corp."]
    assert norm.party_names(["A Ltd", "", "A Ltd (the “Supplier”)", "B plc"]) == ["A Ltd", "B plc"]
    assert norm.party_names(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("99 SPEED MART S/B (519537-X)", "99 SPEED MART S/B"),
        ("URBAN IDEA SDN BHD (417940-M),", "URBAN IDEA SDN BHD"),
        ("BANH MI CAFE SDN BHD 1110644-W", "BANH MI CAFE SDN BHD"),
        ("AEON CO. (M) BHD", "AEON CO. (M) BHD"),
        ("RESTORAN 1010", "RESTORAN 1010"),  # a number in the name stays
    ],
)
def test_without_registration(raw: str, expected: str):
    assert norm.without_registration(raw) == expected


def test_party_names_drops_short_forms_of_a_listed_name_and_email_addresses():
    names = ["Oglethorpe Power Corporation", "OPC", "ON Semiconductor Corporation", "ON",
             "legal@opc.example", "Stilwell", "Stilwell Value LLC", "3M Company"]  # fmt: skip
    assert norm.party_names(names) == [
        "Oglethorpe Power Corporation", "ON Semiconductor Corporation", "Stilwell Value LLC",
        "3M Company",
    ]  # fmt: skip
    assert norm.party_names(["ON", "OPC"]) == ["ON", "OPC"]  # no longer name beside them
    assert norm.party_names(["Penumbra, Inc.", "Recipient", "a director nominee of X"]) == [
        "Penumbra, Inc."
    ]


@pytest.mark.parametrize(
    "fn", [norm.iso_date, norm.us_state_or_country, norm.term, norm.decimal_amount, norm.party_name]
)
@pytest.mark.parametrize(
    "weird", ["", "???", "(", "12/45/9999", "—", "∞ years", [1], {"a": 1}, True]
)
def test_normalisers_never_raise(fn, weird: Any):
    fn(weird)


EXAMPLES: dict[str, dict[str, Any]] = {
    "invoice": {
        "invoice_number": "ACME-2024-017",
        "issue_date": "14 March 2024",
        "due_date": "2024-04-13",
        "currency": "£",
        "vendor": {
            "name": "ACME Industrial Supplies Ltd",
            "address": "Leeds LS11 5DJ",
            "tax_id": "GB 284 1193 07",
        },
        "customer": {"name": "Northbridge Construction plc", "address": None, "tax_id": "null"},
        "subtotal": "GBP 10,952.96",
        "tax": "2,190.59",
        "total": 13143.55,
        "line_items": [
            {
                "description": "Hex bolt M8x40",
                "quantity": "34",
                "unit_price": "18.87",
                "amount": "641.58",
            }
        ],
    },
    "receipt": {
        "company": "KOPI TIAM WARISAN SDN BHD",
        "date": "14/05/2018",
        "address": "NO 12, JALAN BUNGA RAYA 3,\nTAMAN MELAWATI, 53100 KUALA LUMPUR",
        "total": "RM 15.30",
    },
    "nda": {
        "parties": ['Bluefin Robotics, Inc. ("Bluefin")', "Harbor Analytics LLC"],
        "effective_date": "2nd day of September, 2019",
        "jurisdiction": "Commonwealth of Massachusetts",
        "term": "three (3) years",
    },
    "charity_report": {
        "charity_name": "The Riverside Trust",
        "charity_number": "1 132 766",
        "address_post_town": "Shrewsbury",
        "address_postcode": "sy3 7pq",
        "address_street_line": "2 Grange Road",
        "income_annually_in_british_pounds": "£1,234,567",
        "spending_annually_in_british_pounds": 987654.0,
        "report_date": "31 March 2023",
    },
    "contract": {
        "document_name": "MASTER SERVICES AGREEMENT",
        "parties": ["Orion Data Systems Limited", 'Kestrel Logistics Group plc (the "Customer")'],
        "agreement_date": "1 February 2023",
        "effective_date": "February 1, 2023",
        "expiration_date": "Perpetual",
        "renewal_term": "successive one (1) year terms",
        "notice_period_to_terminate_renewal": "ninety (90) days",
        "governing_law": "England and Wales",
    },
}

EXPECTED: dict[str, dict[str, Any]] = {
    "invoice": {"issue_date": "2024-03-14", "currency": "GBP", "subtotal": 10952.96, "tax": 2190.59},
    "receipt": {"date": "14/05/2018", "total": "RM 15.30", "total_amount": 15.3,
                "address": "NO 12, JALAN BUNGA RAYA 3, TAMAN MELAWATI, 53100 KUALA LUMPUR"},
    "nda": {"parties": ["Bluefin Robotics, Inc.", "Harbor Analytics LLC"], "effective_date": "2019-09-02",
            "jurisdiction": "Massachusetts", "term": "3 years"},
    "charity_report": {"charity_number": "1132766", "address_post_town": "SHREWSBURY",
                       "address_postcode": "SY3 7PQ", "income_annually_in_british_pounds": 1234567.0,
                       "report_date": "2023-03-31"},
    "contract": {"parties": ["Orion Data Systems Limited", "Kestrel Logistics Group plc"],
                 "agreement_date": "2023-02-01", "effective_date": "2023-02-01",
                 "expiration_date": "perpetual", "renewal_term": "1 year",
                 "notice_period_to_terminate_renewal": "90 days"},
}  # fmt: skip


def test_bundled_names():
    assert set(BUNDLED) == {"invoice", "receipt", "nda", "charity_report", "contract"}
    assert set(EXAMPLES) == set(BUNDLED)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_realistic_example_validates_and_normalises(name: str):
    obj = BUNDLED[name].model_validate(EXAMPLES[name])
    dumped = obj.model_dump()
    for field, value in EXPECTED[name].items():
        assert dumped[field] == value, field


def test_invoice_nested_values_are_normalised():
    inv = BUNDLED["invoice"].model_validate(EXAMPLES["invoice"])
    assert inv.customer.tax_id is None
    assert inv.line_items[0].quantity == 34.0 and inv.line_items[0].amount == 641.58


def _all_null(model: type[BaseModel]) -> dict[str, Any]:
    return {
        name: [] if typing.get_origin(field.annotation) is list else None
        for name, field in model.model_fields.items()
    }


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_all_null_and_empty_examples_validate(name: str):
    model = BUNDLED[name]
    assert model.model_validate(_all_null(model)).model_dump() == model().model_dump()
    assert model.model_validate({}) == model()


def test_receipt_date_is_kept_as_printed():
    assert BUNDLED["receipt"].model_validate({"date": "25/12/2018"}).date == "25/12/2018"
    assert BUNDLED["receipt"].model_validate({"total": 9}).total == "9.00"


def test_wrong_types_still_fail():
    with pytest.raises(ValidationError):
        BUNDLED["invoice"].model_validate({"total": "about a thousand"})
    with pytest.raises(ValidationError):
        BUNDLED["nda"].model_validate({"parties": 42})


def _models(model: type[BaseModel], seen: set[type[BaseModel]]) -> set[type[BaseModel]]:
    seen.add(model)
    for field in model.model_fields.values():
        for arg in (field.annotation, *typing.get_args(field.annotation)):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen:
                _models(arg, seen)
    return seen


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_every_model_and_field_has_a_description(name: str):
    for model in _models(BUNDLED[name], set()):
        assert (model.__doc__ or "").strip(), model.__name__
        for field_name, field in model.model_fields.items():
            assert field.description and len(field.description) > 10, (
                f"{model.__name__}.{field_name}"
            )


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_strict_schema_converts(name: str):
    schema = to_strict_schema(BUNDLED[name])
    assert schema["type"] == "object" and schema["description"]
    assert schema["required"] == list(BUNDLED[name].model_fields)


def test_party_names_keeps_a_full_legal_name_that_begins_another():
    # CUAD's joint filing agreement lists both Luxembourg companies; the shorter one ends in
    # its own legal form, so it is a name, not a short form of the other
    lux = "MEZZANINE PARTNERS II OFFSHORE LUX S.À R.L"
    assert norm.party_names([lux, f"{lux} II"]) == [lux, f"{lux} II"]
    assert norm.party_names(["HPS L.P.", "HPS L.P. II"]) == ["HPS L.P.", "HPS L.P. II"]
    assert norm.party_names(["Stilwell", "Stilwell Value LLC"]) == ["Stilwell Value LLC"]


def test_contract_role_labels_alone_are_no_party():
    # a CUAD franchise agreement's parts answered "Franchisee" and "Distributor" as parties
    raw = ["Pizza Fusion Holding, Inc.", "Franchisee", "distributor", "the Franchisor", "Lessee"]
    assert norm.party_names(raw) == ["Pizza Fusion Holding, Inc."]
    assert norm.party_name("Agent: Wells Fargo Bank, N.A.") == "Wells Fargo Bank, N.A."


def test_duration_fields_give_no_example_duration():
    # a copied example duration survives grounding: "90 days" is printed somewhere in most
    # long contracts, and the embedded model answered it from parts that state no notice
    example = re.compile(r"\d+\s*(?:day|week|month|year)s?\b", re.IGNORECASE)
    for name in ("nda", "contract"):
        for field, info in BUNDLED[name].model_fields.items():
            if field in ("term", "renewal_term", "notice_period_to_terminate_renewal"):
                assert not example.search(info.description or ""), (name, field)
