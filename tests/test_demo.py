"""`make demo` on the embedded model: the headline values are the ones the documents print."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from extract.demo import SAMPLES, main
from extract.ingest.documents import read_document
from tests.fake_server import FakeOpenAI, schema_responder

PRINTED = {  # label as printed on the ACME invoice -> the column it fills
    "Subtotal": "subtotal",
    "VAT 20%": "tax",
    "Total due": "total",
}


def printed_amounts(path: Path) -> dict[str, float]:
    """The totals as the document prints them, read from its text (not typed in here)."""
    text = read_document(path).text
    found = {}
    for label, column in PRINTED.items():
        match = re.search(rf"^{re.escape(label)}: GBP ([\d,]+\.\d\d)$", text, re.M)
        assert match, f"{label!r} not printed in {path.name}"
        found[column] = float(match.group(1).replace(",", ""))
    return found


def test_the_acme_invoice_prints_these_totals():
    assert printed_amounts(SAMPLES / "invoice-acme-2024-017.pdf") == {
        "subtotal": 10952.96,
        "tax": 2190.59,
        "total": 13143.55,
    }


def test_demo_says_what_it_will_send_and_then_how_long_it_should_take(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    with FakeOpenAI(schema_responder(lambda r: {"total": "15.30"})) as fake:
        monkeypatch.setenv("EXTRACT_BASE_URL", fake.base_url)
        monkeypatch.setenv("EXTRACT_API_KEY", "x")
        first = main(["--out", str(tmp_path), "--only", "receipt"])
        first_out = capsys.readouterr().out
        second = main(["--out", str(tmp_path), "--only", "receipt"])  # answered from the cache
        second_out = capsys.readouterr().out
    assert first == second == 0
    assert re.search(
        r"^demo: \d+ documents, \d+ requests, about [\d,]+ prompt tokens; the time is "
        r"estimated once",
        first_out,
        re.M,
    )
    assert re.search(
        r"^demo: \d+ documents, \d+ requests, about [\d,]+ prompt tokens; about \d+ s at "
        r"this machine's last measured pace$",
        second_out,
        re.M,
    )
