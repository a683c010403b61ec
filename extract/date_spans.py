"""Finding a date in a text by what day it names, not how it is written.

A model asked for a date "as printed" often rewrites it ("2018-01-25" for
"25/01/2018"); grounding then looks here for a date in the text that can mean
the same day. Ambiguous day/month orders count as a match on either reading.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}  # fmt: skip
_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})[/.-](\d{1,2})[/.-](\d{2,4})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
_NAMED = re.compile(
    r"(?<![\w])(\d{1,2})(?:st|nd|rd|th)?[\s.-]*([a-z]{3,9})\.?[\s,.-]*(\d{4}|\d{2})(?!\d)"
    r"|(?<![\w])([a-z]{3,9})\.?\s*(\d{1,2})(?:st|nd|rd|th)?,?\s*(\d{4})(?!\d)",
    re.IGNORECASE,
)


def date_span(value: str, text: str) -> tuple[int, int] | None:
    """The first span of `text` holding a date that can be the day `value` names."""
    wanted = readings(value)
    if not wanted:
        return None
    for pattern in (_NUMERIC, _NAMED, _COMPACT):
        for match in pattern.finditer(text):
            if readings(match.group(0)) & wanted:
                return match.start(), match.end()
    return None


def readings(text: str) -> set[date]:
    """Every day a short date string can mean (empty if it is not one)."""
    text = text.strip()
    out: set[date] = set()
    for pattern in (_NUMERIC, _COMPACT):
        match = pattern.fullmatch(text)
        if match:
            a, b, c = (int(g) for g in match.groups())
            if len(match.group(1)) == 4:
                out |= _days(a, b, c)
            else:
                out |= _days(_year(c), b, a) | _days(_year(c), a, b)
    match = _NAMED.fullmatch(text)
    if match:
        day, month, year = match.group(1, 2, 3) if match.group(1) else match.group(5, 4, 6)
        number = _MONTHS.get(month[:3].lower())
        if number is not None:
            out |= _days(_year(int(year)), number, int(day))
    return out


def _year(value: int) -> int:
    return value + 2000 if value < 100 else value


def _days(year: int, month: int, day: int) -> set[date]:
    try:
        return {date(year, month, day)}
    except ValueError:
        return set()
