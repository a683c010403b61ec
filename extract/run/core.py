"""The per-document core: plan a document's chunks, ask for each, split a cut one, merge.

These functions do no I/O but the model call (and the answer cache): they take
a document (or chunk), the run's `Task` and its `RunServices`, and return
results. The worker pool, and through it `extract_document`, `extract_paths`
and any distributed engine, only call them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from extract.errors import ContextLengthError, Interrupted, InvalidAnswer, ProviderError
from extract.evidence.step import document_evidence
from extract.ingest.chunking import Chunk, chunk_document, split_chunk
from extract.ingest.documents import Document, file_id
from extract.llm.backends.base import Backend, Message, StructuredRequest
from extract.llm.confidence import Confidences, value_confidences
from extract.llm.pricing import answer_cost
from extract.llm.prompting import (
    reask_messages,
    text_budget,
    tokens_around_text,
    user_overhead,
)
from extract.llm.prompting import (
    user_message as build_user_message,
)
from extract.llm.validation import load_object
from extract.llm.vision import PageImageRef, counter, image_refusal, images_in, user_content
from extract.llm.wire import Wire, answer_bound
from extract.output.results import DocumentResult, Usage
from extract.run.cache import CachedAnswer
from extract.run.doc_limits import check_document_size
from extract.run.record import merge_parts
from extract.run.services import RunServices
from extract.run.task import Task

REASK_RESERVE = 400  # tokens kept free for a re-ask's extra turns
REASK_TEXT_CHARS = 600  # the rejected answer and error are cut to this in a re-ask
MIN_CHUNK_TOKENS = 16  # a budget under this holds no useful text (see chunk_document)
MIN_ANSWER_TOKENS = 256  # never ask for less, however small the schema and chunk


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
    confidence: Confidences = field(default_factory=dict)  # answer path -> (value, probability)
    fit_tokens: int | None = None  # after a context-length error: text tokens that fit
    images_refused: str | None = None  # the endpoint rejected the page images: why
    interrupted: bool = False  # not sent: the run was stopped (Ctrl-C or SIGTERM)
    dropped: dict[str, list[str]] = field(default_factory=dict)  # values grounding dropped


def token_budget(task: Task, backend: Backend) -> int:
    """Tokens of document text one request can carry.

    Context window minus: the system prompt (long form) and worked examples,
    the user message around the text, the schema where the provider puts it in
    the prompt, the answer's `max_tokens`, room for a re-ask, and the safety margin.
    """
    cfg = task.config
    key = f"{backend.name}:{backend.model}"
    if key not in task._fixed_tokens:
        texts = task.prompt_texts(multi_part=True, wire=task.wire(backend))
        task._fixed_tokens[key] = tokens_around_text(backend, texts, task.strict_schema)
    around = task._fixed_tokens[key] + backend.count_tokens(user_overhead())
    return text_budget(
        backend,
        around,
        max_tokens=cfg.max_tokens,
        safety_margin=cfg.safety_margin,
        reserve=REASK_RESERVE if cfg.max_reasks else 0,
    )


def plan_chunks(doc: Document, task: Task, backend: Backend) -> list[Chunk]:
    """The document cut to the budget; page images count with the page that shows them.

    `DocumentError` if it is over `max_tokens_per_doc` (nothing is sent for it).
    """
    check_document_size(doc, task.config.max_tokens_per_doc, backend.count_tokens)
    count = counter(backend.count_tokens, doc.images)
    return chunk_document(doc, token_budget(task, backend), count)


def extract_chunk(
    chunk: Chunk,
    n_chunks: int,
    task: Task,
    services: RunServices,
    images: tuple[PageImageRef, ...] = (),
) -> ChunkOutcome:
    """Ask for one chunk's data; re-ask on invalid answers; never raise for model failures.

    An answer already in the cache is used without any request. The cache
    holds the model's raw object, so grounding and validators run again on a
    hit: a changed normaliser applies without paying for the answer twice.
    """
    outcome = ChunkOutcome(chunk=chunk)
    user = build_user_message(chunk, n_chunks)
    sent = images_in(chunk.text, images)
    ground = all(ref.has_text for ref in sent)  # an image with no text to check against
    wire = task.wire(services.backend)
    examples = task.example_turns(wire, chunk.text)
    messages: tuple[Message, ...] = (
        {"role": "system", "content": task.system(multi_part=n_chunks > 1, wire=wire)},
        *examples,
        {"role": "user", "content": user_content(user, images)},
    )
    cfg = task.config
    if sent and (refused := services.scans.refused):  # known already: do not ask again
        outcome.error = outcome.images_refused = refused
        return outcome
    first = _request(task, wire, messages, chunk, 0)
    key = services.cache_key(first)
    if (hit := services.recall(key)) is not None:
        try:
            usage = Usage(**hit.usage)
            if hit.data is not None:
                outcome.data = task.accept(hit.data, chunk, ground=ground)
            else:  # this chunk's answer ran past max_tokens before: split it at once
                outcome.truncated = True
                outcome.error = "answer truncated (remembered from an earlier run)"
        except (InvalidAnswer, TypeError):
            pass  # valid under an earlier schema version only (or a stale row): ask again
        else:
            outcome.models, outcome.cached = hit.models, True
            if hit.data is not None and ground and cfg.second_pass:
                outcome.dropped = task.dropped(hit.data, chunk)
            outcome.usage, outcome.confidence = usage, hit.confidence
            if "cost_usd" not in hit.usage:  # stored before costs were kept
                model = hit.models[0] if hit.models else services.backend.model
                usage.cost_usd = answer_cost(
                    services.backend.name, model, usage.prompt_tokens, usage.completion_tokens
                )
            return outcome

    problem = ""
    first_try: tuple[dict[str, Any], dict[str, Any], int, Confidences] | None = (
        None  # before a checks re-ask
    )
    for attempt in range(cfg.max_reasks + 1):
        try:
            answer = services.send(_request(task, wire, messages, chunk, attempt), outcome.usage)
        except ContextLengthError as exc:
            if first_try is not None:  # only the checks re-ask (a longer prompt) overran
                break
            # Like a truncated answer: the chunk is cut smaller and asked again, unless
            # not even the prompt around the text fits the window the server stated.
            outcome.error = f"prompt over the model's context window: {exc}"
            fit = token_budget(task, services.backend)  # the window the server stated, if any
            if fit >= MIN_CHUNK_TOKENS:
                outcome.truncated, outcome.fit_tokens = True, fit
            return outcome
        except ProviderError as exc:
            if first_try is not None:  # only the checks re-ask failed: keep the first answer
                break
            outcome.error = str(exc)
            outcome.interrupted = isinstance(exc, Interrupted)
            if sent and image_refusal(exc.status, str(exc.args[0])):
                outcome.images_refused = f"the endpoint refused page images ({exc})"
                services.refuse_images(outcome.images_refused)  # no other chunk sends any
            return outcome
        outcome.models.append(answer.model)
        if answer.truncated and first_try is not None:
            break  # the checks re-ask ran long: keep the first answer
        if answer.truncated:
            outcome.truncated = True
            outcome.error = f"answer truncated (finish_reason={answer.finish_reason})"
            # keyed by the mode that answered (it may have fallen back meanwhile)
            services.remember(
                services.cache_key(first), CachedAnswer(None, asdict(outcome.usage), outcome.models)
            )
            return outcome
        try:
            raw = wire.decode(load_object(answer.text))
            outcome.data = task.accept(raw, chunk, ground=ground)
        except InvalidAnswer as exc:
            problem = str(exc)
            messages = messages[: 2 + len(examples)] + reask_messages(
                _clip(answer.text or ""), _clip(problem)
            )
            continue
        outcome.confidence = wire.decode_paths(value_confidences(answer.text, answer.logprobs))
        failed = task.failed_checks(outcome.data, whole=n_chunks == 1)
        if failed and first_try is None and attempt < cfg.max_reasks and cfg.reasks_on_checks:
            # Valid, but its values contradict each other: ask once more, saying how.
            first_try = (raw, outcome.data, len(failed), outcome.confidence)
            problem = "its values do not agree: " + "; ".join(failed.values())
            messages = messages[: 2 + len(examples)] + reask_messages(
                _clip(answer.text or ""), _clip(problem)
            )
            continue
        if first_try is not None and len(failed) >= first_try[2]:
            raw, outcome.data, _, outcome.confidence = first_try  # the re-ask did not help
        return _keep(outcome, raw, services.cache_key(first), services, task, ground)
    if first_try is not None:  # the checks re-ask gave no valid answer: keep the first one
        outcome.error = None
        outcome.data, outcome.confidence = first_try[1], first_try[3]
        return _keep(outcome, first_try[0], services.cache_key(first), services, task, ground)
    outcome.error = f"invalid answer after {cfg.max_reasks + 1} attempts: {problem}"
    return outcome


def _keep(
    outcome: ChunkOutcome,
    raw: dict[str, Any],
    key: str,  # keyed by the mode that answered (it may have fallen back meanwhile)
    services: RunServices,
    task: Task,
    ground: bool,
) -> ChunkOutcome:
    """Store the answer kept (the raw object, so grounding and checks re-run on a hit)."""
    if ground and task.config.second_pass:
        outcome.dropped = task.dropped(raw, outcome.chunk)
    services.remember(
        key, CachedAnswer(raw, asdict(outcome.usage), list(outcome.models), outcome.confidence)
    )
    return outcome


def _request(
    task: Task, wire: Wire, messages: tuple[Message, ...], chunk: Chunk, attempt: int
) -> StructuredRequest:
    """The request for a chunk; its answer may use what `answer_bound` allows, up to the cap."""
    bound = answer_bound(wire.schema, chunk.n_tokens)
    return StructuredRequest(
        messages=messages,
        schema=wire.schema,
        schema_name=task.schema_name,
        max_tokens=min(task.config.max_tokens, max(MIN_ANSWER_TOKENS, bound)),
        temperature=task.config.temperature,
        tags={"doc_id": chunk.doc_id, "chunk": chunk.label, "attempt": str(attempt)},
        max_items=task.caps_for(chunk.text),
    )


def smaller_chunks(outcome: ChunkOutcome, doc: Document, backend: Backend) -> list[Chunk]:
    """For a truncated answer (or a prompt over the context window): the chunk cut
    smaller (halves, or pieces that fit the window the server stated), to be asked again.

    An empty list means it cannot be cut further; the outcome's error says so.
    """
    count = counter(backend.count_tokens, doc.images)
    parts = split_chunk(outcome.chunk, doc, count, budget=outcome.fit_tokens)
    if not parts:
        outcome.error = f"{outcome.error}; the chunk cannot be split further"
    return parts


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
    errors += list(doc.problems)  # pages that could not be read (no OCR installed...)
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
        text_source=doc.text_source,
        scanned_pages=doc.scanned_pages,
        image_tokens=sum(  # of the requests answered: a chunk never sent sent no image
            r.tokens for o in outcomes if o.models for r in images_in(o.chunk.text, doc.images)
        ),
        notes=list(doc.notes),
    )
    if good:
        parts = [(o.chunk.label, o.data) for o in good if o.data is not None]
        merged, _ = merge_parts(doc, parts, task)
        result.conflicts, result.notes = merged.conflicts, result.notes + merged.notes
        data = task.schema.model_validate(merged.data).model_dump(mode="json")
        conclude(result, doc, outcomes, task, data, merged.origins)
    result.document = doc
    return result


def conclude(
    result: DocumentResult,
    doc: Document,
    outcomes: list[ChunkOutcome],
    task: Task,
    data: dict[str, Any],
    origins: dict[str, list[str]],
) -> None:
    """The record's checks and evidence (which may empty unsupported values) into `result`."""
    result.data, result.origins = data, origins
    result.checks = task.failed_checks(data, whole=True)
    if task.config.evidence != "off":
        avoid = {name: how.elsewhere for name, how in task.evidence.items() if how.elsewhere}
        result.evidence = document_evidence(
            doc, data, outcomes, origins, task.last_wins, task.config.evidence, avoid
        )
        result.data = result.evidence.data


def _clip(text: str) -> str:
    return text if len(text) <= REASK_TEXT_CHARS else text[:REASK_TEXT_CHARS] + " …"
