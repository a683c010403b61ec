"""Prices per million tokens, to state what a run cost (or will cost).

A model missing from the table has an unknown price (None), never zero: a
report that says $0.00 for an unpriced model would be a lie.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Price:
    input_per_m: float
    output_per_m: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_m + completion_tokens * self.output_per_m) / 1e6


PRICES: dict[str, Price] = {
    "mistral/mistral-small-2503": Price(0.10, 0.30),
    "mistral-small-2503": Price(0.10, 0.30),
    "mistral-small-latest": Price(0.10, 0.30),
}
FREE = Price(0.0, 0.0)


def price_for(backend: str, model: str) -> Price | None:
    """The price of `model` on `backend`; the embedded local model costs nothing."""
    if backend == "local":
        return FREE
    return PRICES.get(model)
