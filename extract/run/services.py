"""What a run shares across its workers: the wrapped backend, the cache, the audit log.

The raw backend is wrapped once here, so each concern lives in one place:
budget (outermost: a refused request never waits), rate limits, then the audit
log, which sees every attempt that reaches the provider.
"""

from __future__ import annotations

from dataclasses import dataclass

from extract.config import Config
from extract.errors import ConfigError
from extract.llm.backends.base import Backend
from extract.llm.pricing import price_for
from extract.llm.retry import RetryPolicy
from extract.run.audit import AuditedBackend, AuditLog
from extract.run.budget import BudgetedBackend, CostBudget
from extract.run.cache import ChunkCache
from extract.run.limiter import RateLimitedBackend, RateLimiter


@dataclass
class RunServices:
    backend: Backend
    policy: RetryPolicy
    cache: ChunkCache | None = None
    audit: AuditLog | None = None
    budget: CostBudget | None = None
    limiter: RateLimiter | None = None

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
            services.audit = AuditLog(config.audit_log)
            services.backend = AuditedBackend(services.backend, services.audit)
        if raw.name != "local" and (config.requests_per_minute or config.tokens_per_minute):
            services.limiter = RateLimiter(config.requests_per_minute, config.tokens_per_minute)
            services.backend = RateLimitedBackend(services.backend, services.limiter)
        if config.max_cost is not None and price is not None:
            services.budget = CostBudget(config.max_cost, price)
            services.backend = BudgetedBackend(services.backend, services.budget)
        if config.cache:
            services.cache = ChunkCache(config.resolved_cache_path, refresh=config.refresh)
        return services

    def __enter__(self) -> RunServices:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
        if self.audit is not None:
            self.audit.close()
