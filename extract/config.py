"""The one configuration object of a run.

Everything a run needs is here, typed and validated when the object is built,
so a bad setting fails in milliseconds, before any request costs money.
`Config.resolve()` folds in the environment (REQUESTY_API_KEY, EXTRACT_*).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from extract.errors import ConfigError
from extract.llm.backends import BACKEND_NAMES, MODE_NAMES
from extract.llm.redact import redact_url
from extract.llm.weights.catalogue import MODELS as BUNDLED

REQUESTY_BASE_URL = "https://router.requesty.ai/v1"
DEFAULT_MODEL = "mistral/mistral-small-2503"
BUNDLED_MODELS = tuple(BUNDLED)  # names of the embedded models, from their catalogue
DEFAULT_CONTEXT_WINDOW = 32_768
LOCAL_CONTEXT_WINDOW = 8_192
DEFAULT_MAX_TOKENS_PER_DOC = 1_000_000

# The names come from the backends' registry; a Literal so pydantic checks them.
BackendName = Literal[BACKEND_NAMES]  # type: ignore[valid-type]
ModeName = Literal[MODE_NAMES]  # type: ignore[valid-type]
Evidence = Literal["flag", "require", "off"]
Engine = Literal["local", "dask"]
Vision = Literal["auto", "always", "never"]


class Config(BaseModel):
    """Settings of one extraction run. Frozen: pass it around, never mutate it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: BackendName = "requesty"
    model: str = DEFAULT_MODEL
    base_url: str = REQUESTY_BASE_URL
    api_key: SecretStr | None = None
    mode: ModeName = "auto"
    concurrency: int = Field(8, ge=1, le=1024)
    max_tokens: int = Field(2048, ge=16)
    context_window: int = Field(DEFAULT_CONTEXT_WINDOW, ge=512)
    safety_margin: float = Field(0.05, ge=0.0, lt=0.5)
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_reasks: int = Field(2, ge=0, le=10)
    # A valid answer whose values contradict each other (the schema's CHECKS) is asked
    # once more, saying how. auto: hosted models only. On the embedded 1.5B model the
    # re-ask doubled the demo invoices' time (4 requests instead of 2) and fixed neither.
    recheck: Literal["auto", "on", "off"] = "auto"
    # A schema's worked examples (EXAMPLES) as earlier turns. auto: the embedded model only,
    # where llama.cpp's KV cache holds them after the first document; a hosted model is
    # paid for them on every request (794 of a receipt request's ~1,370 prompt tokens).
    examples: Literal["auto", "on", "off"] = "auto"
    # Labelled documents (JSON Lines: {"text", "answer"}): with each chunk, after the
    # schema's EXAMPLES, the `nearest_examples` most like it (extract.run.example_pool).
    # Sent to any backend unless `examples` is off: the user chose them.
    examples_from: Path | None = None
    nearest_examples: int = Field(2, ge=1, le=8)
    timeout_s: float = Field(120.0, gt=0)
    max_retries: int = Field(6, ge=0, le=50)
    max_retry_wait_s: float = Field(300.0, ge=0)
    quiet: bool = False
    requests_per_minute: int = Field(120, ge=0)
    tokens_per_minute: int = Field(500_000, ge=0)
    cache: bool = True
    cache_path: Path | str | None = None  # a file, or a URL (s3://...) for an object-store cache
    refresh: bool = False
    max_cost: float | None = Field(None, gt=0)
    audit_log: Path | None = None
    local_model: str | None = None  # a GGUF path, or a bundled model's name
    local_threads: int | None = Field(None, ge=1)
    vision: Vision = "auto"  # page images to the model: scanned pages, every page, none
    ocr_threads: int | None = Field(None, ge=1)
    # flag: say which values the text does not support; require: empty them; off: skip
    evidence: Evidence = "flag"
    # ask once more, with passages found in the text, for values the text does not support
    # and important fields left empty (extract.run.second_pass)
    second_pass: bool = False
    engine: Engine = "local"  # local: one process's pool; dask: a cluster (extract.run.dask_engine)
    scheduler: str | None = None  # an existing cluster's scheduler, tcp://host:8786
    workers: int | None = Field(None, ge=1, le=1024)  # else a LocalCluster of this many processes
    # token log-probabilities (the evidence table's confidence): auto asks a hosted endpoint
    # whose model listing offers them; the embedded model always gives them
    logprobs: Literal["auto", "on", "off"] = "auto"
    # A 200 MB text file is ~50M tokens: thousands of paid requests. Over this, a
    # document becomes an error row unless the limit is raised (0 = no limit).
    max_tokens_per_doc: int = Field(DEFAULT_MAX_TOKENS_PER_DOC, ge=0)

    @model_validator(mode="after")
    def _check(self) -> Config:
        if self.max_tokens >= self.context_window // 2:
            raise ValueError(
                f"max_tokens ({self.max_tokens}) must be under half the context window "
                f"({self.context_window}); the rest is needed for the document"
            )
        if self.backend != "local":
            if not self.base_url.startswith(("http://", "https://")):
                raise ValueError(
                    f"base_url must start with http:// or https://, got {self.base_url!r}"
                )
            if self.api_key is not None and not self.api_key.get_secret_value().strip():
                raise ValueError("the API key is empty: pass a key, or none for a keyless server")
            if self.backend == "requesty" and self.api_key is None:
                raise ValueError(
                    "no API key: set REQUESTY_API_KEY (or EXTRACT_API_KEY), or pass --api-key"
                )
        if self.scheduler is not None and "://" not in self.scheduler:
            raise ValueError(
                f"scheduler must be an address like tcp://host:8786, got {self.scheduler!r}"
            )
        if self.scheduler is not None and self.workers is not None:
            raise ValueError(
                "give --scheduler (an existing cluster) or --workers (a local one), not both"
            )
        if self.engine == "local" and (self.scheduler or self.workers):
            raise ValueError("--scheduler and --workers need --engine dask")
        if self.vision == "always" and self.backend == "local":
            raise ValueError(
                "--vision always needs a hosted model that reads images; the embedded model "
                "is text-only (scanned pages are read by OCR)"
            )
        if self.examples_from is not None and not Path(self.examples_from).is_file():
            raise ValueError(f"examples_from: no such file: {self.examples_from}")
        bundled = self.local_model is None or self.local_model_is_bundled
        if not bundled and not Path(str(self.local_model)).is_file():
            raise ValueError(
                f"local model not found: {self.local_model} is neither a file nor one of "
                f"the bundled models ({', '.join(BUNDLED_MODELS)})"
            )
        return self

    @property
    def reasks_on_checks(self) -> bool:
        """Whether a failed cross-field check is re-asked (`recheck`, auto resolved)."""
        return self.recheck == "on" or (self.recheck == "auto" and self.backend != "local")

    @property
    def sends_examples(self) -> bool:
        """Whether a schema's own worked examples go with each request (`examples`, auto
        resolved). Labelled ones (`examples_from`) go unless `examples` is off."""
        return self.examples == "on" or (self.examples == "auto" and self.backend == "local")

    @property
    def local_model_is_bundled(self) -> bool:
        return self.local_model in BUNDLED_MODELS

    @field_validator("cache_path", mode="before")
    @classmethod
    def _cache_location(cls, value: object) -> object:
        """A URL stays text (an object-store cache); anything else is a local path."""
        if isinstance(value, str | Path) and "://" not in str(value):
            return Path(value)
        return value

    @property
    def resolved_cache_path(self) -> Path | str:
        """Where answers are kept: --cache-path, else the user cache folder."""
        if self.cache_path is not None:
            return self.cache_path
        return cache_root() / "answers.sqlite"

    @property
    def provider(self) -> str:
        """A short name for messages and the audit trail, never containing secrets."""
        return self.backend if self.backend == "local" else f"{self.backend}:{self.safe_base_url}"

    @property
    def safe_base_url(self) -> str:
        """The base URL without `user:password@` or a key in its query string."""
        return redact_url(self.base_url)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a file, a log or the terminal."""
        found = [self.api_key.get_secret_value()] if self.api_key is not None else []
        parts = urlsplit(self.base_url)
        found += [p for p in (parts.username, parts.password) if p]
        return tuple(found)

    @classmethod
    def resolve(cls, backend: str = "auto", env: dict[str, str] | None = None, **given) -> Config:
        """Build a config from explicit settings, then the environment, then defaults.

        Explicit values (not None) win. `backend="auto"` picks, in order: the local
        model when one is named; the endpoint of --base-url or EXTRACT_BASE_URL;
        Requesty when REQUESTY_API_KEY (or an explicit key) is set; else the embedded
        local model. A key from the environment goes only to its own endpoint
        (`key_for`); an endpoint with none gets no Authorization header at all.
        """
        env = dict(os.environ if env is None else env)
        if backend == "auto":
            backend = env.get("EXTRACT_BACKEND", "auto")
        chosen = {k: v for k, v in given.items() if v is not None}
        base_url = chosen.get("base_url") or env.get("EXTRACT_BASE_URL")
        if backend == "auto":
            if "local_model" in chosen:
                backend = "local"
            elif base_url:  # an endpoint named is the endpoint used
                backend = "requesty" if is_requesty(base_url) else "openai"
            elif env.get("REQUESTY_API_KEY") or "api_key" in chosen:
                backend = "requesty"
            else:
                backend = "local"
        if backend not in BACKEND_NAMES:
            *first, last = ("auto", *BACKEND_NAMES)
            raise ConfigError(f"unknown backend {backend!r}: use {', '.join(first)} or {last}")
        settings: dict = {"backend": backend, **chosen}
        if backend == "requesty":
            # EXTRACT_BASE_URL is another endpoint unless it names Requesty itself.
            env_url = env.get("EXTRACT_BASE_URL")
            requesty_env = env_url if env_url and is_requesty(env_url) else None
            settings.setdefault("base_url", requesty_env or REQUESTY_BASE_URL)
        elif backend == "openai":
            if base_url is None:
                raise ConfigError("backend 'openai' needs --base-url or EXTRACT_BASE_URL")
            settings.setdefault("base_url", base_url)
        else:
            settings.setdefault("context_window", LOCAL_CONTEXT_WINDOW)
            settings.setdefault("max_tokens", 1024)
        if backend != "local" and "api_key" not in settings:
            key = key_for(settings["base_url"], env)
            if key:
                settings["api_key"] = key
            elif backend == "requesty" and env.get("REQUESTY_API_KEY"):
                raise ConfigError(
                    f"REQUESTY_API_KEY is sent only to Requesty, not to "
                    f"{redact_url(settings['base_url'])}: pass that endpoint's own --api-key"
                )
        if "engine" not in settings and ("scheduler" in settings or "workers" in settings):
            settings["engine"] = "dask"
        if settings.get("engine") == "dask":
            if not {"scheduler", "workers"} & settings.keys() and env.get("EXTRACT_SCHEDULER"):
                settings["scheduler"] = env["EXTRACT_SCHEDULER"]
            try:
                import distributed  # noqa: F401
            except ImportError:
                raise ConfigError("--engine dask needs Dask: pip install 'extract[dask]'") from None
        if "model" not in settings and backend != "local" and env.get("EXTRACT_MODEL"):
            settings["model"] = env["EXTRACT_MODEL"]
        try:
            return cls(**settings)
        except ValidationError as exc:
            raise ConfigError(_explain(exc)) from None


def cache_root() -> Path:
    """Where extract keeps what it fetches and remembers (answers, model weights, eval
    inputs): `$XDG_CACHE_HOME/extract`, else `~/.cache/extract`."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "extract"


