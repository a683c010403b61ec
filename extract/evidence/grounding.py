"""Checking a model's values against the text they were read from.

A small model paraphrases, shortens, or copies a value from the prompt's own
examples. A schema field can ask for its value to be *grounded* in the chunk
text with `json_schema_extra={"evidence": ...}`:

- ``"verbatim"``: the value is replaced by the exact source span it matches
  (line breaks become spaces), so "27,JALAN DEDAP 13" comes back as printed,
  "27, JALAN DEDAP 13,"; a value found nowhere in the text is dropped.
- ``"lines"``: like verbatim, widened to the whole lines it touches, for values
  printed on lines of their own (a receipt's shop name and address) that a
  model tends to cut short.
- ``"present"``: the value is kept as the model wrote it (a normaliser may
  rewrite it later) but dropped when the text does not contain it.
- ``"name"``: like verbatim, for the name of a company or person: a name the
  model wrote without its legal form ("Anadigics") gets it where the text
  prints it right after the name ("ANADIGICS, Inc."), as legal names are, and a
  short name the text defines ('Virgin Mobile USA, LLC ("VMU")') becomes the name.

A field may also say where its value is someone else's (`not_from`: clauses by
the words that mark them, `not_after`: labels of another party's value; see
`extract.evidence.elsewhere`): a value printed only there is dropped like a
value the text does not hold (an NDA's term is not its non-solicitation period,
a charity's address not its auditor's).

A date or a duration the model rewrote is found by what it means ("2018-01-25"
grounds to a printed "25/01/2018", "2 years" to "two (2) years"). Otherwise matching ignores case, spaces and punctuation, and tolerates a few character
errors in words (not in numbers: "60.31" must not ground to "60.30", nor
"9.00" to the middle of "19.00"). It runs
on the model's raw answer, before the schema's validators, and only on plain
string fields and lists of strings at the top level.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from extract.errors import ConfigError
from extract.evidence.by_meaning import meaning_span
from extract.evidence.elsewhere import Elsewhere
from extract.evidence.folding import fold
from extract.evidence.fuzzy import fuzzy_find
from extract.evidence.legal_names import full_name
from extract.llm.strict_schema import field_extra

EVIDENCE_MODES = ("verbatim", "lines", "present", "name")
MIN_PARTIAL = 4  # shorter values must match whole words exactly ("X" is not in "text")
ERROR_RATE = 0.15  # character errors tolerated per normalised character of a wordy value
_LINE_BREAK = re.compile(r"[ \t]*\n\s*")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Grounding:
    """How one field is grounded: its mode, and where its value is someone else's.
    `meaning` is the field's own normaliser, for a "present" value the text holds only as
    what it means ("governed by the laws of New York" -> "New York")."""

    mode: str
    elsewhere: Elsewhere | None = None
    meaning: Callable[[str], Any] | None = field(default=None, compare=False)


def evidence_fields(schema: type[BaseModel]) -> dict[str, Grounding]:
    """The schema's grounded fields and how; a bad declaration is a configuration error."""
    out: dict[str, Grounding] = {}
    for name, info in schema.model_fields.items():
        extra = field_extra(info)
        mode = extra.get("evidence")
        if mode is None:
            continue
        where = f"{schema.__name__}.{name}"
        if mode not in EVIDENCE_MODES:
            raise ConfigError(f"{where}: evidence must be one of {EVIDENCE_MODES}, not {mode!r}")
        meaning = FieldMeaning(schema, name) if mode == "present" else None
        out[name] = Grounding(str(mode), Elsewhere.declared(extra, where), meaning)
    return out


@dataclass(frozen=True)
class FieldMeaning:
    """The field's validators run on one value alone; None where they reject it. A class,
    not a closure, so a `Task` holding it pickles (a process pool, a cluster)."""

    schema: type[BaseModel]
    name: str

    def __call__(self, value: str) -> Any:
        try:
            model = self.schema.__pydantic_validator__.validate_assignment(
                self.schema.model_construct(), self.name, value
            )
        except (ValidationError, ValueError, TypeError):
            return None
        return getattr(model, self.name, None)


