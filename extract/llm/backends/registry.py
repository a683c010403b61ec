"""Backends by name: the one place that knows which class serves which backend.

`make_backend` builds the one the config names; `open_backend` also closes it
after use, when it made it (who makes a backend closes it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from extract.config import Config
from extract.llm.backends.base import Backend


def _hosted(config: Config, probe: bool) -> Backend:
    from extract.llm.backends.openai_compat import OpenAICompatBackend

    return OpenAICompatBackend(config, probe=probe)


def _local(config: Config, probe: bool) -> Backend:
    from extract.llm.backends.local import LocalBackend  # llama.cpp is an optional extra

    return LocalBackend(config)  # in-process: nothing to probe


FACTORIES: dict[str, Callable[[Config, bool], Backend]] = {
    "requesty": _hosted,
    "openai": _hosted,
    "local": _local,
}
# Backends that may be sent page images: hosted chat models (an endpoint that cannot read
# them says so once, and the run falls back to OCR); the embedded model is text-only.
READS_IMAGES = frozenset({"requesty", "openai"})


def reads_images(backend: Backend) -> bool:
    return backend.name in READS_IMAGES


def make_backend(config: Config, *, probe: bool = True) -> Backend:
    """The backend the config asks for.

    Hosted ones call `GET /models` to pick the mode when it is `auto`, unless
    `probe` is false (a dry run sends nothing at all).
    """
    return FACTORIES[config.backend](config, probe)


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


__all__ = ["FACTORIES", "make_backend", "open_backend"]
