"""A total taken from a fund's column: the row's own total is the figure meant.

A charity's statement of financial activities prints each line in columns,
unrestricted funds, restricted funds, their total, then last year's total:
"Total 74,158 6,966 81,124 72,201". A small model asked for the total income
takes the first figure. A number field that asks for a row's total
(`json_schema_extra={"row_total": True}`) gets, where the text prints its value
as the first of columns that add up to a later one on the same line (74,158 +
6,966 = 81,124), that later one. A value printed anywhere else as well is
left alone: the row is then not known.
"""

from __future__ import annotations

from extract.evidence.locating import TextIndex, printed_numbers
from extract.evidence.scale import written
from extract.output.merge import Merged

MAX_COLUMNS = 4  # columns after the value looked at: funds, their total, last year's


def row_total(index: TextIndex, value: float) -> float:
    """The total of the row where the text prints `value` as its first column; `value`
    itself where it is printed otherwise, or nowhere."""
    totals = {_total_after(index.text, end, value) for _, end in index.printed_at(value)}
    if len(totals) == 1 and (total := totals.pop()) is not None:
        return total
    return value


def _total_after(text: str, end: int, value: float) -> float | None:
    line_end = text.find("\n", end)
    running, seen = value, 0
    for figure in printed_numbers(text, end, len(text) if line_end < 0 else line_end):
        if figure is None or seen == MAX_COLUMNS:
            return None
        if seen >= 1 and abs(running - figure) < 0.5:
            return figure
        running, seen = running + figure, seen + 1
    return None


def row_totals_in(merged: Merged, names: frozenset[str], index: TextIndex) -> Merged:
    """`merged` with each of `names` that is a number as its row's total, noted."""
    for name in sorted(names):
        value = merged.data.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            total = row_total(index, value)
            if total != value:
                merged.data[name] = total
                merged.notes.append(
                    f"{name}: {written(value)} read as its row's total, {written(total)}"
                )
    return merged
