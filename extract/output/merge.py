"""Merging the answers of one document's chunks into one record, deterministically.

Chunks are merged in document order, whatever order their requests finished
in. A scalar takes the first non-null value; a different value found later is
recorded as a conflict, not hidden. A field whose value usually sits at the end
of a document (a governing-law clause) can ask for the last non-null value
instead, with `json_schema_extra={"merge": "last"}`. Lists are concatenated and de-duplicated by
a normalised key. Nested objects merge field by field.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from extract.errors import ConfigError
from extract.llm.strict_schema import field_extra

_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s.-]")


@dataclass(frozen=True)
class Conflict:
    """A field where a later chunk disagreed with the value kept."""

    field: str
    kept: Any
    other: Any
    chunk: str


@dataclass
class Merged:
    data: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)
    # For each top-level list field: the label of the chunk each kept item came from.
    origins: dict[str, list[str]] = field(default_factory=dict)
    # What reading a merged value as the text prints it changed ("74158 is the first
    # column of its row; its total, 81124"): for the row's notes.
    notes: list[str] = field(default_factory=list)


def last_wins_fields(schema: type[BaseModel]) -> frozenset[str]:
    """The schema's top-level fields marked `merge: "last"`."""
    names = set()
    for name, info in schema.model_fields.items():
        extra = field_extra(info)
        rule = extra.get("merge")
        if rule is None:
            continue
        if rule != "last":
            raise ConfigError(f'{schema.__name__}.{name}: merge must be "last", not {rule!r}')
        names.add(name)
    return frozenset(names)


def merge_answers(
    parts: list[tuple[str, dict[str, Any]]], last_wins: frozenset[str] = frozenset()
) -> Merged:
    """Merge (chunk label, answer) pairs given in document order."""
    merged = Merged(data={})
    seen_keys: dict[str, set[str]] = {}
    for label, answer in parts:
        for name, value in answer.items():
            if isinstance(value, list):
                kept = merged.data.setdefault(name, [])
                keys = seen_keys.setdefault(name, {normal_key(v) for v in kept})
                origins = merged.origins.setdefault(name, [])
                for item in value:
                    key = normal_key(item)
                    if _is_empty(item) or key in keys:
                        continue
                    keys.add(key)
                    kept.append(item)
                    origins.append(label)
            elif name in last_wins and value is not None:
                kept = merged.data.get(name)
                if kept is not None and normal_key(kept) != normal_key(value):
                    merged.conflicts.append(
                        Conflict(field=name, kept=value, other=kept, chunk=label)
                    )
                merged.data[name] = value
            else:
                merged.data[name] = _merge_value(
                    merged.data.get(name), value, name, label, merged.conflicts
                )
    return merged


def _merge_value(kept: Any, new: Any, path: str, label: str, conflicts: list[Conflict]) -> Any:
    if kept is None:
        return new
    if new is None:
        return kept
    if isinstance(kept, dict) and isinstance(new, dict):
        out = dict(kept)
        for key, value in new.items():
            out[key] = _merge_value(kept.get(key), value, f"{path}.{key}", label, conflicts)
        return out
    if isinstance(kept, list) and isinstance(new, list):
        keys = {normal_key(v) for v in kept}
        return kept + [v for v in new if normal_key(v) not in keys]
    if normal_key(kept) != normal_key(new):
        conflicts.append(Conflict(field=path, kept=kept, other=new, chunk=label))
    return kept


def _is_empty(value: Any) -> bool:
    if isinstance(value, dict):
        return all(_is_empty(v) for v in value.values())
    return value is None or value == "" or value == []


def normal_key(value: Any) -> str:
    """A comparison key that ignores case, accents, spacing and stray punctuation."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).casefold()
        text = _PUNCT.sub(" ", text)
        return _SPACE.sub(" ", text).strip(" .")
    if isinstance(value, dict):
        return json.dumps({k: normal_key(v) for k, v in sorted(value.items())}, sort_keys=True)
    if isinstance(value, list):
        return json.dumps([normal_key(v) for v in value])
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value)


def conflicts_json(conflicts: list[Conflict]) -> str | None:
    if not conflicts:
        return None
    return json.dumps(
        [{"field": c.field, "kept": c.kept, "other": c.other, "chunk": c.chunk} for c in conflicts],
        ensure_ascii=False,
    )
