"""Evidence for every value of a document: where in its text each one is written.

Every non-empty value of the final record gets one row, at every depth: top-level
and nested fields (`vendor.name`), items of lists (`parties[1]`) and the cells of
child-table rows (`line_items[3].amount`, keyed by `table` and `item` to join
the child table). A value is looked for first where it was read (its chunk,
and for a child row near the row before it), then anywhere in the document;
one found nowhere gets `match = "none"`. The columns are described in the
README ("Evidence").
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from extract.evidence.elsewhere import Elsewhere
from extract.evidence.locating import Found, TextIndex
from extract.output.merge import normal_key

EvidencePolicy = Literal["flag", "require", "off"]
MAX_LATER = 50  # places looked at for the last one of a last-wins value
NEAR = 600  # characters after a child row's first cell where its other cells are looked for first

Path = tuple[str | int, ...]
_INDEX = re.compile(r"\[\d+\]")


@dataclass(slots=True)
class EvidenceRow:
    """One value of the tables and the quote that supports it (columns of the evidence table)."""

    doc_id: str
    field: str
    table: str | None
    item: int | None
    column: str
    value: str
    quote: str | None = None
    page: int | None = None
    char_start: int | None = None
    char_end: int | None = None
    chunk: str | None = None
    match: str = "none"
    confidence: float | None = None
    bbox: str | None = None
    bbox_unit: str | None = None  # pt (PDF points) or px (an image file's pixels)
    in_table: bool = True


@dataclass(frozen=True)
class ChunkSpan:
    """Where a chunk lies in the document text, by its label."""

    label: str
    start: int
    end: int


@dataclass
class DocumentEvidence:
    rows: list[EvidenceRow]
    data: dict[str, Any]  # the record; under `require`, unsupported values emptied
    grounded: float | None
    ungrounded: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Leaf:
    path: Path
    table: str | None
    item: int | None
    column: str
    value: Any

    @property
    def field(self) -> str:
        return field_name(self.path)


def field_name(path: Path) -> str:
    """`("line_items", 3, "amount")` -> `line_items[3].amount`."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def collect_evidence(
    doc_id: str,
    text: str,
    page_starts: list[int],
    data: dict[str, Any],
    *,
    chunks: list[ChunkSpan],
    answers: list[tuple[str, dict[str, Any]]],
    origins: dict[str, list[str]] | None = None,
    last_wins: frozenset[str] = frozenset(),
    confidences: dict[str, dict[str, tuple[Any, float]]] | None = None,
    policy: EvidencePolicy = "flag",
    avoid: dict[str, Elsewhere] | None = None,
) -> DocumentEvidence:
    """Evidence rows for `data`, the merged record read from `text` in `chunks`.

    `answers` are the chunks' validated answers in document order, `origins`
    the chunk label of each kept item of each top-level list (from the merge),
    `confidences` each chunk's value probabilities by answer path, `avoid` the
    places (by field) a quote is not taken from where another place has it.
    """
    index = TextIndex(text, page_starts)
    spans = {c.label: c for c in chunks}
    starts = [c.start for c in chunks]
    rows: list[EvidenceRow] = []
    anchors: dict[str, int] = {}  # child table -> where its last located row starts
    row_anchor: dict[tuple[str, int], int] = {}
    for leaf in _leaves(data):
        label = _origin(leaf, data, answers, origins or {}, last_wins)
        span = spans.get(label) if label else None
        windows: list[tuple[int, int]] = []
        chunk_lo, chunk_hi = (span.start, span.end) if span else (0, len(text))
        if leaf.table is not None and leaf.item is not None:
            own = row_anchor.get((leaf.table, leaf.item))
            if own is not None:
                windows.append((own, min(len(text), own + NEAR)))
            previous = anchors.get(leaf.table)
            if previous is not None and chunk_lo <= previous < chunk_hi:
                windows.append((previous, chunk_hi))
        windows += [(chunk_lo, chunk_hi), (0, len(text))]
        clauses = (avoid or {}).get(str(leaf.path[0]))
        found = _first(index, leaf.value, windows, last=leaf.path[0] in last_wins, avoid=clauses)
        row = EvidenceRow(
            doc_id=doc_id,
            field=leaf.field,
            table=leaf.table,
            item=leaf.item,
            column=leaf.column,
            value=render_value(leaf.value),
        )
        if found is not None:
            row.quote = text[found.start : found.end]
            row.char_start, row.char_end, row.match = found.start, found.end, found.match
            row.page = bisect.bisect_right(page_starts, found.start)
            if label is None and chunks:
                label = chunks[max(0, bisect.bisect_right(starts, found.start) - 1)].label
            if leaf.table is not None and leaf.item is not None:
                line = text.rfind("\n", 0, found.start) + 1
                row_anchor.setdefault((leaf.table, leaf.item), line)
                anchors[leaf.table] = row_anchor[(leaf.table, leaf.item)]
        row.chunk = label
        if label and confidences and label in confidences:
            row.confidence = _confidence(leaf, data, dict(answers).get(label), confidences[label])
        rows.append(row)
    if policy == "require":
        data, rows = _require(data, rows)
    return DocumentEvidence(
        rows=rows,
        data=data,
        grounded=(sum(r.match != "none" for r in rows) / len(rows)) if rows else None,
        ungrounded=[r.field for r in rows if r.match == "none"],
    )


