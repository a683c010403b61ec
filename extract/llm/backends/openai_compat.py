"""Any OpenAI-compatible chat endpoint (Requesty, Mistral, OpenAI, llama-server...).

Uses the official `openai` SDK with its own retries off: the pipeline has one
retry layer (`extract.llm.retry`), so attempts never multiply unseen.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any

import openai

from extract.config import Config
from extract.errors import ConfigError, ProviderError
from extract.ingest.tokenizer import count_tekken_tokens
from extract.llm.backends.base import Answer, StructuredRequest
from extract.llm.backends.modes import MODES, Mode

RETRYABLE_STATUS = frozenset({408, 409, 424, 429}) | frozenset(range(500, 600))


class OpenAICompatBackend:
    """A hosted model behind an OpenAI-compatible `/chat/completions`."""

    def __init__(
        self, config: Config, client: openai.OpenAI | None = None, *, probe: bool = True
    ) -> None:
        assert config.api_key is not None  # Config guarantees it for hosted backends
        self.name = config.backend
        self.model = config.model
        self.context_window = config.context_window
        self._config = config
        self._client = client or openai.OpenAI(
            base_url=config.base_url,
            api_key=config.api_key.get_secret_value(),
            max_retries=0,
            timeout=config.timeout_s,
            default_headers={"X-Title": "extract"},
        )
        # Without a probe (dry runs send nothing) `auto` is assumed to be json_schema.
        self._mode: Mode = MODES[self._pick_mode() if probe else _assumed(config.mode)]
        self.mode = self._mode.name

    def count_tokens(self, text: str) -> int:
        return count_tekken_tokens(text)

    def schema_in_prompt(self) -> bool:
        # Mistral copies a json_schema into the prompt; tool definitions are prompt
        # tokens too; json_object mode writes it in the system prompt.
        return True

    def complete(self, request: StructuredRequest) -> Answer:
        kwargs = self._mode.prepare(request)
        try:
            response = self._client.chat.completions.create(
                model=self.model,
                max_tokens=request.max_tokens,
                temperature=request.temperature,
                **kwargs,
            )
        except openai.APIStatusError as exc:
            raise self._status_error(exc) from None
        except openai.APIConnectionError as exc:  # includes timeouts
            kind = "timeout" if isinstance(exc, openai.APITimeoutError) else "connection error"
            raise ProviderError(
                f"{kind}: {type(exc.__cause__ or exc).__name__}",
                provider=self._config.provider,
                retryable=True,
                original=exc,
            ) from None
        except openai.OpenAIError as exc:  # e.g. a body that is not JSON
            raise ProviderError(
                f"bad response: {exc}", provider=self._config.provider, retryable=True, original=exc
            ) from None
        if not getattr(response, "choices", None):
            raise ProviderError(
                "response has no choices", provider=self._config.provider, retryable=True
            )
        choice = response.choices[0]
        usage = response.usage
        return Answer(
            text=self._mode.answer_text(choice.message),
            finish_reason=str(choice.finish_reason or "stop"),
            prompt_tokens=int(getattr(usage, "prompt_tokens", 0) or 0),
            completion_tokens=int(getattr(usage, "completion_tokens", 0) or 0),
            model=str(response.model or self.model),
            request_id=getattr(response, "_request_id", None) or response.id,
        )

    def close(self) -> None:
        self._client.close()

    def _pick_mode(self) -> str:
        """`auto` asks `GET /models` whether the model supports json_schema, else uses tools."""
        if self._config.mode != "auto":
            return self._config.mode
        try:
            listing = self._client.models.list()
        except openai.AuthenticationError as exc:
            raise ConfigError(
                f"{self._config.provider}: the API key was refused ({exc.status_code})"
            ) from None
        except openai.OpenAIError:
            return "tools"
        for entry in listing.data:
            if entry.id == self.model:
                extra: dict[str, Any] = entry.model_extra or {}
                return "json_schema" if extra.get("supports_json_schema") else "tools"
        return "tools"

    def _status_error(self, exc: openai.APIStatusError) -> ProviderError:
        status = exc.status_code
        return ProviderError(
            _error_message(exc),
            provider=self._config.provider,
            status=status,
            retryable=status in RETRYABLE_STATUS,
            retry_after=_retry_after(exc.response.headers),
            original=exc,
        )


def _assumed(mode: str) -> str:
    return "json_schema" if mode == "auto" else mode


def _error_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:500]
        if isinstance(inner, str):
            return inner[:500]
    return str(exc.message)[:500]


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date)."""
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None
