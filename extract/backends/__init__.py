"""Backends by name: the one place that knows which class serves which backend."""

from __future__ import annotations

from extract.backends.base import Answer, Backend, StructuredRequest
from extract.config import Config


def make_backend(config: Config) -> Backend:
    """The backend the config asks for. Hosted ones may call `GET /models` (mode auto)."""
    if config.backend == "local":
        from extract.backends.local import LocalBackend  # llama.cpp is an optional extra

        return LocalBackend(config)
    from extract.backends.openai_compat import OpenAICompatBackend

    return OpenAICompatBackend(config)


__all__ = ["Answer", "Backend", "StructuredRequest", "make_backend"]
