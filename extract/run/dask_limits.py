"""Limits that hold across a Dask cluster: concurrency, request and token rates, money.

Concurrency is a cluster-wide `distributed.Semaphore` of `--concurrency`
leases. A worker process does not ask for a lease per request (a scheduler
round trip on the hot path); it takes leases in a block, in the task's own
thread, when a task starts, hands them to its request threads through a
local gate, and gives them back when its last running task ends. Leases held
by a worker that dies expire on the scheduler and the survivors take them up
at their next task. The rates follow the leases: a
worker holding k of C leases may send k/C of `--rpm` and `--tpm`, so the sum
over the cluster never passes the limits, however workers come and go.

Money is a pool (a `Variable` under a `Lock`): a worker draws an allowance
before a task and gives back what it did not spend when its last task of the
run ends. A worker that dies keeps its allowance (counted as spent), so the
cluster can stop early but never spend more than `--max-cost`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Literal

from extract.llm.backends.base import Answer, Backend, BackendWrapper, StructuredRequest
from extract.run.budget import CostBudget
from extract.run.limiter import RateLimiter

LeaseMode = Literal["blocks", "per-request"]


class LeaseGate(BackendWrapper):
    """At most as many requests in flight in this process as it holds cluster leases.

    `lease_mode="per-request"` asks the scheduler for a lease around every request
    instead (kept to measure the difference; see `make bench-dask`).
    """

    def __init__(
        self, inner: Backend, semaphore, want: int, lease_mode: LeaseMode = "blocks"
    ) -> None:
        super().__init__(inner)
        self.semaphore = semaphore
        self.want = want
        self.lease_mode = lease_mode
        self.held = 0
        self._in_use = 0
        self._cond = threading.Condition()
        self._tasks = 0
        self._tasks_lock = threading.Lock()

    def enter(self, then: Callable[[int], None] | None = None) -> int:
        """A task starts (in its own thread): take leases up to `want`; return how many.

        Waits only while this process holds none, else takes what is free.
        `then(held)` runs inside the same critical section.
        """
        with self._tasks_lock:
            self._tasks += 1
            while self.lease_mode == "blocks" and self.held < self.want:
                if not self.semaphore.acquire(timeout=None if self.held == 0 else 0):
                    break
                with self._cond:
                    self.held += 1
                    self._cond.notify()
            held = self.held if self.lease_mode == "blocks" else self.want
            if then is not None:
                then(held)
            return held

    def exit(self, then: Callable[[], None] | None = None) -> None:
        """A task ends: the last one running gives every lease back, so an idle worker
        never keeps the others waiting; `then()` runs for the last one, in the same section."""
        with self._tasks_lock:
            self._tasks -= 1
            if self._tasks:
                return
            with self._cond:
                count, self.held = self.held, 0
            for _ in range(count):
                self.semaphore.release()
            if then is not None:
                then()

    def complete(self, request: StructuredRequest) -> Answer:
        if self.lease_mode == "per-request":
            self.semaphore.acquire()
            try:
                return self.inner.complete(request)
            finally:
                self.semaphore.release()
        with self._cond:
            while self._in_use >= self.held:
                self._cond.wait()
            self._in_use += 1
        try:
            return self.inner.complete(request)
        finally:
            with self._cond:
                self._in_use -= 1
                self._cond.notify()

    def forget(self) -> None:
        """Stop refreshing the leases; the driver closes the semaphore on the scheduler."""
        callback = getattr(self.semaphore, "refresh_callback", None)
        if callback is not None:
            callback.stop()
        self.semaphore.refresh_leases = False


def scale_rates(limiter: RateLimiter | None, rpm: int, tpm: int, held: int, total: int) -> None:
    """This worker's share of the cluster's request and token rates: held/total of each."""
    if limiter is None:
        return
    limiter.rpm = max(1, rpm * held // total) if rpm else 0
    limiter.tpm = max(1, tpm * held // total) if tpm else 0


class BudgetPool:
    """The run's money, shared by all workers: draw an allowance, give back what is left."""

    def __init__(self, run_id: str, max_cost: float) -> None:
        self.name = f"{run_id}-budget"
        self.max_cost = max_cost

    def open(self, client) -> None:
        """On the driver: fill the pool."""
        from distributed import Variable

        Variable(self.name, client=client).set(self.max_cost)

    def close(self, client) -> None:
        from distributed import Variable

        Variable(self.name, client=client).delete()

    def draw(self, budget: CostBudget, target: float) -> None:
        """In a task thread: raise this worker's allowance towards `target` unspent dollars."""
        from distributed import Lock, Variable

        with Lock(self.name):
            pool = Variable(self.name)
            left = float(pool.get())
            need = max(0.0, target - (budget.max_cost - budget.spent))
            grant = min(left, need)
            if grant > 0:
                pool.set(left - grant)
                budget.max_cost += grant

    def give_back(self, budget: CostBudget) -> None:
        """In a task thread, when the worker has no other task of this run: return the unspent."""
        from distributed import Lock, Variable

        with Lock(self.name):
            unspent = max(0.0, budget.max_cost - budget.spent)
            if unspent > 0:
                pool = Variable(self.name)
                pool.set(float(pool.get()) + unspent)
                budget.max_cost -= unspent
