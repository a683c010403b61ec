"""What a run extracts, prepared once from the schema: the `Task` every chunk request shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from extract.config import Config
from extract.errors import ConfigError
from extract.evidence.grounding import (
    Grounding,
    evidence_fields,
    ground_answer,
    kept_by_grounding,
)
from extract.evidence.labels import labelled_fields
from extract.evidence.legal_names import legal_names
from extract.ingest.chunking import Chunk
from extract.llm.backends.base import Backend, Message
from extract.llm.checks import Check, failed_checks, schema_checks
from extract.llm.prompting import example_messages, system_prompt
from extract.llm.strict_schema import field_extra, field_guide, fields_marked, to_strict_schema
from extract.llm.validation import validate_object
from extract.llm.wire import Wire
from extract.output.merge import last_wins_fields
from extract.run.example_pool import ExamplePool, load_pool


@dataclass(frozen=True)
class Task:
    """What a run extracts, prepared once: the schema and the texts derived from it."""

    schema: type[BaseModel]
    schema_name: str
    strict_schema: dict[str, Any]
    field_guide: str
    config: Config
    examples: tuple[tuple[str, dict[str, Any]], ...] = ()  # (document, answer), checked
    evidence: dict[str, Grounding] = field(default_factory=dict)  # grounded fields -> how
    last_wins: frozenset[str] = frozenset()  # fields merged from the last chunk that has one
    labelled: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `printed_after`
    scaled: frozenset[str] = frozenset()  # number fields a page may print in thousands
    row_totals: frozenset[str] = frozenset()  # number fields that are a row's total
    checks: tuple[Check, ...] = ()  # rules across fields (the schema's CHECKS)
    max_items: dict[str, int] = field(default_factory=dict)  # list caps for grammar backends
    pool: ExamplePool | None = None  # labelled examples, the nearest sent (`examples_from`)
    # Token counts of the prompt parts that do not depend on the document, per backend:
    # counted once, not once per document.
    _fixed_tokens: dict[str, int] = field(default_factory=dict, compare=False, repr=False)
    _wires: dict[str, Wire] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, schema: type[BaseModel], schema_name: str, config: Config) -> Task:
        return cls(
            schema=schema,
            schema_name=schema_name,
            strict_schema=to_strict_schema(schema),
            field_guide=field_guide(schema),
            config=config,
            examples=tuple(_checked_examples(schema)),
            evidence=evidence_fields(schema),
            last_wins=last_wins_fields(schema),
            labelled=labelled_fields(schema),
            scaled=fields_marked(schema, "scaled_by_header"),
            row_totals=fields_marked(schema, "row_total"),
            checks=schema_checks(schema),
            max_items=list_caps(schema),
            pool=load_pool(config.examples_from, schema) if config.examples_from else None,
        )

    def accept(self, raw: dict[str, Any], chunk: Chunk, *, ground: bool = True) -> dict[str, Any]:
        """The model's raw object grounded in the chunk text, validated, as JSON-ready data.

        `ground=False` for a chunk holding a page image with no text to check against
        (OCR not installed): its values can only be taken as the model read them.
        """
        grounded = ground_answer(raw, self.evidence, chunk.text) if ground else raw
        return validate_object(grounded, self.schema).model_dump(mode="json")

    def dropped(self, raw: dict[str, Any], chunk: Chunk) -> dict[str, list[str]]:
        """The values of a raw answer that grounding in the chunk text drops, by field."""
        lost: dict[str, list[str]] = {}
        ground_answer(raw, self.evidence, chunk.text, lost=lost)
        return lost

    def caps_for(self, text: str) -> dict[str, int]:
        """The list caps for a chunk: a list of names may hold as many as the text prints
        legal names (a joint filing agreement signed by ten funds), never fewer than the
        schema's cap. Unchanged for most texts, so their cache keys stay the same."""
        names = [f for f in self.max_items if getattr(self.evidence.get(f), "mode", "") == "name"]
        if not names:
            return self.max_items
        printed = len(legal_names(text))
        return {f: max(cap, printed) if f in names else cap for f, cap in self.max_items.items()}

    def failed_checks(self, data: dict[str, Any], *, whole: bool) -> dict[str, str]:
        """{rule: discrepancy} for the schema's CHECKS that `data` breaks."""
        return failed_checks(self.checks, data, whole=whole)

    @property
    def description(self) -> str:
        return (self.schema.__doc__ or self.schema_name).strip().splitlines()[0]

    def wire(self, backend: Backend) -> Wire:
        """How this backend's answers are shaped (tuples for a grammar model), worked out once."""
        key = f"{backend.name}:{backend.model}"
        if key not in self._wires:
            self._wires[key] = backend.wire(self.strict_schema)
        return self._wires[key]

    def system(self, *, multi_part: bool, wire: Wire | None = None) -> str:
        guide = field_guide(self.schema, wire.tuples) if wire and wire.tuples else self.field_guide
        return system_prompt(self.schema_name, self.description, guide, multi_part=multi_part)

    def example_turns(
        self, wire: Wire | None = None, text: str | None = None
    ) -> tuple[Message, ...]:
        """The worked examples as earlier turns, their answers in the wire's shape: the schema's
        own where `Config.sends_examples`, then the labelled ones nearest `text` (with no
        text, the longest: what a chunk's token budget must leave room for). The fixed ones
        come first, so llama.cpp's KV cache keeps them from one document to the next."""
        chosen = list(self.examples) if self.config.sends_examples else []
        if self.pool is not None and self.config.examples != "off":
            k = self.config.nearest_examples
            chosen += self.pool.nearest(text, k) if text is not None else self.pool.longest(k)
        encode = wire.encode if wire is not None else (lambda answer: answer)
        return example_messages([(doc, encode(answer)) for doc, answer in chosen])

    def prompt_texts(self, *, multi_part: bool, wire: Wire | None = None) -> list[str]:
        """The messages sent before the document: the system prompt and the worked examples."""
        turns = self.example_turns(wire)
        return [self.system(multi_part=multi_part, wire=wire), *(m["content"] for m in turns)]


def list_caps(schema: type[BaseModel]) -> dict[str, int]:
    """{list field: most items} for lists that declare `expected_items`: four times the
    expectation, at least 8. A 1.5B model reading OCR text once wrote one party 90 times
    until `max_tokens`; the grammar then closes the list and the other fields follow.
    A chunk that prints more names gets a higher cap (`Task.caps_for`)."""
    caps = {}
    for name, info in schema.model_fields.items():
        extra = field_extra(info)
        if "expected_items" in extra:
            caps[name] = max(MIN_LIST_CAP, 4 * int(extra["expected_items"]))  # type: ignore[arg-type]
    return caps


MIN_LIST_CAP = 8


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
            if not kept_by_grounding(answer.get(name), grounded.get(name)):
                raise ConfigError(
                    f"{schema.__name__}.EXAMPLES: {name}={answer.get(name)!r} is not in the "
                    "example text"
                )
    return examples
