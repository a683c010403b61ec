"""Running many documents: one worker pool over all chunks of all documents.

Documents are read and planned in the calling thread while the pool works,
so the configured number of requests stays in flight; there are no batches
waiting for their slowest member. Scanned pages are read (OCR, page images)
in the pool too, beside other documents' requests. A chunk whose answer was
truncated is split and its halves go back into the pool; a document whose page
images the endpoint refused is read again, by OCR. Results come back in input order.

A single document (`extract_document`) takes this same path: one item, no
folder to expand.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, CancelledError, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from extract.errors import DocumentError
from extract.ingest.chunking import Chunk
from extract.ingest.documents import Document, Refused, find_inputs, read_document
from extract.ingest.remote import RemoteFile
from extract.ingest.scan_route import read_scans
from extract.output.results import DocumentResult, Usage
from extract.run.core import (
    ChunkOutcome,
    extract_chunk,
    failed_document,
    finish_document,
    plan_chunks,
    smaller_chunks,
)
from extract.run.progress import Progress, pick_style
from extract.run.second_pass import finish_with_second_pass
from extract.run.services import RunServices
from extract.run.stopping import INTERRUPTED, Stop, signals_stop
from extract.run.task import Task

PREFETCH_FACTOR = 4  # chunks queued per worker before reading more documents
POLL_SECONDS = 0.2  # how often a waiting pool looks at the stop flags
INTERRUPTED_ERROR = (
    f"{INTERRUPTED}: the run was stopped (Ctrl-C or SIGTERM) before this document finished; "
    "rerun to resume (finished chunks come from the cache)"
)

# A file to read (local, or a URL on object storage), a document already read, or a refusal.
Source = Path | RemoteFile | Document | Refused
DocumentHook = Callable[[int, DocumentResult, float], None]  # position, result, seconds


@dataclass
class _Open:
    """A document whose chunks are still in flight."""

    position: int
    doc: Document
    n_chunks: int
    outstanding: int
    unread: Document  # as read from the file: read again if its page images are refused
    outcomes: list[ChunkOutcome] = field(default_factory=list)
    superseded: Usage = field(default_factory=Usage)  # paid for truncated answers

    @property
    def from_cache(self) -> bool:  # every chunk answered from the cache: nothing sent
        return bool(self.outcomes) and all(o.cached for o in self.outcomes)


@dataclass
class RunStats:
    """What the run report reads of a run: chunks answered from the cache, and the time."""

    cached_chunks: int = 0
    seconds: float = 0.0
    interrupted: bool = False  # Ctrl-C: unfinished documents are "interrupted" error rows
    abandoned: bool = False  # a second Ctrl-C: requests in flight were not waited for


class Runner:
    """Extracts documents with one backend; `run()` returns results in input order."""

    def __init__(
        self,
        task: Task,
        services: RunServices,
        *,
        progress: bool | None = None,
        on_document: DocumentHook | None = None,
    ) -> None:
        self.task = task
        self.services = services
        self._style = pick_style(task.config.quiet, progress)
        self.on_document = on_document  # how a Dask task tells its driver (dask_progress)
        self.stats = RunStats()

    def run(self, paths: Sequence[Path], *, skip: Iterable[Path] = ()) -> list[DocumentResult]:
        """Every file under `paths` (folders expanded) but those in `skip` (the run's own
        tables, log and cache); a refused input (a link out of its folder) gets its row."""
        start = time.monotonic()
        return self.run_sources(find_inputs(paths, skip=skip), start=start)

    def run_sources(
        self, sources: Sequence[Source], *, start: float | None = None
    ) -> list[DocumentResult]:
        """Each source as given: a file to read, or a document already read."""
        start = time.monotonic() if start is None else start
        stop = self.services.stop
        with (
            signals_stop(stop),
            _Pass(self, Progress(len(sources), self._style)) as one,
        ):
            for position, source in enumerate(sources):
                if stop.requested.is_set():
                    break
                one.add(position, source)
            results, cached = one.finish(sources)
        self.stats = RunStats(
            cached,
            time.monotonic() - start,
            interrupted=stop.requested.is_set(),
            abandoned=stop.abandoned.is_set(),
        )
        return results


class _Pass:
    """One run over a list of sources: the pool, the chunks in flight, the results so far."""

    def __init__(self, runner: Runner, progress: Progress) -> None:
        task, services = runner.task, runner.services
        self.task, self.services, self.on_document = task, services, runner.on_document
        self.stop: Stop = services.stop
        self.opened: dict[int, _Open] = {}
        self.results: list[DocumentResult | None] = [None] * progress.total
        self.began: dict[int, float] = {}  # position -> when its reading started
        self.futures: dict[Future[ChunkOutcome], tuple[_Open, Chunk]] = {}
        self.reading: dict[Future[Document], tuple[int, Document, Usage]] = {}  # scans
        self.finishing: dict[Future[DocumentResult], _Open] = {}  # second passes
        self.told_refusal = task.config.quiet  # a quiet run says nothing
        self.cached = 0
        self.workers = task.config.concurrency
        self.progress = progress
        backend = services.backend
        progress.start(
            f"extract: {progress.total} document(s), backend {backend.name}, model {backend.model}"
        )
        self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="extract")

    def __enter__(self) -> _Pass:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=not self._abandoned, cancel_futures=True)
        self.progress.close()

    def add(self, position: int, source: Source) -> None:
        """Read one document (its scans in the pool), queue its chunks, keep the queue bounded."""
        self.began[position] = time.monotonic()
        try:
            if isinstance(source, Refused):
                raise DocumentError(source.reason)
            if isinstance(source, Document):
                doc = source
            else:
                doc = source.read() if isinstance(source, RemoteFile) else read_document(source)
        except Exception as exc:  # a reader bug must not end the run either: it gets a row
            self._failed(position, _name(source), exc)
            return
        self._read(position, doc, Usage())
        self._collect(block=False)
        while (
            len(self.futures) + len(self.reading) > self.workers * PREFETCH_FACTOR
            and not self._abandoned
        ):
            self._collect(block=True)

    def finish(self, sources: Sequence[Source]) -> tuple[list[DocumentResult], int]:
        """Wait for every chunk; the results in input order, and the chunks cached.

        After a stop, what did not finish (or never started) is an "interrupted" row.
        """
        while (self.futures or self.reading or self.finishing) and not self._abandoned:
            self._collect(block=True)
        for position, source in enumerate(sources):
            if self.results[position] is None:
                state = self.opened.get(position)
                self.results[position] = (
                    _interrupted(state)
                    if state
                    else failed_document(_name(source), INTERRUPTED_ERROR)
                )
        return [r for r in self.results if r is not None], self.cached

    @property
    def _abandoned(self) -> bool:
        return self.stop.abandoned.is_set()

    def _read(self, position: int, unread: Document, paid: Usage) -> None:
        """Scanned pages are read (OCR, page images) in the pool; other documents start now."""
        route = self.services.scans
        if route.needs_work(unread):
            self.reading[self.pool.submit(read_scans, unread, route)] = (position, unread, paid)
        else:
            self._start(position, unread, unread, paid)

    def _start(self, position: int, unread: Document, doc: Document, paid: Usage) -> None:
        """Plan a readable document's chunks and put them in the pool."""
        if self.stop.requested.is_set():
            return  # stopped while its scans were read: an "interrupted" row
        try:
            chunks = plan_chunks(doc, self.task, self.services.backend)
        except Exception as exc:
            self._failed(position, doc.source, exc)
            return
        state = _Open(position, doc, len(chunks), len(chunks), unread, superseded=paid)
        self.opened[position] = state
        for chunk in chunks:
            self._submit(state, chunk)

    def _failed(self, position: int, name: str, exc: BaseException) -> None:
        error = str(exc)
        if not isinstance(exc, DocumentError):
            error = f"unexpected error reading document: {type(exc).__name__}: {exc}"
        self._done(position, failed_document(name, error))

    def _submit(self, state: _Open, chunk: Chunk) -> None:
        future = self.pool.submit(
            extract_chunk,
            chunk,
            state.n_chunks,
            self.task,
            self.services,
            state.doc.images,
        )
        self.futures[future] = (state, chunk)
        self.progress.chunk_added()

    def _collect(self, block: bool) -> None:
        if not self.futures and not self.reading and not self.finishing:
            return
        pending = [*self.futures, *self.reading, *self.finishing]
        if self.stop.requested.is_set():
            for future in pending:
                future.cancel()  # queued ones never start; running ones finish
        timeout = POLL_SECONDS if block else 0  # a blocked wait would not see Ctrl-C
        done, _ = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            if future in self.finishing:
                self._finished(self.finishing.pop(future), future)
                continue
            if future in self.reading:
                position, unread, paid = self.reading.pop(future)
                if future.cancelled():
                    continue  # stopped before its scans were read: an "interrupted" row
                exc = future.exception()
                if exc is not None:
                    self._failed(position, unread.source, exc)
                else:
                    self._start(position, unread, future.result(), paid)
                continue
            state, chunk = self.futures.pop(future)
            self._settle(state, _outcome(future, chunk))

    def _settle(self, state: _Open, outcome: ChunkOutcome) -> None:
        """One chunk answered: split it if truncated, else count it in; finish its document."""
        self.progress.chunk_done()
        self.cached += outcome.cached
        if outcome.truncated and not self.stop.requested.is_set():
            parts = smaller_chunks(outcome, state.doc, self.services.backend)
            if parts:
                state.outstanding += len(parts) - 1
                for part in parts:
                    self._submit(state, part)
                state.superseded.add(outcome.usage)
                return
        state.outcomes.append(outcome)
        state.outstanding -= 1
        if state.outstanding == 0:
            if any(o.interrupted for o in state.outcomes) or (
                self.stop.requested.is_set() and any(o.images_refused for o in state.outcomes)
            ):
                self._done(state.position, _interrupted(state))
                return
            refused = next((o.images_refused for o in state.outcomes if o.images_refused), None)
            if refused is not None:  # read again: the route now says OCR
                if not self.told_refusal:
                    print(f"extract: {refused}; reading scanned pages by OCR", file=sys.stderr)
                    self.told_refusal = True
                for o in state.outcomes:
                    state.superseded.add(o.usage)
                self._read(state.position, state.unread, state.superseded)
                return
            if self.task.config.second_pass and not self.stop.requested.is_set():
                args = (state.doc, state.outcomes, self.task, self.services, state.superseded)
                self.finishing[self.pool.submit(finish_with_second_pass, *args)] = state
                return
            doc_result = finish_document(state.doc, state.outcomes, self.task, state.superseded)
            self._done(state.position, doc_result, cached=state.from_cache)

    def _finished(self, state: _Open, future: Future[DocumentResult]) -> None:
        """A second pass ended: its result, or (stopped, or a bug) the first pass's alone."""
        try:
            result = future.result()
        except Exception as exc:  # cancelled by a stop, or a bug: the document is never lost
            result = finish_document(state.doc, state.outcomes, self.task, state.superseded)
            if not isinstance(exc, CancelledError):
                result.notes.append(f"second pass failed: {type(exc).__name__}: {exc}")
        self._done(state.position, result, cached=state.from_cache)

    def _done(self, position: int, result: DocumentResult, *, cached: bool = False) -> None:
        self.results[position] = result
        seconds = time.monotonic() - self.began.pop(position, time.monotonic())
        requests = result.usage.requests
        self.progress.document_done(result.source, result.status, seconds, requests, cached=cached)
        if self.on_document is not None:
            self.on_document(position, result, seconds)


def _interrupted(state: _Open) -> DocumentResult:
    """An unfinished document's row: an error saying so, with what it already cost."""
    usage = Usage()
    usage.add(state.superseded)
    for outcome in state.outcomes:
        usage.add(outcome.usage)
    result = failed_document(state.doc.source, INTERRUPTED_ERROR)
    result.doc_id, result.pages, result.usage = state.doc.doc_id, state.doc.n_pages, usage
    return result


def _name(source: Source) -> str:
    if isinstance(source, Refused):
        return str(source.path)
    if isinstance(source, RemoteFile):
        return source.url
    return source.source if isinstance(source, Document) else str(source)


def _outcome(future: Future[ChunkOutcome], chunk: Chunk) -> ChunkOutcome:
    """The chunk's outcome; an unexpected exception becomes that chunk's error."""
    try:
        exc = future.exception()
    except CancelledError:  # still queued when the run was stopped
        return ChunkOutcome(chunk=chunk, error=f"{INTERRUPTED}: not sent", interrupted=True)
    if exc is None:
        return future.result()
    return ChunkOutcome(chunk=chunk, error=f"internal error: {type(exc).__name__}: {exc}")
