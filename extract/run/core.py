"""The per-chunk and per-document core: prompt, call, validate, re-ask, merge.

These functions are pure of any I/O but the model call: they take a document
(or chunk), the run's `Task` and a `Backend`, and return results. The worker
pool, the CLI and any distributed engine only call them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from extract.config import Config
from extract.errors import ConfigError, InvalidAnswer, ProviderError
from extract.evidence.grounding import evidence_fields, ground_answer
from extract.evidence.rows import DocumentEvidence
from extract.evidence.step import document_evidence
from extract.ingest.chunking import Chunk, chunk_document, split_chunk
from extract.ingest.documents import Document, file_id
from extract.ingest.tokenizer import MESSAGE_OVERHEAD
from extract.llm.backends.base import Backend, Message, StructuredRequest
from extract.llm.checks import Check, failed_checks, schema_checks
from extract.llm.prompting import (
    example_messages,
    reask_messages,
    schema_block,
    system_prompt,
    user_overhead,
)
from extract.llm.prompting import (
    user_message as build_user_message,
)
from extract.llm.retry import call_with_retries
from extract.llm.strict_schema import field_guide, to_strict_schema
from extract.llm.validation import load_object, validate_object
from extract.output.merge import Conflict, last_wins_fields, merge_answers
from extract.run.cache import CachedAnswer, cache_key
from extract.run.services import RunServices

REASK_RESERVE = 400  # tokens kept free for a re-ask's extra turns
REASK_TEXT_CHARS = 600  # the rejected answer and error are cut to this in a re-ask


@dataclass(frozen=True)
class Task:
    """What a run extracts, prepared once: the schema and the texts derived from it."""

    schema: type[BaseModel]
    schema_name: str
    strict_schema: dict[str, Any]
    field_guide: str
    config: Config
    examples: tuple[Message, ...] = ()
    evidence: dict[str, str] = field(default_factory=dict)  # grounded fields -> mode
    last_wins: frozenset[str] = frozenset()  # fields merged from the last chunk that has one
    checks: tuple[Check, ...] = ()  # rules across fields (the schema's CHECKS)
    # Token counts of the prompt parts that do not depend on the document, per backend:
    # counted once, not once per document.
    _fixed_tokens: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, schema: type[BaseModel], schema_name: str, config: Config) -> Task:
        return cls(
            schema=schema,
            schema_name=schema_name,
            strict_schema=to_strict_schema(schema),
            field_guide=field_guide(schema),
            config=config,
            examples=example_messages(_checked_examples(schema)),
            evidence=evidence_fields(schema),
            last_wins=last_wins_fields(schema),
            checks=schema_checks(schema),
        )

    def accept(self, raw: dict[str, Any], chunk: Chunk) -> dict[str, Any]:
        """The model's raw object grounded in the chunk text, validated, as JSON-ready data."""
        grounded = ground_answer(raw, self.evidence, chunk.text)
        return validate_object(grounded, self.schema).model_dump(mode="json")

    def failed_checks(self, data: dict[str, Any], *, whole: bool) -> dict[str, str]:
        """{rule: discrepancy} for the schema's CHECKS that `data` breaks."""
        return failed_checks(self.checks, data, whole=whole)

    @property
    def description(self) -> str:
        return (self.schema.__doc__ or self.schema_name).strip().splitlines()[0]

    def system(self, *, multi_part: bool) -> str:
        return system_prompt(
            self.schema_name, self.description, self.field_guide, multi_part=multi_part
        )


@dataclass
class Usage:
    """Requests and tokens spent, counting every attempt that got an answer."""

    requests: int = 0
    retries: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, other: Usage) -> None:
        self.requests += other.requests
        self.retries += other.retries
        self.prompt_tokens += other.prompt_tokens
        self.completion_tokens += other.completion_tokens


@dataclass
class ChunkOutcome:
    """What one chunk gave: validated data, or why not."""

    chunk: Chunk
    data: dict[str, Any] | None = None
    error: str | None = None
    truncated: bool = False
    usage: Usage = field(default_factory=Usage)
    models: list[str] = field(default_factory=list)
    cached: bool = False
    confidence: dict[str, tuple[Any, float]] = field(default_factory=dict)  # path -> (raw, p)


def token_budget(task: Task, backend: Backend, source: str) -> int:
    """Tokens of document text one request can carry.

    Context window minus: the system prompt (long form), the user message
    around the text, the schema where the provider puts it in the prompt, the
    answer's `max_tokens`, room for a re-ask, and the safety margin.
    """
    cfg = task.config
    key = f"{backend.name}:{backend.model}"
    if key not in task._fixed_tokens:
        fixed = backend.count_tokens(task.system(multi_part=True)) + 2 * MESSAGE_OVERHEAD
        for message in task.examples:
            fixed += backend.count_tokens(message["content"]) + MESSAGE_OVERHEAD
        if backend.schema_in_prompt():
            fixed += backend.count_tokens(schema_block(task.strict_schema))
        task._fixed_tokens[key] = fixed
    overhead = task._fixed_tokens[key] + backend.count_tokens(user_overhead(_display_name(source)))
    reserve = REASK_RESERVE if cfg.max_reasks else 0
    margin = int(cfg.safety_margin * backend.context_window)
    return backend.context_window - cfg.max_tokens - overhead - reserve - margin


