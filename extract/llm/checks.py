"""Checks across fields: the arithmetic and order a schema knows.

A model can copy every value right but one, and a single wrong total makes a
table row wrong. A schema declares what must hold between its fields in a
class variable `CHECKS` (a tuple of the rules below, or your own `Check`);
the core runs them after validation, asks the model once more with the
discrepancy stated, and names what still fails in the table's `checks`
column: a failed rule is flagged, never silently kept.

    class Invoice(BaseModel):
        ...
        CHECKS: ClassVar[tuple[Check, ...]] = (
            adds_up(("subtotal", "tax"), "total"),
            not_before("due_date", "issue_date"),
        )

A rule returns None when it holds, or when a value it needs is missing (an
absent value is not a contradiction), else a sentence the model can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from extract.errors import ConfigError

Data = dict[str, Any]


@dataclass(frozen=True)
class Check:
    """One rule: `test(data)` gives the discrepancy in words, or None when there is none.

    `whole_document`: the rule needs every part of a document (a sum over all line items),
    so it is only tried on an answer that saw the whole document, and on the merged result.
    """

    name: str
    test: Callable[[Data], str | None]
    whole_document: bool = False


def _close(a: float, b: float, tolerance: float) -> bool:
    return abs(a - b) <= tolerance + 1e-9 * max(abs(a), abs(b))


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def adds_up(parts: Sequence[str], total: str, *, tolerance: float = 0.01) -> Check:
    """sum(parts) == total, e.g. subtotal + tax = total."""
    name = f"{' + '.join(parts)} = {total}"

    def test(data: Data) -> str | None:
        values = [_number(data.get(p)) for p in parts]
        whole = _number(data.get(total))
        if whole is None or any(v is None for v in values):
            return None
        found = sum(v for v in values if v is not None)
        if _close(found, whole, tolerance):
            return None
        shown = " + ".join(f"{p} ({data[p]})" for p in parts)
        return f"{shown} = {found:.2f}, but {total} is {data[total]}"

    return Check(name, test)


def sums_to(items: str, field: str, total: str, *, tolerance: float = 0.01) -> Check:
    """The `field` of every element of the list `items` adds up to `total`."""
    name = f"sum({items}.{field}) = {total}"

    def test(data: Data) -> str | None:
        rows = data.get(items) or []
        values = [_number(row.get(field)) for row in rows if isinstance(row, dict)]
        whole = _number(data.get(total))
        if whole is None or not values or any(v is None for v in values):
            return None
        found = sum(v for v in values if v is not None)
        if _close(found, whole, tolerance * max(1, len(values))):
            return None
        return (
            f"the {len(values)} {items} {field} values add up to {found:.2f}, "
            f"but {total} is {data[total]}"
        )

    return Check(name, test, whole_document=True)


def each_product(
    items: str, factor: str, other: str, product: str, *, tolerance: float = 0.01
) -> Check:
    """For every element of `items`: factor x other == product (quantity x unit price)."""
    name = f"{items}: {factor} x {other} = {product}"

    def test(data: Data) -> str | None:
        wrong = []
        for position, row in enumerate(data.get(items) or []):
            if not isinstance(row, dict):
                continue
            a, b, c = (_number(row.get(k)) for k in (factor, other, product))
            if a is None or b is None or c is None or _close(a * b, c, tolerance):
                continue
            wrong.append(f"{items}[{position}]: {a:g} x {b:g} = {a * b:.2f}, not {c:g}")
        return "; ".join(wrong[:5]) or None

    return Check(name, test)


def not_before(later: str, earlier: str) -> Check:
    """An ISO date that cannot come before another (due date after issue date)."""
    name = f"{later} >= {earlier}"

    def test(data: Data) -> str | None:
        a, b = data.get(later), data.get(earlier)
        if not (_iso(a) and _iso(b)) or a >= b:
            return None
        return f"{later} ({a}) is before {earlier} ({b})"

    return Check(name, test)


def _iso(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-"


def schema_checks(schema: type[BaseModel]) -> tuple[Check, ...]:
    """The schema's `CHECKS`, checked at start-up (a wrong entry is a configuration error)."""
    checks = tuple(getattr(schema, "CHECKS", ()))
    for check in checks:
        if not isinstance(check, Check):
            raise ConfigError(
                f"{schema.__name__}.CHECKS: expected extract.llm.checks.Check rules, got "
                f"{type(check).__name__}"
            )
    names = [c.name for c in checks]
    if len(set(names)) != len(names):
        raise ConfigError(f"{schema.__name__}.CHECKS: two rules share a name")
    return checks


def failed_checks(checks: Sequence[Check], data: Data, *, whole: bool) -> dict[str, str]:
    """{rule name: discrepancy} for the rules `data` breaks; whole-document rules only when
    `whole` (the answer saw, or merges, every part of the document)."""
    failed = {}
    for check in checks:
        if check.whole_document and not whole:
            continue
        problem = check.test(data)
        if problem:
            failed[check.name] = problem
    return failed
