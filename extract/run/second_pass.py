"""The evidence-driven second pass: one more request per document, for doubtful fields only.

After a document's chunks are answered, merged and validated, some fields are
doubtful: a value the text does not contain (its evidence `match` is none, or
grounding dropped it from a chunk's answer while the merged field stayed
empty), or an important field left empty (required in the schema, or marked
`json_schema_extra={"important": True}`; a list with `"expected_items": n`
also when it has fewer than n items). Those fields, and only those, are asked
again in ONE request, with a few passages that the lexical search
(`extract.evidence.passages`) finds for each field's name, description,
`keywords` and rejected value, instead of whole chunks: a small model reads a
clause it skimmed past in a long chunk.

An answer replaces a value only where it is grounded in the document text (the
evidence table's own search); anything else keeps the first value. The
request goes through the run's services like a chunk's (retries, limits,
budget, audit log, answer cache) and counts in the document's usage; the row's
`notes` say which fields were asked and which changed. Only top-level scalar
fields and lists of scalars take part: a yes/no is never printed as such, and
a list of objects (line items) needs more than one value found.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from typing import Any

from pydantic import ValidationError, create_model

from extract.errors import InvalidAnswer, ProviderError
from extract.evidence.grounding import ground_answer, someone_elses
from extract.evidence.labels import PrintedAfter
from extract.evidence.locating import TextIndex
from extract.evidence.passages import Passage, find_passages, merge_passages, passages_at
from extract.evidence.rows import ChunkSpan, EvidenceRow, collect_evidence
from extract.evidence.step import page_starts
from extract.ingest.documents import Document
from extract.llm.backends.base import StructuredRequest
from extract.llm.prompting import passages_message, system_prompt
from extract.llm.strict_schema import field_extra, field_guide, to_strict_schema
from extract.llm.validation import load_object
from extract.llm.wire import answer_bound
from extract.output.merge import Merged, normal_key
from extract.output.results import DocumentResult, Usage
from extract.run.cache import CachedAnswer
from extract.run.core import MIN_ANSWER_TOKENS, ChunkOutcome, conclude, finish_document
from extract.run.record import amounts_as_meant, merge_parts
from extract.run.services import RunServices
from extract.run.task import Task

LABEL = "second-pass"  # the request's `chunk` tag, in the audit log
PASSAGES_PER_FIELD = 2
MAX_PASSAGES = 6  # about 1,500 tokens of passages, whatever the number of fields asked
_SCALARS = ("string", "number", "integer")
_TOP = re.compile(r"[.\[]")


@dataclass(frozen=True)
class Ask:
    """A field asked again, why (as the prompt says it), and the value rejected, if any."""

    field: str
    reason: str
    value: str | None = None


def finish_with_second_pass(
    doc: Document,
    outcomes: list[ChunkOutcome],
    task: Task,
    services: RunServices,
    superseded: Usage | None = None,
) -> DocumentResult:
    """`finish_document`, then one request for the doubtful fields; never raises for the model.
    `outcomes` in any order (the pool's is the order the parts finished in): read in the
    document's, so the merge and the request are the same whichever part answered first."""
    outcomes = sorted(outcomes, key=lambda o: o.chunk.index)
    result = finish_document(doc, outcomes, task, superseded)
    good = [o for o in outcomes if o.data is not None]
    if result.data is None or not good or services.stop.requested.is_set():
        return result
    parts = [(o.chunk.label, o.data) for o in good if o.data is not None]
    merged, labels = merge_parts(doc, parts, task)
    data = task.schema.model_validate(merged.data).model_dump(mode="json")
    rows = result.evidence.rows if result.evidence else _rows(doc, data, outcomes, task)
    asks = doubtful(task, data, rows, outcomes, labels)
    if not asks:
        return result
    usage = Usage()
    try:
        answer = _ask(doc, data, asks, task, services, usage, result.models, labels)
    except (ProviderError, InvalidAnswer, ValidationError) as exc:
        answer, problem = None, f"{type(exc).__name__}: {str(exc)[:200]}"
    else:
        problem = None if answer is not None else "answer truncated"
    result.usage.add(usage)
    changed: dict[str, Any] = {}
    if answer is not None:
        for ask in asks:
            value = revised(data.get(ask.field), answer.get(ask.field), labels.index)
            if value is not None and labels.misplaced(ask.field, value):
                value = None  # not where the labels say either: the first value stays
            if value is not None:
                changed[ask.field] = value
    if changed:
        read = amounts_as_meant(Merged(changed), task, labels.index)
        changed, result.notes = read.data, result.notes + read.notes
        origins = {k: v for k, v in merged.origins.items() if k not in changed}
        conclude(result, doc, outcomes, task, {**data, **changed}, origins)
    asked = [a.field for a in asks]
    result.second_pass = {"asked": asked, "changed": list(changed)}
    note = f"second pass: asked {', '.join(asked)}; changed {', '.join(changed) or 'none'}"
    result.notes.append(note + (f" ({problem})" if problem else ""))
    return result


def doubtful(
    task: Task,
    data: dict[str, Any],
    rows: list[EvidenceRow],
    outcomes: list[ChunkOutcome],
    labels: PrintedAfter,
) -> list[Ask]:
    """The fields to ask again, in schema order, each once."""
    eligible = eligible_fields(task.strict_schema)
    asks: dict[str, Ask] = {}
    for row in rows:
        name = _TOP.split(row.field, 1)[0]
        if row.match == "none" and name in eligible and name not in asks:
            asks[name] = Ask(name, f"{name}: {_quote(row.value)} is not in the document", row.value)
    dropped: dict[str, str] = {}
    for o in outcomes:
        for name, values in o.dropped.items():
            dropped.setdefault(name, values[0])
    for name, value in dropped.items():
        if name in eligible and name not in asks and _empty(data.get(name)):
            how = task.evidence.get(name)
            place = someone_elses(value, how, labels.index.text) if how else None
            where = f"is printed only {place}" if place else "is not in the document"
            asks[name] = Ask(name, f"{name}: {_quote(value)} {where}", value)
    for name, info in task.schema.model_fields.items():
        extra = field_extra(info)
        if (
            name not in eligible
            or name in asks
            or not (info.is_required() or extra.get("important"))
        ):
            continue
        value = data.get(name)
        expected = int(extra.get("expected_items", 1)) if isinstance(value, list) else 1
        if _empty(value):
            asks[name] = Ask(name, f"{name}: no value was found", dropped.get(name))
        elif isinstance(value, list) and len(value) < expected:
            reason = f"{name}: {len(value)} found, usually at least {expected}"
            asks[name] = Ask(name, reason, dropped.get(name))
    for name, named in task.labelled.items():
        value = data.get(name)
        if name not in eligible or name in asks or _empty(value):
            continue
        if labels.misplaced(name, value):
            where = " or ".join(_quote(label) for label in named[:3])
            reason = f"{name}: {_quote(str(value))} is not printed after {where}"
            asks[name] = Ask(name, reason, str(value))
    order = list(task.schema.model_fields)
    return sorted(asks.values(), key=lambda a: order.index(a.field))


def eligible_fields(strict: dict[str, Any]) -> frozenset[str]:
    """Top-level fields holding a scalar or a list of scalars (not yes/no, not objects)."""
    out = set()
    for name, node in strict.get("properties", {}).items():
        node = _non_null(node)
        if node.get("type") == "array":
            node = _non_null(node.get("items", {}))
        if node.get("type") in _SCALARS:
            out.add(name)
    return frozenset(out)


def revised(old: Any, new: Any, index: TextIndex) -> Any | None:
    """The value to keep instead of `old`, or None to keep `old`: only what is grounded.

    A list keeps its grounded items and gains the answer's grounded new ones."""
    if isinstance(new, list):
        found = [v for v in new if index.find(v) is not None]
        if not found:
            return None
        out = [v for v in (old or []) if index.find(v) is not None]
        keys = {normal_key(v) for v in out}
        for v in found:
            if normal_key(v) not in keys:
                keys.add(normal_key(v))
                out.append(v)
        return out if normal_key(out) != normal_key(old or []) else None
    if _empty(new) or index.find(new) is None or normal_key(new) == normal_key(old):
        return None
    return new


def passages_for(doc: Document, asks: list[Ask], task: Task, labels: PrintedAfter) -> list[Passage]:
    """The passages for all asked fields, in document order, at most MAX_PASSAGES: each
    field's best first, so a field whose passage ends the report is not cut for others."""
    starts = page_starts(doc.pages)
    by_field: list[list[Passage]] = []
    for ask in asks:
        info = task.schema.model_fields[ask.field]
        extra = field_extra(info)
        ends = labels.ends.get(ask.field)
        if ends:  # the labels say where the value is printed: read there
            by_field.append(passages_at(doc.text, starts, ends[:PASSAGES_PER_FIELD]))
            continue
        terms = [ask.field.replace("_", " "), info.description or "", *extra.get("keywords", ())]
        by_field.append(find_passages(doc.text, starts, terms, ask.value, top=PASSAGES_PER_FIELD))
    ranked = [ps[rank] for rank in range(PASSAGES_PER_FIELD) for ps in by_field if rank < len(ps)]
    return merge_passages(ranked[:MAX_PASSAGES], doc.text, starts)


def _ask(
    doc: Document,
    data: dict[str, Any],
    asks: list[Ask],
    task: Task,
    services: RunServices,
    usage: Usage,
    models: list[str],
    labels: PrintedAfter,
) -> dict[str, Any] | None:
    """The answer for the asked fields, validated with the rest of the record; None if cut."""
    names = [a.field for a in asks]
    fields = {
        n: (task.schema.model_fields[n].annotation, task.schema.model_fields[n]) for n in names
    }
    sub = create_model(task.schema.__name__, __doc__=task.schema.__doc__, **fields)  # type: ignore[call-overload]
    wire = services.backend.wire(to_strict_schema(sub))
    passages = passages_for(doc, asks, task, labels)
    user = passages_message(
        [(p.pages, p.text) for p in passages],
        [a.reason for a in asks],
    )
    system = system_prompt(
        task.schema_name,
        task.description,
        field_guide(sub, wire.tuples),
        multi_part=False,
        passages=True,
    )
    bound = answer_bound(wire.schema, sum(services.backend.count_tokens(p.text) for p in passages))
    request = StructuredRequest(
        messages=({"role": "system", "content": system}, {"role": "user", "content": user}),
        schema=wire.schema,
        schema_name=task.schema_name,
        max_tokens=min(task.config.max_tokens, max(MIN_ANSWER_TOKENS, bound)),
        temperature=task.config.temperature,
        tags={"doc_id": doc.doc_id, "chunk": LABEL, "attempt": "0"},
        max_items=task.caps_for("\n".join(p.text for p in passages)),
    )
    key = services.cache_key(request)
    hit = services.recall(key)
    fresh = hit is None or hit.data is None
    if hit is not None and hit.data is not None:
        usage.add(Usage(**hit.usage))
        raw, answered = hit.data, hit.models
    else:
        reply = services.send(request, usage)
        answered = [reply.model]
        if reply.truncated:
            models.extend(m for m in answered if m not in models)
            return None
        raw = wire.decode(load_object(reply.text))
    models.extend(m for m in answered if m not in models)
    grounding = {k: v for k, v in task.evidence.items() if k in names}
    grounded = ground_answer({n: raw.get(n) for n in names}, grounding, doc.text)
    # validated with the rest of the record: the schema's own normalisers run on the new values
    checked = task.schema.model_validate({**data, **grounded}).model_dump(mode="json")
    if fresh:  # kept only once it validated, like a chunk's answer
        services.remember(key, CachedAnswer(raw, asdict(usage), answered))
    return {n: checked.get(n) for n in names}


def _rows(
    doc: Document, data: dict[str, Any], outcomes: list[ChunkOutcome], task: Task
) -> list[EvidenceRow]:
    """Evidence rows for a run that keeps no evidence table: what grounding the record finds."""
    return collect_evidence(
        doc.doc_id,
        doc.text,
        page_starts(doc.pages),
        data,
        chunks=[ChunkSpan(o.chunk.label, o.chunk.char_start, o.chunk.char_end) for o in outcomes],
        answers=[(o.chunk.label, o.data) for o in outcomes if o.data is not None],
        last_wins=task.last_wins,
    ).rows


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _quote(value: str) -> str:
    return json.dumps(value[:200], ensure_ascii=False)


def _non_null(node: dict[str, Any]) -> dict[str, Any]:
    options = [o for o in node.get("anyOf", []) if o != {"type": "null"}]
    return options[0] if len(options) == 1 else node
