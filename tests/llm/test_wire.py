"""The answer's wire shape: lists of flat objects as tuples for grammar models, and back."""

from __future__ import annotations

import json

from pydantic import BaseModel, Field

from extract.llm.strict_schema import field_guide, to_strict_schema
from extract.llm.wire import answer_bound, plain_wire, tuple_wire
from schemas.invoice import Invoice
from schemas.nda import NDA


class Tag(BaseModel):
    label: str | None = Field(None, description="A label")
    parts: list[str] = Field(default_factory=list, description="Pieces")


class Box(BaseModel):
    """Items with a nested list stay objects: only flat items become tuples."""

    tags: list[Tag] = Field(default_factory=list, description="Tags")


def test_line_items_travel_as_tuples_and_come_back_as_objects():
    wire = tuple_wire(to_strict_schema(Invoice))
    assert wire.tuples == {"line_items": ("description", "quantity", "unit_price", "amount")}
    row = wire.schema["properties"]["line_items"]["items"]
    assert row["type"] == "array" and [p["anyOf"][0]["type"] for p in row["prefixItems"]] == [
        "string",
        "number",
        "number",
        "number",
    ]
    raw = {"total": 7.0, "line_items": [["Widget", 2, 3.5, 7.0], ["Fee", None, None, 1.0]]}
    assert wire.decode(raw) == {
        "total": 7.0,
        "line_items": [
            {"description": "Widget", "quantity": 2, "unit_price": 3.5, "amount": 7.0},
            {"description": "Fee", "quantity": None, "unit_price": None, "amount": 1.0},
        ],
    }
    objects = wire.decode(raw)
    assert wire.encode(objects) == raw  # worked examples are shown the way answers are written


def test_a_tuple_of_the_wrong_length_is_left_for_validation_to_reject():
    wire = tuple_wire(to_strict_schema(Invoice))
    assert wire.decode({"line_items": [["Widget", 2]]}) == {"line_items": [["Widget", 2]]}


def test_nothing_changes_where_no_list_of_flat_objects_exists():
    for model in (NDA, Box):
        schema = to_strict_schema(model)
        assert tuple_wire(schema).schema == schema and not tuple_wire(schema).tuples
    schema = to_strict_schema(Invoice)
    assert plain_wire(schema).schema == schema and plain_wire(schema).decode({"a": 1}) == {"a": 1}


def test_field_guide_names_the_order_of_a_tuple():
    guide = field_guide(
        Invoice, {"line_items": ("description", "quantity", "unit_price", "amount")}
    )
    assert "- line_items: list of [description, quantity, unit_price, amount] arrays." in guide
    assert "- line_items[].amount (number): Line total, plain decimal, no currency sign." in guide


def test_answer_bound_grows_with_the_chunk_only_for_lists():
    invoice = to_strict_schema(Invoice)
    nda = to_strict_schema(NDA)
    assert answer_bound(invoice, 2000) - answer_bound(invoice, 1000) >= 1500  # lines copied
    assert answer_bound(nda, 2000) - answer_bound(nda, 1000) <= 400  # a few names
    # an invoice of 26 lines (about 900 tokens) gets room for all of them as tuples (~30 each)
    assert answer_bound(invoice, 900) > 26 * 30 + len(json.dumps(invoice)) // 20


def test_confidence_paths_of_a_tuple_answer_name_the_objects_fields():
    from extract.llm.confidence import value_confidences

    wire = tuple_wire(to_strict_schema(Invoice))
    text = '{"total":7,"line_items":[["Widget",2,3.5,7]]}'
    tokens = [(text[:11], -0.1), (text[11:], -0.2)]
    paths = wire.decode_paths(value_confidences(text, tokens))
    assert set(paths) == {
        "total",
        "line_items[0].description",
        "line_items[0].quantity",
        "line_items[0].unit_price",
        "line_items[0].amount",
    }
    assert paths["line_items[0].amount"][0] == 7
