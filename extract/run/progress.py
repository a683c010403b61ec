"""What a run shows while it works, so nobody waits in silence.

On a terminal: tqdm bars (documents with elapsed and remaining time, chunks).
Anywhere else (CI, `make ... | tee log`, a notebook): a start line, then one
line per finished document with its status, seconds and requests, and, once a
document has finished, the time left at the speed measured so far. `quiet`
shows nothing.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal, TextIO

from tqdm import tqdm

Style = Literal["bars", "lines", "off"]


def pick_style(quiet: bool, progress: bool | None, stream: TextIO | None = None) -> Style:
    """`progress` forces bars on (True) or everything off (False); None decides by the stream."""
    if progress is False or (progress is None and quiet):
        return "off"
    if progress is True or (stream or sys.stderr).isatty():
        return "bars"
    return "lines"


class Progress:
    """Counts documents and chunks of one run and reports them in the chosen style."""

    def __init__(
        self,
        total: int,
        style: Style,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        *,
        chunks: bool = True,  # a chunks bar too (the Dask driver counts documents only)
    ) -> None:
        stream = stream or sys.stderr
        self.total, self.style, self.stream = total, style, stream
        self.done = 0
        self._sent = 0  # documents finished that were not answered from the cache
        self._clock = clock
        self._start = clock()
        bars = style == "bars"
        self._docs = tqdm(total=total, desc="documents", unit="doc", disable=not bars, file=stream)
        self._chunks = tqdm(
            total=0, desc="chunks", unit="chunk", disable=not (bars and chunks), file=stream
        )

    @property
    def chunks(self) -> int:
        return self._chunks.n

    def start(self, line: str) -> None:
        """The run's first line (backend, model, documents, estimate), off a terminal."""
        self._say(line)

    def chunk_added(self) -> None:
        self._chunks.total += 1
        self._chunks.refresh()

    def chunk_done(self) -> None:
        self._chunks.update(1)

    def document_done(
        self, source: str, status: str, seconds: float, requests: int, *, cached: bool = False
    ) -> None:
        """One finished document. Answers from the cache take no time, so the time left is
        paced by the documents that were sent (none yet: no estimate)."""
        self.done += 1
        self._sent += not cached
        self._docs.update(1)
        elapsed = self._clock() - self._start
        left = elapsed / self._sent * (self.total - self.done) if self._sent else 0.0
        eta = f"; about {left:.0f} s left" if left >= 1 else ""
        if cached:
            how = "from the answer cache"
        else:
            how = f"{requests} request(s)" if requests else "no request (unreadable)"
        self._say(
            f"extract: [{self.done}/{self.total}] {Path(source).name}: {status}, "
            f"{seconds:.1f} s, {how}{eta}"
        )

    def close(self) -> None:
        self._docs.close()
        self._chunks.close()

    def _say(self, line: str) -> None:
        if self.style == "lines":
            print(line, file=self.stream, flush=True)
