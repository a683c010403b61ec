"""Finding a date or a duration in a text by what it means, not how it is written.

A model asked for a value "as written" often rewrites it ("2018-01-25" for
"25/01/2018", "2 years" for "two (2) years" or "the second anniversary"); grounding then looks here for a
phrase in the text that means the same. Ambiguous day/month orders count as a
match on either reading.
"""

from __future__ import annotations

import re
from datetime import date

from extract.evidence.lexicon import NAMED_DATE, lengths_of_time, parse_date

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
)}  # fmt: skip
_NUMERIC = re.compile(r"(?<!\d)(\d{1,4})[/.-](\d{1,2})[/.-](\d{2,4})(?!\d)")
_COMPACT = re.compile(r"(?<!\d)(\d{4})(\d{2})(\d{2})(?!\d)")
# A PDF's text layer can put a superscript ordinal on a line of its own: "March 31\nst 2008".
_ORDINAL = r"(?:\s?(?:st|nd|rd|th)\b)?"
_NAMED = re.compile(
    rf"(?<![\w])(\d{{1,2}}){_ORDINAL}(?:\s+day\s+of)?[\s.-]*([a-z]{{3,9}})\.?[\s,.-]*"
    r"(\d{4}|\d{2})(?!\d)"
    rf"|(?<![\w])([a-z]{{3,9}})\.?\s*(\d{{1,2}}){_ORDINAL},?\s*(\d{{4}})(?!\d)",
    re.IGNORECASE,
)


def meaning_span(value: str, text: str) -> tuple[int, int] | None:
    """A span of `text` that means the same date or duration as `value`, if any."""
    return date_span(value, text) or duration_span(value, text)


def duration_span(value: str, text: str) -> tuple[int, int] | None:
    """The first span of `text` naming the same length of time ("two (2) years", "deux ans")."""
    wanted = _duration(value)
    if wanted is None:
        return None
    for start, end, reading in lengths_of_time(text):
        if _length(reading) == wanted:
            return start, end
    return None


def _duration(value: str) -> tuple[int, str] | None:
    found = lengths_of_time(value)
    return _length(found[0][2]) if len(found) == 1 else None


_BASE_UNIT = {"year": (12, "month"), "month": (1, "month"), "week": (7, "day"), "day": (1, "day")}


def _length(reading: tuple[int, str] | None) -> tuple[int, str] | None:
    """A length comparable across units: "24 months" and "two years" are both (24, "month")."""
    if reading is None:
        return None
    factor, base = _BASE_UNIT[reading[1]]
    return reading[0] * factor, base


def date_span(value: str, text: str) -> tuple[int, int] | None:
    """The first span of `text` holding a date that can be the day `value` names."""
    wanted = readings(value)
    if not wanted:
        return None
    for pattern in (_NUMERIC, _NAMED, _COMPACT):
        for match in pattern.finditer(text):
            if readings(match.group(0)) & wanted:
                return match.start(), match.end()
    for match in NAMED_DATE.finditer(text):  # months named in other languages: "14 mars 2024"
        if parse_date(match.group(0)) in wanted:
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
    if not out and NAMED_DATE.fullmatch(text):  # "14. März 2024", "1er février 2023"
        found = parse_date(text)
        out |= {found} if found else set()
    return out


def _year(value: int) -> int:
    return value + 2000 if value < 100 else value


def _days(year: int, month: int, day: int) -> set[date]:
    try:
        return {date(year, month, day)}
    except ValueError:
        return set()
