"""A schema whose validator kills the process on one document: a stand-in for a document
that crashes its worker (a parser segfault, memory blown), for the Dask engine's tests."""

from __future__ import annotations

import os

from pydantic import BaseModel, field_validator


class Note(BaseModel):
    """A note with a title."""

    title: str | None = None

    @field_validator("title")
    @classmethod
    def _crash_on_poison(cls, value: str | None) -> str | None:
        if value and "POISON" in value:
            os._exit(3)  # the process dies; no exception to catch
        return value
