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
    # Models a router may fall back to (list prices per million tokens).
    "mistral-medium-2505": Price(0.40, 2.00),
    "mistral-large-2411": Price(2.00, 6.00),
    "mistral-large-latest": Price(2.00, 6.00),
}
FREE = Price(0.0, 0.0)


def price_for(backend: str, model: str) -> Price | None:
    """The price of `model` on `backend`; the embedded local model costs nothing."""
    if backend == "local":
        return FREE
    return PRICES.get(model) or PRICES.get(model.rsplit("/", 1)[-1])


def answer_cost(
    backend: str, model: str, prompt_tokens: int, completion_tokens: int
) -> float | None:
    """What one answer cost at the price of the model that gave it (None: unknown price).

    Routers may answer with another model than the one asked for; that model is
    what is billed, so it is what is priced.
    """
    price = price_for(backend, model)
    return price.cost(prompt_tokens, completion_tokens) if price is not None else None
