"""How an answer travels from the model: the schema it is held to, and the way back.

Hosted models get the strict schema itself. A grammar-constrained model (the
embedded llama.cpp one) pays for every generated token on a slow CPU, and a
list of flat objects repeats every key on every item: an invoice line written
as `{"description":"Widget","quantity":2,"unit_price":3.5,"amount":7}` costs
about 45 tokens with Qwen's tokenizer, the same line as the tuple
`["Widget",2,3.5,7]` about 30. So for such a model each list of flat objects
(every property a scalar) is sent as a list of fixed-length arrays, the field
guide names the order of their values, and `decode` turns them back into
objects before grounding and validation, which therefore never see tuples.

The answer's size is bounded from the schema and the chunk (`answer_bound`),
so a request reserves what its answer can need: a whole invoice's line items
fit in one answer, and a 30-token receipt does not reserve 1,024 tokens a
looping small model could fill.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

NULL = {"type": "null"}
ITEM_COPY_RATIO = 1.6  # answer tokens per chunk token when the answer copies lists of lines
TEXT_COPY_RATIO = 0.3  # ...when it only copies names and phrases out of the text
LEAF_ALLOWANCE = 48  # answer tokens allowed per scalar field beside its key
_TUPLE_PATH = re.compile(r"(\w+)\[(\d+)\]\[(\d+)\]")


@dataclass(frozen=True)
class Wire:
    """The schema a backend is held to and how its answers map back to the strict schema's shape.

    `tuples` maps a top-level list field to the property names of its items,
    in the order their values are written.
    """

    schema: dict[str, Any]
    tuples: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def encode(self, answer: dict[str, Any]) -> dict[str, Any]:
        """An answer in objects (a worked example's) written the way this wire wants it."""
        if not self.tuples:
            return answer
        out = dict(answer)
        for name, keys in self.tuples.items():
            items = out.get(name)
            if isinstance(items, list):
                out[name] = [[item.get(k) for k in keys] for item in items]
        return out

    def decode_paths(self, by_path: dict[str, Any]) -> dict[str, Any]:
        """Answer paths of a tuple answer (`line_items[2][3]`) as the objects' (`line_items[2].amount`),
        for what is keyed by where a value sits in the answer (its confidence)."""
        if not self.tuples:
            return by_path
        out = {}
        for path, value in by_path.items():
            match = _TUPLE_PATH.fullmatch(path)
            keys = self.tuples.get(match.group(1)) if match else None
            if match and keys and int(match.group(3)) < len(keys):
                path = f"{match.group(1)}[{match.group(2)}].{keys[int(match.group(3))]}"
            out[path] = value
        return out

    def decode(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Tuples back to objects; anything of another shape is left for validation to reject."""
        if not self.tuples:
            return raw
        out = dict(raw)
        for name, keys in self.tuples.items():
            items = out.get(name)
            if isinstance(items, list):
                out[name] = [
                    dict(zip(keys, item, strict=True))
                    if isinstance(item, list) and len(item) == len(keys)
                    else item
                    for item in items
                ]
        return out


def plain_wire(schema: dict[str, Any]) -> Wire:
    return Wire(schema=schema)


def tuple_wire(schema: dict[str, Any]) -> Wire:
    """`schema` with every top-level list of flat objects sent as a list of tuples (prefixItems)."""
    properties = dict(schema.get("properties", {}))
    tuples: dict[str, tuple[str, ...]] = {}
    for name, node in properties.items():
        items = _flat_object_items(node)
        if items is None:
            continue
        keys = tuple(items["properties"])
        row = {"type": "array", "prefixItems": [items["properties"][k] for k in keys]}
        properties[name] = _replace_items(node, row)
        tuples[name] = keys
    if not tuples:
        return Wire(schema=schema)
    return Wire(schema={**schema, "properties": properties}, tuples=tuples)


def answer_bound(schema: dict[str, Any], chunk_tokens: int) -> int:
    """An upper bound on the answer tokens for a chunk of `chunk_tokens` tokens.

    Keys and punctuation of every field, an allowance per scalar, plus a share of
    the chunk for what can grow with it (lists): a list of flat objects copies
    most of its lines with some punctuation; a list of strings a few names.
    """
    skeleton = len(json.dumps(_skeleton(schema), separators=(",", ":"))) // 2  # ~2 chars/token
    leaves, lists = _count(schema)
    ratio = ITEM_COPY_RATIO if lists["objects"] else TEXT_COPY_RATIO if lists["scalars"] else 0.0
    return skeleton + LEAF_ALLOWANCE * leaves + int(ratio * chunk_tokens)


def _flat_object_items(node: dict[str, Any]) -> dict[str, Any] | None:
    """The item schema of a (nullable) list whose items are objects of scalars only."""
    array = _non_null(node)
    if array.get("type") != "array":
        return None
    items = _non_null(array.get("items", {}))
    props = items.get("properties")
    if items.get("type") != "object" or not props:
        return None
    if any(_non_null(p).get("type") in ("object", "array") for p in props.values()):
        return None
    return items


def _replace_items(node: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" in node:
        return {
            **node,
            "anyOf": [_replace_items(o, row) if o != NULL else o for o in node["anyOf"]],
        }
    return {**node, "items": row}


def _non_null(node: dict[str, Any]) -> dict[str, Any]:
    options = [o for o in node.get("anyOf", []) if o != NULL]
    return options[0] if len(options) == 1 else node


def _skeleton(node: dict[str, Any]) -> Any:
    node = _non_null(node)
    if node.get("type") == "object":
        return {k: _skeleton(v) for k, v in node.get("properties", {}).items()}
    return None


def _count(node: dict[str, Any]) -> tuple[int, dict[str, bool]]:
    """Scalar fields outside lists, and which kinds of lists the schema holds."""
    node = _non_null(node)
    lists = {"objects": False, "scalars": False}
    if node.get("type") == "object":
        leaves = 0
        for sub in node.get("properties", {}).values():
            n, inner = _count(sub)
            leaves += n
            lists = {k: lists[k] or inner[k] for k in lists}
        return leaves, lists
    if node.get("type") == "array":
        items = _non_null(node.get("items", {}))
        lists["objects" if items.get("type") in ("object", "array") else "scalars"] = True
        return 0, lists
    return 1, lists
