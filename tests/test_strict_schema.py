"""The strict schema subset: all properties required, nullable optionals, no refs, no rejected keywords."""

from __future__ import annotations

from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field, ValidationError

from extract.strict_schema import field_guide, to_strict_schema
from schemas import BUNDLED

ALLOWED = {
    "type",
    "description",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "anyOf",
}


class Line(BaseModel):
    """A line."""

    qty: int | None = Field(None, ge=0, description="Units")
    kind: Literal["good", "service"] = "good"


class Order(BaseModel):
    """An order."""

    ref: str | None = Field(None, max_length=5, description="Order reference")
    lines: list[Line] = Field(default_factory=list, description="Lines")
    billing: Line | None = Field(None, description="A line used as billing")
    note: str = "none"


class Node(BaseModel):
    child: Node | None = None


def walk(node: Any):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def assert_strict(schema: dict[str, Any]) -> None:
    for node in walk(schema):
        if (
            "properties" in node
            and isinstance(node.get("properties"), dict)
            and node.get("type") == "object"
        ):
            assert node["additionalProperties"] is False
            assert node["required"] == list(node["properties"])
            for prop in node["properties"].values():
                assert set(prop) <= ALLOWED, set(prop) - ALLOWED
        assert "$ref" not in node and "$defs" not in node and "default" not in node


def test_nested_models_are_inlined_and_strict():
    schema = to_strict_schema(Order)
    assert_strict(schema)
    assert schema["properties"]["lines"]["items"]["properties"]["kind"]["enum"] == [
        "good",
        "service",
    ]
    assert schema["properties"]["billing"]["anyOf"][1] == {"type": "null"}
    assert schema["properties"]["ref"]["description"] == "Order reference"
    assert schema["description"] == "An order."


def test_dropped_constraints_are_still_enforced_by_pydantic():
    schema = to_strict_schema(Order)
    assert "maxLength" not in str(schema) and "minimum" not in str(schema)
    with pytest.raises(ValidationError):
        Order.model_validate({"ref": "TOO-LONG", "lines": [{"qty": -1}]})


def test_output_is_deterministic():
    assert to_strict_schema(Order) == to_strict_schema(Order)
    assert list(to_strict_schema(Order)["properties"]) == ["ref", "lines", "billing", "note"]


def test_recursive_models_are_refused():
    with pytest.raises(ValueError, match="recursive"):
        to_strict_schema(Node)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_every_bundled_schema_is_strict_and_described(name: str):
    schema = to_strict_schema(BUNDLED[name])
    assert_strict(schema)
    for node in walk(schema):
        for prop in (node.get("properties") or {}).values():
            assert prop.get("description"), f"{name}: a field has no description"


def test_field_guide_lists_nested_and_list_fields():
    guide = field_guide(BUNDLED["invoice"])
    assert "- vendor.name (string): Legal or trading name" in guide
    assert "- line_items[].amount (number)" in guide
