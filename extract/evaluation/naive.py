"""The naive baseline: what one would get without the pipeline, on the same backend.

One request per document: the whole text (cut to fit the context window), a
one-line prompt naming the fields, the strict schema stripped of every field
description, and the answer read with `json.loads` only: no chunking, no field
guide, no pydantic normalisers, no re-asks. Retries, rate limits, the audit log
the cost budget and the answer cache are the pipeline's own (`RunServices`), so
the comparison measures the pipeline's method, not its plumbing, and a rerun
pays only for documents it has not seen.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from extract.config import Config
from extract.errors import ExtractError
from extract.ingest.documents import read_document
from extract.llm.backends.base import Backend, StructuredRequest
from extract.llm.pricing import price_for
from extract.llm.prompting import text_budget, tokens_around_text
from extract.llm.strict_schema import to_strict_schema
from extract.output.results import Usage
from extract.run.cache import CachedAnswer
from extract.run.services import RunServices


@dataclass
class NaiveOutcome:
    """One document's naive answer (raw JSON object) or why there is none."""

    source: str
    data: dict[str, Any] | None = None
    error: str | None = None
    truncated_input: bool = False
    usage: Usage = field(default_factory=Usage)
    cached: bool = False

    @property
    def status(self) -> str:
        return "ok" if self.data is not None else "error"


@dataclass
class NaiveRun:
    """All outcomes, in input order, and what they cost."""

    outcomes: list[NaiveOutcome]
    seconds: float
    cost_usd: float | None
    backend: str
    model: str
    mode: str

    def total(self, name: str) -> int:
        """A `Usage` count (requests, prompt_tokens, ...) summed over the documents."""
        return sum(getattr(o.usage, name) for o in self.outcomes)


def naive_prompt(fields: Sequence[str]) -> str:
    return f"Extract these fields from the document as JSON: {', '.join(fields)}."


def bare_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The strict schema with every `description` removed (properties named so are kept)."""
    return _strip(to_strict_schema(model))


def _strip(node: Any) -> Any:
    if isinstance(node, list):
        return [_strip(x) for x in node]
    if not isinstance(node, dict):
        return node
    return {
        key: {name: _strip(sub) for name, sub in value.items()} if key == "properties"
        else _strip(value)
        for key, value in node.items()
        if key != "description"
    }  # fmt: skip


def fit_text(text: str, budget: int, count: Callable[[str], int]) -> tuple[str, bool]:
    """`text` cut (from the end) to at most `budget` tokens; and whether it was cut."""
    tokens = count(text)
    if tokens <= budget:
        return text, False
    while tokens > budget and text:
        text = text[: int(len(text) * budget / tokens * 0.97)]
        tokens = count(text)
    return text, True


@dataclass(frozen=True)
class _Job:
    """What every naive request shares."""

    system: str
    schema: dict[str, Any]
    schema_name: str
    budget: int
    config: Config


def _job(model: type[BaseModel], schema_name: str, config: Config, backend: Backend) -> _Job:
    schema = bare_schema(model)
    system = naive_prompt(list(schema.get("properties", {})))
    around = tokens_around_text(backend, [system], schema)
    budget = text_budget(
        backend, around, max_tokens=config.max_tokens, safety_margin=config.safety_margin
    )
    return _Job(system, schema, schema_name, budget, config)


def _ask(path: Path, job: _Job, services: RunServices) -> NaiveOutcome:
    outcome = NaiveOutcome(source=str(path))
    try:
        doc = read_document(path)
        text, outcome.truncated_input = fit_text(
            doc.text, job.budget, services.backend.count_tokens
        )
        request = StructuredRequest(
            messages=({"role": "system", "content": job.system}, {"role": "user", "content": text}),
            schema=job.schema,
            schema_name=job.schema_name,
            max_tokens=job.config.max_tokens,
            temperature=job.config.temperature,
            tags={"doc_id": doc.doc_id, "chunk": "naive", "attempt": "0"},
        )
        key = services.cache_key(request)
        if (hit := services.recall(key)) is not None:
            outcome.data, outcome.cached, outcome.usage = hit.data, True, Usage(**hit.usage)
            return outcome
        answer = services.send(request, outcome.usage)
    except ExtractError as exc:
        outcome.error = str(exc)
        return outcome
    if answer.truncated:
        outcome.error = f"answer truncated (finish_reason={answer.finish_reason})"
        return outcome
    try:
        data = json.loads(answer.text or "")
    except json.JSONDecodeError as exc:
        outcome.error = f"invalid JSON ({exc.msg} at char {exc.pos})"
        return outcome
    if isinstance(data, dict):
        outcome.data = data
        services.remember(key, CachedAnswer(data, asdict(outcome.usage), [answer.model]))
    else:
        outcome.error = f"expected a JSON object, got {type(data).__name__}"
    return outcome


def run_naive(
    paths: Sequence[Path],
    model: type[BaseModel],
    schema_name: str,
    config: Config,
    backend: Backend,
) -> NaiveRun:
    """Ask for every document in one request each, `config.concurrency` at a time."""
    job = _job(model, schema_name, config, backend)
    with RunServices.open(config, backend) as services:
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=config.concurrency) as pool:
            outcomes = list(pool.map(lambda p: _ask(p, job, services), paths))
    run = NaiveRun(outcomes, time.monotonic() - start, None, backend.name, backend.model,
                   backend.mode)  # fmt: skip
    price = price_for(backend.name, backend.model)
    if price is not None:
        run.cost_usd = price.cost(run.total("prompt_tokens"), run.total("completion_tokens"))
    return run
