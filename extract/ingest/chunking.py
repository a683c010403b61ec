"""Splitting a document into chunks that fit the model's token budget.

A document that fits is one chunk: splitting costs money (the prompt is sent
again) and accuracy (results must be merged). A document that does not fit is
cut at page boundaries first, then paragraphs, then sentences, then words;
never inside a word. Each chunk is an exact slice of `Document.text`, so its
character offsets and page span point back at the source.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from extract.ingest.documents import PAGE_SEPARATOR, Document

CountTokens = Callable[[str], int]

# Boundaries inside a page, strongest first. A piece ends after its separator.
_BOUNDARIES = (
    re.compile(r"\n[ \t]*\n\s*"),  # paragraphs
    re.compile(r"(?<=[.!?;:])\s+|\n"),  # sentences and lines
    re.compile(r"\s+"),  # words
)


@dataclass(frozen=True)
class Chunk:
    """One piece of a document sent in one request.

    `index` orders chunks within their document; a chunk re-split after a
    truncated answer gets child indexes (2,) -> (2, 0), (2, 1), which still
    sort in document order.
    """

    doc_id: str
    index: tuple[int, ...]
    text: str
    char_start: int
    char_end: int
    page_start: int
    page_end: int
    n_tokens: int

    @property
    def label(self) -> str:
        return ".".join(str(i) for i in self.index)


def chunk_document(doc: Document, budget: int, count: CountTokens) -> list[Chunk]:
    """Cut `doc` into the fewest chunks of at most `budget` tokens each."""
    if budget < 16:
        raise ValueError(f"token budget too small to hold any text: {budget}")
    text = doc.text
    page_starts = _page_starts(doc)
    spans = _fit_span(text, 0, len(text), budget, count, _page_cuts(page_starts))
    return [
        _make_chunk(doc.doc_id, (i,), text, s, e, n, page_starts)
        for i, (s, e, n) in enumerate(spans)
    ]


def split_chunk(
    chunk: Chunk, doc: Document, count: CountTokens, *, budget: int | None = None
) -> list[Chunk]:
    """Cut a chunk whose answer was truncated into smaller chunks (about halves, or
    pieces of at most `budget` tokens when that is smaller).

    Returns an empty list when the chunk cannot be made smaller.
    """
    if chunk.n_tokens < 32:
        return []
    text = doc.text
    page_starts = _page_starts(doc)
    half = (chunk.n_tokens + 1) // 2
    budget = max(16, half if budget is None else min(budget, half))
    cuts = [c for c in _page_cuts(page_starts) if chunk.char_start < c < chunk.char_end]
    spans = _fit_span(text, chunk.char_start, chunk.char_end, budget, count, cuts)
    if len(spans) < 2:
        return []
    return [
        _make_chunk(doc.doc_id, (*chunk.index, i), text, s, e, n, page_starts)
        for i, (s, e, n) in enumerate(spans)
    ]


def _fit_span(
    text: str, start: int, end: int, budget: int, count: CountTokens, page_cuts: list[int]
) -> list[tuple[int, int, int]]:
    """Spans (start, end, tokens) covering text[start:end], each within budget."""
    n = count(text[start:end])
    if n <= budget:
        return [(start, end, n)]
    units = _units(text, start, end, budget, count, page_cuts, level=-1)
    return _pack(text, units, budget, count)


def _units(
    text: str,
    start: int,
    end: int,
    budget: int,
    count: CountTokens,
    page_cuts: list[int],
    level: int,
) -> list[tuple[int, int, int]]:
    """Pieces of text[start:end], each within budget, split as high up the hierarchy as possible."""
    if level == -1:
        inner = [c for c in page_cuts if start < c < end]
        bounds = [start, *inner, end]
    elif level < len(_BOUNDARIES):
        bounds = [start] + [m.end() + start for m in _BOUNDARIES[level].finditer(text[start:end])]
        bounds = [*sorted(set(b for b in bounds if start <= b < end)), end]
    else:
        bounds = _hard_cuts(start, end, budget)
    out: list[tuple[int, int, int]] = []
    for s, e in itertools.pairwise(bounds):
        if s == e:
            continue
        n = count(text[s:e])
        if n <= budget or level >= len(_BOUNDARIES):
            out.append((s, e, n))
        else:
            out.extend(_units(text, s, e, budget, count, page_cuts, level + 1))
    return out


def _hard_cuts(start: int, end: int, budget: int) -> list[int]:
    """Last resort for a single 'word' longer than the budget (e.g. an inline blob)."""
    step = max(1, budget)  # a token is at least one character
    return [*range(start, end, step), end]


def _pack(
    text: str, units: list[tuple[int, int, int]], budget: int, count: CountTokens
) -> list[tuple[int, int, int]]:
    """Greedily join adjacent units into spans; re-count each span, since BPE merges
    across a join can differ from the sum of the parts."""
    spans: list[tuple[int, int, int]] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (j == i or total + units[j][2] + 1 <= budget):
            total += units[j][2] + (1 if j > i else 0)
            j += 1
        while True:
            s, e = units[i][0], units[j - 1][1]
            n = count(text[s:e])
            if n <= budget or j - 1 == i:
                break
            j -= 1
        spans.append((s, e, n))
        i = j
    return spans


def _page_starts(doc: Document) -> list[int]:
    starts, pos = [], 0
    for page in doc.pages:
        starts.append(pos)
        pos += len(page) + len(PAGE_SEPARATOR)
    return starts


def _page_cuts(page_starts: list[int]) -> list[int]:
    return page_starts[1:]


def _make_chunk(
    doc_id: str, index: tuple[int, ...], text: str, s: int, e: int, n: int, page_starts: list[int]
) -> Chunk:
    return Chunk(
        doc_id=doc_id,
        index=index,
        text=text[s:e],
        char_start=s,
        char_end=e,
        page_start=bisect.bisect_right(page_starts, s),
        page_end=bisect.bisect_right(page_starts, max(s, e - 1)),
        n_tokens=n,
    )
