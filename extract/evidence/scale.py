"""Amounts a page prints in thousands: "£'000" over its columns, "297,787" below it.

A report's financial statements often print every amount in thousands (or
millions) and say so once, in a column header. The number alone cannot know: a
model reading "Total resources expended 297,787" under "£'000" writes 297787,
where the report means £297,787,000. A page that prints such a header is read
at that scale (`page_scale`, `PageScales`); a number field that says its values may be
printed so (`json_schema_extra={"scaled_by_header": True}`) gets the amount the
page means (`as_meant`) where every place that prints its value is such a page,
and grounding and evidence find 297787000 printed as "297,787" there.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from typing import Protocol

from extract.output.merge import Merged

_THOUSANDS = re.compile(
    r"[£$€]\s*['’]?\s*000s?\b|\b(?:in|of) thousands\b|\bthousands of (?:pounds|dollars|euros)\b",
    re.IGNORECASE,
)
_MILLIONS = re.compile(
    r"[£$€]\s*m\b|[£$€]\s*['’]?\s*000\s*,\s*000\b|\b(?:in|of) millions\b", re.IGNORECASE
)


def page_scale(page: str) -> int:
    """1,000 for a page with a thousands header, 1,000,000 for millions; 1 for neither,
    or for both (which figure is which is then not known)."""
    thousands, millions = _THOUSANDS.search(page), _MILLIONS.search(page)
    if thousands and not millions:
        return 1_000
    if millions and not thousands:
        return 1_000_000
    return 1


class PageScales:
    """Each page's scale, for finding which one a place in the text is on."""

    def __init__(self, text: str, starts: Sequence[int]) -> None:
        ends = [*starts[1:], len(text)]
        self.starts = list(starts)
        self.scales = [page_scale(text[a:b]) for a, b in zip(starts, ends, strict=True)]

    def at(self, pos: int) -> int:
        """The scale of the page holding `pos` (1 where it has none)."""
        i = bisect.bisect_right(self.starts, pos) - 1
        return self.scales[i] if i >= 0 else 1

    @property
    def any(self) -> bool:
        return any(scale != 1 for scale in self.scales)


def written(amount: float) -> str:
    """An amount as a note writes it: 297,787,000 and 12.5, not 2.97787e+08."""
    return f"{amount:,.0f}" if float(amount).is_integer() else f"{amount:,}"


class ReadsAmounts(Protocol):
    """What `as_meant_in` needs of a text index (`extract.evidence.locating.TextIndex`)."""

    def as_meant(self, value: float) -> float: ...


def as_meant_in(merged: Merged, names: frozenset[str], index: ReadsAmounts) -> Merged:
    """`merged` with each of `names` that is a number as the amount its page means, noted."""
    for name in sorted(names):
        value = merged.data.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            meant = index.as_meant(value)
            if meant != value:
                merged.data[name] = meant
                merged.notes.append(
                    f"{name}: {written(value)} read as {written(meant)} (its page prints its "
                    "amounts in thousands or millions)"
                )
    return merged
