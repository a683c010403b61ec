"""Error types, split by when they can happen.

`ConfigError` is raised before any request is sent (bad flags, unknown schema,
missing key): it costs nothing. `DocumentError` marks one unreadable input and
becomes an error row. `ProviderError` is a runtime failure talking to a model,
carrying the provider, HTTP status and the original exception.
"""

from __future__ import annotations


class ExtractError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(ExtractError):
    """The configuration is invalid; raised before any API call."""


class DocumentError(ExtractError):
    """One input document cannot be read (corrupt, encrypted, empty, unsupported...)."""


class ProviderError(ExtractError):
    """A model call failed at run time.

    `retryable` tells the retry layer whether another attempt may succeed.
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str,
        status: int | None = None,
        retryable: bool = False,
        retry_after: float | None = None,
        original: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.status = status
        self.retryable = retryable
        self.retry_after = retry_after
        self.original = original

    def __str__(self) -> str:
        status = f" HTTP {self.status}" if self.status is not None else ""
        return f"{self.provider}{status}: {self.args[0]}"


class ContextLengthError(ProviderError):
    """The prompt did not fit the model's context window: the chunk is split, not failed.

    `window` is the context size the server stated in its message, when it did.
    """

    def __init__(self, message: str, *, window: int | None = None, **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.window = window


class InvalidAnswer(ExtractError):
    """The model's answer did not parse or validate, even after re-asking."""


class BudgetExceeded(ProviderError):
    """The run reached --max-cost; no new requests are started, and none is retried."""

    def __init__(self, message: str) -> None:
        super().__init__(message, provider="budget", retryable=False)


class Interrupted(ProviderError):
    """Not sent: the run was stopped (Ctrl-C or SIGTERM) before this request could start."""


class RunStopped(KeyboardInterrupt):
    """A run stopped by Ctrl-C or SIGTERM, raised where its unfinished rows are no use (an
    eval, `extract_folder`). `abandoned`: requests in flight were not waited for, and the
    threads waiting on them are still there, so a command line exits without joining them."""

    def __init__(self, abandoned: bool = False) -> None:
        super().__init__("the run was stopped")
        self.abandoned = abandoned


class OutputError(ExtractError):
    """The tables could not be written at the end of a run; the answers are in the cache."""
