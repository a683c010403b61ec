"""Normalisers shared by the bundled schemas.

They run before pydantic's type checks (`mode="before"`) and never raise: a
value they do not recognise passes through cleaned, so only a genuinely wrong
type makes validation (and so a re-ask) fail.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

EMPTY = frozenset({"", "null", "none", "n/a", "na", "not stated", "not specified", "unknown", "-"})

US_STATES = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
    "DC": "District of Columbia",
}
_STATE_NAMES = {v.casefold(): v for v in US_STATES.values()}
NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty": 20,
    "twenty-four": 24,
    "thirty": 30,
    "thirty-six": 36,
    "sixty": 60,
}
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%B %d, %Y",
    "%B %d %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%m/%d/%Y",
    "%m/%d/%y",
    "%Y/%m/%d",
    "%B %Y",
    "%d-%m-%Y",
    "%d.%m.%Y",
)
_ORDINAL = re.compile(r"(\d+)(st|nd|rd|th)\b", re.IGNORECASE)
_ROLE = re.compile(
    r"\s*[,(]?\s*\(?\s*(?:the\s+)?[\"“'‘](?:[^\"”'’]{1,40})[\"”'’]\s*\)?\s*$", re.IGNORECASE
)


def blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = " ".join(value.split())
        return None if value.casefold() in EMPTY else value
    return value


def iso_date(value: Any) -> Any:
    """'May 20, 2014', '20th day of May, 2014', '5/20/2014' -> '2014-05-20'."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    text = _ORDINAL.sub(r"\1", value).replace(" day of ", " ").replace(",", ", ").strip(" .")
    text = " ".join(text.replace(" ,", ",").split())
    for fmt in _DATE_FORMATS:
        for candidate in (text, text.replace(",", "")):
            try:
                parsed = datetime.strptime(candidate, fmt).date()
            except ValueError:
                continue
            if fmt == "%B %Y":
                return f"{parsed.year:04d}-{parsed.month:02d}"
            return parsed.isoformat()
    return value


def us_state_or_country(value: Any) -> Any:
    """'NY' or 'State of New York' -> 'New York'; other places pass through cleaned."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    text = re.sub(r"^(the\s+)?(state|commonwealth)\s+of\s+", "", value, flags=re.IGNORECASE)
    text = re.sub(r",?\s*(USA|U\.S\.A\.|United States( of America)?)$", "", text).strip(" .,")
    if text.upper() in US_STATES:
        return US_STATES[text.upper()]
    return _STATE_NAMES.get(text.casefold(), text)


def term(value: Any) -> Any:
    """'two (2) years', '24 months', 'one year' -> '2 years', '24 months', '1 years'."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    text = value.casefold()
    match = re.search(r"(\d+|[a-z]+(?:-[a-z]+)?)\s*(?:\(\d+\)\s*)?(year|month|week|day)s?", text)
    if not match:
        return value
    word, unit = match.groups()
    number = int(word) if word.isdigit() else NUMBER_WORDS.get(word)
    if number is None:
        return value
    return f"{number} {unit}s"


def decimal_amount(value: Any) -> Any:
    """'$1,234.50', 'RM 9.00', '(12.00)' -> 1234.5, 9.0, -12.0. Unclear text passes through."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    text = re.sub(r"[^\d.,()-]", "", value)
    negative = (text.startswith("(") and text.endswith(")")) or text.startswith("-")
    text = text.strip("()-")
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?", text):
        number = float(text.replace(",", ""))
        return -number if negative else number
    return value


def party_name(value: Any) -> Any:
    """'ACME Corp. (the "Company")' -> 'ACME Corp.'; drops role labels in quotes."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    return _ROLE.sub("", value).strip(" ,;") or value


def party_names(values: Any) -> Any:
    if not isinstance(values, list):
        return values
    cleaned = [party_name(v) for v in values]
    return [v for v in cleaned if v is not None]
