"""Merging chunk answers: deterministic, first value wins, conflicts recorded, lists de-duplicated."""

from __future__ import annotations

import itertools

from extract.output.merge import last_wins_fields, merge_answers
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


def test_same_input_in_chunk_order_gives_same_result_whatever_arrived_first():
    results = set()
    for perm in itertools.permutations(PARTS):
        ordered = sorted(perm, key=lambda p: p[0])  # the pipeline always sorts by chunk index
        results.add(repr(merge_answers(ordered).data))
    assert len(results) == 1


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
