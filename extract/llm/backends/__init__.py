"""Backends by name: the one place that knows which class serves which backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def open_backend(
    config: Config, given: Backend | None = None, *, probe: bool = True
) -> Iterator[Backend]:
    """`given` as it is, or a backend made from `config` and closed after: who makes it closes it."""
    if given is not None:
        yield given
        return
    made = make_backend(config, probe=probe)
    try:
        yield made
    finally:
        made.close()


__all__ = ["Answer", "Backend", "StructuredRequest", "make_backend", "open_backend"]
