"""Where a text prints a value that is someone else's, so grounding looks past it.

A text can print the very value a field asks for in a place that means something
else: an NDA's non-solicitation period is a duration like its term, a charity
report's auditor has an address like the charity's. A schema field says where,
in `json_schema_extra`:

- `not_from`: words that mark such clauses (`["solicit", "standstill"]`); a
  value printed only in sentences naming one of them is not the field's.
- `not_after`: labels of someone else's value (`["auditor", "accountants"]`); a
  value printed only within `NEAR` characters after one of them, with no blank
  line between, is not the field's, unless one of the field's own labels
  (`printed_after`) is that near before it too ("Registered office: c/o Smith &
  Co, Accountants, ...").

Grounding drops a chunk's value printed only in such places (another chunk's
answer can then give the field), and evidence quotes a value from another place
where the text has one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from extract.errors import ConfigError

NEAR = 160  # characters after a label's end: its line and the next few


def label_pattern(labels: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for all `labels`, whole words, case and spacing ignored; None for none."""
    alternatives = [r"\s+".join(re.escape(w) for w in label.split()) for label in labels]
    alternatives = [a for a in alternatives if a]
    if not alternatives:
        return None
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class Elsewhere:
    """The places a field's value is not taken from: clauses naming `clauses` words, and
    the reach after `labels` where none of the field's `own` labels is near."""

    clauses: re.Pattern[str] | None = None
    labels: re.Pattern[str] | None = None
    own: re.Pattern[str] | None = None

    @classmethod
    def declared(cls, extra: dict[str, Any], where: str) -> Elsewhere | None:
        """The field's `not_from` and `not_after` (with its `printed_after`); None if it
        declares neither. A malformed declaration is a configuration error."""
        clauses = _words(extra.get("not_from"), f"{where}: not_from")
        labels = _words(extra.get("not_after"), f"{where}: not_after")
        if clauses is None and labels is None:
            return None
        own = extra.get("printed_after") if labels is not None else None
        return cls(
            clauses=None
            if clauses is None
            else re.compile("|".join(map(re.escape, clauses)), re.IGNORECASE),
            labels=None if labels is None else label_pattern(labels),
            own=label_pattern(str(label) for label in own or ()),
        )

    def covers(self, text: str, start: int, end: int) -> bool:
        """Whether `text[start:end]` is in one of these places."""
        return self.why(text, start, end) is not None

    def why(self, text: str, start: int, end: int) -> str | None:
        """Which place `text[start:end]` is in ('after "Auditor"'), None if in none."""
        if self.clauses is not None:
            clause = self.clauses.search(sentence_around(text, start, end))
            if clause is not None:
                return f'in a sentence naming "{clause.group(0)}"'
        if self.labels is None:
            return None
        before = text[max(0, start - NEAR) : start]
        before = before[before.rfind("\n\n") + 1 :]  # a blank line ends a label's reach
        labels = list(self.labels.finditer(before))
        if not labels or (self.own is not None and self.own.search(before)):
            return None
        return f'after "{" ".join(labels[-1].group(0).split())}"'


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding `text[start:end]`: from the full stop or blank line before it to
    the full stop after it (a heading like "3. Non-Solicitation." is a sentence of its own)."""
    first = max(text.rfind(".", 0, start), text.rfind("\n\n", 0, start)) + 1
    last = text.find(".", end)
    return text[first : len(text) if last < 0 else last]


def _words(words: Any, where: str) -> list[str] | None:
    if words is None:
        return None
    if (
        not isinstance(words, list)
        or not words
        or not all(isinstance(w, str) and w.strip() for w in words)
    ):
        raise ConfigError(f"{where} must be a list of words, not {words!r}")
    return [w.strip() for w in words]
