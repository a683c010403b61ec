"""Normalisers shared by the bundled schemas (use as `field_validator(..., mode="before")`).

They run before pydantic's type checks and never raise: a value they do not
recognise passes through cleaned (empty / "null" / "N/A" become None), so only a
genuinely wrong type makes validation (and so a re-ask) fail.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pycountry
from price_parser import Price

from extract.evidence.lexicon import lengths_of_time, parse_date

EMPTY = frozenset({"", "null", "none", "n/a", "na", "not stated", "not specified", "unknown", "-"})

US_STATES = {
    sub.code.removeprefix("US-"): sub.name
    for sub in pycountry.subdivisions.get(country_code="US")
    if sub.type in ("State", "District")
}
_STATE_NAMES = {v.casefold(): v for v in US_STATES.values()}
# a state named inside a clause ("governed by the laws of Florida"); longest first, so
# "West Virginia" is read before "Virginia"
_STATE_IN_TEXT = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, US_STATES.values()), key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_LAWS_OF = re.compile(
    r"\b(?i:laws?\s+of\s+(?:the\s+)?(?:(?:state|commonwealth)\s+of\s+)?)"
    r"([A-Z][\w.]*(?:\s+[A-Z][\w.]*)*)"
)
_DATE_FORMATS = (
    "%Y-%m-%d", "%B %d %Y", "%b %d %Y", "%d %B %Y", "%d %b %Y", "%m/%d/%Y", "%m/%d/%y",
    "%Y/%m/%d", "%d-%m-%Y", "%d %m %Y", "%B %Y",
)  # fmt: skip
_DATE_IN_TEXT = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{2,4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4}"
    r"|\d{1,2} (?:day of )?[A-Za-z]{3,9},? \d{4}"
)
_ROLE_QUOTED = re.compile(r"\s*,?\s*\(\s*(?:the\s+|hereinafter\s+(?:called\s+|referred to as\s+)?)?"
                          r"[\"“'‘][^\"”'’]{1,40}[\"”'’]\s*\)\s*$", re.IGNORECASE)  # fmt: skip
_ROLES = (
    r"(?:the\s+)?(?:company|recipient|receiving party|disclosing party|discloser|supplier|customer"
    r"|client|vendor|licensor|licensee|consultant|contractor|buyer|seller|employer|employee|party"
    r"|franchisor|franchisee|distributor|reseller|purchaser|manufacturer|lender|borrower|landlord"
    r"|tenant|lessor|lessee|provider|service provider|agent|sponsor|investor|guarantor)"
)
_ROLE_ONLY = re.compile(rf"\s*{_ROLES}s?\s*", re.IGNORECASE)
_ROLE_PAREN = re.compile(rf"\s*,?\s*\(\s*(?:as\s+)?{_ROLES}\s*\)\s*$", re.IGNORECASE)
_ROLE_PREFIX = re.compile(rf"^{_ROLES}(?:\s*\d)?(?:\s*:|\s+[-–])\s*", re.IGNORECASE)
_INCORPORATION = re.compile(
    r",\s+an?\s+[A-Z][\w .]*?(?:corporation|company|partnership|LLC|limited)\b.*$", re.IGNORECASE
)
# "Oglethorpe Power Corporation (An Electric Membership Corporation)": the kind, in brackets
_INCORPORATION_PAREN = re.compile(r"\s*\(\s*an?\s+[^()]*\)\s*$", re.IGNORECASE)


def blank_to_none(value: Any) -> Any:
    """Collapse whitespace (newlines included); empty / "null" / "N/A" -> None."""
    if isinstance(value, str):
        value = " ".join(value.split())
        return None if value.casefold() in EMPTY else value
    return value


def _parse_date(text: str) -> str | None:
    text = re.sub(r"(\d+)(?:st|nd|rd|th)\b", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"\bday of\b", "", text).replace(",", " ").replace(".", " ")
    text = re.sub(r"\bSept\b", "Sep", text, flags=re.IGNORECASE)
    text = " ".join(text.replace(" / ", "/").split())
    for fmt in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        return parsed.isoformat()[:7] if fmt == "%B %Y" else parsed.isoformat()
    return None


def iso_date(value: Any) -> Any:
    """'May 20, 2014', '20th day of May, 2014', '5/20/2014', '2014-05-20T00:00' -> '2014-05-20'."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    if re.match(r"\d{4}-\d{2}-\d{2}[T ]", value):
        value = value[:10]
    found = _parse_date(value)
    if found is None:  # a date inside a phrase: "as of the 2nd day of September, 2019"
        match = _DATE_IN_TEXT.search(re.sub(r"(\d+)(?:st|nd|rd|th)\b", r"\1", value))
        found = _parse_date(match.group(0)) if match else None
    if found is None:  # other languages and orders: "14 mars 2024", "14. März 2024", "31/12/2023"
        day = parse_date(value)
        found = day.isoformat() if day else None
    return found or value