def plan_chunks(doc: Document, task: Task, backend: Backend) -> list[Chunk]:
    return chunk_document(doc, token_budget(task, backend, doc.source), backend.count_tokens)


def extract_chunk(
    chunk: Chunk, source: str, n_chunks: int, task: Task, services: RunServices
) -> ChunkOutcome:
    """Ask for one chunk's data; re-ask on invalid answers; never raise for model failures.

    An answer already in the cache is used without any request. The cache
    holds the model's raw object, so grounding and validators run again on a
    hit: a changed normaliser applies without paying for the answer twice.
    """
    backend = services.backend
    outcome = ChunkOutcome(chunk=chunk)
    messages: tuple[Message, ...] = (
        {"role": "system", "content": task.system(multi_part=n_chunks > 1)},
        *task.examples,
        {"role": "user", "content": build_user_message(chunk, _display_name(source), n_chunks)},
    )
    cfg = task.config
    key = cache_key(backend.name, backend.model, backend.mode, _request(task, messages, chunk, 0))
    if services.cache is not None and (hit := services.cache.get(key)) is not None:
        try:
            if hit.data is not None:
                outcome.data = task.accept(hit.data, chunk)
            else:  # this chunk's answer ran past max_tokens before: split it at once
                outcome.truncated = True
                outcome.error = "answer truncated (remembered from an earlier run)"
        except InvalidAnswer:
            pass  # valid under an earlier schema version only: ask again
        else:
            outcome.models, outcome.cached = hit.models, True
            outcome.usage = Usage(**hit.usage)
            return outcome

    def on_retry(_error: ProviderError, _wait: float) -> None:
        outcome.usage.retries += 1

    problem = ""
    first_try: tuple[dict[str, Any], dict[str, Any], int] | None = None  # before a checks re-ask
    for attempt in range(cfg.max_reasks + 1):
        request = _request(task, messages, chunk, attempt)
        try:
            answer = call_with_retries(
                lambda r=request: backend.complete(r), services.policy, on_retry=on_retry
            )
        except ProviderError as exc:
            if first_try is not None:  # only the checks re-ask failed: keep the first answer
                break
            outcome.error = str(exc)
            return outcome
        outcome.usage.requests += 1
        outcome.usage.prompt_tokens += answer.prompt_tokens
        outcome.usage.completion_tokens += answer.completion_tokens
        outcome.models.append(answer.model)
        if answer.truncated and first_try is not None:
            break  # the checks re-ask ran long: keep the first answer
        if answer.truncated:
            outcome.truncated = True
            outcome.error = f"answer truncated (finish_reason={answer.finish_reason})"
            if services.cache is not None:
                services.cache.put(key, CachedAnswer(None, asdict(outcome.usage), outcome.models))
            return outcome
        try:
            raw = load_object(answer.text)
            outcome.data = task.accept(raw, chunk)
        except InvalidAnswer as exc:
            problem = str(exc)
            messages = messages[: 2 + len(task.examples)] + reask_messages(
                _clip(answer.text or ""), _clip(problem)
            )
            continue
        failed = task.failed_checks(outcome.data, whole=n_chunks == 1)
        if failed and first_try is None and attempt < cfg.max_reasks:
            # Valid, but its values contradict each other: ask once more, saying how.
            first_try = (raw, outcome.data, len(failed))
            problem = "its values do not agree: " + "; ".join(failed.values())
            messages = messages[: 2 + len(task.examples)] + reask_messages(
                _clip(answer.text or ""), _clip(problem)
            )
            continue
        if first_try is not None and len(failed) >= first_try[2]:
            raw, outcome.data = first_try[0], first_try[1]  # the re-ask did not help
        return _keep(outcome, raw, key, services)
    if first_try is not None:  # the checks re-ask gave no valid answer: keep the first one
        outcome.error = None
        outcome.data = first_try[1]
        return _keep(outcome, first_try[0], key, services)
    outcome.error = f"invalid answer after {cfg.max_reasks + 1} attempts: {problem}"
    return outcome


def _keep(
    outcome: ChunkOutcome, raw: dict[str, Any], key: str, services: RunServices
) -> ChunkOutcome:
    """Store the answer kept (the raw object, so grounding and checks re-run on a hit)."""
    if services.cache is not None:
        services.cache.put(key, CachedAnswer(raw, asdict(outcome.usage), list(outcome.models)))
    return outcome


def _request(
    task: Task, messages: tuple[Message, ...], chunk: Chunk, attempt: int
) -> StructuredRequest:
    return StructuredRequest(
        messages=messages,
        schema=task.strict_schema,
        schema_name=task.schema_name,
        max_tokens=task.config.max_tokens,
        temperature=task.config.temperature,
        tags={"doc_id": chunk.doc_id, "chunk": chunk.label, "attempt": str(attempt)},
    )


