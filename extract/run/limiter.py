"""One rate limiter for the whole run: requests per minute and tokens per minute.

Concurrency is bounded by the worker pool; this bounds the rate. Prompt tokens
are counted before sending, so a burst of large chunks waits instead of
drawing a storm of 429s. Buckets refill continuously (a token bucket of one
minute's allowance); 0 means unlimited.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from extract.llm.backends.base import Answer, Backend, BackendWrapper, StructuredRequest
from extract.llm.vision import content_tokens


class RateLimiter:
    def __init__(
        self,
        requests_per_minute: int,
        tokens_per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rpm = requests_per_minute
        self.tpm = tokens_per_minute
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._requests = float(requests_per_minute)
        self._tokens = float(tokens_per_minute)
        self._last = clock()

    def acquire(self, tokens: int) -> None:
        """Block until one request of `tokens` prompt tokens fits in both budgets."""
        if not self.rpm and not self.tpm:
            return
        tokens = min(tokens, self.tpm) if self.tpm else 0
        while True:
            with self._lock:
                now = self._clock()
                elapsed, self._last = now - self._last, now
                if self.rpm:
                    self._requests = min(self.rpm, self._requests + elapsed * self.rpm / 60)
                if self.tpm:
                    self._tokens = min(self.tpm, self._tokens + elapsed * self.tpm / 60)
                need_r = 1 - self._requests if self.rpm else 0
                need_t = tokens - self._tokens if self.tpm else 0
                if need_r <= 0 and need_t <= 0:
                    if self.rpm:
                        self._requests -= 1
                    if self.tpm:
                        self._tokens -= tokens
                    return
                wait = max(
                    need_r * 60 / self.rpm if self.rpm and need_r > 0 else 0,
                    need_t * 60 / self.tpm if self.tpm and need_t > 0 else 0,
                )
            self._sleep(wait)


def prompt_tokens(request: StructuredRequest, backend: Backend) -> int:
    """The prompt size of a request, counted locally before it is sent (images as tokens)."""
    return sum(content_tokens(m.get("content"), backend.count_tokens) for m in request.messages)


class RateLimitedBackend(BackendWrapper):
    """A backend whose every attempt first passes the run's limiter."""

    def __init__(self, inner: Backend, limiter: RateLimiter) -> None:
        super().__init__(inner)
        self.limiter = limiter

    def complete(self, request: StructuredRequest) -> Answer:
        self.limiter.acquire(prompt_tokens(request, self.inner))
        return self.inner.complete(request)
