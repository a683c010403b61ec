"""Merging chunk answers: deterministic, first value wins, conflicts recorded, lists de-duplicated."""

from __future__ import annotations

import itertools

from extract.config import Config
from extract.ingest.chunking import Chunk
from extract.ingest.documents import Document
from extract.output.merge import last_wins_fields, merge_answers
from extract.run.core import ChunkOutcome, Task, finish_document
from schemas import Invoice
from schemas.nda import NDA

PARTS = [
    (
        "0",
        {
            "invoice_number": "INV-1",
            "total": None,
            "vendor": {"name": "ACME", "tax_id": None},
            "line_items": [{"description": "Bolts", "amount": 3.0}],
        },
    ),
    (
        "1",
        {
            "invoice_number": "INV-1 ",
            "total": 99.5,
            "vendor": {"name": "Acme Ltd", "tax_id": "GB1"},
            "line_items": [
                {"description": "bolts", "amount": 3},
                {"description": "Nuts", "amount": 1.5},
            ],
        },
    ),
    (
        "2",
        {
            "invoice_number": None,
            "total": 100.0,
            "vendor": None,
            "line_items": [{"description": None, "amount": None}],
        },
    ),
]


def test_first_non_null_scalar_wins_and_conflicts_are_recorded():
    merged = merge_answers(PARTS)
    assert merged.data["invoice_number"] == "INV-1"
    assert merged.data["total"] == 99.5
    assert merged.data["vendor"] == {"name": "ACME", "tax_id": "GB1"}
    assert [(c.field, c.kept, c.other, c.chunk) for c in merged.conflicts] == [
        ("vendor.name", "ACME", "Acme Ltd", "1"),
        ("total", 99.5, 100.0, "2"),
    ]


def test_lists_are_concatenated_and_deduplicated_by_normalised_key():
    merged = merge_answers(PARTS)
    assert merged.data["line_items"] == [
        {"description": "Bolts", "amount": 3.0},
        {"description": "Nuts", "amount": 1.5},
    ]
    assert merged.origins["line_items"] == ["0", "1"]


def test_a_document_merges_the_same_whatever_order_its_chunks_finished_in():
    """The pool hands `finish_document` outcomes in the order the answers arrived."""
    doc = Document(doc_id="d1", source="d1.txt", pages=("page one", "page two", "page three"))
    task = Task.build(Invoice, "invoice", Config.resolve(env={}, evidence="off"))
    outcomes = [
        ChunkOutcome(chunk=Chunk("d1", (i,), doc.pages[i], 0, 0, i + 1, i + 1, 3), data=answer)
        for i, (_, answer) in enumerate(PARTS)
    ]
    merged = set()
    for arrival in itertools.permutations(outcomes):
        result = finish_document(doc, list(arrival), task)
        merged.add(repr((result.data, result.conflicts, result.origins)))
    assert len(merged) == 1
    # ...and it is the merge in document order: chunk 0's values win, except the invoice's
    # totals, which the schema reads from the last part that prints them (merge: last).
    assert result.data is not None
    assert (result.data["invoice_number"], result.data["total"]) == ("INV-1", 100.0)
    assert result.origins["line_items"] == ["0", "1"]


def test_string_lists_dedupe_ignoring_case_and_spacing():
    merged = merge_answers(
        [
            ("0", {"parties": ["Nike, Inc.", "ACME Corp"]}),
            ("1", {"parties": ["NIKE, INC.", "acme  corp", "Bolt LLC"]}),
        ]
    )
    assert merged.data["parties"] == ["Nike, Inc.", "ACME Corp", "Bolt LLC"]


def test_a_field_marked_last_takes_the_last_value_stated():
    parts = [
        ("0", {"jurisdiction": "Delaware", "term": "2 years"}),  # "a Delaware corporation"
        ("1", {"jurisdiction": "New York", "term": "3 years"}),  # the governing-law clause
        ("2", {"jurisdiction": None, "term": None}),
    ]
    merged = merge_answers(parts, last_wins=frozenset({"jurisdiction"}))
    assert merged.data == {"jurisdiction": "New York", "term": "2 years"}
    assert [(c.field, c.kept, c.other) for c in merged.conflicts] == [
        ("jurisdiction", "New York", "Delaware"),
        ("term", "2 years", "3 years"),
    ]


def test_the_schema_marks_the_fields_merged_from_the_end():
    assert last_wins_fields(NDA) == {"jurisdiction"}
