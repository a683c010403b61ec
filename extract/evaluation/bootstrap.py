"""Confidence intervals by resampling documents, so a change of 0.02 is not taken for progress.

A score on 25 receipts or 83 NDAs moves by several points when a few documents
are swapped. The percentile bootstrap draws the documents again with
replacement, scores each draw with the dataset's own metric, and reports the
middle 95 % of the scores; the pipeline and the baseline are scored on the same
draws, so the interval of their difference is paired and narrower than the two
intervals side by side would suggest.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from extract.evaluation.scoring import Gold, Scores, prf

RESAMPLES = 1000
LEVEL = 0.95


@dataclass(frozen=True)
class Interval:
    """A point estimate and its bootstrap interval."""

    value: float
    low: float
    high: float

    def describe(self, *, signed: bool = False) -> str:
        number = f"{self.value:+.3f}" if signed else f"{self.value:.3f}"
        return f"{number} [{self.low:.3f}, {self.high:.3f}]"

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class Bootstrap:
    """Overall F1 intervals for each system, and for the pipeline minus the baseline."""

    systems: dict[str, Interval]
    difference: Interval | None
    resamples: int


def bootstrap_f1(
    score: Callable[[list[Gold], list[Gold]], Scores],
    golds: Sequence[Gold],
    preds: dict[str, Sequence[Gold]],
    *,
    resamples: int = RESAMPLES,
    seed: int = 0,
) -> Bootstrap | None:
    """Percentile intervals of overall F1 over documents drawn with replacement.

    `preds` maps a system's label to its predictions in the order of `golds`; when there
    are two, the difference is the first minus the second. The datasets' metrics are
    micro-averaged, so each document is scored once for its counts (true positives, gold
    and predicted values) and a draw only adds counts up: exact, and fast enough for a
    thousand draws. None for fewer than two documents (nothing to resample)."""
    n = len(golds)
    if n < 2 or not preds:
        return None
    labels = list(preds)
    counts = {label: _document_counts(score, golds, preds[label]) for label in labels}
    rng = random.Random(seed)
    draws: dict[str, list[float]] = {label: [] for label in labels}
    for _ in range(resamples):
        picked = [rng.randrange(n) for _ in range(n)]
        for label in labels:
            draws[label].append(_f1([counts[label][i] for i in picked]))
    full = {label: score(list(golds), list(preds[label])).overall.f1 for label in labels}
    systems = {label: _interval(full[label], draws[label]) for label in labels}
    difference = None
    if len(labels) >= 2:
        first, second = labels[0], labels[1]
        diffs = [a - b for a, b in zip(draws[first], draws[second], strict=True)]
        difference = _interval(full[first] - full[second], diffs)
    return Bootstrap(systems, difference, resamples)


Counts = tuple[int, int, int]  # true positives, gold values, predicted values


def _document_counts(
    score: Callable[[list[Gold], list[Gold]], Scores], golds: Sequence[Gold], preds: Sequence[Gold]
) -> list[Counts]:
    out = []
    for gold, pred in zip(golds, preds, strict=True):
        overall = score([gold], [pred]).overall
        if overall.tp is None or overall.n_gold is None or overall.n_pred is None:
            raise ValueError("the metric gives no counts: a micro-averaged bootstrap needs them")
        out.append((overall.tp, overall.n_gold, overall.n_pred))
    return out


def _f1(counts: list[Counts]) -> float:
    tp, n_gold, n_pred = (sum(c[i] for c in counts) for i in range(3))
    return prf(tp, n_gold, n_pred).f1


def _interval(value: float, draws: list[float]) -> Interval:
    ordered = sorted(draws)
    tail = (1 - LEVEL) / 2
    low = ordered[round(tail * (len(ordered) - 1))]
    high = ordered[round((1 - tail) * (len(ordered) - 1))]
    return Interval(value, low, high)
