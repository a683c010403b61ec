"""Finding the passages of a document most likely to state a field's value.

The second pass (`extract.run.second_pass`) asks again for a value that could
not be grounded, or an important field left empty, with a few short passages
instead of a whole chunk. They are found lexically: the document is cut into
overlapping windows of a few hundred tokens on line boundaries, and each window
scores the words of the field's name, description and keywords it holds
(weighted by how rare each is in the document, so "agreement" counts for little
in an agreement) plus, twice over, the words of the value the model gave, which
a value with a typo or a paraphrase still shares with the place it came from.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

WINDOW_CHARS = 1000  # about 250 tokens of English
VALUE_WEIGHT = 2.0  # a word of the rejected value counts this many times a keyword
_WORD = re.compile(r"[^\W_]+")
_STOP_WORDS = (
    "the a an and or of to in on for by with as at from is are be been was were this "
    "that which who whom its it if not no any all each such other than then there "
    "their they into under over also only same written copied stored null none empty "
    "value values stated state states number unit e.g example full name names"
)
_STOP = frozenset(_STOP_WORDS.split())


@dataclass(frozen=True)
class Passage:
    """`text[start:end]`, from `page` to `last_page` (1-based)."""

    start: int
    end: int
    page: int
    last_page: int
    text: str

    @property
    def pages(self) -> str:
        """ "page 4", or "pages 4-5" for one that runs onto the next page."""
        if self.page == self.last_page:
            return f"page {self.page}"
        return f"pages {self.page}-{self.last_page}"


def words(text: str) -> list[str]:
    """The searchable words of a phrase: lower-case, 3+ characters, no stop words."""
    return [w for w in _WORD.findall(text.casefold()) if len(w) >= 3 and w not in _STOP]


def windows(text: str, size: int = WINDOW_CHARS) -> list[tuple[int, int]]:
    """Overlapping spans of about `size` characters, each starting on a line, half a window apart."""
    spans: list[tuple[int, int]] = []
    start = 0
    while start < len(text):
        end = min(len(text), start + size)
        if end < len(text):  # end on a line break or a space where there is one
            cut = max(
                text.rfind("\n", start + size // 2, end), text.rfind(" ", start + size // 2, end)
            )
            end = cut if cut > start else end
        spans.append((start, end))
        if end >= len(text):
            break
        step = start + size // 2
        line = text.find("\n", step, end)
        start = line + 1 if 0 <= line < end - 1 else max(step, start + 1)
    return spans


def find_passages(
    text: str,
    page_starts: list[int],
    terms: list[str],
    value: str | None = None,
    *,
    top: int = 2,
    size: int = WINDOW_CHARS,
) -> list[Passage]:
    """The `top` best windows for `terms` (and the words of `value`), in document order.

    With no word found anywhere, the document's first window: a document states
    its parties, title and date at its start far more often than anywhere else.
    """
    spans = windows(text, size)
    if not spans:
        return []
    bags = [set(words(text[a:b])) for a, b in spans]
    weights: dict[str, float] = {}
    for term in words(" ".join(terms)):
        weights[term] = max(weights.get(term, 0.0), 1.0)
    for term in words(value or ""):
        weights[term] = max(weights.get(term, 0.0), VALUE_WEIGHT)
    df = {t: sum(t in bag for bag in bags) for t in weights}
    rarity = {t: math.log(1 + len(spans) / df[t]) for t in weights if df[t]}
    scores = [sum(weights[t] * rarity[t] for t in rarity if t in bag) for bag in bags]
    ranked = sorted(range(len(spans)), key=lambda i: (-scores[i], i))
    chosen: list[int] = []
    for i in ranked:
        if len(chosen) == top or scores[i] <= 0:
            break
        if all(not _overlap(spans[i], spans[j]) for j in chosen):
            chosen.append(i)
    if not chosen:
        chosen = [0]
    return [_passage(text, page_starts, *spans[i]) for i in sorted(chosen)]


def passages_at(
    text: str, page_starts: list[int], positions: list[int], *, size: int = WINDOW_CHARS
) -> list[Passage]:
    """A window of about `size` characters around each position (a label's end), from the
    start of a line a quarter window before it, in document order."""
    out = []
    for pos in sorted(positions):
        start = text.rfind("\n", 0, max(0, pos - size // 4)) + 1
        end = min(len(text), start + size)
        cut = text.rfind("\n", pos, end) if end < len(text) else -1
        out.append(_passage(text, page_starts, start, cut if cut > pos else end))
    return out


def merge_passages(passages: list[Passage], text: str, page_starts: list[int]) -> list[Passage]:
    """Passages of several fields as one list in document order, overlapping ones joined."""
    out: list[Passage] = []
    for p in sorted(passages, key=lambda p: p.start):
        if out and p.start <= out[-1].end:
            last = out.pop()
            p = _passage(text, page_starts, last.start, max(last.end, p.end))
        out.append(p)
    return out


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _passage(text: str, page_starts: list[int], start: int, end: int) -> Passage:
    page = max(1, bisect.bisect_right(page_starts, start))
    last = max(page, bisect.bisect_right(page_starts, max(start, end - 1)))
    return Passage(start, end, page, last, text[start:end].strip())