def us_state_or_country(value: Any) -> Any:
    """'NY', 'State of New York', 'New York, USA' -> 'New York'; other places pass through."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    text = re.sub(r"^(the\s+)?laws?\s+of\s+", "", value, flags=re.IGNORECASE)
    text = re.sub(r"^(the\s+)?(state|commonwealth)\s+of\s+", "", text, flags=re.IGNORECASE)
    text = re.sub(r",?\s*(USA|U\.S\.A?\.?|US|United States( of America)?)$", "", text).strip(" .,")
    if text.upper() in US_STATES:
        return US_STATES[text.upper()]
    if text.casefold() in _STATE_NAMES:
        return _STATE_NAMES[text.casefold()]
    if len(value.split()) > 3:  # a clause, not a place: the place whose laws it names first
        place = _LAWS_OF.search(value)
        if place:
            return us_state_or_country(place.group(1))
        states = {_STATE_NAMES[m.casefold()] for m in _STATE_IN_TEXT.findall(value)}
        if len(states) == 1:
            return states.pop()
    return text or value


def term(value: Any) -> Any:
    """'two (2) years', '24 months', 'one-year', 'deux (2) ans', 'drei Monate' -> '2 years',
    '24 months', '1 year', '2 years', '3 months'; 'the second anniversary of the Effective
    Date' -> '2 years' ("N <unit>", plural from 2, in English, the
    way the datasets write it: Kleister's gold has `1_year`); a unit with no number
    ("N years") is None; text naming no unit passes through."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    found = lengths_of_time(value)
    if not found:
        return value
    reading = found[0][2]
    if reading is None:
        return None  # "N years": a placeholder
    number, unit = reading
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


def duration(value: Any) -> Any:
    """`term`, for a field that holds a length of time and nothing else: a value naming
    none ("indefinitely", "immediately prior to the closing of the Merger") is None."""
    value = blank_to_none(value)
    if isinstance(value, str) and not lengths_of_time(value):
        return None
    return term(value)


_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "bn": 1e9, "billion": 1e9}


def decimal_amount(value: Any) -> Any:
    """'$1,234.50', 'RM 9.00', '(12.00)', '£1.2m' -> 1234.5, 9.0, -12.0, 1200000.0 (US/UK
    style: comma thousands, dot decimals). Unclear text passes through for pydantic to judge."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    scale = re.search(r"\d\s*(k|thousand|mn|m|million|bn|billion)\b\.?\s*$", value, re.IGNORECASE)
    text = re.sub(r"[^\d.,()-]", "", value[: scale.start(1)] if scale else value).strip(".")
    negative = (text.startswith("(") and text.endswith(")")) or text.startswith("-")
    text = text.strip("()-")
    factor = _SCALE[scale.group(1).lower()] if scale else 1
    if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?|\.\d+", text):
        number = float(text.replace(",", "")) * factor
    elif _PRICE_LIKE.fullmatch(value):  # '1.234,56 €', '€ 1 234,56', '12,50 EUR', "1'234.50"
        amount = Price.fromstring(value).amount
        if amount is None:
            return value
        number = float(amount) * factor
    else:
        return value
    return -number if negative else number


# A price as printed anywhere: a currency sign or code, digits with any of the world's
# separators (dot, comma, space, no-break space, apostrophe), and nothing else.
_PRICE_LIKE = re.compile(
    r"\(?-?\s*(?:[^\d\s]{1,4}\s*)?-?\d[\d.,'\u00a0\u202f ]*(?:\s*[^\d\s]{1,4})?\s*\)?"
)


_REGISTRATION = re.compile(
    r"[\s,]*(?:\(\s*(?:co\.?\s*)?(?:reg\w*\.?\s*(?:no\.?)?\s*:?\s*)?\d{4,}(?:-?\s*[a-z])?\s*\)"
    r"|\d{4,}-[a-z])[\s,.;]*$",
    re.IGNORECASE,
)


def without_registration(value: Any) -> Any:
    """'99 SPEED MART S/B (519537-X)' -> '99 SPEED MART S/B': a company registration number
    printed after a business name is not part of it."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    return _REGISTRATION.sub("", value) or value


