"""Cost control: stop starting requests once the run has spent `--max-cost`.

Spending is counted from each answer's usage at the model's price. A request
already in flight finishes (its answer is paid for anyway); no new one starts.
Chunks refused this way end with a clear error, and the run stays resumable:
finished chunks are in the cache.
"""

from __future__ import annotations

import threading

from extract.errors import BudgetExceeded
from extract.llm.backends.base import Answer, Backend, BackendWrapper, StructuredRequest
from extract.llm.pricing import Price


class CostBudget:
    def __init__(self, max_cost: float, price: Price) -> None:
        self.max_cost = max_cost
        self.price = price
        self.spent = 0.0
        self._lock = threading.Lock()

    def check(self) -> None:
        with self._lock:
            if self.spent >= self.max_cost:
                raise BudgetExceeded(
                    f"not sent: the run reached --max-cost ${self.max_cost:.4f} "
                    f"(spent ${self.spent:.4f}); rerun with a higher limit to resume"
                )

    def charge(self, answer: Answer) -> None:
        with self._lock:
            self.spent += self.price.cost(answer.prompt_tokens, answer.completion_tokens)


class BudgetedBackend(BackendWrapper):
    def __init__(self, inner: Backend, budget: CostBudget) -> None:
        super().__init__(inner)
        self.budget = budget

    def complete(self, request: StructuredRequest) -> Answer:
        self.budget.check()
        answer = self.inner.complete(request)
        self.budget.charge(answer)
        return answer
