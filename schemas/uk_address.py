"""UK address parts as a register writes them: the street line alone, a postcode that parses.

A small model asked for "house number and street" copies the whole block
around it ("SAYT office, 39 Dartford Road", "Bedford Road, Hitchin"), and an
OCR'd postcode carries letter-for-digit misreadings ("SL8 SAE" for SL8 5AE).
These validators keep what the field means; each result is still a piece of
what the model gave, so grounding checks it against the text as before.
"""

from __future__ import annotations

import re
from typing import Any

# Words that end a street's name; the weak ones also name farms and buildings
# ("Hill Farm"), so they count only where no strong one is given.
_STRONG = (
    "Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Way|Drive|Dr|Close|Crescent|Cres|Place|Pl|"
    "Square|Sq|Terrace|Gardens|Grove|Mews|Parade|Row|Walk|Boulevard|Broadway|Circus|Wharf|Quay"
)
_WEAK = "Hill|Park|Green|Gate|Rise|Court|Yard|Vale|View"
# Words that name a building, not a street: the street starts after them.
_BUILDING = frozenset({
    "house", "hut", "office", "offices", "farm", "hall", "centre", "center", "building",
    "buildings", "unit", "floor", "suite", "chambers", "lodge", "cottage", "barn", "church",
    "chapel", "school", "works", "mill", "manor", "estate", "studios",
})  # fmt: skip
_STREET_WORDS = tuple(re.compile(rf"^(?:{w})\.?,?$", re.IGNORECASE) for w in (_STRONG, _WEAK))
_TITLES = frozenset({"St", "Dr"})
_NUMBER = re.compile(r"^\d+[A-Za-z]?(?:\s*[-–]\s*\d+[A-Za-z]?)?,?$")


def _street_word(words: list[str], pattern: re.Pattern[str]) -> int | None:
    for i, word in enumerate(words):
        if i == 0 or not pattern.match(word) or not word[0].isupper():
            continue
        following = words[i + 1] if i + 1 < len(words) else ""
        if word.rstrip(".,") in _TITLES and following[:1].isupper():
            continue  # "St Albans Road": a saint, not a street
        return i
    return None


def street_line(value: Any) -> Any:
    """'SAYT office, 39 Dartford Road' -> '39 Dartford Road'; 'Bedford Road, Hitchin' ->
    'Bedford Road'; 'Unit 4 Hill Farm Kirby Road Kirby Bedon' -> 'Kirby Road'.

    The street ends at its street word (Road, Street, Lane...) and starts at its house
    number, or after a comma, a line break or a building's name. A value with no such
    word is kept as given if it has a house number and a name ('42-47 Minories'); else it
    names a building or a place ('Buttress House', "Bishop's Stortford"), not a street,
    so nothing, and another chunk's answer can give it."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.split())
    # a line break or comma starts a new part: keep the part the street word is in
    parts = [p.strip() for p in re.split(r"[,\n]", value) if p.strip()]
    for pattern in _STREET_WORDS:
        for part in parts:
            words = part.split()
            end = _street_word(words, pattern)
            if end is None:
                continue
            start = end - 1  # the street's own name, even "Church" in "Church Lane"
            # back to the house number, stopping at a building's name or a lower-case word
            while start > 0 and not _NUMBER.match(words[start]):
                before = words[start - 1]
                if before.casefold().strip(".") in _BUILDING:
                    break
                if not (before[0].isupper() or before[0].isdigit()):
                    break
                start -= 1
            return " ".join(words[start : end + 1]).rstrip(".,")
    numbers = [bool(_NUMBER.match(word)) for word in text.split()]
    return text if any(numbers) and not all(numbers) else None  # a number alone is no street


_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][ABD-HJLNP-UW-Z]{2})$")
_AS_DIGIT = str.maketrans({"S": "5", "O": "0", "D": "0", "I": "1", "L": "1", "Z": "2", "B": "8"})


def postcode(value: Any) -> Any:
    """'sy3 7pq' -> 'SY3 7PQ'; an OCR'd 'SL8 SAE' -> 'SL8 5AE' (the inward code opens with
    a digit, so a letter that looks like one is read as that digit). Anything that still
    does not parse as a UK postcode is kept as given, in upper case."""
    if not isinstance(value, str):
        return value
    text = " ".join(value.upper().split())
    match = _POSTCODE.match(text)
    if match is None:
        parts = text.split(" ")
        if len(parts) == 2 and len(parts[1]) == 3:
            repaired = f"{parts[0]} {parts[1][0].translate(_AS_DIGIT)}{parts[1][1:]}"
            match = _POSTCODE.match(repaired)
    return f"{match.group(1)} {match.group(2)}" if match else text
