"""The strict schema subset: all properties required, nullable optionals, no refs, no rejected keywords."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field, ValidationError

from extract.llm.strict_schema import field_guide, to_strict_schema

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
NULL = {"type": "null"}


class Line(BaseModel):
    """A billed line."""

    qty: int | None = Field(None, ge=0, le=1000, description="Units")
    kind: Literal["good", "service"] = Field("good", description="What was sold")
    amount: float = Field(description="Line total")


class Party(BaseModel):
    """A company or person."""

    name: str | None = Field(None, description="Legal name")


class Order(BaseModel):
    """An order,
    as printed."""

    ref: str | None = Field(None, max_length=5, description="Order reference")
    vendor: Party = Field(description="Who sells")
    lines: list[Line] = Field(default_factory=list, description="Lines")
    billing: Line | None = Field(None, description="A line used as billing")
    tags: list[str] = Field(default_factory=list, min_length=1, description="Labels")
    note: str = Field("none", description="Free text")
    version: Literal[2] = 2


class Node(BaseModel):
    child: Node | None = None


class Ping(BaseModel):
    pong: Pong | None = None


class Pong(BaseModel):
    ping: Ping | None = None


class Cat(BaseModel):
    pet: Literal["cat"]
    lives: int = 9


class Dog(BaseModel):
    pet: Literal["dog"]


class Owner(BaseModel):
    pet: Annotated[Cat | Dog, Field(discriminator="pet")]


class Loose(BaseModel):
    extra: dict[str, str]


def schema_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every schema node (not the `properties` maps, whose keys are field names)."""
    yield node
    for sub in node.get("properties", {}).values():
        yield from schema_nodes(sub)
    if isinstance(node.get("items"), dict):
        yield from schema_nodes(node["items"])
    for sub in node.get("anyOf", []):
        yield from schema_nodes(sub)


def assert_strict(schema: dict[str, Any]) -> None:
    for node in schema_nodes(schema):
        assert set(node) <= ALLOWED, set(node) - ALLOWED
        assert node.get("type") or node.get("anyOf") or node.get("enum"), node
        if node.get("type") == "object":
            assert node["additionalProperties"] is False
            assert node["required"] == list(node["properties"])
        if "anyOf" in node:
            assert NULL not in node["anyOf"][:-1], "null must come last"
    for forbidden in ("$ref", "$defs", "definitions", "default", "title", "allOf", "oneOf"):
        assert f'"{forbidden}"' not in json.dumps(schema)


def test_nested_models_are_inlined_and_strict():
    schema = to_strict_schema(Order)
    assert_strict(schema)
    props = schema["properties"]
    assert props["vendor"]["type"] == "object"
    assert props["vendor"]["properties"]["name"]["anyOf"] == [{"type": "string"}, NULL]
    assert props["lines"]["items"]["properties"]["kind"]["enum"] == ["good", "service"]
    assert props["billing"]["anyOf"][0]["type"] == "object"
    assert props["billing"]["anyOf"][1] == NULL
    assert props["version"]["enum"] == [2]  # const -> one-value enum
    assert props["note"] == {"type": "string", "description": "Free text"}  # default: not nullable


def test_descriptions_are_kept():
    schema = to_strict_schema(Order)
    assert schema["description"] == "An order, as printed."
    assert schema["properties"]["ref"]["description"] == "Order reference"
    # the field's description wins over the nested model's docstring
    assert schema["properties"]["vendor"]["description"] == "Who sells"
    line = schema["properties"]["lines"]["items"]
    assert line["description"] == "A billed line."
    assert line["properties"]["qty"]["description"] == "Units"


def test_dropped_constraints_are_still_enforced_by_pydantic():
    text = json.dumps(to_strict_schema(Order))
    for keyword in ("maxLength", "minimum", "maximum", "minItems"):
        assert keyword not in text
    ok = {"vendor": {}, "tags": ["a"], "lines": [{"qty": 3, "amount": 1}]}
    Order.model_validate(ok)
    for bad in (
        {**ok, "ref": "TOO-LONG"},
        {**ok, "lines": [{"qty": -1, "amount": 1}]},
        {**ok, "lines": [{"qty": 1001, "amount": 1}]},
        {**ok, "tags": []},
    ):
        with pytest.raises(ValidationError):
            Order.model_validate(bad)


def test_output_is_deterministic():
    first, second = to_strict_schema(Order), to_strict_schema(Order)
    assert json.dumps(first) == json.dumps(second)  # key order included
    assert first is not second
    assert list(first["properties"]) == list(Order.model_fields)


@pytest.mark.parametrize("model", [Node, Ping])
def test_recursive_models_are_refused(model: type[BaseModel]):
    with pytest.raises(ValueError, match="recursive"):
        to_strict_schema(model)


def test_discriminated_union_becomes_anyof():
    schema = to_strict_schema(Owner)
    assert_strict(schema)
    options = schema["properties"]["pet"]["anyOf"]
    assert [o["properties"]["pet"]["enum"] for o in options] == [["cat"], ["dog"]]


def test_free_form_dicts_are_refused():
    with pytest.raises(ValueError, match="dict"):
        to_strict_schema(Loose)


def test_openai_sdk_strictifier_has_nothing_to_change():
    """Reference check only: the SDK's own strict converter leaves our schema as is."""
    sdk = pytest.importorskip("openai.lib._pydantic")
    for model in (Order, Owner):
        ours = to_strict_schema(model)
        mine = copy.deepcopy(ours)
        assert sdk._ensure_strict_json_schema(mine, path=(), root=mine) == ours
        reference = sdk.to_strict_json_schema(model)
        assert reference["required"] == ours["required"]
        assert reference["additionalProperties"] is ours["additionalProperties"] is False


def test_field_guide_lists_nested_and_list_fields():
    guide = field_guide(Order).splitlines()
    assert "- ref (string): Order reference" in guide
    assert "- vendor: object. Who sells" in guide
    assert "- vendor.name (string): Legal name" in guide
    assert "- lines: list of objects. Lines" in guide
    assert "- lines[].qty (integer): Units" in guide
    assert "- lines[].kind (one of good, service): What was sold" in guide
    assert "- billing.amount (number): Line total" in guide
    assert "- tags (list of string): Labels" in guide
    assert "- version (one of 2)" in guide


def test_every_bundled_schema_is_strict_and_described():
    schemas = pytest.importorskip("schemas")
    assert schemas.BUNDLED
    for name, model in schemas.BUNDLED.items():
        schema = to_strict_schema(model)
        assert_strict(schema)
        assert schema == to_strict_schema(model), name
        for node in schema_nodes(schema):
            for field, prop in node.get("properties", {}).items():
                assert prop.get("description"), f"{name}.{field} has no description"
        guide = field_guide(model)
        assert len(guide.splitlines()) >= len(model.model_fields), name
