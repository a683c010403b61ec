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

A date or a duration the model rewrote is found by what it means ("2018-01-25"
grounds to a printed "25/01/2018", "2 years" to "two (2) years"). Otherwise matching ignores case, spaces and punctuation, and tolerates a few character
errors in words (not in numbers: "60.31" must not ground to "60.30", nor
"9.00" to the middle of "19.00"). It runs
on the model's raw answer, before the schema's validators, and only on plain
string fields and lists of strings at the top level.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from extract.errors import ConfigError
from extract.evidence.by_meaning import meaning_span

EVIDENCE_MODES = ("verbatim", "lines", "present")
MIN_PARTIAL = 4  # shorter values must match whole words exactly ("X" is not in "text")
ERROR_RATE = 0.15  # character errors tolerated per normalised character of a wordy value
_LINE_BREAK = re.compile(r"[ \t]*\n\s*")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def evidence_fields(schema: type[BaseModel]) -> dict[str, str]:
    """The schema's grounded fields and their mode; an unknown mode is a configuration error."""
    out: dict[str, str] = {}
    for name, info in schema.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        mode = extra.get("evidence")
        if mode is None:
            continue
        if mode not in EVIDENCE_MODES:
            raise ConfigError(
                f"{schema.__name__}.{name}: evidence must be one of {EVIDENCE_MODES}, not {mode!r}"
            )
        out[name] = str(mode)
    return out


def ground_answer(data: dict[str, Any], fields: dict[str, str], text: str) -> dict[str, Any]:
    """A copy of `data` with each grounded field snapped to the text or dropped."""
    if not fields:
        return data
    index = _Normalised(text)
    out = dict(data)
    for name, mode in fields.items():
        value = out.get(name)
        if isinstance(value, str):
            out[name] = _ground(value, mode, index, text)
        elif isinstance(value, list):
            grounded = [_ground(v, mode, index, text) if isinstance(v, str) else v for v in value]
            out[name] = [v for v in grounded if v is not None]
    return out


def locate(value: str, text: str) -> Span | None:
    """Where in `text` the value is written, widened to whole words; None if nowhere."""
    return _Normalised(text).locate(value, text)


def _ground(value: str, mode: str, index: _Normalised, text: str) -> str | None:
    if not value.strip():
        return value
    span = index.locate(value, text)
    if span is None:
        found = meaning_span(value, text)  # "2018-01-25" for a printed "25/01/2018"
        if found is None:
            return None
        span = Span(*found)
    if mode == "present":
        return value
    if mode == "lines":
        span = Span(text.rfind("\n", 0, span.start) + 1, _line_end(text, span.end))
    return _LINE_BREAK.sub(" ", text[span.start : span.end]).strip()


def _line_end(text: str, end: int) -> int:
    found = text.find("\n", end)
    return len(text) if found < 0 else found


class _Normalised:
    """The text folded to lower-case letters and digits, with a map back to offsets."""

    def __init__(self, text: str) -> None:
        # lower-case per character: str.lower() can lengthen a string ("İ"), shifting offsets
        kept = [(i, low) for i, c in enumerate(text) for low in c.lower() if low.isalnum()]
        self.chars = "".join(c for _, c in kept)
        self.offsets = [i for i, _ in kept]

    def locate(self, value: str, text: str) -> Span | None:
        pattern = "".join(c for c in value.lower() if c.isalnum())
        if not pattern or not self.chars:
            return None
        numeric = sum(c.isdigit() for c in pattern) * 2 >= len(pattern)
        first: tuple[int, int] | None = None
        start = self.chars.find(pattern)
        while start >= 0:
            begin, end = self.offsets[start], self.offsets[start + len(pattern) - 1] + 1
            if _on_boundaries(text, begin, end):
                return _whole_words(text, begin, end, value)
            first = first or (begin, end)
            start = self.chars.find(pattern, start + 1)
        if numeric or len(pattern) < MIN_PARTIAL:  # "9.00" inside "19.00" is not "9.00"
            return None
        if first is not None:
            return _whole_words(text, *first, value)
        found = _fuzzy_find(pattern, self.chars, int(len(pattern) * ERROR_RATE))
        if found is None:
            return None
        return _whole_words(text, self.offsets[found[0]], self.offsets[found[1] - 1] + 1, value)


def _on_boundaries(text: str, start: int, end: int) -> bool:
    """Neither end cuts a run of letters or a run of digits ("RM9.00" holds "9.00")."""

    def joined(a: str, b: str) -> bool:
        return (a.isalpha() and b.isalpha()) or (a.isdigit() and b.isdigit())

    return (start == 0 or not joined(text[start - 1], text[start])) and (
        end == len(text) or not joined(text[end - 1], text[end])
    )


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


def _fuzzy_find(pattern: str, text: str, allowed: int) -> tuple[int, int] | None:
    """The text slice closest to the pattern in edit distance, if within `allowed` edits.

    Myers' bit-parallel algorithm: one pass finds the best end, a second pass
    over the reversed text before that end, anchored there, finds the start.
    """
    scores = _edit_scores(pattern, text, anchored=False)
    best = min(scores)
    if best > allowed:
        return None
    end = scores.index(best) + 1
    window = text[max(0, end - len(pattern) - best) : end][::-1]
    back = _edit_scores(pattern[::-1], window, anchored=True)
    length = back.index(min(back)) + 1
    return end - length, end


def _edit_scores(pattern: str, text: str, *, anchored: bool) -> list[int]:
    """For each text position j, the edit distance of the pattern to the best text slice
    ending at j; a slice that may start anywhere, or (anchored) only at position 0."""
    m = len(pattern)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    peq: dict[str, int] = {}
    for i, c in enumerate(pattern):
        peq[c] = peq.get(c, 0) | (1 << i)
    pv, mv, score = mask, 0, m
    scores = []
    for c in text:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | anchored) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        scores.append(score)
    return scores
