"""The answer cache on object storage: one small JSON object per key, under a URL.

    --cache-path s3://bucket/extract-cache/

For runs on many machines, where a SQLite file cannot be shared. Each answer
is written whole in one PUT under its content-addressed key, so any number of
workers can read and write at once without locks: two writers of one key
write the same answer. Same keys as the SQLite cache, so a resumed run (or a
run on another cluster) repays nothing that finished.
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable

from extract.errors import ConfigError
from extract.run.cache import CachedAnswer, _parse_row


class ObjectCache:
    """Same interface as `ChunkCache`; failures are warnings, never a failed run."""

    def __init__(
        self, url: str, *, refresh: bool = False, warn: Callable[[str], None] | None = None
    ) -> None:
        try:
            import fsspec

            self._fs, root = fsspec.core.url_to_fs(url)
        except (ImportError, ValueError) as exc:
            raise ConfigError(f"--cache-path {url}: {exc} (pip install 'extract[s3]')") from None
        self.path = url
        self.refresh = refresh
        self._root = root.rstrip("/")
        self._warn = warn or (lambda msg: print(f"extract: warning: {msg}", file=sys.stderr))
        self._warned: set[str] = set()
        self._lock = threading.Lock()

    def _key_path(self, key: str) -> str:
        return f"{self._root}/{key[:2]}/{key}.json"

    def get(self, key: str) -> CachedAnswer | None:
        if self.refresh:
            return None
        try:
            cells = json.loads(self._fs.cat_file(self._key_path(key)))
            return _parse_row(tuple(cells))  # the SQLite cache's columns, checked the same way
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self._warn_once("read", f"cannot read the answer cache {self.path}: {exc}")
            return None

    def put(self, key: str, answer: CachedAnswer) -> None:
        cells = [
            json.dumps(answer.data, ensure_ascii=False),
            json.dumps(answer.usage),
            json.dumps(answer.models),
            json.dumps(answer.confidence, ensure_ascii=False) if answer.confidence else None,
        ]
        try:
            self._fs.pipe_file(self._key_path(key), json.dumps(cells, ensure_ascii=False).encode())
        except OSError as exc:
            self._warn_once(
                "write",
                f"cannot write to the answer cache {self.path} ({exc}); answers are used but "
                "a rerun will ask for them again",
            )

    def __len__(self) -> int:
        try:
            return len(self._fs.find(self._root))
        except FileNotFoundError:
            return 0

    def close(self) -> None:
        """Nothing held open: every answer is stored when it is put."""

    def _warn_once(self, kind: str, message: str) -> None:
        with self._lock:
            if kind in self._warned:
                return
            self._warned.add(kind)
        self._warn(message)
