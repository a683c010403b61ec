"""Backends by name: the one place that knows which class serves which backend."""

from __future__ import annotations

from extract.config import Config
from extract.llm.backends.base import Answer, Backend, StructuredRequest


def make_backend(config: Config, *, probe: bool = True) -> Backend:
    """The backend the config asks for.

    Hosted ones call `GET /models` to pick the mode when it is `auto`, unless
    `probe` is false (a dry run sends nothing at all).
    """
    if config.backend == "local":
        from extract.llm.backends.local import LocalBackend  # llama.cpp is an optional extra

        return LocalBackend(config)
    from extract.llm.backends.openai_compat import OpenAICompatBackend

    return OpenAICompatBackend(config, probe=probe)


__all__ = ["Answer", "Backend", "StructuredRequest", "make_backend"]
