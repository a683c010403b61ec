"""Finding where a final table value is written in its document, and how closely.

Grounding (`extract.grounding`) checks a model's raw answer per chunk; this
checks the values that reach the tables, after validators rewrote them
(`1250.0` for a printed "1,250.00", `2018-01-25` for "25/01/2018"), and says
how each was found, best first:

- ``exact``: the value as written, on word boundaries;
- ``meaning``: a date, a duration or a currency written another way;
- ``normalised``: ignoring case, spacing and punctuation, or a number by value;
- ``fuzzy``: a wordy value with a few character errors.

One `TextIndex` serves all the values of a document: the folded text and its
numbers are prepared once.
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from extract.evidence.by_meaning import meaning_span
from extract.evidence.elsewhere import Elsewhere
from extract.evidence.grounding import NormalisedText, _on_boundaries
from extract.evidence.scale import PageScales

MATCHES = ("exact", "normalised", "meaning", "fuzzy", "none")
MAX_LOOKS = 50  # places looked at for one outside the clauses a field must not come from

_NUMBER = re.compile(
    # 1,250.00  1.250,00  1 250: one grouping mark throughout, so the columns of a table row
    # ("46,217 212,177") are two numbers, not one
    r"(?<![\w.,])-?\d{1,3}(?P<group>[,.' ])\d{3}(?:(?P=group)\d{3})*(?:[.,]\d+)?(?!\d)"
    r"|(?<![\w.,])-?\d+(?:[.,]\d+)?(?!\d)"  # 1250.00  3
)
_LEADING_ZERO = re.compile(r"-?0\d")
_CURRENCIES = {
    "USD": ("US$", "USD", "$", "dollars"),
    "EUR": ("EUR", "€", "euros", "euro"),
    "GBP": ("GBP", "£", "pounds sterling", "sterling"),
    "JPY": ("JPY", "¥", "yen"),
    "MYR": ("MYR", "RM", "ringgit"),
    "SGD": ("SGD", "S$"),
    "CAD": ("CAD", "C$"),
    "AUD": ("AUD", "A$"),
    "INR": ("INR", "₹", "rupees"),
    "CHF": ("CHF",),
}


@dataclass(frozen=True)
class Found:
    """A value's quote: `text[start:end]`, found the way `match` says."""

    start: int
    end: int
    match: str


