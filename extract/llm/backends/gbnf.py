"""The GBNF grammar llama.cpp decodes under, from a strict JSON schema.

llama.cpp's own converter (`json_schema_to_gbnf`) writes the grammar
(`schema_gbnf`); lists that a schema expects to be short are capped first
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


# Part of the local answers' cache key, so answers decoded under the earlier grammar (no
# space at all) are not reused; it names the converter's `space ::= " "?`.
GRAMMAR_VERSION = "space?"


def schema_gbnf(schema: dict[str, Any]) -> str:
    """llama.cpp's grammar for `schema`, as its converter writes it.

    Its `space` rule allows one optional space between JSON tokens. Refusing it
    (to save the tokens) was tried and is wrong: Qwen writes `": "` as `":` then
    ` "`, so without the space `null` was often the likeliest token the grammar
    allowed, and the model answered null for every Kleister Charity name and
    amount it had read (a charity's name came back once the space was allowed).
    """
    return json_schema_to_gbnf(json.dumps(schema))
