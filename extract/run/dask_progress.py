"""Finished documents reach the driver as they finish, from every worker of the cluster.

A task's pool announces each document it finishes as a Dask event
(`Worker.log_event`: a message on the worker's existing stream to the
scheduler, no round trip on the request path), and the scheduler passes it on
to the driver, which subscribed to the topic before submitting any task. The
driver shows it as the local engine does (a bar on a terminal, one line per
document elsewhere; `extract.run.progress`).

A task that runs again (its worker died) announces its documents again: the
driver counts each (partition, position) once. A document that was never
announced (its task failed for good and the driver wrote its error row) is
shown when its partition's result arrives. All runs share one topic, told
apart by run id, so the scheduler's event log (1,000 events by default) does
not grow with the number of runs.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from extract.ingest.readable import readable_text
from extract.output.results import DocumentResult

TOPIC = "extract-documents"

Show = Callable[[str, str, float, int], None]  # source, status, seconds, requests
Announce = Callable[[int, DocumentResult, float], None]  # the pool's `on_document`


# --- on a worker ---------------------------------------------------------------------


def announcer(run_id: str, partition: int, offset: int) -> Announce:
    """The pool's hook in one task: tell the driver of each finished document."""
    from distributed import get_worker

    worker = get_worker()

    def announce(position: int, result: DocumentResult, seconds: float) -> None:
        message = [
            run_id,
            partition,
            offset + position,
            readable_text(result.source),  # a name's undecodable bytes as \\xNN
            result.status,
            round(seconds, 3),
            result.usage.requests,
        ]
        worker.log_event(TOPIC, message)

    return announce


# --- on the driver -------------------------------------------------------------------

_lock = threading.Lock()
_feeds: dict[str, DocumentFeed] = {}  # run id -> its feed, for every client in this process
_subscribed: dict[str, int] = {}  # client id -> runs listening through it


class DocumentFeed:
    """One run's finished documents, each shown once, whoever reports it first."""

    def __init__(self, show: Show) -> None:
        self.show = show
        self._seen: set[tuple[int, int]] = set()
        self._lock = threading.Lock()

    def tell(
        self, partition: int, position: int, source: str, status: str, seconds: float, requests: int
    ) -> None:
        with self._lock:  # events arrive on the client's loop, results on the driver's thread
            if (partition, position) in self._seen:
                return
            self._seen.add((partition, position))
            self.show(source, status, seconds, requests)

    def partition_done(self, partition: int, offset: int, results: list[DocumentResult]) -> None:
        """Show what no event announced (the error rows the driver made for a failed task)."""
        for j, result in enumerate(results):
            self.tell(
                partition, offset + j, result.source, result.status, 0.0, result.usage.requests
            )


@contextmanager
def document_feed(client: Any, run_id: str, show: Show) -> Iterator[DocumentFeed]:
    """Listen for the run's documents while the block runs (subscribe before submitting)."""
    feed = DocumentFeed(show)
    with _lock:  # (both calls only queue a message to the scheduler, in order)
        _feeds[run_id] = feed
        if _subscribed.get(client.id, 0) == 0:
            client.subscribe_topic(TOPIC, _dispatch)
        _subscribed[client.id] = _subscribed.get(client.id, 0) + 1
    try:
        yield feed
    finally:
        with _lock:
            _feeds.pop(run_id, None)
            _subscribed[client.id] -= 1
            if _subscribed[client.id] == 0:
                del _subscribed[client.id]
                client.unsubscribe_topic(TOPIC)


def _dispatch(event: tuple[float, Any]) -> None:
    """On the client's event loop: hand the event to its run's feed (others are ignored)."""
    _, (run_id, partition, position, source, status, seconds, requests) = event
    feed = _feeds.get(run_id)
    if feed is not None:
        feed.tell(partition, position, source, status, seconds, requests)
