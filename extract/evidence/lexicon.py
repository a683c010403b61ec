"""Numbers, units of time and dates as written in many languages.

Grounding and the schemas' normalisers both need to know that "deux (2) ans",
"zwei Jahre" and "two years" name the same length of time, and that
"14 mars 2024" and "14. März 2024" are the same day. Rather than grow
hand-written word tables, this leans on libraries made for it: text2num for
number words, dateparser for dates in 200+ languages.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

# Units of time in the languages text2num reads numbers in (en, fr, de, es, it, nl, pt).
_UNITS = {
    "year": "year years yr yrs an ans année années annee annees jahr jahre jahren jahres año años "
    "ano anos anno anni jaar jaren",
    "month": "month months mois monat monate monaten monats mes meses mese mesi maand maanden",
    "week": "week weeks semaine semaines woche wochen semana semanas settimana settimane weken",
    "day": "day days jour jours tag tage tagen día días dia dias giorno giorni dag dagen",
}
UNIT_OF = {word: unit for unit, words in _UNITS.items() for word in words.split()}
UNIT_PATTERN = "|".join(sorted(map(re.escape, UNIT_OF), key=len, reverse=True))

# A number (digits or a word, hyphenated words included), an optional "(2)", then a unit.
DURATION = re.compile(
    rf"(?<![\w-])(\d+|[^\W\d_]+(?:-[^\W\d_]+)*)\s*(?:\(\s*(\d+)\s*\)\s*)?[\s-]*({UNIT_PATTERN})\b",
    re.IGNORECASE,
)
_LANGUAGES = ("en", "fr", "de", "es", "it", "nl", "pt")
_ARTICLES = dict.fromkeys(("a", "an", "un", "une", "ein", "eine", "einen", "uno", "una"), 1)


@lru_cache(maxsize=4096)
def number_from_word(word: str) -> int | None:
    """'24' -> 24, 'two' -> 2, 'vingt-quatre' -> 24, 'zwei' -> 2; None if no number."""
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    if word in _ARTICLES:
        return _ARTICLES[word]
    from text_to_num import text2num

    for language in _LANGUAGES:
        try:
            return int(text2num(word, language))
        except ValueError:
            continue
    return None


def duration_reading(match: re.Match[str]) -> tuple[int, str] | None:
    """(number, unit) for a DURATION match: '(2)' digits win over the words before them."""
    word, digits, unit = match.groups()
    number = int(digits) if digits else number_from_word(word)
    return (number, UNIT_OF[unit.lower()]) if number is not None else None


# "the second anniversary of the Effective Date" names a term of two years (in English).
_ORDINALS = {
    word: n
    for n, word in enumerate(
        [
            "first",
            "second",
            "third",
            "fourth",
            "fifth",
            "sixth",
            "seventh",
            "eighth",
            "ninth",
            "tenth",
        ],
        start=1,
    )
}
ANNIVERSARY = re.compile(
    rf"(?<![\w-])(\d+(?:st|nd|rd|th)|{'|'.join(_ORDINALS)})(?:\s*\(\s*\d+(?:st|nd|rd|th)?\s*\))?"
    r"[\s-]+anniversary\b",
    re.IGNORECASE,
)
Length = tuple[int, str]  # (number, unit): (2, "year")


def lengths_of_time(text: str) -> list[tuple[int, int, Length | None]]:
    """Every length of time `text` names, in order, as (start, end, reading): "two (2) years"
    and "the second anniversary" both read (2, "year"); a placeholder ("N years") reads None."""
    found = [(m.start(), m.end(), duration_reading(m)) for m in DURATION.finditer(text)]
    for m in ANNIVERSARY.finditer(text):
        ordinal = m.group(1).lower()
        number = _ORDINALS.get(ordinal) or int(re.sub(r"\D", "", ordinal))
        found.append((m.start(), m.end(), (number, "year")))
    return sorted(found)


# A day, a month named in any language, and a year: "14 mars 2024", "14. März 2024",
# "1er février 2023", "March 14, 2024".
NAMED_DATE = re.compile(
    r"(?<![\w])\d{1,2}(?:st|nd|rd|th|er|e|º|\.)?\s*(?:de\s+)?[^\W\d_]{3,12}\.?,?\s*(?:de\s+)?\d{4}(?!\d)"
    r"|(?<![\w])[^\W\d_]{3,12}\.?\s*\d{1,2}(?:st|nd|rd|th)?,?\s*\d{4}(?!\d)",
)
_SETTINGS = {"PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"]}


@lru_cache(maxsize=4096)
def parse_date(text: str) -> date | None:
    """The day a short date phrase names, in any language dateparser knows; None otherwise.

    Only phrases with a digit and at most 40 characters are tried: dateparser is thorough,
    and a call on free text would be slow and could find a date that is not there."""
    text = text.strip()
    if not text or len(text) > 40 or not any(c.isdigit() for c in text):
        return None
    import dateparser

    parsed = dateparser.parse(text, settings=_SETTINGS)
    return parsed.date() if parsed is not None else None