def party_name(value: Any) -> Any:
    """'ACME Corp. (the "Company")' -> 'ACME Corp.'; drops role labels and incorporation blurbs
    ('Bluefin, Inc., a Delaware corporation' -> 'Bluefin, Inc.'; 'Recipient: X Ltd' -> 'X Ltd');
    a role label alone ('the Recipient') or a description ('a director of X') is no name: None."""
    value = blank_to_none(value)
    if not isinstance(value, str):
        return value
    value = value.lstrip(" ,;:")  # ", an electric membership corporation": a clause's tail
    if not value or _ROLE_ONLY.fullmatch(value) or re.match(r"an? [a-z]", value):  # "a director"
        return None
    if "___" in value:  # a form's blank: "_____________, a _______[CORPORATION]"
        return None
    text = _ROLE_PREFIX.sub("", value)
    for pattern in (_ROLE_QUOTED, _ROLE_PAREN, _INCORPORATION, _INCORPORATION_PAREN, _ROLE_QUOTED):
        text = pattern.sub("", text)
    text = _DEGREE.sub("", text)
    text = _DOT_FOR_COMMA.sub(r"\1,\2", text)
    return text.strip(" ,;:") or value


# A degree after a person's name is no part of it: "A. Bruce Montgomery, M.D."
_DEGREE = re.compile(r",?\s+(?:M\.D\.|Ph\.D\.|Esq\.?|J\.D\.|CPA)\s*$")
# A full stop misprinted for the comma before a legal form: "BioLargo. Inc." (not "Co. Inc.")
_DOT_FOR_COMMA = re.compile(r"(\w{4,})\.(\s+(?:Inc|LLC|Ltd|Corp|Corporation|Limited)\b)")


def party_names(values: Any) -> Any:
    """party_name on every element; a bare string becomes a one-element list; drops empties,
    exact duplicates, e-mail addresses, and short forms of another name in the list ("ON"
    beside "ON Semiconductor Corporation", "OPC" beside "Oglethorpe Power Corporation")."""
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list):
        return values
    out: list[Any] = []
    for cleaned in map(party_name, values):
        if cleaned is not None and cleaned not in out:
            out.append(cleaned)
    names = [v for v in out if isinstance(v, str)]
    return [v for v in out if not isinstance(v, str) or not _alias(v, names)]


def _alias(name: str, names: list[str]) -> bool:
    if "@" in name:
        return True
    words = [w.casefold() for w in re.findall(r"[\w&]+", name)]
    for other in names:
        if other == name:
            continue
        other_words = [w.casefold() for w in re.findall(r"[\w&]+", other)]
        if (
            len(words) < len(other_words)
            and other_words[: len(words)] == words
            and not _ends_in_legal_form(words)  # "X S.À R.L" beside "X S.À R.L II": two names
        ):
            return True
        initials = "".join(w[0] for w in other_words if w not in _FILLER)
        if 2 <= len(name) <= 6 and name.isupper() and name.casefold() == initials:
            return True
    return False


_FILLER = frozenset({"of", "and", "the", "&"})
_LEGAL_FORMS = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
    "plc", "lp", "llp", "lllp", "gmbh", "ag", "sa", "nv", "bv", "na", "sàrl", "sarl", "srl",
    "spa", "pty", "ulc",
})  # fmt: skip


def _ends_in_legal_form(words: list[str]) -> bool:
    """Whether casefolded words end in a legal form; initials count as one ("L", "P": lp)."""
    rest, tail = list(words), ""
    while rest and len(rest[-1]) == 1:
        tail = rest.pop() + tail
    return (tail or (rest[-1] if rest else "")) in _LEGAL_FORMS
