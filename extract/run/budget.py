"""Cost control: `--max-cost` is a cap on what the run spends, kept under concurrency.

Each request reserves its estimated cost before it is sent (its prompt counted
here, page images at their image-token count as in the dry run, the answer at
`max_tokens`) and settles at what the answer cost, priced as the model that
answered. A request starts only while spent + reserved is
under the cap, so the run ends less than one request's cost over it, however
many are in flight. The first request goes alone: its real cost calibrates the
estimate (a provider that counts more tokens than we do, or a router that
switched to a dearer model, scales every later reservation). A reservation is
held through any rate-limit wait, so no request is sent on a stale check.
An answer without usage is counted with local token counts (never as free).
Refused chunks end with a clear error; finished ones are in the cache.
"""

from __future__ import annotations

import json
import threading

from extract.errors import BudgetExceeded
from extract.ingest.tokenizer import MESSAGE_OVERHEAD
from extract.llm.backends.base import Answer, Backend, BackendWrapper, StructuredRequest
from extract.llm.pricing import Price, answer_cost
from extract.llm.vision import content_tokens


class CostBudget:
    """Thread-safe spend, reservations and calibration of one run."""

    def __init__(self, max_cost: float, price: Price) -> None:
        self.max_cost = max_cost
        self.price = price  # of the model asked for: the estimate before any answer
        self.spent = 0.0
        self.reserved = 0.0
        self.in_flight = 0
        self.scale = 1.0  # largest seen ratio of real cost to estimate
        self.calibrated = False
        self.unpriced: str | None = None  # a model answered whose price is unknown
        self._cond = threading.Condition()

    def reserve(self, estimate: float) -> float:
        """Hold `estimate` (scaled) of the budget for one request, or refuse it.

        A request starts only while spent + reserved is under the cap; while the
        requests in flight may still settle below what they hold, it waits for them.
        Since each settles at no more than it held, the run ends less than the last
        request's own cost over the cap.
        """
        with self._cond:
            while True:
                if self.unpriced is not None:
                    raise self._refusal(
                        f"the provider answered with model {self.unpriced!r}, whose price is "
                        "unknown, so --max-cost cannot be kept"
                    )
                if self.spent >= self.max_cost:
                    raise self._refusal(f"the run reached --max-cost ${self.max_cost:.4f}")
                room = self.spent + self.reserved < self.max_cost
                if room and (self.calibrated or self.in_flight == 0):
                    held = estimate * self.scale
                    self.reserved += held
                    self.in_flight += 1
                    return held
                self._cond.wait()

    def settle(self, held: float, estimate: float, cost: float | None, model: str) -> None:
        """Replace a reservation by what the answer cost (`None`: a price we do not know)."""
        with self._cond:
            self._release(held)
            if cost is None:
                self.unpriced = model
                cost = held  # at least what we expected, so the figure is never zero
            self.spent += cost
            if estimate > 0:
                self.scale = max(self.scale, cost / estimate)
            self.calibrated = True
            self._cond.notify_all()

    def release(self, held: float) -> None:
        """A request that got no answer (refused, failed) costs nothing."""
        with self._cond:
            self._release(held)
            self._cond.notify_all()

    def _release(self, held: float) -> None:
        self.reserved = max(0.0, self.reserved - held)
        self.in_flight -= 1

    def _refusal(self, why: str) -> BudgetExceeded:
        return BudgetExceeded(
            f"not sent: {why} (spent ${self.spent:.4f}); rerun with a higher limit to resume"
        )


def estimated_cost(request: StructuredRequest, backend: Backend, price: Price) -> float:
    """The most a request should cost: its prompt counted here (page images at their
    mistral-common count, like the dry run), the answer at max_tokens."""
    prompt = sum(
        content_tokens(m.get("content"), backend.count_tokens) + MESSAGE_OVERHEAD
        for m in request.messages
    )
    if backend.schema_in_prompt():
        prompt += backend.count_tokens(json.dumps(request.schema))
    return price.cost(prompt, request.max_tokens)


class BudgetedBackend(BackendWrapper):
    def __init__(self, inner: Backend, budget: CostBudget) -> None:
        super().__init__(inner)
        self.budget = budget

    def complete(self, request: StructuredRequest) -> Answer:
        estimate = estimated_cost(request, self.inner, self.budget.price)
        held = self.budget.reserve(estimate)
        try:
            answer = self.inner.complete(request)
        except BaseException:
            self.budget.release(held)
            raise
        cost = answer_cost(self.name, answer.model, answer.prompt_tokens, answer.completion_tokens)
        self.budget.settle(held, estimate, cost, answer.model)
        return answer
