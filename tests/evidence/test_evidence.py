"""Evidence: every value of every table with its quote, page, offsets and boxes.

End to end through the CLI, a real HTTP server answering like a model, real
PDFs (the sample invoice, Kleister NDA filings) and the long sample that needs
several chunks; the tables are read back from Parquet and CSV, and every quote
is checked against the text sidecar: `text[char_start:char_end] == quote`.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pandas as pd
import pytest

from extract.cli import main
from extract.evidence.fuzzy import fuzzy_find
from extract.evidence.locating import TextIndex, parse_number
from extract.evidence.rows import ChunkSpan, collect_evidence
from extract.output.texts import read_texts
from tests.bench.myers_baseline import fuzzy_find as myers_fuzzy_find
from tests.cli_args import run_args
from tests.conftest import ROOT, real_pdfs
from tests.fake_server import FakeOpenAI, document_text, schema_responder

SAMPLES = ROOT / "sample_docs"
LINE = re.compile(r"^\s*(\d+)\s+(.+?)\s+GBP\s+([\d.]+)\s+GBP\s+([\d,.]+)$", re.MULTILINE)


def run(paths: list[Path], schema: str, out: Path, fill, *extra: str) -> int:
    with FakeOpenAI(schema_responder(fill)) as fake:
        return main(run_args(paths, schema, out, fake.base_url, "--quiet", *extra))


def read(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def outputs(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    evidence = read(out.with_name(f"{out.stem}.evidence{out.suffix}"))
    texts = read_texts(out.with_name(f"{out.stem}.texts.jsonl.gz"))
    return read(out), evidence, texts


def assert_quotes_are_in_the_text(evidence: pd.DataFrame, texts: dict) -> None:
    found = evidence[evidence["match"] != "none"]
    assert len(found) > 0
    for row in found.itertuples():
        text = texts[row.doc_id].text
        assert text[int(row.char_start) : int(row.char_end)] == row.quote, row.field
        doc = texts[row.doc_id]
        start = sum(len(p) + 2 for p in doc.pages[: int(row.page) - 1])
        assert start <= row.char_start <= start + len(doc.pages[int(row.page) - 1])
    missing = evidence[evidence["match"] == "none"]
    assert missing["quote"].isna().all() and missing["char_start"].isna().all()


def invoice_fill(request) -> dict:
    """Like a model reading the ACME invoice: header, parties, every line, and one line
    item it made up."""
    text = document_text(request)
    items = [
        {
            "description": m.group(2),
            "quantity": int(m.group(1)),
            "unit_price": float(m.group(3)),
            "amount": float(m.group(4).replace(",", "")),
        }
        for m in LINE.finditer(text)
    ]
    if "Invoice No: ACME-2024-017" not in text:
        return {"line_items": items}
    items.insert(2, {"description": "Gold plated hammer", "quantity": 3, "unit_price": 999.0})
    return {
        "invoice_number": "ACME-2024-017",
        "issue_date": "2024-03-14",
        "due_date": "13 April 2024",
        "currency": "GBP",
        "vendor": {"name": "Acme Industrial Supplies Ltd", "tax_id": "GB 284 1193 07"},
        "customer": {"name": "Northbridge Construction plc", "address": "1 Nowhere Lane"},
        "subtotal": 10952.96,
        "total": 13143.55,
        "line_items": items,
    }


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_every_value_of_an_invoice_pdf_has_its_quote_page_and_box(tmp_path: Path, suffix: str):
    out = tmp_path / f"inv{suffix}"
    assert run([SAMPLES / "invoice-acme-2024-017.pdf"], "invoice", out, invoice_fill) == 0
    documents, evidence, texts = outputs(out)
    items = read(out.with_name(f"inv.line_items{suffix}"))
    assert_quotes_are_in_the_text(evidence, texts)
    by_field = evidence.set_index("field")

    # top level and nested, each found the way it is printed
    assert by_field.loc["invoice_number", "match"] == "exact"
    assert by_field.loc["issue_date", "quote"] == "14 March 2024"  # ISO in the table
    assert by_field.loc["issue_date", "match"] == "meaning"
    assert by_field.loc["vendor.name", "quote"] == "ACME INDUSTRIAL SUPPLIES LTD"
    assert by_field.loc["vendor.name", "match"] == "normalised"
    assert by_field.loc["total", "quote"] == "13,143.55"
    assert by_field.loc["customer.address", "match"] == "none"  # made up

    # every cell of every child row, keyed to join the child table
    cells = evidence[evidence["table"] == "line_items"].astype({"item": int})  # float in CSV
    assert len(items) == 27 and set(cells["item"]) == set(items["item"])
    joined = cells.merge(items, on=["doc_id", "item"])
    amounts = joined[joined["column"] == "amount"]
    assert (amounts["value"].astype(float) == amounts["amount"]).all()
    assert (
        cells["field"]
        == [f"line_items[{i}].{c}" for i, c in zip(cells["item"], cells["column"], strict=True)]
    ).all()
    # the line on the second page is quoted there, with its number on its own line
    last = cells[cells["item"] == 26].set_index("column")
    assert last.loc["description", "quote"] == "Washer M8 zinc batch 2"
    assert last.loc["amount", "quote"] == "603.40" and last.loc["amount", "page"] == 2
    assert last.loc["quantity", "quote"] == "14"
    assert last.loc["amount", "char_start"] > last.loc["description", "char_start"]
    made_up = cells[cells["item"] == 2].set_index("column")
    assert made_up.loc["description", "match"] == "none"

    # boxes on the page: inside it, on the quote's page, the amount right of its description
    width, height = texts[documents["doc_id"][0]].page_sizes[1]
    boxes = json.loads(last.loc["amount", "bbox"])
    assert [b[0] for b in boxes] == [2]
    for _, x0, y0, x1, y1 in boxes:
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
    description_box = json.loads(last.loc["description", "bbox"])[0]
    assert boxes[0][1] > description_box[3]  # further right
    assert abs(boxes[0][2] - description_box[2]) < 4  # same line

    # the main table's trust figures
    row = documents.iloc[0]
    ungrounded = json.loads(row["ungrounded"])
    assert ungrounded == [
        "customer.address",
        "line_items[2].description",
        "line_items[2].quantity",
        "line_items[2].unit_price",
    ]
    assert row["grounded"] == pytest.approx(1 - 4 / len(evidence))


def test_require_empties_unsupported_values_and_off_skips_the_work(tmp_path: Path):
    acme, out = [SAMPLES / "invoice-acme-2024-017.pdf"], tmp_path / "inv.parquet"
    assert run(acme, "invoice", out, invoice_fill, "--evidence", "require") == 0
    documents, evidence, _ = outputs(out)
    items = read(tmp_path / "inv.line_items.parquet")
    assert pd.isna(documents.loc[0, "customer.address"])
    assert documents.loc[0, "customer.name"] == "Northbridge Construction plc"
    assert pd.isna(items.loc[2, "description"]) and pd.isna(items.loc[2, "quantity"])
    assert items.loc[3, "quantity"] == 19
    dropped = evidence[~evidence["in_table"]]
    assert set(dropped["field"]) == {
        "customer.address",
        "line_items[2].description",
        "line_items[2].quantity",
        "line_items[2].unit_price",
    }
    assert (dropped["match"] == "none").all()

    assert run(acme, "invoice", out, invoice_fill, "--evidence", "off") == 0
    assert not (tmp_path / "inv.evidence.parquet").exists()  # the stale one is gone
    documents = read(out)
    assert documents["grounded"].isna().all() and documents["ungrounded"].isna().all()
    assert documents.loc[0, "customer.address"] == "1 Nowhere Lane"
    assert (tmp_path / "inv.texts.jsonl.gz").exists()


def test_offsets_are_document_offsets_in_a_long_document_cut_into_chunks(tmp_path: Path):
    """Each chunk's answer quotes a phrase of its own chunk; the evidence must point there."""

    def fill(request) -> dict:
        text = document_text(request)
        words = re.findall(r"[A-Z][a-z]{3,}(?: [a-z]{3,}){2}", text)
        return {"parties": [words[len(words) // 2]], "document_name": words[-1]}

    out = tmp_path / "c.parquet"
    assert run([SAMPLES / "master-services-agreement-long.txt"], "contract", out, fill) == 0
    documents, evidence, texts = outputs(out)
    assert documents.loc[0, "n_chunks"] >= 2
    assert_quotes_are_in_the_text(evidence, texts)
    doc = texts[documents.loc[0, "doc_id"]]
    assert len(doc.chunks) == documents.loc[0, "n_chunks"]
    parties = evidence[evidence["column"] == "parties"]
    assert len(parties) == len(doc.chunks)  # one phrase from each chunk
    for row, chunk in zip(parties.itertuples(), doc.chunks, strict=True):
        assert row.chunk == chunk["label"] and row.match == "exact"
        assert chunk["char_start"] <= row.char_start < chunk["char_end"]
    assert parties["char_start"].iloc[-1] > doc.chunks[-1]["char_start"] > 0


def test_real_nda_pdfs_are_quoted_and_boxed(tmp_path: Path):
    """Kleister NDA filings: names copied, a date rewritten, a state named, a term made up."""
    states = ("Delaware", "New York", "California", "Oregon", "Texas", "Massachusetts")

    def fill(request) -> dict:
        text = document_text(request)
        lines = [line.strip() for line in text.splitlines() if len(line.strip().split()) >= 3]
        date = re.search(
            r"(January|February|March|April|May|June|July|August|September|October|November|December) (\d{1,2}), (\d{4})",
            text,
        )
        state = next((s for s in states if s in text), None)
        return {
            "parties": [" ".join(lines[1].split()[:3])],
            "effective_date": date.group(0) if date else None,
            "jurisdiction": state,
            "term": "17 fortnights",
        }

    pdfs = real_pdfs(4)
    out = tmp_path / "nda.csv"
    assert run(pdfs, "nda", out, fill) == 0
    documents, evidence, texts = outputs(out)
    assert set(evidence["doc_id"]) == set(documents["doc_id"])
    assert_quotes_are_in_the_text(evidence, texts)
    found = evidence[evidence["match"] != "none"]
    assert found["bbox"].notna().mean() >= 0.9  # nearly every quote placed on its page
    for row in found.dropna(subset=["bbox"]).itertuples():
        for page, x0, y0, x1, y1 in json.loads(row.bbox):
            width, height = texts[row.doc_id].page_sizes[page - 1]
            assert page >= row.page and 0 <= x0 < x1 <= width + 1 and 0 <= y0 < y1 <= height + 1
    assert set(evidence.loc[evidence["field"] == "effective_date", "match"]) <= {"meaning", "exact"}
    assert (documents["grounded"] < 1).all() or (evidence["field"] != "term").all()


# --- the pieces --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "quote", "match"),
    [
        ("INV-2024-017", "INV-2024-017", "exact"),
        ("acme corporation ltd", "Acme Corporation Ltd", "normalised"),
        ("Acme Corportion Ltd", "Acme Corporation Ltd", "fuzzy"),
        ("2018-01-25", "25/01/2018", "meaning"),
        ("2 years", "two (2) years", "meaning"),
        ("USD", "$", "meaning"),
        (1250.0, "1,250.00", "normalised"),
        (3, "3", "exact"),
        ("Texas", None, None),
        (60.3, None, None),
    ],
)
def test_values_are_found_as_printed(value, quote, match):
    text = (
        "INVOICE INV-2024-017 dated 25/01/2018\nAcme Corporation Ltd\n"
        "3 x Widget at $1,250.00 = 60.31, valid for two (2) years"
    )
    found = TextIndex(text).find(value)
    if quote is None:
        assert found is None
    else:
        assert (text[found.start : found.end], found.match) == (quote, match)


def test_the_columns_of_a_table_row_are_numbers_of_their_own():
    """A charity's statement of financial activities: unrestricted, restricted, total this
    year, total last year. The space between columns is no thousands separator."""
    row = "7 Total Incoming Resources 165,960 46,217 212,177 234,051"
    index = TextIndex(row)
    for column in ("165,960", "46,217", "212,177", "234,051"):
        found = index.find(parse_number(column))
        assert found is not None and row[found.start : found.end] == column
    assert TextIndex("paid 1 250 000 in all").find(1250000.0) is not None


def test_printed_numbers_are_read_in_either_convention():
    assert parse_number("1,250.00") == parse_number("1.250,00") == parse_number("1 250") == 1250
    assert parse_number("12,5") == 12.5 and parse_number("-3") == -3


def test_edlib_search_finds_what_the_pure_python_search_found():
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice("abcde12é漢") for _ in range(rng.randint(1, 80)))
        pattern = "".join(rng.choice("abcde1é漢") for _ in range(rng.randint(2, 12)))
        allowed = rng.randint(0, len(pattern) - 1)
        assert fuzzy_find(pattern, text, allowed) == myers_fuzzy_find(pattern, text, allowed)


def test_edlib_search_copes_with_more_than_256_distinct_characters():
    text = "".join(chr(0x4E00 + i) for i in range(400)) + "acmecorporatoin"
    found = fuzzy_find("acmecorporation", text, 2)
    assert found == myers_fuzzy_find("acmecorporation", text, 2) and found[0] == 400


def test_list_items_removed_under_require_renumber_the_rest():
    text = "Parties: Alpha Ltd and Gamma plc."
    data = {"parties": ["Alpha Ltd", "Beta GmbH", "Gamma plc"], "vendor": {"name": "Alpha Ltd"}}
    evidence = collect_evidence(
        "d",
        text,
        [0],
        data,
        chunks=[ChunkSpan("0", 0, len(text))],
        answers=[("0", data)],
        policy="require",
    )
    assert evidence.data["parties"] == ["Alpha Ltd", "Gamma plc"]
    assert [(r.field, r.in_table) for r in evidence.rows] == [
        ("parties[0]", True),
        ("parties[1]", False),
        ("parties[1]", True),
        ("vendor.name", True),
    ]
    assert evidence.ungrounded == ["parties[1]"] and evidence.grounded == 0.75
