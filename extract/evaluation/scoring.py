"""Our records in each dataset's gold format, and the datasets' own metrics on them.

A record is what the pipeline returns (`DocumentResult.data`, pydantic-dumped)
or what the naive baseline parsed from raw JSON: any JSON value may appear, so
the mappings accept strings, numbers, lists and nulls alike. Kleister and
SROIE are scored with the official re-implementations in their `load.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from extract.evaluation.loaders import load_module

Gold = dict[str, list[str]]
Record = dict[str, Any] | None


@dataclass(frozen=True)
class PRF:
    """Precision, recall and F1, with the counts behind them when the metric gives them."""

    precision: float
    recall: float
    f1: float
    tp: int | None = None
    n_gold: int | None = None
    n_pred: int | None = None


@dataclass
class Scores:
    """Overall and per-field figures; `extra` holds named variants (loose, exact, long docs)."""

    overall: PRF
    fields: dict[str, PRF]
    extra: dict[str, PRF] = field(default_factory=dict)


Scorer = Callable[[list[Gold], list[Gold]], Scores]
Matcher = Callable[[str, list[str], list[str]], bool]


def prf(tp: int, n_gold: int, n_pred: int) -> PRF:
    """Micro P/R/F1 with the GEval convention x/0 = 1.0 (nothing asked, nothing said: right)."""
    p = tp / n_pred if n_pred else 1.0
    r = tp / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return PRF(p, r, f, tp, n_gold, n_pred)


def values(value: Any) -> list[str]:
    """Any JSON value as a list of non-empty strings (null and "" give nothing)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [v for item in value for v in values(item)]
    if isinstance(value, bool):
        return [str(value).lower()]
    text = " ".join(str(value).split())
    return [text] if text else []


# --- Kleister (NDA and Charity) -------------------------------------------------------


def _kleister(text: str) -> str:
    return load_module("kleister_nda").to_kleister_value(text)


# How the Kleister NDA gold writes company forms: of its 631 train and dev-0 party names
# none holds "&", "Incorporated", "Limited" or "L.L.C." (284 end in "Inc.", 19 in "Ltd.";
# "Escalade, Incorporated" is `Escalade_Inc.`, "Heidrick & Struggles" `Heidrick_and_...`).
_KLEISTER_FORMS = (
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"\bIncorporated\b", re.IGNORECASE), "Inc."),
    (re.compile(r"\bLimited\b", re.IGNORECASE), "Ltd."),
    (re.compile(r"\bL\.L\.C\.?", re.IGNORECASE), "LLC"),
    (re.compile(r"\b(Inc|Corp|Ltd)\b(?!\.)"), r"\1."),  # "PhotoWorks, Inc:" as printed
)


def kleister_party(name: str) -> str:
    """A party name as the Kleister gold writes it: commas dropped (`Nike_Inc.`), `&` as
    `and`, Incorporated / Limited / L.L.C. / Inc as Inc. / Ltd. / LLC / Inc., spaces as `_`."""
    for pattern, short in _KLEISTER_FORMS:
        name = pattern.sub(short, name)
    return _kleister(name.replace(",", " "))


def nda_to_gold(record: Record) -> Gold:
    """NDA record -> Kleister gold: one `party` token per party (`kleister_party`), spaces and
    colons as `_`, "2 years" -> `2_years`, nulls omitted."""
    record = record or {}
    return {
        "effective_date": [_kleister(v) for v in values(record.get("effective_date"))],
        "jurisdiction": [_kleister(v) for v in values(record.get("jurisdiction"))],
        "party": [kleister_party(v) for v in values(record.get("parties"))],
        "term": [_kleister(v) for v in values(record.get("term"))],
    }


CHARITY_NAMES = {
    "address_post_town": "address__post_town",
    "address_postcode": "address__postcode",
    "address_street_line": "address__street_line",
    "charity_name": "charity_name",
    "charity_number": "charity_number",
    "income_annually_in_british_pounds": "income_annually_in_british_pounds",
    "report_date": "report_date",
    "spending_annually_in_british_pounds": "spending_annually_in_british_pounds",
}
MONEY = frozenset({"income_annually_in_british_pounds", "spending_annually_in_british_pounds"})