def ground_answer(
    data: dict[str, Any],
    fields: dict[str, Grounding],
    text: str,
    lost: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """A copy of `data` with each grounded field snapped to the text or dropped.

    The values dropped are added to `lost` by field, where one is given."""
    if not fields:
        return data
    index = NormalisedText(text)
    out = dict(data)
    for name, how in fields.items():
        value = out.get(name)
        if isinstance(value, str):
            pairs = [(value, _ground(value, how, index, text))]
            out[name] = pairs[0][1]
        elif isinstance(value, list):
            pairs = [(v, _ground(v, how, index, text) if isinstance(v, str) else v) for v in value]
            out[name] = [g for _, g in pairs if g is not None]
        else:
            continue
        gone = [v for v, g in pairs if g is None and isinstance(v, str) and v.strip()]
        if lost is not None and gone:
            lost.setdefault(name, []).extend(gone)
    return out


def locate(value: str, text: str) -> Span | None:
    """Where in `text` the value is written, widened to whole words; None if nowhere."""
    return NormalisedText(text).locate(value, text)


def find_value(value: str, text: str, index: NormalisedText | None = None) -> Span | None:
    """Where `text` writes the value (`locate`), or says the same date or duration
    ("2018-01-25" for a printed "25/01/2018"); None if nowhere. Pass the text's `index`
    when looking up many values in one text."""
    span = (index or NormalisedText(text)).locate(value, text)
    if span is None and (found := meaning_span(value, text)) is not None:
        span = Span(*found)
    return span


def kept_by_grounding(given: Any, grounded: Any) -> bool:
    """Whether grounding kept a value: it may re-spell one (as printed), not drop one."""
    if isinstance(given, list) and isinstance(grounded, list):
        return len(given) == len(grounded)
    return (given is None) == (grounded is None)


def _ground(value: str, how: Grounding, index: NormalisedText, text: str) -> str | None:
    if not value.strip():
        return value
    span, probe = find_value(value, text, index), value
    if span is None and how.meaning is not None:  # the text may hold what it means
        meant = how.meaning(value)
        if isinstance(meant, str) and meant.strip() and meant != value:
            span, probe = find_value(meant, text, index), meant
    if span is None or _acronym_in_lower_case(probe, text[span.start : span.end]):
        return None
    if how.elsewhere is not None:
        span = _outside(how.elsewhere, probe, span, index, text)
        if span is None:
            return None
    mode = how.mode
    if mode == "present":
        return value
    if mode == "lines":
        span = Span(text.rfind("\n", 0, span.start) + 1, _line_end(text, span.end))
    found = _LINE_BREAK.sub(" ", text[span.start : span.end]).strip()
    return full_name(found, text) if mode == "name" else found


def someone_elses(value: str, how: Grounding, text: str) -> str | None:
    """Why `value` is not the field's though `text` prints it ('after "Auditor"'): every
    place that prints it is one `how.elsewhere` covers. None where a place is not, or the
    text does not print it at all."""
    index = NormalisedText(text)
    span = find_value(value, text, index)
    if span is None or how.elsewhere is None or _outside(how.elsewhere, value, span, index, text):
        return None
    return how.elsewhere.why(text, span.start, span.end)


def _outside(
    elsewhere: Elsewhere, value: str, first: Span, index: NormalisedText, text: str
) -> Span | None:
    """The first place the text prints `value` that `elsewhere` does not cover."""
    span: Span | None = first
    while span is not None:
        if not elsewhere.covers(text, span.start, span.end):
            return span
        span = _find_after(value, text, index, span.end)
    return None


def _find_after(value: str, text: str, index: NormalisedText, lo: int) -> Span | None:
    """The next place after `lo` that prints `value`, as written or by meaning."""
    found = index.find(value, text, lo)
    meant = meaning_span(value, text[lo:])
    spans = [found[0]] if found else []
    spans += [Span(lo + meant[0], lo + meant[1])] if meant else []
    return min(spans, key=lambda s: s.start, default=None)


def _acronym_in_lower_case(value: str, found: str) -> bool:
    """An acronym found only as a lower-case word: the governing law "US" is not the "us"
    of "give us notice" (a CUAD franchise contract)."""
    value = value.strip()
    return len(value) <= 3 and value.isupper() and not found.strip().isupper()


def _line_end(text: str, end: int) -> int:
    found = text.find("\n", end)
    return len(text) if found < 0 else found


class NormalisedText:
    """The text folded to lower-case letters and digits, with a map back to offsets."""

    def __init__(self, text: str) -> None:
        # lower-case per character: str.lower() can lengthen a string ("İ"), shifting offsets
        self.chars, self.offsets = fold(text)

    def locate(self, value: str, text: str) -> Span | None:
        found = self.find(value, text)
        return None if found is None else found[0]

    def find(
        self, value: str, text: str, lo: int = 0, hi: int | None = None
    ) -> tuple[Span, bool] | None:
        """Where `value` is written in text[lo:hi], and whether only approximately."""
        pattern = "".join(c for c in value.lower() if c.isalnum())
        low = bisect.bisect_left(self.offsets, lo)
        high = len(self.chars) if hi is None else bisect.bisect_left(self.offsets, hi)
        if not pattern or low >= high:
            return None
        numeric = sum(c.isdigit() for c in pattern) * 2 >= len(pattern)
        first: tuple[int, int] | None = None
        glued: Span | None = None  # a match that needs letters or digits glued on: "RM11.40"
        start = self.chars.find(pattern, low, high)
        while start >= 0:
            begin, end = self.offsets[start], self.offsets[start + len(pattern) - 1] + 1
            if _on_boundaries(text, begin, end):
                span = _whole_words(text, begin, end, value)
                if not _widened(text, span, begin, end):
                    return span, False
                glued = glued or span
            first = first or (begin, end)
            start = self.chars.find(pattern, start + 1, high)
        if glued is not None:
            return glued, False
        if numeric or len(pattern) < MIN_PARTIAL:  # "9.00" inside "19.00" is not "9.00"
            return None
        if first is not None:
            return _whole_words(text, *first, value), False
        chars = self.chars if (low, high) == (0, len(self.chars)) else self.chars[low:high]
        found = fuzzy_find(pattern, chars, int(len(pattern) * ERROR_RATE))
        if found is None:
            return None
        begin, end = self.offsets[low + found[0]], self.offsets[low + found[1] - 1] + 1
        return _whole_words(text, begin, end, value), True


def _on_boundaries(text: str, start: int, end: int) -> bool:
    """Neither end cuts a run of letters or a run of digits ("RM9.00" holds "9.00")."""

    def joined(a: str, b: str) -> bool:
        return (a.isalpha() and b.isalpha()) or (a.isdigit() and b.isdigit())

    return (start == 0 or not joined(text[start - 1], text[start])) and (
        end == len(text) or not joined(text[end - 1], text[end])
    )


def _widened(text: str, span: Span, start: int, end: int) -> bool:
    """Whether making a match whole words took in more letters or digits: a receipt's
    total "11.40" is better the line that prints "11.40" than the item's "RM11.40"."""
    return any(c.isalnum() for c in text[span.start : start] + text[end : span.end])


def _whole_words(text: str, start: int, end: int, value: str) -> Span:
    """Never cut a word; take the punctuation that clings to the first or last word
    ("JOHOR.") when the value has it too, a currency sign ("$8.20") always, but never
    a label glued on with punctuation ("DATE:25/12/2018")."""
    while start > 0 and text[start - 1].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum():
        end += 1
    value = value.strip()
    before = start
    while before > 0 and not text[before - 1].isspace() and not text[before - 1].isalnum():
        before -= 1
    clinging = text[before:start]
    taken = not value[0].isalnum() or all(unicodedata.category(c) == "Sc" for c in clinging)
    if taken and (before == 0 or text[before - 1].isspace()):
        start = before
    after = end
    while after < len(text) and not text[after].isspace() and not text[after].isalnum():
        after += 1
    if not value[-1].isalnum() and (after == len(text) or text[after].isspace()):
        end = after
    return Span(start, end)
