"""A model at the backend interface, for pool, merge and re-ask tests.

Like simonw/llm's `MockModel`: it answers from a function of the request and
records every request, with no HTTP in between. The SDK contract is the HTTP
fake's job (`tests/fake_server.py`); this one keeps pool and merge tests fast
and exact (in-flight counts, the order answers come back in).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from extract.llm.backends.base import Answer, StructuredRequest
from extract.llm.wire import Wire, plain_wire

Respond = Callable[[StructuredRequest], "Answer | dict[str, Any] | str"]


class FakeBackend:
    """Answers each request with `respond(request)`: an `Answer`, a dict (sent as JSON) or text."""

    name = "fake"
    mode = "json_schema"

    def __init__(self, respond: Respond, *, context_window: int = 32_768) -> None:
        self.model = "fake-model"
        self.context_window = context_window
        self.requests: list[StructuredRequest] = []
        self.in_flight = self.most_in_flight = 0
        self.closed = False
        self._respond = respond
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        return len(text.split()) + 1

    def schema_in_prompt(self) -> bool:
        return False

    def wire(self, schema: dict[str, Any]) -> Wire:
        return plain_wire(schema)

    def complete(self, request: StructuredRequest) -> Answer:
        with self._lock:
            self.requests.append(request)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            out = self._respond(request)
        finally:
            with self._lock:
                self.in_flight -= 1
        if isinstance(out, Answer):
            return out
        text = out if isinstance(out, str) else json.dumps(out)
        return Answer(text, "stop", prompt_tokens=100, completion_tokens=10, model=self.model)

    def close(self) -> None:
        self.closed = True


def document_of(request: StructuredRequest) -> str:
    """The document text inside a request's user message."""
    for message in reversed(request.messages):  # the chunk comes after any worked examples
        if message["role"] == "user" and "<document>\n" in str(message["content"]):
            content = str(message["content"])
            return content.split("<document>\n", 1)[1].rsplit("\n</document>", 1)[0]
    raise ValueError("no document in this request")
