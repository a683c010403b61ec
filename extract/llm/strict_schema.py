"""Pydantic model -> the strict JSON-schema subset every provider accepts.

Mistral (strict json_schema, grammar-constrained), OpenAI structured outputs
(`strict: true`), Requesty and llama.cpp's schema-to-grammar converter all
accept this subset, so one schema serves every backend:

- every object is `{"type": "object", "properties", "required": <all of them>,
  "additionalProperties": false}` (strict mode wants every key present);
- a field that may be missing is nullable, written the same way for scalars,
  objects and arrays: `{"anyOf": [X, {"type": "null"}]}`, null always last.
  Both OpenAI and Mistral accept anyOf-with-null and llama.cpp turns it into
  a grammar alternative; `"type": [..., "null"]` lists are rewritten likewise;
- `$ref`s are inlined and `$defs` / `definitions` removed (recursive models
  are refused with ValueError: they cannot be inlined), a one-element `allOf`
  is inlined, `oneOf` becomes `anyOf`, `const` becomes a one-value `enum`;
- only `type, description, enum, properties, required, additionalProperties,
  items, anyOf` are kept. Defaults, titles, formats, patterns, lengths,
  ranges, item counts... are dropped because some provider rejects them or
  llama.cpp mishandles them. They are not lost: every answer is validated with
  the original pydantic model afterwards, which still enforces them.

The output is deterministic (same model -> equal dict, same key order), since
it is hashed into the cache key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

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
NULL: dict[str, Any] = {"type": "null"}


def to_strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The strict schema of `model`; its docstring becomes the root description.

    Raises ValueError for what the subset cannot express (recursion, free-form
    dict fields, multi-part `allOf`, fixed-length tuples).
    """
    raw = model.model_json_schema()
    defs = {**raw.get("definitions", {}), **raw.get("$defs", {})}
    strict = _convert(raw, defs, seen=())
    if model.__doc__:
        strict["description"] = " ".join(model.__doc__.split())
    return _ordered(strict)


def _convert(node: dict[str, Any], defs: dict[str, Any], seen: tuple[str, ...]) -> dict[str, Any]:
    """Convert one schema node; `seen` is the chain of `$ref`s being inlined."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            raise ValueError(f"recursive schemas are not supported ({' -> '.join((*seen, name))})")
        target = _convert(defs[name], defs, (*seen, name))
        if node.get("description"):  # the field's description beats the model's docstring
            target["description"] = _clean(node["description"])
        return _ordered(target)
    if "allOf" in node:
        if len(node["allOf"]) != 1:
            raise ValueError("allOf with several schemas is not supported in strict mode")
        rest = {k: v for k, v in node.items() if k != "allOf"}
        return _convert({**node["allOf"][0], **rest}, defs, seen)
    for unsupported in ("prefixItems", "patternProperties", "not", "if"):
        if unsupported in node:
            raise ValueError(
                f"`{unsupported}` (e.g. a fixed tuple) is not supported in strict mode"
            )
    if isinstance(node.get("type"), list):  # ["string", "null"] -> anyOf, like every nullable
        rest = {k: v for k, v in node.items() if k != "type"}
        return _convert({**rest, "anyOf": [{"type": t} for t in node["type"]]}, defs, seen)
    if "oneOf" in node:  # discriminated unions; the discriminator is checked by pydantic
        rest = {k: v for k, v in node.items() if k not in ("oneOf", "discriminator")}
        return _convert({**rest, "anyOf": node["oneOf"]}, defs, seen)

    out: dict[str, Any] = {}
    if "anyOf" in node:
        options = [_convert(o, defs, seen) for o in node["anyOf"]]
        others = [o for o in options if o != NULL]
        out["anyOf"] = others + [dict(NULL)] * (len(others) < len(options))
    if "type" in node:
        out["type"] = node["type"]
    if "const" in node:
        out["enum"] = [node["const"]]
    elif "enum" in node:
        out["enum"] = list(node["enum"])
    if node.get("type") == "object" or "properties" in node:
        if node.get("additionalProperties") not in (None, False) and not node.get("properties"):
            raise ValueError("free-form dict fields are not supported in strict mode; use a model")
        props = node.get("properties", {})
        out["type"] = "object"
        out["properties"] = {k: _convert(v, defs, seen) for k, v in props.items()}
        out["required"] = list(props)
        out["additionalProperties"] = False
    if "items" in node:
        out["items"] = _convert(node["items"], defs, seen)
    if node.get("description"):
        out["description"] = _clean(node["description"])
    return _ordered(out)


def _ordered(node: dict[str, Any]) -> dict[str, Any]:
    """Only the kept keywords, always in KEEP order (stable hashing)."""
    return {k: node[k] for k in KEEP if k in node}


def _clean(text: Any) -> str:
    return " ".join(str(text).split())


def field_guide(model: type[BaseModel], tuples: Mapping[str, Sequence[str]] | None = None) -> str:
    """One line per field, for the system prompt, so descriptions reach the model in every
    mode (also the ones that send no schema): `- vendor.name (string): ...`, list items as
    `line_items[].amount`. A list in `tuples` is said to be written as arrays of its
    items' values in that order (see `extract.llm.wire`)."""
    lines: list[str] = []
    _guide(to_strict_schema(model), "", lines, tuples or {})
    return "\n".join(lines)