def _money(value: Any) -> list[str]:
    """Numbers as `%.2f` (no separators, no £), the gold's form; other values as given."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [f"{value:.2f}"]
    return [_kleister(v) for v in values(value)]


def charity_to_gold(record: Record) -> Gold:
    """CharityReport record -> Kleister Charity gold (field names with `__`, money `%.2f`)."""
    record = record or {}
    return {
        gold: _money(record.get(ours)) if ours in MONEY else
        [_kleister(v) for v in values(record.get(ours))]
        for ours, gold in CHARITY_NAMES.items()
    }  # fmt: skip


def _pairs(gold: Gold, fields: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(k, v) for k in fields for v in gold.get(k, [])]


def _from_geval(figures: dict[str, float]) -> PRF:
    return PRF(
        figures["precision"], figures["recall"], figures["f1"],
        int(figures["tp"]), int(figures["n_gold"]), int(figures["n_pred"]),
    )  # fmt: skip


def kleister_scorer(fields: tuple[str, ...]) -> Scorer:
    """GEval MultiLabel-F1 (upper-cased, micro) with `term` mapped to ISO on both sides."""

    def score(golds: list[Gold], preds: list[Gold]) -> Scores:
        load = load_module("kleister_nda")
        g = load.normalize_terms([_pairs(x, fields) for x in golds])
        p = load.normalize_terms([_pairs(x, fields) for x in preds])
        upper = load.kleister_f1(g, p, fields=fields)
        true_case = load.kleister_f1(g, p, upper=False, fields=fields)
        return Scores(
            overall=_from_geval(upper["all"]),
            fields={f: _from_geval(upper[f]) for f in fields},
            extra={"true case": _from_geval(true_case["all"])},
        )

    return score


def kleister_match(field_name: str, gold: list[str], pred: list[str]) -> bool:
    """Whether one document's field is exactly right under the official metric."""
    load = load_module("kleister_nda")
    g = load.normalize_terms([[(field_name, v) for v in gold]])
    p = load.normalize_terms([[(field_name, v) for v in pred]])
    figures = load.kleister_f1(g, p, fields=(field_name,))[field_name]
    return figures["tp"] == figures["n_gold"] == figures["n_pred"]


# --- SROIE ------------------------------------------------------------------------------

SROIE_FIELDS = ("company", "date", "address", "total")


def receipt_to_gold(record: Record) -> Gold:
    """Receipt record -> SROIE key: the four printed strings, one value each at most,
    in upper case as SROIE transcribes every receipt (its text set and its keys), whatever
    case the receipt prints: read from the scan, "Gerbang Alaf Restaurants Sdn Bhd" is
    the key's "GERBANG ALAF RESTAURANTS SDN BHD"."""
    record = record or {}
    return {k: [v.upper() for v in values(record.get(k))[:1]] for k in SROIE_FIELDS}


def _sroie_prf(figures: dict[str, float], golds: list[Gold], preds: list[Gold]) -> PRF:
    """The official figures, with the counts behind them (one value per field and receipt
    at most is predicted, as the official rule reads only the first)."""
    n_gold = sum(len(g.get(k, [])) for g in golds for k in SROIE_FIELDS)
    n_pred = sum(min(1, len(p.get(k, []))) for p in preds for k in SROIE_FIELDS)
    tp = round(figures["precision"] * n_pred)
    return PRF(figures["precision"], figures["recall"], figures["f1"], tp, n_gold, n_pred)


def sroie_scores(golds: list[Gold], preds: list[Gold]) -> Scores:
    """Official task-3 micro F1 (strict), the loose variant, and per-field strict F1."""
    load = load_module("sroie")
    per_field = {}
    for k in SROIE_FIELDS:
        g, p = [{k: x.get(k, [])} for x in golds], [{k: x.get(k, [])} for x in preds]
        per_field[k] = _sroie_prf(load.sroie_f1(g, p), g, p)
    loose = load.sroie_f1(golds, preds, loose=True)
    return Scores(
        overall=_sroie_prf(load.sroie_f1(golds, preds), golds, preds),
        fields=per_field,
        extra={"loose (case, spaces ignored)": _sroie_prf(loose, golds, preds)},
    )


def sroie_match(_field: str, gold: list[str], pred: list[str]) -> bool:
    """Strict task-3 rule for one field: the first predicted string equals the gold string."""
    if not gold:
        return not pred
    return bool(pred) and pred[0].strip() in [g.strip() for g in gold]
