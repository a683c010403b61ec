"""Any OpenAI-compatible chat endpoint (Requesty, Mistral, OpenAI, llama-server...).

Uses the official `openai` SDK with its own retries off: the pipeline has one
retry layer (`extract.llm.retry`), so attempts never multiply unseen.
"""

from __future__ import annotations

import codecs
import email.utils
import json
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC
from typing import Any

import openai

from extract.config import Config
from extract.errors import ConfigError, ContextLengthError, ProviderError
from extract.ingest.tokenizer import MESSAGE_OVERHEAD, count_tekken_tokens
from extract.llm.backends.base import Answer, StructuredRequest
from extract.llm.backends.endpoint import (
    FALLBACK,
    endpoint_identity,
    is_context_error,
    props_window,
    rejects_mode,
    server_root,
    stated_window,
    window_in_error,
)
from extract.llm.backends.modes import MODES, Mode
from extract.llm.redact import redact
from extract.llm.vision import content_tokens
from extract.llm.wire import Wire, plain_wire

RETRYABLE_STATUS = frozenset({408, 409, 424, 429}) | frozenset(range(500, 600))


class OpenAICompatBackend:
    """A hosted model behind an OpenAI-compatible `/chat/completions`."""

    def __init__(
        self,
        config: Config,
        client: openai.OpenAI | None = None,
        *,
        probe: bool = True,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.name = config.backend
        self.model = config.model
        self.context_window = config.context_window
        self._config = config
        self.cache_identity = endpoint_identity(config)
        self._warn = warn or (lambda msg: print(f"extract: warning: {msg}", file=sys.stderr))
        self._switch = threading.Lock()
        self._secrets = config.secrets
        key = config.api_key.get_secret_value() if config.api_key is not None else None
        # An endpoint without a key of its own gets no Authorization header at all (the
        # SDK would otherwise fall back to OPENAI_API_KEY from the environment).
        self._auth: dict[str, Any] = {} if key else {"Authorization": openai.Omit()}
        self._client = client or openai.OpenAI(
            base_url=config.base_url,
            api_key=key or "no-key",
            max_retries=0,
            timeout=config.timeout_s,
            default_headers={"X-Title": "extract", **self._auth},
        )
        # Without a probe (dry runs send nothing) `auto` is assumed to be json_schema.
        entry = self._model_entry() if probe else None
        self._mode: Mode = MODES[self._pick_mode(entry) if probe else _assumed(config.mode)]
        self.mode = self._mode.name
        self._auto = config.mode == "auto"
        self._logprobs = config.logprobs == "on" or (
            config.logprobs == "auto" and offers_logprobs(entry)
        )
        stated = self._stated_window(entry) if probe else None
        if stated is not None:
            self._use_window(stated)

    def count_tokens(self, text: str) -> int:
        return count_tekken_tokens(text)

    def wire(self, schema: dict[str, Any]) -> Wire:
        # Strict json_schema and tools modes accept no tuples (prefixItems): objects as they are.
        return plain_wire(schema)

    def schema_in_prompt(self) -> bool:
        # Mistral copies a json_schema into the prompt; tool definitions are prompt
        # tokens too; json_object mode writes it in the system prompt.
        return True

    def complete(self, request: StructuredRequest) -> Answer:
        while True:
            mode = self._mode
            kwargs = mode.prepare(request)
            try:
                response = self._client.chat.completions.create(
                    model=self.model,
                    max_tokens=request.max_tokens,
                    temperature=request.temperature,
                    extra_headers=self._auth or None,
                    **({"logprobs": True} if self._logprobs else {}),
                    **kwargs,
                )
                break
            except openai.APIStatusError as exc:
                error = self._status_error(exc)
                if self._rejected(mode, error):
                    continue  # the same request again, in the next mode
                raise error from None
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
                    redact(f"bad response: {exc}", self._secrets),
                    provider=self._config.provider,
                    retryable=True,
                    original=exc,
                ) from None
        if not getattr(response, "choices", None):
            raise ProviderError(
                "response has no choices", provider=self._config.provider, retryable=True
            )
        choice = response.choices[0]
        text = mode.answer_text(choice.message)
        usage = response.usage
        prompt = getattr(usage, "prompt_tokens", None)
        completion = getattr(usage, "completion_tokens", None)
        counted_locally = prompt is None or completion is None
        if counted_locally:  # no usage is not free: count what was sent and received
            prompt = prompt if prompt is not None else self._prompt_tokens(kwargs)
            completion = completion if completion is not None else self.count_tokens(text or "")
        return Answer(
            text=text,
            finish_reason=str(choice.finish_reason or "stop"),
            prompt_tokens=int(prompt),
            completion_tokens=int(completion),
            model=str(response.model or self.model),
            request_id=getattr(response, "_request_id", None) or response.id,
            logprobs=_token_logprobs(choice) if mode.name != "tools" else None,
            usage_counted_locally=counted_locally,
        )

    def _prompt_tokens(self, kwargs: dict[str, Any]) -> int:
        """The prompt as sent (messages, and the schema or tool definition), counted here."""
        messages = kwargs.get("messages") or []
        total = sum(content_tokens(m.get("content"), self.count_tokens) for m in messages)
        total += MESSAGE_OVERHEAD * len(messages)
        extra = {k: v for k, v in kwargs.items() if k in ("response_format", "tools")}
        return total + (self.count_tokens(json.dumps(extra)) if extra else 0)

    def close(self) -> None:
        self._client.close()

    def _model_entry(self) -> dict[str, Any] | None:
        """This model's entry in `GET /models` (its extra fields), None if not listed."""
        try:
            listing = self._client.models.list(extra_headers=self._auth or None)
        except openai.AuthenticationError as exc:
            if self._auth:  # we sent no key
                raise ConfigError(
                    f"{self._config.provider} needs an API key ({exc.status_code}): pass "
                    "--api-key, or set EXTRACT_API_KEY beside EXTRACT_BASE_URL"
                ) from None
            raise ConfigError(
                f"{self._config.provider}: the API key was refused ({exc.status_code})"
            ) from None
        except openai.OpenAIError:
            return None
        for entry in listing.data:
            if entry.id == self.model:
                return dict(entry.model_extra or {})
        return None

    def _pick_mode(self, entry: dict[str, Any] | None) -> str:
        """`auto` uses json_schema where the model entry reports support, else tools."""
        if self._config.mode != "auto":
            return self._config.mode
        return "json_schema" if entry and entry.get("supports_json_schema") else "tools"

    def _stated_window(self, entry: dict[str, Any] | None) -> int | None:
        """The context window the server states: model metadata, else llama.cpp's /props."""
        if entry and (n := stated_window(entry)) is not None:
            return n
        try:
            props = self._client.get(
                server_root(self._config.base_url) + "/props",
                cast_to=object,
                options={"timeout": min(10.0, self._config.timeout_s), "headers": self._auth},
            )
        except openai.OpenAIError:
            return None
        return props_window(props)

    def _use_window(self, stated: int) -> None:
        """Never plan chunks past what the server holds (nor past --context-window)."""
        window = min(stated, self._config.context_window)
        if window <= 2 * self._config.max_tokens:
            raise ConfigError(
                f"{self._config.provider} serves {self.model} with a context window of "
                f"{stated} tokens, too small for --max-tokens {self._config.max_tokens}: "
                f"use --max-tokens below {window // 2}"
            )
        self.context_window = window

    def _rejected(self, mode: Mode, error: ProviderError) -> bool:
        """In auto mode, whether `error` rejects `mode` and the run moved to the next one."""
        if not self._auto or isinstance(error, ContextLengthError) or error.status is None:
            return False
        return rejects_mode(error.status, str(error.args[0])) and self._fall_back(mode, error)

    def _fall_back(self, rejected: Mode, error: ProviderError) -> bool:
        """Switch the run to the next structured-output mode, once; False if none is left."""
        with self._switch:
            if self._mode is not rejected:
                return True  # another request already switched: just ask again
            following = FALLBACK.get(rejected.name)
            if following is None:
                return False
            self._mode = MODES[following]
            self.mode = following
        self._warn(
            f"the server rejected structured-output mode {rejected.name} ({error}); "
            f"using {following} for the rest of this run"
        )
        return True

    def _status_error(self, exc: openai.APIStatusError) -> ProviderError:
        status = exc.status_code
        message = redact(_error_message(exc), self._secrets)  # it may echo the key
        if is_context_error(status, message, exc.body):
            window = window_in_error(message, exc.body)
            with self._switch:
                if window is not None and window < self.context_window:
                    self.context_window = window  # later documents are planned to fit
            return ContextLengthError(
                message,
                window=window,
                provider=self._config.provider,
                status=status,
                original=exc,
            )
        return ProviderError(
            message,
            provider=self._config.provider,
            status=status,
            retryable=status in RETRYABLE_STATUS,
            retry_after=_retry_after(exc.response.headers),
            original=exc,
        )


def offers_logprobs(entry: dict[str, Any] | None) -> bool:
    """Whether a model listing entry offers token log-probabilities (OpenRouter's
    `supported_parameters`, or a `supports_logprobs` flag)."""
    if not entry:
        return False
    return bool(entry.get("supports_logprobs")) or "logprobs" in (
        entry.get("supported_parameters") or ()
    )


def _token_logprobs(choice: Any) -> tuple[tuple[str, float], ...] | None:
    """The content's tokens and log-probabilities, if the response has them."""
    content = getattr(getattr(choice, "logprobs", None), "content", None)
    if not content:
        return None
    try:
        if all(getattr(t, "bytes", None) is not None for t in content):
            # a character split over tokens: each token's text is what its bytes complete
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
            return tuple((decoder.decode(bytes(t.bytes)), float(t.logprob)) for t in content)
        return tuple((str(t.token), float(t.logprob)) for t in content)
    except (AttributeError, TypeError, ValueError):
        return None


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
    """Seconds to wait from `retry-after-ms` or `retry-after` (seconds or an HTTP date).

    A value that is neither (a malformed date) is ignored: the usual backoff applies.
    """
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
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return max(0.0, parsed.timestamp() - time.time())
