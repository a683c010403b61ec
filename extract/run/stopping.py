"""A graceful stop for a run: on Ctrl-C no new request starts, those in flight finish.

The first SIGINT sets `Stop.requested`: waits (retry backoff, rate limits) end at
once and every attempt not yet sent ends as "interrupted"; requests already in
flight are answered and cached. A second SIGINT sets `Stop.abandoned`: the run
stops waiting for them. SIGTERM (`timeout`, `kill`, a job scheduler) does both at
once, since whoever sent it will not wait long. Either way the tables of what
finished are written and the rerun resumes from the cache.
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

    def terminate(self, say: Callable[[str], None]) -> None:
        """SIGTERM: stop now, without waiting for the requests in flight."""
        self.requested.set()
        self.abandoned.set()
        say("extract: terminated: abandoning the requests in flight, writing what finished")


def interrupted() -> Interrupted:
    return Interrupted(
        f"{INTERRUPTED}: not sent, the run was stopped (Ctrl-C or SIGTERM); rerun to resume",
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
def signals_stop(stop: Stop, say: Callable[[str], None] | None = None) -> Iterator[None]:
    """While inside, Ctrl-C presses `stop` instead of raising KeyboardInterrupt, and
    SIGTERM terminates it instead of killing the process.

    Only in the main thread, and each signal only where nobody installed their own
    handler; elsewhere the signals behave as before.
    """
    speak = say or (lambda msg: print(msg, file=sys.stderr, flush=True))
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = {
        signal.SIGINT: (signal.default_int_handler, lambda _sig, _frame: stop.press(speak)),
        signal.SIGTERM: (signal.SIG_DFL, lambda _sig, _frame: stop.terminate(speak)),
    }
    previous = {
        signum: signal.signal(signum, ours)
        for signum, (default, ours) in handlers.items()
        if signal.getsignal(signum) is default
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
