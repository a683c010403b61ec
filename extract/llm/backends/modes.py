"""Ways of getting structured output from an OpenAI-compatible endpoint.

Each mode knows how to prepare the request and where the JSON sits in the
response; the registry `MODES` maps names to them (instructor's pattern, without
if-chains spread over the code). Re-asks are plain text turns, the same for all
modes (see `extract.llm.prompting.reask_messages`). A leaf: the configuration
reads the names of `MODES` (through `extract.llm.backends.MODE_NAMES`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Protocol

from extract.llm.backends.base import StructuredRequest

SCHEMA_TEMPLATE = "\nJSON schema of the answer:\n<schema>\n{schema}\n</schema>"


def schema_block(schema: dict[str, Any]) -> str:
    """The schema as text, for modes where the provider does not see it otherwise."""
    return SCHEMA_TEMPLATE.format(schema=json.dumps(schema, separators=(",", ":")))


class Mode(Protocol):
    name: str

    def prepare(self, request: StructuredRequest) -> dict[str, Any]:
        """The mode-specific keyword arguments of `chat.completions.create`."""
        ...

    def answer_text(self, message: Any) -> str | None:
        """The JSON text inside a response message."""
        ...


def _function_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64] or "extract"


@dataclass(frozen=True)
class JsonSchemaMode:
    """`response_format: json_schema, strict: true`: grammar-constrained on Mistral."""

    name: str = "json_schema"

    def prepare(self, request: StructuredRequest) -> dict[str, Any]:
        return {
            "messages": list(request.messages),
            "response_format": {
                "type": "json_schema",
                "json_schema": {
                    "name": _function_name(request.schema_name),
                    "schema": request.schema,
                    "strict": True,
                },
            },
        }

    def answer_text(self, message: Any) -> str | None:
        return message.content


@dataclass(frozen=True)
class ToolsMode:
    """The schema as the parameters of one function the model is forced to call."""

    name: str = "tools"

    def prepare(self, request: StructuredRequest) -> dict[str, Any]:
        fname = _function_name(request.schema_name)
        return {
            "messages": list(request.messages),
            "tools": [
                {
                    "type": "function",
                    "function": {
                        "name": fname,
                        "description": request.schema.get(
                            "description", "Record the extracted data."
                        ),
                        "parameters": request.schema,
                        "strict": True,
                    },
                }
            ],
            "tool_choice": {"type": "function", "function": {"name": fname}},
        }

    def answer_text(self, message: Any) -> str | None:
        calls = getattr(message, "tool_calls", None) or []
        if calls:
            return calls[0].function.arguments
        return message.content


@dataclass(frozen=True)
class JsonObjectMode:
    """`response_format: json_object` with the schema written into the system prompt."""

    name: str = "json_object"

    def prepare(self, request: StructuredRequest) -> dict[str, Any]:
        messages = [dict(m) for m in request.messages]
        messages[0]["content"] = messages[0]["content"] + schema_block(request.schema)
        return {"messages": messages, "response_format": {"type": "json_object"}}

    def answer_text(self, message: Any) -> str | None:
        return message.content


MODES: dict[str, Mode] = {m.name: m for m in (JsonSchemaMode(), ToolsMode(), JsonObjectMode())}
