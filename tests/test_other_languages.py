"""A French invoice and a German receipt, read as printed: decimal commas, euro signs and
month names in other languages reach the tables as numbers and ISO dates.

The fake model answers the way json_object and tools modes let a real one answer: amounts
and dates as the document prints them, as text. The schemas' normalisers and the grounding
must make the rest of it.
"""

from __future__ import annotations

from pathlib import Path

from extract import Config, extract_paths
from tests.fake_server import FakeOpenAI, schema_responder

SAMPLES = Path(__file__).resolve().parent.parent / "sample_docs"
FACTURE = SAMPLES / "facture-lumiere-2024-031.txt"
KASSENBON = SAMPLES / "kassenbon-baeckerei-sonne.txt"


def as_printed(request) -> dict:
    """What a model copying the printed text would answer, for each of the two samples."""
    text = str(request.body)
    if "F-2024-031" in text:
        return {
            "invoice_number": "F-2024-031",
            "issue_date": "14 mars 2024",
            "due_date": "13 avril 2024",
            "currency": "€",
            "subtotal": "1.234,56 €",
            "tax": "246,91 €",
            "total": "1.481,47 €",
            "line_items": [
                {
                    "description": "Lampe suspension laiton",
                    "quantity": "4",
                    "unit_price": "189,00 €",
                    "amount": "756,00 €",
                },
                {
                    "description": "Installation (forfait)",
                    "quantity": "1",
                    "unit_price": "322,56 €",
                    "amount": "322,56 €",
                },
            ],
        }
    return {
        "company": "Bäckerei Sonnenschein GmbH",
        "date": "14.03.2024",
        "address": "Hauptstraße 17 80331 München",
        "total": "15,50 €",
    }


def run(path: Path, schema: str, fake: FakeOpenAI):
    config = Config.resolve(base_url=fake.base_url, api_key="x", mode="json_object")
    return extract_paths([path], schema, config)


def test_a_french_invoice_gives_numbers_and_iso_dates():
    with FakeOpenAI(schema_responder(as_printed)) as fake:
        report = run(FACTURE, "invoice", fake)
    (row,) = report.tables.documents.to_dict("records")
    assert row["status"] == "ok", row["error"]
    assert (row["subtotal"], row["tax"], row["total"]) == (1234.56, 246.91, 1481.47)
    assert (row["issue_date"], row["due_date"]) == ("2024-03-14", "2024-04-13")
    assert row["currency"] == "EUR"
    items = report.tables.children["line_items"]
    assert list(items["amount"]) == [756.0, 322.56]
    assert list(items["unit_price"]) == [189.0, 322.56]


def test_a_german_receipt_keeps_the_printed_text_and_its_amount():
    with FakeOpenAI(schema_responder(as_printed)) as fake:
        report = run(KASSENBON, "receipt", fake)
    (row,) = report.tables.documents.to_dict("records")
    assert row["status"] == "ok", row["error"]
    assert row["company"] == "Bäckerei Sonnenschein GmbH"
    assert row["date"] == "14.03.2024"
    assert row["address"] == "Hauptstraße 17 80331 München"
    assert row["total"] == "15,50"  # the amount as printed; a trailing sign is left out
    assert report.results[0].data["total_amount"] == 15.5
