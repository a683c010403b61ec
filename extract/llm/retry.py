"""The pipeline's single retry layer for model calls.

Transient failures (408, 409, 424, 429, 5xx, connection errors, timeouts) are
retried with exponential backoff and full jitter, honouring the provider's
Retry-After up to `max_wait` seconds (plus jitter); anything else fails at once. The SDK's
own retries are off, so what is counted here is every attempt made.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from extract.errors import ProviderError

T = TypeVar("T")


@dataclass
class RetryPolicy:
    max_retries: int = 6
    base_delay: float = 0.5
    max_backoff: float = 30.0
    max_wait: float = 300.0
    rng: random.Random = field(default_factory=random.Random)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def delay(self, retry: int, error: ProviderError) -> float | None:
        """Seconds to wait before retry number `retry` (1-based), or None to give up."""
        if not error.retryable or retry > self.max_retries:
            return None
        with self._lock:
            jitter = self.rng.random()
        if error.retry_after is not None:
            if error.retry_after > self.max_wait:
                return None
            # The server's wait, plus up to a tenth more (at least base_delay): workers
            # told the same Retry-After do not all come back in the same instant.
            return error.retry_after + jitter * max(self.base_delay, error.retry_after / 10)
        return jitter * min(self.max_backoff, self.base_delay * 2 ** (retry - 1))


def call_with_retries(
    call: Callable[[], T],
    policy: RetryPolicy,
    *,
    on_retry: Callable[[ProviderError, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run `call` until it succeeds or fails for good; re-raise the last ProviderError."""
    retry = 0
    while True:
        try:
            return call()
        except ProviderError as exc:
            retry += 1
            wait = policy.delay(retry, exc)
            if wait is None:
                raise
            if on_retry is not None:
                on_retry(exc, wait)
            sleep(wait)
