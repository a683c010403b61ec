"""Confidence intervals over documents: exact counts, paired draws, honest about noise."""

from __future__ import annotations

import random

from extract.evaluation.bootstrap import bootstrap_f1
from extract.evaluation.scoring import kleister_scorer, sroie_scores

FIELDS = ("effective_date", "jurisdiction", "party", "term")


def ndas(n: int) -> list[dict[str, list[str]]]:
    return [
        {
            "effective_date": [f"2014-05-{1 + i % 28:02d}"],
            "jurisdiction": ["New_York"],
            "party": [f"Party_{i}_Inc.", "Other_LLC"],
            "term": ["2_years"],
        }
        for i in range(n)
    ]


def spoil(golds, share: float, seed: int):
    rng = random.Random(seed)
    return [{k: (v if rng.random() > share else ["wrong"]) for k, v in g.items()} for g in golds]


def test_the_point_estimate_is_the_metric_on_all_documents_and_lies_inside():
    golds = ndas(40)
    preds = {"pipeline": spoil(golds, 0.2, 1), "naive": spoil(golds, 0.5, 2)}
    score = kleister_scorer(FIELDS)
    boot = bootstrap_f1(score, golds, preds, resamples=300)
    assert boot is not None
    for label, interval in boot.systems.items():
        assert interval.value == score(golds, preds[label]).overall.f1
        assert interval.low < interval.value < interval.high


def test_a_clearly_better_system_has_a_difference_clear_of_zero_and_a_coin_flip_does_not():
    golds = ndas(60)
    score = kleister_scorer(FIELDS)
    clear = bootstrap_f1(
        score, golds, {"pipeline": spoil(golds, 0.1, 1), "naive": spoil(golds, 0.6, 2)}
    )
    tie = bootstrap_f1(
        score, golds, {"pipeline": spoil(golds, 0.3, 3), "naive": spoil(golds, 0.3, 4)}
    )
    assert clear is not None and clear.difference is not None and clear.difference.excludes_zero
    assert tie is not None and tie.difference is not None and not tie.difference.excludes_zero


def test_more_documents_give_a_narrower_interval():
    score = kleister_scorer(FIELDS)
    widths = []
    for n in (20, 200):
        golds = ndas(n)
        boot = bootstrap_f1(score, golds, {"pipeline": spoil(golds, 0.3, 5)}, resamples=300)
        assert boot is not None
        widths.append(boot.systems["pipeline"].high - boot.systems["pipeline"].low)
    assert widths[1] < widths[0] / 2


def test_receipts_are_resampled_with_the_official_counts():
    golds = [{"company": ["A"], "date": ["1"], "address": ["x"], "total": ["9"]}] * 30
    preds = spoil(golds, 0.25, 7)
    for p in preds[:5]:
        p["address"] = []  # nothing predicted: counts in recall, not precision
    boot = bootstrap_f1(sroie_scores, golds, {"pipeline": preds}, resamples=200)
    assert boot is not None
    assert boot.systems["pipeline"].value == sroie_scores(golds, preds).overall.f1


def test_one_document_has_nothing_to_resample():
    golds = ndas(1)
    assert bootstrap_f1(kleister_scorer(FIELDS), golds, {"pipeline": golds}) is None
