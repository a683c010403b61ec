"""The GBNF grammar llama.cpp decodes under, from a strict JSON schema.

llama.cpp's own converter (`json_schema_to_gbnf`) writes the grammar; two
changes make it cheaper to decode on a CPU: no whitespace between JSON tokens
(`compact_gbnf`), and a cap on lists that a schema expects to be short
(`capped`), so a small model that starts repeating an item cannot run on to
`max_tokens`.
"""

from __future__ import annotations

import json
from typing import Any

from llama_cpp.llama_grammar import json_schema_to_gbnf


def capped(schema: dict[str, Any], max_items: dict[str, int]) -> dict[str, Any]:
    """`schema` with `maxItems` on the named top-level lists (nullable ones too), which
    llama.cpp's converter turns into a bounded repetition in the grammar."""
    if not max_items:
        return schema
    props = dict(schema.get("properties", {}))
    for name, most in max_items.items():
        if name not in props:
            continue
        node = props[name]
        if node.get("type") == "array":
            props[name] = {**node, "maxItems": most}
        elif "anyOf" in node:
            options = [
                {**o, "maxItems": most} if o.get("type") == "array" else o for o in node["anyOf"]
            ]
            props[name] = {**node, "anyOf": options}
    return {**schema, "properties": props}


def compact_gbnf(schema: dict[str, Any]) -> str:
    """llama.cpp's grammar for `schema`, with no whitespace between JSON tokens.

    The converter lets the model put a space after every `{`, `,` and `:`;
    each one is a token to generate (Qwen writes them), and JSON needs none.
    Spaces inside strings are untouched: they are not made by this rule.
    """
    gbnf = json_schema_to_gbnf(json.dumps(schema))
    lines = gbnf.splitlines()
    spaces = [i for i, line in enumerate(lines) if line.split("::=")[0].strip() == "space"]
    if len(spaces) != 1:
        raise ValueError("llama.cpp's grammar has no single `space` rule to make compact")
    lines[spaces[0]] = 'space ::= ""'
    return "\n".join(lines) + "\n"
