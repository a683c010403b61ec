"""Where a field's value is printed: just after one of the labels the schema names for it.

A report's year-end date follows "year ended", its total income "total
incoming resources". A schema says so with `json_schema_extra={"printed_after":
["year ended", ...]}`; a value the text does not print within a short reach
after any such label, in a text that prints one, is doubtful (another date, a
subtotal) and the second pass asks for it again with the passages around the
labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from extract.evidence.elsewhere import NEAR, label_pattern
from extract.evidence.locating import TextIndex
from extract.llm.strict_schema import field_extra
from extract.output.merge import Conflict, Merged, normal_key

_SCALE = re.compile(r"\s*(?:million|billion|thousand|mn|bn|m|k)\b", re.IGNORECASE)


def label_ends(text: str, labels: list[str] | tuple[str, ...]) -> list[int]:
    """Where each occurrence of any label ends, case and spacing ignored, in text order."""
    pattern = label_pattern(labels)
    return [] if pattern is None else [m.end() for m in pattern.finditer(text)]


def after_label(index: TextIndex, value: Any, ends: list[int]) -> bool:
    """Whether the text prints `value` (as grounding finds it) within NEAR after a label.

    A number printed with a scale after it ("total income rose to £27.6 million") is not
    the value 27.6 printed there."""
    size = len(index.text)
    for end in ends:
        found = index.find(value, end, min(end + NEAR, size))
        if found is None:
            continue
        if isinstance(value, (int, float)) and _SCALE.match(index.text, found.end):
            continue
        return True
    return False


def labelled_fields(schema: type[BaseModel]) -> dict[str, tuple[str, ...]]:
    """The schema's top-level fields that name labels (`printed_after`), with them."""
    out = {}
    for name, info in schema.model_fields.items():
        labels = field_extra(info).get("printed_after")
        if labels:
            out[name] = tuple(str(label) for label in labels)
    return out


@dataclass(frozen=True)
class PrintedAfter:
    """A document's labelled fields and where their labels end in its text, found once."""

    index: TextIndex
    ends: dict[str, list[int]]

    @classmethod
    def find(
        cls,
        text: str,
        labelled: dict[str, tuple[str, ...]],
        page_starts: list[int] | None = None,
    ) -> PrintedAfter:
        ends = {name: label_ends(text, ls) for name, ls in labelled.items()}
        return cls(TextIndex(text, page_starts), ends)

    def misplaced(self, name: str, value: Any) -> bool:
        """Whether the text prints `name`'s labels but not `value` after any of them."""
        ends = self.ends.get(name)
        return bool(ends) and not after_label(self.index, value, ends)


def prefer_labelled(
    merged: Merged, parts: list[tuple[str, dict[str, Any]]], labels: PrintedAfter
) -> Merged:
    """`merged`, where a labelled field's value is not printed after its labels and another
    chunk's answer is: that answer (the first in document order), the value it replaces
    recorded as the conflict. A report's first part may give the date the trustees signed;
    the part with "for the year ended 31 July 2016" gives the date the field means."""
    for name in labels.ends:
        kept = merged.data.get(name)
        if kept is None or isinstance(kept, (list, dict)) or not labels.misplaced(name, kept):
            continue
        for label, answer in parts:
            value = answer.get(name)
            if value is None or normal_key(value) == normal_key(kept):
                continue
            if not labels.misplaced(name, value):
                source = next(
                    (lb for lb, a in parts if normal_key(a.get(name)) == normal_key(kept)), label
                )
                merged.data[name] = value
                merged.conflicts = [
                    c
                    for c in merged.conflicts
                    if not (c.field == name and normal_key(c.other) == normal_key(value))
                ] + [Conflict(field=name, kept=value, other=kept, chunk=source)]
                break
    return merged