def _guide(
    node: dict[str, Any], path: str, lines: list[str], tuples: Mapping[str, Sequence[str]]
) -> None:
    node = _non_null(node)
    if node.get("type") == "object":
        for name, sub in node.get("properties", {}).items():
            _describe(sub, f"{path}.{name}" if path else name, lines, tuples)
    elif node.get("type") == "array":
        _guide(node.get("items", {}), f"{path}[]", lines, tuples)


def _describe(
    node: dict[str, Any], path: str, lines: list[str], tuples: Mapping[str, Sequence[str]]
) -> None:
    inner = _non_null(node)
    description = node.get("description") or inner.get("description") or ""
    if inner.get("type") == "array" and _non_null(inner.get("items", {})).get("type") == "object":
        if path in tuples:
            order = ", ".join(tuples[path])
            lines.append(f"- {path}: list of [{order}] arrays. {description}".rstrip())
        else:
            lines.append(f"- {path}: list of objects. {description}".rstrip())
        _guide(inner["items"], f"{path}[]", lines, tuples)
    elif inner.get("type") == "object":
        lines.append(f"- {path}: object. {description}".rstrip())
        _guide(inner, path, lines, tuples)
    else:
        lines.append(f"- {path} ({_kind(inner)}): {description}".rstrip(": "))


def _kind(node: dict[str, Any]) -> str:
    """`string`, `one of a, b`, `list of number`, `string or integer`..."""
    if "enum" in node:
        return "one of " + ", ".join(map(str, node["enum"]))
    if node.get("type") == "array":
        return f"list of {_kind(_non_null(node.get('items', {})))}"
    if "anyOf" in node:
        return " or ".join(_kind(o) for o in node["anyOf"] if o != NULL)
    return str(node.get("type", "value"))


def _non_null(node: dict[str, Any]) -> dict[str, Any]:
    """The single non-null option of a nullable node, else the node itself."""
    options = [o for o in node.get("anyOf", []) if o != NULL]
    return options[0] if len(options) == 1 else node


def field_extra(info: FieldInfo) -> dict[str, Any]:
    """What a schema's field declares for the pipeline in `json_schema_extra` (evidence,
    merge, expected_items, keywords...); {} when it declares nothing or a callable."""
    extra = info.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def fields_marked(schema: type[BaseModel], key: str) -> frozenset[str]:
    """The schema's top-level fields whose `json_schema_extra` sets `key` (`row_total`...)."""
    return frozenset(n for n, info in schema.model_fields.items() if field_extra(info).get(key))
