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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from extract.config import Config
from extract.errors import ExtractError, ProviderError
from extract.ingest.documents import read_document
from extract.ingest.tokenizer import MESSAGE_OVERHEAD
from extract.llm.backends.base import Backend, StructuredRequest
from extract.llm.pricing import price_for
from extract.llm.prompting import schema_block
from extract.llm.retry import call_with_retries
from extract.llm.strict_schema import to_strict_schema
from extract.run.cache import CachedAnswer, cache_key
from extract.run.services import RunServices


@dataclass
class NaiveOutcome:
    """One document's naive answer (raw JSON object) or why there is none."""

    source: str
    data: dict[str, Any] | None = None
    error: str | None = None
    truncated_input: bool = False
    requests: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
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
        return sum(getattr(o, name) for o in self.outcomes)


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
    used = backend.count_tokens(system) + 2 * MESSAGE_OVERHEAD + config.max_tokens
    if backend.schema_in_prompt():
        used += backend.count_tokens(schema_block(schema))
    margin = int(config.safety_margin * backend.context_window)
    return _Job(system, schema, schema_name, backend.context_window - used - margin, config)


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
        backend = services.backend
        key = cache_key(backend.name, backend.model, backend.mode, request)
        if services.cache is not None and (hit := services.cache.get(key)) is not None:
            outcome.data, outcome.cached = hit.data, True
            outcome.requests = hit.usage["requests"]
            outcome.prompt_tokens = hit.usage["prompt_tokens"]
            outcome.completion_tokens = hit.usage["completion_tokens"]
            return outcome

        def on_retry(_error: ProviderError, _wait: float) -> None:
            outcome.retries += 1

        answer = call_with_retries(
            lambda: services.backend.complete(request), services.policy, on_retry=on_retry
        )
    except ExtractError as exc:
        outcome.error = str(exc)
        return outcome
    outcome.requests = 1
    outcome.prompt_tokens, outcome.completion_tokens = (
        answer.prompt_tokens,
        answer.completion_tokens,
    )
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
        if services.cache is not None:
            usage = {"requests": 1, "retries": outcome.retries, "prompt_tokens": outcome.prompt_tokens,
                     "completion_tokens": outcome.completion_tokens}  # fmt: skip
            services.cache.put(key, CachedAnswer(data, usage, [answer.model]))
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
    services = RunServices.open(config, backend)
    start = time.monotonic()
    try:
        with ThreadPoolExecutor(max_workers=config.concurrency) as pool:
            outcomes = list(pool.map(lambda p: _ask(p, job, services), paths))
    finally:
        services.close()
    run = NaiveRun(outcomes, time.monotonic() - start, None, backend.name, backend.model,
                   backend.mode)  # fmt: skip
    price = price_for(backend.name, backend.model)
    if price is not None:
        run.cost_usd = price.cost(run.total("prompt_tokens"), run.total("completion_tokens"))
    return run
