"""A graceful stop for a run: on Ctrl-C no new request starts, those in flight finish.

The first SIGINT sets `Stop.requested`: waits (retry backoff, rate limits) end at
once and every attempt not yet sent ends as "interrupted"; requests already in
flight are answered and cached. A second SIGINT sets `Stop.abandoned`: the run
stops waiting for them. Either way the tables of what finished are written and
the rerun resumes from the cache.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator

from extract.errors import Interrupted
from extract.llm.backends.base import Answer, Backend, BackendWrapper, StructuredRequest

INTERRUPTED = "interrupted"


class Stop:
    """The run's stop flags, shared by the pool and every worker."""

    def __init__(self) -> None:
        self.requested = threading.Event()
        self.abandoned = threading.Event()

    def pause(self, seconds: float) -> None:
        """Sleep, unless the run is stopping: then raise at once."""
        if self.requested.wait(seconds):
            raise interrupted()

    def check(self) -> None:
        if self.requested.is_set():
            raise interrupted()

    def press(self, say: Callable[[str], None]) -> None:
        """One Ctrl-C: stop starting requests; a second: abandon those in flight."""
        if not self.requested.is_set():
            self.requested.set()
            say(
                "extract: interrupted: no new requests; waiting for those in flight "
                "(Ctrl-C again to abandon them)"
            )
        else:
            self.abandoned.set()
            say("extract: interrupted again: abandoning the requests in flight")


def interrupted() -> Interrupted:
    return Interrupted(
        f"{INTERRUPTED}: not sent, the run was stopped (Ctrl-C); rerun to resume",
        provider="run",
        retryable=False,
    )


class StoppableBackend(BackendWrapper):
    """Refuses to send once the run is stopping (checked after any limiter wait)."""

    def __init__(self, inner: Backend, stop: Stop) -> None:
        super().__init__(inner)
        self.stop = stop

    def complete(self, request: StructuredRequest) -> Answer:
        self.stop.check()
        return self.inner.complete(request)


@contextlib.contextmanager
def sigint_stops(stop: Stop, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """While inside, Ctrl-C presses `stop` instead of raising KeyboardInterrupt.

    Only in the main thread and only where nobody installed their own handler;
    elsewhere Ctrl-C behaves as before.
    """
    speak = say or (lambda msg: print(msg, file=sys.stderr, flush=True))
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda _sig, _frame: stop.press(speak))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
