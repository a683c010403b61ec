"""CUAD's eight simple fields, scored with the protocol the evaldata README proposes.

CUAD has no field-level metric of its own, so: values are compared after
casefolding and collapsing whitespace and punctuation; ISO dates must be equal;
durations ("successive 1 year", "one (1) years") compare by number and unit;
parties are a set matched fuzzily (token-set similarity >= 0.9 once legal
suffixes such as Inc., LLC, Ltd., Corp. are removed) and also reported exactly.
Micro P/R/F1 overall and per field.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from difflib import SequenceMatcher

from extract.evaluation.scoring import Gold, Record, Scores, prf, values

CUAD_FIELDS = (
    "document_name",
    "parties",
    "agreement_date",
    "effective_date",
    "expiration_date",
    "renewal_term",
    "notice_period_to_terminate_renewal",
    "governing_law",
)
DATE_FIELDS = frozenset({"agreement_date", "effective_date", "expiration_date"})
DURATION_FIELDS = frozenset({"renewal_term", "notice_period_to_terminate_renewal"})
PARTY_THRESHOLD = 0.9
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
    "plc", "lp", "llp", "lllp", "gmbh", "ag", "sa", "nv", "bv", "pte", "pty", "sarl", "spa",
    "srl", "ulc", "the",
})  # fmt: skip
_ISO = re.compile(r"\d{4}(-\d{2}){0,2}")
_DURATION = re.compile(r"(\d+)\s*\)?\s*(year|month|week|day)s?\b")

Same = Callable[[str, str], bool]


def contract_to_gold(record: Record) -> Gold:
    """Contract record -> CUAD gold: parties as a list, every other field one value or none."""
    record = record or {}
    return {f: values(record.get(f)) if f == "parties" else values(record.get(f))[:1]
            for f in CUAD_FIELDS}  # fmt: skip


def normalize(text: str) -> str:
    """Casefolded, punctuation as spaces, whitespace collapsed."""
    return " ".join(re.sub(r"[\W_]+", " ", text.casefold()).split())


def _duration(text: str) -> str:
    found = _DURATION.findall(text.casefold())
    return ", ".join(f"{n.lstrip('0') or '0'} {unit}" for n, unit in found) or normalize(text)


def _same_value(field: str) -> Same:
    def same(gold: str, pred: str) -> bool:
        if field in DATE_FIELDS and _ISO.fullmatch(gold.strip()):
            return gold.strip() == pred.strip()
        if field in DURATION_FIELDS:
            return _duration(gold) == _duration(pred)
        return normalize(gold) == normalize(pred)

    return same


def _party_tokens(name: str) -> list[str]:
    tokens = normalize(name).split()
    kept = [t for t in tokens if t not in LEGAL_SUFFIXES]
    return kept or tokens


def token_set_ratio(a: str, b: str) -> float:
    """difflib's take on the classic token-set ratio (1.0 when one name's tokens hold the other's)."""
    ta, tb = set(_party_tokens(a)), set(_party_tokens(b))
    common = " ".join(sorted(ta & tb))
    one = " ".join(filter(None, [common, " ".join(sorted(ta - tb))]))
    two = " ".join(filter(None, [common, " ".join(sorted(tb - ta))]))
    if not one or not two:
        return float(one == two)
    pairs = [(one, two)] + ([(common, one), (common, two)] if common else [])
    return max(SequenceMatcher(None, x, y).ratio() for x, y in pairs)


def _same_party(gold: str, pred: str) -> bool:
    return token_set_ratio(gold, pred) >= PARTY_THRESHOLD


def _same_party_exact(gold: str, pred: str) -> bool:
    return normalize(gold) == normalize(pred)


def matched(gold: list[str], pred: list[str], same: Same) -> int:
    """True positives: each gold value matches at most one prediction, taken in order."""
    free = list(gold)
    tp = 0
    for p in pred:
        hit = next((i for i, g in enumerate(free) if same(g, p)), None)
        if hit is not None:
            free.pop(hit)
            tp += 1
    return tp


def _comparer(field: str) -> Same:
    return _same_party if field == "parties" else _same_value(field)


def _counts(golds: list[Gold], preds: list[Gold], field: str, same: Same) -> tuple[int, int, int]:
    tp = n_gold = n_pred = 0
    for g, p in zip(golds, preds, strict=True):
        gv, pv = g.get(field, []), p.get(field, [])
        tp += matched(gv, pv, same)
        n_gold += len(gv)
        n_pred += len(pv)
    return tp, n_gold, n_pred


def cuad_scores(golds: list[Gold], preds: list[Gold]) -> Scores:
    """Micro P/R/F1 over the eight fields and per field; parties also with exact matching."""
    per_field = {f: _counts(golds, preds, f, _comparer(f)) for f in CUAD_FIELDS}
    total = [sum(c[i] for c in per_field.values()) for i in range(3)]
    exact = _counts(golds, preds, "parties", _same_party_exact)
    return Scores(
        overall=prf(*total),
        fields={f: prf(*c) for f, c in per_field.items()},
        extra={"parties, exact match": prf(*exact)},
    )


def cuad_match(field: str, gold: list[str], pred: list[str]) -> bool:
    """Whether one contract's field is entirely right (every value matched, nothing extra)."""
    return matched(gold, pred, _comparer(field)) == len(gold) == len(pred)
