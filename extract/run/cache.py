"""A content-addressed cache of chunk answers, in SQLite.

The key hashes everything that decides the answer: backend and model, prompt
version, the schema as sent, the messages (so the chunk text) and the request
parameters. It stores the model's raw JSON object, and only for answers that
passed validation (or, as `null`, that an answer ran past `max_tokens`, so a
rerun splits that chunk without asking again), each committed at once, so a run killed at any moment and
started again re-sends nothing that finished; grounding and the schema's
validators run again on a hit.

The cache is a convenience, never a reason to lose a run: a file that is not a
database is moved aside (a warning) and a fresh one started, a row that does
not parse is a warning and a miss, and a write that fails is a warning, the
answer it was to keep still used.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.llm.backends.base import Backend, StructuredRequest, cache_identity
from extract.llm.prompting import PROMPT_VERSION

SCHEMA_SQL = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    usage TEXT NOT NULL,
    models TEXT NOT NULL,
    created REAL NOT NULL,
    confidence TEXT
)"""


STORED_FORMAT = "raw-object"  # entries before this held validated data


@dataclass(frozen=True)
class CachedAnswer:
    data: dict[str, Any] | None  # None: the answer was cut at max_tokens (the chunk gets split)
    usage: dict[str, int]
    models: list[str]
    # each value's probability by answer path, where the backend gave log-probabilities
    confidence: dict[str, tuple[Any, float]] = field(default_factory=dict)


def cache_key(
    backend: str, model: str, mode: str, request: StructuredRequest, identity: str | None = None
) -> str:
    """The key of a request's answer. `identity` (endpoint, weights' hash) is only part
    of the material when set, so keys made before it existed stay the same."""
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
    if identity is not None:
        material["identity"] = identity
    if request.max_items:  # only when set, so keys made before it existed stay the same
        material["max_items"] = request.max_items
    blob = json.dumps(material, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: a lone surrogate (an undecodable file name) must not break the key
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


def cache_key_for(backend: Backend, request: StructuredRequest) -> str:
    """The key of `request` sent to `backend` in its current mode."""
    return cache_key(
        backend.name, backend.model, backend.mode, request, identity=cache_identity(backend)
    )


class ChunkCache:
    """Thread-safe; one connection shared under a lock (writes are tiny)."""

    def __init__(
        self, path: Path, *, refresh: bool = False, warn: Callable[[str], None] | None = None
    ) -> None:
        self.path = path
        self.refresh = refresh
        self._warn = warn or (lambda msg: print(f"extract: warning: {msg}", file=sys.stderr))
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        try:
            self._db = _open(path)
        except (sqlite3.DatabaseError, OSError) as exc:
            self._db = self._start_afresh(exc)

    def get(self, key: str) -> CachedAnswer | None:
        if self.refresh or self._db is None:
            return None
        with self._lock:
            try:
                row = self._db.execute(
                    "SELECT data, usage, models, confidence FROM answers WHERE key = ?", (key,)
                ).fetchone()
            except sqlite3.Error as exc:
                self._warn_once("read", f"cannot read the answer cache {self.path}: {exc}")
                return None
        if row is None:
            return None
        try:
            answer = _parse_row(row)
        except (ValueError, TypeError) as exc:
            self._warn_once(
                "row", f"a corrupt entry in the answer cache {self.path} is ignored ({exc})"
            )
            return None
        return answer

    def put(self, key: str, answer: CachedAnswer) -> None:
        """Store an answer; a failure is a warning (the answer is still used, just not kept)."""
        if self._db is None:
            return
        row = (
            key,
            json.dumps(answer.data, ensure_ascii=False),
            json.dumps(answer.usage),
            json.dumps(answer.models),
            time.time(),
            json.dumps(answer.confidence, ensure_ascii=False) if answer.confidence else None,
        )
        with self._lock:
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO answers (key, data, usage, models, created, "
                    "confidence) VALUES (?, ?, ?, ?, ?, ?)",
                    row,
                )
                self._db.commit()
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._db.rollback()
                self._warn_once(
                    "write",
                    f"cannot write to the answer cache {self.path} ({exc}); answers are "
                    "used but a rerun will ask for them again",
                )

    def __len__(self) -> int:
        if self._db is None:
            return 0
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()

    def _start_afresh(self, error: Exception) -> sqlite3.Connection | None:
        """A cache file that cannot be opened is moved aside and a new one started."""
        aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
        try:
            if self.path.exists():
                self.path.replace(aside)
                for suffix in ("-wal", "-shm", "-journal"):
                    self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
            db = _open(self.path)
        except (sqlite3.DatabaseError, OSError) as exc:
            self._warn(
                f"cannot use the answer cache {self.path} ({error}; {exc}); running without it"
            )
            return None
        self._warn(f"the answer cache {self.path} was unreadable ({error}); moved to {aside.name}")
        return db

    def _warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            self._warn(message)


def _open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, timeout=30)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(SCHEMA_SQL)
        columns = {row[1] for row in db.execute("PRAGMA table_info(answers)")}
        if "confidence" not in columns:  # a cache from before confidences were kept
            db.execute("ALTER TABLE answers ADD COLUMN confidence TEXT")
        db.execute("SELECT data, usage, models FROM answers LIMIT 1").fetchall()
        db.commit()
    except BaseException:
        db.close()
        raise
    return db


def _parse_row(row: tuple[Any, ...]) -> CachedAnswer:
    """A stored row as an answer; ValueError or TypeError if it is not one."""
    data, usage, models = (json.loads(cell) for cell in row[:3])
    confidence = json.loads(row[3]) if len(row) > 3 and row[3] else {}
    if data is not None and not isinstance(data, dict):
        raise ValueError("the stored answer is not a JSON object")
    if not isinstance(usage, dict) or not all(_usage_value(k, v) for k, v in usage.items()):
        raise ValueError("the stored usage is malformed")
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise ValueError("the stored model list is malformed")
    if not isinstance(confidence, dict) or not all(
        isinstance(v, list) and len(v) == 2 for v in confidence.values()
    ):
        raise ValueError("the stored confidences are malformed")
    return CachedAnswer(
        data, usage, models, {k: (v[0], float(v[1])) for k, v in confidence.items()}
    )


def _usage_value(name: str, value: Any) -> bool:
    """Counts are integers; the cost is a number, or null where a price was unknown."""
    if name == "cost_usd":
        return value is None or (isinstance(value, int | float) and not isinstance(value, bool))
    return isinstance(value, int) and not isinstance(value, bool)