def smaller_chunks(outcome: ChunkOutcome, doc: Document, backend: Backend) -> list[Chunk]:
    """For a truncated answer: the chunk cut smaller, to be asked again.

    An empty list means it cannot be cut further; the outcome's error says so.
    """
    parts = split_chunk(outcome.chunk, doc, backend.count_tokens)
    if not parts:
        outcome.error = f"{outcome.error}; the chunk cannot be split further"
    return parts


@dataclass
class DocumentResult:
    """Everything the tables need about one input document."""

    doc_id: str | None
    source: str
    status: str  # ok | partial | error
    error: str | None = None
    pages: int | None = None
    n_chunks: int = 0
    data: dict[str, Any] | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    checks: dict[str, str] = field(default_factory=dict)  # failed rule -> discrepancy
    origins: dict[str, list[str]] = field(default_factory=dict)
    chunks: dict[str, Chunk] = field(default_factory=dict)
    usage: Usage = field(default_factory=Usage)
    models: list[str] = field(default_factory=list)
    evidence: DocumentEvidence | None = None  # None: evidence off, or no data
    document: Document | None = None  # the text the evidence points into


def failed_document(source: str, error: str) -> DocumentResult:
    """The result of a document that could not be read: still one row, with the reason."""
    return DocumentResult(doc_id=file_id(Path(source)), source=source, status="error", error=error)


def finish_document(
    doc: Document, outcomes: list[ChunkOutcome], task: Task, superseded: Usage | None = None
) -> DocumentResult:
    """Merge a document's chunk outcomes (any order given) into its result.

    `superseded` is the usage of answers that were paid for but replaced (a
    truncated chunk that was split): it counts in the cost, not in the data.
    """
    outcomes = sorted(outcomes, key=lambda o: o.chunk.index)
    usage = Usage()
    if superseded is not None:
        usage.add(superseded)
    models: list[str] = []
    for o in outcomes:
        usage.add(o.usage)
        models.extend(m for m in o.models if m not in models)
    good = [o for o in outcomes if o.data is not None]
    errors = [f"chunk {o.chunk.label}: {o.error}" for o in outcomes if o.data is None]
    result = DocumentResult(
        doc_id=doc.doc_id,
        source=doc.source,
        status="ok" if not errors else ("partial" if good else "error"),
        error="; ".join(errors) or None,
        pages=doc.n_pages,
        n_chunks=len(outcomes),
        usage=usage,
        models=models,
        chunks={o.chunk.label: o.chunk for o in outcomes},
    )
    if good:
        answers = [(o.chunk.label, o.data) for o in good if o.data is not None]
        merged = merge_answers(answers, task.last_wins)
        result.data = task.schema.model_validate(merged.data).model_dump(mode="json")
        result.conflicts = merged.conflicts
        result.checks = task.failed_checks(result.data, whole=True)
        result.origins = merged.origins
        if task.config.evidence != "off":
            result.evidence = document_evidence(
                doc, result.data, outcomes, merged.origins, task.last_wins, task.config.evidence
            )
            result.data = result.evidence.data
    result.document = doc
    return result


def checks_json(checks: dict[str, str]) -> str | None:
    if not checks:
        return None
    return json.dumps(
        [{"rule": rule, "problem": problem} for rule, problem in checks.items()],
        ensure_ascii=False,
    )


def _checked_examples(schema: type[BaseModel]) -> list[tuple[str, dict[str, Any]]]:
    """A schema's worked examples (`EXAMPLES`), each answer checked against the schema."""
    examples = list(getattr(schema, "EXAMPLES", ()))
    for text, answer in examples:
        try:
            schema.model_validate(answer)
        except ValidationError as exc:
            raise ConfigError(f"{schema.__name__}.EXAMPLES: an answer is invalid: {exc}") from None
        if not isinstance(text, str) or not text.strip():
            raise ConfigError(f"{schema.__name__}.EXAMPLES: an example document is empty")
        fields = evidence_fields(schema)
        grounded = ground_answer(answer, fields, text)  # the very check answers go through
        for name in fields:
            if not _kept_by_grounding(answer.get(name), grounded.get(name)):
                raise ConfigError(
                    f"{schema.__name__}.EXAMPLES: {name}={answer.get(name)!r} is not in the "
                    "example text"
                )
    return examples


def _kept_by_grounding(given: Any, grounded: Any) -> bool:
    """Grounding may re-spell a value (as printed); it must not drop one."""
    if isinstance(given, list) and isinstance(grounded, list):
        return len(given) == len(grounded)
    return (given is None) == (grounded is None)


def _display_name(source: str) -> str:
    return Path(source).name


def _clip(text: str) -> str:
    return text if len(text) <= REASK_TEXT_CHARS else text[:REASK_TEXT_CHARS] + " …"
