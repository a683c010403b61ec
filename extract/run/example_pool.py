"""Labelled documents as worked examples: for each chunk, the ones most like it.

A schema's own EXAMPLES are made up and the same for every document. A user with
documents already labelled (a JSON Lines file, one `{"text": ..., "answer": {...}}`
per line) can send the nearest of them instead: receipts from the same shop show
the model how that shop's name and address are written. Nearness is TF-IDF cosine
over words, computed here (no extra package); a file is read and indexed once per
process (`load_pool`), however many tasks are built from it.

    pool = load_pool(Path("labelled.jsonl"), Receipt)
    pool.nearest("BOOK TA .K (TAMAN DAYA) SDN BHD ...", 2)   # [(excerpt, answer), ...]

A long labelled document is cut to an excerpt: the words around each answer value,
so an example never shows a value the model cannot see in its text. An example
whose values are not in its text (after grounding) is left out, and counted.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from extract.errors import ConfigError
from extract.evidence.grounding import (
    NormalisedText,
    evidence_fields,
    find_value,
    ground_answer,
    kept_by_grounding,
)

EXCERPT_CHARS = 1_500  # per example: about 400 tokens, so two fit beside a 5K-token document
CONTEXT_CHARS = 160  # text kept on each side of a value in an excerpt
GAP = "\n[...]\n"
_WORD = re.compile(r"[^\W_]+")
Example = tuple[str, dict[str, Any]]  # (document text or excerpt, answer)


def load_pool(path: Path, schema: type[BaseModel]) -> ExamplePool:
    """`ExamplePool.load`, once per file version and schema: an evaluation builds its task
    twice (estimate, run), and indexing 254 NDAs takes seconds."""
    stat = Path(path).stat()
    return _load_once(Path(path).resolve(), stat.st_mtime_ns, stat.st_size, schema)


@functools.lru_cache(maxsize=8)
def _load_once(path: Path, _mtime: int, _size: int, schema: type[BaseModel]) -> ExamplePool:
    return ExamplePool.load(path, schema)


@dataclass(frozen=True)
class ExamplePool:
    """Labelled examples, indexed by their words, for choosing the nearest to a text."""

    examples: tuple[Example, ...]
    vectors: tuple[dict[str, float], ...]
    idf: dict[str, float]
    left_out: int = 0  # labelled documents whose values their text does not show

    @classmethod
    def load(cls, path: Path, schema: type[BaseModel]) -> ExamplePool:
        """The JSON Lines file `path`, every answer checked against `schema`.

        ConfigError (before any request) for a missing file, a bad line, an answer the
        schema rejects, or no usable example at all."""
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"--examples-from {path}: cannot read it ({exc})") from None
        labelled = []
        for number, line in enumerate(lines, start=1):
            if line.strip():
                labelled.append(_parse_line(line, f"{path}:{number}", schema))
        return cls.build(labelled, schema, str(path))

    @classmethod
    def build(
        cls, labelled: list[Example], schema: type[BaseModel], where: str = "examples"
    ) -> ExamplePool:
        usable = [e for e in (excerpt(text, answer, schema) for text, answer in labelled) if e]
        if not usable:
            raise ConfigError(
                f"{where}: no usable labelled example ({len(labelled)} read; an example is "
                "usable when its answer's values are in its text)"
            )
        counts = [Counter(words(text)) for text, _ in usable]
        df: Counter[str] = Counter()
        for c in counts:
            df.update(c.keys())
        n = len(usable)
        idf = {w: math.log((n + 1) / (d + 1)) + 1.0 for w, d in df.items()}
        vectors = tuple(_unit(c, idf) for c in counts)
        return cls(tuple(usable), vectors, idf, left_out=len(labelled) - n)

    def nearest(self, text: str, k: int) -> list[Example]:
        """The `k` examples most like `text`, most alike first (ties: file order)."""
        query = _unit(Counter(words(text)), self.idf)
        scores = [sum(w * v.get(t, 0.0) for t, w in query.items()) for v in self.vectors]
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [self.examples[i] for i in order[:k]]

    def longest(self, k: int) -> list[Example]:
        """The `k` longest examples: what the token budget must leave room for."""
        order = sorted(range(len(self.examples)), key=lambda i: -len(self.examples[i][0]))
        return [self.examples[i] for i in order[:k]]


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _unit(counts: Counter[str], idf: dict[str, float]) -> dict[str, float]:
    """Sublinear TF-IDF, scaled to length 1; words the pool never saw carry no weight."""
    vector = {w: (1.0 + math.log(n)) * idf[w] for w, n in counts.items() if w in idf}
    norm = math.sqrt(sum(x * x for x in vector.values())) or 1.0
    return {w: x / norm for w, x in vector.items()}


def _parse_line(line: str, where: str, schema: type[BaseModel]) -> Example:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{where}: not JSON ({exc.msg})") from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        raise ConfigError(f'{where}: expected {{"text": "...", "answer": {{...}}}}')
    answer = record.get("answer")
    if not isinstance(answer, dict):
        raise ConfigError(f"{where}: 'answer' must be an object with the schema's fields")
    unknown = set(answer) - set(schema.model_fields)
    if unknown:
        raise ConfigError(f"{where}: {schema.__name__} has no field {', '.join(sorted(unknown))}")
    try:
        schema.model_validate(answer)
    except ValidationError as exc:
        raise ConfigError(f"{where}: the answer is invalid for {schema.__name__}: {exc}") from None
    return record["text"], answer


def excerpt(text: str, answer: dict[str, Any], schema: type[BaseModel]) -> Example | None:
    """The example as sent: its text (or the words around its values, when long) and its
    answer grounded in that text; None when a value is not in the text."""
    fields = evidence_fields(schema)
    if len(text) > EXCERPT_CHARS:
        values, index = _values(answer), NormalisedText(text)
        spans = [(s.start, s.end) for v in values if (s := find_value(v, text, index))]
        if len(spans) < len(values):
            return None
        text = _cut(text, spans) if spans else text[:EXCERPT_CHARS]
    grounded = ground_answer(answer, fields, text)
    if not all(kept_by_grounding(answer.get(name), grounded.get(name)) for name in fields):
        return None
    try:  # the schema's normalisers, as on a model's answer: "Kite Pharma, Inc.," -> without ","
        data = schema.model_validate(grounded).model_dump(mode="json")
    except ValidationError:
        return None
    return text, {name: data.get(name) for name in answer}


def _values(answer: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for value in answer.values():
        items = value if isinstance(value, list) else [value]
        out += [v for v in items if isinstance(v, str) and v.strip()]
    return out


def _cut(text: str, spans: list[tuple[int, int]]) -> str:
    """The words around each span, overlapping windows merged, in text order; the context
    halved until the whole fits EXCERPT_CHARS (never cutting into a value itself)."""
    context = CONTEXT_CHARS
    while True:
        windows: list[list[int]] = []
        for start, end in sorted(spans):
            lo = min(start, _word_start(text, start - context))
            hi = max(end, _word_end(text, end + context))
            if windows and lo <= windows[-1][1]:
                windows[-1][1] = max(windows[-1][1], hi)
            else:
                windows.append([lo, hi])
        cut = GAP.join(text[lo:hi].strip() for lo, hi in windows)
        if len(cut) <= EXCERPT_CHARS or context == 0:
            return cut
        context = context // 2 if context > 10 else 0


def _word_start(text: str, at: int) -> int:
    """`at` moved forward to the start of a word (0 when before the text)."""
    if at <= 0:
        return 0
    space = re.compile(r"\s").search(text, at)
    return space.end() if space else at


def _word_end(text: str, at: int) -> int:
    """`at` moved back to the end of a word (the text's end when past it)."""
    if at >= len(text):
        return len(text)
    space = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at))
    return space if space > 0 else at
