"""What an OpenAI-compatible endpoint tells about itself, read from its answers.

Servers state their context window in different places (model metadata such
as `context_length` or vLLM's `max_model_len`, llama.cpp's `/props`), phrase a
prompt that is too long in different words, and reject a structured-output
mode they lack with different statuses. These pure functions read all of
them, so the backend keeps one code path.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from extract.config import REQUESTY_BASE_URL, Config

# Keys of a `GET /models` entry that state the context window the model is served with.
_WINDOW_KEYS = (
    "context_length",  # OpenRouter, LM Studio
    "context_window",  # Requesty and others
    "max_model_len",  # vLLM
    "max_context_length",
    "n_ctx",
)

# The next structured-output mode to try when the server rejects one (auto mode only).
FALLBACK = {"json_schema": "tools", "tools": "json_object"}

_MODE_WORDS = re.compile(
    r"response_format|json_schema|json_object|tool_choice|\btools?\b|function.?call"
    r"|input should be 'text'",
    re.IGNORECASE,
)
_MODE_REJECT_STATUS = frozenset({400, 404, 415, 422, 500, 501})

_CONTEXT_WORDS = re.compile(
    r"context.length|context.window|maximum context|context size|exceeds? the "
    r"(?:available )?context|prompt is too long|too many tokens|input is too long",
    re.IGNORECASE,
)
_STATED_WINDOW = (
    re.compile(r"maximum context length is (\d+)", re.IGNORECASE),  # OpenAI, vLLM, llama-cpp-python
    re.compile(r"context (?:window|size|length) of (\d+)", re.IGNORECASE),  # llama.cpp
    re.compile(r"n_ctx\W+(\d+)", re.IGNORECASE),
)


def stated_window(entry: dict[str, Any]) -> int | None:
    """The context window a `GET /models` entry (its extra fields) states, if any."""
    for key in _WINDOW_KEYS:
        if (n := _positive_int(entry.get(key))) is not None:
            return n
    return None


def props_window(props: Any) -> int | None:
    """The context window in llama.cpp's `GET /props` answer, if any."""
    if not isinstance(props, dict):
        return None
    settings = props.get("default_generation_settings")
    if isinstance(settings, dict) and (n := _positive_int(settings.get("n_ctx"))) is not None:
        return n
    return _positive_int(props.get("n_ctx"))


def is_context_error(status: int, message: str, body: Any) -> bool:
    """Whether an HTTP error says the prompt did not fit the model's context."""
    if status not in (400, 413, 422, 500):
        return False
    error = body.get("error", body) if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("code") == "context_length_exceeded":
        return True
    if isinstance(error, dict) and error.get("type") == "exceed_context_size_error":
        return True  # llama.cpp's own server
    return bool(_CONTEXT_WORDS.search(message))


def window_in_error(message: str, body: Any) -> int | None:
    """The context window a context-length error states, if it states one."""
    error = body.get("error", body) if isinstance(body, dict) else None
    if isinstance(error, dict) and (n := _positive_int(error.get("n_ctx"))) is not None:
        return n
    for pattern in _STATED_WINDOW:
        if match := pattern.search(message):
            return int(match.group(1))
    return None


def rejects_mode(status: int, message: str) -> bool:
    """Whether an HTTP error reads as the server not supporting the structured-output mode."""
    return status in _MODE_REJECT_STATUS and bool(_MODE_WORDS.search(message))


def endpoint_identity(config: Config) -> str | None:
    """The endpoint, as part of the answer cache key: two servers never share answers.

    None for Requesty at its own address, so answers cached before the endpoint
    was part of the key (always Requesty's under that backend name) stay valid.
    User names and passwords in the URL are left out.
    """
    url = normalized_url(config.base_url)
    if config.backend == "requesty" and url == normalized_url(REQUESTY_BASE_URL):
        return None
    return url


def normalized_url(url: str) -> str:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path.rstrip("/"), parts.query, ""))


def server_root(base_url: str) -> str:
    """`http://host:8080/v1` -> `http://host:8080`: where llama.cpp serves `/props`."""
    url = base_url.rstrip("/")
    return url[: -len("/v1")] if url.endswith("/v1") else url


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    n = int(value)
    return n if n > 0 else None