def render_value(value: Any) -> str:
    """A value as the evidence table writes it: strings as they are, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _first(
    index: TextIndex,
    value: Any,
    windows: list[tuple[int, int]],
    *,
    last: bool = False,
    avoid: Elsewhere | None = None,
) -> Found | None:
    """The value in the first window that has it; with `last`, its last place there
    (a governing law is stated at the end, after the parties' addresses)."""
    seen: set[tuple[int, int]] = set()
    for window in windows:
        if window in seen or window[0] >= window[1]:
            continue
        seen.add(window)
        found = index.find_outside(value, *window, avoid)
        for _ in range(MAX_LATER if last else 0):
            later = index.find(value, found.end, window[1]) if found else None
            if later is None or later.match != found.match:
                break
            found = later
        if found is not None:
            return found
    return None


def _leaves(data: dict[str, Any]) -> Iterator[_Leaf]:
    """Every non-empty scalar of the record, in field order, with where it sits in the tables."""
    for name, value in data.items():
        if isinstance(value, list) and any(isinstance(v, dict) for v in value):
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    for path, leaf in _walk(item, ()):
                        yield _Leaf((name, i, *path), name, i, _column(path), leaf)
        else:
            for path, leaf in _walk(value, ()):
                yield _Leaf((name, *path), None, None, _column((name, *path)), leaf)


def _walk(value: Any, path: Path) -> Iterator[tuple[Path, Any]]:
    if isinstance(value, dict):
        for key, sub in value.items():
            yield from _walk(sub, (*path, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _walk(sub, (*path, i))
    elif value is not None and not (isinstance(value, str) and not value.strip()):
        yield path, value


def _column(path: Path) -> str:
    """The table column holding a value: the dotted path up to its first list index."""
    names: list[str] = []
    for part in path:
        if isinstance(part, int):
            break
        names.append(part)
    return ".".join(names)


def _get(data: Any, path: Path) -> Any:
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def _origin(
    leaf: _Leaf,
    data: dict[str, Any],
    answers: list[tuple[str, dict[str, Any]]],
    origins: dict[str, list[str]],
    last_wins: frozenset[str],
) -> str | None:
    """The label of the chunk whose answer gave this value, if it can be told."""
    top = leaf.path[0]
    if len(leaf.path) > 1 and isinstance(leaf.path[1], int):
        labels = origins.get(str(top), [])
        kept = data.get(str(top))
        if isinstance(kept, list) and len(labels) == len(kept):
            return labels[leaf.path[1]]
    key = normal_key(leaf.value)
    ordered = reversed(answers) if top in last_wins else answers
    for label, answer in ordered:
        path = _chunk_path(leaf.path, data, answer)
        found = _get(answer, path) if path is not None else None
        if found is not None and normal_key(found) == key:
            return label
    return None


def _chunk_path(path: Path, data: dict[str, Any], answer: dict[str, Any]) -> Path | None:
    """The same value's path in one chunk's answer: list items matched by content."""
    out: list[str | int] = []
    final: Any = data
    mine: Any = answer
    for part in path:
        if isinstance(part, int):
            if not isinstance(final, list) or not isinstance(mine, list):
                return None
            key = normal_key(final[part])
            match = next((j for j, v in enumerate(mine) if normal_key(v) == key), None)
            if match is None:
                return None
            out.append(match)
            final, mine = final[part], mine[match]
        else:
            if not isinstance(final, dict) or not isinstance(mine, dict):
                return None
            out.append(part)
            final, mine = final.get(part), mine.get(part)
    return tuple(out)


def _confidence(
    leaf: _Leaf,
    data: dict[str, Any],
    answer: dict[str, Any] | None,
    probabilities: dict[str, tuple[Any, float]],
) -> float | None:
    """The probability the chunk's answer gave this value, looked up by the answer's path."""
    path = _chunk_path(leaf.path, data, answer) if answer is not None else None
    entry = probabilities.get(field_name(path or leaf.path))
    key = normal_key(leaf.value)
    if entry is not None and (
        normal_key(entry[0]) == key or not any(isinstance(p, int) for p in leaf.path)
    ):
        return entry[1]
    # a validator reordered or rewrote list items: find the item by what it said
    pattern = _pattern(leaf.path)
    for name, (raw, probability) in probabilities.items():
        if _pattern_of(name) == pattern and normal_key(raw) == key:
            return probability
    return None


def _pattern(path: Path) -> str:
    return field_name(tuple("*" if isinstance(p, int) else p for p in path))


def _pattern_of(name: str) -> str:
    return _INDEX.sub("[*]", name)


def _require(
    data: dict[str, Any], rows: list[EvidenceRow]
) -> tuple[dict[str, Any], list[EvidenceRow]]:
    """Empty the unsupported values; kept list items are renumbered in their rows' `field`."""
    pruned = json.loads(json.dumps(data))
    dropped = {r.field for r in rows if r.match == "none"}
    removals: list[Path] = []
    for leaf in _leaves(data):
        if leaf.field not in dropped:
            continue
        if isinstance(leaf.path[-1], int):
            removals.append(leaf.path)  # an item of a list of values: removed
        else:
            parent = _get(pruned, leaf.path[:-1])
            if isinstance(parent, dict):
                parent[leaf.path[-1]] = None
    for path in sorted(removals, key=lambda p: p[-1], reverse=True):
        parent = _get(pruned, path[:-1])
        if isinstance(parent, list):
            parent.pop(int(path[-1]))
    kept = iter(_leaves(pruned))
    for row in rows:
        if row.match == "none":
            row.in_table = False
        else:
            row.field = next(kept).field
    return pruned, rows
