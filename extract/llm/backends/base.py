"""The one narrow interface every model backend implements.

The chunker, validator, merger and writers only see `Backend`: they never know
whether a hosted API or the embedded llama.cpp model answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from extract.llm.wire import Wire

Message = dict[str, Any]

# finish_reason values meaning the answer was cut off before the JSON ended.
TRUNCATED_REASONS = frozenset({"length", "model_length", "error"})


@dataclass(frozen=True)
class StructuredRequest:
    """One request for a JSON answer that follows `schema`.

    `messages` holds the system prompt, the user message with the document
    chunk and, on a re-ask, the rejected answer and the correction.
    `schema` is the strict JSON schema (see `extract.llm.strict_schema`).
    `max_items` caps top-level lists for backends that decode under a grammar
    (a small model can repeat one list item until `max_tokens` runs out); the
    strict schema carries no item counts, so hosted providers never see it.
    """

    messages: tuple[Message, ...]
    schema: dict[str, Any]
    schema_name: str
    max_tokens: int
    temperature: float = 0.0
    tags: dict[str, str] = field(default_factory=dict)
    max_items: dict[str, int] = field(default_factory=dict)  # field -> most items (grammars)


@dataclass(frozen=True)
class Timings:
    """Where one request's time went, from the model server's own counters (llama.cpp)."""

    prompt_evaluated: int  # prompt tokens computed; fewer than sent when the KV cache held a prefix
    prompt_ms: float
    generated: int
    generation_ms: float


@dataclass(frozen=True)
class Answer:
    """What one successful HTTP/model call gave back, before validation."""

    text: str | None
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    model: str
    request_id: str | None = None
    # the answer's tokens with the natural log of each one's probability, where given
    logprobs: tuple[tuple[str, float], ...] | None = None
    usage_counted_locally: bool = False  # the provider sent no usage: tokens counted here
    timings: Timings | None = None  # where the server reports them

    @property
    def truncated(self) -> bool:
        return self.finish_reason in TRUNCATED_REASONS


@runtime_checkable
class Backend(Protocol):
    """A model that answers `StructuredRequest`s.

    `name` is the backend kind ("requesty", "openai", "local"), `model` the
    model asked for, `mode` how structured output is obtained ("json_schema",
    "tools", "json_object", "grammar"). `complete` raises
    `extract.errors.ProviderError` on failure; it never retries by itself.
    """

    name: str
    model: str
    mode: str
    context_window: int

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` in this model's own tokenizer."""
        ...

    def schema_in_prompt(self) -> bool:
        """Whether the schema's text is part of the prompt (and so of the budget)."""
        ...

    def wire(self, schema: dict[str, Any]) -> Wire:
        """The shape this backend's answers take for `schema` (see `extract.llm.wire`)."""
        ...

    def complete(self, request: StructuredRequest) -> Answer: ...

    def close(self) -> None: ...


def cache_identity(backend: Backend) -> str | None:
    """What, besides name and model, tells this backend's answers apart in the cache.

    The endpoint of a hosted model, the weights' hash of a local one; None
    where name and model already say it all (and for backends that predate it).
    """
    return getattr(backend, "cache_identity", None)


class BackendWrapper:
    """A backend that adds one concern (rate limits, audit, budget) around another.

    Subclasses override `complete`; everything else is the inner backend's, read
    live: a backend may change its mode (a rejected one falls back) or learn a
    smaller context window from the server during a run.
    """

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.name, self.model = inner.name, inner.model

    @property
    def mode(self) -> str:
        return self.inner.mode

    @property
    def context_window(self) -> int:
        return self.inner.context_window

    @property
    def cache_identity(self) -> str | None:
        return cache_identity(self.inner)

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def schema_in_prompt(self) -> bool:
        return self.inner.schema_in_prompt()

    def wire(self, schema: dict[str, Any]) -> Wire:
        return self.inner.wire(schema)

    def complete(self, request: StructuredRequest) -> Answer:
        return self.inner.complete(request)

    def close(self) -> None:
        self.inner.close()
