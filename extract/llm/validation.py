"""Turning a model's answer text into a validated pydantic object.

The error text is written for the model: a re-ask shows it what was wrong.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError

from extract.errors import InvalidAnswer

_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
MAX_ERRORS_SHOWN = 8


def load_object(text: str | None) -> dict[str, Any]:
    """The JSON object in a model's answer (a Markdown fence around it is tolerated)."""
    if text is None or not text.strip():
        raise InvalidAnswer("the answer was empty; a JSON object was expected")
    data = _load_json(text)
    if not isinstance(data, dict):
        raise InvalidAnswer(f"expected a JSON object, got {type(data).__name__}")
    return data


def validate_object(data: dict[str, Any], schema: type[BaseModel]) -> BaseModel:
    """Validate; raise `InvalidAnswer` with a short, model-readable reason."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise InvalidAnswer(describe_validation_error(exc)) from None


def describe_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:MAX_ERRORS_SHOWN]:
        where = ".".join(str(p) for p in err["loc"]) or "(root)"
        parts.append(f"{where}: {err['msg']}")
    more = exc.error_count() - MAX_ERRORS_SHOWN
    if more > 0:
        parts.append(f"and {more} more errors")
    return "; ".join(parts)


def _load_json(text: str) -> Any:
    match = _FENCE.match(text)
    if match:
        text = match.group(1)
    try:
        return json.loads(text)
    except json.JSONDecodeError as first:
        start, end = text.find("{"), text.rfind("}")
        if 0 <= start < end:
            try:
                return json.loads(text[start : end + 1])
            except json.JSONDecodeError:
                pass
        raise InvalidAnswer(f"invalid JSON ({first.msg} at char {first.pos})") from None
