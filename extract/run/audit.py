"""The audit log: one JSON line per model call attempt.

Time, document, chunk, attempt, outcome, latency, tokens and the model the
provider says it used. Requesty's fallbacks can switch models silently, so a
different model is flagged (and warned about once). Nothing secret is written:
no headers, no keys, no prompts, and every line is redacted (`extract.llm.redact`)
in case a provider's error message echoes a credential.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from extract.errors import ProviderError
from extract.llm.backends.base import Answer, Backend, BackendWrapper, StructuredRequest
from extract.llm.redact import redact


class AuditLog:
    """Appends JSON lines to a file, flushed per line so a crash loses nothing written."""

    def __init__(self, path: Path, *, secrets: tuple[str, ...] = ()) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._secrets = secrets
        self._file = path.open("a", encoding="utf-8")
        self._lock = threading.Lock()

    def write(self, record: dict[str, Any]) -> None:
        line = redact(json.dumps(record, ensure_ascii=False, default=str), self._secrets)
        with self._lock:
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()


class AuditedBackend(BackendWrapper):
    """Records every attempt, successful or not, in the audit log."""

    def __init__(self, inner: Backend, log: AuditLog, *, warn=None) -> None:
        super().__init__(inner)
        self.log = log
        self._warned: set[str] = set()
        self._warn = warn or (lambda msg: print(f"extract: warning: {msg}", file=sys.stderr))

    def complete(self, request: StructuredRequest) -> Answer:
        start = time.monotonic()
        record: dict[str, Any] = {
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            **request.tags,
            "backend": self.name,
            "model_requested": self.model,
        }
        try:
            answer = self.inner.complete(request)
        except ProviderError as exc:
            record.update(
                outcome="error",
                status=exc.status,
                retryable=exc.retryable,
                error=str(exc),
                latency_s=round(time.monotonic() - start, 3),
            )
            self.log.write(record)
            raise
        switched = _bare(answer.model) != _bare(self.model)
        record.update(
            outcome="answer",
            status=200,
            finish_reason=answer.finish_reason,
            latency_s=round(time.monotonic() - start, 3),
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            model_used=answer.model,
            model_switched=switched,
            request_id=answer.request_id,
        )
        if answer.timings is not None:  # llama.cpp's own counters: where the time went
            record.update(timings=asdict(answer.timings))
        self.log.write(record)
        if switched and answer.model not in self._warned:
            self._warned.add(answer.model)
            self._warn(
                f"asked for model {self.model} but the provider answered with {answer.model}"
            )
        return answer


def _bare(model: str) -> str:
    """'mistral/mistral-small-2503' and 'mistral-small-2503' name the same model."""
    return model.rsplit("/", 1)[-1].casefold()
