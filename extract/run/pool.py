"""Running many documents: one worker pool over all chunks of all documents.

Documents are read and planned in the calling thread while the pool works,
so the configured number of requests stays in flight; there are no batches
waiting for their slowest member. A chunk whose answer was truncated is split
and its halves go back into the pool. Results come back in input order.
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from extract.errors import DocumentError
from extract.ingest.chunking import Chunk
from extract.ingest.documents import Document, discover, read_document
from extract.run.core import (
    ChunkOutcome,
    DocumentResult,
    Task,
    Usage,
    extract_chunk,
    failed_document,
    finish_document,
    plan_chunks,
    smaller_chunks,
)
from extract.run.services import RunServices

PREFETCH_FACTOR = 4  # chunks queued per worker before reading more documents


@dataclass
class _Open:
    """A document whose chunks are still in flight."""

    position: int
    doc: Document
    n_chunks: int
    outstanding: int
    outcomes: list[ChunkOutcome] = field(default_factory=list)
    superseded: Usage = field(default_factory=Usage)  # paid for truncated answers


@dataclass
class RunStats:
    documents: int = 0
    chunks: int = 0
    cached_chunks: int = 0
    seconds: float = 0.0


class Runner:
    """Extracts a list of paths with one backend; `run()` returns results in input order."""

    def __init__(self, task: Task, services: RunServices, *, progress: bool | None = None) -> None:
        self.task = task
        self.services = services
        self.backend = services.backend
        cfg = task.config
        show = not cfg.quiet and sys.stderr.isatty() if progress is None else progress
        self._show_progress = show
        self.stats = RunStats()

    def run(self, paths: list[Path]) -> list[DocumentResult]:
        start = time.monotonic()
        files = discover(paths)
        results: list[DocumentResult | None] = [None] * len(files)
        futures: dict[Future[ChunkOutcome], tuple[_Open, Chunk]] = {}
        docs_bar = tqdm(
            total=len(files), desc="documents", unit="doc", disable=not self._show_progress
        )
        chunks_bar = tqdm(total=0, desc="chunks", unit="chunk", disable=not self._show_progress)
        workers = self.task.config.concurrency
        cached = 0

        def submit(state: _Open, chunk: Chunk) -> None:
            future = pool.submit(
                extract_chunk,
                chunk,
                state.doc.source,
                state.n_chunks,
                self.task,
                self.services,
            )
            futures[future] = (state, chunk)
            chunks_bar.total += 1
            chunks_bar.refresh()

        def collect(block: bool) -> None:
            nonlocal cached
            if not futures:
                return
            done, _ = wait(list(futures), timeout=None if block else 0, return_when=FIRST_COMPLETED)
            for future in done:
                state, chunk = futures.pop(future)
                outcome = _outcome(future, chunk)
                chunks_bar.update(1)
                cached += outcome.cached
                if outcome.truncated:
                    parts = smaller_chunks(outcome, state.doc, self.backend)
                    if parts:
                        state.outstanding += len(parts) - 1
                        for part in parts:
                            submit(state, part)
                        state.superseded.add(outcome.usage)
                        continue
                state.outcomes.append(outcome)
                state.outstanding -= 1
                if state.outstanding == 0:
                    results[state.position] = finish_document(
                        state.doc, state.outcomes, self.task, state.superseded
                    )
                    docs_bar.update(1)

        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="extract") as pool:
            for position, path in enumerate(files):
                try:
                    doc = read_document(path)
                    chunks = plan_chunks(doc, self.task, self.backend)
                except DocumentError as exc:
                    results[position] = failed_document(str(path), str(exc))
                    docs_bar.update(1)
                    continue
                except Exception as exc:  # a reader bug must not end the run: it gets a row
                    results[position] = failed_document(
                        str(path), f"unexpected error reading document: {type(exc).__name__}: {exc}"
                    )
                    docs_bar.update(1)
                    continue
                state = _Open(position, doc, n_chunks=len(chunks), outstanding=len(chunks))
                for chunk in chunks:
                    submit(state, chunk)
                collect(block=False)
                while len(futures) > workers * PREFETCH_FACTOR:
                    collect(block=True)
            while futures:
                collect(block=True)
        docs_bar.close()
        chunks_bar.close()
        self.stats = RunStats(
            documents=len(files),
            chunks=chunks_bar.n,
            cached_chunks=cached,
            seconds=time.monotonic() - start,
        )
        return [r for r in results if r is not None]


def _outcome(future: Future[ChunkOutcome], chunk: Chunk) -> ChunkOutcome:
    """The chunk's outcome; an unexpected exception becomes that chunk's error."""
    exc = future.exception()
    if exc is None:
        return future.result()
    return ChunkOutcome(chunk=chunk, error=f"internal error: {type(exc).__name__}: {exc}")
