"""What a run shares across its workers: the wrapped backend, the cache, the audit log.

The raw backend is wrapped once here, so each concern lives in one place:
budget (outermost: a refused request never waits), rate limits, the stop gate
(after any limiter wait: nothing starts once Ctrl-C was pressed), then the audit
log, which sees every attempt that reaches the provider. Errors and the audit
log are redacted with the run's secrets.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from pathlib import Path

from extract.config import Config, cache_root
from extract.errors import ConfigError, ProviderError
from extract.ingest.scan_route import ScanRoute
from extract.llm.backends.base import Answer, Backend, StructuredRequest
from extract.llm.backends.registry import reads_images
from extract.llm.pricing import answer_cost, price_for
from extract.llm.retry import RetryPolicy, call_with_retries
from extract.output.results import Usage
from extract.run.audit import AuditedBackend, AuditLog
from extract.run.budget import BudgetedBackend, CostBudget
from extract.run.cache import CachedAnswer, ChunkCache, cache_key_for
from extract.run.limiter import RateLimitedBackend, RateLimiter
from extract.run.object_cache import ObjectCache
from extract.run.stopping import Stop, StoppableBackend


@dataclass
class RunServices:
    backend: Backend
    policy: RetryPolicy
    cache: ChunkCache | ObjectCache | None = None
    audit: AuditLog | None = None
    # Kept for the Dask engine, which gives each worker its share of the run's limits.
    limiter: RateLimiter | None = None
    budget: CostBudget | None = None
    scans: ScanRoute = field(default_factory=ScanRoute)  # how scanned pages are read
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    stop: Stop = field(default_factory=Stop)

    def pause(self, seconds: float) -> None:
        """A wait between attempts that ends (raising) when the run is stopped."""
        self.stop.pause(seconds)

    @classmethod
    def open(cls, config: Config, raw: Backend) -> RunServices:
        price = price_for(raw.name, raw.model)
        if config.max_cost is not None and price is None:
            raise ConfigError(
                f"--max-cost needs a known price, and model {raw.model!r} has none in the price table"
            )
        services = cls(
            backend=raw,
            policy=RetryPolicy(max_retries=config.max_retries, max_wait=config.max_retry_wait_s),
        )
        if config.audit_log is not None:
            services.audit = AuditLog(config.audit_log, secrets=config.secrets)
            services.backend = AuditedBackend(services.backend, services.audit)
        services.backend = StoppableBackend(services.backend, services.stop)
        if raw.name != "local" and (config.requests_per_minute or config.tokens_per_minute):
            services.limiter = RateLimiter(
                config.requests_per_minute, config.tokens_per_minute, sleep=services.pause
            )
            services.backend = RateLimitedBackend(services.backend, services.limiter)
        if config.max_cost is not None and price is not None:
            services.budget = CostBudget(config.max_cost, price)
            services.backend = BudgetedBackend(services.backend, services.budget)
        if config.cache:
            where = config.resolved_cache_path
            services.cache = (
                ObjectCache(where, refresh=config.refresh)
                if isinstance(where, str)
                else ChunkCache(where, refresh=config.refresh)
            )
        services.scans = scan_route(config, raw)
        return services

    def refuse_images(self, reason: str) -> bool:
        """The endpoint rejected page images: scans are read by OCR from now on.

        True the first time (the caller reports it once).
        """
        with self._lock:
            if self.scans.refused is not None:
                return False
            self.scans = replace(self.scans, images=False, refused=reason)
            return True

    def cache_key(self, request: StructuredRequest) -> str:
        """The answer cache's key for `request` on this run's backend."""
        return cache_key_for(self.backend, request)

    def recall(self, key: str) -> CachedAnswer | None:
        """The cached answer under `key`, if the run keeps a cache and it has one."""
        return None if self.cache is None else self.cache.get(key)

    def remember(self, key: str, answer: CachedAnswer) -> None:
        if self.cache is not None:
            self.cache.put(key, answer)

    def send(self, request: StructuredRequest, usage: Usage) -> Answer:
        """One request through the wrapped backend, with retries, counted in `usage`.

        Raises `ProviderError` once retries are spent; each retry and the
        answer's tokens are counted either way they end.
        """

        def on_retry(_error: ProviderError, _wait: float) -> None:
            usage.retries += 1

        answer = call_with_retries(
            lambda: self.backend.complete(request),
            self.policy,
            on_retry=on_retry,
            sleep=self.pause,  # a backoff ends (raising) when the run is stopped
        )
        usage.requests += 1
        usage.prompt_tokens += answer.prompt_tokens
        usage.completion_tokens += answer.completion_tokens
        usage.charge(
            answer_cost(
                self.backend.name, answer.model, answer.prompt_tokens, answer.completion_tokens
            )
        )
        return answer

    def __enter__(self) -> RunServices:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        if self.audit is not None:
            self.audit.close()


def scan_route(config: Config, backend: Backend) -> ScanRoute:
    """How this run reads scanned pages: page images, OCR, or both (`extract.ingest.scans`)."""
    from extract.ingest.ocr import OcrReader, ocr_installed
    from extract.llm.vision import encode_page

    ocr = None
    if ocr_installed():
        where = config.resolved_cache_path  # beside the answers; local when they are in a store
        folder = where.parent if isinstance(where, Path) else cache_root()
        ocr_cache = folder / "ocr" if config.cache else None
        ocr = OcrReader(ocr_cache, threads=config.ocr_threads)
    images = reads_images(backend) and config.vision != "never"
    return ScanRoute(vision=config.vision, images=images, ocr=ocr, encode=encode_page)
