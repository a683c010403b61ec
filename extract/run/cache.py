"""A content-addressed cache of chunk answers, in SQLite.

The key hashes everything that decides the answer: backend and model, prompt
version, the schema as sent, the messages (so the chunk text) and the request
parameters. It stores the model's raw JSON object, and only for answers that
passed validation (or, as `null`, that an answer ran past `max_tokens`, so a
rerun splits that chunk without asking again), each committed at once, so a run killed at any moment and
started again re-sends nothing that finished; grounding and the schema's
validators run again on a hit.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from extract.llm.backends.base import StructuredRequest
from extract.llm.prompting import PROMPT_VERSION

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    usage TEXT NOT NULL,
    models TEXT NOT NULL,
    created REAL NOT NULL
)"""


STORED_FORMAT = "raw-object"  # entries before this held validated data


@dataclass(frozen=True)
class CachedAnswer:
    data: dict[str, Any] | None  # None: the answer was cut at max_tokens (the chunk gets split)
    usage: dict[str, int]
    models: list[str]


def cache_key(backend: str, model: str, mode: str, request: StructuredRequest) -> str:
    material = {
        "backend": backend,
        "model": model,
        "mode": mode,
        "prompt_version": PROMPT_VERSION,
        "stored": STORED_FORMAT,
        "schema": request.schema,
        "schema_name": request.schema_name,
        "messages": list(request.messages),
        "max_tokens": request.max_tokens,
        "temperature": request.temperature,
    }
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class ChunkCache:
    """Thread-safe; one connection shared under a lock (writes are tiny)."""

    def __init__(self, path: Path, *, refresh: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.refresh = refresh
        self.hits = 0
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(SCHEMA_SQL)
        self._db.commit()

    def get(self, key: str) -> CachedAnswer | None:
        if self.refresh:
            return None
        with self._lock:
            row = self._db.execute(
                "SELECT data, usage, models FROM answers WHERE key = ?", (key,)
            ).fetchone()
            if row is None:
                return None
            self.hits += 1
        return CachedAnswer(json.loads(row[0]), json.loads(row[1]), json.loads(row[2]))

    def put(self, key: str, answer: CachedAnswer) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?)",
                (
                    key,
                    json.dumps(answer.data, ensure_ascii=False),
                    json.dumps(answer.usage),
                    json.dumps(answer.models),
                    time.time(),
                ),
            )
            self._db.commit()

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
