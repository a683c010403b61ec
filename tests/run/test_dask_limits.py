"""The cluster-wide limits' local side: a gate of leased slots, and rates that follow it."""

from __future__ import annotations

import threading
import time

from extract.llm.backends.base import Answer, StructuredRequest
from extract.run.dask_limits import LeaseGate, scale_rates
from extract.run.limiter import RateLimiter


class Leases:
    """A stand-in for `distributed.Semaphore`: `total` leases shared by every gate."""

    def __init__(self, total: int) -> None:
        self.free = total
        self.lock = threading.Condition()

    def acquire(self, timeout=None) -> bool:
        with self.lock:
            if timeout == 0 and self.free == 0:
                return False
            self.lock.wait_for(lambda: self.free > 0)
            self.free -= 1
            return True

    def release(self) -> None:
        with self.lock:
            self.free += 1
            self.lock.notify()


class SlowBackend:
    name, model, mode, context_window = "openai", "m", "json_schema", 32768

    def __init__(self) -> None:
        self.in_flight = self.most = 0
        self.lock = threading.Lock()

    def complete(self, request: StructuredRequest) -> Answer:
        with self.lock:
            self.in_flight += 1
            self.most = max(self.most, self.in_flight)
        time.sleep(0.02)
        with self.lock:
            self.in_flight -= 1
        return Answer("{}", "stop", 1, 1, "m")


def test_a_worker_sends_no_more_requests_than_the_leases_it_holds():
    leases, backend = Leases(5), SlowBackend()
    gate = LeaseGate(backend, leases, want=3)
    other = LeaseGate(SlowBackend(), leases, want=3)
    assert gate.enter() == 3
    assert other.enter() == 2  # what is left of the cluster's 5, without waiting
    request = StructuredRequest(messages=(), schema={}, schema_name="s", max_tokens=16)
    threads = [threading.Thread(target=gate.complete, args=(request,)) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert backend.most == 3
    gate.exit()  # its last task ended: every lease goes back
    assert leases.free == 3 and gate.held == 0
    other.exit()
    assert leases.free == 5


def test_rates_follow_the_share_of_leases_held():
    limiter = RateLimiter(120, 500_000)
    scale_rates(limiter, 120, 500_000, held=16, total=64)
    assert (limiter.rpm, limiter.tpm) == (30, 125_000)
    scale_rates(limiter, 0, 500_000, held=1, total=64)
    assert (limiter.rpm, limiter.tpm) == (0, 7_812)  # 0 stays "no limit"
