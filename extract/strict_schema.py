"""Pydantic model -> the strict JSON-schema subset every provider accepts.

Mistral (strict json_schema, grammar-constrained), OpenAI structured outputs,
Requesty and llama.cpp's schema-to-grammar converter all accept this subset:
every object lists all its properties as `required` and forbids others,
optional fields are `anyOf: [X, {"type": "null"}]`, `$ref`s are inlined and
keywords some provider rejects are dropped. Dropped constraints (lengths,
ranges, patterns...) are not lost: every answer is validated with the original
pydantic model afterwards.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

KEEP = (
    "type",
    "description",
    "enum",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "anyOf",
)


def to_strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The strict schema of `model`, deterministic (it is hashed for the cache)."""
    raw = model.model_json_schema()
    defs = raw.get("$defs", {})
    strict = _convert(raw, defs, seen=())
    if model.__doc__:
        strict["description"] = " ".join(model.__doc__.split())
    return strict


def _convert(node: dict[str, Any], defs: dict[str, Any], seen: tuple[str, ...]) -> dict[str, Any]:
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            raise ValueError(f"recursive schemas are not supported ({' -> '.join((*seen, name))})")
        target = _convert(defs[name], defs, (*seen, name))
        if node.get("description"):
            target["description"] = node["description"]
        return target
    if len(node.get("allOf", [])) == 1:
        merged = {**node["allOf"][0], **{k: v for k, v in node.items() if k != "allOf"}}
        return _convert(merged, defs, seen)
    if "const" in node:
        node = {**node, "enum": [node["const"]]}
    out: dict[str, Any] = {}
    if "anyOf" in node:
        options = [_convert(o, defs, seen) for o in node["anyOf"]]
        nulls = [o for o in options if o.get("type") == "null"]
        others = [o for o in options if o.get("type") != "null"]
        out["anyOf"] = others + nulls[:1]
    if "type" in node:
        out["type"] = node["type"]
    if "enum" in node:
        out["enum"] = list(node["enum"])
    if node.get("type") == "object" or "properties" in node:
        props = node.get("properties", {})
        out["type"] = "object"
        out["properties"] = {k: _convert(v, defs, seen) for k, v in props.items()}
        out["required"] = list(props)
        out["additionalProperties"] = False
    if "items" in node:
        out["items"] = _convert(node["items"], defs, seen)
    if node.get("description"):
        out["description"] = " ".join(str(node["description"]).split())
    return {k: out[k] for k in KEEP if k in out}


def field_guide(model: type[BaseModel]) -> str:
    """One line per field (nested as `vendor.name`, list items as `items[].amount`)."""
    lines: list[str] = []
    _guide(to_strict_schema(model), "", lines)
    return "\n".join(lines)


def _guide(node: dict[str, Any], path: str, lines: list[str]) -> None:
    node = _non_null(node)
    kind = node.get("type")
    if kind == "object":
        for name, sub in node.get("properties", {}).items():
            _describe(sub, f"{path}.{name}" if path else name, lines)
    elif kind == "array":
        _guide(node.get("items", {}), f"{path}[]", lines)


def _describe(node: dict[str, Any], path: str, lines: list[str]) -> None:
    inner = _non_null(node)
    kind = inner.get("type", "value")
    description = node.get("description") or inner.get("description") or ""
    if kind == "array" and _non_null(inner.get("items", {})).get("type") == "object":
        lines.append(f"- {path}: list of objects. {description}".rstrip())
        _guide(inner["items"], f"{path}[]", lines)
        return
    if kind == "object":
        lines.append(f"- {path}: object. {description}".rstrip())
        _guide(inner, path, lines)
        return
    if kind == "array":
        kind = f"list of {_non_null(inner.get('items', {})).get('type', 'value')}"
    if "enum" in inner:
        kind = "one of " + ", ".join(map(str, inner["enum"]))
    lines.append(f"- {path} ({kind}): {description}".rstrip(": "))


def _non_null(node: dict[str, Any]) -> dict[str, Any]:
    options = [o for o in node.get("anyOf", []) if o.get("type") != "null"]
    return options[0] if len(options) == 1 else node