class TextIndex:
    """A document's text, prepared once for finding many values in it."""

    def __init__(self, text: str, page_starts: Sequence[int] | None = None) -> None:
        """`page_starts`, where given, let a number on a page printed in thousands
        (`extract.evidence.scale`) be found as the amount it means too."""
        self.text = text
        self._pages = PageScales(text, page_starts) if page_starts else None
        self._folded: NormalisedText | None = None
        self._numbers: dict[float, list[tuple[int, int]]] | None = None

    def find(self, value: Any, lo: int = 0, hi: int | None = None) -> Found | None:
        """Where `value` is written in text[lo:hi] (the whole text by default)."""
        hi = len(self.text) if hi is None else hi
        if isinstance(value, bool) or value is None:
            return None  # a yes/no is a judgement, never printed as such
        if isinstance(value, (int, float)):
            return self._number(float(value), lo, hi)
        if not isinstance(value, str) or not value.strip():
            return None
        value = value.strip()
        # a date or duration is quoted whole ("two (2) years"), not by its digits ("2) years")
        return (
            self._exact(value, lo, hi)
            or self._meaning(value, lo, hi)
            or self._normalised(value, lo, hi)
            or self._fuzzy(value, lo, hi)
        )

    def find_outside(
        self, value: Any, lo: int, hi: int, elsewhere: Elsewhere | None
    ) -> Found | None:
        """`find`, past the places `elsewhere` covers (a field's `not_from`, `not_after`):
        an NDA's term is quoted from its term clause, as grounding read it, not from the
        non-solicitation clause that names the same length first. The first place when
        every one is covered."""
        first = found = self.find(value, lo, hi)
        if elsewhere is None:
            return first
        for _ in range(MAX_LOOKS):
            if found is None or not elsewhere.covers(self.text, found.start, found.end):
                break
            found = self.find(value, found.end, hi)
        return found or first

    @property
    def folded(self) -> NormalisedText:
        if self._folded is None:
            self._folded = NormalisedText(self.text)
        return self._folded

    def _exact(self, value: str, lo: int, hi: int) -> Found | None:
        start = self.text.find(value, lo, hi)
        while start >= 0:
            if _on_boundaries(self.text, start, start + len(value)):
                return Found(start, start + len(value), "exact")
            start = self.text.find(value, start + 1, hi)
        return None

    def _normalised(self, value: str, lo: int, hi: int) -> Found | None:
        found = self.folded.find(value, self.text, lo, hi)
        if found is None or found[1]:
            return None
        return Found(found[0].start, found[0].end, "normalised")

    def _fuzzy(self, value: str, lo: int, hi: int) -> Found | None:
        found = self.folded.find(value, self.text, lo, hi)
        if found is None:
            return None
        return Found(found[0].start, found[0].end, "fuzzy" if found[1] else "normalised")

    def _meaning(self, value: str, lo: int, hi: int) -> Found | None:
        window = self.text[lo:hi]
        span = meaning_span(value, window) or currency_span(value, window)
        return None if span is None else Found(lo + span[0], lo + span[1], "meaning")

    def _number(self, value: float, lo: int, hi: int) -> Found | None:
        if not math.isfinite(value):
            return None
        if self._numbers is None:  # every printed number, by value, in text order
            self._numbers = {}
            for m in _NUMBER.finditer(self.text):
                number = _printed(m.group(0))
                if number is None:
                    continue
                self._numbers.setdefault(_key(number), []).append((m.start(), m.end()))
                scale = self._pages.at(m.start()) if self._pages else 1
                if scale != 1:
                    self._numbers.setdefault(_key(number * scale), []).append((m.start(), m.end()))
        spans = self._numbers.get(_key(value), [])
        for start, end in spans[bisect.bisect_left(spans, (lo, lo)) :]:
            if start >= hi:
                break
            if end <= hi:
                kind = "exact" if self.text[start:end] == _plain(value) else "normalised"
                return Found(start, end, kind)
        return None

    def printed_at(self, value: float) -> list[tuple[int, int]]:
        """Every place the text prints the number `value` as itself (not at a page's scale)."""
        if self._number(float(value), 0, len(self.text)) is None:
            return []
        assert self._numbers is not None
        spans = self._numbers.get(_key(value), [])
        return [(a, b) for a, b in spans if parse_number(self.text[a:b]) == value]

    def as_meant(self, value: float) -> float:
        """The amount a printed `value` means: scaled where every place printing it is on a
        page of the same scale ("297,787" under "£'000" is 297,787,000), else as it is."""
        if self._pages is None or not self._pages.any:
            return value
        scales = {self._pages.at(start) for start, _ in self.printed_at(value)}
        if len(scales) != 1:
            return value  # printed on pages of different scales, or only as a scaled amount
        scale = scales.pop()
        return value * scale if scale != 1 else value


def printed_numbers(text: str, lo: int, hi: int) -> list[float | None]:
    """The numbers `text[lo:hi]` prints, in order (None for one not read surely)."""
    return [_printed(m.group(0)) for m in _NUMBER.finditer(text, lo, hi)]


def _printed(written: str) -> float | None:
    """A printed number's value; None for one not read surely ("03" of a date is no 3)."""
    return None if _LEADING_ZERO.match(written) else parse_number(written)


def currency_span(value: str, text: str) -> tuple[int, int] | None:
    """Where a currency given as its ISO code ("USD") is written as a sign or a name ("$")."""
    names = _CURRENCIES.get(value.strip().upper())
    if not names:
        return None
    for name in names:
        pattern = re.escape(name) if not name[0].isalpha() else rf"\b{re.escape(name)}\b"
        match = re.search(pattern, text, flags=0 if name.isupper() else re.IGNORECASE)
        if match:
            return match.start(), match.end()
    return None


def parse_number(written: str) -> float | None:
    """A printed number's value: "1,250.00", "1.250,00", "1 250", "-3" (None if unsure)."""
    text = written.replace(" ", "").replace("'", "")
    negative = text.startswith("-")
    text = text.lstrip("-")
    marks = [c for c in text if c in ",."]
    if marks:
        last = max(text.rfind(","), text.rfind("."))
        decimals = len(text) - last - 1
        if len(set(marks)) == 2 or (len(marks) == 1 and decimals != 3):
            # the last mark separates decimals; every other one groups thousands
            text = re.sub(r"[,.]", "", text[:last]) + "." + text[last + 1 :]
        else:  # "1,250" or "1.250.000": thousands only
            text = re.sub(r"[,.]", "", text)
    try:
        number = float(text)
    except ValueError:
        return None
    return -number if negative else number


def _key(number: float) -> float:
    """Equal numbers share a key, sign aside ("-120.00" quotes a refund of 120)."""
    return round(abs(number), 6)


def _plain(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)