def is_requesty(url: str) -> bool:
    """Whether `url` is Requesty's router (https, on requesty.ai): where REQUESTY_API_KEY goes."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and (host == "requesty.ai" or host.endswith(".requesty.ai"))


def same_endpoint(a: str, b: str) -> bool:
    def norm(url: str) -> tuple[str, str, int | None, str]:
        p = urlsplit(url.strip())
        return p.scheme.lower(), (p.hostname or "").lower(), p.port, p.path.rstrip("/")

    return norm(a) == norm(b)


def key_for(url: str, env: dict[str, str]) -> str | None:
    """The key from the environment that belongs to the endpoint `url`, if any.

    REQUESTY_API_KEY belongs to Requesty; EXTRACT_API_KEY to EXTRACT_BASE_URL (or,
    with no EXTRACT_BASE_URL, to Requesty). Any other endpoint gets no key from the
    environment: only one given for it on the command line (--api-key).
    """
    if is_requesty(url) and env.get("REQUESTY_API_KEY"):
        return env["REQUESTY_API_KEY"]
    env_url = env.get("EXTRACT_BASE_URL")
    if env.get("EXTRACT_API_KEY") and (
        same_endpoint(url, env_url) if env_url else is_requesty(url)
    ):
        return env["EXTRACT_API_KEY"]
    return None


def _explain(exc: ValidationError) -> str:
    """One line per problem, naming the setting, without echoing secret values."""
    lines = []
    for err in exc.errors(include_input=False):
        where = ".".join(str(p) for p in err["loc"]) or "config"
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{where}: {msg}" if where != "config" else msg)
    return "invalid configuration: " + "; ".join(lines)
